//! Signing keys: PKCS#8 PEM files in a directory, hot-reloaded, published as a JWK Set.
//!
//! A key file is named `<UTC creation time>-<kid>.pem` (`20261121T192600Z-x7Q.pem`). The
//! newest key signs; every key in the directory verifies tokens that name its `kid`, with
//! the algorithm of that key only, so the header's `alg` can never pick the algorithm.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::json;

/// Directory re-reads happen at most this often, so forged `kid`s cannot make us spin.
const RESCAN_INTERVAL: Duration = Duration::from_secs(1);
const TIMESTAMP_FORMAT: &str = "%Y%m%dT%H%M%SZ";
const KID_LEN: usize = 3;

/// The algorithms billpass signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyAlgorithm {
    /// Ed25519 (the default: short signatures, fast).
    #[value(name = "eddsa")]
    EdDsa,
    /// ECDSA with P-256 and SHA-256.
    #[value(name = "es256")]
    Es256,
    /// RSA 2048 with SHA-256 (links are too long for two SMS segments).
    #[value(name = "rs256")]
    Rs256,
}

impl KeyAlgorithm {
    pub fn jwt(self) -> Algorithm {
        match self {
            KeyAlgorithm::EdDsa => Algorithm::EdDSA,
            KeyAlgorithm::Es256 => Algorithm::ES256,
            KeyAlgorithm::Rs256 => Algorithm::RS256,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAlgorithm::EdDsa => "EdDSA",
            KeyAlgorithm::Es256 => "ES256",
            KeyAlgorithm::Rs256 => "RS256",
        })
    }
}

/// A private key, parsed once: signing is the hot path of a cycle run, so keys are not
/// re-read from PEM for each token (as `jsonwebtoken::encode` would), and signatures come
/// from aws-lc, about twice as fast as the pure-Rust curves.
enum Signer {
    Ed25519(Ed25519KeyPair),
    /// Signs with the fixed-size `r || s` encoding that JWS requires.
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
}

impl Signer {
    fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        let rng = SystemRandom::new();
        Ok(match self {
            Signer::Ed25519(key) => key.sign(message).as_ref().to_vec(),
            Signer::Es256(key) => key.sign(&rng, message)?.as_ref().to_vec(),
            Signer::Rs256(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut signature)?;
                signature
            }
        })
    }
}

/// One key from the directory, parsed once.
pub struct SigningKey {
    pub kid: String,
    pub algorithm: KeyAlgorithm,
    pub created: DateTime<Utc>,
    pub decoding: DecodingKey,
    signer: Signer,
    /// The JWS header for this key, base64url-encoded: `{"alg":"EdDSA","kid":"x7Q"}`.
    header: String,
    jwk: serde_json::Value,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("created", &self.created)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A compact JWS over `payload` (JSON): `header.payload.signature`.
    pub fn sign_jws(&self, payload: &[u8]) -> anyhow::Result<String> {
        let mut token = String::with_capacity(self.header.len() + payload.len() * 4 / 3 + 100);
        token.push_str(&self.header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut token);
        let signature = self.signer.sign(token.as_bytes())?;
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }

    fn from_pem(kid: String, created: DateTime<Utc>, pem: &str) -> anyhow::Result<Self> {
        let der = pem::parse(pem).context("not a PEM file")?;
        let der = der.contents();
        let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
        let (algorithm, signer, jwk) = if let Ok(key) =
            Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
        {
            let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(key.public_key().as_ref())});
            (KeyAlgorithm::EdDsa, Signer::Ed25519(key), jwk)
        } else if let Ok(key) =
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der)
        {
            // An uncompressed point: 0x04, then x and y.
            let point = key.public_key().as_ref();
            let jwk = json!({"kty": "EC", "crv": "P-256", "x": b64(&point[1..33]), "y": b64(&point[33..65])});
            (KeyAlgorithm::Es256, Signer::Es256(key), jwk)
        } else if let Ok(key) = RsaKeyPair::from_pkcs8(der) {
            let public = aws_lc_rs::rsa::PublicKeyComponents::<Vec<u8>>::from(key.public_key());
            let jwk = json!({"kty": "RSA", "n": b64(&public.n), "e": b64(&public.e)});
            (KeyAlgorithm::Rs256, Signer::Rs256(key), jwk)
        } else {
            bail!("not a PKCS#8 Ed25519, P-256 or RSA private key");
        };
        let decoding = DecodingKey::from_jwk(&serde_json::from_value(jwk.clone())?)?;
        let header = b64(json!({"alg": algorithm.to_string(), "kid": kid})
            .to_string()
            .as_bytes());
        let mut jwk = jwk;
        jwk["kid"] = json!(kid);
        jwk["alg"] = json!(algorithm.to_string());
        jwk["use"] = json!("sig");
        Ok(Self {
            kid,
            algorithm,
            created,
            decoding,
            signer,
            header,
            jwk,
        })
    }
}

