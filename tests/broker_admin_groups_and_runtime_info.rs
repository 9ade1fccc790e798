//! Subscription groups are created, listed, read and deleted through the admin codes;
//! GET_BROKER_RUNTIME_INFO answers the KVTable keys mqadmin reads; malformed admin
//! requests get RocketMQ's error codes and the broker keeps serving.

mod common;

use common::TestCluster;
use ferromq_broker::subscription::{SubscriptionGroupConfig, SubscriptionGroupWrapper};
use ferromq_remoting::body::{JsonStyle, KvTable, from_json_lenient, to_json};
use ferromq_remoting::header::admin::{
    DeleteSubscriptionGroupRequestHeader, GetSubscriptionGroupConfigRequestHeader,
};
use ferromq_remoting::header::client::{
    GetConsumeStatsRequestHeader, GetConsumerConnectionListRequestHeader,
    GetProducerConnectionListRequestHeader,
};
use ferromq_remoting::{RemotingCommand, request_code, response_code};

fn get_group(group: &str) -> RemotingCommand {
    let header = GetSubscriptionGroupConfigRequestHeader {
        group: group.into(),
    };
    RemotingCommand::request(request_code::GET_SUBSCRIPTIONGROUP_CONFIG, &header)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_are_managed_and_listed() {
    let cluster = TestCluster::start().await;
    let mut config = SubscriptionGroupConfig::new("admin-group");
    config.retry_max_times = 5;
    config.consume_broadcast_enable = false;
    let create =
        RemotingCommand::request_no_header(request_code::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
            .with_body(to_json(&config, JsonStyle::Standard).expect("encodes"));
    assert_eq!(cluster.invoke(create).await.code, response_code::SUCCESS);

    let resp = cluster.invoke(get_group("admin-group")).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let read: SubscriptionGroupConfig = from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    assert_eq!(read, config);

    let resp = cluster
        .invoke(RemotingCommand::request_no_header(
            request_code::GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
        ))
        .await;
    let all: SubscriptionGroupWrapper = from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    assert!(all.subscription_group_table.contains_key("admin-group"));
    assert!(all.subscription_group_table.contains_key("TOOLS_CONSUMER"));
    assert_eq!(
        resp.ext_fields["totalGroupNum"],
        all.subscription_group_table.len().to_string()
    );

    cluster
        .broker()
        .context()
        .offsets
        .commit("admin-group", "T", 0, 1);
    let header = DeleteSubscriptionGroupRequestHeader {
        group_name: "admin-group".into(),
        clean_offset: Some(true),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::DELETE_SUBSCRIPTIONGROUP,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS);
    assert_eq!(
        cluster.invoke(get_group("admin-group")).await.code,
        response_code::SUBSCRIPTION_GROUP_NOT_EXIST
    );
    assert_eq!(
        cluster
            .broker()
            .context()
            .offsets
            .query("admin-group", "T", 0),
        None
    );

    let bad = RemotingCommand::request_no_header(request_code::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
        .with_body(
            to_json(
                &SubscriptionGroupConfig::new("bad group"),
                JsonStyle::Standard,
            )
            .expect("encodes"),
        );
    assert_eq!(
        cluster.invoke(bad).await.code,
        response_code::INVALID_PARAMETER
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_info_has_the_keys_mqadmin_reads() {
    let cluster = TestCluster::start().await;
    assert_eq!(
        cluster.send("RtTopic", b"x", "").await.code,
        response_code::SUCCESS
    );
    let store = &cluster.broker().context().store;
    assert!(store.wait_dispatched(store.max_phys_offset(), std::time::Duration::from_secs(10)));
    let resp = cluster
        .invoke(RemotingCommand::request_no_header(
            request_code::GET_BROKER_RUNTIME_INFO,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let kv: KvTable = from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    for key in [
        "brokerVersionDesc",
        "brokerVersion",
        "msgPutTotalTodayNow",
        "msgPutTotalTodayMorning",
        "msgPutTotalYesterdayMorning",
        "msgGetTotalTodayNow",
        "commitLogMaxOffset",
        "commitLogMinOffset",
        "commitLogDiskRatio",
        "putTps",
        "getTransferredTps",
        "earliestMessageTimeStamp",
        "bootTimestamp",
        "runtime",
        "sendThreadPoolQueueSize",
    ] {
        assert!(kv.table.contains_key(key), "missing {key}");
    }
    assert_eq!(kv.table["msgPutTotalTodayNow"], "1");
    assert_eq!(kv.table["putTps"].split(' ').count(), 3);
    let max: u64 = kv.table["commitLogMaxOffset"].parse().expect("number");
    assert_eq!(max, cluster.broker().context().store.max_phys_offset());
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_admin_requests_get_java_codes_and_the_broker_keeps_serving() {
    let cluster = TestCluster::start().await;
    // Missing required headers: SYSTEM_ERROR with the Java remark.
    for code in [
        request_code::GET_CONSUME_STATS,
        request_code::GET_CONSUMER_CONNECTION_LIST,
        request_code::QUERY_CONSUMER_OFFSET,
        request_code::GET_MAX_OFFSET,
        request_code::QUERY_MESSAGE,
        request_code::VIEW_MESSAGE_BY_ID,
        request_code::INVOKE_BROKER_TO_RESET_OFFSET,
        request_code::UNREGISTER_CLIENT,
        request_code::GET_CONSUMER_LIST_BY_GROUP,
    ] {
        let resp = cluster
            .invoke(RemotingCommand::request_no_header(code))
            .await;
        assert_eq!(resp.code, response_code::SYSTEM_ERROR, "code {code}");
        let remark = resp.remark.unwrap_or_default();
        assert!(
            remark.starts_with("the custom field <") && remark.ends_with("> is null"),
            "{code}: {remark}"
        );
    }
    // A malformed number is SYSTEM_ERROR too.
    let mut bad = RemotingCommand::request_no_header(request_code::GET_MAX_OFFSET);
    bad.ext_fields.insert("topic".into(), "T".into());
    bad.ext_fields.insert("queueId".into(), "zero".into());
    assert_eq!(cluster.invoke(bad).await.code, response_code::SYSTEM_ERROR);
    // Unknown group / topic.
    let header = GetConsumerConnectionListRequestHeader {
        consumer_group: "ghost".into(),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::GET_CONSUMER_CONNECTION_LIST,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::CONSUMER_NOT_ONLINE);
    assert_eq!(
        resp.remark.as_deref(),
        Some("the consumer group[ghost] not online")
    );
    let header = GetProducerConnectionListRequestHeader {
        producer_group: "ghost".into(),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::GET_PRODUCER_CONNECTION_LIST,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    let header = GetConsumeStatsRequestHeader {
        consumer_group: "ghost".into(),
        topic: Some("NoTopic".into()),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::GET_CONSUME_STATS,
            &header,
        ))
        .await;
    assert_eq!(
        resp.code,
        response_code::SUCCESS,
        "unknown topics are skipped"
    );
    // Malformed bodies.
    let bad = RemotingCommand::request_no_header(request_code::UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
        .with_body(&b"{\"groupName\":"[..]);
    assert_eq!(cluster.invoke(bad).await.code, response_code::SYSTEM_ERROR);
    let sql = RemotingCommand::request_no_header(request_code::CHECK_CLIENT_CONFIG)
        .with_body(&br#"{"clientId":"c","group":"g","subscriptionData":{"topic":"T","subString":"a > 1","expressionType":"SQL92"}}"#[..]);
    let resp = cluster.invoke(sql).await;
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    assert_eq!(
        resp.remark.as_deref(),
        Some("The broker does not support consumer to filter message by SQL92")
    );
    let tag = RemotingCommand::request_no_header(request_code::CHECK_CLIENT_CONFIG).with_body(
        &br#"{"subscriptionData":{"topic":"T","subString":"a","expressionType":"TAG"}}"#[..],
    );
    assert_eq!(cluster.invoke(tag).await.code, response_code::SUCCESS);
    // Still serving.
    assert_eq!(
        cluster.send("StillUp", b"x", "").await.code,
        response_code::SUCCESS
    );
    cluster.shutdown().await;
}
