//! `GET /bill`: the bill behind the session cookie.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::pages::BillPage;
use super::{AppState, PageError, html, message};
use crate::bill::BillView;
use crate::sessions::{self, SessionState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/bill", web::get().to(show));
}

async fn show(state: web::Data<AppState>, request: HttpRequest) -> Result<HttpResponse, PageError> {
    let brand = &state.settings.brand;
    let session = match request.cookie(sessions::COOKIE) {
        Some(cookie) => {
            state
                .reads
                .run(async |conn| sessions::check(conn, cookie.value()).await)
                .await?
        }
        None => SessionState::Missing,
    };
    let page = match session {
        SessionState::Active(bill) => BillView::build(&bill)?,
        SessionState::Missing => {
            return Ok(message(
                brand,
                StatusCode::UNAUTHORIZED,
                "no-session",
                "Open your bill from its link",
                "To see your bill, open the link in the email or text message we sent you.",
                true,
            ));
        }
        SessionState::Ended => {
            return Ok(message(
                brand,
                StatusCode::GONE,
                "session-ended",
                "This link is no longer valid",
                "A newer link was sent to you, or this one was cancelled. Open the newest message from us to see your bill.",
                true,
            ));
        }
        SessionState::BillRemoved => {
            return Ok(message(
                brand,
                StatusCode::GONE,
                "session-ended",
                "This bill is no longer available",
                "Open the newest message from us to see your bill.",
                true,
            ));
        }
    };
    Ok(html(StatusCode::OK, &BillPage { brand, bill: page }))
}
