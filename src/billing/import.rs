//! Imports of customers (CSV or JSON Lines) and bills (JSON Lines): all or nothing.
//!
//! Every row is validated first; only a file without errors is written, in batches inside
//! one transaction, with its record in the audit log. Every error is reported as
//! `line N: field: what was expected`.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{BufRead, Read};

use chrono::NaiveDate;
use serde_json::{Map, Value, json};
use sqlx::{PgPool, Postgres, Transaction};

use crate::domain::Actor;
use crate::domain::calendar::{TimeZone, parse_date};
use crate::domain::locale::parse_locale;
use crate::domain::{
    AccountId, BrandId, Channel, Currency, CycleId, EmailAddress, Money, PhoneNumber,
};
use crate::staff::audit::{Action, Record};

const BATCH: usize = 1000;
/// Past this many errors the rest are only counted.
const MAX_ERRORS: usize = 1000;
/// A longer input line is refused without being parsed.
pub const MAX_LINE_BYTES: usize = 256 * 1024;

/// One problem with one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub inserted: u64,
    pub updated: u64,
}

impl ImportSummary {
    /// Records the import, with its counts and `details`, in the audit log, and tells
    /// every instance that bill pages may show something else once it commits.
    async fn record(
        &self,
        tx: &mut Transaction<'_, Postgres>,
        (action, target): (Action, &str),
        mut details: Value,
        by: &Actor,
    ) -> sqlx::Result<()> {
        details["inserted"] = self.inserted.into();
        details["updated"] = self.updated.into();
        Record {
            details,
            ..Record::new(action, target)
        }
        .write(tx, by)
        .await?;
        crate::infra::db::notify(tx, crate::billing::bill::CHANGES_CHANNEL).await
    }
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} bad row(s); nothing was stored", .errors.len() + .more)]
    Rows { errors: Vec<RowError>, more: usize },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Unexpected(e.into())
    }
}

/// The format of a customers file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomerFormat {
    Csv,
    JsonLines,
}

/// Collects row errors, keeping the first [`MAX_ERRORS`].
#[derive(Default)]
struct Errors {
    list: Vec<RowError>,
    more: usize,
}

impl Errors {
    fn push(&mut self, line: u64, field: &str, message: impl Into<String>) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(RowError {
                line,
                field: field.to_owned(),
                message: message.into(),
            });
        } else {
            self.more += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.list.is_empty() && self.more == 0
    }

    /// All the errors so far, by line, as the import's failure.
    fn fail_if_any(&mut self) -> Result<(), ImportError> {
        if self.is_empty() {
            return Ok(());
        }
        let mut errors = std::mem::take(&mut self.list);
        errors.sort_by_key(|e| e.line);
        Err(ImportError::Rows {
            errors,
            more: std::mem::take(&mut self.more),
        })
    }
}

/// Reads JSON Lines, numbering lines from 1; blank lines are skipped.
fn json_lines(
    input: impl BufRead,
    errors: &mut Errors,
    mut row: impl FnMut(u64, Map<String, Value>, &mut Errors),
) -> anyhow::Result<()> {
    let mut reader = input;
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        line += 1;
        let read = (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            return Ok(());
        }
        if buf.len() > MAX_LINE_BYTES && !buf.ends_with(b"\n") {
            errors.push(
                line,
                "line",
                format!("longer than {} KiB", MAX_LINE_BYTES / 1024),
            );
            // Skip the rest of the oversized line.
            loop {
                buf.clear();
                let n = (&mut reader).take(64 * 1024).read_until(b'\n', &mut buf)?;
                if n == 0 || buf.ends_with(b"\n") {
                    break;
                }
            }
            continue;
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(text) => text.trim(),
            Err(_) => {
                errors.push(line, "line", "UTF-8 text expected");
                continue;
            }
        };
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => row(line, map, errors),
            Ok(_) => errors.push(line, "line", "a JSON object expected"),
            Err(e) => errors.push(line, "line", format!("valid JSON expected ({e})")),
        }
    }
}

/// Field access with error reporting for one row.
struct Fields<'a> {
    line: u64,
    row: &'a Map<String, Value>,
    errors: &'a mut Errors,
    /// Path of a nested object, such as `lines[2].`.
    prefix: String,
    ok: bool,
}

