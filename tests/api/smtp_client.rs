//! SMTP connections against a real server on loopback: the envelope pipelined when the
//! server offers it and sent a command at a time when not, connections kept open between
//! messages, one the server dropped replaced without a retry, one that stops answering timed
//! out, a refused recipient, a login with the URL's credentials, and TLS (from the start or
//! after STARTTLS) to a server whose certificate the system trusts, and to one it does not.

use std::time::Duration;

use crate::helpers::{Billpass, KillOnDrop, TestApp, link_in_message, spawn_app_with};
use crate::smtp_server::{SmtpServer, TlsMode};

async fn app_with(smtp: &SmtpServer) -> TestApp {
    app_at(&smtp.url()).await
}

async fn app_at(smtp_url: &str) -> TestApp {
    let app = spawn_app_with(&["--smtp-url", smtp_url]).await;
    app.load_examples().await;
    app
}

/// Each delivery's status, attempts and last error, oldest first.
async fn deliveries(app: &TestApp) -> Vec<(String, i32, Option<String>)> {
    let rows = app.delivery_rows().await;
    rows.into_iter()
        .map(|(_, status, attempts, error, _)| (status, attempts, error))
        .collect()
}

#[tokio::test]
async fn the_envelope_is_pipelined_when_offered_and_one_connection_carries_message_after_message() {
    let smtp = SmtpServer::start().await;
    let app = app_with(&smtp).await;
    let outbox = app.sender();

    for _ in 0..3 {
        app.resend("ACC-1", None).await;
        outbox.dispatch_due().await.unwrap();
    }

    assert_eq!(smtp.received().len(), 3);
    assert_eq!(smtp.connections(), 1, "one connection for all three");
    // MAIL and RCPT each arrive with the next command behind them, no NOOP in between.
    assert_eq!(smtp.pipelined(), 2 * 3);
    let link = link_in_message(&smtp.received()[2]).unwrap();
    assert_eq!(app.open_bill(&link).await.0.status().as_u16(), 200);
}

#[tokio::test]
async fn a_server_without_pipelining_gets_one_command_at_a_time() {
    let smtp = SmtpServer::start().await;
    smtp.without_pipelining();
    let app = app_with(&smtp).await;

    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;

    let received = smtp.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().any(|m| m.contains("To: jane@example.com")));
    assert!(received.iter().any(|m| m.contains("To: yuki@example.jp")));
    assert_eq!(smtp.pipelined(), 0);
}

#[tokio::test]
async fn a_connection_the_server_dropped_while_idle_is_replaced_and_the_message_sent_at_once() {
    let mut smtp = SmtpServer::start().await;
    let app = app_with(&smtp).await;
    let outbox = app.sender();
    app.resend("ACC-1", None).await;
    outbox.dispatch_due().await.unwrap();

    // The server goes away and comes back: the connection billpass kept is dead.
    smtp.stop();
    smtp.restart().await;
    app.resend("ACC-1", None).await;
    outbox.dispatch_due().await.unwrap();

    let rows = deliveries(&app).await;
    assert_eq!(rows[1], ("sent".into(), 1, None), "{rows:?}");
    assert_eq!(smtp.received().len(), 2);
    assert_eq!(smtp.connections(), 2);
}

