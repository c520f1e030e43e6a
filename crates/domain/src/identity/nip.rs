//! NIP, the 18-digit civil-servant number: birth date `YYYYMMDD`, appointment `YYYYMM`,
//! gender digit (`1` male, `2` female) and a 3-digit sequence.

use std::fmt;

use chrono::{Datelike, NaiveDate};

use super::{exact_digits, number};
use crate::problem::{Message, ProblemCode, Rule};

pub const NIP_DIGITS: usize = 18;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Gender {
    Male,
    Female,
}

/// A structurally valid NIP. Not secret: it is printed on official letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nip {
    digits: String,
    // Both follow from `digits`; kept so that readers need not parse again.
    birth_date: NaiveDate,
    gender: Gender,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NipError {
    #[error("NIP must be {NIP_DIGITS} digits")]
    Format,
    #[error("NIP birth date is not a real date")]
    BirthDate,
    #[error("NIP appointment month is not a real month")]
    AppointmentDate,
    #[error("NIP appointment is not after birth")]
    AppointmentBeforeBirth,
    #[error("NIP gender digit is neither 1 nor 2")]
    Gender,
}

impl Nip {
    pub fn parse(raw: &str) -> Result<Self, NipError> {
        let raw = raw.trim();
        let d = exact_digits::<NIP_DIGITS>(raw).ok_or(NipError::Format)?;
        let birth =
            NaiveDate::from_ymd_opt(number(&d[0..4]) as i32, number(&d[4..6]), number(&d[6..8]))
                .ok_or(NipError::BirthDate)?;
        let (appointed_year, appointed_month) = (number(&d[8..12]) as i32, number(&d[12..14]));
        if NaiveDate::from_ymd_opt(appointed_year, appointed_month, 1).is_none() {
            return Err(NipError::AppointmentDate);
        }
        if (appointed_year, appointed_month) <= (birth.year(), birth.month()) {
            return Err(NipError::AppointmentBeforeBirth);
        }
        let gender = match d[14] {
            1 => Gender::Male,
            2 => Gender::Female,
            _ => return Err(NipError::Gender),
        };
        Ok(Self {
            digits: raw.to_owned(),
            birth_date: birth,
            gender,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }

    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    pub fn gender(&self) -> Gender {
        self.gender
    }
}

impl fmt::Display for Nip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

impl TryFrom<String> for Nip {
    type Error = NipError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

/// A NIP travels as its 18 digits and reads back only if it still passes the rules.
impl serde::Serialize for Nip {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Nip {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Nip::parse(&raw).map_err(|_| serde::de::Error::custom("not a valid NIP"))
    }
}

impl Rule for NipError {
    fn code(&self) -> ProblemCode {
        match self {
            Self::Format => ProblemCode::NipFormat,
            Self::BirthDate => ProblemCode::NipBirthDate,
            Self::AppointmentDate => ProblemCode::NipAppointmentDate,
            Self::AppointmentBeforeBirth => ProblemCode::NipAppointmentBeforeBirth,
            Self::Gender => ProblemCode::NipGender,
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::Format => Message::new(
                format!("NIP harus terdiri dari {NIP_DIGITS} angka, tanpa spasi atau tanda baca."),
                format!(
                    "The NIP must be exactly {NIP_DIGITS} digits, without spaces or punctuation."
                ),
            ),
            Self::BirthDate => Message::new(
                "Delapan angka pertama NIP (tanggal lahir TTTTBBHH) bukan tanggal yang valid.",
                "The first eight digits of the NIP (birth date YYYYMMDD) are not a real date.",
            ),
            Self::AppointmentDate => Message::new(
                "Angka ke-9 sampai ke-14 NIP (TMT pengangkatan TTTTBB) bukan bulan yang valid.",
                "Digits 9 to 14 of the NIP (appointment YYYYMM) are not a real month.",
            ),
            Self::AppointmentBeforeBirth => Message::new(
                "Tanggal pengangkatan pada NIP harus setelah tanggal lahir.",
                "The appointment date in the NIP must come after the birth date.",
            ),
            Self::Gender => Message::new(
                "Angka ke-15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan).",
                "Digit 15 of the NIP (gender) must be 1 (male) or 2 (female).",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Synthetic: born 1990-05-17, appointed 2015-03, female, sequence 001.
    const VALID: &str = "199005172015032001";

    #[test]
    fn accepts_a_well_formed_nip_and_reads_its_parts() {
        let nip = Nip::parse(VALID).unwrap();
        assert_eq!(
            nip.birth_date(),
            NaiveDate::from_ymd_opt(1990, 5, 17).unwrap()
        );
        assert_eq!(nip.gender(), Gender::Female);
    }

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(
            Nip::parse(" 199005172015031001 ").unwrap().as_str(),
            "199005172015031001"
        );
    }

    #[test]
    fn rejects_wrong_length_and_non_digits() {
        assert_eq!(Nip::parse("19900517201503200"), Err(NipError::Format));
        assert_eq!(Nip::parse("1990051720150320011"), Err(NipError::Format));
        assert_eq!(Nip::parse("19900517 201503 2 001"), Err(NipError::Format));
        assert_eq!(Nip::parse("1990O5172015032001"), Err(NipError::Format));
    }

    #[test]
    fn birth_on_29_february_is_real_only_in_leap_years() {
        assert!(Nip::parse("198802292012031001").is_ok());
        assert_eq!(Nip::parse("198902292012031001"), Err(NipError::BirthDate));
        assert!(
            Nip::parse("200002292022031001").is_ok(),
            "2000 is a leap year"
        );
        assert_eq!(
            Nip::parse("190002292022031001"),
            Err(NipError::BirthDate),
            "1900 is not"
        );
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(Nip::parse("199013172015032001"), Err(NipError::BirthDate));
        assert_eq!(Nip::parse("199004312015032001"), Err(NipError::BirthDate));
        assert_eq!(
            Nip::parse("199005172015132001"),
            Err(NipError::AppointmentDate)
        );
        assert_eq!(
            Nip::parse("199005172015002001"),
            Err(NipError::AppointmentDate)
        );
    }

    #[test]
    fn appointment_must_follow_birth() {
        assert_eq!(
            Nip::parse("199005171990052001"),
            Err(NipError::AppointmentBeforeBirth)
        );
        assert_eq!(
            Nip::parse("199005171989122001"),
            Err(NipError::AppointmentBeforeBirth)
        );
        assert!(Nip::parse("199005171990062001").is_ok());
    }

    #[test]
    fn gender_digit_is_one_or_two() {
        assert_eq!(Nip::parse("199005172015033001"), Err(NipError::Gender));
        assert_eq!(Nip::parse("199005172015030001"), Err(NipError::Gender));
    }

    proptest! {
        #[test]
        fn every_real_birth_and_later_appointment_parses(
            days in 0i64..40_000, months_later in 1u32..600, female: bool, seq in 0u32..1000
        ) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let total = birth.year() as u32 * 12 + birth.month0() + months_later;
            let (year, month) = (total / 12, total % 12 + 1);
            let raw = format!(
                "{}{year:04}{month:02}{}{seq:03}",
                birth.format("%Y%m%d"), if female { 2 } else { 1 }
            );
            let nip = Nip::parse(&raw).unwrap();
            prop_assert_eq!(nip.birth_date(), birth);
            prop_assert_eq!(nip.gender(), if female { Gender::Female } else { Gender::Male });
        }

        #[test]
        fn anything_but_18_digits_is_a_format_error(raw in "[0-9]{0,17}|[0-9]{19,24}|[0-9]{8}[a-z ][0-9]{9}") {
            prop_assert_eq!(Nip::parse(&raw), Err(NipError::Format));
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,40}") {
            let _ = Nip::parse(&raw);
        }
    }
}