impl<'a> Fields<'a> {
    fn new(line: u64, row: &'a Map<String, Value>, errors: &'a mut Errors) -> Self {
        Self {
            line,
            row,
            errors,
            prefix: String::new(),
            ok: true,
        }
    }

    fn error(&mut self, field: &str, message: impl Into<String>) {
        self.ok = false;
        self.errors
            .push(self.line, &format!("{}{field}", self.prefix), message);
    }

    /// A text field; `null`, absent or blank is `None`.
    fn text(&mut self, field: &str) -> Option<String> {
        match self.row.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(_)) => {
                self.error(
                    field,
                    "a string expected, not a number (write amounts as \"142.17\")",
                );
                None
            }
            Some(_) => {
                self.error(field, "a string expected");
                None
            }
        }
    }

    fn required(&mut self, field: &str) -> Option<String> {
        let value = self.text(field);
        if value.is_none()
            && !self
                .row
                .get(field)
                .is_some_and(|v| !v.is_string() && !v.is_null())
        {
            self.error(field, "a value is required");
        }
        value
    }

    fn parsed<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.required(field)?;
        parse(&raw).map_err(|e| self.error(field, e)).ok()
    }

    fn optional<T>(
        &mut self,
        field: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.text(field)?;
        parse(&raw).map_err(|e| self.error(field, e)).ok()
    }
}

#[derive(Debug)]
struct CustomerRow {
    line: u64,
    account_id: AccountId,
    name: String,
    email: Option<EmailAddress>,
    phone: Option<PhoneNumber>,
    channel: Channel,
    locale: String,
    /// An IANA name; `None`: the deployment's time zone.
    timezone: Option<String>,
    brand: BrandId,
}

fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err("a name of at most 200 printable characters expected".into());
    }
    Ok(name.to_owned())
}

fn parse_customer(line: u64, row: &Map<String, Value>, errors: &mut Errors) -> Option<CustomerRow> {
    let mut f = Fields::new(line, row, errors);
    let account_id = f.parsed("account_id", AccountId::parse);
    let name = f.parsed("name", parse_name);
    let email = f.optional("email", EmailAddress::parse);
    let phone = f.optional("phone", PhoneNumber::parse);
    let email_given = f
        .row
        .get("email")
        .is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()));
    let phone_given = f
        .row
        .get("phone")
        .is_some_and(|v| v.as_str().is_some_and(|s| !s.trim().is_empty()));
    let channel = f.optional("channel", |raw| raw.trim().parse::<Channel>());
    let locale = f
        .optional("locale", parse_locale)
        .unwrap_or_else(|| "en".into());
    let timezone = f.optional("timezone", |raw| {
        TimeZone::parse(raw).map(|zone| zone.name().to_owned())
    });
    let brand = f
        .optional("brand", BrandId::parse)
        .unwrap_or_else(BrandId::default_brand);
    if !email_given && !phone_given {
        f.error("email", "an email address or a phone number is required");
    }
    let channel = match channel {
        Some(Channel::Email) if !email_given => {
            f.error("channel", "`email` needs an email address on the row");
            None
        }
        Some(Channel::Sms) if !phone_given => {
            f.error("channel", "`sms` needs a phone number on the row");
            None
        }
        Some(channel) => Some(channel),
        None if email_given => Some(Channel::Email),
        None => Some(Channel::Sms),
    };
    if !f.ok {
        return None;
    }
    Some(CustomerRow {
        line,
        account_id: account_id?,
        name: name?,
        email,
        phone,
        channel: channel?,
        locale,
        timezone,
        brand,
    })
}

