use std::fmt;
use std::str::FromStr;

/// A syntactically valid email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.len() > Self::MAX_LEN {
            return Err(format!(
                "an email address of at most {} characters expected",
                Self::MAX_LEN
            ));
        }
        lettre::Address::from_str(raw)
            .map(|_| Self(raw.to_owned()))
            .map_err(|_| "an email address like name@example.com expected".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `j•••@example.com`: enough for the customer to recognise, too little to harvest.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.rsplit_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mobile number in E.164 form (`+15551234567`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let digits = raw.strip_prefix('+').unwrap_or("");
        let valid = (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err("a phone number in E.164 form like +15551234567 expected".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `•••• 4567`.
    pub fn masked(&self) -> String {
        let tail = &self.0[self.0.len().saturating_sub(4)..];
        format!("•••• {tail}")
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_checked_and_masked() {
        let email = EmailAddress::parse("jane.doe@example.com").unwrap();
        assert_eq!(email.masked(), "j•••@example.com");
        assert!(EmailAddress::parse("not an email").is_err());
        assert!(EmailAddress::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn phone_numbers_must_be_e164() {
        let phone = PhoneNumber::parse("+15551234567").unwrap();
        assert_eq!(phone.masked(), "•••• 4567");
        for bad in [
            "5551234567",
            "+0123",
            "+1",
            "+1555123456789012",
            "+1 555 123",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
