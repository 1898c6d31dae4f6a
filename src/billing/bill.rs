//! A bill as the customer sees it: formatted amounts, the comparison with the previous
//! bill and the usage chart, computed from the stored rows.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::domain::{Currency, Money};

/// Everything the bill page shows, already formatted.
#[derive(Debug, Clone)]
pub struct BillView {
    pub customer_name: String,
    /// `•••• 1001`.
    pub masked_account: String,
    pub cycle: String,
    /// `1 Oct 2026 – 31 Oct 2026`.
    pub period: String,
    /// `2 Nov 2026`.
    pub issued_on: String,
    pub due_on: String,
    /// ISO date for `<time datetime>`.
    pub due_on_iso: String,
    pub currency: &'static str,
    /// `$142.17`; a credit shows as `−$12.00`.
    pub amount_due: String,
    /// For a credit (negative amount due): its size, `$12.00`.
    pub credit: Option<String>,
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

#[derive(Debug, Clone)]
pub struct LineView {
    pub description: String,
    /// `612 kWh`, or empty.
    pub quantity: String,
    pub amount: String,
}

/// "What changed" against the customer's previous bill.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// `Oct 2026` period of the previous bill.
    pub previous_period: String,
    pub previous_amount: String,
    /// `+$21.67` / `−$3.10` / `$0.00`.
    pub difference: String,
    /// `+18.0%`, or `None` when the previous amount was zero.
    pub percent: Option<String>,
    /// `up`, `down` or `same`.
    pub direction: &'static str,
    /// Up to three line items that moved most, largest first.
    pub movers: Vec<Mover>,
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
    /// `612 kWh`, shown in the bar's `<title>`.
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
    amount: i64,
}

/// A period's usage as stored.
#[derive(Debug, Clone, Deserialize)]
pub struct StoredUsage {
    period: String,
    quantity: String,
    unit: Option<String>,
}

/// A stored bill with what its page needs of the customer and of their previous bill (the
/// latest one in the same currency that ended before this one began).
pub struct BillRow {
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
    pub previous_period_end: Option<NaiveDate>,
    pub previous_amount_due: Option<i64>,
    pub previous_lines: Option<sqlx::types::Json<Vec<StoredLine>>>,
}

impl BillRow {
    /// The latest bill of the customer with `account`, as its page shows it.
    pub async fn latest(
        conn: &mut sqlx::PgConnection,
        account: &str,
    ) -> sqlx::Result<Option<Self>> {
        sqlx::query_as!(
            BillRow,
            r#"SELECT c.name, c.account_id, b.cycle, b.period_start, b.period_end, b.issued_on,
                      b.due_on, b.currency, b.amount_due, b.previous_balance, b.payments,
                      b.lines AS "lines: sqlx::types::Json<Vec<StoredLine>>",
                      b.usage AS "usage: sqlx::types::Json<Vec<StoredUsage>>",
                      p.period_end AS "previous_period_end?",
                      p.amount_due AS "previous_amount_due?",
                      p.lines AS "previous_lines?: sqlx::types::Json<Vec<StoredLine>>"
               FROM customers c
               JOIN LATERAL (SELECT * FROM bills b WHERE b.customer_id = c.id
                             ORDER BY b.period_end DESC, b.id DESC LIMIT 1) b ON true
               LEFT JOIN LATERAL (SELECT period_end, amount_due, lines FROM bills p
                                  WHERE p.customer_id = b.customer_id
                                    AND p.period_end < b.period_start AND p.currency = b.currency
                                  ORDER BY p.period_end DESC LIMIT 1) p ON true
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

/// What "what changed" compares with.
struct PreviousBill<'a> {
    period_end: NaiveDate,
    amount_due: i64,
    lines: &'a [StoredLine],
}

/// Month names, written out here rather than through chrono's `format`, which parses its
/// pattern on every call: a bill page names up to 30 months. The short name is the first
/// three letters.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `Oct` for `10`.
fn short_month(month: u32) -> &'static str {
    &MONTHS[month as usize - 1][..3]
}

/// `2 Nov 2026`.
fn date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), short_month(d.month()), d.year())
}

