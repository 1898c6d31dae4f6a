//! What an operator sees of a day's work: log lines (text or JSON) that follow each
//! request by its id and never carry a token, a cookie, an API key or an address, and
//! Prometheus metrics that count it.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    Billpass, link_in_message, link_status, plain_client, session_cookie, spawn_app,
};
use crate::smtp_server::SmtpServer;

/// What a day leaves behind, and the secrets that must not be in its logs.
struct Day {
    logs: String,
    metrics: String,
    /// Tokens of the links opened, renewed and refused.
    tokens: Vec<String>,
    cookie_value: String,
    api_keys: Vec<String>,
}

const ADDRESSES: [&str; 4] = [
    "jane@example.com",
    "yuki@example.jp",
    "+15550100123",
    "+819012345678",
];

/// The email with a link to `address` that the SMTP server took, waiting for it.
async fn emailed_link(smtp: &SmtpServer, address: &str) -> String {
    for _ in 0..300 {
        let found = smtp.received().iter().rev().find_map(|message| {
            let to_us = message
                .lines()
                .any(|l| l.starts_with("To:") && l.contains(address));
            to_us.then(|| link_in_message(message)).flatten()
        });
        if let Some(link) = found {
            return link;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no email to {address}");
}

/// A cycle run started through the staff API and sent through SMTP (the first message
/// refused with a reply quoting an address), every kind of link visit, a resend, a
/// renewal and a revocation; then `/metrics` is scraped and serve is stopped.
async fn a_day_of_billpass(log_format: &str) -> Day {
    let smtp = SmtpServer::start().await;
    smtp.refuse_next(
        1,
        "451 4.2.1 <jane@example.com>: mailbox busy, try again later",
    );
    let (bp, pool) = Billpass::new().await;
    bp.load_examples();
    let billing = bp.staff_key("bill", "billing");
    let csr = bp.staff_key("carol", "csr");

    let log = bp.dir.path().join("serve.log");
    let mut command = bp.command(&["serve"]);
    command
        .env("BILLPASS_SMTP_URL", smtp.url())
        .env("BILLPASS_RETRY_BASE", "50ms")
        .env("BILLPASS_LOG_FORMAT", log_format)
        .env("RUST_LOG", "debug");
    let mut serve = bp.spawn_serving(command, &log).await;
    let client = plain_client();
    let api = |method: reqwest::Method, path: &str, key: &str| {
        client.request(method, bp.url(path)).bearer_auth(key)
    };
    let page = |link: String| async {
        let response = client.get(link).send().await.unwrap();
        response.text().await.unwrap()
    };

    let started = api(Method::POST, "/api/v1/cycles/2026-11/runs", &billing)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    let jane = emailed_link(&smtp, "jane@example.com").await;
    let yuki = emailed_link(&smtp, "yuki@example.jp").await;
    let sam = bp.link_sent_to("+15550100123").await;

    let landing = client
        .get(&jane)
        .header("X-Request-Id", "day-landing-1")
        .send()
        .await
        .unwrap();
    assert_eq!(landing.status(), StatusCode::OK);
    assert_eq!(landing.headers()["x-request-id"], "day-landing-1");
    let opened = client.post(&jane).send().await.unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let made_up = opened.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(made_up.len(), 16, "a request id is made up: {made_up}");
    let cookie = session_cookie(&opened).unwrap();
    let bill = client.get(bp.url("/bill")).header("Cookie", &cookie).send();
    let bill = bill.await.unwrap();
    assert_eq!(bill.status(), StatusCode::OK);

    let lookup = api(Method::GET, "/api/v1/customers/ACC-1", &csr)
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), StatusCode::OK);
    let resent = api(Method::POST, "/api/v1/customers/ACC-1/resend", &csr)
        .json(&json!({"channel": "email", "reason": "customer asked"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), StatusCode::ACCEPTED);
    assert_eq!(link_status(&page(jane.clone()).await), Some("superseded"));
    let renewed = client.post(format!("{jane}/renew")).send().await.unwrap();
    assert_eq!(renewed.status(), StatusCode::OK);

    let revoked = api(Method::POST, "/api/v1/customers/ACC-3/revoke", &csr)
        .json(&json!({"reason": "phone stolen"}))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(link_status(&page(yuki.clone()).await), Some("revoked"));
    sqlx::query(
        "UPDATE link_tokens SET expires_at = now() - interval '1 second'
         WHERE customer_id = (SELECT id FROM customers WHERE account_id = 'ACC-2')",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(link_status(&page(sam.clone()).await), Some("expired"));
    let forged = client.get(bp.url("/b/not.a.token")).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::BAD_REQUEST);

    let metrics = page(bp.url("/metrics")).await;
    let exit = serve.terminate(Duration::from_secs(30)).await;
    assert!(exit.success(), "{exit}");
    let token = |link: &str| link.rsplit("/b/").next().unwrap().to_owned();
    Day {
        logs: std::fs::read_to_string(&log).unwrap(),
        metrics,
        tokens: [&jane, &yuki, &sam].map(|l| token(l)).to_vec(),
        cookie_value: cookie.split_once('=').unwrap().1.to_owned(),
        api_keys: vec![billing, csr],
    }
}

/// Nothing secret or personal in `logs`.
fn assert_nothing_secret(day: &Day) {
    for token in &day.tokens {
        assert!(!day.logs.contains(token.as_str()), "a token was logged");
        // Nor any of its three parts (header, claims, signature).
        for part in token.split('.').filter(|p| p.len() > 8) {
            assert!(
                !day.logs.contains(part),
                "part of a token was logged: {part}"
            );
        }
    }
    assert!(
        !day.logs.contains(&day.cookie_value),
        "the cookie was logged"
    );
    for key in &day.api_keys {
        assert!(!day.logs.contains(key.as_str()), "an API key was logged");
        assert!(!day.logs.contains(&key[3..]), "an API key was logged");
    }
    for address in ADDRESSES {
        assert!(!day.logs.contains(address), "{address} was logged");
    }
}

#[tokio::test]
async fn text_logs_follow_each_request_by_its_id_and_hold_no_token_cookie_key_or_address() {
    let day = a_day_of_billpass("text").await;
    assert_nothing_secret(&day);
    let landing = day
        .logs
        .lines()
        .find(|l| {
            l.contains(r#"request{request_id="day-landing-1"}"#)
                && l.contains(r#"route="/b/<redacted>""#)
        })
        .unwrap_or_else(|| panic!("the landing's request line: {}", day.logs));
    assert!(landing.contains("status=200"), "{landing}");
    assert!(
        day.logs.contains("j•••@example.com"),
        "the SMTP refusal is logged with the address masked"
    );
    assert!(!day.logs.contains("\u{1b}["), "no colours off a terminal");
}

#[tokio::test]
async fn json_logs_are_one_object_per_line_and_hold_no_token_cookie_key_or_address() {
    let day = a_day_of_billpass("json").await;
    assert_nothing_secret(&day);
    let lines: Vec<Value> = day
        .logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for line in &lines {
        assert!(
            line["timestamp"].is_string() && line["level"].is_string(),
            "{line}"
        );
    }
    let landing = lines
        .iter()
        .find(|l| l["span"]["request_id"] == "day-landing-1" && l["message"] == "request")
        .expect("the landing's request line");
    assert_eq!(landing["route"], "/b/<redacted>");
    assert_eq!(landing["status"], 200);
    assert_eq!(landing["method"], "GET");
}

/// The value of the sample `name{labels}` in a scrape.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|line| {
        let value = line.strip_prefix(series)?.strip_prefix(' ')?;
        value.parse().ok()
    })
}

