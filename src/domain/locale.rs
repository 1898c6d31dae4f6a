//! Language tags, as customers and brands carry them.

/// A BCP 47 language tag like `en`, `en-US` or `de-DE` (`_` read as `-`).
pub fn parse_locale(raw: &str) -> Result<String, String> {
    let mut parts = raw.split(['-', '_']);
    let language = parts.next().unwrap_or("");
    let ok = raw.len() <= 35
        && (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if ok {
        Ok(raw.replace('_', "-"))
    } else {
        Err("a language tag like en, en-US or de-DE expected".into())
    }
}
