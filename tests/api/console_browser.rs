//! The staff console's journeys in a real browser (headless Chromium), every page checked
//! with axe-core against WCAG 2.1 A and AA, with nothing in the console and nothing wider
//! than a phone.

use billpass::domain::Role;

use crate::browser::Browser;
use crate::helpers::{BILLS_JSONL, CUSTOMERS_CSV, TestApp};

/// Signs `email` in through an emailed link, in the browser.
async fn sign_in_by_email(app: &TestApp, browser: &Browser, email: &str) {
    browser.open(&app.url("/staff")).await;
    assert_eq!(
        browser.main_attr("data-console").await.as_deref(),
        Some("sign-in")
    );
    browser.check("the sign-in page").await;
    browser.type_into("#address", email).await;
    browser.press("form[action='/staff/sign-in'] button").await;
    assert_eq!(
        browser.main_attr("data-state").await.as_deref(),
        Some("sent")
    );
    browser.check("the sign-in link sent page").await;
    app.answer_staff_sign_ins().await;
    browser.open(&app.link_sent_to(email)).await;
    assert_eq!(
        browser.main_attr("data-usable").await.as_deref(),
        Some("true")
    );
    browser.check("the sign-in link's page").await;
    browser.press("main form button").await;
    browser.wait_for("main[data-console='home']", 10).await;
}

#[tokio::test]
async fn a_csr_signs_in_through_the_provider_finds_a_customer_by_phone_and_resends() {
    let (app, _provider) = crate::staff_sso::app_with_provider().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let old = app.link_sent_to("+15550100123");
    let browser = Browser::start().await;

    browser.open(&app.url("/staff/customers")).await;
    assert_eq!(
        browser.main_attr("data-console").await.as_deref(),
        Some("sign-in")
    );
    browser.check("the sign-in page with single sign-on").await;
    browser.press("a[data-sso]").await;
    // The provider's own page.
    browser.type_into("#login", "carol").await;
    browser.press("form button").await;
    browser.wait_for("main[data-console='customers']", 10).await;
    browser.forget_console().await;
    browser.check("the customer search").await;

    browser.type_into("#q", "+1 555 010 0123").await;
    browser.press("form.search-form button").await;
    browser.wait_for("tr[data-account='ACC-2']", 5).await;
    assert!(!browser.text().await.contains("+15550100123"), "masked");
    browser.check("search results").await;

    browser.press("tr[data-account='ACC-2'] a").await;
    assert_eq!(
        browser.main_attr("data-account").await.as_deref(),
        Some("ACC-2")
    );
    assert!(browser.text().await.contains("Works until"));
    browser.check("the customer page").await;

    // Sending without a reason is stopped by the browser; with one, confirmed, it goes.
    browser
        .type_into("#resend-reason", "Customer called: message deleted")
        .await;
    browser
        .click("form[data-form='resend'] input[name='confirm']")
        .await;
    browser.press("form[data-form='resend'] button").await;
    browser.wait_for("[data-notice]", 5).await;
    assert!(browser.text().await.contains("A new link is on its way"));
    browser.check("the customer page after a resend").await;
    browser.close().await;

    app.dispatch_all_pending().await;
    let fresh = app.link_sent_to("+15550100123");
    assert_ne!(fresh, old);
    // The new link opens in a browser of its own; the old one no longer does.
    let customer = Browser::start().await;
    customer.open(&old).await;
    assert_eq!(
        customer.main_attr("data-link-status").await.as_deref(),
        Some("superseded")
    );
    customer.open(&fresh).await;
    customer.press("main form button").await;
    assert_eq!(
        customer.main_attr("data-link-status").await.as_deref(),
        Some("valid")
    );
    assert!(customer.text().await.contains("1,234.56"));
    customer.close().await;
}

