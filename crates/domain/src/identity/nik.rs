//! NIK, the 16-digit national ID number: province, regency and district (2 digits each),
//! birth date `DDMMYY` (day + 40 for women) and a 4-digit serial.
//!
//! A NIK is personal data. `Debug` and `Display` show it masked (`3174********0001`);
//! only [`Nik::expose`] gives the digits, for storage and for those who may see them
//! (`lifecycle::sees_nik_unmasked`).

use std::fmt;

use chrono::NaiveDate;

use super::nip::Gender;
use super::{exact_digits, number};
use crate::problem::{Message, ProblemCode, Rule};

pub const NIK_DIGITS: usize = 16;
/// Women's NIKs carry the birth day plus this offset.
pub const FEMALE_DAY_OFFSET: u32 = 40;

#[derive(Clone, PartialEq, Eq)]
pub struct Nik {
    digits: String,
    day: u32,
    month: u32,
    year_of_century: u32,
    gender: Gender,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("NIK must be {NIK_DIGITS} digits")]
    Format,
    #[error("NIK region code has a zero part")]
    Region,
    #[error("NIK birth date is not a real date")]
    BirthDate,
    #[error("NIK serial is zero")]
    Serial,
}

impl Nik {
    pub fn parse(raw: &str) -> Result<Self, NikError> {
        let raw = raw.trim();
        let d = exact_digits::<NIK_DIGITS>(raw).ok_or(NikError::Format)?;
        // Province, regency and district codes start at 01; 00 is never issued.
        if [&d[0..2], &d[2..4], &d[4..6]]
            .iter()
            .any(|part| number(part) == 0)
        {
            return Err(NikError::Region);
        }
        let coded_day = number(&d[6..8]);
        let (day, gender) = if coded_day > FEMALE_DAY_OFFSET {
            (coded_day - FEMALE_DAY_OFFSET, Gender::Female)
        } else {
            (coded_day, Gender::Male)
        };
        let (month, year_of_century) = (number(&d[8..10]), number(&d[10..12]));
        // The century is not written: the date must be real in one of the two a living
        // employee can have been born in (29 February of `00` is real, in 2000).
        let real_in = |century: i32| {
            NaiveDate::from_ymd_opt(century + year_of_century as i32, month, day).is_some()
        };
        if !(real_in(1900) || real_in(2000)) {
            return Err(NikError::BirthDate);
        }
        if number(&d[12..16]) == 0 {
            return Err(NikError::Serial);
        }
        Ok(Self {
            digits: raw.to_owned(),
            day,
            month,
            year_of_century,
            gender,
        })
    }

    /// The digits, for storage and for the NIK's owner. Never for logs or third parties.
    pub fn expose(&self) -> &str {
        &self.digits
    }

    /// `3174********0001`: what anyone but the owner may see.
    pub fn masked(&self) -> String {
        mask_nik(&self.digits)
    }

    pub fn gender(&self) -> Gender {
        self.gender
    }

    /// Whether the birth date and gender coded here agree with the ones in a NIP; they
    /// belong to the same person, so a disagreement is most often a typo in one of them.
    pub fn agrees_with(&self, nip: &super::Nip) -> bool {
        use chrono::Datelike;
        let born = nip.birth_date();
        self.gender == nip.gender()
            && self.day == born.day()
            && self.month == born.month()
            && self.year_of_century == (born.year() % 100) as u32
    }
}

/// Masks a stored NIK for display: the first and last four characters stay.
pub fn mask_nik(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let (head, rest) = chars.split_at(4);
    let (middle, tail) = rest.split_at(rest.len() - 4);
    format!(
        "{}{}{}",
        head.iter().collect::<String>(),
        "*".repeat(middle.len()),
        tail.iter().collect::<String>()
    )
}

