//! Frame codec, sans-I/O: `check` (is a whole frame buffered?), `parse`, `decode`, `encode_head`.
//!
//! ```text
//! offset      size       field
//! 0           4          frameLen = 4 + headerLen + bodyLen (excludes itself), i32 big-endian
//! 4           4          (serializeType << 24) | headerLen (24 bits)
//! 8           headerLen  header (JSON or ROCKETMQ binary)
//! 8+headerLen rest       body
//! ```
//! Drawn in `docs/protocol.md` ("Frame"). Every length is checked against a bound before any
//! buffer is sized from it.

use crate::command::{RemotingCommand, SerializeType};
use crate::error::RemotingError;
use bytes::{Buf, BufMut, Bytes, BytesMut};

/// Default bound on a whole frame, length prefix included: 16 MiB, as RocketMQ's
/// `com.rocketmq.remoting.frameMaxLength`.
pub const FRAME_LEN_MAX_DEFAULT: usize = 16 * 1024 * 1024;
/// The header length field has 24 bits.
pub const HEADER_LEN_MAX: usize = 0x00FF_FFFF;
/// Most extFields entries a header may carry (Java headers use about 20).
pub const EXT_FIELDS_COUNT_MAX: usize = 1024;
/// Longest remark accepted, in bytes.
pub const REMARK_LEN_MAX: usize = 256 * 1024;
/// Frame length word + type/header-length word.
pub const FRAME_PREFIX_LEN: usize = 8;

/// Two-phase frame decoder holding the frame bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameCodec {
    frame_len_max: usize,
}

impl Default for FrameCodec {
    fn default() -> Self {
        Self {
            frame_len_max: FRAME_LEN_MAX_DEFAULT,
        }
    }
}

impl FrameCodec {
    /// A codec refusing frames longer than `frame_len_max` bytes (length prefix included).
    pub fn new(frame_len_max: usize) -> Self {
        Self { frame_len_max }
    }

    /// The bound in bytes, length prefix included.
    pub fn frame_len_max(&self) -> usize {
        self.frame_len_max
    }

    /// Is a whole frame at the start of `src`? `Ok(Some(n))`: the first `n` bytes are one frame;
    /// `Ok(None)`: need more bytes (nothing consumed); `Err`: the stream is unusable, close it.
    /// Length, header length and serialize type are checked as soon as their bytes are here.
    pub fn check(&self, src: &[u8]) -> Result<Option<usize>, RemotingError> {
        let Some(len_word) = src.first_chunk::<4>() else {
            return Ok(None);
        };
        let frame_len = i32::from_be_bytes(*len_word);
        let frame_len = usize::try_from(frame_len)
            .ok()
            .filter(|len| *len >= 4)
            .ok_or(RemotingError::FrameLenInvalid {
                frame_len: i64::from(frame_len),
            })?;
        let total = frame_len + 4;
        if total > self.frame_len_max {
            return Err(RemotingError::FrameTooLong {
                frame_bytes: total as u64,
                max_bytes: self.frame_len_max,
            });
        }
        if let Some(words) = src.first_chunk::<8>() {
            let [_, _, _, _, st, h0, h1, h2] = *words;
            SerializeType::from_code(st)?;
            let header_len = usize::from(h0) << 16 | usize::from(h1) << 8 | usize::from(h2);
            if header_len > frame_len - 4 {
                return Err(RemotingError::HeaderLenOutOfBounds {
                    header_len,
                    available: frame_len - 4,
                });
            }
        }
        Ok((src.len() >= total).then_some(total))
    }

    /// Parses one whole frame (as sized by `check`); the body is a zero-copy slice of `frame`.
    pub fn parse(&self, mut frame: Bytes) -> Result<RemotingCommand, RemotingError> {
        match self.check(&frame)? {
            Some(n) if n == frame.len() => {}
            _ => {
                let frame_len = frame
                    .first_chunk::<4>()
                    .map_or(0, |w| u32::from_be_bytes(*w));
                return Err(RemotingError::FrameLenMismatch {
                    frame_len: u64::from(frame_len),
                    buffer_bytes: frame.len(),
                });
            }
        }
        frame.advance(4);
        let word = frame.get_u32();
        let st = SerializeType::from_code((word >> 24) as u8)?;
        let header_len = (word & 0x00FF_FFFF) as usize;
        // check() guaranteed header_len <= frame.len() here.
        let body = frame.split_off(header_len.min(frame.len()));
        let mut cmd = RemotingCommand::read_header_bytes(st, &frame)?;
        cmd.body = body.into();
        Ok(cmd)
    }

    /// `check` + `parse` on a read buffer: on `Some`, the frame's bytes are consumed from `buf`.
    pub fn decode(&self, buf: &mut BytesMut) -> Result<Option<RemotingCommand>, RemotingError> {
        match self.check(buf)? {
            None => Ok(None),
            Some(n) => self.parse(buf.split_to(n).freeze()).map(Some),
        }
    }
}

/// Appends frame length, type|header length and header of `cmd` to `dst`.
pub(crate) fn encode_head(cmd: &RemotingCommand, dst: &mut BytesMut) -> Result<(), RemotingError> {
    let st = cmd.effective_serialize_type();
    let header_len = cmd.header_len();
    if header_len > HEADER_LEN_MAX {
        return Err(RemotingError::HeaderTooLong { header_len });
    }
    let frame_len = 4 + header_len + cmd.body.len();
    let frame_len_i32 = i32::try_from(frame_len).map_err(|_| RemotingError::FrameTooLong {
        frame_bytes: frame_len as u64 + 4,
        max_bytes: i32::MAX as usize,
    })?;
    dst.reserve(FRAME_PREFIX_LEN + header_len);
    let start = dst.len();
    dst.put_i32(frame_len_i32);
    // header_len <= 0xFFFFFF, so it fits the low 24 bits.
    dst.put_u32(u32::from(st.code()) << 24 | header_len as u32);
    cmd.write_header_to(st, dst);
    debug_assert_eq!(dst.len() - start, FRAME_PREFIX_LEN + header_len);
    Ok(())
}
