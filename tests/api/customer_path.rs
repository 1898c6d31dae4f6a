//! The customer's path: message → interstitial → button → bill.

use crate::helpers::{link_status, session_cookie, spawn_app};

#[tokio::test]
async fn customer_follows_the_emailed_link_to_their_bill() {
    let app = spawn_app().await;
    app.load_examples().await;
    let run = app.run_cycle("2026-11").await;
    assert_eq!((run.total, run.minted, run.skipped), (3, 3, 0));
    app.dispatch_all_pending().await;

    let link = app.link_sent_to("jane@example.com");
    let landing = app.client.get(&link).send().await.unwrap();
    assert_eq!(landing.status().as_u16(), 200);
    let body = landing.text().await.unwrap();
    assert!(body.contains("View my bill"));
    assert!(
        !body.contains("142.17") && !body.contains("Jane"),
        "the interstitial shows no bill data"
    );

    let (bill, _) = app.open_bill(&link).await;
    assert_eq!(bill.status().as_u16(), 200);
    let page = bill.text().await.unwrap();
    assert_eq!(link_status(&page), Some("valid"));
    for expected in [
        "Jane Doe",
        "$142.17",
        "$120.50",
        "-$120.50",
        "Energy charge",
        "$98.40",
        "612 kWh",
        "Tax: Sales tax",
        "Nov 23, 2026",
    ] {
        assert!(page.contains(expected), "bill page shows {expected}");
    }
    // What changed: charges of $142.17 against $120.50 the month before.
    assert!(
        page.contains("$21.67 more than"),
        "difference to the previous bill"
    );
    assert!(page.contains("+18.0%"), "percentage change");
    assert!(page.contains("<svg"), "usage chart");
    assert!(!page.contains("ACC-1<"), "the account number is masked");
}

#[tokio::test]
async fn text_message_links_fit_two_gsm7_segments_with_a_33_character_base_url() {
    // 33 characters: the longest base URL the default template is sized for.
    let base = "https://bills.northwind-energy.us";
    assert_eq!(base.len(), 33);
    let app = crate::helpers::spawn_app_with(&["--public-url", base]).await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let sms = std::fs::read_dir(app.outbox())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "sms"))
        .expect("an SMS in the outbox");
    let text = std::fs::read_to_string(sms).unwrap();
    let body = text.split_once('\n').unwrap().1.trim_end();
    assert!(
        body.starts_with("Northwind: €1,234.56 due 11/23 https://"),
        "brand (shortened to whole words), amount and due date first: {body}"
    );
    assert!(
        body.contains(" https://bills.northwind-energy.us/b/"),
        "{body}"
    );
    const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
    // The extension table: an escape and the character, two septets each.
    const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{c}";
    assert!(
        body.chars()
            .all(|c| GSM7.contains(c) || GSM7_EXTENSION.contains(c)),
        "GSM-7 only: {body}"
    );
    let septets: usize = body
        .chars()
        .map(|c| if GSM7_EXTENSION.contains(c) { 2 } else { 1 })
        .sum();
    assert!(septets <= 306, "{septets} septets: {body}");
}

#[tokio::test]
async fn the_session_cookie_is_httponly_lax_and_short_lived() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    let opened = app.client.post(&link).send().await.unwrap();
    assert_eq!(opened.headers()["location"], "/bill");
    let cookie = opened.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http public URL");
    let max_age: u64 = cookie
        .split("Max-Age=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age <= 1800, "{cookie}");
    assert!(session_cookie(&opened).is_some());
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    for response in [
        app.client.get(&link).send().await.unwrap(),
        app.open_bill(&link).await.0,
        app.client.get(app.url("/b/nonsense")).send().await.unwrap(),
        app.client.get(app.url("/bill")).send().await.unwrap(),
    ] {
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["cache-control"], "no-store");
        assert!(h["x-robots-tag"].to_str().unwrap().contains("noindex"));
    }
}

