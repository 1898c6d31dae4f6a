//! Every setting, as a flag and an environment variable; a wrong value stops start-up
//! with one line naming the setting.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use url::Url;

use crate::observe::logs::{DEFAULT_FILTER, LogFormat, parse_filter};
use crate::tokens::TokenSettings;
use crate::web::IpRange;

/// Where the database is: every command reads it.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Database")]
pub struct DatabaseSettings {
    /// PostgreSQL connection URL; the database is created and migrated when needed.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://localhost/billpass",
        value_parser = parse_database_url,
        hide_env_values = true
    )]
    pub database_url: String,
}

/// What is logged, and how: every command writes logs.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Logs")]
pub struct LogSettings {
    /// Log lines on stderr: `text` for people (coloured on a terminal) or `json`, one
    /// object per line, for log collectors.
    #[arg(long, env = "BILLPASS_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Which log lines to write: `info`, `warn`, `billpass=debug,sqlx=warn`.
    #[arg(long, env = "RUST_LOG", default_value = DEFAULT_FILTER, value_parser = parse_filter)]
    pub log_filter: String,
}

/// The settings of a command that only reads or writes the database.
#[derive(Debug, Clone, Args)]
pub struct Common {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub logs: LogSettings,
}

/// The signing keys.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Links")]
pub struct KeySettings {
    /// Directory of PKCS#8 PEM signing keys.
    #[arg(long, env = "BILLPASS_KEYS_DIR", default_value = "./keys")]
    pub keys_dir: PathBuf,
}

/// How links are minted: for the commands and workers that mint them.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Links")]
pub struct LinkSettings {
    #[command(flatten)]
    pub keys: KeySettings,

    /// Base URL of the links sent to customers (`https://bills.example.com`).
    #[arg(long, env = "BILLPASS_PUBLIC_URL", default_value = "http://127.0.0.1:8080", value_parser = parse_public_url)]
    pub public_url: Url,

    /// How long a link works: `90s`, `15m`, `72h`, `7d`.
    #[arg(long, env = "BILLPASS_LINK_TTL", default_value = "72h", value_parser = parse_ttl)]
    pub link_ttl: Duration,

    /// Token `iss` claim; keep it short, every character lengthens the SMS.
    #[arg(long, env = "BILLPASS_TOKEN_ISSUER", default_value = "bp", value_parser = parse_claim)]
    pub token_issuer: String,

    /// Token `aud` claim: one per brand or deployment; keep it short.
    #[arg(long, env = "BILLPASS_TOKEN_AUDIENCE", default_value = "bill", value_parser = parse_claim)]
    pub token_audience: String,
}

impl LinkSettings {
    pub fn token_settings(&self) -> TokenSettings {
        TokenSettings {
            issuer: self.token_issuer.clone(),
            audience: self.token_audience.clone(),
        }
    }

    /// Whether cookies must be `Secure`.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The link for a token: `{public_url}/b/{token}`.
    pub fn link(&self, token: &str) -> String {
        format!("{}/b/{token}", self.base())
    }

    /// The public URL without its trailing slash, to put paths after.
    pub fn base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}

/// The brand customers see, and how they reach customer service.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Brand")]
pub struct Brand {
    /// The brand shown on pages and messages.
    #[arg(long = "brand", env = "BILLPASS_BRAND", default_value = "billpass", value_parser = parse_brand)]
    pub name: String,

    /// Customer service's phone number, as customers should read it (`+1 555 010 0100`).
    #[arg(long, env = "BILLPASS_SUPPORT_PHONE", value_parser = parse_support_phone)]
    pub support_phone: Option<String>,

    /// Customer service's email address.
    #[arg(long, env = "BILLPASS_SUPPORT_EMAIL", value_parser = parse_support_email)]
    pub support_email: Option<String>,

    /// Customer service's web page (`https://acme.example/help`).
    #[arg(long, env = "BILLPASS_SUPPORT_URL", value_parser = parse_support_url)]
    pub support_url: Option<Url>,

