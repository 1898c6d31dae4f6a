//! The runner: works a cycle run in batches under a lease, reading and signing one batch
//! ahead of writing the last, resuming from the run's cursor.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::PgPool;
use tokio::sync::watch;

use super::{RunProgress, progress};
use crate::billing::customers::Customer;
use crate::domain::MintReason;
use crate::domain::{BillId, CustomerId, LinkId, RunId};
use crate::infra::jobs::Job;
use crate::links::mint::is_link_conflict;
use crate::links::{Minter, NewLink, SignedLinks};

/// Customers per batch (one transaction each).
const BATCH: i64 = 5000;

/// The outcome of working on a run.
#[derive(Debug)]
pub enum Worked {
    /// The run ended (here or elsewhere).
    Finished(RunProgress),
    /// Another worker holds the run's lease, or this one handed it back to stop.
    Busy,
}

/// The next customers of a run, read and signed ahead of being written.
struct Prepared {
    /// The run's cursor this batch continues from.
    after: CustomerId,
    /// The last customer id it covers: the run's cursor once it is written.
    last: CustomerId,
    /// Customers in range without a cycle link yet.
    due: i64,
    signed: SignedLinks,
}

/// Works cycle runs under a lease.
pub struct Runner {
    pool: PgPool,
    minter: Minter,
    owner: String,
    lease: Duration,
    /// Once this turns true, the run being worked is handed back at its next batch.
    stop: Option<watch::Receiver<bool>>,
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
            stop: None,
        }
    }

    /// Stops working when `stop` turns true: the run in hand is handed back before its
    /// next batch is written, for another process to resume at once.
    pub fn until(self, stop: watch::Receiver<bool>) -> Self {
        Self {
            stop: Some(stop),
            ..self
        }
    }

    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|stop| *stop.borrow())
    }

    /// Works `run_id` until it ends, reporting progress after each batch; returns
    /// [`Worked::Busy`] at once if another worker holds the run.
    ///
    /// Reading and signing (CPU) run one batch ahead of writing (database), so the two
    /// overlap. Each batch is written in one transaction that also advances the run's
    /// cursor; a batch that meets links minted for its customers meanwhile supersedes them
    /// and writes again, and one that keeps meeting them is read again from the cursor.
    pub async fn work(
        &self,
        run_id: RunId,
        mut report: impl FnMut(&RunProgress),
    ) -> anyhow::Result<Worked> {
        if !self.claim(run_id).await? {
            return Ok(match progress(&self.pool, run_id).await? {
                Some(p) if p.is_finished() => Worked::Finished(p),
                _ => Worked::Busy,
            });
        }
        let mut conflicts = 0;
        loop {
            match self.work_claimed(run_id, &mut report).await {
                Err(error) if is_link_conflict(&error) && conflicts < MAX_CONFLICTS => {
                    conflicts += 1;
                    tracing::info!(
                        run = %run_id,
                        "a batch met a link minted meanwhile; reading it again"
                    );
                }
                Err(error) => {
                    self.release(run_id, &error).await;
                    return Err(error);
                }
                Ok(worked) => return Ok(worked),
            }
        }
    }

    async fn work_claimed(
        &self,
        run_id: RunId,
        report: &mut impl FnMut(&RunProgress),
    ) -> anyhow::Result<Worked> {
        let Some((cycle, cursor)) = self.position(run_id).await? else {
            return Ok(Worked::Busy);
        };
        let (sender, mut batches) = tokio::sync::mpsc::channel(1);
        // When the writer stops early the reader is left to stop by itself, at its next
        // batch, once nobody receives.
        tokio::spawn(read_ahead(
            self.pool.clone(),
            self.minter.clone(),
            cycle.clone(),
            cursor,
            sender,
        ));
        // The reader ends with `Ok(None)`; a channel closed without it means the reader died.
        loop {
            let prepared = batches.recv().await.context("the batch reader stopped")??;
            let Some(prepared) = prepared else { break };
            if self.stopping() {
                self.hand_back(run_id).await;
                return Ok(Worked::Busy);
            }
            match self.write(run_id, &cycle, prepared).await? {
                Some(p) => report(&p),
                None => return Ok(Worked::Busy),
            }
        }
        let completed = sqlx::query!(
            "UPDATE cycle_runs SET status = 'completed', finished_at = now(), lease_owner = NULL,
                 lease_until = NULL
             WHERE id = $1 AND lease_owner = $2",
            run_id as RunId,
            self.owner,
        )
        .execute(&self.pool)
        .await?
        .rows_affected();
        let done = match completed {
            1 => progress(&self.pool, run_id).await?,
            _ => None,
        };
        Ok(match done {
            Some(done) => {
                report(&done);
                Worked::Finished(done)
            }
            None => Worked::Busy,
        })
    }

    /// Takes a due scheduled run, or one whose worker died, and works it to the end.
    pub async fn work_due(&self) -> anyhow::Result<Option<RunProgress>> {
        let due = sqlx::query_scalar!(
            r#"SELECT id AS "id: RunId" FROM cycle_runs
               WHERE status IN ('scheduled', 'running') AND scheduled_at <= now()
                 AND (lease_until IS NULL OR lease_until < now())
               ORDER BY scheduled_at LIMIT 1"#
        )
        .fetch_optional(&self.pool)
        .await?;
        let Some(run_id) = due else { return Ok(None) };
        match self.work(run_id, |_| {}).await? {
            Worked::Finished(p) => {
                tracing::info!(run = %p.run_id, cycle = %p.cycle, minted = p.minted, skipped = p.skipped, "cycle run completed");
                Ok(Some(p))
            }
            Worked::Busy => Ok(None),
        }
    }

    /// Takes the lease if it is free, lapsed or already ours; the first claim also counts
    /// the run's customers.
    async fn claim(&self, run_id: RunId) -> sqlx::Result<bool> {
        let claimed = sqlx::query!(
            "UPDATE cycle_runs r SET
                 status = 'running', lease_owner = $2,
                 lease_until = now() + make_interval(secs => $3), error = NULL,
                 started_at = coalesce(r.started_at, now()),
                 total = CASE WHEN r.started_at IS NULL
                              THEN (SELECT count(*) FROM bills b WHERE b.cycle = r.cycle) ELSE r.total END,
                 skipped_already_sent = CASE WHEN r.started_at IS NULL
                              THEN (SELECT count(*) FROM link_tokens l WHERE l.cycle = r.cycle)
                              ELSE r.skipped_already_sent END
             WHERE r.id = $1 AND r.status IN ('scheduled', 'running')
               AND (r.lease_until IS NULL OR r.lease_until < now() OR r.lease_owner = $2)",
            run_id as RunId,
            self.owner,
            self.lease.as_secs_f64(),
        )
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    /// The cycle and cursor of a run we hold.
    async fn position(&self, run_id: RunId) -> sqlx::Result<Option<(String, CustomerId)>> {
        let held = sqlx::query!(
            r#"SELECT cycle, cursor_customer_id AS "cursor: CustomerId" FROM cycle_runs
               WHERE id = $1 AND status = 'running' AND lease_owner = $2"#,
            run_id as RunId,
            self.owner,
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(held.map(|held| (held.cycle, held.cursor)))
    }

    /// Gives the lease back after a failure, so another worker can resume at once; the
    /// [`MAX_FAILED_ATTEMPTS`]th failure in a row without a batch written fails the run.
    async fn release(&self, run_id: RunId, error: &anyhow::Error) {
        let result = sqlx::query!(
            "UPDATE cycle_runs SET lease_owner = NULL, lease_until = NULL, error = $3,
                 failed_attempts = failed_attempts + 1,
                 status = CASE WHEN failed_attempts + 1 >= $4 THEN 'failed' ELSE status END,
                 finished_at = CASE WHEN failed_attempts + 1 >= $4 THEN now() ELSE finished_at END
             WHERE id = $1 AND lease_owner = $2",
            run_id as RunId,
            self.owner,
            format!("{error:#}"),
            MAX_FAILED_ATTEMPTS,
        )
        .execute(&self.pool)
        .await;
        if let Err(e) = result {
            tracing::warn!(
                run = %run_id,
                "could not release the run's lease (it will lapse): {e}"
            );
        }
    }

    /// Gives the lease back on shutdown; the run stays `running`, its cursor where the
    /// last written batch left it.
    async fn hand_back(&self, run_id: RunId) {
        let result = sqlx::query!(
            "UPDATE cycle_runs SET lease_owner = NULL, lease_until = NULL
             WHERE id = $1 AND lease_owner = $2",
            run_id as RunId,
            self.owner,
        )
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => tracing::info!(
                run = %run_id,
                "handed the cycle run back; another process resumes it"
            ),
            Err(e) => tracing::warn!(
                run = %run_id,
                "could not hand the cycle run back (its lease will lapse): {e}"
            ),
        }
    }

    /// Writes one prepared batch in one transaction, with the run's cursor, counts and
    /// lease; `None` if the lease was lost meanwhile.
    async fn write(
        &self,
        run_id: RunId,
        cycle: &str,
        batch: Prepared,
    ) -> anyhow::Result<Option<RunProgress>> {
        let mut tx = crate::infra::db::begin(&self.pool).await?;
        let held = sqlx::query_scalar!(
            r#"SELECT cursor_customer_id AS "cursor: CustomerId" FROM cycle_runs
               WHERE id = $1 AND status = 'running' AND lease_owner = $2 FOR UPDATE"#,
            run_id as RunId,
            self.owner,
        )
        .fetch_optional(&mut *tx)
        .await?;
        match held {
            None => return Ok(None),
            Some(cursor) => {
                anyhow::ensure!(cursor == batch.after, "run {run_id} moved on without us")
            }
        }
        let started_by = format!("cycle run {run_id}");
        self.minter
            .write_superseding(
                &mut tx,
                &batch.signed,
                MintReason::Cycle(cycle),
                &started_by,
            )
            .await?;
        let minted = batch.signed.links.len() as i64;
        sqlx::query!(
            "UPDATE cycle_runs SET cursor_customer_id = $2, minted = minted + $3, queued = queued + $3,
                 skipped_no_contact = skipped_no_contact + $4,
                 lease_until = now() + make_interval(secs => $5), failed_attempts = 0
             WHERE id = $1",
            run_id as RunId,
            batch.last as CustomerId,
            minted,
            batch.due - minted,
            self.lease.as_secs_f64(),
        )
        .execute(&mut *tx)
        .await?;
        let written = progress(&mut *tx, run_id).await?;
        tx.commit().await?;
        Ok(written)
    }
}

