//! ferromq's client side: producer, push/pull consumers and admin API over
//! [`ferromq_remoting`]. Not built yet.
