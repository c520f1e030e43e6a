//! The name and position printed on the certificate: letters and spaces only, short enough
//! for the certificate profile.

use std::fmt;

use crate::problem::{Message, ProblemCode, Rule};

pub const MAX_NAME_CHARS: usize = 25;
pub const MAX_POSITION_CHARS: usize = 20;

/// Titles that must not be part of the certificate name, compared as whole words without
/// case. Written with dots they are already refused by the letters-only rule; this list
/// catches them written without dots ("Dr Budi", "Budi SE").
const ACADEMIC_TITLES: &[&str] = &[
    // Two-letter words that are also given names ("Ma", "Si", "St") are left out on purpose.
    "ak", "amd", "bsc", "dr", "dra", "drs", "ir", "llm", "mak", "mba", "mec", "mh", "mkes", "mkom",
    "mm", "mpd", "mpp", "msc", "msi", "mt", "phd", "prof", "sag", "sak", "se", "sh", "sip", "skom",
    "spd", "ssi", "ssos", "sst", "stp",
];

/// Letters and single spaces, trimmed; `None` when another character is present or no
/// letter at all (a blank field is reported as missing before it gets here).
fn letters_and_spaces(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw.split_whitespace().collect();
    let all_letters = words
        .iter()
        .all(|w| w.chars().all(|c| c.is_ascii_alphabetic()));
    (all_letters && !words.is_empty()).then(|| words.join(" "))
}

/// The holder's name as the certificate will show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name has characters other than letters and spaces")]
    Characters,
    #[error("name is longer than {MAX_NAME_CHARS} characters")]
    TooLong { length: usize },
    #[error("name contains an academic title")]
    AcademicTitle { title: String },
}

impl CertificateName {
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let name = letters_and_spaces(raw).ok_or(NameError::Characters)?;
        if let Some(title) = name
            .split(' ')
            .find(|word| ACADEMIC_TITLES.contains(&word.to_ascii_lowercase().as_str()))
        {
            return Err(NameError::AcademicTitle {
                title: title.to_owned(),
            });
        }
        let length = name.chars().count();
        if length > MAX_NAME_CHARS {
            return Err(NameError::TooLong { length });
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The position (jabatan) as the certificate will show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PositionError {
    #[error("position has characters other than letters and spaces")]
    Characters,
    #[error("position is longer than {MAX_POSITION_CHARS} characters")]
    TooLong { length: usize },
}

impl Position {
    pub fn parse(raw: &str) -> Result<Self, PositionError> {
        let position = letters_and_spaces(raw).ok_or(PositionError::Characters)?;
        let length = position.chars().count();
        if length > MAX_POSITION_CHARS {
            return Err(PositionError::TooLong { length });
        }
        Ok(Self(position))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CertificateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Rule for NameError {
    fn code(&self) -> ProblemCode {
        match self {
            Self::Characters => ProblemCode::NameCharacters,
            Self::TooLong { .. } => ProblemCode::NameTooLong,
            Self::AcademicTitle { .. } => ProblemCode::NameAcademicTitle,
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::Characters => Message::new(
                "Nama hanya boleh berisi huruf dan spasi (tanpa titik, koma, angka atau gelar).",
                "The name may only contain letters and spaces (no dots, commas, digits or titles).",
            ),
            Self::TooLong { length } => Message::new(
                format!(
                    "Nama paling banyak {MAX_NAME_CHARS} karakter (saat ini {length}). Singkat nama tengah bila perlu."
                ),
                format!(
                    "The name may have at most {MAX_NAME_CHARS} characters (it has {length}). Abbreviate middle names if needed."
                ),
            ),
            Self::AcademicTitle { title } => Message::new(
                format!("Nama pada sertifikat tidak boleh memuat gelar akademik (`{title}`)."),
                format!(
                    "The name on the certificate must not include an academic title (`{title}`)."
                ),
            ),
        }
    }
}

impl Rule for PositionError {
    fn code(&self) -> ProblemCode {
        match self {
            Self::Characters => ProblemCode::PositionCharacters,
            Self::TooLong { .. } => ProblemCode::PositionTooLong,
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::Characters => Message::new(
                "Jabatan hanya boleh berisi huruf dan spasi (tanpa titik, tanda kurung atau angka).",
                "The position may only contain letters and spaces (no dots, brackets or digits).",
            ),
            Self::TooLong { length } => Message::new(
                format!("Jabatan paling banyak {MAX_POSITION_CHARS} karakter (saat ini {length})."),
                format!(
                    "The position may have at most {MAX_POSITION_CHARS} characters (it has {length})."
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_are_trimmed_and_single_spaced() {
        assert_eq!(
            CertificateName::parse("  Budi   Santoso ")
                .unwrap()
                .as_str(),
            "Budi Santoso"
        );
    }

    #[test]
    fn names_refuse_punctuation_digits_and_titles() {
        assert_eq!(
            CertificateName::parse("Budi Santoso, S.Kom"),
            Err(NameError::Characters)
        );
        assert_eq!(CertificateName::parse("Budi 2"), Err(NameError::Characters));
        assert!(matches!(
            CertificateName::parse("Dr Budi Santoso"),
            Err(NameError::AcademicTitle { .. })
        ));
        assert!(matches!(
            CertificateName::parse("Siti Aminah SE"),
            Err(NameError::AcademicTitle { .. })
        ));
        assert!(
            CertificateName::parse("Sekar Ayu").is_ok(),
            "a title must be a whole word"
        );
    }

    #[test]
    fn name_length_limit_is_exact() {
        assert!(CertificateName::parse(&"A".repeat(MAX_NAME_CHARS)).is_ok());
        assert_eq!(
            CertificateName::parse(&"A".repeat(MAX_NAME_CHARS + 1)),
            Err(NameError::TooLong {
                length: MAX_NAME_CHARS + 1
            })
        );
    }

    #[test]
    fn positions_are_letters_and_spaces_within_the_limit() {
        assert_eq!(
            Position::parse("Pranata Komputer").unwrap().as_str(),
            "Pranata Komputer"
        );
        assert_eq!(
            Position::parse("Kasubbag (TU)"),
            Err(PositionError::Characters)
        );
        assert_eq!(
            Position::parse("Kepala Seksi I."),
            Err(PositionError::Characters)
        );
        assert!(matches!(
            Position::parse("Analis Kebijakan Ahli Muda"),
            Err(PositionError::TooLong { .. })
        ));
    }

    proptest! {
        #[test]
        fn letters_and_spaces_within_the_limit_are_names(name in "[A-Z][a-z]{2,8}( [A-Z][a-z]{2,6}){0,1}") {
            // Generated words can spell a title ("Llm"); those are the other rule's case.
            prop_assume!(!name.split(' ').any(|w| ACADEMIC_TITLES.contains(&w.to_ascii_lowercase().as_str())));
            let parsed = CertificateName::parse(&name).unwrap();
            prop_assert_eq!(parsed.as_str(), name.as_str());
        }

        #[test]
        fn a_non_letter_anywhere_is_refused(a in "[A-Za-z]{1,8}", c in "[0-9.,()'\\-]", b in "[A-Za-z]{0,8}") {
            let raw = format!("{a}{c}{b}");
            prop_assert_eq!(CertificateName::parse(&raw), Err(NameError::Characters));
            prop_assert_eq!(Position::parse(&raw), Err(PositionError::Characters));
        }
    }
}
