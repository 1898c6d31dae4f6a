//! Signing in to the console by an emailed link, and signing out.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::pages::{SignInLinkPage, SignInPage, SignedInPage};
use super::session::{Console, ConsoleError, safe_next, session_cookie};
use crate::domain::EmailAddress;
use crate::links::staff_sign_in;
use crate::staff::members::StaffMember;
use crate::staff::sessions;
use crate::web::{AppState, html, read, resource, same_site};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/sign-in", "GET, HEAD, POST")
            .route(read().to(form))
            .route(web::post().to(ask)),
    )
    .service(
        resource("/link/{token}", "GET, HEAD, POST")
            .route(read().to(interstitial))
            .route(web::post().to(redeem)),
    )
    .service(resource("/sign-out", "POST").route(web::post().to(sign_out)));
}

#[derive(Debug, serde::Deserialize)]
struct Next {
    next: Option<String>,
}

async fn form(state: web::Data<AppState>, query: web::Query<Next>) -> HttpResponse {
    let next = safe_next(query.next.as_deref());
    html(
        StatusCode::OK,
        &SignInPage {
            brand: &state.brands.default_brand().name,
            nav: None,
            state: "form",
            provider: state.oidc.as_ref().map(|p| p.name()),
            next: &next,
            address: "",
            error: None,
        },
    )
}

#[derive(Debug, serde::Deserialize)]
struct SignInForm {
    #[serde(default)]
    address: String,
    next: Option<String>,
}

/// Records the address, whoever's it is, and answers alike: the workers send a link only
/// to a member of staff.
async fn ask(
    state: web::Data<AppState>,
    request: HttpRequest,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, ConsoleError> {
    if same_site::is_cross_site(&request, &state.public_origin) {
        return Err(ConsoleError::BadForm(
            "this form was sent from another site's page".into(),
        ));
    }
    let next = safe_next(form.next.as_deref());
    let brand = &state.brands.default_brand().name;
    let address = match EmailAddress::parse(&form.address) {
        Ok(address) => address,
        Err(error) => {
            let typed: String = form.address.chars().take(254).collect();
            return Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &SignInPage {
                    brand,
                    nav: None,
                    state: "form",
                    provider: state.oidc.as_ref().map(|p| p.name()),
                    next: &next,
                    address: &typed,
                    error: Some(&error),
                },
            ));
        }
    };
    staff_sign_in::record(&state.pool, &address).await?;
    Ok(html(
        StatusCode::OK,
        &SignInPage {
            brand,
            nav: None,
            state: "sent",
            provider: state.oidc.as_ref().map(|p| p.name()),
            next: &next,
            address: "",
            error: None,
        },
    ))
}

fn link_page(state: &AppState, token: &str, usable: bool) -> HttpResponse {
    html(
        if usable {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
        &SignInLinkPage {
            brand: &state.brands.default_brand().name,
            nav: None,
            usable,
            action: &format!("/staff/link/{token}"),
        },
    )
}

/// The emailed link's page: a button, and nothing used up by fetching it.
async fn interstitial(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    let usable = staff_sign_in::is_usable(&state.pool, &state.minter, &token).await?;
    Ok(link_page(&state, &token, usable))
}

/// The button: uses the link up and opens a session.
async fn redeem(
    state: web::Data<AppState>,
    token: web::Path<String>,
    request: HttpRequest,
) -> Result<HttpResponse, ConsoleError> {
    if same_site::is_cross_site(&request, &state.public_origin) {
        return Ok(link_page(&state, &token, false));
    }
    match staff_sign_in::redeem(&state.pool, &state.minter, &token).await? {
        Some(member) => signed_in(&state, &member, "email link", "/staff").await,
        None => Ok(link_page(&state, &token, false)),
    }
}

/// Opens a session for `member` and sends them on to `next`.
pub async fn signed_in(
    state: &AppState,
    member: &StaffMember,
    how: &str,
    next: &str,
) -> Result<HttpResponse, ConsoleError> {
    let session = sessions::open(&state.pool, member, how).await?;
    let mut response = html(
        StatusCode::OK,
        &SignedInPage {
            brand: &state.brands.default_brand().name,
            nav: None,
            next,
        },
    );
    response
        .add_cookie(&session_cookie(
            session.cookie_value,
            state.config.is_https(),
        ))
        .map_err(anyhow::Error::from)?;
    Ok(response)
}

#[derive(Debug, serde::Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(
    console: Console,
    request: HttpRequest,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.check_form(&form.csrf)?;
    if let Some(cookie) = request.cookie(sessions::COOKIE) {
        sessions::end(&console.state.pool, cookie.value()).await?;
    }
    let mut gone = session_cookie(String::new(), console.state.config.is_https());
    gone.make_removal();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/staff/sign-in"))
        .cookie(gone)
        .finish())
}
