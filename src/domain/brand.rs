//! A brand as customers meet it: its name, colour and logo, how they reach customer service
//! and pay, the time zone they read times in unless their own is on file, and the audience
//! its link tokens carry; and the book of a deployment's brands.

use std::fmt;
use std::sync::Arc;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use url::Url;

use super::calendar::TimeZone;
use super::logo::Logo;

/// A brand's id: 1 to 32 lower-case letters, digits and `-`, starting with a letter or a
/// digit; the default brand's is `default`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sqlx::Type, serde::Serialize)]
#[sqlx(transparent)]
#[serde(transparent)]
pub struct BrandId(String);

impl BrandId {
    pub const DEFAULT: &str = "default";

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let mut chars = raw.chars();
        let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        let ok = raw.len() <= 32
            && chars.next().is_some_and(plain)
            && chars.all(|c| plain(c) || c == '-');
        match ok {
            true => Ok(Self(raw.to_owned())),
            false => Err(format!(
                "`{}` is not a brand id: expected 1 to 32 lower-case letters, digits and -, like `acme-water`",
                raw.chars().take(40).collect::<String>()
            )),
        }
    }

    pub fn default_brand() -> Self {
        Self(Self::DEFAULT.to_owned())
    }

    pub fn is_default(&self) -> bool {
        self.0 == Self::DEFAULT
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// As stored on a customer or a link: none for the default brand.
    pub fn stored(&self) -> Option<&str> {
        (!self.is_default()).then_some(self.0.as_str())
    }

    /// From a customer's or a link's column: none is the default brand.
    pub fn from_stored(stored: Option<String>) -> Self {
        stored.map_or_else(Self::default_brand, Self)
    }
}

impl fmt::Display for BrandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A brand's colour (`#0b4f8a`): dark enough for white text on it to pass WCAG AA (4.5:1),
/// as its buttons and header put it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour([u8; 3]);

impl Colour {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let hex = raw.trim().trim_start_matches('#');
        let expected = "expected a colour like #0b4f8a";
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(expected.into());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| expected);
        let colour = Self([byte(0)?, byte(2)?, byte(4)?]);
        let contrast = colour.contrast_with_white();
        if contrast < 4.5 {
            return Err(format!(
                "{colour} is too light for white text on it ({contrast:.1}:1; WCAG AA needs 4.5:1): choose a darker shade"
            ));
        }
        Ok(colour)
    }

    /// Its red, green and blue.
    pub fn rgb(self) -> (u8, u8, u8) {
        let [r, g, b] = self.0;
        (r, g, b)
    }

    /// A darker shade, for hover.
    pub fn darker(self) -> Self {
        Self(self.0.map(|c| (u16::from(c) * 4 / 5) as u8))
    }

    /// WCAG 2.1's contrast ratio of white against this colour.
    fn contrast_with_white(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let [r, g, b] = self.0;
        let luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
        1.05 / (luminance + 0.05)
    }
}

/// `#0b4f8a`.
impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02x}{g:02x}{b:02x}")
    }
}

/// The brand customers see.
#[derive(Debug, Clone)]
pub struct Brand {
    pub id: BrandId,
    pub name: String,
    /// The `aud` of its link tokens.
    pub audience: String,
    /// Its own base URL for links (`https://bills.water.example`); none: the deployment's.
    /// A brand with one opens its links only on that host.
    pub public_url: Option<Url>,
    /// The language its customers read when theirs is not on file (`de-DE`).
    pub locale: Option<String>,
    /// As customers should read it (`+1 555 010 0100`).
    pub support_phone: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<Url>,
    /// `Mon-Fri 8am-6pm`.
    pub support_hours: Option<String>,
    pub pay_url: Option<PayUrl>,
    pub timezone: TimeZone,
    /// Its emails' sender (`Acme Water <bills@water.example>`); none: the deployment's.
    pub email_from: Option<String>,
    /// Its text messages' sender (a number or an alphanumeric id); none: the deployment's.
    pub sms_from: Option<String>,
    pub logo: Option<Logo>,
    pub colour: Option<Colour>,
    /// The key that signs its links, and the only one its links are accepted with; none:
    /// the keyring's current key.
    pub signing_kid: Option<String>,
}

impl Default for Brand {
    fn default() -> Self {
        Self {
            id: BrandId::default_brand(),
            name: "billpass".into(),
            audience: "bill".into(),
            public_url: None,
            locale: None,
            support_phone: None,
            support_email: None,
            support_url: None,
            support_hours: None,
            pay_url: None,
            timezone: TimeZone::default(),
            email_from: None,
            sms_from: None,
            logo: None,
            colour: None,
            signing_kid: None,
        }
    }
}

