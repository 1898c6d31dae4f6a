//! Fetches of links (`GET /b/{token}`): people, but also mail filters and chat apps that
//! preview every link they see. The first fetch of each link is recorded
//! (`link_tokens.first_fetched_at`), apart from openings, for the cycle report.
//!
//! Landing pages stay free of writes: fetches are handed to a task that records those of
//! the last moment in one statement. They are figures, not records: a fetch still waiting
//! when the process stops, or when the queue is full, goes uncounted.

use std::collections::HashSet;
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::mpsc;

use crate::domain::LinkId;

/// Fetches waiting to be recorded, at most; more are not counted.
const QUEUE: usize = 65_536;
/// Links recorded in one statement, at most.
const BATCH: usize = 4_096;
/// How long fetches gather before they are recorded.
const GATHER: Duration = Duration::from_millis(500);

/// Where fetches are handed in; cloned into each web worker.
#[derive(Clone)]
pub struct FetchLog {
    sender: mpsc::Sender<LinkId>,
}

impl FetchLog {
    /// Starts the task that records fetches into `pool`'s database; it ends when every
    /// `FetchLog` is dropped, after recording what it was handed.
    pub fn start(pool: PgPool) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(record(pool, receiver));
        Self { sender }
    }

    /// Counts a fetch of link `jti`, without waiting.
    pub fn fetched(&self, jti: LinkId) {
        let _ = self.sender.try_send(jti);
    }
}

async fn record(pool: PgPool, mut receiver: mpsc::Receiver<LinkId>) {
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut batch, BATCH).await > 0 {
        tokio::time::sleep(GATHER).await;
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(jti) => batch.push(jti),
                Err(_) => break,
            }
        }
        let ids: Vec<i64> = batch
            .drain(..)
            .map(|id| id.0)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let written = sqlx::query!(
            "UPDATE link_tokens SET first_fetched_at = now()
             WHERE id = ANY($1) AND first_fetched_at IS NULL",
            &ids,
        )
        .execute(&pool)
        .await;
        if let Err(error) = written {
            tracing::warn!(links = ids.len(), "fetches of links not recorded: {error}");
        }
    }
}
