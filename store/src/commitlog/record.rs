//! The commit log record: RocketMQ's layout (spec 5.1) byte for byte, big-endian.
//!
//! | field | bytes |
//! |---|---|
//! | TOTALSIZE | 4 |
//! | MAGICCODE (V1 `0xDAA320A7`: 1-byte topic length; V2 `0xDAA320AB`: 2-byte) | 4 |
//! | BODYCRC = CRC32(body) & 0x7FFFFFFF | 4 |
//! | QUEUEID, FLAG | 4 + 4 |
//! | QUEUEOFFSET, PHYSICALOFFSET | 8 + 8 |
//! | SYSFLAG, BORNTIMESTAMP | 4 + 8 |
//! | BORNHOST: IPv4 4 + port i32, IPv6 16 + port i32 (sysFlag 0x10) | 8 or 20 |
//! | STORETIMESTAMP | 8 |
//! | STOREHOST (sysFlag 0x20 for IPv6) | 8 or 20 |
//! | RECONSUMETIMES, PREPARED TRANSACTION OFFSET | 4 + 8 |
//! | BODY length i32 + bytes | 4 + n |
//! | TOPIC length (u8 in V1, i16 in V2) + UTF-8 | 1 + t or 2 + t |
//! | PROPERTIES length i16 + UTF-8 | 2 + p |
//!
//! **Whole-record CRC32C.** ferromq ends every record's properties with
//! `__CRC32C#` 0x01 `HHHHHHHH` 0x02: eight uppercase hex digits of the CRC32C of the record's
//! bytes `[0, TOTALSIZE - 9)`, i.e. everything up to and including the 0x01 before the
//! digits. The store appends it when encoding (replacing any incoming one) and counts it in
//! TOTALSIZE and the properties length, so user properties may hold at most
//! [`USER_PROPERTIES_MAX`] bytes. RocketMQ clients see one more property. Recovery requires
//! it; [`decode`] with [`Verify::Full`] checks it when present. docs/storage-format.md draws
//! the same table.
//!
//! Between records nothing else is written; at the end of a segment a blank marker
//! `[i32 remaining][i32 BLANK_MAGIC]` tells readers to continue at the next segment.

#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::properties::{self, CRC32C_PROPERTY_LEN};

/// MAGICCODE of a V1 record (1-byte topic length).
pub const MAGIC_V1: u32 = 0xDAA3_20A7;
/// MAGICCODE of a V2 record (2-byte topic length), used when the topic exceeds 127 bytes.
pub const MAGIC_V2: u32 = 0xDAA3_20AB;
/// Marker after the last record of a segment: `[i32 remaining][i32 BLANK_MAGIC]`.
pub const BLANK_MAGIC: u32 = 0xCBD4_3194;
/// Bytes of the blank marker; a record is placed only if it leaves room for one.
pub const BLANK_MARKER_LEN: u32 = 8;
/// sysFlag bit: BORNHOST is IPv6 (16 + 4 bytes).
pub const SYSFLAG_BORNHOST_V6: i32 = 0x10;
/// sysFlag bit: STOREHOST is IPv6 (16 + 4 bytes).
pub const SYSFLAG_STOREHOST_V6: i32 = 0x20;
/// sysFlag mask of the transaction type bits.
pub const SYSFLAG_TRANSACTION_MASK: i32 = 0xC;
/// Transaction type: prepared (half) message; not dispatched, queue offset 0.
pub const SYSFLAG_TRANSACTION_PREPARED: i32 = 0x4;
/// Transaction type: rollback; not dispatched, queue offset 0.
pub const SYSFLAG_TRANSACTION_ROLLBACK: i32 = 0xC;
/// Longest topic a V1 record holds; longer topics use [`MAGIC_V2`].
pub const TOPIC_V1_MAX: usize = 127;
/// Longest topic in bytes (V2's i16 length).
pub const TOPIC_MAX: usize = i16::MAX as usize;
/// Longest properties string in bytes (i16 length), including the CRC32C property.
pub const PROPERTIES_MAX: usize = i16::MAX as usize;
/// Longest user properties string: [`PROPERTIES_MAX`] minus the appended CRC32C property.
pub const USER_PROPERTIES_MAX: usize = PROPERTIES_MAX - CRC32C_PROPERTY_LEN;
/// Byte offset of STORETIMESTAMP when BORNHOST is IPv4.
pub const STORE_TIMESTAMP_OFFSET_V4: usize = 56;

