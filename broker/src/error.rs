//! [`BrokerError`]: the broker's one error type, mapped to a RocketMQ `ResponseCode` only at
//! the edge ([`BrokerError::response_code`]).

use std::path::PathBuf;

use ferromq_remoting::response_code;

/// Every way a broker operation can fail. Request-level variants carry what the client
/// needs in the remark; startup and persistence variants keep their cause.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// A file or socket operation failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// The store refused or failed an operation.
    #[error(transparent)]
    Store(#[from] ferromq_store::StoreError),

    /// A remoting operation (connect, invoke, header decode) failed.
    #[error(transparent)]
    Remoting(#[from] ferromq_remoting::RemotingError),

    /// A JSON body could not be encoded or decoded.
    #[error(transparent)]
    Body(#[from] ferromq_remoting::body::BodyError),

    /// The configuration file could not be read.
    #[error("config file {}", path.display())]
    ConfigIo {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },

    /// A configuration value is not what its key accepts.
    #[error("config {origin} line {line}: {key}={value:?}: expected {expected}")]
    ConfigValue {
        /// File name, or "command line" / "environment".
        origin: String,
        /// 1-based line number (0 outside files).
        line: usize,
        /// The key.
        key: String,
        /// The rejected value.
        value: String,
        /// What the key accepts.
        expected: &'static str,
    },

    /// A persisted config file (topics.json, ...) is not what it should be.
    #[error("config file {} is invalid: {reason}", path.display())]
    ConfigFileInvalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// The topic is unknown and auto-creation is off or not allowed for it.
    #[error("topic[{topic}] not exist, apply first please!")]
    TopicNotExist {
        /// The topic.
        topic: String,
    },

    /// A topic name breaks RocketMQ's rules (length, characters, reserved names).
    #[error("topic name {topic:?} is invalid: {reason}")]
    TopicInvalid {
        /// The rejected name (clipped by the caller when long).
        topic: String,
        /// Which rule.
        reason: &'static str,
    },

    /// Broker or topic permission forbids the operation; the remark says which.
    #[error("{remark}")]
    NoPermission {
        /// RocketMQ-style remark.
        remark: String,
    },

    /// The request header is missing a field or holds a malformed one.
    #[error("{remark}")]
    BadRequest {
        /// What is wrong, naming the field.
        remark: String,
    },

    /// A subscription expression does not parse (SUBSCRIPTION_PARSE_FAILED).
    #[error("subscription expression {expression:?} does not parse: {reason}")]
    SubscriptionParse {
        /// The expression (clipped).
        expression: String,
        /// Why.
        reason: &'static str,
    },

    /// A filter expression type other than TAG: RocketMQ's property (SQL92) filter is not
    /// implemented, so the broker answers as a Java broker with `enablePropertyFilter=false`.
    #[error("The broker does not support consumer to filter message by {expression_type}")]
    FilterTypeUnsupported {
        /// The requested `expressionType`.
        expression_type: String,
    },

    /// A consumer group name breaks RocketMQ's rules (INVALID_PARAMETER).
    #[error("The specified group: {group}, {reason}")]
    GroupInvalid {
        /// The rejected name (clipped).
        group: String,
        /// Which rule.
        reason: &'static str,
    },
}

impl BrokerError {
    /// The RocketMQ ResponseCode a client expects for this error.
    pub fn response_code(&self) -> i32 {
        match self {
            Self::TopicNotExist { .. } => response_code::TOPIC_NOT_EXIST,
            // RocketMQ's TopicValidator answers a bad name with SYSTEM_ERROR.
            Self::TopicInvalid { .. } => response_code::SYSTEM_ERROR,
            Self::NoPermission { .. } => response_code::NO_PERMISSION,
            Self::SubscriptionParse { .. } => response_code::SUBSCRIPTION_PARSE_FAILED,
            Self::GroupInvalid { .. } => response_code::INVALID_PARAMETER,
            Self::BadRequest { .. } | Self::Remoting(_) => response_code::SYSTEM_ERROR,
            _ => response_code::SYSTEM_ERROR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_errors_map_to_the_codes_clients_expect() {
        let e = BrokerError::TopicNotExist { topic: "T".into() };
        assert_eq!(e.response_code(), 17);
        assert_eq!(e.to_string(), "topic[T] not exist, apply first please!");
        let e = BrokerError::NoPermission { remark: "x".into() };
        assert_eq!(e.response_code(), 16);
        let e = BrokerError::Io(std::io::Error::other("disk"));
        assert_eq!(e.response_code(), 1);
    }
}
