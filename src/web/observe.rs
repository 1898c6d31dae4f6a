//! What every request leaves behind: an id (`X-Request-Id`, taken from the caller when
//! sane, else made up) on the response and on each of its log lines, one log line, and
//! its count and time in the metrics, all by route pattern, never by path.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

use crate::observe::metrics;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// An id a caller may set: short, and only characters that need no quoting in a log.
fn is_sane(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The request's id: the caller's `X-Request-Id` when sane, else 16 random hex digits.
fn request_id(request: &ServiceRequest) -> HeaderValue {
    request
        .headers()
        .get(&REQUEST_ID)
        .filter(|id| id.to_str().is_ok_and(is_sane))
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::try_from(format!("{:016x}", rand::random::<u64>()))
                .expect("hex digits make a header value")
        })
}

/// Runs the request in a span carrying its id, then logs and counts it by route pattern
/// (a token in the path never reaches a log or a label) and returns the id.
pub async fn observe(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id(&request);
    let span = tracing::info_span!("request", request_id = id.to_str().unwrap_or_default());
    let method = request.method().clone();
    let mut response = next.call(request).instrument(span.clone()).await?;
    let took = started.elapsed();
    let status = response.status().as_u16();
    let pattern = response.request().match_pattern();
    metrics::http_request(&method, pattern.as_deref(), status, took);
    let route = pattern.map_or_else(
        || "<unmatched>".to_owned(),
        |p| p.replace("{token}", "<redacted>"),
    );
    span.in_scope(|| {
        tracing::info!(
            %method,
            route,
            status,
            ms = (took.as_secs_f64() * 10_000.0).round() / 10.0,
            "request"
        )
    });
    response.headers_mut().insert(REQUEST_ID, id);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_plain_ids_are_taken_from_callers() {
        for good in ["abc", "0f1e2d3c4b5a6978", "req-42_a.b:c", &"x".repeat(64)] {
            assert!(is_sane(good), "{good}");
        }
        for bad in [
            "",
            &"x".repeat(65),
            "two words",
            "jane@example.com",
            "a\"b",
            "line\nbreak",
        ] {
            assert!(!is_sane(bad), "{bad}");
        }
    }
}
