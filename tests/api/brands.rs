//! Several brands in one deployment: managed through the API and the console, each
//! customer's links minted for their brand and opened only as that brand, on its own host
//! when it has one; hostile brand data refused or escaped.

use reqwest::Method;
use serde_json::{Value, json};

use billpass::domain::Role;

use crate::helpers::{Billpass, TestApp, csrf_in, link_status, spawn_app};

const LOGO: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#0a5"/></svg>"##;

/// Customers of three brands: the default one, `water` (on a host of its own) and `gas`.
const CUSTOMERS: &str = "\
account_id,name,email,phone,channel,locale,brand
ACC-1,Jane Doe,jane@example.com,,email,en-US,
ACC-2,Ana Agua,ana@example.com,,email,es-ES,water
ACC-3,Gus Gas,gus@example.com,,email,de-DE,gas
";

const BILLS: &str = r#"{"account_id":"ACC-1","cycle":"2026-11","period_start":"2026-10-01","period_end":"2026-10-31","issued_on":"2026-11-02","due_on":"2026-11-23","currency":"USD","amount_due":"42.00","previous_balance":"0","payments":"0","lines":[{"description":"Energy","amount":"42.00"}],"usage":[]}
{"account_id":"ACC-2","cycle":"2026-11","period_start":"2026-10-01","period_end":"2026-10-31","issued_on":"2026-11-02","due_on":"2026-11-23","currency":"EUR","amount_due":"121.66","previous_balance":"0","payments":"0","lines":[{"description":"Agua","amount":"121.66"}],"usage":[]}
{"account_id":"ACC-3","cycle":"2026-11","period_start":"2026-10-01","period_end":"2026-10-31","issued_on":"2026-11-02","due_on":"2026-11-23","currency":"EUR","amount_due":"80.00","previous_balance":"0","payments":"0","lines":[{"description":"Gas","amount":"80.00"}],"usage":[]}
"#;

/// The host the `water` brand's links are on: this app's port, another name.
fn water_host(app: &TestApp) -> String {
    let port = app.address.rsplit(':').next().unwrap();
    format!("water.localhost:{port}")
}

/// The app's key files, oldest first (their names start with their creation time).
fn key_files(app: &TestApp) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(app.keys_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

/// `20261121T192600Z-x7Q.pem` → `x7Q`.
fn kid_of_file(path: &std::path::Path) -> String {
    let stem = path.file_stem().unwrap().to_str().unwrap();
    stem.split_once('-').unwrap().1.to_owned()
}

/// Part `i` of the token in `link` (0: the header, 1: the claims), decoded.
fn token_part(link: &str, i: usize) -> Value {
    let token = link.rsplit("/b/").next().unwrap();
    let part = token.split('.').nth(i).unwrap();
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, part);
    serde_json::from_slice(&bytes.unwrap()).unwrap()
}

/// The JSON body of `GET path` with `key`.
async fn get_json(app: &TestApp, path: &str, key: &str) -> Value {
    let response = app.api(Method::GET, path, key).send().await.unwrap();
    response.json().await.unwrap()
}

