/// An ISO 4217 currency with its number of minor-unit digits (2 for USD, 0 for JPY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, String> {
        iso_currency::Currency::from_code(code)
            .filter(|c| c.exponent().is_some())
            .map(Self)
            .ok_or_else(|| "an ISO 4217 currency code like USD, EUR or JPY expected".into())
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point.
    pub fn exponent(self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(2))
    }
}

/// An amount in integer minor units of its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// Parses a decimal string such as `"142.17"`, `"-120.50"` or `"12840"` (JPY).
    pub fn parse(raw: &str, currency: Currency) -> Result<Self, String> {
        let expected = || {
            let example = match currency.exponent() {
                0 => "1234".to_owned(),
                n => format!("1234.{}", "5".repeat(n as usize)),
            };
            format!(
                "a decimal string like \"{example}\" with at most {} decimals for {}",
                currency.exponent(),
                currency.code()
            )
        };
        let (negative, digits) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let exponent = currency.exponent() as usize;
        let well_formed = !whole.is_empty()
            && whole.len() <= 15
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit())
            && fraction.len() <= exponent
            && !(digits.contains('.') && fraction.is_empty());
        if !well_formed {
            return Err(expected());
        }
        let padded = format!("{whole}{fraction:0<exponent$}");
        let magnitude: i64 = padded.parse().map_err(|_| expected())?;
        Ok(Self {
            minor: if negative { -magnitude } else { magnitude },
            currency,
        })
    }

    /// Plain decimal form, as imported: `-120.50`.
    pub fn decimal(&self) -> String {
        let exponent = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let magnitude = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{magnitude}");
        }
        let scale = 10u64.pow(exponent);
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale,
            magnitude % scale,
            width = exponent as usize
        )
    }
}

impl Money {
    /// The amount without its sign: `$12.00` for `−$12.00`.
    pub fn magnitude(self) -> Money {
        Money {
            minor: self.minor.abs(),
            ..self
        }
    }
    /// `-1234.50 EUR`: the plain decimal and the code, for where a locale's way of writing
    /// it is not at hand.
    pub fn with_code(&self) -> String {
        format!("{} {}", self.decimal(), self.currency.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(raw: &str, code: &str) -> Result<Money, String> {
        Money::parse(raw, Currency::parse(code).unwrap())
    }

    #[test]
    fn amounts_become_minor_units_per_currency() {
        assert_eq!(money("142.17", "USD").unwrap().minor, 14217);
        assert_eq!(money("-120.5", "USD").unwrap().minor, -12050);
        assert_eq!(money("12840", "JPY").unwrap().minor, 12840);
        assert_eq!(money("1.234", "BHD").unwrap().minor, 1234);
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            "",
            "1.",
            ".5",
            "1.234",
            "1e3",
            "+1",
            "1,00",
            "--1",
            "99999999999999999",
        ] {
            assert!(money(bad, "USD").is_err(), "{bad}");
        }
        assert!(money("12840.5", "JPY").is_err());
    }

    #[test]
    fn amounts_read_as_plain_decimals_and_codes() {
        assert_eq!(money("-0.05", "USD").unwrap().decimal(), "-0.05");
        assert_eq!(money("1284000", "JPY").unwrap().decimal(), "1284000");
        assert_eq!(money("-1234.5", "EUR").unwrap().with_code(), "-1234.50 EUR");
        assert_eq!(money("-12", "EUR").unwrap().magnitude().decimal(), "12.00");
    }

    #[test]
    fn unknown_currencies_are_refused() {
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("usd").is_err());
    }
}
