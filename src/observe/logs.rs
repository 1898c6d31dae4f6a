//! Logs: human-readable lines or JSON lines on stderr, filtered by `RUST_LOG`, and scrubbed
//! of anything that looks like a secret or a contact address before they are written.
//!
//! Code never logs a token, a cookie, an API key or a full address on purpose (requests
//! are logged by route pattern, addresses masked). The scrubbing is the net under that:
//! an SMTP server's reply quoting the recipient, or a library's error message, is masked
//! too.

use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

use crate::domain::Channel;
use crate::domain::mask;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line per event for people, coloured on a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The filter used when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn,actix_server=warn";

/// Checks a `RUST_LOG` filter (`info`, `billpass=debug,sqlx=warn`).
pub fn parse_filter(raw: &str) -> Result<String, String> {
    EnvFilter::builder()
        .parse(raw)
        .map(|_| raw.to_owned())
        .map_err(|e| format!("{e}; expected a filter like info or billpass=debug,sqlx=warn"))
}

/// Sends this process's logs to stderr in `format`, filtered by `filter` (already checked
/// by [`parse_filter`]).
pub fn init(format: LogFormat, filter: &str) {
    let lines = tracing_subscriber::fmt::layer().with_writer(Scrubbed);
    let lines = match format {
        LogFormat::Text => lines.with_ansi(io::stderr().is_terminal()).boxed(),
        // Event fields at the top level, the request's span (its id) under `span`.
        LogFormat::Json => lines
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .boxed(),
    };
    // One filter for all (per-layer filters cost every request a little more).
    tracing_subscriber::registry()
        .with(EnvFilter::new(filter))
        .with(MalformedRequests)
        .with(lines)
        .init();
}

/// actix-http's report of a request it could not parse: logged as an error, though it
/// says nothing is wrong with billpass (any scanner sends such requests, and each gets a
/// 400). Were it an error, it could page an operator.
fn is_malformed_request(event: &tracing::Metadata<'_>) -> bool {
    event.is_event()
        && *event.level() == tracing::Level::ERROR
        && event.target() == "actix_http::h1::dispatcher"
}

/// Writes actix-http's errors about requests it could not parse again, as `info` lines of
/// billpass's (subject to `RUST_LOG` like any other), and keeps the errors themselves from
/// every layer.
struct MalformedRequests;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for MalformedRequests {
    fn event_enabled(
        &self,
        event: &tracing::Event<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        if !is_malformed_request(event.metadata()) {
            return true;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        tracing::info!(target: "billpass::web", "malformed request, answered 400: {}", message.0);
        false
    }
}

/// An event's `message` field.
struct Message(String);

impl tracing::field::Visit for Message {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

/// Stderr, through [`scrub`]. The formatter hands over each event whole, in one write.
struct Scrubbed;

impl<'a> MakeWriter<'a> for Scrubbed {
    type Writer = ScrubbedStderr;

    fn make_writer(&'a self) -> Self::Writer {
        ScrubbedStderr
    }
}

struct ScrubbedStderr;

impl Write for ScrubbedStderr {
    fn write(&mut self, event: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(event);
        io::stderr().write_all(scrub(&text).as_bytes())?;
        Ok(event.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// Characters of the words [`scrub`] looks at: those of tokens, keys, email addresses
/// and E.164 numbers.
fn in_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b'+' | b'@' | b'%')
}

/// `text` with link tokens, staff API keys, email addresses and phone numbers masked.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut scrubbed: Option<String> = None;
    let mut copied = 0;
    let mut start = 0;
    while start < bytes.len() {
        if !in_word(bytes[start]) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < bytes.len() && in_word(bytes[end]) {
            end += 1;
        }
        // Words are ASCII, so these are character boundaries.
        let word = text[start..end].trim_end_matches(['.', '-']);
        if let Some(masked) = masked(word) {
            let out = scrubbed.get_or_insert_with(|| String::with_capacity(text.len()));
            out.push_str(&text[copied..start]);
            out.push_str(&masked);
            copied = start + word.len();
        }
        start = end;
    }
    match scrubbed {
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
        None => Cow::Borrowed(text),
    }
}

/// What a secret or an address is written as; `None` for any other word.
fn masked(word: &str) -> Option<String> {
    if word.starts_with("eyJ") && word.len() >= 20 && word.matches('.').count() >= 2 {
        return Some("<redacted>".into());
    }
    if word.starts_with("bp_") && word.len() >= 20 {
        return Some("bp_<redacted>".into());
    }
    if let Some((local, domain)) = word.rsplit_once('@')
        && !local.is_empty()
        && domain.contains('.')
    {
        return Some(mask(Channel::Email, word));
    }
    let digits = word.strip_prefix('+')?;
    ((8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| mask(Channel::Sms, word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_tokens_and_keys_are_masked_wherever_they_appear() {
        let token = "eyJhbGciOiJFZERTQSIsImtpZCI6ImFiYyJ9.eyJzdWIiOiJBZyJ9.c2lnbmF0dXJl";
        let key = "bp_0123456789abcdefghijABCDEFGHIJ_-xyz";
        let line = format!(
            "send failed: permanent: 550 <jane.doe@example.com>: no such user; to +15550100123; \
             GET /b/{token}; key {key}."
        );
        let scrubbed = scrub(&line);
        assert_eq!(
            scrubbed,
            "send failed: permanent: 550 <j•••@example.com>: no such user; to •••• 0123; \
             GET /b/<redacted>; key bp_<redacted>."
        );
    }

    #[test]
    fn json_fields_are_masked_inside_their_quotes() {
        assert_eq!(
            scrub(r#"{"to":"sam@example.org","phone":"+819012345678"}"#),
            r#"{"to":"s•••@example.org","phone":"•••• 5678"}"#
        );
    }

    #[test]
    fn ordinary_lines_pass_untouched() {
        for line in [
            "2026-11-21T22:15:24.123+00:00 INFO request method=GET route=/b/<redacted> status=200",
            "already masked: j•••@example.com, •••• 4567",
            "run 3 of cycle 2026-11: minted=5000 ms=12.5 version 1.2.3",
            "bp_short, eyJ, user@localhost, +1234",
        ] {
            assert!(matches!(scrub(line), Cow::Borrowed(_)), "{line}");
        }
    }
}
