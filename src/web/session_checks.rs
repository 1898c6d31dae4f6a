//! Session checks for bill pages kept in memory, asked together. Every view of a kept
//! page still asks PostgreSQL, after the view arrived, whether its session and link are
//! good. Views that arrive while the checks before them are out wait for the next query,
//! which asks for all of them at once (`= ANY`): under load one small query answers many
//! views, and when it is quiet each view has its own.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::db::ReadPool;
use crate::sessions::{self, SessionCookie, SessionState};

/// At most this many sessions in one query.
const MOST_AT_ONCE: usize = 128;

/// What a check answers: a failed query fails every check it asked for.
pub type Answer = Result<SessionState<i64>, Arc<sqlx::Error>>;

struct Check {
    cookie: SessionCookie,
    answer: oneshot::Sender<Answer>,
}

type Waiting = Arc<Mutex<mpsc::UnboundedReceiver<Check>>>;

/// The checks of one web worker thread.
pub struct SessionChecks {
    waiting: mpsc::UnboundedSender<Check>,
}

impl SessionChecks {
    /// Checks on `reads`'s connections, with at most `queries` queries out at a time. Its
    /// tasks run on the current thread (a web worker's) and end once it is dropped.
    pub fn on(reads: Arc<ReadPool>, queries: u32) -> Self {
        let (waiting, queue) = mpsc::unbounded_channel();
        let queue: Waiting = Arc::new(Mutex::new(queue));
        for _ in 0..queries {
            actix_web::rt::spawn(ask(reads.clone(), queue.clone()));
        }
        Self { waiting }
    }

    /// The state of the session behind `cookie`, asked of PostgreSQL after this call.
    pub async fn check(&self, cookie: SessionCookie) -> Answer {
        let stopped = || Arc::new(sqlx::Error::PoolClosed);
        let (answer, answered) = oneshot::channel();
        self.waiting
            .send(Check { cookie, answer })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Asks for the waiting checks, as many at once as are waiting, until no more can come.
async fn ask(reads: Arc<ReadPool>, queue: Waiting) {
    let mut checks = Vec::with_capacity(MOST_AT_ONCE);
    loop {
        if queue
            .lock()
            .await
            .recv_many(&mut checks, MOST_AT_ONCE)
            .await
            == 0
        {
            return;
        }
        let cookies: Vec<&SessionCookie> = checks.iter().map(|check| &check.cookie).collect();
        let states = reads
            .run(async |conn| sessions::check_all(conn, &cookies).await)
            .await;
        drop(cookies);
        match states {
            Ok(states) => {
                for (check, state) in checks.drain(..).zip(states) {
                    // The view may have gone meanwhile (its client left).
                    let _ = check.answer.send(Ok(state));
                }
            }
            Err(error) => {
                let error = Arc::new(error);
                for check in checks.drain(..) {
                    let _ = check.answer.send(Err(error.clone()));
                }
            }
        }
    }
}
