//! ferromq-store: the storage engine (placeholder crate root; the store issue fills it in).

pub mod dispatch_request;
pub mod io;
