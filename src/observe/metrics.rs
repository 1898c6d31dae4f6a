//! Prometheus metrics, served at `GET /metrics` in the text format.
//!
//! Two kinds: counters and histograms of what this process did (requests, links minted,
//! link openings, deliveries), which Prometheus sums over instances; and figures read
//! from PostgreSQL when scraped (the delivery queue, cycle runs), which are the same
//! whichever instance answers. No label carries personal data: routes are patterns,
//! never paths.

use std::sync::LazyLock;
use std::time::Duration;

use actix_web::http::Method;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sqlx::PgPool;

use super::registered;
use super::scraped::Figures;
use strum::VariantArray;

use crate::domain::{Channel, LinkReason, MintReason};

/// How long a scrape waits for PostgreSQL before reporting it down.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

/// How a customer's visit to a link ended (`billpass_link_openings_total{outcome}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum LinkOpening {
    /// "View my bill" pressed on a current link: a bill session opened.
    Viewed,
    Expired,
    Superseded,
    Revoked,
    /// Malformed, forged, or not on record.
    Invalid,
}

impl LinkOpening {
    /// The label, and for a refusal the `data-link-status` of its page.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What happened to a delivery (`billpass_deliveries_total{channel,status}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum DeliveryEvent {
    /// Written to the outbox with its link (or as the fallback of a failed one).
    Queued,
    /// Failed for now and queued again for a later attempt.
    Retried,
    /// Accepted by the SMTP server or the SMS gateway.
    Sent,
    /// Reported delivered by the gateway.
    Delivered,
    /// Failed for good, or cancelled unsent by a revocation.
    Failed,
}

/// Where a bill page shown came from (`billpass_bill_pages_total{source}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum BillPageSource {
    /// Drawn before and kept in memory: only the session was checked.
    Memory,
    /// Read from PostgreSQL and drawn.
    Database,
}

/// What this process counts.
struct Counters {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    tokens_minted: IntCounterVec,
    link_openings: IntCounterVec,
    deliveries: IntCounterVec,
    bill_pages: IntCounterVec,
}

static COUNTERS: LazyLock<Counters> = LazyLock::new(Counters::new);

fn counter(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let counter = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    registered(registry, counter)
}

impl Counters {
    fn new() -> Self {
        let registry = Registry::new();
        let http_requests = counter(
            &registry,
            "billpass_http_requests_total",
            "HTTP requests answered, by method, route pattern and status.",
            &["method", "route", "status"],
        );
        let buckets = vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let http_duration = registered(
            &registry,
            HistogramVec::new(
                HistogramOpts::new(
                    "billpass_http_request_duration_seconds",
                    "Time to answer HTTP requests, by method, route pattern and status.",
                )
                .buckets(buckets),
                &["method", "route", "status"],
            )
            .expect("valid metric"),
        );
        let tokens_minted = counter(
            &registry,
            "billpass_tokens_minted_total",
            "Link tokens minted, by reason: cycle, resend, renewal, self_service.",
            &["reason"],
        );
        let link_openings = counter(
            &registry,
            "billpass_link_openings_total",
            "Visits to links, by outcome: viewed (a bill session opened), expired, superseded, \
             revoked, invalid.",
            &["outcome"],
        );
        let deliveries = counter(
            &registry,
            "billpass_deliveries_total",
            "Deliveries by channel and what happened: queued, retried, sent, delivered, failed.",
            &["channel", "status"],
        );
        let bill_pages = counter(
            &registry,
            "billpass_bill_pages_total",
            "Bill pages shown, by source: memory (drawn before; BILLPASS_BILL_CACHE_MB) or \
             database.",
            &["source"],
        );
        // Every outcome is reported from the start, at 0, so rates work from the first scrape.
        for source in BillPageSource::VARIANTS {
            bill_pages.with_label_values(&[<&str>::from(source)]);
        }
        for opening in LinkOpening::VARIANTS {
            link_openings.with_label_values(&[opening.as_str()]);
        }
        for reason in LinkReason::VARIANTS {
            tokens_minted.with_label_values(&[<&str>::from(reason)]);
        }
        for channel in [Channel::Email, Channel::Sms] {
            for event in DeliveryEvent::VARIANTS {
                deliveries.with_label_values(&[channel.as_str(), <&str>::from(event)]);
            }
        }
        Self {
            registry,
            http_requests,
            http_duration,
            tokens_minted,
            link_openings,
            deliveries,
            bill_pages,
        }
    }
}

/// Counts an answered HTTP request; `route` is its pattern (`/b/{token}`), `None` when no
/// route matched.
pub fn http_request(method: &Method, route: Option<&str>, status: u16, took: Duration) {
    // Unknown methods are one label, so a client cannot make up new series.
    let known = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ];
    let method = if known.contains(method) {
        method.as_str()
    } else {
        "other"
    };
    let status = status.to_string();
    let labels = [method, route.unwrap_or("<unmatched>"), status.as_str()];
    COUNTERS.http_requests.with_label_values(&labels).inc();
    COUNTERS
        .http_duration
        .with_label_values(&labels)
        .observe(took.as_secs_f64());
}

/// Counts `count` link tokens minted for `reason`.
pub fn tokens_minted(reason: MintReason<'_>, count: usize) {
    COUNTERS
        .tokens_minted
        .with_label_values(&[reason.as_str()])
        .inc_by(count as u64);
}

/// Counts a visit to a link that ended in `outcome`.
pub fn link_opening(outcome: LinkOpening) {
    COUNTERS
        .link_openings
        .with_label_values(&[outcome.as_str()])
        .inc();
}

/// Counts a bill page shown.
pub fn bill_page(source: BillPageSource) {
    COUNTERS
        .bill_pages
        .with_label_values(&[<&str>::from(source)])
        .inc();
}

/// Counts `count` deliveries on `channel` that went through `event`.
pub fn deliveries(channel: Channel, event: DeliveryEvent, count: u64) {
    COUNTERS
        .deliveries
        .with_label_values(&[channel.as_str(), <&str>::from(event)])
        .inc_by(count);
}

/// Everything, in the Prometheus text format: this process's counters, the connection
/// pool of the thread that answers, and the figures PostgreSQL holds (or
/// `billpass_database_up 0` when it does not answer in time).
pub async fn render(pool: &PgPool) -> String {
    let scraped = Registry::new();
    let connections = registered(
        &scraped,
        IntGaugeVec::new(
            Opts::new(
                "billpass_database_connections",
                "Connections in the pool of the web thread that answered this scrape, by state: idle or busy.",
            ),
            &["state"],
        )
        .expect("valid metric"),
    );
    let idle = pool.num_idle() as i64;
    connections.with_label_values(&["idle"]).set(idle);
    connections
        .with_label_values(&["busy"])
        .set(i64::from(pool.size()) - idle);
    let up = registered(
        &scraped,
        IntGauge::new(
            "billpass_database_up",
            "1 when PostgreSQL answered this scrape, 0 when it did not.",
        )
        .expect("valid metric"),
    );
    match tokio::time::timeout(DATABASE_TIMEOUT, Figures::read(pool)).await {
        Ok(Ok(figures)) => {
            up.set(1);
            figures.register(&scraped);
        }
        Ok(Err(error)) => tracing::warn!("metrics: reading figures from the database: {error}"),
        Err(_) => tracing::warn!("metrics: the database did not answer in time"),
    }
    let mut families = COUNTERS.registry.gather();
    families.extend(scraped.gather());
    let mut text = Vec::new();
    TextEncoder::new()
        .encode(&families, &mut text)
        .expect("the text format takes any metric");
    String::from_utf8(text).expect("the text format is UTF-8")
}
