//! Billing staff's runs: the list, starting or scheduling one, a run's live progress, and
//! cancelling a scheduled run.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use chrono::{NaiveDateTime, Utc};

use super::pages::{RunPage, RunRow, RunsPage};
use super::session::{Console, ConsoleError};
use crate::cycle::{self, CancelError, RunFilter, RunProgress, ScheduleError};
use crate::domain::calendar::{self, time_text};
use crate::domain::{CycleId, Role, RunId};
use crate::web::{html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/runs", "GET, HEAD, POST")
            .route(read().to(list))
            .route(web::post().to(start)),
    )
    .service(resource("/runs/{run_id}", "GET, HEAD").route(read().to(show)))
    .service(resource("/runs/{run_id}/progress", "GET, HEAD").route(read().to(progress)))
    .service(resource("/runs/{run_id}/cancel", "POST").route(web::post().to(cancel)));
}

/// Runs the list shows.
const LISTED: i64 = 100;

/// The cycles that have bills, newest first: what a run can be started for.
async fn cycles(console: &Console) -> Result<Vec<String>, ConsoleError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT cycle AS "cycle!" FROM (SELECT DISTINCT cycle FROM bills) c
           ORDER BY cycle DESC LIMIT 24"#
    )
    .fetch_all(&console.state.pool)
    .await?)
}

async fn runs_page(
    console: &Console,
    status: StatusCode,
    cycle: &str,
    error: Option<String>,
) -> Result<HttpResponse, ConsoleError> {
    let runs = cycle::list(&console.state.pool, &RunFilter::default(), LISTED).await?;
    Ok(html(
        status,
        &RunsPage {
            brand: console.brand(),
            nav: Some(console.nav("runs")),
            csrf: &console.session.csrf_token,
            runs: runs.into_iter().map(RunRow::from).collect(),
            cycles: cycles(console).await?,
            cycle,
            error,
        },
    ))
}

async fn list(console: Console) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    runs_page(&console, StatusCode::OK, "", None).await
}

#[derive(Debug, serde::Deserialize)]
struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    cycle: String,
    /// `2026-12-01T06:00` from a `datetime-local` field, read as UTC; empty: now.
    #[serde(default)]
    at: String,
}

async fn start(console: Console, form: web::Form<StartForm>) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    console.check_form(&form.csrf)?;
    let typed: String = form.cycle.chars().take(64).collect();
    let refuse = |error: String| {
        runs_page(
            &console,
            StatusCode::UNPROCESSABLE_ENTITY,
            &typed,
            Some(error),
        )
    };
    let cycle = match CycleId::parse(form.cycle.trim()) {
        Ok(cycle) => cycle,
        Err(error) => return refuse(format!("Cycle: {error}.")).await,
    };
    let at = match form.at.trim() {
        "" => None,
        raw => match NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
            .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
            .map(|at| at.and_utc())
            .map_err(|_| "a date and time like 2026-12-01T06:00 expected".to_owned())
            .and_then(calendar::within_years)
        {
            Ok(at) => Some(at).filter(|at| *at > Utc::now()),
            Err(error) => return refuse(format!("Start at: {error}.")).await,
        },
    };
    let pool = &console.state.pool;
    let by = console.session.member.actor();
    let run_id = match at {
        Some(at) => match cycle::schedule(pool, &cycle, at, &by).await {
            Ok(run_id) => run_id,
            Err(error @ ScheduleError::AlreadyActive { .. }) => {
                return refuse(format!("Not scheduled: {error}.")).await;
            }
            Err(ScheduleError::Database(error)) => return Err(error.into()),
        },
        None => {
            if !cycle::has_bills(pool, &cycle).await? {
                return refuse(format!(
                    "Cycle {cycle} has no bills: import them first, on the Imports page."
                ))
                .await;
            }
            cycle::start(pool, &cycle, &by).await?
        }
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/staff/runs/{run_id}")))
        .finish())
}

async fn run_of(console: &Console, run_id: i64) -> Result<RunProgress, ConsoleError> {
    cycle::progress(&console.state.pool, RunId(run_id))
        .await?
        .ok_or_else(|| ConsoleError::NotFound(format!("There is no run #{run_id}.")))
}

async fn show(console: Console, run_id: web::Path<i64>) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    let run = run_of(&console, *run_id).await?;
    Ok(html(
        StatusCode::OK,
        &RunPage {
            brand: console.brand(),
            nav: Some(console.nav("runs")),
            csrf: &console.session.csrf_token,
            done: run.done(),
            progress_max: run.total.max(1),
            skipped_already_sent: run.skipped_already_sent,
            skipped_no_contact: run.skipped_no_contact,
            error: run.error.clone(),
            run: RunRow::from(run),
        },
    ))
}

/// What the run page's script shows as it follows a run.
#[derive(Debug, serde::Serialize)]
struct LiveRun {
    #[serde(flatten)]
    run: RunProgress,
    finished_text: Option<String>,
}

async fn progress(console: Console, run_id: web::Path<i64>) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    let run = run_of(&console, *run_id).await?;
    Ok(HttpResponse::Ok().json(LiveRun {
        finished_text: run.finished_at.map(time_text),
        run,
    }))
}

#[derive(Debug, serde::Deserialize)]
struct CancelForm {
    #[serde(default)]
    csrf: String,
}

async fn cancel(
    console: Console,
    run_id: web::Path<i64>,
    form: web::Form<CancelForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    console.check_form(&form.csrf)?;
    let by = console.session.member.actor();
    match cycle::cancel(&console.state.pool, RunId(*run_id), &by).await {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/staff/runs/{run_id}")))
            .finish()),
        Err(error @ CancelError::Unknown(_)) => Err(ConsoleError::NotFound(format!("{error}."))),
        Err(error @ CancelError::NotScheduled { .. }) => {
            runs_page(
                &console,
                StatusCode::CONFLICT,
                "",
                Some(format!("{error}.")),
            )
            .await
        }
        Err(CancelError::Database(error)) => Err(error.into()),
    }
}
