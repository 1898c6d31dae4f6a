//! Link tokens: compact signed JWTs that name a customer and one issued link.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::Validation;
use serde::{Deserialize, Serialize};

use crate::domain::{CustomerId, LinkId, ShortId};
use crate::tokens::keys::{Keyring, SigningKey};

/// Tokens longer than this are refused before any parsing (ours are about 240 characters).
pub const MAX_TOKEN_LEN: usize = 1024;
/// Batches at least this large are signed on every core.
const PARALLEL_FROM: usize = 256;
/// Clock skew tolerated between the instance that minted a token and the one checking it.
const IAT_LEEWAY_SECS: i64 = 60;
/// The audience of emailed staff sign-in links; no deployment's customer links may use it.
pub const STAFF_AUDIENCE: &str = "staff";
/// Tokens remembered as verified, at most (about 400 bytes each).
const VERIFIED_KEPT: usize = 65_536;

#[derive(Debug, Serialize, Deserialize)]
struct LinkClaims {
    sub: String,
    jti: String,
    iat: i64,
    exp: i64,
    aud: String,
    iss: String,
}

/// Who tokens are from; fixed per deployment. Who they are for (`aud`) is their brand's.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    pub issuer: String,
}

/// Whom a batch of tokens is for: a brand's audience, and the key it signs with (`None`:
/// the keyring's current one).
#[derive(Debug, Clone, Copy)]
pub struct Audience<'a> {
    pub aud: &'a str,
    pub kid: Option<&'a str>,
}

/// What a verified token says. Whether it is still current is for the database to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub jti: LinkId,
    pub customer: CustomerId,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whom it was minted for: its brand's audience, and the key that signed it.
    pub audience: Arc<str>,
    pub kid: Arc<str>,
}

impl VerifiedToken {
    pub fn is_expired(&self) -> bool {
        self.expires_at <= Utc::now()
    }
}

