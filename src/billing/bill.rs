//! A bill as the customer sees it: formatted amounts, what the charges are compared with
//! (the previous bill and the same period last year) and the usage chart, computed from
//! the stored rows.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::domain::{BillId, BrandId, Currency, Money};
use crate::i18n::{Arg, Lang};

/// Everything the bill page (and its PDF) shows, already formatted.
#[derive(Debug, Clone)]
pub struct BillView {
    /// The customer's brand, which the page wears.
    pub brand: BrandId,
    pub customer_name: String,
    /// The account id itself, for the pay link only; pages show [`Self::masked_account`].
    pub account_id: String,
    /// `•••• 1001`.
    pub masked_account: String,
    pub cycle: String,
    /// `1 Oct 2026 – 31 Oct 2026`.
    pub period: String,
    /// `31 days`.
    pub period_days: String,
    /// `2 Nov 2026`.
    pub issued_on: String,
    pub due_on: String,
    /// ISO date for `<time datetime>`.
    pub due_on_iso: String,
    pub currency: &'static str,
    /// `$142.17`; a credit shows as `−$12.00`.
    pub amount_due: String,
    /// The amount due as imported (`142.17`), for the pay link.
    pub amount_decimal: String,
    /// Whether there is anything to pay.
    pub owes: bool,
    /// For a credit (negative amount due): its size and where it comes from.
    pub credit: Option<Credit>,
    pub previous_balance: String,
    pub payments: String,
    /// Sum of the line items.
    pub current_charges: String,
    /// Anything the stored total holds beyond balance + payments + charges.
    pub adjustments: Option<String>,
    pub lines: Vec<LineView>,
    pub comparison: Option<Comparison>,
    pub chart: Option<UsageChart>,
}

/// A bill that leaves the customer in credit.
#[derive(Debug, Clone)]
pub struct Credit {
    /// `$12.00`.
    pub amount: String,
    /// What it is: "Your payments and credits came to more than your previous balance and
    /// this period's charges."
    pub explanation: String,
}

#[derive(Debug, Clone)]
pub struct LineView {
    pub description: String,
    /// `612 kWh`, `31 days`; empty for a line without a quantity (or a quantity of 1
    /// without a unit, such as a tax).
    pub quantity: String,
    /// `$0.1608 per kWh`, when the import gave a rate.
    pub rate: Option<String>,
    pub amount: String,
}

/// This period's charges next to the previous bill's and last year's.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub this: PeriodCharges,
    /// The previous bill, then the same period last year, when there are such bills.
    pub others: Vec<ComparedPeriod>,
    /// Up to three line items that moved most against the first of `others`, largest first.
    pub movers: Vec<Mover>,
    /// The heading of `movers`, naming what they are compared with.
    pub movers_heading: String,
}

/// A period's charges, its length and the average per day.
#[derive(Debug, Clone)]
pub struct PeriodCharges {
    /// `This bill`, `Previous bill`, `Same period last year`.
    pub label: String,
    pub period: String,
    pub days: i64,
    pub charges: String,
    /// `$4.59`.
    pub per_day: String,
}

/// Another period's charges and how this one differs.
#[derive(Debug, Clone)]
pub struct ComparedPeriod {
    pub charges: PeriodCharges,
    /// `$21.67 more than the previous bill`.
    pub sentence: String,
    /// `+$21.67`, `−$3.10`, `$0.00`.
    pub difference: String,
    /// `+18.0%`, or `None` when the other period had no charges.
    pub percent: Option<String>,
    /// `up` (dearer), `down` (cheaper) or `same`.
    pub direction: &'static str,
    /// When the periods differ in length: "This period has 31 days; that one had 30.
    /// The average per day compares like with like: $4.59 against $4.02."
    pub length_note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Mover {
    pub description: String,
    /// `None`: new this period.
    pub previous: Option<String>,
    /// `None`: no longer charged.
    pub current: Option<String>,
    pub difference: String,
    pub direction: &'static str,
}

/// An inline SVG bar chart; coordinates are in the SVG's own units.
#[derive(Debug, Clone)]
pub struct UsageChart {
    pub width: u32,
    pub height: u32,
    pub unit: String,
    /// Plain-text summary for screen readers.
    pub summary: String,
    pub bars: Vec<Bar>,
    /// Baseline y.
    pub baseline: u32,
}

#[derive(Debug, Clone)]
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// x of the label's centre.
    pub label_x: u32,
    /// `Oct`, or `Oct 25` at a year change.
    pub label: String,
    /// `October 2026`, for the table.
    pub period: String,
    /// `612`, written above the bar.
    pub quantity: String,
    /// `612 kWh`.
    pub value: String,
    /// The period this bill covers.
    pub is_current: bool,
}

