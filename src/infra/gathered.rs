//! Reads that many page views ask at the same moment, asked together. Every view still
//! asks PostgreSQL, after it arrived, what it needs to know (is this link current, is this
//! session good). Views that arrive while the reads before them are out wait for the next
//! query, which asks for all of them at once (`= ANY`): under load one small query answers
//! many views, and when it is quiet each view has its own.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::infra::db::PagePool;

/// At most this many questions in one query.
const MOST_AT_ONCE: usize = 128;

/// A read that can be asked for many questions in one query.
pub trait GatheredRead: 'static {
    type Question;
    type Answer;

    /// The answers, in the order of `questions`.
    fn read_all(
        conn: &mut sqlx::PgConnection,
        questions: &[&Self::Question],
    ) -> impl Future<Output = sqlx::Result<Vec<Self::Answer>>>;
}

/// What a view hears: a failed query fails every view it asked for.
pub type Answered<T> = Result<T, Arc<sqlx::Error>>;

struct Asked<R: GatheredRead> {
    question: R::Question,
    answer: oneshot::Sender<Answered<R::Answer>>,
}

type Queue<R> = Arc<Mutex<mpsc::UnboundedReceiver<Asked<R>>>>;

/// The gathered reads of one kind, on one web worker thread.
pub struct Gathered<R: GatheredRead> {
    waiting: mpsc::UnboundedSender<Asked<R>>,
}

impl<R: GatheredRead> Gathered<R> {
    /// Reads on `page_db`'s connections, with at most `queries` queries out at a time. Its
    /// tasks run on the current thread (a web worker's) and end once it is dropped.
    pub fn on(page_db: Arc<PagePool>, queries: u32) -> Self {
        let (waiting, queue) = mpsc::unbounded_channel();
        let queue: Queue<R> = Arc::new(Mutex::new(queue));
        for _ in 0..queries {
            actix_web::rt::spawn(ask::<R>(page_db.clone(), queue.clone()));
        }
        Self { waiting }
    }

    /// The answer to `question`, asked of PostgreSQL after this call.
    pub async fn ask(&self, question: R::Question) -> Answered<R::Answer> {
        let stopped = || Arc::new(sqlx::Error::PoolClosed);
        let (answer, answered) = oneshot::channel();
        self.waiting
            .send(Asked { question, answer })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Asks the waiting questions, as many at once as are waiting, until no more can come.
async fn ask<R: GatheredRead>(page_db: Arc<PagePool>, queue: Queue<R>) {
    let mut asked = Vec::with_capacity(MOST_AT_ONCE);
    loop {
        if queue.lock().await.recv_many(&mut asked, MOST_AT_ONCE).await == 0 {
            return;
        }
        let questions: Vec<&R::Question> = asked.iter().map(|asked| &asked.question).collect();
        let answers = page_db
            .run(async |conn| R::read_all(conn, &questions).await)
            .await;
        drop(questions);
        match answers {
            Ok(answers) => {
                for (asked, answer) in asked.drain(..).zip(answers) {
                    // The view may have gone meanwhile (its client left).
                    let _ = asked.answer.send(Ok(answer));
                }
            }
            Err(error) => {
                let error = Arc::new(error);
                for asked in asked.drain(..) {
                    let _ = asked.answer.send(Err(error.clone()));
                }
            }
        }
    }
}
