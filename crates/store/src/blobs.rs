//! Attachment files behind `object_store`'s interface. Only its local file system is
//! built in today (the `fs` feature); another store would be another `ObjectStore`
//! behind the same calls, and its settings. What is written here is already sealed
//! (`sealing`), under a random name that says nothing about the content.

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

/// A SHA-256 digest of an attachment's content, as 64 lower-case hex digits: shown to
/// those who may see the ticket, so they can check a download; stored only sealed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentAddress(String);

impl ContentAddress {
    pub fn of(content: &[u8]) -> Self {
        Self(hex::encode(Sha256::digest(content)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn from_stored(hex: String) -> Self {
        Self(hex)
    }
}

/// Where a file is: a random id for a sealed file (`files/ab/<uuid>`), or, for a file
/// stored before encryption at rest and not sealed yet, its old digest name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileName<'a> {
    Sealed(&'a str),
    Legacy(&'a str),
}

impl FileName<'_> {
    /// A two-level fan-out keeps directories small.
    fn location(&self) -> ObjectPath {
        match self {
            Self::Sealed(id) => ObjectPath::from(format!("files/{}/{id}", &id[..2.min(id.len())])),
            Self::Legacy(sha) => {
                ObjectPath::from(format!("sha256/{}/{sha}", &sha[..2.min(sha.len())]))
            }
        }
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

    /// Writes a file, fsynced.
    pub(crate) async fn put(&self, name: FileName<'_>, content: Bytes) -> Result<(), StoreError> {
        self.objects
            .put(&name.location(), PutPayload::from_bytes(content))
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(())
    }

    /// The bytes as a stream, so that a download never holds a whole file in memory.
    pub(crate) async fn stream(&self, name: FileName<'_>) -> Result<FileStream, StoreError> {
        let result = self
            .objects
            .get(&name.location())
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?;
        Ok(result
            .into_stream()
            .map(|chunk| chunk.map_err(|e| StoreError::Blob(e.to_string())))
            .boxed())
    }

    /// The whole file, for sealing a legacy one.
    pub(crate) async fn read(&self, name: FileName<'_>) -> Result<Bytes, StoreError> {
        self.objects
            .get(&name.location())
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))?
            .bytes()
            .await
            .map_err(|e| StoreError::Blob(e.to_string()))
    }

    /// Removes a file; one already gone is not an error.
    pub(crate) async fn delete(&self, name: FileName<'_>) -> Result<(), StoreError> {
        match self.objects.delete(&name.location()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(StoreError::Blob(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_reads_back_and_deletes_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::local(dir.path()).unwrap();
        let content = Bytes::from_static(b"sealed bytes");
        let name = FileName::Sealed("0f9e8d7c-0000-4000-8000-000000000001");
        store.put(name.clone(), content.clone()).await.unwrap();
        assert!(
            dir.path()
                .join("files/0f/0f9e8d7c-0000-4000-8000-000000000001")
                .exists()
        );
        let mut stream = store.stream(name.clone()).await.unwrap();
        let mut read = Vec::new();
        while let Some(chunk) = stream.next().await {
            read.extend_from_slice(&chunk.unwrap());
        }
        assert_eq!(read, content);
        store.delete(name.clone()).await.unwrap();
        store.delete(name.clone()).await.unwrap();
        assert!(store.stream(name).await.is_err());
    }
}