#[tokio::test]
async fn a_server_that_stops_answering_times_out_and_the_message_goes_on_the_next_try() {
    let smtp = SmtpServer::start().await;
    let app = spawn_app_with(&["--smtp-url", &smtp.url(), "--send-timeout", "1s"]).await;
    app.load_examples().await;
    smtp.stall_next(1);

    app.resend("ACC-1", None).await;
    let dispatched = tokio::time::timeout(Duration::from_secs(20), app.dispatch_all_pending());
    assert!(
        dispatched.await.is_ok(),
        "the send gave up instead of hanging"
    );
    let rows = deliveries(&app).await;
    assert_eq!(
        rows[0],
        (
            "queued".into(),
            1,
            Some("temporary: timed out sending to the SMTP server".into())
        )
    );

    sqlx::query("UPDATE deliveries SET next_attempt_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    app.dispatch_all_pending().await;
    assert_eq!(deliveries(&app).await[0], ("sent".into(), 2, None));
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn a_refused_recipient_fails_for_good_with_its_reason_and_the_next_message_goes_through() {
    let smtp = SmtpServer::start().await;
    let app = app_with(&smtp).await;
    let outbox = app.sender();
    smtp.refuse_next_recipients(1, "550 5.1.1 No such user");

    app.resend("ACC-1", None).await; // email only: nothing to fall back on
    outbox.dispatch_due().await.unwrap();
    app.resend("ACC-1", None).await;
    outbox.dispatch_due().await.unwrap();

    let rows = deliveries(&app).await;
    assert_eq!((rows[0].0.as_str(), rows[0].1), ("failed", 1), "{rows:?}");
    let reason = rows[0].2.as_deref().unwrap();
    assert!(
        reason.starts_with("permanent:") && reason.contains("No such user"),
        "the recipient's refusal, not the DATA that followed it: {reason}"
    );
    assert_eq!(rows[1], ("sent".into(), 1, None), "{rows:?}");
    assert_eq!(smtp.received().len(), 1);
}

#[tokio::test]
async fn the_urls_credentials_log_in_percent_decoded_before_any_mail() {
    let smtp = SmtpServer::start().await;
    smtp.require_login();
    let url = format!(
        "smtp://bills%40example.com:s3cr%2Ft@127.0.0.1:{}",
        smtp.port
    );
    let app = app_at(&url).await;

    app.resend("ACC-1", None).await;
    app.dispatch_all_pending().await;

    assert_eq!(smtp.logins(), ["bills@example.com:s3cr/t"]);
    assert_eq!(smtp.received().len(), 1);
    assert_eq!(deliveries(&app).await[0].0, "sent");
}

/// `billpass serve --workers-only` sending one queued email to `smtp_url`, trusting only the
/// authorities in `trusted` (a PEM file, as `SSL_CERT_FILE` names one to any program); the
/// delivery's status and last error once it was tried.
async fn send_one_over_tls(smtp_url: &str, trusted: &str) -> (String, String) {
    let (bp, pool) = Billpass::new().await;
    bp.load_examples();
    assert!(bp.run(&["resend", "ACC-1"]).status.success());
    let trusted = bp.file("trusted.pem", trusted);
    let mut command = bp.command(&["serve", "--workers-only"]);
    command
        .env("BILLPASS_SMTP_URL", smtp_url)
        .env("SSL_CERT_FILE", &trusted)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut serve = KillOnDrop(command.spawn().unwrap());
    let mut row = (String::new(), String::new());
    for _ in 0..200 {
        row = sqlx::query_as("SELECT status, coalesce(last_error, '') FROM deliveries")
            .fetch_one(&pool)
            .await
            .unwrap();
        if row.0 != "queued" && row.0 != "sending" || !row.1.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(serve.terminate(Duration::from_secs(30)).await.success());
    row
}

#[tokio::test]
async fn starttls_and_implicit_tls_carry_the_message_to_a_server_the_system_trusts() {
    for (mode, url) in [
        (TlsMode::StartTls, "smtp://127.0.0.1:{port}?tls=required"),
        (TlsMode::Implicit, "smtps://127.0.0.1:{port}"),
    ] {
        let smtp = SmtpServer::start_tls(mode).await;
        let url = url.replace("{port}", &smtp.port.to_string());
        let trusted = smtp.ca_pem.clone().unwrap();

        let (status, error) = send_one_over_tls(&url, &trusted).await;

        assert_eq!((status.as_str(), error.as_str()), ("sent", ""), "{mode:?}");
        assert_eq!(smtp.tls_sessions(), 1, "{mode:?}");
        let received = smtp.received();
        assert_eq!(received.len(), 1, "{mode:?}");
        assert!(received[0].contains("To: jane@example.com"), "{mode:?}");
    }
}

#[tokio::test]
async fn a_server_whose_certificate_is_not_trusted_gets_nothing_and_the_message_waits() {
    let smtp = SmtpServer::start_tls(TlsMode::StartTls).await;
    let url = format!("smtp://127.0.0.1:{}?tls=required", smtp.port);
    // Another authority altogether.
    let other = SmtpServer::start_tls(TlsMode::StartTls).await;

    let (status, error) = send_one_over_tls(&url, other.ca_pem.as_deref().unwrap()).await;

    assert_eq!(status, "queued", "tried again later: {error}");
    assert!(error.contains("certificate"), "{error}");
    assert!(smtp.received().is_empty());
}