#[derive(Default)]
struct KeySet {
    by_file: HashMap<PathBuf, Arc<SigningKey>>,
    by_kid: HashMap<String, Arc<SigningKey>>,
    newest: Option<Arc<SigningKey>>,
}

/// The keys directory as the running process sees it.
pub struct Keyring {
    dir: PathBuf,
    keys: RwLock<KeySet>,
    last_scan: Mutex<Scan>,
    /// When the directory was last read, in milliseconds since `epoch`: checked without a
    /// lock on every verification.
    scanned_at_ms: AtomicU64,
    epoch: Instant,
}

/// When the directory was last read, and its modification time then.
struct Scan {
    at: Instant,
    dir_modified: Option<std::time::SystemTime>,
}

impl Keyring {
    /// Reads every key in `dir`; fails if none can sign.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let ring = Self {
            dir: dir.to_owned(),
            keys: RwLock::default(),
            last_scan: Mutex::new(Scan {
                at: Instant::now(),
                dir_modified: dir_modified(dir),
            }),
            scanned_at_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        };
        ring.scan()?;
        if ring.keys.read().expect("keyring lock").newest.is_none() {
            bail!(
                "no signing key in {}: run `billpass keys generate` (or set BILLPASS_KEYS_DIR)",
                dir.display()
            );
        }
        Ok(ring)
    }

    /// The keys directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key new tokens are signed with: the newest in the directory.
    pub fn signing_key(&self) -> Arc<SigningKey> {
        self.rescan_if_due();
        let keys = self.keys.read().expect("keyring lock");
        keys.newest
            .clone()
            .expect("a keyring always holds a signing key")
    }

    /// The key named by a token's `kid`. The directory is re-read at most once a second
    /// (sooner for a `kid` not seen yet when a file was added), so a key file removed by an
    /// operator stops verifying within a second, without a restart.
    pub fn verifying_key(&self, kid: &str) -> Option<Arc<SigningKey>> {
        if self.scanned_within_interval()
            && let Some(key) = self.keys.read().expect("keyring lock").by_kid.get(kid)
        {
            return Some(key.clone());
        }
        self.rescan_if_due();
        self.keys
            .read()
            .expect("keyring lock")
            .by_kid
            .get(kid)
            .cloned()
    }

    /// Every key that can verify, as a JWK Set.
    pub fn jwks(&self) -> serde_json::Value {
        self.rescan_if_due();
        json!({ "keys": self.keys().iter().map(|k| &k.jwk).collect::<Vec<_>>() })
    }

    /// Every key, newest first.
    pub fn keys(&self) -> Vec<Arc<SigningKey>> {
        let keys = self.keys.read().expect("keyring lock");
        let mut all: Vec<_> = keys.by_kid.values().cloned().collect();
        all.sort_by_key(|k| std::cmp::Reverse(k.created));
        all
    }

    /// Whether the directory was read less than [`RESCAN_INTERVAL`] ago: the keys held are
    /// then fresh enough to answer from without looking at the directory.
    fn scanned_within_interval(&self) -> bool {
        let scanned = self.scanned_at_ms.load(Ordering::Relaxed);
        self.epoch.elapsed().as_millis() as u64 - scanned < RESCAN_INTERVAL.as_millis() as u64
    }

    /// Re-reads the directory when a file was added or removed since the last read (a
    /// `stat`, cheap enough for every unknown `kid`), and otherwise at most once a second.
    fn rescan_if_due(&self) {
        let mut last = self.last_scan.lock().expect("keyring lock");
        let modified = dir_modified(&self.dir);
        if last.at.elapsed() < RESCAN_INTERVAL && modified == last.dir_modified {
            return;
        }
        *last = Scan {
            at: Instant::now(),
            dir_modified: modified,
        };
        self.scanned_at_ms
            .store(self.epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        if let Err(error) = self.scan() {
            tracing::warn!(dir = %self.dir.display(), "could not re-read the keys directory: {error:#}");
        }
    }

    /// Parses new files, forgets removed ones; a broken file is reported and skipped.
    fn scan(&self) -> anyhow::Result<()> {
        let files = pem_files(&self.dir)?;
        let known: HashMap<PathBuf, Arc<SigningKey>> =
            self.keys.read().expect("keyring lock").by_file.clone();
        let mut set = KeySet::default();
        for path in files {
            let key = match known.get(&path) {
                Some(key) => key.clone(),
                None => match load_key(&path) {
                    Ok(key) => Arc::new(key),
                    Err(error) => {
                        tracing::warn!(file = %path.display(), "skipping key file: {error:#}");
                        continue;
                    }
                },
            };
            if set.by_kid.contains_key(&key.kid) {
                tracing::warn!(file = %path.display(), kid = %key.kid, "skipping key file: duplicate kid");
                continue;
            }
            if set.newest.as_ref().is_none_or(|n| key.created > n.created) {
                set.newest = Some(key.clone());
            }
            set.by_kid.insert(key.kid.clone(), key.clone());
            set.by_file.insert(path, key);
        }
        *self.keys.write().expect("keyring lock") = set;
        Ok(())
    }
}

