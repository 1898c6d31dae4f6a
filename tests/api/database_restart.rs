//! PostgreSQL restarted under a running billpass: calm 503s meanwhile (a branded page for
//! customers, JSON for the staff API), readiness failing, and everything back by itself
//! once the database is, without restarting billpass; outcomes of messages sent meanwhile
//! written once it is back.

use std::time::Duration;

use billpass::infra::private_postgres::PrivatePostgres;
use reqwest::{Response, StatusCode};
use sqlx::Connection;

use crate::helpers::{Billpass, plain_client, session_cookie};
use crate::smtp_server::SmtpServer;

async fn status_of(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn a_database_restart_gives_503s_meanwhile_and_billpass_recovers_by_itself() {
    let mut postgres = PrivatePostgres::start()
        .await
        .expect("a throwaway PostgreSQL server (the postgresql package)");
    let bp = Billpass::with_database(postgres.url());
    bp.load_examples();
    assert!(bp.run(&["cycle", "run", "2026-11"]).status.success());
    let csr = bp.staff_key("carol", "csr");
    let log = bp.dir.path().join("serve.log");
    let mut serve = bp.spawn_serving(bp.command(&["serve"]), &log).await;
    let link = bp.link_sent_to("jane@example.com").await;
    let client = plain_client();
    let opened = client.post(&link).send().await.unwrap();
    let cookie = session_cookie(&opened).expect("a bill session");
    let customer = || {
        client
            .get(bp.url("/api/v1/customers/ACC-1"))
            .bearer_auth(&csr)
            .send()
    };
    let bill = || client.get(bp.url("/bill")).header("Cookie", &cookie).send();
    assert_eq!(bill().await.unwrap().status(), StatusCode::OK);

    postgres.stop_server().unwrap();
    let (landing, bill_page, api, ready, alive, metrics) = tokio::join!(
        client.get(&link).send(),
        bill(),
        customer(),
        client.get(bp.url("/readyz")).send(),
        client.get(bp.url("/healthz")).send(),
        client.get(bp.url("/metrics")).send(),
    );
    for page in [landing.unwrap(), bill_page.unwrap()] {
        assert_eq!(page.headers()["retry-after"], "30");
        let (status, content_type, body) = status_of(page).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(body.contains(r#"data-error="unavailable""#), "{body}");
        assert!(body.contains("be right back"), "{body}");
    }
    let (status, content_type, body) = status_of(api.unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert!(body.contains("the database is unreachable"), "{body}");
    let (status, _, body) = status_of(ready.unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(alive.unwrap().status(), StatusCode::OK, "still alive");
    let metrics = metrics.unwrap().text().await.unwrap();
    assert!(metrics.contains("billpass_database_up 0"), "{metrics}");

    postgres.start_server().unwrap();
    let mut ready = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..100 {
        ready = client.get(bp.url("/readyz")).send().await.unwrap().status();
        if ready == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(ready, StatusCode::OK, "ready again");
    assert_eq!(
        client.get(&link).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(bill().await.unwrap().status(), StatusCode::OK);
    assert_eq!(customer().await.unwrap().status(), StatusCode::OK);
    assert!(
        serve.0.try_wait().unwrap().is_none(),
        "the same billpass process"
    );

    let exit = serve.terminate(Duration::from_secs(30)).await;
    assert!(exit.success(), "{exit}");
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(!logs.contains("panicked"), "{logs}");
    assert!(!logs.contains("status=500"), "{logs}");
}

#[tokio::test]
async fn outcomes_the_database_cannot_take_are_written_once_it_is_back_and_nothing_is_sent_twice() {
    let mut postgres = PrivatePostgres::start()
        .await
        .expect("a throwaway PostgreSQL server (the postgresql package)");
    let smtp = SmtpServer::start().await;
    smtp.slow_down(Duration::from_millis(1500));
    let bp = Billpass::with_database(postgres.url());
    bp.load_examples();
    assert!(bp.run(&["cycle", "run", "2026-11"]).status.success());
    let url = postgres.url().to_owned();
    let count = |sql: &'static str| {
        let url = url.clone();
        async move {
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            sqlx::query_scalar::<_, i64>(sql).fetch_one(&mut conn).await
        }
    };
    let emails = count("SELECT count(*) FROM deliveries WHERE channel = 'email'")
        .await
        .unwrap();
    let log = bp.dir.path().join("serve.log");
    let mut command = bp.command(&["serve"]);
    command
        .env("BILLPASS_SMTP_URL", smtp.url())
        .env("BILLPASS_DELIVERY_LEASE", "30s")
        .env("BILLPASS_SEND_TIMEOUT", "10s");
    let mut serve = bp.spawn_serving(command, &log).await;
    for _ in 0..100 {
        if count("SELECT count(*) FROM deliveries WHERE status = 'sending' AND channel = 'email'")
            .await
            .unwrap()
            > 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The messages go out while the database is down: their outcomes cannot be written.
    postgres.stop_server().unwrap();
    for _ in 0..100 {
        if !smtp.received().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !smtp.received().is_empty(),
        "sent while the database was down"
    );
    // Longer than billpass waits for a connection (3 s), so writing the outcomes fails.
    tokio::time::sleep(Duration::from_secs(5)).await;
    postgres.start_server().unwrap();

    let mut unsent = emails;
    for _ in 0..300 {
        if let Ok(n) =
            count("SELECT count(*) FROM deliveries WHERE channel = 'email' AND status <> 'sent'")
                .await
        {
            unsent = n;
            if unsent == 0 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(unsent, 0, "every email recorded as sent");
    assert_eq!(
        smtp.received().len() as i64,
        emails,
        "each email sent once, none again after the database came back"
    );
    let exit = serve.terminate(Duration::from_secs(30)).await;
    assert!(exit.success(), "{exit}");
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(
        logs.contains("could not record delivery outcomes, trying again"),
        "{logs}"
    );
}