#[tokio::test]
async fn bill_without_a_session_is_401_with_directions() {
    let app = spawn_app().await;
    let response = app.get_bill(None).await;
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.text().await.unwrap().contains("open the link"));
    let forged = app
        .get_bill(Some(
            "billpass_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ))
        .await;
    assert_eq!(forged.status().as_u16(), 401);
    let junk = app
        .get_bill(Some(&format!("billpass_session={}", "%".repeat(4000))))
        .await;
    assert_eq!(junk.status().as_u16(), 401);
}

#[tokio::test]
async fn renewing_an_expired_link_sends_a_fresh_one_to_the_address_on_file() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let old = app.link_sent_to("jane@example.com");
    sqlx::query("UPDATE link_tokens SET expires_at = now() - interval '1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    let expired = app.client.get(&old).send().await.unwrap();
    assert_eq!(expired.status().as_u16(), 410);
    let page = expired.text().await.unwrap();
    assert_eq!(link_status(&page), Some("expired"));
    assert!(page.contains("/renew"), "offers the renew button");

    let renewed = app.renew(&old).await;
    assert_eq!(renewed.status().as_u16(), 200);
    assert!(renewed.text().await.unwrap().contains("j•••@example.com"));
    app.dispatch_all_pending().await;
    let fresh = app.link_sent_to("jane@example.com");
    assert_ne!(fresh, old);
    assert_eq!(app.open_bill(&fresh).await.0.status().as_u16(), 200);

    // A second renewal within the minute is refused with a Retry-After.
    let again = app.renew(&old).await;
    assert_eq!(again.status().as_u16(), 429);
    assert!(again.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn renewing_a_superseded_link_sends_the_current_link_again_and_mints_nothing() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let old = app.link_sent_to("jane@example.com");
    app.resend("ACC-1", None).await;
    app.dispatch_all_pending().await;
    let current = app.link_sent_to("jane@example.com");
    let tokens = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM link_tokens")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let before = tokens().await;

    // Someone holding the forwarded old link asks for a new one.
    let renewed = app.renew(&old).await;
    assert_eq!(renewed.status().as_u16(), 200);
    assert!(renewed.text().await.unwrap().contains("j•••@example.com"));
    assert_eq!(tokens().await, before, "nothing minted");
    app.dispatch_all_pending().await;
    assert_eq!(
        app.link_sent_to("jane@example.com"),
        current,
        "the current link, sent again"
    );
    assert_eq!(app.open_bill(&current).await.0.status().as_u16(), 200);

    // It counts against the customer's budget: at most one a minute.
    assert_eq!(app.renew(&old).await.status().as_u16(), 429);

    // Once the current link has expired, renewing mints a fresh one.
    sqlx::query(
        "UPDATE link_tokens SET expires_at = now() - interval '1 second',
                                minted_at = minted_at - interval '2 minutes'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE deliveries SET created_at = created_at - interval '2 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.renew(&old).await.status().as_u16(), 200);
    assert_eq!(tokens().await, before + 1);
    app.dispatch_all_pending().await;
    let fresh = app.link_sent_to("jane@example.com");
    assert_ne!(fresh, current);
    assert_eq!(app.open_bill(&fresh).await.0.status().as_u16(), 200);
}

#[tokio::test]
async fn renewals_stop_at_the_daily_cap() {
    let app = crate::helpers::spawn_app_with(&["--renew-daily-limit", "2"]).await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        // Earlier renewals are moved back past the one-a-minute limit.
        sqlx::query("UPDATE link_tokens SET minted_at = minted_at - interval '2 minutes', expires_at = now() - interval '1 second'")
            .execute(&app.pool)
            .await
            .unwrap();
        statuses.push(app.renew(&link).await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
}

#[tokio::test]
async fn a_current_link_cannot_be_renewed() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    let response = app.renew(&link).await;
    assert_eq!(response.status().as_u16(), 409);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM link_tokens")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 3, "nothing minted");
}

#[tokio::test]
async fn health_readiness_and_unknown_paths_answer_plainly() {
    let app = spawn_app().await;
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let missing = app.client.get(app.url("/b")).send().await.unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let huge = app
        .client
        .get(app.url(&format!("/b/{}", "x".repeat(16 * 1024))))
        .send()
        .await
        .unwrap();
    assert!(huge.status().is_client_error(), "{}", huge.status());
}

#[tokio::test]
async fn without_the_database_links_get_a_calm_503_page() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    app.pool.close().await;
    let response = app.client.get(&link).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers()["retry-after"], "30");
    let page = response.text().await.unwrap();
    assert!(
        page.contains("data-error=\"unavailable\"") && page.contains("Northwind Energy"),
        "{page}"
    );
}

#[tokio::test]
async fn links_open_again_right_after_the_database_drops_the_connections() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    let opened = app.client.get(&link).send().await.unwrap();
    assert_eq!(opened.status().as_u16(), 200);

    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    for _ in 0..3 {
        let again = app.client.get(&link).send().await.unwrap();
        assert_eq!(again.status().as_u16(), 200, "a new connection serves it");
    }
}

#[tokio::test]
async fn the_front_page_says_how_to_reach_a_bill_and_whom_to_call() {
    let app = crate::helpers::spawn_app_with(&[
        "--support-phone",
        "+1 555 010 0100",
        "--support-email",
        "help@northwind.example",
    ])
    .await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(page.contains("Northwind Energy"), "{page}");
    assert!(page.contains(r#"href="/link""#), "offers /link: {page}");
    assert!(page.contains(r#"href="tel:+15550100100""#), "{page}");
    assert!(page.contains("help@northwind.example"), "{page}");

    let icon = app
        .client
        .get(app.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status().as_u16(), 200);
    assert_eq!(icon.headers()["content-type"], "image/x-icon");
    assert!(
        icon.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    assert_eq!(
        &icon.bytes().await.unwrap()[..4],
        &[0, 0, 1, 0],
        "an ICO file"
    );
}

#[tokio::test]
async fn head_is_answered_wherever_get_is_and_other_methods_get_405_with_allow() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    for (url, status) in [
        (app.url("/healthz"), 200),
        (app.url("/readyz"), 200),
        (app.url("/metrics"), 200),
        (app.url("/.well-known/jwks.json"), 200),
        (app.url("/"), 200),
        (app.url("/link"), 200),
        (app.url("/favicon.ico"), 200),
        (app.url("/assets/billpass.css"), 200),
        (app.url("/bill"), 401),
        (link.clone(), 200),
    ] {
        let response = app.client.head(&url).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "HEAD {url}");
        assert!(
            response.bytes().await.unwrap().is_empty(),
            "HEAD {url} has no body"
        );
    }
    let trace = reqwest::Method::from_bytes(b"TRACE").unwrap();
    for (method, url, allow) in [
        (trace.clone(), app.url("/healthz"), "GET, HEAD"),
        (reqwest::Method::POST, app.url("/"), "GET, HEAD"),
        (reqwest::Method::DELETE, link.clone(), "GET, HEAD, POST"),
        (trace, app.url("/link"), "GET, HEAD, POST"),
        (reqwest::Method::PUT, app.url("/bill"), "GET, HEAD"),
        (reqwest::Method::GET, format!("{link}/renew"), "POST"),
    ] {
        let response = app
            .client
            .request(method.clone(), &url)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405, "{method} {url}");
        assert_eq!(response.headers()["allow"], allow, "{method} {url}");
    }
    // The link still opens after all that.
    assert_eq!(app.open_bill(&link).await.0.status().as_u16(), 200);
}
