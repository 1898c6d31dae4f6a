//! Finding customers the way a customer-service rep types them: an account id in any case,
//! part of a name whatever its case and accents, an email address, or a phone number in any
//! common format. Each kind is one indexed query (migration 0007); results are masked as
//! the customer's history masks them.

use sqlx::PgPool;

use crate::domain::{AccountId, BrandId, Channel, PhoneNumber, mask};
use crate::infra::db;

/// The most results a search returns; more means the query should be narrower.
pub const MAX_RESULTS: usize = 50;
/// The longest query taken.
const MAX_LEN: usize = 200;
/// A name is looked for from this many characters on (pg_trgm needs three).
const MIN_NAME_LEN: usize = 3;
/// Digits from which a query without `+` is taken for the end of a phone number.
const MIN_NATIONAL_DIGITS: usize = 6;

/// What a typed query is taken for. A query that could be an account id is also tried as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerQuery {
    /// Has an `@`: a whole email address, any case.
    Email(String),
    /// Starts with `+` or `00`: a whole number in E.164.
    Phone(PhoneNumber),
    /// Digits and the usual separators, no country code (`(555) 010-0123`, `020 7946 0958`):
    /// the number's last digits, without a leading trunk `0`.
    PhoneEnd(String),
    /// Anything else of three characters or more: part of a name, folded (lower case, no
    /// accents) by the database.
    Name(String),
    /// Too short to be anything but an account id.
    AccountOnly,
}

/// Why a query cannot be looked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("type an account number, part of a name, an email address or a phone number")]
    Empty,
    #[error("a search of at most {MAX_LEN} characters expected")]
    TooLong,
    #[error("a search of letters, digits and punctuation expected")]
    Unreadable,
}

/// A query and what it was taken for, and the brand it is narrowed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    text: String,
    kind: CustomerQuery,
    brand: Option<BrandId>,
}

impl Search {
    pub fn parse(raw: &str) -> Result<Self, QueryError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(QueryError::Empty);
        }
        if text.chars().count() > MAX_LEN {
            return Err(QueryError::TooLong);
        }
        if text.chars().any(char::is_control) {
            return Err(QueryError::Unreadable);
        }
        Ok(Self {
            text: text.to_owned(),
            kind: Self::kind_of(text),
            brand: None,
        })
    }

    /// The same search among the customers of `brand` only.
    pub fn of_brand(self, brand: Option<BrandId>) -> Self {
        Self { brand, ..self }
    }

    fn kind_of(text: &str) -> CustomerQuery {
        if text.contains('@') {
            return CustomerQuery::Email(text.to_lowercase());
        }
        let phone_like = text.chars().all(|c| {
            c.is_ascii_digit() || c == '+' || c.is_whitespace() || "-‐‑–—.()/".contains(c)
        });
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        if phone_like && digits.len() >= MIN_NATIONAL_DIGITS {
            if let Ok(phone) = PhoneNumber::parse_typed(text) {
                return CustomerQuery::Phone(phone);
            }
            if !text.starts_with('+') && !digits.starts_with("00") {
                return CustomerQuery::PhoneEnd(digits.trim_start_matches('0').to_owned());
            }
        }
        if text.chars().count() >= MIN_NAME_LEN {
            CustomerQuery::Name(text.to_owned())
        } else {
            CustomerQuery::AccountOnly
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> &CustomerQuery {
        &self.kind
    }
}

/// A customer found, contact details masked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CustomerMatch {
    pub account_id: String,
    pub name: String,
    /// Masked: `j•••@example.com`.
    pub email: Option<String>,
    /// Masked: `•••• 4567`.
    pub phone: Option<String>,
    pub channel: Channel,
    /// The id of the customer's brand (`default` for the default brand).
    #[schema(value_type = String)]
    pub brand: BrandId,
}

/// What a search found: an exact account id first, then the rest by name.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SearchResults {
    pub query: String,
    pub customers: Vec<CustomerMatch>,
    /// More customers matched than the [`MAX_RESULTS`] shown: narrow the search.
    pub truncated: bool,
}

struct Row {
    account_id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    channel: Channel,
    brand_id: Option<String>,
}

impl From<Row> for CustomerMatch {
    fn from(row: Row) -> Self {
        Self {
            account_id: row.account_id,
            name: row.name,
            email: row.email.map(|e| mask(Channel::Email, &e)),
            phone: row.phone.map(|p| mask(Channel::Sms, &p)),
            channel: row.channel,
            brand: BrandId::from_stored(row.brand_id),
        }
    }
}

