//! Delayed (scheduled) delivery, as RocketMQ's ScheduleMessageService: a message with a
//! DELAY level `n > 0` is stored in queue `n - 1` of `SCHEDULE_TOPIC_XXXX` with its topic
//! and queue in REAL_TOPIC / REAL_QID; a task re-puts it into its real topic once
//! `store_timestamp + delay(n)` has passed. Progress per level lives in
//! `config/delayOffset.json`.
//!
//! # Layout
//! - `delay_level`: [`DelayLevels`], the `messageDelayLevel` parser.
//! - `message`: moving a message into the schedule topic and back out.
//! - `offset_table`: [`DelayOffsetTable`], delayOffset.json.
//! - `service`: the delivery task.

pub mod delay_level;
pub mod message;
pub mod offset_table;
pub mod service;

use std::path::Path;

pub use delay_level::{DelayLevels, MESSAGE_DELAY_LEVEL_DEFAULT};
pub use offset_table::DelayOffsetTable;

use crate::error::BrokerError;

/// Queues of the schedule topic (RocketMQ creates 18, one per default level).
pub const SCHEDULE_QUEUE_NUMS: i32 = 18;

/// Delay levels and their delivery progress.
#[derive(Debug)]
pub struct ScheduleMessageService {
    levels: DelayLevels,
    offsets: DelayOffsetTable,
}

impl ScheduleMessageService {
    /// Loads `<config_dir>/delayOffset.json` for `levels`.
    pub fn load(config_dir: &Path, levels: DelayLevels) -> Result<Self, BrokerError> {
        let offsets = DelayOffsetTable::load(config_dir)?;
        Ok(Self { levels, offsets })
    }

    /// The configured levels.
    pub fn levels(&self) -> &DelayLevels {
        &self.levels
    }

    /// Per-level progress.
    pub fn offsets(&self) -> &DelayOffsetTable {
        &self.offsets
    }

    /// Queues the schedule topic needs: 18, or one per level when more are configured.
    pub fn queue_nums(levels: &DelayLevels) -> i32 {
        i32::try_from(levels.max_level())
            .map_or(SCHEDULE_QUEUE_NUMS, |n| n.max(SCHEDULE_QUEUE_NUMS))
    }
}
