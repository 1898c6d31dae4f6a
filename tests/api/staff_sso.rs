//! Staff single sign-on against a real OpenID provider: the npm package `oidc-provider`
//! (OpenID Certified), started on loopback by `tests/node/identity-provider.mjs`.

use std::net::TcpListener;
use std::process::Stdio;

use billpass::domain::Role;
use reqwest::redirect::Policy;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::{TestApp, spawn_app_on};

/// A running identity provider; stopped when dropped.
pub struct IdentityProvider {
    pub issuer: String,
    _child: Child,
}

/// The provider's users: `carol` (csr), `bill` (billing), `ann` (admin), `nobody` (no
/// billpass group), and `sam` with only `billpass-csr` as a lone string.
const USERS: &str = r#"{
  "carol": {"email": "carol@utility.example", "groups": ["staff", "billpass-csr"]},
  "bill": {"email": "bill@utility.example", "groups": ["billpass-billing"]},
  "ann": {"email": "ann@utility.example", "groups": ["billpass-admin"]},
  "nobody": {"email": "nobody@utility.example", "groups": ["staff"]}
}"#;

impl IdentityProvider {
    /// Starts the provider on `port` (0: any), with billpass's callback at `app`.
    pub async fn start(app: &str, port: u16, key_seed: &str) -> Self {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/node/identity-provider.mjs"
        );
        let mut child = Command::new("node")
            .arg(script)
            .env("PORT", port.to_string())
            .env("REDIRECT_URI", format!("{app}/staff/oidc/callback"))
            .env("USERS", USERS)
            .env("KEY_SEED", key_seed)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("node runs tests/node/identity-provider.mjs (npm ci --prefix tests/node)");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = loop {
            let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
                .await
                .expect("the identity provider starts within 20 s")
                .unwrap()
                .expect(
                    "the identity provider says where it listens (npm ci --prefix tests/node?)",
                );
            if let Some(port) = line.strip_prefix("listening on ") {
                break port.trim().to_owned();
            }
        };
        // The provider writes notices as it goes: a closed pipe would stop it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            issuer: format!("http://127.0.0.1:{port}"),
            _child: child,
        }
    }
}

/// An app whose staff sign in through a provider started for it.
pub async fn app_with_provider() -> (TestApp, IdentityProvider) {
    let (app, provider, _) = app_and_provider(0).await;
    (app, provider)
}

/// An app, and its provider on `provider_port` (0: any); and the app's address.
async fn app_and_provider(provider_port: u16) -> (TestApp, IdentityProvider, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let provider = IdentityProvider::start(&address, provider_port, "1").await;
    let app = spawn_app_on(
        listener,
        &[
            "--staff-oidc-issuer",
            &provider.issuer,
            "--staff-oidc-client-id",
            "billpass",
            "--staff-oidc-client-secret",
            "billpass-secret",
            "--staff-oidc-name",
            "Utility Login",
        ],
    )
    .await;
    (app, provider, address)
}

/// A browser-like client: keeps cookies, follows no redirect by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// Follows redirects from `url` until one points at billpass's callback: that URL.
async fn follow_to_callback(client: &reqwest::Client, mut url: String, login: &str) -> String {
    for _ in 0..12 {
        if url.contains("/staff/oidc/callback") {
            return url;
        }
        let response = client.get(&url).send().await.unwrap();
        if response.status().is_redirection() {
            let next = location(&response);
            url = if next.starts_with('/') {
                let base = reqwest::Url::parse(&url).unwrap();
                base.join(&next).unwrap().to_string()
            } else {
                next
            };
            continue;
        }
        // The provider's sign-in form: post the user.
        let page = response.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let base = reqwest::Url::parse(&url).unwrap();
        let posted = client
            .post(base.join(action).unwrap())
            .form(&[("login", login)])
            .send()
            .await
            .unwrap();
        assert!(posted.status().is_redirection(), "{}", posted.status());
        url = base.join(&location(&posted)).unwrap().to_string();
    }
    panic!("never came back to billpass");
}

/// Starts a sign-in at billpass and signs in at the provider as `login`: the callback URL
/// the provider sends the browser to (not yet opened).
async fn sign_in_at_provider(app: &TestApp, client: &reqwest::Client, login: &str) -> String {
    let started = client
        .get(app.url("/staff/oidc/start?next=%2Fstaff%2Fcustomers"))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status().as_u16(), 303);
    follow_to_callback(client, location(&started), login).await
}

fn has_session(response: &reqwest::Response) -> bool {
    crate::helpers::cookie_named(response, "billpass_staff").is_some_and(|c| c.len() > 20)
}

