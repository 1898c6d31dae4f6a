//! Cycle runs: one link per customer with a bill in the cycle, exactly once.
//!
//! Exactly-once is the database's job: a customer's cycle link is claimed in
//! `cycle_links` (primary key `(cycle, customer_id)`) in the same transaction that mints
//! the token and queues its delivery, so a re-run or a concurrent run finds nothing to do.

use sqlx::PgPool;

use crate::customers::Customer;
use crate::domain::CycleId;
use crate::links::{MintReason, Minter};

const BATCH: i64 = 500;

/// A run's counts so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunProgress {
    pub run_id: i64,
    /// Customers with a bill in the cycle.
    pub total: i64,
    pub minted: i64,
    pub queued: i64,
    /// Already sent in an earlier run, or no usable contact.
    pub skipped: i64,
}

impl RunProgress {
    pub fn done(&self) -> i64 {
        self.minted + self.skipped
    }
}

#[derive(sqlx::FromRow)]
struct Candidate {
    bill_id: i64,
    #[sqlx(flatten)]
    customer: Customer,
}

/// Runs `cycle` to the end, reporting progress after each batch.
pub async fn run(
    pool: &PgPool,
    minter: &Minter,
    cycle: &CycleId,
    started_by: &str,
    mut progress: impl FnMut(&RunProgress),
) -> anyhow::Result<RunProgress> {
    let (run_id, total): (i64, i64) = sqlx::query_as(
        "INSERT INTO cycle_runs (cycle, started_by, total)
         SELECT $1, $2, count(*) FROM bills WHERE cycle = $1
         RETURNING id, total",
    )
    .bind(cycle.as_str())
    .bind(started_by)
    .fetch_one(pool)
    .await?;
    let mut state = RunProgress {
        run_id,
        total,
        ..Default::default()
    };
    let (already,): (i64,) = sqlx::query_as("SELECT count(*) FROM cycle_links WHERE cycle = $1")
        .bind(cycle.as_str())
        .fetch_one(pool)
        .await?;
    state.skipped = already;
    progress(&state);
    let mut after = 0i64;
    loop {
        let mut tx = pool.begin().await?;
        let batch: Vec<Candidate> = sqlx::query_as(
            "SELECT b.id AS bill_id, c.id, c.account_id, c.name, c.email, c.phone, c.channel,
                    c.sms_opted_out_at IS NOT NULL AS sms_opted_out
             FROM bills b JOIN customers c ON c.id = b.customer_id
             WHERE b.cycle = $1 AND c.id > $2
               AND NOT EXISTS (SELECT 1 FROM cycle_links l WHERE l.cycle = $1 AND l.customer_id = c.id)
             ORDER BY c.id
             LIMIT $3
             FOR UPDATE OF c",
        )
        .bind(cycle.as_str())
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = batch.last() else { break };
        after = last.customer.id;
        let (mut minted, mut skipped) = (0, 0);
        for Candidate { bill_id, customer } in &batch {
            let Ok(destination) = customer.destination(None) else {
                skipped += 1;
                continue;
            };
            let jti = Minter::next_id(&mut tx).await?;
            let claimed = sqlx::query(
                "INSERT INTO cycle_links (cycle, customer_id, token_id, run_id) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(cycle.as_str())
            .bind(customer.id)
            .bind(jti.0)
            .bind(run_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                skipped += 1;
                continue;
            }
            minter
                .mint(
                    &mut tx,
                    jti,
                    customer,
                    *bill_id,
                    destination,
                    MintReason::Cycle,
                    started_by,
                )
                .await?;
            minted += 1;
        }
        sqlx::query("UPDATE cycle_runs SET minted = minted + $2, queued = queued + $2, skipped = skipped + $3 WHERE id = $1")
            .bind(run_id)
            .bind(minted)
            .bind(skipped)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        state.minted += minted;
        state.queued += minted;
        state.skipped += skipped;
        progress(&state);
    }
    sqlx::query("UPDATE cycle_runs SET status = 'completed', finished_at = now(), skipped = $2 WHERE id = $1")
        .bind(run_id)
        .bind(state.skipped)
        .execute(pool)
        .await?;
    Ok(state)
}
