//! What a customer does with a bill: pay, download the PDF, call; the comparison they
//! mean; times in their zone; short links in text messages; and the imports that feed them.

use std::process::Command;

use futures_util::StreamExt;

use billpass::billing::import::{self, CustomerFormat, ImportError};
use billpass::domain::Actor;

use crate::helpers::{
    BILLS_JSONL, CUSTOMERS_CSV, TestApp, fresh_database, link_status, plain_client, spawn_app_with,
};

const CONTACTS: [&str; 10] = [
    "--support-phone",
    "+1 555 010 0100",
    "--support-email",
    "help@northwind.example",
    "--support-hours",
    "Mon-Fri 8am-6pm",
    "--pay-url",
    "https://pay.northwind.example/bills?account={account_id}&amount={amount}",
    "--timezone",
    "America/New_York",
];

async fn app_with_contacts(extra: &[&str]) -> TestApp {
    let args: Vec<&str> = CONTACTS.iter().chain(extra).copied().collect();
    let app = spawn_app_with(&args).await;
    app.load_examples().await;
    app
}

/// The bill page's HTML and the session cookie, for `address`'s link of `cycle`.
async fn bill_of(app: &TestApp, cycle: &str, address: &str) -> (String, String) {
    app.run_cycle(cycle).await;
    app.dispatch_all_pending().await;
    let (page, cookie) = app.open_bill(&app.link_sent_to(address)).await;
    assert_eq!(page.status().as_u16(), 200);
    (page.text().await.unwrap(), cookie.unwrap())
}

/// The first message in the outbox that `wanted` picks, as written.
fn in_outbox(app: &TestApp, wanted: impl Fn(&str) -> bool) -> String {
    std::fs::read_dir(app.outbox())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|m| wanted(m))
        .expect("a message in the outbox")
}