/// Runs `search`: at most [`MAX_RESULTS`] customers.
pub async fn find(pool: &PgPool, search: &Search) -> sqlx::Result<SearchResults> {
    let limit = MAX_RESULTS as i64 + 1;
    // Every query keeps to the brand asked for, when one is (the default brand is stored
    // as none).
    let narrowed = search.brand.is_some();
    let brand = search.brand.as_ref().and_then(BrandId::stored);
    // Only what could be an account id is looked up as one (no spaces, ASCII).
    let mut rows =
        match AccountId::parse(search.as_str()) {
            Ok(account) => sqlx::query_as!(
                Row,
                r#"SELECT account_id, name, email, phone, channel AS "channel: Channel", brand_id
                   FROM customers WHERE lower(account_id) = lower($1)
                     AND (NOT $2 OR brand_id IS NOT DISTINCT FROM $3)"#,
                account.as_str(),
                narrowed,
                brand,
            )
            .fetch_all(pool)
            .await?,
            Err(_) => Vec::new(),
        };
    let more =
        match search.kind() {
            CustomerQuery::Email(email) => sqlx::query_as!(
                Row,
                r#"SELECT account_id, name, email, phone, channel AS "channel: Channel", brand_id
                   FROM customers WHERE lower(email) = $1 AND email IS NOT NULL
                     AND (NOT $3 OR brand_id IS NOT DISTINCT FROM $4)
                   ORDER BY name, account_id LIMIT $2"#,
                email,
                limit,
                narrowed,
                brand,
            )
            .fetch_all(pool)
            .await?,
            CustomerQuery::Phone(phone) => sqlx::query_as!(
                Row,
                r#"SELECT account_id, name, email, phone, channel AS "channel: Channel", brand_id
                   FROM customers WHERE phone = $1
                     AND (NOT $3 OR brand_id IS NOT DISTINCT FROM $4)
                   ORDER BY name, account_id LIMIT $2"#,
                phone.as_str(),
                limit,
                narrowed,
                brand,
            )
            .fetch_all(pool)
            .await?,
            CustomerQuery::PhoneEnd(digits) => {
                let reversed: String = digits.chars().rev().collect();
                sqlx::query_as!(
                Row,
                r#"SELECT account_id, name, email, phone, channel AS "channel: Channel", brand_id
                   FROM customers
                   WHERE reverse(phone) LIKE $1 || '%' AND phone IS NOT NULL
                     AND (NOT $3 OR brand_id IS NOT DISTINCT FROM $4)
                   ORDER BY name, account_id LIMIT $2"#,
                db::like_literal(&reversed),
                limit,
                narrowed,
                brand,
            )
            .fetch_all(pool)
            .await?
            }
            CustomerQuery::Name(name) => {
                // The first matches the index finds, ranked: ranking every match of a common
                // name would read them all, and past the first 50 the search says to narrow it.
                sqlx::query_as!(
                Row,
                r#"SELECT account_id, name, email, phone, channel AS "channel: Channel", brand_id
                   FROM (SELECT account_id, name, email, phone, channel, name_folded, brand_id
                         FROM customers
                         WHERE name_folded LIKE '%' || billpass_fold($1) || '%'
                           AND (NOT $4 OR brand_id IS NOT DISTINCT FROM $5)
                         LIMIT $3) found
                   ORDER BY similarity(name_folded, billpass_fold($2)) DESC, name, account_id"#,
                db::like_literal(name),
                name,
                limit,
                narrowed,
                brand,
            )
            .fetch_all(pool)
            .await?
            }
            CustomerQuery::AccountOnly => Vec::new(),
        };
    for row in more {
        if !rows.iter().any(|r| r.account_id == row.account_id) {
            rows.push(row);
        }
    }
    let truncated = rows.len() > MAX_RESULTS;
    rows.truncate(MAX_RESULTS);
    Ok(SearchResults {
        query: search.as_str().to_owned(),
        customers: rows.into_iter().map(CustomerMatch::from).collect(),
        truncated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(raw: &str) -> CustomerQuery {
        Search::parse(raw).unwrap().kind
    }

    #[test]
    fn queries_are_taken_for_what_they_look_like() {
        assert_eq!(
            kind(" Ana@Example.COM "),
            CustomerQuery::Email("ana@example.com".into())
        );
        assert_eq!(
            kind("+1 555 010 0123"),
            CustomerQuery::Phone(PhoneNumber::parse("+15550100123").unwrap())
        );
        assert_eq!(
            kind("0044 20 7946 0958"),
            CustomerQuery::Phone(PhoneNumber::parse("+442079460958").unwrap())
        );
        assert_eq!(
            kind("(555) 010-0123"),
            CustomerQuery::PhoneEnd("5550100123".into())
        );
        assert_eq!(
            kind("020 7946 0958"),
            CustomerQuery::PhoneEnd("2079460958".into())
        );
        assert_eq!(kind("zoë"), CustomerQuery::Name("zoë".into()));
        assert_eq!(kind("ACC-1001"), CustomerQuery::Name("ACC-1001".into()));
        assert_eq!(kind("12"), CustomerQuery::AccountOnly);
    }

    #[test]
    fn empty_long_and_control_queries_are_refused() {
        assert_eq!(Search::parse("  "), Err(QueryError::Empty));
        assert_eq!(Search::parse(&"a".repeat(201)), Err(QueryError::TooLong));
        assert_eq!(Search::parse("a\0b"), Err(QueryError::Unreadable));
    }
}