    /// When customer service answers (`Mon-Fri 8am-6pm`).
    #[arg(long, env = "BILLPASS_SUPPORT_HOURS", value_parser = parse_support_hours)]
    pub support_hours: Option<String>,
}

impl Brand {
    /// Whether any way to reach customer service is set.
    pub fn has_support(&self) -> bool {
        self.support_phone.is_some() || self.support_email.is_some() || self.support_url.is_some()
    }

    /// The phone number as a `tel:` link: `tel:+15550100100`.
    pub fn support_tel(&self) -> Option<String> {
        self.support_phone.as_ref().map(|phone| {
            let dialled: String = phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            format!("tel:{dialled}")
        })
    }
}

/// The brand's name, as pages and messages write it.
impl std::fmt::Display for Brand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// Where messages go and how they are sent: for the delivery workers.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Delivery")]
pub struct DeliverySettings {
    /// SMTP server (`smtp://user:pass@host:587?tls=required`, `smtps://…`); unset: write emails to the outbox directory.
    #[arg(long, env = "BILLPASS_SMTP_URL", value_parser = parse_smtp_url, hide_env_values = true)]
    pub smtp_url: Option<Url>,

    /// Sender of link emails (`Acme Energy <bills@acme.example>`).
    #[arg(long, env = "BILLPASS_EMAIL_FROM", default_value = "billpass <bills@localhost>", value_parser = parse_mailbox)]
    pub email_from: lettre::message::Mailbox,

    /// Where emails (`.eml`) and text messages (`.sms`) go when no SMTP server or SMS gateway is set.
    #[arg(long, env = "BILLPASS_OUTBOX_DIR", default_value = "./outbox")]
    pub outbox_dir: PathBuf,

    /// SMS gateway: `twilio` (the Twilio Messages API) or `http` (a JSON POST with a bearer
    /// token); unset: write text messages to the outbox directory.
    #[arg(long, env = "BILLPASS_SMS_GATEWAY", value_enum)]
    pub sms_gateway: Option<SmsGateway>,

    /// The gateway's base URL (`https://api.twilio.com`).
    #[arg(long, env = "BILLPASS_SMS_URL", value_parser = parse_gateway_url)]
    pub sms_url: Option<Url>,

    /// Twilio account SID.
    #[arg(long, env = "BILLPASS_SMS_ACCOUNT_SID")]
    pub sms_account_sid: Option<String>,

    /// Twilio auth token (also checks webhook signatures), or the `http` gateway's bearer token.
    #[arg(long, env = "BILLPASS_SMS_AUTH_TOKEN", hide_env_values = true)]
    pub sms_auth_token: Option<String>,

    /// The number or sender id text messages come from.
    #[arg(long, env = "BILLPASS_SMS_FROM")]
    pub sms_from: Option<String>,

    /// Emails sent at once, at most.
    #[arg(long, env = "BILLPASS_EMAIL_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub email_concurrency: u32,

    /// Text messages sent at once, at most.
    #[arg(long, env = "BILLPASS_SMS_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub sms_concurrency: u32,

    /// Emails per second, at most (unset: as fast as the server takes them).
    #[arg(long, env = "BILLPASS_EMAIL_RATE")]
    pub email_rate: Option<NonZeroU32>,

    /// Text messages per second, at most (unset: as fast as the gateway takes them).
    #[arg(long, env = "BILLPASS_SMS_RATE")]
    pub sms_rate: Option<NonZeroU32>,

    /// First wait before retrying a failed send; it doubles with each attempt (with jitter).
    #[arg(long, env = "BILLPASS_RETRY_BASE", default_value = "30s", value_parser = parse_retry_base)]
    pub retry_base: Duration,

    /// How long a delivery claimed by a worker that went silent waits before another worker
    /// sends it; longer than any one send may take.
    #[arg(long, env = "BILLPASS_DELIVERY_LEASE", default_value = "2m", value_parser = parse_lease)]
    pub delivery_lease: Duration,

