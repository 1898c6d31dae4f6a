//! The bill page: escaping, unicode, credits and currencies, and many views at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::helpers::{BILLS_JSONL, CUSTOMERS_CSV, spawn_app};

async fn bill_page_of(app: &crate::helpers::TestApp, address: &str) -> String {
    app.dispatch_all_pending().await;
    let (bill, _) = app.open_bill(&app.link_sent_to(address)).await;
    assert_eq!(bill.status().as_u16(), 200);
    bill.text().await.unwrap()
}

#[tokio::test]
async fn hostile_and_unicode_names_are_escaped_and_kept() {
    let app = spawn_app().await;
    let csv = "account_id,name,email,phone,channel,locale\n\
               ACC-1,\"<script>alert('x')</script> & \"\"Zoë\"\" Øyen-Müller 山田\",jane@example.com,,email,en\n";
    app.import_customers(csv).await;
    let hostile_line = BILLS_JSONL
        .lines()
        .nth(1)
        .unwrap()
        .replace("Energy charge", "<img src=x onerror=alert(1)>");
    app.import_bills(&hostile_line).await;
    app.run_cycle("2026-11").await;
    let page = bill_page_of(&app, "jane@example.com").await;
    assert!(!page.contains("<script>alert"), "script tag escaped");
    assert!(!page.contains("<img src=x"), "line item escaped");
    assert!(
        page.contains("&lt;script&gt;") || page.contains("&#60;script&#62;"),
        "shown as text"
    );
    assert!(page.contains("Zoë") && page.contains("Øyen-Müller") && page.contains("山田"));
}

#[tokio::test]
async fn credits_eur_and_jpy_are_formatted_per_currency() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-10").await;
    let eur_credit = bill_page_of(&app, "+15550100123").await;
    assert!(
        eur_credit.contains("-€5.00"),
        "a credit shows as a negative amount"
    );

    app.run_cycle("2026-11").await;
    let eur = bill_page_of(&app, "+15550100123").await;
    assert!(
        eur.contains("€1,234.56"),
        "EUR with two decimals and grouping"
    );
    assert!(eur.contains("-€5.00"), "negative previous balance");

    let jpy = bill_page_of(&app, "yuki@example.jp").await;
    // Written as ja-JP writes it, the words in English (there is no Japanese catalogue).
    assert!(jpy.contains("￥12,840"), "JPY has no minor units");
    assert!(!jpy.contains("￥12,840.00") && !jpy.contains("￥128.40"));
    assert!(
        jpy.contains("2026/11/23") && jpy.contains("Amount due"),
        "{jpy}"
    );
    assert!(jpy.contains("<html lang=\"en\">"));
    assert!(jpy.contains("電気料金"));
}

#[tokio::test]
async fn the_bill_page_loads_nothing_from_elsewhere() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    let page = bill_page_of(&app, "jane@example.com").await;
    // Links (pay, contacts, the page's own address for print) are fine; loads are not.
    for external in [
        "src=\"http",
        "src=\"//",
        "href=\"//",
        "url(",
        "@import",
        "<script",
    ] {
        assert!(!page.contains(external), "the page loads {external}");
    }
    assert_eq!(
        page.matches("<link ").count(),
        page.matches("<link rel=\"icon\" href=\"/").count()
            + page.matches("<link rel=\"stylesheet\" href=\"/").count(),
        "every <link> is our own"
    );
    let css = app
        .client
        .get(app.url("/assets/billpass.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status().as_u16(), 200);
    assert!(css.text().await.unwrap().contains("@media print"));
}

#[tokio::test]
async fn a_bill_viewed_again_shows_what_the_latest_import_says() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let (first, cookie) = app.open_bill(&app.link_sent_to("jane@example.com")).await;
    let cookie = cookie.unwrap();
    let first = first.text().await.unwrap();
    assert!(first.contains("Jane Doe") && first.contains("$142.17") && first.contains("$120.50"));
    let again = app.get_bill(Some(&cookie)).await.text().await.unwrap();
    assert_eq!(again, first, "the same page on every view");

    // The customer renamed, this bill corrected, and the previous one too: each import
    // changes what the page shows, even though the page was drawn before.
    let renamed = CUSTOMERS_CSV.replace("Jane Doe", "Jane Roe");
    app.import_customers(&renamed).await;
    let corrected = BILLS_JSONL
        .replace(r#""amount_due":"142.17""#, r#""amount_due":"150.00""#)
        .replace(r#""amount_due":"120.50""#, r#""amount_due":"99.99""#)
        .replace(r#""amount":"88.10""#, r#""amount":"67.59""#);
    app.import_bills(&corrected).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let page = loop {
        let page = app.get_bill(Some(&cookie)).await.text().await.unwrap();
        if page != first || std::time::Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(page.contains("Jane Roe"), "the new name");
    assert!(page.contains("$150.00"), "the corrected amount");
    assert!(
        page.contains("$99.99"),
        "the corrected previous bill's charges"
    );
    assert!(!page.contains("Jane Doe"));
}

#[tokio::test]
async fn a_cookie_naming_another_bill_shows_no_bill() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let (_, jane) = app.open_bill(&app.link_sent_to("jane@example.com")).await;
    let (yuki_page, yuki) = app.open_bill(&app.link_sent_to("yuki@example.jp")).await;
    assert!(yuki_page.text().await.unwrap().contains("Yuki Tanaka"));
    let (jane, yuki) = (jane.unwrap(), yuki.unwrap());
    // Jane's session secret with the bill part of Yuki's cookie, whose page is in memory.
    let (jane_secret, _) = jane.split_once('.').expect("secret.bill");
    let (_, yuki_bill) = yuki.split_once('.').expect("secret.bill");
    let forged = format!("{jane_secret}.{yuki_bill}");
    let response = app.get_bill(Some(&forged)).await;
    assert_eq!(response.status().as_u16(), 401);
    let page = response.text().await.unwrap();
    assert!(!page.contains("Yuki Tanaka") && !page.contains("Jane Doe"));
    // The real cookies still work.
    assert_eq!(app.get_bill(Some(&jane)).await.status().as_u16(), 200);
}

#[tokio::test]
async fn many_views_at_once_each_get_their_own_sessions_answer() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let mut cookies = Vec::new();
    for address in ["jane@example.com", "+15550100123", "yuki@example.jp"] {
        let (page, cookie) = app.open_bill(&app.link_sent_to(address)).await;
        assert_eq!(page.status().as_u16(), 200);
        cookies.push(cookie.unwrap());
    }
    app.revoke("ACC-1").await;
    // A cookie of the right shape, naming a bill whose page is in memory, but no session.
    let (_, yuki_bill) = cookies[2].split_once('.').unwrap();
    let unknown = format!("{}.{yuki_bill}", URL_SAFE_NO_PAD.encode([7u8; 32]));
    let expected = [
        (cookies[0].as_str(), 410, None),
        (&cookies[1], 200, Some("Sam Texter")),
        (&cookies[2], 200, Some("Yuki Tanaka")),
        (&unknown, 401, None),
    ];

    let app = &app;
    let views = (0..200).map(|i| {
        let (cookie, status, name) = expected[i % expected.len()];
        async move {
            let response = app.get_bill(Some(cookie)).await;
            assert_eq!(response.status().as_u16(), status, "view {i}");
            let page = response.text().await.unwrap();
            for shown in ["Jane Doe", "Sam Texter", "Yuki Tanaka"] {
                assert_eq!(page.contains(shown), name == Some(shown), "view {i}");
            }
        }
    });
    futures_util::future::join_all(views).await;
}
