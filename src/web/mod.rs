//! The HTTP side: customer pages, the staff API, JWKS, health, and the headers every
//! response carries.

pub mod api;
mod bill;
mod bill_pages;
pub mod bill_pdf;
mod brand;
mod client_ip;
mod console;
mod health;
mod home;
mod link;
mod link_requests;
mod observe;
pub mod pages;
mod same_site;
mod webhooks;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, ResponseError, guard, web};
use anyhow::Context;
use askama::Template;
use ipnet::IpNet;
use secrecy::SecretString;
use sqlx::PgPool;
use url::Url;

use crate::billing::brands::Brands;
use crate::config::RequestLimits;
use crate::domain::Brand;
use crate::infra::db::{self, PagePool};
use crate::infra::gathered::Gathered;
use crate::links::Minter;
use crate::links::check::LinkChecks;
use crate::links::fetches::FetchLog;
use crate::links::sessions::SessionChecks;
use crate::staff::oidc::{OidcConfig, Provider};
pub use brand::PageBrand;
use pages::MessagePage;

/// What the web server needs of the settings, as the composition root builds it.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// `https://bills.example.com`: where links point, the URL webhooks are signed for, and
    /// the origin forms are posted from.
    pub public_url: Url,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpNet>,
    /// The largest staff API import, in bytes.
    pub api_import_limit: u64,
    /// Connections for the customer pages' checks, shared out among the threads.
    pub page_db_connections: u32,
    /// Memory for rendered bill pages, in megabytes.
    pub bill_cache_mb: u32,
    pub limits: RequestLimits,
    /// The SMS gateway's token, which signs its webhooks; `None`: webhooks are refused.
    pub webhook_token: Option<SecretString>,
    /// Staff single sign-on; `None`: emailed sign-in links only.
    pub oidc: Option<OidcConfig>,
}

