//! Cycle runs: one link per customer with a bill in the cycle, exactly once, at scale.
//!
//! - **Exactly once** is the database's job: a cycle link is a link token carrying its
//!   cycle, unique per customer and cycle (a partial unique index), written in the same
//!   transaction as its delivery; and at most one run per cycle is active. Re-runs,
//!   concurrent `cycle run`s and several `serve` instances find nothing left to do for a
//!   customer already served.
//! - **Resumable**: a run is worked in batches in customer-id order (keyset pagination);
//!   each batch is one transaction that also advances the run's cursor and counts. A
//!   killed worker loses at most its open batch, which rolls back.
//! - **Leases**: one worker at a time holds a run's lease and renews it with every batch.
//!   When a worker dies its lease lapses and the next `cycle run` or any `serve` instance
//!   takes the run over from its cursor.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::customers::Customer;
use crate::domain::CycleId;
use crate::links::{MintReason, Minter, NewLink};

/// Customers per batch (one transaction each).
const BATCH: i64 = 2000;

/// A run and its counts, as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct RunProgress {
    #[sqlx(rename = "id")]
    pub run_id: i64,
    pub cycle: String,
    /// `scheduled`, `running`, `completed` or `failed`.
    pub status: String,
    /// Customers with a bill in the cycle when the run started.
    pub total: i64,
    pub minted: i64,
    pub queued: i64,
    /// The sum of the reasons below.
    pub skipped: i64,
    /// Got their cycle link in an earlier run.
    pub skipped_already_sent: i64,
    /// No usable address: no email, and no phone or one that opted out of text messages.
    pub skipped_no_contact: i64,
    pub scheduled_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

impl RunProgress {
    /// Customers dealt with so far.
    pub fn done(&self) -> i64 {
        self.minted + self.skipped
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "completed" | "failed")
    }
}

const PROGRESS: &str = "id, cycle, status, total, minted, queued, skipped, skipped_already_sent,
    skipped_no_contact, scheduled_at, started_at, finished_at, error";

/// Starts a run of `cycle` now, or returns the one already scheduled or running.
pub async fn start(pool: &PgPool, cycle: &CycleId, started_by: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO cycle_runs (cycle, started_by) VALUES ($1, $2)
         ON CONFLICT (cycle) WHERE status IN ('scheduled', 'running')
         DO UPDATE SET scheduled_at = least(cycle_runs.scheduled_at, now())
         RETURNING id",
    )
    .bind(cycle.as_str())
    .bind(started_by)
    .fetch_one(pool)
    .await
}

/// Why a run could not be scheduled.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("cycle {cycle} already has a run {status} (run {run_id}, due {at})")]
    AlreadyActive {
        cycle: String,
        run_id: i64,
        status: String,
        at: DateTime<Utc>,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Schedules a run of `cycle` at `at`; `billpass serve` starts it when it is due.
pub async fn schedule(
    pool: &PgPool,
    cycle: &CycleId,
    at: DateTime<Utc>,
    by: &str,
) -> Result<i64, ScheduleError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO cycle_runs (cycle, started_by, scheduled_at) VALUES ($1, $2, $3)
         ON CONFLICT (cycle) WHERE status IN ('scheduled', 'running') DO NOTHING
         RETURNING id",
    )
    .bind(cycle.as_str())
    .bind(by)
    .bind(at)
    .fetch_optional(pool)
    .await?;
    if let Some(id) = id {
        return Ok(id);
    }
    let (run_id, status, at): (i64, String, DateTime<Utc>) = sqlx::query_as(
        "SELECT id, status, scheduled_at FROM cycle_runs WHERE cycle = $1 AND status IN ('scheduled', 'running')",
    )
    .bind(cycle.as_str())
    .fetch_one(pool)
    .await?;
    Err(ScheduleError::AlreadyActive {
        cycle: cycle.to_string(),
        run_id,
        status,
        at,
    })
}

