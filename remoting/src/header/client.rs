//! Client and group headers: membership, connections, broker-to-client requests.

use crate::command_header;

command_header! {
    /// GET_CONSUMER_LIST_BY_GROUP (38) request.
    pub struct GetConsumerListByGroupRequestHeader {
        /// Consumer group.
        pub consumer_group: String => "consumerGroup",
    }
}

command_header! {
    /// UNREGISTER_CLIENT (35) request.
    pub struct UnregisterClientRequestHeader {
        /// Client id `ip@instance` (Java's spelling "clientID").
        pub client_id: String => "clientID",
        /// Producer group to leave.
        pub producer_group: Option<String> => "producerGroup",
        /// Consumer group to leave.
        pub consumer_group: Option<String> => "consumerGroup",
    }
}

command_header! {
    /// NOTIFY_CONSUMER_IDS_CHANGED (40, broker to client, oneway).
    pub struct NotifyConsumerIdsChangedRequestHeader {
        /// Consumer group whose members changed.
        pub consumer_group: String => "consumerGroup",
    }
}

command_header! {
    /// GET_CONSUMER_CONNECTION_LIST (203) request.
    pub struct GetConsumerConnectionListRequestHeader {
        /// Consumer group.
        pub consumer_group: String => "consumerGroup",
    }
}

command_header! {
    /// GET_PRODUCER_CONNECTION_LIST (204) request.
    pub struct GetProducerConnectionListRequestHeader {
        /// Producer group.
        pub producer_group: String => "producerGroup",
    }
}

command_header! {
    /// GET_CONSUME_STATS (208) request.
    pub struct GetConsumeStatsRequestHeader {
        /// Consumer group.
        pub consumer_group: String => "consumerGroup",
        /// Restrict to one topic.
        pub topic: Option<String> => "topic",
    }
}

command_header! {
    /// GET_CONSUMER_RUNNING_INFO (307, broker to client) request.
    pub struct GetConsumerRunningInfoRequestHeader {
        /// Consumer group.
        pub consumer_group: String => "consumerGroup",
        /// Client id.
        pub client_id: String => "clientId",
        /// Include a thread dump.
        pub jstack_enable: Option<bool> => "jstackEnable",
    }
}

command_header! {
    /// INVOKE_BROKER_TO_RESET_OFFSET (222) and RESET_CONSUMER_CLIENT_OFFSET (220) request.
    pub struct ResetOffsetRequestHeader {
        /// Topic.
        pub topic: String => "topic",
        /// Consumer group.
        pub group: String => "group",
        /// Target time, ms.
        pub timestamp: i64 => "timestamp",
        /// Reset even forward (Java field name "isForce").
        pub is_force: bool => "isForce",
        /// One queue only (5.x; -1 = all).
        pub queue_id: Option<i32> => "queueId",
        /// Explicit offset (5.x).
        pub offset: Option<i64> => "offset",
    }
}

command_header! {
    /// QUERY_TOPIC_CONSUME_BY_WHO (300) request.
    pub struct QueryTopicConsumeByWhoRequestHeader {
        /// Topic.
        pub topic: String => "topic",
    }
}
