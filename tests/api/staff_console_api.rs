//! What the staff console reads, through the API: customer search, the list of runs,
//! cancelling a scheduled run, and the cycle report.

use billpass::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn get(app: &TestApp, key: &str, path: &str) -> (u16, Value) {
    let response = app.api(Method::GET, path, key).send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

fn accounts(results: &Value) -> Vec<&str> {
    results["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["account_id"].as_str().unwrap())
        .collect()
}

const MORE_CUSTOMERS: &str = "\
account_id,name,email,phone,channel,locale
ACC-10,Zoë Øyen-Müller,zoe@example.net,+493023125456,,de-DE
ACC-11,Siobhán O'Connor,siobhan@example.org,+447700900123,sms,en-GB
ACC-12,Zoe Oyen,zoe.o@example.com,,email,en-US
ACC-13,100% Pure_Name,pure@example.com,,email,en-US
";

#[tokio::test]
async fn a_csr_finds_customers_by_account_name_email_or_phone_as_typed() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.import_customers(MORE_CUSTOMERS).await;
    let key = app.staff_key("carol", Role::Csr).await;
    let search = |q: &str| {
        let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
        format!("/api/v1/customers?q={q}")
    };

    // An account id in any case.
    let (status, found) = get(&app, &key, &search("acc-1")).await;
    assert_eq!(status, 200);
    assert_eq!(accounts(&found)[0], "ACC-1", "{found}");
    // Part of a name, whatever its case and accents, best match first.
    let (_, found) = get(&app, &key, &search("zoe oyen")).await;
    assert_eq!(accounts(&found), ["ACC-12", "ACC-10"], "{found}");
    let (_, found) = get(&app, &key, &search("MÜLLER")).await;
    assert_eq!(accounts(&found), ["ACC-10"]);
    let (_, found) = get(&app, &key, &search("siobhan")).await;
    assert_eq!(accounts(&found), ["ACC-11"]);
    // An email address in any case.
    let (_, found) = get(&app, &key, &search("Jane@Example.com")).await;
    assert_eq!(accounts(&found), ["ACC-1"]);
    // Phone numbers as people type them, with or without the country code.
    for typed in [
        "+1 555 010 0123",
        "+1 (555) 010-0123",
        "001 555 010 0123",
        "555.010.0123",
    ] {
        let (_, found) = get(&app, &key, &search(typed)).await;
        assert_eq!(accounts(&found), ["ACC-2"], "{typed}: {found}");
    }
    let (_, found) = get(&app, &key, &search("07700 900123")).await;
    assert_eq!(
        accounts(&found),
        ["ACC-11"],
        "a UK number typed the national way"
    );
    // Wildcards are letters like any other.
    let (_, found) = get(&app, &key, &search("100%")).await;
    assert_eq!(accounts(&found), ["ACC-13"]);
    let (_, found) = get(&app, &key, &search("%%%")).await;
    assert!(accounts(&found).is_empty(), "{found}");
    let (_, found) = get(&app, &key, &search("e_N")).await;
    assert_eq!(accounts(&found), ["ACC-13"], "{found}");

    // Contacts are masked as the customer's history masks them.
    let (_, found) = get(&app, &key, &search("yuki tanaka")).await;
    assert_eq!(
        found["customers"][0],
        json!({"account_id": "ACC-3", "name": "Yuki Tanaka", "email": "y•••@example.jp",
               "phone": "•••• 5678", "channel": "email", "brand": "default"})
    );
    assert_eq!(found["truncated"], false);
}

#[tokio::test]
async fn a_bad_search_gets_a_clear_answer_and_a_wrong_role_403() {
    let app = spawn_app().await;
    app.load_examples().await;
    let key = app.staff_key("carol", Role::Csr).await;
    let billing = app.staff_key("bill", Role::Billing).await;
    for (path, status) in [
        ("/api/v1/customers", 400),
        ("/api/v1/customers?q=", 422),
        ("/api/v1/customers?q=%20%20", 422),
        ("/api/v1/customers?q=a%00b", 422),
        (&format!("/api/v1/customers?q={}", "x".repeat(201)), 422),
        (&format!("/api/v1/customers?q={}", "x".repeat(20_000)), 422),
    ] {
        let (got, body) = get(&app, &key, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["error"].as_str().is_some(), "{path}: {body}");
    }
    // Bytes that are not UTF-8 are read as replacement characters, and match nobody.
    let (got, body) = get(&app, &key, "/api/v1/customers?q=%FF%FE%FD").await;
    assert_eq!((got, accounts(&body).len()), (200, 0), "{body}");
    let (got, _) = get(&app, &billing, "/api/v1/customers?q=jane").await;
    assert_eq!(got, 403);
}

#[tokio::test]
async fn billing_lists_runs_and_cancels_a_scheduled_one_but_not_a_started_one() {
    let app = spawn_app().await;
    app.load_examples().await;
    let key = app.staff_key("bill", Role::Billing).await;
    let done = app.run_cycle("2026-10").await;
    let scheduled: Value = app
        .api(Method::POST, "/api/v1/cycles/2026-11/runs", &key)
        .json(&json!({"at": "2099-01-01T06:00:00Z"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let scheduled_id = scheduled["run_id"].as_i64().unwrap();

    let (status, runs) = get(&app, &key, "/api/v1/runs").await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = runs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [scheduled_id, done.run_id.0], "newest first");
    assert_eq!(runs[0]["started_by"], "staff:bill");
    let (_, only) = get(&app, &key, "/api/v1/runs?status=completed").await;
    assert_eq!(only.as_array().unwrap().len(), 1);
    let (_, only) = get(&app, &key, "/api/v1/runs?cycle=2026-11").await;
    assert_eq!(only[0]["run_id"], scheduled_id);
    for bad in ["/api/v1/runs?status=paused", "/api/v1/runs?cycle=no%20such"] {
        let (status, body) = get(&app, &key, bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, _) = get(&app, &key, "/api/v1/runs?colour=red").await;
    assert_eq!(status, 400);

    let cancel = |id: i64| {
        app.api(Method::DELETE, &format!("/api/v1/runs/{id}"), &key)
            .send()
    };
    let response = cancel(scheduled_id).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let cancelled: Value = response.json().await.unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["cancelled_by"], "staff:bill");
    // Once cancelled, or once started, a run cannot be cancelled.
    assert_eq!(cancel(scheduled_id).await.unwrap().status().as_u16(), 409);
    assert_eq!(cancel(done.run_id.0).await.unwrap().status().as_u16(), 409);
    assert_eq!(cancel(999_999).await.unwrap().status().as_u16(), 404);
    // Nothing was sent for the cancelled run, and the cycle can be started again.
    app.work_due_runs().await;
    let (_, run) = get(&app, &key, &format!("/api/v1/runs/{scheduled_id}")).await;
    assert_eq!(run["minted"], 0);
    let audit: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE action = 'cycle.cancel'")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(audit.len(), 1);
    let csr = app.staff_key("carol", Role::Csr).await;
    let refused = app
        .api(
            Method::DELETE,
            &format!("/api/v1/runs/{scheduled_id}"),
            &csr,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
}

#[tokio::test]
async fn the_cycle_report_counts_what_was_sent_fetched_and_opened_by_channel() {
    let app = spawn_app().await;
    app.load_examples().await;
    let key = app.staff_key("ann", Role::Admin).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    // Jane's link is fetched by a mail scanner and then opened by Jane; Yuki's is only
    // fetched; Sam's text message is never looked at.
    let jane = app.link_sent_to("jane@example.com");
    let yuki = app.link_sent_to("yuki@example.jp");
    crate::helpers::plain_client()
        .get(&yuki)
        .send()
        .await
        .unwrap();
    crate::helpers::plain_client()
        .get(&jane)
        .send()
        .await
        .unwrap();
    app.open_bill(&jane).await;

    // Fetches are recorded a moment later, in one statement.
    let mut report = Value::Null;
    for _ in 0..50 {
        let (status, body) = get(&app, &key, "/api/v1/cycles/2026-11/report").await;
        assert_eq!(status, 200, "{body}");
        report = body;
        if report["channels"]["email"]["fetched"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(report["cycle"], "2026-11");
    assert_eq!(report["customers"], 3);
    assert_eq!(report["minted"], 3);
    assert_eq!(
        report["channels"]["email"],
        json!({"queued": 0, "sent": 2, "delivered": 0, "failed": 0, "fetched": 2, "opened": 1})
    );
    assert_eq!(
        report["channels"]["sms"],
        json!({"queued": 0, "sent": 1, "delivered": 0, "failed": 0, "fetched": 0, "opened": 0})
    );
    assert_eq!(report["opened_customers"], 1);
    assert_eq!(report["renewals"], 0);
    assert_eq!(report["link_requests"], 0);
    assert!(report["time_to_open_seconds"]["median"].as_i64().unwrap() >= 0);

    let (status, _) = get(&app, &key, "/api/v1/cycles/1999-01/report").await;
    assert_eq!(status, 404);
    let (status, _) = get(&app, &key, "/api/v1/cycles/bad%20cycle/report").await;
    assert_eq!(status, 404);
    let csr = app.staff_key("carol", Role::Csr).await;
    let (status, _) = get(&app, &csr, "/api/v1/cycles/2026-11/report").await;
    assert_eq!(status, 403);
}
