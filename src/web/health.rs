//! Liveness, readiness and the public signing keys.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/.well-known/jwks.json", web::get().to(jwks));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers and every migration this binary knows is applied.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let expected = sqlx::migrate!().iter().count() as i64;
    let applied: Result<i64, _> =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&state.pool)
            .await;
    match applied {
        Ok(n) if n >= expected => HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })),
        Ok(n) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "migrations pending", "applied": n, "expected": expected })),
        Err(error) => {
            tracing::warn!("readiness check: {error}");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "database unreachable" }))
        }
    }
}

async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .content_type("application/jwk-set+json")
        .json(state.minter.issuer.keyring().jwks())
}
