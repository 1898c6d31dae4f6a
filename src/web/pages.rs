//! The HTML pages, as askama templates over view structs.

use askama::Template;

use crate::billing::bill::BillView;
use crate::domain::Brand;

/// `GET /`: how customers reach their bill, and the contact details.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub brand: &'a Brand,
}

/// `GET /b/{token}`: the brand and one button; no bill data, so link scanners see nothing.
#[derive(Template)]
#[template(path = "landing.html")]
pub struct LandingPage<'a> {
    pub brand: &'a Brand,
    /// Where the button POSTs: the same `/b/{token}` path.
    pub action: &'a str,
}

/// A link that does not open the bill. `status` is one of `invalid`, `expired`,
/// `superseded`, `revoked` and lands in `data-link-status`.
#[derive(Template)]
#[template(path = "link_status.html")]
pub struct LinkStatusPage<'a> {
    pub brand: &'a Brand,
    pub status: &'a str,
    /// For `superseded`: "2 Nov 2026 at 14:05 UTC" and "email" / "text message".
    pub newer_sent_at: Option<String>,
    pub newer_channel: Option<&'static str>,
    /// For `expired` and `superseded`: where the renew button POSTs (`/b/{token}/renew`).
    pub renew_action: Option<&'a str>,
}

/// After `POST /b/{token}/renew`.
#[derive(Template)]
#[template(path = "renewed.html")]
pub struct RenewedPage<'a> {
    pub brand: &'a Brand,
    /// `sent`: a new link went to `destination`; `too_soon`, `daily_limit`, `no_contact`,
    /// `not_renewable`: nothing was sent, the page says why and what to do.
    pub outcome: &'a str,
    /// `j•••@example.com` or `•••• 4567`.
    pub destination: Option<String>,
}

/// `GET /link` and `POST /link`: "Get a new link". `state` lands in `data-get-link`.
#[derive(Template)]
#[template(path = "get_link.html")]
pub struct GetLinkPage<'a> {
    pub brand: &'a Brand,
    /// `form`; `invalid`: the form again, with `error`; `sent`: the one answer to every
    /// well-formed request, on file or not; `limited`: too many requests, try again in `wait`.
    pub state: &'a str,
    /// What was typed, to correct it.
    pub address: &'a str,
    pub error: Option<&'a str>,
    /// `a minute`, `12 minutes`, `2 hours`.
    pub wait: Option<String>,
}

impl<'a> GetLinkPage<'a> {
    pub fn new(brand: &'a Brand, state: &'a str) -> Self {
        Self {
            brand,
            state,
            address: "",
            error: None,
            wait: None,
        }
    }
}

/// `GET /bill` with a session (and the PDF of `GET /bill.pdf`).
#[derive(Template)]
#[template(path = "bill.html")]
pub struct BillPage<'a> {
    pub brand: &'a Brand,
    pub bill: BillView,
    /// The brand's pay page for this bill, when it has one and there is something to pay:
    /// a plain link, never carrying the token.
    pub pay_url: Option<String>,
    /// Where the bill is seen online (`https://bills.example.com/bill`), printed on paper.
    pub page_url: String,
}

impl<'a> BillPage<'a> {
    /// The page of `bill`, wearing `brand` (the customer's), whose links point at `base`
    /// (`https://bills.example.com`).
    pub fn new(brand: &'a Brand, base: &str, bill: BillView) -> Self {
        let pay_url = brand
            .pay_url
            .as_ref()
            .filter(|_| bill.owes)
            .map(|pay| pay.for_bill(&bill.account_id, &bill.amount_decimal));
        Self {
            brand,
            pay_url,
            page_url: format!("{base}/bill"),
            bill,
        }
    }
}

/// Any other refusal or failure: a title, an explanation and what to do next.
/// `kind` lands in `data-error` (`no-session`, `session-ended`, `not-found`, `unavailable`, `internal`…).
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub brand: &'a Brand,
    pub kind: &'a str,
    pub title: &'a str,
    pub message: &'a str,
    /// Offer `/link`, for a customer who cannot find a working link.
    pub get_link: bool,
}
