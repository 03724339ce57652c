//! Plugin names: one name serves as the cargo package, the Rust library,
//! the component's `describe` name and its WIT package name.

use super::ScaffoldError;

/// A checked plugin name: lowercase kebab-case words that each start with a
/// letter (`my-pairs`, `ewma2`), which is the one spelling that is a valid
/// cargo package name and a valid WIT package name, and whose snake_case
/// form is a valid Rust identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginName(String);

/// Longest accepted name.
const MAX_LEN: usize = 64;

/// Names that are words Rust keeps for itself (the library name must be an
/// identifier), that cargo refuses, or that a scaffolded crate already
/// depends on.
#[rustfmt::skip]
const RESERVED: &[&str] = &[
    "abstract", "alloc", "as", "async", "await", "become", "box", "break", "build", "const", "continue", "core",
    "crate", "deps", "do", "dyn", "else", "enum", "examples", "extern", "false", "final", "fn", "for", "gen",
    "hft-models", "hft-sdk", "if", "impl", "in", "incremental", "let", "libm", "loop", "macro", "match", "mod",
    "move", "mut", "override", "postcard", "priv", "proc-macro", "pub", "ref", "return", "self", "serde", "static",
    "std", "struct", "super", "test", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
    "where", "while", "wit-bindgen", "yield",
];

impl PluginName {
    /// Check `name`; the error says what to change.
    pub fn new(name: &str) -> Result<PluginName, ScaffoldError> {
        let bad = |why: &str| Err(ScaffoldError::InvalidName { name: name.to_string(), why: why.to_string() });
        if name.is_empty() {
            return bad("it is empty");
        }
        if name.len() > MAX_LEN {
            return bad(&format!("it is longer than {MAX_LEN} characters"));
        }
        for word in name.split('-') {
            let mut chars = word.chars();
            match chars.next() {
                None => return bad("use single dashes between words, not at the start or end"),
                Some(c) if !c.is_ascii_lowercase() => {
                    return bad(
                        "use lowercase letters, digits and dashes, each word starting with a letter (my-strategy)",
                    );
                }
                _ => {}
            }
            if !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
                return bad("use lowercase letters, digits and dashes, each word starting with a letter (my-strategy)");
            }
        }
        if RESERVED.contains(&name) {
            return bad("it is reserved by Rust or cargo, or is a crate the plugin depends on");
        }
        Ok(PluginName(name.to_string()))
    }

    /// The name as given: the package name and what `describe` reports.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The library name, which is also the `.wasm` file's stem.
    pub fn lib_name(&self) -> String {
        self.0.replace('-', "_")
    }

    /// The component's own WIT package name, for
    /// `[package.metadata.component]` (cargo-component's default namespace).
    pub fn component_package(&self) -> String {
        format!("component:{}", self.0)
    }
}

impl std::fmt::Display for PluginName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_words_are_accepted() {
        let n = PluginName::new("my-pairs2").unwrap();
        assert_eq!((n.as_str(), n.lib_name()), ("my-pairs2", "my_pairs2".to_string()));
        assert_eq!(n.component_package(), "component:my-pairs2");
        assert!(PluginName::new("ewma").is_ok());
    }

    #[test]
    fn other_spellings_are_refused_with_a_reason() {
        for bad in ["", "My", "my_pairs", "2fast", "my--pairs", "-x", "x-", "x-2", "über", "a b"] {
            let e = PluginName::new(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
        assert!(PluginName::new(&"a".repeat(65)).is_err());
        for reserved in ["test", "fn", "hft-sdk", "serde", "build"] {
            let e = PluginName::new(reserved).unwrap_err().to_string();
            assert!(e.contains("reserved"), "{e}");
        }
    }
}
