//! The customer's link: `GET /b/{token}` (interstitial), `POST /b/{token}` (open a
//! session), `POST /b/{token}/renew` (a fresh link to the address on file); and the same
//! under `/s/{code}`, a text message's short link, which answers as its token's link does.

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::time::Duration;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};
use chrono::{DateTime, Utc};

use super::brand::host;
use super::link_requests::Limits;
use super::pages::{LandingPage, LinkStatusPage, RenewedPage};
use super::{AppState, PageBrand, PageError, html, read, resource, same_site};
use crate::domain::calendar::TimeZone;
use crate::domain::{Channel, LinkId};
use crate::infra::db::PagePool;
use crate::infra::gathered::Gathered;
use crate::links::check::{LinkChecks, LinkState};
use crate::links::renew::{self, Renewal};
use crate::links::sessions;
use crate::links::short::{self, ShortCode};
use crate::observe::metrics::{self, LinkOpening};
use crate::tokens::VerifiedToken;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/b/{token}", "GET, HEAD, POST")
            .route(read().to(landing))
            .route(web::post().to(open)),
    )
    .service(resource("/b/{token}/renew", "POST").route(web::post().to(renew)))
    .service(
        resource("/s/{code}", "GET, HEAD, POST")
            .route(read().to(landing))
            .route(web::post().to(open)),
    )
    .service(resource("/s/{code}/renew", "POST").route(web::post().to(renew)));
}

/// A link as the customer follows it: the signed token, or a short link's code, read from
/// the route that matched.
enum Followed {
    Token(String),
    Code(String),
}

impl FromRequest for Followed {
    type Error = Infallible;
    type Future = Ready<Result<Self, Infallible>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let path = request.match_info();
        let followed = match path.get("code") {
            Some(code) => Followed::Code(code.to_owned()),
            None => Followed::Token(path.get("token").unwrap_or_default().to_owned()),
        };
        ready(Ok(followed))
    }
}

impl Followed {
    /// Where its page's buttons post.
    fn path(&self) -> String {
        match self {
            Followed::Token(token) => format!("/b/{token}"),
            Followed::Code(code) => format!("/s/{code}"),
        }
    }

    /// The token's claims and its brand: from its signature, or from the record a short
    /// link stands for (a client trying many codes is made to wait). A link opens only for
    /// its own brand, on that brand's host when it has one. `counted`: an invalid link
    /// counts as a visit in the metrics (not a renewal's).
    async fn claims(
        &self,
        state: &AppState,
        limits: &Limits,
        request: &HttpRequest,
        counted: bool,
    ) -> Result<(VerifiedToken, PageBrand), LinkError> {
        let invalid = || {
            let brand = PageBrand::of(request);
            match counted {
                true => LinkError::Refused(Box::new(Refusal::new(brand, LinkOpening::Invalid))),
                false => LinkError::Refused(Box::new(Refusal::invalid(brand))),
            }
        };
        let brands = state.brands.current();
        let here = host(request);
        match self {
            Followed::Token(token) => {
                let verified = state.minter.issuer.verify(token).map_err(|reason| {
                    tracing::info!("refused link: {reason}");
                    invalid()
                })?;
                let brand = brands
                    .by_audience(&verified.audience)
                    .filter(|brand| {
                        let own_key = brand.signing_kid.as_deref();
                        own_key.is_none_or(|kid| kid == &*verified.kid)
                    })
                    .filter(|brand| brands.opens_on(brand, here));
                match brand {
                    Some(brand) => Ok((
                        verified,
                        PageBrand::for_customer(brand.clone(), request, None),
                    )),
                    None => {
                        tracing::info!("refused link: not its brand's audience, key or host");
                        Err(invalid())
                    }
                }
            }
            Followed::Code(code) => {
                let trusted = &state.config.trusted_proxies;
                if let Some(wait) = limits.short_link_wait(request, trusted) {
                    return Err(LinkError::TooMany(PageBrand::of(request), wait));
                }
                let Some(code) = ShortCode::parse(code) else {
                    return Err(invalid());
                };
                let mut conn = state.pool.acquire().await.map_err(PageError::from)?;
                let target = short::find(&mut conn, &code)
                    .await
                    .map_err(PageError::from)?
                    .ok_or_else(invalid)?;
                let brand = brands.get_or_default(&target.brand);
                if !brands.opens_on(brand, here) {
                    return Err(invalid());
                }
                let verified = VerifiedToken {
                    jti: target.token_id,
                    customer: target.customer_id,
                    issued_at: target.minted_at,
                    expires_at: target.expires_at,
                    audience: brand.audience.as_str().into(),
                    kid: target.kid.into(),
                };
                Ok((
                    verified,
                    PageBrand::for_customer(brand.clone(), request, None),
                ))
            }
        }
    }
}

