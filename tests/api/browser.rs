//! The customer's pages in a real browser: headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`), each page checked with axe-core against
//! WCAG 2.1 A and AA, with nothing in the console (no script error, no refused resource, no
//! Content-Security-Policy violation) and nothing wider than a 360 px phone.
//!
//! `.ci/run` installs what they need; by hand: `apt-get install chromium chromium-driver`
//! and `npm ci --prefix tests/node` (axe-core).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::helpers::{KillOnDrop, TestApp};

/// Browsers at once: each is a Chromium with a few processes, on two cores.
static BROWSERS: Semaphore = Semaphore::const_new(2);

/// The phone width every page must fit.
const PHONE_WIDTH: u32 = 360;
/// A laptop's window.
pub const DESKTOP_WIDTH: u32 = 1280;

fn tool(path: &str, what: &str) -> PathBuf {
    let path = PathBuf::from(path);
    assert!(
        path.exists(),
        "{} is missing: the browser tests need {what} (`.ci/run` installs it; by hand: \
         apt-get install chromium chromium-driver && npm ci --prefix tests/node)",
        path.display()
    );
    path
}

/// axe-core, as npm installed it.
fn axe_source() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node/node_modules/axe-core/axe.min.js");
    let path = tool(path.to_str().unwrap(), "axe-core from npm");
    std::fs::read_to_string(path).unwrap()
}

/// A headless Chromium of its own, with an empty profile, driven by a chromedriver of its own.
pub struct Browser {
    client: Client,
    /// The window's width in CSS pixels.
    width: u32,
    axe: String,
    _driver: KillOnDrop,
    _profile: tempfile::TempDir,
    _turn: SemaphorePermit<'static>,
}

/// chromedriver's log of what the page wrote to the console (W3C WebDriver has none).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

impl Browser {
    /// A browser with a phone's screen.
    pub async fn start() -> Self {
        Self::start_at(PHONE_WIDTH).await
    }

