//! A file body sealed under its own data key: a header (format tag and the STREAM nonce
//! prefix), then 64 KiB chunks, each with its tag, the last one marked as last. Opened
//! chunk by chunk, so a download holds one chunk in memory, and a truncated, reordered
//! or altered file fails instead of yielding bytes.

use bytes::{Bytes, BytesMut};
use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::aead::{KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305};

use super::IntegrityError;
use super::aead::{open_with, random, seal_with};
use crate::StoreError;

/// Plaintext bytes per chunk.
pub const CHUNK_BYTES: usize = 64 * 1024;
const TAG_BYTES: usize = 16;
const FORMAT: &[u8; 6] = b"CDSK\x00\x01";
/// XChaCha20's 24-byte nonce less STREAM's 5 bytes of counter and last-chunk flag.
const PREFIX_BYTES: usize = 19;
const HEADER_BYTES: usize = FORMAT.len() + PREFIX_BYTES;

/// A file's own key. No `Debug`, no `Clone`: it is used and dropped.
pub struct DataKey([u8; 32]);

impl DataKey {
    pub fn random() -> Result<Self, StoreError> {
        let mut key = [0u8; 32];
        random(&mut key)?;
        Ok(Self(key))
    }

    pub(super) fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(Self(bytes.try_into().ok()?))
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&Key::from(self.0))
    }

    /// A small value (the file's digest) sealed under this key, bound to the file.
    pub fn seal(&self, file_id: &str, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        seal_with(&self.0, &digest_context(file_id), value)
    }

    pub fn open(&self, file_id: &str, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        open_with(&self.0, &digest_context(file_id), sealed)
    }
}

fn digest_context(file_id: &str) -> Vec<u8> {
    [b"certdesk file digest v1\0".as_slice(), file_id.as_bytes()].concat()
}

/// `plain` sealed under `key`, every chunk bound to `file_id`.
pub fn seal_file(key: &DataKey, file_id: &str, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut prefix = [0u8; PREFIX_BYTES];
    random(&mut prefix)?;
    let mut encryptor = EncryptorBE32::from_aead(key.cipher(), &prefix.into());
    let chunks = plain.len().div_ceil(CHUNK_BYTES).max(1);
    let mut sealed = Vec::with_capacity(HEADER_BYTES + plain.len() + chunks * TAG_BYTES);
    sealed.extend_from_slice(FORMAT);
    sealed.extend_from_slice(&prefix);
    let failed = |_| StoreError::Keys("sealing a file failed".into());
    let mut rest = plain;
    while rest.len() > CHUNK_BYTES {
        let (chunk, after) = rest.split_at(CHUNK_BYTES);
        let payload = Payload {
            msg: chunk,
            aad: file_id.as_bytes(),
        };
        sealed.extend_from_slice(&encryptor.encrypt_next(payload).map_err(failed)?);
        rest = after;
    }
    let payload = Payload {
        msg: rest,
        aad: file_id.as_bytes(),
    };
    sealed.extend_from_slice(&encryptor.encrypt_last(payload).map_err(failed)?);
    Ok(sealed)
}

/// Opens a sealed file as its bytes arrive: [`FileOpener::push`] what was read, take the
/// plaintext it gives back, and call [`FileOpener::finish`] at the end, which checks the
/// last chunk is there.
pub struct FileOpener {
    key: DataKey,
    file_id: String,
    decryptor: Option<DecryptorBE32<XChaCha20Poly1305>>,
    pending: BytesMut,
}

impl FileOpener {
    pub fn new(key: DataKey, file_id: &str) -> Self {
        Self {
            key,
            file_id: file_id.to_owned(),
            decryptor: None,
            pending: BytesMut::new(),
        }
    }

