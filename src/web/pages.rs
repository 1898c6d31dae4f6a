//! The HTML pages, as askama templates over view structs.

use askama::Template;

use crate::billing::bill::BillView;
use crate::domain::Brand;
use crate::i18n::{Arg, Lang, escape};
use crate::web::PageBrand;

/// `GET /`: how customers reach their bill, and the contact details.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub brand: &'a Brand,
    pub l: &'a Lang,
}

/// `GET /b/{token}`: the brand and one button; no bill data, so link scanners see nothing.
#[derive(Template)]
#[template(path = "landing.html")]
pub struct LandingPage<'a> {
    pub brand: &'a Brand,
    pub l: &'a Lang,
    /// Where the button POSTs: the same `/b/{token}` path.
    pub action: &'a str,
}

/// A link that does not open the bill. `status` is one of `invalid`, `expired`,
/// `superseded`, `revoked` and lands in `data-link-status`.
#[derive(Template)]
#[template(path = "link_status.html")]
pub struct LinkStatusPage<'a> {
    pub brand: &'a Brand,
    pub l: &'a Lang,
    pub status: &'a str,
    /// For `superseded`: when the newer link was sent ("2 Nov 2026 at 14:05 UTC"), and
    /// the message naming its channel (`channel-email`, `channel-sms`).
    pub newer_sent_at: Option<String>,
    pub newer_channel: Option<&'static str>,
    /// For `expired` and `superseded`: where the renew button POSTs (`/b/{token}/renew`).
    pub renew_action: Option<&'a str>,
}

impl LinkStatusPage<'_> {
    /// The id of the page's `part` (`title`, `lead`, `text`) for its status.
    pub fn key(&self, part: &str) -> String {
        let status = match self.status {
            "invalid" | "expired" | "superseded" | "revoked" | "limited" => self.status,
            _ => "unusable",
        };
        format!("status-{status}-{part}")
    }

    /// A superseded link's lead: when and how the newer one was sent, as HTML.
    pub fn superseded_lead(&self) -> String {
        let (Some(at), Some(channel)) = (&self.newer_sent_at, self.newer_channel) else {
            return escape(&self.l.t("status-superseded-lead-no-details"));
        };
        let at = format!("<span class=\"sent-at\">{}</span>", escape(at));
        let by = format!(
            "<span class=\"sent-by\">{}</span>",
            escape(&self.l.t(channel))
        );
        self.l
            .html2("status-superseded-lead", "sent_at", &at, "channel", &by)
    }
}

/// After `POST /b/{token}/renew`.
#[derive(Template)]
#[template(path = "renewed.html")]
pub struct RenewedPage<'a> {
    pub brand: &'a Brand,
    pub l: &'a Lang,
    /// `sent`: a new link went to `destination`; `too_soon`, `daily_limit`, `no_contact`,
    /// `not_renewable`: nothing was sent, the page says why and what to do.
    pub outcome: &'a str,
    /// `j•••@example.com` or `•••• 4567`.
    pub destination: Option<String>,
}

impl RenewedPage<'_> {
    /// The id of the page's `part` (`title`, `lead`, `text`) for its outcome.
    pub fn key(&self, part: &str) -> String {
        let outcome = match self.outcome {
            "sent" | "too_soon" | "daily_limit" | "no_contact" | "not_renewable" => self.outcome,
            _ => "failed",
        };
        format!("renewed-{}-{part}", outcome.replace('_', "-"))
    }

    /// Where the new link went, as HTML.
    pub fn destination_html(&self, destination: &str) -> String {
        format!(
            "<strong class=\"destination\">{}</strong>",
            escape(destination)
        )
    }
}

/// `GET /link` and `POST /link`: "Get a new link". `state` lands in `data-get-link`.
#[derive(Template)]
#[template(path = "get_link.html")]
pub struct GetLinkPage<'a> {
    pub brand: &'a Brand,
    pub l: &'a Lang,
    /// `form`; `invalid`: the form again, with `error`; `sent`: the one answer to every
    /// well-formed request, on file or not; `limited`: too many requests, try again in `wait`.
    pub state: &'a str,
    /// What was typed, to correct it.
    pub address: &'a str,
    /// The message saying what is wrong with it (`get-link-error-email`).
    pub error: Option<&'a str>,
    pub wait: Option<Wait>,
}

impl<'a> GetLinkPage<'a> {
    pub fn new(page: &'a PageBrand, state: &'a str) -> Self {
        Self {
            brand: &page.brand,
            l: &page.lang,
            state,
            address: "",
            error: None,
            wait: None,
        }
    }

    /// When to try again, in words.
    pub fn retry(&self) -> String {
        match self.wait {
            Some(Wait::Minutes(n)) => self.l.count("get-link-limited-retry-minutes", n),
            Some(Wait::Hours(n)) => self.l.count("get-link-limited-retry-hours", n),
            None => self.l.t("get-link-limited-retry-later").into_owned(),
        }
    }
}

/// How long to wait before asking again, rounded up.
#[derive(Debug, Clone, Copy)]
pub enum Wait {
    Minutes(i64),
    Hours(i64),
}

/// `GET /bill` with a session (and the PDF of `GET /bill.pdf`).
#[derive(Template)]
#[template(path = "bill.html")]
pub struct BillPage<'a> {
    pub brand: &'a Brand,
    pub l: &'a Lang,
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
    pub fn new(page: &'a PageBrand, base: &str, bill: BillView) -> Self {
        let pay_url = page
            .brand
            .pay_url
            .as_ref()
            .filter(|_| bill.owes)
            .map(|pay| pay.for_bill(&bill.account_id, &bill.amount_decimal));
        Self {
            brand: &page.brand,
            l: &page.lang,
            pay_url,
            page_url: format!("{base}/bill"),
            bill,
        }
    }
}

impl BillPage<'_> {
    /// The due date in a `<time>`, for `bill-pay-by`.
    pub fn due_on_html(&self) -> String {
        format!(
            "<time datetime=\"{}\">{}</time>",
            escape(&self.bill.due_on_iso),
            escape(&self.bill.due_on)
        )
    }

    /// The usage's unit, for `bill-usage-unit`.
    pub fn unit_html(&self, unit: &str) -> String {
        format!("<span class=\"unit\">{}</span>", escape(unit))
    }

    /// `text` in `<strong>`.
    pub fn strong(&self, text: &str) -> String {
        format!("<strong>{}</strong>", escape(text))
    }

    /// "Bill 2026-11 for account •••• 1001. Amounts in USD."
    pub fn foot(&self) -> String {
        let bill = &self.bill;
        self.l.get(
            "bill-foot",
            &[
                ("cycle", Arg::Text(&bill.cycle)),
                ("account", Arg::Text(&bill.masked_account)),
                ("currency", Arg::Text(bill.currency)),
            ],
        )
    }
}

/// Any other refusal or failure: a title, an explanation and what to do next.
/// `kind` lands in `data-error` (`no-session`, `session-ended`, `not-found`, `unavailable`, `internal`…).
#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage<'a> {
    pub brand: &'a Brand,
    pub l: &'a Lang,
    pub kind: &'a str,
    /// The messages of its title and explanation (`not-found-title`, `not-found-text`).
    pub title: &'a str,
    pub message: &'a str,
    /// Offer `/link`, for a customer who cannot find a working link.
    pub get_link: bool,
}
