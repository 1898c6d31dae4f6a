//! A real SMTP server on loopback for the tests: it speaks enough of the protocol for
//! lettre, keeps every message it accepts, and can be told to refuse some or to go away.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Default)]
struct State {
    received: Vec<String>,
    /// Replies for the next messages' end of DATA, instead of `250`.
    script: VecDeque<&'static str>,
    delay: Duration,
}

pub struct SmtpServer {
    pub port: u16,
    state: Arc<Mutex<State>>,
    task: Option<JoinHandle<()>>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let task = Some(tokio::spawn(serve(listener, state.clone())));
        Self { port, state, task }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The next `count` messages get `reply` (like `451 4.3.0 Try again later`).
    pub fn refuse_next(&self, count: usize, reply: &'static str) {
        self.state
            .lock()
            .unwrap()
            .script
            .extend(std::iter::repeat_n(reply, count));
    }

    /// Each message takes this long to accept.
    pub fn slow_down(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn received(&self) -> Vec<String> {
        self.state.lock().unwrap().received.clone()
    }

    /// Stops listening and drops every connection: the server is down.
    pub fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.task = Some(tokio::spawn(serve(listener, self.state.clone())));
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn serve(listener: TcpListener, state: Arc<Mutex<State>>) {
    let mut connections = tokio::task::JoinSet::new();
    while let Ok((socket, _)) = listener.accept().await {
        connections.spawn(session(socket, state.clone()));
    }
}

async fn session(socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 test-smtp ready\r\n").await.is_err() {
        return;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let answer = if command.starts_with("EHLO") {
            "250-test-smtp\r\n250-PIPELINING\r\n250 8BITMIME".to_owned()
        } else if command.starts_with("DATA") {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut message = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                message.push_str(&line);
            }
            let (scripted, delay) = {
                let mut state = state.lock().unwrap();
                (state.script.pop_front(), state.delay)
            };
            tokio::time::sleep(delay).await;
            match scripted {
                Some(refusal) => refusal.to_owned(),
                None => {
                    state.lock().unwrap().received.push(message);
                    "250 2.0.0 queued".to_owned()
                }
            }
        } else if command.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            "250 ok".to_owned()
        };
        if write
            .write_all(format!("{answer}\r\n").as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}
