//! What a link message says, in each channel: the brand, the amount due (or the credit),
//! the due date and the period, and the link.

use askama::Template;

use super::{BillFacts, Delivery, gsm7};
use crate::domain::calendar::{TimeZone, date_text, day_month_text, period_text};
use crate::domain::{Brand, Currency, Money};

/// A link message's facts, written for the customer.
pub struct LinkNote<'a> {
    pub brand: &'a Brand,
    pub name: &'a str,
    pub link: &'a str,
    /// `$142.17`; for a credit, its size.
    pub amount: String,
    pub credit: bool,
    /// `23 Nov 2026`.
    pub due_on: String,
    /// `1 Oct 2026 – 31 Oct 2026`.
    pub period: String,
    /// When the link stops working, in the customer's time zone: `26 Nov 2026 at 14:26 EST
    /// (America/New_York)`.
    pub expires: String,
}

impl<'a> LinkNote<'a> {
    pub fn new(delivery: &'a Delivery, brand: &'a Brand) -> Result<Self, String> {
        let amount = delivery.bill.money()?;
        let zone = TimeZone::or(delivery.timezone.as_deref(), brand.timezone);
        Ok(Self {
            brand,
            name: &delivery.name,
            link: &delivery.link,
            amount: amount.magnitude().to_string(),
            credit: amount.minor < 0,
            due_on: date_text(delivery.bill.due_on),
            period: period_text(delivery.bill.period_start, delivery.bill.period_end),
            expires: zone.time_text(delivery.expires_at),
        })
    }

    /// `Your Acme Energy bill for 1 Oct 2026 – 31 Oct 2026: $142.17 due 23 Nov 2026`.
    pub fn subject(&self) -> String {
        let (brand, period, amount) = (&self.brand.name, &self.period, &self.amount);
        if self.credit {
            format!("Your {brand} bill for {period}: {amount} in credit")
        } else {
            format!(
                "Your {brand} bill for {period}: {amount} due {}",
                self.due_on
            )
        }
    }
}

impl BillFacts {
    /// The amount due, in its currency.
    pub fn money(&self) -> Result<Money, String> {
        Ok(Money {
            minor: self.amount_due,
            currency: Currency::parse(&self.currency)?,
        })
    }
}

/// The plain-text part of a link email.
#[derive(Template)]
#[template(path = "email/link.txt")]
pub struct LinkEmailText<'a> {
    pub note: &'a LinkNote<'a>,
}

/// The HTML part of a link email.
#[derive(Template)]
#[template(path = "email/link.html")]
pub struct LinkEmailHtml<'a> {
    pub note: &'a LinkNote<'a>,
}

/// A link text message: the brand, the amount (or the credit), the due date and the link,
/// in the GSM-7 alphabet. A token link fits two segments, tersely (the token takes about
/// 280 of the 306 characters); a short link (`/s/{code}`) fits one, in a sentence with the
/// opt-out words. A brand too long to fit is shortened (to whole words where it can be),
/// never the link.
#[derive(Template)]
#[template(path = "sms/link.txt")]
pub struct LinkSms<'a> {
    pub brand: &'a str,
    /// `$142.17`, or `1,234.56 PLN` where the symbol is not in the alphabet.
    pub amount: &'a str,
    pub credit: bool,
    /// `23 Nov`.
    pub due_on: &'a str,
    pub link: &'a str,
    /// A short link: one segment, and "Reply STOP to opt out".
    pub short: bool,
}

impl LinkSms<'_> {
    /// The message for `delivery`.
    pub fn compose(delivery: &Delivery, brand: &str) -> Result<String, String> {
        let money = delivery.bill.money()?.magnitude();
        let symbol = money.currency.symbol();
        let amount = match gsm7::septets(&symbol) {
            Some(_) if !symbol.chars().any(|c| c.is_ascii_alphabetic()) => money.to_string(),
            _ => money.with_code(),
        };
        let short = crate::links::short::is_short_link(&delivery.link);
        let limit = if short {
            gsm7::ONE_SEGMENT
        } else {
            gsm7::TWO_SEGMENTS
        };
        let due_on = day_month_text(delivery.bill.due_on);
        let mut brand: Vec<char> = gsm7::basic_only(brand).trim().chars().collect();
        loop {
            let shown: String = brand.iter().collect();
            let body = LinkSms {
                brand: shown.trim_end(),
                amount: &amount,
                credit: delivery.bill.amount_due < 0,
                due_on: &due_on,
                link: &delivery.link,
                short,
            }
            .render()
            .map_err(|e| format!("template: {e}"))?;
            let body = body.trim_end().to_owned();
            let over = gsm7::septets(&body).map_or(0, |n| n.saturating_sub(limit));
            if over == 0 || brand.is_empty() {
                return Ok(body);
            }
            brand.truncate(brand.len().saturating_sub(over));
            // Whole words where one fits: "Northwind Regional", not "Northwind Regio".
            if let Some(space) = brand.iter().rposition(|c| *c == ' ') {
                brand.truncate(space);
            }
        }
    }
}

