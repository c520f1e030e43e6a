//! A file body sealed under its own data key: a header (format tag and the STREAM nonce
//! prefix), then 64 KiB chunks, each with its tag, the last one marked as last (the
//! STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár, with the nonce layout
//! of `aead::stream::StreamBE32`). Opened chunk by chunk, so a download holds one chunk
//! in memory, and a truncated, reordered or altered file fails instead of yielding
//! bytes. The chunks are sealed and opened in place: encryption is most of what sealing
//! costs a filing, and copies were a third of it.

use bytes::{Bytes, BytesMut};
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, Tag, XChaCha20Poly1305, XNonce};

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

/// The STREAM construction's nonce for chunk `position` (as `aead::stream::StreamBE32`
/// lays it out): the file's random prefix, a big-endian counter, and a last-chunk flag.
fn chunk_nonce(prefix: &[u8; PREFIX_BYTES], position: u32, last: bool) -> XNonce {
    let mut nonce = [0u8; 24];
    nonce[..PREFIX_BYTES].copy_from_slice(prefix);
    nonce[PREFIX_BYTES..PREFIX_BYTES + 4].copy_from_slice(&position.to_be_bytes());
    nonce[23] = u8::from(last);
    XNonce::from(nonce)
}

/// `plain` sealed under `key`, every chunk bound to `file_id`. Each chunk is copied once,
/// into its place in the output, and encrypted there.
pub fn seal_file(key: &DataKey, file_id: &str, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut prefix = [0u8; PREFIX_BYTES];
    random(&mut prefix)?;
    let cipher = key.cipher();
    let chunks = plain.len().div_ceil(CHUNK_BYTES).max(1);
    let mut sealed = Vec::with_capacity(HEADER_BYTES + plain.len() + chunks * TAG_BYTES);
    sealed.extend_from_slice(FORMAT);
    sealed.extend_from_slice(&prefix);
    let mut rest = plain;
    let mut position: u32 = 0;
    loop {
        let last = rest.len() <= CHUNK_BYTES;
        let (chunk, after) = rest.split_at(rest.len().min(CHUNK_BYTES));
        let start = sealed.len();
        sealed.extend_from_slice(chunk);
        let tag = cipher
            .encrypt_in_place_detached(
                &chunk_nonce(&prefix, position, last),
                file_id.as_bytes(),
                &mut sealed[start..],
            )
            .map_err(|_| StoreError::Keys("sealing a file failed".into()))?;
        sealed.extend_from_slice(&tag);
        if last {
            return Ok(sealed);
        }
        position = position
            .checked_add(1)
            .ok_or_else(|| StoreError::Keys("a file too large to seal".into()))?;
        rest = after;
    }
}

/// Opens a sealed file as its bytes arrive: [`FileOpener::push`] what was read, take the
/// plaintext it gives back, and call [`FileOpener::finish`] at the end, which checks the
/// last chunk is there. Chunks are decrypted where they lie in the read buffer.
pub struct FileOpener {
    cipher: XChaCha20Poly1305,
    file_id: String,
    prefix: Option<[u8; PREFIX_BYTES]>,
    position: u32,
    pending: BytesMut,
}

impl FileOpener {
    pub fn new(key: DataKey, file_id: &str) -> Self {
        Self {
            cipher: key.cipher(),
            file_id: file_id.to_owned(),
            prefix: None,
            position: 0,
            pending: BytesMut::new(),
        }
    }

    fn open_chunk(&mut self, mut chunk: BytesMut, last: bool) -> Result<BytesMut, IntegrityError> {
        let prefix = self
            .prefix
            .ok_or(IntegrityError("a stored file is shorter than its header"))?;
        if chunk.len() < TAG_BYTES {
            return Err(IntegrityError("a chunk of a stored file is cut short"));
        }
        let tag = chunk.split_off(chunk.len() - TAG_BYTES);
        let mut tag_bytes = [0u8; TAG_BYTES];
        tag_bytes.copy_from_slice(&tag);
        self.cipher
            .decrypt_in_place_detached(
                &chunk_nonce(&prefix, self.position, last),
                self.file_id.as_bytes(),
                &mut chunk,
                &Tag::from(tag_bytes),
            )
            .map_err(|_| IntegrityError("a chunk of a stored file does not open"))?;
        self.position = self
            .position
            .checked_add(1)
            .ok_or(IntegrityError("a stored file has too many chunks"))?;
        Ok(chunk)
    }

    /// The plaintext of every whole chunk now known not to be the last.
    pub fn push(&mut self, sealed: &[u8]) -> Result<Bytes, IntegrityError> {
        self.pending.extend_from_slice(sealed);
        if self.prefix.is_none() {
            if self.pending.len() < HEADER_BYTES {
                return Ok(Bytes::new());
            }
            let header = self.pending.split_to(HEADER_BYTES);
            if &header[..FORMAT.len()] != FORMAT {
                return Err(IntegrityError("a stored file is not in the sealed format"));
            }
            let mut prefix = [0u8; PREFIX_BYTES];
            prefix.copy_from_slice(&header[FORMAT.len()..]);
            self.prefix = Some(prefix);
        }
        let mut plain = BytesMut::new();
        // A whole chunk is opened as "not last" only once more bytes follow it.
        while self.pending.len() > CHUNK_BYTES + TAG_BYTES {
            let chunk = self.pending.split_to(CHUNK_BYTES + TAG_BYTES);
            plain.unsplit(self.open_chunk(chunk, false)?);
        }
        Ok(plain.freeze())
    }

    /// The last chunk's plaintext; fails if the file ends early or was cut.
    pub fn finish(mut self) -> Result<Bytes, IntegrityError> {
        let rest = std::mem::take(&mut self.pending);
        self.open_chunk(rest, true).map(BytesMut::freeze)
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
    fn the_layout_is_the_crates_own_stream_be32() {
        use chacha20poly1305::aead::Payload;
        use chacha20poly1305::aead::stream::EncryptorBE32;
        let plain: Vec<u8> = (0..2 * CHUNK_BYTES + 5).map(|i| (i % 7) as u8).collect();
        let key = DataKey::random().unwrap();
        let prefix = [9u8; PREFIX_BYTES];
        let mut encryptor = EncryptorBE32::from_aead(key.cipher(), &prefix.into());
        let mut sealed = [FORMAT.as_slice(), &prefix].concat();
        let mut chunks = plain.chunks(CHUNK_BYTES).peekable();
        while let Some(chunk) = chunks.next() {
            let payload = Payload {
                msg: chunk,
                aad: b"f1",
            };
            if chunks.peek().is_some() {
                sealed.extend(encryptor.encrypt_next(payload).unwrap());
            } else {
                sealed.extend(encryptor.encrypt_last(payload).unwrap());
                break;
            }
        }
        assert_eq!(
            open_in_pieces(same_key(&key), "f1", &sealed, 5000).unwrap(),
            plain
        );
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
