//! RemotingCommand: one request or response, its header fields and body.

mod binary;
mod body;
mod json;
pub(crate) mod sink;
#[cfg(test)]
mod tests;

pub use body::Body;

use crate::code::{LanguageCode, response_code, version};
use crate::error::RemotingError;
use crate::header::CommandHeader;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI32, Ordering};

/// The "custom header": extFields keys to string values. Sorted, so encoding is deterministic.
pub type ExtFields = BTreeMap<String, String>;

/// Flag bit 0: the command is a response.
pub const FLAG_RESPONSE: i32 = 0x1;
/// Flag bit 1: the request wants no response.
pub const FLAG_ONEWAY: i32 = 0x2;

/// How the header is serialized: the top byte of the frame's second word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u8)]
pub enum SerializeType {
    /// JSON text (RocketMQ's default; what ferromq sends unless told otherwise).
    #[default]
    Json = 0,
    /// ROCKETMQ compact binary header; cannot carry codes or versions above i16.
    RocketMq = 1,
}

impl SerializeType {
    /// The wire byte.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// Decodes the wire byte.
    pub fn from_code(code: u8) -> Result<Self, RemotingError> {
        match code {
            0 => Ok(Self::Json),
            1 => Ok(Self::RocketMq),
            value => Err(RemotingError::UnknownSerializeType { value }),
        }
    }
}

static NEXT_OPAQUE: AtomicI32 = AtomicI32::new(0);

/// Next request id from the process-wide counter (starts at 0, wraps like Java's int).
pub fn next_opaque() -> i32 {
    NEXT_OPAQUE.fetch_add(1, Ordering::Relaxed)
}

/// One RocketMQ remoting command: a request (flag bit0 clear) or a response (bit0 set).
///
/// Wire layout: `docs/protocol.md` ("Frame"). Encode with [`RemotingCommand::encode`], decode
/// with [`crate::FrameCodec`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotingCommand {
    /// Request code (`request_code`) or response code (`response_code`); unknown codes survive.
    pub code: i32,
    /// Sender's language.
    pub language: LanguageCode,
    /// Sender's protocol version (`code::version`).
    pub version: i32,
    /// Request id; a response carries its request's opaque.
    pub opaque: i32,
    /// Bit0 response, bit1 oneway.
    pub flag: i32,
    /// Error text, mostly on responses.
    pub remark: Option<String>,
    /// The custom header as strings; typed views via [`RemotingCommand::read_header`].
    pub ext_fields: ExtFields,
    /// Payload after the header.
    pub body: Body,
    /// Header encoding used on the wire (the decoded one, or the one to encode with).
    pub serialize_type: SerializeType,
}

impl Default for RemotingCommand {
    fn default() -> Self {
        Self {
            code: 0,
            language: LanguageCode::Rust,
            version: version::CURRENT,
            opaque: 0,
            flag: 0,
            remark: None,
            ext_fields: ExtFields::new(),
            body: Body::Empty,
            serialize_type: SerializeType::Json,
        }
    }
}

impl RemotingCommand {
    /// A request with `header` written into extFields and a fresh opaque from [`next_opaque`].
    pub fn request<H: CommandHeader>(code: i32, header: &H) -> Self {
        let mut cmd = Self::request_no_header(code);
        header.write_ext_fields(&mut cmd.ext_fields);
        cmd
    }

    /// A request without custom header (e.g. HEART_BEAT, whose content is the body).
    pub fn request_no_header(code: i32) -> Self {
        Self {
            code,
            opaque: next_opaque(),
            ..Self::default()
        }
    }

    /// A response with `code` and `remark`, opaque 0 (see [`RemotingCommand::response_to`]).
    pub fn response(code: i32, remark: Option<String>) -> Self {
        Self {
            code,
            flag: FLAG_RESPONSE,
            remark,
            ..Self::default()
        }
    }

    /// A response to `request`: its opaque, the response flag, JSON header.
    pub fn response_to(request: &RemotingCommand, code: i32, remark: Option<String>) -> Self {
        Self {
            opaque: request.opaque,
            ..Self::response(code, remark)
        }
    }

