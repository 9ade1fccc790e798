//! ROCKETMQ binary header (serialize type 1).
//!
//! ```text
//! offset size  field
//! 0      2     code      (i16; codes above 32767 cannot travel here)
//! 2      1     language  (LanguageCode byte)
//! 3      2     version   (i16)
//! 5      4     opaque
//! 9      4     flag
//! 13     4+n   remark: i32 byte length (0 = null), UTF-8
//! 17+n   4+m   extFields: i32 total byte length m, then entries
//!              [i16 keyLen][key UTF-8][i32 valLen][val UTF-8]
//! ```
//! Drawn as a byte table in `docs/protocol.md` ("Binary header"). Bytes after the extFields block
//! are ignored, as Java does.

use super::sink::Sink;
use super::{Body, ExtFields, RemotingCommand, SerializeType};
use crate::code::LanguageCode;
use crate::error::RemotingError;
use crate::frame::{EXT_FIELDS_COUNT_MAX, REMARK_LEN_MAX};

/// Whether `cmd` fits the binary header: code and version in i16, keys at most i16::MAX bytes.
pub(crate) fn representable(cmd: &RemotingCommand) -> bool {
    i16::try_from(cmd.code).is_ok()
        && i16::try_from(cmd.version).is_ok()
        && cmd
            .ext_fields
            .keys()
            .all(|k| i16::try_from(k.len()).is_ok())
        && cmd
            .remark
            .as_ref()
            .is_none_or(|r| i32::try_from(r.len()).is_ok())
        && i32::try_from(ext_fields_len(&cmd.ext_fields)).is_ok()
}

fn ext_fields_len(ext: &ExtFields) -> usize {
    ext.iter().map(|(k, v)| 2 + k.len() + 4 + v.len()).sum()
}

/// Length prefix as i32; callers checked `representable`, so saturation never happens.
fn len_i32(len: usize) -> [u8; 4] {
    i32::try_from(len).unwrap_or(i32::MAX).to_be_bytes()
}

/// Writes the header; `cmd` must be `representable` (the frame encoder falls back to JSON).
pub(crate) fn write<S: Sink>(cmd: &RemotingCommand, s: &mut S) {
    debug_assert!(representable(cmd));
    s.put(&i16::try_from(cmd.code).unwrap_or_default().to_be_bytes());
    s.put(&[cmd.language.code()]);
    s.put(&i16::try_from(cmd.version).unwrap_or_default().to_be_bytes());
    s.put(&cmd.opaque.to_be_bytes());
    s.put(&cmd.flag.to_be_bytes());
    match &cmd.remark {
        Some(r) => {
            s.put(&len_i32(r.len()));
            s.put(r.as_bytes());
        }
        None => s.put(&0i32.to_be_bytes()),
    }
    s.put(&len_i32(ext_fields_len(&cmd.ext_fields)));
    for (k, v) in &cmd.ext_fields {
        s.put(&i16::try_from(k.len()).unwrap_or_default().to_be_bytes());
        s.put(k.as_bytes());
        s.put(&len_i32(v.len()));
        s.put(v.as_bytes());
    }
}

/// A bounds-checked reader over the header bytes.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, field: &'static str, need: usize) -> Result<&'a [u8], RemotingError> {
        let have = self.buf.len().saturating_sub(self.pos);
        let end = self.pos.checked_add(need).filter(|_| need <= have);
        let out = end.and_then(|end| self.buf.get(self.pos..end));
        match out {
            Some(bytes) => {
                self.pos += need;
                Ok(bytes)
            }
            None => Err(RemotingError::Truncated {
                field,
                offset: self.pos,
                need,
                have,
            }),
        }
    }

    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], RemotingError> {
        let bytes = self.take(field, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn i16(&mut self, field: &'static str) -> Result<i16, RemotingError> {
        Ok(i16::from_be_bytes(self.array(field)?))
    }

    fn i32(&mut self, field: &'static str) -> Result<i32, RemotingError> {
        Ok(i32::from_be_bytes(self.array(field)?))
    }

    fn u8(&mut self, field: &'static str) -> Result<u8, RemotingError> {
        Ok(u8::from_be_bytes(self.array(field)?))
    }

    /// Reads a length and checks it is not negative.
    fn len(&mut self, field: &'static str, len: i64) -> Result<usize, RemotingError> {
        usize::try_from(len).map_err(|_| RemotingError::NegativeLength {
            field,
            offset: self.pos,
            len,
        })
    }

    fn utf8(&mut self, field: &'static str, len: usize) -> Result<String, RemotingError> {
        let offset = self.pos;
        let bytes = self.take(field, len)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|source| RemotingError::InvalidUtf8 {
                field,
                offset,
                source,
            })
    }
}