/// Size of everything but the variable parts: 4 TOTALSIZE + 4 MAGIC + 4 BODYCRC + 4 QUEUEID
/// + 4 FLAG + 8 QUEUEOFFSET + 8 PHYSICALOFFSET + 4 SYSFLAG + 8 BORN + 8 STORE timestamps
/// + 4 RECONSUMETIMES + 8 PREPARED + 4 BODY length + 2 PROPERTIES length.
pub const FIXED_LEN: usize = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 4 + 8 + 4 + 2;
const _: () = assert!(FIXED_LEN == 74);
/// Smallest possible record: V1, IPv4 hosts, empty body, topic and properties.
pub const RECORD_MIN_LEN: usize = FIXED_LEN + 8 + 8 + 1;
const _: () = assert!(RECORD_MIN_LEN == 91);

/// Which MAGICCODE a record carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MagicVersion {
    /// [`MAGIC_V1`]: 1-byte topic length.
    V1,
    /// [`MAGIC_V2`]: 2-byte topic length.
    V2,
}

impl MagicVersion {
    /// The version a topic of `topic_len` bytes is written with.
    pub fn for_topic_len(topic_len: usize) -> Self {
        if topic_len > TOPIC_V1_MAX {
            Self::V2
        } else {
            Self::V1
        }
    }

    /// The MAGICCODE value.
    pub fn magic(self) -> u32 {
        match self {
            Self::V1 => MAGIC_V1,
            Self::V2 => MAGIC_V2,
        }
    }

    /// Bytes of the topic length field.
    pub fn topic_len_width(self) -> usize {
        match self {
            Self::V1 => 1,
            Self::V2 => 2,
        }
    }
}

/// Bytes a host takes in a record: 4 or 16 address bytes plus a 4-byte port.
pub fn host_len(addr: &SocketAddr) -> usize {
    match addr {
        SocketAddr::V4(_) => 8,
        SocketAddr::V6(_) => 20,
    }
}

/// Why a byte range is not a valid record; `at` is the field's offset inside the record.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The buffer ends before the field at `at` (needs `need` bytes, has `have`).
    #[error("truncated at byte {at}: need {need}, have {have}")]
    Truncated {
        /// Offset of the field.
        at: usize,
        /// Bytes the field needs.
        need: usize,
        /// Bytes left.
        have: usize,
    },
    /// MAGICCODE is neither V1 nor V2 (and not the blank marker).
    #[error("bad magic {found:#010x}")]
    BadMagic {
        /// The value found.
        found: u32,
    },
    /// TOTALSIZE disagrees with the field lengths, or is out of range.
    #[error("TOTALSIZE {total_size} but fields add up to {computed}")]
    BadTotalSize {
        /// TOTALSIZE as stored.
        total_size: u32,
        /// Length implied by the fields (0 when TOTALSIZE itself is out of range).
        computed: usize,
    },
    /// A length field is negative.
    #[error("negative length {value} at byte {at}")]
    NegativeLength {
        /// Offset of the field.
        at: usize,
        /// Its value.
        value: i64,
    },
    /// BODYCRC does not match the body.
    #[error("body CRC stored {stored:#010x}, computed {computed:#010x}")]
    BodyCrc {
        /// Stored value.
        stored: u32,
        /// Computed value.
        computed: u32,
    },
    /// The whole-record CRC32C does not match.
    #[error("record CRC32C stored {stored:#010x}, computed {computed:#010x}")]
    RecordCrc {
        /// Stored value.
        stored: u32,
        /// Computed value.
        computed: u32,
    },
    /// The `__CRC32C#` property is missing or malformed where it is required.
    #[error("record CRC32C property missing or malformed")]
    RecordCrcMissing,
    /// Topic or properties are not UTF-8.
    #[error("{field} is not UTF-8")]
    NotUtf8 {
        /// Which field.
        field: &'static str,
    },
    /// PHYSICALOFFSET names another position than the one the record was read at (a stale
    /// record from an earlier life of the segment, or bytes shifted by damage).
    #[error("record names offset {stored}, read at {expected}")]
    WrongPosition {
        /// PHYSICALOFFSET as stored.
        stored: u64,
        /// Where it was read.
        expected: u64,
    },
    /// A negative offset field.
    #[error("negative {field} {value}")]
    NegativeOffset {
        /// Which field.
        field: &'static str,
        /// Its value.
        value: i64,
    },
}

/// How much of a record [`decode`] checks beyond its structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Structure only (lengths, magic, UTF-8).
    Structure,
    /// Structure, BODYCRC, and the CRC32C property when present (records from any writer).
    Full,
    /// Like `Full`, and the CRC32C property must be present (ferromq's own commit log).
    Strict,
}

