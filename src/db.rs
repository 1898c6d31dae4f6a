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

/// Rows for `COPY … FROM STDIN` in PostgreSQL's text format.
#[derive(Default)]
pub struct CopyText {
    rows: Vec<u8>,
    /// Whether the current row has a field yet.
    in_row: bool,
}

impl CopyText {
    fn separate(&mut self) {
        if self.in_row {
            self.rows.push(b'\t');
        }
        self.in_row = true;
    }

    pub fn int(&mut self, value: i64) -> &mut Self {
        self.separate();
        self.rows.extend_from_slice(value.to_string().as_bytes());
        self
    }

    /// A text field, escaped as the format requires.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        for byte in value.bytes() {
            match byte {
                b'\\' => self.rows.extend_from_slice(b"\\\\"),
                b'\t' => self.rows.extend_from_slice(b"\\t"),
                b'\n' => self.rows.extend_from_slice(b"\\n"),
                b'\r' => self.rows.extend_from_slice(b"\\r"),
                _ => self.rows.push(byte),
            }
        }
        self
    }

    pub fn text_or_null(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => {
                self.separate();
                self.rows.extend_from_slice(b"\\N");
                self
            }
        }
    }

    pub fn end_row(&mut self) {
        self.rows.push(b'\n');
        self.in_row = false;
    }

    /// Sends the rows with `statement` (a `COPY … FROM STDIN`); returns how many were written.
    pub async fn copy_into(
        self,
        conn: &mut sqlx::PgConnection,
        statement: &'static str,
    ) -> sqlx::Result<u64> {
        let mut copy = conn.copy_in_raw(statement).await?;
        copy.send(self.rows).await?;
        copy.finish().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_the_format_reserves() {
        let mut rows = CopyText::default();
        rows.int(7).text("a\tb\\c\nd").text_or_null(None).end_row();
        assert_eq!(rows.rows, b"7\ta\\tb\\\\c\\nd\t\\N\n");
    }
}
