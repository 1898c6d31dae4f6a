//! A brand as customers meet it: its name, how they reach customer service and pay, and the
//! time zone they read times in unless their own is on file.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use url::Url;

use super::calendar::TimeZone;

/// The brand customers see.
#[derive(Debug, Clone)]
pub struct Brand {
    pub name: String,
    /// As customers should read it (`+1 555 010 0100`).
    pub support_phone: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<Url>,
    /// `Mon-Fri 8am-6pm`.
    pub support_hours: Option<String>,
    pub pay_url: Option<PayUrl>,
    pub timezone: TimeZone,
}

impl Default for Brand {
    fn default() -> Self {
        Self {
            name: "billpass".into(),
            support_phone: None,
            support_email: None,
            support_url: None,
            support_hours: None,
            pay_url: None,
            timezone: TimeZone::default(),
        }
    }
}

impl Brand {
    /// Whether any way to reach customer service is set.
    pub fn has_support(&self) -> bool {
        self.support_phone.is_some() || self.support_email.is_some() || self.support_url.is_some()
    }

    /// The phone number as a `tel:` link: `tel:+15550100100`.
    pub fn support_tel(&self) -> Option<String> {
        self.support_phone.as_ref().map(|phone| {
            let dialled: String = phone
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect();
            format!("tel:{dialled}")
        })
    }

    /// Customer service's ways in, one per line: `Phone +1 555 010 0100`, for messages
    /// and the PDF.
    pub fn support_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(phone) = &self.support_phone {
            lines.push(format!("Phone {phone}"));
        }
        if let Some(email) = &self.support_email {
            lines.push(format!("Email {email}"));
        }
        if let Some(url) = &self.support_url {
            lines.push(format!("Online {url}"));
        }
        if let Some(hours) = &self.support_hours {
            lines.push(format!("Hours {hours}"));
        }
        lines
    }
}

/// The brand's name, as pages and messages write it.
impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// What a filled-in value keeps as is: letters, digits and `-._~`.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A pay page's URL with `{account_id}` and `{amount}` to fill in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayUrl(String);

impl PayUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let template = Self(raw.trim().to_owned());
        let expected = "expected an http or https URL like https://pay.acme.example/?account={account_id}&amount={amount}";
        if template.0.len() > 500 {
            return Err(expected.into());
        }
        let example = template.for_bill("ACC-1001", "142.17");
        match Url::parse(&example) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                Ok(template)
            }
            _ => Err(expected.into()),
        }
    }

    /// The URL for one bill: the account id and the amount (`142.17`) percent-encoded.
    pub fn for_bill(&self, account_id: &str, amount: &str) -> String {
        let encode =
            |value: &str| percent_encoding::utf8_percent_encode(value, COMPONENT).to_string();
        self.0
            .replace("{account_id}", &encode(account_id))
            .replace("{amount}", &encode(amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_urls_are_http_templates_filled_in_encoded() {
        let pay = PayUrl::parse("https://pay.example/?a={account_id}&amount={amount}").unwrap();
        assert_eq!(
            pay.for_bill("ACC 1/2&x", "142.17"),
            "https://pay.example/?a=ACC%201%2F2%26x&amount=142.17"
        );
        for bad in [
            "javascript:alert(1)//{amount}",
            "not a url",
            "/relative/{amount}",
            "",
        ] {
            assert!(PayUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(PayUrl::parse(&format!("https://pay.example/{}", "a".repeat(600))).is_err());
    }
}
