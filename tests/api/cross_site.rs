//! Customer forms (the link's button, renewal, `/link`) work when posted from billpass's own
//! pages as browsers really post them, and are refused when another site posts them.

use reqwest::header::HeaderMap;

use crate::helpers::{TestApp, link_status, session_cookie, spawn_app};

/// What a browser says about where a form was posted from.
struct From {
    what: &'static str,
    sec_fetch_site: Option<&'static str>,
    origin: Option<&'static str>,
}

/// Chromium and Firefox posting our own form: the page's `Referrer-Policy: no-referrer`
/// makes the origin `null`, Fetch Metadata says `same-origin`.
const OUR_PAGE: From = From {
    what: "our page in a current browser",
    sec_fetch_site: Some("same-origin"),
    origin: Some("null"),
};

/// Posts that other sites' pages make.
const OTHER_SITES: [From; 4] = [
    From {
        what: "another site's form",
        sec_fetch_site: Some("cross-site"),
        origin: Some("https://evil.example"),
    },
    From {
        what: "another site's form under no-referrer",
        sec_fetch_site: Some("cross-site"),
        origin: Some("null"),
    },
    From {
        what: "a sibling subdomain's form",
        sec_fetch_site: Some("same-site"),
        origin: Some("https://www.example.com"),
    },
    From {
        what: "an older browser on another site",
        sec_fetch_site: None,
        origin: Some("https://evil.example"),
    },
];

impl From {
    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(site) = self.sec_fetch_site {
            headers.insert("sec-fetch-site", site.parse().unwrap());
            headers.insert("sec-fetch-mode", "navigate".parse().unwrap());
        }
        if let Some(origin) = self.origin {
            headers.insert("origin", origin.parse().unwrap());
        }
        headers
    }
}

async fn app_with_jane_link() -> (TestApp, String) {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    (app, link)
}

async fn count(app: &TestApp, query: &'static str) -> i64 {
    sqlx::query_scalar(query)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn view_my_bill_opens_the_bill_from_our_page_and_no_other_sites_form_signs_anyone_in() {
    let (app, link) = app_with_jane_link().await;
    for from in &OTHER_SITES {
        let response = app
            .client
            .post(&link)
            .headers(from.headers())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{}", from.what);
        assert!(session_cookie(&response).is_none(), "{}", from.what);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("data-error=\"cross-site\""),
            "{}: {page}",
            from.what
        );
    }
    assert_eq!(
        count(&app, "SELECT count(*) FROM sessions").await,
        0,
        "no opening recorded"
    );

    let response = app
        .client
        .post(&link)
        .headers(OUR_PAGE.headers())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "{}", OUR_PAGE.what);
    assert!(session_cookie(&response).is_some());
}

#[tokio::test]
async fn renewal_works_from_our_page_and_other_sites_cannot_make_us_send_links() {
    let (app, link) = app_with_jane_link().await;
    sqlx::query("UPDATE link_tokens SET expires_at = now() - interval '1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    let tokens = count(&app, "SELECT count(*) FROM link_tokens").await;
    for from in &OTHER_SITES {
        let response = app
            .client
            .post(format!("{link}/renew"))
            .headers(from.headers())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{}", from.what);
    }
    assert_eq!(
        count(&app, "SELECT count(*) FROM link_tokens").await,
        tokens
    );

    let response = app
        .client
        .post(format!("{link}/renew"))
        .headers(OUR_PAGE.headers())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", OUR_PAGE.what);
    assert_eq!(
        count(&app, "SELECT count(*) FROM link_tokens").await,
        tokens + 1
    );
}

#[tokio::test]
async fn get_a_new_link_works_from_our_page_and_not_from_another_sites() {
    let app = spawn_app().await;
    for from in &OTHER_SITES {
        let response = app
            .client
            .post(app.url("/link"))
            .headers(from.headers())
            .form(&[("address", "jane@example.com")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{}", from.what);
    }
    assert_eq!(count(&app, "SELECT count(*) FROM link_requests").await, 0);

    let response = app
        .client
        .post(app.url("/link"))
        .headers(OUR_PAGE.headers())
        .form(&[("address", "jane@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", OUR_PAGE.what);
    assert_eq!(count(&app, "SELECT count(*) FROM link_requests").await, 1);
}

#[tokio::test]
async fn clients_that_are_not_browsers_and_older_browsers_on_our_page_are_served() {
    let (app, link) = app_with_jane_link().await;
    // No Fetch Metadata: an origin of ours, `null` (no-referrer), or none at all.
    for origin in [Some(app.address.clone()), Some("null".to_owned()), None] {
        let mut request = app.client.post(&link);
        if let Some(origin) = &origin {
            request = request.header("origin", origin);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 303, "origin {origin:?}");
    }
    // Our page in a browser that sends both: a real origin of ours.
    let response = app
        .client
        .post(&link)
        .header("sec-fetch-site", "same-origin")
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    // The refused page for the link itself still says nothing about the bill.
    let refused = app
        .client
        .post(&link)
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(link_status(&refused.text().await.unwrap()), None);
}
