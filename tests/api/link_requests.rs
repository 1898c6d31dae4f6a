//! "Get a new link" on `/link`: the same answer whether or not the address is on file, a
//! fresh link only to the address on file, limits per client and per address.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::helpers::{BILLS_JSONL, TestApp, link_status, spawn_app, spawn_app_with};

/// Status, headers and body: everything a client could compare, but the time and the
/// request's own id, which differ on every request.
async fn answer(response: reqwest::Response) -> (u16, BTreeMap<String, Vec<u8>>, String) {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id"))
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect();
    (status, headers, response.text().await.unwrap())
}

/// The state in a `/link` page's `data-get-link`.
fn get_link_state(body: &str) -> Option<&str> {
    let start = body.find("data-get-link=\"")? + "data-get-link=\"".len();
    body[start..].split('"').next()
}

async fn count(app: &TestApp, query: &'static str) -> i64 {
    sqlx::query_scalar(query)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn waiting_requests(app: &TestApp) -> i64 {
    count(app, "SELECT count(*) FROM link_requests").await
}

/// Deliveries to `destination`, oldest first: (channel, account).
async fn deliveries_to(app: &TestApp, destination: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT d.channel, c.account_id FROM deliveries d
         JOIN link_tokens t ON t.id = d.token_id JOIN customers c ON c.id = t.customer_id
         WHERE d.destination = $1 ORDER BY d.id",
    )
    .bind(destination)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn add_customers(app: &TestApp, csv_rows: &str) {
    let csv = format!("account_id,name,email,phone,channel,locale\n{csv_rows}");
    app.import_customers(&csv).await;
}

/// ACC-1's latest bill, for another account.
async fn add_bill_for(app: &TestApp, account: &str) {
    let bill = BILLS_JSONL
        .lines()
        .nth(1)
        .unwrap()
        .replace("ACC-1", account);
    app.import_bills(&bill).await;
}

#[tokio::test]
async fn known_and_unknown_addresses_get_byte_identical_answers() {
    let app = spawn_app().await;
    app.load_examples().await;
    for (known, unknown) in [
        ("jane@example.com", "nobody@example.com"),
        ("+15550100123", "+15550100999"),
    ] {
        let on_file = answer(app.ask_for_link(known).await).await;
        let not_on_file = answer(app.ask_for_link(unknown).await).await;
        assert_eq!(on_file.0, 200);
        assert_eq!(get_link_state(&on_file.2), Some("sent"));
        assert_eq!(on_file, not_on_file, "{known} and {unknown} are told apart");
    }
}

#[tokio::test]
async fn asking_only_records_the_request_and_the_lookup_happens_off_the_request_path() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.ask_for_link("jane@example.com").await;
    app.ask_for_link("nobody@example.com").await;
    // Both are queued alike; nothing was looked up or minted while the customer waited.
    let queued: Vec<(String, String)> =
        sqlx::query_as("SELECT channel, address FROM link_requests ORDER BY id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        queued,
        [
            ("email".into(), "jane@example.com".into()),
            ("email".into(), "nobody@example.com".into())
        ]
    );
    assert_eq!(count(&app, "SELECT count(*) FROM link_tokens").await, 0);

    app.answer_link_requests().await;
    assert_eq!(
        waiting_requests(&app).await,
        0,
        "answered requests are not kept"
    );
    assert_eq!(count(&app, "SELECT count(*) FROM link_tokens").await, 1);
}

