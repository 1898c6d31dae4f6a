//! The brand a page wears, and the files that dress it: `GET /brand/{id}/style.css` (its
//! colour) and `GET /brand/{id}/logo.svg`.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::ops::Deref;
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};

use super::{AppState, read, resource};
use crate::domain::{Brand, BrandId};
use crate::i18n::{LANGUAGES, Lang};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/brand/{id}/style.css", "GET, HEAD").route(read().to(style)))
        .service(resource("/brand/{id}/logo.svg", "GET, HEAD").route(read().to(logo)));
}

/// What a customer page wears: a brand, and the language its words are in.
///
/// As an extractor, the brand of the host the page is asked on (`Host`: the brand whose own
/// host it is, or the default brand) in the language the request asks for. Pages that know
/// the customer wear the customer's brand and language instead.
#[derive(Debug, Clone)]
pub struct PageBrand {
    pub brand: Arc<Brand>,
    pub lang: Lang,
}

impl PageBrand {
    pub fn of(request: &HttpRequest) -> Self {
        let brand = match request.app_data::<web::Data<AppState>>() {
            Some(state) => state.brands.current().for_host(host(request)).clone(),
            None => Arc::new(Brand::default()),
        };
        Self::for_customer(brand, request, None)
    }

    /// `brand`, in the language asked for with `?lang=`, else the customer's (`locale`, as
    /// stored), else the browser's first with a catalogue (`Accept-Language`), else the
    /// brand's.
    pub fn for_customer(brand: Arc<Brand>, request: &HttpRequest, locale: Option<&str>) -> Self {
        let lang = match (asked_language(request), locale) {
            (Some(asked), _) => Lang::of(asked),
            (None, Some(locale)) => Lang::of(locale),
            (None, None) => {
                let accepted = request
                    .get_header::<header::AcceptLanguage>()
                    .map(|accepted| accepted.ranked())
                    .unwrap_or_default();
                let tags: Vec<String> = accepted.iter().map(ToString::to_string).collect();
                Lang::first_of(
                    tags.iter()
                        .map(String::as_str)
                        .chain(brand.locale.as_deref()),
                )
            }
        };
        Self { brand, lang }
    }
}

/// The language of `?lang=` (`es`), when it is one with a catalogue.
pub fn asked_language(request: &HttpRequest) -> Option<&'static str> {
    let query = request.query_string();
    let asked = url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "lang")
        .map(|(_, value)| value)?;
    LANGUAGES
        .iter()
        .map(|(code, _)| *code)
        .find(|code| *code == asked)
}

/// The host a request was sent to, as its `Host` header names it.
pub fn host(request: &HttpRequest) -> Option<&str> {
    request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
}

impl FromRequest for PageBrand {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(request)))
    }
}

impl Deref for PageBrand {
    type Target = Brand;

    fn deref(&self) -> &Brand {
        &self.brand
    }
}

/// Brand files change rarely, and a changed brand shows within minutes.
const CACHED: &str = "public, max-age=300";

/// The brand `id` of the path, when it exists.
fn brand_of(state: &AppState, id: &str) -> Option<Arc<Brand>> {
    let id = BrandId::parse(id).ok()?;
    state.brands.current().get(&id).cloned()
}

/// Its colour on buttons, the header and the current bar, in the light scheme (the dark
/// one keeps its own light-on-dark accents).
async fn style(state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let Some(colour) = brand_of(&state, &id).and_then(|brand| brand.colour) else {
        return HttpResponse::NotFound().finish();
    };
    let hover = colour.darker();
    let css = format!(
        "@media not (prefers-color-scheme: dark) {{\n  :root {{\n    --accent: {colour};\n    \
         --accent-hover: {hover};\n    --hero-bg: {colour};\n    --bar-current: {colour};\n    \
         --focus: {colour};\n  }}\n}}\n"
    );
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, CACHED))
        .body(css)
}

/// The logo, checked to be a plain drawing when stored; served so that nothing in it
/// could run even if it were opened on its own.
async fn logo(state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let Some(logo) = brand_of(&state, &id).and_then(|brand| brand.logo.clone()) else {
        return HttpResponse::NotFound().finish();
    };
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, CACHED))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        ))
        .body(logo.as_str().to_owned())
}
