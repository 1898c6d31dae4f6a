//! The database: created when missing, migrated on every start.

use std::time::Duration;

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgPool, PgPoolOptions};

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
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // An idle connection is checked before use, so after a database restart dead
        // connections are replaced instead of failing requests.
        .test_before_acquire(true)
        .after_connect(|_, _| {
            Box::pin(async {
                crate::sockets::disable_nagle();
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
