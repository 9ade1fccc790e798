//! ferromq-namesrv: the name server (placeholder crate root).
