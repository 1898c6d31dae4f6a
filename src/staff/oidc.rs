//! Single sign-on for staff with OpenID Connect: the authorization code flow with PKCE.
//!
//! A sign-in starts with a random `state`, a PKCE verifier and a nonce, kept in the
//! database for ten minutes and used once; the browser holds the `state` in a cookie of
//! its own, so a callback whose `state` is not this browser's is refused. The callback
//! exchanges the code, and the ID token's signature, issuer, audience, expiry and nonce
//! are checked against the provider's keys, read from its discovery document at every
//! sign-in (so a rotation of its keys is followed at once). The role comes from a claim
//! (`groups` by default) holding `billpass-admin`, `billpass-billing` or `billpass-csr`.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope,
};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;

use crate::domain::Role;

/// How long a sign-in may take between leaving for the provider and coming back.
const PENDING_FOR: Duration = Duration::from_secs(10 * 60);
/// How long the provider may take to answer.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// A client of a provider found by discovery: it has an authorization endpoint, and may
/// have a token and a user info endpoint.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The identity provider, as the settings give it.
#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// The claim holding the groups (`groups`).
    pub role_claim: String,
    /// `https://bills.example.com/staff/oidc/callback`.
    pub redirect_url: String,
    /// What the sign-in button names ("Sign in with {name}").
    pub name: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: String,
    pub role: Role,
}

/// Why a sign-in through the provider opened no session. Each is shown as a page; none
/// says more than the person can act on.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// Unknown, used, expired, or another browser's `state`.
    #[error("the sign-in could not be matched to one this browser started")]
    State,
    /// The provider said no, or the code was refused (used already, another client's).
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    /// The ID token failed a check: signature, issuer, audience, expiry or nonce.
    #[error("the identity provider's answer failed its checks: {0}")]
    Token(String),
    /// Signed in, but in none of the billpass groups.
    #[error("no billpass group")]
    NoAccess,
    #[error("the identity provider sent no email address")]
    NoEmail,
    /// The provider could not be reached or answered nonsense.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The provider, and the HTTP client that talks to it.
pub struct Provider {
    config: OidcConfig,
    http: reqwest::Client,
}

impl Provider {
    pub fn new(config: OidcConfig) -> anyhow::Result<Self> {
        IssuerUrl::new(config.issuer.clone())?;
        RedirectUrl::new(config.redirect_url.clone())?;
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer send us elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()?;
        Ok(Self { config, http })
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Sends one request of the flow with reqwest.
    async fn call(
        &self,
        request: openidconnect::HttpRequest,
    ) -> Result<openidconnect::HttpResponse, reqwest::Error> {
        let response = self.http.execute(request.try_into()?).await?;
        let mut answer = openidconnect::http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        let body = response.bytes().await?.to_vec();
        Ok(answer
            .body(body)
            .expect("a status and headers taken from a response"))
    }

    /// The provider's metadata and keys, read now.
    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| OidcError::Unavailable(e.to_string()))?;
        let http = |request| self.call(request);
        CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| OidcError::Unavailable(format!("discovery: {e}")))
    }

    /// Our client of the provider, from its metadata and keys read now.
    async fn client(&self) -> Result<Client, OidcError> {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| OidcError::Unavailable(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(
                self.config.client_secret.expose_secret().to_owned(),
            )),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in that comes back to `next`: the provider's URL to send the browser
    /// to, and the `state` for the browser's cookie.
    pub async fn start(&self, pool: &PgPool, next: &str) -> Result<(String, String), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new(self.config.role_claim.clone()))
            .set_pkce_challenge(challenge)
            .url();
        sqlx::query!(
            "INSERT INTO staff_oidc_logins (state, pkce_verifier, nonce, next_path)
             VALUES ($1, $2, $3, $4)",
            state.secret(),
            verifier.secret(),
            nonce.secret(),
            next,
        )
        .execute(pool)
        .await?;
        sqlx::query!(
            "DELETE FROM staff_oidc_logins WHERE created_at < now() - make_interval(secs => $1)",
            PENDING_FOR.as_secs_f64(),
        )
        .execute(pool)
        .await?;
        Ok((url.to_string(), state.secret().to_owned()))
    }

    /// Finishes the sign-in the provider sent the browser back from: checks `state` against
    /// the browser's cookie and the pending sign-ins (using it up), exchanges `code`,
    /// checks the ID token, and reads who it is. Returns them and where to go next.
    pub async fn finish(
        &self,
        pool: &PgPool,
        state: &str,
        browser_state: Option<&str>,
        code: &str,
    ) -> Result<(Identity, String), OidcError> {
        if browser_state != Some(state) || state.is_empty() || state.len() > 256 {
            return Err(OidcError::State);
        }
        let pending = sqlx::query!(
            "DELETE FROM staff_oidc_logins
             WHERE state = $1 AND created_at > now() - make_interval(secs => $2)
             RETURNING pkce_verifier, nonce, next_path",
            state,
            PENDING_FOR.as_secs_f64(),
        )
        .fetch_optional(pool)
        .await?
        .ok_or(OidcError::State)?;
        let client = self.client().await?;
        let http = |request| self.call(request);
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Unavailable(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
            .request_async(&http)
            .await
            .map_err(|e| OidcError::Refused(e.to_string()))?;
        let id_token = openidconnect::TokenResponse::id_token(&tokens)
            .ok_or_else(|| OidcError::Token("no ID token".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))
            .map_err(|e| OidcError::Token(e.to_string()))?;
        let subject = claims.subject().as_str().to_owned();
        let email = claims
            .email()
            .map(|e| e.as_str().to_owned())
            .ok_or(OidcError::NoEmail)?;
        // The token's signature is checked above: its other claims can be read as they are.
        let role =
            role_in(&id_token.to_string(), &self.config.role_claim).ok_or(OidcError::NoAccess)?;
        Ok((
            Identity {
                subject,
                email,
                role,
            },
            pending.next_path,
        ))
    }
}

/// The role the groups in the verified token's `claim` give: the first of `billpass-admin`,
/// `billpass-billing` and `billpass-csr` found; `None` without any of them.
fn role_in(verified_token: &str, claim: &str) -> Option<Role> {
    let payload = verified_token.split('.').nth(1)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let groups: Vec<&str> = match &claims[claim] {
        serde_json::Value::String(one) => vec![one.as_str()],
        serde_json::Value::Array(many) => many.iter().filter_map(|g| g.as_str()).collect(),
        _ => Vec::new(),
    };
    [
        ("billpass-admin", Role::Admin),
        ("billpass-billing", Role::Billing),
        ("billpass-csr", Role::Csr),
    ]
    .into_iter()
    .find(|(group, _)| groups.contains(group))
    .map(|(_, role)| role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(claims: serde_json::Value) -> String {
        format!("e30.{}.sig", URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    #[test]
    fn the_role_is_the_first_billpass_group_found() {
        let t = token(serde_json::json!({"groups": ["staff", "billpass-csr", "billpass-admin"]}));
        assert_eq!(role_in(&t, "groups"), Some(Role::Admin));
        let t = token(serde_json::json!({"roles": "billpass-billing"}));
        assert_eq!(role_in(&t, "roles"), Some(Role::Billing));
        let t = token(serde_json::json!({"groups": ["billpass-nothing"]}));
        assert_eq!(role_in(&t, "groups"), None);
        assert_eq!(role_in(&token(serde_json::json!({})), "groups"), None);
        assert_eq!(role_in("garbage", "groups"), None);
    }
}
