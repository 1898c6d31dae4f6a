//! Dates and times as billpass takes them: years 1 to 9999. PostgreSQL stores a wider range
//! (from 4713 BC), and the date library reads one wider still (±262,000 years); a time
//! outside what people write with four digits is a mistake, and one PostgreSQL cannot store
//! would otherwise fail deep inside a query.

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

/// `24 Nov 2026 at 19:26 UTC`, as messages and pages write times.
pub fn time_text(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y at %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

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