fn dir_modified(dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(dir).and_then(|m| m.modified()).ok()
}

fn pem_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).with_context(|| format!("reading keys directory {}", dir.display()));
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "pem") {
            files.push(path);
        }
    }
    Ok(files)
}

/// `20261121T192600Z-x7Q.pem` → kid `x7Q`, created then; any other name: kid = stem, created = mtime.
fn load_key(path: &Path) -> anyhow::Result<SigningKey> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .context("key file name is not UTF-8")?;
    let named = stem.split_once('-').and_then(|(time, kid)| {
        let created = NaiveDateTime::parse_from_str(time, TIMESTAMP_FORMAT)
            .ok()?
            .and_utc();
        Some((kid.to_owned(), created))
    });
    let (kid, created) = match named {
        Some(named) => named,
        None => {
            let modified = std::fs::metadata(path)?.modified()?;
            (stem.to_owned(), DateTime::<Utc>::from(modified))
        }
    };
    let pem = std::fs::read_to_string(path)?;
    SigningKey::from_pem(kid, created, &pem)
}

/// Creates a new key in `dir`, which becomes the signing key. Returns its file path.
pub fn generate(dir: &Path, algorithm: KeyAlgorithm) -> anyhow::Result<(String, PathBuf)> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating keys directory {}", dir.display()))?;
    let existing: Vec<SigningKey> = pem_files(dir)?
        .iter()
        .filter_map(|p| load_key(p).ok())
        .collect();
    let kid = loop {
        let bytes: [u8; 3] = rand::random();
        let kid = URL_SAFE_NO_PAD.encode(bytes)[..KID_LEN].to_owned();
        if !existing.iter().any(|k| k.kid == kid) {
            break kid;
        }
    };
    // Plain PKCS#8 (v1, RFC 5208), which OpenSSL and other tools read; v2 (RFC 5958, with
    // the public key inside) is still read back, but not written.
    let der = match algorithm {
        KeyAlgorithm::EdDsa => Ed25519KeyPair::generate()?.to_pkcs8v1()?.as_ref().to_vec(),
        KeyAlgorithm::Es256 => EcdsaKeyPair::generate(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)?
            .to_pkcs8v1()?
            .as_ref()
            .to_vec(),
        KeyAlgorithm::Rs256 => {
            use aws_lc_rs::encoding::AsDer;
            let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)?;
            AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key)?
                .as_ref()
                .to_vec()
        }
    };
    let pem = pem::encode(&pem::Pem::new("PRIVATE KEY", der));
    // File names carry whole seconds: a key made in the same second as the newest must
    // still sort after it.
    let newest = existing.iter().map(|k| k.created).max();
    let now = Utc::now().trunc_subsecs(0);
    let created = newest.map_or(now, |newest| now.max(newest + chrono::Duration::seconds(1)));
    let path = dir.join(format!("{}-{kid}.pem", created.format(TIMESTAMP_FORMAT)));
    write_private(&path, pem.as_bytes())?;
    Ok((kid, path))
}

/// Writes under a temporary name, then renames, so a running server never reads half a key.
fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let partial = path.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    std::fs::rename(&partial, path).with_context(|| format!("creating {}", path.display()))?;
    Ok(())
}
