//! The keys a running process holds, read again when stored data names a master key
//! they lack: after `certdesk keys rotate` in another process, servers and workers go on
//! opening what was rewrapped without a restart.

use std::sync::{Arc, RwLock};

use secrecy::ExposeSecret;

use super::{KeySource, Keyring};
use crate::{EncryptionSettings, StoreError};

pub(crate) struct KeyHolder {
    settings: EncryptionSettings,
    ring: RwLock<Arc<Keyring>>,
}

impl std::fmt::Debug for KeyHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl KeyHolder {
    /// The configured keys; a missing key file is created (the embedded setup).
    pub fn load(settings: &EncryptionSettings) -> Result<Self, StoreError> {
        Ok(Self {
            ring: RwLock::new(Arc::new(settings.keyring()?)),
            settings: settings.clone(),
        })
    }

    pub fn get(&self) -> Arc<Keyring> {
        self.ring
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// `open` with the keys held; if the data names a master key they lack, the keys are
    /// read again (never created) and `open` tried once more.
    pub fn with<T>(
        &self,
        open: impl Fn(&Keyring) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match open(&self.get()) {
            Err(StoreError::UnknownKey(id)) => {
                let fresh = Arc::new(match self.get().source() {
                    KeySource::File(path) => Keyring::read(path)?,
                    KeySource::Inline => match &self.settings.keys {
                        Some(text) => Keyring::parse(text.expose_secret(), KeySource::Inline)?,
                        None => return Err(StoreError::UnknownKey(id)),
                    },
                });
                tracing::info!(key = %id, "read the keys again: stored data names a master key not held yet");
                *self
                    .ring
                    .write()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh.clone();
                open(&fresh)
            }
            other => other,
        }
    }
}