    /// The plaintext of every whole chunk now known not to be the last.
    pub fn push(&mut self, sealed: &[u8]) -> Result<Bytes, IntegrityError> {
        self.pending.extend_from_slice(sealed);
        if self.decryptor.is_none() {
            if self.pending.len() < HEADER_BYTES {
                return Ok(Bytes::new());
            }
            let header = self.pending.split_to(HEADER_BYTES);
            if &header[..FORMAT.len()] != FORMAT {
                return Err(IntegrityError("a stored file is not in the sealed format"));
            }
            let mut prefix = [0u8; PREFIX_BYTES];
            prefix.copy_from_slice(&header[FORMAT.len()..]);
            self.decryptor = Some(DecryptorBE32::from_aead(self.key.cipher(), &prefix.into()));
        }
        let Some(decryptor) = self.decryptor.as_mut() else {
            return Ok(Bytes::new());
        };
        let mut plain = BytesMut::new();
        // A whole chunk is decrypted as "not last" only once more bytes follow it.
        while self.pending.len() > CHUNK_BYTES + TAG_BYTES {
            let chunk = self.pending.split_to(CHUNK_BYTES + TAG_BYTES);
            let payload = Payload {
                msg: &chunk[..],
                aad: self.file_id.as_bytes(),
            };
            let opened = decryptor
                .decrypt_next(payload)
                .map_err(|_| IntegrityError("a chunk of a stored file does not open"))?;
            plain.extend_from_slice(&opened);
        }
        Ok(plain.freeze())
    }

    /// The last chunk's plaintext; fails if the file ends early or was cut.
    pub fn finish(self) -> Result<Bytes, IntegrityError> {
        let decryptor = self
            .decryptor
            .ok_or(IntegrityError("a stored file is shorter than its header"))?;
        let payload = Payload {
            msg: &self.pending[..],
            aad: self.file_id.as_bytes(),
        };
        decryptor
            .decrypt_last(payload)
            .map(Bytes::from)
            .map_err(|_| IntegrityError("the last chunk of a stored file does not open"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_in_pieces(
        key: DataKey,
        id: &str,
        sealed: &[u8],
        piece: usize,
    ) -> Result<Vec<u8>, IntegrityError> {
        let mut opener = FileOpener::new(key, id);
        let mut plain = Vec::new();
        for part in sealed.chunks(piece.max(1)) {
            plain.extend_from_slice(&opener.push(part)?);
        }
        plain.extend_from_slice(&opener.finish()?);
        Ok(plain)
    }

    fn same_key(key: &DataKey) -> DataKey {
        DataKey(key.0)
    }

    #[test]
    fn every_size_round_trips_in_any_pieces() {
        for size in [
            0,
            1,
            CHUNK_BYTES - 1,
            CHUNK_BYTES,
            CHUNK_BYTES + 1,
            3 * CHUNK_BYTES + 7,
        ] {
            let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
            let key = DataKey::random().unwrap();
            let sealed = seal_file(&key, "f1", &plain).unwrap();
            if size >= 16 {
                assert!(
                    !sealed.windows(16).any(|w| w == &plain[..16]),
                    "no plaintext run"
                );
            }
            for piece in [1, 7, 4096, CHUNK_BYTES + TAG_BYTES, sealed.len()] {
                if size > 100_000 && piece < 4096 {
                    continue;
                }
                assert_eq!(
                    open_in_pieces(same_key(&key), "f1", &sealed, piece).unwrap(),
                    plain,
                    "size {size}, pieces of {piece}"
                );
            }
        }
    }

    #[test]
    fn a_flipped_bit_a_cut_an_other_file_id_or_key_fails() {
        let plain = vec![7u8; 2 * CHUNK_BYTES + 10];
        let key = DataKey::random().unwrap();
        let sealed = seal_file(&key, "f1", &plain).unwrap();
        let mut flipped = sealed.clone();
        flipped[HEADER_BYTES + CHUNK_BYTES + 100] ^= 0x40;
        assert!(open_in_pieces(same_key(&key), "f1", &flipped, 4096).is_err());
        // Cut at a chunk boundary: what is left looks whole but its last chunk is not marked last.
        let cut = &sealed[..HEADER_BYTES + CHUNK_BYTES + TAG_BYTES];
        assert!(open_in_pieces(same_key(&key), "f1", cut, 4096).is_err());
        assert!(open_in_pieces(same_key(&key), "f2", &sealed, 4096).is_err());
        assert!(open_in_pieces(DataKey::random().unwrap(), "f1", &sealed, 4096).is_err());
        assert!(open_in_pieces(same_key(&key), "f1", &plain, 4096).is_err());
    }
}
