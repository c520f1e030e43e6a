//! How the domain's closed vocabularies (states, actions, roles, event kinds, …) travel:
//! as their stable codes, the same strings the database stores and the API shows. A code
//! that is not in the vocabulary does not read back at all.

/// Implements `Serialize` and `Deserialize` for a vocabulary enum through its `code()` and
/// `from_code()`.
macro_rules! serde_as_code {
    ($type:ty, $what:literal) => {
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = String::deserialize(deserializer)?;
                Self::from_code(&code).ok_or_else(|| {
                    <D::Error as serde::de::Error>::custom(format_args!(
                        "unknown {} {code:?}",
                        $what
                    ))
                })
            }
        }
    };
}

pub(crate) use serde_as_code;