/// Reads CSV rows as maps of header → value.
fn csv_rows(
    input: impl std::io::Read,
    errors: &mut Errors,
    mut row: impl FnMut(u64, Map<String, Value>, &mut Errors),
) -> anyhow::Result<()> {
    // Rows end at `\n`, and a `\r` before it is trimmed off: with csv's CRLF handling, the
    // line numbers of files written by Excel or Python came out one too low.
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(input);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(1, "header", format!("a CSV header row expected ({e})"));
            return Ok(());
        }
    };
    // An empty file holds no customers: nothing to import, and nothing wrong.
    if headers.iter().all(|h| h.trim().is_empty()) && reader.is_done() {
        return Ok(());
    }
    let expected = ["account_id", "name", "email", "phone", "channel", "locale"];
    for column in expected {
        if !headers.iter().any(|h| h.trim() == column) {
            errors.push(
                1,
                "header",
                format!(
                    "a `{column}` column expected (header: {})",
                    expected.join(",")
                ),
            );
        }
    }
    if !errors.is_empty() {
        return Ok(());
    }
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = record.position().map_or(line, |p| p.line());
                if record.as_slice().len() > MAX_LINE_BYTES {
                    errors.push(
                        line,
                        "line",
                        format!("longer than {} KiB", MAX_LINE_BYTES / 1024),
                    );
                    continue;
                }
                let map = headers
                    .iter()
                    .zip(record.iter())
                    .map(|(h, v)| {
                        let v = v.strip_suffix('\r').unwrap_or(v);
                        (h.trim().to_owned(), Value::String(v.to_owned()))
                    })
                    .collect();
                row(line, map, errors);
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!("{expected_len} columns expected, found {len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => "UTF-8 text expected".into(),
                    _ => format!("valid CSV expected ({e})"),
                };
                errors.push(line, "line", message);
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                ) {
                    return Ok(());
                }
            }
        }
    }
}

/// Customers read and checked, ready to be stored.
#[derive(Debug)]
pub struct Customers(Vec<CustomerRow>);

impl Customers {
    /// Reads and checks every row; any bad row fails the whole import. Blocking: give it a
    /// thread of its own when the input is slow.
    pub fn parse(format: CustomerFormat, input: impl BufRead) -> Result<Self, ImportError> {
        let mut errors = Errors::default();
        let mut rows = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut collect = |line: u64, map: Map<String, Value>, errors: &mut Errors| {
            if let Some(row) = parse_customer(line, &map, errors) {
                if let Some(first) = seen.insert(row.account_id.as_str().to_owned(), line) {
                    errors.push(
                        line,
                        "account_id",
                        format!("{} is also on line {first}", row.account_id),
                    );
                } else {
                    rows.push(row);
                }
            }
        };
        // Duplicates across the whole file must be found before anything is written.
        match format {
            CustomerFormat::Csv => csv_rows(input, &mut errors, |line, map, errors| {
                collect(line, map, errors)
            })?,
            CustomerFormat::JsonLines => json_lines(input, &mut errors, |line, map, errors| {
                collect(line, map, errors)
            })?,
        }
        errors.fail_if_any()?;
        Ok(Self(rows))
    }

