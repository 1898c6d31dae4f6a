use std::fmt;
use std::str::FromStr;

use super::Channel;

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

    /// A number as people write it: `+1 (555) 010-0123`, `+44 20 7946 0958`,
    /// `0044 20 7946 0958`. Spaces, dashes, dots, slashes and brackets are dropped and a
    /// leading international `00` is read as `+`; the country code is still required.
    pub fn parse_typed(raw: &str) -> Result<Self, String> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && !"-‐‑‒–—.()/".contains(*c))
            .collect();
        match compact.strip_prefix("00") {
            Some(rest) => Self::parse(&format!("+{rest}")),
            None => Self::parse(&compact),
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

/// An email address or mobile number typed by someone looking for their account: email
/// addresses in lower case (they are compared without regard to case), numbers in E.164.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContactAddress {
    Email(EmailAddress),
    Phone(PhoneNumber),
}

/// What a typed address was taken for and why it is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ContactAddressError {
    #[error("an email address like name@example.com expected")]
    Email,
    #[error("a mobile number with its country code, like +1 555 010 0123, expected")]
    Phone,
}

impl ContactAddress {
    /// Anything with an `@` is taken for an email address, anything else for a number.
    pub fn parse(raw: &str) -> Result<Self, ContactAddressError> {
        if raw.contains('@') {
            EmailAddress::parse(&raw.to_lowercase())
                .map(Self::Email)
                .map_err(|_| ContactAddressError::Email)
        } else {
            PhoneNumber::parse_typed(raw)
                .map(Self::Phone)
                .map_err(|_| ContactAddressError::Phone)
        }
    }

    /// The channel that reaches this address.
    pub fn channel(&self) -> Channel {
        match self {
            Self::Email(_) => Channel::Email,
            Self::Phone(_) => Channel::Sms,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(email) => email.as_str(),
            Self::Phone(phone) => phone.as_str(),
        }
    }
}

/// Masks a stored address of the given channel.
pub fn mask(channel: Channel, address: &str) -> String {
    match channel {
        Channel::Email => EmailAddress::parse(address)
            .map(|e| e.masked())
            .unwrap_or_else(|_| "•••".into()),
        Channel::Sms => PhoneNumber::parse(address)
            .map(|p| p.masked())
            .unwrap_or_else(|_| "•••".into()),
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

    #[test]
    fn typed_addresses_are_normalised() {
        let typed = |raw| ContactAddress::parse(raw).map(|a| (a.channel(), a.as_str().to_owned()));
        let email = |a: &str| Ok((Channel::Email, a.to_owned()));
        let phone = |a: &str| Ok((Channel::Sms, a.to_owned()));
        assert_eq!(
            typed("  Jane.Doe@Example.COM "),
            email("jane.doe@example.com")
        );
        for raw in [
            "+15550100123",
            "+1 555 010 0123",
            "+1 (555) 010-0123",
            "+1.555.010.0123",
            "001 555 010 0123",
            "+1\u{a0}555\u{2011}010\u{2011}0123",
        ] {
            assert_eq!(typed(raw), phone("+15550100123"), "{raw}");
        }
        assert_eq!(typed("jane@"), Err(ContactAddressError::Email));
        for raw in [
            "",
            "5550100123",
            "jane",
            "+1 555 CALL NOW",
            "0 555 010 0123",
        ] {
            assert_eq!(typed(raw), Err(ContactAddressError::Phone), "{raw}");
        }
    }
}
