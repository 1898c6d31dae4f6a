//! The SMS gateway's callbacks: delivery receipts and STOP/START replies, accepted only
//! with a valid `X-Twilio-Signature`.

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;

use super::{AppState, PageError, resource};
use crate::delivery::{self, Receipt};
use crate::domain::PhoneNumber;
use secrecy::ExposeSecret;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/webhooks/sms/status", "POST").route(web::post().to(status)))
        .service(resource("/webhooks/sms/inbound", "POST").route(web::post().to(inbound)));
}

/// The form fields of a request the SMS gateway signed: Twilio signs the URL it called (our
/// public URL and the path) and every form field, in `X-Twilio-Signature`. Without a valid
/// signature (or without a token to check it with) the request is refused with 403 before
/// its handler runs.
pub struct SignedByGateway(Vec<(String, String)>);

impl SignedByGateway {
    /// The value of field `name`, if sent.
    fn field(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl FromRequest for SignedByGateway {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let fields = web::Form::<Vec<(String, String)>>::from_request(&request, payload);
        Box::pin(async move {
            let fields = fields.await?.into_inner();
            let state = request
                .app_data::<web::Data<AppState>>()
                .expect("the app state is registered");
            let signature = request
                .headers()
                .get("X-Twilio-Signature")
                .and_then(|v| v.to_str().ok());
            let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
            let url = format!("{}{path}", state.config.base());
            let valid = match (&state.config.webhook_token, signature) {
                (Some(token), Some(signature)) => delivery::twilio_signature_is_valid(
                    token.expose_secret(),
                    &url,
                    &fields,
                    signature,
                ),
                _ => false,
            };
            if valid {
                Ok(Self(fields))
            } else {
                let refused = HttpResponse::Forbidden()
                    .content_type("text/plain; charset=utf-8")
                    .body("Invalid or missing X-Twilio-Signature.\n");
                Err(InternalError::from_response("unsigned webhook", refused).into())
            }
        })
    }
}

/// A delivery receipt: `delivered`, or `undelivered`/`failed` (which fails the delivery
/// and falls back to email); other statuses and unknown fields are accepted and ignored.
async fn status(
    state: web::Data<AppState>,
    fields: SignedByGateway,
) -> Result<HttpResponse, PageError> {
    let (Some(sid), Some(status)) = (fields.field("MessageSid"), fields.field("MessageStatus"))
    else {
        return Ok(HttpResponse::BadRequest().body("MessageSid and MessageStatus are required.\n"));
    };
    let receipt = Receipt {
        message_sid: sid.to_owned(),
        status: status.to_owned(),
        error_code: fields.field("ErrorCode").map(str::to_owned),
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
    fields: SignedByGateway,
) -> Result<HttpResponse, PageError> {
    let from = fields
        .field("From")
        .and_then(|f| PhoneNumber::parse(f).ok());
    let word = fields
        .field("Body")
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