/// `text` with every run of exactly 16 digits (the shape of a NIK) masked as a NIK is.
/// For free text that leaves the desk, such as a comment quoted in an email: people type
/// their NIK where they should not, and a run of 16 digits is almost always one.
pub fn mask_nik_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() == NIK_DIGITS {
            out.push_str(&mask_nik(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl TryFrom<String> for Nik {
    type Error = NikError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl Rule for NikError {
    fn code(&self) -> ProblemCode {
        match self {
            Self::Format => ProblemCode::NikFormat,
            Self::Region => ProblemCode::NikRegion,
            Self::BirthDate => ProblemCode::NikBirthDate,
            Self::Serial => ProblemCode::NikSerial,
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::Format => Message::new(
                format!("NIK harus terdiri dari {NIK_DIGITS} angka sesuai KTP."),
                format!("The NIK must be exactly {NIK_DIGITS} digits, as on the ID card."),
            ),
            Self::Region => Message::new(
                "Enam angka pertama NIK (kode provinsi, kabupaten/kota, kecamatan) tidak boleh berisi 00.",
                "The first six digits of the NIK (province, regency, district codes) cannot contain 00.",
            ),
            Self::BirthDate => Message::new(
                format!(
                    "Angka ke-7 sampai ke-12 NIK (tanggal lahir HHBBTT, tanggal + {FEMALE_DAY_OFFSET} untuk perempuan) bukan tanggal yang valid."
                ),
                format!(
                    "Digits 7 to 12 of the NIK (birth date DDMMYY, day + {FEMALE_DAY_OFFSET} for women) are not a real date."
                ),
            ),
            Self::Serial => Message::new(
                "Empat angka terakhir NIK (nomor urut) tidak boleh 0000.",
                "The last four digits of the NIK (serial) cannot be 0000.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Nip;
    use proptest::prelude::*;

    // Synthetic: region 31.74.05, born 17-05-90, male, serial 0001.
    const MALE: &str = "3174051705900001";

    #[test]
    fn accepts_and_masks() {
        let nik = Nik::parse(MALE).unwrap();
        assert_eq!(nik.masked(), "3174********0001");
        assert_eq!(format!("{nik}"), "3174********0001");
        assert_eq!(format!("{nik:?}"), "Nik(3174********0001)");
        assert_eq!(nik.expose(), MALE);
        assert_eq!(nik.gender(), Gender::Male);
    }

    #[test]
    fn women_carry_day_plus_forty() {
        let nik = Nik::parse("3174055705900001").unwrap();
        assert_eq!(nik.gender(), Gender::Female);
        assert_eq!(
            Nik::parse("3174057205900001"),
            Err(NikError::BirthDate),
            "day 32"
        );
        assert_eq!(
            Nik::parse("3174054005900001"),
            Err(NikError::BirthDate),
            "day 0 for a woman"
        );
        assert!(Nik::parse("3174057105900001").is_ok(), "31 May, female");
    }

    #[test]
    fn leap_days_follow_either_century() {
        assert!(Nik::parse("3174052902880001").is_ok(), "29-02-88");
        assert!(Nik::parse("3174056902880001").is_ok(), "29-02-88, female");
        assert!(Nik::parse("3174052902000001").is_ok(), "29-02-2000");
        assert_eq!(Nik::parse("3174052902890001"), Err(NikError::BirthDate));
        assert_eq!(Nik::parse("3174056902890001"), Err(NikError::BirthDate));
        assert_eq!(Nik::parse("3174053002880001"), Err(NikError::BirthDate));
    }

    #[test]
    fn rejects_zero_regions_and_serials() {
        assert_eq!(Nik::parse("0074051705900001"), Err(NikError::Region));
        assert_eq!(Nik::parse("3100051705900001"), Err(NikError::Region));
        assert_eq!(Nik::parse("3174001705900001"), Err(NikError::Region));
        assert_eq!(Nik::parse("3174051705900000"), Err(NikError::Serial));
        assert_eq!(Nik::parse("317405170590000"), Err(NikError::Format));
    }

    #[test]
    fn agrees_with_the_nip_of_the_same_person() {
        let nip = Nip::parse("199005172015031001").unwrap();
        assert!(Nik::parse(MALE).unwrap().agrees_with(&nip));
        assert!(
            !Nik::parse("3174055705900001").unwrap().agrees_with(&nip),
            "gender differs"
        );
        assert!(
            !Nik::parse("3174051805900001").unwrap().agrees_with(&nip),
            "day differs"
        );
    }

    #[test]
    fn masking_a_stored_value_never_shows_the_middle() {
        assert_eq!(mask_nik("1234567890123456"), "1234********3456");
        assert_eq!(mask_nik("12345"), "*****");
    }

    proptest! {
        #[test]
        fn every_real_date_parses_for_both_genders(
            days in 0u64..36_500, female: bool, serial in 1u32..10_000
        ) {
            let born = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap() + chrono::Days::new(days);
            use chrono::Datelike;
            let day = born.day() + if female { FEMALE_DAY_OFFSET } else { 0 };
            let raw = format!("317405{day:02}{:02}{:02}{serial:04}", born.month(), born.year() % 100);
            let nik = Nik::parse(&raw).unwrap();
            prop_assert_eq!(nik.gender(), if female { Gender::Female } else { Gender::Male });
            prop_assert!(!nik.masked().contains(&raw[6..12]));
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,40}") {
            let _ = Nik::parse(&raw);
        }
    }

    #[test]
    fn sixteen_digit_runs_in_free_text_are_masked_and_nothing_else() {
        assert_eq!(
            mask_nik_like("NIK saya 3174051705900001, NIP 199005172015031001."),
            "NIK saya 3174********0001, NIP 199005172015031001."
        );
        assert_eq!(mask_nik_like("3174051705900001"), "3174********0001");
        assert_eq!(
            mask_nik_like("tiket S00000035887, 123"),
            "tiket S00000035887, 123"
        );
    }
}
