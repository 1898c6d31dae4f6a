//! The customer's language: every word they read comes from the Fluent catalogues in
//! `locales/` (English, Spanish, French, German), and numbers, money and dates are written
//! by ICU4X for their locale. A customer whose language has no catalogue reads English, with
//! numbers and dates still in their own locale's way (`ja-JP`: English words, `￥14,422`).

mod format;

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, LazyLock};

use chrono::{DateTime, NaiveDate, Utc};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

pub use format::Formats;

use crate::domain::Money;
use crate::domain::calendar::TimeZone;

/// The languages with a catalogue, by code, with their own names for the language links.
/// English, the first, is the one a message missing from another catalogue is read in.
pub const LANGUAGES: [(&str, &str); 4] = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
];

/// The catalogues, compiled in, in the order of [`LANGUAGES`].
const SOURCES: [&str; 4] = [
    include_str!("../../locales/en/customer.ftl"),
    include_str!("../../locales/es/customer.ftl"),
    include_str!("../../locales/fr/customer.ftl"),
    include_str!("../../locales/de/customer.ftl"),
];

/// Each language's catalogue, parsed once, in the order of [`LANGUAGES`].
static CATALOGUES: LazyLock<Vec<FluentBundle<FluentResource>>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .zip(SOURCES)
        .map(|((code, _), source)| {
            let resource = FluentResource::try_new(source.to_owned())
                .unwrap_or_else(|(_, errors)| panic!("locales/{code}: {errors:?}"));
            let id = code
                .parse()
                .expect("a catalogue's code is a language identifier");
            let mut bundle = FluentBundle::new_concurrent(vec![id]);
            // Text messages count every character: no Unicode isolation marks around values.
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .unwrap_or_else(|errors| panic!("locales/{code}: {errors:?}"));
            bundle
        })
        .collect()
});

/// A customer's language: the catalogue of their words, and the locale their numbers and
/// dates are written in.
#[derive(Clone)]
pub struct Lang {
    /// Its place in [`LANGUAGES`] and [`CATALOGUES`].
    index: usize,
    formats: Arc<Formats>,
}

impl fmt::Debug for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lang({}, {})", self.code(), self.formats.locale())
    }
}

impl Default for Lang {
    fn default() -> Self {
        Self::of("en")
    }
}

/// A value a message is given: text, or a count that chooses the plural.
pub enum Arg<'a> {
    Text(&'a str),
    Count(i64),
}

impl Lang {
    /// The language of `tag` (`de-DE`, `es_US`, `ja-JP`): its catalogue when there is one,
    /// else English; numbers and dates by the tag's own locale when ICU4X knows its language.
    pub fn of(tag: &str) -> Self {
        let index = catalogue_of(tag).unwrap_or(0);
        Self {
            index,
            formats: Formats::of(tag),
        }
    }

