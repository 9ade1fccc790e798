//! `mqnamesrv`: the name server binary.
//!
//! ```text
//! mqnamesrv [-c <file>] [-p] [--listen <ip>[:<port>]]
//! ```
//! `-c` reads RocketMQ name-server properties, `-p` prints the effective config and exits,
//! `--listen` overrides `listenAddress` (and `listenPort` when a port is given). Logs go to
//! stderr, filtered by `RUST_LOG` (default `info`). SIGTERM or SIGINT stops it gracefully.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use ferromq_namesrv::{NamesrvConfig, NamesrvController, NamesrvError};
use tracing_subscriber::EnvFilter;

/// Command line, with RocketMQ's `mqnamesrv` flags plus `--listen`.
#[derive(Debug, Parser)]
#[command(
    name = "mqnamesrv",
    version,
    about = "ferromq name server (RocketMQ protocol)"
)]
struct Args {
    /// Name-server config file (Java properties: listenPort, kvConfigPath, ...).
    #[arg(short = 'c', long = "configFile", value_name = "FILE")]
    config_file: Option<PathBuf>,
    /// Print the effective config and exit.
    #[arg(short = 'p', long = "printConfigItem")]
    print_config: bool,
    /// Address to listen on: an IP, or IP:port.
    #[arg(long = "listen", value_name = "ADDR")]
    listen: Option<String>,
}

fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = match effective_config(&args) {
        Ok(config) => config,
        Err(error) => return fail(&error),
    };
    if args.print_config {
        let mut stdout = std::io::stdout().lock();
        return match stdout.write_all(config.to_properties().as_bytes()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the tokio runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn effective_config(args: &Args) -> Result<NamesrvConfig, NamesrvError> {
    let mut config = NamesrvConfig::default();
    if let Some(path) = &args.config_file {
        config.load_properties_file(path)?;
    }
    if let Some(listen) = &args.listen {
        if let Ok(addr) = listen.parse::<SocketAddr>() {
            config.listen_address = addr.ip();
            config.listen_port = addr.port();
        } else {
            config.listen_address =
                listen
                    .parse::<IpAddr>()
                    .map_err(|_| NamesrvError::ConfigValue {
                        origin: "command line".to_owned(),
                        line: 0,
                        key: "--listen".to_owned(),
                        value: listen.clone(),
                        reason: "an IP address or IP:port",
                    })?;
        }
    }
    Ok(config)
}

async fn serve(config: NamesrvConfig) -> Result<(), NamesrvError> {
    let mut handle = NamesrvController::start(config).await?;
    let mut stdout = std::io::stdout().lock();
    // The line RocketMQ's start scripts and operators look for.
    let _best_effort = writeln!(
        stdout,
        "The Name Server boot success. serializeType=JSON, address {}",
        handle.local_addr()
    );
    drop(stdout);
    tokio::select! {
        () = termination() => tracing::info!("signal received; shutting down"),
        () = handle.stopped() => tracing::error!("server loop ended on its own"),
    }
    handle.shutdown().await
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn termination() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot watch SIGTERM; only SIGINT stops the server");
                let _ignored = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ignored = ctrl_c.await;
    }
}

fn fail(error: &NamesrvError) -> ExitCode {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %text, "mqnamesrv failed");
    ExitCode::FAILURE
}
