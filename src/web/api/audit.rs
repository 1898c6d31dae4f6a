//! `GET /api/v1/audit`: the audit log, oldest first, a page at a time.

use actix_web::web;
use chrono::{DateTime, Utc};

use super::{ApiError, ErrorBody};
use crate::domain::Role;
use crate::domain::{AuditEntryId, calendar};
use crate::staff::audit::{self, Entry};
use crate::staff::keys::Staff;
use crate::web::{AppState, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/audit", "GET, HEAD").route(read().to(list)));
}

/// Entries per page unless `limit` says otherwise, and at most.
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct AuditQuery {
    /// Entries at or after this time (RFC 3339, `2026-11-02T00:00:00Z`); default: 24 hours ago.
    since: Option<DateTime<Utc>>,
    /// Entries after this id: the `next_after` of the previous page.
    #[param(value_type = Option<i64>)]
    after: Option<AuditEntryId>,
    /// Entries per page, 1-1000; default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// One page of the audit log.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(super) struct AuditPage {
    entries: Vec<Entry>,
    /// Pass as `after` (with the same `since`) for the next page; null on the last page.
    #[schema(value_type = Option<i64>)]
    next_after: Option<AuditEntryId>,
}

/// List the audit log (role: admin).
///
/// Every state-changing staff action, from the API or the command line: imports, cycle
/// runs started or scheduled, resends, revocations, and API keys created or revoked.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "Entries, oldest first", body = AuditPage),
        (status = 400, description = "Bad `since`, `after` or `limit`", body = ErrorBody),
    )
)]
pub(super) async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    staff.require(Role::Admin)?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit: a number from 1 to {MAX_LIMIT} expected"
        )));
    }
    let since = match query.since {
        Some(since) => calendar::within_years(since)
            .map_err(|e| ApiError::bad_request(format!("since: {e}")))?,
        None => Utc::now() - chrono::Duration::days(1),
    };
    let entries = audit::since(
        &state.pool,
        since,
        query.after.unwrap_or(AuditEntryId(0)),
        i64::from(limit),
    )
    .await?;
    let next_after = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    Ok(web::Json(AuditPage {
        entries,
        next_after,
    }))
}