/// A bill's line as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredLine {
    description: String,
    quantity: Option<String>,
    unit: Option<String>,
    /// Price per unit, a decimal string in the bill's currency.
    #[serde(default)]
    rate: Option<String>,
    amount: i64,
}

/// A period's usage as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredUsage {
    period: String,
    quantity: String,
    unit: Option<String>,
}

/// An earlier bill the charges are compared with.
#[derive(Debug, Clone, Deserialize)]
pub struct ComparedBill {
    period_start: NaiveDate,
    period_end: NaiveDate,
    lines: Vec<StoredLine>,
}

/// A stored bill with what its page needs of the customer and of the bills it is compared
/// with (the `bill_pages` view).
pub struct BillRow {
    pub bill_id: BillId,
    pub name: String,
    pub account_id: String,
    pub cycle: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    pub currency: String,
    pub amount_due: i64,
    pub previous_balance: i64,
    pub payments: i64,
    pub lines: sqlx::types::Json<Vec<StoredLine>>,
    pub usage: sqlx::types::Json<Vec<StoredUsage>>,
    pub previous: Option<sqlx::types::Json<ComparedBill>>,
    pub last_year: Option<sqlx::types::Json<ComparedBill>>,
    /// The customer's brand, which the page wears.
    pub brand: BrandId,
    /// The customer's language tag (`de-DE`), which the page is written in.
    pub locale: String,
}

impl BillRow {
    /// The latest bill of the customer with `account`, as its page shows it.
    pub async fn latest(
        conn: &mut sqlx::PgConnection,
        account: &str,
    ) -> sqlx::Result<Option<Self>> {
        sqlx::query_as!(
            BillRow,
            r#"SELECT v.bill_id AS "bill_id!: BillId", v.name AS "name!", v.account_id AS "account_id!",
                      v.cycle AS "cycle!", v.period_start AS "period_start!",
                      v.period_end AS "period_end!", v.issued_on AS "issued_on!",
                      v.due_on AS "due_on!", v.currency AS "currency!",
                      v.amount_due AS "amount_due!", v.previous_balance AS "previous_balance!",
                      v.payments AS "payments!",
                      v.lines AS "lines!: sqlx::types::Json<Vec<StoredLine>>",
                      v.usage AS "usage!: sqlx::types::Json<Vec<StoredUsage>>",
                      v.previous AS "previous?: sqlx::types::Json<ComparedBill>",
                      v.last_year AS "last_year?: sqlx::types::Json<ComparedBill>",
                      COALESCE(v.brand_id, 'default') AS "brand!: BrandId", v.locale AS "locale!"
               FROM customers c
               JOIN LATERAL (SELECT b.id FROM bills b WHERE b.customer_id = c.id
                             ORDER BY b.period_end DESC, b.id DESC LIMIT 1) latest ON true
               JOIN bill_pages v ON v.bill_id = latest.id
               WHERE c.account_id = $1"#,
            account,
        )
        .fetch_optional(conn)
        .await
    }
}

/// The channel told of every import of customers or bills: any bill page may show
/// something else now (a name, an amount, the previous bill it compares with).
pub const CHANGES_CHANNEL: &str = "billpass_bills";

/// Units counted in whole things, written in the plural for any quantity but 1.
const COUNTED_UNITS: &[&str] = &[
    "day",
    "night",
    "week",
    "month",
    "year",
    "hour",
    "minute",
    "unit",
    "item",
    "meter",
    "line",
    "device",
    "user",
    "seat",
    "visit",
    "service",
    "connection",
    "bin",
];

