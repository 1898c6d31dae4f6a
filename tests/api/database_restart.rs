//! PostgreSQL restarted under a running billpass: calm 503s meanwhile (a branded page for
//! customers, JSON for the staff API), readiness failing, and everything back by itself
//! once the database is, without restarting billpass.

use std::time::Duration;

use billpass::private_postgres::PrivatePostgres;
use reqwest::{Response, StatusCode};

use crate::helpers::{Billpass, plain_client, session_cookie};

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
