//! Names that become part of keys and file names, checked once when built.

use crate::error::StoreError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest accepted name, so keys and file names stay short.
const MAX_LEN: usize = 64;

/// A name is key-safe when it is 1..=64 ASCII letters, digits, `_`, `-` or
/// `.`, and not `.` or `..`: no `:` (the key separator), no `/` (a path), no
/// spaces or glob characters.
fn check(what: &'static str, name: &str) -> Result<(), StoreError> {
    let reason = if name.is_empty() {
        Some("must not be empty")
    } else if name.len() > MAX_LEN {
        Some("must be at most 64 characters")
    } else if name == "." || name == ".." {
        Some("must not be `.` or `..`")
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
        Some("may only hold ASCII letters, digits, `_`, `-` and `.`")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(StoreError::InvalidName { what, name: name.to_owned(), reason }),
        None => Ok(()),
    }
}

macro_rules! key_name {
    ($(#[$doc:meta])* $ty:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $ty(String);

        impl $ty {
            /// Check `name` and wrap it; see the type's docs for what is accepted.
            pub fn new(name: &str) -> Result<$ty, StoreError> {
                check($what, name)?;
                Ok($ty(name.to_owned()))
            }

            /// The name.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $ty {
            type Error = StoreError;
            fn try_from(s: String) -> Result<$ty, StoreError> {
                check($what, &s)?;
                Ok($ty(s))
            }
        }

        impl From<$ty> for String {
            fn from(n: $ty) -> String {
                n.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

key_name!(
    /// A deployment's namespace: the prefix of every key it owns, so two
    /// deployments (say `paper` and `live`) can share one Redis or one
    /// directory without seeing each other's state. Key-safe: 1..=64 ASCII
    /// letters, digits, `_`, `-`, `.`.
    Namespace,
    "namespace"
);

key_name!(
    /// A strategy's name, which its account snapshot is stored under.
    /// Key-safe like [`Namespace`].
    StrategyId,
    "strategy id"
);

key_name!(
    /// A model or strategy component's name (`kalman`, `pairs`), which its
    /// snapshot is stored under. Key-safe like [`Namespace`].
    ComponentName,
    "component name"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_key_safe_names_and_rejects_the_rest() {
        assert_eq!(Namespace::new("paper-1.eu_west").unwrap().as_str(), "paper-1.eu_west");
        for bad in ["", "a:b", "a/b", "..", ".", "a b", "a*", &"x".repeat(65)] {
            assert!(Namespace::new(bad).is_err(), "{bad:?} accepted");
        }
        assert!(serde_json::from_str::<StrategyId>("\"a:b\"").is_err());
    }
}
