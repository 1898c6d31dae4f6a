//! Who is signed in to the console, what they may do, and the answers when they may not.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::{Method, StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};

use super::pages::{MessagePage, Nav};
use crate::domain::Forbidden;
use crate::domain::Role;
use crate::staff::sessions::{self, ConsoleSession};
use crate::web::{AppState, PageError, html};

/// The signed-in member's session, for a console handler.
pub struct Console {
    pub session: ConsoleSession,
    pub state: web::Data<AppState>,
}

impl Console {
    /// Refuses unless the member's role covers `needed`: a 403 page.
    pub fn require(&self, needed: Role) -> Result<(), ConsoleError> {
        Ok(self.session.member.require(needed)?)
    }

    /// Refuses a form without this session's CSRF token: a 403 page.
    pub fn check_form(&self, csrf: &str) -> Result<(), ConsoleError> {
        match self.session.csrf_matches(csrf) {
            true => Ok(()),
            false => Err(ConsoleError::Csrf),
        }
    }

    /// The header's navigation, `here` marked.
    pub fn nav(&self, here: &'static str) -> Nav {
        Nav::new(&self.session, here)
    }

    pub fn brand(&self) -> &str {
        &self.state.brands.default_brand().name
    }
}

/// Why a console request got no page of its own.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No live session: a page goes to sign-in, and comes back to `next` after.
    #[error("sign in first")]
    SignIn { next: String, get: bool },
    #[error(transparent)]
    Forbidden(#[from] Forbidden),
    #[error("the form's security token is missing or out of date")]
    Csrf,
    #[error("{0}")]
    BadForm(String),
    #[error("{0}")]
    NotFound(String),
    /// What was asked cannot be done as things stand.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Failed(#[from] PageError),
}

impl From<sqlx::Error> for ConsoleError {
    fn from(error: sqlx::Error) -> Self {
        ConsoleError::Failed(error.into())
    }
}

impl From<anyhow::Error> for ConsoleError {
    fn from(error: anyhow::Error) -> Self {
        ConsoleError::Failed(error.into())
    }
}

impl ResponseError for ConsoleError {
    fn status_code(&self) -> StatusCode {
        match self {
            ConsoleError::SignIn { get: true, .. } => StatusCode::SEE_OTHER,
            ConsoleError::SignIn { get: false, .. } => StatusCode::UNAUTHORIZED,
            ConsoleError::Forbidden(_) | ConsoleError::Csrf => StatusCode::FORBIDDEN,
            ConsoleError::BadForm(_) => StatusCode::BAD_REQUEST,
            ConsoleError::NotFound(_) => StatusCode::NOT_FOUND,
            ConsoleError::Conflict(_) => StatusCode::CONFLICT,
            ConsoleError::Failed(error) => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let page = |kind, title: &str, message: &str, next: Option<(&str, &str)>| {
            html(
                self.status_code(),
                &MessagePage {
                    brand: "billpass",
                    nav: None,
                    kind,
                    title,
                    message,
                    next,
                },
            )
        };
        match self {
            ConsoleError::SignIn { next, get: true } => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, sign_in_path(next)))
                .finish(),
            ConsoleError::SignIn { next, get: false } => page(
                "signed-out",
                "Your session has ended",
                "Sign in again, then repeat what you were doing.",
                Some((&sign_in_path(next), "Sign in")),
            ),
            ConsoleError::Forbidden(forbidden) => page(
                "forbidden",
                "Not for your role",
                &format!(
                    "This needs the {} role (or admin); yours is {}. Ask an admin if you need it.",
                    forbidden.needed, forbidden.has
                ),
                Some(("/staff", "Back to the console")),
            ),
            ConsoleError::Csrf => page(
                "csrf",
                "This form has expired",
                "Go back, reload the page, and send the form again.",
                Some(("/staff", "Back to the console")),
            ),
            ConsoleError::BadForm(problem) => page(
                "bad-form",
                "That request could not be read",
                &format!("{problem}. Go back and try again."),
                Some(("/staff", "Back to the console")),
            ),
            ConsoleError::NotFound(what) => page(
                "not-found",
                "Not found",
                what,
                Some(("/staff", "Back to the console")),
            ),
            ConsoleError::Conflict(what) => page(
                "conflict",
                "That could not be done",
                what,
                Some(("/staff", "Back to the console")),
            ),
            ConsoleError::Failed(error) => error.error_response(),
        }
    }
}

/// `/staff/sign-in`, coming back to `next` after.
pub fn sign_in_path(next: &str) -> String {
    match next {
        "/staff" | "" => "/staff/sign-in".into(),
        next => format!(
            "/staff/sign-in?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ),
    }
}

/// Where to go after sign-in: a console path of ours, or the console's home.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next.starts_with("/staff")
                && !next.starts_with("/staff/sign-in")
                && !next.contains("//")
                && !next.contains('\\')
                && next.len() <= 512
                && next.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            next.to_owned()
        }
        _ => "/staff".into(),
    }
}

/// The session cookie: HttpOnly, only for `/staff`, never sent from another site's page.
pub fn session_cookie(value: String, https: bool) -> Cookie<'static> {
    Cookie::build(sessions::COOKIE, value)
        .path("/staff")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(https)
        .finish()
}

impl FromRequest for Console {
    type Error = ConsoleError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ConsoleError>>>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = request
            .app_data::<web::Data<AppState>>()
            .expect("the app state is registered")
            .clone();
        let cookie = request.cookie(sessions::COOKIE);
        let get = matches!(*request.method(), Method::GET | Method::HEAD);
        let next = match request.query_string() {
            "" => request.path().to_owned(),
            query => format!("{}?{query}", request.path()),
        };
        Box::pin(async move {
            let session = match cookie {
                Some(cookie) => sessions::find(&state.pool, cookie.value()).await?,
                None => None,
            };
            match session {
                Some(session) => Ok(Console { session, state }),
                None => Err(ConsoleError::SignIn {
                    next: safe_next(Some(&next)),
                    get,
                }),
            }
        })
    }
}

/// Anything else under `/staff`, for a signed-in member.
pub async fn not_found(_: Console) -> Result<HttpResponse, ConsoleError> {
    Err(ConsoleError::NotFound(
        "There is no console page here.".into(),
    ))
}
