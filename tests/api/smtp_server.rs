//! A real SMTP server on loopback for the tests: it speaks enough of the protocol for
//! lettre, keeps every message it accepts, and can be told to refuse some, not to offer
//! PIPELINING, to require a login, to speak TLS (from the start or after STARTTLS), or to
//! go away.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// When the server speaks TLS.
#[derive(Clone, Copy, Debug)]
pub enum TlsMode {
    /// From the first byte, as on port 465 (`smtps://`).
    Implicit,
    /// After the client's STARTTLS, as on port 587 (`?tls=required`).
    StartTls,
}

struct State {
    received: Vec<String>,
    /// Replies for the next messages' end of DATA, instead of `250`.
    script: VecDeque<&'static str>,
    /// Replies for the next recipients, instead of `250`.
    recipient_script: VecDeque<&'static str>,
    /// Messages still to come that get no answer at all, ever.
    stalls: usize,
    delay: Duration,
    /// Whether `EHLO` offers PIPELINING.
    pipelining: bool,
    /// Commands that arrived before the answer to the one before them.
    pipelined: usize,
    /// Connections accepted.
    connections: usize,
    /// `user:password` of each `AUTH PLAIN`; once set, mail needs a login.
    logins: Option<Vec<String>>,
    tls: Option<(TlsMode, TlsAcceptor)>,
    /// Connections that went over to TLS.
    tls_sessions: usize,
}

impl Default for State {
    fn default() -> Self {
        Self {
            received: Vec::new(),
            script: VecDeque::new(),
            recipient_script: VecDeque::new(),
            stalls: 0,
            delay: Duration::ZERO,
            pipelining: true,
            pipelined: 0,
            connections: 0,
            logins: None,
            tls: None,
            tls_sessions: 0,
        }
    }
}

pub struct SmtpServer {
    pub port: u16,
    /// The certificate of the authority that signed the server's, in PEM, when it speaks TLS.
    pub ca_pem: Option<String>,
    state: Arc<Mutex<State>>,
    task: Option<JoinHandle<()>>,
}

impl SmtpServer {
    pub async fn start() -> Self {
        Self::start_with(State::default(), None).await
    }

    /// A server that speaks TLS, with a certificate for 127.0.0.1 signed by an authority of
    /// its own ([`Self::ca_pem`]).
    pub async fn start_tls(mode: TlsMode) -> Self {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let certificate = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![certificate.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        let state = State {
            tls: Some((mode, TlsAcceptor::from(Arc::new(config)))),
            ..State::default()
        };
        Self::start_with(state, Some(ca.pem())).await
    }

    async fn start_with(state: State, ca_pem: Option<String>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(state));
        let task = Some(tokio::spawn(serve(listener, state.clone())));
        Self {
            port,
            ca_pem,
            state,
            task,
        }
    }

    /// How many connections went over to TLS.
    pub fn tls_sessions(&self) -> usize {
        self.state.lock().unwrap().tls_sessions
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

    /// The next `count` recipients get `reply` (like `550 5.1.1 No such user`).
    pub fn refuse_next_recipients(&self, count: usize, reply: &'static str) {
        self.state
            .lock()
            .unwrap()
            .recipient_script
            .extend(std::iter::repeat_n(reply, count));
    }

    /// The next `count` messages are read to their end and never answered.
    pub fn stall_next(&self, count: usize) {
        self.state.lock().unwrap().stalls += count;
    }

    /// `EHLO` no longer offers PIPELINING.
    pub fn without_pipelining(&self) {
        self.state.lock().unwrap().pipelining = false;
    }

    /// How many commands arrived before the answer to the one before them.
    pub fn pipelined(&self) -> usize {
        self.state.lock().unwrap().pipelined
    }

    /// From now on the server offers `AUTH PLAIN` and takes mail only after a login.
    pub fn require_login(&self) {
        self.state.lock().unwrap().logins = Some(Vec::new());
    }

    /// `user:password` of each login, in order.
    pub fn logins(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .logins
            .clone()
            .unwrap_or_default()
    }

    /// How many connections the server accepted.
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
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

    /// Listens again on the same port (once the stopped listener has let go of it).
    pub async fn restart(&mut self) {
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(listener) => break listener,
                Err(_) if tries < 100 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                Err(e) => panic!("listening again on {}: {e}", self.port),
            }
        };
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
        state.lock().unwrap().connections += 1;
        connections.spawn(session(socket, state.clone()));
    }
}