/// `612 kWh`, `31 days`, `1 day`; empty for a lone `1` without a unit (a tax or a fee).
/// A counted unit is written in the customer's words; any other as imported.
fn quantity_text(quantity: Option<&str>, unit: Option<&str>, lang: &Lang) -> String {
    match (quantity, unit) {
        (Some(q), Some(u)) if COUNTED_UNITS.contains(&u) => {
            let count = q.parse::<f64>().map_or(2, |n| if n == 1.0 { 1 } else { 2 });
            let shown = lang.formats().number(q);
            lang.get(
                &format!("line-quantity-{u}"),
                &[
                    ("quantity", Arg::Text(&shown)),
                    ("count", Arg::Count(count)),
                ],
            )
        }
        (Some(q), Some(u)) => format!("{} {u}", lang.formats().number(q)),
        (Some("1"), None) => String::new(),
        (Some(q), None) => lang.formats().number(q),
        _ => String::new(),
    }
}

/// `$0.1608 per kWh`, `$12.50 per day`, `$0.1608 each`: every digit of the rate kept.
fn rate_text(rate: &str, unit: Option<&str>, currency: Currency, lang: &Lang) -> String {
    let amount = lang
        .formats()
        .amount(rate, currency)
        .unwrap_or_else(|| format!("{rate} {}", currency.code()));
    match unit {
        Some(unit) if COUNTED_UNITS.contains(&unit) => {
            lang.t1(&format!("line-rate-per-{unit}"), "rate", &amount)
        }
        Some(unit) => lang.t2("line-rate-per", "rate", &amount, "unit", unit),
        None => lang.t1("line-rate-each", "rate", &amount),
    }
}

/// Days in a period, both ends included.
fn days_in(start: NaiveDate, end: NaiveDate) -> i64 {
    (end - start).num_days() + 1
}

impl BillView {
    /// Formats a stored bill for its page.
    pub fn build(bill: &BillRow, lang: &Lang) -> anyhow::Result<BillView> {
        let currency = Currency::parse(&bill.currency).map_err(anyhow::Error::msg)?;
        let money = |minor| lang.money(Money { minor, currency });
        let charges: i64 = bill.lines.iter().map(|l| l.amount).sum();
        let adjustments = bill.amount_due - bill.previous_balance - bill.payments - charges;
        let account_tail: String = {
            let chars: Vec<char> = bill.account_id.chars().collect();
            chars[chars.len().saturating_sub(4)..].iter().collect()
        };
        let credit = (bill.amount_due < 0).then(|| Credit {
            amount: money(-bill.amount_due),
            explanation: if bill.payments + adjustments.min(0) < 0 {
                lang.t2(
                    "credit-why-payments",
                    "paid",
                    &money(-(bill.payments + adjustments.min(0))),
                    "owed",
                    &money(bill.previous_balance + charges + adjustments.max(0)),
                )
            } else {
                lang.t("credit-why-balance").into_owned()
            },
        });
        let days = days_in(bill.period_start, bill.period_end);
        let this = PeriodCharges {
            label: lang.t("compare-this-bill").into_owned(),
            period: lang.period(bill.period_start, bill.period_end),
            days,
            charges: money(charges),
            per_day: money(per_day(charges, days)),
        };
        Ok(BillView {
            brand: bill.brand.clone(),
            customer_name: bill.name.clone(),
            account_id: bill.account_id.clone(),
            masked_account: format!("•••• {account_tail}"),
            cycle: bill.cycle.clone(),
            period: this.period.clone(),
            period_days: lang.count("bill-days", this.days),
            issued_on: lang.date(bill.issued_on),
            due_on: lang.date(bill.due_on),
            due_on_iso: bill.due_on.to_string(),
            currency: currency.code(),
            amount_due: money(bill.amount_due),
            amount_decimal: Money {
                minor: bill.amount_due,
                currency,
            }
            .decimal(),
            owes: bill.amount_due > 0,
            credit,
            previous_balance: money(bill.previous_balance),
            payments: money(bill.payments),
            current_charges: money(charges),
            adjustments: (adjustments != 0).then(|| money(adjustments)),
            lines: bill
                .lines
                .iter()
                .map(|l| LineView {
                    description: l.description.clone(),
                    quantity: quantity_text(l.quantity.as_deref(), l.unit.as_deref(), lang),
                    rate: l
                        .rate
                        .as_deref()
                        .map(|rate| rate_text(rate, l.unit.as_deref(), currency, lang)),
                    amount: money(l.amount),
                })
                .collect(),
            comparison: compare(bill, this, currency, lang),
            chart: UsageChart::build(&bill.usage, bill.period_end, lang),
        })
    }
}

