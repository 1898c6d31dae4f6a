//! The database: created when missing, migrated on every start.

use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgPool, PgPoolOptions};

/// Connects to `url`, creating the database and applying migrations when needed.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<PgPool> {
    let exists = sqlx::Postgres::database_exists(url)
        .await
        .with_context(|| {
            format!(
                "cannot reach PostgreSQL at {}: is it running? (set DATABASE_URL)",
                redact(url)
            )
        })?;
    if !exists {
        sqlx::Postgres::create_database(url)
            .await
            .with_context(|| format!("creating database {}", redact(url)))?;
    }
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .after_connect(|_, _| {
            Box::pin(async {
                disable_nagle();
                Ok(())
            })
        })
        .connect(url)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))?;
    sqlx::migrate!()
        .run(&pool)
        .await
        .context("applying database migrations")?;
    Ok(pool)
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// sqlx 0.9.0 leaves Nagle's algorithm on for its sockets (sqlx issue 4335): on TLS
/// connections every large statement then waits ~40 ms for a delayed ACK, which makes a
/// cycle run several times slower. Until the fix is released, turn Nagle off on this
/// process's TCP sockets whenever a database connection is made. Elsewhere than Linux
/// this does nothing.
fn disable_nagle() {
    use std::os::fd::{BorrowedFd, RawFd};

    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in entries.flatten() {
        let Some(fd) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<RawFd>().ok())
        else {
            continue;
        };
        // SAFETY: the descriptor is borrowed for two socket-option calls only. Were it
        // closed meanwhile, the calls fail (EBADF/ENOTSOCK), or at worst set TCP_NODELAY
        // on another of our own sockets, which is harmless.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&fd);
        if socket.r#type().is_ok_and(|t| t == socket2::Type::STREAM)
            && socket
                .domain()
                .is_ok_and(|d| d == socket2::Domain::IPV4 || d == socket2::Domain::IPV6)
        {
            let _ = socket.set_tcp_nodelay(true);
        }
    }
}