/// Why a link's page or form opens no bill. Each is a response of its own: the status
/// page of a refused link, the page for a form another site posted, or a calm failure.
#[derive(Debug, thiserror::Error)]
enum LinkError {
    #[error("the link opens no bill: {}", .0.outcome.as_str())]
    Refused(Box<Refusal>),
    #[error("a form posted from another site's page")]
    CrossSite(PageBrand),
    #[error("too many short links tried from one client")]
    TooMany(PageBrand, Duration),
    #[error(transparent)]
    Failed(#[from] PageError),
}

/// A link that opens no bill, as its status page says: `invalid` (400), or `expired`,
/// `superseded` or `revoked` (410), counted in the metrics when made.
#[derive(Debug)]
struct Refusal {
    outcome: LinkOpening,
    /// For a superseded link: when the customer's newest link was sent (in their time
    /// zone), and how.
    newer: Option<(String, Channel)>,
    /// For an expired or superseded link: where its renew button posts.
    renew_action: Option<String>,
    /// The brand its page wears, in the language asked for.
    brand: PageBrand,
}

impl Refusal {
    fn new(brand: PageBrand, outcome: LinkOpening) -> Self {
        metrics::link_opening(outcome);
        Self::uncounted(brand, outcome)
    }

    /// An invalid link, not counted as a visit (a renewal's refusal).
    fn invalid(brand: PageBrand) -> Self {
        Self::uncounted(brand, LinkOpening::Invalid)
    }

    fn uncounted(brand: PageBrand, outcome: LinkOpening) -> Self {
        Self {
            outcome,
            newer: None,
            renew_action: None,
            brand,
        }
    }
}

impl ResponseError for LinkError {
    fn status_code(&self) -> StatusCode {
        match self {
            LinkError::Refused(refusal) if refusal.outcome == LinkOpening::Invalid => {
                StatusCode::BAD_REQUEST
            }
            LinkError::Refused(_) => StatusCode::GONE,
            LinkError::CrossSite(_) => StatusCode::FORBIDDEN,
            LinkError::TooMany(..) => StatusCode::TOO_MANY_REQUESTS,
            LinkError::Failed(error) => error.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            LinkError::Refused(refusal) => html(
                self.status_code(),
                &LinkStatusPage {
                    brand: &refusal.brand.brand,
                    l: &refusal.brand.lang,
                    status: refusal.outcome.as_str(),
                    newer_sent_at: refusal.newer.as_ref().map(|(at, _)| at.clone()),
                    newer_channel: refusal.newer.as_ref().map(|(_, channel)| match channel {
                        Channel::Email => "channel-email",
                        Channel::Sms => "channel-sms",
                    }),
                    renew_action: refusal.renew_action.as_deref(),
                },
            ),
            LinkError::CrossSite(brand) => same_site::refusal(brand, "cross-site-open-text"),
            LinkError::TooMany(brand, wait) => {
                let mut response = html(
                    self.status_code(),
                    &LinkStatusPage {
                        brand: &brand.brand,
                        l: &brand.lang,
                        status: "limited",
                        newer_sent_at: None,
                        newer_channel: None,
                        renew_action: None,
                    },
                );
                let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, seconds.into());
                response
            }
            LinkError::Failed(error) => error.error_response(),
        }
    }
}

/// A form posted from another site's page is refused before anything else.
fn from_our_page(state: &AppState, request: &HttpRequest) -> Result<(), LinkError> {
    match same_site::is_cross_site(request, &state.origin_for(request)) {
        true => Err(LinkError::CrossSite(PageBrand::of(request))),
        false => Ok(()),
    }
}

/// A link that passed every check.
struct CurrentLink {
    token_id: LinkId,
    expires_at: DateTime<Utc>,
}

