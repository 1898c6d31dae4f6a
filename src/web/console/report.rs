//! The cycle report for analysts and billing staff: figures by channel with charts, a CSV
//! download, and the cycle's failed messages with a retry.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};

use super::pages::{Bar, ChannelView, FailedRow, ReportPage};
use super::session::{Console, ConsoleError};
use crate::cycle::report::{self, ChannelFigures, CycleReport};
use crate::domain::{AccountId, Channel, CycleId, DeliveryId, Reason, Role};
use crate::links::staff::{self as link_staff, ResendError};
use crate::web::{html, read, resource};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/cycles/{cycle}", "GET, HEAD").route(read().to(show)))
        .service(resource("/cycles/{cycle}/retry", "POST").route(web::post().to(retry)));
}

/// Failed messages listed, at most.
const FAILED_LISTED: i64 = 200;

#[derive(Debug, serde::Deserialize)]
struct Query {
    format: Option<String>,
    done: Option<String>,
}

async fn cycle_report(console: &Console, raw: &str) -> Result<CycleReport, ConsoleError> {
    let missing = || ConsoleError::NotFound(format!("No bills were imported for a cycle {raw}."));
    let cycle = CycleId::parse(raw).map_err(|_| missing())?;
    let report = CycleReport::read(&console.state.pool, &cycle).await?;
    if report.customers == 0 && report.minted == 0 {
        return Err(missing());
    }
    Ok(report)
}

/// `1 h 30 min`, `2 d 4 h`, `45 s`.
fn duration_words(seconds: Option<i64>) -> String {
    let Some(seconds) = seconds else {
        return "nobody opened a bill yet".into();
    };
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{seconds} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `62 %`, or a dash before there is anything to divide by.
fn percent(share: Option<f64>) -> String {
    share
        .map(|r| format!("{:.0} %", r * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn channel_view(channel: Channel, f: ChannelFigures) -> ChannelView {
    let figures = [
        ("Sent", "sent", f.sent),
        ("Delivered", "delivered", f.delivered),
        ("Failed", "failed", f.failed),
        ("Fetched", "fetched", f.fetched),
        ("Opened", "opened", f.opened),
    ];
    let most = figures.iter().map(|(_, _, v)| *v).max().unwrap_or(0).max(1);
    let bars = figures
        .iter()
        .enumerate()
        .map(|(i, (label, kind, value))| Bar {
            label,
            kind,
            value: *value,
            y: i as i64 * 26,
            width: (*value * 230 / most).max(1),
        })
        .collect::<Vec<_>>();
    ChannelView {
        name: channel.as_str(),
        label: match channel {
            Channel::Email => "Email",
            Channel::Sms => "Text message",
        },
        open_rate: percent(f.rate(f.opened)),
        fetch_rate: percent(f.rate(f.fetched)),
        failure_rate: percent(
            (f.sent + f.failed > 0).then(|| f.failed as f64 / (f.sent + f.failed) as f64),
        ),
        chart_height: bars.len() as i64 * 26,
        bars,
        f,
    }
}

async fn show(
    console: Console,
    cycle: web::Path<String>,
    query: web::Query<Query>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    let report = cycle_report(&console, &cycle).await?;
    if query.format.as_deref() == Some("csv") {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"billpass-cycle-{}.csv\"",
                    report.cycle
                ),
            ))
            .body(report.to_csv()));
    }
    let failed = report::failed_deliveries(&console.state.pool, &report.cycle, FAILED_LISTED)
        .await?
        .into_iter()
        .map(|f| FailedRow {
            id: f.id.0,
            account_id: f.account_id,
            channel: f.channel.to_string(),
            destination: f.destination,
            last_error: f.last_error,
        })
        .collect();
    let notice = query.done.as_deref().map(|account| {
        format!(
            "{} was sent a new link.",
            account.chars().take(64).collect::<String>()
        )
    });
    Ok(html(
        StatusCode::OK,
        &ReportPage {
            brand: console.brand(),
            nav: Some(console.nav("runs")),
            csrf: &console.session.csrf_token,
            median: duration_words(report.time_to_open_seconds.median),
            p90: duration_words(report.time_to_open_seconds.p90),
            channels: report
                .channels
                .iter()
                .map(|(channel, f)| channel_view(*channel, f.clone()))
                .collect(),
            brands: {
                let book = console.state.brands.current();
                report
                    .brands
                    .iter()
                    .map(|(id, f)| (book.get_or_default(id).name.clone(), f.clone()))
                    .collect()
            },
            failed,
            notice: notice.as_deref(),
            r: &report,
        },
    ))
}

#[derive(Debug, serde::Deserialize)]
struct RetryForm {
    #[serde(default)]
    csrf: String,
    delivery_id: i64,
}

/// Sends the customer of a failed message a new link, on the channel that can reach them.
async fn retry(
    console: Console,
    cycle: web::Path<String>,
    form: web::Form<RetryForm>,
) -> Result<HttpResponse, ConsoleError> {
    console.require(Role::Billing)?;
    console.check_form(&form.csrf)?;
    let report = cycle_report(&console, &cycle).await?;
    let pool = &console.state.pool;
    let delivery = DeliveryId(form.delivery_id);
    let account = report::failed_delivery_account(pool, &report.cycle, delivery)
        .await?
        .ok_or_else(|| {
            ConsoleError::NotFound(format!(
                "No failed message {delivery} in cycle {}.",
                report.cycle
            ))
        })?;
    let account = AccountId::parse(&account).map_err(anyhow::Error::msg)?;
    let reason = Reason::parse(&format!("retry after message {delivery} failed"))
        .map_err(anyhow::Error::msg)?;
    let by = console.session.member.actor();
    match link_staff::resend(
        pool,
        &console.state.minter,
        &account,
        None,
        &by,
        Some(&reason),
    )
    .await
    {
        Ok(_) => {}
        Err(ResendError::Unexpected(error)) => return Err(error.into()),
        Err(error) => return Err(ConsoleError::Conflict(format!("Not sent: {error}."))),
    }
    let back = format!(
        "/staff/cycles/{}?done={}",
        report.cycle,
        url::form_urlencoded::byte_serialize(account.as_str().as_bytes()).collect::<String>()
    );
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back))
        .finish())
}
