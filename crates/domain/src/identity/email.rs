//! The official mailbox registered in HRIS. The certificate authority rejects a `-` in the
//! local part, so only letters, digits, `.` and `_` are allowed there; the domain must be a
//! `go.id` domain on the desk's allow-list (configuration, not code).

use std::fmt;

use validator::ValidateEmail;

use crate::problem::{Message, ProblemCode, Rule};

/// RFC 5321's limit on a whole address.
pub const MAX_EMAIL_CHARS: usize = 254;
const GOVERNMENT_SUFFIX: &str = ".go.id";

/// The mail domains the desk accepts, e.g. `kemenkeu.go.id`. Empty means every `go.id`
/// domain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct EmailDomains(Vec<String>);

impl From<Vec<String>> for EmailDomains {
    fn from(domains: Vec<String>) -> Self {
        Self::new(domains)
    }
}

impl From<EmailDomains> for Vec<String> {
    fn from(domains: EmailDomains) -> Self {
        domains.0
    }
}

impl EmailDomains {
    pub fn new(domains: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        Self(
            domains
                .into_iter()
                .map(|d| d.as_ref().trim().to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
        )
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    fn allows(&self, domain: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|allowed| allowed == domain)
    }
}

impl Default for EmailDomains {
    /// The ministry's own desk: the design decision in the domain document.
    fn default() -> Self {
        Self::new(["kemenkeu.go.id", "customs.go.id"])
    }
}

/// A lower-cased official address that the certificate authority will accept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OfficialEmail(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("not an email address")]
    Format,
    #[error("local part contains '-'")]
    Hyphen,
    #[error("local part has characters other than letters, digits, '.', '_'")]
    LocalCharacters,
    #[error("domain is not a go.id domain")]
    NotGoId { domain: String },
    #[error("domain is not on the allow-list")]
    NotAllowed {
        domain: String,
        allowed: Vec<String>,
    },
}

