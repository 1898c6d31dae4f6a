//! The GSM 03.38 alphabet text messages are counted in: 160 septets in one segment, 153 in
//! each of several. A message with any other character goes as UCS-2 instead, at 70
//! characters a segment, so billpass writes its messages in this alphabet only.

/// The basic table: one septet each.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: two septets each (an escape, then the character).
const EXTENDED: &str = "^{}\\[~]|€\u{c}";

/// Septets in one segment.
pub const ONE_SEGMENT: usize = 160;
/// Septets in two concatenated segments.
pub const TWO_SEGMENTS: usize = 306;

/// The septets `c` takes, or `None` outside the alphabet.
pub fn septets_of(c: char) -> Option<usize> {
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENDED.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The septets `text` takes, or `None` when a character is outside the alphabet.
pub fn septets(text: &str) -> Option<usize> {
    text.chars().map(septets_of).sum()
}

/// `text` with the characters outside the basic table left out.
pub fn basic_only(text: &str) -> String {
    text.chars().filter(|&c| septets_of(c) == Some(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn septets_are_counted_per_table() {
        assert_eq!(septets("Acme: $12.00"), Some(12));
        assert_eq!(septets("€5"), Some(3));
        assert_eq!(septets("5 ₹"), None);
        assert_eq!(septets("−5"), None, "the minus sign is not the hyphen");
        assert_eq!(basic_only("Énergie Süd ★ €"), "Énergie Süd  ");
    }
}
