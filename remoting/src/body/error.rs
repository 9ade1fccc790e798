//! The one error type of the body codecs.

/// Why a body could not be decoded or encoded; decode variants carry the byte offset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The input is longer than the limit that applies to it.
    #[error("body of {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// Input length in bytes.
        len: usize,
        /// The limit in bytes.
        max: usize,
    },
    /// The JSON text is malformed or does not fit the type (serde_json reports line and column).
    #[error("invalid JSON body: {0}")]
    Json(#[from] serde_json::Error),
    /// A length-prefixed field of the compressed register body runs past the end.
    #[error(
        "compressed register body truncated at offset {offset}: need {need} bytes, have {have}"
    )]
    Truncated {
        /// Offset in the inflated stream where the field starts.
        offset: usize,
        /// Bytes the field needs.
        need: usize,
        /// Bytes left.
        have: usize,
    },
    /// A field of the compressed register body has a value outside its domain.
    #[error("compressed register body: invalid {field} at offset {offset}: {reason}")]
    InvalidField {
        /// Name of the field, as RocketMQ spells it.
        field: &'static str,
        /// Offset in the inflated stream where the field starts.
        offset: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// zlib inflate or deflate failed.
    #[error("zlib stream error")]
    Zlib(#[source] std::io::Error),
}