    /// A browser whose window is `width` CSS pixels wide.
    pub async fn start_at(width: u32) -> Self {
        let turn = BROWSERS.acquire().await.unwrap();
        let chromium = tool("/usr/bin/chromium", "Debian's chromium");
        let chromedriver = tool("/usr/bin/chromedriver", "Debian's chromium-driver");
        let axe = axe_source();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let driver = KillOnDrop(driver);
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-extensions",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                // A phone's screen (desktop windows are at least 500 px wide), or a laptop's.
                "mobileEmulation": {
                    "deviceMetrics": { "width": width, "height": 780, "pixelRatio": 2.0 },
                },
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut client = None;
        for _ in 0..100 {
            match ClientBuilder::rustls()
                .unwrap()
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(connected) => {
                    client = Some(connected);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        Self {
            client: client.expect("chromedriver started a browser"),
            width,
            axe,
            _driver: driver,
            _profile: profile,
            _turn: turn,
        }
    }

    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Presses the button or follows the link `selector` names, and waits for the next page.
    pub async fn press(&self, selector: &str) {
        let before = self.client.find(Locator::Css("main")).await.unwrap();
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .click()
            .await
            .unwrap();
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main"))
            .await
            .unwrap();
        // The old page's <main> goes stale once the new one is there.
        for _ in 0..100 {
            if before.attr("class").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("pressing {selector} led nowhere");
    }

    /// Clicks what `selector` names (a checkbox, a radio button) without waiting for a page.
    pub async fn click(&self, selector: &str) {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Waits up to `seconds` for something `selector` names to be on the page.
    pub async fn wait_for(&self, selector: &str, seconds: u64) {
        self.client
            .wait()
            .at_most(Duration::from_secs(seconds))
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("{selector} never showed: {e}"));
    }

    /// The text of what `selector` names.
    pub async fn text_of(&self, selector: &str) -> String {
        self.client
            .find(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no {selector}: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// Types `text` into the field `selector` names.
    pub async fn type_into(&self, selector: &str, text: &str) {
        let field = self.client.find(Locator::Css(selector)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// An attribute of `<main>`, such as `data-link-status`.
    pub async fn main_attr(&self, name: &str) -> Option<String> {
        self.client
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .attr(name)
            .await
            .unwrap()
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    /// Checks the page as a customer's browser shows it: no WCAG 2.1 A or AA violation
    /// (axe-core), nothing in the console (script errors, refused resources, CSP
    /// violations), an `<html lang>`, and nothing wider than the screen.
    pub async fn check(&self, what: &str) {
        let findings = self.findings().await;
        assert_eq!(
            findings.violations,
            json!([]),
            "{what}: axe-core found WCAG 2.1 A/AA violations"
        );
        assert!(
            findings.console.is_empty(),
            "{what}: the console says {:#?}",
            findings.console
        );
        let layout = &findings.layout;
        assert!(
            layout["lang"].as_str().is_some_and(|lang| !lang.is_empty()),
            "{what}: <html lang> is set: {layout}"
        );
        assert_eq!(layout["viewport"], self.width, "{what}: {layout}");
        assert!(
            layout["width"].as_u64() <= layout["viewport"].as_u64(),
            "{what}: wider than a {} px screen: {layout}",
            self.width
        );
    }

    /// What [`Self::check`] looks at.
    async fn findings(&self) -> Findings {
        self.client
            .execute(&format!("{}\nreturn true;", self.axe), vec![])
            .await
            .unwrap();
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                                                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                    .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                                             nodes: v.nodes.map(n => n.target.join(' ')) }))),
                          e => done([{ id: 'axe failed', help: String(e) }]));",
                vec![],
            )
            .await
            .unwrap();
        let log = self.client.issue_cmd(BrowserLog).await.unwrap();
        // The page itself may answer 4xx (a refused link says so with its status); anything
        // it loads may not.
        let page = format!("{} - ", self.url().await);
        let console = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|entry| {
                let message = entry["message"].as_str().unwrap_or_default();
                let own_status = entry["source"] == "network" && message.starts_with(&page);
                (entry["level"] == "SEVERE" && !own_status)
                    || message.contains("Content Security Policy")
            })
            .cloned()
            .collect();
        let layout = self
            .client
            .execute(
                "const past = [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > screen.width + 1
                                && !e.parentElement.closest('.table-scroll'))
                   .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                             + (e.className ? '.' + e.className : ''));
                 return { lang: document.documentElement.lang,
                          width: document.documentElement.scrollWidth,
                          viewport: window.innerWidth,
                          wider_than_the_screen: past.slice(0, 5) };",
                vec![],
            )
            .await
            .unwrap();
        Findings {
            violations,
            console,
            layout,
        }
    }

    /// Forgets what the console said so far (on another site's pages, such as the identity
    /// provider's).
    /// The page's language, as `<html lang>` says it.
    pub async fn lang(&self) -> String {
        let lang = self
            .client
            .execute("return document.documentElement.lang;", vec![])
            .await
            .unwrap();
        lang.as_str().unwrap_or_default().to_owned()
    }

    pub async fn forget_console(&self) {
        self.client.issue_cmd(BrowserLog).await.unwrap();
    }

    /// The page as the browser prints it on A4 (as its print preview shows it): a PDF.
    pub async fn print(&self) -> Vec<u8> {
        let config = fantoccini::wd::PrintConfiguration::builder()
            .size(fantoccini::wd::PrintSize::A4)
            .build()
            .unwrap();
        self.client.print(config).await.unwrap()
    }

    pub async fn close(self) {
        self.client.close().await.unwrap();
    }
}

/// What a page showed the checks.
struct Findings {
    violations: Value,
    console: Vec<Value>,
    layout: Value,
}

