//! Cycle runs: exactly one link per customer and cycle, whatever happens to the run.

use std::process::Stdio;
use std::time::Duration;

use billpass::cycle::{self, RunProgress};
use billpass::domain::Actor;
use billpass::domain::{CycleId, RunId};
use sqlx::PgPool;

use crate::helpers::{Billpass, KillOnDrop, spawn_app};

/// `n` customers (every tenth by text message) with a bill in `cycle`, written in bulk.
pub async fn seed(pool: &PgPool, n: i64, cycle: &str) {
    sqlx::query(
        "INSERT INTO customers (account_id, name, email, phone, channel)
         SELECT 'ACC-' || i, 'Customer ' || i,
                CASE WHEN i % 10 = 0 THEN NULL ELSE 'c' || i || '@example.com' END,
                '+1555' || lpad(i::text, 7, '0'),
                CASE WHEN i % 10 = 0 THEN 'sms' ELSE 'email' END
         FROM generate_series(1, $1) AS i",
    )
    .bind(n)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO bills (customer_id, cycle, period_start, period_end, issued_on, due_on, currency,
                            amount_due, previous_balance, payments, lines, usage)
         SELECT id, $1, '2026-10-01', '2026-10-31', '2026-11-02', '2026-11-23', 'USD', 4200, 0, 0,
                '[{\"description\":\"Energy\",\"amount\":4200}]', '[]'
         FROM customers",
    )
    .bind(cycle)
    .execute(pool)
    .await
    .unwrap();
}

/// Every customer with a bill has exactly one cycle link, one cycle token and one delivery.
async fn assert_exactly_once(pool: &PgPool, cycle: &str, customers: i64) {
    let (links, tokens, deliveries, doubled): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(DISTINCT customer_id) FROM link_tokens WHERE cycle = $1),
                (SELECT count(*) FROM link_tokens WHERE reason = 'cycle'),
                (SELECT count(*) FROM deliveries d JOIN link_tokens t ON t.id = d.token_id WHERE t.reason = 'cycle'),
                (SELECT count(*) FROM (SELECT customer_id FROM link_tokens WHERE reason = 'cycle'
                                       GROUP BY customer_id HAVING count(*) > 1) AS twice)",
    )
    .bind(cycle)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (links, tokens, deliveries, doubled),
        (customers, customers, customers, 0)
    );
}

async fn run_of(pool: &PgPool, run_id: RunId) -> RunProgress {
    cycle::progress(pool, run_id)
        .await
        .unwrap()
        .expect("the run")
}

#[tokio::test]
async fn rerunning_a_cycle_sends_nothing_new() {
    let app = spawn_app().await;
    app.load_examples().await;
    let first = app.run_cycle("2026-11").await;
    assert_eq!(
        (
            first.status.as_str(),
            first.total,
            first.minted,
            first.skipped
        ),
        ("completed", 3, 3, 0)
    );
    let again = app.run_cycle("2026-11").await;
    assert_eq!(
        (again.minted, again.skipped_already_sent, again.skipped),
        (0, 3, 3)
    );
    assert_ne!(first.run_id, again.run_id, "each run is its own row");
    assert_exactly_once(&app.pool, "2026-11", 3).await;
}

#[tokio::test]
async fn a_customer_without_a_usable_contact_is_skipped_and_counted() {
    let app = spawn_app().await;
    app.load_examples().await;
    // ACC-2 has only a phone number, and it opted out of text messages.
    sqlx::query("UPDATE customers SET sms_opted_out_at = now() WHERE account_id = 'ACC-2'")
        .execute(&app.pool)
        .await
        .unwrap();
    let run = app.run_cycle("2026-11").await;
    assert_eq!(run.status.as_str(), "completed");
    assert_eq!((run.total, run.minted, run.queued), (3, 2, 2));
    assert_eq!(
        (
            run.skipped,
            run.skipped_no_contact,
            run.skipped_already_sent
        ),
        (1, 1, 0)
    );
    let texts: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE channel = 'sms'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(texts, 0, "an opted-out number is never texted");
}

#[tokio::test]
async fn two_runs_at_once_give_each_customer_exactly_one_link() {
    let app = spawn_app().await;
    seed(&app.pool, 5000, "2026-11").await;
    let (a, b) = tokio::join!(app.run_cycle("2026-11"), app.run_cycle("2026-11"));
    assert_eq!(a.run_id, b.run_id, "a second start joins the active run");
    assert_eq!(a.minted, 5000);
    assert_exactly_once(&app.pool, "2026-11", 5000).await;
    // And a third, later run finds nothing to do.
    assert_eq!(app.run_cycle("2026-11").await.minted, 0);
    assert_exactly_once(&app.pool, "2026-11", 5000).await;
}

