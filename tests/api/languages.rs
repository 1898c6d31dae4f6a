//! Each customer reads in their own language: the words from its catalogue, numbers, money
//! and dates as their locale writes them; pages offer the other languages.

use crate::browser::Browser;
use crate::helpers::{TestApp, spawn_app};

/// One customer per language, each with a bill of 1,234.56 in their currency (and a
/// Japanese one, whose words fall back to English).
const CUSTOMERS: &str = "\
account_id,name,email,phone,channel,locale
ACC-EN,Jane Doe,en@example.com,,email,en-US
ACC-ES,Ana García,es@example.com,,email,es-ES
ACC-FR,Amélie Laurent,fr@example.com,,email,fr-FR
ACC-DE,Zoë Müller,de@example.com,,email,de-DE
ACC-JA,Yuki Tanaka,ja@example.com,,email,ja-JP
ACC-FS,Louis Martin,,+33639980111,sms,fr-FR
";

fn bills() -> String {
    [
        ("ACC-EN", "USD", "1234.56"),
        ("ACC-ES", "EUR", "1234.56"),
        ("ACC-FR", "EUR", "1234.56"),
        ("ACC-DE", "EUR", "121.66"),
        ("ACC-JA", "JPY", "14422"),
        ("ACC-FS", "EUR", "1234.56"),
    ]
    .iter()
    .map(|(account, currency, amount)| {
        format!(
            r#"{{"account_id":"{account}","cycle":"2026-11","period_start":"2026-10-01","period_end":"2026-10-31","issued_on":"2026-11-02","due_on":"2026-11-23","currency":"{currency}","amount_due":"{amount}","previous_balance":"0","payments":"0","lines":[{{"description":"Energy","quantity":"31","unit":"day","amount":"{amount}"}}],"usage":[{{"period":"2026-09","quantity":"540","unit":"kWh"}},{{"period":"2026-10","quantity":"612.5","unit":"kWh"}}]}}"#
        )
    })
    .collect::<Vec<_>>()
    .join("\n")
}

async fn app_with_customers() -> TestApp {
    let app = spawn_app().await;
    app.import_customers(CUSTOMERS).await;
    app.import_bills(&bills()).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    app
}

/// The bill page of the customer at `address`.
async fn bill_of(app: &TestApp, address: &str) -> String {
    let (bill, _) = app.open_bill(&app.link_sent_to(address)).await;
    assert_eq!(bill.status().as_u16(), 200);
    bill.text().await.unwrap()
}

#[tokio::test]
async fn each_customer_reads_the_bill_in_their_language_and_locale() {
    let app = app_with_customers().await;
    for (address, lang, expected) in [
        (
            "en@example.com",
            "en",
            &["$1,234.56", "Nov 23, 2026", "Amount due", "31 days"][..],
        ),
        (
            "es@example.com",
            "es",
            &[
                "1234,56\u{a0}€",
                "23 nov 2026",
                "Importe a pagar",
                "31 días",
            ][..],
        ),
        (
            "fr@example.com",
            "fr",
            &[
                "1\u{202f}234,56\u{a0}€",
                "23 nov. 2026",
                "Montant à payer",
                "31 jours",
            ][..],
        ),
        (
            "de@example.com",
            "de",
            &[
                "121,66\u{a0}€",
                "23.11.2026",
                "Zu zahlender Betrag",
                "31 Tage",
                "612,5",
            ][..],
        ),
        (
            "ja@example.com",
            "en",
            &["￥14,422", "2026/11/23", "Amount due"][..],
        ),
    ] {
        let page = bill_of(&app, address).await;
        assert!(
            page.contains(&format!("<html lang=\"{lang}\">")),
            "{address}"
        );
        for text in expected {
            assert!(page.contains(text), "{address}: {text} in {page}");
        }
        // The other languages, one link each, in their own words.
        let others = ["en", "es", "fr", "de"]
            .iter()
            .filter(|code| **code != lang);
        for code in others {
            assert!(
                page.contains(&format!("href=\"?lang={code}\" lang=\"{code}\"")),
                "{address}"
            );
        }
    }
}

/// Every message in the outbox, as written.
fn outbox(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.outbox())
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .collect()
}

#[tokio::test]
async fn emails_and_text_messages_are_written_in_the_customers_language() {
    let app = app_with_customers().await;
    let messages = outbox(&app);
    let to = |address: &str| {
        messages
            .iter()
            .find(|m| m.contains(address))
            .unwrap_or_else(|| panic!("a message to {address}"))
            .clone()
    };
    for (address, expected) in [
        (
            "en@example.com",
            &["Hello Jane Doe", "$1,234.56", "Nov 23, 2026"][..],
        ),
        (
            "es@example.com",
            &["Hola, Ana Garc", "1234,56", "23 nov 2026"][..],
        ),
        (
            "fr@example.com",
            &["Bonjour Am", "234,56", "23 nov. 2026"][..],
        ),
        (
            "de@example.com",
            &["Guten Tag Zo", "121,66", "23.11.2026"][..],
        ),
        (
            "ja@example.com",
            &["Hello Yuki Tanaka", "14,422", "2026/11/23"][..],
        ),
    ] {
        let email = to(address);
        for text in expected {
            assert!(email.contains(text), "{address}: {text} in {email}");
        }
    }
    let sms = to("+33639980111");
    let body = sms.split_once('\n').unwrap().1.trim_end();
    assert!(
        body.contains("1 234,56 € au 23/11 http"),
        "French, GSM-7 spaces: {body}"
    );
    assert!(billpass::delivery::gsm7::septets(body).is_some(), "{body}");
}

