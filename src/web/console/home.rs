//! `GET /staff`: the search box, recent runs, and what the member's role may open.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::pages::{BrandFilter, HomePage, RunRow};
use super::session::{Console, ConsoleError};
use crate::cycle::{self, RunFilter, RunProgress};
use crate::domain::Role;
use crate::domain::calendar::time_text;
use crate::web::{html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("", "GET, HEAD").route(read().to(home)))
        .service(resource("/", "GET, HEAD").route(read().to(home)));
}

/// Runs on the home page.
const RECENT_RUNS: i64 = 5;

impl From<RunProgress> for RunRow {
    fn from(run: RunProgress) -> Self {
        let when =
            |at: Option<chrono::DateTime<chrono::Utc>>| at.map(time_text).unwrap_or_default();
        Self {
            id: run.run_id.0,
            cycle: run.cycle.to_string(),
            status: run.status.to_string(),
            total: run.total,
            queued: run.queued,
            skipped: run.skipped,
            started: match run.started_at {
                Some(at) => time_text(at),
                None => format!("scheduled for {}", time_text(run.scheduled_at)),
            },
            finished: when(run.finished_at),
            by: run.started_by,
        }
    }
}

async fn home(console: Console) -> Result<HttpResponse, ConsoleError> {
    let runs = match console.require(Role::Billing) {
        Ok(()) => cycle::list(&console.state.pool, &RunFilter::default(), RECENT_RUNS).await?,
        Err(_) => Vec::new(),
    };
    Ok(html(
        StatusCode::OK,
        &HomePage {
            brand: console.brand(),
            nav: Some(console.nav("home")),
            query: "",
            brands: BrandFilter::new(&console.state.brands.current(), None),
            runs: runs.into_iter().map(RunRow::from).collect(),
        },
    ))
}
