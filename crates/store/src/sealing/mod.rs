//! Encryption at rest (UU 27/2022): attachments and NIKs never reach the disk or the
//! database in the clear.
//!
//! - A file gets a random data key; its body is sealed with XChaCha20-Poly1305 in the
//!   STREAM construction (64 KiB chunks, each authenticated, the last one marked), so it
//!   can be opened chunk by chunk as it is downloaded. The data key is wrapped by the
//!   current master key, whose id is kept beside it: rotating the master key rewraps the
//!   data keys and never touches a file body.
//! - Small values (a NIK) are sealed directly under the master key, bound to their row.
//! - A keyed hash (HMAC-SHA-256 under the index key) finds a person's tickets without
//!   the NIK in the clear; the index key never rotates, or the hashes would stop matching.
//!
//! Every sealed value is bound by its associated data to where it belongs (a file id, a
//! requester), so a value moved to another row does not open.

mod aead;
mod file;
mod holder;
mod keyring;

pub use file::{CHUNK_BYTES, DataKey, FileOpener, seal_file};
pub(crate) use holder::KeyHolder;
pub use keyring::{KeyId, KeySource, Keyring};

/// A sealed value did not open: the bytes, the key or the row they are bound to changed.
#[derive(Debug, thiserror::Error)]
#[error("integrity failure: {0}")]
pub struct IntegrityError(pub &'static str);