async fn session(socket: TcpStream, state: Arc<Mutex<State>>) {
    let tls = state.lock().unwrap().tls.clone();
    match tls {
        None => {
            converse(socket, &state, true, false).await;
        }
        Some((TlsMode::Implicit, acceptor)) => {
            if let Ok(secure) = acceptor.accept(socket).await {
                state.lock().unwrap().tls_sessions += 1;
                converse(secure, &state, true, false).await;
            }
        }
        Some((TlsMode::StartTls, acceptor)) => {
            let Some(plain) = converse(socket, &state, true, true).await else {
                return;
            };
            if let Ok(secure) = acceptor.accept(plain).await {
                state.lock().unwrap().tls_sessions += 1;
                converse(secure, &state, false, false).await;
            }
        }
    }
}

/// Speaks SMTP on `stream` (greeting first when `greet`) until the client leaves, or asks
/// for STARTTLS when `starttls` offers it: then the stream is handed back for the handshake.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    state: &Mutex<State>,
    greet: bool,
    starttls: bool,
) -> Option<S> {
    let mut lines = BufReader::new(stream);
    if greet
        && lines
            .get_mut()
            .write_all(b"220 test-smtp ready\r\n")
            .await
            .is_err()
    {
        return None;
    }
    let mut line = String::new();
    // Whether the current message has a recipient the server took.
    let mut recipient = false;
    let mut logged_in = false;
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        if !lines.buffer().is_empty() {
            state.lock().unwrap().pipelined += 1;
        }
        let command = line.trim_end().to_ascii_uppercase();
        let answer = if command.starts_with("EHLO") {
            let state = state.lock().unwrap();
            let pipelining = if state.pipelining {
                "250-PIPELINING\r\n"
            } else {
                ""
            };
            let auth = if state.logins.is_some() {
                "250-AUTH PLAIN\r\n"
            } else {
                ""
            };
            let tls = if starttls { "250-STARTTLS\r\n" } else { "" };
            format!("250-test-smtp\r\n{pipelining}{auth}{tls}250 8BITMIME")
        } else if command.starts_with("STARTTLS") && starttls {
            let ready = lines
                .get_mut()
                .write_all(b"220 2.0.0 Ready to start TLS\r\n");
            return ready.await.is_ok().then(|| lines.into_inner());
        } else if command.starts_with("AUTH PLAIN ") {
            use base64::Engine;
            let plain = base64::engine::general_purpose::STANDARD
                .decode(&line.trim_end().as_bytes()["AUTH PLAIN ".len()..])
                .unwrap_or_default();
            let parts: Vec<_> = String::from_utf8_lossy(&plain)
                .split('\0')
                .map(str::to_owned)
                .collect();
            if let (Some(logins), [_, user, password]) =
                (state.lock().unwrap().logins.as_mut(), parts.as_slice())
            {
                logins.push(format!("{user}:{password}"));
                logged_in = true;
            }
            "235 2.7.0 Authentication successful".to_owned()
        } else if command.starts_with("MAIL")
            && !logged_in
            && state.lock().unwrap().logins.is_some()
        {
            "530 5.7.0 Authentication required".to_owned()
        } else if command.starts_with("MAIL") {
            recipient = false;
            "250 ok".to_owned()
        } else if command.starts_with("RCPT") {
            match state.lock().unwrap().recipient_script.pop_front() {
                Some(refusal) => refusal.to_owned(),
                None => {
                    recipient = true;
                    "250 ok".to_owned()
                }
            }
        } else if command.starts_with("DATA") && !recipient {
            "554 5.5.1 No valid recipients".to_owned()
        } else if command.starts_with("DATA") {
            if lines
                .get_mut()
                .write_all(b"354 go ahead\r\n")
                .await
                .is_err()
            {
                return None;
            }
            let mut message = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return None;
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                message.push_str(&line);
            }
            let (scripted, delay, stall) = {
                let mut state = state.lock().unwrap();
                let stall = state.stalls > 0;
                state.stalls = state.stalls.saturating_sub(1);
                (state.script.pop_front(), state.delay, stall)
            };
            if stall {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(delay).await;
            match scripted {
                Some(refusal) => refusal.to_owned(),
                None => {
                    state.lock().unwrap().received.push(message);
                    "250 2.0.0 queued".to_owned()
                }
            }
        } else if command.starts_with("QUIT") {
            let _ = lines.get_mut().write_all(b"221 bye\r\n").await;
            return None;
        } else {
            "250 ok".to_owned()
        };
        if lines
            .get_mut()
            .write_all(format!("{answer}\r\n").as_bytes())
            .await
            .is_err()
        {
            return None;
        }
    }
}
