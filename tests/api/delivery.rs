//! Delivery against real servers on loopback: an SMTP server, and an HTTP server standing in
//! for the SMS gateway.

use std::time::Duration;

use billpass::delivery::twilio_signature;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{TestApp, link_in_message, spawn_app_with};
use crate::smtp_server::SmtpServer;

const SID: &str = "AC0123456789abcdef";
const TOKEN: &str = "twilio-auth-token";
const MESSAGES: &str = "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json";

async fn app_with(smtp: &SmtpServer, gateway: Option<&MockServer>) -> TestApp {
    let smtp_url = smtp.url();
    let mut args = vec![
        "--smtp-url",
        &smtp_url,
        "--retry-base",
        "5s",
        "--retry-max-attempts",
        "3",
    ];
    let gateway_url = gateway.map(|g| g.uri());
    if let Some(url) = &gateway_url {
        args.extend([
            "--sms-gateway",
            "twilio",
            "--sms-url",
            url,
            "--sms-account-sid",
            SID,
            "--sms-auth-token",
            TOKEN,
            "--sms-from",
            "+15550009999",
        ]);
    }
    let app = spawn_app_with(&args).await;
    app.load_examples().await;
    app
}

/// The only delivery's status and gateway reference.
async fn status_and_reference(app: &TestApp) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, provider_ref FROM deliveries")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Makes every queued retry due now, and sends.
async fn retry_now(app: &TestApp) {
    sqlx::query("UPDATE deliveries SET next_attempt_at = now() WHERE status = 'queued'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.dispatch_all_pending().await;
}

#[tokio::test]
async fn a_temporary_smtp_refusal_is_retried_and_the_emailed_link_opens_the_bill() {
    let smtp = SmtpServer::start().await;
    let app = app_with(&smtp, None).await;
    smtp.refuse_next(1, "451 4.3.0 Mailbox busy, try again later");
    app.resend("ACC-1", None).await;
    app.dispatch_all_pending().await;
    let rows = app.delivery_rows().await;
    assert_eq!((rows[0].1.as_str(), rows[0].2), ("queued", 1), "{rows:?}");
    assert!(rows[0].3.as_deref().unwrap().contains("451"));
    assert!(smtp.received().is_empty());

    retry_now(&app).await;
    let rows = app.delivery_rows().await;
    assert_eq!((rows[0].1.as_str(), rows[0].2), ("sent", 2));
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert!(message.contains("To: jane@example.com") && message.contains("Message-ID: <delivery-"));
    assert!(
        message.contains("text/plain") && message.contains("text/html"),
        "multipart"
    );
    let link = link_in_message(message).unwrap();
    let (bill, _) = app.open_bill(&link).await;
    assert_eq!(bill.status().as_u16(), 200);
    assert!(bill.text().await.unwrap().contains("$142.17"));
}

#[tokio::test]
async fn a_permanent_smtp_refusal_falls_back_to_sms_when_there_is_a_number() {
    let smtp = SmtpServer::start().await;
    let app = app_with(&smtp, None).await;
    smtp.refuse_next(1, "550 5.1.1 No such user");
    app.resend("ACC-3", None).await; // email and phone on file, email preferred
    app.dispatch_all_pending().await;
    let rows = app.delivery_rows().await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1.as_str()),
        ("email", "failed")
    );
    assert!(
        rows[0].3.as_deref().unwrap().starts_with("permanent:")
            && rows[0].3.as_deref().unwrap().contains("550")
    );
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1.as_str()),
        ("sms", "sent"),
        "the fallback went out"
    );
    assert!(
        rows[1].4.is_some(),
        "the fallback names the delivery it replaces"
    );
    let link = app.link_sent_to("+819012345678");
    assert_eq!(app.open_bill(&link).await.0.status().as_u16(), 200);
}

#[tokio::test]
async fn a_permanent_smtp_refusal_without_another_channel_fails_with_the_reason() {
    let smtp = SmtpServer::start().await;
    let app = app_with(&smtp, None).await;
    smtp.refuse_next(1, "550 5.1.1 No such user");
    app.resend("ACC-1", None).await; // email only
    app.dispatch_all_pending().await;
    let rows = app.delivery_rows().await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].1.as_str(), rows[0].2), ("failed", 1));
    assert!(rows[0].3.as_deref().unwrap().contains("No such user"));
}

#[tokio::test]
async fn when_the_smtp_server_is_down_for_a_while_everything_arrives_once_it_is_back() {
    let mut smtp = SmtpServer::start().await;
    let app = app_with(&smtp, None).await;
    smtp.stop();
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let waiting: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries WHERE channel = 'email' AND status = 'queued'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(waiting, 2, "both emails wait for the server");
    smtp.restart().await;
    retry_now(&app).await;
    let received = smtp.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().any(|m| m.contains("To: jane@example.com")));
    assert!(received.iter().any(|m| m.contains("To: yuki@example.jp")));
}

