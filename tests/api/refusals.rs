//! Every way a link can fail, each with its status page and code, never a 5xx.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use billpass::domain::Channel;

use crate::helpers::{TestApp, link_status, spawn_app};

/// An app with one cycle sent; returns Jane's link.
async fn app_with_link() -> (TestApp, String) {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    (app, link)
}

fn token_of(link: &str) -> &str {
    link.rsplit("/b/").next().unwrap()
}

fn part(token: &str, i: usize) -> Value {
    serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(token.split('.').nth(i).unwrap())
            .unwrap(),
    )
    .unwrap()
}

/// The app's own private key, to sign tokens that are wrong in other ways.
fn our_key(app: &TestApp) -> (String, EncodingKey) {
    let path = std::fs::read_dir(app.keys_dir())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let pem = std::fs::read(&path).unwrap();
    let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
    let kid = stem.split_once('-').unwrap().1.to_owned();
    (kid, EncodingKey::from_ed_pem(&pem).unwrap())
}

fn sign(kid: &str, key: &EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

fn foreign_key() -> EncodingKey {
    let dir = tempfile::tempdir().unwrap();
    let (_, path) =
        billpass::tokens::keys::generate(dir.path(), billpass::tokens::keys::KeyAlgorithm::EdDsa)
            .unwrap();
    EncodingKey::from_ed_pem(&std::fs::read(path).unwrap()).unwrap()
}

async fn expect(app: &TestApp, token: &str, status: u16, page: &str) {
    for method in ["GET", "POST"] {
        let url = app.url(&format!("/b/{token}"));
        let request = if method == "GET" {
            app.client.get(&url)
        } else {
            app.client.post(&url)
        };
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status().as_u16(),
            status,
            "{method} {}",
            &token[..token.len().min(60)]
        );
        assert!(
            response.headers().get("set-cookie").is_none(),
            "no session for a refused link"
        );
        assert_eq!(link_status(&response.text().await.unwrap()), Some(page));
    }
    if page == "invalid" {
        let renew = app
            .client
            .post(app.url(&format!("/b/{token}/renew")))
            .send()
            .await
            .unwrap();
        assert_eq!(
            renew.status().as_u16(),
            400,
            "an invalid link is not renewed"
        );
        assert_eq!(link_status(&renew.text().await.unwrap()), Some("invalid"));
    }
}

#[tokio::test]
async fn garbage_and_oversized_tokens_are_invalid() {
    let (app, _) = app_with_link().await;
    for token in [
        "garbage",
        "a.b.c",
        "....",
        "%00",
        "eyJhbGciOiJFZERTQSJ9",
        &"A".repeat(9 * 1024),
    ] {
        expect(&app, token, 400, "invalid").await;
    }
}

#[tokio::test]
async fn tampered_payload_or_signature_is_invalid() {
    let (app, link) = app_with_link().await;
    let token = token_of(&link);
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = part(token, 1);
    claims["sub"] = json!("Aw");
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        parts[2]
    );
    expect(&app, &forged, 400, "invalid").await;

    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    signature[10] ^= 1;
    let flipped = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(signature)
    );
    expect(&app, &flipped, 400, "invalid").await;
    // The genuine link still works afterwards.
    assert_eq!(
        app.client
            .get(&link)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn alg_none_and_hmac_with_the_public_key_are_invalid() {
    let (app, link) = app_with_link().await;
    let token = token_of(&link);
    let (kid, _) = our_key(&app);
    let payload = token.split('.').nth(1).unwrap();

    let none_header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "kid": kid}).to_string());
    expect(&app, &format!("{none_header}.{payload}."), 400, "invalid").await;

    // HS256 keyed with the public key as published in the JWKS.
    let jwks = app.jwks().await;
    let public_x = jwks["keys"][0]["x"].as_str().unwrap().to_owned();
    for secret in [
        public_x.as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(&public_x).unwrap(),
    ] {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        let forged =
            jsonwebtoken::encode(&header, &part(token, 1), &EncodingKey::from_secret(&secret))
                .unwrap();
        expect(&app, &forged, 400, "invalid").await;
    }
}