/// Asks the database whether the link whose claims are `verified` is still the customer's
/// current link (every request asks again); a link that is not is refused with its status.
async fn check(
    checks: &Gathered<LinkChecks>,
    verified: VerifiedToken,
    brand: &PageBrand,
    followed: &Followed,
) -> Result<CurrentLink, LinkError> {
    let refused = |outcome| Refusal::new(brand.clone(), outcome);
    let renew_action = Some(format!("{}/renew", followed.path()));
    let refusal = match checks.ask(verified).await.map_err(PageError::from)? {
        LinkState::Current {
            token_id,
            expires_at,
        } => {
            return Ok(CurrentLink {
                token_id,
                expires_at,
            });
        }
        LinkState::Unknown => refused(LinkOpening::Invalid),
        LinkState::Revoked => refused(LinkOpening::Revoked),
        LinkState::Expired => Refusal {
            renew_action,
            ..refused(LinkOpening::Expired)
        },
        LinkState::Superseded {
            at,
            channel,
            timezone,
        } => Refusal {
            newer: Some((
                brand
                    .lang
                    .time(at, TimeZone::or(timezone.as_deref(), brand.timezone)),
                channel,
            )),
            renew_action,
            ..refused(LinkOpening::Superseded)
        },
    };
    Err(LinkError::Refused(Box::new(refusal)))
}

async fn landing(
    state: web::Data<AppState>,
    checks: web::Data<Gathered<LinkChecks>>,
    limits: web::Data<Limits>,
    followed: Followed,
    request: HttpRequest,
) -> Result<HttpResponse, LinkError> {
    let (verified, brand) = followed.claims(&state, &limits, &request, true).await?;
    // Any well-signed link fetched counts, stale ones too.
    state.fetches.fetched(verified.jti);
    check(&checks, verified, &brand, &followed).await?;
    Ok(html(
        StatusCode::OK,
        &LandingPage {
            brand: &brand.brand,
            l: &brand.lang,
            action: &followed.path(),
        },
    ))
}

async fn open(
    state: web::Data<AppState>,
    page_db: web::Data<PagePool>,
    checks: web::Data<Gathered<LinkChecks>>,
    limits: web::Data<Limits>,
    followed: Followed,
    request: HttpRequest,
) -> Result<HttpResponse, LinkError> {
    from_our_page(&state, &request)?;
    let (verified, brand) = followed.claims(&state, &limits, &request, true).await?;
    let link = check(&checks, verified, &brand, &followed).await?;
    let session = page_db
        .run(async |conn| sessions::open(conn, link.token_id, link.expires_at).await)
        .await
        .map_err(PageError::from)?;
    metrics::link_opening(LinkOpening::Viewed);
    let cookie = Cookie::build(sessions::COOKIE, session.cookie_value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.is_https())
        .max_age(actix_web::cookie::time::Duration::seconds(
            session.lifetime.as_secs() as i64,
        ))
        .finish();
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/bill"))
        .cookie(cookie)
        .finish())
}

async fn renew(
    state: web::Data<AppState>,
    limits: web::Data<Limits>,
    followed: Followed,
    request: HttpRequest,
) -> Result<HttpResponse, LinkError> {
    from_our_page(&state, &request)?;
    let (verified, brand) = followed.claims(&state, &limits, &request, false).await?;
    let daily_limit = state.config.limits.renew_daily_limit;
    let outcome = renew::renew(&state.pool, &state.minter, &verified, daily_limit)
        .await
        .map_err(PageError::from)?;
    let page = |status, outcome, destination| {
        html(
            status,
            &RenewedPage {
                brand: &brand.brand,
                l: &brand.lang,
                outcome,
                destination,
            },
        )
    };
    Ok(match outcome {
        Renewal::Sent(destination) => page(StatusCode::OK, "sent", Some(destination.masked())),
        Renewal::TooSoon { retry_after } => {
            let mut response = page(StatusCode::TOO_MANY_REQUESTS, "too_soon", None);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after.as_secs().into());
            response
        }
        Renewal::DailyLimit => page(StatusCode::TOO_MANY_REQUESTS, "daily_limit", None),
        Renewal::NoContact => page(StatusCode::CONFLICT, "no_contact", None),
        Renewal::NotRenewable => page(StatusCode::CONFLICT, "not_renewable", None),
        Renewal::Unknown => return Err(LinkError::Refused(Box::new(Refusal::invalid(brand)))),
    })
}
