//! Attachment files at rest: sealed on the way in, checked whole and then opened chunk by
//! chunk on the way out, files and NIKs from before encryption at rest sealed on start,
//! data keys rewrapped when the master key rotates.

use bytes::Bytes;
use certdesk_domain::{InspectedFile, mask_nik};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, future};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

use crate::blobs::{ContentAddress, FileName, FileStream};
use crate::entities::{stored_files, ticket_attachments, tickets};
use crate::sealing::{DataKey, FileOpener, Keyring, seal_file};
use crate::{Store, StoreError};

/// A file sealed and ready to be written, with what its row keeps.
pub(crate) struct SealedFile {
    pub id: String,
    key_id: String,
    wrapped_key: Vec<u8>,
    sealed_digest: Vec<u8>,
    body: Bytes,
}

impl SealedFile {
    fn new(keys: &Keyring, content: &[u8], digest: &ContentAddress) -> Result<Self, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let key = DataKey::random()?;
        let body = Bytes::from(seal_file(&key, &id, content)?);
        let sealed_digest = key.seal(&id, digest.as_str().as_bytes())?;
        let (key_id, wrapped_key) = keys.wrap(&id, &key)?;
        Ok(Self {
            id,
            key_id: key_id.as_str().to_owned(),
            wrapped_key,
            sealed_digest,
            body,
        })
    }

    pub fn row(&self, inspected: &InspectedFile, now: DateTime<Utc>) -> stored_files::ActiveModel {
        stored_files::ActiveModel {
            id: Set(self.id.clone()),
            content_type: Set(inspected.file_type.content_type().to_owned()),
            byte_size: Set(inspected.byte_size as i64),
            width: Set(inspected.pixels.map(|(w, _)| w as i32)),
            height: Set(inspected.pixels.map(|(_, h)| h as i32)),
            created_at: Set(now),
            key_id: Set(Some(self.key_id.clone())),
            wrapped_key: Set(Some(self.wrapped_key.clone())),
            sealed_digest: Set(Some(self.sealed_digest.clone())),
            purged_at: Set(None),
        }
    }
}

/// A NIK as the tickets table keeps it: sealed, keyed-hashed and masked.
pub(crate) struct SealedNik {
    pub sealed: Vec<u8>,
    pub key_id: String,
    pub index: String,
    pub masked: String,
}

/// What a sealed NIK is bound to: the requester it was filed for.
pub(crate) fn nik_context(requester_nip: &str) -> Vec<u8> {
    format!("certdesk nik v1\0{requester_nip}").into_bytes()
}

/// Seals a ticket's NIK. The NIK a 15.2 data change asks to correct it to, if any, is
/// sealed in the same value, on a second line: it is personal data of the same kind, and
/// so it is rotated, erased after retention and anonymised with the NIK, never apart.
pub(crate) fn seal_nik(
    keys: &Keyring,
    nik: &str,
    corrected: Option<&str>,
    requester_nip: &str,
) -> Result<SealedNik, StoreError> {
    let plain = match corrected {
        Some(corrected) => format!("{nik}\n{corrected}"),
        None => nik.to_owned(),
    };
    let (key_id, sealed) = keys.seal(&nik_context(requester_nip), plain.as_bytes())?;
    Ok(SealedNik {
        sealed,
        key_id: key_id.as_str().to_owned(),
        index: keys.nik_index(nik),
        masked: mask_nik(nik),
    })
}

/// How many sealed things a master key holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KeyUse {
    pub files: u64,
    pub niks: u64,
}