impl Brand {
    /// Whether any way to reach customer service is set.
    pub fn has_support(&self) -> bool {
        self.support_phone.is_some() || self.support_email.is_some() || self.support_url.is_some()
    }

    /// Whether its pages need a stylesheet or a logo of their own.
    pub fn is_styled(&self) -> bool {
        self.colour.is_some() || self.logo.is_some()
    }

    /// The host its links are opened on, when it has one of its own.
    pub fn host(&self) -> Option<&str> {
        self.public_url.as_ref().and_then(Url::host_str)
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

    /// Customer service's ways in, by kind (`phone`, `email`, `online`, `hours`, each
    /// named by the message `contact-{kind}`), for messages and the PDF.
    pub fn contacts(&self) -> Vec<(&'static str, String)> {
        [
            ("phone", self.support_phone.clone()),
            ("email", self.support_email.clone()),
            ("online", self.support_url.as_ref().map(Url::to_string)),
            ("hours", self.support_hours.clone()),
        ]
        .into_iter()
        .filter_map(|(kind, value)| Some((kind, value?)))
        .collect()
    }
}

/// The brand's name, as pages and messages write it.
impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// A deployment's brands: the default one first, then the others by id.
#[derive(Debug, Clone)]
pub struct BrandBook {
    brands: Vec<Arc<Brand>>,
}

impl BrandBook {
    /// The book of `default` and `others` (whose ids are not `default`).
    pub fn new(default: Brand, others: impl IntoIterator<Item = Brand>) -> Self {
        let mut brands = vec![Arc::new(Brand {
            id: BrandId::default_brand(),
            ..default
        })];
        brands.extend(
            others
                .into_iter()
                .filter(|brand| !brand.id.is_default())
                .map(Arc::new),
        );
        Self { brands }
    }

    pub fn default_brand(&self) -> &Arc<Brand> {
        &self.brands[0]
    }

    pub fn all(&self) -> &[Arc<Brand>] {
        &self.brands
    }

    pub fn get(&self, id: &BrandId) -> Option<&Arc<Brand>> {
        self.brands.iter().find(|brand| brand.id == *id)
    }

    /// The brand `id`, or the default one should it be gone.
    pub fn get_or_default(&self, id: &BrandId) -> &Arc<Brand> {
        self.get(id).unwrap_or_else(|| self.default_brand())
    }

    /// The brand whose tokens carry `audience`.
    pub fn by_audience(&self, audience: &str) -> Option<&Arc<Brand>> {
        self.brands.iter().find(|brand| brand.audience == audience)
    }

    /// The brand whose own host `host` is (a `Host` header, with or without its port).
    pub fn by_host(&self, host: &str) -> Option<&Arc<Brand>> {
        let name = host_name(host);
        self.brands.iter().find(|brand| {
            brand
                .host()
                .is_some_and(|own| own.eq_ignore_ascii_case(name))
        })
    }

    /// The brand pages on `host` wear when no link says whose they are: the host's own
    /// brand, or the default one.
    pub fn for_host(&self, host: Option<&str>) -> &Arc<Brand> {
        host.and_then(|host| self.by_host(host))
            .unwrap_or_else(|| self.default_brand())
    }

    /// Whether `brand`'s link may be opened on `host`: a brand with a host of its own only
    /// there, any other brand on no brand's own host.
    pub fn opens_on(&self, brand: &Brand, host: Option<&str>) -> bool {
        let owner = host.and_then(|host| self.by_host(host));
        match (brand.host(), owner) {
            (Some(_), Some(owner)) => owner.id == brand.id,
            (Some(_), None) => false,
            (None, owner) => owner.is_none(),
        }
    }
}

/// `bills.example.com` of `bills.example.com:8443` or `[::1]:8080`.
fn host_name(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !name.ends_with(':') => {
            name
        }
        _ => host,
    }
}

/// A base URL for links: `https://bills.example.com`.
pub fn parse_public_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw)
        .map_err(|e| format!("{e}; expected a URL like https://bills.example.com"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http or https URL like https://bills.example.com".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("expected a base URL without ?query or #fragment".into());
    }
    Ok(url)
}

/// A brand name: 1 to 40 printable characters.
pub fn parse_name(raw: &str) -> Result<String, String> {
    let brand = raw.trim();
    if brand.is_empty() || brand.chars().count() > 40 || brand.chars().any(char::is_control) {
        return Err("expected a brand name of 1 to 40 printable characters".into());
    }
    Ok(brand.to_owned())
}

