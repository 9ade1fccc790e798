//! [`PutMessage`]: what the broker hands the store for one record.

use std::net::SocketAddr;

use bytes::Bytes;

/// One message to append. The store adds QUEUEOFFSET, PHYSICALOFFSET, STORETIMESTAMP,
/// BODYCRC and the `__CRC32C#` property; everything else is stored verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutMessage {
    /// Topic (UTF-8, 1..=32767 bytes; over 127 bytes the record uses V2 magic).
    pub topic: String,
    /// Queue id within the topic.
    pub queue_id: u32,
    /// User flag, stored verbatim.
    pub flag: i32,
    /// Body as sent (compressed when `sys_flag & 0x1`); the only copy is into the segment.
    pub body: Bytes,
    /// Encoded properties (spec 4.1), at most `record::USER_PROPERTIES_MAX` bytes.
    pub properties: String,
    /// SYSFLAG; the host bits 0x10/0x20 are set from the addresses' families.
    pub sys_flag: i32,
    /// BORNTIMESTAMP, ms since the Unix epoch.
    pub born_timestamp: i64,
    /// Producer address (IPv4 or IPv6).
    pub born_host: SocketAddr,
    /// This broker's address as clients reach it.
    pub store_host: SocketAddr,
    /// RECONSUMETIMES.
    pub reconsume_times: i32,
    /// PREPARED TRANSACTION OFFSET.
    pub prepared_transaction_offset: i64,
}

impl PutMessage {
    /// A message with the given topic, queue and body; other fields zero, hosts 127.0.0.1.
    pub fn new(topic: impl Into<String>, queue_id: u32, body: impl Into<Bytes>) -> Self {
        let local = SocketAddr::from(([127, 0, 0, 1], 0));
        Self {
            topic: topic.into(),
            queue_id,
            flag: 0,
            body: body.into(),
            properties: String::new(),
            sys_flag: 0,
            born_timestamp: 0,
            born_host: local,
            store_host: local,
            reconsume_times: 0,
            prepared_transaction_offset: 0,
        }
    }

    /// Builder-style: sets the encoded properties string.
    pub fn with_properties(mut self, properties: impl Into<String>) -> Self {
        self.properties = properties.into();
        self
    }
}
