//! `GET /api/v1/openapi.json`: the API described from its own handlers and types.

use actix_web::{HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

use super::{ErrorBody, ErrorDetail, audit, brands, customers, imports, runs};
use crate::staff::keys::Staff;
use crate::web::{read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/openapi.json", "GET, HEAD").route(read().to(document)));
}

/// The staff API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "billpass staff API",
        description = "Import customers and bills, run billing cycles, look customers up, resend \
                       and revoke their links, read the audit log. Every route needs \
                       `Authorization: Bearer <key>` (`billpass staff create-key`); the key's role \
                       (`billing`, `csr`, `admin`) decides what it may do. Errors are JSON \
                       `{\"error\": \"…\", \"details\": […]}`."
    ),
    paths(
        imports::customers,
        imports::bills,
        runs::start,
        runs::list,
        runs::show,
        runs::cancel,
        runs::report,
        customers::search,
        customers::show,
        customers::resend,
        customers::revoke,
        audit::list,
        brands::list,
        brands::show,
        brands::add,
        brands::update,
        document,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&BearerKeys),
    security(("bearer" = [])),
    tags(
        (name = "billing", description = "Billing staff: imports and cycle runs (billing or admin keys)"),
        (name = "csr", description = "Customer service: lookups, resends, revocations (csr or admin keys)"),
        (name = "admin", description = "The audit log and the brands (admin keys)"),
        (name = "meta", description = "This document (any key)"),
    )
)]
pub struct ApiDoc;

/// The bearer scheme, and the refusals routes share: 401 without a valid key, 500 and 503
/// (database unreachable) on every route; 403 on each route with a role check; 400, 413 and
/// 415 on each route with a body.
struct BearerKeys;

impl utoipa::Modify for BearerKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("bp_…")
                        .description(Some("An API key from `billpass staff create-key`"))
                        .build(),
                ),
            );
        }
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let role_checked = operation
                    .tags
                    .as_ref()
                    .is_some_and(|tags| !tags.iter().any(|t| t == "meta"));
                let has_body = operation.request_body.is_some();
                let responses = &mut operation.responses.responses;
                for (status, applies, description) in [
                    (
                        "401",
                        true,
                        "No key, or an unknown or revoked one (`WWW-Authenticate: Bearer`)",
                    ),
                    (
                        "403",
                        role_checked,
                        "The key's role does not cover this route",
                    ),
                    (
                        "400",
                        has_body,
                        "The body is malformed (not JSON, or unreadable)",
                    ),
                    (
                        "413",
                        has_body,
                        "The body is too large: 16 KiB for JSON, `BILLPASS_API_IMPORT_LIMIT` for imports",
                    ),
                    (
                        "415",
                        has_body,
                        "The body's `Content-Type` is not one this route takes",
                    ),
                    ("500", true, "A failure on our side, logged"),
                    (
                        "503",
                        true,
                        "The database is unreachable; retry after `Retry-After`",
                    ),
                ] {
                    if applies {
                        responses
                            .entry(status.into())
                            .or_insert_with(|| error(description).into());
                    }
                }
            }
        }
    }
}

/// This document (any role).
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses((status = 200, description = "OpenAPI document", content_type = "application/json"))
)]
pub(super) async fn document(_staff: Staff) -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