    /// How long one send may take (connecting included) before it counts as a temporary
    /// failure; shorter than the lease.
    #[arg(long, env = "BILLPASS_SEND_TIMEOUT", default_value = "30s", value_parser = parse_send_timeout)]
    pub send_timeout: Duration,

    /// Attempts before a delivery fails for good (and falls back to the other channel).
    #[arg(long, env = "BILLPASS_RETRY_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub retry_max_attempts: u32,
}

/// How cycle runs are shared between processes.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Cycle runs")]
pub struct RunSettings {
    /// How long a cycle run's worker may go silent before another takes the run over.
    #[arg(long, env = "BILLPASS_RUN_LEASE", default_value = "30s", value_parser = parse_lease)]
    pub run_lease: Duration,
}

/// How many links customers may ask for themselves.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Customers asking for links")]
pub struct RequestLimits {
    /// New links a customer may ask for per day, by renewing a link or on `/link` (besides
    /// at most one a minute).
    #[arg(long, env = "BILLPASS_RENEW_DAILY_LIMIT", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub renew_daily_limit: u32,

    /// Requests for a new link on `/link` per client IP address (IPv6: per /64), per process:
    /// `10/h`, `20/15m`.
    #[arg(long, env = "BILLPASS_LINK_REQUESTS_PER_IP", default_value = "10/h", value_parser = parse_rate)]
    pub link_requests_per_ip: Rate,

    /// Requests for a new link on `/link` per typed address, whether or not it is on file,
    /// per process: `3/h`.
    #[arg(long, env = "BILLPASS_LINK_REQUESTS_PER_ADDRESS", default_value = "3/h", value_parser = parse_rate)]
    pub link_requests_per_address: Rate,
}

/// The web server.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Web server")]
pub struct WebSettings {
    /// Address the web server listens on.
    #[arg(long, env = "BILLPASS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Largest body a staff API import accepts (`64MiB`, `1GiB`; larger ones get 413): the
    /// rows of an import are held in memory until it is stored.
    #[arg(long, env = "BILLPASS_API_IMPORT_LIMIT", default_value = "256MiB", value_parser = parse_size)]
    pub api_import_limit: u64,

    /// Database connections each process keeps for the customer pages' link and session
    /// checks (besides up to 16 for everything else). More than the database has cores to run
    /// them only queue there, and lengthen the slowest answers.
    #[arg(long, env = "BILLPASS_PAGE_DB_CONNECTIONS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_db_connections: u32,

    /// Memory each process may fill with rendered bill pages, in megabytes (0: none), so that
    /// a bill viewed again is not read and drawn again. Sessions and links are checked in
    /// PostgreSQL on every view regardless; any import empties the cache of every instance.
    #[arg(long, env = "BILLPASS_BILL_CACHE_MB", default_value_t = 128, value_parser = clap::value_parser!(u32).range(0..=65536))]
    pub bill_cache_mb: u32,

    /// Reverse proxies whose `X-Forwarded-For` names the client: IP addresses or CIDR
    /// ranges, comma-separated (`127.0.0.1,10.0.0.0/8`); unset: the peer is the client.
    #[arg(long, env = "BILLPASS_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_ip_range)]
    pub trusted_proxies: Vec<IpRange>,
}

/// Every setting: what `billpass serve` (and the demo) runs on.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub links: LinkSettings,
    #[command(flatten)]
    pub brand: Brand,
    #[command(flatten)]
    pub web: WebSettings,
    #[command(flatten)]
    pub limits: RequestLimits,
    #[command(flatten)]
    pub delivery: DeliverySettings,
    #[command(flatten)]
    pub runs: RunSettings,
    #[command(flatten)]
    pub logs: LogSettings,
}

fn parse_public_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw)
        .map_err(|e| format!("{e}; expected a URL like https://bills.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http or https URL like https://bills.example.com".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("expected a base URL without ?query or #fragment".into());
    }
    Ok(url)
}

