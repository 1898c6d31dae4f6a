//! `POST /api/v1/import/customers` and `/import/bills`: the body is read as it arrives and
//! parsed on a thread of its own, all or nothing, with a size limit.

use std::io::{BufReader, Read};

use actix_web::http::header;
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, HttpRequest};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::{ApiError, ErrorBody};
use crate::billing::import::{Bills, CustomerFormat, Customers, ImportError, ImportSummary};
use crate::domain::Role;
use crate::staff::keys::Staff;
use crate::web::{AppState, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/import/customers", "POST").route(web::post().to(customers)))
        .service(resource("/import/bills", "POST").route(web::post().to(bills)));
}

const CSV: &str = "text/csv";
const JSON_LINES: &str = "application/x-ndjson";

/// Import customers (role: billing).
///
/// The body is CSV with a header row (`text/csv`) or JSON Lines with the same keys
/// (`application/x-ndjson`): `account_id,name,email,phone,channel,locale`. All or nothing:
/// any bad row gives 422 listing every bad row by line, and nothing is stored. Customers
/// are upserted by `account_id`.
#[utoipa::path(
    post,
    path = "/api/v1/import/customers",
    tag = "billing",
    request_body(
        description = "CSV with a header row, or JSON Lines",
        content((String = "text/csv"), (String = "application/x-ndjson"))
    ),
    responses(
        (status = 200, description = "Every row stored", body = ImportSummary),
        (status = 422, description = "Bad rows, by line; nothing stored", body = ErrorBody),
    )
)]
pub(super) async fn customers(
    staff: Staff,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Payload,
) -> Result<web::Json<ImportSummary>, ApiError> {
    staff.require(Role::Billing)?;
    let format = match media_type(&request).as_deref() {
        Some(CSV) => CustomerFormat::Csv,
        Some(JSON_LINES) => CustomerFormat::JsonLines,
        _ => {
            return Err(ApiError::UnsupportedMediaType {
                accepted: "text/csv or application/x-ndjson",
            });
        }
    };
    let customers = parse_streamed(&state, &request, body, move |input| {
        Customers::parse(format, input)
    })
    .await?;
    Ok(web::Json(
        customers.store(&state.pool, &staff.actor()).await?,
    ))
}

/// Import bills (role: billing).
///
/// The body is JSON Lines (`application/x-ndjson`), one bill a line, in the format of the
/// README. All or nothing, as for customers; a bill for an account that is not a customer
/// is a bad row. Re-importing a bill for the same account and cycle replaces it.
#[utoipa::path(
    post,
    path = "/api/v1/import/bills",
    tag = "billing",
    request_body(description = "JSON Lines, one bill a line", content((String = "application/x-ndjson"))),
    responses(
        (status = 200, description = "Every bill stored", body = ImportSummary),
        (status = 422, description = "Bad lines, by number; nothing stored", body = ErrorBody),
    )
)]
pub(super) async fn bills(
    staff: Staff,
    state: web::Data<AppState>,
    request: HttpRequest,
    body: web::Payload,
) -> Result<web::Json<ImportSummary>, ApiError> {
    staff.require(Role::Billing)?;
    if media_type(&request).as_deref() != Some(JSON_LINES) {
        return Err(ApiError::UnsupportedMediaType {
            accepted: JSON_LINES,
        });
    }
    let bills = parse_streamed(&state, &request, body, Bills::parse).await?;
    Ok(web::Json(bills.store(&state.pool, &staff.actor()).await?))
}

/// The body's media type without parameters (`text/csv; charset=utf-8` is `text/csv`).
fn media_type(request: &HttpRequest) -> Option<String> {
    request
        .mime_type()
        .ok()
        .flatten()
        .map(|mime| mime.essence_str().to_ascii_lowercase())
}

/// Feeds the body to `parse` on a blocking thread as it arrives, so neither the whole body
/// nor a slow parse holds up the server; a body past the import limit gets 413.
async fn parse_streamed<T: Send + 'static>(
    state: &AppState,
    request: &HttpRequest,
    mut body: web::Payload,
    parse: impl FnOnce(BufReader<BodyReader>) -> Result<T, ImportError> + Send + 'static,
) -> Result<T, ApiError> {
    let limit = state.config.api_import_limit;
    let announced: Option<u64> = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok());
    if announced.is_some_and(|length| length > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let (sender, chunks) = mpsc::channel(16);
    let parser = tokio::task::spawn_blocking(move || {
        parse(BufReader::with_capacity(
            64 * 1024,
            BodyReader {
                chunks,
                current: Bytes::new(),
            },
        ))
    });
    let mut received = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request(format!("the request body could not be read: {e}"))
        })?;
        received += chunk.len() as u64;
        if received > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        // A parser that stopped early (a broken CSV header) has its answer already.
        if sender.send(chunk).await.is_err() {
            break;
        }
    }
    drop(sender);
    let parsed = parser
        .await
        .map_err(|e| ApiError::Unexpected(anyhow::anyhow!("the import parser stopped: {e}")))?;
    Ok(parsed?)
}

/// The request body as a blocking reader, chunk by chunk as the request delivers it.
struct BodyReader {
    chunks: mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}
