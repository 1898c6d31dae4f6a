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
//! - **Failure**: a run whose attempts end in an error [`runner::MAX_FAILED_ATTEMPTS`] times in a row,
//!   none of them writing a batch, is marked `failed` with its last error.

pub mod report;
pub mod runner;

/// The channel that tells runners a run was started or scheduled.
pub const RUNS_CHANNEL: &str = "billpass_runs";

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgExecutor, PgPool};

use crate::domain::{Actor, CycleId, RunId, RunStatus};
use crate::infra::db;
use crate::staff::audit::{Action, Record};

/// A run and its counts, as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RunProgress {
    #[schema(value_type = i64)]
    pub run_id: RunId,
    #[schema(value_type = String)]
    pub cycle: CycleId,
    pub status: RunStatus,
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
    /// The last error that stopped a worker, while the run is resumed or after it failed.
    pub error: Option<String>,
    /// Who started or scheduled it.
    pub started_by: String,
    /// Who cancelled it, for a cancelled run.
    pub cancelled_by: Option<String>,
}

impl RunProgress {
    /// Customers dealt with so far.
    pub fn done(&self) -> i64 {
        self.minted + self.skipped
    }

    pub fn is_finished(&self) -> bool {
        matches!(
            self.status,
            RunStatus::Completed | RunStatus::Failed | RunStatus::Cancelled
        )
    }
}

/// Starts a run of `cycle` now, or returns the one already scheduled (bringing it forward)
/// or running; recorded in the audit log as `by`'s.
pub async fn start(pool: &PgPool, cycle: &CycleId, by: &Actor) -> sqlx::Result<RunId> {
    let mut tx = db::begin(pool).await?;
    let run = sqlx::query!(
        r#"INSERT INTO cycle_runs (cycle, started_by) VALUES ($1, $2)
           ON CONFLICT (cycle) WHERE status IN ('scheduled', 'running')
           DO UPDATE SET scheduled_at = least(cycle_runs.scheduled_at, now())
           RETURNING id AS "id: RunId", xmax = 0 AS "created!""#,
        cycle.as_str(),
        by.name,
    )
    .fetch_one(&mut *tx)
    .await?;
    let run_id = run.id;
    Record {
        details: json!({ "run_id": run_id, "joined_existing_run": !run.created }),
        ..Record::new(Action::CycleStart, cycle.as_str())
    }
    .write(&mut tx, by)
    .await?;
    db::notify(&mut tx, RUNS_CHANNEL).await?;
    tx.commit().await?;
    Ok(run_id)
}

/// Whether any customer has a bill in `cycle`: a run of a cycle without one sends nothing.
pub async fn has_bills(pool: &PgPool, cycle: &CycleId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM bills WHERE cycle = $1) AS "exists!""#,
        cycle.as_str()
    )
    .fetch_one(pool)
    .await
}

/// Why a run could not be scheduled.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("cycle {cycle} already has a run {status} (run {run_id}, due {at})")]
    AlreadyActive {
        cycle: CycleId,
        run_id: RunId,
        status: RunStatus,
        at: DateTime<Utc>,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Schedules a run of `cycle` at `at`, recorded in the audit log as `by`'s; `billpass serve`
/// starts it when it is due.
pub async fn schedule(
    pool: &PgPool,
    cycle: &CycleId,
    at: DateTime<Utc>,
    by: &Actor,
) -> Result<RunId, ScheduleError> {
    let mut tx = crate::infra::db::begin(pool).await?;
    let id = sqlx::query_scalar!(
        r#"INSERT INTO cycle_runs (cycle, started_by, scheduled_at) VALUES ($1, $2, $3)
           ON CONFLICT (cycle) WHERE status IN ('scheduled', 'running') DO NOTHING
           RETURNING id AS "id: RunId""#,
        cycle.as_str(),
        by.name,
        at,
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        Record {
            details: json!({ "run_id": id, "at": at }),
            ..Record::new(Action::CycleSchedule, cycle.as_str())
        }
        .write(&mut tx, by)
        .await?;
        db::notify(&mut tx, RUNS_CHANNEL).await?;
        tx.commit().await?;
        return Ok(id);
    }
    let active = sqlx::query!(
        r#"SELECT id AS "id: RunId", status AS "status: RunStatus", scheduled_at FROM cycle_runs
           WHERE cycle = $1 AND status IN ('scheduled', 'running')"#,
        cycle.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    Err(ScheduleError::AlreadyActive {
        cycle: cycle.clone(),
        run_id: active.id,
        status: active.status,
        at: active.scheduled_at,
    })
}

/// A run's progress, if it exists.
pub async fn progress(db: impl PgExecutor<'_>, run_id: RunId) -> sqlx::Result<Option<RunProgress>> {
    let mut runs = select(db, Some(run_id), &RunFilter::default(), 1).await?;
    Ok(runs.pop())
}

/// Which runs to list: of one cycle, in one status, or all; newest first.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    pub cycle: Option<CycleId>,
    pub status: Option<RunStatus>,
}

/// The newest `limit` runs that pass `filter`, newest first.
pub async fn list(pool: &PgPool, filter: &RunFilter, limit: i64) -> sqlx::Result<Vec<RunProgress>> {
    select(pool, None, filter, limit).await
}

/// The run `run_id`, or every run that passes `filter`; newest first, at most `limit`.
async fn select(
    db: impl PgExecutor<'_>,
    run_id: Option<RunId>,
    filter: &RunFilter,
    limit: i64,
) -> sqlx::Result<Vec<RunProgress>> {
    sqlx::query_as!(
        RunProgress,
        r#"SELECT id AS "run_id: RunId", cycle AS "cycle: CycleId", status AS "status: RunStatus",
                  total, minted, queued, skipped AS "skipped!", skipped_already_sent,
                  skipped_no_contact, scheduled_at, started_at, finished_at, error,
                  started_by, cancelled_by
           FROM cycle_runs
           WHERE ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR cycle = $2)
             AND ($3::text IS NULL OR status = $3)
           ORDER BY created_at DESC, id DESC
           LIMIT $4"#,
        run_id.map(|id| id.0),
        filter.cycle.as_ref().map(CycleId::as_str),
        filter.status.map(RunStatus::as_str),
        limit,
    )
    .fetch_all(db)
    .await
}

/// Why a run could not be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("no run {0}")]
    Unknown(RunId),
    #[error("run {run_id} is {status}: only a scheduled run can be cancelled")]
    NotScheduled { run_id: RunId, status: RunStatus },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Calls off a run that has not started yet, recorded in the audit log as `by`'s.
pub async fn cancel(pool: &PgPool, run_id: RunId, by: &Actor) -> Result<RunProgress, CancelError> {
    let mut tx = db::begin(pool).await?;
    let cancelled = sqlx::query!(
        r#"UPDATE cycle_runs SET status = 'cancelled', cancelled_by = $2, finished_at = now()
           WHERE id = $1 AND status = 'scheduled'
           RETURNING cycle AS "cycle: CycleId""#,
        run_id as RunId,
        by.name,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(cancelled) = cancelled else {
        return Err(match progress(&mut *tx, run_id).await? {
            Some(run) => CancelError::NotScheduled {
                run_id,
                status: run.status,
            },
            None => CancelError::Unknown(run_id),
        });
    };
    Record {
        details: json!({ "run_id": run_id }),
        ..Record::new(Action::CycleCancel, cancelled.cycle.as_str())
    }
    .write(&mut tx, by)
    .await?;
    let run = progress(&mut *tx, run_id)
        .await?
        .ok_or(CancelError::Unknown(run_id))?;
    tx.commit().await?;
    Ok(run)
}
