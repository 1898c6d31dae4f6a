//! Text-message delivery: `.sms` files in the outbox directory (first line the number,
//! then the body).

use std::path::{Path, PathBuf};

use askama::Template;

use super::message::LinkSms;
use super::{Delivery, SendError};

/// Characters in two concatenated GSM-7 segments.
const TWO_SEGMENTS: usize = 306;

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

    /// The message body; the brand is left out when it would push the message past two
    /// GSM-7 segments.
    pub fn compose(delivery: &Delivery, brand: &str) -> Result<String, SendError> {
        let render = |brand| {
            LinkSms {
                brand,
                link: &delivery.link,
            }
            .render()
            .map(|body| body.trim_end().to_owned())
            .map_err(|e| SendError::Permanent(format!("template: {e}")))
        };
        let body = render(brand)?;
        if body.chars().count() <= TWO_SEGMENTS {
            Ok(body)
        } else {
            render("")
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(link: String) -> Delivery {
        Delivery {
            id: 1,
            channel: "sms".into(),
            destination: "+15550100123".into(),
            link,
            name: "Sam".into(),
            expires_at: chrono::Utc::now(),
            attempts: 1,
        }
    }

    #[test]
    fn a_long_brand_is_dropped_to_keep_two_segments() {
        let link = format!("https://bills.northwind-energy.us/b/{}", "x".repeat(240));
        let short = SmsSender::compose(&delivery(link.clone()), "Acme").unwrap();
        assert_eq!(short, format!("Your Acme bill: {link}"));
        let long = SmsSender::compose(
            &delivery(link.clone()),
            "Northwind Energy and Water Services",
        )
        .unwrap();
        assert_eq!(long, format!("Your bill: {link}"));
        assert!(long.chars().count() <= TWO_SEGMENTS);
    }
}
