use serde::{Deserialize, Serialize};

/// The schema version this build writes. Bumped whenever any body's layout
/// changes: postcard is not self-describing, so an added, removed or
/// reordered field is a new version, never a silent reinterpretation.
pub const SCHEMA_VERSION: u8 = 1;

/// The versions this build can read. A consumer is upgraded to read a new
/// version before any producer writes it (see `bus/README.md`).
pub const SUPPORTED_VERSIONS: &[u8] = &[1];

/// First byte of every binary message. It cannot start a JSON document
/// (JSON starts with `{` here), so one byte tells the two formats apart,
/// and a stray payload from another system fails fast with a clear reason.
pub const BINARY_MAGIC: u8 = 0xB5;

/// How an envelope is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Postcard behind a 3-byte header: compact (varints, no field names)
    /// and cheap to encode, for the hot path.
    #[default]
    Binary,
    /// One JSON object, for tools and people; decimals are strings so they
    /// stay exact.
    Json,
}
