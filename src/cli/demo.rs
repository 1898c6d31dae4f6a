//! `billpass demo`: from nothing to a bill on screen with the example data. Run again on
//! the same database, it imports the same data again (updating it), finds the cycle sent,
//! gives customers whose links expired fresh ones, and prints every customer's link again.

use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::MigrateDatabase;

use super::run_cycle;
use crate::app::{self, Serve};
use crate::billing::brands::{self, BrandError, BrandForm};
use crate::billing::import::{self, CustomerFormat};
use crate::config::{BrandSettings, Settings};
use crate::domain::PayUrl;
use crate::domain::{AccountId, Actor, BrandId, CustomerId, CycleId};
use crate::domain::{EmailAddress, Role};
use crate::infra::db;
use crate::infra::private_postgres::PrivatePostgres;
use crate::links::IssuedToken;
use crate::links::staff as link_staff;
use crate::links::staff_sign_in;
use crate::staff::members::{self, MemberError};
use crate::tokens::keys::{self, KeyAlgorithm, Keyring};

const CUSTOMERS: &str = include_str!("../../examples/customers.csv");
const BILLS: &str = include_str!("../../examples/bills.jsonl");
const WATER_LOGO: &str = include_str!("../../examples/water-logo.svg");

/// The demo's admin, who signs in to the console with the link the demo prints.
const DEMO_ADMIN: &str = "demo-admin@example.com";

/// Customer service and a pay page for the demo's bills, where the settings give none.
const DEMO_SUPPORT_PHONE: &str = "+1 555 010 0100";
const DEMO_SUPPORT_EMAIL: &str = "help@example.com";
const DEMO_SUPPORT_HOURS: &str = "Mon–Fri 8am–6pm";
const DEMO_PAY_URL: &str = "https://pay.example.com/?account={account_id}&amount={amount}";

pub async fn run(mut settings: Settings) -> anyhow::Result<()> {
    with_example_contacts(&mut settings.brand);
    // A key first, then the address: a demo that cannot serve says so before it does anything.
    let keys_dir = &settings.links.keys.keys_dir;
    if Keyring::open(keys_dir).is_err() {
        let (kid, _) = keys::generate(keys_dir, KeyAlgorithm::EdDsa)?;
        println!("Generated signing key {kid} in {}.", keys_dir.display());
    }
    let settings = Arc::new(settings);
    let server = Serve::prepare(settings.clone(), true, true)?;
    let mut database_url = settings.database.url().to_owned();
    // A private server, if started, stops and is removed when this is dropped.
    let _private = if reachable(&database_url).await {
        println!("Using the database at {}.", db::redact(&database_url));
        None
    } else {
        let server = PrivatePostgres::start().await?;
        println!(
            "No PostgreSQL answered at {}; started a private one for this demo in {} (removed when the demo stops).",
            db::redact(&database_url),
            server.dir().display()
        );
        database_url = server.url().to_owned();
        Some(server)
    };
    let pool = db::connect_and_migrate(&database_url).await?;
    let minter = server.minter().clone();
    let by = Actor::command_line();
    let water = add_water(&pool, &settings).await?;
    println!("{water}");
    let customers =
        import::customers(&pool, CustomerFormat::Csv, CUSTOMERS.as_bytes(), &by).await?;
    let bills = import::bills(&pool, BILLS.as_bytes(), &by).await?;
    println!(
        "Imported the example data: {} customers, {} bills.",
        customers.inserted + customers.updated,
        bills.inserted + bills.updated
    );
    let latest = sqlx::query_scalar!("SELECT max(cycle) FROM bills")
        .fetch_one(&pool)
        .await?
        .unwrap_or_default();
    let cycle = CycleId::parse(&latest).map_err(anyhow::Error::msg)?;
    let done = run_cycle(&pool, &minter, &settings.runs, &cycle, &by).await?;
    println!(
        "Cycle {cycle}: {} links minted, {} customers already had theirs.",
        done.minted, done.skipped
    );

    // A demo run again later finds expired links; give those customers fresh ones.
    let stale = sqlx::query_scalar!(
        r#"SELECT c.account_id AS "account_id: AccountId" FROM customers c
           WHERE NOT EXISTS (SELECT 1 FROM link_tokens t
                             WHERE t.customer_id = c.id AND t.superseded_at IS NULL
                               AND t.revoked_at IS NULL AND t.expires_at > now())
           ORDER BY c.account_id"#
    )
    .fetch_all(&pool)
    .await?;
    for account in stale {
        link_staff::resend(&pool, &minter, &account, None, &by, None).await?;
    }

    // The database keeps no link once its message is sent: each is signed again to print.
    let current = sqlx::query!(
        r#"SELECT c.account_id, c.name, t.channel, c.id AS "id: CustomerId"
           FROM link_tokens t JOIN customers c ON c.id = t.customer_id
           WHERE t.superseded_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()
           ORDER BY c.account_id"#
    )
    .fetch_all(&pool)
    .await?;
    println!("\nEach customer's link (open one in a browser):\n");
    let mut conn = pool.acquire().await?;
    for customer in &current {
        let Some(token) = IssuedToken::current(&mut conn, customer.id).await? else {
            continue;
        };
        if let Some(link) = minter.link_again(&mut conn, &token).await? {
            let (account, name, channel) =
                (&customer.account_id, &customer.name, &customer.channel);
            println!("  {account}  {name:<24} {channel:<5}  {link}");
        }
    }
    drop(conn);

    // A demo admin, with a sign-in link to the console.
    let admin = EmailAddress::parse(DEMO_ADMIN).map_err(anyhow::Error::msg)?;
    match members::invite(&pool, &admin, Role::Admin, &by).await {
        Ok(_) | Err(MemberError::AlreadyStaff(_)) => {}
        Err(error) => return Err(error.into()),
    }
    let mut tx = db::begin(&pool).await?;
    let sign_in = staff_sign_in::mint(&mut tx, &minter, DEMO_ADMIN).await?;
    tx.commit().await?;
    if let Some(sign_in) = sign_in {
        println!(
            "\nThe staff console, as the demo admin {DEMO_ADMIN} (this link works once, for 15 minutes;\n`billpass staff invite` adds people, and /staff/sign-in emails them a link):\n\n  {}",
            sign_in.url
        );
    }
    println!(
        "\nEmails and text messages are written to {}. Serving on http://{}; press Ctrl-C to stop.\n",
        settings.delivery.outbox_dir.display(),
        settings.web.listen
    );
    server.run(pool).await
}

