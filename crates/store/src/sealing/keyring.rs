//! The master keys and the index key, read from a key file (mode 0600) or from the
//! configuration, created on first start for the embedded setup. Never printed: `Debug`
//! shows key ids only.

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::IntegrityError;
use super::aead::{open_with, random, seal_with};
use super::file::DataKey;
use crate::StoreError;

/// A master key's name, kept beside everything it sealed so that the right key is found
/// after a rotation and a retired key can be proven unused.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn parse(text: &str) -> Option<Self> {
        let ok = !text.is_empty()
            && text.len() <= 32
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| Self(text.to_owned()))
    }

    fn fresh() -> Result<Self, StoreError> {
        let mut tag = [0u8; 4];
        random(&mut tag)?;
        Ok(Self(format!(
            "mk-{}-{}",
            chrono::Utc::now().format("%Y%m%d"),
            hex::encode(tag)
        )))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

struct MasterKey {
    id: KeyId,
    key: [u8; 32],
}

/// Where the keys came from: a file `certdesk keys rotate` can rewrite, or the
/// configuration (for example `CERTDESK_ENCRYPTION__KEYS`), which it cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Inline,
}

/// The index key and the master keys; the last master key seals whatever is new.
pub struct Keyring {
    index: [u8; 32],
    masters: Vec<MasterKey>,
    source: KeySource,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("masters", &self.ids())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// Reads the keys: `inline` when given, else the file at `path`, which is created
    /// with fresh keys when it does not exist yet.
    pub fn load(path: &Path, inline: Option<&str>) -> Result<Self, StoreError> {
        if let Some(text) = inline {
            return Self::parse(text, KeySource::Inline);
        }
        if !path.exists() {
            let fresh = Self::generate(KeySource::File(path.to_owned()))?;
            fresh.save()?;
            tracing::warn!(
                path = %path.display(),
                "created a new master key file: back it up, without it the attachments and NIKs cannot be read"
            );
            return Ok(fresh);
        }
        Self::read(path)
    }

    /// Reads an existing key file, refusing one that others may read.
    pub fn read(path: &Path) -> Result<Self, StoreError> {
        refuse_if_readable_by_others(path)?;
        let text = std::fs::read_to_string(path)
            .map_err(|e| StoreError::Keys(format!("reading {}: {e}", path.display())))?;
        Self::parse(&text, KeySource::File(path.to_owned()))
    }

    fn generate(source: KeySource) -> Result<Self, StoreError> {
        let mut index = [0u8; 32];
        random(&mut index)?;
        let mut key = [0u8; 32];
        random(&mut key)?;
        Ok(Self {
            index,
            masters: vec![MasterKey {
                id: KeyId::fresh()?,
                key,
            }],
            source,
        })
    }

