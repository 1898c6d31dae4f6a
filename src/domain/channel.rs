//! How a link reaches a customer.

word_enum! {
    /// Email or text message: `email` or `sms`.
    pub enum Channel {
        Email,
        Sms,
    }
}

impl Channel {
    /// The other channel, for fallback.
    pub fn other(self) -> Channel {
        match self {
            Channel::Email => Channel::Sms,
            Channel::Sms => Channel::Email,
        }
    }
}

impl TryFrom<String> for Channel {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