impl OfficialEmail {
    pub fn parse(raw: &str, allowed: &EmailDomains) -> Result<Self, EmailError> {
        let address = raw.trim().to_ascii_lowercase();
        if address.chars().count() > MAX_EMAIL_CHARS {
            return Err(EmailError::Format);
        }
        let Some((local, domain)) = address.rsplit_once('@') else {
            return Err(EmailError::Format);
        };
        // The specific rules first: their messages tell the employee exactly what to fix.
        if local.contains('-') {
            return Err(EmailError::Hyphen);
        }
        let local_ok = !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok {
            return Err(EmailError::LocalCharacters);
        }
        // General syntax (domain labels and lengths) is a solved problem: validator's check.
        if !address.validate_email() {
            return Err(EmailError::Format);
        }
        if !domain.ends_with(GOVERNMENT_SUFFIX) {
            return Err(EmailError::NotGoId {
                domain: domain.to_owned(),
            });
        }
        if !allowed.allows(domain) {
            return Err(EmailError::NotAllowed {
                domain: domain.to_owned(),
                allowed: allowed.as_slice().to_vec(),
            });
        }
        Ok(Self(address))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OfficialEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Rule for EmailError {
    fn code(&self) -> ProblemCode {
        match self {
            Self::Format => ProblemCode::EmailFormat,
            Self::Hyphen => ProblemCode::EmailHyphen,
            Self::LocalCharacters => ProblemCode::EmailLocalCharacters,
            Self::NotGoId { .. } => ProblemCode::EmailDomainNotGoId,
            Self::NotAllowed { .. } => ProblemCode::EmailDomainNotAllowed,
        }
    }

    fn message(&self) -> Message {
        match self {
            Self::Format => Message::new(
                "Alamat email tidak valid. Gunakan email dinas yang terdaftar di HRIS.",
                "This is not a valid email address. Use the official mailbox registered in HRIS.",
            ),
            Self::Hyphen => Message::new(
                "Email tidak boleh mengandung tanda hubung (-) karena ditolak oleh penerbit sertifikat. Perbarui email di HRIS terlebih dahulu.",
                "The email must not contain a hyphen (-): the certificate authority rejects it. Update the email in HRIS first.",
            ),
            Self::LocalCharacters => Message::new(
                "Bagian sebelum @ hanya boleh berisi huruf, angka, titik (.) dan garis bawah (_), tidak diawali/diakhiri titik.",
                "The part before @ may only contain letters, digits, dots (.) and underscores (_), and cannot start or end with a dot.",
            ),
            Self::NotGoId { domain } => Message::new(
                format!(
                    "Domain email `{domain}` bukan domain pemerintah (go.id). Gunakan email dinas."
                ),
                format!(
                    "The email domain `{domain}` is not a government (go.id) domain. Use your official mailbox."
                ),
            ),
            Self::NotAllowed { domain, allowed } => Message::new(
                format!(
                    "Domain email `{domain}` tidak dilayani. Gunakan email dengan domain: {}.",
                    allowed.join(", ")
                ),
                format!(
                    "The email domain `{domain}` is not served by this desk. Use an address at: {}.",
                    allowed.join(", ")
                ),
            ),
        }
    }
}

/// `text` with the local part of every address in it replaced by `***`, and the rest
/// as it was: what a mail server says about a message often quotes its recipient
/// (`550 <andi.contoh@…>: no such mailbox`), and such a reply goes to logs and to the
/// dead-letter list, where nobody needs to know whose mailbox it was. The domain stays,
/// because it tells an operator which server refused.
pub fn redact_addresses(text: &str) -> String {
    let part_of_local = |c: char| !c.is_whitespace() && !"<>()[]\\,;:=\"'@`".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut local = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if part_of_local(c) {
            local.push(c);
            continue;
        }
        let domain_follows = chars.peek().is_some_and(|next| next.is_alphanumeric());
        if c == '@' && !local.is_empty() && domain_follows {
            out.push_str("***");
        } else {
            out.push_str(&local);
        }
        local.clear();
        out.push(c);
    }
    out.push_str(&local);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(raw: &str) -> Result<OfficialEmail, EmailError> {
        OfficialEmail::parse(raw, &EmailDomains::default())
    }

    #[test]
    fn accepts_and_lowercases_official_addresses() {
        assert_eq!(
            parse(" Budi.Santoso@Kemenkeu.go.id ").unwrap().as_str(),
            "budi.santoso@kemenkeu.go.id"
        );
        assert!(parse("siti_aminah2@customs.go.id").is_ok());
    }

    #[test]
    fn rejects_a_hyphen_with_its_own_rule() {
        assert_eq!(
            parse("budi-santoso@kemenkeu.go.id"),
            Err(EmailError::Hyphen)
        );
    }

    #[test]
    fn rejects_other_characters_and_dot_placement() {
        for raw in [
            "budi+x@kemenkeu.go.id",
            ".budi@kemenkeu.go.id",
            "budi.@kemenkeu.go.id",
            "bu..di@kemenkeu.go.id",
            "@kemenkeu.go.id",
        ] {
            assert_eq!(parse(raw), Err(EmailError::LocalCharacters), "{raw}");
        }
    }

    #[test]
    fn rejects_non_government_and_unlisted_domains() {
        assert!(matches!(
            parse("budi@gmail.com"),
            Err(EmailError::NotGoId { .. })
        ));
        assert!(matches!(
            parse("budi@kemendagri.go.id"),
            Err(EmailError::NotAllowed { .. })
        ));
        let any_go_id = EmailDomains::new(Vec::<String>::new());
        assert!(OfficialEmail::parse("budi@kemendagri.go.id", &any_go_id).is_ok());
    }

    #[test]
    fn rejects_what_is_not_an_address() {
        for raw in ["budi", "budi@", "budi@kemenkeu..go.id", ""] {
            assert!(parse(raw).is_err(), "{raw}");
        }
    }

    proptest! {
        #[test]
        fn any_hyphen_in_the_local_part_is_refused(a in "[a-z0-9_]{1,10}", b in "[a-z0-9_]{0,10}") {
            prop_assert_eq!(parse(&format!("{a}-{b}@kemenkeu.go.id")), Err(EmailError::Hyphen));
        }

        #[test]
        fn well_formed_local_parts_are_accepted(local in "[a-z0-9_]{1,20}(\\.[a-z0-9_]{1,10}){0,2}") {
            let email = parse(&format!("{local}@kemenkeu.go.id")).unwrap();
            prop_assert!(email.as_str().ends_with("@kemenkeu.go.id"));
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,80}") {
            let _ = parse(&raw);
        }
    }

    #[test]
    fn a_servers_reply_keeps_its_words_and_loses_whose_mailbox_it_was() {
        assert_eq!(
            redact_addresses("550 5.1.1 <andi.contoh@kemenkeu.go.id>: Recipient address rejected"),
            "550 5.1.1 <***@kemenkeu.go.id>: Recipient address rejected"
        );
        assert_eq!(
            redact_addresses("to=andi.contoh+ra@kemenkeu.go.id, relay=mx.kemenkeu.go.id"),
            "to=***@kemenkeu.go.id, relay=mx.kemenkeu.go.id"
        );
        assert_eq!(
            redact_addresses("RCPT TO:<budi@pajak.go.id> refused; 1 @ 2"),
            "RCPT TO:<***@pajak.go.id> refused; 1 @ 2"
        );
        assert_eq!(redact_addresses("no address here"), "no address here");
        assert_eq!(redact_addresses("user@"), "user@");
    }
}