    /// The first of `tags` with a catalogue; else the first one (English words in its
    /// locale's formats); else English.
    pub fn first_of<'a>(tags: impl IntoIterator<Item = &'a str>) -> Self {
        let tags: Vec<&str> = tags.into_iter().filter(|t| !t.is_empty()).collect();
        let tag = tags
            .iter()
            .find(|tag| catalogue_of(tag).is_some())
            .or(tags.first());
        tag.map_or_else(Self::default, |tag| Self::of(tag))
    }

    /// `en`, `es`, `fr` or `de`: the language of the words, for `<html lang>`.
    pub fn code(&self) -> &'static str {
        LANGUAGES[self.index].0
    }

    /// How numbers, money and dates are written.
    pub fn formats(&self) -> &Formats {
        &self.formats
    }

    /// Message `id` with `args`.
    pub fn get(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent.set(*name, FluentValue::from(*text)),
                Arg::Count(n) => fluent.set(*name, FluentValue::from(*n)),
            }
        }
        self.format(id, Some(&fluent)).into_owned()
    }

    /// Message `id` from the language's catalogue, else from English's; the id itself
    /// when neither formats it. Plain words are borrowed from the catalogue.
    fn format(&self, id: &str, args: Option<&FluentArgs>) -> Cow<'static, str> {
        [self.index, 0]
            .into_iter()
            .find_map(|index| {
                let catalogue: &'static FluentBundle<FluentResource> = &CATALOGUES[index];
                let pattern = catalogue.get_message(id)?.value()?;
                let mut errors = Vec::new();
                let text = catalogue.format_pattern(pattern, args, &mut errors);
                errors.is_empty().then_some(text)
            })
            .unwrap_or_else(|| Cow::Owned(id.to_owned()))
    }

    /// Message `id`, a message without values.
    pub fn t(&self, id: &str) -> Cow<'static, str> {
        self.format(id, None)
    }

    /// Message `id` with one value.
    pub fn t1(&self, id: &str, name: &str, value: &str) -> String {
        self.get(id, &[(name, Arg::Text(value))])
    }

    /// Message `id` with two values.
    pub fn t2(&self, id: &str, n1: &str, v1: &str, n2: &str, v2: &str) -> String {
        self.get(id, &[(n1, Arg::Text(v1)), (n2, Arg::Text(v2))])
    }

    /// Message `id` with `$count`, which chooses its plural.
    pub fn count(&self, id: &str, count: i64) -> String {
        self.get(id, &[("count", Arg::Count(count))])
    }

    /// Message `id` as HTML: its `$name` is `html`, markup built by the page; the message's
    /// own words escaped.
    pub fn html1(&self, id: &str, name: &str, html: &str) -> String {
        self.html_with(id, &[(name, html)], &[])
    }

    /// [`Self::html1`] of a message that also names the brand (escaped).
    pub fn html1b(&self, id: &str, name: &str, html: &str, brand: &str) -> String {
        self.html_with(id, &[(name, html)], &[("brand", brand)])
    }

    /// [`Self::html1`] with two pieces of markup.
    pub fn html2(&self, id: &str, n1: &str, h1: &str, n2: &str, h2: &str) -> String {
        self.html_with(id, &[(n1, h1), (n2, h2)], &[])
    }

    /// Each markup value stands in as a private-use character while the message is
    /// formatted and escaped, then is put in its place.
    fn html_with(&self, id: &str, html: &[(&str, &str)], text: &[(&str, &str)]) -> String {
        let marks: Vec<String> = (0..html.len())
            .map(|i| {
                char::from_u32(0xE000 + i as u32)
                    .unwrap_or('\u{E000}')
                    .to_string()
            })
            .collect();
        let mut args: Vec<(&str, Arg<'_>)> = html
            .iter()
            .zip(&marks)
            .map(|((name, _), mark)| (*name, Arg::Text(mark.as_str())))
            .collect();
        args.extend(text.iter().map(|(n, v)| (*n, Arg::Text(v))));
        let mut escaped = escape(&self.get(id, &args));
        for ((_, markup), mark) in html.iter().zip(&marks) {
            escaped = escaped.replacen(mark.as_str(), markup, 1);
        }
        escaped
    }

    /// `$142.17`, `121,66 €`.
    pub fn money(&self, money: Money) -> String {
        self.formats.money(money)
    }

    /// `23 Nov 2026` (in the locale's way).
    pub fn date(&self, date: NaiveDate) -> String {
        self.formats.date(date)
    }

    /// `1 Oct 2026 – 31 Oct 2026`.
    pub fn period(&self, start: NaiveDate, end: NaiveDate) -> String {
        let (start, end) = (self.date(start), self.date(end));
        self.t2("period-range", "start", &start, "end", &end)
    }

    /// `24 Nov 2026 at 14:26 EST (America/New_York)`.
    pub fn time(&self, at: DateTime<Utc>, zone: TimeZone) -> String {
        let (date, time, zone) = self.formats.date_time(at, zone);
        self.get(
            "date-time-zone",
            &[
                ("date", Arg::Text(&date)),
                ("time", Arg::Text(&time)),
                ("zone", Arg::Text(&zone)),
            ],
        )
    }

    /// The other languages, by code and name, for the page's language links.
    pub fn others(&self) -> Vec<(&'static str, &'static str)> {
        LANGUAGES
            .iter()
            .copied()
            .filter(|(code, _)| *code != self.code())
            .collect()
    }

    /// `<strong>` around message `id`, for [`Self::html`].
    pub fn strong(&self, id: &str) -> String {
        format!("<strong>{}</strong>", escape(&self.t(id)))
    }

    /// A link to `href` reading message `id`, for [`Self::html`].
    pub fn link(&self, href: &str, id: &str) -> String {
        format!("<a href=\"{}\">{}</a>", escape(href), escape(&self.t(id)))
    }
}

/// The place in [`LANGUAGES`] of `tag`'s language, when it has a catalogue.
fn catalogue_of(tag: &str) -> Option<usize> {
    let language = tag.split(['-', '_']).next()?;
    LANGUAGES
        .iter()
        .position(|(code, _)| code.eq_ignore_ascii_case(language))
}

/// `text` escaped for HTML.
pub fn escape(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|safe| safe.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