    /// Upserts them all in one transaction, recorded in the audit log as `by`'s; a
    /// customer of an unknown brand fails the whole import.
    pub async fn store(self, pool: &PgPool, by: &Actor) -> Result<ImportSummary, ImportError> {
        let mut tx = crate::infra::db::begin(pool).await?;
        let known = sqlx::query_scalar!("SELECT id FROM brands")
            .fetch_all(&mut *tx)
            .await?;
        let mut errors = Errors::default();
        for row in &self.0 {
            if let Some(brand) = row.brand.stored()
                && !known.iter().any(|id| id == brand)
            {
                errors.push(
                    row.line,
                    "brand",
                    format!("no brand `{brand}`: add it with `billpass brands add` first"),
                );
            }
        }
        errors.fail_if_any()?;
        let mut summary = ImportSummary::default();
        for batch in self.0.chunks(BATCH) {
            add(&mut summary, upsert_customers(&mut tx, batch).await?);
        }
        summary
            .record(
                &mut tx,
                (Action::CustomersImport, "customers"),
                json!({}),
                by,
            )
            .await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// Imports customers; all or nothing.
pub async fn customers(
    pool: &PgPool,
    format: CustomerFormat,
    input: impl BufRead,
    by: &Actor,
) -> Result<ImportSummary, ImportError> {
    Customers::parse(format, input)?.store(pool, by).await
}

fn add(summary: &mut ImportSummary, inserted: Vec<bool>) {
    for was_inserted in inserted {
        if was_inserted {
            summary.inserted += 1;
        } else {
            summary.updated += 1;
        }
    }
}

async fn upsert_customers(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[CustomerRow],
) -> sqlx::Result<Vec<bool>> {
    fn column<T>(rows: &[CustomerRow], f: impl Fn(&CustomerRow) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    sqlx::query_scalar!(
        r#"INSERT INTO customers (account_id, name, email, phone, channel, locale, timezone, brand_id)
           SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                                $7::text[], $8::text[])
           ON CONFLICT (account_id) DO UPDATE SET
               name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone,
               channel = EXCLUDED.channel, locale = EXCLUDED.locale,
               timezone = EXCLUDED.timezone, brand_id = EXCLUDED.brand_id, updated_at = now(),
               sms_opted_out_at = CASE WHEN customers.phone IS DISTINCT FROM EXCLUDED.phone
                                       THEN NULL ELSE customers.sms_opted_out_at END
           RETURNING (xmax = 0) AS "inserted!""#,
        &column(rows, |r| r.account_id.as_str().to_owned()),
        &column(rows, |r| r.name.clone()),
        &column(rows, |r| r.email.as_ref().map(|e| e.as_str().to_owned())) as &[Option<String>],
        &column(rows, |r| r.phone.as_ref().map(|p| p.as_str().to_owned())) as &[Option<String>],
        &column(rows, |r| r.channel.as_str().to_owned()),
        &column(rows, |r| r.locale.clone()),
        &column(rows, |r| r.timezone.clone()) as &[Option<String>],
        &column(rows, |r| r.brand.stored().map(str::to_owned)) as &[Option<String>],
    )
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug)]
struct BillRow {
    line: u64,
    account_id: AccountId,
    cycle: CycleId,
    period_start: NaiveDate,
    period_end: NaiveDate,
    issued_on: NaiveDate,
    due_on: NaiveDate,
    currency: Currency,
    amount_due: Money,
    previous_balance: Money,
    payments: Money,
    lines: Value,
    usage: Value,
}

/// Whether `raw` is a decimal string (`612`, `-1.5`) with at most `whole_max` digits before
/// the point and `fraction_max` after it.
fn is_decimal(raw: &str, whole_max: usize, fraction_max: usize) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    !whole.is_empty()
        && whole.len() <= whole_max
        && fraction.is_none_or(|f| !f.is_empty() && f.len() <= fraction_max)
        && whole
            .bytes()
            .chain(fraction.unwrap_or_default().bytes())
            .all(|b| b.is_ascii_digit())
}

fn parse_quantity(raw: &str) -> Result<String, String> {
    if raw.len() <= 24 && is_decimal(raw, 24, 24) {
        Ok(raw.to_owned())
    } else {
        Err("a decimal string like \"612\" or \"1.5\" expected".into())
    }
}

/// A price per unit: at most 6 decimals (`0.1608`, `-2.5`).
fn parse_rate(raw: &str) -> Result<String, String> {
    if is_decimal(raw, 9, 6) {
        Ok(raw.to_owned())
    } else {
        Err(
            "a price per unit as a decimal string like \"0.1608\" (at most 6 decimals) expected"
                .into(),
        )
    }
}

fn parse_short_text(max: usize) -> impl Fn(&str) -> Result<String, String> {
    move |raw| {
        if raw.chars().count() > max || raw.chars().any(char::is_control) {
            Err(format!("at most {max} printable characters expected"))
        } else {
            Ok(raw.trim().to_owned())
        }
    }
}

/// Parses an array field of objects with `parse_item` for each element.
fn array_field(
    f: &mut Fields<'_>,
    field: &str,
    max: usize,
    mut parse_item: impl FnMut(&mut Fields<'_>) -> Option<Value>,
) -> Option<Value> {
    let items = match f.row.get(field) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => {
            f.error(field, "an array expected");
            return None;
        }
    };
    if items.len() > max {
        f.error(field, format!("at most {max} entries expected"));
        return None;
    }
    let mut parsed = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let name = format!("{field}[{i}]");
        let Value::Object(map) = item else {
            f.error(&name, "an object expected");
            continue;
        };
        let mut inner = Fields::new(f.line, map, f.errors);
        inner.prefix = format!("{name}.");
        let value = parse_item(&mut inner);
        f.ok &= inner.ok;
        parsed.extend(value);
    }
    Some(Value::Array(parsed))
}

