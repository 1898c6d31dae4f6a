use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;
use crate::domain::Currency;

/// Each message of a catalogue, with the variables it uses.
fn messages(code: &str) -> BTreeMap<String, BTreeSet<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{code}/customer.ftl"));
    let text = std::fs::read_to_string(&path).unwrap();
    let resource = fluent_syntax::parser::parse(text.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            Entry::Message(message) => {
                let mut variables = BTreeSet::new();
                if let Some(pattern) = &message.value {
                    variables_of(pattern, &mut variables);
                }
                Some((message.id.name.to_owned(), variables))
            }
            _ => None,
        })
        .collect()
}

fn variables_of(pattern: &Pattern<&str>, into: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, into);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, into: &mut BTreeSet<String>) {
    let inline = |e: &InlineExpression<&str>, into: &mut BTreeSet<String>| match e {
        InlineExpression::VariableReference { id } => {
            into.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, into),
        _ => {}
    };
    match expression {
        Expression::Inline(e) => inline(e, into),
        Expression::Select { selector, variants } => {
            inline(selector, into);
            for variant in variants {
                variables_of(&variant.value, into);
            }
        }
    }
}

#[test]
fn every_catalogue_has_every_message_with_the_same_values() {
    let english = messages("en");
    assert!(english.len() > 200, "{} messages", english.len());
    for (code, _) in LANGUAGES {
        let catalogue = messages(code);
        let missing: Vec<&String> = english
            .keys()
            .filter(|id| !catalogue.contains_key(*id))
            .collect();
        assert!(missing.is_empty(), "{code} lacks {missing:?}");
        let extra: Vec<&String> = catalogue
            .keys()
            .filter(|id| !english.contains_key(*id))
            .collect();
        assert!(
            extra.is_empty(),
            "{code} has messages English lacks: {extra:?}"
        );
        for (id, variables) in &english {
            assert_eq!(&catalogue[id], variables, "{code} {id} uses other values");
        }
    }
}

#[test]
fn no_message_holds_markup() {
    for (code, _) in LANGUAGES {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("locales/{code}/customer.ftl"));
        for (i, line) in std::fs::read_to_string(path).unwrap().lines().enumerate() {
            // `->` is Fluent's own: it chooses a variant.
            let words = line.replace("->", "");
            if !line.starts_with('#') {
                assert!(!words.contains(['<', '>', '&']), "{code}:{}: {line}", i + 1);
            }
        }
    }
}

#[test]
fn a_language_without_a_catalogue_reads_english() {
    for (tag, code) in [
        ("de-DE", "de"),
        ("es_US", "es"),
        ("FR-fr", "fr"),
        ("ja-JP", "en"),
        ("en-GB", "en"),
        ("", "en"),
        ("zz", "en"),
    ] {
        assert_eq!(Lang::of(tag).code(), code, "{tag}");
    }
    assert_eq!(Lang::first_of(["ja-JP", "fr-CA"]).code(), "fr");
    assert_eq!(Lang::first_of(["ja-JP"]).code(), "en");
    assert_eq!(
        Lang::of("de-DE").t("view-my-bill"),
        "Meine Rechnung ansehen"
    );
}

#[test]
fn plurals_take_counts_and_html_messages_escape_their_words() {
    let en = Lang::of("en-US");
    assert_eq!(en.count("bill-days", 1), "1 day");
    assert_eq!(en.count("bill-days", 31), "31 days");
    let page = en.html1b(
        "get-link-sent-nothing",
        "link",
        &en.link("/link", "get-link-try-another"),
        "<b>Acme</b>",
    );
    assert!(
        page.starts_with("Nothing after a few minutes? <a href=\"/link\">Try another address</a>"),
        "{page}"
    );
    assert!(page.contains("&#60;b&#62;Acme"), "{page}");
}

#[test]
fn times_are_written_in_the_customers_language_and_zone() {
    let at = "2026-11-24T19:26:00Z".parse::<DateTime<Utc>>().unwrap();
    let new_york = TimeZone::parse("America/New_York").unwrap();
    assert_eq!(
        Lang::of("en-US").time(at, new_york),
        "Nov 24, 2026 at 2:26\u{202f}PM EST (America/New_York)"
    );
    let berlin = TimeZone::parse("Europe/Berlin").unwrap();
    assert_eq!(
        Lang::of("de-DE").time(at, berlin),
        "24.11.2026 um 20:26 CET (Europe/Berlin)"
    );
}

#[test]
fn money_is_written_as_the_locale_writes_it() {
    let eur = |minor| Money {
        minor,
        currency: Currency::parse("EUR").unwrap(),
    };
    assert_eq!(Lang::of("de-DE").money(eur(12_166)), "121,66\u{a0}€");
    assert_eq!(
        Lang::of("fr-FR").money(eur(123_456)),
        "1\u{202f}234,56\u{a0}€"
    );
    let usd = Money {
        minor: 123_456,
        currency: Currency::parse("USD").unwrap(),
    };
    assert_eq!(Lang::of("en-US").money(usd), "$1,234.56");
    let jpy = Money {
        minor: 14_422,
        currency: Currency::parse("JPY").unwrap(),
    };
    assert_eq!(Lang::of("ja-JP").money(jpy), "￥14,422");
    // A rate finer than the currency's unit keeps every digit.
    let usd_rate = Lang::of("en-US")
        .formats()
        .amount("0.1608", Currency::parse("USD").unwrap());
    assert_eq!(usd_rate.as_deref(), Some("$0.1608"));
    let eur_rate = Lang::of("de-DE")
        .formats()
        .amount("0.3290", Currency::parse("EUR").unwrap());
    assert_eq!(eur_rate.as_deref(), Some("0,3290\u{a0}€"));
    // An unknown language is written as English is, never CLDR's root.
    assert_eq!(Lang::of("xx-YY").money(usd), "$1,234.56");
}

#[test]
fn money_reads_as_icus_currency_formatter_writes_it_in_every_locale_and_currency() {
    use icu_experimental::dimension::currency::CurrencyType;
    use icu_experimental::dimension::currency::formatter::CurrencyFormatter;
    use iso_currency::IntoEnumIterator;

    let billable = iso_currency::Currency::iter().filter(|c| c.exponent().is_some());
    let currencies: Vec<Currency> = billable
        .map(|c| Currency::parse(c.code()).unwrap())
        .collect();
    for language in format::FORMATTED_LANGUAGES {
        let formats = Formats::of(language);
        let locale: icu_locale_core::Locale = language.parse().unwrap();
        for &currency in &currencies {
            let code = CurrencyType::try_from_str(currency.code()).unwrap();
            let Ok(icu) =
                CurrencyFormatter::try_new_symbol((&locale).into(), code, Default::default())
                    .or_else(|_| {
                        CurrencyFormatter::try_new_code((&locale).into(), code, Default::default())
                    })
            else {
                continue;
            };
            for minor in [0, 1, -1, 12_345, -12_345, 123_456_789, -99_999_999_999] {
                let money = Money { minor, currency };
                let mut value: fixed_decimal::Decimal = money.decimal().parse().unwrap();
                value.pad_end(-(currency.exponent() as i16));
                let expected = icu.format_fixed_decimal(&value).to_string();
                assert_eq!(formats.money(money), expected, "{language} {money:?}");
            }
        }
    }
}
