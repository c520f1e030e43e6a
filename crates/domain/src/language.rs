//! The two languages the desk writes in. Indonesian is the desk's own; English is for
//! those who ask for it.

use crate::problem::Message;
use crate::vocabulary::serde_as_code;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Indonesian,
    English,
}

impl Language {
    pub const ALL: [Language; 2] = [Self::Indonesian, Self::English];

    /// The BCP 47 primary tag, as stored and as `Content-Language` carries it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Indonesian => "id",
            Self::English => "en",
        }
    }

    /// A language tag such as `en`, `en-GB` or `id-ID`; only the primary subtag counts.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// Exactly a stored code (`id`, `en`).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The half of a two-language message for this language.
    pub fn pick(self, message: &Message) -> &str {
        match self {
            Self::Indonesian => &message.id,
            Self::English => &message.en,
        }
    }
}

serde_as_code!(Language, "language");

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn reads_the_primary_subtag_only() {
        assert_eq!(Language::from_tag("en-GB"), Some(Language::English));
        assert_eq!(Language::from_tag("ID"), Some(Language::Indonesian));
        assert_eq!(Language::from_tag("id_ID"), Some(Language::Indonesian));
        assert_eq!(Language::from_tag("de"), None);
        assert_eq!(Language::from_tag(""), None);
    }
}
