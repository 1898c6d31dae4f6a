use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

use super::*;

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
