//! Email delivery with lettre: SMTP, or `.eml` files in the outbox directory.

use std::path::Path;

use askama::Template;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};
use url::Url;

use super::message::{LinkEmailHtml, LinkEmailText};
use super::{Delivery, SendError, expiry_text};

/// Where emails go.
#[derive(Clone)]
pub enum EmailSender {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        host: String,
    },
    File {
        transport: AsyncFileTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl EmailSender {
    /// SMTP when a URL is given, the outbox directory otherwise.
    pub fn new(smtp_url: Option<&Url>, from: Mailbox, outbox: &Path) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
                    .map_err(|e| anyhow::anyhow!("BILLPASS_SMTP_URL: {e}"))?
                    .build();
                let host = from.email.domain().to_owned();
                Ok(Self::Smtp {
                    transport,
                    from,
                    host,
                })
            }
            None => {
                std::fs::create_dir_all(outbox).map_err(|e| {
                    anyhow::anyhow!(
                        "BILLPASS_OUTBOX_DIR: cannot create {}: {e}",
                        outbox.display()
                    )
                })?;
                Ok(Self::File {
                    transport: AsyncFileTransport::new(outbox),
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

    /// Builds the multipart (text + HTML) link email, with a Message-ID stable per delivery.
    pub fn compose(&self, delivery: &Delivery, brand: &str) -> Result<Message, SendError> {
        let to: Mailbox = delivery
            .destination
            .parse()
            .map_err(|e| SendError::Permanent(format!("bad address on file: {e}")))?;
        let expires = expiry_text(delivery.expires_at);
        let fields = (
            brand,
            delivery.name.as_str(),
            delivery.link.as_str(),
            expires.as_str(),
        );
        let text = LinkEmailText {
            brand: fields.0,
            name: fields.1,
            link: fields.2,
            expires: fields.3,
        };
        let html = LinkEmailHtml {
            brand: fields.0,
            name: fields.1,
            link: fields.2,
            expires: fields.3,
        };
        let render = |r: askama::Result<String>| {
            r.map_err(|e| SendError::Permanent(format!("template: {e}")))
        };
        let domain = self.from().email.domain().to_owned();
        Message::builder()
            .from(self.from().clone())
            .to(to)
            .subject(format!("Your {brand} bill is ready"))
            .message_id(Some(format!("<delivery-{}@{domain}>", delivery.id)))
            .multipart(MultiPart::alternative_plain_html(
                render(text.render())?,
                render(html.render())?,
            ))
            .map_err(|e| SendError::Permanent(format!("building the message: {e}")))
    }

    pub async fn send(&self, delivery: &Delivery, brand: &str) -> Result<(), SendError> {
        let message = self.compose(delivery, brand)?;
        match self {
            Self::Smtp { transport, .. } => transport.send(message).await.map(drop).map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    SendError::Transient(e.to_string())
                }
            }),
            Self::File { transport, .. } => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| SendError::Transient(e.to_string())),
        }
    }
}

impl std::fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { host, .. } => write!(f, "EmailSender::Smtp({host})"),
            Self::File { .. } => f.write_str("EmailSender::File"),
        }
    }
}
