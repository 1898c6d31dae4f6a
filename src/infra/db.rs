//! The database: created when missing, migrated on every start.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection, Postgres, Transaction};
use tokio::sync::Semaphore;

/// A pooled connection idle for longer than this is pinged before it is handed out.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// How long a request waits for a connection before it is answered 503: long enough for
/// a busy pool, short enough that a database outage shows at once.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// How long start-up waits for PostgreSQL to answer at all.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to `url`, creating the database and applying migrations when needed. A server
/// that does not answer is an error at once (or after [`CONNECT_TIMEOUT`]): a supervisor
/// restarts the process, and once running it rides out outages by itself.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<PgPool> {
    let unreachable = || {
        format!(
            "cannot reach PostgreSQL at {}: is it running? (set DATABASE_URL)",
            redact(url)
        )
    };
    let exists = tokio::time::timeout(CONNECT_TIMEOUT, sqlx::Postgres::database_exists(url))
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {CONNECT_TIMEOUT:?}"))
        .with_context(unreachable)?
        .with_context(unreachable)?;
    if !exists {
        sqlx::Postgres::create_database(url)
            .await
            .with_context(|| format!("creating database {}", redact(url)))?;
    }
    let pool = pool_options()
        .connect(url)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))?;
    // On a connection of its own that keeps PostgreSQL's notices to itself: the migrator
    // creates its table `IF NOT EXISTS`, which is otherwise a notice on every command.
    let quiet = (*pool.connect_options())
        .clone()
        .options([("client_min_messages", "warning")]);
    let mut migrating = PgConnection::connect_with(&quiet)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))?;
    sqlx::migrate!()
        .run(&mut migrating)
        .await
        .context("applying database migrations")?;
    migrating.close().await?;
    Ok(pool)
}

/// Connections in a pool, at most.
pub const POOL_SIZE: u32 = 16;

/// A pool of its own, of up to `size` connections to the database `pool` connects to, with
/// the same settings, for the work of one runtime.
///
/// A connection belongs to the runtime that opened it, and every query on it fails once
/// that runtime has stopped. Each web server thread runs a runtime of its own, and on
/// shutdown the idle ones stop while others still answer requests and the background
/// workers still write; so each keeps its connections apart.
pub fn pool_beside(pool: &PgPool, size: u32) -> PgPool {
    pool_options()
        .max_connections(size)
        .connect_lazy_with((*pool.connect_options()).clone())
}

/// Begins a transaction on a connection from `pool`, and sees the beginning through even
/// when the caller stops waiting for it.
///
/// sqlx counts a transaction as begun only once PostgreSQL has answered `BEGIN`. A
/// `pool.begin()` dropped in between (a client that went away mid-request, a timeout) puts
/// its connection back in the pool inside the open transaction, where the writes of
/// whoever uses it next are never committed. Here `BEGIN` runs on a task of its own: a
/// transaction nobody is left to take is dropped there, and so rolled back.
pub async fn begin(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    begin_with(pool, "BEGIN").await
}

/// [`begin`] with a statement of its own in place of `BEGIN`.
pub async fn begin_with(
    pool: &PgPool,
    statement: &'static str,
) -> sqlx::Result<Transaction<'static, Postgres>> {
    let pool = pool.clone();
    #[allow(clippy::disallowed_methods)] // The one place it is safe: nobody cancels this task.
    tokio::spawn(async move { pool.begin_with(statement).await })
        .await
        // Only a runtime that is shutting down drops the task.
        .map_err(|_| sqlx::Error::PoolClosed)?
}

fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(POOL_SIZE)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // sqlx pings every connection it hands out by default: a second round trip for each
        // query. A connection that was just in use needs no such test; one that sat idle
        // (across a database restart, say) still gets it.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > IDLE_BEFORE_PING {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .after_connect(|_, _| {
            Box::pin(async {
                crate::infra::sockets::disable_nagle();
                Ok(())
            })
        })
}

/// Connections for the customer pages' queries (link and session checks, bill reads,
/// opening a session), beside the sqlx pool.
///
/// The sqlx pool sends a round trip down every connection given back to it, to find one
/// that a cancelled query left mid-answer: for a page that makes one query, as many round
/// trips again. Here a connection goes back only after its read completed; one whose read
/// failed or was cancelled is closed instead. Like the pool, it pings a connection that sat
/// idle before handing it out, and closes with it.
pub struct PagePool {
    pool: PgPool,
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    permits: Semaphore,
}