/// `pdftotext -layout` of `pdf`, and its page count from `pdfinfo`.
pub fn pdf_text(pdf: &[u8]) -> (String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bill.pdf");
    std::fs::write(&path, pdf).unwrap();
    let run = |tool: &str, args: &[&str]| {
        let output = Command::new(tool)
            .args(args)
            .arg(&path)
            .args(["-"].iter().filter(|_| tool == "pdftotext"))
            .output()
            .unwrap_or_else(|e| panic!("{tool} (Debian's poppler-utils): {e}"));
        assert!(output.status.success(), "{tool}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let text = run("pdftotext", &["-layout"]);
    let info = run("pdfinfo", &[]);
    let pages = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (text, pages)
}

#[tokio::test]
async fn the_bill_offers_pay_and_a_pdf_that_reads_back_with_every_figure() {
    let app = app_with_contacts(&[]).await;
    let (page, cookie) = bill_of(&app, "2026-11", "jane@example.com").await;
    // Pay: a plain link with the account and the amount, never the token.
    assert!(
        page.contains(
            r#"href="https://pay.northwind.example/bills?account=ACC-1&#38;amount=142.17""#
        ),
        "{page}"
    );
    assert!(page.contains("Pay $142.17") && page.contains(r#"href="/bill.pdf""#));
    for contact in [
        "+1 555 010 0100",
        "help@northwind.example",
        "Mon-Fri 8am-6pm",
    ] {
        assert!(page.contains(contact), "the page names {contact}");
    }
    // Charges compared, not balances: $142.17 this period against $120.50.
    assert!(page.contains("$21.67 more than"), "{page}");
    assert!(page.contains("31 days") && page.contains("30 days"));

    let pdf = app
        .client
        .get(app.url("/bill.pdf"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status().as_u16(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(
        pdf.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let body = pdf.bytes().await.unwrap();
    assert!(body.starts_with(b"%PDF-"));
    let (text, pages) = pdf_text(&body);
    assert_eq!(pages, 1, "{text}");
    for expected in [
        "Jane Doe",
        "$142.17",
        "Nov 23, 2026",
        "Energy charge",
        "Delivery",
        "Tax: Sales tax",
        "$98.40",
        "+1 555 010 0100",
        "help@northwind.example",
        "pay.northwind.example",
    ] {
        assert!(text.contains(expected), "the PDF says {expected}: {text}");
    }

    // No session, no PDF; a forged cookie neither.
    let none = plain_client()
        .get(app.url("/bill.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let forged = plain_client()
        .get(app.url("/bill.pdf"))
        .header("Cookie", "billpass_session=x.y")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
}

#[tokio::test]
async fn a_credit_bill_says_what_the_credit_is_and_asks_for_nothing() {
    let app = app_with_contacts(&[]).await;
    app.run_cycle("2026-10").await;
    app.dispatch_all_pending().await;
    let message = in_outbox(&app, |m| m.starts_with("+15550100123"));
    assert!(message.contains("€5.00 in credit"), "{message}");
    let (page, _) = app.open_bill(&app.link_sent_to("+15550100123")).await;
    let page = page.text().await.unwrap();
    assert!(
        page.contains("in credit") && page.contains("€5.00"),
        "{page}"
    );
    assert!(page.contains("data-credit-why"), "the credit is explained");
    assert!(!page.contains("Payment due") && !page.contains("Please pay by"));
    assert!(!page.contains("data-pay>"), "no pay button for a credit");
}

#[tokio::test]
async fn the_email_names_the_amount_due_date_period_and_expiry_in_the_customers_zone() {
    let app = app_with_contacts(&[]).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let email = in_outbox(&app, |m| m.contains("To: jane@example.com"));
    let email = email.replace("=\r\n", "").replace("=\n", "");
    // The subject as its folded header lines say it (the en dash is encoded).
    let subject = email
        .split("\nSubject: ")
        .nth(1)
        .unwrap()
        .split("\nMessage-ID")
        .next()
        .unwrap()
        .replace("\r\n ", " ")
        .replace("\n ", " ");
    assert!(
        subject.starts_with("Your Northwind Energy bill for Oct 1, 2026 ")
            && subject
                .trim_end()
                .ends_with("Oct 31, 2026: $142.17 due Nov 23, 2026"),
        "{subject}"
    );
    for expected in [
        "$142.17",
        "Nov 23, 2026",
        "America/New_York",
        "help@northwind.example",
    ] {
        assert!(email.contains(expected), "the email says {expected}");
    }
    assert_eq!(email.matches("<h1").count(), 1, "one h1");
    assert!(email.contains("<main"), "a main landmark");
}

/// The code in a short link `…/s/{code}`.
fn code_of(link: &str) -> &str {
    link.rsplit_once("/s/").expect("a short link").1
}

#[tokio::test]
async fn a_short_link_answers_as_its_token_would_and_is_refused_as_it_would_be() {
    let app = app_with_contacts(&["--sms-link", "short"]).await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("+15550100123");
    assert_eq!(code_of(&link).len(), 11, "{link}");
    let sms = in_outbox(&app, |m| m.starts_with("+15550100123"));
    let text = sms.lines().skip(1).collect::<Vec<_>>().join("\n");
    let text = text.trim();
    assert!(text.chars().count() <= 160, "one segment: {text}");
    assert!(
        text.contains("€1,234.56") && text.contains("11/23"),
        "{text}"
    );
    assert!(text.ends_with("Reply STOP to opt out"), "{text}");
    // Email still carries the token link.
    assert!(app.link_sent_to("jane@example.com").contains("/b/"));

    let client = plain_client();
    let landing = client.get(&link).send().await.unwrap();
    assert_eq!(landing.status().as_u16(), 200);
    let body = landing.text().await.unwrap();
    assert_eq!(link_status(&body), Some("ready"));
    assert!(body.contains(&format!("action=\"/s/{}\"", code_of(&link))));
    let (bill, _) = app.open_bill(&link).await;
    assert!(bill.text().await.unwrap().contains("€1,234.56"));

    // A newer link: the old code says so, as its token would.
    app.resend("ACC-2", None).await;
    let superseded = client.get(&link).send().await.unwrap();
    assert_eq!(superseded.status().as_u16(), 410);
    let body = superseded.text().await.unwrap();
    assert_eq!(link_status(&body), Some("superseded"));
    assert!(
        body.contains("EST (America/New_York)"),
        "in the zone: {body}"
    );
    assert!(body.contains(&format!("/s/{}/renew", code_of(&link))));

    // The newest code, expired, then revoked.
    app.dispatch_all_pending().await;
    let newest = app.link_sent_to("+15550100123");
    assert_ne!(newest, link);
    sqlx::query(
        "UPDATE link_tokens SET expires_at = now() - interval '1 minute'
         WHERE superseded_at IS NULL AND customer_id = (SELECT id FROM customers WHERE account_id = 'ACC-2')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let expired = client.get(&newest).send().await.unwrap();
    assert_eq!(expired.status().as_u16(), 410);
    assert_eq!(link_status(&expired.text().await.unwrap()), Some("expired"));
    let post = client.post(&newest).send().await.unwrap();
    assert_eq!(
        post.status().as_u16(),
        410,
        "no session for an expired code"
    );

    app.resend("ACC-2", None).await;
    app.dispatch_all_pending().await;
    let fresh = app.link_sent_to("+15550100123");
    app.revoke("ACC-2").await;
    let revoked = client.get(&fresh).send().await.unwrap();
    assert_eq!(revoked.status().as_u16(), 410);
    assert_eq!(link_status(&revoked.text().await.unwrap()), Some("revoked"));
}

#[tokio::test]
async fn guessing_short_codes_finds_nothing_and_is_slowed_down() {
    let app = app_with_contacts(&["--sms-link", "short"]).await;
    let (_page, _cookie) = bill_of(&app, "2026-11", "+15550100123").await;
    let client = plain_client();
    let (mut invalid, mut limited) = (0, 0);
    let guesses = futures_util::stream::iter((0..10_000).map(|i| {
        let client = client.clone();
        // Mostly well-formed codes; every tenth malformed or hostile.
        let code = match i % 10 {
            0 => [
                "x",
                "%00",
                "..%2F..",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "ab%20cd",
            ][i / 10 % 5]
                .to_owned(),
            _ => {
                use rand::Rng;
                rand::thread_rng()
                    .sample_iter(&rand::distributions::Alphanumeric)
                    .take(11)
                    .map(char::from)
                    .collect()
            }
        };
        let url = app.url(&format!("/s/{code}"));
        async move { client.get(url).send().await.unwrap().status().as_u16() }
    }));
    let statuses: Vec<u16> = guesses.buffer_unordered(16).collect().await;
    for status in statuses {
        match status {
            400 | 404 => invalid += 1,
            429 => limited += 1,
            other => panic!("a guess got {other}"),
        }
    }
    // The customer's own visit took one of the burst of 60.
    assert!(
        (59..200).contains(&invalid),
        "{invalid} answered before the limit"
    );
    assert!(limited > 9_000, "the limiter engaged: {limited}");
    let limited = client.get(app.url("/s/AAAAAAAAAAA")).send().await.unwrap();
    assert_eq!(limited.status().as_u16(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited.text().await.unwrap().contains("Too many tries"));
}

#[tokio::test]
async fn timezones_and_rates_are_checked_at_import() {
    let (_, pool) = fresh_database().await;
    let by = Actor::command_line();
    let csv = "account_id,name,email,phone,channel,locale,timezone\n\
               ACC-1,Jane Doe,jane@example.com,,email,en-US,america/new_york\n\
               ACC-2,Sam,sam@example.com,,email,en-US,\n";
    import::customers(&pool, CustomerFormat::Csv, csv.as_bytes(), &by)
        .await
        .unwrap();
    let zones: Vec<Option<String>> =
        sqlx::query_scalar("SELECT timezone FROM customers ORDER BY account_id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(zones, [Some("America/New_York".to_owned()), None]);

    let bad = "account_id,name,email,phone,channel,locale,timezone\n\
               ACC-1,Jane Doe,jane@example.com,,email,en-US,Mars/Olympus\n\
               ACC-3,Eve,eve@example.com,,email,en-US,<script>\n\
               ACC-4,Long,long@example.com,,email,en-US,"
        .to_owned()
        + &"A".repeat(10_000)
        + "\n";
    match import::customers(&pool, CustomerFormat::Csv, bad.as_bytes(), &by).await {
        Err(ImportError::Rows { errors, .. }) => {
            let errors: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            for line in 2..=4 {
                let prefix = format!("line {line}: timezone: an IANA time zone");
                assert!(errors.iter().any(|e| e.starts_with(&prefix)), "{errors:#?}");
            }
        }
        other => panic!("expected row errors, got {other:?}"),
    }
    let kept: Option<String> =
        sqlx::query_scalar("SELECT timezone FROM customers WHERE account_id = 'ACC-1'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(kept.as_deref(), Some("America/New_York"), "nothing harmed");

    import::customers(&pool, CustomerFormat::Csv, CUSTOMERS_CSV.as_bytes(), &by)
        .await
        .unwrap();
    let good = BILLS_JSONL.lines().nth(1).unwrap();
    let with_rate = |rate: &str| {
        good.replace(
            r#""unit":"kWh","amount":"98.40""#,
            &format!(r#""unit":"kWh","amount":"98.40","rate":{rate}"#),
        )
    };
    import::bills(&pool, with_rate(r#""0.1608""#).as_bytes(), &by)
        .await
        .unwrap();
    for bad in [
        r#""abc""#,
        r#"0.16"#,
        r#""0.1234567""#,
        r#""1e3""#,
        r#""-""#,
    ] {
        match import::bills(&pool, with_rate(bad).as_bytes(), &by).await {
            Err(ImportError::Rows { errors, .. }) => {
                let error = errors[0].to_string();
                assert!(
                    error.starts_with("line 1: lines[0].rate:"),
                    "{bad}: {error}"
                );
            }
            other => panic!("{bad}: expected row errors, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_bill_of_twelve_lines_is_one_pdf_page() {
    let app = app_with_contacts(&[]).await;
    let lines: Vec<String> = (1..=12)
        .map(|i| {
            format!(
                r#"{{"description":"Charge number {i} for the period, peak and off-peak","quantity":"{q}","unit":"kWh","rate":"0.1608","amount":"10.00"}}"#,
                q = 60 + i
            )
        })
        .collect();
    let usage: Vec<String> = (1..=12)
        .map(|m| {
            format!(
                r#"{{"period":"2026-{m:02}","quantity":"{}","unit":"kWh"}}"#,
                400 + m
            )
        })
        .collect();
    let bill = format!(
        r#"{{"account_id":"ACC-1","cycle":"2026-12","period_start":"2026-11-01","period_end":"2026-11-30","issued_on":"2026-12-02","due_on":"2026-12-23","currency":"USD","amount_due":"120.00","previous_balance":"0","payments":"0","lines":[{}],"usage":[{}]}}"#,
        lines.join(","),
        usage.join(",")
    );
    app.import_bills(&bill).await;
    let (_, cookie) = bill_of(&app, "2026-12", "jane@example.com").await;
    let pdf = app
        .client
        .get(app.url("/bill.pdf"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (text, pages) = pdf_text(&pdf);
    assert_eq!(pages, 1, "{text}");
    for i in [1, 12] {
        assert!(
            text.contains(&format!("Charge number {i} ")),
            "line {i}: {text}"
        );
    }
    assert!(text.contains("$120.00") && text.contains("help@northwind.example"));
}
