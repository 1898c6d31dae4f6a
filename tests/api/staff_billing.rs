//! Billing staff through the API: imports, cycle runs, and watching them.

use std::time::Duration;

use billpass::cycle::runner::{MAX_FAILED_ATTEMPTS, Runner};
use billpass::domain::{Role, RunId};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{BILLS_JSONL, CUSTOMERS_CSV, TestApp, spawn_app, spawn_app_with};

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn import(
    app: &TestApp,
    key: &str,
    what: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.api(Method::POST, &format!("/api/v1/import/{what}"), key)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn billing_imports_customers_and_bills_and_reimports_update() {
    let app = spawn_app().await;
    let key = app.staff_key("bill", Role::Billing).await;

    let response = import(
        &app,
        &key,
        "customers",
        "text/csv; charset=utf-8",
        CUSTOMERS_CSV,
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "inserted": 3, "updated": 0 })
    );
    let jsonl = r#"{"account_id":"ACC-1","name":"Jane Q. Doe","email":"jane@example.com","phone":null,"channel":"email","locale":"en"}
{"account_id":"ACC-4","name":"New Person","email":"new@example.com","phone":null,"channel":"","locale":"en"}"#;
    let response = import(&app, &key, "customers", "application/x-ndjson", jsonl).await;
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "inserted": 1, "updated": 1 })
    );

    let response = import(&app, &key, "bills", "application/x-ndjson", BILLS_JSONL).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "inserted": 5, "updated": 0 })
    );
    assert_eq!(count(&app, "customers").await, 4);
    assert_eq!(count(&app, "bills").await, 5);
}

#[tokio::test]
async fn a_bad_import_lists_every_bad_line_and_stores_nothing() {
    let app = spawn_app().await;
    let key = app.staff_key("bill", Role::Billing).await;
    let csv = "\
account_id,name,email,phone,channel,locale
ACC-1,Jane Doe,jane@example.com,,email,en
ACC-2,No Contact,,,,en
ACC-3,Bad Phone,,5551234,,en
";
    let response = import(&app, &key, "customers", "text/csv", csv).await;
    assert_eq!(response.status().as_u16(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("2 bad row(s); nothing was stored"),
        "{body}"
    );
    assert_eq!(body["details"][0]["line"], 3);
    assert_eq!(body["details"][0]["field"], "email");
    assert_eq!(body["details"][1]["line"], 4);
    assert_eq!(body["details"][1]["field"], "phone");
    assert_eq!(
        count(&app, "customers").await,
        0,
        "the good row was not stored either"
    );

    let bills = format!(
        "{}\n{{\"account_id\":\"ACC-9\"}}\n",
        BILLS_JSONL.lines().next().unwrap()
    );
    let response = import(&app, &key, "bills", "application/x-ndjson", bills).await;
    assert_eq!(response.status().as_u16(), 422);
    let body: Value = response.json().await.unwrap();
    let lines: Vec<&Value> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["line"])
        .collect();
    assert!(lines.iter().all(|l| **l == 2), "only line 2 is bad: {body}");
    assert_eq!(count(&app, "bills").await, 0);
    assert_eq!(
        count(&app, "audit_log WHERE action LIKE '%.import'").await,
        0,
        "a failed import is no action"
    );
}

#[tokio::test]
async fn an_import_over_the_size_limit_is_refused_with_413_and_stores_nothing() {
    let app = spawn_app_with(&["--api-import-limit", "1KiB"]).await;
    let key = app.staff_key("bill", Role::Billing).await;
    let mut csv = String::from("account_id,name,email,phone,channel,locale\n");
    for i in 0..100 {
        csv.push_str(&format!("ACC-{i},Person {i},p{i}@example.com,,email,en\n"));
    }
    assert!(csv.len() > 1024);

    let response = import(&app, &key, "customers", "text/csv", csv.clone()).await;
    assert_eq!(response.status().as_u16(), 413, "with Content-Length");
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("1024 bytes"),
        "{body}"
    );

    let response = post_chunked(&app, "/api/v1/import/customers", &key, &csv).await;
    assert!(
        response.starts_with("HTTP/1.1 413"),
        "streamed without a length: {response}"
    );
    assert!(response.contains("1024 bytes"), "{response}");
    assert_eq!(count(&app, "customers").await, 0);
}

