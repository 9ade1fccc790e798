//! ferromq-store: the storage engine (placeholder crate root; the store issue fills it in).

pub mod consumequeue;
pub mod dispatch_request;
pub mod error;
pub mod index;
pub mod io;
pub mod javahash;
