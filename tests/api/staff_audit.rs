//! The audit log: every state-changing staff action, listed for admins.

use billpass::domain::Actor;
use billpass::domain::Role;
use billpass::staff::keys as staff;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{BILLS_JSONL, CUSTOMERS_CSV, TestApp, spawn_app};

async fn audit(app: &TestApp, key: &str, query: &str) -> reqwest::Response {
    app.api(Method::GET, &format!("/api/v1/audit{query}"), key)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_audit_log_lists_every_staff_action_with_who_what_and_why() {
    let app = spawn_app().await;
    let started = chrono::Utc::now() - chrono::Duration::seconds(1);
    let admin = app.staff_key("root", Role::Admin).await;
    let billing = app.staff_key("bill", Role::Billing).await;
    let csr = app.staff_key("carol", Role::Csr).await;
    let send = |key: &str, path: &str, content_type: &'static str, body: String| {
        let request = app
            .api(Method::POST, path, key)
            .header("Content-Type", content_type)
            .body(body);
        async {
            let response = request.send().await.unwrap();
            assert!(
                response.status().is_success(),
                "{}",
                response.text().await.unwrap()
            );
        }
    };
    send(
        &billing,
        "/api/v1/import/customers",
        "text/csv",
        CUSTOMERS_CSV.into(),
    )
    .await;
    send(
        &billing,
        "/api/v1/import/bills",
        "application/x-ndjson",
        BILLS_JSONL.into(),
    )
    .await;
    let at = json!({ "at": "2099-01-01T06:00:00Z" }).to_string();
    send(
        &billing,
        "/api/v1/cycles/2026-10/runs",
        "application/json",
        at,
    )
    .await;
    send(
        &billing,
        "/api/v1/cycles/2026-11/runs",
        "application/json",
        String::new(),
    )
    .await;
    app.work_due_runs().await;
    let resend = json!({ "reason": "lost the email" }).to_string();
    send(
        &csr,
        "/api/v1/customers/ACC-1/resend",
        "application/json",
        resend,
    )
    .await;
    let revoke = json!({ "reason": "phone stolen" }).to_string();
    send(
        &csr,
        "/api/v1/customers/ACC-2/revoke",
        "application/json",
        revoke,
    )
    .await;
    staff::revoke_key(&app.pool, "carol", &Actor::command_line())
        .await
        .unwrap();

    let since = started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let response = audit(&app, &admin, &format!("?since={since}")).await;
    assert_eq!(response.status().as_u16(), 200);
    let page: Value = response.json().await.unwrap();
    let entries = page["entries"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor"].as_str().unwrap(),
                e["target"].as_str().unwrap(),
            )
        })
        .collect();
    let cli = Actor::command_line().name;
    assert_eq!(
        summary,
        [
            ("staff_key.create", cli.as_str(), "root"),
            ("staff_key.create", cli.as_str(), "bill"),
            ("staff_key.create", cli.as_str(), "carol"),
            ("customers.import", "staff:bill", "customers"),
            ("bills.import", "staff:bill", "bills"),
            ("cycle.schedule", "staff:bill", "2026-10"),
            ("cycle.start", "staff:bill", "2026-11"),
            ("link.resend", "staff:carol", "ACC-1"),
            ("link.revoke", "staff:carol", "ACC-2"),
            ("staff_key.revoke", cli.as_str(), "carol"),
        ]
    );
    let import = &entries[3];
    assert_eq!(import["role"], "billing");
    assert_eq!(import["details"], json!({ "inserted": 3, "updated": 0 }));
    assert_eq!(
        entries[4]["details"]["cycles"],
        json!(["2026-10", "2026-11"])
    );
    assert_eq!(entries[7]["reason"], "lost the email");
    assert_eq!(entries[8]["reason"], "phone stolen");
    assert_eq!(
        entries[9]["role"],
        Value::Null,
        "the command line has no key role"
    );
    assert_eq!(page["next_after"], Value::Null);

    let response = audit(&app, &billing, "").await;
    assert_eq!(
        response.status().as_u16(),
        403,
        "billing keys cannot read the log"
    );
}

#[tokio::test]
async fn the_audit_log_pages_with_next_after_and_checks_its_query() {
    let app = spawn_app().await;
    let admin = app.staff_key("root", Role::Admin).await;
    for name in ["a1", "a2", "a3"] {
        app.staff_key(name, Role::Csr).await;
    }
    let first: Value = audit(&app, &admin, "?limit=3").await.json().await.unwrap();
    assert_eq!(first["entries"].as_array().unwrap().len(), 3);
    let after = first["next_after"].as_i64().expect("a next page");
    let second: Value = audit(&app, &admin, &format!("?limit=3&after={after}"))
        .await
        .json()
        .await
        .unwrap();
    let targets: Vec<&Value> = second["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["target"])
        .collect();
    assert_eq!(targets, [&json!("a3")]);
    assert_eq!(second["next_after"], Value::Null);

    let future = audit(&app, &admin, "?since=2999-01-01T00:00:00Z").await;
    assert_eq!(future.json::<Value>().await.unwrap()["entries"], json!([]));
    for bad in ["?since=yesterday", "?limit=0", "?limit=5000", "?after=x"] {
        let response = audit(&app, &admin, bad).await;
        assert_eq!(response.status().as_u16(), 400, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{body}");
    }
}
