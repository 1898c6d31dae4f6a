//! Customer service: find a customer, see what was sent and whether it arrived and was
//! opened, send a new link or stop the current one.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;

use super::pages::{
    AuditRow, BrandFilter, CustomerPage, CustomerView, CustomersPage, DeliveryRow, LinkRow,
};
use super::session::{Console, ConsoleError};
use crate::billing::bill::{BillRow, BillView};
use crate::billing::search::{self, Search};
use crate::domain::calendar::time_text;
use crate::domain::{AccountId, BrandBook, BrandId, Channel, LinkReason, LinkStatus, Reason, Role};
use crate::i18n::Lang;
use crate::links::history::CustomerHistory;
use crate::links::staff::{self as link_staff, ResendError, RevokeError};
use crate::web::PageBrand;
use crate::web::pages::BillPage;
use crate::web::{html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/customers", "GET, HEAD").route(read().to(find)))
        .service(resource("/customers/{account_id}", "GET, HEAD").route(read().to(show)))
        .service(resource("/customers/{account_id}/bill", "GET, HEAD").route(read().to(bill)))
        .service(resource("/customers/{account_id}/resend", "POST").route(web::post().to(resend)))
        .service(resource("/customers/{account_id}/revoke", "POST").route(web::post().to(revoke)));
}

#[derive(Debug, serde::Deserialize)]
struct Query {
    q: Option<String>,
    /// A brand's id: only its customers; empty or none: every brand's.
    brand: Option<String>,
}

async fn find(console: Console, query: web::Query<Query>) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Csr)?;
    let typed = query.q.as_deref().unwrap_or("");
    let shown: String = typed.chars().take(200).collect();
    let book = console.state.brands.current();
    let brand = query
        .brand
        .as_deref()
        .filter(|id| !id.is_empty())
        .and_then(|id| BrandId::parse(id).ok())
        .filter(|id| book.get(id).is_some());
    let page = |status, error, results| {
        html(
            status,
            &CustomersPage {
                brand: console.brand(),
                nav: Some(console.nav("customers")),
                query: &shown,
                brands: BrandFilter::new(&book, brand.as_ref()),
                error,
                results,
            },
        )
    };
    if query.q.is_none() {
        return Ok(page(StatusCode::OK, None, None));
    }
    match Search::parse(typed) {
        Ok(search) => {
            let search = search.of_brand(brand.clone());
            let results = search::find(&console.state.pool, &search).await?;
            Ok(page(StatusCode::OK, None, Some(results)))
        }
        Err(error) => Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(error.to_string()),
            None,
        )),
    }
}

fn account(raw: &str) -> Result<AccountId, ConsoleError> {
    AccountId::parse(raw).map_err(|_| unknown())
}

fn unknown() -> ConsoleError {
    ConsoleError::NotFound(
        "No customer has this account number. Search by name, email or phone instead.".into(),
    )
}

/// `?done=` after a form: what happened, in words.
#[derive(Debug, serde::Deserialize)]
struct Done {
    done: Option<String>,
}

async fn show(
    console: Console,
    account_id: web::Path<String>,
    done: web::Query<Done>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Csr)?;
    let notice = match done.done.as_deref() {
        Some("resent") => Some("A new link is on its way. The previous one no longer works."),
        Some("revoked") => Some("The link was stopped: it no longer opens the bill."),
        _ => None,
    };
    customer_page(&console, &account_id, StatusCode::OK, notice).await
}

async fn customer_page(
    console: &Console,
    account_id: &str,
    status: StatusCode,
    notice: Option<&str>,
) -> Result<HttpResponse, ConsoleError> {
    let account = account(account_id)?;
    let history = CustomerHistory::read(&console.state.pool, &account)
        .await?
        .ok_or_else(unknown)?;
    Ok(html(
        status,
        &CustomerPage {
            brand: console.brand(),
            nav: Some(console.nav("customers")),
            c: view(history, &console.state.brands.current()),
            csrf: &console.session.csrf_token,
            notice,
        },
    ))
}

fn reason_words(reason: LinkReason) -> &'static str {
    match reason {
        LinkReason::Cycle => "billing cycle",
        LinkReason::Resend => "sent by staff",
        LinkReason::Renewal => "renewed by the customer (expired link)",
        LinkReason::SelfService => "asked for by the customer",
    }
}

fn channel_words(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Sms => "text message",
    }
}

