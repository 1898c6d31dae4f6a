//! `GET /bill` and `GET /bill.pdf`: the bill behind the session cookie, as a page or as a
//! PDF. Both are kept in memory once drawn (see [`BillPages`]).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::web::Bytes;
use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use askama::Template;

use super::bill_pages::{BillPages, Format, Generation};
use super::bill_pdf;
use super::brand::asked_language;
use super::pages::BillPage;
use super::{AppState, PageBrand, PageError, message, read, resource, titled};
use crate::billing::bill::{BillRow, BillView};
use crate::domain::BillId;
use crate::infra::db::PagePool;
use crate::infra::gathered::Gathered;
use crate::links::sessions::{self, SessionChecks, SessionCookie, SessionState};
use crate::observe::metrics::{self, BillPageSource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/bill", "GET, HEAD").route(read().to(show)))
        .service(resource("/bill.pdf", "GET, HEAD").route(read().to(show)));
}

/// The drawing a route asks for: `/bill.pdf` the PDF, `/bill` the page.
impl FromRequest for Format {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(match request.path().ends_with(".pdf") {
            true => Format::Pdf,
            false => Format::Html,
        }))
    }
}

/// The page an active session leads to.
enum Page {
    /// Drawn before.
    Kept(Bytes),
    /// The bill, to draw.
    Read {
        bill_id: BillId,
        row: Box<BillRow>,
        read_at: Generation,
    },
}

async fn show(
    format: Format,
    state: web::Data<AppState>,
    pages: web::Data<BillPages>,
    page_db: web::Data<PagePool>,
    checks: web::Data<Gathered<SessionChecks>>,
    request: HttpRequest,
    brand: PageBrand,
) -> Result<HttpResponse, PageError> {
    // A language other than the customer's, asked for with `?lang=`, is drawn afresh.
    let own_language = asked_language(&request).is_none();
    let cookie = request
        .cookie(sessions::COOKIE)
        .and_then(|cookie| SessionCookie::parse(cookie.value()));
    let session = match cookie {
        Some(cookie) => {
            // The page of the bill the cookie names, if drawn before: then only the
            // session needs checking, and it must lead to that bill.
            let kept = cookie
                .bill_id()
                .filter(|_| own_language)
                .and_then(|bill_id| Some((bill_id, pages.get(bill_id, format)?)));
            match kept {
                Some((kept_id, page)) => match checks.ask(cookie).await? {
                    SessionState::Active(bill_id) if bill_id != kept_id => SessionState::Missing,
                    session => session.map(|_| Page::Kept(page)),
                },
                None => {
                    let read_at = pages.generation();
                    page_db
                        .run(async |conn| sessions::check_and_read(conn, &cookie).await)
                        .await?
                        .map(|(bill_id, row)| Page::Read {
                            bill_id,
                            row: Box::new(row),
                            read_at,
                        })
                }
            }
        }
        None => SessionState::Missing,
    };
    let page = match session {
        SessionState::Active(Page::Kept(page)) => {
            metrics::bill_page(BillPageSource::Memory);
            page
        }
        SessionState::Active(Page::Read {
            bill_id,
            row,
            read_at,
        }) => {
            let (customers, base) = state.bill_brand(&row.brand);
            let dress = PageBrand::for_customer(customers, &request, Some(&row.locale));
            let view = BillView::build(&row, &dress.lang)?;
            let bill = BillPage::new(&dress, &base, view);
            let page = Bytes::from(match format {
                Format::Html => bill.render().map_err(anyhow::Error::from)?.into_bytes(),
                Format::Pdf => bill_pdf::render(&bill)?,
            });
            if own_language {
                pages.keep(bill_id, format, read_at, page.clone());
            }
            metrics::bill_page(BillPageSource::Database);
            page
        }
        SessionState::Missing => {
            return Ok(message(
                &brand,
                StatusCode::UNAUTHORIZED,
                "no-session",
                true,
            ));
        }
        SessionState::Ended => {
            return Ok(message(&brand, StatusCode::GONE, "session-ended", true));
        }
        SessionState::BillRemoved => {
            let words = ("bill-removed-title", "bill-removed-text");
            return Ok(titled(
                &brand,
                StatusCode::GONE,
                "session-ended",
                words,
                true,
            ));
        }
    };
    Ok(match format {
        Format::Html => HttpResponse::Ok()
            .content_type(ContentType::html())
            .body(page),
        Format::Pdf => HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bill.pdf\"",
            ))
            .body(page),
    })
}
