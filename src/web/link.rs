//! The customer's link: `GET /b/{token}` (interstitial), `POST /b/{token}` (open a
//! session), `POST /b/{token}/renew` (a fresh link to the address on file).

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};

use super::pages::{LandingPage, LinkStatusPage, RenewedPage};
use super::{AppState, PageError, html, resource, same_site};
use crate::domain::calendar::time_text;
use crate::domain::{Channel, LinkId};
use crate::infra::db::PagePool;
use crate::infra::gathered::Gathered;
use crate::links::check::{LinkChecks, LinkState};
use crate::links::renew::{self, Renewal};
use crate::links::sessions;
use crate::observe::metrics::{self, LinkOpening};
use crate::tokens::VerifiedToken;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/b/{token}", "GET, HEAD, POST")
            .route(web::get().to(landing))
            .route(web::post().to(open)),
    )
    .service(resource("/b/{token}/renew", "POST").route(web::post().to(renew)));
}

/// The answer to the link's forms posted by another site's page.
fn cross_site(state: &AppState) -> HttpResponse {
    same_site::refusal(
        state,
        "To see your bill, open the link in the email or text message we sent you, then press View my bill.",
    )
}

/// A link that passed every check.
struct CurrentLink {
    token_id: LinkId,
    expires_at: DateTime<Utc>,
}

/// Verifies the token and asks the database whether it is still current; anything else
/// is answered with its status page (and counted as such).
async fn check(
    state: &AppState,
    checks: &Gathered<LinkChecks>,
    token: &str,
) -> Result<Result<CurrentLink, HttpResponse>, PageError> {
    let verified = match state.minter.issuer.verify(token) {
        Ok(verified) => verified,
        Err(reason) => {
            tracing::info!("refused link: {reason}");
            return Ok(Err(refuse(state, LinkOpening::Invalid, None, None)));
        }
    };
    let renew_action = format!("/b/{token}/renew");
    let link = checks.ask(verified).await?;
    Ok(Err(match link {
        LinkState::Current {
            token_id,
            expires_at,
        } => {
            return Ok(Ok(CurrentLink {
                token_id,
                expires_at,
            }));
        }
        LinkState::Unknown => refuse(state, LinkOpening::Invalid, None, None),
        LinkState::Expired => refuse(state, LinkOpening::Expired, None, Some(&renew_action)),
        LinkState::Revoked => refuse(state, LinkOpening::Revoked, None, None),
        LinkState::Superseded { at, channel } => refuse(
            state,
            LinkOpening::Superseded,
            Some((at, channel)),
            Some(&renew_action),
        ),
    }))
}

/// The status page of a link that opens no bill, counted in the metrics.
fn refuse(
    state: &AppState,
    outcome: LinkOpening,
    newer: Option<(DateTime<Utc>, Channel)>,
    renew_action: Option<&str>,
) -> HttpResponse {
    metrics::link_opening(outcome);
    status_page(state, outcome.as_str(), newer, renew_action)
}

fn status_page(
    state: &AppState,
    status: &str,
    newer: Option<(DateTime<Utc>, Channel)>,
    renew_action: Option<&str>,
) -> HttpResponse {
    let code = if status == "invalid" {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::GONE
    };
    html(
        code,
        &LinkStatusPage {
            brand: &state.config.brand,
            status,
            newer_sent_at: newer.map(|(at, _)| time_text(at)),
            newer_channel: newer.map(|(_, channel)| match channel {
                Channel::Email => "email",
                Channel::Sms => "text message",
            }),
            renew_action,
        },
    )
}

async fn landing(
    state: web::Data<AppState>,
    checks: web::Data<Gathered<LinkChecks>>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    Ok(match check(&state, &checks, &token).await? {
        Ok(_) => html(
            StatusCode::OK,
            &LandingPage {
                brand: &state.config.brand,
                action: &format!("/b/{token}"),
            },
        ),
        Err(refusal) => refusal,
    })
}

async fn open(
    state: web::Data<AppState>,
    page_db: web::Data<PagePool>,
    checks: web::Data<Gathered<LinkChecks>>,
    token: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    if same_site::is_cross_site(&request, &state.public_origin) {
        return Ok(cross_site(&state));
    }
    let link = match check(&state, &checks, &token).await? {
        Ok(link) => link,
        Err(refusal) => return Ok(refusal),
    };
    let session = page_db
        .run(async |conn| sessions::open(conn, link.token_id, link.expires_at).await)
        .await?;
    metrics::link_opening(LinkOpening::Viewed);
    let cookie = Cookie::build(sessions::COOKIE, session.cookie_value)
        .path("/bill")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .max_age(actix_web::cookie::time::Duration::seconds(
            session.lifetime.as_secs() as i64,
        ))
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/bill"))
        .cookie(cookie)
        .finish())
}

async fn renew(
    state: web::Data<AppState>,
    token: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, PageError> {
    if same_site::is_cross_site(&request, &state.public_origin) {
        return Ok(cross_site(&state));
    }
    let verified: VerifiedToken = match state.minter.issuer.verify(&token) {
        Ok(verified) => verified,
        Err(reason) => {
            tracing::info!("refused renewal: {reason}");
            return Ok(status_page(&state, "invalid", None, None));
        }
    };
    let daily_limit = state.config.limits.renew_daily_limit;
    let outcome = renew::renew(&state.pool, &state.minter, &verified, daily_limit).await?;
    let brand = &state.config.brand;
    let page = |status, outcome, destination| {
        html(
            status,
            &RenewedPage {
                brand,
                outcome,
                destination,
            },
        )
    };
    Ok(match outcome {
        Renewal::Sent(destination) => page(StatusCode::OK, "sent", Some(destination.masked())),
        Renewal::TooSoon { retry_after } => {
            let mut response = page(StatusCode::TOO_MANY_REQUESTS, "too_soon", None);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after.as_secs().into());
            response
        }
        Renewal::DailyLimit => page(StatusCode::TOO_MANY_REQUESTS, "daily_limit", None),
        Renewal::NoContact => page(StatusCode::CONFLICT, "no_contact", None),
        Renewal::NotRenewable => page(StatusCode::CONFLICT, "not_renewable", None),
        Renewal::Unknown => status_page(&state, "invalid", None, None),
    })
}
