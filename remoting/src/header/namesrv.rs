//! Name-server request and response headers (spec 3.5, 3.6).

use crate::command_header;

command_header! {
    /// REGISTER_BROKER (103) request. Body: RegisterBrokerBody JSON or its compressed form.
    pub struct RegisterBrokerRequestHeader {
        /// Broker group name (master and slaves share it).
        pub broker_name: String => "brokerName",
        /// Client-facing "ip:port".
        pub broker_addr: String => "brokerAddr",
        /// Cluster name.
        pub cluster_name: String => "clusterName",
        /// "brokerIP2:haPort".
        pub ha_server_addr: String => "haServerAddr",
        /// 0 = master, > 0 slave, -1 DLedger.
        pub broker_id: i64 => "brokerId",
        /// How long the name server keeps the broker without heartbeat, ms.
        pub heartbeat_timeout_millis: Option<i64> => "heartbeatTimeoutMillis",
        /// 5.x acting-master support.
        pub enable_acting_master: Option<bool> => "enableActingMaster",
        /// Body is the zlib-compressed form.
        pub compressed: Option<bool> => "compressed",
        /// CRC32 of the body & 0x7FFFFFFF; 0 or absent skips the check.
        pub body_crc32: Option<i32> => "bodyCrc32",
        /// Optional zone of the broker.
        pub zone_name: Option<String> => "__ZONE_NAME",
    }
}

command_header! {
    /// REGISTER_BROKER response; filled for slaves, which learn their master from it.
    pub struct RegisterBrokerResponseHeader {
        /// Master's HA address.
        pub ha_server_addr: Option<String> => "haServerAddr",
        /// Master's address.
        pub master_addr: Option<String> => "masterAddr",
    }
}

command_header! {
    /// UNREGISTER_BROKER (104) request.
    pub struct UnregisterBrokerRequestHeader {
        /// Broker group name.
        pub broker_name: String => "brokerName",
        /// "ip:port".
        pub broker_addr: String => "brokerAddr",
        /// Cluster name.
        pub cluster_name: String => "clusterName",
        /// Broker id.
        pub broker_id: i64 => "brokerId",
    }
}

command_header! {
    /// GET_ROUTEINFO_BY_TOPIC (105) request.
    pub struct GetRouteInfoRequestHeader {
        /// Topic name.
        pub topic: String => "topic",
        /// Ask for standard JSON (quoted map keys) whatever the request version.
        pub accept_standard_json_only: Option<bool> => "acceptStandardJsonOnly",
    }
}

command_header! {
    /// QUERY_DATA_VERSION (322) request; body = the broker's DataVersion JSON.
    pub struct QueryDataVersionRequestHeader {
        /// Broker group name.
        pub broker_name: String => "brokerName",
        /// "ip:port".
        pub broker_addr: String => "brokerAddr",
        /// Cluster name.
        pub cluster_name: String => "clusterName",
        /// Broker id.
        pub broker_id: i64 => "brokerId",
    }
}

command_header! {
    /// QUERY_DATA_VERSION response; body = the name server's stored DataVersion.
    pub struct QueryDataVersionResponseHeader {
        /// Whether the broker's DataVersion differs from the stored one.
        pub changed: bool => "changed",
    }
}

command_header! {
    /// PUT_KV_CONFIG (100) request.
    pub struct PutKvConfigRequestHeader {
        /// KV namespace, e.g. ORDER_TOPIC_CONFIG.
        pub namespace: String => "namespace",
        /// Key.
        pub key: String => "key",
        /// Value.
        pub value: String => "value",
    }
}

command_header! {
    /// GET_KV_CONFIG (101) request.
    pub struct GetKvConfigRequestHeader {
        /// KV namespace.
        pub namespace: String => "namespace",
        /// Key.
        pub key: String => "key",
    }
}

command_header! {
    /// GET_KV_CONFIG response (QUERY_NOT_FOUND when absent).
    pub struct GetKvConfigResponseHeader {
        /// The value.
        pub value: Option<String> => "value",
    }
}

command_header! {
    /// DELETE_KV_CONFIG (102) request.
    pub struct DeleteKvConfigRequestHeader {
        /// KV namespace.
        pub namespace: String => "namespace",
        /// Key.
        pub key: String => "key",
    }
}

command_header! {
    /// GET_KVLIST_BY_NAMESPACE (219) request.
    pub struct GetKvListByNamespaceRequestHeader {
        /// KV namespace.
        pub namespace: String => "namespace",
    }
}

command_header! {
    /// DELETE_TOPIC_IN_NAMESRV (216) request.
    pub struct DeleteTopicFromNamesrvRequestHeader {
        /// Topic name.
        pub topic: String => "topic",
        /// Restrict to one cluster.
        pub cluster_name: Option<String> => "clusterName",
    }
}

command_header! {
    /// REGISTER_TOPIC_IN_NAMESRV (217) request; body = TopicRouteData.
    pub struct RegisterTopicRequestHeader {
        /// Topic name.
        pub topic: String => "topic",
    }
}

command_header! {
    /// GET_TOPICS_BY_CLUSTER (224) request.
    pub struct GetTopicsByClusterRequestHeader {
        /// Cluster name.
        pub cluster: String => "cluster",
    }
}

command_header! {
    /// WIPE_WRITE_PERM_OF_BROKER (205) request.
    pub struct WipeWritePermOfBrokerRequestHeader {
        /// Broker group name.
        pub broker_name: String => "brokerName",
    }
}

command_header! {
    /// WIPE_WRITE_PERM_OF_BROKER response.
    pub struct WipeWritePermOfBrokerResponseHeader {
        /// Topics whose write permission was removed.
        pub wipe_topic_count: i32 => "wipeTopicCount",
    }
}

command_header! {
    /// ADD_WRITE_PERM_OF_BROKER (327) request.
    pub struct AddWritePermOfBrokerRequestHeader {
        /// Broker group name.
        pub broker_name: String => "brokerName",
    }
}

command_header! {
    /// ADD_WRITE_PERM_OF_BROKER response.
    pub struct AddWritePermOfBrokerResponseHeader {
        /// Topics whose write permission was restored.
        pub add_topic_count: i32 => "addTopicCount",
    }
}

command_header! {
    /// GET_BROKER_MEMBER_GROUP (901) request.
    pub struct GetBrokerMemberGroupRequestHeader {
        /// Cluster name.
        pub cluster_name: String => "clusterName",
        /// Broker group name.
        pub broker_name: String => "brokerName",
    }
}

command_header! {
    /// BROKER_HEARTBEAT (904) request (5.x lightweight liveness).
    pub struct BrokerHeartbeatRequestHeader {
        /// Cluster name.
        pub cluster_name: String => "clusterName",
        /// "ip:port".
        pub broker_addr: String => "brokerAddr",
        /// Broker group name.
        pub broker_name: String => "brokerName",
        /// Broker id.
        pub broker_id: Option<i64> => "brokerId",
        /// Controller epoch.
        pub epoch: Option<i32> => "epoch",
        /// CommitLog max offset.
        pub max_offset: Option<i64> => "maxOffset",
        /// Confirmed offset.
        pub confirm_offset: Option<i64> => "confirmOffset",
        /// Liveness timeout, ms (Java spells it "Mills").
        pub heartbeat_timeout_mills: Option<i64> => "heartbeatTimeoutMills",
        /// Election priority.
        pub election_priority: Option<i32> => "electionPriority",
    }
}
