//! What an intake request says, independent of how it was framed, for recognising a
//! retry under the same `Idempotency-Key`.

use sha2::{Digest, Sha256};

use super::parts::TICKET_PART;

/// What a request says, independent of how it was framed: the `ticket` JSON with its
/// keys sorted and its whitespace gone, and each part's name with the SHA-256 of its
/// content, in name order. A retry from a client library that picks a new multipart
/// boundary, reorders the parts or reformats the JSON has the same fingerprint.
#[derive(Default)]
pub(super) struct Fingerprint {
    parts: Vec<(String, [u8; 32])>,
}

impl Fingerprint {
    pub(super) fn ticket_part(&mut self, content: Option<&[u8]>) {
        let canonical = content.map(
            |raw| match serde_json::from_slice::<serde_json::Value>(raw) {
                Ok(value) => canonical_json(&value).into_bytes(),
                Err(_) => raw.to_vec(),
            },
        );
        self.part(TICKET_PART, canonical.as_deref());
    }

    /// `None` stands for a part that was dropped (too large, or not ours).
    pub(super) fn part(&mut self, name: &str, content: Option<&[u8]>) {
        let digest = content.map_or([0; 32], |c| Sha256::digest(c).into());
        self.parts.push((name.to_owned(), digest));
    }

    pub(super) fn finish(mut self) -> String {
        self.parts.sort();
        let mut hasher = Sha256::new();
        for (name, digest) in &self.parts {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(digest);
        }
        hex::encode(hasher.finalize())
    }
}

/// JSON with object keys in order, whatever map type serde_json was built with.
fn canonical_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let fields: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::String(k.clone()),
                        canonical_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}
