//! ferromq-store: the storage engine (crate docs are completed with the Store API).

pub mod checkpoint;
pub mod commitlog;
pub mod config;
pub mod consumequeue;
pub mod dispatch_request;
mod dispatcher;
pub mod error;
pub mod flush;
pub mod index;
pub mod io;
pub mod javahash;
pub mod recovery;
pub mod retention;
mod store;
mod store_get;
mod store_put;
pub mod store_types;

pub use commitlog::PutMessage;
pub use config::{FlushDiskType, StoreConfig};
pub use error::StoreError;
pub use flush::PutHandle;
pub use store::Store;
pub use store_get::GET_SCAN_ENTRIES_MAX;
pub use store_put::BATCH_MESSAGES_MAX;
pub use store_types::{
    ArrivalEvent, ArrivalListener, GetMessageResult, GetMessageStatus, PutResult, PutStatus,
    QueryMessageResult,
};