fn parse_bill(line: u64, row: &Map<String, Value>, errors: &mut Errors) -> Option<BillRow> {
    let mut f = Fields::new(line, row, errors);
    let account_id = f.parsed("account_id", AccountId::parse);
    let cycle = f.parsed("cycle", CycleId::parse);
    let period_start = f.parsed("period_start", parse_date);
    let period_end = f.parsed("period_end", parse_date);
    let issued_on = f.parsed("issued_on", parse_date);
    let due_on = f.parsed("due_on", parse_date);
    let currency = f.parsed("currency", Currency::parse);
    let money = |f: &mut Fields<'_>, field: &str| {
        currency.and_then(|c| f.parsed(field, |raw| Money::parse(raw, c)))
    };
    let amount_due = money(&mut f, "amount_due");
    let previous_balance = money(&mut f, "previous_balance");
    let payments = money(&mut f, "payments");
    let lines = array_field(&mut f, "lines", 200, |item| {
        let description = item.parsed("description", parse_short_text(200));
        let quantity = item.optional("quantity", parse_quantity);
        let unit = item.optional("unit", parse_short_text(16));
        let rate = item.optional("rate", parse_rate);
        let amount = currency.and_then(|c| item.parsed("amount", |raw| Money::parse(raw, c)));
        Some(serde_json::json!({
            "description": description?,
            "quantity": quantity,
            "unit": unit,
            "rate": rate,
            "amount": amount?.minor,
        }))
    });
    let usage = array_field(&mut f, "usage", 36, |item| {
        let period = item.parsed("period", parse_short_text(16));
        let quantity = item.parsed("quantity", parse_quantity);
        let unit = item.optional("unit", parse_short_text(16));
        Some(serde_json::json!({ "period": period?, "quantity": quantity?, "unit": unit }))
    });
    if let (Some(start), Some(end)) = (period_start, period_end)
        && start > end
    {
        f.error("period_end", "a date on or after period_start expected");
    }
    if let (Some(issued), Some(due)) = (issued_on, due_on)
        && due < issued
    {
        f.error("due_on", "a date on or after issued_on expected");
    }
    if !f.ok {
        return None;
    }
    Some(BillRow {
        line,
        account_id: account_id?,
        cycle: cycle?,
        period_start: period_start?,
        period_end: period_end?,
        issued_on: issued_on?,
        due_on: due_on?,
        currency: currency?,
        amount_due: amount_due?,
        previous_balance: previous_balance?,
        payments: payments?,
        lines: lines?,
        usage: usage?,
    })
}

/// Bills read and checked, ready to be stored.
#[derive(Debug)]
pub struct Bills(Vec<BillRow>);

impl Bills {
    /// Reads and checks every line; any bad line fails the whole import. Blocking, as
    /// [`Customers::parse`] is.
    pub fn parse(input: impl BufRead) -> Result<Self, ImportError> {
        let mut errors = Errors::default();
        let mut rows = Vec::new();
        let mut seen: HashMap<(String, String), u64> = HashMap::new();
        json_lines(input, &mut errors, |line, map, errors| {
            if let Some(bill) = parse_bill(line, &map, errors) {
                let key = (
                    bill.account_id.as_str().to_owned(),
                    bill.cycle.as_str().to_owned(),
                );
                if let Some(first) = seen.insert(key, line) {
                    errors.push(
                        line,
                        "cycle",
                        format!(
                            "a bill for {} in {} is also on line {first}",
                            bill.account_id, bill.cycle
                        ),
                    );
                } else {
                    rows.push(bill);
                }
            }
        })?;
        errors.fail_if_any()?;
        Ok(Self(rows))
    }

