//! Customer service through the API: look a customer up, resend, revoke.

use billpass::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, link_status, session_cookie, spawn_app};

/// An app whose cycle 2026-11 went out; Jane opened her link once.
async fn app_after_a_cycle() -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    let key = app.staff_key("carol", Role::Csr).await;
    (app, link, key)
}

async fn lookup(app: &TestApp, key: &str, account: &str) -> Value {
    let response = app
        .api(Method::GET, &format!("/api/v1/customers/{account}"), key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

async fn post(app: &TestApp, key: &str, path: &str, body: Value) -> reqwest::Response {
    app.api(Method::POST, path, key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn jti_of(link: &str) -> String {
    let token = link.rsplit("/b/").next().unwrap();
    let claims = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, claims).unwrap(),
    )
    .unwrap();
    claims["jti"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_csr_sees_links_deliveries_and_openings_with_masked_contacts_and_no_token() {
    let (app, link, key) = app_after_a_cycle().await;
    app.open_bill(&link).await;

    let response = app
        .api(Method::GET, "/api/v1/customers/ACC-3", &key)
        .send()
        .await
        .unwrap();
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("yuki@example.jp") && !text.contains("+819012345678"),
        "{text}"
    );
    let customer = lookup(&app, &key, "ACC-1").await;
    let raw = customer.to_string();
    assert!(
        !raw.contains("jane@example.com"),
        "contacts are masked: {raw}"
    );
    let token = link.rsplit("/b/").next().unwrap();
    assert!(!raw.contains(token), "no token is shown");

    assert_eq!(customer["profile"]["name"], "Jane Doe");
    assert_eq!(customer["profile"]["email"], "j•••@example.com");
    let jti = jti_of(&link);
    let current = &customer["current_link"];
    assert_eq!(current["jti"], jti);
    assert_eq!(current["status"], "current");
    assert_eq!(current["reason"], "cycle");
    assert_eq!(current["cycle"], "2026-11");
    assert_eq!(current["bill_cycle"], "2026-11");
    assert!(
        current["minted_by"]
            .as_str()
            .unwrap()
            .starts_with("cycle run ")
    );
    assert_eq!(customer["links"].as_array().unwrap().len(), 1);

    let delivery = &customer["deliveries"][0];
    assert_eq!(delivery["jti"], jti);
    assert_eq!(delivery["channel"], "email");
    assert_eq!(delivery["destination"], "j•••@example.com");
    assert_eq!(delivery["status"], "sent");
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(delivery["last_error"], Value::Null);

    let openings = customer["openings"].as_array().unwrap();
    assert_eq!(openings.len(), 1);
    assert_eq!(openings[0]["jti"], jti);

    let sam = lookup(&app, &key, "ACC-2").await;
    assert_eq!(sam["profile"]["phone"], "•••• 0123");
    assert_eq!(sam["deliveries"][0]["destination"], "•••• 0123");
    assert_eq!(sam["openings"], json!([]), "Sam never opened his link");
}

#[tokio::test]
async fn a_resend_supersedes_the_link_and_the_history_names_who_and_why() {
    let (app, _, key) = app_after_a_cycle().await;
    let old_link = app.link_sent_to("yuki@example.jp");

    let response = post(
        &app,
        &key,
        "/api/v1/customers/ACC-3/resend",
        json!({ "channel": "sms", "reason": "customer says the email never came" }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 202);
    let sent: Value = response.json().await.unwrap();
    assert_eq!(sent["channel"], "sms");
    assert_eq!(sent["destination"], "•••• 5678");

    let customer = lookup(&app, &key, "ACC-3").await;
    let newest = &customer["links"][0];
    assert_eq!(newest["jti"], sent["jti"]);
    assert_eq!(customer["current_link"]["jti"], sent["jti"]);
    assert_eq!(newest["reason"], "resend");
    assert_eq!(newest["minted_by"], "staff:carol");
    assert_eq!(
        newest["resend_reason"],
        "customer says the email never came"
    );
    assert_eq!(newest["channel"], "sms");
    assert_eq!(customer["links"][1]["status"], "superseded");
    assert_eq!(customer["deliveries"][0]["id"], sent["delivery_id"]);
    assert_eq!(customer["deliveries"][0]["status"], "queued");
    let audit = &customer["audit"][0];
    assert_eq!(audit["action"], "link.resend");
    assert_eq!(audit["actor"], "staff:carol");
    assert_eq!(audit["role"], "csr");
    assert_eq!(audit["reason"], "customer says the email never came");
    assert_eq!(audit["details"]["jti"], sent["jti"]);

    let page = app.client.get(&old_link).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 410);
    assert_eq!(link_status(&page.text().await.unwrap()), Some("superseded"));
}

#[tokio::test]
async fn a_resend_needs_a_reason_and_a_channel_on_file() {
    let (app, _, key) = app_after_a_cycle().await;
    for (body, field) in [
        (
            json!({ "channel": "sms", "reason": "no phone on file" }),
            "channel",
        ),
        (json!({ "channel": null, "reason": "   " }), "reason"),
        (json!({ "reason": "x".repeat(501) }), "reason"),
    ] {
        let response = post(&app, &key, "/api/v1/customers/ACC-1/resend", body.clone()).await;
        assert_eq!(response.status().as_u16(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["details"][0]["field"], field, "{error}");
    }
    let response = post(
        &app,
        &key,
        "/api/v1/customers/ACC-404/resend",
        json!({ "reason": "asked" }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 404);
    let links = lookup(&app, &key, "ACC-1").await["links"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(links, 1, "nothing was minted");
}

#[tokio::test]
async fn a_revoked_link_answers_410_revoked_at_once_and_its_session_ends() {
    let (app, link, key) = app_after_a_cycle().await;
    let opened = app.client.post(&link).send().await.unwrap();
    let cookie = session_cookie(&opened).unwrap();
    assert_eq!(app.get_bill(Some(&cookie)).await.status().as_u16(), 200);

    let response = post(
        &app,
        &key,
        "/api/v1/customers/ACC-1/revoke",
        json!({ "reason": "customer reports a forwarded email" }),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    let revoked: Value = response.json().await.unwrap();
    assert_eq!(revoked["jti"], jti_of(&link));

    for request in [app.client.get(&link), app.client.post(&link)] {
        let page = request.send().await.unwrap();
        assert_eq!(page.status().as_u16(), 410);
        assert_eq!(link_status(&page.text().await.unwrap()), Some("revoked"));
    }
    assert_eq!(app.get_bill(Some(&cookie)).await.status().as_u16(), 410);

    let customer = lookup(&app, &key, "ACC-1").await;
    let current = &customer["current_link"];
    assert_eq!(current["status"], "revoked");
    assert_eq!(current["revoked_by"], "staff:carol");
    assert_eq!(
        current["revoke_reason"],
        "customer reports a forwarded email"
    );
    assert_eq!(customer["audit"][0]["action"], "link.revoke");

    let again = post(
        &app,
        &key,
        "/api/v1/customers/ACC-1/revoke",
        json!({ "reason": "again" }),
    )
    .await;
    assert_eq!(again.status().as_u16(), 409);
    let body: Value = again.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("already revoked"),
        "{body}"
    );
}

#[tokio::test]
async fn revoking_a_link_not_yet_sent_cancels_its_message() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    let key = app.staff_key("carol", Role::Csr).await;
    let response = post(
        &app,
        &key,
        "/api/v1/customers/ACC-1/revoke",
        json!({ "reason": "wrong address" }),
    )
    .await;
    assert_eq!(
        response.json::<Value>().await.unwrap()["cancelled_deliveries"],
        1
    );
    app.dispatch_all_pending().await;
    assert!(
        crate::helpers::latest_link_in_outbox(&app.outbox(), "jane@example.com").is_none(),
        "a revoked link is not sent"
    );
    let customer = lookup(&app, &key, "ACC-1").await;
    assert_eq!(customer["deliveries"][0]["status"], "failed");
    assert!(
        customer["deliveries"][0]["last_error"]
            .as_str()
            .unwrap()
            .contains("revoked"),
        "{customer}"
    );
}

#[tokio::test]
async fn revoking_when_there_is_no_link_or_no_customer_is_refused() {
    let app = spawn_app().await;
    app.load_examples().await;
    let key = app.staff_key("carol", Role::Csr).await;
    let body = json!({ "reason": "checking" });
    let response = post(&app, &key, "/api/v1/customers/ACC-1/revoke", body.clone()).await;
    assert_eq!(response.status().as_u16(), 409);
    let response = post(&app, &key, "/api/v1/customers/NOBODY/revoke", body).await;
    assert_eq!(response.status().as_u16(), 404);
    let response = app
        .api(Method::GET, "/api/v1/customers/NOBODY", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 404);
}
