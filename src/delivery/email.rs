//! Email with lettre: SMTP (connections kept open, TLS and auth from the URL), or `.eml`
//! files in the outbox directory.

use std::path::PathBuf;
use std::sync::Arc;

use askama::Template;
use lettre::Message;
use lettre::message::{Mailbox, MultiPart};
use secrecy::ExposeSecret;
use url::Url;

use super::message::{LinkEmailHtml, LinkEmailText, LinkNote, StaffSignInEmail};
use super::smtp::SmtpClient;
use super::{Delivery, DeliveryConfig, SendError, Sent, write_to_outbox};
use crate::domain::Brand;

/// Where emails go.
#[derive(Clone)]
pub enum EmailSender {
    Smtp {
        client: Arc<SmtpClient>,
        from: Mailbox,
    },
    /// `.eml` files in the outbox directory.
    File { dir: PathBuf, from: Mailbox },
}

impl EmailSender {
    /// SMTP when `config` gives a URL, the outbox directory otherwise.
    pub fn new(config: &DeliveryConfig) -> anyhow::Result<Self> {
        let from = config.email.from.clone();
        match &config.email.smtp_url {
            // The lane's cap on sends in flight bounds the connections open.
            Some(url) => {
                let url = Url::parse(url.expose_secret())
                    .map_err(|e| anyhow::anyhow!("BILLPASS_SMTP_URL: {e}"))?;
                Ok(Self::Smtp {
                    client: Arc::new(
                        SmtpClient::from_url(&url, config.send_timeout)
                            .map_err(|e| anyhow::anyhow!("BILLPASS_SMTP_URL: {e}"))?,
                    ),
                    from,
                })
            }
            None => {
                let outbox = &config.outbox_dir;
                std::fs::create_dir_all(outbox).map_err(|e| {
                    anyhow::anyhow!(
                        "BILLPASS_OUTBOX_DIR: cannot create {}: {e}",
                        outbox.display()
                    )
                })?;
                Ok(Self::File {
                    dir: outbox.clone(),
                    from,
                })
            }
        }
    }

    fn from(&self) -> &Mailbox {
        match self {
            Self::Smtp { from, .. } | Self::File { from, .. } => from,
        }
    }

    /// The link email's subject, and its text and HTML parts.
    pub fn parts(delivery: &Delivery, brand: &Brand) -> Result<[String; 3], SendError> {
        let note = LinkNote::new(delivery, brand).map_err(SendError::permanent)?;
        let render = |r: askama::Result<String>| {
            r.map_err(|e| SendError::permanent(format!("template: {e}")))
        };
        let text = render(LinkEmailText { note: &note }.render())?;
        let html = render(LinkEmailHtml { note: &note }.render())?;
        Ok([note.subject(), text, html])
    }

    /// The multipart (text + HTML) link email, with a Message-ID stable per delivery so a
    /// message sent twice (after a crash) can be recognised as one.
    pub fn compose(&self, delivery: &Delivery, brand: &Brand) -> Result<Message, SendError> {
        let to: Mailbox = delivery
            .destination
            .parse()
            .map_err(|e| SendError::permanent(format!("bad address on file: {e}")))?;
        let [subject, text, html] = Self::parts(delivery, brand)?;
        // The brand's own sender, checked when it was stored; else the deployment's.
        let from = brand
            .email_from
            .as_deref()
            .and_then(|from| from.parse::<Mailbox>().ok())
            .unwrap_or_else(|| self.from().clone());
        let domain = from.email.domain().to_owned();
        Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<delivery-{}@{domain}>", delivery.id)))
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| SendError::permanent(format!("building the message: {e}")))
    }

    pub async fn send(&self, delivery: &Delivery, brand: &Brand) -> Result<Sent, SendError> {
        let message = self.compose(delivery, brand)?;
        self.deliver(&message, &delivery.outbox_name()).await?;
        Ok(Sent { provider_ref: None })
    }

    /// Hands `message` to the SMTP server, or writes it to the outbox as `outbox_name`.
    async fn deliver(&self, message: &Message, outbox_name: &str) -> Result<(), SendError> {
        match self {
            Self::Smtp { client, .. } => {
                let content = String::from_utf8(message.formatted())
                    .map_err(|e| SendError::permanent(format!("building the message: {e}")))?;
                client.send(message.envelope(), &content).await
            }
            Self::File { dir, .. } => write_to_outbox(dir, outbox_name, &message.formatted()).await,
        }
    }

    /// A staff sign-in link, in plain text, to `to`; its Message-ID names the link.
    pub async fn send_staff_sign_in(
        &self,
        to: &str,
        link: &str,
        jti_hint: &str,
        expires: &str,
        brand: &str,
    ) -> Result<(), SendError> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| SendError::permanent(format!("bad address on file: {e}")))?;
        let text = StaffSignInEmail {
            brand,
            link,
            expires,
        }
        .render()
        .map_err(|e| SendError::permanent(format!("template: {e}")))?;
        let domain = self.from().email.domain().to_owned();
        let message = Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(format!("Sign in to the {brand} staff console"))
            .message_id(Some(format!("<staff-sign-in-{jti_hint}@{domain}>")))
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| SendError::permanent(format!("building the message: {e}")))?;
        self.deliver(&message, &format!("staff-sign-in-{jti_hint}.eml"))
            .await
    }

    /// Says goodbye on the SMTP connections kept open.
    pub async fn close_idle(&self) {
        if let Self::Smtp { client, .. } = self {
            client.close_idle().await;
        }
    }
}

impl std::fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { .. } => f.write_str("EmailSender::Smtp"),
            Self::File { .. } => f.write_str("EmailSender::File"),
        }
    }
}
