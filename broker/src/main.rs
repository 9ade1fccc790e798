//! `mqbroker`: the broker binary.
//!
//! ```text
//! mqbroker [-n <ns1:port;ns2:port>] [-c <broker.conf>] [-p] [--dev [--namesrv-port <port>]]
//! ```
//! `-n` names the name servers (else `namesrvAddr` in the file, else env `NAMESRV_ADDR`),
//! `-c` reads RocketMQ broker.conf keys, `-p` prints the effective config and exits, `--dev`
//! also starts a name server in the process (127.0.0.1:9876) and keeps the store in
//! ./store-dev. Logs go to stderr, filtered by `RUST_LOG` (default `info`). SIGTERM or
//! SIGINT stops the broker gracefully (exit 0).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ferromq_broker::startup::{self, StartupOptions};
use tracing_subscriber::EnvFilter;

/// Command line, with RocketMQ's `mqbroker` flags plus `--dev`.
#[derive(Debug, Parser)]
#[command(
    name = "mqbroker",
    version,
    about = "ferromq broker (RocketMQ protocol)"
)]
struct Args {
    /// Name server list, `;`-separated (`host:port;host:port`).
    #[arg(short = 'n', long = "namesrvAddr", value_name = "ADDRS")]
    namesrv_addr: Option<String>,
    /// Broker config file (RocketMQ broker.conf keys).
    #[arg(short = 'c', long = "configFile", value_name = "FILE")]
    config_file: Option<PathBuf>,
    /// Print the effective config and exit.
    #[arg(short = 'p', long = "printConfigItem")]
    print_config: bool,
    /// Development mode: embedded name server, store in ./store-dev.
    #[arg(long = "dev")]
    dev: bool,
    /// Port of the embedded name server (dev mode).
    #[arg(long = "namesrv-port", value_name = "PORT")]
    namesrv_port: Option<u16>,
}

fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let opts = StartupOptions {
        namesrv_addr: args.namesrv_addr,
        config_file: args.config_file,
        dev: args.dev,
        namesrv_port: args.namesrv_port,
    };
    let env = std::env::var("NAMESRV_ADDR").ok();
    let config = match startup::effective_config(&opts, env.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "invalid configuration");
            return ExitCode::FAILURE;
        }
    };
    if args.print_config {
        let mut out = std::io::stdout().lock();
        return match out.write_all(config.to_properties().as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the tokio runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(startup::run(&opts, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "mqbroker failed");
            ExitCode::FAILURE
        }
    }
}