/// Reads the run's next customers after `cursor` and signs their links, one batch ahead
/// of the writer; sends `Ok(None)` when none are left.
async fn read_ahead(
    pool: PgPool,
    minter: Minter,
    cycle: String,
    mut cursor: CustomerId,
    batches: tokio::sync::mpsc::Sender<anyhow::Result<Option<Prepared>>>,
) {
    loop {
        let next = async {
            let Some((last, due, jtis, links)) = next_batch(&pool, &cycle, cursor).await? else {
                return Ok(None);
            };
            let mut conn = pool.acquire().await?;
            let signed = minter.sign(&mut conn, jtis, links).await?;
            Ok(Some(Prepared {
                after: cursor,
                last,
                due,
                signed,
            }))
        }
        .await;
        let more = matches!(next, Ok(Some(_)));
        if let Ok(Some(prepared)) = &next {
            cursor = prepared.last;
        }
        if batches.send(next).await.is_err() || !more {
            return;
        }
    }
}

/// The next customers with a bill in `cycle` after `cursor`: the last id covered, how many
/// have no cycle link yet, and the links to mint for those with a usable contact.
async fn next_batch(
    pool: &PgPool,
    cycle: &str,
    cursor: CustomerId,
) -> anyhow::Result<Option<(CustomerId, i64, Vec<LinkId>, Vec<NewLink>)>> {
    // Each read goes through an index. The planner's statistics lag behind tables that grow
    // by millions during a run; left to itself it would turn to sequential scans and make
    // the run quadratic.
    let mut tx =
        crate::infra::db::begin_with(pool, "BEGIN; SET LOCAL enable_seqscan = off").await?;
    let bills: Vec<(CustomerId, BillId)> = sqlx::query!(
        r#"SELECT customer_id AS "customer_id: CustomerId", id AS "id: BillId" FROM bills
           WHERE cycle = $1 AND customer_id > $2
           ORDER BY customer_id LIMIT $3"#,
        cycle,
        cursor as CustomerId,
        BATCH,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|bill| (bill.customer_id, bill.id))
    .collect();
    let Some(&(last, _)) = bills.last() else {
        return Ok(None);
    };
    let in_range: Vec<CustomerId> = bills.iter().map(|(customer, _)| *customer).collect();
    let sent: HashSet<CustomerId> = sqlx::query_scalar!(
        r#"SELECT customer_id AS "customer_id: CustomerId" FROM link_tokens
           WHERE customer_id = ANY($1) AND cycle = $2"#,
        &in_range as &[CustomerId],
        cycle,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let due: Vec<CustomerId> = in_range.into_iter().filter(|c| !sent.contains(c)).collect();
    let customers: HashMap<CustomerId, Customer> = Customer::find_all(&mut tx, &due)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let links: Vec<NewLink> = bills
        .iter()
        .filter_map(|&(customer_id, bill_id)| {
            let customer = customers.get(&customer_id)?;
            Some(NewLink {
                customer_id,
                bill_id,
                destination: customer.destination(None).ok()?,
                brand: customer.brand.clone(),
            })
        })
        .collect();
    let jtis = Minter::next_ids(&mut tx, links.len()).await?;
    tx.commit().await?;
    Ok(Some((last, due.len() as i64, jtis, links)))
}

/// Conflicting batches retried before the run gives up (and is resumed later).
const MAX_CONFLICTS: u32 = 5;

/// Attempts in a row that may end in an error, each without writing a batch, before the run
/// is marked `failed`: an error that persists (a broken key, a full disk) needs a person,
/// and retrying it every second would only fill the log. Starting the cycle again starts a
/// new run, which sends only what this one did not.
pub const MAX_FAILED_ATTEMPTS: i32 = 5;

/// Cycle runs as a background job: starts scheduled runs when due, and takes over runs
/// whose worker went silent, woken when a run is started or scheduled.
pub struct DueRuns(pub Runner);

impl Job for DueRuns {
    fn name(&self) -> &str {
        "cycle runs"
    }

    async fn work(self: Arc<Self>) -> anyhow::Result<bool> {
        Ok(self.0.work_due().await?.is_some())
    }
}