/// Parses a binary header into a command with an empty body.
pub(crate) fn read(header: &[u8]) -> Result<RemotingCommand, RemotingError> {
    let mut c = Cursor {
        buf: header,
        pos: 0,
    };
    let code = i32::from(c.i16("code")?);
    let language = LanguageCode::from_code(c.u8("language")?);
    let version = i32::from(c.i16("version")?);
    let opaque = c.i32("opaque")?;
    let flag = c.i32("flag")?;
    let raw = c.i32("remarkLen")?;
    let remark_len = c.len("remarkLen", i64::from(raw))?;
    if remark_len > REMARK_LEN_MAX {
        return Err(RemotingError::RemarkTooLong {
            len: remark_len,
            max: REMARK_LEN_MAX,
        });
    }
    let remark = match remark_len {
        0 => None,
        n => Some(c.utf8("remark", n)?),
    };
    let raw = c.i32("extFieldsLen")?;
    let ext_len = c.len("extFieldsLen", i64::from(raw))?;
    let ext_start = c.pos;
    let ext_bytes = c.take("extFields", ext_len)?;
    let ext_fields = read_ext_fields(ext_bytes, ext_start)?;
    Ok(RemotingCommand {
        code,
        language,
        version,
        opaque,
        flag,
        remark,
        ext_fields,
        body: Body::Empty,
        serialize_type: SerializeType::RocketMq,
    })
}

fn read_ext_fields(bytes: &[u8], base: usize) -> Result<ExtFields, RemotingError> {
    let mut c = Cursor { buf: bytes, pos: 0 };
    let mut out = ExtFields::new();
    let mut count = 0usize;
    while c.pos < bytes.len() {
        count += 1;
        if count > EXT_FIELDS_COUNT_MAX {
            return Err(RemotingError::TooManyExtFields {
                max: EXT_FIELDS_COUNT_MAX,
            });
        }
        let entry = read_entry(&mut c).map_err(|e| rebase(e, base))?;
        out.insert(entry.0, entry.1);
    }
    Ok(out)
}

fn read_entry(c: &mut Cursor<'_>) -> Result<(String, String), RemotingError> {
    let raw = c.i16("extKeyLen")?;
    let key_len = c.len("extKeyLen", i64::from(raw))?;
    let key = c.utf8("extKey", key_len)?;
    let raw = c.i32("extValueLen")?;
    let val_len = c.len("extValueLen", i64::from(raw))?;
    let val = c.utf8("extValue", val_len)?;
    Ok((key, val))
}

/// Turns offsets relative to the extFields block into offsets inside the header.
fn rebase(e: RemotingError, base: usize) -> RemotingError {
    match e {
        RemotingError::Truncated {
            field,
            offset,
            need,
            have,
        } => RemotingError::Truncated {
            field,
            offset: offset + base,
            need,
            have,
        },
        RemotingError::NegativeLength { field, offset, len } => RemotingError::NegativeLength {
            field,
            offset: offset + base,
            len,
        },
        RemotingError::InvalidUtf8 {
            field,
            offset,
            source,
        } => RemotingError::InvalidUtf8 {
            field,
            offset: offset + base,
            source,
        },
        other => other,
    }
}
