//! What a link message says, in each channel.

use askama::Template;

/// The plain-text part of a link email.
#[derive(Template)]
#[template(path = "email/link.txt")]
pub struct LinkEmailText<'a> {
    pub brand: &'a str,
    pub name: &'a str,
    pub link: &'a str,
    /// `24 Nov 2026 at 19:26 UTC`.
    pub expires: &'a str,
}

/// The HTML part of a link email.
#[derive(Template)]
#[template(path = "email/link.html")]
pub struct LinkEmailHtml<'a> {
    pub brand: &'a str,
    pub name: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}

/// A link text message; with the default template it fits two GSM-7 segments.
#[derive(Template)]
#[template(path = "sms/link.txt")]
pub struct LinkSms<'a> {
    pub brand: &'a str,
    pub link: &'a str,
}

/// An emailed staff sign-in link (plain text).
#[derive(Template)]
#[template(path = "email/staff_sign_in.txt")]
pub struct StaffSignInEmail<'a> {
    pub brand: &'a str,
    pub link: &'a str,
    pub expires: &'a str,
}
