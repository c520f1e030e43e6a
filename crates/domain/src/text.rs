//! Free text written by an employee: bounded, and never a secret. The guides stress that a
//! passphrase is set by its owner alone and handed to no one, so text that discloses one
//! is refused rather than stored.

use std::fmt;

use crate::problem::{Message, ProblemCode, Rule};
use crate::secret::discloses_secret;

pub const MAX_DESCRIPTION_CHARS: usize = 2000;
pub const MAX_REASON_DETAIL_CHARS: usize = 500;
pub const MAX_CHANGE_VALUE_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeText(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("text is longer than {max} characters")]
    TooLong { max: usize, length: usize },
    #[error("text seems to disclose a passphrase, PIN or password")]
    Secret,
    #[error("text contains control characters")]
    ControlCharacters,
}

impl FreeText {
    /// Trimmed text of at most `max` characters that does not disclose a secret. Blank
    /// text is the caller's concern (it is either optional or reported as missing).
    pub fn parse(raw: &str, max: usize) -> Result<Self, TextError> {
        let text = raw.trim();
        let length = text.chars().count();
        if length > max {
            return Err(TextError::TooLong { max, length });
        }
        if has_control_characters(text, true) {
            return Err(TextError::ControlCharacters);
        }
        if discloses_secret(text) {
            return Err(TextError::Secret);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The longest text search (`q`) a list takes.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Text to search for in descriptions: one line, bounded, with nothing a person cannot
/// see or type in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    pub fn parse(raw: &str) -> Result<Self, TextError> {
        let text = raw.trim();
        let length = text.chars().count();
        if length > MAX_SEARCH_CHARS {
            return Err(TextError::TooLong {
                max: MAX_SEARCH_CHARS,
                length,
            });
        }
        if has_control_characters(text, false) {
            return Err(TextError::ControlCharacters);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// NUL and other control characters are never meant (PostgreSQL cannot even store NUL);
/// line breaks and tabs are, in multi-line text. Bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) reorder what a reader sees, so that the text shown is
/// not the text stored: refused like control characters.
fn has_control_characters(text: &str, multiline: bool) -> bool {
    text.chars().any(|c| {
        let allowed_break = multiline && matches!(c, '\n' | '\r' | '\t');
        (c.is_control() && !allowed_break)
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    })
}

impl fmt::Display for FreeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Rule for TextError {
    fn code(&self) -> ProblemCode {
        match self {
            Self::TooLong { .. } => ProblemCode::TextTooLong,
            Self::Secret => ProblemCode::SecretInText,
            Self::ControlCharacters => ProblemCode::TextControlCharacters,
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::TooLong { max, length } => Message::new(
                format!("Teks paling banyak {max} karakter (saat ini {length})."),
                format!("The text may have at most {max} characters (it has {length})."),
            ),
            Self::Secret => Message::new(
                "Teks ini tampaknya berisi passphrase, PIN atau kata sandi. Service desk tidak pernah memerlukan passphrase Anda: hapus dari teks. Bila Anda pernah mengirimkannya ke mana pun (termasuk ke sini), segera ganti passphrase Anda.",
                "This text seems to contain a passphrase, PIN or password. The service desk never needs your passphrase: remove it from the text. If you have sent it anywhere (here included), change your passphrase at once.",
            ),
            Self::ControlCharacters => Message::new(
                "Teks berisi karakter kontrol yang tidak terlihat (mis. NUL). Ketik ulang teksnya tanpa menyalin dari sumber lain.",
                "The text contains invisible control characters (such as NUL). Type it again rather than pasting it.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_disclosed_secrets() {
        for text in [
            "PIN: 123456",
            "passphrase saya: Rahasia123",
            "kata sandi adalah qwerty",
            "my password is hunter2",
            "Passphrase=abc",
            "pin baru = 9999",
            "passphrasenya: abc",
        ] {
            assert_eq!(FreeText::parse(text, 200), Err(TextError::Secret), "{text}");
        }
    }

    #[test]
    fn allows_talking_about_secrets() {
        for text in [
            "Saya lupa passphrase sertifikat",
            "Mohon reset PIN. Terima kasih",
            "Link set passphrase kedaluwarsa",
            "spin: none; pinjam: 3 hari",
            "passphrase:",
        ] {
            assert!(FreeText::parse(text, 200).is_ok(), "{text}");
        }
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_text() {
        assert_eq!(
            FreeText::parse("a\u{0}b", 10),
            Err(TextError::ControlCharacters)
        );
        assert_eq!(
            FreeText::parse("a\u{1b}[2Jb", 10),
            Err(TextError::ControlCharacters)
        );
        assert!(FreeText::parse("baris satu\nbaris dua\tend", 100).is_ok());
    }

    #[test]
    fn length_limit_counts_characters() {
        assert!(FreeText::parse(&"é".repeat(10), 10).is_ok());
        assert_eq!(
            FreeText::parse(&"é".repeat(11), 10),
            Err(TextError::TooLong {
                max: 10,
                length: 11
            })
        );
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in "\\PC{0,300}") {
            let _ = FreeText::parse(&raw, 200);
        }
    }
}
