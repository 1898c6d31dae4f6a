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
