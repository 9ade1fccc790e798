//! Encoding a [`PutMessage`] into the record layout of [`super::record`].
//!
//! Work is split so that the append lock covers the least: [`PreparedRecord::new`] runs
//! before the lock (validation, lengths, BODYCRC), [`PreparedRecord::encode_into`] runs
//! under it, writing straight into the segment with the offsets and the store time, and
//! finishing with the whole-record CRC32C.

use std::borrow::Cow;
use std::net::{IpAddr, SocketAddr};

use super::message::PutMessage;
use super::properties::{self, CRC32C_KEY, CRC32C_PROPERTY_LEN};
use super::record::{
    self, FIXED_LEN, MagicVersion, SYSFLAG_BORNHOST_V6, SYSFLAG_STOREHOST_V6,
    SYSFLAG_TRANSACTION_MASK, SYSFLAG_TRANSACTION_PREPARED, SYSFLAG_TRANSACTION_ROLLBACK,
    TOPIC_MAX, USER_PROPERTIES_MAX,
};

/// Why a message cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeRefusal {
    /// Empty topic, topic over [`TOPIC_MAX`] bytes, or a record over the size limit.
    MessageIllegal,
    /// User properties over [`USER_PROPERTIES_MAX`] bytes.
    PropertiesSizeExceeded,
}

/// A message validated and measured, ready to be written at an offset.
#[derive(Debug)]
pub struct PreparedRecord<'a> {
    msg: &'a PutMessage,
    user_props: Cow<'a, str>,
    /// The user properties lack a final 0x02, so one is added before the CRC property.
    add_separator: bool,
    magic: MagicVersion,
    total_len: u32,
    body_crc: u32,
    sys_flag: i32,
}

impl<'a> PreparedRecord<'a> {
    /// Validates `msg` and computes its record length; `record_max` bounds TOTALSIZE.
    pub fn new(msg: &'a PutMessage, record_max: usize) -> Result<Self, EncodeRefusal> {
        let topic_len = msg.topic.len();
        if topic_len == 0 || topic_len > TOPIC_MAX {
            return Err(EncodeRefusal::MessageIllegal);
        }
        let user_props = properties::without_crc32c(&msg.properties);
        let add_separator = !user_props.is_empty() && !user_props.ends_with('\u{2}');
        let user_len = user_props.len() + usize::from(add_separator);
        if user_len > USER_PROPERTIES_MAX {
            return Err(EncodeRefusal::PropertiesSizeExceeded);
        }
        let magic = MagicVersion::for_topic_len(topic_len);
        let total = FIXED_LEN
            + record::host_len(&msg.born_host)
            + record::host_len(&msg.store_host)
            + msg.body.len()
            + magic.topic_len_width()
            + topic_len
            + user_len
            + CRC32C_PROPERTY_LEN;
        if total > record_max || i32::try_from(msg.body.len()).is_err() {
            return Err(EncodeRefusal::MessageIllegal);
        }
        let total_len = u32::try_from(total).map_err(|_| EncodeRefusal::MessageIllegal)?;
        let mut sys_flag = msg.sys_flag & !(SYSFLAG_BORNHOST_V6 | SYSFLAG_STOREHOST_V6);
        if msg.born_host.is_ipv6() {
            sys_flag |= SYSFLAG_BORNHOST_V6;
        }
        if msg.store_host.is_ipv6() {
            sys_flag |= SYSFLAG_STOREHOST_V6;
        }
        Ok(Self {
            msg,
            user_props,
            add_separator,
            magic,
            total_len,
            body_crc: record::body_crc(&msg.body),
            sys_flag,
        })
    }

    /// The message being encoded.
    pub fn message(&self) -> &'a PutMessage {
        self.msg
    }

    /// TOTALSIZE of the record.
    pub fn total_len(&self) -> u32 {
        self.total_len
    }

    /// Whether the record gets a queue offset and is dispatched (not a prepared or
    /// rollback transaction record).
    pub fn is_dispatched(&self) -> bool {
        let tx = self.sys_flag & SYSFLAG_TRANSACTION_MASK;
        tx != SYSFLAG_TRANSACTION_PREPARED && tx != SYSFLAG_TRANSACTION_ROLLBACK
    }

    /// Writes the record into `dst`, which must be exactly [`Self::total_len`] bytes.
    pub fn encode_into(
        &self,
        dst: &mut [u8],
        queue_offset: u64,
        physical_offset: u64,
        store_ts: i64,
    ) {
        debug_assert_eq!(dst.len(), self.total_len as usize);
        let msg = self.msg;
        let mut w = Writer { dst, pos: 0 };
        w.put(&self.total_len.to_be_bytes());
        w.put(&self.magic.magic().to_be_bytes());
        w.put(&self.body_crc.to_be_bytes());
        w.put(&msg.queue_id.to_be_bytes());
        w.put(&msg.flag.to_be_bytes());
        w.put(&queue_offset.to_be_bytes());
        w.put(&physical_offset.to_be_bytes());
        w.put(&self.sys_flag.to_be_bytes());
        w.put(&msg.born_timestamp.to_be_bytes());
        w.host(&msg.born_host);
        w.put(&store_ts.to_be_bytes());
        w.host(&msg.store_host);
        w.put(&msg.reconsume_times.to_be_bytes());
        w.put(&msg.prepared_transaction_offset.to_be_bytes());
        // Lengths were bounded in `new`, so these conversions cannot truncate.
        w.put(&(msg.body.len() as u32).to_be_bytes());
        w.put(&msg.body);
        let topic_len = msg.topic.len();
        match self.magic {
            MagicVersion::V1 => w.put(&[topic_len as u8]),
            MagicVersion::V2 => w.put(&(topic_len as u16).to_be_bytes()),
        }
        w.put(msg.topic.as_bytes());
        let props_len =
            self.user_props.len() + usize::from(self.add_separator) + CRC32C_PROPERTY_LEN;
        w.put(&(props_len as u16).to_be_bytes());
        w.put(self.user_props.as_bytes());
        if self.add_separator {
            w.put(&[2]);
        }
        w.put(CRC32C_KEY.as_bytes());
        w.put(&[1]);
        let covered = w.pos;
        let mut hex = [0u8; 8];
        properties::write_hex8(&mut hex, crc32c::crc32c(&w.dst[..covered]));
        w.put(&hex);
        w.put(&[2]);
        debug_assert_eq!(w.pos, w.dst.len());
    }
}

struct Writer<'a> {
    dst: &'a mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.dst[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
    }

    fn host(&mut self, addr: &SocketAddr) {
        match addr.ip() {
            IpAddr::V4(ip) => self.put(&ip.octets()),
            IpAddr::V6(ip) => self.put(&ip.octets()),
        }
        self.put(&i32::from(addr.port()).to_be_bytes());
    }
}

/// Encodes `msg` into a new buffer (tests, tools, replication fixtures; the store itself
/// encodes in place).
pub fn encode_to_vec(
    msg: &PutMessage,
    queue_offset: u64,
    physical_offset: u64,
    store_ts: i64,
) -> Result<Vec<u8>, EncodeRefusal> {
    let prepared = PreparedRecord::new(msg, usize::MAX)?;
    let mut out = vec![0u8; prepared.total_len() as usize];
    prepared.encode_into(&mut out, queue_offset, physical_offset, store_ts);
    Ok(out)
}
