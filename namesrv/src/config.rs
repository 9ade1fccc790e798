//! NamesrvConfig: RocketMQ's name-server keys, read from a Java-style properties file.

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::NamesrvError;

/// RocketMQ's name-server port.
pub const LISTEN_PORT_DEFAULT: u16 = 9876;
/// How often silent brokers are looked for: 5000 ms.
pub const SCAN_NOT_ACTIVE_BROKER_INTERVAL_MS_DEFAULT: u64 = 5_000;
/// Silence after which a broker is dropped, unless its registration names a timeout: 120 s.
pub const BROKER_HEARTBEAT_TIMEOUT_MS_DEFAULT: u64 = 120_000;

/// Keys RocketMQ defines that this name server accepts but does not act on.
const ACCEPTED_WITHOUT_EFFECT: &[&str] = &[
    "clientRequestThreadPoolNums",
    "defaultThreadPoolNums",
    "enableAllTopicList",
    "needWaitForService",
    "waitSecondsForService",
    "clusterTest",
    "productEnvName",
];

/// Name-server settings; property keys in parentheses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamesrvConfig {
    /// Address to bind (`listenAddress`, our extension); default 0.0.0.0.
    pub listen_address: IpAddr,
    /// Port to bind (`listenPort`); 0 picks a free one (tests, embedded use). Default 9876.
    pub listen_port: u16,
    /// RocketMQ home (`rocketmqHome`); from `ROCKETMQ_HOME`, informational only.
    pub rocketmq_home: String,
    /// KV config file (`kvConfigPath`); default `~/namesrv/kvConfig.json`.
    pub kv_config_path: PathBuf,
    /// Where RocketMQ saves its own config (`configStorePath`); accepted, not written.
    pub config_store_path: PathBuf,
    /// Period of the silent-broker scan in ms (`scanNotActiveBrokerInterval`); default 5000.
    pub scan_not_active_broker_interval_ms: u64,
    /// Default broker heartbeat timeout in ms (`brokerHeartbeatTimeoutMillis`, our extension);
    /// default 120000. A registration's `heartbeatTimeoutMillis` overrides it per broker.
    pub broker_heartbeat_timeout_ms: u64,
    /// Fill `orderTopicConf` of routes from the ORDER_TOPIC_CONFIG namespace
    /// (`orderMessageEnable`); default false.
    pub order_message_enable: bool,
}

impl Default for NamesrvConfig {
    fn default() -> Self {
        let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
        Self {
            listen_address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            listen_port: LISTEN_PORT_DEFAULT,
            rocketmq_home: std::env::var("ROCKETMQ_HOME").unwrap_or_default(),
            kv_config_path: home.join("namesrv").join("kvConfig.json"),
            config_store_path: home.join("namesrv").join("namesrv.properties"),
            scan_not_active_broker_interval_ms: SCAN_NOT_ACTIVE_BROKER_INTERVAL_MS_DEFAULT,
            broker_heartbeat_timeout_ms: BROKER_HEARTBEAT_TIMEOUT_MS_DEFAULT,
            order_message_enable: false,
        }
    }
}

