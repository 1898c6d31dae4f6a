//! `GET /api/v1/customers/{account_id}` (what was sent, whether it arrived and was opened),
//! and `POST …/resend` and `…/revoke`.

use actix_web::{HttpResponse, web};

use super::{ApiError, ErrorBody};
use crate::billing::search::{self, Search, SearchResults};
use crate::domain::Reason;
use crate::domain::Role;
use crate::domain::{AccountId, BrandId, Channel};
use crate::domain::{DeliveryId, LinkId};
use crate::links::history::CustomerHistory;
use crate::links::staff::{self as link_staff, Revoked};
use crate::staff::keys::Staff;
use crate::web::{AppState, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/customers", "GET, HEAD").route(read().to(search)))
        .service(resource("/customers/{account_id}", "GET, HEAD").route(read().to(show)))
        .service(resource("/customers/{account_id}/resend", "POST").route(web::post().to(resend)))
        .service(resource("/customers/{account_id}/revoke", "POST").route(web::post().to(revoke)));
}

/// The account id in the path, or 404 for one that cannot exist.
fn account(raw: &str) -> Result<AccountId, ApiError> {
    AccountId::parse(raw).map_err(|_| unknown(raw))
}

/// The reason staff gave, or 422.
fn reason(raw: &str) -> Result<Reason, ApiError> {
    Reason::parse(raw).map_err(|e| ApiError::invalid("reason", e))
}

fn unknown(account: &str) -> ApiError {
    ApiError::NotFound(format!("no customer with account id {account}"))
}

/// What to look for.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(super) struct SearchQuery {
    /// An account id (any case), part of a name (any case, accents or not), an email
    /// address, or a phone number in any common format.
    q: String,
    /// Only the customers of this brand (its id; `default` for the default brand).
    brand: Option<String>,
}

/// Find customers (role: csr): an exact account id first, then by name, at most 50, contact
/// details masked.
#[utoipa::path(
    get,
    path = "/api/v1/customers",
    tag = "csr",
    params(SearchQuery),
    responses(
        (status = 200, description = "What matched", body = SearchResults),
        (status = 400, description = "No `q`", body = ErrorBody),
        (status = 422, description = "An empty, overlong or unreadable `q`, or an unknown `brand`", body = ErrorBody),
    )
)]
pub(super) async fn search(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<web::Json<SearchResults>, ApiError> {
    staff.require(Role::Csr)?;
    let search = Search::parse(&query.q).map_err(|e| ApiError::invalid("q", e.to_string()))?;
    let brand = match query.brand.as_deref() {
        None => None,
        Some(raw) => Some(
            BrandId::parse(raw)
                .ok()
                .filter(|id| state.brands.current().get(id).is_some())
                .ok_or_else(|| {
                    ApiError::invalid("brand", "no such brand; GET /api/v1/brands lists them")
                })?,
        ),
    };
    let search = search.of_brand(brand);
    Ok(web::Json(search::find(&state.pool, &search).await?))
}

/// Look a customer up (role: csr).
#[utoipa::path(
    get,
    path = "/api/v1/customers/{account_id}",
    tag = "csr",
    params(("account_id" = String, Path, description = "The account number, `ACC-1001`")),
    responses(
        (status = 200, description = "The customer", body = CustomerHistory),
        (status = 404, description = "No such customer", body = ErrorBody),
    )
)]
pub(super) async fn show(
    staff: Staff,
    state: web::Data<AppState>,
    account_id: web::Path<String>,
) -> Result<web::Json<CustomerHistory>, ApiError> {
    staff.require(Role::Csr)?;
    let account = account(&account_id)?;
    CustomerHistory::read(&state.pool, &account)
        .await?
        .map(web::Json)
        .ok_or_else(|| unknown(account.as_str()))
}

/// Which channel, and why.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResendRequest {
    /// `email` or `sms`, which must be on file; null or absent: the customer's preferred
    /// channel, or the other one when that is not usable.
    #[serde(default)]
    channel: Option<Channel>,
    /// Why, for the customer's history and the audit log (1-500 characters).
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

/// The fresh link and the message queued to carry it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(super) struct ResendAccepted {
    #[schema(value_type = String)]
    jti: LinkId,
    #[schema(value_type = i64)]
    delivery_id: DeliveryId,
    channel: Channel,
    /// `j•••@example.com` or `•••• 4567`.
    destination: String,
}

/// Send a customer a fresh link (role: csr).
///
/// Mints a link to the customer's latest bill and queues it; the previous link stops
/// working at once (it answers `superseded`). The link's history names the key and the
/// reason.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{account_id}/resend",
    tag = "csr",
    params(("account_id" = String, Path, description = "The account number")),
    request_body = ResendRequest,
    responses(
        (status = 202, description = "Minted and queued", body = ResendAccepted),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 409, description = "The customer has no bill yet", body = ErrorBody),
        (status = 422, description = "No reason, or a channel not on file", body = ErrorBody),
    )
)]
pub(super) async fn resend(
    staff: Staff,
    state: web::Data<AppState>,
    account_id: web::Path<String>,
    body: web::Json<ResendRequest>,
) -> Result<HttpResponse, ApiError> {
    staff.require(Role::Csr)?;
    let account = account(&account_id)?;
    let reason = reason(&body.reason)?;
    let minted = link_staff::resend(
        &state.pool,
        &state.minter,
        &account,
        body.channel,
        &staff.actor(),
        Some(&reason),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(ResendAccepted {
        jti: minted.jti,
        delivery_id: minted.delivery_id,
        channel: minted.destination.channel,
        destination: minted.destination.masked(),
    }))
}

/// Why.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RevokeRequest {
    /// Why, for the customer's history and the audit log (1-500 characters).
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

/// Revoke a customer's current link (role: csr).
///
/// The link stops working at once: opening it shows `revoked` (410), a bill open from it
/// ends, and messages carrying it that are still queued are not sent. The customer gets a
/// working link again from a resend, the next cycle, or self-service.
#[utoipa::path(
    post,
    path = "/api/v1/customers/{account_id}/revoke",
    tag = "csr",
    params(("account_id" = String, Path, description = "The account number")),
    request_body = RevokeRequest,
    responses(
        (status = 200, description = "Revoked", body = Revoked),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 409, description = "No link to revoke, or already revoked", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    )
)]
pub(super) async fn revoke(
    staff: Staff,
    state: web::Data<AppState>,
    account_id: web::Path<String>,
    body: web::Json<RevokeRequest>,
) -> Result<web::Json<Revoked>, ApiError> {
    staff.require(Role::Csr)?;
    let account = account(&account_id)?;
    let reason = reason(&body.reason)?;
    let revoked = link_staff::revoke(&state.pool, &account, &staff.actor(), &reason).await?;
    Ok(web::Json(revoked))
}
