//! Every setting, as a flag and an environment variable; a wrong value stops start-up
//! with one line naming the setting.

mod parse;

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use parse::*;
pub use parse::{Rate, parse_ip_range};

use crate::delivery::SmsGateway;
use crate::domain::brand::{
    parse_name, parse_public_url, parse_support_email, parse_support_hours, parse_support_phone,
    parse_support_url,
};
use crate::domain::calendar::TimeZone;
use crate::domain::{Brand, PayUrl};
use crate::links::SmsLink;
use crate::observe::logs::{DEFAULT_FILTER, LogFormat, parse_filter};

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
    pub database_url: SecretString,
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
    #[arg(long, env = "BILLPASS_TOKEN_AUDIENCE", default_value = "bill", value_parser = parse_audience)]
    pub token_audience: String,

    /// The link text messages carry: `token` (`/b/{token}`, two GSM-7 segments) or `short`
    /// (`/s/{code}`, a random code standing for the token: one segment, with opt-out words).
    /// Emails always carry the token link.
    #[arg(long, env = "BILLPASS_SMS_LINK", value_enum, default_value = "token")]
    pub sms_link: SmsLink,
}

impl DatabaseSettings {
    /// The URL, for connecting.
    pub fn url(&self) -> &str {
        self.database_url.expose_secret()
    }
}

impl LinkSettings {
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

/// The brand customers see, how they reach customer service and pay, and their time zone.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Brand")]
pub struct BrandSettings {
    /// The brand shown on pages and messages.
    #[arg(long = "brand", env = "BILLPASS_BRAND", default_value = "billpass", value_parser = parse_name)]
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

    /// Where customers pay: a URL template with `{account_id}` and `{amount}`
    /// (`https://pay.acme.example/?account={account_id}&amount={amount}`); a plain link from
    /// the bill, never carrying the token. Unset: no pay button.
    #[arg(long, env = "BILLPASS_PAY_URL", value_parser = PayUrl::parse)]
    pub pay_url: Option<PayUrl>,

    /// The time zone customers read times in when theirs is not on file (an IANA name:
    /// `America/New_York`).
    #[arg(long, env = "BILLPASS_TIMEZONE", default_value = "UTC", value_parser = TimeZone::parse)]
    pub timezone: TimeZone,
}

impl BrandSettings {
    /// The default brand, as these settings describe it, its tokens carrying `audience`.
    pub fn brand(&self, audience: &str) -> Brand {
        Brand {
            name: self.name.clone(),
            audience: audience.to_owned(),
            support_phone: self.support_phone.clone(),
            support_email: self.support_email.clone(),
            support_url: self.support_url.clone(),
            support_hours: self.support_hours.clone(),
            pay_url: self.pay_url.clone(),
            timezone: self.timezone,
            ..Brand::default()
        }
    }
}

/// Where messages go and how they are sent: for the delivery workers.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Delivery")]
pub struct DeliverySettings {
    /// SMTP server (`smtp://user:pass@host:587?tls=required`, `smtps://…`); unset: write emails to the outbox directory.
    #[arg(long, env = "BILLPASS_SMTP_URL", value_parser = parse_smtp_url, hide_env_values = true)]
    pub smtp_url: Option<SecretString>,

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
    #[arg(long, env = "BILLPASS_SMS_AUTH_TOKEN", value_parser = parse_secret, hide_env_values = true)]
    pub sms_auth_token: Option<SecretString>,

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
    pub trusted_proxies: Vec<IpNet>,
}

/// Every setting: what `billpass serve` (and the demo) runs on.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub links: LinkSettings,
    #[command(flatten)]
    pub brand: BrandSettings,
    #[command(flatten)]
    pub web: WebSettings,
    #[command(flatten)]
    pub limits: RequestLimits,
    #[command(flatten)]
    pub delivery: DeliverySettings,
    #[command(flatten)]
    pub runs: RunSettings,
    #[command(flatten)]
    pub staff: StaffSettings,
    #[command(flatten)]
    pub logs: LogSettings,
}

/// Staff sign-in to the console through the company's identity provider (OpenID Connect).
/// Without an issuer, staff sign in with emailed links only.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Staff single sign-on")]
pub struct StaffSettings {
    /// The identity provider's issuer URL (`https://login.example.com/realms/acme`); its
    /// discovery document is read from `{issuer}/.well-known/openid-configuration`.
    #[arg(long, env = "BILLPASS_STAFF_OIDC_ISSUER", value_parser = parse_support_url)]
    pub staff_oidc_issuer: Option<Url>,

    /// billpass's client id at the provider.
    #[arg(long, env = "BILLPASS_STAFF_OIDC_CLIENT_ID")]
    pub staff_oidc_client_id: Option<String>,

    /// billpass's client secret at the provider.
    #[arg(long, env = "BILLPASS_STAFF_OIDC_CLIENT_SECRET", value_parser = parse_secret, hide_env_values = true)]
    pub staff_oidc_client_secret: Option<SecretString>,

    /// The ID token claim listing the person's groups: `billpass-billing`, `billpass-csr`
    /// or `billpass-admin` give the role.
    #[arg(long, env = "BILLPASS_STAFF_OIDC_ROLE_CLAIM", default_value = "groups", value_parser = parse_claim)]
    pub staff_oidc_role_claim: String,

    /// The provider's name on the sign-in button ("Sign in with Okta"); default: the
    /// issuer's host.
    #[arg(long, env = "BILLPASS_STAFF_OIDC_NAME", value_parser = parse_name)]
    pub staff_oidc_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Probe {
        #[command(flatten)]
        settings: Settings,
    }

    #[test]
    fn the_settings_of_a_fully_configured_server_print_no_secret() {
        let secrets = ["db-pass-7f3a", "smtp-pass-91c2", "sms-token-44be"];
        let probe = Probe::try_parse_from([
            "billpass",
            "--database-url",
            &format!("postgres://billpass:{}@db:5432/billpass", secrets[0]),
            "--smtp-url",
            &format!(
                "smtp://bills:{}@mail.example.com:587?tls=required",
                secrets[1]
            ),
            "--sms-gateway",
            "twilio",
            "--sms-url",
            "https://api.twilio.com",
            "--sms-account-sid",
            "AC0123",
            "--sms-auth-token",
            secrets[2],
            "--sms-from",
            "+15550009999",
        ])
        .unwrap();
        let printed = format!("{:?} {:#?}", probe.settings, probe.settings);
        for secret in secrets {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("AC0123"), "the rest is printed: {printed}");
        assert_eq!(
            probe.settings.database.url(),
            format!("postgres://billpass:{}@db:5432/billpass", secrets[0])
        );
    }
}