impl NamesrvConfig {
    /// The socket address to bind.
    pub fn listen_socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.listen_address, self.listen_port)
    }

    /// Scan period as a Duration (at least 1 ms, so the timer never spins).
    pub fn scan_interval(&self) -> Duration {
        Duration::from_millis(self.scan_not_active_broker_interval_ms.max(1))
    }

    /// Default heartbeat timeout as a Duration.
    pub fn broker_heartbeat_timeout(&self) -> Duration {
        Duration::from_millis(self.broker_heartbeat_timeout_ms)
    }

    /// Applies a properties file (`key=value` or `key:value`, `#`/`!` comments); unknown keys
    /// are logged and skipped, bad values are errors naming the line.
    pub fn load_properties_file(&mut self, path: &Path) -> Result<(), NamesrvError> {
        let text = std::fs::read_to_string(path).map_err(|source| NamesrvError::ConfigIo {
            path: path.to_owned(),
            source,
        })?;
        self.apply_properties(&text, &path.display().to_string())
    }

    /// Applies properties text; `origin` names it in errors and logs.
    pub fn apply_properties(&mut self, text: &str, origin: &str) -> Result<(), NamesrvError> {
        for entry in ferromq_remoting::properties::entries(text) {
            self.set(entry.key, entry.value)
                .map_err(|reason| NamesrvError::ConfigValue {
                    origin: origin.to_owned(),
                    line: entry.line,
                    key: entry.key.to_owned(),
                    value: entry.value.to_owned(),
                    reason,
                })?;
        }
        Ok(())
    }

    /// Sets one key; `Err` holds what the key expects.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), &'static str> {
        match key {
            "listenAddress" => self.listen_address = value.parse().map_err(|_| "an IP address")?,
            "listenPort" => self.listen_port = value.parse().map_err(|_| "a port 0-65535")?,
            "rocketmqHome" => value.clone_into(&mut self.rocketmq_home),
            "kvConfigPath" => self.kv_config_path = expand_home(value),
            "configStorePath" => self.config_store_path = expand_home(value),
            "scanNotActiveBrokerInterval" => {
                self.scan_not_active_broker_interval_ms =
                    value.parse().map_err(|_| "milliseconds as an integer")?;
            }
            "brokerHeartbeatTimeoutMillis" => {
                self.broker_heartbeat_timeout_ms =
                    value.parse().map_err(|_| "milliseconds as an integer")?;
            }
            "orderMessageEnable" => self.order_message_enable = parse_bool(value)?,
            known if ACCEPTED_WITHOUT_EFFECT.contains(&known) => {
                tracing::info!(key, value, "config key accepted; it has no effect here");
            }
            unknown => tracing::warn!(key = unknown, value, "unknown config key ignored"),
        }
        Ok(())
    }

    /// The effective settings as `key=value` lines (what `mqnamesrv -p` prints).
    pub fn to_properties(&self) -> String {
        let mut out = String::new();
        let pairs: [(&str, String); 8] = [
            (
                "brokerHeartbeatTimeoutMillis",
                self.broker_heartbeat_timeout_ms.to_string(),
            ),
            (
                "configStorePath",
                self.config_store_path.display().to_string(),
            ),
            ("kvConfigPath", self.kv_config_path.display().to_string()),
            ("listenAddress", self.listen_address.to_string()),
            ("listenPort", self.listen_port.to_string()),
            ("orderMessageEnable", self.order_message_enable.to_string()),
            ("rocketmqHome", self.rocketmq_home.clone()),
            (
                "scanNotActiveBrokerInterval",
                self.scan_not_active_broker_interval_ms.to_string(),
            ),
        ];
        for (key, value) in pairs {
            let _infallible = writeln!(out, "{key}={value}");
        }
        out
    }
}

fn parse_bool(value: &str) -> Result<bool, &'static str> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("true or false"),
    }
}

/// `~/x` → `$HOME/x`, as RocketMQ's defaults are written.
fn expand_home(value: &str) -> PathBuf {
    match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_set_known_keys_and_skip_unknown_ones() -> Result<(), NamesrvError> {
        let mut config = NamesrvConfig::default();
        let text = "# comment\n! also a comment\n\nlistenPort = 9877\nlistenAddress=127.0.0.1\n\
            kvConfigPath:/tmp/kv.json\nscanNotActiveBrokerInterval=50\n\
            brokerHeartbeatTimeoutMillis=200\norderMessageEnable=TRUE\nnoSuchKey=1\n\
            defaultThreadPoolNums=4\n";
        config.apply_properties(text, "test")?;
        assert_eq!(
            config.listen_socket_addr(),
            SocketAddr::from(([127, 0, 0, 1], 9877))
        );
        assert_eq!(config.kv_config_path, PathBuf::from("/tmp/kv.json"));
        assert_eq!(config.scan_interval(), Duration::from_millis(50));
        assert_eq!(
            config.broker_heartbeat_timeout(),
            Duration::from_millis(200)
        );
        assert!(config.order_message_enable);
        let printed = config.to_properties();
        assert!(printed.contains("listenPort=9877\n"));
        let mut reread = NamesrvConfig::default();
        reread.apply_properties(&printed, "printed")?;
        assert_eq!(reread, config);
        Ok(())
    }

    #[test]
    fn bad_values_name_their_line() {
        let mut config = NamesrvConfig::default();
        let error = config.apply_properties("a=b\nlistenPort=70000\n", "f.properties");
        let Err(NamesrvError::ConfigValue { line, key, .. }) = error else {
            panic!("expected a ConfigValue error, got {error:?}");
        };
        assert_eq!((line, key.as_str()), (2, "listenPort"));
        assert!(
            config
                .apply_properties("orderMessageEnable=yes", "f")
                .is_err()
        );
        assert!(config.apply_properties("listenAddress=host", "f").is_err());
    }
}