#[tokio::test]
async fn a_fresh_link_goes_only_to_the_email_on_file_opens_the_bill_and_supersedes_the_old_one() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let old = app.link_sent_to("jane@example.com");

    // Typed in another case, with extra fields that try to redirect the link.
    let response = app
        .client
        .post(app.url("/link"))
        .form(&[
            ("address", "  Jane@EXAMPLE.com "),
            ("email", "attacker@example.net"),
            ("phone", "+15559990000"),
            ("channel", "sms"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    app.answer_link_requests().await;

    assert_eq!(
        deliveries_to(&app, "jane@example.com").await,
        [
            ("email".into(), "ACC-1".into()),
            ("email".into(), "ACC-1".into())
        ],
        "the cycle link and the fresh one"
    );
    let sent_elsewhere = count(
        &app,
        "SELECT count(*) FROM deliveries WHERE destination IN ('attacker@example.net', '+15559990000')",
    )
    .await;
    assert_eq!(sent_elsewhere, 0);
    let fresh = app.link_sent_to("jane@example.com");
    assert_ne!(fresh, old);
    assert_eq!(app.open_bill(&fresh).await.0.status().as_u16(), 200);
    let (reason, minted_by): (String, String) = sqlx::query_as(
        "SELECT reason, minted_by FROM link_tokens WHERE superseded_at IS NULL AND customer_id = (SELECT id FROM customers WHERE account_id = 'ACC-1')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (reason.as_str(), minted_by.as_str()),
        ("self_service", "customer")
    );

    let stale = app.client.get(&old).send().await.unwrap();
    assert_eq!(stale.status().as_u16(), 410);
    assert_eq!(
        link_status(&stale.text().await.unwrap()),
        Some("superseded")
    );
}

#[tokio::test]
async fn the_link_goes_to_the_address_as_it_is_on_file() {
    let app = spawn_app().await;
    add_customers(&app, "ACC-7,Pat Lee,Pat.Lee@Example.com,,email,en\n").await;
    add_bill_for(&app, "ACC-7").await;
    app.ask_for_link("pat.lee@example.com").await;
    app.answer_link_requests().await;
    assert_eq!(
        deliveries_to(&app, "Pat.Lee@Example.com").await,
        [("email".into(), "ACC-7".into())]
    );
    assert!(deliveries_to(&app, "pat.lee@example.com").await.is_empty());
}

#[tokio::test]
async fn a_mobile_number_typed_with_spaces_gets_a_text_at_the_number_on_file() {
    let app = spawn_app().await;
    app.load_examples().await;
    // Yuki prefers email, but typed her mobile number: the link goes by text message.
    app.ask_for_link("+81 90-1234-5678").await;
    app.answer_link_requests().await;
    assert_eq!(
        deliveries_to(&app, "+819012345678").await,
        [("sms".into(), "ACC-3".into())]
    );
    assert!(deliveries_to(&app, "yuki@example.jp").await.is_empty());
    let link = app.link_sent_to("+819012345678");
    assert_eq!(app.open_bill(&link).await.0.status().as_u16(), 200);
}

#[tokio::test]
async fn every_account_at_the_address_gets_its_own_link() {
    let app = spawn_app().await;
    app.load_examples().await;
    add_customers(&app, "ACC-5,Jane Doe,jane@example.com,,email,en\n").await;
    add_bill_for(&app, "ACC-5").await;
    app.ask_for_link("jane@example.com").await;
    app.answer_link_requests().await;
    assert_eq!(
        deliveries_to(&app, "jane@example.com").await,
        [
            ("email".into(), "ACC-1".into()),
            ("email".into(), "ACC-5".into())
        ]
    );
}

#[tokio::test]
async fn a_customer_without_a_bill_is_sent_nothing() {
    let app = spawn_app().await;
    add_customers(
        &app,
        "ACC-9,No Bill,nobill@example.com,+15550109999,email,en\n",
    )
    .await;
    for address in ["nobill@example.com", "+15550109999"] {
        assert_eq!(app.ask_for_link(address).await.status().as_u16(), 200);
    }
    app.answer_link_requests().await;
    assert_eq!(count(&app, "SELECT count(*) FROM link_tokens").await, 0);
    assert_eq!(count(&app, "SELECT count(*) FROM deliveries").await, 0);
    assert_eq!(waiting_requests(&app).await, 0);
}

#[tokio::test]
async fn an_opted_out_number_is_never_texted() {
    let app = spawn_app().await;
    app.load_examples().await;
    billpass::delivery::opt_out(&app.pool, "+15550100123")
        .await
        .unwrap();
    let response = app.ask_for_link("+1 555 010 0123").await;
    assert_eq!(response.status().as_u16(), 200);
    app.answer_link_requests().await;
    assert!(deliveries_to(&app, "+15550100123").await.is_empty());
    assert_eq!(count(&app, "SELECT count(*) FROM link_tokens").await, 0);
}

#[tokio::test]
async fn a_customer_asking_twice_within_a_minute_gets_one_link() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.ask_for_link("jane@example.com").await;
    app.ask_for_link("jane@example.com").await;
    app.answer_link_requests().await;
    assert_eq!(deliveries_to(&app, "jane@example.com").await.len(), 1);
    assert_eq!(waiting_requests(&app).await, 0);
}

#[tokio::test]
async fn requests_past_the_per_ip_limit_get_429_with_retry_after_and_recover() {
    let app = spawn_app_with(&["--link-requests-per-ip", "2/2s"]).await;
    for address in ["a@example.com", "b@example.com"] {
        assert_eq!(app.ask_for_link(address).await.status().as_u16(), 200);
    }
    let refused = app.ask_for_link("c@example.com").await;
    assert_eq!(refused.status().as_u16(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let page = refused.text().await.unwrap();
    assert_eq!(get_link_state(&page), Some("limited"));
    assert!(page.contains("try again in a minute"), "{page}");
    assert_eq!(
        waiting_requests(&app).await,
        2,
        "the refused one is not recorded"
    );

    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(100)).await;
    assert_eq!(
        app.ask_for_link("c@example.com").await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn requests_past_the_per_address_limit_get_429_whether_or_not_the_address_is_on_file() {
    let app = spawn_app_with(&["--link-requests-per-address", "1/2s"]).await;
    app.load_examples().await;
    let mut refusals = Vec::new();
    for (first, again) in [
        ("jane@example.com", " JANE@example.com"),
        ("nobody@example.com", "nobody@example.com"),
    ] {
        assert_eq!(app.ask_for_link(first).await.status().as_u16(), 200);
        let refused = answer(app.ask_for_link(again).await).await;
        assert_eq!(refused.0, 429, "{again}");
        refusals.push(refused);
    }
    assert_eq!(
        refusals[0], refusals[1],
        "the limit does not tell a customer's address from a stranger's"
    );
    assert_eq!(
        app.ask_for_link("other@example.com")
            .await
            .status()
            .as_u16(),
        200,
        "other addresses are not held up"
    );

    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        app.ask_for_link("jane@example.com").await.status().as_u16(),
        200
    );
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_behind_a_trusted_proxy() {
    let ask_from = |app: &TestApp, forwarded_for: &'static str| {
        app.client
            .post(app.url("/link"))
            .header("X-Forwarded-For", forwarded_for)
            .form(&[("address", "jane@example.com")])
            .send()
    };
    let status = |response: reqwest::Result<reqwest::Response>| response.unwrap().status().as_u16();

    // Without a trusted proxy the header is ignored: everyone here is 127.0.0.1.
    let direct = spawn_app_with(&["--link-requests-per-ip", "1/h"]).await;
    assert_eq!(status(ask_from(&direct, "203.0.113.1").await), 200);
    assert_eq!(status(ask_from(&direct, "203.0.113.2").await), 429);

    let proxied = spawn_app_with(&[
        "--link-requests-per-ip",
        "1/h",
        "--link-requests-per-address",
        "100/h",
        "--trusted-proxies",
        "10.0.0.0/8,127.0.0.1",
    ])
    .await;
    assert_eq!(status(ask_from(&proxied, "203.0.113.1").await), 200);
    assert_eq!(
        status(ask_from(&proxied, "203.0.113.2, 10.0.0.7").await),
        200
    );
    assert_eq!(status(ask_from(&proxied, "203.0.113.1").await), 429);
    // What a client writes to the left of the address our proxy saw is not believed.
    assert_eq!(
        status(ask_from(&proxied, "203.0.113.3, 203.0.113.1").await),
        429
    );
}

#[tokio::test]
async fn malformed_addresses_get_the_form_again_with_a_400() {
    let app = spawn_app().await;
    for (typed, says) in [
        ("", "Please type your email address or mobile number."),
        ("jane@", "look like an email address"),
        ("jane", "with its country code"),
        ("555 0100", "with its country code"),
        ("<script>alert(1)</script>", "with its country code"),
        ("\u{0}", "with its country code"),
    ] {
        let response = app.ask_for_link(typed).await;
        assert_eq!(response.status().as_u16(), 400, "{typed:?}");
        let page = response.text().await.unwrap();
        assert_eq!(get_link_state(&page), Some("invalid"));
        assert!(page.contains(says), "{typed:?}: {page}");
        assert!(page.contains(r#"name="address""#), "the form again");
        assert!(!page.contains("<script>"), "what was typed is escaped");
    }
    assert_eq!(waiting_requests(&app).await, 0);
}

#[tokio::test]
async fn hostile_bodies_get_a_clear_4xx_never_a_500() {
    let app = spawn_app().await;
    let post = |body: Vec<u8>, content_type: Option<&'static str>| {
        let mut request = app.client.post(app.url("/link")).body(body);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        request.send()
    };
    let form = Some("application/x-www-form-urlencoded");
    let huge = format!("address={}", "a".repeat(100_000)).into_bytes();
    let long = format!("address={}%40example.com", "a".repeat(300)).into_bytes();
    for (what, response, status) in [
        ("a huge field", post(huge, form).await, 413),
        (
            "a field longer than any address",
            post(long, form).await,
            400,
        ),
        (
            "percent-encoded bytes that are not UTF-8",
            post(b"address=%FF%FE".to_vec(), form).await,
            400,
        ),
        (
            "raw bytes that are not UTF-8",
            post(b"address=\xff\xfe@x.io".to_vec(), form).await,
            400,
        ),
        (
            "no address field",
            post(b"email=jane%40example.com".to_vec(), form).await,
            400,
        ),
        ("an empty body", post(Vec::new(), form).await, 400),
        (
            "JSON",
            post(
                br#"{"address":"jane@example.com"}"#.to_vec(),
                Some("application/json"),
            )
            .await,
            415,
        ),
        (
            "no content type",
            post(b"address=jane%40example.com".to_vec(), None).await,
            415,
        ),
    ] {
        let response = response.unwrap();
        assert_eq!(response.status().as_u16(), status, "{what}");
        let page = response.text().await.unwrap();
        assert_eq!(get_link_state(&page), Some("invalid"), "{what}: {page}");
        assert!(
            page.contains("Northwind Energy"),
            "{what}: the brand's page"
        );
    }
    assert_eq!(waiting_requests(&app).await, 0);
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    let post_from = |origin: String| {
        app.client
            .post(app.url("/link"))
            .header("Origin", origin)
            .form(&[("address", "jane@example.com")])
            .send()
    };
    let foreign = post_from("https://evil.example".into()).await.unwrap();
    assert_eq!(foreign.status().as_u16(), 403);
    assert!(foreign.text().await.unwrap().contains(r#"href="/link""#));
    assert_eq!(waiting_requests(&app).await, 0);

    let ours = post_from(app.address.clone()).await.unwrap();
    assert_eq!(ours.status().as_u16(), 200);
    assert_eq!(waiting_requests(&app).await, 1);
}

#[tokio::test]
async fn the_get_link_page_is_one_field_with_no_script_and_the_security_headers() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/link")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("form-action 'self'"));
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    assert_eq!(get_link_state(&page), Some("form"));
    for expected in [
        r#"method="post" action="/link""#,
        r#"name="address""#,
        r#"<label for="address">"#,
        "Send me a new link",
    ] {
        assert!(page.contains(expected), "{expected}");
    }
    assert!(!page.contains("<script"));
}

#[tokio::test]
async fn expired_superseded_and_no_session_pages_link_to_get_a_new_link() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let jane = app.link_sent_to("jane@example.com");
    let sam = app.link_sent_to("+15550100123");
    app.resend("ACC-1", None).await;
    sqlx::query("UPDATE link_tokens SET expires_at = now() - interval '1 minute' WHERE customer_id = (SELECT id FROM customers WHERE account_id = 'ACC-2')")
        .execute(&app.pool)
        .await
        .unwrap();

    for (link, status) in [(&jane, "superseded"), (&sam, "expired")] {
        let page = app
            .client
            .get(link)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(link_status(&page), Some(status));
        assert!(page.contains(r#"<a href="/link">"#), "{status}: {page}");
    }
    let no_session = app.get_bill(None).await;
    assert_eq!(no_session.status().as_u16(), 401);
    assert!(
        no_session
            .text()
            .await
            .unwrap()
            .contains(r#"<a href="/link">"#)
    );
}
