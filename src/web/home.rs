//! The front page, and the files pages load: the stylesheet, the icon, and the staff
//! console's script.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::pages::HomePage;
use super::{PageBrand, html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/", "GET, HEAD").route(read().to(home)))
        .service(resource("/favicon.ico", "GET, HEAD").route(read().to(icon)))
        .service(resource("/assets/billpass.css", "GET, HEAD").route(read().to(stylesheet)))
        .service(resource("/assets/console.js", "GET, HEAD").route(read().to(console_script)));
}

/// `GET /`: how customers reach their bill, and whom to ask.
async fn home(brand: PageBrand) -> HttpResponse {
    html(
        StatusCode::OK,
        &HomePage {
            brand: &brand.brand,
            l: &brand.lang,
        },
    )
}

/// Files that never change within a release: cached for an hour.
fn asset(content_type: &'static str, body: &'static [u8]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

async fn stylesheet() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_bytes!("../../assets/billpass.css"),
    )
}

/// The staff console's one script: a running cycle run's progress.
async fn console_script() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/console.js"),
    )
}

/// Browsers ask for it on every site; without it each page view logged a 404.
async fn icon() -> HttpResponse {
    asset("image/x-icon", include_bytes!("../../assets/favicon.ico"))
}
