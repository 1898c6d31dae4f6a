//! `billpass demo`: from nothing to a bill on screen with the example data.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::migrate::MigrateDatabase;

use crate::audit::Actor;
use crate::cli::{Serve, minter, run_cycle};
use crate::db;
use crate::domain::{AccountId, CycleId};
use crate::import::{self, CustomerFormat};
use crate::keys::{self, KeyAlgorithm, Keyring};
use crate::links;
use crate::settings::Settings;

const CUSTOMERS: &str = include_str!("../examples/customers.csv");
const BILLS: &str = include_str!("../examples/bills.jsonl");

pub async fn run(settings: Arc<Settings>) -> anyhow::Result<()> {
    let mut settings = (*settings).clone();
    let private = if reachable(&settings.database_url).await {
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
            server.dir.path().display()
        );
        settings.database_url = server.url.clone();
        Some(server)
    };
    let settings = Arc::new(settings);
    let result = demo(settings).await;
    if let Some(server) = private {
        server.stop();
    }
    result
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

/// A throwaway PostgreSQL server in a temporary directory.
struct PrivatePostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    user: Option<String>,
    url: String,
}

impl PrivatePostgres {
    async fn start() -> anyhow::Result<Self> {
        let Some(bin) = find_server_binaries() else {
            bail!(
                "billpass demo needs PostgreSQL: set DATABASE_URL to a running server, or install PostgreSQL \
                 (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`) and run the demo again"
            );
        };
        let dir = tempfile::Builder::new()
            .prefix("billpass-demo-pg-")
            .tempdir()?;
        // PostgreSQL refuses to run as root; run it as an unprivileged user then.
        let user = if is_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };
        if let Some(user) = &user {
            let status = Command::new("chown")
                .args(["-R", user])
                .arg(dir.path())
                .status()?;
            anyhow::ensure!(
                status.success(),
                "could not hand {} to user {user}",
                dir.path().display()
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let data = dir.path().join("data");
        let server = Self {
            url: format!("postgres://billpass@127.0.0.1:{port}/billpass"),
            dir,
            bin,
            user,
        };
        server.pg(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                "billpass",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {}",
            server.dir.path().display()
        );
        let log = server.dir.path().join("postgres.log");
        server.pg(
            "pg_ctl",
            &[
                "-D",
                &data.to_string_lossy(),
                "-o",
                &options,
                "-l",
                &log.to_string_lossy(),
                "-w",
                "start",
            ],
        )?;
        sqlx::Postgres::create_database(&server.url).await.ok();
        Ok(server)
    }

    fn pg(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let path = self.bin.join(program);
        let mut command = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&path);
                c
            }
            None => Command::new(&path),
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .with_context(|| format!("running {}", path.display()))?;
        anyhow::ensure!(
            output.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        Ok(())
    }

    fn stop(self) {
        let data = self.dir.path().join("data");
        if let Err(error) = self.pg(
            "pg_ctl",
            &["-D", &data.to_string_lossy(), "-m", "fast", "-w", "stop"],
        ) {
            eprintln!("warning: stopping the demo's PostgreSQL: {error:#}");
        }
    }
}

fn find_server_binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|dir| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file())
    });
    on_path.or_else(|| {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| Some(e.ok()?.path().join("bin")))
            .filter(|bin| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        versions.pop()
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn unprivileged_user() -> anyhow::Result<String> {
    ["postgres", "nobody"]
        .into_iter()
        .find(|user| Command::new("id").arg(user).output().is_ok_and(|o| o.status.success()))
        .map(str::to_owned)
        .context("running as root and found no unprivileged user (postgres or nobody) to run PostgreSQL as")
}