#[tokio::test]
async fn a_csr_signs_in_through_the_provider_with_the_role_of_their_group() {
    let (app, _provider) = app_with_provider().await;
    let sign_in = app
        .client
        .get(app.url("/staff/sign-in"))
        .send()
        .await
        .unwrap();
    assert!(
        sign_in
            .text()
            .await
            .unwrap()
            .contains("Sign in with Utility Login")
    );

    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "carol").await;
    let done = client.get(&callback).send().await.unwrap();
    assert_eq!(done.status().as_u16(), 200);
    assert!(has_session(&done));
    let page = done.text().await.unwrap();
    assert!(
        page.contains("url=/staff/customers"),
        "back to the page asked for: {page}"
    );
    let customers = client
        .get(app.url("/staff/customers"))
        .send()
        .await
        .unwrap();
    assert_eq!(customers.status().as_u16(), 200);
    let (role, subject): (String, Option<String>) = sqlx::query_as(
        "SELECT role, oidc_subject FROM staff_members WHERE email = 'carol@utility.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((role.as_str(), subject.as_deref()), ("csr", Some("carol")));
    let signed_in: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'staff.sign_in' AND actor = 'staff:carol@utility.example'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(signed_in, 1);

    // The role follows the groups at every sign-in; disabling still wins.
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "ann").await;
    assert!(has_session(&client.get(&callback).send().await.unwrap()));
    billpass::staff::members::disable(
        &app.pool,
        "ann@utility.example",
        &billpass::domain::Actor::command_line(),
    )
    .await
    .unwrap();
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "ann").await;
    let refused = client.get(&callback).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!has_session(&refused));
}

#[tokio::test]
async fn someone_in_no_billpass_group_gets_a_no_access_page_and_no_session() {
    let (app, _provider) = app_with_provider().await;
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "nobody").await;
    let refused = client.get(&callback).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!has_session(&refused));
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("not in a billpass group")
    );
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM staff_members")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(members, 0);
}

#[tokio::test]
async fn a_tampered_state_a_replayed_code_and_a_code_for_another_client_open_no_session() {
    let (app, provider) = app_with_provider().await;

    // A tampered state.
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "carol").await;
    let tampered = callback.replace("state=", "state=x");
    let refused = client.get(&tampered).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert!(!has_session(&refused));
    // The state and code from another browser (the cookie is this browser's only).
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "carol").await;
    let elsewhere = browser().get(&callback).send().await.unwrap();
    assert_eq!(elsewhere.status().as_u16(), 400);
    assert!(!has_session(&elsewhere));

    // A replayed callback: the state is used up; the code again with a fresh state is
    // refused by the provider.
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "carol").await;
    assert!(has_session(&client.get(&callback).send().await.unwrap()));
    let replayed = client.get(&callback).send().await.unwrap();
    assert_eq!(replayed.status().as_u16(), 400);
    assert!(!has_session(&replayed));
    let code = reqwest::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let fresh = sign_in_at_provider(&app, &client, "carol").await;
    let mut with_old_code = reqwest::Url::parse(&fresh).unwrap();
    let state = with_old_code
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    with_old_code
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", &state);
    let refused = client.get(with_old_code.as_str()).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!has_session(&refused));

    // A code the provider issued to another client, put into billpass's own sign-in.
    let attacker = browser();
    let foreign = format!(
        "{}/auth?client_id=other&response_type=code&scope=openid%20email%20groups&redirect_uri={}&state=s&nonce=n&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        provider.issuer,
        url::form_urlencoded::byte_serialize(app.url("/staff/oidc/callback").as_bytes())
            .collect::<String>()
    );
    let foreign_callback = follow_to_callback(&attacker, foreign, "carol").await;
    let foreign_code = reqwest::Url::parse(&foreign_callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let victim = browser();
    let ours = sign_in_at_provider(&app, &victim, "carol").await;
    let state = reqwest::Url::parse(&ours)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut injected = reqwest::Url::parse(&app.url("/staff/oidc/callback")).unwrap();
    injected
        .query_pairs_mut()
        .append_pair("code", &foreign_code)
        .append_pair("state", &state);
    let refused = victim.get(injected.as_str()).send().await.unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(!has_session(&refused));

    // The provider's own refusal, and a callback with nothing.
    let refused = client
        .get(app.url("/staff/oidc/callback?error=access_denied&state=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    let refused = client
        .get(app.url("/staff/oidc/callback"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
}

#[tokio::test]
async fn the_providers_new_signing_key_is_followed_without_a_restart() {
    let provider_port = {
        let probe = TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let (app, provider, address) = app_and_provider(provider_port).await;
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "bill").await;
    assert!(has_session(&client.get(&callback).send().await.unwrap()));

    // The provider restarts with another key.
    drop(provider);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let _provider = IdentityProvider::start(&address, provider_port, "second").await;
    let client = browser();
    let callback = sign_in_at_provider(&app, &client, "bill").await;
    let done = client.get(&callback).send().await.unwrap();
    assert_eq!(done.status().as_u16(), 200);
    assert!(has_session(&done));
    let role: String =
        sqlx::query_scalar("SELECT role FROM staff_members WHERE email = 'bill@utility.example'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(role, Role::Billing.to_string());
}

#[tokio::test]
async fn an_issuer_without_its_client_stops_start_up_naming_the_setting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (url, _pool) = crate::helpers::fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let settings = crate::helpers::settings(
        &url,
        dir.path(),
        &["--staff-oidc-issuer", "https://login.example.com"],
    );
    let error = billpass::app::web_config(&settings)
        .unwrap_err()
        .to_string();
    assert!(error.contains("BILLPASS_STAFF_OIDC_CLIENT_ID"), "{error}");
    drop(listener);
}
