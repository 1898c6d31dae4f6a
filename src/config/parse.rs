//! How the values of settings are read: each parser says what it expected, never
//! repeating a value that may be a secret.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use bytesize::ByteSize;
use ipnet::IpNet;
use secrecy::SecretString;
use url::Url;

/// A PostgreSQL URL; its password is never repeated in the message, nor printed with the
/// settings.
pub(super) fn parse_database_url(raw: &str) -> Result<SecretString, String> {
    let expected = "expected a URL like postgres://user:password@host:5432/billpass";
    let url = Url::parse(raw).map_err(|e| format!("{e}; {expected}"))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(expected.into());
    }
    raw.parse::<sqlx::postgres::PgConnectOptions>()
        .map_err(|_| expected.to_owned())?;
    Ok(raw.into())
}

/// A duration like `30s` or `72h`, between `min` and `max` (named in the message as written).
fn parse_duration_between(
    raw: &str,
    (min, max): (Duration, Duration),
    (examples, bounds): (&str, &str),
) -> Result<Duration, String> {
    let duration = humantime::parse_duration(raw)
        .map_err(|e| format!("{e}; expected a duration like {examples}"))?;
    if duration < min || duration > max {
        return Err(format!("expected a duration between {bounds}"));
    }
    Ok(duration)
}

pub(super) fn parse_ttl(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_secs(60), Duration::from_secs(90 * 24 * 3600));
    parse_duration_between(raw, bounds, ("90s, 15m, 72h or 7d", "1m and 90d"))
}

pub(super) fn parse_gateway_url(raw: &str) -> Result<Url, String> {
    let url =
        Url::parse(raw).map_err(|e| format!("{e}; expected a URL like https://api.twilio.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http or https URL like https://api.twilio.com".into());
    }
    Ok(url)
}

pub(super) fn parse_retry_base(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_millis(10), Duration::from_secs(3600));
    parse_duration_between(raw, bounds, ("30s or 2m", "10ms and 1h"))
}

pub(super) fn parse_send_timeout(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_millis(100), Duration::from_secs(600));
    parse_duration_between(raw, bounds, ("30s or 2m", "100ms and 10m"))
}

pub(super) fn parse_lease(raw: &str) -> Result<Duration, String> {
    let bounds = (Duration::from_secs(1), Duration::from_secs(3600));
    parse_duration_between(raw, bounds, ("30s or 2m", "1s and 1h"))
}

/// A size in bytes: `1048576`, `512KiB`, `64MiB` or `1GiB`, from 1 KiB to 64 GiB.
pub(super) fn parse_size(raw: &str) -> Result<u64, String> {
    let expected = || "expected a size like 64MiB, 512KiB or 1GiB".to_owned();
    // Binary units only: `64MB` would be read as 64,000,000 bytes, not what people mean.
    let unit = raw.trim_start_matches(|c: char| c.is_ascii_digit()).trim();
    if !matches!(unit, "" | "B" | "KiB" | "MiB" | "GiB") {
        return Err(expected());
    }
    let bytes = raw.parse::<ByteSize>().map_err(|_| expected())?.as_u64();
    if !(1 << 10..=64 << 30).contains(&bytes) {
        return Err("expected a size between 1KiB and 64GiB".into());
    }
    Ok(bytes)
}

/// At most `count` in `per`: a burst of `count`, then one every `per / count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: NonZeroU32,
    pub per: Duration,
}

/// `5/h`, `20/15m`, `100/1d`: a count from 1 to 10,000 per 1 second to 1 day.
pub(super) fn parse_rate(raw: &str) -> Result<Rate, String> {
    const EXPECTED: &str = "expected a rate like 5/h, 20/15m or 100/d: 1 to 10000 per 1s to 1d";
    let (count, per) = raw.split_once('/').ok_or(EXPECTED)?;
    let count = count
        .trim()
        .parse::<NonZeroU32>()
        .ok()
        .filter(|n| n.get() <= 10_000)
        .ok_or(EXPECTED)?;
    let per = per.trim();
    // A bare unit is one of it: `h` is `1h`.
    let per = if per.chars().all(|c| c.is_ascii_alphabetic()) {
        humantime::parse_duration(&format!("1{per}"))
    } else {
        humantime::parse_duration(per)
    }
    .map_err(|_| EXPECTED)?;
    if !(Duration::from_secs(1)..=Duration::from_secs(86_400)).contains(&per) {
        return Err(EXPECTED.into());
    }
    Ok(Rate { count, per })
}

/// An IP address (`127.0.0.1`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`); an IPv4-mapped
/// IPv6 address counts as its IPv4 address.
pub fn parse_ip_range(raw: &str) -> Result<IpNet, String> {
    const EXPECTED: &str = "expected IP addresses or CIDR ranges like 127.0.0.1,10.0.0.0/8";
    let raw = raw.trim();
    let range = match raw.parse::<IpNet>() {
        Ok(range) => range,
        Err(_) => IpNet::from(raw.parse::<IpAddr>().map_err(|_| EXPECTED)?),
    };
    Ok(match range.network().to_canonical() {
        IpAddr::V4(v4) if range.network().is_ipv6() => {
            let prefix = range.prefix_len().checked_sub(96).ok_or(EXPECTED)?;
            IpNet::new(IpAddr::V4(v4), prefix).map_err(|_| EXPECTED)?
        }
        _ => range,
    })
}

