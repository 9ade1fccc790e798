//! GET_BROKER_RUNTIME_INFO (28): RocketMQ's KVTable of string figures, with the keys
//! `mqadmin brokerStatus` and `clusterList` read.
//!
//! ferromq keeps no per-request counters, so the message totals are derived from state:
//! `msgPutTotal*` = the sum of every queue's max offset (messages ever put into queues that
//! still exist), `msgGetTotal*` = the sum of every committed consumer offset. "Morning"
//! values are the totals when the broker started, so `clusterList`'s "today" columns count
//! since start. TPS strings ("10s 60s 600s" averages) come from samples taken every 10 s.
//! Thread-pool queue figures are 0: requests never wait in a pool queue here.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use ferromq_remoting::body::KvTable;
use ferromq_remoting::{RemotingCommand, version};
use ferromq_store::config::{DiskUsageProbe, StatvfsProbe};

use super::reply::json;
use crate::context::BrokerContext;

/// Period between TPS samples, ms.
pub(super) const SAMPLE_INTERVAL_MS: u64 = 10_000;
/// Samples kept: 10 minutes' worth plus the one the window starts at.
const SAMPLES_MAX: usize = 61;
/// The TPS windows RocketMQ reports, seconds.
const TPS_WINDOWS_S: [i64; 3] = [10, 60, 600];

#[derive(Debug, Clone, Copy)]
struct Sample {
    at_ms: i64,
    put_total: u64,
    get_total: u64,
}

/// Totals at boot and the recent samples.
#[derive(Debug)]
pub(crate) struct RuntimeStats {
    boot: Sample,
    boot_phys_offset: u64,
    samples: Mutex<VecDeque<Sample>>,
}

fn now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    now.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn take_sample(ctx: &BrokerContext) -> Sample {
    let mut put_total = 0u64;
    for topic in ctx.topics.topic_names() {
        let queues = ctx
            .topics
            .find(&topic)
            .map_or(0, |c| c.read_queue_nums.max(c.write_queue_nums));
        for q in 0..u32::try_from(queues).unwrap_or(0) {
            put_total = put_total.saturating_add(ctx.store.max_offset(&topic, q));
        }
    }
    let get_total = ctx
        .offsets
        .snapshot()
        .offset_table
        .values()
        .flat_map(|queues| queues.values())
        .map(|o| u64::try_from(*o).unwrap_or(0))
        .fold(0u64, u64::saturating_add);
    Sample {
        at_ms: now_ms(),
        put_total,
        get_total,
    }
}

impl RuntimeStats {
    /// Takes the boot sample now.
    pub(crate) fn new(ctx: &BrokerContext) -> Self {
        let boot = take_sample(ctx);
        Self {
            boot,
            boot_phys_offset: ctx.store.max_phys_offset(),
            samples: Mutex::new(VecDeque::from([boot])),
        }
    }

    fn record(&self, sample: Sample) {
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        samples.push_back(sample);
        while samples.len() > SAMPLES_MAX {
            samples.pop_front();
        }
    }

    /// Samples every [`SAMPLE_INTERVAL_MS`] on the current runtime until the context or
    /// these stats are dropped.
    pub(crate) fn start_sampling(self: &Arc<Self>, ctx: &Arc<BrokerContext>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (stats, ctx): (Weak<Self>, Weak<BrokerContext>) =
            (Arc::downgrade(self), Arc::downgrade(ctx));
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(SAMPLE_INTERVAL_MS));
            tick.tick().await;
            loop {
                tick.tick().await;
                let (Some(stats), Some(ctx)) = (stats.upgrade(), ctx.upgrade()) else {
                    return;
                };
                let sample = tokio::task::spawn_blocking(move || take_sample(&ctx)).await;
                match sample {
                    Ok(s) => stats.record(s),
                    Err(_) => return,
                }
            }
        });
    }

    /// "a b c": put or get TPS over the last 10 s, 60 s and 600 s, from the samples and `now`.
    fn tps(&self, now: Sample, pick: fn(&Sample) -> u64) -> String {
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let figures: Vec<String> = TPS_WINDOWS_S
            .iter()
            .map(|window_s| {
                let since = now.at_ms - window_s * 1000;
                let start = samples.iter().find(|s| s.at_ms >= since).or(samples.back());
                let tps = match start {
                    Some(s) if now.at_ms > s.at_ms => {
                        let delta = pick(&now).saturating_sub(pick(s)) as f64;
                        delta * 1000.0 / (now.at_ms - s.at_ms) as f64
                    }
                    _ => 0.0,
                };
                format!("{tps:.2}")
            })
            .collect();
        figures.join(" ")
    }
}

/// Java's `MixAll.humanReadableByteCount(bytes, false)`: "512 B", "1.5 KiB", ...
fn human_bytes(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let exp = (bytes as f64).log(1024.0).floor() as i32;
    let unit = ["K", "M", "G", "T", "P", "E"]
        .get(usize::try_from(exp - 1).unwrap_or(0))
        .copied()
        .unwrap_or("E");
    format!("{:.1} {unit}iB", bytes as f64 / 1024f64.powi(exp))
}

