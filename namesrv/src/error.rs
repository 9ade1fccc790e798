//! The name server's error type.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use ferromq_remoting::body::BodyError;

/// Why the name server could not start or persist; request errors become response codes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NamesrvError {
    /// kvConfig.json could not be read or written.
    #[error("kv config file {}", path.display())]
    KvConfigIo {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// kvConfig.json is not valid JSON of the expected shape.
    #[error("kv config file {} is invalid", path.display())]
    KvConfigParse {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: BodyError,
    },
    /// kvConfig.json is larger than `KV_CONFIG_FILE_MAX`.
    #[error("kv config file {} is {len} bytes, over the {max}-byte limit", path.display())]
    KvConfigTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        len: u64,
        /// The limit in bytes.
        max: u64,
    },
    /// A body could not be encoded.
    #[error("body encoding failed")]
    Body(#[from] BodyError),
    /// The properties file could not be read.
    #[error("config file {}", path.display())]
    ConfigIo {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A properties line has a value the key does not accept.
    #[error("config {origin} line {line}: {key}={value:?}: {reason}")]
    ConfigValue {
        /// File name or "command line".
        origin: String,
        /// 1-based line number (0 for the command line).
        line: usize,
        /// The key.
        key: String,
        /// The rejected value.
        value: String,
        /// What the key expects.
        reason: &'static str,
    },
    /// A background task (KV persistence, server loop, liveness timer) panicked or was
    /// cancelled.
    #[error("name server task failed")]
    Task(#[source] tokio::task::JoinError),
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: ferromq_remoting::RemotingError,
    },
    /// The remoting server failed.
    #[error("remoting server error")]
    Remoting(#[from] ferromq_remoting::RemotingError),
}
