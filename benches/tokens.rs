//! The hot functions of a link: signing (cycle runs) and verifying (every page view).
//!
//!     cargo bench --bench tokens

use std::hint::black_box;
use std::sync::Arc;

use billpass::domain::{CustomerId, LinkId};
use billpass::tokens::keys::{self, KeyAlgorithm, Keyring};
use billpass::tokens::{Audience, TokenIssuer, TokenSettings};
use chrono::{Duration, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

/// The default brand's audience, signed with the current key.
const BILL: Audience<'static> = Audience {
    aud: "bill",
    kid: None,
};

fn issuer(algorithm: KeyAlgorithm) -> (tempfile::TempDir, TokenIssuer) {
    let dir = tempfile::tempdir().unwrap();
    keys::generate(dir.path(), algorithm).unwrap();
    let keyring = Arc::new(Keyring::open(dir.path()).unwrap());
    let settings = TokenSettings {
        issuer: "bp".into(),
    };
    (dir, TokenIssuer::new(keyring, settings))
}

fn tokens(c: &mut Criterion) {
    // The baseline: one bare Ed25519 signature over a token-sized message, nothing else.
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let bare = aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let message = [b'x'; 170];
    c.bench_function("baseline: one bare Ed25519 signature", |b| {
        b.iter(|| bare.sign(black_box(&message)))
    });

    let now = Utc::now();
    let expires = now + Duration::hours(72);
    for algorithm in [KeyAlgorithm::EdDsa, KeyAlgorithm::Es256] {
        let (_dir, issuer) = issuer(algorithm);
        let one = [(LinkId(1_234_567), CustomerId(98_765))];
        c.bench_function(&format!("sign one token ({algorithm})"), |b| {
            b.iter(|| {
                issuer
                    .sign_all(black_box(&one), BILL, now, expires)
                    .unwrap()
            })
        });
        let batch: Vec<_> = (1..=5000).map(|i| (LinkId(i), CustomerId(i))).collect();
        c.bench_function(
            &format!("sign a batch of 5000 on every core ({algorithm})"),
            |b| {
                b.iter_batched(
                    || batch.clone(),
                    |batch| issuer.sign_all(&batch, BILL, now, expires).unwrap(),
                    BatchSize::LargeInput,
                )
            },
        );
        let (token, _) = issuer.sign_all(&one, BILL, now, expires).unwrap();
        c.bench_function(&format!("verify a token ({algorithm})"), |b| {
            b.iter(|| issuer.check(black_box(&token[0])).unwrap())
        });
        c.bench_function(&format!("verify a token again ({algorithm})"), |b| {
            b.iter(|| issuer.verify(black_box(&token[0])).unwrap())
        });
    }
}

criterion_group!(benches, tokens);
criterion_main!(benches);
