//! What a link message says, in each channel: the brand, the amount due (or the credit),
//! the due date and the period, and the link.

use askama::Template;

use super::{BillFacts, Delivery, gsm7};
use crate::domain::calendar::TimeZone;
use crate::domain::{Brand, Currency, Money};
use crate::i18n::{Arg, Lang, escape};

/// A link message's facts, written for the customer in their language.
pub struct LinkNote<'a> {
    pub brand: &'a Brand,
    pub l: Lang,
    pub name: &'a str,
    pub link: &'a str,
    /// `$142.17`; for a credit, its size.
    pub amount: String,
    pub credit: bool,
    /// `Nov 23, 2026`.
    pub due_on: String,
    /// `Oct 1, 2026 – Oct 31, 2026`.
    pub period: String,
    /// When the link stops working, in the customer's time zone: `Nov 26, 2026 at 2:26 PM
    /// EST (America/New_York)`.
    pub expires: String,
}

impl<'a> LinkNote<'a> {
    pub fn new(delivery: &'a Delivery, brand: &'a Brand) -> Result<Self, String> {
        let amount = delivery.bill.money()?;
        let zone = TimeZone::or(delivery.timezone.as_deref(), brand.timezone);
        let l = Lang::of(&delivery.locale);
        Ok(Self {
            brand,
            name: &delivery.name,
            link: &delivery.link,
            amount: l.money(amount.magnitude()),
            credit: amount.minor < 0,
            due_on: l.date(delivery.bill.due_on),
            period: l.period(delivery.bill.period_start, delivery.bill.period_end),
            expires: l.time(delivery.expires_at, zone),
            l,
        })
    }

    /// `Your Acme Energy bill for Oct 1, 2026 – Oct 31, 2026: $142.17 due Nov 23, 2026`.
    pub fn subject(&self) -> String {
        let id = match self.credit {
            true => "email-subject-credit",
            false => "email-subject-due",
        };
        self.with_facts(id)
    }

    /// The line mail apps show beside the subject.
    pub fn preheader(&self) -> String {
        let id = match self.credit {
            true => "email-preheader-credit",
            false => "email-preheader-due",
        };
        self.with_facts(id)
    }

    /// What is owed or in credit, and by when (`email-due`, `email-credit`); in the HTML
    /// part the figures are `<strong>`.
    pub fn owed(&self, html: bool) -> String {
        let strong = |text: &str| match html {
            true => format!("<strong>{}</strong>", escape(text)),
            false => text.to_owned(),
        };
        let id = match self.credit {
            true => "email-credit",
            false => "email-due",
        };
        let (amount, due_on) = (strong(&self.amount), strong(&self.due_on));
        match html {
            true => self.l.html2(id, "amount", &amount, "due_on", &due_on),
            false => self.l.t2(id, "amount", &amount, "due_on", &due_on),
        }
    }

    /// Message `id` told the brand, period, amount and due date.
    fn with_facts(&self, id: &str) -> String {
        self.l.get(
            id,
            &[
                ("brand", Arg::Text(&self.brand.name)),
                ("period", Arg::Text(&self.period)),
                ("amount", Arg::Text(&self.amount)),
                ("due_on", Arg::Text(&self.due_on)),
            ],
        )
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

impl LinkEmailText<'_> {
    /// `Phone +1 555 010 0100`, one a line.
    fn support_lines(&self) -> Vec<String> {
        let l = &self.note.l;
        let contacts = self.note.brand.contacts();
        contacts
            .into_iter()
            .map(|(kind, value)| format!("{} {value}", l.t(&format!("contact-{kind}"))))
            .collect()
    }
}

/// The HTML part of a link email.
#[derive(Template)]
#[template(path = "email/link.html")]
pub struct LinkEmailHtml<'a> {
    pub note: &'a LinkNote<'a>,
}

impl LinkEmailHtml<'_> {
    /// The brand's colour, or billpass's blue: dark enough for white on it, and for it on
    /// white.
    fn accent(&self) -> String {
        self.note
            .brand
            .colour
            .map_or_else(|| "#0b4f8a".to_owned(), |colour| colour.to_string())
    }
}

/// A link text message, in the customer's language: the brand, the amount (or the credit),
/// the due date and the link, in the GSM-7 alphabet. A token link fits two segments, tersely
/// (the token takes about 280 of the 306 characters); a short link (`/s/{code}`) fits one,
/// in a sentence with the opt-out words. A brand too long to fit is shortened (to whole
/// words where it can be), never the link.
pub struct LinkSms;