/// A run's progress, if it exists.
pub async fn progress(pool: &PgPool, run_id: i64) -> sqlx::Result<Option<RunProgress>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PROGRESS} FROM cycle_runs WHERE id = $1"
    )))
    .bind(run_id)
    .fetch_optional(pool)
    .await
}

/// The outcome of working on a run.
#[derive(Debug)]
pub enum Worked {
    /// The run ended (here or elsewhere).
    Finished(RunProgress),
    /// Another worker holds the run's lease.
    Busy,
}

enum Batch {
    Progress(RunProgress),
    Finished(RunProgress),
    LeaseLost,
}

/// Works cycle runs under a lease.
pub struct Runner {
    pool: PgPool,
    minter: Minter,
    owner: String,
    lease: Duration,
}

impl Runner {
    pub fn new(pool: PgPool, minter: Minter, lease: Duration) -> Self {
        let host =
            hostname::get().map_or_else(|_| "host".into(), |h| h.to_string_lossy().into_owned());
        let owner = format!(
            "{host}:{}:{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        Self {
            pool,
            minter,
            owner,
            lease,
        }
    }

    /// Works `run_id` until it ends, reporting progress after each batch; returns
    /// [`Worked::Busy`] at once if another worker holds the run.
    pub async fn work(
        &self,
        run_id: i64,
        mut report: impl FnMut(&RunProgress),
    ) -> anyhow::Result<Worked> {
        if !self.claim(run_id).await? {
            return Ok(match progress(&self.pool, run_id).await? {
                Some(p) if p.is_finished() => Worked::Finished(p),
                _ => Worked::Busy,
            });
        }
        loop {
            match self.batch(run_id).await {
                Ok(Batch::Progress(p)) => report(&p),
                Ok(Batch::Finished(p)) => {
                    report(&p);
                    return Ok(Worked::Finished(p));
                }
                Ok(Batch::LeaseLost) => return Ok(Worked::Busy),
                Err(error) => {
                    self.release(run_id, &error).await;
                    return Err(error);
                }
            }
        }
    }

    /// Takes a due scheduled run, or one whose worker died, and works it to the end.
    pub async fn work_due(&self) -> anyhow::Result<Option<RunProgress>> {
        let due: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM cycle_runs
             WHERE status IN ('scheduled', 'running') AND scheduled_at <= now()
               AND (lease_until IS NULL OR lease_until < now())
             ORDER BY scheduled_at LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(run_id) = due else { return Ok(None) };
        match self.work(run_id, |_| {}).await? {
            Worked::Finished(p) => {
                tracing::info!(run = p.run_id, cycle = %p.cycle, minted = p.minted, skipped = p.skipped, "cycle run completed");
                Ok(Some(p))
            }
            Worked::Busy => Ok(None),
        }
    }

