//! The console's pages, as askama templates over view structs.

use askama::Template;

use crate::billing::search::SearchResults;
use crate::domain::Role;
use crate::staff::sessions::ConsoleSession;

/// The header's navigation: what the member's role may open, and the sign-out form.
pub struct Nav {
    pub here: &'static str,
    pub email: String,
    pub role: Role,
    pub csrf: String,
    pub csr: bool,
    pub billing: bool,
    pub admin: bool,
}

impl Nav {
    pub fn new(session: &ConsoleSession, here: &'static str) -> Self {
        let role = session.member.role;
        Self {
            here,
            email: session.member.email.clone(),
            role,
            csrf: session.csrf_token.clone(),
            csr: role.allows(Role::Csr),
            billing: role.allows(Role::Billing),
            admin: role == Role::Admin,
        }
    }
}

/// A titled message, with a way on.
#[derive(Template)]
#[template(path = "console/message.html")]
pub struct MessagePage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    /// Lands in `data-console`.
    pub kind: &'a str,
    pub title: &'a str,
    pub message: &'a str,
    pub next: Option<(&'a str, &'a str)>,
}

/// `GET /staff/sign-in` and its answer.
#[derive(Template)]
#[template(path = "console/sign_in.html")]
pub struct SignInPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    /// `form`, or `sent`.
    pub state: &'a str,
    /// The identity provider's name, when single sign-on is set up.
    pub provider: Option<&'a str>,
    pub next: &'a str,
    pub address: &'a str,
    pub error: Option<&'a str>,
}

/// `GET /staff/link/{token}`: one button, so that mail scanners fetching the link sign
/// nobody in.
#[derive(Template)]
#[template(path = "console/link.html")]
pub struct SignInLinkPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub usable: bool,
    pub action: &'a str,
}

/// After sign-in: on to `next` from a page of ours, so that the `SameSite=Strict` cookie
/// goes with it even when sign-in came from another site (the identity provider).
#[derive(Template)]
#[template(path = "console/signed_in.html")]
pub struct SignedInPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub next: &'a str,
}

/// A cycle run as the tables show it.
pub struct RunRow {
    pub id: i64,
    pub cycle: String,
    pub status: String,
    pub total: i64,
    pub queued: i64,
    pub skipped: i64,
    pub started: String,
    pub finished: String,
    pub by: String,
}

/// `GET /staff`.
#[derive(Template)]
#[template(path = "console/home.html")]
pub struct HomePage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub query: &'a str,
    pub runs: Vec<RunRow>,
}

/// `GET /staff/customers?q=`.
#[derive(Template)]
#[template(path = "console/customers.html")]
pub struct CustomersPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub query: &'a str,
    pub error: Option<String>,
    pub results: Option<SearchResults>,
}

/// One customer, as `GET /staff/customers/{account_id}` shows them.
pub struct CustomerView {
    pub account_id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub opted_out: Option<String>,
    pub channel: String,
    pub locale: String,
    /// `current`, `expired`, `superseded`, `revoked` or `none`.
    pub current_status: String,
    /// The current link in words.
    pub current_words: String,
    pub has_bill: bool,
    pub links: Vec<LinkRow>,
    pub deliveries: Vec<DeliveryRow>,
    pub audit: Vec<AuditRow>,
}

pub struct LinkRow {
    pub jti: String,
    pub minted_at: String,
    pub why: String,
    pub by: String,
    pub bill_cycle: String,
    pub status: String,
    pub status_note: Option<String>,
    pub fetched: Option<String>,
    pub openings: usize,
}

pub struct DeliveryRow {
    pub id: i64,
    pub created_at: String,
    pub channel: String,
    pub fallback: bool,
    pub destination: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub reason: Option<String>,
}

#[derive(Template)]
#[template(path = "console/customer.html")]
pub struct CustomerPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub c: CustomerView,
    pub csrf: &'a str,
    pub notice: Option<&'a str>,
}