    /// Upserts them all in one transaction, recorded in the audit log as `by`'s; a bill
    /// for an unknown customer fails the whole import.
    pub async fn store(self, pool: &PgPool, by: &Actor) -> Result<ImportSummary, ImportError> {
        let mut errors = Errors::default();
        let mut tx = crate::infra::db::begin(pool).await?;
        let mut summary = ImportSummary::default();
        for batch in self.0.chunks(BATCH) {
            let accounts: Vec<String> = batch
                .iter()
                .map(|b| b.account_id.as_str().to_owned())
                .collect();
            let known = sqlx::query_scalar!(
                "SELECT account_id FROM customers WHERE account_id = ANY($1)",
                &accounts
            )
            .fetch_all(&mut *tx)
            .await?;
            for bill in batch
                .iter()
                .filter(|b| !known.iter().any(|k| k == b.account_id.as_str()))
            {
                errors.push(
                    bill.line,
                    "account_id",
                    format!("no customer {}: import customers first", bill.account_id),
                );
            }
            if errors.is_empty() {
                add(&mut summary, upsert_bills(&mut tx, batch).await?);
            }
        }
        errors.fail_if_any()?;
        let cycles: BTreeSet<&str> = self.0.iter().map(|b| b.cycle.as_str()).collect();
        summary
            .record(
                &mut tx,
                (Action::BillsImport, "bills"),
                json!({ "cycles": cycles }),
                by,
            )
            .await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// Imports bills (JSON Lines); all or nothing. Re-importing a bill for the same account
/// and cycle replaces it.
pub async fn bills(
    pool: &PgPool,
    input: impl BufRead,
    by: &Actor,
) -> Result<ImportSummary, ImportError> {
    Bills::parse(input)?.store(pool, by).await
}

async fn upsert_bills(
    tx: &mut Transaction<'_, Postgres>,
    rows: &[BillRow],
) -> sqlx::Result<Vec<bool>> {
    fn col<T>(rows: &[BillRow], f: impl Fn(&BillRow) -> T) -> Vec<T> {
        rows.iter().map(f).collect()
    }
    sqlx::query_scalar!(
        r#"INSERT INTO bills (customer_id, cycle, period_start, period_end, issued_on, due_on,
                              currency, amount_due, previous_balance, payments, lines, usage)
           SELECT c.id, u.cycle, u.period_start, u.period_end, u.issued_on, u.due_on, u.currency,
                  u.amount_due, u.previous_balance, u.payments, u.lines::jsonb, u.usage::jsonb
           FROM UNNEST($1::text[], $2::text[], $3::date[], $4::date[], $5::date[], $6::date[],
                       $7::text[], $8::int8[], $9::int8[], $10::int8[], $11::text[], $12::text[])
                AS u(account_id, cycle, period_start, period_end, issued_on, due_on, currency,
                     amount_due, previous_balance, payments, lines, usage)
           JOIN customers c ON c.account_id = u.account_id
           ON CONFLICT (customer_id, cycle) DO UPDATE SET
               period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
               issued_on = EXCLUDED.issued_on, due_on = EXCLUDED.due_on,
               currency = EXCLUDED.currency, amount_due = EXCLUDED.amount_due,
               previous_balance = EXCLUDED.previous_balance, payments = EXCLUDED.payments,
               lines = EXCLUDED.lines, usage = EXCLUDED.usage, imported_at = now()
           RETURNING (xmax = 0) AS "inserted!""#,
        &col(rows, |b| b.account_id.as_str().to_owned()),
        &col(rows, |b| b.cycle.as_str().to_owned()),
        &col(rows, |b| b.period_start),
        &col(rows, |b| b.period_end),
        &col(rows, |b| b.issued_on),
        &col(rows, |b| b.due_on),
        &col(rows, |b| b.currency.code().to_owned()),
        &col(rows, |b| b.amount_due.minor),
        &col(rows, |b| b.previous_balance.minor),
        &col(rows, |b| b.payments.minor),
        &col(rows, |b| b.lines.to_string()),
        &col(rows, |b| b.usage.to_string()),
    )
    .fetch_all(&mut **tx)
    .await
}

/// Guesses the format of a customers file from its name, then its first byte.
pub fn customer_format(path: &std::path::Path, first_byte: Option<u8>) -> CustomerFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some("csv") => CustomerFormat::Csv,
        Some("jsonl" | "ndjson" | "json") => CustomerFormat::JsonLines,
        _ if first_byte == Some(b'{') => CustomerFormat::JsonLines,
        _ => CustomerFormat::Csv,
    }
}