#[tokio::test]
async fn unknown_keys_are_invalid() {
    let (app, link) = app_with_link().await;
    let claims = part(token_of(&link), 1);
    let (kid, _) = our_key(&app);
    let stranger = foreign_key();
    expect(&app, &sign(&kid, &stranger, &claims), 400, "invalid").await;
    expect(&app, &sign("zzz", &stranger, &claims), 400, "invalid").await;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = None;
    let no_kid = jsonwebtoken::encode(&header, &claims, &stranger).unwrap();
    expect(&app, &no_kid, 400, "invalid").await;
}

#[tokio::test]
async fn wrong_audience_issuer_missing_claims_and_future_iat_are_invalid() {
    let (app, link) = app_with_link().await;
    let claims = part(token_of(&link), 1);
    let (kid, key) = our_key(&app);
    let with = |field: &str, value: Value| {
        let mut c = claims.clone();
        c[field] = value;
        sign(&kid, &key, &c)
    };
    expect(&app, &with("aud", json!("another-brand")), 400, "invalid").await;
    expect(&app, &with("iss", json!("someone-else")), 400, "invalid").await;
    let future = chrono::Utc::now().timestamp() + 3600;
    expect(&app, &with("iat", json!(future)), 400, "invalid").await;
    for missing in ["sub", "jti", "iat", "exp", "aud", "iss"] {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(missing);
        expect(&app, &sign(&kid, &key, &c), 400, "invalid").await;
    }
    // Our own key and claims, untouched: the control case.
    expect_ok(&app, &sign(&kid, &key, &claims)).await;
}

#[tokio::test]
async fn a_critical_header_extension_or_a_future_nbf_is_invalid_even_signed_by_our_key() {
    let (app, link) = app_with_link().await;
    let claims = part(token_of(&link), 1);
    let (kid, key) = our_key(&app);
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.clone());
    header.crit = Some(vec!["exp-of-ours".into()]);
    let critical = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    expect(&app, &critical, 400, "invalid").await;

    let mut not_yet = claims.clone();
    not_yet["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
    expect(&app, &sign(&kid, &key, &not_yet), 400, "invalid").await;
    let mut already = claims.clone();
    already["nbf"] = json!(chrono::Utc::now().timestamp() - 60);
    expect_ok(&app, &sign(&kid, &key, &already)).await;
}

