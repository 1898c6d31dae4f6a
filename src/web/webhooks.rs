//! The SMS gateway's callbacks: delivery receipts and STOP/START replies, accepted only
//! with a valid `X-Twilio-Signature`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{AppState, PageError, resource};
use crate::delivery::{self, Receipt};
use crate::domain::PhoneNumber;
use secrecy::ExposeSecret;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/webhooks/sms/status", "POST").route(web::post().to(status)))
        .service(resource("/webhooks/sms/inbound", "POST").route(web::post().to(inbound)));
}

/// Form fields, kept as sent: the signature covers every one of them.
type Fields = web::Form<Vec<(String, String)>>;

/// Twilio signs the URL it called (our public URL) and the form fields.
fn signed_by_gateway(state: &AppState, request: &HttpRequest, fields: &[(String, String)]) -> bool {
    let Some(token) = &state.config.webhook_token else {
        return false;
    };
    let Some(signature) = request
        .headers()
        .get("X-Twilio-Signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}{path}", state.config.base());
    delivery::twilio_signature_is_valid(token.expose_secret(), &url, fields, signature)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn refused() -> HttpResponse {
    HttpResponse::Forbidden()
        .content_type("text/plain; charset=utf-8")
        .body("Invalid or missing X-Twilio-Signature.\n")
}

/// A delivery receipt: `delivered`, or `undelivered`/`failed` (which fails the delivery
/// and falls back to email); other statuses and unknown fields are accepted and ignored.
async fn status(
    state: web::Data<AppState>,
    request: HttpRequest,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    if !signed_by_gateway(&state, &request, &fields) {
        return Ok(refused());
    }
    let (Some(sid), Some(status)) = (
        field(&fields, "MessageSid"),
        field(&fields, "MessageStatus"),
    ) else {
        return Ok(HttpResponse::BadRequest().body("MessageSid and MessageStatus are required.\n"));
    };
    let receipt = Receipt {
        message_sid: sid.to_owned(),
        status: status.to_owned(),
        error_code: field(&fields, "ErrorCode").map(str::to_owned),
    };
    if !delivery::record_receipt(&state.pool, &state.minter, &receipt).await? {
        tracing::info!(status, "receipt for a message we do not know");
    }
    Ok(HttpResponse::NoContent().finish())
}

/// A reply to one of our texts: STOP and its synonyms opt the number out, START and its
/// synonyms back in.
async fn inbound(
    state: web::Data<AppState>,
    request: HttpRequest,
    fields: Fields,
) -> Result<HttpResponse, PageError> {
    if !signed_by_gateway(&state, &request, &fields) {
        return Ok(refused());
    }
    let from = field(&fields, "From").and_then(|f| PhoneNumber::parse(f).ok());
    let word = field(&fields, "Body")
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    if let Some(phone) = from {
        let masked = phone.masked();
        match word.as_str() {
            "STOP" | "STOPALL" | "UNSUBSCRIBE" | "CANCEL" | "END" | "QUIT" | "OPTOUT" => {
                let customers = delivery::opt_out(&state.pool, phone.as_str()).await?;
                tracing::info!(phone = %masked, customers, "opted out of text messages");
            }
            "START" | "YES" | "UNSTOP" | "OPTIN" => {
                let customers = delivery::opt_in(&state.pool, phone.as_str()).await?;
                tracing::info!(phone = %masked, customers, "opted back in to text messages");
            }
            _ => {}
        }
    }
    Ok(HttpResponse::build(StatusCode::OK)
        .content_type("text/xml; charset=utf-8")
        .body("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>"))
}