/// A PostgreSQL URL; its password is never repeated in the message.
fn parse_database_url(raw: &str) -> Result<String, String> {
    let expected = "expected a URL like postgres://user:password@host:5432/billpass";
    let url = Url::parse(raw).map_err(|e| format!("{e}; {expected}"))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(expected.into());
    }
    raw.parse::<sqlx::postgres::PgConnectOptions>()
        .map_err(|_| expected.to_owned())?;
    Ok(raw.to_owned())
}

/// A duration like `30s` or `72h`, between `min` and `max` (named in the message as written).
fn parse_duration_between(
    raw: &str,
    (min, max): (Duration, Duration),
    (examples, bounds): (&str, &str),
) -> Result<Duration, String> {
    let duration = humantime::parse_duration(raw)
        .map_err(|e| format!("{e}; expected a duration like {examples}"))?;
    if duration < min || duration > max {
        return Err(format!("expected a duration between {bounds}"));
    }
    Ok(duration)
}

fn parse_ttl(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_secs(60), Duration::from_secs(90 * 24 * 3600));
    parse_duration_between(raw, bounds, ("90s, 15m, 72h or 7d", "1m and 90d"))
}

/// The shape of the SMS gateway's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmsGateway {
    /// `POST {url}/2010-04-01/Accounts/{sid}/Messages.json`, form fields, basic auth.
    Twilio,
    /// `POST {url}` with JSON `{"to","body","reference"}` and a bearer token.
    Http,
}

fn parse_gateway_url(raw: &str) -> Result<Url, String> {
    let url =
        Url::parse(raw).map_err(|e| format!("{e}; expected a URL like https://api.twilio.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http or https URL like https://api.twilio.com".into());
    }
    Ok(url)
}

fn parse_retry_base(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_millis(10), Duration::from_secs(3600));
    parse_duration_between(raw, bounds, ("30s or 2m", "10ms and 1h"))
}

fn parse_send_timeout(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_millis(100), Duration::from_secs(600));
    parse_duration_between(raw, bounds, ("30s or 2m", "100ms and 10m"))
}

fn parse_lease(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_secs(1), Duration::from_secs(3600));
    parse_duration_between(raw, bounds, ("30s or 2m", "1s and 1h"))
}

/// A size in bytes: `1048576`, `512KiB`, `64MiB` or `1GiB`, from 1 KiB to 64 GiB.
fn parse_size(raw: &str) -> Result<u64, String> {
    let expected = || "expected a size like 64MiB, 512KiB or 1GiB".to_owned();
    let digits = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(digits);
    let unit: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        _ => return Err(expected()),
    };
    let bytes = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(expected)?;
    if !(1 << 10..=64 << 30).contains(&bytes) {
        return Err("expected a size between 1KiB and 64GiB".into());
    }
    Ok(bytes)
}

/// At most `count` in `per`: a burst of `count`, then one every `per / count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

/// `5/h`, `20/15m`, `100/1d`: a count from 1 to 10,000 per 1 second to 1 day.
fn parse_rate(raw: &str) -> Result<Rate, String> {
    const EXPECTED: &str = "expected a rate like 5/h, 20/15m or 100/d: 1 to 10000 per 1s to 1d";
    let (count, per) = raw.split_once('/').ok_or(EXPECTED)?;
    let count = count
        .trim()
        .parse::<NonZeroU32>()
        .ok()
        .filter(|n| n.get() <= 10_000)
        .ok_or(EXPECTED)?;
    let per = per.trim();
    // A bare unit is one of it: `h` is `1h`.
    let per = if per.chars().all(|c| c.is_ascii_alphabetic()) {
        humantime::parse_duration(&format!("1{per}"))
    } else {
        humantime::parse_duration(per)
    }
    .map_err(|_| EXPECTED)?;
    if !(Duration::from_secs(1)..=Duration::from_secs(86_400)).contains(&per) {
        return Err(EXPECTED.into());
    }
    Ok(Rate { count, per })
}

fn parse_ip_range(raw: &str) -> Result<IpRange, String> {
    raw.trim().parse()
}