    /// SUCCESS response to `request` with no remark.
    pub fn success_to(request: &RemotingCommand) -> Self {
        Self::response_to(request, response_code::SUCCESS, None)
    }

    /// REQUEST_CODE_NOT_SUPPORTED response with RocketMQ's exact remark.
    pub fn not_supported_to(request: &RemotingCommand) -> Self {
        let remark = response_code::not_supported_remark(request.code);
        Self::response_to(
            request,
            response_code::REQUEST_CODE_NOT_SUPPORTED,
            Some(remark),
        )
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Body>) -> Self {
        self.body = body.into();
        self
    }

    /// Sets the remark.
    pub fn with_remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }

    /// Writes `header` into extFields (on top of what is there).
    pub fn with_header<H: CommandHeader>(mut self, header: &H) -> Self {
        header.write_ext_fields(&mut self.ext_fields);
        self
    }

    /// Sets the oneway flag.
    pub fn with_oneway(mut self) -> Self {
        self.flag |= FLAG_ONEWAY;
        self
    }

    /// Sets the header serialize type.
    pub fn with_serialize_type(mut self, serialize_type: SerializeType) -> Self {
        self.serialize_type = serialize_type;
        self
    }

    /// Reads the typed header `H` from extFields.
    pub fn read_header<H: CommandHeader>(&self) -> Result<H, RemotingError> {
        H::read_ext_fields(&self.ext_fields)
    }

    /// Whether flag bit0 (response) is set.
    pub fn is_response(&self) -> bool {
        self.flag & FLAG_RESPONSE != 0
    }

    /// Whether flag bit1 (oneway) is set.
    pub fn is_oneway(&self) -> bool {
        self.flag & FLAG_ONEWAY != 0
    }

    /// Sets flag bit0 (response).
    pub fn mark_response(&mut self) {
        self.flag |= FLAG_RESPONSE;
    }

    /// Sets flag bit1 (oneway).
    pub fn mark_oneway(&mut self) {
        self.flag |= FLAG_ONEWAY;
    }

    /// The serialize type actually used on encode: `serialize_type`, except that a command the
    /// binary header cannot carry (code or version above i16, key over 32767 bytes) goes as JSON.
    pub fn effective_serialize_type(&self) -> SerializeType {
        match self.serialize_type {
            SerializeType::RocketMq if binary::representable(self) => SerializeType::RocketMq,
            _ => SerializeType::Json,
        }
    }

    /// Encoded header length in bytes for the effective serialize type.
    pub fn header_len(&self) -> usize {
        let mut counter = sink::Counter::default();
        self.write_header(self.effective_serialize_type(), &mut counter);
        counter.0
    }

    /// Whole frame size in bytes: 4 (length) + 4 (type|header length) + header + body.
    pub fn encoded_size(&self) -> usize {
        8 + self.header_len() + self.body.len()
    }

    fn write_header<S: sink::Sink>(&self, st: SerializeType, s: &mut S) {
        match st {
            SerializeType::Json => json::write(self, s),
            SerializeType::RocketMq => binary::write(self, s),
        }
    }

    /// Appends the whole frame (head and body, body parts copied) to `dst`.
    pub fn encode(&self, dst: &mut bytes::BytesMut) -> Result<(), RemotingError> {
        self.encode_head(dst)?;
        for part in self.body.parts() {
            dst.extend_from_slice(part);
        }
        Ok(())
    }

    /// Appends everything but the body: frame length, type|header length, header. The caller
    /// sends `body.parts()` right after (the vectored write path).
    pub fn encode_head(&self, dst: &mut bytes::BytesMut) -> Result<(), RemotingError> {
        crate::frame::encode_head(self, dst)
    }

    pub(crate) fn write_header_to(&self, st: SerializeType, dst: &mut bytes::BytesMut) {
        self.write_header(st, dst);
    }

    pub(crate) fn read_header_bytes(
        st: SerializeType,
        header: &[u8],
    ) -> Result<RemotingCommand, RemotingError> {
        match st {
            SerializeType::Json => json::read(header),
            SerializeType::RocketMq => binary::read(header),
        }
    }
}
