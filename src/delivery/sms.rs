//! Text-message delivery: `.sms` files in the outbox directory (first line the number,
//! then the body).

use std::path::{Path, PathBuf};

use askama::Template;

use super::message::LinkSms;
use super::{Delivery, SendError};

/// Where text messages go.
#[derive(Debug, Clone)]
pub enum SmsSender {
    File { dir: PathBuf },
}

impl SmsSender {
    pub fn file(outbox: &Path) -> Self {
        Self::File {
            dir: outbox.to_owned(),
        }
    }

    /// The message body.
    pub fn compose(delivery: &Delivery, brand: &str) -> Result<String, SendError> {
        LinkSms {
            brand,
            link: &delivery.link,
        }
        .render()
        .map(|body| body.trim_end().to_owned())
        .map_err(|e| SendError::Permanent(format!("template: {e}")))
    }

    pub async fn send(&self, delivery: &Delivery, brand: &str) -> Result<(), SendError> {
        let body = Self::compose(delivery, brand)?;
        match self {
            Self::File { dir } => {
                let io = |e: std::io::Error| {
                    SendError::Transient(format!("writing to {}: {e}", dir.display()))
                };
                tokio::fs::create_dir_all(dir).await.map_err(io)?;
                // Written under a temporary name and renamed, so readers never see half a file.
                let path = dir.join(format!("delivery-{}.sms", delivery.id));
                let partial = path.with_extension("sms.partial");
                tokio::fs::write(&partial, format!("{}\n{body}\n", delivery.destination))
                    .await
                    .map_err(io)?;
                tokio::fs::rename(&partial, &path).await.map_err(io)
            }
        }
    }
}
