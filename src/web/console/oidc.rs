//! Signing in to the console through the company's identity provider: `GET
//! /staff/oidc/start` sends the browser there, `GET /staff/oidc/callback` takes it back.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::pages::MessagePage;
use super::session::{ConsoleError, safe_next};
use super::sign_in::signed_in;
use crate::staff::members;
use crate::staff::oidc::OidcError;
use crate::web::{AppState, html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/oidc/start", "GET, HEAD").route(read().to(start)))
        .service(resource("/oidc/callback", "GET, HEAD").route(read().to(callback)));
}

/// The browser's half of a sign-in under way: its `state`. `SameSite=Lax`, so that it
/// comes back with the provider's redirect; only for the callback.
const COOKIE: &str = "billpass_oidc";

fn state_cookie(value: String, https: bool) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path("/staff/oidc")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(https)
        .max_age(actix_web::cookie::time::Duration::minutes(10))
        .finish()
}

fn refusal(
    state: &AppState,
    status: StatusCode,
    kind: &str,
    title: &str,
    message: &str,
) -> HttpResponse {
    html(
        status,
        &MessagePage {
            brand: &state.brands.default_brand().name,
            nav: None,
            kind,
            title,
            message,
            next: Some(("/staff/sign-in", "Back to sign-in")),
        },
    )
}

#[derive(Debug, serde::Deserialize)]
struct Next {
    next: Option<String>,
}

async fn start(
    state: web::Data<AppState>,
    query: web::Query<Next>,
) -> Result<HttpResponse, ConsoleError> {
    let Some(provider) = &state.oidc else {
        return Err(ConsoleError::NotFound(
            "Single sign-on is not set up here: sign in with an emailed link.".into(),
        ));
    };
    let next = safe_next(query.next.as_deref());
    match provider.start(&state.pool, &next).await {
        Ok((url, browser_state)) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, url))
            .cookie(state_cookie(browser_state, state.config.is_https()))
            .finish()),
        Err(error) => Ok(failure(&state, error)),
    }
}

#[derive(Debug, serde::Deserialize)]
struct Callback {
    code: Option<String>,
    #[serde(default)]
    state: String,
    error: Option<String>,
}

async fn callback(
    state: web::Data<AppState>,
    request: HttpRequest,
    query: web::Query<Callback>,
) -> Result<HttpResponse, ConsoleError> {
    let Some(provider) = &state.oidc else {
        return Err(ConsoleError::NotFound(
            "Single sign-on is not set up here: sign in with an emailed link.".into(),
        ));
    };
    let browser_state = request.cookie(COOKIE).map(|c| c.value().to_owned());
    let finished = match (&query.error, &query.code) {
        (Some(error), _) => Err(OidcError::Refused(error.chars().take(100).collect())),
        (None, Some(code)) => {
            provider
                .finish(&state.pool, &query.state, browser_state.as_deref(), code)
                .await
        }
        (None, None) => Err(OidcError::State),
    };
    let mut response = match finished {
        Ok((identity, next)) => {
            match members::through_provider(
                &state.pool,
                &identity.subject,
                &identity.email,
                identity.role,
            )
            .await?
            {
                Some(member) => signed_in(&state, &member, "oidc", &next).await?,
                None => refusal(
                    &state,
                    StatusCode::FORBIDDEN,
                    "no-access",
                    "No access to the console",
                    "Your access to the billpass console has been turned off, or your address belongs to another sign-in. Ask a billpass admin.",
                ),
            }
        }
        Err(error) => failure(&state, error),
    };
    // The sign-in is over either way.
    let mut gone = state_cookie(String::new(), state.config.is_https());
    gone.make_removal();
    response.add_cookie(&gone).map_err(anyhow::Error::from)?;
    Ok(response)
}

/// The page for a sign-in that opened no session.
fn failure(state: &AppState, error: OidcError) -> HttpResponse {
    tracing::info!("staff single sign-on refused: {error}");
    match error {
        OidcError::State => refusal(
            state,
            StatusCode::BAD_REQUEST,
            "sso-state",
            "This sign-in has expired",
            "It took longer than ten minutes, was already used, or was started in another browser. Start again.",
        ),
        OidcError::Refused(_) | OidcError::Token(_) | OidcError::NoEmail => refusal(
            state,
            StatusCode::FORBIDDEN,
            "sso-refused",
            "Sign-in failed",
            "The identity provider's answer could not be accepted. Start again; if it keeps failing, ask your administrator.",
        ),
        OidcError::NoAccess => refusal(
            state,
            StatusCode::FORBIDDEN,
            "no-access",
            "No access to the console",
            "You are signed in with your company, but not in a billpass group (billpass-csr, billpass-billing or billpass-admin). Ask your administrator to add you.",
        ),
        OidcError::Unavailable(_) | OidcError::Database(_) => refusal(
            state,
            StatusCode::SERVICE_UNAVAILABLE,
            "sso-unavailable",
            "Single sign-on is unavailable",
            "The identity provider could not be reached. Try again in a minute, or get a sign-in link by email.",
        ),
    }
}