#[tokio::test]
async fn the_gateway_gets_twilio_form_fields_and_a_500_is_retried_until_201() {
    let smtp = SmtpServer::start().await;
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_json(json!({"code": 20500, "message": "Internal error"})),
        )
        .up_to_n_times(1)
        .mount(&gateway)
        .await;
    Mock::given(method("POST"))
        .and(path(MESSAGES))
        .and(header_exists("authorization"))
        .and(header("I-Twilio-Idempotency-Token", "billpass-delivery-1"))
        .and(body_string_contains("To=%2B15550100123"))
        .and(body_string_contains("From=%2B15550009999"))
        .and(body_string_contains("StatusCallback="))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"sid": "SM0001", "status": "queued"})),
        )
        .mount(&gateway)
        .await;
    let app = app_with(&smtp, Some(&gateway)).await;
    app.resend("ACC-2", None).await; // SMS only
    app.dispatch_all_pending().await;
    assert_eq!(app.delivery_rows().await[0].1, "queued");
    retry_now(&app).await;
    assert_eq!(
        status_and_reference(&app).await,
        ("sent".to_owned(), Some("SM0001".to_owned()))
    );
    let requests = gateway.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let auth = requests[1]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    let expected = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{SID}:{TOKEN}"),
    );
    assert_eq!(auth, format!("Basic {expected}"));
}

#[tokio::test]
async fn a_429_waits_at_least_as_long_as_retry_after() {
    let smtp = SmtpServer::start().await;
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&gateway)
        .await;
    let app = app_with(&smtp, Some(&gateway)).await;
    app.resend("ACC-2", None).await;
    app.dispatch_all_pending().await;
    let (status, wait): (String, f64) = sqlx::query_as(
        "SELECT status, extract(epoch FROM next_attempt_at - now())::float8 FROM deliveries",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(status, "queued");
    assert!(wait > 115.0, "retries after {wait}s");
}

#[tokio::test]
async fn a_gateway_that_redirects_is_not_followed_and_the_message_waits() {
    let smtp = SmtpServer::start().await;
    let gateway = MockServer::start().await;
    // Followed, a POST answered 302 turns into a GET without the message, and this answer
    // to it would have looked like a message accepted.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/moved"))
        .mount(&gateway)
        .await;
    Mock::given(method("GET"))
        .and(path("/moved"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"sid": "SMnever"})))
        .expect(0)
        .mount(&gateway)
        .await;
    let app = app_with(&smtp, Some(&gateway)).await;
    app.resend("ACC-2", None).await;
    app.dispatch_all_pending().await;
    let (status, error): (String, String) =
        sqlx::query_as("SELECT status, last_error FROM deliveries")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "queued");
    assert!(
        error.contains("302") && error.contains("BILLPASS_SMS_URL"),
        "{error}"
    );
}