impl BillView {
    /// Formats a stored bill for its page.
    pub fn build(bill: &BillRow) -> anyhow::Result<BillView> {
        let previous = match (
            bill.previous_period_end,
            bill.previous_amount_due,
            &bill.previous_lines,
        ) {
            (Some(period_end), Some(amount_due), Some(lines)) => Some(PreviousBill {
                period_end,
                amount_due,
                lines,
            }),
            _ => None,
        };
        let currency = Currency::parse(&bill.currency).map_err(anyhow::Error::msg)?;
        let money = |minor| Money { minor, currency }.to_string();
        let charges: i64 = bill.lines.iter().map(|l| l.amount).sum();
        let adjustments = bill.amount_due - bill.previous_balance - bill.payments - charges;
        let account_tail: String = {
            let chars: Vec<char> = bill.account_id.chars().collect();
            chars[chars.len().saturating_sub(4)..].iter().collect()
        };
        Ok(BillView {
            customer_name: bill.name.clone(),
            masked_account: format!("•••• {account_tail}"),
            cycle: bill.cycle.clone(),
            period: format!("{} – {}", date(bill.period_start), date(bill.period_end)),
            issued_on: date(bill.issued_on),
            due_on: date(bill.due_on),
            due_on_iso: bill.due_on.to_string(),
            currency: currency.code(),
            amount_due: money(bill.amount_due),
            credit: (bill.amount_due < 0).then(|| money(-bill.amount_due)),
            previous_balance: money(bill.previous_balance),
            payments: money(bill.payments),
            current_charges: money(charges),
            adjustments: (adjustments != 0).then(|| money(adjustments)),
            lines: bill
                .lines
                .iter()
                .map(|l| LineView {
                    description: l.description.clone(),
                    quantity: match (&l.quantity, &l.unit) {
                        (Some(q), Some(u)) => format!("{q} {u}"),
                        (Some(q), None) => q.clone(),
                        _ => String::new(),
                    },
                    amount: money(l.amount),
                })
                .collect(),
            comparison: previous.map(|p| compare(bill, &p, currency)),
            chart: UsageChart::build(&bill.usage, bill.period_end),
        })
    }
}

fn signed(minor: i64, currency: Currency) -> String {
    let formatted = Money { minor, currency }.to_string();
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

fn compare(bill: &BillRow, previous: &PreviousBill, currency: Currency) -> Comparison {
    let difference = bill.amount_due - previous.amount_due;
    let percent = (previous.amount_due != 0).then(|| {
        let pct = difference as f64 * 100.0 / previous.amount_due.unsigned_abs() as f64;
        format!("{}{pct:.1}%", if pct > 0.0 { "+" } else { "" })
    });
    let fmt = |minor| Money { minor, currency }.to_string();
    let mut scored: Vec<(i64, Mover)> = Vec::new();
    for line in bill.lines.iter() {
        let before = previous
            .lines
            .iter()
            .find(|p| p.description == line.description)
            .map(|p| p.amount);
        let delta = line.amount - before.unwrap_or(0);
        scored.push((
            delta,
            Mover {
                description: line.description.clone(),
                previous: before.map(fmt),
                current: Some(fmt(line.amount)),
                difference: signed(delta, currency),
                direction: direction(delta),
            },
        ));
    }
    for gone in previous
        .lines
        .iter()
        .filter(|p| !bill.lines.iter().any(|l| l.description == p.description))
    {
        scored.push((
            -gone.amount,
            Mover {
                description: gone.description.clone(),
                previous: Some(fmt(gone.amount)),
                current: None,
                difference: signed(-gone.amount, currency),
                direction: direction(-gone.amount),
            },
        ));
    }
    scored.retain(|(delta, _)| *delta != 0);
    scored.sort_by_key(|(delta, _)| std::cmp::Reverse(delta.unsigned_abs()));
    let movers = scored.into_iter().take(3).map(|(_, m)| m).collect();
    Comparison {
        previous_period: format!(
            "{} {}",
            short_month(previous.period_end.month()),
            previous.period_end.year()
        ),
        previous_amount: fmt(previous.amount_due),
        difference: signed(difference, currency),
        percent,
        direction: direction(difference),
        movers,
    }
}

impl UsageChart {
    const WIDTH: u32 = 640;
    const HEIGHT: u32 = 200;
    const TOP: u32 = 16;
    const BOTTOM: u32 = 28;
    const MAX_PERIODS: usize = 12;

    fn build(usage: &[StoredUsage], period_end: NaiveDate) -> Option<UsageChart> {
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
                let month_name = month.map_or_else(|| u.period.clone(), |m| short_month(m).into());
                let month_name_long =
                    month.map_or_else(|| u.period.clone(), |m| MONTHS[m as usize - 1].into());
                let label = match previous_year {
                    Some(prev) if prev != year && !year.is_empty() => {
                        format!("{month_name} {}", &year[year.len().saturating_sub(2)..])
                    }
                    _ => month_name,
                };
                previous_year = Some(year);
                let value = format!("{} {}", u.quantity, unit).trim().to_owned();
                spoken.push(format!("{month_name_long} {year}: {value}"));
                Bar {
                    x,
                    y: Self::TOP + plot - height,
                    width: bar_width,
                    height,
                    label_x: x + bar_width / 2,
                    label,
                    value,
                    is_current: u.period == current_period,
                }
            })
            .collect::<Vec<_>>();
        let summary = format!(
            "Usage for the last {} periods: {}",
            bars.len(),
            spoken.join(", ")
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