#[tokio::test]
async fn the_checks_catch_an_inaccessible_page_a_refused_script_and_a_wide_layout() {
    let app = crate::helpers::spawn_app().await;
    let browser = Browser::start().await;
    // Our own headers (CSP without script) on a page that breaks every rule checked.
    browser.open(&app.url("/link")).await;
    browser
        .client
        .execute(
            "document.documentElement.removeAttribute('lang');
             document.body.innerHTML = '<img src=\"/nowhere.png\"><div id=\"wide\">wide</div>';
             document.getElementById('wide').style.width = '900px';
             const s = document.createElement('script'); s.textContent = 'window.ran = 1';
             document.body.appendChild(s);",
            vec![],
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let findings = browser.findings().await;
    let ids: Vec<&str> = findings
        .violations
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"image-alt") && ids.contains(&"html-has-lang"),
        "{ids:?}"
    );
    let console = format!("{:?}", findings.console);
    assert!(console.contains("nowhere.png"), "{console}");
    assert!(console.contains("Content Security Policy"), "{console}");
    // A phone zooms out to fit a page wider than its screen, or scrolls sideways.
    let layout = &findings.layout;
    assert!(
        layout["viewport"] != PHONE_WIDTH || layout["width"].as_u64() > layout["viewport"].as_u64(),
        "{layout}"
    );
    browser.close().await;
}

async fn app_with_cycle_sent() -> (TestApp, String) {
    let app = crate::helpers::spawn_app_with(&[
        "--support-phone",
        "+1 555 010 0100",
        "--support-email",
        "help@northwind.example",
        "--support-hours",
        "Mon-Fri 8am-6pm",
    ])
    .await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    (app, link)
}

#[tokio::test]
async fn a_customer_opens_the_link_presses_view_my_bill_and_reads_the_bill() {
    let (app, link) = app_with_cycle_sent().await;
    let browser = Browser::start().await;
    browser.open(&link).await;
    assert_eq!(
        browser.main_attr("data-link-status").await.as_deref(),
        Some("ready")
    );
    assert!(
        !browser.text().await.contains("142.17"),
        "the landing page shows no bill"
    );
    browser.check("the landing page").await;

    browser.press("main form button").await;
    assert_eq!(
        browser.url().await,
        app.url("/bill"),
        "the token is gone from the address"
    );
    assert_eq!(
        browser.main_attr("data-link-status").await.as_deref(),
        Some("valid")
    );
    let bill = browser.text().await;
    assert!(bill.contains("$142.17"), "{bill}");
    assert!(bill.contains("help@northwind.example"), "contacts: {bill}");
    browser.check("the bill").await;
    browser.close().await;
}