#[tokio::test]
async fn a_run_whose_worker_stalls_is_taken_over_without_doubles() {
    let app = spawn_app().await;
    seed(&app.pool, 3000, "2026-11").await;
    let cycle = CycleId::parse("2026-11").unwrap();
    let run_id = cycle::start(&app.pool, &cycle, &Actor::command_line())
        .await
        .unwrap();
    // A worker that claimed the run and went silent: its lease has lapsed.
    sqlx::query("UPDATE cycle_runs SET status = 'running', started_at = now(), lease_owner = 'dead:1', lease_until = now() - interval '1 second' WHERE id = $1")
        .bind(run_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let done = app.run_cycle("2026-11").await;
    assert_eq!(
        (done.run_id, done.status.as_str(), done.minted),
        (run_id, "completed", 3000)
    );
    assert_exactly_once(&app.pool, "2026-11", 3000).await;
}

#[tokio::test]
async fn a_run_killed_mid_way_resumes_to_exactly_one_link_per_customer() {
    const CUSTOMERS: i64 = 12_000;
    let (bp, pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    seed(&pool, CUSTOMERS, "2026-11").await;

    let first = bp
        .command(&["cycle", "run", "2026-11"])
        .env("BILLPASS_RUN_LEASE", "2s")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = KillOnDrop(first);
    // Kill it with SIGKILL once some, but not all, batches are in.
    let mut minted_at_kill = 0;
    for _ in 0..600 {
        let minted: Option<i64> =
            sqlx::query_scalar("SELECT minted FROM cycle_runs ORDER BY id DESC LIMIT 1")
                .fetch_optional(&pool)
                .await
                .unwrap();
        if let Some(minted) = minted.filter(|m| *m > 0) {
            first.0.kill().unwrap();
            first.0.wait().unwrap();
            minted_at_kill = minted;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        minted_at_kill > 0 && minted_at_kill < CUSTOMERS,
        "killed mid-way ({minted_at_kill} minted)"
    );
    let partial: i64 = sqlx::query_scalar("SELECT count(*) FROM link_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(partial < CUSTOMERS);

    let second = bp
        .command(&["cycle", "run", "2026-11"])
        .env("BILLPASS_RUN_LEASE", "2s")
        .output()
        .unwrap();
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let summary = String::from_utf8_lossy(&second.stdout);
    assert!(
        summary.contains(&format!("{CUSTOMERS} links minted")),
        "{summary}"
    );
    assert_exactly_once(&pool, "2026-11", CUSTOMERS).await;
    let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM cycle_runs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(runs, 1, "the killed run was resumed, not replaced");
}

#[tokio::test]
async fn a_scheduled_run_starts_by_itself() {
    let (bp, pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    seed(&pool, 50, "2026-12").await;
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let scheduled = bp.run(&["cycle", "schedule", "2026-12", "--at", &at]);
    assert!(
        scheduled.status.success(),
        "{}",
        String::from_utf8_lossy(&scheduled.stderr)
    );
    let again = bp.run(&["cycle", "schedule", "2026-12", "--at", &at]);
    assert!(!again.status.success(), "one active run per cycle");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has a run scheduled"));

    let run_id: RunId = sqlx::query_scalar("SELECT id FROM cycle_runs")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(run_of(&pool, run_id).await.status.as_str(), "scheduled");
    let server = bp
        .command(&["serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = KillOnDrop(server);
    let mut run = run_of(&pool, run_id).await;
    for _ in 0..300 {
        if run.status.as_str() == "completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        run = run_of(&pool, run_id).await;
    }
    assert_eq!((run.status.as_str(), run.minted), ("completed", 50));
    assert!(
        run.started_at.unwrap() >= run.scheduled_at,
        "not before it was due"
    );
    assert_exactly_once(&pool, "2026-12", 50).await;
}

#[tokio::test]
async fn resends_during_a_run_all_succeed_and_each_customer_keeps_one_current_link() {
    let app = spawn_app().await;
    seed(&app.pool, 15_000, "2026-11").await;
    let resends = async {
        for i in 0..150 {
            // Spread over the whole cycle, so some land before, during and after their batch.
            app.resend(&format!("ACC-{}", 1 + i * 100), None).await;
        }
    };
    let (run, ()) = tokio::join!(app.run_cycle("2026-11"), resends);
    assert_eq!(run.minted, 15_000);
    assert_exactly_once(&app.pool, "2026-11", 15_000).await;
    let (current, customers): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT customer_id) FROM link_tokens WHERE superseded_at IS NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (current, customers),
        (15_000, 15_000),
        "one current link per customer"
    );
}
