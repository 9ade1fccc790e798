//! RequestCode: what a request asks for (client/broker/admin codes, then name-server codes).

super::code_table! {
    /// Send one message, V1 (long-name) header.
    SEND_MESSAGE = 10,
    /// Pull messages from one queue; the body of a FOUND response is raw CommitLog records.
    PULL_MESSAGE = 11,
    /// Query messages by key or UNIQ_KEY through the index.
    QUERY_MESSAGE = 12,
    /// Unused by current clients; kept reserved.
    QUERY_BROKER_OFFSET = 13,
    /// Read a consumer group's committed offset of one queue.
    QUERY_CONSUMER_OFFSET = 14,
    /// Commit a consumer group's offset of one queue (often oneway).
    UPDATE_CONSUMER_OFFSET = 15,
    /// Create or update one topic on a broker.
    UPDATE_AND_CREATE_TOPIC = 17,
    /// Create or update several topics on a broker (5.x).
    UPDATE_AND_CREATE_TOPIC_LIST = 18,
    /// All topic configs of a broker (slave sync, admin).
    GET_ALL_TOPIC_CONFIG = 21,
    /// Topic config list (unit topics).
    GET_TOPIC_CONFIG_LIST = 22,
    /// Topic names of a broker.
    GET_TOPIC_NAME_LIST = 23,
    /// Update broker properties (body: properties text).
    UPDATE_BROKER_CONFIG = 25,
    /// Read broker properties.
    GET_BROKER_CONFIG = 26,
    /// Broker runtime statistics as a KV table.
    GET_BROKER_RUNTIME_INFO = 28,
    /// Find a queue offset by store timestamp.
    SEARCH_OFFSET_BY_TIMESTAMP = 29,
    /// Next logical offset to be written in a queue.
    GET_MAX_OFFSET = 30,
    /// Smallest logical offset still stored in a queue.
    GET_MIN_OFFSET = 31,
    /// Store timestamp of the oldest message of a queue.
    GET_EARLIEST_MSG_STORETIME = 32,
    /// Read one record by CommitLog physical offset.
    VIEW_MESSAGE_BY_ID = 33,
    /// Client heartbeat (producer and consumer groups, subscriptions).
    HEART_BEAT = 34,
    /// A client leaves its groups.
    UNREGISTER_CLIENT = 35,
    /// Consumer returns a message for retry (or DLQ).
    CONSUMER_SEND_MSG_BACK = 36,
    /// Commit or roll back a half (prepared) message; oneway.
    END_TRANSACTION = 37,
    /// Client ids of a consumer group.
    GET_CONSUMER_LIST_BY_GROUP = 38,
    /// Broker asks a producer for a transaction's state; oneway, broker to client.
    CHECK_TRANSACTION_STATE = 39,
    /// Broker tells consumers their group changed; oneway, broker to client.
    NOTIFY_CONSUMER_IDS_CHANGED = 40,
    /// Lock queues for orderly consumption.
    LOCK_BATCH_MQ = 41,
    /// Unlock queues.
    UNLOCK_BATCH_MQ = 42,
    /// All consumer offsets of a broker (slave sync).
    GET_ALL_CONSUMER_OFFSET = 43,
    /// All delay-level offsets of a broker (slave sync).
    GET_ALL_DELAY_OFFSET = 45,
    /// Check a client's filter config.
    CHECK_CLIENT_CONFIG = 46,
    /// Read a client's config.
    GET_CLIENT_CONFIG = 47,
    /// Name server: store a KV config entry.
    PUT_KV_CONFIG = 100,
    /// Name server: read a KV config entry.
    GET_KV_CONFIG = 101,
    /// Name server: delete a KV config entry.
    DELETE_KV_CONFIG = 102,
    /// Name server: a broker registers itself and its topics.
    REGISTER_BROKER = 103,
    /// Name server: a broker leaves.
    UNREGISTER_BROKER = 104,
    /// Name server: route (queues + brokers) of one topic.
    GET_ROUTEINFO_BY_TOPIC = 105,
    /// Name server: clusters and their brokers.
    GET_BROKER_CLUSTER_INFO = 106,
    /// Create or update a subscription group.
    UPDATE_AND_CREATE_SUBSCRIPTIONGROUP = 200,
    /// All subscription groups of a broker (slave sync).
    GET_ALL_SUBSCRIPTIONGROUP_CONFIG = 201,
    /// Per-queue offsets of a topic.
    GET_TOPIC_STATS_INFO = 202,
    /// Connections of a consumer group.
    GET_CONSUMER_CONNECTION_LIST = 203,
    /// Connections of a producer group.
    GET_PRODUCER_CONNECTION_LIST = 204,
    /// Name server: remove write permission of a broker's topics.
    WIPE_WRITE_PERM_OF_BROKER = 205,
    /// Name server: all topic names.
    GET_ALL_TOPIC_LIST_FROM_NAMESERVER = 206,
    /// Delete a subscription group.
    DELETE_SUBSCRIPTIONGROUP = 207,
    /// Consume progress of a group.
    GET_CONSUME_STATS = 208,
    /// Delete a topic on a broker.
    DELETE_TOPIC_IN_BROKER = 215,
    /// Name server: delete a topic's route.
    DELETE_TOPIC_IN_NAMESRV = 216,
    /// Name server: register a topic (5.x).
    REGISTER_TOPIC_IN_NAMESRV = 217,
    /// Name server: KV entries of one namespace.
    GET_KVLIST_BY_NAMESPACE = 219,
    /// Broker tells a client to reset its offsets.
    RESET_CONSUMER_CLIENT_OFFSET = 220,
    /// Ask a client for its consume status.
    GET_CONSUMER_STATUS_FROM_CLIENT = 221,
    /// Admin asks a broker to reset a group's offsets by timestamp.
    INVOKE_BROKER_TO_RESET_OFFSET = 222,
    /// Admin asks a broker for a group's consume status.
    INVOKE_BROKER_TO_GET_CONSUMER_STATUS = 223,
    /// Name server: topics served by one cluster.
    GET_TOPICS_BY_CLUSTER = 224,
    /// Which groups consume a topic.
    QUERY_TOPIC_CONSUME_BY_WHO = 300,
    /// Name server: system topics.
    GET_SYSTEM_TOPIC_LIST_FROM_NS = 304,
    /// Queue contents diagnostics.
    QUERY_CONSUME_QUEUE = 321,
    /// Ask a client for its running info; broker to client.
    GET_CONSUMER_RUNNING_INFO = 307,
    /// Ask a client to consume one message directly; broker to client.
    CONSUME_MESSAGE_DIRECTLY = 309,
    /// Send one message, V2 (short-name a..n) header; the Java client's default.
    SEND_MESSAGE_V2 = 310,
    /// Name server: unit topics.
    GET_UNIT_TOPIC_LIST = 311,
    /// Name server: topics with unit subscriptions.
    GET_HAS_UNIT_SUB_TOPIC_LIST = 312,
    /// Name server: non-unit topics with unit subscriptions.
    GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST = 313,
    /// Copy one group's offsets to another.
    CLONE_GROUP_OFFSET = 314,
    /// Name server: update its properties.
    UPDATE_NAMESRV_CONFIG = 318,
    /// Name server: read its properties.
    GET_NAMESRV_CONFIG = 319,
    /// Send a batch of messages (V2 header; body is the batch encoding).
    SEND_BATCH_MESSAGE = 320,
    /// Name server: has the broker's DataVersion changed?
    QUERY_DATA_VERSION = 322,
    /// Send a reply message (request-reply), V1 header.
    SEND_REPLY_MESSAGE = 324,
    /// Send a reply message (request-reply), V2 header.
    SEND_REPLY_MESSAGE_V2 = 325,
    /// Broker pushes a reply to the requesting client.
    PUSH_REPLY_MESSAGE_TO_CLIENT = 326,
    /// Name server: restore write permission of a broker's topics.
    ADD_WRITE_PERM_OF_BROKER = 327,
    /// One topic's config.
    GET_TOPIC_CONFIG = 351,
    /// One subscription group's config.
    GET_SUBSCRIPTIONGROUP_CONFIG = 352,
    /// Pull for the lite pull consumer (same header as PULL_MESSAGE).
    LITE_PULL_MESSAGE = 361,
    /// Queue assignment for pop consumers.
    QUERY_ASSIGNMENT = 400,
    /// Name server: brokers of one broker group (5.x).
    GET_BROKER_MEMBER_GROUP = 901,
    /// Name server: lightweight broker heartbeat (5.x).
    BROKER_HEARTBEAT = 904,
    /// Pop consumption: pop messages. Above i16: JSON header only.
    POP_MESSAGE = 200050,
    /// Pop consumption: acknowledge.
    ACK_MESSAGE = 200051,
    /// Pop consumption: peek.
    PEEK_MESSAGE = 200052,
    /// Pop consumption: change invisible time.
    CHANGE_MESSAGE_INVISIBLETIME = 200053,
    /// Pop consumption: notification.
    NOTIFICATION = 200054,
    /// Pop consumption: polling info.
    POLLING_INFO = 200055,
    /// Pop consumption: rollback.
    POP_ROLLBACK = 200056,
    /// Pop consumption: batch acknowledge.
    BATCH_ACK_MESSAGE = 200151,
}

/// Codes whose send header uses the V2 short names (`a`..`n`).
pub fn uses_send_header_v2(code: i32) -> bool {
    matches!(
        code,
        SEND_MESSAGE_V2 | SEND_BATCH_MESSAGE | SEND_REPLY_MESSAGE_V2
    )
}
