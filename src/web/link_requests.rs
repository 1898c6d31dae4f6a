//! `GET /link` and `POST /link`: "Get a new link". A well-formed request is answered with
//! the same page, status and headers whether or not the address is on file: here it is only
//! recorded; a worker looks it up and sends the link (see [`crate::links::requests`]).

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Weak;
use std::time::Duration;

use actix_web::error::{InternalError, UrlencodedError};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::client_ip::{client_ip, rate_key};
use super::pages::{GetLinkPage, Wait};
use super::{AppState, PageBrand, PageError, html, read, resource, same_site};
use crate::config::{Rate, RequestLimits};
use crate::domain::{ContactAddress, ContactAddressError};
use crate::links::requests;

/// The largest form accepted: an address is at most a few hundred bytes.
const FORM_LIMIT: usize = 4096;

const UNREADABLE: &str = "get-link-error-unreadable";

/// How often limiters forget clients and addresses that have fully recovered.
const FORGET_IDLE_EVERY: Duration = Duration::from_secs(60);

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/link", "GET, HEAD, POST")
            .app_data(
                web::FormConfig::default()
                    .limit(FORM_LIMIT)
                    .error_handler(unreadable_form),
            )
            .route(read().to(form))
            .route(web::post().to(request)),
    );
}

/// Requests per client and per typed address, shared by the server's worker threads.
pub struct Limits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_address: DefaultKeyedRateLimiter<String>,
    /// Short links opened per client: a code is 65 random bits, and a client trying codes
    /// is stopped long before it could find one.
    short_links_per_ip: DefaultKeyedRateLimiter<IpAddr>,
}

/// Short-link requests per client: a burst of 60 (a customer's visit is two), then one
/// every 5 seconds.
fn short_link_quota() -> Quota {
    Quota::with_period(Duration::from_secs(5))
        .expect("a period of 5 s")
        .allow_burst(NonZeroU32::new(60).expect("60 > 0"))
}

impl Limits {
    pub fn new(settings: &RequestLimits) -> Self {
        Self {
            per_ip: RateLimiter::keyed(quota(settings.link_requests_per_ip)),
            per_address: RateLimiter::keyed(quota(settings.link_requests_per_address)),
            short_links_per_ip: RateLimiter::keyed(short_link_quota()),
        }
    }

    /// Counts a short-link request from `request`'s client: how long it must wait when it
    /// has made too many.
    pub fn short_link_wait(
        &self,
        request: &HttpRequest,
        trusted: &[ipnet::IpNet],
    ) -> Option<Duration> {
        let client = rate_key(client_ip(request, trusted));
        wait(&self.short_links_per_ip, &client)
    }
}

/// Every minute, until the server is gone, drops the keys whose limit has fully recovered,
/// so the limiters hold only recent clients and addresses.
pub async fn forget_idle(limits: Weak<Limits>) {
    loop {
        tokio::time::sleep(FORGET_IDLE_EVERY).await;
        let Some(limits) = limits.upgrade() else {
            return;
        };
        limits.per_ip.retain_recent();
        limits.per_ip.shrink_to_fit();
        limits.per_address.retain_recent();
        limits.per_address.shrink_to_fit();
        limits.short_links_per_ip.retain_recent();
        limits.short_links_per_ip.shrink_to_fit();
    }
}

/// A burst of `count`, then one every `per / count`.
fn quota(rate: Rate) -> Quota {
    Quota::with_period(rate.per / rate.count.get())
        .expect("a rate's period is at least a second")
        .allow_burst(rate.count)
}

/// How long until `limiter` lets `key` through, when it does not now.
fn wait<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Option<Duration> {
    limiter
        .check_key(key)
        .err()
        .map(|refused| refused.wait_time_from(limiter.clock().now()))
}

#[derive(serde::Deserialize)]
struct LinkRequestForm {
    address: String,
}

async fn form(brand: PageBrand) -> HttpResponse {
    html(StatusCode::OK, &GetLinkPage::new(&brand, "form"))
}

async fn request(
    state: web::Data<AppState>,
    limits: web::Data<Limits>,
    request: HttpRequest,
    form: web::Form<LinkRequestForm>,
    brand: PageBrand,
) -> Result<HttpResponse, PageError> {
    let brand = &brand;
    if same_site::is_cross_site(&request, &state.origin_for(&request)) {
        return Ok(same_site::refusal(brand, "cross-site-get-link-text"));
    }
    let client = rate_key(client_ip(&request, &state.config.trusted_proxies));
    if let Some(wait) = wait(&limits.per_ip, &client) {
        return Ok(limited(brand, wait));
    }
    let typed = form.address.trim();
    let address = match read_address(typed) {
        Ok(address) => address,
        Err(explanation) => {
            return Ok(html(
                StatusCode::BAD_REQUEST,
                &GetLinkPage {
                    address: typed,
                    error: Some(explanation),
                    ..GetLinkPage::new(brand, "invalid")
                },
            ));
        }
    };
    // Counted for every address typed, on file or not, so that the limit tells nothing.
    if let Some(wait) = wait(&limits.per_address, &address.as_str().to_owned()) {
        return Ok(limited(brand, wait));
    }
    requests::record(&state.pool, &address).await?;
    Ok(html(StatusCode::OK, &GetLinkPage::new(brand, "sent")))
}

/// The address typed, or the message telling the customer what is wrong with it.
fn read_address(typed: &str) -> Result<ContactAddress, &'static str> {
    // The form decoder puts U+FFFD in place of bytes that are not UTF-8.
    if typed.contains(char::REPLACEMENT_CHARACTER) {
        return Err(UNREADABLE);
    }
    ContactAddress::parse(typed).map_err(|error| match error {
        _ if typed.is_empty() => "get-link-error-empty",
        ContactAddressError::Email => "get-link-error-email",
        ContactAddressError::Phone => "get-link-error-phone",
    })
}

/// 429 with `Retry-After`, and the wait in words.
fn limited(brand: &PageBrand, wait: Duration) -> HttpResponse {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let minutes = seconds.div_ceil(60);
    let wait = match minutes {
        1..=90 => Wait::Minutes(minutes as i64),
        _ => Wait::Hours(minutes.div_ceil(60) as i64),
    };
    let mut response = html(
        StatusCode::TOO_MANY_REQUESTS,
        &GetLinkPage {
            wait: Some(wait),
            ..GetLinkPage::new(brand, "limited")
        },
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, seconds.into());
    response
}

/// A body that is not a small form with an `address` (too large, another content type,
/// not UTF-8, no such field): the form again, with the extractor's 4xx status.
fn unreadable_form(error: UrlencodedError, request: &HttpRequest) -> actix_web::Error {
    let brand = PageBrand::of(request);
    let explanation = match error {
        UrlencodedError::Overflow { .. } => "get-link-error-too-long",
        _ => UNREADABLE,
    };
    let status = actix_web::ResponseError::status_code(&error);
    let page = GetLinkPage {
        error: Some(explanation),
        ..GetLinkPage::new(&brand, "invalid")
    };
    let response = html(status, &page);
    InternalError::from_response(error, response).into()
}
