use super::MessageKind;
use thiserror::Error;

/// Why a payload is not a message this build can read. Each variant is a
/// reason a dead letter can carry; none of them is a panic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Zero bytes.
    #[error("empty payload")]
    Empty,
    /// Neither the binary magic byte nor a JSON object.
    #[error("unknown format: first byte 0x{0:02x} is neither the binary magic 0xb5 nor '{{'")]
    UnknownFormat(u8),
    /// The binary header is cut short.
    #[error("truncated header: {0} bytes, need 3")]
    TruncatedHeader(usize),
    /// A schema version this build does not read.
    #[error("unsupported schema version {found} (this build reads {supported:?})")]
    UnsupportedVersion {
        /// The version in the message.
        found: u64,
        /// The versions this build reads.
        supported: &'static [u8],
    },
    /// A kind byte or name that is not a [`MessageKind`].
    #[error("unknown message kind {0}")]
    UnknownKind(String),
    /// A valid message, but not the kind the caller asked for.
    #[error("wrong message kind: expected {expected}, found {found}")]
    WrongKind {
        /// What the caller decodes.
        expected: MessageKind,
        /// What the header says.
        found: MessageKind,
    },
    /// The body does not parse as the header's kind.
    #[error("malformed {kind} body: {reason}")]
    Body {
        /// The header's kind.
        kind: MessageKind,
        /// The parser's complaint.
        reason: String,
    },
    /// Bytes left over after a complete binary body.
    #[error("{0} trailing bytes after the {1} body")]
    TrailingBytes(usize, MessageKind),
    /// The JSON envelope itself (not its body) is malformed.
    #[error("malformed JSON envelope: {0}")]
    Json(String),
}
