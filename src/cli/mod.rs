//! The `billpass` command line.

pub mod demo;
mod progress;
mod show;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use sqlx::PgPool;

use crate::app::{Serve, minter};
use crate::billing::brands::{self, BrandChanges, BrandForm};
use crate::billing::import::{self, ImportError};
use crate::config::{
    BrandSettings, Common, DatabaseSettings, KeySettings, LinkSettings, LogSettings, RunSettings,
    Settings,
};
use crate::cycle::runner::{Runner, Worked};
use crate::cycle::{self, RunProgress};
use crate::domain::calendar::{self, time_text};
use crate::domain::{
    AccountId, Actor, Brand, BrandId, Channel, CycleId, EmailAddress, Reason, Role,
};
use crate::infra::db;
use crate::links::history::CustomerHistory;
use crate::links::{Minter, mint, staff as link_staff};
use crate::observe::logs;
use crate::staff::keys::{self as staff_keys, KeyName};
use crate::staff::members;
use crate::tokens::keys::{self, KeyAlgorithm, Keyring};
use progress::RunReporter;

/// One-click, passwordless links from a billing run to each customer's bill.
#[derive(Debug, Parser)]
#[command(name = "billpass", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// A customer's account number, as imported (`ACC-1001`).
#[derive(Debug, Clone, clap::Args)]
pub struct Account {
    /// The customer's account number, as imported (`ACC-1001`).
    #[arg(value_name = "ACCOUNT_ID", value_parser = AccountId::parse)]
    pub account_id: AccountId,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages and send queued messages.
    Serve {
        /// Only serve web pages; send nothing.
        #[arg(long, conflicts_with = "workers_only")]
        web_only: bool,
        /// Only send queued messages; serve no pages.
        #[arg(long)]
        workers_only: bool,
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Create the database if needed and apply migrations.
    Migrate {
        #[command(flatten)]
        common: Common,
    },
    /// Try billpass with example data: database, key, customers, bills, a cycle run, and the server.
    Demo {
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Manage signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Load customers or bills from a file (all or nothing).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Billing-cycle runs.
    #[command(subcommand)]
    Cycle(CycleCommand),
    /// Send a customer a fresh link (the previous one stops working).
    Resend {
        #[command(flatten)]
        account: Account,
        /// Channel to use; default: the customer's preferred one.
        #[arg(long)]
        channel: Option<Channel>,
        /// Why, for the customer's history and the audit log.
        #[arg(long, value_parser = Reason::parse)]
        reason: Option<Reason>,
        #[command(flatten)]
        links: LinkSettings,
        #[command(flatten)]
        common: Common,
    },
    /// Revoke a customer's current link: it stops working at once, and so does a bill open
    /// from it.
    Revoke {
        #[command(flatten)]
        account: Account,
        /// Why, for the customer's history and the audit log (required).
        #[arg(long, value_parser = Reason::parse)]
        reason: Reason,
        #[command(flatten)]
        common: Common,
    },
    /// Look customers up.
    #[command(subcommand)]
    Customer(CustomerCommand),
    /// Staff members of the console, and staff API keys.
    #[command(subcommand)]
    Staff(StaffCommand),
    /// The brands customers are billed under, beside the default one the settings describe.
    #[command(subcommand)]
    Brands(BrandsCommand),
}

impl Command {
    /// How this command logs.
    fn logs(&self) -> &LogSettings {
        match self {
            Command::Serve { settings, .. } | Command::Demo { settings } => &settings.logs,
            Command::Keys(KeysCommand::Generate { logs, .. }) => logs,
            Command::Brands(
                BrandsCommand::Add { brand, .. } | BrandsCommand::Update { brand, .. },
            ) => &brand.common.logs,
            Command::Migrate { common }
            | Command::Keys(KeysCommand::List { common, .. })
            | Command::Import(
                ImportCommand::Customers { common, .. } | ImportCommand::Bills { common, .. },
            )
            | Command::Cycle(
                CycleCommand::Run { common, .. } | CycleCommand::Schedule { common, .. },
            )
            | Command::Brands(BrandsCommand::List { common, .. })
            | Command::Resend { common, .. }
            | Command::Revoke { common, .. }
            | Command::Customer(CustomerCommand::Show { common, .. })
            | Command::Staff(
                StaffCommand::CreateKey { common, .. }
                | StaffCommand::ListKeys { common }
                | StaffCommand::RevokeKey { common, .. }
                | StaffCommand::Invite { common, .. }
                | StaffCommand::List { common }
                | StaffCommand::Disable { common, .. },
            ) => &common.logs,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CustomerCommand {
    /// A customer's profile, links, messages, openings and staff actions (addresses masked).
    Show {
        #[command(flatten)]
        account: Account,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Make someone a member of staff: they sign in to the console at /staff/sign-in with
    /// a link emailed to this address (or through single sign-on, when it is set up).
    Invite {
        /// Their work email address.
        #[arg(value_parser = EmailAddress::parse)]
        email: EmailAddress,
        /// `billing` imports and runs cycles, `csr` looks up, resends and revokes, `admin` all.
        #[arg(long, value_enum)]
        role: Role,
        #[command(flatten)]
        common: Common,
    },
    /// List the members of staff, enabled ones first.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// Disable a member of staff: their sessions end at once and no sign-in works for them.
    Disable {
        /// Their email address.
        email: String,
        #[command(flatten)]
        common: Common,
    },
    /// Create an API key; it is printed once, as the last line, and never shown again.
    CreateKey {
        /// Who holds it (`alice`, `billing-batch`).
        #[arg(long, value_parser = KeyName::parse)]
        name: KeyName,
        /// `billing` imports and runs cycles, `csr` looks up, resends and revokes, `admin` all.
        #[arg(long, value_enum)]
        role: Role,
        #[command(flatten)]
        common: Common,
    },
    /// List API keys (never the keys themselves), active ones first.
    ListKeys {
        #[command(flatten)]
        common: Common,
    },
    /// Revoke an API key by name or id; it stops working at once.
    RevokeKey {
        /// The key's name, or its id from `staff list-keys`.
        key: String,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Subcommand)]
pub enum BrandsCommand {
    /// Add a brand; its customers (the `brand` column of the customers import) get links
    /// with its audience, in its look, from its senders.
    Add {
        /// Its id: 1 to 32 lowercase letters, digits or `-` (`water`).
        #[arg(value_parser = BrandId::parse)]
        id: BrandId,
        #[command(flatten)]
        brand: Box<BrandOptions>,
    },
    /// Change a brand: the values given, the others as they are.
    Update {
        /// The brand's id.
        #[arg(value_parser = BrandId::parse)]
        id: BrandId,
        #[command(flatten)]
        brand: Box<BrandOptions>,
    },
    /// List the brands, the default one first.
    List {
        #[command(flatten)]
        default: Box<BrandSettings>,
        /// The default brand's token audience.
        #[arg(long, env = "BILLPASS_TOKEN_AUDIENCE", default_value = "bill")]
        token_audience: String,
        #[command(flatten)]
        common: Common,
    },
}

/// A brand's values, for `brands add` and `brands update`.
#[derive(Debug, clap::Args)]
pub struct BrandOptions {
    #[command(flatten)]
    form: BrandForm,
    /// Its logo: an SVG file of a plain drawing (no script, no external reference), at most
    /// 64 KiB.
    #[arg(long, value_name = "FILE.svg")]
    logo: Option<PathBuf>,
    /// The default brand's token audience, which no other brand may take.
    #[arg(long, env = "BILLPASS_TOKEN_AUDIENCE", default_value = "bill")]
    token_audience: String,
    #[command(flatten)]
    keys: KeySettings,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add a key and make it the signing key; older keys keep verifying.
    Generate {
        #[arg(long, value_enum, default_value = "eddsa")]
        alg: KeyAlgorithm,
        #[command(flatten)]
        keys: KeySettings,
        #[command(flatten)]
        logs: LogSettings,
    },
    /// List keys, newest (signing) first, with whether each still has unexpired links.
    List {
        #[command(flatten)]
        keys: KeySettings,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Customers: CSV with a header row, or JSON Lines.
    Customers {
        /// The file to import.
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// Bills: JSON Lines.
    Bills {
        /// The file to import.
        file: PathBuf,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Subcommand)]
pub enum CycleCommand {
    /// Mint and queue a link for every customer with a bill in CYCLE now, and follow the
    /// run to its end (resuming an interrupted run of the cycle).
    Run {
        /// The cycle: `2026-11`, or 1 to 32 letters, digits, `-` or `_`.
        #[arg(value_parser = CycleId::parse)]
        cycle: CycleId,
        #[command(flatten)]
        links: LinkSettings,
        #[command(flatten)]
        runs: RunSettings,
        #[command(flatten)]
        common: Common,
    },
    /// Schedule a run of CYCLE; `billpass serve` starts it when it is due.
    Schedule {
        /// The cycle: `2026-11`, or 1 to 32 letters, digits, `-` or `_`.
        #[arg(value_parser = CycleId::parse)]
        cycle: CycleId,
        /// When: `2026-12-01T06:00:00Z` (RFC 3339) or `2026-12-01 06:00` (UTC).
        #[arg(long, value_parser = parse_time)]
        at: chrono::DateTime<chrono::Utc>,
        #[command(flatten)]
        common: Common,
    },
}

fn parse_time(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Ok(time.to_utc());
    }
    ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(raw, format).ok())
        .map(|naive| naive.and_utc())
        .ok_or_else(|| "expected a time like 2026-12-01T06:00:00Z or 2026-12-01 06:00 (UTC)".into())
        .and_then(calendar::within_years)
}

/// One line about a finished run.
fn summary(run: &RunProgress) -> String {
    format!(
        "Run {} of cycle {} {}: {} links minted and queued; {} skipped ({} already sent, {} without a usable \
         contact); {} customers with a bill.",
        run.run_id,
        run.cycle,
        run.status,
        run.minted,
        run.skipped,
        run.skipped_already_sent,
        run.skipped_no_contact,
        run.total
    )
}

/// Parses the command line and runs it; errors become one line on stderr.
pub async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return setting_error(error),
    };
    let logs = cli.command.logs();
    logs::init(logs.log_format, &logs.log_filter);
    match run(cli.command).await {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// A bad setting is one line naming its environment variable and what was expected
/// (never its value, which may hold a password); other usage errors are clap's own.
fn setting_error(error: clap::Error) -> ExitCode {
    use clap::CommandFactory;
    use clap::error::{ContextKind, ContextValue, ErrorKind};

    if !matches!(
        error.kind(),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation
    ) {
        error.exit();
    }
    let flag = match error.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(arg)) => {
            arg.split_whitespace().next().unwrap_or_default().to_owned()
        }
        _ => error.exit(),
    };
    let env = env_of(&Cli::command(), &flag);
    let reason = match (
        std::error::Error::source(&error),
        error.get(ContextKind::ValidValue),
    ) {
        (Some(cause), _) => cause.to_string(),
        (None, Some(ContextValue::Strings(valid))) => {
            format!("expected one of: {}", valid.join(", "))
        }
        (None, _) => "not a valid value".to_owned(),
    };
    match env {
        Some(env) => eprintln!("error: {env} ({flag}): {reason}"),
        None => eprintln!("error: {flag}: {reason}"),
    }
    ExitCode::from(2)
}

/// The environment variable of `flag` (`--link-ttl`), in whichever command it is.
fn env_of(command: &clap::Command, flag: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|a| a.get_long().is_some_and(|long| flag == format!("--{long}")))
        .and_then(|a| a.get_env())
        .map(|env| env.to_string_lossy().into_owned())
        .or_else(|| command.get_subcommands().find_map(|sub| env_of(sub, flag)))
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve {
            web_only,
            workers_only,
            settings,
        } => {
            let settings = Arc::new(*settings);
            // Every setting is checked, and the address bound, before the database is reached.
            let server = Serve::prepare(settings.clone(), !workers_only, !web_only)?;
            let pool = connect(&settings.database).await?;
            server.run(pool).await?;
        }
        Command::Migrate { common } => {
            connect(&common.database).await?;
            println!("Database is up to date.");
        }
        Command::Demo { settings } => demo::run(*settings).await?,
        Command::Keys(KeysCommand::Generate { alg, keys, .. }) => {
            let (kid, path) = keys::generate(&keys.keys_dir, alg)?;
            println!(
                "Generated {alg} key {kid} in {}; it signs new links from now on.",
                path.display()
            );
        }
        Command::Keys(KeysCommand::List { keys, common }) => list_keys(&keys, &common).await?,
        Command::Import(what) => return import_file(what).await,
        Command::Cycle(CycleCommand::Run {
            cycle,
            links,
            runs,
            common,
        }) => {
            let pool = connect(&common.database).await?;
            let minter = minter(&links)?;
            let done = run_cycle(&pool, &minter, &runs, &cycle, &Actor::command_line()).await?;
            println!("{}", summary(&done));
        }
        Command::Cycle(CycleCommand::Schedule { cycle, at, common }) => {
            let pool = connect(&common.database).await?;
            let run_id = cycle::schedule(&pool, &cycle, at, &Actor::command_line()).await?;
            println!(
                "Scheduled run {run_id} of cycle {cycle} for {}; `billpass serve` starts it then.",
                at.format("%Y-%m-%d %H:%M UTC")
            );
        }
        Command::Resend {
            account: Account { account_id },
            channel,
            reason,
            links,
            common,
        } => {
            let pool = connect(&common.database).await?;
            let minted = link_staff::resend(
                &pool,
                &minter(&links)?,
                &account_id,
                channel,
                &Actor::command_line(),
                reason.as_ref(),
            )
            .await
            .with_context(|| format!("resending to {account_id}"))?;
            println!(
                "Queued link {} (delivery {}) by {} to {}; the previous link no longer works.",
                minted.jti,
                minted.delivery_id,
                minted.destination.channel,
                minted.destination.masked()
            );
        }
        Command::Revoke {
            account: Account { account_id },
            reason,
            common,
        } => {
            let pool = connect(&common.database).await?;
            let revoked = link_staff::revoke(&pool, &account_id, &Actor::command_line(), &reason)
                .await
                .with_context(|| format!("revoking the link of {account_id}"))?;
            println!(
                "The link {} of {account_id} was revoked at {}; {} queued message(s) carrying it will not be sent. \
                 A resend, the next cycle run or the customer's own request gives them a working link again.",
                revoked.jti,
                time_text(revoked.revoked_at),
                revoked.cancelled_deliveries
            );
        }
        Command::Customer(CustomerCommand::Show {
            account: Account { account_id },
            common,
        }) => {
            let pool = connect(&common.database).await?;
            let history = CustomerHistory::read(&pool, &account_id)
                .await?
                .with_context(|| format!("no customer with account id {account_id}"))?;
            print!("{}", show::customer(&history));
        }
        Command::Staff(command) => staff_command(command).await?,
        Command::Brands(command) => brands_command(command).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn staff_command(command: StaffCommand) -> anyhow::Result<()> {
    let by = Actor::command_line();
    match command {
        StaffCommand::Invite {
            email,
            role,
            common,
        } => {
            let pool = connect(&common.database).await?;
            let member = members::invite(&pool, &email, role, &by).await?;
            println!(
                "{} is now a member of staff ({role}). They sign in at /staff/sign-in with this address.",
                member.email
            );
        }
        StaffCommand::List { common } => {
            let pool = connect(&common.database).await?;
            print!("{}", show::staff_members(&members::list(&pool).await?));
        }
        StaffCommand::Disable { email, common } => {
            let pool = connect(&common.database).await?;
            let member = members::disable(&pool, &email, &by).await?;
            println!(
                "Disabled {}: their sessions have ended and they can no longer sign in.",
                member.email
            );
        }
        StaffCommand::CreateKey { name, role, common } => {
            let pool = connect(&common.database).await?;
            let (created, key) = staff_keys::create_key(&pool, &name, role, &by).await?;
            println!(
                "Created {role} key {} (id {}). It is shown only now: store it in a secret manager.",
                created.name, created.id
            );
            println!("{}", key.expose());
        }
        StaffCommand::ListKeys { common } => {
            let pool = connect(&common.database).await?;
            print!("{}", show::staff_keys(&staff_keys::list_keys(&pool).await?));
        }
        StaffCommand::RevokeKey { key, common } => {
            let pool = connect(&common.database).await?;
            let revoked = staff_keys::revoke_key(&pool, &key, &by).await?;
            println!(
                "Revoked {} key {} (id {}); it no longer works.",
                revoked.role, revoked.name, revoked.id
            );
        }
    }
    Ok(())
}

async fn brands_command(command: BrandsCommand) -> anyhow::Result<()> {
    let (id, options, adding) = match command {
        BrandsCommand::List {
            default,
            token_audience,
            common,
        } => {
            let pool = connect(&common.database).await?;
            let book = brands::book(&pool, &default.brand(&token_audience)).await?;
            print!("{}", show::brands(book.all()));
            return Ok(());
        }
        BrandsCommand::Add { id, brand } => (id, brand, true),
        BrandsCommand::Update { id, brand } => (id, brand, false),
    };
    let changes = options.changes()?;
    let pool = connect(&options.common.database).await?;
    let default = Brand {
        audience: options.token_audience.clone(),
        ..Brand::default()
    };
    let by = Actor::command_line();
    if adding {
        brands::add(&pool, &id, &changes, &default, &by).await?;
        println!(
            "Added brand {id}. Customers imported with `brand` {id} get its links from the next run or resend."
        );
    } else {
        brands::update(&pool, &id, &changes, &default, &by).await?;
        println!("Changed brand {id}; running servers show the change within seconds.");
    }
    Ok(())
}

impl BrandOptions {
    /// The checked values, the logo read from its file; every value that failed is named.
    fn changes(&self) -> anyhow::Result<BrandChanges> {
        let mut form = self.form.clone();
        if let Some(path) = &self.logo {
            let svg = std::fs::read(path)
                .with_context(|| format!("cannot read the logo {}", path.display()))?;
            form.logo_svg = Some(String::from_utf8(svg).map_err(|_| {
                anyhow::anyhow!(
                    "--logo {}: not UTF-8 text; expected an SVG file",
                    path.display()
                )
            })?);
        }
        let changes = form.changes().map_err(|errors| {
            let lines: Vec<String> = errors
                .iter()
                .map(|e| match e.field {
                    "logo_svg" => format!("--logo: {}", e.message),
                    field => format!("--{}: {}", field.replace('_', "-"), e.message),
                })
                .collect();
            anyhow::anyhow!("{}", lines.join("\n       "))
        })?;
        if let Some(kid) = &changes.signing_kid {
            let ring = Keyring::open(&self.keys.keys_dir)?;
            anyhow::ensure!(
                ring.verifying_key(kid).is_some(),
                "--signing-kid: no key {kid} in {}; see `billpass keys list`",
                self.keys.keys_dir.display()
            );
        }
        Ok(changes)
    }
}

/// The database the settings name, created and migrated when needed.
async fn connect(database: &DatabaseSettings) -> anyhow::Result<PgPool> {
    db::connect_and_migrate(database.url()).await
}

/// Starts (or joins) a run of `cycle` and follows it to the end with a progress bar,
/// working it whenever no other process holds it.
pub async fn run_cycle(
    pool: &PgPool,
    minter: &Minter,
    runs: &RunSettings,
    cycle: &CycleId,
    by: &Actor,
) -> anyhow::Result<RunProgress> {
    let run_id = cycle::start(pool, cycle, by).await?;
    let runner = Runner::new(pool.clone(), minter.clone(), runs.run_lease);
    let done = cycle::progress(pool, run_id).await?.map_or(0, |p| p.done());
    let mut reporter = RunReporter::new(cycle.as_str(), done);
    let mut told_busy = false;
    loop {
        let worked = runner.work(run_id, |p| reporter.update(p)).await.with_context(|| {
            format!("run {run_id} of cycle {cycle} stopped; run `billpass cycle run {cycle}` again to resume it")
        })?;
        match worked {
            Worked::Finished(done) => {
                reporter.finish(&done);
                return Ok(done);
            }
            Worked::Busy => {
                if !told_busy {
                    reporter.note(&format!(
                        "Run {run_id} is being worked by another process; following it (it is taken over if that process stops)."
                    ));
                    told_busy = true;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                if let Some(p) = cycle::progress(pool, run_id).await? {
                    reporter.update(&p);
                }
            }
        }
    }
}

async fn import_file(what: ImportCommand) -> anyhow::Result<ExitCode> {
    let (path, kind, common) = match &what {
        ImportCommand::Customers { file, common } => (file.as_path(), "customers", common),
        ImportCommand::Bills { file, common } => (file.as_path(), "bills", common),
    };
    let reader = open(path)?;
    let pool = connect(&common.database).await?;
    let by = Actor::command_line();
    let result = match what {
        ImportCommand::Customers { .. } => {
            let mut reader = reader;
            let first = reader
                .fill_buf()?
                .iter()
                .copied()
                .find(|b| !b.is_ascii_whitespace());
            import::customers(&pool, import::customer_format(path, first), reader, &by).await
        }
        ImportCommand::Bills { .. } => import::bills(&pool, reader, &by).await,
    };
    match result {
        Ok(summary) => {
            println!(
                "Imported {kind} from {}: {} inserted, {} updated.",
                path.display(),
                summary.inserted,
                summary.updated
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::Rows { errors, more }) => {
            for error in &errors {
                eprintln!("{}: {error}", path.display());
            }
            if more > 0 {
                eprintln!("{}: … and {more} more errors", path.display());
            }
            eprintln!(
                "error: {} bad row(s) in {}; nothing was stored. Fix them and import again.",
                errors.len() + more,
                path.display()
            );
            Ok(ExitCode::FAILURE)
        }
        Err(ImportError::Unexpected(error)) => {
            Err(error.context(format!("importing {}", path.display())))
        }
    }
}

fn open(path: &Path) -> anyhow::Result<std::io::BufReader<std::fs::File>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(std::io::BufReader::with_capacity(64 * 1024, file))
}

async fn list_keys(keys: &KeySettings, common: &Common) -> anyhow::Result<()> {
    let ring = Keyring::open(&keys.keys_dir)?;
    let pool = connect(&common.database).await.ok();
    let mut listed = Vec::new();
    for (i, key) in ring.keys().iter().enumerate() {
        let status = if i == 0 {
            "signing".to_owned()
        } else {
            match &pool {
                Some(pool) => match mint::outstanding_until(pool, &key.kid).await? {
                    Some(until) => format!(
                        "verifying (links outstanding until {})",
                        until.format("%Y-%m-%d %H:%M UTC")
                    ),
                    None => "retired: no unexpired link uses it; safe to delete".to_owned(),
                },
                None => "verifying".to_owned(),
            }
        };
        listed.push((key.clone(), status));
    }
    print!("{}", show::signing_keys(&listed));
    Ok(())
}
