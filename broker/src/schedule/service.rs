//! The delivery task: per level, reads the schedule queue from its persisted offset and
//! re-puts each record whose `store_timestamp + delay` has passed into its real topic, in
//! queue order. The offset never passes an undelivered record: a failed put is retried
//! after [`DELIVER_RETRY_MS`].

use std::sync::Arc;
use std::time::Duration;

use ferromq_store::GetMessageStatus;
use ferromq_store::commitlog::record::{self, Verify};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::message::out_of_schedule;
use crate::context::BrokerContext;
use crate::topic::SCHEDULE_TOPIC;

/// Longest sleep between two scans, ms (bounds how late a message is delivered).
pub const POLL_INTERVAL_MAX_MS: u64 = 100;
/// Wait before retrying a failed delivery put, ms.
pub const DELIVER_RETRY_MS: u64 = 1000;
/// Records read from a schedule queue per store call.
const READ_BATCH_MAX: usize = 32;
/// Bytes read from a schedule queue per store call (at least one record is returned).
const READ_BATCH_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Records one level delivers per scan before the next level gets its turn.
const DELIVER_PER_PASS_MAX: usize = 1024;

/// Starts the delivery task; it ends when `stop` turns true.
pub fn spawn(ctx: Arc<BrokerContext>, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let mut wait = Duration::from_millis(POLL_INTERVAL_MAX_MS);
            for level in ctx.schedule.levels().levels() {
                if *stop.borrow() {
                    return;
                }
                wait = wait.min(deliver_level(&ctx, level).await);
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    })
}

/// What one step of a level's scan decided.
enum Step {
    /// Delivered (or skipped) up to the offset; keep reading.
    Continue(u64),
    /// Stop this pass at the offset and look again after the duration.
    Pause(u64, Duration),
}

/// Delivers the due records of `level`; returns how long until it should be looked at.
async fn deliver_level(ctx: &Arc<BrokerContext>, level: u32) -> Duration {
    let idle = Duration::from_millis(POLL_INTERVAL_MAX_MS);
    let Some(delay) = ctx.schedule.levels().delay(level) else {
        return idle;
    };
    let table = ctx.schedule.offsets();
    let mut offset = table.offset(level);
    let mut delivered = 0usize;
    let wait = loop {
        if delivered >= DELIVER_PER_PASS_MAX {
            break Duration::ZERO;
        }
        match deliver_batch(ctx, level, offset, delay).await {
            (Step::Continue(next), n) => {
                offset = next;
                delivered += n.max(1);
            }
            (Step::Pause(next, wait), _) => {
                offset = next;
                break wait;
            }
        }
    };
    table.set(level, offset);
    wait
}

/// Reads one batch of `level`'s queue from `offset` and delivers what is due; also
/// returns how many records it consumed.
async fn deliver_batch(
    ctx: &Arc<BrokerContext>,
    level: u32,
    offset: u64,
    delay: Duration,
) -> (Step, usize) {
    let idle = Duration::from_millis(POLL_INTERVAL_MAX_MS);
    let got = ctx.store.get_messages(
        SCHEDULE_TOPIC,
        level - 1,
        offset,
        READ_BATCH_MAX,
        READ_BATCH_BYTES_MAX,
        &|_| true,
    );
    let got = match got {
        Ok(got) => got,
        Err(e) => {
            tracing::warn!(level, offset, error = %e, "schedule queue read failed");
            return (Step::Pause(offset, idle), 0);
        }
    };
    let corrected = match got.status {
        GetMessageStatus::Found => None,
        GetMessageStatus::OffsetTooSmall => Some(got.min_offset),
        GetMessageStatus::OffsetOverflowBadly => Some(got.max_offset),
        GetMessageStatus::MessageWasRemoving => Some(got.next_begin_offset),
        _ => return (Step::Pause(offset, idle), 0),
    };
    if let Some(next) = corrected {
        tracing::warn!(level, offset, next, status = ?got.status, "schedule offset corrected");
        return (Step::Continue(next), 0);
    }
    let count = got.messages.len();
    let mut at = offset;
    for bytes in &got.messages {
        match deliver_one(ctx, level, at, bytes, delay).await {
            Step::Continue(next) => at = next,
            pause @ Step::Pause(..) => return (pause, count),
        }
    }
    let step = if count < READ_BATCH_MAX {
        Step::Pause(at, idle)
    } else {
        Step::Continue(at)
    };
    (step, count)
}

/// Delivers one record read at (or after) `at` if due.
async fn deliver_one(
    ctx: &Arc<BrokerContext>,
    level: u32,
    at: u64,
    bytes: &[u8],
    delay: Duration,
) -> Step {
    let rec = match record::decode(bytes, Verify::Structure) {
        Ok(rec) => rec,
        Err(e) => {
            tracing::error!(level, offset = at, error = %e, "undecodable schedule record skipped");
            return Step::Continue(at + 1);
        }
    };
    let next = rec.queue_offset.max(at) + 1;
    let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
    let due_ms = rec.store_timestamp.saturating_add(delay_ms);
    let now = now_ms();
    if due_ms > now {
        let wait = u64::try_from(due_ms - now).unwrap_or(0);
        return Step::Pause(at, Duration::from_millis(wait));
    }
    let Some(msg) = out_of_schedule(&rec, ctx.store_host) else {
        tracing::error!(
            level,
            offset = rec.queue_offset,
            "schedule record without REAL_TOPIC/REAL_QID skipped"
        );
        return Step::Continue(next);
    };
    let topic = msg.topic.clone();
    let result = ctx.store.put(msg).await;
    if result.status.is_stored() {
        tracing::debug!(level, offset = rec.queue_offset, %topic, "scheduled message delivered");
        Step::Continue(next)
    } else {
        tracing::warn!(level, offset = rec.queue_offset, %topic, status = ?result.status, "scheduled delivery failed; retrying");
        Step::Pause(at, Duration::from_millis(DELIVER_RETRY_MS))
    }
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
