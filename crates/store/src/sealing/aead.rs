//! The one AEAD the desk seals with, XChaCha20-Poly1305: its 24-byte random nonces
//! never repeat in practice, so a key may seal any number of values.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};

use super::IntegrityError;
use crate::StoreError;

const NONCE_BYTES: usize = 24;

/// `nonce ‖ ciphertext` of `value` under `key` with `context` as associated data.
pub(super) fn seal_with(
    key: &[u8; 32],
    context: &[u8],
    value: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let mut nonce = [0u8; NONCE_BYTES];
    random(&mut nonce)?;
    let sealed = XChaCha20Poly1305::new(&Key::from(*key))
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: value,
                aad: context,
            },
        )
        .map_err(|_| StoreError::Keys("sealing failed".into()))?;
    Ok([nonce.as_slice(), &sealed].concat())
}

pub(super) fn open_with(
    key: &[u8; 32],
    context: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, StoreError> {
    if sealed.len() < NONCE_BYTES + 16 {
        return Err(StoreError::Integrity(IntegrityError(
            "a sealed value is too short",
        )));
    }
    let (nonce, body) = sealed.split_at(NONCE_BYTES);
    let mut nonce_bytes = [0u8; NONCE_BYTES];
    nonce_bytes.copy_from_slice(nonce);
    let nonce = nonce_bytes;
    XChaCha20Poly1305::new(&Key::from(*key))
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: body,
                aad: context,
            },
        )
        .map_err(|_| StoreError::Integrity(IntegrityError("a sealed value does not open")))
}

pub(super) fn random(buffer: &mut [u8]) -> Result<(), StoreError> {
    getrandom::fill(buffer).map_err(|e| StoreError::Keys(format!("no randomness: {e}")))
}
