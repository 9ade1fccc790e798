//! ferromq-remoting: Apache RocketMQ's remoting protocol.
//!
//! For: the frame codec, `RemotingCommand`, request/response/language codes, typed headers,
//! JSON bodies, and the async plumbing (connection, RPC client, server) that the name server,
//! the broker and the client share. Not for: routing, storage or any broker logic; this crate
//! knows nothing of the store.
//!
//! The codec core (`frame`, `command`, `header`, `code`, `flags`) is sans-I/O: no tokio, just
//! bytes in and out. Only `net` touches sockets.
//!
//! # Layout
//! - `frame`: frame `check`/`parse`/`decode` ([`FrameCodec`]), limits.
//! - `command`: [`RemotingCommand`], [`Body`], JSON and binary headers, flag bits.
//! - `code`: `request_code`, `response_code`, [`LanguageCode`], `version`.
//! - `header`: [`CommandHeader`], [`command_header!`], typed headers of every handled code.
//! - `flags`: pull sysFlag, message sysFlag, permission bits.
//! - `body`: JSON bodies (route data, register-broker body, ...), fastjson-lenient parsing.
//! - `net`: tokio `Connection`, [`RemotingServer`], [`RemotingClient`], `Channel`, processors.
//! - `error`: [`RemotingError`].
//!
//! # Limits
//! - Frame: 16 MiB including the 4-byte length ([`FRAME_LEN_MAX_DEFAULT`], configurable).
//! - Header: 24-bit length ([`HEADER_LEN_MAX`]), at most [`EXT_FIELDS_COUNT_MAX`] = 1024
//!   extFields entries, remark at most [`REMARK_LEN_MAX`] = 256 KiB.
//! - A frame over a bound or undecodable closes its connection (logged); nothing panics and no
//!   buffer is sized from a length before that length is checked.
//! - Server: 4096 connections, 256 requests in flight per connection (reading pauses past it),
//!   1024 queued outbound frames per connection; 65,536 pending invokes per channel (all
//!   configurable, see `net`).
//!
//! # Example
//! ```
//! use bytes::BytesMut;
//! use ferromq_remoting::{FrameCodec, RemotingCommand, request_code};
//! use ferromq_remoting::header::namesrv::GetRouteInfoRequestHeader;
//!
//! let header = GetRouteInfoRequestHeader { topic: "TopicA".into(), accept_standard_json_only: None };
//! let request = RemotingCommand::request(request_code::GET_ROUTEINFO_BY_TOPIC, &header);
//! let mut buf = BytesMut::new();
//! request.encode(&mut buf)?;
//! assert_eq!(buf.len(), request.encoded_size());
//!
//! let decoded = FrameCodec::default().decode(&mut buf)?.expect("one whole frame");
//! assert!(buf.is_empty());
//! assert_eq!(decoded, request);
//! let back: GetRouteInfoRequestHeader = decoded.read_header()?;
//! assert_eq!(back.topic, "TopicA");
//! # Ok::<(), ferromq_remoting::RemotingError>(())
//! ```
#![deny(clippy::unwrap_used, clippy::indexing_slicing)]

pub mod body;
pub mod code;
pub mod command;
pub mod error;
pub mod flags;
pub mod frame;
pub mod header;
pub mod net;
pub mod properties;

pub use code::{LanguageCode, request_code, response_code, version};
pub use command::{
    Body, ExtFields, FLAG_ONEWAY, FLAG_RESPONSE, RemotingCommand, SerializeType, next_opaque,
};
pub use error::RemotingError;
pub use frame::{
    EXT_FIELDS_COUNT_MAX, FRAME_LEN_MAX_DEFAULT, FrameCodec, HEADER_LEN_MAX, REMARK_LEN_MAX,
};
pub use header::CommandHeader;
pub use net::{
    Channel, ChannelEvent, ChannelEventListener, ClientConfig, Connection, ProcessorTable,
    RemotingClient, RemotingServer, RequestContext, RequestProcessor, ServerConfig, processor_fn,
};
