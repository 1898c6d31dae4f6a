//! Background jobs: the one loop that drives every kind of background work (sending the
//! outbox, cycle runs, "get a new link" requests).
//!
//! A job claims what is due from PostgreSQL itself (with `FOR UPDATE SKIP LOCKED`, under a
//! lease, so any number of processes work side by side and a dead one's work is taken
//! again); the runner decides when to ask it: at once again while it finds work, as soon as
//! a `NOTIFY` on the job's channel (or the job itself) says there may be more, and every
//! second regardless, which also picks up retries come due and work whose lease lapsed.
//! When told to stop, it lets the job finish or hand back what it holds.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::{Notify, watch};
use tracing::Instrument;

use super::db::{self, Heard};

/// How often a job is asked for work when nothing wakes it.
const POLL: Duration = Duration::from_secs(1);

/// A kind of background work.
pub trait Job: Send + Sync + 'static {
    /// Its name in logs and spans (`delivery:email`, `cycle runs`).
    fn name(&self) -> &str;

    /// Claims what is due and works it, or sets it going; `Ok(true)` when it found work,
    /// and should be asked again at once.
    fn work(self: Arc<Self>) -> impl Future<Output = anyhow::Result<bool>> + Send;

    /// Once the runner stops asking: finishes, or hands back, what the job still holds.
    fn stop(self: Arc<Self>) -> impl Future<Output = ()> + Send {
        async {}
    }
}

/// Wakes a job's runner: new work may be there.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    /// Asks the runner to call its job now rather than at the next poll.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// Runs `job` until `stop` turns true, then lets it stop. It is woken by `waker` and by
/// every `NOTIFY` on `channel`, which it follows on a connection to `pool`'s database.
pub async fn run<J: Job>(
    job: Arc<J>,
    pool: PgPool,
    channel: Option<&'static str>,
    waker: Waker,
    mut stop: watch::Receiver<bool>,
) {
    let listener = channel.map(|channel| {
        let waker = waker.clone();
        tokio::spawn(async move {
            db::follow(&pool, channel, |heard| {
                // Listening again: what was queued meanwhile is found by asking now.
                if heard != Heard::Lost {
                    waker.wake();
                }
            })
            .await;
        })
    });
    let span = tracing::info_span!("job", job = job.name());
    loop {
        if *stop.borrow() {
            break;
        }
        match job.clone().work().instrument(span.clone()).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => span.in_scope(|| tracing::warn!("{error:#}; trying again")),
        }
        tokio::select! {
            _ = waker.0.notified() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
    if let Some(listener) = listener {
        listener.abort();
    }
    job.stop().instrument(span).await;
}