#[tokio::test]
async fn the_pdf_is_in_the_customers_language_with_its_numbers() {
    let app = app_with_customers().await;
    for (address, expected) in [
        (
            "de@example.com",
            &["Zu zahlender Betrag", "121,66 €", "23.11.2026"][..],
        ),
        (
            "fr@example.com",
            &["Montant à payer", "234,56 €", "23 nov. 2026"][..],
        ),
        // The font has no full-width forms: ￥ is drawn as ¥.
        (
            "ja@example.com",
            &["Amount due", "¥14,422", "2026/11/23"][..],
        ),
    ] {
        let (_, cookie) = app.open_bill(&app.link_sent_to(address)).await;
        let pdf = app
            .client
            .get(app.url("/bill.pdf"))
            .header("cookie", cookie.unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), 200);
        let (text, pages) = crate::bill_actions::pdf_text(&pdf.bytes().await.unwrap());
        assert_eq!(pages, 1);
        let text = text.replace(['\u{a0}', '\u{202f}'], " ");
        for word in expected {
            assert!(text.contains(word), "{address}: {word} in {text}");
        }
    }
}

#[tokio::test]
async fn pages_follow_lang_then_the_browser_then_the_brand() {
    let app = app_with_customers().await;
    let link = app.link_sent_to("de@example.com");
    let get = |url: String, accept: Option<&'static str>| {
        let mut request = app.client.get(url);
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let landing = get(link.clone(), Some("fr-CH, fr;q=0.9, en;q=0.5")).await;
    assert!(
        landing.contains("<html lang=\"fr\">"),
        "the browser's language"
    );
    let landing = get(format!("{link}?lang=es"), Some("fr")).await;
    assert!(landing.contains("<html lang=\"es\">"), "?lang= first");
    let landing = get(link.clone(), Some("ja, zz")).await;
    assert!(
        landing.contains("<html lang=\"en\">"),
        "no catalogue: English"
    );
    for hostile in [
        "?lang=%3Cscript%3E",
        "?lang=xx",
        "?lang=de&lang=fr",
        "?lang=",
    ] {
        let response = app
            .client
            .get(format!("{link}{hostile}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{hostile}");
    }
    let home = get(app.url("/?lang=de"), None).await;
    assert!(
        home.contains("<html lang=\"de\">") && home.contains("Neuen Link anfordern"),
        "{home}"
    );

    // The bill in the language asked for, then again in the customer's own.
    let (bill, cookie) = app.open_bill(&link).await;
    assert!(bill.text().await.unwrap().contains("<html lang=\"de\">"));
    let cookie = cookie.unwrap();
    let in_spanish = app
        .client
        .get(app.url("/bill?lang=es"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(in_spanish.contains("<html lang=\"es\">") && in_spanish.contains("Importe a pagar"));
    let again = app.get_bill(Some(&cookie)).await.text().await.unwrap();
    assert!(
        again.contains("<html lang=\"de\">"),
        "the customer's own, not the last asked"
    );
}

#[tokio::test]
async fn every_page_in_every_language_passes_in_a_real_browser() {
    let app = app_with_customers().await;
    let browser = Browser::start().await;
    for (address, lang) in [
        ("en@example.com", "en"),
        ("es@example.com", "es"),
        ("fr@example.com", "fr"),
        ("de@example.com", "de"),
        ("ja@example.com", "en"),
    ] {
        let link = app.link_sent_to(address);
        browser.open(&format!("{link}?lang={lang}")).await;
        assert_eq!(browser.lang().await, lang, "{address}");
        browser.check(&format!("the landing page in {lang}")).await;
        browser.press("main form button").await;
        assert_eq!(
            browser.main_attr("data-link-status").await.as_deref(),
            Some("valid")
        );
        assert_eq!(browser.lang().await, lang, "{address}'s bill");
        browser.check(&format!("the bill in {lang}")).await;
        for path in ["/", "/link", "/no-such-page", "/b/not-a-token"] {
            browser.open(&app.url(&format!("{path}?lang={lang}"))).await;
            assert_eq!(browser.lang().await, lang, "{path}");
            browser.check(&format!("{path} in {lang}")).await;
        }
        browser.forget_console().await;
    }
    browser.close().await;
}
