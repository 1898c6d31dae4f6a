//! SMTP connections of billpass's own, each a lettre `AsyncSmtpConnection`: kept open
//! between messages, and with the envelope pipelined when the server offers it.
//!
//! lettre's pool sends `NOOP` before each reuse of a connection and sends `MAIL`, `RCPT` and
//! `DATA` one round trip at a time: six round trips a message. Here a message takes two,
//! `MAIL`+`RCPT`+`DATA` together (RFC 2920) and then the content. lettre's pool also bounds
//! idle connections only; the lane's own cap bounds these.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::Error;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls, TlsParameters};
use lettre::transport::smtp::commands::{Data, Ehlo, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use url::Url;

use super::SendError;

/// How long closing a connection waits for the server's answer to `QUIT`.
const QUIT_WAIT: Duration = Duration::from_secs(1);
/// A connection idle longer than this is closed rather than used again: servers drop idle
/// clients after a few minutes, and one found dropped costs a reconnect anyway.
const IDLE_AT_MOST: Duration = Duration::from_secs(30);

/// An SMTP server, as `BILLPASS_SMTP_URL` names it, and the connections open to it.
pub struct SmtpClient {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// How long connecting, and then each message, may take.
    timeout: Duration,
    idle: Mutex<Vec<(Connection, Instant)>>,
}

/// One open connection, and whether its server takes commands pipelined.
struct Connection {
    smtp: AsyncSmtpConnection,
    pipelining: bool,
}

/// Why a send on one connection did not go through.
enum Failure {
    /// The connection failed, not the server refusing, before the content went out:
    /// nothing was delivered, so another connection may try at once.
    Dropped(Error),
    Failed(SendError),
}

impl From<Failure> for SendError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Dropped(e) => classify(e),
            Failure::Failed(e) => e,
        }
    }
}

/// 5xx replies are permanent; 4xx replies, timeouts and connection errors are not.
fn classify(error: Error) -> SendError {
    if error.is_permanent() {
        SendError::permanent(error.to_string())
    } else {
        SendError::transient(error.to_string())
    }
}

