//! The console's pages, as askama templates over view structs.

use askama::Template;

use crate::billing::brands::BrandSummary;
use crate::billing::import::RowError;
use crate::billing::search::SearchResults;
use crate::cycle::report::{BrandFigures, ChannelFigures, CycleReport};
use crate::domain::{BrandBook, BrandId, Role};
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
    pub brands: BrandFilter,
    pub runs: Vec<RunRow>,
}

/// The brands a search may be narrowed to, shown when there is more than one.
pub struct BrandFilter {
    /// Each brand's id and name, the default brand first.
    pub choices: Vec<(String, String)>,
    /// The id of the brand searched, or empty for all.
    pub selected: String,
}

impl BrandFilter {
    pub fn new(book: &BrandBook, selected: Option<&BrandId>) -> Self {
        Self {
            choices: book
                .all()
                .iter()
                .map(|brand| (brand.id.to_string(), brand.name.clone()))
                .collect(),
            selected: selected.map(BrandId::to_string).unwrap_or_default(),
        }
    }

    /// Whether there is a choice to offer.
    pub fn shown(&self) -> bool {
        self.choices.len() > 1
    }

    /// The name of brand `id`, as customers read it.
    pub fn name_of(&self, id: &BrandId) -> String {
        self.choices
            .iter()
            .find(|(choice, _)| choice == id.as_str())
            .map_or_else(|| id.to_string(), |(_, name)| name.clone())
    }
}

/// `GET /staff/customers?q=`.
#[derive(Template)]
#[template(path = "console/customers.html")]
pub struct CustomersPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub query: &'a str,
    pub brands: BrandFilter,
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
    /// The name of the brand they are billed under.
    pub brand: String,
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
    pub target: String,
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

/// `GET /staff/runs`.
#[derive(Template)]
#[template(path = "console/runs.html")]
pub struct RunsPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub csrf: &'a str,
    pub runs: Vec<RunRow>,
    /// Cycles with bills, newest first.
    pub cycles: Vec<String>,
    /// What was typed, to correct it.
    pub cycle: &'a str,
    pub error: Option<String>,
}

/// `GET /staff/runs/{run_id}`: followed live by `/assets/console.js`.
#[derive(Template)]
#[template(path = "console/run.html")]
pub struct RunPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub csrf: &'a str,
    pub run: RunRow,
    pub done: i64,
    pub progress_max: i64,
    pub skipped_already_sent: i64,
    pub skipped_no_contact: i64,
    pub error: Option<String>,
}

/// An upload that stored nothing, and why.
pub struct ImportFailure {
    pub title: String,
    pub rows: Vec<RowError>,
    /// Bad lines past those listed.
    pub more: usize,
}

impl ImportFailure {
    pub fn titled(title: String) -> Self {
        Self {
            title,
            rows: Vec::new(),
            more: 0,
        }
    }
}

/// `GET /staff/imports` and the answer to an upload.
#[derive(Template)]
#[template(path = "console/imports.html")]
pub struct ImportsPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub csrf: &'a str,
    /// `2.0 MB`: the largest file taken.
    pub limit: String,
    /// `form`, `imported`, `rejected`, `refused` or `too-large`: lands in `data-outcome`.
    pub outcome: &'a str,
    pub done: Option<String>,
    pub failure: Option<ImportFailure>,
}

/// One bar of a channel's chart.
pub struct Bar {
    pub label: &'static str,
    pub kind: &'static str,
    pub value: i64,
    pub y: i64,
    pub width: i64,
}

/// A channel's figures, rate and chart.
pub struct ChannelView {
    pub name: &'static str,
    pub label: &'static str,
    pub f: ChannelFigures,
    /// Opened of sent, `62 %`.
    pub open_rate: String,
    /// Fetched of sent.
    pub fetch_rate: String,
    /// Failed of those sent or failed.
    pub failure_rate: String,
    pub bars: Vec<Bar>,
    pub chart_height: i64,
}

pub struct FailedRow {
    pub id: i64,
    pub account_id: String,
    pub channel: String,
    pub destination: String,
    pub last_error: Option<String>,
}

/// `GET /staff/cycles/{cycle}`.
#[derive(Template)]
#[template(path = "console/report.html")]
pub struct ReportPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub csrf: &'a str,
    pub r: &'a CycleReport,
    pub median: String,
    pub p90: String,
    pub channels: Vec<ChannelView>,
    /// Each brand's name and cycle links, for a cycle of more than one brand.
    pub brands: Vec<(String, BrandFigures)>,
    pub failed: Vec<FailedRow>,
    pub notice: Option<&'a str>,
}

/// What every admin page has besides its own: which page it is (for the admin menu), the
/// session's CSRF token, and what its form did or why it did nothing.
pub struct AdminFrame<'a> {
    pub section: &'static str,
    pub csrf: &'a str,
    pub notice: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// A staff member as the admin page lists them.
pub struct MemberRow {
    pub email: String,
    pub role: String,
    pub signs_in_by: String,
    pub status: String,
    pub enabled: bool,
    /// The admin looking: nobody changes their own access.
    pub is_you: bool,
}

#[derive(Template)]
#[template(path = "console/admin_staff.html")]
pub struct AdminStaffPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub frame: AdminFrame<'a>,
    pub members: Vec<MemberRow>,
}

pub struct KeyRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub created: String,
    pub last_used: String,
    pub status: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "console/admin_keys.html")]
pub struct AdminKeysPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub frame: AdminFrame<'a>,
    pub keys: Vec<KeyRow>,
    /// A key just created, shown this once.
    pub new_key: Option<String>,
}

/// `GET /staff/admin/brands`.
#[derive(Template)]
#[template(path = "console/admin_brands.html")]
pub struct AdminBrandsPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub frame: AdminFrame<'a>,
    pub rows: Vec<BrandRow>,
    pub fields: Vec<BrandField>,
    /// The form's id, logo and what was wrong with the logo, as typed.
    pub id: String,
    pub logo_svg: String,
    pub logo_error: Option<String>,
}

pub struct BrandRow {
    pub s: BrandSummary,
    pub logo: bool,
}

/// A field of the brand form, as typed, and what was wrong with it.
pub struct BrandField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// The audit filter as typed.
pub struct AuditFilterView {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub to: String,
}

#[derive(Template)]
#[template(path = "console/admin_audit.html")]
pub struct AdminAuditPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub frame: AdminFrame<'a>,
    pub actions: &'static [&'static str],
    pub f: AuditFilterView,
    pub limit: usize,
    pub entries: Vec<AuditRow>,
}

pub struct SigningKeyRow {
    pub kid: String,
    pub algorithm: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "console/admin_signing_keys.html")]
pub struct AdminSigningKeysPage<'a> {
    pub brand: &'a str,
    pub nav: Option<Nav>,
    pub frame: AdminFrame<'a>,
    pub keys: Vec<SigningKeyRow>,
    pub dir: String,
}