pub fn parse_support_phone(raw: &str) -> Result<String, String> {
    let phone = raw.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let plain = phone
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !plain || !(3..=20).contains(&digits) {
        return Err("expected a phone number like +1 555 010 0100".into());
    }
    Ok(phone.to_owned())
}

pub fn parse_support_email(raw: &str) -> Result<String, String> {
    super::EmailAddress::parse(raw.trim()).map(|email| email.as_str().to_owned())
}

pub fn parse_support_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim())
        .map_err(|e| format!("{e}; expected a URL like https://acme.example/help"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("expected an http or https URL like https://acme.example/help".into());
    }
    Ok(url)
}

pub fn parse_support_hours(raw: &str) -> Result<String, String> {
    let hours = raw.trim();
    if hours.is_empty() || hours.chars().count() > 100 || hours.chars().any(char::is_control) {
        return Err("expected opening hours of 1 to 100 printable characters".into());
    }
    Ok(hours.to_owned())
}

/// A link token's audience: 1 to 64 printable ASCII characters, never `reserved` (the
/// staff sign-in links' own).
pub fn parse_audience(raw: &str, reserved: &str) -> Result<String, String> {
    if raw.is_empty() || raw.len() > 64 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("expected an audience of 1 to 64 printable ASCII characters".into());
    }
    if raw == reserved {
        return Err(format!(
            "`{raw}` is the audience of staff sign-in links; choose another"
        ));
    }
    Ok(raw.to_owned())
}

/// A text-message sender: a number (`+15550100100`) or an alphanumeric id of 1 to 11
/// letters, digits and spaces, at least one a letter (`AcmeWater`).
pub fn parse_sms_from(raw: &str) -> Result<String, String> {
    let from = raw.trim();
    let number = from.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    });
    let id = (1..=11).contains(&from.len())
        && from.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
        && from.bytes().any(|b| b.is_ascii_alphabetic());
    match number || id {
        true => Ok(from.to_owned()),
        false => Err(
            "expected a number like +15550100100 or a sender id of 1 to 11 letters and digits"
                .into(),
        ),
    }
}

/// A signing key's id, as `billpass keys list` shows it: 1 to 64 letters, digits, `-` or `_`.
pub fn parse_signing_kid(raw: &str) -> Result<String, String> {
    let kid = raw.trim();
    let ok = (1..=64).contains(&kid.len())
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    match ok {
        true => Ok(kid.to_owned()),
        false => Err("expected a key id from `billpass keys list`".into()),
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

    pub fn as_str(&self) -> &str {
        &self.0
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

    fn brand(id: &str, audience: &str, public_url: Option<&str>) -> Brand {
        Brand {
            id: BrandId::parse(id).unwrap(),
            audience: audience.into(),
            public_url: public_url.map(|url| Url::parse(url).unwrap()),
            ..Brand::default()
        }
    }

    #[test]
    fn a_brand_with_a_host_opens_its_links_there_only_and_the_others_on_no_brand_host() {
        let book = BrandBook::new(
            brand("default", "bill", None),
            [
                brand("water", "water", Some("https://bills.water.example")),
                brand("gas", "gas", None),
            ],
        );
        let water = book.get(&BrandId::parse("water").unwrap()).unwrap().clone();
        let gas = book.get(&BrandId::parse("gas").unwrap()).unwrap().clone();
        assert!(book.opens_on(&water, Some("bills.water.example")));
        assert!(book.opens_on(&water, Some("BILLS.WATER.EXAMPLE:443")));
        assert!(!book.opens_on(&water, Some("bills.example.com")));
        assert!(!book.opens_on(&water, None));
        assert!(book.opens_on(&gas, Some("bills.example.com")));
        assert!(!book.opens_on(&gas, Some("bills.water.example")));
        assert!(!book.opens_on(book.default_brand(), Some("bills.water.example")));
        assert_eq!(book.by_audience("gas").unwrap().id, gas.id);
        assert_eq!(book.for_host(Some("bills.water.example")).id, water.id);
        assert!(book.for_host(Some("[::1]:8080")).id.is_default());
    }

    #[test]
    fn brand_ids_and_colours_are_checked() {
        for good in ["acme", "acme-water", "a1", &"a".repeat(32)] {
            assert!(BrandId::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "-acme",
            "Acme",
            "acme water",
            "<b>",
            &"a".repeat(33),
            "acmé",
        ] {
            assert!(BrandId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Colour::parse("#0B4F8A").unwrap().to_string(), "#0b4f8a");
        assert!(Colour::parse("#ffff00").unwrap_err().contains("too light"));
        for bad in ["red", "#fff", "#0b4f8g", "", "#0b4f8a00"] {
            assert!(Colour::parse(bad).is_err(), "{bad}");
        }
    }

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