/// A decoded record borrowing its bytes; every field of the layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord<'a> {
    /// TOTALSIZE: the whole record's length in bytes.
    pub total_size: u32,
    /// MAGICCODE version.
    pub magic: MagicVersion,
    /// BODYCRC as stored.
    pub body_crc: u32,
    /// QUEUEID.
    pub queue_id: u32,
    /// FLAG (user flag, opaque).
    pub flag: i32,
    /// QUEUEOFFSET (0 for prepared and rollback transaction records).
    pub queue_offset: u64,
    /// PHYSICALOFFSET: the record's own commit log offset.
    pub physical_offset: u64,
    /// SYSFLAG (spec 4.3).
    pub sys_flag: i32,
    /// BORNTIMESTAMP, ms.
    pub born_timestamp: i64,
    /// BORNHOST.
    pub born_host: SocketAddr,
    /// STORETIMESTAMP, ms.
    pub store_timestamp: i64,
    /// STOREHOST.
    pub store_host: SocketAddr,
    /// RECONSUMETIMES.
    pub reconsume_times: i32,
    /// PREPARED TRANSACTION OFFSET.
    pub prepared_transaction_offset: i64,
    /// BODY as stored (compressed when sysFlag 0x1).
    pub body: &'a [u8],
    /// TOPIC.
    pub topic: &'a str,
    /// PROPERTIES (spec 4.1 encoding), including `__CRC32C#` when present.
    pub properties: &'a str,
}

impl<'a> MessageRecord<'a> {
    /// The value of property `key`, if present.
    pub fn property(&self, key: &str) -> Option<&'a str> {
        properties::get(self.properties, key)
    }

    /// The offsetMsgId of this record (store host + physical offset, uppercase hex).
    pub fn offset_msg_id(&self) -> String {
        super::msg_id::offset_msg_id(&self.store_host, self.physical_offset)
    }
}

/// Checked big-endian reader over one record.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, need: usize) -> Result<&'a [u8], RecordError> {
        let have = self.buf.len().saturating_sub(self.pos);
        let out = self
            .buf
            .get(self.pos..self.pos.saturating_add(need))
            .ok_or(RecordError::Truncated {
                at: self.pos,
                need,
                have,
            })?;
        self.pos += need;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RecordError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, RecordError> {
        Ok(self.array::<1>()?[0])
    }
    fn i16(&mut self) -> Result<i16, RecordError> {
        Ok(i16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, RecordError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn i32(&mut self) -> Result<i32, RecordError> {
        Ok(i32::from_be_bytes(self.array()?))
    }
    fn i64(&mut self) -> Result<i64, RecordError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    fn offset(&mut self, field: &'static str) -> Result<u64, RecordError> {
        let value = self.i64()?;
        u64::try_from(value).map_err(|_| RecordError::NegativeOffset { field, value })
    }

    fn host(&mut self, v6: bool) -> Result<SocketAddr, RecordError> {
        let ip = if v6 {
            IpAddr::V6(Ipv6Addr::from(self.array::<16>()?))
        } else {
            IpAddr::V4(Ipv4Addr::from(self.array::<4>()?))
        };
        // Ports are written as i32; keep the low 16 bits of anything odd rather than fail.
        let port = self.i32()? as u16;
        Ok(SocketAddr::new(ip, port))
    }

    fn len_field(&mut self, value: i64, at: usize) -> Result<usize, RecordError> {
        usize::try_from(value).map_err(|_| RecordError::NegativeLength { at, value })
    }
}

/// Reads `(TOTALSIZE, MAGICCODE)` from the first 8 bytes, if present.
pub fn peek_header(buf: &[u8]) -> Option<(u32, u32)> {
    let size = u32::from_be_bytes(buf.get(0..4)?.try_into().ok()?);
    let magic = u32::from_be_bytes(buf.get(4..8)?.try_into().ok()?);
    Some((size, magic))
}

/// Decodes the record at the start of `buf` (which may hold more bytes after it).
pub fn decode(buf: &[u8], verify: Verify) -> Result<MessageRecord<'_>, RecordError> {
    let mut r = Reader { buf, pos: 0 };
    let total_size = r.u32()?;
    let magic = match r.u32()? {
        MAGIC_V1 => MagicVersion::V1,
        MAGIC_V2 => MagicVersion::V2,
        found => return Err(RecordError::BadMagic { found }),
    };
    let total = usize::try_from(total_size).unwrap_or(usize::MAX);
    let bytes = buf
        .get(..total)
        .filter(|b| b.len() >= RECORD_MIN_LEN)
        .ok_or(RecordError::BadTotalSize {
            total_size,
            computed: 0,
        })?;
    let record = read_fields(bytes, total_size, magic)?;
    check_crcs(bytes, &record, verify)?;
    Ok(record)
}