fn runtime_text(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    format!(
        "[ {} days, {} hours, {} minutes, {} seconds ]",
        s / 86_400,
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60
    )
}

type Table = BTreeMap<String, String>;

fn put(t: &mut Table, key: &str, value: impl ToString) {
    t.insert(key.to_owned(), value.to_string());
}

/// Version, uptime, message totals and TPS.
fn message_figures(t: &mut Table, ctx: &BrokerContext, stats: &RuntimeStats, now: Sample) {
    put(t, "brokerVersionDesc", "V5_3_3");
    put(t, "brokerVersion", version::CURRENT);
    put(t, "brokerActive", ctx.config.broker_role.is_master());
    put(t, "bootTimestamp", stats.boot.at_ms);
    put(t, "runtime", runtime_text(now.at_ms - stats.boot.at_ms));
    for key in ["msgPutTotalYesterdayMorning", "msgPutTotalTodayMorning"] {
        put(t, key, stats.boot.put_total);
    }
    put(t, "msgPutTotalTodayNow", now.put_total);
    for key in ["msgGetTotalYesterdayMorning", "msgGetTotalTodayMorning"] {
        put(t, key, stats.boot.get_total);
    }
    put(t, "msgGetTotalTodayNow", now.get_total);
    put(t, "putTps", stats.tps(now, |s| s.put_total));
    let get_tps = stats.tps(now, |s| s.get_total);
    for key in [
        "getFoundTps",
        "getTotalTps",
        "getTransferredTps",
        "getTransferedTps",
    ] {
        put(t, key, &get_tps);
    }
    put(t, "getMissTps", "0.00 0.00 0.00");
    put(
        t,
        "putMessageTimesTotal",
        now.put_total.saturating_sub(stats.boot.put_total),
    );
}

/// Commit log offsets, dispatch and flush backlog, disk usage, and the pool figures.
fn store_figures(t: &mut Table, ctx: &BrokerContext, stats: &RuntimeStats) {
    let store = &ctx.store;
    let (min_phys, max_phys) = (store.min_phys_offset(), store.max_phys_offset());
    put(
        t,
        "putMessageSizeTotal",
        max_phys.saturating_sub(stats.boot_phys_offset),
    );
    put(t, "commitLogMinOffset", min_phys);
    put(t, "commitLogMaxOffset", max_phys);
    put(
        t,
        "dispatchBehindBytes",
        max_phys.saturating_sub(store.dispatched_offset()),
    );
    let unflushed = max_phys.saturating_sub(store.flushed_phys_offset());
    put(t, "remainHowManyDataToFlush", human_bytes(unflushed));
    let earliest = store
        .message_by_phys_offset(min_phys)
        .and_then(|r| ferromq_store::commitlog::record::store_timestamp_of(&r))
        .unwrap_or(-1);
    put(t, "earliestMessageTimeStamp", earliest);
    let ratio = StatvfsProbe
        .used_ratio(&ctx.config.store_path_root_dir)
        .unwrap_or(-1.0);
    put(t, "commitLogDiskRatio", ratio);
    put(t, "consumeQueueDiskRatio", ratio);
    put(t, "pageCacheLockTimeMills", 0);
    put(t, "startAcceptSendRequestTimeStamp", 0);
    for key in ["timerReadBehind", "timerOffsetBehind", "timerCongestNum"] {
        put(t, key, 0);
    }
    put(t, "timerEnqueueTps", "0.0");
    put(t, "timerDequeueTps", "0.0");
    for pool in ["send", "pull", "litePull", "query", "ack"] {
        put(t, &format!("{pool}ThreadPoolQueueSize"), 0);
        put(t, &format!("{pool}ThreadPoolQueueHeadWaitTimeMills"), 0);
    }
}

/// GET_BROKER_RUNTIME_INFO.
pub(super) fn info(
    ctx: &BrokerContext,
    stats: &RuntimeStats,
    request: &RemotingCommand,
) -> RemotingCommand {
    let mut table = Table::new();
    message_figures(&mut table, ctx, stats, take_sample(ctx));
    store_figures(&mut table, ctx, stats);
    json(request, &KvTable { table })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_matches_java() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn runtime_text_is_javas_format() {
        assert_eq!(
            runtime_text(90_061_000),
            "[ 1 days, 1 hours, 1 minutes, 1 seconds ]"
        );
    }

    #[test]
    fn tps_uses_the_oldest_sample_in_each_window() {
        let s = |at_ms, put_total| Sample {
            at_ms,
            put_total,
            get_total: 0,
        };
        let stats = RuntimeStats {
            boot: s(0, 0),
            boot_phys_offset: 0,
            samples: Mutex::new(VecDeque::from([
                s(0, 0),
                s(590_000, 5_900),
                s(600_000, 6_000),
            ])),
        };
        // The 10 s and 60 s windows start at the 590 s sample, the 600 s window at 0.
        assert_eq!(
            stats.tps(s(600_000, 6_000), |x| x.put_total),
            "10.00 10.00 10.00"
        );
        assert_eq!(
            stats.tps(s(600_000, 6_100), |x| x.put_total),
            "20.00 20.00 10.17"
        );
    }
}