/// The average per day, in minor units, rounded half away from zero.
fn per_day(minor: i64, days: i64) -> i64 {
    let days = days.max(1);
    (minor * 2 + minor.signum() * days) / (days * 2)
}

fn signed(minor: i64, currency: Currency, lang: &Lang) -> String {
    let formatted = lang.money(Money { minor, currency });
    if minor > 0 {
        format!("+{formatted}")
    } else {
        formatted
    }
}

fn direction(difference: i64) -> &'static str {
    match difference.signum() {
        1 => "up",
        -1 => "down",
        _ => "same",
    }
}

fn compare(
    bill: &BillRow,
    this: PeriodCharges,
    currency: Currency,
    lang: &Lang,
) -> Option<Comparison> {
    let charges: i64 = bill.lines.iter().map(|l| l.amount).sum();
    let this_days = this.days;
    let fmt = |minor| lang.money(Money { minor, currency });
    let previous = bill.previous.as_deref();
    // Last year's bill, unless it is the previous bill itself (a yearly bill).
    let last_year = bill
        .last_year
        .as_deref()
        .filter(|y| previous.is_none_or(|p| p.period_start != y.period_start));
    let others: Vec<ComparedPeriod> = [
        (previous, "compare-previous-bill", "previous"),
        (last_year, "compare-last-year", "last-year"),
    ]
    .into_iter()
    .filter_map(|(other, label, named)| {
        let other = other?;
        let other_charges: i64 = other.lines.iter().map(|l| l.amount).sum();
        let days = days_in(other.period_start, other.period_end);
        let difference = charges - other_charges;
        let percent = (other_charges != 0).then(|| {
            let pct = difference as f64 * 100.0 / other_charges.unsigned_abs() as f64;
            let shown = lang.formats().percent(pct.abs());
            match pct {
                p if p > 0.0 => format!("+{shown}"),
                p if p < 0.0 => format!("−{shown}"),
                _ => shown,
            }
        });
        let sentence = match difference.signum() {
            1 => lang.t1(
                &format!("compare-more-than-{named}"),
                "difference",
                &fmt(difference),
            ),
            -1 => lang.t1(
                &format!("compare-less-than-{named}"),
                "difference",
                &fmt(-difference),
            ),
            _ => lang.t(&format!("compare-same-as-{named}")).into_owned(),
        };
        let (this_per_day, other_per_day) =
            (per_day(charges, this_days), per_day(other_charges, days));
        let length_note = (days != this_days).then(|| {
            let (this, other) = (fmt(this_per_day), fmt(other_per_day));
            lang.get(
                "compare-length-note",
                &[
                    ("this_days", Arg::Count(this_days)),
                    ("other_days", Arg::Count(days)),
                    ("this_per_day", Arg::Text(&this)),
                    ("other_per_day", Arg::Text(&other)),
                ],
            )
        });
        Some(ComparedPeriod {
            charges: PeriodCharges {
                label: lang.t(label).into_owned(),
                period: lang.period(other.period_start, other.period_end),
                days,
                charges: fmt(other_charges),
                per_day: fmt(other_per_day),
            },
            sentence,
            difference: signed(difference, currency, lang),
            percent,
            direction: direction(difference),
            length_note,
        })
    })
    .collect();
    if others.is_empty() {
        return None;
    }
    let (against, movers_heading) = match previous {
        Some(previous) => (previous, "bill-movers-heading-previous"),
        None => (last_year?, "bill-movers-heading-last-year"),
    };
    Some(Comparison {
        this,
        others,
        movers: movers(&bill.lines, &against.lines, currency, lang),
        movers_heading: lang.t(movers_heading).into_owned(),
    })
}

