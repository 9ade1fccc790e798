//! What `mqbroker` does, as a library: the effective config from file, flags and
//! environment; dev mode (an embedded name server); serving until SIGTERM/SIGINT.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use ferromq_namesrv::{NamesrvConfig, NamesrvController};

use crate::config::{BrokerConfig, parse_namesrv_list};
use crate::controller::BrokerController;
use crate::error::BrokerError;

/// Name server port of dev mode unless told otherwise.
pub const DEV_NAMESRV_PORT_DEFAULT: u16 = 9876;
/// Store root of dev mode unless `storePathRootDir` is configured.
pub const DEV_STORE_DIR: &str = "store-dev";

/// The command line, parsed.
#[derive(Debug, Clone, Default)]
pub struct StartupOptions {
    /// `-n`: `;`-separated name servers.
    pub namesrv_addr: Option<String>,
    /// `-c`: a broker.conf properties file.
    pub config_file: Option<PathBuf>,
    /// `--dev`: start an embedded name server; store in ./store-dev.
    pub dev: bool,
    /// `--namesrv-port`: the embedded name server's port (dev mode).
    pub namesrv_port: Option<u16>,
}

impl StartupOptions {
    /// The port the embedded name server listens on in dev mode: `--namesrv-port`, else
    /// the port of the first `-n` address, else 9876.
    pub fn dev_namesrv_port(&self) -> u16 {
        if let Some(port) = self.namesrv_port {
            return port;
        }
        let first = self
            .namesrv_addr
            .as_deref()
            .and_then(|list| parse_namesrv_list(list).ok())
            .and_then(|list| list.into_iter().next())
            .and_then(|addr| addr.rsplit_once(':').and_then(|(_, p)| p.parse().ok()));
        first.unwrap_or(DEV_NAMESRV_PORT_DEFAULT)
    }
}

/// Defaults, then `NAMESRV_ADDR` (`env_namesrv`), then the `-c` file, then `-n`, then the
/// dev-mode adjustments (store in ./store-dev unless configured; name server added).
pub fn effective_config(
    opts: &StartupOptions,
    env_namesrv: Option<&str>,
) -> Result<BrokerConfig, BrokerError> {
    let mut config = BrokerConfig::default();
    let defaults_root = config.store_path_root_dir.clone();
    if let Some(env) = env_namesrv.filter(|e| !e.trim().is_empty()) {
        config
            .set("namesrvAddr", env)
            .map_err(|expected| value_error("environment", "NAMESRV_ADDR", env, expected))?;
    }
    if let Some(path) = &opts.config_file {
        config.load_properties_file(path)?;
    }
    if let Some(list) = &opts.namesrv_addr {
        config
            .set("namesrvAddr", list)
            .map_err(|expected| value_error("command line", "-n", list, expected))?;
    }
    if opts.dev {
        if config.store_path_root_dir == defaults_root {
            config.store_path_root_dir = PathBuf::from(DEV_STORE_DIR);
        }
        // Dev mode is for one machine: serve loopback only unless an address was configured.
        if config.listen_address.is_unspecified() {
            config.listen_address = IpAddr::V4(Ipv4Addr::LOCALHOST);
        }
        let local = format!("127.0.0.1:{}", opts.dev_namesrv_port());
        if !config.namesrv_addr.contains(&local) {
            config.namesrv_addr.insert(0, local);
        }
    }
    Ok(config)
}

fn value_error(origin: &str, key: &str, value: &str, expected: &'static str) -> BrokerError {
    BrokerError::ConfigValue {
        origin: origin.into(),
        line: 0,
        key: key.into(),
        value: value.into(),
        expected,
    }
}

/// Runs a broker (and, in dev mode, a name server) until SIGTERM or SIGINT, then stops
/// both cleanly.
pub async fn run(opts: &StartupOptions, config: BrokerConfig) -> Result<(), BrokerError> {
    let namesrv = if opts.dev {
        let mut ns = NamesrvConfig {
            listen_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
            listen_port: opts.dev_namesrv_port(),
            ..NamesrvConfig::default()
        };
        ns.kv_config_path = config
            .store_path_root_dir
            .join("namesrv")
            .join("kvConfig.json");
        let handle = NamesrvController::start(ns)
            .await
            .map_err(|e| BrokerError::Io(std::io::Error::other(e)))?;
        tracing::info!(addr = %handle.local_addr(), "dev mode: embedded name server started");
        Some(handle)
    } else {
        None
    };
    let broker = BrokerController::start(config).await?;
    let addr: SocketAddr = broker.context().store_host;
    tracing::info!(%addr, "mqbroker serving; SIGTERM or SIGINT stops it");
    wait_for_signal().await?;
    tracing::info!("signal received: shutting down");
    let result = broker.shutdown().await;
    if let Some(ns) = namesrv
        && let Err(e) = ns.shutdown().await
    {
        tracing::warn!(error = %e, "embedded name server shutdown failed");
    }
    result
}

async fn wait_for_signal() -> Result<(), BrokerError> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => Ok(()),
        res = tokio::signal::ctrl_c() => Ok(res?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_env_then_file_then_flag_and_dev_defaults() -> Result<(), BrokerError> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("broker.conf");
        std::fs::write(&file, "namesrvAddr=10.0.0.2:9876\nbrokerName=bx\n")?;
        let mut opts = StartupOptions {
            config_file: Some(file),
            ..StartupOptions::default()
        };
        let c = effective_config(&opts, Some("10.0.0.1:9876"))?;
        assert_eq!(c.namesrv_addr, vec!["10.0.0.2:9876"]);
        assert_eq!(c.broker_name, "bx");
        opts.namesrv_addr = Some("10.0.0.3:1;10.0.0.4:2".into());
        let c = effective_config(&opts, None)?;
        assert_eq!(c.namesrv_addr.len(), 2);
        let dev = StartupOptions {
            dev: true,
            namesrv_port: Some(9999),
            ..StartupOptions::default()
        };
        let c = effective_config(&dev, None)?;
        assert_eq!(c.namesrv_addr, vec!["127.0.0.1:9999"]);
        assert_eq!(c.store_path_root_dir, PathBuf::from(DEV_STORE_DIR));
        assert_eq!(c.broker_ip1.to_string(), "127.0.0.1");
        assert_eq!(c.listen_address.to_string(), "127.0.0.1");
        assert!(effective_config(&opts, Some("garbage")).is_err());
        Ok(())
    }
}