impl LinkSms {
    /// The message for `delivery`, from `brand`.
    pub fn compose(delivery: &Delivery, brand: &str) -> Result<String, String> {
        let l = Lang::of(&delivery.locale);
        let money = delivery.bill.money()?.magnitude();
        // The locale's spaces (U+00A0, U+202F) are not in the alphabet; a plain one reads
        // the same. A symbol outside it (`₹`, `￥`), or longer than the code (`F CFA`),
        // gives way to the code.
        let plain = |text: String| text.replace(['\u{a0}', '\u{202f}'], " ");
        let written = plain(l.money(money));
        let number = plain(l.formats().number(&money.decimal()));
        let coded = format!("{number} {}", money.currency.code());
        let amount = match gsm7::septets(&written) {
            Some(n) if n <= coded.len() => written,
            _ => coded,
        };
        let short = crate::links::short::is_short_link(&delivery.link);
        let (limit, id) = match (short, delivery.bill.amount_due < 0) {
            (true, true) => (gsm7::ONE_SEGMENT, "sms-short-credit"),
            (true, false) => (gsm7::ONE_SEGMENT, "sms-short-due"),
            (false, true) => (gsm7::TWO_SEGMENTS, "sms-credit"),
            (false, false) => (gsm7::TWO_SEGMENTS, "sms-due"),
        };
        let due_on = l.formats().numeric_day_month(delivery.bill.due_on);
        let text = l.get(
            id,
            &[
                ("amount", Arg::Text(&amount)),
                ("due_on", Arg::Text(&due_on)),
                ("link", Arg::Text(&delivery.link)),
            ],
        );
        let mut brand: Vec<char> = gsm7::basic_only(brand).trim().chars().collect();
        loop {
            let shown: String = brand.iter().collect();
            let body = match shown.trim_end() {
                "" => text.clone(),
                shown => l.t2("sms-with-brand", "brand", shown, "text", &text),
            };
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
        delivery_in("en-US", link, currency, amount_due)
    }

    fn delivery_in(locale: &str, link: &str, currency: &str, amount_due: i64) -> Delivery {
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
            locale: locale.into(),
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

    /// The customers' languages measured: each catalogue's, one whose words fall back to
    /// English, and one whose locale writes amounts with characters outside GSM-7.
    const LOCALES: [&str; 7] = [
        "en-US", "en-GB", "es-ES", "fr-FR", "de-DE", "ja-JP", "hi-IN",
    ];

    #[test]
    fn every_locale_and_currency_fits_its_segments_in_gsm7_with_a_long_brand_and_the_whole_link() {
        assert_eq!((BASE_URL.len(), BRAND.len()), (33, 40));
        let token = token_link();
        let short = format!("{BASE_URL}/s/{}", ShortCode::random().as_str());
        for locale in LOCALES {
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
                        let delivery = delivery_in(locale, link, code, amount_due);
                        let text = LinkSms::compose(&delivery, BRAND).unwrap();
                        let septets = gsm7::septets(&text)
                            .unwrap_or_else(|| panic!("{locale} {code}: not GSM-7: {text}"));
                        assert!(
                            septets <= limit,
                            "{locale} {code}: {septets} > {limit}: {text}"
                        );
                        assert!(text.contains(link.as_str()), "{locale} {code}: {text}");
                        if link == &short {
                            assert!(text.contains("STOP"), "{locale}: {text}");
                        }
                        if amount_due.abs() == 14_217 {
                            let brand = text.split_once(':').map_or(0, |(b, _)| b.trim_end().len());
                            assert!(BRAND.starts_with(&text[..brand]), "{text}");
                            kept = (kept.0.min(brand), kept.1.max(brand));
                        }
                        if septets > longest.0 {
                            longest = (septets, text);
                        }
                    }
                }
                assert!(
                    kept.0 > 0,
                    "{locale}: a typical bill's message names the brand"
                );
                eprintln!(
                    "{locale} within {limit}: longest {} septets; brand kept {}-{} of 40 characters: {}",
                    longest.0, kept.0, kept.1, longest.1
                );
            }
        }
    }

    #[test]
    fn a_brand_that_fits_is_kept_whole_and_the_amount_reads_naturally() {
        let short = format!("{BASE_URL}/s/{}", ShortCode::random().as_str());
        let text = LinkSms::compose(&delivery(&short, "USD", 14_217), BRAND).unwrap();
        assert_eq!(
            text,
            format!("{BRAND}: your bill of $142.17 is due 11/23. {short} Reply STOP to opt out")
        );
        let credit = LinkSms::compose(&delivery(&short, "EUR", -500), "Acme").unwrap();
        assert!(credit.starts_with("Acme: your bill shows a credit of €5.00, nothing to pay."));
        let token = token_link();
        let due = LinkSms::compose(&delivery(&token, "USD", 14_217), "Acme").unwrap();
        assert_eq!(due, format!("Acme: $142.17 due 11/23 {token}"));
        let rupees = LinkSms::compose(&delivery(&short, "INR", 123_456), "Acme").unwrap();
        assert!(rupees.contains("1,234.56 INR"), "₹ is not GSM-7: {rupees}");
        let german =
            LinkSms::compose(&delivery_in("de-DE", &token, "EUR", 12_166), "Acme").unwrap();
        assert!(
            german.ends_with(&format!(": 121,66 € bis 23.11. {token}")),
            "{german}"
        );
        let french =
            LinkSms::compose(&delivery_in("fr-FR", &token, "EUR", 123_456), "Acme").unwrap();
        assert!(
            french.ends_with(&format!(" : 1 234,56 € au 23/11 {token}")),
            "{french}"
        );
        let yen = LinkSms::compose(&delivery_in("ja-JP", &token, "JPY", 14_422), "Acme").unwrap();
        assert!(
            yen.ends_with(&format!(": 14,422 JPY due 11/23 {token}")),
            "￥ is not GSM-7: {yen}"
        );
    }
}