/// An emailed staff sign-in link (plain text).
#[derive(Template)]
#[template(path = "email/staff_sign_in.txt")]
pub struct StaffSignInEmail<'a> {
    pub brand: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{NaiveDate, Utc};
    use iso_currency::IntoEnumIterator;

    use super::*;
    use crate::domain::{Channel, CustomerId, DeliveryId, LinkId};
    use crate::links::short::ShortCode;
    use crate::tokens::keys::{self, KeyAlgorithm, Keyring};
    use crate::tokens::{Audience, TokenIssuer, TokenSettings};

    /// A 33-character base URL and a 40-character brand, as the product promises to fit.
    const BASE_URL: &str = "https://bills.acme-energy.example";
    const BRAND: &str = "Northwind Regional Power and Water Board";

    /// A real link token, signed with an Ed25519 key, for ids as large as years of cycles
    /// over millions of customers make them.
    fn token_link() -> String {
        let dir = tempfile::tempdir().unwrap();
        keys::generate(dir.path(), KeyAlgorithm::EdDsa).unwrap();
        let keys = Arc::new(Keyring::open(dir.path()).unwrap());
        let settings = TokenSettings {
            issuer: "bp".into(),
        };
        let now = Utc::now();
        let (tokens, _) = TokenIssuer::new(keys, settings)
            .sign_all(
                &[(LinkId(12_345_678_901), CustomerId(98_765_432))],
                Audience {
                    aud: "bill",
                    kid: None,
                },
                now,
                now + chrono::Duration::days(30),
            )
            .unwrap();
        format!("{BASE_URL}/b/{}", tokens[0])
    }

    fn delivery(link: &str, currency: &str, amount_due: i64) -> Delivery {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        Delivery {
            id: DeliveryId(1),
            channel: Channel::Sms,
            destination: "+15550100123".into(),
            link: link.into(),
            name: "Jane Doe".into(),
            expires_at: Utc::now(),
            attempts: 0,
            opted_out: false,
            timezone: None,
            brand: crate::domain::BrandId::default_brand(),
            bill: BillFacts {
                currency: currency.into(),
                amount_due,
                due_on: day(23),
                period_start: day(1),
                period_end: day(30),
            },
        }
    }

    #[test]
    fn every_currency_fits_its_segments_in_gsm7_with_a_long_brand_and_the_whole_link() {
        assert_eq!((BASE_URL.len(), BRAND.len()), (33, 40));
        let token = token_link();
        let short = format!("{BASE_URL}/s/{}", ShortCode::random().as_str());
        for (link, limit) in [(&token, gsm7::TWO_SEGMENTS), (&short, gsm7::ONE_SEGMENT)] {
            let mut longest = (0, String::new());
            // Characters of the brand kept, fewest and most, for a typical bill.
            let mut kept = (usize::MAX, 0);
            // Every currency a bill can be in (not gold, test codes and the like).
            let billable = iso_currency::Currency::iter().filter(|c| c.exponent().is_some());
            for currency in billable {
                let code = currency.code();
                // A typical bill, due and in credit, and the largest a household sees.
                for amount_due in [14_217, -14_217, 99_999_999, -99_999_999] {
                    let text = LinkSms::compose(&delivery(link, code, amount_due), BRAND).unwrap();
                    let septets =
                        gsm7::septets(&text).unwrap_or_else(|| panic!("{code}: not GSM-7: {text}"));
                    assert!(septets <= limit, "{code}: {septets} > {limit}: {text}");
                    assert!(
                        text.contains(link.as_str()),
                        "{code}: the link is whole: {text}"
                    );
                    if link == &short {
                        assert!(text.ends_with("Reply STOP to opt out"), "{text}");
                    }
                    if amount_due.abs() == 14_217 {
                        let brand = text.split_once(": ").map_or(0, |(b, _)| b.len());
                        assert!(BRAND.starts_with(&text[..brand]), "{text}");
                        kept = (kept.0.min(brand), kept.1.max(brand));
                    }
                    if septets > longest.0 {
                        longest = (septets, text);
                    }
                }
            }
            assert!(kept.0 > 0, "a typical bill's message names the brand");
            eprintln!(
                "within {limit}: longest {} septets; brand kept {}-{} of 40 characters: {}",
                longest.0, kept.0, kept.1, longest.1
            );
        }
    }

    #[test]
    fn a_brand_that_fits_is_kept_whole_and_the_amount_reads_naturally() {
        let short = format!("{BASE_URL}/s/{}", ShortCode::random().as_str());
        let text = LinkSms::compose(&delivery(&short, "USD", 14_217), BRAND).unwrap();
        assert_eq!(
            text,
            format!("{BRAND}: your bill of $142.17 is due 23 Nov. {short} Reply STOP to opt out")
        );
        let credit = LinkSms::compose(&delivery(&short, "EUR", -500), "Acme").unwrap();
        assert!(credit.starts_with("Acme: your bill shows a credit of €5.00, nothing to pay."));
        let token = token_link();
        let due = LinkSms::compose(&delivery(&token, "USD", 14_217), "Acme").unwrap();
        assert_eq!(due, format!("Acme: $142.17 due 23 Nov {token}"));
        let rupees = LinkSms::compose(&delivery(&short, "INR", 123_456), "Acme").unwrap();
        assert!(rupees.contains("1,234.56 INR"), "₹ is not GSM-7: {rupees}");
    }
}
