//! Admin headers: topics, subscription groups, broker config (spec 3.3).

use crate::command_header;

command_header! {
    /// UPDATE_AND_CREATE_TOPIC (17) request.
    pub struct CreateTopicRequestHeader {
        /// Topic.
        pub topic: String => "topic",
        /// Template topic.
        pub default_topic: String => "defaultTopic",
        /// Read queue count.
        pub read_queue_nums: i32 => "readQueueNums",
        /// Write queue count.
        pub write_queue_nums: i32 => "writeQueueNums",
        /// Permission bits (`flags::perm`).
        pub perm: i32 => "perm",
        /// "SINGLE_TAG" or "MULTI_TAG".
        pub topic_filter_type: String => "topicFilterType",
        /// Topic sysFlag.
        pub topic_sys_flag: Option<i32> => "topicSysFlag",
        /// Ordered topic.
        pub order: bool => "order",
        /// `+k=v,+k2=v2`, `-k` deletes.
        pub attributes: Option<String> => "attributes",
        /// Force the update.
        pub force: Option<bool> => "force",
    }
}

command_header! {
    /// DELETE_TOPIC_IN_BROKER (215) request.
    pub struct DeleteTopicRequestHeader {
        /// Topic.
        pub topic: String => "topic",
    }
}

command_header! {
    /// GET_TOPIC_STATS_INFO (202) request.
    pub struct GetTopicStatsInfoRequestHeader {
        /// Topic.
        pub topic: String => "topic",
    }
}

command_header! {
    /// GET_TOPIC_CONFIG (351) request.
    pub struct GetTopicConfigRequestHeader {
        /// Topic.
        pub topic: String => "topic",
    }
}

command_header! {
    /// GET_ALL_TOPIC_CONFIG (21) request; all fields are 5.x paging options.
    pub struct GetAllTopicConfigRequestHeader {
        /// Page start.
        pub topic_seq: Option<i32> => "topicSeq",
        /// DataVersion the caller holds (JSON).
        pub data_version: Option<String> => "dataVersion",
        /// Page size.
        pub max_topic_num: Option<i32> => "maxTopicNum",
    }
}

command_header! {
    /// GET_ALL_TOPIC_CONFIG response; body = TopicConfigSerializeWrapper JSON.
    pub struct GetAllTopicConfigResponseHeader {
        /// Topics on the broker.
        pub total_topic_num: Option<i32> => "totalTopicNum",
    }
}

command_header! {
    /// DELETE_SUBSCRIPTIONGROUP (207) request.
    pub struct DeleteSubscriptionGroupRequestHeader {
        /// Group name.
        pub group_name: String => "groupName",
        /// Also drop its offsets.
        pub clean_offset: Option<bool> => "cleanOffset",
    }
}

command_header! {
    /// GET_SUBSCRIPTIONGROUP_CONFIG (352) request.
    pub struct GetSubscriptionGroupConfigRequestHeader {
        /// Group name.
        pub group: String => "group",
    }
}

command_header! {
    /// GET_BROKER_CONFIG (26) response; body = properties text.
    pub struct GetBrokerConfigResponseHeader {
        /// Config DataVersion JSON.
        pub version: String => "version",
    }
}
