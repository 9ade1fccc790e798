//! The crate's one error enum.

use std::io;
use std::net::SocketAddr;

/// Everything that can go wrong while decoding, encoding or exchanging `RemotingCommand`s.
///
/// Decode errors carry coordinates (offsets inside the frame or header, lengths read from the wire)
/// so a log line says where the frame went wrong. Mapping to a RocketMQ `ResponseCode` happens at
/// the broker or name-server edge, never here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemotingError {
    /// Socket read/write failed.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),

    /// The 4-byte frame length is smaller than the 4-byte header-length field it must contain.
    #[error("frame length {frame_len} is invalid (must be >= 4)")]
    FrameLenInvalid {
        /// The value read from the wire.
        frame_len: i64,
    },

    /// Whole frame (4-byte length prefix included) is longer than the configured maximum.
    #[error("frame of {frame_bytes} bytes exceeds the maximum of {max_bytes} bytes")]
    FrameTooLong {
        /// Total frame size in bytes, length prefix included.
        frame_bytes: u64,
        /// Configured `frame_len_max`.
        max_bytes: usize,
    },

    /// `parse` was handed a buffer whose size disagrees with the frame's own length field.
    #[error("frame length field says {frame_len} but the buffer holds {buffer_bytes} bytes")]
    FrameLenMismatch {
        /// The frame's length field (excludes its own 4 bytes).
        frame_len: u64,
        /// Bytes handed to `parse`.
        buffer_bytes: usize,
    },

    /// The header length (low 24 bits of the second word) runs past the end of the frame.
    #[error(
        "header length {header_len} exceeds the frame's {available} bytes after the length word"
    )]
    HeaderLenOutOfBounds {
        /// Header length read from the wire.
        header_len: usize,
        /// Bytes the frame has for header + body.
        available: usize,
    },

    /// The serialize-type byte is neither 0 (JSON) nor 1 (ROCKETMQ binary).
    #[error("unknown serialize type {value}")]
    UnknownSerializeType {
        /// The top byte of the second frame word.
        value: u8,
    },

    /// The JSON header did not parse.
    #[error("invalid JSON header: {source}")]
    InvalidJsonHeader {
        /// serde_json's error (it carries line and column).
        #[source]
        source: serde_json::Error,
    },

    /// The binary header ended before a field was complete.
    #[error("binary header truncated at {field}: offset {offset} needs {need} bytes, {have} left")]
    Truncated {
        /// Field being read.
        field: &'static str,
        /// Offset inside the header.
        offset: usize,
        /// Bytes the field needs.
        need: usize,
        /// Bytes left in the header.
        have: usize,
    },

    /// A length field in the binary header is negative.
    #[error("binary header field {field} at offset {offset} has negative length {len}")]
    NegativeLength {
        /// Field being read.
        field: &'static str,
        /// Offset inside the header.
        offset: usize,
        /// The length read.
        len: i64,
    },

    /// A string in the binary header is not UTF-8.
    #[error("binary header field {field} at offset {offset} is not UTF-8: {source}")]
    InvalidUtf8 {
        /// Field being read.
        field: &'static str,
        /// Offset inside the header.
        offset: usize,
        /// Where the UTF-8 check failed.
        #[source]
        source: std::str::Utf8Error,
    },

    /// More extFields entries than `EXT_FIELDS_COUNT_MAX`.
    #[error("header has more than {max} extFields entries")]
    TooManyExtFields {
        /// `EXT_FIELDS_COUNT_MAX`.
        max: usize,
    },

    /// Remark longer than `REMARK_LEN_MAX`.
    #[error("remark of {len} bytes exceeds the maximum of {max} bytes")]
    RemarkTooLong {
        /// Remark length in bytes.
        len: usize,
        /// `REMARK_LEN_MAX`.
        max: usize,
    },

    /// An encoded header would not fit the 24-bit header-length field.
    #[error("encoded header of {header_len} bytes exceeds the 24-bit limit")]
    HeaderTooLong {
        /// Encoded header length.
        header_len: usize,
    },

    /// A required typed-header field is absent from extFields.
    #[error("missing header field {name}")]
    MissingHeaderField {
        /// extFields key (Java field name).
        name: &'static str,
    },

    /// A typed-header field is present but does not parse as its type.
    #[error("header field {name} = {value:?} is not a valid {expected}")]
    InvalidHeaderField {
        /// extFields key (Java field name).
        name: &'static str,
        /// The value, cut to 64 characters.
        value: String,
        /// Expected type: "int32", "int64" or "bool".
        expected: &'static str,
    },

    /// A body (JSON or compressed register body) did not decode or encode.
    #[error("body: {0}")]
    Body(#[from] crate::body::BodyError),

    /// No response arrived within the caller's timeout.
    #[error("request opaque={opaque} to {peer} timed out after {timeout_ms} ms")]
    Timeout {
        /// Remote address.
        peer: String,
        /// The request's opaque.
        opaque: i32,
        /// The caller's timeout.
        timeout_ms: u64,
    },

    /// The connection closed before the operation completed.
    #[error("connection to {peer} closed")]
    ConnectionClosed {
        /// Remote address.
        peer: SocketAddr,
    },

    /// Connecting did not finish within the configured connect timeout.
    #[error("connecting to {addr} timed out after {timeout_ms} ms")]
    ConnectTimeout {
        /// Address being dialled.
        addr: String,
        /// `connect_timeout_ms`.
        timeout_ms: u64,
    },

    /// Connecting failed.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// Address being dialled.
        addr: String,
        /// The socket error.
        #[source]
        source: io::Error,
    },

    /// The channel already awaits its bound of responses (`pending_requests_max`).
    #[error("more than {max} requests awaiting responses on one channel")]
    TooManyPendingRequests {
        /// The channel's `pending_requests_max`.
        max: usize,
    },

    /// The client was shut down.
    #[error("remoting client is shut down")]
    ClientShutdown,
}

/// Cuts an untrusted value for inclusion in an error message.
pub(crate) fn clip(value: &str) -> String {
    const CLIP_CHARS_MAX: usize = 64;
    value.chars().take(CLIP_CHARS_MAX).collect()
}
