//! `POST /api/v1/cycles/{cycle}/runs` (start or schedule a run) and `GET /api/v1/runs/{run_id}`
//! (follow it). The run itself is worked by `billpass serve`'s scheduler, on whichever
//! instance takes it first.

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};

use super::{ApiError, ErrorBody};
use crate::cycle::report::CycleReport;
use crate::cycle::{self, RunFilter, RunProgress};
use crate::domain::Role;
use crate::domain::{CycleId, RunId, RunStatus, calendar};
use crate::staff::keys::Staff;
use crate::web::{AppState, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/cycles/{cycle}/runs", "POST").route(web::post().to(start)))
        .service(resource("/cycles/{cycle}/report", "GET, HEAD").route(read().to(report)))
        .service(resource("/runs", "GET, HEAD").route(read().to(list)))
        .service(
            resource("/runs/{run_id}", "GET, HEAD, DELETE")
                .route(read().to(show))
                .route(web::delete().to(cancel)),
        );
}

/// When to run; the body may also be left out (or be `null`), which starts the run now.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StartRun {
    /// When to start (RFC 3339, `2026-12-01T06:00:00Z`); absent, null or past: now.
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

/// Start or schedule a run of a cycle (role: billing).
///
/// Without a body, or with `at` in the past, the run starts now: a run of the cycle that is
/// already scheduled or running is joined (and brought forward) rather than doubled, and
/// customers who already got their link for the cycle get nothing new. With a future `at`,
/// the run is scheduled. Follow it at the `Location` given.
#[utoipa::path(
    post,
    path = "/api/v1/cycles/{cycle}/runs",
    tag = "billing",
    params(("cycle" = String, Path, description = "`YYYY-MM` or 1-32 of `[A-Za-z0-9_-]`")),
    request_body(content = Option<StartRun>, description = "optional"),
    responses(
        (status = 202, description = "Started or scheduled; `Location` is the run", body = RunProgress,
         headers(("Location" = String, description = "/api/v1/runs/{run_id}"))),
        (status = 409, description = "Scheduling while a run of the cycle is scheduled or running", body = ErrorBody),
        (status = 422, description = "Bad cycle id, bad `at`, or no bills in the cycle to run now", body = ErrorBody),
    )
)]
pub(super) async fn start(
    staff: Staff,
    state: web::Data<AppState>,
    cycle: web::Path<String>,
    request: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    staff.require(Role::Billing)?;
    let cycle = CycleId::parse(&cycle).map_err(|e| ApiError::invalid("cycle", e))?;
    let at = start_time(&request, &body)?;
    let by = staff.actor();
    let run_id = match at {
        Some(at) => cycle::schedule(&state.pool, &cycle, at, &by).await?,
        None => {
            if !cycle::has_bills(&state.pool, &cycle).await? {
                return Err(ApiError::invalid(
                    "cycle",
                    format!("no bills in cycle {cycle}: import them first"),
                ));
            }
            cycle::start(&state.pool, &cycle, &by).await?
        }
    };
    let run = cycle::progress(&state.pool, run_id)
        .await?
        .ok_or_else(|| ApiError::Unexpected(anyhow::anyhow!("run {run_id} vanished")))?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, format!("/api/v1/runs/{run_id}")))
        .json(run))
}

/// The future start time in an optional JSON body; `None` to start now.
fn start_time(request: &HttpRequest, body: &[u8]) -> Result<Option<DateTime<Utc>>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let is_json = request
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "application/json");
    if !is_json {
        return Err(ApiError::UnsupportedMediaType {
            accepted: "application/json",
        });
    }
    let start: Option<StartRun> = serde_json::from_slice(body).map_err(ApiError::json)?;
    let at = start
        .and_then(|start| start.at)
        .map(calendar::within_years)
        .transpose()
        .map_err(|e| ApiError::invalid("at", e))?;
    Ok(at.filter(|at| *at > Utc::now()))
}

