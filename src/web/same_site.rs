//! Whether a form was posted from billpass's own pages.
//!
//! Customer forms change state (opening a session, sending a link), so a form on another
//! site must not be able to post them: it could sign its visitors into a bill of its
//! choosing or make billpass send links. Browsers say where a request comes from in
//! `Sec-Fetch-Site`; older browsers only in `Origin`. Pages are served with
//! `Referrer-Policy: no-referrer`, under which Chromium and Firefox send `Origin: null`
//! even for a form posted to its own site, so `Origin` decides only when it names a site.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, ORIGIN};

use super::PageBrand;

const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// Whether `request` was sent by a browser for another site's page: `Sec-Fetch-Site` other
/// than `same-origin` (or `none`, a request the user made themselves), or, from a browser
/// that sends no Fetch Metadata, an `Origin` that is a site other than `ours`. Clients that
/// are not browsers send neither, and act for no other site.
pub fn is_cross_site(request: &HttpRequest, ours: &str) -> bool {
    let headers = request.headers();
    match headers.get(SEC_FETCH_SITE) {
        Some(site) => !matches!(site.as_bytes(), b"same-origin" | b"none"),
        None => headers
            .get(ORIGIN)
            .is_some_and(|origin| origin != "null" && origin.as_bytes() != ours.as_bytes()),
    }
}

/// The page for a form another site posted: 403, pointing to our own way in; `what_to_do`
/// is the message saying it (`cross-site-open-text`).
pub fn refusal(page: &PageBrand, what_to_do: &str) -> actix_web::HttpResponse {
    let words = ("cross-site-title", what_to_do);
    super::titled(page, StatusCode::FORBIDDEN, "cross-site", words, true)
}
