//! Drawing a bill: its page (the baseline) and its PDF, for a bill of 12 lines with a
//! previous bill, last year's and 12 periods of usage. Prints the PDF's size.
//!
//!     cargo bench --bench bill
//!
//! With `BILL_PDF=/tmp/bill.pdf`, the PDF is also written there, to look at.

use std::hint::black_box;

use askama::Template;
use billpass::billing::bill::{BillRow, BillView};
use billpass::domain::{BillId, Brand, BrandId, PayUrl};
use billpass::i18n::Lang;
use billpass::web::bill_pdf;
use billpass::web::pages::BillPage;
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;

fn lines(scale: i64) -> serde_json::Value {
    let mut lines: Vec<_> = (1..=11)
        .map(|i| {
            json!({"description": format!("Charge number {i} for the period"), "quantity": format!("{}", 100 * i),
                   "unit": "kWh", "rate": "0.1608", "amount": 1_000 * i * scale})
        })
        .collect();
    lines.push(json!({"description": "Sales tax", "quantity": "1", "amount": 1_234 * scale}));
    json!(lines)
}

fn bill() -> BillRow {
    let usage: Vec<_> = (1..=12)
        .map(|m| json!({"period": format!("2026-{m:02}"), "quantity": format!("{}", 400 + m * 17), "unit": "kWh"}))
        .collect();
    let compared = |start: &str, end: &str, scale| {
        Some(sqlx::types::Json(
            serde_json::from_value(
                json!({"period_start": start, "period_end": end, "lines": lines(scale)}),
            )
            .unwrap(),
        ))
    };
    BillRow {
        bill_id: BillId(1),
        name: "Customer 1234567".into(),
        account_id: "ACC-1234567".into(),
        cycle: "2026-12".into(),
        period_start: "2026-11-01".parse().unwrap(),
        period_end: "2026-11-30".parse().unwrap(),
        issued_on: "2026-12-02".parse().unwrap(),
        due_on: "2026-12-23".parse().unwrap(),
        currency: "USD".into(),
        amount_due: 79_234,
        previous_balance: 12_050,
        payments: -12_050,
        lines: sqlx::types::Json(serde_json::from_value(lines(1)).unwrap()),
        usage: sqlx::types::Json(serde_json::from_value(json!(usage)).unwrap()),
        previous: compared("2026-10-01", "2026-10-31", 2),
        last_year: compared("2025-11-01", "2025-11-30", 3),
        brand: BrandId::default_brand(),
        locale: "en-US".into(),
    }
}

fn drawing(c: &mut Criterion) {
    let brand = Brand {
        support_phone: Some("+1 555 010 0100".into()),
        support_email: Some("help@example.com".into()),
        support_hours: Some("Mon-Fri 8am-6pm".into()),
        pay_url: Some(
            PayUrl::parse("https://pay.example.com/?a={account_id}&amt={amount}").unwrap(),
        ),
        ..Brand::default()
    };
    let row = bill();
    let lang = Lang::of(&row.locale);
    let page = || BillPage {
        brand: &brand,
        l: &lang,
        bill: BillView::build(&row, &lang).unwrap(),
        pay_url: Some("https://pay.example.com/?a=ACC-1234567&amt=792.34".into()),
        page_url: "https://bills.example.com/bill".into(),
    };
    let drawn = page();
    let pdf = bill_pdf::render(&drawn).unwrap();
    let html = drawn.render().unwrap();
    // To look at it: BILL_PDF=/tmp/bill.pdf cargo bench --bench bill
    if let Some(path) = std::env::var_os("BILL_PDF") {
        std::fs::write(path, &pdf).unwrap();
    }
    println!(
        "bill of 12 lines: PDF {} bytes, page {} bytes",
        pdf.len(),
        html.len()
    );
    c.bench_function("baseline: the bill page built and rendered (HTML)", |b| {
        b.iter(|| black_box(page().render().unwrap()))
    });
    c.bench_function("the bill's PDF built and rendered", |b| {
        b.iter(|| black_box(bill_pdf::render(&page()).unwrap()))
    });
}

criterion_group!(benches, drawing);
criterion_main!(benches);
