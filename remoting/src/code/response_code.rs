//! ResponseCode: the outcome carried in a response's `code`.

super::code_table! {
    /// The request succeeded.
    SUCCESS = 0,
    /// Unexpected server-side failure; the remark says what.
    SYSTEM_ERROR = 1,
    /// Overloaded; remarks such as `[REJECTREQUEST]...`. Producers retry elsewhere.
    SYSTEM_BUSY = 2,
    /// Unknown request code; remark `" request type <n> not supported"`.
    REQUEST_CODE_NOT_SUPPORTED = 3,
    /// A transaction operation failed.
    TRANSACTION_FAILED = 4,
    /// Sync flush timed out; the message was stored.
    FLUSH_DISK_TIMEOUT = 10,
    /// No slave to replicate to; the message was stored.
    SLAVE_NOT_AVAILABLE = 11,
    /// Slave ack timed out; the message was stored.
    FLUSH_SLAVE_TIMEOUT = 12,
    /// The message is invalid (size, topic, properties).
    MESSAGE_ILLEGAL = 13,
    /// The broker cannot serve (e.g. a slave refusing writes).
    SERVICE_NOT_AVAILABLE = 14,
    /// The peer's version is not supported.
    VERSION_NOT_SUPPORTED = 15,
    /// Topic or broker permission forbids the operation.
    NO_PERMISSION = 16,
    /// The topic does not exist.
    TOPIC_NOT_EXIST = 17,
    /// The topic already exists.
    TOPIC_EXIST_ALREADY = 18,
    /// Pull: nothing at this offset yet.
    PULL_NOT_FOUND = 19,
    /// Pull: retry immediately (no match or message being removed).
    PULL_RETRY_IMMEDIATELY = 20,
    /// Pull: the offset is out of range; use nextBeginOffset.
    PULL_OFFSET_MOVED = 21,
    /// Query: nothing found.
    QUERY_NOT_FOUND = 22,
    /// The subscription expression does not parse.
    SUBSCRIPTION_PARSE_FAILED = 23,
    /// The group has no subscription to this topic.
    SUBSCRIPTION_NOT_EXIST = 24,
    /// The subscription is older than the registered one.
    SUBSCRIPTION_NOT_LATEST = 25,
    /// The subscription group does not exist.
    SUBSCRIPTION_GROUP_NOT_EXIST = 26,
    /// Filter data missing.
    FILTER_DATA_NOT_EXIST = 27,
    /// Filter data outdated.
    FILTER_DATA_NOT_LATEST = 28,
    /// A parameter is invalid.
    INVALID_PARAMETER = 29,
    /// Transaction check: commit.
    TRANSACTION_SHOULD_COMMIT = 200,
    /// Transaction check: roll back.
    TRANSACTION_SHOULD_ROLLBACK = 201,
    /// Transaction check: unknown.
    TRANSACTION_STATE_UNKNOW = 202,
    /// Transaction group id mismatch.
    TRANSACTION_STATE_GROUP_WRONG = 203,
    /// No buyer id.
    NO_BUYER_ID = 204,
    /// Not in current unit.
    NOT_IN_CURRENT_UNIT = 205,
    /// The consumer is not connected.
    CONSUMER_NOT_ONLINE = 206,
    /// Consuming the message timed out.
    CONSUME_MSG_TIMEOUT = 207,
    /// Pop: no message.
    NO_MESSAGE = 208,
    /// Pop: too many pollers.
    POLLING_FULL = 209,
    /// Pop: polling timed out.
    POLLING_TIMEOUT = 210,
    /// The broker does not exist.
    BROKER_NOT_EXIST = 211,
    /// Flow control.
    FLOW_CONTROL = 215,
    /// Not the leader for this queue.
    NOT_LEADER_FOR_QUEUE = 501,
    /// 5.3: the server is shutting down; sent only when request version > V5_3_1.
    GO_AWAY = 1500,
}

/// Remark RocketMQ puts on a REQUEST_CODE_NOT_SUPPORTED response (note the leading space).
pub fn not_supported_remark(request_code: i32) -> String {
    format!(" request type {request_code} not supported")
}
