//! Refs: the human-readable identity of pack components.
//!
//! A pack's ref is a single name (`core`, `examples-wasm`); a component's ref is
//! `<pack>.<name>` (`core.echo`). Both use lowercase ASCII letters, digits, `_` and `-`,
//! start with a letter or digit, and are at most 128 characters per part.

use serde::{Deserialize, Serialize};

/// Why a ref is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// The name part is empty or has characters outside `[a-z0-9_-]`.
    #[error("'{0}' is not a valid name: use lowercase letters, digits, '_' and '-', starting with a letter or digit")]
    BadName(String),
    /// A component ref must be `pack.name`.
    #[error("'{0}' is not a valid ref: expected 'pack.name'")]
    NotQualified(String),
    /// The pack part of a component ref is not the pack it is declared in.
    #[error("ref '{found}' belongs to pack '{found_pack}', not '{expected}'")]
    WrongPack {
        /// The ref as written.
        found: String,
        /// Its pack part.
        found_pack: String,
        /// The pack it was declared in.
        expected: String,
    },
}

const MAX_PART: usize = 128;

/// Checks one ref part (a pack ref or a component name).
pub fn validate_name(name: &str) -> Result<(), RefError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_PART
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok { Ok(()) } else { Err(RefError::BadName(name.to_owned())) }
}

/// A validated component ref, `pack.name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ComponentRef {
    pack: String,
    name: String,
}

impl ComponentRef {
    /// Parses and validates `pack.name`.
    pub fn parse(text: &str) -> Result<Self, RefError> {
        let (pack, name) = text.split_once('.').ok_or_else(|| RefError::NotQualified(text.to_owned()))?;
        validate_name(pack).map_err(|_| RefError::NotQualified(text.to_owned()))?;
        validate_name(name)?;
        Ok(Self { pack: pack.to_owned(), name: name.to_owned() })
    }

    /// Builds `pack.name` from its parts.
    pub fn new(pack: &str, name: &str) -> Result<Self, RefError> {
        validate_name(pack)?;
        validate_name(name)?;
        Ok(Self { pack: pack.to_owned(), name: name.to_owned() })
    }

    /// Parses `text` and checks it belongs to `pack`.
    pub fn parse_in_pack(text: &str, pack: &str) -> Result<Self, RefError> {
        let parsed = Self::parse(text)?;
        if parsed.pack != pack {
            return Err(RefError::WrongPack {
                found: text.to_owned(),
                found_pack: parsed.pack,
                expected: pack.to_owned(),
            });
        }
        Ok(parsed)
    }

    /// The pack part.
    pub fn pack(&self) -> &str {
        &self.pack
    }

    /// The name part.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Display for ComponentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.pack, self.name)
    }
}

impl TryFrom<String> for ComponentRef {
    type Error = RefError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ComponentRef> for String {
    fn from(value: ComponentRef) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_well_formed_refs() {
        let r = ComponentRef::parse("core.echo").unwrap();
        assert_eq!((r.pack(), r.name()), ("core", "echo"));
        assert_eq!(r.to_string(), "core.echo");
        assert!(ComponentRef::parse("examples-wasm.json_transform-2").is_ok());
    }

    #[test]
    fn rejects_malformed_refs() {
        for bad in ["core", "Core.echo", "core.", ".echo", "core.ec ho", "core.echo.x", "-a.b", "core.É"] {
            assert!(ComponentRef::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(validate_name(&"a".repeat(129)).is_err());
    }

    #[test]
    fn checks_the_pack_part() {
        assert_eq!(
            ComponentRef::parse_in_pack("other.echo", "core"),
            Err(RefError::WrongPack {
                found: "other.echo".into(),
                found_pack: "other".into(),
                expected: "core".into()
            })
        );
    }
}