/// A token failed its checks. The reason goes to logs and tests, never to the customer.
#[derive(Debug, thiserror::Error)]
#[error("invalid link token: {0}")]
pub struct InvalidToken(pub &'static str);

/// Signs and verifies link tokens with the keys in the keyring.
#[derive(Clone)]
pub struct TokenIssuer {
    keys: Arc<Keyring>,
    settings: TokenSettings,
    /// Tokens that passed [`Self::check`] lately, with the key that checked them. A link is
    /// verified when its landing page is shown and again when it is opened, mail filters
    /// and link previews fetch it too, and the signature is most of a landing page's cost.
    verified: Arc<quick_cache::sync::Cache<String, (Arc<SigningKey>, VerifiedToken)>>,
}

impl TokenIssuer {
    pub fn new(keys: Arc<Keyring>, settings: TokenSettings) -> Self {
        Self {
            keys,
            settings,
            verified: Arc::new(quick_cache::sync::Cache::new(VERIFIED_KEPT)),
        }
    }

    pub fn keyring(&self) -> &Keyring {
        &self.keys
    }

    /// Signs a token for each `(jti, customer)` for `audience`, all issued at `issued_at`
    /// and expiring at `expires_at`, spreading large batches over the cores. Returns the
    /// tokens in order and the `kid` that signed them.
    pub fn sign_all(
        &self,
        links: &[(LinkId, CustomerId)],
        audience: Audience<'_>,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<(Vec<String>, String)> {
        let key = match audience.kid {
            None => self.keys.signing_key(),
            Some(kid) => self
                .keys
                .verifying_key(kid)
                .ok_or_else(|| anyhow::anyhow!("the key `{kid}` is not in the keys directory"))?,
        };
        let aud = audience.aud;
        let sign =
            |&link: &(LinkId, CustomerId)| self.sign_with(&key, link, aud, issued_at, expires_at);
        let threads = crate::infra::cores();
        let tokens = if links.len() < PARALLEL_FROM || threads == 1 {
            links.iter().map(sign).collect::<anyhow::Result<Vec<_>>>()?
        } else {
            let chunk = links.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let workers: Vec<_> = links
                    .chunks(chunk)
                    .map(|part| {
                        scope.spawn(move || {
                            part.iter().map(sign).collect::<anyhow::Result<Vec<_>>>()
                        })
                    })
                    .collect();
                let mut tokens = Vec::with_capacity(links.len());
                for worker in workers {
                    tokens.extend(worker.join().expect("signing thread panicked")?);
                }
                anyhow::Ok(tokens)
            })?
        };
        Ok((tokens, key.kid.clone()))
    }

    /// The token of link `(jti, customer)` signed again, with the same claims, by the key
    /// `kid` that signed it first; `None` when that key is no longer in the keyring.
    pub fn sign_again(
        &self,
        kid: &str,
        link: (LinkId, CustomerId),
        aud: &str,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<Option<String>> {
        self.keys
            .verifying_key(kid)
            .map(|key| self.sign_with(&key, link, aud, issued_at, expires_at))
            .transpose()
    }

    fn sign_with(
        &self,
        key: &SigningKey,
        (jti, customer): (LinkId, CustomerId),
        aud: &str,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = LinkClaims {
            sub: ShortId(customer.0).to_string(),
            jti: jti.to_string(),
            iat: issued_at.timestamp(),
            exp: expires_at.timestamp(),
            aud: aud.to_owned(),
            iss: self.settings.issuer.clone(),
        };
        key.sign_jws(&serde_json::to_vec(&claims)?)
    }

    /// [`Self::check`], answered from memory for a token that passed it lately, as long as
    /// the key that checked it is still in the keyring: the same string, checked again,
    /// would pass again (the check does not depend on the time but for `iat`, which only
    /// gets further behind).
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, InvalidToken> {
        if let Some((key, verified)) = self.verified.get(token)
            && self
                .keys
                .verifying_key(&key.kid)
                .is_some_and(|current| Arc::ptr_eq(&current, &key))
        {
            return Ok(verified);
        }
        let (key, verified) = self.check(token)?;
        self.verified
            .insert(token.to_owned(), (key, verified.clone()));
        Ok(verified)
    }

    /// Checks signature, algorithm, issuer and claims; not expiry (an expired link with a
    /// good signature may still be renewed), and not whose the audience is, which is for
    /// the caller, who knows the brands. Returns the key that signed it.
    pub fn check(&self, token: &str) -> Result<(Arc<SigningKey>, VerifiedToken), InvalidToken> {
        let (key, claims) = self.decode::<LinkClaims>(token, None, false)?;
        if claims.aud == STAFF_AUDIENCE {
            return Err(InvalidToken("a staff sign-in link"));
        }
        let now = Utc::now().timestamp();
        if claims.iat > now + IAT_LEEWAY_SECS {
            return Err(InvalidToken("issued in the future"));
        }
        if claims.exp <= claims.iat {
            return Err(InvalidToken("expires before issue"));
        }
        let time =
            |secs| DateTime::from_timestamp(secs, 0).ok_or(InvalidToken("timestamp out of range"));
        let verified = VerifiedToken {
            jti: LinkId::parse(&claims.jti).ok_or(InvalidToken("jti"))?,
            customer: ShortId::parse(&claims.sub)
                .map(|sub| CustomerId(sub.0))
                .ok_or(InvalidToken("sub"))?,
            issued_at: time(claims.iat)?,
            expires_at: time(claims.exp)?,
            audience: claims.aud.into(),
            kid: key.kid.as_str().into(),
        };
        Ok((key, verified))
    }

    /// Signs an emailed staff sign-in link for staff member `staff_id`: audience
    /// [`STAFF_AUDIENCE`], so that no customer link can ever pass for one, nor one of these
    /// for a customer link.
    pub fn sign_staff_link(
        &self,
        staff_id: i64,
        jti: &str,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let claims = LinkClaims {
            sub: ShortId(staff_id).to_string(),
            jti: jti.to_owned(),
            iat: issued_at.timestamp(),
            exp: expires_at.timestamp(),
            aud: STAFF_AUDIENCE.to_owned(),
            iss: self.settings.issuer.clone(),
        };
        self.keys
            .signing_key()
            .sign_jws(&serde_json::to_vec(&claims)?)
    }

    /// Checks a staff sign-in link as [`Self::check`] checks a customer's, and its expiry:
    /// returns the staff member's id and the link's `jti`.
    pub fn check_staff_link(&self, token: &str) -> Result<(i64, String), InvalidToken> {
        let (_, claims) = self.decode::<LinkClaims>(token, Some(STAFF_AUDIENCE), true)?;
        let staff_id = ShortId::parse(&claims.sub).ok_or(InvalidToken("sub"))?.0;
        Ok((staff_id, claims.jti))
    }

    /// The claims of a token signed by a key in the keyring, for our issuer and `audience`
    /// (`None`: any, though one is required); with `expiry`, refused once expired.
    fn decode<C: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        audience: Option<&str>,
        expiry: bool,
    ) -> Result<(Arc<SigningKey>, C), InvalidToken> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(InvalidToken("too long"));
        }
        let header =
            jsonwebtoken::decode_header(token).map_err(|_| InvalidToken("malformed header"))?;
        // RFC 7515 §4.1.11: a `crit` header names extensions the recipient must understand,
        // and billpass understands none.
        if header.crit.is_some() {
            return Err(InvalidToken("critical header extension"));
        }
        let kid = header.kid.ok_or(InvalidToken("no kid"))?;
        let key = self
            .keys
            .verifying_key(&kid)
            .ok_or(InvalidToken("unknown kid"))?;
        let mut validation = Validation::new(key.algorithm.jwt());
        validation.validate_exp = expiry;
        // billpass mints no `nbf`, but a token that carries one is not valid before it.
        validation.validate_nbf = true;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        match audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        validation.set_issuer(&[&self.settings.issuer]);
        let claims = jsonwebtoken::decode::<C>(token, &key.decoding, &validation)
            .map_err(|_| InvalidToken("signature or claims"))?
            .claims;
        Ok((key, claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::keys::{self, KeyAlgorithm};

    fn issuer(dir: &std::path::Path) -> TokenIssuer {
        let keyring = Arc::new(Keyring::open(dir).unwrap());
        let settings = TokenSettings {
            issuer: "bp".into(),
        };
        TokenIssuer::new(keyring, settings)
    }

    fn one_token(issuer: &TokenIssuer) -> String {
        let now = Utc::now();
        let (mut tokens, _) = issuer
            .sign_all(
                &[(LinkId(42), CustomerId(7))],
                Audience {
                    aud: "bill",
                    kid: None,
                },
                now,
                now + chrono::Duration::hours(1),
            )
            .unwrap();
        tokens.pop().unwrap()
    }

    #[test]
    fn a_token_verified_again_reads_the_same_and_a_tampered_copy_is_still_refused() {
        let dir = tempfile::tempdir().unwrap();
        keys::generate(dir.path(), KeyAlgorithm::EdDsa).unwrap();
        let issuer = issuer(dir.path());
        let token = one_token(&issuer);
        let first = issuer.verify(&token).unwrap();
        assert_eq!(issuer.verify(&token).unwrap(), first);
        assert_eq!((first.jti, first.customer), (LinkId(42), CustomerId(7)));
        // One character of the claims changed: the signature no longer matches.
        let at = token.find('.').unwrap() + 5;
        let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
        let tampered = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
        assert!(issuer.verify(&tampered).is_err());
        assert!(issuer.verify(&format!("{token}A")).is_err());
    }

    #[test]
    fn a_token_verified_before_is_refused_once_its_key_has_left_the_keyring() {
        let dir = tempfile::tempdir().unwrap();
        let (_, old_file) = keys::generate(dir.path(), KeyAlgorithm::EdDsa).unwrap();
        let issuer = issuer(dir.path());
        let token = one_token(&issuer);
        issuer.verify(&token).unwrap();
        keys::generate(dir.path(), KeyAlgorithm::EdDsa).unwrap();
        std::fs::remove_file(old_file).unwrap();
        issuer.keyring().jwks(); // the directory is read again
        assert!(issuer.verify(&token).is_err());
    }
}
