//! Why a link was minted.

/// Why a link was minted, with the cycle of a cycle link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MintReason<'a> {
    /// The customer's link for this cycle.
    Cycle(&'a str),
    Resend,
    Renewal,
    /// Asked for on `/link` with an address on file.
    SelfService,
}

impl<'a> MintReason<'a> {
    /// The reason as stored with the link.
    pub fn kind(self) -> LinkReason {
        match self {
            MintReason::Cycle(_) => LinkReason::Cycle,
            MintReason::Resend => LinkReason::Resend,
            MintReason::Renewal => LinkReason::Renewal,
            MintReason::SelfService => LinkReason::SelfService,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.kind().as_str()
    }

    pub fn cycle(self) -> Option<&'a str> {
        match self {
            MintReason::Cycle(cycle) => Some(cycle),
            _ => None,
        }
    }
}

word_enum! {
    /// Why a link was minted, as stored: `cycle`, `resend`, `renewal` or `self_service`.
    pub enum LinkReason {
        Cycle,
        Resend,
        Renewal,
        SelfService,
    }
}