    /// Takes the lease if it is free, lapsed or already ours; the first claim also counts
    /// the run's customers.
    async fn claim(&self, run_id: i64) -> sqlx::Result<bool> {
        let claimed = sqlx::query(
            "UPDATE cycle_runs r SET
                 status = 'running', lease_owner = $2, lease_until = now() + $3::interval, error = NULL,
                 started_at = coalesce(r.started_at, now()),
                 total = CASE WHEN r.started_at IS NULL
                              THEN (SELECT count(*) FROM bills b WHERE b.cycle = r.cycle) ELSE r.total END,
                 skipped_already_sent = CASE WHEN r.started_at IS NULL
                              THEN (SELECT count(*) FROM link_tokens l WHERE l.cycle = r.cycle)
                              ELSE r.skipped_already_sent END
             WHERE r.id = $1 AND r.status IN ('scheduled', 'running')
               AND (r.lease_until IS NULL OR r.lease_until < now() OR r.lease_owner = $2)",
        )
        .bind(run_id)
        .bind(&self.owner)
        .bind(self.lease_interval())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    fn lease_interval(&self) -> String {
        format!("{} milliseconds", self.lease.as_millis())
    }

    /// Gives the lease back after a failure, so another worker can resume at once.
    async fn release(&self, run_id: i64, error: &anyhow::Error) {
        let result = sqlx::query(
            "UPDATE cycle_runs SET lease_owner = NULL, lease_until = NULL, error = $3
             WHERE id = $1 AND lease_owner = $2",
        )
        .bind(run_id)
        .bind(&self.owner)
        .bind(format!("{error:#}"))
        .execute(&self.pool)
        .await;
        if let Err(e) = result {
            tracing::warn!(
                run = run_id,
                "could not release the run's lease (it will lapse): {e}"
            );
        }
    }

    /// One batch in one transaction: lock the run and the next customers, mint, queue,
    /// record the links and advance the cursor.
    async fn batch(&self, run_id: i64) -> anyhow::Result<Batch> {
        let mut tx = self.pool.begin().await?;
        // A batch reads a few thousand rows, each through an index. The planner's statistics
        // lag behind tables that grow by millions during a run; left to itself it would turn
        // to sequential scans and make the run quadratic.
        sqlx::query("SET LOCAL enable_seqscan = off")
            .execute(&mut *tx)
            .await?;
        let run: Option<(String, i64)> = sqlx::query_as(
            "SELECT cycle, cursor_customer_id FROM cycle_runs
             WHERE id = $1 AND status = 'running' AND lease_owner = $2 FOR UPDATE",
        )
        .bind(run_id)
        .bind(&self.owner)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((cycle, cursor)) = run else {
            return Ok(Batch::LeaseLost);
        };
        // The next customers with a bill, those of them already sent their cycle link (in
        // an earlier run), and the rest's contact details: three single-table index reads.
        let bills: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT customer_id, id FROM bills WHERE cycle = $1 AND customer_id > $2
             ORDER BY customer_id LIMIT $3",
        )
        .bind(&cycle)
        .bind(cursor)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(&(last, _)) = bills.last() else {
            let done: RunProgress = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE cycle_runs SET status = 'completed', finished_at = now(), lease_owner = NULL, lease_until = NULL
                 WHERE id = $1 RETURNING {PROGRESS}"
            )))
            .bind(run_id)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(Batch::Finished(done));
        };
        let in_range: Vec<i64> = bills.iter().map(|(customer, _)| *customer).collect();
        let sent: HashSet<i64> = sqlx::query_scalar(
            "SELECT customer_id FROM link_tokens WHERE customer_id = ANY($1) AND cycle = $2",
        )
        .bind(&in_range)
        .bind(&cycle)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let due: Vec<i64> = in_range
            .iter()
            .copied()
            .filter(|c| !sent.contains(c))
            .collect();
        let customers: HashMap<i64, Customer> = Customer::find_all(&mut tx, &due)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let links: Vec<NewLink> = bills
            .iter()
            .filter_map(|&(customer_id, bill_id)| {
                let destination = customers.get(&customer_id)?.destination(None).ok()?;
                Some(NewLink {
                    customer_id,
                    bill_id,
                    destination,
                })
            })
            .collect();
        let candidates = due.len() as i64;
        let jtis = Minter::next_ids(&mut tx, links.len()).await?;
        let started_by = format!("cycle run {run_id}");
        self.minter
            .mint_all(
                &mut tx,
                &jtis,
                &links,
                MintReason::Cycle(&cycle),
                &started_by,
            )
            .await?;
        let minted = links.len() as i64;
        let progress: RunProgress = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE cycle_runs SET cursor_customer_id = $2, minted = minted + $3, queued = queued + $3,
                 skipped_no_contact = skipped_no_contact + $4, lease_until = now() + $5::interval
             WHERE id = $1
             RETURNING {PROGRESS}"
        )))
        .bind(run_id)
        .bind(last)
        .bind(minted)
        .bind(candidates - minted)
        .bind(self.lease_interval())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Batch::Progress(progress))
    }
}
