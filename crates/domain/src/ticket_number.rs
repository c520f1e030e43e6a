//! Ticket numbers: `S` and 11 digits, e.g. `S00000035887`. The digits come from a
//! database sequence, so a number is never reused; this type only writes and reads them.

use std::fmt;
use std::str::FromStr;

pub const TICKET_NUMBER_DIGITS: usize = 11;
const PREFIX: char = 'S';
/// The largest number that fits in 11 digits.
pub const MAX_SEQUENCE: u64 = 99_999_999_999;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNumber(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketNumberError {
    #[error("a ticket number is `S` followed by {TICKET_NUMBER_DIGITS} digits")]
    Format,
    #[error("sequence value {0} does not fit in a ticket number")]
    OutOfRange(i64),
}

impl TicketNumber {
    /// The number for a value drawn from the ticket sequence (which starts at 1).
    pub fn from_sequence(value: i64) -> Result<Self, TicketNumberError> {
        u64::try_from(value)
            .ok()
            .filter(|v| (1..=MAX_SEQUENCE).contains(v))
            .map(Self)
            .ok_or(TicketNumberError::OutOfRange(value))
    }

    pub fn sequence(self) -> i64 {
        // At most MAX_SEQUENCE, far below i64::MAX.
        self.0 as i64
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PREFIX}{:0width$}",
            self.0,
            width = TICKET_NUMBER_DIGITS
        )
    }
}

impl FromStr for TicketNumber {
    type Err = TicketNumberError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let digits = raw
            .strip_prefix(PREFIX)
            .filter(|d| d.len() == TICKET_NUMBER_DIGITS && d.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(TicketNumberError::Format)?;
        let value: i64 = digits.parse().map_err(|_| TicketNumberError::Format)?;
        Self::from_sequence(value).map_err(|_| TicketNumberError::Format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn writes_s_and_eleven_digits() {
        assert_eq!(
            TicketNumber::from_sequence(35887).unwrap().to_string(),
            "S00000035887"
        );
        assert_eq!(
            TicketNumber::from_sequence(MAX_SEQUENCE as i64)
                .unwrap()
                .to_string(),
            "S99999999999"
        );
    }

    #[test]
    fn refuses_what_it_cannot_write() {
        assert!(TicketNumber::from_sequence(0).is_err());
        assert!(TicketNumber::from_sequence(-1).is_err());
        assert!(TicketNumber::from_sequence(MAX_SEQUENCE as i64 + 1).is_err());
    }

    #[test]
    fn reads_only_the_exact_form() {
        assert_eq!(
            "S00000035887".parse::<TicketNumber>().unwrap().sequence(),
            35887
        );
        for bad in [
            "s00000035887",
            "S0000003588",
            "S000000358870",
            "S0000003588x",
            "35887",
            "S00000000000",
            "",
        ] {
            assert!(bad.parse::<TicketNumber>().is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn round_trips(value in 1i64..=MAX_SEQUENCE as i64) {
            let number = TicketNumber::from_sequence(value).unwrap();
            prop_assert_eq!(number.to_string().parse::<TicketNumber>().unwrap(), number);
        }
    }
}