fn parse_brand(raw: &str) -> Result<String, String> {
    let brand = raw.trim();
    if brand.is_empty() || brand.chars().count() > 40 || brand.chars().any(char::is_control) {
        return Err("expected a brand name of 1 to 40 printable characters".into());
    }
    Ok(brand.to_owned())
}

fn parse_support_phone(raw: &str) -> Result<String, String> {
    let phone = raw.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let plain = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !plain || !(3..=20).contains(&digits) {
        return Err("expected a phone number like +1 555 010 0100".into());
    }
    Ok(phone.to_owned())
}

fn parse_support_email(raw: &str) -> Result<String, String> {
    crate::domain::EmailAddress::parse(raw.trim()).map(|email| email.as_str().to_owned())
}

fn parse_support_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim())
        .map_err(|e| format!("{e}; expected a URL like https://acme.example/help"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http or https URL like https://acme.example/help".into());
    }
    Ok(url)
}

fn parse_support_hours(raw: &str) -> Result<String, String> {
    let hours = raw.trim();
    if hours.is_empty() || hours.chars().count() > 100 || hours.chars().any(char::is_control) {
        return Err("expected opening hours of 1 to 100 printable characters".into());
    }
    Ok(hours.to_owned())
}

fn parse_claim(raw: &str) -> Result<String, String> {
    if raw.is_empty() || raw.len() > 64 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("expected 1 to 64 printable ASCII characters".into());
    }
    Ok(raw.to_owned())
}

fn parse_smtp_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw)
        .map_err(|e| format!("{e}; expected smtp://user:pass@host:port or smtps://…"))?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host().is_none() {
        return Err("expected smtp://user:pass@host:port or smtps://user:pass@host:port".into());
    }
    Ok(url)
}

fn parse_mailbox(raw: &str) -> Result<lettre::message::Mailbox, String> {
    raw.parse()
        .map_err(|_| "expected a sender like `Acme Energy <bills@acme.example>`".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_accept_the_documented_forms() {
        assert_eq!(parse_ttl("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_ttl("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_ttl("72h").unwrap(), Duration::from_secs(72 * 3600));
        assert_eq!(parse_ttl("7d").unwrap(), Duration::from_secs(7 * 86400));
        for bad in ["", "abc", "-1h", "10s", "1000d", "5"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("512KiB").unwrap(), 512 << 10);
        assert_eq!(parse_size("2048").unwrap(), 2048);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        for bad in [
            "",
            "MiB",
            "10",
            "64MB",
            "-1KiB",
            "100GiB",
            "99999999999999999999GiB",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_accept_a_count_per_duration_or_unit() {
        let rate = |count, secs| Rate {
            count: NonZeroU32::new(count).unwrap(),
            per: Duration::from_secs(secs),
        };
        assert_eq!(parse_rate("5/h").unwrap(), rate(5, 3600));
        assert_eq!(parse_rate("20/15m").unwrap(), rate(20, 900));
        assert_eq!(parse_rate("100/1d").unwrap(), rate(100, 86_400));
        assert_eq!(parse_rate("2/3s").unwrap(), rate(2, 3));
        for bad in [
            "",
            "5",
            "0/h",
            "-1/h",
            "5/",
            "5/fortnight",
            "5/100ms",
            "5/2d",
            "10001/h",
            "h/5",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn database_urls_must_be_postgres_urls() {
        assert!(parse_database_url("postgres://localhost/billpass").is_ok());
        assert!(
            parse_database_url("postgresql://bp:secret@db:5432/billpass?sslmode=require").is_ok()
        );
        for bad in [
            "localhost/billpass",
            "mysql://db/billpass",
            "postgres://db/x?sslmode=sometimes",
        ] {
            let error = parse_database_url(bad).unwrap_err();
            assert!(!error.contains(bad), "{error}");
        }
    }

    #[test]
    fn public_urls_must_be_http_bases() {
        assert!(parse_public_url("https://bills.example.com").is_ok());
        for bad in [
            "bills.example.com",
            "ftp://x",
            "https://x/?a=1",
            "javascript:alert(1)",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }
}
