//! Why a link was minted.

/// Why a link was minted.
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
    pub fn as_str(self) -> &'static str {
        match self {
            MintReason::Cycle(_) => "cycle",
            MintReason::Resend => "resend",
            MintReason::Renewal => "renewal",
            MintReason::SelfService => "self_service",
        }
    }

    pub fn cycle(self) -> Option<&'a str> {
        match self {
            MintReason::Cycle(cycle) => Some(cycle),
            _ => None,
        }
    }
}