#[tokio::test]
async fn twilio_21610_opts_the_number_out_and_falls_back_to_email() {
    let smtp = SmtpServer::start().await;
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400
        })))
        .mount(&gateway)
        .await;
    let app = app_with(&smtp, Some(&gateway)).await;
    // Yuki prefers text messages now, with an email address to fall back on.
    sqlx::query("UPDATE customers SET channel = 'sms' WHERE account_id = 'ACC-3'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.resend("ACC-3", None).await;
    app.dispatch_all_pending().await;
    let rows = app.delivery_rows().await;
    assert_eq!(
        (rows[0].0.as_str(), rows[0].1.as_str()),
        ("sms", "failed"),
        "{rows:?}"
    );
    assert!(rows[0].3.as_deref().unwrap().contains("21610"));
    assert_eq!((rows[1].0.as_str(), rows[1].1.as_str()), ("email", "sent"));
    assert_eq!(smtp.received().len(), 1);
    let opted_out: bool = sqlx::query_scalar(
        "SELECT sms_opted_out_at IS NOT NULL FROM customers WHERE account_id = 'ACC-3'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(opted_out);

    // From now on the number is never texted: the next link goes by email at once.
    app.resend("ACC-3", None).await;
    app.dispatch_all_pending().await;
    assert_eq!(
        gateway.received_requests().await.unwrap().len(),
        1,
        "no second attempt at the number"
    );
    assert_eq!(smtp.received().len(), 2);
}

#[tokio::test]
async fn no_live_link_stays_in_the_database_once_sent_and_a_late_carrier_failure_still_falls_back()
{
    let smtp = SmtpServer::start().await;
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SM0077"})))
        .mount(&gateway)
        .await;
    let app = app_with(&smtp, Some(&gateway)).await;
    sqlx::query("UPDATE customers SET channel = 'sms' WHERE account_id = 'ACC-3'")
        .execute(&app.pool)
        .await
        .unwrap();
    app.resend("ACC-1", None).await;
    app.resend("ACC-3", None).await;
    // Queued messages need their links until they are sent.
    let waiting: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE link IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(waiting, 2);
    smtp.refuse_next_recipients(1, "550 5.1.1 no such mailbox");
    app.dispatch_all_pending().await;
    let kept: Vec<(String, String)> =
        sqlx::query_as("SELECT status, link FROM deliveries WHERE link IS NOT NULL")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(
        kept.is_empty(),
        "links kept after sending or failing: {kept:?}"
    );

    // The carrier later reports Yuki's text undelivered: the same link goes by email.
    let receipt = [
        ("MessageSid", "SM0077"),
        ("MessageStatus", "undelivered"),
        ("ErrorCode", "30003"),
    ];
    let owned: Vec<(String, String)> = receipt
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let url = app.url("/webhooks/sms/status");
    let answered = app
        .client
        .post(&url)
        .header("X-Twilio-Signature", twilio_signature(TOKEN, &url, &owned))
        .form(&receipt)
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status().as_u16(), 204);
    app.dispatch_all_pending().await;
    let emailed = smtp
        .received()
        .into_iter()
        .find(|m| m.contains("yuki@example.jp"))
        .expect("the fallback email");
    let link = link_in_message(&emailed).unwrap();
    assert_eq!(app.open_bill(&link).await.0.status().as_u16(), 200);
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE link IS NOT NULL")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(kept, 0);
}

#[tokio::test]
async fn receipts_and_replies_need_a_valid_twilio_signature() {
    let smtp = SmtpServer::start().await;
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"sid": "SM0042"})))
        .mount(&gateway)
        .await;
    let app = app_with(&smtp, Some(&gateway)).await;
    app.resend("ACC-2", None).await;
    app.dispatch_all_pending().await;

    let post = |path: &str, fields: Vec<(&str, &str)>, signature: Option<String>| {
        let url = app.url(path);
        let mut request = app.client.post(&url).form(&fields);
        if let Some(signature) = signature {
            request = request.header("X-Twilio-Signature", signature);
        }
        request.send()
    };
    let sign = |path: &str, fields: &[(&str, &str)]| {
        let owned: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        twilio_signature(TOKEN, &app.url(path), &owned)
    };
    let receipt = vec![
        ("MessageSid", "SM0042"),
        ("MessageStatus", "delivered"),
        ("ApiVersion", "2010-04-01"),
        ("SmsSid", "SM0042"),
    ];

    let unsigned = post("/webhooks/sms/status", receipt.clone(), None)
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 403);
    let forged = post(
        "/webhooks/sms/status",
        receipt.clone(),
        Some(twilio_signature(
            "wrong",
            &app.url("/webhooks/sms/status"),
            &[],
        )),
    )
    .await
    .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let status: String = sqlx::query_scalar("SELECT status FROM deliveries")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "sent", "a refused receipt changes nothing");

    let signed = post(
        "/webhooks/sms/status",
        receipt.clone(),
        Some(sign("/webhooks/sms/status", &receipt)),
    )
    .await
    .unwrap();
    assert_eq!(signed.status().as_u16(), 204);
    let status: String = sqlx::query_scalar("SELECT status FROM deliveries")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "delivered");

    let stop = vec![
        ("From", "+15550100123"),
        ("Body", " stop "),
        ("MessageSid", "SM9"),
    ];
    assert_eq!(
        post("/webhooks/sms/inbound", stop.clone(), None)
            .await
            .unwrap()
            .status()
            .as_u16(),
        403
    );
    let reply = post(
        "/webhooks/sms/inbound",
        stop.clone(),
        Some(sign("/webhooks/sms/inbound", &stop)),
    )
    .await
    .unwrap();
    assert_eq!(reply.status().as_u16(), 200);
    let opted_out = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT sms_opted_out_at IS NOT NULL FROM customers WHERE account_id = 'ACC-2'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    assert!(opted_out().await);
    let start = vec![("From", "+15550100123"), ("Body", "START")];
    post(
        "/webhooks/sms/inbound",
        start.clone(),
        Some(sign("/webhooks/sms/inbound", &start)),
    )
    .await
    .unwrap();
    assert!(!opted_out().await);
}