impl Store {
    /// Seals `files` (content and digest) on the blocking pool, then writes them in
    /// parallel, fsynced.
    pub(crate) async fn write_sealed(
        &self,
        files: Vec<(Bytes, ContentAddress)>,
    ) -> Result<Vec<SealedFile>, StoreError> {
        let keys = self.keys.get();
        let sealed = tokio::task::spawn_blocking(move || {
            files
                .iter()
                .map(|(content, digest)| SealedFile::new(&keys, content, digest))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| StoreError::Keys(format!("sealing stopped: {e}")))??;
        future::try_join_all(
            sealed
                .iter()
                .map(|f| self.blobs.put(FileName::Sealed(&f.id), f.body.clone())),
        )
        .await?;
        Ok(sealed)
    }

    /// A stored file's content as a stream. A sealed file is read through once to check
    /// every chunk before the first byte is handed out, so a file changed on disk is an
    /// integrity error here, never a download cut short or corrupt bytes.
    pub(crate) async fn open_file(
        &self,
        file: &stored_files::Model,
    ) -> Result<FileStream, StoreError> {
        if file.purged_at.is_some() {
            return Err(StoreError::Purged);
        }
        let (Some(key_id), Some(wrapped)) = (&file.key_id, &file.wrapped_key) else {
            return self.blobs.stream(FileName::Legacy(&file.id)).await;
        };
        let mut checking = FileOpener::new(
            self.keys.with(|k| k.unwrap(key_id, &file.id, wrapped))?,
            &file.id,
        );
        let mut stream = self.blobs.stream(FileName::Sealed(&file.id)).await?;
        while let Some(chunk) = stream.next().await {
            checking.push(&chunk?)?;
        }
        checking.finish()?;
        let opener = FileOpener::new(
            self.keys.with(|k| k.unwrap(key_id, &file.id, wrapped))?,
            &file.id,
        );
        let stream = self.blobs.stream(FileName::Sealed(&file.id)).await?;
        Ok(opening(stream, opener))
    }

    /// The digest of a stored file's content; none once it is purged.
    pub(crate) fn digest_of(
        &self,
        file: &stored_files::Model,
    ) -> Result<Option<ContentAddress>, StoreError> {
        if file.purged_at.is_some() {
            return Ok(None);
        }
        match (&file.key_id, &file.wrapped_key, &file.sealed_digest) {
            (Some(key_id), Some(wrapped), Some(sealed)) => {
                let key = self.keys.with(|k| k.unwrap(key_id, &file.id, wrapped))?;
                let digest = String::from_utf8(key.open(&file.id, sealed)?)
                    .map_err(|_| StoreError::Corrupt("a file digest is not text".into()))?;
                Ok(Some(ContentAddress::from_stored(digest)))
            }
            (None, _, _) => Ok(Some(ContentAddress::from_stored(file.id.clone()))),
            _ => Err(StoreError::Corrupt(
                "a sealed file lacks its key or digest".into(),
            )),
        }
    }

    /// Seals what an older version kept in the clear: files under their digest names and
    /// NIKs in `requester_nik`. Each file is sealed under a new name, its rows moved in one
    /// transaction, and only then is the clear file deleted; a crash between leaves a
    /// clear file that the next start seals again. Cheap when there is nothing to do.
    pub(crate) async fn seal_legacy(&self) -> Result<(), StoreError> {
        let legacy = stored_files::Entity::find()
            .filter(stored_files::Column::KeyId.is_null())
            .filter(stored_files::Column::PurgedAt.is_null())
            .all(&self.db)
            .await?;
        let files = legacy.len();
        for old in legacy {
            let content = self.blobs.read(FileName::Legacy(&old.id)).await?;
            let digest = ContentAddress::of(&content);
            if digest.as_str() != old.id {
                return Err(StoreError::Integrity(crate::sealing::IntegrityError(
                    "a file stored before encryption does not match its digest",
                )));
            }
            let sealed = self.write_sealed(vec![(content, digest)]).await?;
            let sealed = &sealed[0];
            let txn = self.db.begin().await?;
            stored_files::Entity::insert(sealed.row_from(&old))
                .exec_without_returning(&txn)
                .await?;
            ticket_attachments::Entity::update_many()
                .col_expr(
                    ticket_attachments::Column::FileId,
                    Expr::value(sealed.id.clone()),
                )
                .filter(ticket_attachments::Column::FileId.eq(old.id.clone()))
                .exec(&txn)
                .await?;
            stored_files::Entity::delete_by_id(old.id.clone())
                .exec(&txn)
                .await?;
            txn.commit().await?;
            self.blobs.delete(FileName::Legacy(&old.id)).await?;
        }
        let clear = tickets::Entity::find()
            .filter(tickets::Column::RequesterNik.is_not_null())
            .all(&self.db)
            .await?;
        let niks = clear.len();
        for ticket in clear {
            let Some(nik) = ticket.requester_nik.as_deref() else {
                continue;
            };
            let sealed = seal_nik(&self.keys.get(), nik, None, &ticket.requester_nip)?;
            tickets::Entity::update_many()
                .col_expr(tickets::Column::NikSealed, Expr::value(sealed.sealed))
                .col_expr(tickets::Column::NikKeyId, Expr::value(sealed.key_id))
                .col_expr(tickets::Column::NikIndex, Expr::value(sealed.index))
                .col_expr(tickets::Column::NikMasked, Expr::value(sealed.masked))
                .col_expr(
                    tickets::Column::RequesterNik,
                    Expr::value(Option::<String>::None),
                )
                .filter(tickets::Column::Id.eq(ticket.id))
                .exec(&self.db)
                .await?;
        }
        if files + niks > 0 {
            tracing::info!(
                files,
                niks,
                "sealed what was stored before encryption at rest"
            );
        }
        Ok(())
    }

    /// Refuses stored data sealed under a master key the configuration does not hold:
    /// better a start that names the missing key than downloads that fail one by one.
    pub(crate) async fn check_keys(&self) -> Result<(), StoreError> {
        let keys = self.keys.get();
        let known: Vec<String> = keys.ids().iter().map(|id| id.as_str().to_owned()).collect();
        for used in self.master_keys_in_use().await? {
            if !known.contains(&used) {
                return Err(StoreError::Keys(format!(
                    "stored data is sealed under master key {used}, which the configured keys do not hold: is this the right key file?"
                )));
            }
        }
        Ok(())
    }

    async fn master_keys_in_use(&self) -> Result<Vec<String>, StoreError> {
        let mut used: Vec<String> = stored_files::Entity::find()
            .select_only()
            .column(stored_files::Column::KeyId)
            .filter(stored_files::Column::KeyId.is_not_null())
            .distinct()
            .into_tuple::<String>()
            .all(&self.db)
            .await?;
        let niks: Vec<String> = tickets::Entity::find()
            .select_only()
            .column(tickets::Column::NikKeyId)
            .filter(tickets::Column::NikKeyId.is_not_null())
            .distinct()
            .into_tuple::<String>()
            .all(&self.db)
            .await?;
        used.extend(niks);
        used.sort();
        used.dedup();
        Ok(used)
    }

    /// How many files and NIKs master key `id` seals.
    pub async fn key_use(&self, id: &str) -> Result<KeyUse, StoreError> {
        let files = stored_files::Entity::find()
            .filter(stored_files::Column::KeyId.eq(id))
            .count(&self.db)
            .await?;
        let niks = tickets::Entity::find()
            .filter(tickets::Column::NikKeyId.eq(id))
            .count(&self.db)
            .await?;
        Ok(KeyUse { files, niks })
    }

    /// Rewraps every data key and reseals every NIK not under the current master key,
    /// in batches, each row only if no one rewrapped it meanwhile. File bodies are not
    /// touched. Returns how many of each moved.
    pub async fn rewrap_to_current_key(&self) -> Result<KeyUse, StoreError> {
        let keys = self.keys.get();
        let current = keys.current_id().as_str().to_owned();
        let mut moved = KeyUse::default();
        loop {
            let batch = stored_files::Entity::find()
                .filter(stored_files::Column::KeyId.is_not_null())
                .filter(stored_files::Column::KeyId.ne(current.clone()))
                .order_by_asc(stored_files::Column::Id)
                .limit(500)
                .all(&self.db)
                .await?;
            if batch.is_empty() {
                break;
            }
            let txn = self.db.begin().await?;
            for file in &batch {
                let (Some(old), Some(wrapped)) = (&file.key_id, &file.wrapped_key) else {
                    continue;
                };
                let key = keys.unwrap(old, &file.id, wrapped)?;
                let (new, rewrapped) = keys.wrap(&file.id, &key)?;
                stored_files::Entity::update_many()
                    .col_expr(stored_files::Column::KeyId, Expr::value(new.as_str()))
                    .col_expr(stored_files::Column::WrappedKey, Expr::value(rewrapped))
                    .filter(stored_files::Column::Id.eq(file.id.clone()))
                    .filter(stored_files::Column::KeyId.eq(old.clone()))
                    .exec(&txn)
                    .await?;
                moved.files += 1;
            }
            txn.commit().await?;
        }
        loop {
            let batch = tickets::Entity::find()
                .filter(tickets::Column::NikKeyId.is_not_null())
                .filter(tickets::Column::NikKeyId.ne(current.clone()))
                .order_by_asc(tickets::Column::Id)
                .limit(500)
                .all(&self.db)
                .await?;
            if batch.is_empty() {
                break;
            }
            let txn = self.db.begin().await?;
            for ticket in &batch {
                let (Some(old), Some(sealed)) = (&ticket.nik_key_id, &ticket.nik_sealed) else {
                    continue;
                };
                let context = nik_context(&ticket.requester_nip);
                let nik = keys.open(old, &context, sealed)?;
                let (new, resealed) = keys.seal(&context, &nik)?;
                tickets::Entity::update_many()
                    .col_expr(tickets::Column::NikKeyId, Expr::value(new.as_str()))
                    .col_expr(tickets::Column::NikSealed, Expr::value(resealed))
                    .filter(tickets::Column::Id.eq(ticket.id))
                    .filter(tickets::Column::NikKeyId.eq(old.clone()))
                    .exec(&txn)
                    .await?;
                moved.niks += 1;
            }
            txn.commit().await?;
        }
        Ok(moved)
    }
}

impl SealedFile {
    /// The row of a legacy file, now sealed: same metadata, new name and keys.
    fn row_from(&self, old: &stored_files::Model) -> stored_files::ActiveModel {
        stored_files::ActiveModel {
            id: Set(self.id.clone()),
            content_type: Set(old.content_type.clone()),
            byte_size: Set(old.byte_size),
            width: Set(old.width),
            height: Set(old.height),
            created_at: Set(old.created_at),
            key_id: Set(Some(self.key_id.clone())),
            wrapped_key: Set(Some(self.wrapped_key.clone())),
            sealed_digest: Set(Some(self.sealed_digest.clone())),
            purged_at: Set(None),
        }
    }
}

/// Marks a file purged and forgets its data key and digest, in the caller's transaction:
/// from the commit on, the file cannot be opened even if deleting it fails. False if it
/// was purged already.
pub(crate) async fn mark_purged(
    txn: &sea_orm::DatabaseTransaction,
    file_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated = stored_files::Entity::update_many()
        .col_expr(stored_files::Column::PurgedAt, Expr::value(now))
        .col_expr(
            stored_files::Column::WrappedKey,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(
            stored_files::Column::SealedDigest,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(
            stored_files::Column::KeyId,
            Expr::value(Option::<String>::None),
        )
        .filter(stored_files::Column::Id.eq(file_id))
        .filter(stored_files::Column::PurgedAt.is_null())
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}

impl Store {
    /// Deletes a purged file's bytes (sealed or, for a legacy file, its clear name). A
    /// failure is logged and not returned: the purge is committed and the key is gone.
    pub(crate) async fn delete_file(&self, file_id: &str) {
        for name in [FileName::Sealed(file_id), FileName::Legacy(file_id)] {
            if let Err(error) = self.blobs.delete(name).await {
                tracing::warn!(%error, "a purged file could not be deleted; its key is gone");
            }
        }
    }
}

/// `stream` of sealed bytes as a stream of their plaintext.
fn opening(stream: FileStream, opener: FileOpener) -> FileStream {
    futures_util::stream::unfold(Some((stream, opener)), |state| async move {
        let (mut stream, mut opener) = state?;
        loop {
            match stream.next().await {
                Some(Ok(sealed)) => match opener.push(&sealed) {
                    Ok(plain) if plain.is_empty() => continue,
                    Ok(plain) => return Some((Ok(plain), Some((stream, opener)))),
                    Err(e) => return Some((Err(e.into()), None)),
                },
                Some(Err(e)) => return Some((Err(e), None)),
                None => return Some((opener.finish().map_err(StoreError::from), None)),
            }
        }
    })
    .boxed()
}