    /// `index <hex>` once, then `master <id> <hex>` lines, oldest first; `#` comments.
    /// Lines may also be separated by `;`, for an environment variable.
    pub fn parse(text: &str, source: KeySource) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::Keys(format!("the key file {what}"));
        let mut index = None;
        let mut masters: Vec<MasterKey> = Vec::new();
        let lines = text
            .lines()
            .map(|line| line.split_once('#').map_or(line, |(before, _)| before))
            .flat_map(|line| line.split(';'))
            .map(str::trim)
            .filter(|line| !line.is_empty());
        for line in lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["index", hex] if index.is_none() => {
                    index = Some(
                        key_bytes(hex)
                            .ok_or_else(|| bad("has an index key that is not 64 hex digits"))?,
                    )
                }
                ["master", id, hex] => {
                    let id = KeyId::parse(id).ok_or_else(|| {
                        bad("has a master key id that is not 1 to 32 letters, digits, - or _")
                    })?;
                    if masters.iter().any(|m| m.id == id) {
                        return Err(bad("names a master key twice"));
                    }
                    let key = key_bytes(hex)
                        .ok_or_else(|| bad("has a master key that is not 64 hex digits"))?;
                    masters.push(MasterKey { id, key });
                }
                _ => {
                    return Err(bad(
                        "has a line that is neither `index <hex>` nor `master <id> <hex>`",
                    ));
                }
            }
        }
        let index = index.ok_or_else(|| bad("has no index key"))?;
        if masters.is_empty() {
            return Err(bad("has no master key"));
        }
        Ok(Self {
            index,
            masters,
            source,
        })
    }

    fn to_text(&self) -> String {
        let mut text = String::from(
            "# certdesk keys. Private (mode 0600) and backed up: without them the attachments\n\
             # and NIKs cannot be read. The last master key seals new data. Rotate with\n\
             # `certdesk keys rotate`, retire an unused one with `certdesk keys retire <id>`.\n",
        );
        text.push_str(&format!("index {}\n", hex::encode(self.index)));
        for master in &self.masters {
            text.push_str(&format!(
                "master {} {}\n",
                master.id,
                hex::encode(master.key)
            ));
        }
        text
    }

    /// Writes the key file whole (a temporary file renamed over it), mode 0600.
    pub fn save(&self) -> Result<(), StoreError> {
        let KeySource::File(path) = &self.source else {
            return Err(StoreError::Keys(
                "the keys are given in the configuration, not a file: change them there".into(),
            ));
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Keys(format!("creating {}: {e}", dir.display())))?;
        }
        let temporary = path.with_extension("new");
        write_private(&temporary, self.to_text().as_bytes())
            .and_then(|()| std::fs::rename(&temporary, path))
            .map_err(|e| StoreError::Keys(format!("writing {}: {e}", path.display())))
    }

    pub fn source(&self) -> &KeySource {
        &self.source
    }

    /// Every master key id, oldest first; the last is the current one.
    pub fn ids(&self) -> Vec<&KeyId> {
        self.masters.iter().map(|m| &m.id).collect()
    }

    pub fn current_id(&self) -> &KeyId {
        &self.current().id
    }

    fn current(&self) -> &MasterKey {
        // `parse` and `generate` never make a keyring without a master key, and `without`
        // never removes the current one.
        &self.masters[self.masters.len() - 1]
    }

    fn master(&self, id: &str) -> Result<&MasterKey, StoreError> {
        self.masters
            .iter()
            .find(|m| m.id.as_str() == id)
            .ok_or_else(|| StoreError::UnknownKey(id.to_owned()))
    }

    /// This keyring with a fresh master key added, which becomes the current one.
    pub fn rotated(&self) -> Result<Self, StoreError> {
        let mut key = [0u8; 32];
        random(&mut key)?;
        let mut masters: Vec<MasterKey> = self
            .masters
            .iter()
            .map(|m| MasterKey {
                id: m.id.clone(),
                key: m.key,
            })
            .collect();
        masters.push(MasterKey {
            id: KeyId::fresh()?,
            key,
        });
        Ok(Self {
            index: self.index,
            masters,
            source: self.source.clone(),
        })
    }

    /// This keyring without the master key `id`; the current key cannot be retired.
    pub fn without(&self, id: &str) -> Result<Self, StoreError> {
        self.master(id)?;
        if self.current().id.as_str() == id {
            return Err(StoreError::Keys(format!(
                "{id} is the current master key: rotate first"
            )));
        }
        Ok(Self {
            index: self.index,
            masters: self
                .masters
                .iter()
                .filter(|m| m.id.as_str() != id)
                .map(|m| MasterKey {
                    id: m.id.clone(),
                    key: m.key,
                })
                .collect(),
            source: self.source.clone(),
        })
    }

    /// The keyed hash of a NIK, as 64 hex digits: equal NIKs, equal hashes; without the
    /// index key, no way back and no way to test a guess.
    pub fn nik_index(&self, nik: &str) -> String {
        // HMAC pads a key to its block, 64 bytes for SHA-256, with zeros: the same key.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.index);
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new(&block.into());
        mac.update(b"certdesk nik index v1\0");
        mac.update(nik.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// `value` sealed under the current master key, bound to `context`.
    pub fn seal(&self, context: &[u8], value: &[u8]) -> Result<(KeyId, Vec<u8>), StoreError> {
        let master = self.current();
        Ok((master.id.clone(), seal_with(&master.key, context, value)?))
    }

    /// A value sealed by [`Keyring::seal`] under master key `id`.
    pub fn open(&self, id: &str, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        open_with(&self.master(id)?.key, context, sealed)
    }

    /// A file's data key, wrapped under the current master key and bound to the file.
    pub fn wrap(&self, file_id: &str, key: &DataKey) -> Result<(KeyId, Vec<u8>), StoreError> {
        self.seal(&wrap_context(file_id), key.bytes())
    }

    pub fn unwrap(&self, id: &str, file_id: &str, wrapped: &[u8]) -> Result<DataKey, StoreError> {
        let bytes = self.open(id, &wrap_context(file_id), wrapped)?;
        DataKey::from_slice(&bytes).ok_or(StoreError::Integrity(IntegrityError(
            "a wrapped data key has the wrong length",
        )))
    }
}

fn wrap_context(file_id: &str) -> Vec<u8> {
    [b"certdesk file key v1\0".as_slice(), file_id.as_bytes()].concat()
}

fn key_bytes(text: &str) -> Option<[u8; 32]> {
    hex::decode(text).ok()?.try_into().ok()
}

#[cfg(unix)]
fn refuse_if_readable_by_others(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| StoreError::Keys(format!("reading {}: {e}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::Keys(format!(
            "{} may be read by others (mode {:o}): `chmod 600` it",
            path.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_readable_by_others(_: &Path) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_file_reads_back_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys");
        let created = Keyring::load(&path, None).unwrap();
        let read = Keyring::load(&path, None).unwrap();
        assert_eq!(created.ids(), read.ids());
        assert_eq!(
            created.nik_index("3174051705900001"),
            read.nik_index("3174051705900001")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let refused = Keyring::load(&path, None).unwrap_err().to_string();
            assert!(refused.contains("chmod 600"), "{refused}");
        }
    }

    #[test]
    fn debug_names_key_ids_only() {
        let ring = Keyring::generate(KeySource::Inline).unwrap();
        let shown = format!("{ring:?}");
        assert!(shown.contains(ring.current_id().as_str()));
        assert!(!shown.contains(&hex::encode(ring.current().key)));
        assert!(!shown.contains(&hex::encode(ring.index)));
    }

    #[test]
    fn a_rotated_keyring_opens_what_the_old_key_sealed_and_seals_with_the_new() {
        let ring = Keyring::generate(KeySource::Inline).unwrap();
        let (old_id, sealed) = ring
            .seal(b"nik:199005172015031001", b"3174051705900001")
            .unwrap();
        let rotated = ring.rotated().unwrap();
        assert_ne!(rotated.current_id(), &old_id);
        assert_eq!(
            rotated
                .open(old_id.as_str(), b"nik:199005172015031001", &sealed)
                .unwrap(),
            b"3174051705900001"
        );
        assert!(rotated.without(rotated.current_id().as_str()).is_err());
        let retired = rotated.without(old_id.as_str()).unwrap();
        assert!(
            retired
                .open(old_id.as_str(), b"nik:199005172015031001", &sealed)
                .is_err()
        );
        let text = rotated.to_text();
        let one_line: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        let parsed = Keyring::parse(&one_line.join(";"), KeySource::Inline).unwrap();
        assert_eq!(parsed.ids(), rotated.ids());
    }

    #[test]
    fn a_value_moved_to_another_row_or_changed_does_not_open() {
        let ring = Keyring::generate(KeySource::Inline).unwrap();
        let (id, mut sealed) = ring.seal(b"nik:A", b"3174051705900001").unwrap();
        assert!(ring.open(id.as_str(), b"nik:B", &sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(matches!(
            ring.open(id.as_str(), b"nik:A", &sealed),
            Err(StoreError::Integrity(_))
        ));
    }

    #[test]
    fn a_malformed_key_file_is_named_not_quoted() {
        let error = Keyring::parse("index 00\nmaster a bb\n", KeySource::Inline)
            .unwrap_err()
            .to_string();
        assert!(error.contains("index key"), "{error}");
        assert!(!error.contains("00"), "{error}");
    }
}
