//! Value parsers of broker.conf keys; each `Err` says what the key accepts.

use std::path::PathBuf;

use ferromq_store::FlushDiskType;
use ferromq_store::config::BackendChoice;

use super::BrokerRole;

/// Parses the `;`-separated name server list (`-n`, env, `namesrvAddr`).
pub fn parse_namesrv_list(value: &str) -> Result<Vec<String>, &'static str> {
    let list: Vec<String> = value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if list.iter().any(|a| !a.contains(':')) {
        return Err("a ;-separated list of host:port");
    }
    Ok(list)
}

pub(super) fn parse_bool(value: &str) -> Result<bool, &'static str> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("true or false"),
    }
}

pub(super) fn parse_num<T: std::str::FromStr>(value: &str) -> Result<T, &'static str> {
    value.parse().map_err(|_| "a non-negative integer")
}

/// The canonical `ioBackend` spelling of a backend choice.
pub(super) fn backend_name(choice: &BackendChoice) -> &'static str {
    match choice {
        BackendChoice::IoUring => "io_uring",
        _ => "mmap",
    }
}

pub(super) fn parse_positive(value: &str) -> Result<u32, &'static str> {
    match value.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err("a positive integer"),
    }
}

pub(super) fn parse_percent(value: &str) -> Result<u32, &'static str> {
    match value.parse::<u32>() {
        Ok(p) if p <= 100 => Ok(p),
        _ => Err("a percentage 0-100"),
    }
}

pub(super) fn parse_queue_nums(value: &str) -> Result<i32, &'static str> {
    match value.parse::<i32>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err("a queue count 1-1024"),
    }
}

pub(super) fn parse_perm(value: &str) -> Result<i32, &'static str> {
    match value.parse::<i32>() {
        Ok(p) if (0..=15).contains(&p) => Ok(p),
        _ => Err("permission bits 0-15"),
    }
}

pub(super) fn parse_name(value: &str) -> Result<String, &'static str> {
    if value.is_empty() {
        return Err("a non-empty name");
    }
    Ok(value.to_owned())
}

pub(super) fn parse_role(value: &str) -> Result<BrokerRole, &'static str> {
    match value {
        "ASYNC_MASTER" => Ok(BrokerRole::AsyncMaster),
        "SYNC_MASTER" => Ok(BrokerRole::SyncMaster),
        "SLAVE" => Ok(BrokerRole::Slave),
        _ => Err("ASYNC_MASTER, SYNC_MASTER or SLAVE"),
    }
}

pub(super) fn parse_flush(value: &str) -> Result<FlushDiskType, &'static str> {
    match value {
        "ASYNC_FLUSH" => Ok(FlushDiskType::AsyncFlush),
        "SYNC_FLUSH" => Ok(FlushDiskType::SyncFlush),
        _ => Err("ASYNC_FLUSH or SYNC_FLUSH"),
    }
}

pub(super) fn flush_name(flush: FlushDiskType) -> &'static str {
    match flush {
        FlushDiskType::SyncFlush => "SYNC_FLUSH",
        _ => "ASYNC_FLUSH",
    }
}

/// `~/x` → `$HOME/x`, as RocketMQ's defaults are written.
pub(super) fn expand_home(value: &str) -> PathBuf {
    let home = std::env::var_os("HOME");
    match (value, value.strip_prefix("~/"), home) {
        ("~", _, Some(home)) => PathBuf::from(home),
        (_, Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(value),
    }
}
