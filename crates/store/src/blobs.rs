//! Attachment bytes, content-addressed by SHA-256 behind `object_store`, so that moving
//! from the local file system to an S3-compatible store is a configuration change.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};

use crate::StoreError;

/// A SHA-256 content address, as 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentAddress(String);

impl ContentAddress {
    pub fn of(content: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(content)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `sha256/ab/abcdef…`: a two-level fan-out keeps directories small.
    fn location(&self) -> ObjectPath {
        ObjectPath::from(format!("sha256/{}/{}", &self.0[..2], self.0))
    }

    pub(crate) fn from_stored(hex: String) -> Self {
        Self(hex)
    }
}

/// A stored file's bytes as they are read, chunk by chunk.
pub type FileStream = BoxStream<'static, Result<Bytes, StoreError>>;

#[derive(Clone, Debug)]
pub struct BlobStore {
    objects: Arc<dyn ObjectStore>,
}

impl BlobStore {
    /// Files under `root`, written with fsync: a ticket row is committed only after its
    /// files are on disk, so a crash can leave an unreferenced file but never a ticket
    /// without its attachment.
    pub fn local(root: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(root)
            .map_err(|e| StoreError::Blob(format!("creating {}: {e}", root.display())))?;
        let objects = LocalFileSystem::new_with_prefix(root)
            .map_err(|e| StoreError::Blob(e.to_string()))?
            .with_fsync(true)
            .with_automatic_cleanup(true);
        Ok(Self {
            objects: Arc::new(objects),
        })
    }

    /// Stores `content` unless a file with the same address is already there.
    pub async fn put(&self, address: &ContentAddress, content: Bytes) -> Result<(), StoreError> {
        let location = address.location();
        match self.objects.head(&location).await {
            Ok(meta) if meta.size == content.len() as u64 => return Ok(()),
            Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(StoreError::Blob(e.to_string())),
        }
        self.objects
            .put(&location, PutPayload::from_bytes(content))
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(())
    }

    /// The bytes as a stream, so that a download never holds a whole file in memory.
    pub async fn stream(&self, address: &ContentAddress) -> Result<FileStream, StoreError> {
        let result = self
            .objects
            .get(&address.location())
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(result
            .into_stream()
            .map(|chunk| chunk.map_err(|e| StoreError::Blob(e.to_string())))
            .boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_content_same_address_and_readable_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        let content = Bytes::from_static(b"%PDF-1.4 synthetic");
        let address = ContentAddress::of(&content);
        assert_eq!(address, ContentAddress::of(b"%PDF-1.4 synthetic"));
        store.put(&address, content.clone()).await.unwrap();
        store.put(&address, content.clone()).await.unwrap();
        let mut stream = store.stream(&address).await.unwrap();
        let mut read = Vec::new();
        while let Some(chunk) = stream.next().await {
            read.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(read, content);
    }
}