/// A run's progress (role: billing).
///
/// `status` is `scheduled`, `running`, `completed` or `failed`; `total` counts the
/// customers with a bill in the cycle, `minted`/`queued` the links sent so far, `skipped`
/// those that already had their cycle link or have no usable contact. A run fails when
/// its attempts end in an error five times in a row (`error` says why); starting the cycle
/// again then sends only what it did not.
#[utoipa::path(
    get,
    path = "/api/v1/runs/{run_id}",
    tag = "billing",
    params(("run_id" = i64, Path, description = "As `POST /api/v1/cycles/{cycle}/runs` answered")),
    responses(
        (status = 200, description = "The run", body = RunProgress),
        (status = 404, description = "No such run", body = ErrorBody),
    )
)]
pub(super) async fn show(
    staff: Staff,
    state: web::Data<AppState>,
    run_id: web::Path<i64>,
) -> Result<web::Json<RunProgress>, ApiError> {
    staff.require(Role::Billing)?;
    let run_id = run_id.into_inner();
    cycle::progress(&state.pool, RunId(run_id))
        .await?
        .map(web::Json)
        .ok_or_else(|| ApiError::NotFound(format!("no run {run_id}")))
}

/// The most runs `GET /api/v1/runs` lists.
const RUNS_LISTED: i64 = 200;

/// Which runs to list.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct RunsQuery {
    /// Only this cycle's runs.
    cycle: Option<String>,
    /// Only runs in this status.
    status: Option<String>,
}

/// The runs, newest first, at most 200 (role: billing).
#[utoipa::path(
    get,
    path = "/api/v1/runs",
    tag = "billing",
    params(RunsQuery),
    responses(
        (status = 200, description = "The runs, newest first", body = Vec<RunProgress>),
        (status = 422, description = "Bad cycle id or status", body = ErrorBody),
    )
)]
pub(super) async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<RunsQuery>,
) -> Result<web::Json<Vec<RunProgress>>, ApiError> {
    staff.require(Role::Billing)?;
    let filter = RunFilter {
        cycle: (query.cycle.as_deref())
            .filter(|c| !c.is_empty())
            .map(CycleId::parse)
            .transpose()
            .map_err(|e| ApiError::invalid("cycle", e))?,
        status: (query.status.as_deref())
            .filter(|s| !s.is_empty())
            .map(str::parse::<RunStatus>)
            .transpose()
            .map_err(|e| ApiError::invalid("status", e))?,
    };
    Ok(web::Json(
        cycle::list(&state.pool, &filter, RUNS_LISTED).await?,
    ))
}

/// Cancel a scheduled run before it starts (role: billing).
#[utoipa::path(
    delete,
    path = "/api/v1/runs/{run_id}",
    tag = "billing",
    params(("run_id" = i64, Path, description = "As `POST /api/v1/cycles/{cycle}/runs` answered")),
    responses(
        (status = 200, description = "Cancelled", body = RunProgress),
        (status = 404, description = "No such run", body = ErrorBody),
        (status = 409, description = "The run already started, ended or was cancelled", body = ErrorBody),
    )
)]
pub(super) async fn cancel(
    staff: Staff,
    state: web::Data<AppState>,
    run_id: web::Path<i64>,
) -> Result<web::Json<RunProgress>, ApiError> {
    staff.require(Role::Billing)?;
    let run = cycle::cancel(&state.pool, RunId(run_id.into_inner()), &staff.actor()).await?;
    Ok(web::Json(run))
}

/// What a cycle achieved (role: billing or admin): messages by channel and status, links
/// fetched and bills opened, renewals, `/link` requests, time to open.
#[utoipa::path(
    get,
    path = "/api/v1/cycles/{cycle}/report",
    tag = "billing",
    params(("cycle" = String, Path, description = "`YYYY-MM` or 1-32 of `[A-Za-z0-9_-]`")),
    responses(
        (status = 200, description = "The report", body = CycleReport),
        (status = 404, description = "No such cycle", body = ErrorBody),
    )
)]
pub(super) async fn report(
    staff: Staff,
    state: web::Data<AppState>,
    cycle: web::Path<String>,
) -> Result<web::Json<CycleReport>, ApiError> {
    staff.require(Role::Billing)?;
    let cycle =
        CycleId::parse(&cycle).map_err(|_| ApiError::NotFound(format!("no cycle {cycle}")))?;
    let report = CycleReport::read(&state.pool, &cycle).await?;
    if report.customers == 0 && report.minted == 0 {
        return Err(ApiError::NotFound(format!(
            "no cycle {cycle}: no bills were imported for it"
        )));
    }
    Ok(web::Json(report))
}
