//! Liveness, readiness, metrics and the public signing keys.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use super::{AppState, read, resource};
use crate::observe::metrics;

/// A readiness check that takes longer than this fails: the database is as good as gone.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

pub fn routes(cfg: &mut web::ServiceConfig) {
    for (path, handler) in [
        ("/healthz", read().to(healthz)),
        ("/readyz", read().to(readyz)),
        ("/metrics", read().to(prometheus)),
        ("/.well-known/jwks.json", read().to(jwks)),
    ] {
        cfg.service(resource(path, "GET, HEAD").route(handler));
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Ready when the database answers and every migration this binary knows is applied.
async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let expected = sqlx::migrate!().iter().count() as i64;
    let applied = tokio::time::timeout(
        READY_TIMEOUT,
        sqlx::query_scalar!(r#"SELECT count(*) AS "applied!" FROM _sqlx_migrations WHERE success"#)
            .fetch_one(&state.pool),
    )
    .await;
    match applied {
        Ok(Ok(n)) if n >= expected => {
            HttpResponse::Ok().json(serde_json::json!({ "status": "ready" }))
        }
        Ok(Ok(n)) => HttpResponse::ServiceUnavailable()
            .json(serde_json::json!({ "status": "migrations pending", "applied": n, "expected": expected })),
        Ok(Err(error)) => {
            tracing::warn!("readiness check: {error}");
            unreachable_database()
        }
        Err(_) => {
            tracing::warn!("readiness check: no answer from the database within {READY_TIMEOUT:?}");
            unreachable_database()
        }
    }
}

fn unreachable_database() -> HttpResponse {
    HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "database unreachable" }))
}

/// The Prometheus text format. It holds no personal data; operators usually keep it off
/// the public side of their proxy all the same.
async fn prometheus(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics::render(&state.pool).await)
}

async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .content_type("application/jwk-set+json")
        .json(state.minter.issuer.keyring().jwks())
}