#[tokio::test]
async fn billing_uploads_a_bad_then_a_good_file_runs_the_cycle_live_and_reads_the_report() {
    let app = crate::helpers::spawn_app().await;
    app.invite("bill@utility.example", Role::Billing).await;
    let files = tempfile::tempdir().unwrap();
    let bad = files.path().join("customers-bad.csv");
    std::fs::write(
        &bad,
        "account_id,name,email,phone,channel,locale\nACC-1,Jane Doe,jane@,,email,en-US\n",
    )
    .unwrap();
    let good = files.path().join("customers.csv");
    std::fs::write(&good, CUSTOMERS_CSV).unwrap();
    let bills = files.path().join("bills.jsonl");
    std::fs::write(&bills, BILLS_JSONL).unwrap();
    let browser = Browser::start().await;
    sign_in_by_email(&app, &browser, "bill@utility.example").await;
    browser.check("the billing home").await;

    browser.open(&app.url("/staff/imports")).await;
    browser.check("the imports page").await;
    browser.type_into("#file", bad.to_str().unwrap()).await;
    browser.press("form[data-form='import'] button").await;
    assert_eq!(
        browser.main_attr("data-outcome").await.as_deref(),
        Some("rejected")
    );
    assert!(
        browser
            .text_of("[data-import-errors]")
            .await
            .contains("email")
    );
    browser.check("an upload with a bad line").await;
    let customers: i64 = sqlx::query_scalar("SELECT count(*) FROM customers")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(customers, 0, "nothing stored");

    browser.type_into("#file", good.to_str().unwrap()).await;
    browser.press("form[data-form='import'] button").await;
    assert_eq!(
        browser.main_attr("data-outcome").await.as_deref(),
        Some("imported")
    );
    browser.check("a good upload").await;
    browser.click("input[name='kind'][value='bills']").await;
    browser.type_into("#file", bills.to_str().unwrap()).await;
    browser.press("form[data-form='import'] button").await;
    assert_eq!(
        browser.main_attr("data-outcome").await.as_deref(),
        Some("imported")
    );

    browser.open(&app.url("/staff/runs")).await;
    browser.check("the runs page").await;
    browser.type_into("#cycle", "2026-11").await;
    browser.press("form[data-form='start-run'] button").await;
    assert_eq!(
        browser.main_attr("data-console").await.as_deref(),
        Some("run")
    );
    browser.check("a run just started").await;
    // The scheduler works the run; the page follows it without reloading.
    app.work_due_runs().await;
    browser
        .wait_for("[data-run-live][data-finished='completed']", 15)
        .await;
    assert_eq!(browser.text_of("[data-field='queued']").await, "3");
    browser.check("a completed run").await;

    app.dispatch_all_pending().await;
    let jane = app.link_sent_to("jane@example.com");
    app.open_bill(&jane).await;
    browser.open(&app.url("/staff/cycles/2026-11")).await;
    browser.check("the cycle report").await;
    let figure = |name: &'static str| {
        let browser = &browser;
        async move {
            browser
                .text_of(&format!("[data-report='totals'] [data-figure='{name}']"))
                .await
                .parse::<i64>()
                .unwrap()
        }
    };
    let (customers, minted, opened): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM bills WHERE cycle = '2026-11'),
                (SELECT count(*) FROM link_tokens WHERE cycle = '2026-11'),
                (SELECT count(DISTINCT t.customer_id) FROM sessions s
                 JOIN link_tokens t ON t.id = s.token_id JOIN bills b ON b.id = t.bill_id
                 WHERE b.cycle = '2026-11')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(figure("customers").await, customers);
    assert_eq!(figure("minted").await, minted);
    assert_eq!(figure("opened_customers").await, opened);
    let sent_by_email: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM deliveries d JOIN link_tokens t ON t.id = d.token_id
         WHERE t.cycle = '2026-11' AND d.channel = 'email' AND d.status IN ('sent', 'delivered')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let shown = browser
        .text_of("tr[data-channel='email'] [data-figure='sent']")
        .await;
    assert_eq!(shown.parse::<i64>().unwrap(), sent_by_email);
    browser.close().await;
}

#[tokio::test]
async fn every_admin_page_and_the_refusal_pages_pass_in_a_real_browser() {
    let app = crate::helpers::spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.invite("ann@utility.example", Role::Admin).await;
    app.invite("carol@utility.example", Role::Csr).await;
    let browser = Browser::start().await;
    sign_in_by_email(&app, &browser, "ann@utility.example").await;
    browser.check("the admin home").await;
    for (path, kind) in [
        ("/staff/admin/staff", "admin-staff"),
        ("/staff/admin/keys", "admin-keys"),
        ("/staff/admin/audit", "admin-audit"),
        ("/staff/admin/signing-keys", "admin-signing-keys"),
        ("/staff/admin/brands", "admin-brands"),
        ("/staff/customers/ACC-1", "customer"),
        ("/staff/cycles/2026-11", "report"),
        ("/staff/nothing-here", "not-found"),
    ] {
        browser.open(&app.url(path)).await;
        assert_eq!(
            browser.main_attr("data-console").await.as_deref(),
            Some(kind),
            "{path}"
        );
        browser.check(path).await;
    }
    // A brand added through its form, a bad value marked at its field.
    browser.open(&app.url("/staff/admin/brands")).await;
    browser.type_into("#brand-id", "water").await;
    browser.type_into("#brand-name", "Acme Water").await;
    browser.type_into("#brand-audience", "water").await;
    browser.type_into("#brand-colour", "#eeeeee").await;
    browser
        .press("form[data-form='brand'] button[value='add']")
        .await;
    assert!(
        browser
            .text_of("#brand-colour-error")
            .await
            .contains("too light")
    );
    browser.check("a refused brand").await;
    browser.type_into("#brand-colour", "#005a8c").await;
    browser
        .press("form[data-form='brand'] button[value='add']")
        .await;
    assert!(
        browser
            .text_of("[data-notice]")
            .await
            .contains("Added the brand water")
    );
    browser.check("the brands with a new one").await;
    // Creating a key shows it once.
    browser.open(&app.url("/staff/admin/keys")).await;
    browser.type_into("#key-name", "nightly-import").await;
    browser.press("form[data-form='create-key'] button").await;
    assert!(browser.text_of("[data-new-key]").await.starts_with("bp_"));
    browser.check("a new key").await;
    // Signing out ends the session.
    browser.press("form.sign-out button").await;
    assert_eq!(
        browser.main_attr("data-console").await.as_deref(),
        Some("sign-in")
    );
    browser.open(&app.url("/staff/admin/keys")).await;
    assert_eq!(
        browser.main_attr("data-console").await.as_deref(),
        Some("sign-in")
    );
    browser.close().await;

    let browser = Browser::start().await;
    sign_in_by_email(&app, &browser, "carol@utility.example").await;
    browser.open(&app.url("/staff/admin/staff")).await;
    assert_eq!(
        browser.main_attr("data-console").await.as_deref(),
        Some("forbidden")
    );
    browser
        .check("the page for a role that does not cover it")
        .await;
    browser.close().await;
}