#[tokio::test]
async fn a_brands_customer_reads_their_bill_in_its_look_on_its_own_host() {
    let app = crate::helpers::spawn_app().await;
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let admin = app.staff_key("admin", billpass::domain::Role::Admin).await;
    let logo = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><rect width="40" height="10" rx="2" fill="#005a8c"/><circle cx="5" cy="5" r="3" fill="#fff"/></svg>"##;
    let water = serde_json::json!({
        "name": "Acme Water", "audience": "water", "colour": "#005a8c", "logo_svg": logo,
        "public_url": format!("http://water.localhost:{port}"),
        "support_phone": "+34 900 100 200",
    });
    let added = app
        .api(reqwest::Method::POST, "/api/v1/brands/water", &admin)
        .json(&water)
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    app.import_customers(
        &crate::helpers::CUSTOMERS_CSV
            .replace("locale\n", "locale,brand\n")
            .replace("en-US\n", "en-US,water\n")
            .replace("ja-JP\n", "ja-JP,\n"),
    )
    .await;
    app.import_bills(crate::helpers::BILLS_JSONL).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    assert!(
        link.starts_with(&format!("http://water.localhost:{port}/b/")),
        "{link}"
    );

    let browser = Browser::start().await;
    browser.open(&link).await;
    assert_eq!(
        browser.text_of(".site-header .brand").await.trim(),
        "Acme Water"
    );
    browser.check("a brand's landing page").await;
    browser.press("main form button").await;
    assert_eq!(
        browser.main_attr("data-link-status").await.as_deref(),
        Some("valid")
    );
    assert!(browser.text().await.contains("+34 900 100 200"));
    browser.check("a brand's bill").await;
    let accent: String = browser
        .client
        .execute(
            "return getComputedStyle(document.querySelector('.site-header')).borderTopColor;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(accent, "rgb(0, 90, 140)", "the brand's colour");
    let logo_width: f64 = browser
        .client
        .execute(
            "return document.querySelector('.brand-logo').naturalWidth;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(logo_width > 0.0, "the logo loads");

    // The same link on the deployment's own host: refused.
    browser
        .open(&link.replace(
            &format!("water.localhost:{port}"),
            &format!("127.0.0.1:{port}"),
        ))
        .await;
    assert_eq!(
        browser.main_attr("data-link-status").await.as_deref(),
        Some("invalid")
    );
    browser.check("another brand's link").await;
    browser.close().await;
}

#[tokio::test]
async fn the_bill_reads_well_on_a_phone_a_laptop_and_paper() {
    let app = crate::helpers::spawn_app_with(&[
        "--support-phone",
        "+1 555 010 0100",
        "--support-email",
        "help@northwind.example",
        "--pay-url",
        "https://pay.northwind.example/?account={account_id}&amount={amount}",
    ])
    .await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    for width in [PHONE_WIDTH, DESKTOP_WIDTH] {
        let browser = Browser::start_at(width).await;
        browser.open(&link).await;
        browser.press("main form button").await;
        let bill = browser.text().await;
        for expected in [
            "Pay $142.17",
            "Download PDF",
            "$21.67 more than",
            "31 days",
            "help@northwind.example",
        ] {
            assert!(bill.contains(expected), "{width} px: {expected} in {bill}");
        }
        assert!(
            !bill.contains("See this bill online"),
            "the print footer is for paper"
        );
        browser.check(&format!("the bill at {width} px")).await;
        browser.click(".chart-table summary").await;
        assert!(browser.text_of(".usage-table").await.contains("612 kWh"));
        browser
            .check(&format!("the usage table at {width} px"))
            .await;
        if width == DESKTOP_WIDTH {
            let (paper, pages) = crate::bill_actions::pdf_text(&browser.print().await);
            assert_eq!(pages, 1, "a typical bill prints on one page: {paper}");
            for expected in [
                "$142.17",
                "+1 555 010 0100",
                "See this bill online",
                "/bill",
            ] {
                assert!(paper.contains(expected), "on paper: {expected} in {paper}");
            }
            assert!(!paper.contains("Download PDF") && !paper.contains("Pay $142.17"));
        }
        browser.close().await;
    }
}

#[tokio::test]
async fn a_credit_bill_passes_in_a_real_browser() {
    let app = crate::helpers::spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-10").await;
    app.dispatch_all_pending().await;
    let browser = Browser::start().await;
    browser.open(&app.link_sent_to("+15550100123")).await;
    browser.press("main form button").await;
    let bill = browser.text().await;
    assert!(
        bill.contains("You're in credit") && bill.contains("€5.00"),
        "{bill}"
    );
    assert!(!bill.contains("Please pay by") && !bill.contains("Payment due"));
    browser.check("the credit bill").await;
    browser.close().await;
}

#[tokio::test]
async fn an_expired_link_offers_a_new_one_and_it_goes_to_the_address_on_file() {
    let (app, link) = app_with_cycle_sent().await;
    sqlx::query("UPDATE link_tokens SET expires_at = now() - interval '1 minute'")
        .execute(&app.pool)
        .await
        .unwrap();
    let browser = Browser::start().await;
    browser.open(&link).await;
    assert_eq!(
        browser.main_attr("data-link-status").await.as_deref(),
        Some("expired")
    );
    browser.check("the expired page").await;

    browser.press("form[action$='/renew'] button").await;
    assert_eq!(
        browser.main_attr("data-renewal").await.as_deref(),
        Some("sent")
    );
    assert!(browser.text().await.contains("j•••@example.com"));
    browser.check("the renewed page").await;
    browser.close().await;

    app.dispatch_all_pending().await;
    let fresh = app.link_sent_to("jane@example.com");
    assert_ne!(fresh, link);
    assert_eq!(app.open_bill(&fresh).await.0.status().as_u16(), 200);
}

#[tokio::test]
async fn a_superseded_link_names_the_newer_one_and_sends_it_again() {
    let (app, link) = app_with_cycle_sent().await;
    app.resend("ACC-1", None).await;
    let browser = Browser::start().await;
    browser.open(&link).await;
    assert_eq!(
        browser.main_attr("data-link-status").await.as_deref(),
        Some("superseded")
    );
    assert!(browser.text().await.contains("by email"));
    browser.check("the superseded page").await;

    browser.press("form[action$='/renew'] button").await;
    assert_eq!(
        browser.main_attr("data-renewal").await.as_deref(),
        Some("sent")
    );
    browser.check("the renewed page").await;
    browser.close().await;
}

#[tokio::test]
async fn get_a_new_link_is_typed_and_sent_from_a_real_browser() {
    let (app, _) = app_with_cycle_sent().await;
    let browser = Browser::start().await;
    browser.open(&app.url("/link")).await;
    assert_eq!(
        browser.main_attr("data-get-link").await.as_deref(),
        Some("form")
    );
    browser.check("the get-a-new-link form").await;

    browser.type_into("#address", "not an address").await;
    browser.press("form button").await;
    assert_eq!(
        browser.main_attr("data-get-link").await.as_deref(),
        Some("invalid")
    );
    browser.check("the form with an error").await;

    browser.type_into("#address", "Jane@Example.com").await;
    browser.press("form button").await;
    assert_eq!(
        browser.main_attr("data-get-link").await.as_deref(),
        Some("sent")
    );
    browser.check("the sent page").await;
    browser.close().await;

    app.answer_link_requests().await;
    let fresh = app.link_sent_to("jane@example.com");
    assert_eq!(app.open_bill(&fresh).await.0.status().as_u16(), 200);
}

#[tokio::test]
async fn the_front_page_and_every_refusal_page_pass_in_a_real_browser() {
    let (app, link) = app_with_cycle_sent().await;
    let sam = app.link_sent_to("+15550100123");
    app.revoke("ACC-2").await;
    let browser = Browser::start().await;

    browser.open(&app.url("/")).await;
    assert_eq!(
        browser.main_attr("data-page").await.as_deref(),
        Some("home")
    );
    assert!(browser.text().await.contains("+1 555 010 0100"));
    browser.check("the front page").await;
    browser.press("main a[href='/link']").await;
    assert_eq!(
        browser.main_attr("data-get-link").await.as_deref(),
        Some("form")
    );

    for (url, attribute, value) in [
        (app.url("/bill"), "data-error", "no-session"),
        (app.url("/b/not.a.link"), "data-link-status", "invalid"),
        (sam.clone(), "data-link-status", "revoked"),
        (app.url("/nothing-here"), "data-error", "not-found"),
    ] {
        browser.open(&url).await;
        assert_eq!(
            browser.main_attr(attribute).await.as_deref(),
            Some(value),
            "{url}"
        );
        browser.check(value).await;
    }

    // A bill opened, then its link superseded: the page of an ended session.
    browser.open(&link).await;
    browser.press("main form button").await;
    app.resend("ACC-1", None).await;
    browser.open(&app.url("/bill")).await;
    assert_eq!(
        browser.main_attr("data-error").await.as_deref(),
        Some("session-ended")
    );
    browser.check("an ended session").await;
    browser.close().await;
}