impl SmtpClient {
    /// `smtp://user:pass@host:port` (plain, port 25), `…?tls=required` or
    /// `…?tls=opportunistic` (STARTTLS, port 587), `smtps://…` (implicit TLS, port 465); a
    /// path names this host in `EHLO`. The same URLs lettre's `from_url` reads. Connecting,
    /// and then each message, may take `timeout`.
    pub fn from_url(url: &Url, timeout: Duration) -> Result<Self, String> {
        let host = url.host_str().ok_or("no host")?.to_owned();
        let tls_param = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let parameters = || TlsParameters::new(host.clone()).map_err(|e| e.to_string());
        let (default_port, tls) = match (url.scheme(), tls_param.as_deref()) {
            ("smtp", None) => (25, Tls::None),
            ("smtp", Some("required")) => (587, Tls::Required(parameters()?)),
            ("smtp", Some("opportunistic")) => (587, Tls::Opportunistic(parameters()?)),
            ("smtps", _) => (465, Tls::Wrapper(parameters()?)),
            (scheme, tls) => {
                let tls = tls.map(|t| format!("?tls={t}")).unwrap_or_default();
                return Err(format!(
                    "expected smtp://…, smtp://…?tls=required, smtp://…?tls=opportunistic or smtps://…, not {scheme}://…{tls}"
                ));
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|e| format!("credentials: {e}"))
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            tls,
            credentials,
            hello,
            timeout,
            idle: Mutex::default(),
        })
    }

    /// Sends one message, on an open connection when there is one. A connection found
    /// closed before the content went out is replaced once.
    pub async fn send(&self, envelope: &Envelope, message: &str) -> Result<(), SendError> {
        let outcome = match self.take_idle() {
            Some(mut kept) => match kept.send(envelope, message, self.timeout).await {
                Err(Failure::Dropped(_)) => {
                    kept.close().await;
                    None
                }
                outcome => Some((kept, outcome)),
            },
            None => None,
        };
        let (connection, outcome) = match outcome {
            Some(kept) => kept,
            None => {
                let mut fresh = tokio::time::timeout(self.timeout, self.connect())
                    .await
                    .map_err(|_| SendError::transient("timed out connecting to the SMTP server"))?
                    .map_err(classify)?;
                let outcome = fresh.send(envelope, message, self.timeout).await;
                (fresh, outcome)
            }
        };
        match outcome {
            Ok(()) => {
                self.give_back(connection);
                Ok(())
            }
            // A connection that failed may be out of step with its server.
            Err(failure) => {
                connection.close().await;
                Err(failure.into())
            }
        }
    }

    /// Closes every idle connection.
    pub async fn close_idle(&self) {
        let idle = std::mem::take(&mut *self.idle.lock().expect("smtp idle lock"));
        for (connection, _) in idle {
            connection.close().await;
        }
    }

    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().expect("smtp idle lock");
        while let Some((connection, since)) = idle.pop() {
            if since.elapsed() < IDLE_AT_MOST {
                return Some(connection);
            }
            // Dropped without QUIT: the server sees a closed socket, as after a timeout.
            drop(connection);
        }
        None
    }

    fn give_back(&self, connection: Connection) {
        self.idle
            .lock()
            .expect("smtp idle lock")
            .push((connection, Instant::now()));
    }

    /// Connects, upgrades to TLS and logs in as the URL says, and learns whether the server
    /// pipelines (lettre keeps only the `EHLO` keywords it uses, and PIPELINING is not one).
    async fn connect(&self) -> Result<Connection, Error> {
        let implicit = match &self.tls {
            Tls::Wrapper(parameters) => Some(parameters.clone()),
            _ => None,
        };
        let mut smtp = AsyncSmtpConnection::connect_tokio1(
            (self.host.as_str(), self.port),
            Some(self.timeout),
            &self.hello,
            implicit,
            None,
        )
        .await?;
        match &self.tls {
            Tls::Required(parameters) => smtp.starttls(parameters.clone(), &self.hello).await?,
            Tls::Opportunistic(parameters) if smtp.can_starttls() => {
                smtp.starttls(parameters.clone(), &self.hello).await?
            }
            _ => {}
        }
        let ehlo = smtp.command(Ehlo::new(self.hello.clone())).await?;
        let pipelining = ehlo
            .message()
            .any(|line| line.trim().eq_ignore_ascii_case("PIPELINING"));
        if let Some(credentials) = &self.credentials {
            smtp.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        crate::infra::sockets::disable_nagle();
        Ok(Connection { smtp, pipelining })
    }
}

impl Connection {
    async fn send(
        &mut self,
        envelope: &Envelope,
        message: &str,
        timeout: Duration,
    ) -> Result<(), Failure> {
        tokio::time::timeout(timeout, self.transact(envelope, message))
            .await
            .unwrap_or_else(|_| {
                Err(Failure::Failed(SendError::transient(
                    "timed out sending to the SMTP server",
                )))
            })
    }

    async fn transact(&mut self, envelope: &Envelope, message: &str) -> Result<(), Failure> {
        let mail = Mail::new(
            envelope.from().cloned(),
            self.mail_parameters(envelope, message)?,
        );
        let recipients: Vec<Rcpt> = envelope
            .to()
            .iter()
            .map(|to| Rcpt::new(to.clone(), vec![]))
            .collect();
        if self.pipelining {
            let group = std::iter::once(mail.to_string())
                .chain(recipients.iter().map(Rcpt::to_string))
                .chain([Data.to_string()])
                .collect::<String>();
            // Every answer is read, so that the connection stays in step, and the first
            // refusal is the one reported.
            let mut outcome = self.smtp.command(group).await.map(drop);
            for _ in 0..=recipients.len() {
                let answer = self.smtp.read_response().await.map(drop);
                outcome = outcome.and(answer);
            }
            outcome.map_err(envelope_failure)?;
        } else {
            self.smtp.command(mail).await.map_err(envelope_failure)?;
            for rcpt in recipients {
                self.smtp.command(rcpt).await.map_err(envelope_failure)?;
            }
            self.smtp.command(Data).await.map_err(envelope_failure)?;
        }
        // In one write, where lettre's `message` writes the closing dot on its own.
        self.smtp
            .command(content_with_closing_dot(message))
            .await
            .map(drop)
            .map_err(|e| Failure::Failed(classify(e)))
    }