#[tokio::test]
async fn the_http_gateway_gets_json_with_a_bearer_token_and_a_reference() {
    let smtp = SmtpServer::start().await;
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/send"))
        .and(header("authorization", "Bearer http-gateway-token"))
        .and(body_string_contains(
            "\"reference\":\"billpass-delivery-1\"",
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"id": "msg-7"})))
        .mount(&gateway)
        .await;
    let smtp_url = smtp.url();
    let url = format!("{}/send", gateway.uri());
    let app = spawn_app_with(&[
        "--smtp-url",
        &smtp_url,
        "--sms-gateway",
        "http",
        "--sms-url",
        &url,
        "--sms-auth-token",
        "http-gateway-token",
    ])
    .await;
    app.load_examples().await;
    app.resend("ACC-2", None).await;
    app.dispatch_all_pending().await;
    assert_eq!(
        status_and_reference(&app).await,
        ("sent".to_owned(), Some("msg-7".to_owned()))
    );
}

#[tokio::test]
async fn serve_killed_mid_batch_and_restarted_loses_nothing_and_repeats_at_most_what_was_in_flight()
{
    use std::process::Stdio;

    use crate::cycle_runs::seed;
    use crate::helpers::{Billpass, KillOnDrop};

    const CUSTOMERS: i64 = 300;
    const CONCURRENCY: usize = 4;
    let smtp = SmtpServer::start().await;
    smtp.slow_down(Duration::from_millis(20));
    let (bp, pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    seed(&pool, CUSTOMERS, "2026-11").await;
    assert!(bp.run(&["cycle", "run", "2026-11"]).status.success());
    let emails: i64 = sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE channel = 'email'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let serve = || {
        bp.command(&["serve", "--workers-only"])
            .env("BILLPASS_SMTP_URL", smtp.url())
            .env("BILLPASS_EMAIL_CONCURRENCY", CONCURRENCY.to_string())
            .env("BILLPASS_DELIVERY_LEASE", "2s")
            .env("BILLPASS_SEND_TIMEOUT", "1s")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = KillOnDrop(serve());
    for _ in 0..500 {
        if smtp.received().len() >= 40 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.0.kill().unwrap(); // SIGKILL, mid-batch
    first.0.wait().unwrap();
    let at_kill = smtp.received().len() as i64;
    assert!(
        at_kill > 0 && at_kill < emails,
        "killed mid-way ({at_kill} of {emails} sent)"
    );

    let _second = KillOnDrop(serve());
    let mut unsent = emails;
    for _ in 0..600 {
        unsent = sqlx::query_scalar(
            "SELECT count(*) FROM deliveries WHERE channel = 'email' AND status <> 'sent'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if unsent == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(unsent, 0, "every email was sent in the end");
    let received = smtp.received();
    let ids: std::collections::HashSet<&str> = received
        .iter()
        .filter_map(|m| m.lines().find(|l| l.starts_with("Message-ID:")))
        .collect();
    assert_eq!(ids.len() as i64, emails, "every customer got their email");
    // In flight: at most four messages per sending slot, sent or being sent and not yet
    // recorded (README, "At least once").
    let repeats = received.len() - ids.len();
    assert!(
        repeats <= 4 * CONCURRENCY,
        "{repeats} repeated, more than the {} that may be in flight",
        4 * CONCURRENCY
    );
}

#[tokio::test]
async fn sigterm_finishes_sends_in_flight_gives_back_the_rest_and_exits_cleanly() {
    use std::process::Stdio;

    use crate::cycle_runs::seed;
    use crate::helpers::{Billpass, KillOnDrop};

    let smtp = SmtpServer::start().await;
    smtp.slow_down(Duration::from_millis(50));
    let (bp, pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    seed(&pool, 200, "2026-11").await;
    assert!(bp.run(&["cycle", "run", "2026-11"]).status.success());
    let server = bp
        .command(&["serve", "--workers-only"])
        .env("BILLPASS_SMTP_URL", smtp.url())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = KillOnDrop(server);
    for _ in 0..500 {
        if smtp.received().len() >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let pid = server.0.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let mut exit = None;
    for _ in 0..300 {
        if let Some(status) = server.0.try_wait().unwrap() {
            exit = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let exit = exit.expect("serve stopped within the grace period");
    assert!(exit.success(), "{exit}");
    let (sending, sent, queued): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'sending'), count(*) FILTER (WHERE status = 'sent'),
                count(*) FILTER (WHERE status = 'queued')
         FROM deliveries WHERE channel = 'email'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(sending, 0, "nothing left claimed");
    assert_eq!(
        sent,
        smtp.received().len() as i64,
        "every message the server took is recorded as sent"
    );
    assert!(queued > 0, "the rest waits for the next worker");
}
