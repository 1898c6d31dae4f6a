//! Text messages: the Twilio Messages API, a generic HTTP gateway, or `.sms` files in the
//! outbox directory (first line the number, then the body).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use url::Url;

use super::message::LinkSms;
use super::{Delivery, DeliveryConfig, SendError, Sent, write_to_outbox};
use crate::domain::Brand;

/// The shape of an SMS gateway's API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmsGateway {
    /// `POST {url}/2010-04-01/Accounts/{sid}/Messages.json`, form fields, basic auth.
    Twilio,
    /// `POST {url}` with JSON `{"to","body","reference"}` and a bearer token.
    Http,
}

/// Twilio's error code for a number that replied STOP.
pub(super) const TWILIO_OPTED_OUT: i64 = 21610;

/// Where text messages go.
#[derive(Debug, Clone)]
pub enum SmsSender {
    File {
        dir: PathBuf,
    },
    Twilio {
        client: reqwest::Client,
        messages_url: Url,
        account_sid: String,
        auth_token: String,
        from: String,
        status_callback: String,
    },
    Http {
        client: reqwest::Client,
        url: Url,
        token: String,
    },
}

impl SmsSender {
    /// The gateway `config` names, or the outbox directory.
    pub fn new(config: &DeliveryConfig) -> anyhow::Result<Self> {
        let Some(gateway) = &config.sms.gateway else {
            return Ok(Self::File {
                dir: config.outbox_dir.clone(),
            });
        };
        // A redirect is not followed: a POST would come back as a GET without the message,
        // and whatever answered it would look like the message accepted.
        let client = reqwest::Client::builder()
            .timeout(config.send_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let token = gateway.auth_token.expose_secret().to_owned();
        Ok(match (&gateway.kind, &gateway.twilio) {
            (SmsGateway::Twilio, Some(twilio)) => {
                let messages_url = gateway
                    .url
                    .join(&format!(
                        "2010-04-01/Accounts/{}/Messages.json",
                        twilio.account_sid
                    ))
                    .context("BILLPASS_SMS_URL: not a base URL")?;
                Self::Twilio {
                    client,
                    messages_url,
                    account_sid: twilio.account_sid.clone(),
                    auth_token: token,
                    from: twilio.from.clone(),
                    status_callback: twilio.status_callback.clone(),
                }
            }
            (SmsGateway::Twilio, None) => anyhow::bail!("a Twilio gateway needs its account"),
            (SmsGateway::Http, _) => Self::Http {
                client,
                url: gateway.url.clone(),
                token,
            },
        })
    }

    /// The outbox directory only, whatever the settings say.
    pub fn file(outbox: &Path) -> Self {
        Self::File {
            dir: outbox.to_owned(),
        }
    }

    pub async fn send(&self, delivery: &Delivery, brand: &Brand) -> Result<Sent, SendError> {
        let body = LinkSms::compose(delivery, &brand.name).map_err(SendError::permanent)?;
        let reference = format!("billpass-delivery-{}", delivery.id);
        match self {
            Self::File { dir } => {
                let text = format!("{}\n{body}\n", delivery.destination);
                write_to_outbox(dir, &delivery.outbox_name(), text.as_bytes()).await?;
                Ok(Sent { provider_ref: None })
            }
            Self::Twilio {
                client,
                messages_url,
                account_sid,
                auth_token,
                from,
                status_callback,
            } => {
                let request = client
                    .post(messages_url.clone())
                    .basic_auth(account_sid, Some(auth_token))
                    .header("I-Twilio-Idempotency-Token", &reference)
                    .form(&[
                        ("To", delivery.destination.as_str()),
                        ("From", brand.sms_from.as_deref().unwrap_or(from)),
                        ("Body", &body),
                        ("StatusCallback", status_callback),
                    ]);
                let answer = gateway_answer(request).await?;
                Ok(Sent {
                    provider_ref: answer["sid"].as_str().map(str::to_owned),
                })
            }
            Self::Http { client, url, token } => {
                let request =
                    client
                        .post(url.clone())
                        .bearer_auth(token)
                        .json(&serde_json::json!({
                            "to": delivery.destination,
                            "body": body,
                            "reference": reference,
                        }));
                let answer = gateway_answer(request).await?;
                let id = answer["id"].as_str().map_or(reference, str::to_owned);
                Ok(Sent {
                    provider_ref: Some(id),
                })
            }
        }
    }
}

/// Sends a gateway request and classifies its answer: 2xx is the (JSON) answer; 429 and
/// 5xx, timeouts and connection errors are worth retrying (after `Retry-After` if given),
/// and so is a redirect (to be fixed in the settings); other 4xx are permanent, and
/// Twilio's 21610 means the number opted out.
async fn gateway_answer(request: reqwest::RequestBuilder) -> Result<serde_json::Value, SendError> {
    let response = request
        .send()
        .await
        .map_err(|e| SendError::transient(format!("gateway unreachable: {e}")))?;
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let text = response.text().await.unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let reason = || {
        let message = answer["message"].as_str().unwrap_or(text.trim());
        let message: String = message.chars().take(300).collect();
        match answer["code"].as_i64() {
            Some(code) => format!("gateway answered {status}: {code} {message}"),
            None => format!("gateway answered {status}: {message}"),
        }
    };
    if status.is_success() {
        Ok(answer)
    } else if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        Err(SendError::Transient {
            reason: reason(),
            retry_after,
        })
    } else if status.is_redirection() {
        // The gateway moved: the message waits until the setting points at it again.
        Err(SendError::transient(format!(
            "{}; check BILLPASS_SMS_URL",
            reason()
        )))
    } else {
        let opted_out = answer["code"].as_i64() == Some(TWILIO_OPTED_OUT);
        Err(SendError::Permanent {
            reason: reason(),
            opted_out,
        })
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// Twilio's request signature: base64 HMAC-SHA1, keyed with the auth token, of the full
/// URL followed by every POST parameter name and value, sorted by name.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let key = aws_lc_rs::hmac::Key::new(
        aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        auth_token.as_bytes(),
    );
    STANDARD.encode(aws_lc_rs::hmac::sign(&key, &signed_content(url, params)).as_ref())
}

/// Whether `signature` is Twilio's for this request (compared in constant time).
pub fn twilio_signature_is_valid(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> bool {
    let Ok(tag) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let key = aws_lc_rs::hmac::Key::new(
        aws_lc_rs::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        auth_token.as_bytes(),
    );
    aws_lc_rs::hmac::verify(&key, &signed_content(url, params), &tag).is_ok()
}

fn signed_content(url: &str, params: &[(String, String)]) -> Vec<u8> {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut content = url.as_bytes().to_vec();
    for (name, value) in sorted {
        content.extend_from_slice(name.as_bytes());
        content.extend_from_slice(value.as_bytes());
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from Twilio's documentation on validating requests.
    #[test]
    fn twilio_signatures_match_the_published_example() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            twilio_signature("12345", url, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert!(twilio_signature_is_valid(
            "12345",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!twilio_signature_is_valid(
            "12345",
            url,
            &params,
            "1/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!twilio_signature_is_valid(
            "54321",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!twilio_signature_is_valid(
            "12345",
            url,
            &params[1..],
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!twilio_signature_is_valid(
            "12345",
            url,
            &params,
            "not base64!"
        ));
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
