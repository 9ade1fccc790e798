//! UPDATE_AND_CREATE_TOPIC stores a topic with its read/write queue counts and perm,
//! GET_ALL_TOPIC_CONFIG lists it, the name server routes it without waiting for the 30 s
//! registration period, and DELETE_TOPIC_IN_BROKER removes it with its consume queues and
//! offsets. Bad names, perms and system topics are refused with INVALID_PARAMETER.

mod common;

use std::time::Duration;

use common::TestCluster;
use ferromq_remoting::body::{TopicConfigSerializeWrapper, TopicRouteData, from_json_lenient};
use ferromq_remoting::header::admin::{CreateTopicRequestHeader, DeleteTopicRequestHeader};
use ferromq_remoting::header::namesrv::GetRouteInfoRequestHeader;
use ferromq_remoting::{RemotingCommand, request_code, response_code};

fn create(topic: &str, read: i32, write: i32, perm: i32) -> RemotingCommand {
    let header = CreateTopicRequestHeader {
        topic: topic.into(),
        default_topic: "TBW102".into(),
        read_queue_nums: read,
        write_queue_nums: write,
        perm,
        topic_filter_type: "SINGLE_TAG".into(),
        topic_sys_flag: Some(0),
        order: false,
        attributes: None,
        force: None,
    };
    RemotingCommand::request(request_code::UPDATE_AND_CREATE_TOPIC, &header)
}

async fn all_topics(cluster: &TestCluster) -> TopicConfigSerializeWrapper {
    let resp = cluster
        .invoke(RemotingCommand::request_no_header(
            request_code::GET_ALL_TOPIC_CONFIG,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let total: usize = resp.ext_fields["totalTopicNum"].parse().expect("number");
    let wrapper: TopicConfigSerializeWrapper =
        from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    assert_eq!(total, wrapper.topic_config_table.len());
    wrapper
}

async fn route(cluster: &TestCluster, topic: &str) -> Option<TopicRouteData> {
    let header = GetRouteInfoRequestHeader {
        topic: topic.into(),
        accept_standard_json_only: Some(true),
    };
    let resp = cluster
        .invoke_namesrv(RemotingCommand::request(
            request_code::GET_ROUTEINFO_BY_TOPIC,
            &header,
        ))
        .await;
    (resp.code == response_code::SUCCESS)
        .then(|| from_json_lenient(&resp.body.to_bytes()).expect("route"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_topic_is_listed_routed_and_deleted() {
    let cluster = TestCluster::start().await;
    let resp = cluster.invoke(create("AdminTopic", 3, 5, 4)).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let listed = all_topics(&cluster).await.topic_config_table["AdminTopic"].clone();
    assert_eq!(
        (listed.read_queue_nums, listed.write_queue_nums, listed.perm),
        (3, 5, 4)
    );

    // The registration loop runs every 30 s; the create wakes it at once.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let routed = loop {
        if let Some(r) = route(&cluster, "AdminTopic").await {
            break r;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "route not registered at once"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let q = &routed.queue_datas[0];
    assert_eq!((q.read_queue_nums, q.write_queue_nums, q.perm), (3, 5, 4));

    // Updating with the same values is idempotent; with new ones it replaces.
    assert_eq!(
        cluster.invoke(create("AdminTopic", 3, 5, 4)).await.code,
        response_code::SUCCESS
    );
    assert_eq!(
        cluster.invoke(create("AdminTopic", 2, 2, 6)).await.code,
        response_code::SUCCESS
    );
    let ctx = cluster.broker().context();
    assert_eq!(ctx.topics.find("AdminTopic").map(|t| t.perm), Some(6));

    // Messages and offsets go with the topic.
    assert_eq!(
        cluster.send("AdminTopic", b"x", "").await.code,
        response_code::SUCCESS
    );
    assert!(
        ctx.store
            .wait_dispatched(ctx.store.max_phys_offset(), Duration::from_secs(10))
    );
    assert_eq!(ctx.store.max_offset("AdminTopic", 0), 1);
    ctx.offsets.commit("g", "AdminTopic", 0, 1);
    let header = DeleteTopicRequestHeader {
        topic: "AdminTopic".into(),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::DELETE_TOPIC_IN_BROKER,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    assert!(
        !all_topics(&cluster)
            .await
            .topic_config_table
            .contains_key("AdminTopic")
    );
    assert_eq!(ctx.offsets.query("g", "AdminTopic", 0), None);
    assert_eq!(ctx.store.max_offset("AdminTopic", 0), 0);
    // Deleting again (unknown topic) succeeds, as in RocketMQ.
    let again = cluster
        .invoke(RemotingCommand::request(
            request_code::DELETE_TOPIC_IN_BROKER,
            &header,
        ))
        .await;
    assert_eq!(again.code, response_code::SUCCESS);
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_topic_requests_are_refused() {
    let cluster = TestCluster::start().await;
    for (cmd, why) in [
        (create("bad topic", 1, 1, 6), "illegal characters"),
        (create(&"t".repeat(128), 1, 1, 6), "too long"),
        (create("TBW102", 1, 1, 7), "system topic"),
        (create("PermTopic", 1, 1, 16), "unknown perm bit"),
    ] {
        let resp = cluster.invoke(cmd).await;
        assert_eq!(
            resp.code,
            response_code::INVALID_PARAMETER,
            "{why}: {:?}",
            resp.remark
        );
    }
    let resp = cluster.invoke(create("QueuesTopic", -1, 1, 6)).await;
    assert_eq!(
        resp.code,
        response_code::SYSTEM_ERROR,
        "negative queue count"
    );
    let header = DeleteTopicRequestHeader {
        topic: "SELF_TEST_TOPIC".into(),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::DELETE_TOPIC_IN_BROKER,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::INVALID_PARAMETER);
    assert_eq!(
        resp.remark.as_deref(),
        Some("The topic[SELF_TEST_TOPIC] is conflict with system topic.")
    );
    // Missing required header fields: SYSTEM_ERROR naming the field, as a Java broker does.
    let mut missing = create("X", 1, 1, 6);
    missing.ext_fields.remove("perm");
    let resp = cluster.invoke(missing).await;
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    assert_eq!(
        resp.remark.as_deref(),
        Some("the custom field <perm> is null")
    );
    assert!(cluster.broker().context().topics.find("X").is_none());
    // Still serving.
    assert_eq!(
        cluster.invoke(create("GoodTopic", 1, 1, 6)).await.code,
        response_code::SUCCESS
    );
    cluster.shutdown().await;
}