impl WebConfig {
    /// Whether cookies must be `Secure`.
    pub fn is_https(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The public URL without its trailing slash, to put paths after.
    pub fn base(&self) -> &str {
        self.public_url.as_str().trim_end_matches('/')
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub minter: Minter,
    pub config: Arc<WebConfig>,
    /// The origin of the public URL (`https://bills.example.com`): forms posted from our own
    /// pages come from there.
    pub public_origin: String,
    /// Where landing pages count the fetches of links.
    pub fetches: FetchLog,
    /// The staff's identity provider, when single sign-on is set up.
    pub oidc: Option<Arc<Provider>>,
    /// The brands pages wear.
    pub brands: Brands,
}

impl AppState {
    pub fn new(
        pool: PgPool,
        minter: Minter,
        brands: Brands,
        config: WebConfig,
    ) -> anyhow::Result<Self> {
        let public_origin = config.public_url.origin().ascii_serialization();
        let oidc = config
            .oidc
            .clone()
            .map(Provider::new)
            .transpose()
            .context("BILLPASS_STAFF_OIDC_ISSUER")?
            .map(Arc::new);
        Ok(Self {
            oidc,
            brands,
            fetches: FetchLog::start(pool.clone()),
            pool,
            minter,
            config: Arc::new(config),
            public_origin,
        })
    }
}

impl AppState {
    /// The brand a bill of `brand`'s customer wears, and the base URL its page is seen at.
    pub fn bill_brand(&self, brand: &crate::domain::BrandId) -> (Arc<Brand>, String) {
        let brand = self.brands.current().get_or_default(brand).clone();
        let base = match &brand.public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_owned(),
            None => self.config.base().to_owned(),
        };
        (brand, base)
    }

    /// The origin forms on `request`'s host are posted from: a brand's own host's, or the
    /// public URL's.
    pub fn origin_for(&self, request: &actix_web::HttpRequest) -> String {
        let brands = self.brands.current();
        brand::host(request)
            .and_then(|host| brands.by_host(host))
            .and_then(|brand| brand.public_url.as_ref())
            .map_or_else(
                || self.public_origin.clone(),
                |url| url.origin().ascii_serialization(),
            )
    }
}

/// Connections in each web thread's pool, at least: a staff import holds one throughout.
const THREAD_POOL_AT_LEAST: u32 = 4;

/// How long requests in flight may take to finish once the server is stopped.
const SHUTDOWN_GRACE_SECONDS: u64 = 10;

/// The web server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `listener` (port 0 picks a free port) and builds the server.
    pub fn build(state: AppState, listener: TcpListener) -> anyhow::Result<Self> {
        let port = listener.local_addr()?.port();
        let limits = web::Data::new(link_requests::Limits::new(&state.config.limits));
        tokio::spawn(link_requests::forget_idle(Arc::downgrade(
            &limits.clone().into_inner(),
        )));
        let bill_pages = Arc::new(bill_pages::BillPages::new(state.config.bill_cache_mb));
        tokio::spawn(bill_pages.clone().follow_imports(state.pool.clone()));
        let bill_pages = web::Data::from(bill_pages);
        // Each worker thread checks links and sessions on connections of its own: a page
        // waiting for a connection is then woken on its own thread, not across threads.
        // The checks that views ask at the same moment go to PostgreSQL together.
        let workers = crate::infra::cores();
        let connections = state.config.page_db_connections.div_ceil(workers as u32);
        // Each thread also has a pool of its own for everything else (see `pool_beside`).
        let pool_size = db::POOL_SIZE
            .div_ceil(workers as u32)
            .max(THREAD_POOL_AT_LEAST);
        let server = HttpServer::new(move || {
            let page_db = Arc::new(PagePool::beside(&state.pool, connections));
            let state = web::Data::new(AppState {
                pool: db::pool_beside(&state.pool, pool_size),
                ..state.clone()
            });
            let links = Gathered::<LinkChecks>::on(page_db.clone(), connections);
            let sessions = Gathered::<SessionChecks>::on(page_db.clone(), connections);
            App::new()
                .app_data(state.clone())
                .app_data(web::Data::from(page_db))
                .app_data(web::Data::new(links))
                .app_data(web::Data::new(sessions))
                .app_data(limits.clone())
                .app_data(bill_pages.clone())
                .wrap(ErrorHandlers::new().default_handler_server(error_page))
                .wrap(security_headers())
                .wrap(from_fn(observe::observe))
                .configure(home::routes)
                .configure(brand::routes)
                .configure(link::routes)
                .configure(link_requests::routes)
                .configure(bill::routes)
                .configure(health::routes)
                .configure(webhooks::routes)
                .configure(api::routes)
                .configure(console::routes)
                .default_service(web::to(not_found))
        })
        .workers(workers)
        .listen(listener)?
        // `billpass serve` handles SIGINT and SIGTERM itself, stopping the workers too.
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server gracefully.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped through [`Self::handle`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// No third-party sources, no inline script, no framing, no referrer, and nothing cached
/// or indexed unless a handler says otherwise.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             base-uri 'none'; frame-ancestors 'none'",
        ))
        .add((header::REFERRER_POLICY, "no-referrer"))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::CACHE_CONTROL, "no-store"))
        .add(("X-Robots-Tag", "noindex, nofollow"))
}

/// A resource answering the methods in `allow` through the routes it is given, and any other
/// method 405 with `Allow`.
pub fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, allow))
            .finish()
    }))
}

/// A route for GET and HEAD (load balancers check health with HEAD): the server sends a
/// HEAD's answer without its body.
pub fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

async fn not_found(brand: PageBrand) -> HttpResponse {
    message(&brand, StatusCode::NOT_FOUND, "not-found", true)
}

/// Renders an HTML page with `status`.
pub fn html(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(body) => HttpResponse::build(status)
            .content_type(ContentType::html())
            .body(body),
        Err(error) => {
            tracing::error!("rendering a page: {error}");
            HttpResponse::InternalServerError()
                .content_type(ContentType::plaintext())
                .body("Something went wrong.")
        }
    }
}

/// A message page of `kind`, its title and text the messages `{kind}-title` and
/// `{kind}-text`; `get_link` offers `/link`.
pub fn message(page: &PageBrand, status: StatusCode, kind: &str, get_link: bool) -> HttpResponse {
    let (title, text) = (format!("{kind}-title"), format!("{kind}-text"));
    titled(page, status, kind, (&title, &text), get_link)
}

/// A message page of `kind` saying the messages `words` (its title and its text).
pub fn titled(
    page: &PageBrand,
    status: StatusCode,
    kind: &str,
    words: (&str, &str),
    get_link: bool,
) -> HttpResponse {
    html(
        status,
        &MessagePage {
            brand: &page.brand,
            l: &page.lang,
            kind,
            title: words.0,
            message: words.1,
            get_link,
        },
    )
}