/// The line items that moved most between `before` and `now`, largest first (at most three).
fn movers(
    now: &[StoredLine],
    before: &[StoredLine],
    currency: Currency,
    lang: &Lang,
) -> Vec<Mover> {
    let fmt = |minor| lang.money(Money { minor, currency });
    let mut scored: Vec<(i64, Mover)> = Vec::new();
    for line in now {
        let earlier = before
            .iter()
            .find(|p| p.description == line.description)
            .map(|p| p.amount);
        let delta = line.amount - earlier.unwrap_or(0);
        scored.push((
            delta,
            Mover {
                description: line.description.clone(),
                previous: earlier.map(fmt),
                current: Some(fmt(line.amount)),
                difference: signed(delta, currency, lang),
                direction: direction(delta),
            },
        ));
    }
    for gone in before
        .iter()
        .filter(|p| !now.iter().any(|l| l.description == p.description))
    {
        scored.push((
            -gone.amount,
            Mover {
                description: gone.description.clone(),
                previous: Some(fmt(gone.amount)),
                current: None,
                difference: signed(-gone.amount, currency, lang),
                direction: direction(-gone.amount),
            },
        ));
    }
    scored.retain(|(delta, _)| *delta != 0);
    scored.sort_by_key(|(delta, _)| std::cmp::Reverse(delta.unsigned_abs()));
    scored.into_iter().take(3).map(|(_, m)| m).collect()
}

impl UsageChart {
    const WIDTH: u32 = 640;
    const HEIGHT: u32 = 200;
    const TOP: u32 = 22;
    const BOTTOM: u32 = 28;
    const MAX_PERIODS: usize = 12;

    fn build(usage: &[StoredUsage], period_end: NaiveDate, lang: &Lang) -> Option<UsageChart> {
        let recent = &usage[usage.len().saturating_sub(Self::MAX_PERIODS)..];
        let values: Vec<f64> = recent
            .iter()
            .map(|u| u.quantity.parse::<f64>().unwrap_or(0.0).max(0.0))
            .collect();
        let max = values.iter().cloned().fold(0.0, f64::max);
        if recent.is_empty() || max <= 0.0 {
            return None;
        }
        let unit = recent
            .last()
            .and_then(|u| u.unit.clone())
            .unwrap_or_default();
        let slot = Self::WIDTH / Self::MAX_PERIODS as u32;
        let bar_width = slot * 3 / 5;
        let plot = Self::HEIGHT - Self::TOP - Self::BOTTOM;
        let offset = (Self::MAX_PERIODS - recent.len()) as u32 * slot;
        let current_period = format!("{:04}-{:02}", period_end.year(), period_end.month());
        let mut previous_year: Option<&str> = None;
        let mut spoken = Vec::with_capacity(recent.len());
        let bars = recent
            .iter()
            .zip(&values)
            .enumerate()
            .map(|(i, (u, value))| {
                let height = ((value / max) * plot as f64).round().max(1.0) as u32;
                let x = offset + i as u32 * slot + (slot - bar_width) / 2;
                let (year, month) = u.period.split_once('-').unwrap_or(("", &u.period));
                let month = month.parse::<u32>().ok().filter(|m| (1..=12).contains(m));
                let year_number = year.parse::<i32>().ok();
                let named = month.zip(year_number);
                let short_name =
                    named.map_or_else(|| u.period.clone(), |(m, y)| lang.formats().month(y, m));
                let month_year = named.map_or_else(
                    || u.period.clone(),
                    |(m, y)| lang.formats().month_year(y, m),
                );
                let label = match previous_year {
                    Some(prev) if prev != year && !year.is_empty() => {
                        format!("{short_name} {}", &year[year.len().saturating_sub(2)..])
                    }
                    _ => short_name,
                };
                previous_year = Some(year);
                let quantity = lang.formats().number(&u.quantity);
                let value = format!("{quantity} {unit}").trim().to_owned();
                spoken.push(lang.t2("chart-summary-item", "period", &month_year, "value", &value));
                Bar {
                    x,
                    y: Self::TOP + plot - height,
                    width: bar_width,
                    height,
                    label_x: x + bar_width / 2,
                    label,
                    period: month_year,
                    quantity,
                    value,
                    is_current: u.period == current_period,
                }
            })
            .collect::<Vec<_>>();
        let values = spoken.join(", ");
        let summary = lang.get(
            "chart-summary",
            &[
                ("count", Arg::Count(bars.len() as i64)),
                ("values", Arg::Text(&values)),
            ],
        );
        Some(UsageChart {
            width: Self::WIDTH,
            height: Self::HEIGHT,
            unit,
            summary,
            bars,
            baseline: Self::TOP + plot,
        })
    }
}
