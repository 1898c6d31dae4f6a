//! `GET /api/v1/brands` and `/api/v1/brands/{id}`; `POST` adds a brand and `PATCH` changes
//! one (role: admin). The default brand is described by the settings and only listed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::{ApiError, ErrorBody, ErrorDetail};
use crate::billing::brands::{self, BrandChanges, BrandError, BrandForm, BrandSummary, FieldError};
use crate::domain::{BrandId, Role};
use crate::staff::keys::Staff;
use crate::web::{AppState, read, resource};

/// The largest body: a logo of up to 64 KiB, escaped as JSON, and the other values.
const BODY_LIMIT: usize = 160 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/brands", "GET, HEAD").route(read().to(list)))
        .service(
            resource("/brands/{id}", "GET, HEAD, POST, PATCH")
                .app_data(
                    web::JsonConfig::default()
                        .limit(BODY_LIMIT)
                        .error_handler(|error, _| ApiError::from(error).into()),
                )
                .app_data(web::PayloadConfig::default().limit(BODY_LIMIT))
                .route(read().to(show))
                .route(web::post().to(add))
                .route(web::patch().to(update)),
        );
}

/// List the brands, the default one first (role: admin).
#[utoipa::path(
    get,
    path = "/api/v1/brands",
    tag = "admin",
    responses((status = 200, description = "The brands", body = Vec<BrandSummary>))
)]
pub(super) async fn list(
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<BrandSummary>>, ApiError> {
    staff.require(Role::Admin)?;
    state.brands.reload(&state.pool).await?;
    let book = state.brands.current();
    Ok(web::Json(
        book.all()
            .iter()
            .map(|b| BrandSummary::from(&**b))
            .collect(),
    ))
}

/// One brand (role: admin).
#[utoipa::path(
    get,
    path = "/api/v1/brands/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The brand's id (`default` for the default brand)")),
    responses(
        (status = 200, description = "The brand", body = BrandSummary),
        (status = 404, description = "No such brand", body = ErrorBody),
    )
)]
pub(super) async fn show(
    staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<web::Json<BrandSummary>, ApiError> {
    staff.require(Role::Admin)?;
    let id = brand_id(&id)?;
    state.brands.reload(&state.pool).await?;
    let book = state.brands.current();
    let brand = book.get(&id).ok_or_else(|| unknown(&id))?;
    Ok(web::Json(BrandSummary::from(&**brand)))
}

/// Add a brand (role: admin).
///
/// `name` and `audience` are required; every value is checked (a logo must be a plain SVG
/// drawing, a colour dark enough for white text). Its customers get links with its
/// audience from their next link on.
#[utoipa::path(
    post,
    path = "/api/v1/brands/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "1-32 of `[a-z0-9-]`, not `default`")),
    request_body = BrandForm,
    responses(
        (status = 201, description = "Added", body = BrandSummary),
        (status = 409, description = "A brand with this id exists, or the audience is taken", body = ErrorBody),
        (status = 422, description = "A value failed its check (each is listed), or the default brand", body = ErrorBody),
    )
)]
pub(super) async fn add(
    staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Json<BrandForm>,
) -> Result<HttpResponse, ApiError> {
    write(&staff, &state, &id, &form, Write::Add).await
}

/// Change a brand: the values given, the others as they are (role: admin).
#[utoipa::path(
    patch,
    path = "/api/v1/brands/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The brand's id")),
    request_body = BrandForm,
    responses(
        (status = 200, description = "Changed", body = BrandSummary),
        (status = 404, description = "No such brand", body = ErrorBody),
        (status = 409, description = "The audience is another brand's", body = ErrorBody),
        (status = 422, description = "A value failed its check (each is listed), or the default brand", body = ErrorBody),
    )
)]
pub(super) async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Json<BrandForm>,
) -> Result<HttpResponse, ApiError> {
    write(&staff, &state, &id, &form, Write::Update).await
}

enum Write {
    Add,
    Update,
}

/// Adds or changes brand `id` as `form` says, and answers with the brand as it is now.
async fn write(
    staff: &Staff,
    state: &AppState,
    id: &str,
    form: &BrandForm,
    write: Write,
) -> Result<HttpResponse, ApiError> {
    staff.require(Role::Admin)?;
    let id = brand_id(id)?;
    let changes = checked(state, form)?;
    let default = state.brands.default_brand();
    let (pool, by) = (&state.pool, staff.actor());
    let status = match write {
        Write::Add => {
            brands::add(pool, &id, &changes, default, &by).await?;
            StatusCode::CREATED
        }
        Write::Update => {
            brands::update(pool, &id, &changes, default, &by).await?;
            StatusCode::OK
        }
    };
    changed(state, &id, status).await
}

/// The brand as changed, read again so that this process shows it at once.
async fn changed(
    state: &AppState,
    id: &BrandId,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    state.brands.reload(&state.pool).await?;
    let book = state.brands.current();
    let brand = book.get(id).ok_or_else(|| unknown(id))?;
    Ok(HttpResponse::build(status).json(BrandSummary::from(&**brand)))
}

fn brand_id(raw: &str) -> Result<BrandId, ApiError> {
    BrandId::parse(raw)
        .map_err(|_| ApiError::NotFound(format!("no brand `{raw}`; GET /api/v1/brands lists them")))
}

fn unknown(id: &BrandId) -> ApiError {
    ApiError::NotFound(format!("no brand `{id}`; GET /api/v1/brands lists them"))
}

/// The form's values checked, the signing key among this deployment's keys.
fn checked(state: &AppState, form: &BrandForm) -> Result<BrandChanges, ApiError> {
    let changes = form.changes().map_err(invalid)?;
    match &changes.signing_kid {
        Some(kid) if state.minter.issuer.keyring().verifying_key(kid).is_none() => {
            Err(invalid(vec![FieldError {
                field: "signing_kid",
                message: format!("no key `{kid}` in this deployment's keys directory"),
            }]))
        }
        _ => Ok(changes),
    }
}

fn invalid(errors: Vec<FieldError>) -> ApiError {
    let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    ApiError::Unprocessable {
        error: format!("bad value(s): {}; nothing was changed", fields.join(", ")),
        details: errors
            .into_iter()
            .map(|e| ErrorDetail {
                line: None,
                field: Some(e.field.to_owned()),
                message: e.message,
            })
            .collect(),
    }
}

impl From<BrandError> for ApiError {
    fn from(error: BrandError) -> Self {
        match error {
            BrandError::Unknown(_) => ApiError::NotFound(error.to_string()),
            BrandError::Exists(_) | BrandError::AudienceTaken(_) => {
                ApiError::Conflict(error.to_string())
            }
            BrandError::Default | BrandError::Incomplete => ApiError::Unprocessable {
                error: error.to_string(),
                details: Vec::new(),
            },
            BrandError::Database(error) => error.into(),
        }
    }
}
