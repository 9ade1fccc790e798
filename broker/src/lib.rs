//! ferromq's broker: turns RocketMQ remoting requests (send, pull, offsets, admin) into
//! calls on [`ferromq_store`] and back. Not built yet: see the broker issue.