#[tokio::test]
async fn metrics_count_requests_tokens_link_visits_and_deliveries_by_label_only() {
    let day = a_day_of_billpass("text").await;
    let m = day.metrics.as_str();
    let expect = |series: &str, value: f64| {
        assert_eq!(sample(m, series), Some(value), "{series} in\n{m}");
    };
    expect(r#"billpass_tokens_minted_total{reason="cycle"}"#, 3.0);
    expect(r#"billpass_tokens_minted_total{reason="resend"}"#, 1.0);
    // Renewing Jane's superseded link sent her current one again: nothing was minted.
    let renewals = sample(m, r#"billpass_tokens_minted_total{reason="renewal"}"#);
    assert_eq!(renewals.unwrap_or(0.0), 0.0, "{m}");
    for outcome in ["viewed", "superseded", "revoked", "expired", "invalid"] {
        expect(
            &format!(r#"billpass_link_openings_total{{outcome="{outcome}"}}"#),
            1.0,
        );
    }
    expect(
        r#"billpass_deliveries_total{channel="email",status="queued"}"#,
        4.0,
    );
    expect(
        r#"billpass_deliveries_total{channel="sms",status="queued"}"#,
        1.0,
    );
    expect(
        r#"billpass_deliveries_total{channel="email",status="failed"}"#,
        0.0,
    );
    // The first email is refused once ("451 … try again later").
    expect(
        r#"billpass_deliveries_total{channel="email",status="retried"}"#,
        1.0,
    );
    let sent = sample(
        m,
        r#"billpass_deliveries_total{channel="email",status="sent"}"#,
    );
    assert!(sent >= Some(1.0), "emails sent: {sent:?} in\n{m}");
    expect(
        r#"billpass_http_requests_total{method="GET",route="/b/{token}",status="200"}"#,
        1.0,
    );
    expect(
        r#"billpass_http_requests_total{method="GET",route="/b/{token}",status="410"}"#,
        3.0,
    );
    expect(
        r#"billpass_http_request_duration_seconds_count{method="GET",route="/bill",status="200"}"#,
        1.0,
    );
    // One view of one bill: read from the database, not yet in memory.
    expect(r#"billpass_bill_pages_total{source="database"}"#, 1.0);
    expect(r#"billpass_bill_pages_total{source="memory"}"#, 0.0);
    expect(r#"billpass_cycle_runs{status="completed"}"#, 1.0);
    expect(
        r#"billpass_cycle_run_customers{cycle="2026-11",run="1"}"#,
        3.0,
    );
    expect(r#"billpass_cycle_run_minted{cycle="2026-11",run="1"}"#, 3.0);
    expect("billpass_database_up", 1.0);
    assert!(sample(m, r#"billpass_delivery_queue_depth{channel="sms"}"#).is_some());
    for token in &day.tokens {
        assert!(!m.contains(token.as_str()), "paths never become labels");
    }
    for address in ADDRESSES {
        assert!(!m.contains(address));
    }
}

#[tokio::test]
async fn queue_depth_and_oldest_age_are_read_from_the_database_when_scraped() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    sqlx::query(
        "UPDATE deliveries SET next_attempt_at = now() - interval '90 seconds' WHERE channel = 'email'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let scrape = || async {
        let response = app.client.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    };

    let waiting = scrape().await;
    let depth = |m: &str, channel: &str| {
        sample(
            m,
            &format!(r#"billpass_delivery_queue_depth{{channel="{channel}"}}"#),
        )
    };
    let oldest = |m: &str| {
        sample(
            m,
            r#"billpass_delivery_queue_oldest_age_seconds{channel="email"}"#,
        )
        .unwrap()
    };
    assert_eq!(depth(&waiting, "email"), Some(2.0));
    assert_eq!(depth(&waiting, "sms"), Some(1.0));
    assert!(oldest(&waiting) >= 90.0, "{waiting}");

    app.dispatch_all_pending().await;
    let sent = scrape().await;
    assert_eq!(depth(&sent, "email"), Some(0.0));
    assert_eq!(depth(&sent, "sms"), Some(0.0));
    assert_eq!(oldest(&sent), 0.0);
}

#[tokio::test]
async fn a_malformed_request_is_answered_400_and_logged_below_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let (bp, _pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    let log = bp.dir.path().join("serve.log");
    let server = bp
        .spawn_serving(bp.command(&["serve", "--web-only"]), &log)
        .await;
    let address = bp.base().trim_start_matches("http://").to_owned();
    for garbage in [
        &b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n"[..],
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n",
        b"GET /\x01\x02 HTTP/1.1\r\n\r\n",
    ] {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream.write_all(garbage).await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
        assert!(
            String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 400"),
            "{}",
            String::from_utf8_lossy(&answer)
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(server);
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(!logs.contains("ERROR"), "{logs}");
    assert!(
        logs.contains("malformed request"),
        "still logged, lower: {logs}"
    );
}