/// A failure on our side, shown as a calm page: 503 while the database is unreachable,
/// 500 otherwise. The details go to the log only.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] anyhow::Error);

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> Self {
        PageError(error.into())
    }
}

impl From<Arc<sqlx::Error>> for PageError {
    fn from(error: Arc<sqlx::Error>) -> Self {
        PageError(error.into())
    }
}

/// Whether `error` comes from a database we cannot reach (rather than from a bug): worth
/// a 503 and a retry. Besides connections that fail or time out, that is PostgreSQL saying
/// it is shutting down, starting up or out of connections, or that the database takes no
/// connections or the object is busy for now (SQLSTATE classes 08, 53, 57 and 55).
pub fn database_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let error = cause.downcast_ref::<sqlx::Error>().or_else(|| {
            // A failure shared by several requests.
            cause
                .downcast_ref::<Arc<sqlx::Error>>()
                .map(|shared| &**shared)
        });
        match error {
            Some(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::Io(_)
                | sqlx::Error::PoolClosed
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            Some(sqlx::Error::Database(error)) => error.code().is_some_and(|code| {
                ["08", "53", "57", "55"]
                    .iter()
                    .any(|class| code.starts_with(class))
            }),
            _ => false,
        }
    })
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        if database_unavailable(&self.0) {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }

    /// Logs the cause; the page itself is rendered by [`error_page`], which knows the brand.
    fn error_response(&self) -> HttpResponse {
        if self.status_code() == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!("request failed, database unavailable: {:#}", self.0);
        } else {
            tracing::error!("request failed: {:#}", self.0);
        }
        HttpResponse::build(self.status_code())
            .insert_header((header::RETRY_AFTER, "30"))
            .finish()
    }
}

/// Turns a bare 5xx into the brand's calm error page; JSON answers (the staff API's) stay.
fn error_page<B>(response: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    if api::is_json(response.response()) {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (request, original) = response.into_parts();
    let brand = PageBrand::of(&request);
    let kind = match status {
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ => "internal",
    };
    let mut page = message(&brand, status, kind, false);
    if let Some(retry) = original.headers().get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, page).map_into_right_body(),
    ))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::error::Error;

    use sqlx::error::{DatabaseError, ErrorKind};

    use super::*;

    /// An error PostgreSQL sent, with its SQLSTATE.
    #[derive(Debug, thiserror::Error)]
    #[error("SQLSTATE {0}")]
    struct Sqlstate(&'static str);

    impl DatabaseError for Sqlstate {
        fn message(&self) -> &str {
            self.0
        }

        fn code(&self) -> Option<Cow<'_, str>> {
            Some(self.0.into())
        }

        fn as_error(&self) -> &(dyn Error + Send + Sync + 'static) {
            self
        }

        fn as_error_mut(&mut self) -> &mut (dyn Error + Send + Sync + 'static) {
            self
        }

        fn into_error(self: Box<Self>) -> Box<dyn Error + Send + Sync + 'static> {
            self
        }

        fn kind(&self) -> ErrorKind {
            ErrorKind::Other
        }
    }

    fn from_postgres(code: &'static str) -> anyhow::Error {
        anyhow::Error::from(sqlx::Error::Database(Box::new(Sqlstate(code)))).context("a page")
    }

    #[test]
    fn a_database_shutting_down_starting_or_full_is_unavailable_not_a_bug() {
        // admin_shutdown, cannot_connect_now, connection_failure, too_many_connections,
        // object_not_in_prerequisite_state (a database that takes no connections)
        for code in ["57P01", "57P03", "08006", "53300", "55000"] {
            assert!(database_unavailable(&from_postgres(code)), "{code}");
        }
        let timed_out = anyhow::Error::from(sqlx::Error::PoolTimedOut);
        assert!(database_unavailable(&timed_out));
        let shared = Arc::new(sqlx::Error::Database(Box::new(Sqlstate("57P01"))));
        assert!(
            database_unavailable(&PageError::from(shared).0),
            "one failed query that several requests share"
        );
        // unique_violation, syntax_error: bugs, not outages
        for code in ["23505", "42601"] {
            assert!(!database_unavailable(&from_postgres(code)), "{code}");
        }
    }
}