fn view(history: CustomerHistory, brands: &BrandBook) -> CustomerView {
    let CustomerHistory {
        profile,
        current_link,
        links,
        deliveries,
        openings,
        audit,
    } = history;
    let (current_status, current_words) = match &current_link {
        None => ("none".to_owned(), "No link has been sent yet.".to_owned()),
        Some(link) => {
            let sent = format!(
                "sent by {} on {}",
                channel_words(link.channel),
                time_text(link.minted_at)
            );
            let words = match link.status {
                LinkStatus::Current => format!(
                    "Works until {}: {sent}, for the {} bill.",
                    time_text(link.expires_at),
                    link.bill_cycle
                ),
                LinkStatus::Expired => format!(
                    "Expired on {}: {sent}. Opening it offers the customer a new one.",
                    time_text(link.expires_at)
                ),
                LinkStatus::Revoked => format!(
                    "Stopped on {} by {}: {sent}.",
                    link.revoked_at.map(time_text).unwrap_or_default(),
                    link.revoked_by.as_deref().unwrap_or("staff")
                ),
                LinkStatus::Superseded => format!("Replaced by a newer link: {sent}."),
            };
            (link.status.to_string(), words)
        }
    };
    CustomerView {
        account_id: profile.account_id.as_str().to_owned(),
        name: profile.name,
        email: profile.email,
        phone: profile.phone,
        opted_out: profile.sms_opted_out_at.map(time_text),
        channel: channel_words(profile.channel).to_owned(),
        locale: profile.locale,
        brand: brands.get_or_default(&profile.brand).name.clone(),
        current_status,
        current_words,
        has_bill: !links.is_empty(),
        links: links
            .into_iter()
            .map(|l| LinkRow {
                jti: l.jti.to_string(),
                minted_at: time_text(l.minted_at),
                why: match &l.resend_reason {
                    Some(reason) => format!("{}: “{reason}”", reason_words(l.reason)),
                    None => reason_words(l.reason).to_owned(),
                },
                by: l.minted_by,
                bill_cycle: l.bill_cycle.to_string(),
                status: l.status.to_string(),
                status_note: l.revoke_reason.map(|r| format!("“{r}”")),
                fetched: l.first_fetched_at.map(time_text),
                openings: openings.iter().filter(|o| o.jti == l.jti).count(),
            })
            .collect(),
        deliveries: deliveries
            .into_iter()
            .map(|d| DeliveryRow {
                id: d.id.0,
                created_at: time_text(d.created_at),
                channel: channel_words(d.channel).to_owned(),
                fallback: d.fallback_of.is_some(),
                destination: d.destination,
                status: d.status.to_string(),
                attempts: d.attempts,
                last_error: d.last_error,
            })
            .collect(),
        audit: audit
            .into_iter()
            .rev()
            .map(|a| AuditRow {
                at: time_text(a.at),
                actor: a.actor,
                action: a.action,
                target: a.target,
                reason: a.reason,
            })
            .collect(),
    }
}

/// The customer's latest bill, rendered as their own bill page.
async fn bill(
    console: Console,
    account_id: web::Path<String>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Csr)?;
    let account = account(&account_id)?;
    let mut conn = console.state.pool.acquire().await?;
    let row = BillRow::latest(&mut conn, account.as_str())
        .await?
        .ok_or_else(|| ConsoleError::NotFound("This customer has no bill yet.".into()))?;
    let (brand, base) = console.state.bill_brand(&row.brand);
    let lang = Lang::of(&row.locale);
    let view = BillView::build(&row, &lang)?;
    let body = BillPage::new(&PageBrand { brand, lang }, &base, view)
        .render()
        .map_err(anyhow::Error::from)?;
    Ok(HttpResponse::Ok()
        .content_type(actix_web::http::header::ContentType::html())
        .body(body))
}

#[derive(Debug, serde::Deserialize)]
struct ResendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    reason: String,
    confirm: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    confirm: Option<String>,
}

/// Back to the customer's page, saying what happened.
fn done(account: &AccountId, what: &str) -> HttpResponse {
    let path =
        url::form_urlencoded::byte_serialize(account.as_str().as_bytes()).collect::<String>();
    HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/staff/customers/{path}?done={what}"),
        ))
        .finish()
}

/// The form's reason, confirmed; or what is wrong with it.
fn checked_reason(reason: &str, confirm: Option<&str>) -> Result<Reason, String> {
    match (Reason::parse(reason), confirm) {
        (Ok(reason), Some("yes")) => Ok(reason),
        (Err(error), _) => Err(format!("Not done: {error}.")),
        (Ok(_), _) => Err("Not done: tick the box to confirm.".to_owned()),
    }
}

async fn resend(
    console: Console,
    account_id: web::Path<String>,
    form: web::Form<ResendForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Csr)?;
    console.check_form(&form.csrf)?;
    let account = account(&account_id)?;
    let channel = match form.channel.as_str() {
        "" => None,
        other => Some(
            other
                .parse::<Channel>()
                .map_err(|e| ConsoleError::BadForm(format!("channel: {e}")))?,
        ),
    };
    let reason = match checked_reason(&form.reason, form.confirm.as_deref()) {
        Ok(reason) => reason,
        Err(problem) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return customer_page(&console, &account_id, status, Some(&problem)).await;
        }
    };
    let state = &console.state;
    let by = console.session.member.actor();
    match link_staff::resend(
        &state.pool,
        &state.minter,
        &account,
        channel,
        &by,
        Some(&reason),
    )
    .await
    {
        Ok(_) => Ok(done(&account, "resent")),
        Err(ResendError::UnknownCustomer(_)) => Err(unknown()),
        Err(error @ (ResendError::NoBill(_) | ResendError::NoContact(_))) => {
            let problem = format!("Not sent: {error}.");
            customer_page(&console, &account_id, StatusCode::CONFLICT, Some(&problem)).await
        }
        Err(ResendError::Unexpected(error)) => Err(error.into()),
    }
}

async fn revoke(
    console: Console,
    account_id: web::Path<String>,
    form: web::Form<RevokeForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Csr)?;
    console.check_form(&form.csrf)?;
    let account = account(&account_id)?;
    let reason = match checked_reason(&form.reason, form.confirm.as_deref()) {
        Ok(reason) => reason,
        Err(problem) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return customer_page(&console, &account_id, status, Some(&problem)).await;
        }
    };
    let by = console.session.member.actor();
    match link_staff::revoke(&console.state.pool, &account, &by, &reason).await {
        Ok(_) => Ok(done(&account, "revoked")),
        Err(RevokeError::UnknownCustomer(_)) => Err(unknown()),
        Err(error @ (RevokeError::NoLink | RevokeError::AlreadyRevoked { .. })) => {
            let problem = format!("Nothing stopped: {error}.");
            customer_page(&console, &account_id, StatusCode::CONFLICT, Some(&problem)).await
        }
        Err(RevokeError::Unexpected(error)) => Err(error.into()),
    }
}
