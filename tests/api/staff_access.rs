//! The staff API's door: who may call what, and the shape of every refusal.

use std::collections::BTreeSet;

use billpass::domain::Actor;
use billpass::domain::Role;
use billpass::staff::keys as staff;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};

use crate::helpers::{TestApp, server_url, spawn_app};

/// One route of the API, called as its role would, and the roles that may call it.
struct Route {
    method: Method,
    /// As the OpenAPI document writes it.
    pattern: &'static str,
    path: &'static str,
    body: Option<(&'static str, String)>,
    roles: &'static [Role],
}

const BILLING: &[Role] = &[Role::Billing, Role::Admin];
const CSR: &[Role] = &[Role::Csr, Role::Admin];
const ADMIN: &[Role] = &[Role::Admin];
const ANY: &[Role] = &[Role::Billing, Role::Csr, Role::Admin];

fn routes() -> Vec<Route> {
    let json = |value: Value| Some(("application/json", value.to_string()));
    vec![
        Route {
            method: Method::POST,
            pattern: "/api/v1/import/customers",
            path: "/api/v1/import/customers",
            body: Some(("text/csv", crate::helpers::CUSTOMERS_CSV.to_owned())),
            roles: BILLING,
        },
        Route {
            method: Method::POST,
            pattern: "/api/v1/import/bills",
            path: "/api/v1/import/bills",
            body: Some((
                "application/x-ndjson",
                crate::helpers::BILLS_JSONL.to_owned(),
            )),
            roles: BILLING,
        },
        Route {
            method: Method::POST,
            pattern: "/api/v1/cycles/{cycle}/runs",
            path: "/api/v1/cycles/2026-11/runs",
            body: None,
            roles: BILLING,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/runs/{run_id}",
            path: "/api/v1/runs/1",
            body: None,
            roles: BILLING,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/runs",
            path: "/api/v1/runs?cycle=2026-11",
            body: None,
            roles: BILLING,
        },
        Route {
            method: Method::DELETE,
            pattern: "/api/v1/runs/{run_id}",
            path: "/api/v1/runs/1",
            body: None,
            roles: BILLING,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/cycles/{cycle}/report",
            path: "/api/v1/cycles/2026-11/report",
            body: None,
            roles: BILLING,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/customers",
            path: "/api/v1/customers?q=jane",
            body: None,
            roles: CSR,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/customers/{account_id}",
            path: "/api/v1/customers/ACC-1",
            body: None,
            roles: CSR,
        },
        Route {
            method: Method::POST,
            pattern: "/api/v1/customers/{account_id}/resend",
            path: "/api/v1/customers/ACC-1/resend",
            body: json(json!({ "channel": null, "reason": "asked by phone" })),
            roles: CSR,
        },
        Route {
            method: Method::POST,
            pattern: "/api/v1/customers/{account_id}/revoke",
            path: "/api/v1/customers/ACC-2/revoke",
            body: json(json!({ "reason": "reported lost phone" })),
            roles: CSR,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/audit",
            path: "/api/v1/audit?since=2020-01-01T00:00:00Z",
            body: None,
            roles: ADMIN,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/brands",
            path: "/api/v1/brands",
            body: None,
            roles: ADMIN,
        },
        Route {
            method: Method::POST,
            pattern: "/api/v1/brands/{id}",
            path: "/api/v1/brands/water",
            body: json(json!({ "name": "Acme Water", "audience": "water" })),
            roles: ADMIN,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/brands/{id}",
            path: "/api/v1/brands/default",
            body: None,
            roles: ADMIN,
        },
        Route {
            method: Method::PATCH,
            pattern: "/api/v1/brands/{id}",
            path: "/api/v1/brands/water",
            body: json(json!({ "support_hours": "Mon-Fri 9-17" })),
            roles: ADMIN,
        },
        Route {
            method: Method::GET,
            pattern: "/api/v1/openapi.json",
            path: "/api/v1/openapi.json",
            body: None,
            roles: ANY,
        },
    ]
}

async fn call(app: &TestApp, route: &Route, key: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .request(route.method.clone(), app.url(route.path));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    if let Some((content_type, body)) = &route.body {
        request = request
            .header("Content-Type", *content_type)
            .body(body.clone());
    }
    request.send().await.unwrap()
}

/// The JSON error body, checked for its shape.
async fn error_body(response: reqwest::Response) -> Value {
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert!(body["details"].is_array(), "{body}");
    body
}

async fn app_with_cycle_sent() -> TestApp {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app
}

#[tokio::test]
async fn every_route_answers_each_key_by_its_role() {
    let app = app_with_cycle_sent().await;
    let revoked = app.staff_key("gone", Role::Admin).await;
    staff::revoke_key(&app.pool, "gone", &Actor::command_line())
        .await
        .unwrap();
    let unknown = format!("bp_{}", "A".repeat(43));
    let mut keys = vec![];
    for role in [Role::Billing, Role::Csr, Role::Admin] {
        keys.push((role, app.staff_key(&format!("{role}-1"), role).await));
    }

    for route in routes() {
        let name = format!("{} {}", route.method, route.path);
        for (who, key) in [
            ("no key", None),
            ("unknown key", Some(unknown.as_str())),
            ("revoked key", Some(revoked.as_str())),
            ("not a bearer key", Some("Basic YWxpY2U6c2VjcmV0")),
        ] {
            let response = call(&app, &route, key).await;
            assert_eq!(response.status().as_u16(), 401, "{name} with {who}");
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer realm=\"billpass\"",
                "{name} with {who}"
            );
            error_body(response).await;
        }
        for (role, key) in &keys {
            let response = call(&app, &route, Some(key)).await;
            let status = response.status().as_u16();
            if route.roles.contains(role) {
                // Past the door; a second revoke of the same link is a fair 409.
                assert!(
                    status < 400 || status == 409,
                    "{name} as {role}: {status} {}",
                    response.text().await.unwrap()
                );
            } else {
                assert_eq!(status, 403, "{name} as {role}");
                let body = error_body(response).await;
                assert!(
                    body["error"].as_str().unwrap().contains(&role.to_string()),
                    "{body}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_openapi_document_covers_every_route_its_key_and_its_errors() {
    let app = spawn_app().await;
    let key = app.staff_key("reader", Role::Billing).await;
    let response = app
        .api(Method::GET, "/api/v1/openapi.json", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let doc: Value = response.json().await.unwrap();

    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> = routes()
        .iter()
        .map(|r| (r.method.to_string(), r.pattern.to_owned()))
        .collect();
    assert_eq!(documented, served);

    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(doc["security"], json!([{ "bearer": [] }]));
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for route in routes() {
        let operation = &doc["paths"][route.pattern][route.method.as_str().to_lowercase()];
        for status in ["401", "503"] {
            assert!(
                operation["responses"][status].is_object(),
                "{} {} documents {status}",
                route.method,
                route.pattern
            );
        }
        assert_eq!(
            operation["responses"]["403"].is_object(),
            route.roles != ANY,
            "{} {} documents 403 when a role can be refused",
            route.method,
            route.pattern
        );
    }
}

#[tokio::test]
async fn callers_without_a_valid_key_cannot_tell_which_customers_exist() {
    let app = app_with_cycle_sent().await;
    let mut answers = vec![];
    for account in ["ACC-1", "NOBODY"] {
        let response = app
            .client
            .get(app.url(&format!("/api/v1/customers/{account}")))
            .send()
            .await
            .unwrap();
        answers.push((response.status().as_u16(), response.text().await.unwrap()));
    }
    assert_eq!(answers[0].0, 401);
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn malformed_json_gets_400_with_a_json_body() {
    let app = app_with_cycle_sent().await;
    let key = app.staff_key("carol", Role::Csr).await;
    let response = app
        .api(Method::POST, "/api/v1/customers/ACC-1/resend", &key)
        .header("Content-Type", "application/json")
        .body(r#"{"reason": "customer asked"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body = error_body(response).await;
    assert!(
        body["error"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );
}

#[tokio::test]
async fn bodies_of_the_wrong_shape_type_or_size_get_json_errors() {
    let app = app_with_cycle_sent().await;
    let key = app.staff_key("carol", Role::Csr).await;
    let resend = |content_type: &'static str, body: String| {
        let request = app
            .api(Method::POST, "/api/v1/customers/ACC-1/resend", &key)
            .header("Content-Type", content_type)
            .body(body);
        async { request.send().await.unwrap() }
    };

    let response = resend(
        "application/json",
        json!({ "channel": "email" }).to_string(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    let body = error_body(response).await;
    assert!(body["error"].as_str().unwrap().contains("reason"), "{body}");

    let response = resend(
        "application/json",
        json!({ "channel": "fax", "reason": "x" }).to_string(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 422);
    error_body(response).await;

    let response = resend("text/plain", "resend please".into()).await;
    assert_eq!(response.status().as_u16(), 415);
    error_body(response).await;

    let huge = json!({ "reason": "x".repeat(20_000) }).to_string();
    let response = resend("application/json", huge).await;
    assert_eq!(response.status().as_u16(), 413);
    error_body(response).await;

    let minted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM link_tokens WHERE reason = 'resend'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(minted, 0, "no refused request minted a link");
}

#[tokio::test]
async fn unknown_routes_get_404_and_other_methods_of_a_route_405_with_allow_in_json() {
    let app = spawn_app().await;
    let key = app.staff_key("root", Role::Admin).await;
    for (method, path) in [
        (Method::GET, "/api/v1/nothing-here"),
        (Method::GET, "/api/v1/runs/not-a-number"),
    ] {
        let response = app.api(method.clone(), path, &key).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 404, "{method} {path}");
        error_body(response).await;
    }
    for (method, path, allow) in [
        (Method::GET, "/api/v1/cycles/2026-11/runs", "POST"),
        (Method::DELETE, "/api/v1/customers/ACC-1", "GET, HEAD"),
        (
            Method::from_bytes(b"TRACE").unwrap(),
            "/api/v1/audit",
            "GET, HEAD",
        ),
        (Method::PUT, "/api/v1/import/bills", "POST"),
    ] {
        let response = app.api(method.clone(), path, &key).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        error_body(response).await;
    }
}

#[tokio::test]
async fn what_the_openapi_document_allows_the_handlers_take_and_what_they_refuse_it_says() {
    let app = app_with_cycle_sent().await;
    let admin = app.staff_key("root", Role::Admin).await;
    let doc: Value = app
        .api(Method::GET, "/api/v1/openapi.json", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // `limit` is 1 to 1000: the document says so, and the handler refuses 0 with a 400.
    let limit = doc["paths"]["/api/v1/audit"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap();
    assert_eq!(limit["schema"]["minimum"], 1, "{limit}");
    assert_eq!(limit["schema"]["maximum"], 1000, "{limit}");
    let zero = app
        .api(Method::GET, "/api/v1/audit?limit=0", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(zero.status().as_u16(), 400);

    // A reason is 1 to 500 characters, in the document as in the handler.
    for schema in ["ResendRequest", "RevokeRequest"] {
        let reason = &doc["components"]["schemas"][schema]["properties"]["reason"];
        assert_eq!(reason["minLength"], 1, "{schema}: {reason}");
        assert_eq!(reason["maxLength"], 500, "{schema}: {reason}");
    }

    // An empty file imports nothing, and says so.
    for (path, content_type) in [
        ("/api/v1/import/customers", "text/csv"),
        ("/api/v1/import/bills", "application/x-ndjson"),
    ] {
        let response = app
            .api(Method::POST, path, &admin)
            .header("Content-Type", content_type)
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        assert_eq!(
            response.json::<Value>().await.unwrap(),
            json!({ "inserted": 0, "updated": 0 }),
            "{path}"
        );
    }

    // A `null` body starts the run now, as an absent one does.
    let response = app
        .api(Method::POST, "/api/v1/cycles/2026-10/runs", &admin)
        .header("Content-Type", "application/json")
        .body("null")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);

    // A time the date library reads but PostgreSQL cannot store: 400 naming the field.
    for since in ["-4714-01-01T00:00:00Z", "%2B262142-01-01T00:00:00Z"] {
        let response = app
            .api(Method::GET, &format!("/api/v1/audit?since={since}"), &admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{since}");
        let body = error_body(response).await;
        assert!(body["error"].as_str().unwrap().contains("since"), "{body}");
    }
    let far = json!({ "at": "+262142-01-01T00:00:00Z" }).to_string();
    let response = app
        .api(Method::POST, "/api/v1/cycles/2026-10/runs", &admin)
        .header("Content-Type", "application/json")
        .body(far)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    let body = error_body(response).await;
    assert!(body["error"].as_str().unwrap().contains("at"), "{body}");
}

#[tokio::test]
async fn an_unreachable_database_answers_503_json() {
    let app = spawn_app().await;
    let key = app.staff_key("root", Role::Admin).await;
    // The database takes no more connections and ends the ones it has, the server's too.
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut server = PgConnection::connect(&format!("{}/postgres", server_url()))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        r#"ALTER DATABASE "{database}" ALLOW_CONNECTIONS false"#
    )))
    .execute(&mut server)
    .await
    .unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&database)
        .execute(&mut server)
        .await
        .unwrap();
    let response = app
        .api(Method::GET, "/api/v1/customers/ACC-1", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert!(response.headers().contains_key("retry-after"));
    error_body(response).await;
}
