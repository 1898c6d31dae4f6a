//! Key rotation: new keys sign at once, old links keep working, the JWKS lists both.

use crate::helpers::spawn_app;
use billpass::app::minter;
use billpass::tokens::keys::{self, KeyAlgorithm};

#[tokio::test]
async fn rotation_keeps_old_links_working_and_a_fresh_key_is_followed_without_restart() {
    let app = spawn_app().await;
    app.load_examples().await;
    app.run_cycle("2026-11").await;
    app.dispatch_all_pending().await;
    let old = app.link_sent_to("jane@example.com");
    let (before, _) = app.open_bill(&app.link_sent_to("+15550100123")).await;
    assert_eq!(before.status().as_u16(), 200);

    // Another process (the CLI) adds a key and signs with it straight away.
    let (new_kid, _) = keys::generate(&app.keys_dir(), KeyAlgorithm::EdDsa).unwrap();
    let cli_minter = minter(&app.settings.links).unwrap();
    assert_eq!(cli_minter.issuer.keyring().signing_key().kid, new_kid);
    app.resend_with(&cli_minter, "ACC-2", None).await;
    app.dispatch_all_pending().await;
    let fresh = app.link_sent_to("+15550100123");
    let header = fresh
        .rsplit("/b/")
        .next()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    assert!(
        String::from_utf8(
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, header)
                .unwrap()
        )
        .unwrap()
        .contains(&new_kid)
    );
    assert_eq!(
        app.client
            .get(&fresh)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200,
        "the server follows the new key at once"
    );

    // Links signed by the previous key still open.
    assert_eq!(app.open_bill(&old).await.0.status().as_u16(), 200);

    let jwks = app.jwks().await;
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(
        keys.iter()
            .all(|k| k["kty"] == "OKP" && k["alg"] == "EdDSA" && k.get("d").is_none()),
        "{jwks}"
    );
    assert_eq!(keys[0]["kid"], new_kid.as_str(), "newest first");
}

#[tokio::test]
async fn es256_and_rs256_keys_sign_links_that_open() {
    for alg in [KeyAlgorithm::Es256, KeyAlgorithm::Rs256] {
        let app = spawn_app().await;
        keys::generate(&app.keys_dir(), alg).unwrap();
        let minter = minter(&app.settings.links).unwrap();
        app.load_examples().await;
        app.resend_with(&minter, "ACC-1", None).await;
        app.dispatch_all_pending().await;
        let link = app.link_sent_to("jane@example.com");
        assert_eq!(app.open_bill(&link).await.0.status().as_u16(), 200, "{alg}");
        let jwks = app.jwks().await;
        assert_eq!(jwks["keys"][0]["alg"], alg.to_string());
    }
}

#[tokio::test]
async fn a_deleted_key_stops_verifying_within_seconds_without_a_restart() {
    let app = spawn_app().await;
    app.load_examples().await;
    // A second key, whose links an operator finds compromised.
    let (_, compromised) = keys::generate(&app.keys_dir(), KeyAlgorithm::EdDsa).unwrap();
    let cli_minter = minter(&app.settings.links).unwrap();
    app.resend_with(&cli_minter, "ACC-1", None).await;
    app.dispatch_all_pending().await;
    let link = app.link_sent_to("jane@example.com");
    assert_eq!(app.client.get(&link).send().await.unwrap().status(), 200);

    std::fs::remove_file(&compromised).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let response = app
            .client
            .request(method.clone(), &link)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{method} after the key was deleted");
        assert!(response.headers().get("set-cookie").is_none());
    }
    let jwks = app.jwks().await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1, "{jwks}");
}

#[test]
fn generated_keys_are_plain_pkcs8_that_openssl_reads() {
    let dir = tempfile::tempdir().unwrap();
    for alg in [
        KeyAlgorithm::EdDsa,
        KeyAlgorithm::Es256,
        KeyAlgorithm::Rs256,
    ] {
        let (_, path) = keys::generate(dir.path(), alg).unwrap();
        let out = std::process::Command::new("openssl")
            .args(["pkey", "-noout", "-in"])
            .arg(&path)
            .output()
            .expect("openssl is installed");
        assert!(
            out.status.success(),
            "openssl pkey refused a generated {alg} key: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Keys written as PKCS#8 v2 (with the public key inside) are still read.
    let v2 =
        aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new())
            .unwrap();
    let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", v2.as_ref().to_vec()));
    std::fs::write(dir.path().join("20300101T000000Z-v2k.pem"), pem).unwrap();
    let ring = keys::Keyring::open(dir.path()).unwrap();
    assert_eq!(ring.signing_key().kid, "v2k");
}

#[test]
fn broken_key_files_are_skipped_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("junk.pem"), "not a key").unwrap();
    assert!(
        keys::Keyring::open(dir.path()).is_err(),
        "no usable key: a clear error"
    );
    keys::generate(dir.path(), KeyAlgorithm::EdDsa).unwrap();
    let ring = keys::Keyring::open(dir.path()).unwrap();
    assert_eq!(ring.keys().len(), 1);
}
