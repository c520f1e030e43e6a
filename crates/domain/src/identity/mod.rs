//! The identity of a requester as the certificate authority will see it. Each type can
//! only be built by parsing, so a value in hand has passed every structural rule.

mod email;
mod nik;
mod nip;
mod text;
mod unit;

pub use email::{EmailDomains, EmailError, OfficialEmail, redact_addresses};
pub use nik::{Nik, NikError, mask_nik, mask_nik_like};
pub use nip::{Gender, Nip, NipError};
pub use text::{
    CertificateName, MAX_NAME_CHARS, MAX_POSITION_CHARS, NameError, Position, PositionError,
};
pub use unit::{Unit, UnitCatalogue, UnitEntry, UnitUnknown};

/// Digits of a string that must be all ASCII digits of an exact length.
fn exact_digits<const N: usize>(raw: &str) -> Option<[u8; N]> {
    let bytes = raw.as_bytes();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut digits = [0u8; N];
    for (slot, byte) in digits.iter_mut().zip(bytes) {
        *slot = byte - b'0';
    }
    Some(digits)
}

/// The number written by a run of decimal digits.
fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, d| n * 10 + u32::from(*d))
}
