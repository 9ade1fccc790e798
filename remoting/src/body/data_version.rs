//! DataVersion: the (counter, timestamp) pair a broker stamps on its topic table.

use serde::{Deserialize, Serialize};

/// Version of a broker's topic configuration; the name server re-reads topics only when it
/// changes. Two versions are equal when all three fields are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct DataVersion {
    /// Bumped on every change; starts at 0.
    #[serde(deserialize_with = "super::long_field::deserialize")]
    pub counter: i64,
    /// Epoch-like value set by controller mode (5.x); 0 elsewhere.
    #[serde(deserialize_with = "super::long_field::deserialize")]
    pub state_version: i64,
    /// Wall-clock time of the last change, ms since the Unix epoch.
    #[serde(deserialize_with = "super::long_field::deserialize")]
    pub timestamp: i64,
}

impl DataVersion {
    /// A fresh version: counter 0, stamped `now_ms` (ms since the Unix epoch).
    pub fn new(now_ms: i64) -> Self {
        Self {
            counter: 0,
            state_version: 0,
            timestamp: now_ms,
        }
    }

    /// Moves to the next version: counter + 1 (wrapping, as Java's AtomicLong does), stamped
    /// `now_ms`; the state version is kept.
    pub fn next_version(&mut self, now_ms: i64) {
        self.counter = self.counter.wrapping_add(1);
        self.timestamp = now_ms;
    }
}