/// Reads every field after MAGICCODE from exactly one record's bytes.
fn read_fields(
    bytes: &[u8],
    total_size: u32,
    magic: MagicVersion,
) -> Result<MessageRecord<'_>, RecordError> {
    let total = bytes.len();
    let mut r = Reader { buf: bytes, pos: 8 };
    let body_crc = r.u32()?;
    let queue_id = r.u32()?;
    let flag = r.i32()?;
    let queue_offset = r.offset("queue offset")?;
    let physical_offset = r.offset("physical offset")?;
    let sys_flag = r.i32()?;
    let born_timestamp = r.i64()?;
    let born_host = r.host(sys_flag & SYSFLAG_BORNHOST_V6 != 0)?;
    let store_timestamp = r.i64()?;
    let store_host = r.host(sys_flag & SYSFLAG_STOREHOST_V6 != 0)?;
    let reconsume_times = r.i32()?;
    let prepared_transaction_offset = r.i64()?;
    let at = r.pos;
    let body_len = r.i32()?;
    let body_len = r.len_field(i64::from(body_len), at)?;
    let body = r.take(body_len)?;
    let at = r.pos;
    let topic_len = match magic {
        MagicVersion::V1 => usize::from(r.u8()?),
        MagicVersion::V2 => {
            let len = r.i16()?;
            r.len_field(i64::from(len), at)?
        }
    };
    let topic = std::str::from_utf8(r.take(topic_len)?)
        .map_err(|_| RecordError::NotUtf8 { field: "topic" })?;
    let at = r.pos;
    let props_len = r.i16()?;
    let props_len = r.len_field(i64::from(props_len), at)?;
    let props = r.take(props_len)?;
    if r.pos != total {
        return Err(RecordError::BadTotalSize {
            total_size,
            computed: r.pos,
        });
    }
    let properties = std::str::from_utf8(props).map_err(|_| RecordError::NotUtf8 {
        field: "properties",
    })?;
    let record = MessageRecord {
        total_size,
        magic,
        body_crc,
        queue_id,
        flag,
        queue_offset,
        physical_offset,
        sys_flag,
        born_timestamp,
        born_host,
        store_timestamp,
        store_host,
        reconsume_times,
        prepared_transaction_offset,
        body,
        topic,
        properties,
    };
    Ok(record)
}

fn check_crcs(bytes: &[u8], record: &MessageRecord<'_>, verify: Verify) -> Result<(), RecordError> {
    if verify == Verify::Structure {
        return Ok(());
    }
    let computed = body_crc(record.body);
    if computed != record.body_crc {
        return Err(RecordError::BodyCrc {
            stored: record.body_crc,
            computed,
        });
    }
    match properties::trailing_crc32c(record.properties) {
        Some(stored) => {
            let covered = bytes.len() - 9;
            let computed = crc32c::crc32c(bytes.get(..covered).unwrap_or_default());
            if computed != stored {
                return Err(RecordError::RecordCrc { stored, computed });
            }
            Ok(())
        }
        None if verify == Verify::Strict => Err(RecordError::RecordCrcMissing),
        None => Ok(()),
    }
}

/// BODYCRC of a body: CRC32 masked to 31 bits, as RocketMQ stores it.
pub fn body_crc(body: &[u8]) -> u32 {
    crc32fast::hash(body) & 0x7FFF_FFFF
}

/// STORETIMESTAMP of the record starting at `buf`, reading only the fixed prefix.
pub fn store_timestamp_of(buf: &[u8]) -> Option<i64> {
    let sys_flag = i32::from_be_bytes(buf.get(36..40)?.try_into().ok()?);
    let at = if sys_flag & SYSFLAG_BORNHOST_V6 != 0 {
        STORE_TIMESTAMP_OFFSET_V4 + 12
    } else {
        STORE_TIMESTAMP_OFFSET_V4
    };
    Some(i64::from_be_bytes(buf.get(at..at + 8)?.try_into().ok()?))
}

/// Decodes every record of a pulled body (concatenated records), in order.
pub fn decode_all(mut buf: &[u8], verify: Verify) -> Result<Vec<MessageRecord<'_>>, RecordError> {
    let mut out = Vec::new();
    while !buf.is_empty() {
        let record = decode(buf, verify)?;
        let len = record.total_size as usize;
        out.push(record);
        buf = buf.get(len..).unwrap_or_default();
    }
    Ok(out)
}
