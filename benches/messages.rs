//! Composing a link email, for every message an email lane sends.
//!
//!     cargo bench --bench messages

use std::hint::black_box;

use billpass::delivery::{BillFacts, Delivery, EmailSender};
use billpass::domain::{Brand, BrandId, Channel, DeliveryId};
use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};

fn messages(c: &mut Criterion) {
    let delivery = Delivery {
        id: DeliveryId(1_234_567),
        channel: Channel::Email,
        destination: "customer1234567@example.com".into(),
        link: format!("https://bills.example.com/b/{}", "x".repeat(190)),
        name: "Customer 1234567".into(),
        expires_at: Utc::now(),
        attempts: 1,
        opted_out: false,
        timezone: Some("America/New_York".into()),
        locale: "en-US".into(),
        brand: BrandId::default_brand(),
        bill: BillFacts {
            currency: "USD".into(),
            amount_due: 14_217,
            due_on: "2026-11-23".parse().unwrap(),
            period_start: "2026-10-01".parse().unwrap(),
            period_end: "2026-10-31".parse().unwrap(),
        },
    };
    let brand = Brand {
        support_phone: Some("+1 555 010 0100".into()),
        support_email: Some("help@example.com".into()),
        ..Brand::default()
    };
    // The baseline: the two parts rendered, nothing else.
    c.bench_function("baseline: the text and HTML parts rendered", |b| {
        b.iter(|| black_box(EmailSender::parts(black_box(&delivery), &brand).unwrap()))
    });
    let dir = tempfile::tempdir().unwrap();
    let sender = EmailSender::File {
        dir: dir.path().to_owned(),
        from: "billpass <bills@example.com>".parse().unwrap(),
    };
    c.bench_function("a link email composed and formatted for SMTP", |b| {
        b.iter(|| {
            let message = sender.compose(black_box(&delivery), &brand).unwrap();
            black_box(message.formatted())
        })
    });
}

criterion_group!(benches, messages);
criterion_main!(benches);