/// Posts `body` as CSV in chunks of a line each, with no `Content-Length`, as a client
/// streaming a file does; returns the raw response.
async fn post_chunked(app: &TestApp, path: &str, key: &str, body: &str) -> String {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for line in body.split_inclusive('\n') {
        request.push_str(&format!("{:x}\r\n{line}\r\n", line.len()));
    }
    request.push_str("0\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    // The server may close without reading the rest; what it answered is all we need.
    let _ = stream.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn an_import_of_another_content_type_is_refused_with_415() {
    let app = spawn_app().await;
    let key = app.staff_key("bill", Role::Billing).await;
    for (what, content_type) in [
        ("customers", "application/json"),
        ("bills", "text/csv"),
        ("bills", ""),
    ] {
        let mut request = app.api(Method::POST, &format!("/api/v1/import/{what}"), &key);
        if !content_type.is_empty() {
            request = request.header("Content-Type", content_type);
        }
        let response = request.body(BILLS_JSONL).send().await.unwrap();
        assert_eq!(
            response.status().as_u16(),
            415,
            "{what} as {content_type:?}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("application/x-ndjson"),
            "{body}"
        );
    }
}

async fn run(app: &TestApp, key: &str, run: &Value) -> Value {
    let path = format!("/api/v1/runs/{}", run["run_id"]);
    let response = app.api(Method::GET, &path, key).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn billing_starts_a_cycle_run_and_watches_it_complete() {
    let app = spawn_app().await;
    let key = app.staff_key("bill", Role::Billing).await;
    import(&app, &key, "customers", "text/csv", CUSTOMERS_CSV).await;
    import(&app, &key, "bills", "application/x-ndjson", BILLS_JSONL).await;

    let response = app
        .api(Method::POST, "/api/v1/cycles/2026-11/runs", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let started: Value = response.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/runs/{}", started["run_id"]));
    assert_eq!(
        started["status"], "scheduled",
        "a worker has not taken it yet"
    );

    app.work_due_runs().await;
    let done = run(&app, &key, &started).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        (
            &done["total"],
            &done["minted"],
            &done["queued"],
            &done["skipped"]
        ),
        (&json!(3), &json!(3), &json!(3), &json!(0))
    );

    let again = app
        .api(Method::POST, "/api/v1/cycles/2026-11/runs", &key)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(again["run_id"], started["run_id"]);
    app.work_due_runs().await;
    let rerun = run(&app, &key, &again).await;
    assert_eq!(
        (&rerun["minted"], &rerun["skipped"]),
        (&json!(0), &json!(3))
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM deliveries")
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        3,
        "a second run of the cycle sends nothing new"
    );
}

#[tokio::test]
async fn a_scheduled_run_waits_for_its_time_and_a_second_one_conflicts() {
    let app = spawn_app().await;
    app.load_examples().await;
    let key = app.staff_key("bill", Role::Billing).await;
    let at = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let schedule = || async {
        app.api(Method::POST, "/api/v1/cycles/2026-11/runs", &key)
            .json(&json!({ "at": at }))
            .send()
            .await
            .unwrap()
    };
    let response = schedule().await;
    assert_eq!(response.status().as_u16(), 202);
    let scheduled: Value = response.json().await.unwrap();
    assert_eq!(scheduled["status"], "scheduled");

    app.work_due_runs().await;
    assert_eq!(run(&app, &key, &scheduled).await["status"], "scheduled");

    let response = schedule().await;
    assert_eq!(response.status().as_u16(), 409);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("already has a run"),
        "{body}"
    );
}

#[tokio::test]
async fn a_run_of_a_cycle_without_bills_or_with_a_bad_id_is_refused() {
    let app = spawn_app().await;
    app.load_examples().await;
    let key = app.staff_key("bill", Role::Billing).await;
    for (path, field) in [
        ("/api/v1/cycles/2099-01/runs", "no bills in cycle 2099-01"),
        (
            "/api/v1/cycles/not%20a%20cycle/runs",
            "cycle id like 2026-11",
        ),
    ] {
        let response = app.api(Method::POST, path, &key).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 422, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains(field), "{body}");
    }
    let response = app
        .api(Method::GET, "/api/v1/runs/999", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(count(&app, "cycle_runs").await, 0);
}

#[tokio::test]
async fn a_run_whose_attempts_keep_failing_is_marked_failed_with_its_error() {
    let app = spawn_app().await;
    app.load_examples().await;
    let key = app.staff_key("bill", Role::Billing).await;
    sqlx::raw_sql(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$;
         CREATE TRIGGER refuse BEFORE INSERT ON deliveries FOR EACH STATEMENT EXECUTE FUNCTION refuse();",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let started: Value = app
        .api(Method::POST, "/api/v1/cycles/2026-11/runs", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let run_id = RunId(started["run_id"].as_i64().unwrap());

    let runner = Runner::new(
        app.pool.clone(),
        app.minter.clone(),
        Duration::from_secs(30),
    );
    for attempt in 1..=MAX_FAILED_ATTEMPTS {
        let worked = runner.work(run_id, |_| {}).await;
        assert!(
            worked.is_err(),
            "attempt {attempt}: {worked:?}; the run: {}",
            run(&app, &key, &started).await
        );
        let status = run(&app, &key, &started).await["status"].clone();
        let expected = if attempt < MAX_FAILED_ATTEMPTS {
            "running"
        } else {
            "failed"
        };
        assert_eq!(status, expected, "after attempt {attempt}");
    }
    let failed = run(&app, &key, &started).await;
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("the disk is full"),
        "{failed}"
    );
    assert!(failed["finished_at"].is_string());
    app.work_due_runs().await;
    assert_eq!(
        run(&app, &key, &started).await["status"],
        "failed",
        "not retried for ever"
    );
}
