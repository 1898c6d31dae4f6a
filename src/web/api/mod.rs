//! The staff API under `/api/v1`: Bearer keys with roles, JSON in and out, and JSON errors
//! for everything that goes wrong, including requests no handler reached.
//!
//! Every request is authenticated before anything else is looked at (its body, its route,
//! whether a customer exists): no key, or an unknown or revoked one, gets 401. Each
//! handler then opens with its role check (`staff.require(Role::Csr)?`), 403 for a role
//! that does not cover it.

mod audit;
mod brands;
mod customers;
mod error;
mod imports;
mod openapi;
mod runs;

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers, Next, from_fn};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};

pub use error::{ApiError, ErrorBody, ErrorDetail};

use super::AppState;
use crate::staff::keys::{self as staff, Staff};

/// The largest JSON body a route other than an import accepts.
const JSON_LIMIT: usize = 16 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_LIMIT)
                    .error_handler(|error, _| ApiError::from(error).into()),
            )
            .app_data(web::PayloadConfig::default().limit(JSON_LIMIT))
            .app_data(web::QueryConfig::default().error_handler(|error, _| {
                ApiError::bad_request(format!("bad query string: {error}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, request| {
                ApiError::NotFound(format!("nothing at {}", request.path())).into()
            }))
            .wrap(from_fn(authenticate))
            .wrap(ErrorHandlers::new().default_handler(json_error))
            .configure(imports::routes)
            .configure(runs::routes)
            .configure(customers::routes)
            .configure(audit::routes)
            .configure(brands::routes)
            .configure(openapi::routes)
            .default_service(web::to(no_route)),
    );
}

/// Whether a response already carries a JSON body.
pub fn is_json<B>(response: &HttpResponse<B>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The key in `Authorization: Bearer <key>`.
fn bearer(request: &ServiceRequest) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, key) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
}

/// Authenticates the key, then hands the request on with its [`Staff`]; 401 without one.
async fn authenticate(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = request
        .app_data::<web::Data<AppState>>()
        .expect("the app state is registered")
        .clone();
    let staff = match bearer(&request) {
        Some(key) => staff::authenticate(&state.pool, key).await,
        None => Ok(None),
    };
    match staff {
        Ok(Some(staff)) => {
            request.extensions_mut().insert(staff);
            Ok(next.call(request).await?.map_into_left_body())
        }
        Ok(None) => Ok(request
            .error_response(ApiError::Unauthorized)
            .map_into_right_body()),
        Err(error) => Ok(request
            .error_response(ApiError::from(error))
            .map_into_right_body()),
    }
}

/// The holder of the request's key, as [`authenticate`] found it.
impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            request
                .extensions()
                .get::<Staff>()
                .cloned()
                .ok_or(ApiError::Unauthorized),
        )
    }
}

/// Gives any error answer without a JSON body (actix's own 404, 405, 413…) the API's shape.
fn json_error<B: MessageBody + 'static>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if is_json(response.response()) {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (request, original) = response.into_parts();
    let body = ErrorBody {
        error: status.canonical_reason().unwrap_or("error").to_lowercase(),
        details: Vec::new(),
    };
    let mut replaced = original.set_body(serde_json::to_string(&body).unwrap_or_default());
    replaced.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, replaced)
            .map_into_boxed_body()
            .map_into_right_body(),
    ))
}

async fn no_route(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "no route {} {}; GET /api/v1/openapi.json lists them",
        request.method(),
        request.path()
    )))
}
