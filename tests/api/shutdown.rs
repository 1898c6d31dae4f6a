//! Stopping `billpass serve` with SIGTERM, as a supervisor or a deployment does: no new
//! connections, requests in flight answered, the cycle run and deliveries in hand given
//! back for another process, exit status 0.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::cycle_runs::seed;
use crate::helpers::Billpass;

#[tokio::test]
async fn sigterm_answers_the_request_in_flight_hands_back_the_run_and_exits_0() {
    const CUSTOMERS: i64 = 100_000;
    let (bp, pool) = Billpass::new().await;
    assert!(bp.run(&["keys", "generate"]).status.success());
    seed(&pool, CUSTOMERS, "2026-11").await;
    let billing = bp.staff_key("bill", "billing");
    let log = bp.dir.path().join("serve.log");
    let mut serve = bp.spawn_serving(bp.command(&["serve"]), &log).await;
    let address = bp.base().trim_start_matches("http://").to_owned();

    // A slow client: an import whose body is half sent.
    let body = "account_id,name,email,phone,channel,locale\nX-1,Ann Slow,ann@example.com,,,en\nX-2,Bo Slow,bo@example.com,,,en\n";
    let (first, rest) = body.split_at(body.len() / 2);
    let mut upload = TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /api/v1/import/customers HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {billing}\r\n\
         Content-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    );
    upload.write_all(head.as_bytes()).await.unwrap();
    // On a machine busy with other tests, the server may take a moment to hand the new
    // connection to a worker; the request is in flight once it has.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // A cycle run under way.
    let started = reqwest::Client::new()
        .post(format!("{}/api/v1/cycles/2026-11/runs", bp.base()))
        .bearer_auth(&billing)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status().as_u16(), 202);
    let mut minted: i64 = 0;
    for _ in 0..1000 {
        minted = sqlx::query_scalar("SELECT minted FROM cycle_runs")
            .fetch_one(&pool)
            .await
            .unwrap();
        if minted > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(minted > 0, "the run got going");

    serve.sigterm();
    // A busy machine may take a moment to act on the signal; after that, nothing connects.
    let mut refused = false;
    for _ in 0..200 {
        if TcpStream::connect(&address).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "no new connections once stopping");
    upload.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = String::new();
    upload.read_to_string(&mut answer).await.unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{answer}\n{}",
        std::fs::read_to_string(&log).unwrap()
    );
    assert!(answer.contains(r#""inserted":2"#), "{answer}");

    let exit = serve.exit_within(Duration::from_secs(30)).await;
    assert!(exit.success(), "{exit}");
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(logs.contains("handed the cycle run back"), "{logs}");
    assert!(
        !logs.contains("listening on billpass_"),
        "listeners stop quietly with the pool: {logs}"
    );
    let (status, lease_owner, minted, total): (String, Option<String>, i64, i64) =
        sqlx::query_as("SELECT status, lease_owner, minted, total FROM cycle_runs")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), lease_owner),
        ("running", None),
        "the run was handed back mid-way"
    );
    assert!(minted < total, "{minted} of {total}");
    let sending: i64 =
        sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE status = 'sending'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(sending, 0, "no delivery left claimed: {logs}");

    // Another process takes the run over at once, from where it stopped.
    let resumed = bp.run(&["cycle", "run", "2026-11"]);
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let links: i64 = sqlx::query_scalar("SELECT count(*) FROM link_tokens WHERE cycle = '2026-11'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        links, CUSTOMERS,
        "every customer got exactly one cycle link"
    );
}