pub(super) fn parse_claim(raw: &str) -> Result<String, String> {
    if raw.is_empty() || raw.len() > 64 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("expected 1 to 64 printable ASCII characters".into());
    }
    Ok(raw.to_owned())
}

/// A customer link's audience: a claim, but never the staff sign-in links' own.
pub(super) fn parse_audience(raw: &str) -> Result<String, String> {
    crate::domain::brand::parse_audience(raw, crate::tokens::jwt::STAFF_AUDIENCE)
}

/// A token or password, kept out of the settings' `Debug`.
pub(super) fn parse_secret(raw: &str) -> Result<SecretString, String> {
    Ok(raw.into())
}

/// An SMTP URL, kept secret: it may carry a password.
pub(super) fn parse_smtp_url(raw: &str) -> Result<SecretString, String> {
    let url = Url::parse(raw)
        .map_err(|e| format!("{e}; expected smtp://user:pass@host:port or smtps://…"))?;
    if !matches!(url.scheme(), "smtp" | "smtps") || url.host().is_none() {
        return Err("expected smtp://user:pass@host:port or smtps://user:pass@host:port".into());
    }
    Ok(raw.into())
}

pub(super) fn parse_mailbox(raw: &str) -> Result<lettre::message::Mailbox, String> {
    raw.parse()
        .map_err(|_| "expected a sender like `Acme Energy <bills@acme.example>`".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_accept_the_documented_forms() {
        assert_eq!(parse_ttl("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_ttl("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_ttl("72h").unwrap(), Duration::from_secs(72 * 3600));
        assert_eq!(parse_ttl("7d").unwrap(), Duration::from_secs(7 * 86400));
        for bad in ["", "abc", "-1h", "10s", "1000d", "5"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_take_binary_units() {
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("512KiB").unwrap(), 512 << 10);
        assert_eq!(parse_size("2048").unwrap(), 2048);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        for bad in [
            "",
            "MiB",
            "10",
            "64MB",
            "-1KiB",
            "100GiB",
            "99999999999999999999GiB",
        ] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rates_accept_a_count_per_duration_or_unit() {
        let rate = |count, secs| Rate {
            count: NonZeroU32::new(count).unwrap(),
            per: Duration::from_secs(secs),
        };
        assert_eq!(parse_rate("5/h").unwrap(), rate(5, 3600));
        assert_eq!(parse_rate("20/15m").unwrap(), rate(20, 900));
        assert_eq!(parse_rate("100/1d").unwrap(), rate(100, 86_400));
        assert_eq!(parse_rate("2/3s").unwrap(), rate(2, 3));
        for bad in [
            "",
            "5",
            "0/h",
            "-1/h",
            "5/",
            "5/fortnight",
            "5/100ms",
            "5/2d",
            "10001/h",
            "h/5",
        ] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn database_urls_must_be_postgres_urls() {
        assert!(parse_database_url("postgres://localhost/billpass").is_ok());
        assert!(
            parse_database_url("postgresql://bp:secret@db:5432/billpass?sslmode=require").is_ok()
        );
        for bad in [
            "localhost/billpass",
            "mysql://db/billpass",
            "postgres://db/x?sslmode=sometimes",
        ] {
            let error = parse_database_url(bad).unwrap_err();
            assert!(!error.contains(bad), "{error}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let ip = |raw: &str| raw.parse::<IpAddr>().unwrap();
        let range = |raw: &str| parse_ip_range(raw).unwrap();
        assert!(range("10.0.0.0/8").contains(&ip("10.1.2.3")));
        assert!(!range("10.0.0.0/8").contains(&ip("11.0.0.1")));
        assert!(range("127.0.0.1").contains(&ip("127.0.0.1")));
        assert!(!range("127.0.0.1").contains(&ip("127.0.0.2")));
        assert!(range("fd00::/8").contains(&ip("fd12::1")));
        assert!(
            range("::ffff:10.0.0.0/104").contains(&ip("10.9.9.9")),
            "IPv4-mapped"
        );
        assert!(range("0.0.0.0/0").contains(&ip("203.0.113.9")));
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "example.com",
            "10.0.0.0/x",
        ] {
            assert!(parse_ip_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn public_urls_must_be_http_bases() {
        assert!(crate::domain::brand::parse_public_url("https://bills.example.com").is_ok());
        for bad in [
            "bills.example.com",
            "ftp://x",
            "https://x/?a=1",
            "javascript:alert(1)",
        ] {
            assert!(
                crate::domain::brand::parse_public_url(bad).is_err(),
                "{bad}"
            );
        }
    }
}