/// The demo's second brand, `water`, added or brought up to date: its customers (the
/// `brand` column of the example customers) get its links, look and senders. When the
/// deployment is on this machine (`127.0.0.1` or `localhost`), its links are on a host of
/// its own, `water.localhost`, which browsers take for this machine.
async fn add_water(pool: &sqlx::PgPool, settings: &Settings) -> anyhow::Result<String> {
    let public = &settings.links.public_url;
    let own_host = matches!(public.host_str(), Some("127.0.0.1" | "localhost"));
    let public_url = own_host.then(|| {
        let mut url = public.clone();
        let _ = url.set_host(Some("water.localhost"));
        url.to_string().trim_end_matches('/').to_owned()
    });
    let form = BrandForm {
        name: Some("Riverside Water".into()),
        audience: Some("water".into()),
        public_url: public_url.clone(),
        locale: Some("es-US".into()),
        timezone: Some("America/Chicago".into()),
        support_phone: Some("+1 555 010 0199".into()),
        support_email: Some("help@water.example.com".into()),
        support_hours: Some("Mon–Sat 7am–7pm".into()),
        pay_url: Some("https://pay.water.example.com/?account={account_id}&amount={amount}".into()),
        email_from: Some("Riverside Water <bills@water.example.com>".into()),
        sms_from: Some("Riverside".into()),
        logo_svg: Some(WATER_LOGO.into()),
        colour: Some("#0b5d7a".into()),
        ..BrandForm::default()
    };
    let changes = form
        .changes()
        .map_err(|errors| anyhow::anyhow!("the demo's brand: {errors:?}"))?;
    let default = app::default_brand(settings);
    let id = BrandId::parse("water").map_err(anyhow::Error::msg)?;
    let by = Actor::command_line();
    match brands::add(pool, &id, &changes, &default, &by).await {
        Ok(()) => {}
        Err(BrandError::Exists(_)) => brands::update(pool, &id, &changes, &default, &by).await?,
        Err(error) => return Err(error.into()),
    }
    Ok(match public_url {
        Some(url) => format!("Added the brand Riverside Water (`water`), its links on {url}."),
        None => "Added the brand Riverside Water (`water`).".to_owned(),
    })
}

/// Fills in example contact details and a pay page when the settings name none, so the
/// demo's bills show what a deployment's would.
fn with_example_contacts(brand: &mut BrandSettings) {
    let none = brand.support_phone.is_none()
        && brand.support_email.is_none()
        && brand.support_url.is_none();
    if none {
        brand.support_phone = Some(DEMO_SUPPORT_PHONE.into());
        brand.support_email = Some(DEMO_SUPPORT_EMAIL.into());
        brand.support_hours = Some(DEMO_SUPPORT_HOURS.into());
        println!(
            "Showing example customer service details on the bills (set BILLPASS_SUPPORT_* for your own)."
        );
    }
    if brand.pay_url.is_none() {
        brand.pay_url = PayUrl::parse(DEMO_PAY_URL).ok();
        println!("Pay buttons lead to {DEMO_PAY_URL} (set BILLPASS_PAY_URL for your own).");
    }
}

async fn reachable(url: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(3), sqlx::Postgres::database_exists(url)).await,
        Ok(Ok(_))
    )
}
