//! Stored values read back as domain types, once, at the store's edge. A value that no
//! longer reads back (a code this version does not know, a NIP that fails its rules) is a
//! `Corrupt` error naming what it was, never passed up as a string. The raw value is not
//! repeated: it may be personal data.

use certdesk_domain::Nip;

use crate::StoreError;

/// `raw` read by `parse`, or `Corrupt` naming `what` it should have been.
pub(crate) fn decode<T>(
    what: &str,
    raw: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(raw).ok_or_else(|| StoreError::Corrupt(format!("a stored {what} does not read back")))
}

/// An optional column, read by `parse` when present.
pub(crate) fn decode_opt<T>(
    what: &str,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    raw.map(|raw| decode(what, raw, parse)).transpose()
}

pub(crate) fn nip(what: &str, raw: &str) -> Result<Nip, StoreError> {
    decode(what, raw, |raw| Nip::parse(raw).ok())
}

pub(crate) fn nip_opt(what: &str, raw: Option<&str>) -> Result<Option<Nip>, StoreError> {
    raw.map(|raw| nip(what, raw)).transpose()
}