    /// `SMTPUTF8` and `BODY=8BITMIME` when the message needs them, as lettre's own send does.
    fn mail_parameters(
        &self,
        envelope: &Envelope,
        message: &str,
    ) -> Result<Vec<MailParameter>, Failure> {
        let info = self.smtp.server_info();
        let mut parameters = Vec::new();
        let mut addresses = envelope.from().into_iter().chain(envelope.to());
        if addresses.any(|a| !AsRef::<str>::as_ref(a).is_ascii()) {
            if !info.supports_feature(Extension::SmtpUtfEight) {
                return Err(Failure::Failed(SendError::permanent(
                    "the address is not ASCII and the server does not take SMTPUTF8",
                )));
            }
            parameters.push(MailParameter::SmtpUtfEight);
        }
        if !message.is_ascii() {
            if !info.supports_feature(Extension::EightBitMime) {
                return Err(Failure::Failed(SendError::permanent(
                    "the message is not ASCII and the server does not take 8BITMIME",
                )));
            }
            parameters.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        Ok(parameters)
    }

    /// Says `QUIT` and closes, waiting a moment at most: a server that stopped answering
    /// would never answer it.
    async fn close(mut self) {
        let _ = tokio::time::timeout(QUIT_WAIT, self.smtp.abort()).await;
    }
}

/// The message as `DATA` carries it: each line that starts with a dot gets another
/// (RFC 5321 4.5.2), and a line with a dot alone ends it.
fn content_with_closing_dot(message: &str) -> String {
    let mut content = String::with_capacity(message.len() + 64);
    for line in message.split_inclusive("\r\n") {
        if line.starts_with('.') {
            content.push('.');
        }
        content.push_str(line);
    }
    content.push_str("\r\n.\r\n");
    content
}

/// A failure before the content went out: the server's refusal, or a dropped connection.
fn envelope_failure(error: Error) -> Failure {
    match error.status() {
        Some(_) => Failure::Failed(classify(error)),
        None => Failure::Dropped(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(url: &str) -> Result<SmtpClient, String> {
        SmtpClient::from_url(&Url::parse(url).unwrap(), Duration::from_secs(30))
    }

    #[test]
    fn the_url_chooses_port_and_tls_as_lettre_reads_it() {
        let plain = client("smtp://mail.example.com").unwrap();
        assert_eq!((plain.host.as_str(), plain.port), ("mail.example.com", 25));
        assert!(matches!(plain.tls, Tls::None) && plain.credentials.is_none());

        let starttls = client("smtp://mail.example.com?tls=required").unwrap();
        assert!(matches!(starttls.tls, Tls::Required(_)) && starttls.port == 587);
        let opportunistic = client("smtp://mail.example.com:2525?tls=opportunistic").unwrap();
        assert!(matches!(opportunistic.tls, Tls::Opportunistic(_)) && opportunistic.port == 2525);
        let implicit = client("smtps://mail.example.com").unwrap();
        assert!(matches!(implicit.tls, Tls::Wrapper(_)) && implicit.port == 465);
    }

    #[test]
    fn credentials_are_percent_decoded_and_a_path_names_this_host() {
        let with =
            client("smtp://bills%40example.com:p%2Fss@mail.example.com/billpass.example.com")
                .unwrap();
        assert_eq!(
            with.credentials,
            Some(Credentials::new("bills@example.com".into(), "p/ss".into()))
        );
        assert_eq!(with.hello, ClientId::Domain("billpass.example.com".into()));
    }

    #[test]
    fn lines_starting_with_a_dot_get_another_and_a_lone_dot_ends_the_content() {
        assert_eq!(
            content_with_closing_dot(".top\r\nmid.dle\r\n.\r\n..two\r\nend"),
            "..top\r\nmid.dle\r\n..\r\n...two\r\nend\r\n.\r\n"
        );
    }

    #[test]
    fn an_unknown_scheme_or_tls_mode_is_refused_with_what_is_expected() {
        for url in [
            "smtp://mail.example.com?tls=sometimes",
            "http://mail.example.com",
        ] {
            let error = client(url).err().unwrap();
            assert!(error.contains("expected smtp://"), "{url}: {error}");
        }
    }
}
