//! The figures `/metrics` reads from PostgreSQL when scraped, the same on every instance:
//! the delivery queue, and cycle runs.

use prometheus::{GaugeVec, IntGaugeVec, Opts, Registry};
use sqlx::PgPool;
use strum::VariantArray;

use super::registered;
use crate::domain::{Channel, RunId, RunStatus};

/// What PostgreSQL says at scrape time.
pub(super) struct Figures {
    /// Per channel: deliveries queued or being sent, and how long the oldest has been due.
    queue: Vec<Waiting>,
    /// Cycle runs per status.
    runs_by_status: Vec<RunsOfStatus>,
    /// Active and recently finished runs.
    runs: Vec<RunFigures>,
}

/// Deliveries of one channel waiting to be sent or being sent.
struct Waiting {
    channel: Channel,
    count: i64,
    /// How long the longest-waiting one has been due, in seconds.
    oldest: f64,
}

struct RunsOfStatus {
    status: RunStatus,
    count: i64,
}

/// A run's figures: customers with a bill in its cycle, links minted, customers skipped.
struct RunFigures {
    id: RunId,
    cycle: String,
    total: i64,
    minted: i64,
    skipped: i64,
}

impl Figures {
    pub(super) async fn read(pool: &PgPool) -> sqlx::Result<Self> {
        let mut conn = pool.acquire().await?;
        // An index-only scan of the pending deliveries' partial index.
        let queue = sqlx::query_as!(
            Waiting,
            r#"SELECT channel AS "channel: Channel", count(*) AS "count!",
                      extract(epoch FROM greatest(now() - min(next_attempt_at), interval '0'))::float8
                          AS "oldest!"
               FROM deliveries WHERE status IN ('queued', 'sending')
               GROUP BY channel"#
        )
        .fetch_all(&mut *conn)
        .await?;
        // One row per run: a few a month.
        let runs_by_status = sqlx::query_as!(
            RunsOfStatus,
            r#"SELECT status AS "status: RunStatus", count(*) AS "count!"
               FROM cycle_runs GROUP BY status"#
        )
        .fetch_all(&mut *conn)
        .await?;
        // Finished runs stay in the metrics for an hour, so their last figures are seen.
        let runs = sqlx::query_as!(
            RunFigures,
            r#"SELECT id AS "id: RunId", cycle, total, minted, skipped AS "skipped!" FROM cycle_runs
               WHERE status IN ('scheduled', 'running') OR finished_at > now() - interval '1 hour'
               ORDER BY id"#
        )
        .fetch_all(&mut *conn)
        .await?;
        Ok(Self {
            queue,
            runs_by_status,
            runs,
        })
    }

    pub(super) fn register(self, registry: &Registry) {
        let gauge = |name: &str, help: &str, labels: &[&str]| {
            registered(
                registry,
                IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric"),
            )
        };
        let depth = gauge(
            "billpass_delivery_queue_depth",
            "Deliveries waiting to be sent or being sent, by channel.",
            &["channel"],
        );
        let oldest = registered(
            registry,
            GaugeVec::new(
                Opts::new(
                    "billpass_delivery_queue_oldest_age_seconds",
                    "How long the longest-waiting unsent delivery has been due, by channel.",
                ),
                &["channel"],
            )
            .expect("valid metric"),
        );
        // Both channels always appear, at 0 when nothing waits.
        for channel in [Channel::Email, Channel::Sms] {
            depth.with_label_values(&[channel.as_str()]).set(0);
            oldest.with_label_values(&[channel.as_str()]).set(0.0);
        }
        for waiting in &self.queue {
            let channel = [waiting.channel.as_str()];
            depth.with_label_values(&channel).set(waiting.count);
            oldest.with_label_values(&channel).set(waiting.oldest);
        }
        let by_status = gauge(
            "billpass_cycle_runs",
            "Cycle runs by status: scheduled, running, completed, failed.",
            &["status"],
        );
        for status in RunStatus::VARIANTS {
            by_status.with_label_values(&[<&str>::from(status)]).set(0);
        }
        for runs in &self.runs_by_status {
            let status: &str = runs.status.into();
            by_status.with_label_values(&[status]).set(runs.count);
        }
        let labels = ["cycle", "run"];
        let customers = gauge(
            "billpass_cycle_run_customers",
            "Customers with a bill in the cycle of an active or recently finished run.",
            &labels,
        );
        let minted = gauge(
            "billpass_cycle_run_minted",
            "Links a run minted and queued so far.",
            &labels,
        );
        let skipped = gauge(
            "billpass_cycle_run_skipped",
            "Customers a run skipped so far (already sent, or no usable contact).",
            &labels,
        );
        for figures in &self.runs {
            let id = figures.id.to_string();
            let run = [figures.cycle.as_str(), id.as_str()];
            customers.with_label_values(&run).set(figures.total);
            minted.with_label_values(&run).set(figures.minted);
            skipped.with_label_values(&run).set(figures.skipped);
        }
    }
}
