//! `billpass demo`: from nothing to a bill on screen with the example data.

use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::MigrateDatabase;

use crate::audit::Actor;
use crate::cli::{Serve, minter, run_cycle};
use crate::db;
use crate::domain::{AccountId, CycleId};
use crate::import::{self, CustomerFormat};
use crate::keys::{self, KeyAlgorithm, Keyring};
use crate::links;
use crate::private_postgres::PrivatePostgres;
use crate::settings::Settings;

const CUSTOMERS: &str = include_str!("../examples/customers.csv");
const BILLS: &str = include_str!("../examples/bills.jsonl");

pub async fn run(settings: Arc<Settings>) -> anyhow::Result<()> {
    let mut settings = (*settings).clone();
    // A private server, if started, stops and is removed when this is dropped.
    let _private = if reachable(&settings.database_url).await {
        println!(
            "Using the database at {}.",
            db::redact(&settings.database_url)
        );
        None
    } else {
        let server = PrivatePostgres::start().await?;
        println!(
            "No PostgreSQL answered at {}; started a private one for this demo in {} (removed when the demo stops).",
            db::redact(&settings.database_url),
            server.dir().display()
        );
        settings.database_url = server.url().to_owned();
        Some(server)
    };
    demo(Arc::new(settings)).await
}

async fn demo(settings: Arc<Settings>) -> anyhow::Result<()> {
    let pool = db::connect_and_migrate(&settings.database_url).await?;
    if Keyring::open(&settings.keys_dir).is_err() {
        let (kid, _) = keys::generate(&settings.keys_dir, KeyAlgorithm::EdDsa)?;
        println!(
            "Generated signing key {kid} in {}.",
            settings.keys_dir.display()
        );
    }
    let by = Actor::command_line();
    let customers =
        import::customers(&pool, CustomerFormat::Csv, CUSTOMERS.as_bytes(), &by).await?;
    let bills = import::bills(&pool, BILLS.as_bytes(), &by).await?;
    println!(
        "Imported the example data: {} customers, {} bills.",
        customers.inserted + customers.updated,
        bills.inserted + bills.updated
    );
    let minter = minter(&settings)?;
    let latest: String = sqlx::query_scalar("SELECT max(cycle) FROM bills")
        .fetch_one(&pool)
        .await?;
    let cycle = CycleId::parse(&latest).map_err(anyhow::Error::msg)?;
    let done = run_cycle(&pool, &minter, &settings, &cycle, &by).await?;
    println!(
        "Cycle {cycle}: {} links minted, {} customers already had theirs.",
        done.minted, done.skipped
    );

    // A demo run again later finds expired links; give those customers fresh ones.
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT c.account_id FROM customers c
         WHERE NOT EXISTS (SELECT 1 FROM link_tokens t WHERE t.customer_id = c.id AND t.superseded_at IS NULL
                             AND t.revoked_at IS NULL AND t.expires_at > now())
         ORDER BY c.account_id",
    )
    .fetch_all(&pool)
    .await?;
    for account in stale {
        let account = AccountId::parse(&account).map_err(anyhow::Error::msg)?;
        links::resend(&pool, &minter, &account, None, &by, None).await?;
    }

    let links: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.account_id, c.name, t.channel, d.link
         FROM link_tokens t JOIN customers c ON c.id = t.customer_id
         JOIN LATERAL (SELECT link FROM deliveries WHERE token_id = t.id ORDER BY id LIMIT 1) d ON true
         WHERE t.superseded_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
         ORDER BY c.account_id",
    )
    .fetch_all(&pool)
    .await?;
    println!("\nEach customer's link (open one in a browser):\n");
    for (account, name, channel, link) in &links {
        println!("  {account}  {name:<24} {channel:<5}  {link}");
    }
    println!(
        "\nEmails and text messages are written to {}. Serving on http://{}; press Ctrl-C to stop.\n",
        settings.outbox_dir.display(),
        settings.listen
    );
    Serve::prepare(settings, true, true)?.run(pool).await
}

async fn reachable(url: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(3), sqlx::Postgres::database_exists(url)).await,
        Ok(Ok(_))
    )
}
