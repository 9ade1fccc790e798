//! Protocol versions: the ordinal of Java's `MQVersion.Version` enum, sent in every header.
//!
//! From 4.0.0 on, every release `X.Y.Z` has a `_SNAPSHOT` entry and a release entry, so the
//! release ordinal is `base(X) + 2 * (10 * Y + Z)` with base 213 for 4.x and 413 for 5.x
//! (checked against the known points V4_9_4 = 401 and V5_3_3 = 479).
//! Servers branch on the version: route JSON style (>= V4_9_4), GO_AWAY (> V5_3_1).

/// 3.0.11.
pub const V3_0_11: i32 = 37;
/// 3.4.9.
pub const V3_4_9: i32 = 121;
/// 4.0.0.
pub const V4_0_0: i32 = 213;
/// 4.9.4: from here on the name server emits standard JSON (quoted map keys).
pub const V4_9_4: i32 = v4(9, 4);
/// 5.0.0.
pub const V5_0_0: i32 = 413;
/// 5.3.1: GO_AWAY is sent only to peers newer than this.
pub const V5_3_1: i32 = v5(3, 1);
/// 5.3.2.
pub const V5_3_2: i32 = v5(3, 2);
/// 5.3.3.
pub const V5_3_3: i32 = v5(3, 3);

/// The version ferromq puts in the commands it creates.
pub const CURRENT: i32 = V5_3_3;

const fn v4(minor: i32, patch: i32) -> i32 {
    V4_0_0 + 2 * (10 * minor + patch)
}

const fn v5(minor: i32, patch: i32) -> i32 {
    V5_0_0 + 2 * (10 * minor + patch)
}

const _: () = assert!(V4_9_4 == 401);
const _: () = assert!(V5_3_3 == 479);
const _: () = assert!(V5_3_1 == 475);
