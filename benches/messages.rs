//! Composing a link email, for every message an email lane sends.
//!
//!     cargo bench --bench messages

use std::hint::black_box;

use billpass::delivery::{Delivery, EmailSender};
use billpass::domain::{Channel, DeliveryId};
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
    };
    // The baseline: the two parts rendered, nothing else.
    c.bench_function("baseline: the text and HTML parts rendered", |b| {
        b.iter(|| black_box(EmailSender::parts(black_box(&delivery), "billpass").unwrap()))
    });
    let dir = tempfile::tempdir().unwrap();
    let sender = EmailSender::File {
        dir: dir.path().to_owned(),
        from: "billpass <bills@example.com>".parse().unwrap(),
    };
    c.bench_function("a link email composed and formatted for SMTP", |b| {
        b.iter(|| {
            let message = sender.compose(black_box(&delivery), "billpass").unwrap();
            black_box(message.formatted())
        })
    });
}

criterion_group!(benches, messages);
criterion_main!(benches);