async fn add(app: &TestApp, key: &str, id: &str, body: Value) -> reqwest::Response {
    app.api(Method::POST, &format!("/api/v1/brands/{id}"), key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// An app with brands `water` and `gas`, their customers and the default brand's, and a
/// cycle sent to all three.
async fn app_with_brands() -> (TestApp, String) {
    let app = spawn_app().await;
    let admin = app.staff_key("admin", Role::Admin).await;
    let water = json!({
        "name": "Acme Water", "audience": "water", "colour": "#005a8c", "logo_svg": LOGO,
        "public_url": format!("http://{}", water_host(&app)), "locale": "es-ES",
        "timezone": "Europe/Madrid", "support_phone": "+34 900 100 200",
    });
    assert_eq!(add(&app, &admin, "water", water).await.status(), 201);
    let gas = json!({"name": "Acme Gas", "audience": "gas"});
    assert_eq!(add(&app, &admin, "gas", gas).await.status(), 201);
    app.import_customers(CUSTOMERS).await;
    app.import_bills(BILLS).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    (app, admin)
}

/// `GET /b/{token}` of `link` asked on `host`.
async fn fetch_on(app: &TestApp, link: &str, host: &str) -> (u16, String) {
    let token = link.rsplit("/b/").next().unwrap();
    let response = app
        .client
        .get(app.url(&format!("/b/{token}")))
        .header("host", host)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn each_brand_opens_its_own_links_only_and_wears_its_own_look() {
    let (app, _) = app_with_brands().await;
    let here = app.address.trim_start_matches("http://").to_owned();
    let water = water_host(&app);
    let jane = app.link_sent_to("jane@example.com");
    let ana = app.link_sent_to("ana@example.com");
    let gus = app.link_sent_to("gus@example.com");
    assert!(ana.starts_with(&format!("http://{water}/b/")), "{ana}");
    assert!(gus.starts_with(&app.address), "{gus}");

    // Each link on its own brand's host: the landing page in that brand's look.
    let (status, page) = fetch_on(&app, &ana, &water).await;
    assert_eq!(status, 200);
    assert!(page.contains("Acme Water"), "{page}");
    assert!(page.contains("/brand/water/style.css"), "its colour");
    assert!(page.contains("/brand/water/logo.svg"), "its logo");
    let (status, page) = fetch_on(&app, &gus, &here).await;
    assert_eq!(status, 200);
    assert!(page.contains("Acme Gas") && !page.contains("Acme Water"));
    assert_eq!(fetch_on(&app, &jane, &here).await.0, 200);

    // A link of one brand opened on another's host: invalid, never a bill.
    for (link, host) in [(&ana, &here), (&gus, &water), (&jane, &water)] {
        let (status, page) = fetch_on(&app, link, host).await;
        assert_eq!(status, 400, "{link} on {host}");
        assert_eq!(link_status(&page), Some("invalid"), "{link} on {host}");
    }

    // Its emails in its colour and from its name.
    let email = std::fs::read_dir(app.outbox())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|m| m.contains("ana@example.com"))
        .unwrap();
    assert!(
        email.contains("#005a8c") && email.contains("Acme Water"),
        "{email}"
    );

    // The brand's files: its colour and its logo, the logo sandboxed.
    let css = app
        .client
        .get(app.url("/brand/water/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert!(css.text().await.unwrap().contains("#005a8c"));
    let logo = app
        .client
        .get(app.url("/brand/water/logo.svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(logo.status(), 200);
    assert!(
        logo.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    for missing in [
        "/brand/gas/logo.svg",
        "/brand/nope/style.css",
        "/brand/..%2f/logo.svg",
    ] {
        let response = app.client.get(app.url(missing)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{missing}");
    }
}

#[tokio::test]
async fn a_token_signed_with_another_brands_key_is_invalid() {
    let app = spawn_app().await;
    let admin = app.staff_key("admin", Role::Admin).await;
    // The first key becomes water's own; a newer one signs the default brand's links.
    let water_kid = kid_of_file(&key_files(&app)[0]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    billpass::tokens::keys::generate(&app.keys_dir(), billpass::tokens::keys::KeyAlgorithm::EdDsa)
        .unwrap();
    let water = json!({"name": "Acme Water", "audience": "water", "signing_kid": water_kid});
    assert_eq!(add(&app, &admin, "water", water).await.status(), 201);
    let unknown = json!({"name": "Acme Gas", "audience": "gas", "signing_kid": "nokey"});
    let refused = add(&app, &admin, "gas", unknown).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["details"][0]["field"], "signing_kid");

    app.import_customers(CUSTOMERS.replace(",gas\n", ",\n").as_str())
        .await;
    app.import_bills(BILLS).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let ana = app.link_sent_to("ana@example.com");
    let jane = app.link_sent_to("jane@example.com");
    let kid_of = |link: &str| token_part(link, 0)["kid"].as_str().unwrap().to_owned();
    assert_eq!(
        kid_of(&ana),
        water_kid,
        "water's links are signed with its key"
    );
    assert_ne!(kid_of(&jane), water_kid);
    let here = app.address.trim_start_matches("http://").to_owned();
    assert_eq!(fetch_on(&app, &ana, &here).await.0, 200);

    // Water's claims signed with the deployment's current key: not water's key, invalid.
    let claims = token_part(&ana, 1);
    let newest = key_files(&app).pop().unwrap();
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&std::fs::read(&newest).unwrap()).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some(kid_of_file(&newest));
    let forged = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    let (status, page) = fetch_on(&app, &format!("/b/{forged}"), &here).await;
    assert_eq!(status, 400);
    assert_eq!(link_status(&page), Some("invalid"));
}

#[tokio::test]
async fn brands_are_managed_by_admins_through_the_api_and_checked() {
    let app = spawn_app().await;
    let admin = app.staff_key("admin", Role::Admin).await;
    let csr = app.staff_key("csr", Role::Csr).await;
    let good = json!({"name": "Acme Water", "audience": "water", "logo_svg": LOGO});

    let forbidden = add(&app, &csr, "water", good.clone()).await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(add(&app, &admin, "water", good.clone()).await.status(), 201);
    assert_eq!(add(&app, &admin, "water", good.clone()).await.status(), 409);
    let taken = json!({"name": "Other", "audience": "water"});
    assert_eq!(add(&app, &admin, "other", taken).await.status(), 409);
    let default_audience = json!({"name": "Other", "audience": "bill"});
    assert_eq!(
        add(&app, &admin, "other", default_audience).await.status(),
        409
    );
    assert_eq!(
        add(&app, &admin, "default", good.clone()).await.status(),
        422
    );
    assert_eq!(
        add(&app, &admin, "Bad_Id", good.clone()).await.status(),
        404
    );
    let incomplete = add(&app, &admin, "other", json!({"name": "Other"})).await;
    assert_eq!(incomplete.status(), 422);

    // Hostile or wrong values: each named, nothing stored.
    let hostile = json!({
        "name": "Evil", "audience": "evil",
        "logo_svg": "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        "colour": "#ffff00", "public_url": "javascript:alert(1)", "locale": "<x>",
        "timezone": "Mars/Olympus", "sms_from": "+1", "email_from": "not an address",
        "pay_url": "ftp://pay.example/", "support_email": "nope",
    });
    let refused = add(&app, &admin, "evil", hostile).await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    for field in [
        "logo_svg",
        "colour",
        "public_url",
        "locale",
        "timezone",
        "sms_from",
        "email_from",
        "pay_url",
        "support_email",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    for logo in [
        r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#,
        r#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>"#,
        "not svg at all",
    ] {
        let body = json!({"name": "Evil", "audience": "evil", "logo_svg": logo});
        assert_eq!(
            add(&app, &admin, "evil", body).await.status(),
            422,
            "{logo}"
        );
    }
    let unknown_field = json!({"name": "Evil", "audience": "evil", "color": "#000000"});
    assert_eq!(add(&app, &admin, "evil", unknown_field).await.status(), 422);
    let oversized = json!({"name": "Evil", "audience": "evil", "logo_svg": "x".repeat(200_000)});
    assert_eq!(add(&app, &admin, "evil", oversized).await.status(), 413);
    let not_json = app
        .api(Method::POST, "/api/v1/brands/evil", &admin)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);

    let list: Value = get_json(&app, "/api/v1/brands", &admin).await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["default", "water"], "nothing refused was stored");
    assert_eq!(list[1]["has_logo"], true);

    // A change: the values given, the others kept; an unknown brand is 404.
    let changed = app
        .api(Method::PATCH, "/api/v1/brands/water", &admin)
        .json(&json!({"colour": "#005a8c", "name": "<b>Water</b> & Co"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let water: Value = changed.json().await.unwrap();
    assert_eq!(water["colour"], "#005a8c");
    assert_eq!(water["audience"], "water");
    assert_eq!(water["has_logo"], true);
    let unknown = app
        .api(Method::PATCH, "/api/v1/brands/nope", &admin)
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let one = app
        .api(Method::GET, "/api/v1/brands/default", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 200);

    // A name with markup is shown as text on the brand's pages.
    app.import_customers(&CUSTOMERS.replace(",gas\n", ",water\n"))
        .await;
    app.import_bills(BILLS).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("gus@example.com");
    let page = app
        .client
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("&#60;b&#62;Water"), "{page}");
    assert!(!page.contains("<b>Water</b>"));

    // Every change is in the audit log.
    let audit: Value = get_json(&app, "/api/v1/audit", &admin).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"brand.add") && actions.contains(&"brand.update"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn an_unknown_brand_in_the_customers_import_stores_nothing() {
    let app = spawn_app().await;
    let admin = app.staff_key("billing", Role::Billing).await;
    let response = app
        .api(Method::POST, "/api/v1/import/customers", &admin)
        .header("content-type", "text/csv")
        .body(CUSTOMERS)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["details"][0]["field"], "brand");
    assert_eq!(body["details"][0]["line"], 3);
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn staff_find_customers_by_brand_and_the_report_splits_by_brand() {
    let (app, admin) = app_with_brands().await;
    let csr = app.staff_key("csr", Role::Csr).await;
    let search = |q: &str| {
        app.api(Method::GET, &format!("/api/v1/customers?{q}"), &csr)
            .send()
    };
    for (brand, account, name) in [
        ("water", "ACC-2", "Ana"),
        ("gas", "ACC-3", "Gus"),
        ("default", "ACC-1", "Jane"),
    ] {
        let found: Value = search(&format!("q={account}"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["customers"][0]["brand"], brand, "{found}");
        for q in [
            format!("q={name}&brand={brand}"),
            format!("q={account}&brand={brand}"),
        ] {
            let found: Value = search(&q).await.unwrap().json().await.unwrap();
            let accounts: Vec<&str> = found["customers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["account_id"].as_str().unwrap())
                .collect();
            assert_eq!(accounts, [account], "{q}");
        }
    }
    let other: Value = search("q=ACC-2&brand=gas")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(other["customers"].as_array().unwrap().is_empty());
    for bad in ["q=acc&brand=nope", "q=acc&brand=%3Cscript%3E"] {
        assert_eq!(search(bad).await.unwrap().status(), 422, "{bad}");
    }

    let report: Value = get_json(&app, "/api/v1/cycles/2026-11/report", &admin).await;
    for brand in ["default", "water", "gas"] {
        assert_eq!(report["brands"][brand]["minted"], 1, "{report}");
    }

    // The console: the brand filter, each customer's brand, the report by brand.
    app.invite("admin@example.com", Role::Admin).await;
    let cookie = app.staff_session("admin@example.com").await;
    let page = text_of(&app, "/staff/customers?q=ACC-2&brand=water", &cookie).await;
    assert!(
        page.contains(r#"<option value="water" selected>Acme Water</option>"#),
        "{page}"
    );
    assert!(page.contains("data-account=\"ACC-2\""), "{page}");
    let page = text_of(&app, "/staff/customers?q=ACC-2&brand=gas", &cookie).await;
    assert!(!page.contains("data-account=\"ACC-2\""), "{page}");
    let page = text_of(&app, "/staff/customers/ACC-2", &cookie).await;
    assert!(page.contains("<dt>Brand</dt><dd>Acme Water</dd>"), "{page}");
    let page = text_of(&app, "/staff/cycles/2026-11", &cookie).await;
    assert!(page.contains("data-table=\"brands\""), "{page}");
    let csv = text_of(&app, "/staff/cycles/2026-11?format=csv", &cookie).await;
    assert!(csv.contains("2026-11,brand:water,minted,1"), "{csv}");
}

/// The console page at `path`, as the session of `cookie` sees it.
async fn text_of(app: &TestApp, path: &str, cookie: &str) -> String {
    app.console_get(path, cookie).await.text().await.unwrap()
}

#[tokio::test]
async fn admins_add_and_change_brands_in_the_console() {
    let app = spawn_app().await;
    app.invite("admin@example.com", Role::Admin).await;
    app.invite("csr@example.com", Role::Csr).await;
    let cookie = app.staff_session("admin@example.com").await;
    let csr = app.staff_session("csr@example.com").await;
    assert_eq!(
        app.console_get("/staff/admin/brands", &csr).await.status(),
        403
    );
    let page = text_of(&app, "/staff/admin/brands", &cookie).await;
    let csrf = csrf_in(&page);

    let added = app
        .console_post(
            "/staff/admin/brands",
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "add"),
                ("id", "water"),
                ("name", "Acme Water"),
                ("audience", "water"),
                ("colour", "#005a8c"),
                ("logo_svg", LOGO),
                ("locale", ""),
            ],
        )
        .await;
    assert_eq!(added.status(), 200);
    let page = added.text().await.unwrap();
    assert!(page.contains("Added the brand water."), "{page}");
    assert!(page.contains("data-brand=\"water\""));

    let bad = app
        .console_post(
            "/staff/admin/brands",
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "update"),
                ("id", "water"),
                ("colour", "#ffffff"),
                (
                    "logo_svg",
                    "<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>",
                ),
            ],
        )
        .await;
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(page.contains("id=\"brand-colour-error\""), "{page}");
    assert!(page.contains("id=\"brand-logo-error\""));
    assert!(page.contains("&#60;script"), "the typed logo kept, escaped");

    for form in [
        vec![
            ("csrf", "wrong"),
            ("op", "add"),
            ("id", "gas"),
            ("name", "G"),
            ("audience", "g"),
        ],
        vec![
            ("op", "add"),
            ("id", "gas"),
            ("name", "G"),
            ("audience", "g"),
        ],
    ] {
        let refused = app
            .console_post("/staff/admin/brands", &cookie, &form)
            .await;
        assert_eq!(refused.status(), 403);
    }
    let junk = app
        .console_post(
            "/staff/admin/brands",
            &cookie,
            &[("csrf", &csrf), ("op", "add"), ("id", "gas"), ("nope", "x")],
        )
        .await;
    assert_eq!(junk.status(), 400);
    let default = app
        .console_post(
            "/staff/admin/brands",
            &cookie,
            &[
                ("csrf", &csrf),
                ("op", "update"),
                ("id", "default"),
                ("name", "X"),
            ],
        )
        .await;
    assert_eq!(default.status(), 422);
    let brands: i64 = sqlx::query_scalar("SELECT count(*) FROM brands")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(brands, 1);
    let colour: Option<String> = sqlx::query_scalar("SELECT colour FROM brands")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        colour.as_deref(),
        Some("#005a8c"),
        "the refused change left it"
    );
}

#[tokio::test]
async fn billpass_brands_add_list_and_update_from_the_command_line() {
    let (bp, pool) = Billpass::new().await;
    let logo = bp.file("logo.svg", LOGO);
    let hostile = bp.file(
        "hostile.svg",
        r#"<svg xmlns="http://www.w3.org/2000/svg"><a href="https://evil.example"><rect/></a></svg>"#,
    );
    let stdout = |o: &std::process::Output| String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();

    let refused = bp.run(&[
        "brands",
        "add",
        "water",
        "--name",
        "Acme Water",
        "--audience",
        "water",
        "--logo",
        &hostile,
        "--colour",
        "#eeeeee",
        "--sms-from",
        "much-too-long-sender",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let said = stderr(&refused);
    for flag in ["--logo:", "--colour:", "--sms-from:"] {
        assert!(said.contains(flag), "{flag} in {said}");
    }
    let missing = bp.run(&[
        "brands",
        "add",
        "water",
        "--name",
        "W",
        "--audience",
        "w",
        "--logo",
        "/nonexistent.svg",
    ]);
    assert!(
        stderr(&missing).contains("cannot read the logo"),
        "{}",
        stderr(&missing)
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM brands")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    let added = bp.run(&[
        "brands",
        "add",
        "water",
        "--name",
        "Acme Water",
        "--audience",
        "water",
        "--logo",
        &logo,
        "--colour",
        "#005a8c",
        "--locale",
        "es-ES",
        "--timezone",
        "Europe/Madrid",
        "--sms-from",
        "AcmeWater",
        "--email-from",
        "Acme Water <bills@water.example>",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));
    let updated = bp.run(&[
        "brands",
        "update",
        "water",
        "--support-phone",
        "+34 900 100 200",
    ]);
    assert!(updated.status.success(), "{}", stderr(&updated));
    let again = bp.run(&["brands", "add", "water", "--name", "W", "--audience", "w2"]);
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    let default = bp.run(&["brands", "update", "default", "--name", "X"]);
    assert!(
        stderr(&default).contains("BILLPASS_BRAND"),
        "{}",
        stderr(&default)
    );

    let listed = bp.run(&["brands", "list"]);
    let table = stdout(&listed);
    let lines: Vec<&str> = table.lines().collect();
    assert!(lines[1].trim_start().starts_with("default"), "{table}");
    assert!(
        lines[2].contains("Acme Water") && lines[2].contains("#005a8c"),
        "{table}"
    );
    assert!(
        lines[2].contains("Europe/Madrid") && lines[2].contains("es-ES"),
        "{table}"
    );
}
