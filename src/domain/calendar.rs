//! Dates and times as billpass takes them: years 1 to 9999. PostgreSQL stores a wider range
//! (from 4713 BC), and the date library reads one wider still (±262,000 years); a time
//! outside what people write with four digits is a mistake, and one PostgreSQL cannot store
//! would otherwise fail deep inside a query.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The years accepted.
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// A calendar date written `2026-11-02`.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|date| YEARS.contains(&date.year()) && raw.len() == 10)
        .ok_or_else(|| "a date like 2026-11-02 expected (years 0001 to 9999)".into())
}

/// `time`, when its year is one billpass takes.
pub fn within_years(time: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if YEARS.contains(&time.year()) {
        Ok(time)
    } else {
        Err("a time between years 0001 and 9999 expected".into())
    }
}

/// `24 Nov 2026 at 19:26 UTC`, as staff and the command line read times (customers read
/// them in their language: `i18n`).
pub fn time_text(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y at %H:%M UTC").to_string()
}

/// A time zone from the IANA database (`America/New_York`), in which a customer reads times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

/// UTC.
impl Default for TimeZone {
    fn default() -> Self {
        Self(chrono_tz::UTC)
    }
}

impl TimeZone {
    pub fn parse(raw: &str) -> Result<Self, String> {
        // `america/new_york` is `America/New_York`: spreadsheets and people change case.
        chrono_tz::Tz::from_str_insensitive(raw.trim())
            .map(Self)
            .map_err(|_| {
                "an IANA time zone like America/New_York, Europe/Paris or UTC expected".into()
            })
    }

    /// The customer's own zone when stored and valid, else `default`.
    pub fn or(stored: Option<&str>, default: TimeZone) -> TimeZone {
        stored
            .and_then(|raw| Self::parse(raw).ok())
            .unwrap_or(default)
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The wall-clock time in this zone at `at`.
    pub fn local(self, at: DateTime<Utc>) -> chrono::NaiveDateTime {
        at.with_timezone(&self.0).naive_local()
    }

    /// How a time at `at` names this zone: `UTC`, `EST (America/New_York)`, or, where the
    /// zone has no abbreviation, `(Europe/Istanbul, UTC+03)`.
    pub fn label(self, at: DateTime<Utc>) -> String {
        let abbreviation = at.with_timezone(&self.0).format("%Z").to_string();
        if self.0 == chrono_tz::UTC {
            "UTC".to_owned()
        } else if abbreviation.starts_with(['+', '-']) {
            format!("({}, UTC{abbreviation})", self.name())
        } else {
            format!("{abbreviation} ({})", self.name())
        }
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_in_the_zone_which_is_named() {
        let at = "2026-11-24T19:26:00Z".parse::<DateTime<Utc>>().unwrap();
        let wall = |zone: TimeZone| zone.local(at).format("%H:%M").to_string();
        assert_eq!(
            (wall(TimeZone::default()), TimeZone::default().label(at)),
            ("19:26".into(), "UTC".into())
        );
        let new_york = TimeZone::parse("America/New_York").unwrap();
        assert_eq!(
            (wall(new_york), new_york.label(at)),
            ("14:26".into(), "EST (America/New_York)".into())
        );
        let istanbul = TimeZone::parse("Europe/Istanbul").unwrap();
        assert_eq!(
            (wall(istanbul), istanbul.label(at)),
            ("22:26".into(), "(Europe/Istanbul, UTC+03)".into())
        );
        for bad in ["", "Mars/Olympus", "EST5EDT;rm", &"x".repeat(300)] {
            assert!(TimeZone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(TimeZone::or(Some("nowhere"), new_york), new_york);
    }

    #[test]
    fn dates_are_four_digit_years_only() {
        assert!(parse_date("2026-11-02").is_ok());
        assert!(parse_date("0001-01-01").is_ok());
        assert!(parse_date("9999-12-31").is_ok());
        for bad in [
            "-5000-01-01",
            "0000-01-01",
            "+10000-01-01",
            "2026-13-01",
            "2026-1-2",
            "26-11-02",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
        let far = "+262142-01-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert!(within_years(far).is_err());
        assert!(within_years(Utc::now()).is_ok());
    }
}