async fn expect_ok(app: &TestApp, token: &str) {
    let response = app
        .client
        .get(app.url(&format!("/b/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn expired_link_is_410_expired() {
    let (app, link) = app_with_link().await;
    let mut claims = part(token_of(&link), 1);
    let (kid, key) = our_key(&app);
    let now = chrono::Utc::now().timestamp();
    claims["iat"] = json!(now - 7200);
    claims["exp"] = json!(now - 60);
    expect(&app, &sign(&kid, &key, &claims), 410, "expired").await;
}

#[tokio::test]
async fn superseded_link_is_refused_with_410_and_the_old_session_ends() {
    let (app, old) = app_with_link().await;
    let (bill, cookie) = app.open_bill(&old).await;
    assert_eq!(bill.status().as_u16(), 200);

    app.resend("ACC-1", None).await;
    let response = app.client.get(&old).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    let page = response.text().await.unwrap();
    assert_eq!(link_status(&page), Some("superseded"));
    assert!(
        page.contains("email"),
        "says by which channel the newer link went"
    );
    assert!(page.contains("/renew"));

    let stale_session = app.get_bill(cookie.as_deref()).await;
    assert_eq!(stale_session.status().as_u16(), 410);

    app.dispatch_all_pending().await;
    let new = app.link_sent_to("jane@example.com");
    assert_ne!(new, old);
    assert_eq!(app.open_bill(&new).await.0.status().as_u16(), 200);
}

#[tokio::test]
async fn the_superseded_page_names_the_newest_link_its_channel_and_when_it_was_sent() {
    let (app, _) = app_with_link().await;
    // Yuki's cycle link went by email; then a text message, then an email again.
    let first = app.link_sent_to("yuki@example.jp");
    app.resend("ACC-3", Some(Channel::Sms)).await;
    let newest = app.resend("ACC-3", Some(Channel::Email)).await;
    sqlx::query("UPDATE link_tokens SET minted_at = '2026-11-20T10:00:00Z' WHERE id = $1")
        .bind(newest.jti.0)
        .execute(&app.pool)
        .await
        .unwrap();
    let response = app.client.get(&first).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 410);
    let page = response.text().await.unwrap();
    assert_eq!(link_status(&page), Some("superseded"));
    assert!(
        page.contains(r#"<span class="sent-by">email</span>"#),
        "the newest link went by email: {page}"
    );
    assert!(!page.contains("text message"), "{page}");
    // In the language the browser asks for (none here: English), in the customer's zone.
    assert!(
        page.contains("Nov 20, 2026 at 10:00\u{202f}AM UTC"),
        "when the newest was sent: {page}"
    );
    let in_german = app
        .client
        .get(&first)
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap();
    let page = in_german.text().await.unwrap();
    assert!(page.contains("20.11.2026 um 10:00 UTC"), "{page}");
    assert!(
        page.contains(r#"<span class="sent-by">E-Mail</span>"#),
        "{page}"
    );
}

#[tokio::test]
async fn revoked_link_is_410_revoked_at_once() {
    let (app, link) = app_with_link().await;
    let (_, cookie) = app.open_bill(&link).await;
    sqlx::query("UPDATE link_tokens SET revoked_at = now(), revoked_by = 'test', revoke_reason = 'lost phone'")
        .execute(&app.pool)
        .await
        .unwrap();
    expect(&app, token_of(&link), 410, "revoked").await;
    assert_eq!(app.get_bill(cookie.as_deref()).await.status().as_u16(), 410);
    let renew = app.renew(&link).await;
    assert_eq!(
        renew.status().as_u16(),
        409,
        "a revoked link is not renewed"
    );
}

#[tokio::test]
async fn a_signed_token_for_a_link_we_never_issued_is_invalid() {
    let (app, link) = app_with_link().await;
    let mut claims = part(token_of(&link), 1);
    let (kid, key) = our_key(&app);
    claims["jti"] = json!("AQAAAA");
    expect(&app, &sign(&kid, &key, &claims), 400, "invalid").await;
}

#[tokio::test]
async fn many_links_checked_at_once_each_get_their_own_answer() {
    let (app, jane) = app_with_link().await;
    let sam = app.link_sent_to("+15550100123");
    let yuki = app.link_sent_to("yuki@example.jp");
    app.resend("ACC-3", None).await;
    app.revoke("ACC-2").await;
    // Jane's link, signed by us, but naming Yuki as its customer.
    let mut claims = part(token_of(&jane), 1);
    claims["sub"] = part(token_of(&yuki), 1)["sub"].clone();
    let (kid, key) = our_key(&app);
    let crossed = sign(&kid, &key, &claims);
    let expected = [
        (token_of(&jane), 200, Some("ready")),
        (token_of(&sam), 410, Some("revoked")),
        (token_of(&yuki), 410, Some("superseded")),
        (&crossed, 400, Some("invalid")),
    ];

    let app = &app;
    let views = (0..200).map(|i| {
        let (token, status, page) = expected[i % expected.len()];
        async move {
            let response = app
                .client
                .get(app.url(&format!("/b/{token}")))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), status, "view {i}");
            assert_eq!(
                link_status(&response.text().await.unwrap()),
                page,
                "view {i}"
            );
        }
    });
    futures_util::future::join_all(views).await;
}
