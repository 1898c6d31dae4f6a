//! Billing staff's uploads: customers (CSV or JSON Lines) or bills (JSON Lines), all or
//! nothing as through the API, every bad line listed.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use futures_util::{StreamExt, TryStreamExt};

use super::pages::{ImportFailure, ImportsPage};
use super::session::{Console, ConsoleError};
use crate::billing::import::{Bills, CustomerFormat, Customers, ImportError, ImportSummary};
use crate::domain::Role;
use crate::web::{html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/imports", "GET, HEAD, POST")
            .route(read().to(form))
            .route(web::post().to(upload)),
    );
}

fn page(
    console: &Console,
    status: StatusCode,
    outcome: &str,
    done: Option<String>,
    failure: Option<ImportFailure>,
) -> HttpResponse {
    html(
        status,
        &ImportsPage {
            brand: console.brand(),
            nav: Some(console.nav("imports")),
            csrf: &console.session.csrf_token,
            limit: bytesize::ByteSize(console.state.config.api_import_limit).to_string(),
            outcome,
            done,
            failure,
        },
    )
}

async fn form(console: Console) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    Ok(page(&console, StatusCode::OK, "form", None, None))
}

/// What the form sent.
#[derive(Default)]
struct Upload {
    csrf: String,
    kind: String,
    file: Vec<u8>,
}

/// Reads the form's fields; the file up to the import limit.
async fn read_upload(mut form: Multipart, limit: u64) -> Result<Upload, UploadError> {
    let mut upload = Upload::default();
    while let Some(mut field) = form.try_next().await.map_err(UploadError::unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        let cap = match name.as_str() {
            "file" => limit,
            _ => 256,
        };
        let mut value = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(UploadError::unreadable)?;
            if (value.len() + chunk.len()) as u64 > cap {
                return Err(match name.as_str() {
                    "file" => UploadError::TooLarge,
                    _ => UploadError::Unreadable(format!("the field {name} is too long")),
                });
            }
            value.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8_lossy(&value).into_owned();
        match name.as_str() {
            "csrf" => upload.csrf = text(),
            "kind" => upload.kind = text(),
            "file" => upload.file = value,
            _ => {}
        }
    }
    Ok(upload)
}

enum UploadError {
    TooLarge,
    Unreadable(String),
}

impl UploadError {
    fn unreadable(error: impl std::fmt::Display) -> Self {
        UploadError::Unreadable(format!("the upload could not be read: {error}"))
    }
}

async fn upload(console: Console, form: Multipart) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    let limit = console.state.config.api_import_limit;
    let upload = match read_upload(form, limit).await {
        Ok(upload) => upload,
        Err(UploadError::TooLarge) => {
            let failure = ImportFailure::titled(format!(
                "The file is larger than {}: split it into smaller files",
                bytesize::ByteSize(limit)
            ));
            return Ok(page(
                &console,
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                None,
                Some(failure),
            ));
        }
        Err(UploadError::Unreadable(problem)) => return Err(ConsoleError::BadForm(problem)),
    };
    console.check_form(&upload.csrf)?;
    let refuse = |status, title: &str| {
        Ok(page(
            &console,
            status,
            "refused",
            None,
            Some(ImportFailure::titled(title.to_owned())),
        ))
    };
    if upload.file.iter().all(u8::is_ascii_whitespace) {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a file with at least one line to import",
        );
    }
    let by = console.session.member.actor();
    let pool = console.state.pool.clone();
    let file = upload.file;
    let (what, stored) = match upload.kind.as_str() {
        "customers" => {
            let json = file.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
            let format = if json {
                CustomerFormat::JsonLines
            } else {
                CustomerFormat::Csv
            };
            let parsed = web::block(move || Customers::parse(format, &file[..]))
                .await
                .map_err(anyhow::Error::from)?;
            (
                "customers",
                store(parsed, async |c: Customers| c.store(&pool, &by).await).await,
            )
        }
        "bills" => {
            let parsed = web::block(move || Bills::parse(&file[..]))
                .await
                .map_err(anyhow::Error::from)?;
            (
                "bills",
                store(parsed, async |b: Bills| b.store(&pool, &by).await).await,
            )
        }
        _ => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Choose whether the file holds customers or bills",
            );
        }
    };
    match stored {
        Ok(summary) => {
            let done = format!(
                "Imported {what}: {} new, {} updated.",
                summary.inserted, summary.updated
            );
            Ok(page(&console, StatusCode::OK, "imported", Some(done), None))
        }
        Err(ImportError::Rows { errors, more }) => {
            let failure = ImportFailure {
                title: format!("{} line(s) could not be imported", errors.len() + more),
                rows: errors,
                more,
            };
            Ok(page(
                &console,
                StatusCode::UNPROCESSABLE_ENTITY,
                "rejected",
                None,
                Some(failure),
            ))
        }
        Err(ImportError::Unexpected(error)) => Err(error.into()),
    }
}

/// Stores what parsed; a parse's errors as they are.
async fn store<T>(
    parsed: Result<T, ImportError>,
    store: impl AsyncFnOnce(T) -> Result<ImportSummary, ImportError>,
) -> Result<ImportSummary, ImportError> {
    store(parsed?).await
}