impl PagePool {
    /// Up to `size` connections to `pool`'s database, opened when needed.
    pub fn beside(pool: &PgPool, size: u32) -> Self {
        Self {
            pool: pool.clone(),
            idle: Mutex::default(),
            permits: Semaphore::new(size as usize),
        }
    }

    /// Runs `read` on a connection of its own. `read` runs again on a new connection when
    /// it fails on one that was used before: the database may have dropped that one since
    /// (a restart, a terminated backend). So `read` must be safe to repeat: a read is, and
    /// so is opening a session (a session whose answer was lost has a secret nobody holds).
    pub async fn run<T>(
        &self,
        read: impl AsyncFn(&mut PgConnection) -> sqlx::Result<T>,
    ) -> sqlx::Result<T> {
        if self.pool.is_closed() {
            self.idle_connections().clear();
            return Err(sqlx::Error::PoolClosed);
        }
        let _permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.permits.acquire())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let result = match self.idle_connection().await {
            Some(mut conn) => match read(&mut conn).await {
                Ok(value) => Ok((conn, value)),
                Err(_) => self.run_on_new(&read).await,
            },
            None => self.run_on_new(&read).await,
        };
        result.map(|(conn, value)| {
            self.idle_connections().push((conn, Instant::now()));
            value
        })
    }

    async fn run_on_new<T>(
        &self,
        read: &impl AsyncFn(&mut PgConnection) -> sqlx::Result<T>,
    ) -> sqlx::Result<(PgConnection, T)> {
        let mut conn = tokio::time::timeout(
            ACQUIRE_TIMEOUT,
            PgConnection::connect_with(&self.pool.connect_options()),
        )
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
        crate::infra::sockets::disable_nagle();
        let value = read(&mut conn).await?;
        Ok((conn, value))
    }

    /// The connection used last, pinged first if it sat idle; `None` when there is none
    /// left that answers.
    async fn idle_connection(&self) -> Option<PgConnection> {
        loop {
            let (mut conn, since) = self.idle_connections().pop()?;
            if since.elapsed() <= IDLE_BEFORE_PING || conn.ping().await.is_ok() {
                return Some(conn);
            }
        }
    }

    fn idle_connections(&self) -> MutexGuard<'_, Vec<(PgConnection, Instant)>> {
        // The list stays whole whatever panicked while holding it.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Sends a notification on `channel` when the transaction commits.
pub async fn notify(conn: &mut PgConnection, channel: &str) -> sqlx::Result<()> {
    sqlx::query!("SELECT pg_notify($1, '')", channel)
        .execute(conn)
        .await?;
    Ok(())
}

/// What a follower of a `NOTIFY` channel hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// Listening (again): notifications sent from now on will arrive; any sent while not
    /// listening were missed.
    Listening,
    /// A notification.
    Notified,
    /// The connection was lost: notifications are missed until `Listening` comes again.
    Lost,
}

/// How long to wait before listening again after a failure.
const LISTEN_RETRY: Duration = Duration::from_secs(5);

/// Follows a `NOTIFY` channel until the pool is closed, reconnecting after a failure, and
/// tells `heard` what happens.
pub async fn follow(pool: &PgPool, channel: &str, mut heard: impl FnMut(Heard)) {
    loop {
        let listening = async {
            let mut listener = PgListener::connect_with(pool).await?;
            // A lost connection must be heard (`recv` would reconnect without a word).
            listener.eager_reconnect(false);
            listener.listen(channel).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match listening.await {
            Ok(mut listener) => {
                heard(Heard::Listening);
                while let Ok(Some(_)) = listener.try_recv().await {
                    heard(Heard::Notified);
                }
                heard(Heard::Lost);
            }
            Err(_) if pool.is_closed() => return,
            Err(error) => {
                tracing::warn!("listening on {channel}: {error}; trying again");
                tokio::time::sleep(LISTEN_RETRY).await;
            }
        }
    }
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

    /// Whether no row was written.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
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

/// Typed text as a `LIKE` pattern that matches it literally: `%`, `_` and `\` escaped.
pub fn like_literal(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
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

    #[test]
    fn like_wildcards_are_taken_literally() {
        assert_eq!(super::like_literal(r"50%_off\"), r"50\%\_off\\");
    }
}
