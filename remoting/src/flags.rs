//! Bit constants carried in headers: pull sysFlag, message sysFlag and topic permissions.
//!
//! The command-level flag bits (response, oneway) live on `RemotingCommand`.

/// PullMessageRequestHeader `sysFlag` bits.
pub mod pull_sys_flag {
    /// Persist `commitOffset` from the request header.
    pub const COMMIT_OFFSET: i32 = 0x1;
    /// Long-poll: park the request until a message arrives or `suspendTimeoutMillis` passes.
    pub const SUSPEND: i32 = 0x2;
    /// Use the header's `subscription` instead of the registered one.
    pub const SUBSCRIPTION: i32 = 0x4;
    /// Class filter mode (retired feature, still a bit).
    pub const CLASS_FILTER: i32 = 0x8;
    /// Lite pull consumer.
    pub const LITE_PULL: i32 = 0x10;

    /// `flags` with COMMIT_OFFSET cleared; clients do this when pulling from a slave.
    pub const fn clear_commit_offset(flags: i32) -> i32 {
        flags & !COMMIT_OFFSET
    }

    /// Whether `bit` is set in `flags`.
    pub const fn has(flags: i32, bit: i32) -> bool {
        flags & bit == bit
    }
}

/// Message `sysFlag` bits (send header and CommitLog record).
pub mod message_sys_flag {
    /// Body is compressed (codec in bits 8-10; 0 there means zlib).
    pub const COMPRESSED: i32 = 0x1;
    /// TAGS holds several tags.
    pub const MULTI_TAGS: i32 = 0x2;
    /// Transaction state mask (bits 2-3).
    pub const TRANSACTION_TYPE_MASK: i32 = 0xC;
    /// Not a transactional message.
    pub const TRANSACTION_NOT_TYPE: i32 = 0x0;
    /// Half (prepared) transactional message.
    pub const TRANSACTION_PREPARED_TYPE: i32 = 0x4;
    /// Committed transactional message.
    pub const TRANSACTION_COMMIT_TYPE: i32 = 0x8;
    /// Rolled-back transactional message.
    pub const TRANSACTION_ROLLBACK_TYPE: i32 = 0xC;
    /// Born host is IPv6 (16 + 4 bytes in the record).
    pub const BORNHOST_V6: i32 = 0x10;
    /// Store host is IPv6 (16 + 4 bytes in the record).
    pub const STOREHOST_V6: i32 = 0x20;
    /// Inner batch must be unwrapped by the consumer.
    pub const NEED_UNWRAP: i32 = 0x40;
    /// Record body is an inner batch.
    pub const INNER_BATCH: i32 = 0x80;
    /// Compression codec mask (bits 8-10).
    pub const COMPRESSION_TYPE_MASK: i32 = 0x700;
    /// Compression codec LZ4.
    pub const COMPRESSION_LZ4: i32 = 1 << 8;
    /// Compression codec ZSTD.
    pub const COMPRESSION_ZSTD: i32 = 2 << 8;
    /// Compression codec ZLIB.
    pub const COMPRESSION_ZLIB: i32 = 3 << 8;

    /// The transaction bits of `flags`.
    pub const fn transaction_type(flags: i32) -> i32 {
        flags & TRANSACTION_TYPE_MASK
    }

    /// `flags` with the transaction bits replaced by `kind`.
    pub const fn with_transaction_type(flags: i32, kind: i32) -> i32 {
        (flags & !TRANSACTION_TYPE_MASK) | (kind & TRANSACTION_TYPE_MASK)
    }
}

/// Topic and broker permission bits.
pub mod perm {
    /// Ordered-priority topic.
    pub const PRIORITY: i32 = 8;
    /// Readable.
    pub const READ: i32 = 4;
    /// Writable.
    pub const WRITE: i32 = 2;
    /// Template topic whose config new topics inherit (TBW102).
    pub const INHERIT: i32 = 1;
    /// Default broker permission (`brokerPermission`): read + write.
    pub const DEFAULT: i32 = READ | WRITE;

    /// Whether `perm` allows reads.
    pub const fn is_readable(perm: i32) -> bool {
        perm & READ == READ
    }

    /// Whether `perm` allows writes.
    pub const fn is_writeable(perm: i32) -> bool {
        perm & WRITE == WRITE
    }

    /// Whether `perm` marks an inheritable template topic.
    pub const fn is_inherited(perm: i32) -> bool {
        perm & INHERIT == INHERIT
    }

    /// RocketMQ's text form, e.g. `"RW-"` for 6 (R, W, X for inherit).
    pub fn to_text(perm: i32) -> String {
        let mut s = String::with_capacity(3);
        s.push(if is_readable(perm) { 'R' } else { '-' });
        s.push(if is_writeable(perm) { 'W' } else { '-' });
        s.push(if is_inherited(perm) { 'X' } else { '-' });
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perm_text_and_bits() {
        assert_eq!(perm::DEFAULT, 6);
        assert_eq!(perm::to_text(6), "RW-");
        assert_eq!(perm::to_text(7), "RWX");
        assert!(!perm::is_writeable(perm::READ));
    }

    #[test]
    fn transaction_bits() {
        use message_sys_flag::*;
        let f = COMPRESSED | TRANSACTION_PREPARED_TYPE;
        assert_eq!(transaction_type(f), TRANSACTION_PREPARED_TYPE);
        let g = with_transaction_type(f, TRANSACTION_NOT_TYPE);
        assert_eq!(g, COMPRESSED);
        assert_eq!(
            pull_sys_flag::clear_commit_offset(0x3),
            pull_sys_flag::SUSPEND
        );
    }
}
