//! Who did something, and why.

use super::Role;

/// Who acted: a staff key (`staff:NAME`, with its role) or the command line (`cli:USER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// As the audit log and the links it mints record it.
    pub name: String,
    /// The key's role; `None` for the command line, which acts with the database's access.
    pub role: Option<Role>,
}

impl Actor {
    /// The operator running a `billpass` command: `$USER`, else the name of the process's
    /// user (a container often sets no `$USER`), else the host's name.
    pub fn command_line() -> Self {
        let user = std::env::var("USER")
            .ok()
            .filter(|user| !user.is_empty())
            .or_else(|| whoami::username().ok())
            .or_else(|| {
                hostname::get()
                    .ok()
                    .map(|host| format!("@{}", host.to_string_lossy()))
            })
            .unwrap_or_else(|| "unknown".into());
        Self {
            name: format!("cli:{user}"),
            role: None,
        }
    }
}

/// Why staff resent or revoked a link: 1 to [`Reason::MAX_CHARS`] printable characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    pub const MAX_CHARS: usize = 500;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let reason = raw.trim();
        if reason.is_empty() {
            return Err("a reason is required (why, for the customer's history)".into());
        }
        if reason.chars().count() > Self::MAX_CHARS || reason.chars().any(char::is_control) {
            return Err(format!(
                "at most {} printable characters expected",
                Self::MAX_CHARS
            ));
        }
        Ok(Self(reason.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required_printable_and_bounded() {
        assert_eq!(
            Reason::parse("  customer asked  ").unwrap().as_str(),
            "customer asked"
        );
        assert!(Reason::parse("   ").is_err());
        assert!(Reason::parse("line\nbreak").is_err());
        assert!(Reason::parse(&"x".repeat(Reason::MAX_CHARS + 1)).is_err());
    }
}
