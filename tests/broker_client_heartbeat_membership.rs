//! HEART_BEAT registers consumers and producers on their connection: the consumer list and
//! connection list show them, the group's subscription group and %RETRY% topic are created,
//! and every member gets NOTIFY_CONSUMER_IDS_CHANGED when a consumer joins, unregisters or
//! its connection closes.

mod common;

use std::time::Duration;

use common::{RPC_TIMEOUT, TestCluster};
use ferromq_broker::processor::admin::body::ConsumerConnection;
use ferromq_remoting::body::{
    ConsumerData, GetConsumerListByGroupResponseBody, HeartbeatData, JsonStyle, ProducerData,
    SubscriptionData, from_json_lenient, to_json,
};
use ferromq_remoting::header::client::{
    GetConsumerConnectionListRequestHeader, GetConsumerListByGroupRequestHeader,
    UnregisterClientRequestHeader,
};
use ferromq_remoting::{
    ClientConfig, ProcessorTable, RemotingClient, RemotingCommand, processor_fn, request_code,
    response_code,
};
use tokio::sync::mpsc;

const GROUP: &str = "hb-group";
const TOPIC: &str = "HbTopic";

/// A client that answers broker pushes and records NOTIFY_CONSUMER_IDS_CHANGED groups.
struct Member {
    id: String,
    client: RemotingClient,
    notified: mpsc::UnboundedReceiver<String>,
}

impl Member {
    fn new(id: &str) -> Self {
        let (tx, notified) = mpsc::unbounded_channel();
        let table = ProcessorTable::new().with(
            request_code::NOTIFY_CONSUMER_IDS_CHANGED,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let tx = tx.clone();
                async move {
                    assert!(req.is_oneway(), "the notification is oneway");
                    let _ = tx.send(
                        req.ext_fields
                            .get("consumerGroup")
                            .cloned()
                            .unwrap_or_default(),
                    );
                    None
                }
            }),
        );
        Self {
            id: id.to_owned(),
            client: RemotingClient::with_processors(ClientConfig::default(), table),
            notified,
        }
    }

    async fn call(&self, cluster: &TestCluster, cmd: RemotingCommand) -> RemotingCommand {
        self.client
            .invoke(&cluster.broker_addr(), cmd, RPC_TIMEOUT)
            .await
            .expect("answered")
    }

    async fn heartbeat(&self, cluster: &TestCluster) -> RemotingCommand {
        let data = HeartbeatData {
            client_id: self.id.clone(),
            producer_data_set: vec![ProducerData {
                group_name: "hb-producer".into(),
            }],
            consumer_data_set: vec![ConsumerData {
                group_name: GROUP.into(),
                subscription_data_set: vec![SubscriptionData {
                    topic: TOPIC.into(),
                    sub_version: 1_700_000_000_000,
                    ..SubscriptionData::default()
                }],
                ..ConsumerData::default()
            }],
            ..HeartbeatData::default()
        };
        let body = to_json(&data, JsonStyle::Standard).expect("encodes");
        self.call(
            cluster,
            RemotingCommand::request_no_header(request_code::HEART_BEAT).with_body(body),
        )
        .await
    }

    async fn next_notification(&mut self) -> String {
        tokio::time::timeout(Duration::from_secs(10), self.notified.recv())
            .await
            .expect("notified in time")
            .expect("channel open")
    }
}

async fn consumer_ids(cluster: &TestCluster) -> RemotingCommand {
    let header = GetConsumerListByGroupRequestHeader {
        consumer_group: GROUP.into(),
    };
    cluster
        .invoke(RemotingCommand::request(
            request_code::GET_CONSUMER_LIST_BY_GROUP,
            &header,
        ))
        .await
}

fn ids_of(resp: &RemotingCommand) -> Vec<String> {
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let body: GetConsumerListByGroupResponseBody =
        from_json_lenient(&resp.body.to_bytes()).expect("list decodes");
    let mut ids = body.consumer_id_list;
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_join_leave_and_are_notified() {
    let cluster = TestCluster::start().await;
    let none = consumer_ids(&cluster).await;
    assert_eq!(none.code, response_code::SYSTEM_ERROR);
    assert_eq!(
        none.remark.as_deref(),
        Some("no consumer for this group, hb-group")
    );

    let mut a = Member::new("127.0.0.1@a");
    let resp = a.heartbeat(&cluster).await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    assert_eq!(
        resp.ext_fields
            .get("IS_SUPPORT_HEART_BEAT_V2")
            .map(String::as_str),
        Some("true")
    );
    assert_eq!(
        resp.ext_fields.get("IS_SUB_CHANGE").map(String::as_str),
        Some("true")
    );
    assert_eq!(a.next_notification().await, GROUP);
    let ctx = cluster.broker().context();
    assert!(
        ctx.subscription_groups.find(GROUP).is_some(),
        "group auto-created"
    );
    assert_eq!(
        ctx.topics
            .find("%RETRY%hb-group")
            .map(|t| t.read_queue_nums),
        Some(1)
    );
    assert!(ctx.producers.connections("hb-producer").is_some());

    let mut b = Member::new("127.0.0.1@b");
    b.heartbeat(&cluster).await;
    assert_eq!(a.next_notification().await, GROUP);
    assert_eq!(b.next_notification().await, GROUP);
    assert_eq!(
        ids_of(&consumer_ids(&cluster).await),
        ["127.0.0.1@a", "127.0.0.1@b"]
    );

    // A repeated heartbeat changes nothing and notifies nobody; C joining proves it (FIFO).
    a.heartbeat(&cluster).await;
    let mut c = Member::new("127.0.0.1@c");
    c.heartbeat(&cluster).await;
    assert_eq!(a.next_notification().await, GROUP);
    assert_eq!(b.next_notification().await, GROUP);
    assert_eq!(c.next_notification().await, GROUP);

    let header = GetConsumerConnectionListRequestHeader {
        consumer_group: GROUP.into(),
    };
    let resp = cluster
        .invoke(RemotingCommand::request(
            request_code::GET_CONSUMER_CONNECTION_LIST,
            &header,
        ))
        .await;
    assert_eq!(resp.code, response_code::SUCCESS, "{:?}", resp.remark);
    let conn: ConsumerConnection = from_json_lenient(&resp.body.to_bytes()).expect("decodes");
    assert_eq!(conn.connection_set.len(), 3);
    assert!(conn.subscription_table.contains_key(TOPIC));
    assert!(
        conn.connection_set
            .iter()
            .all(|c| c.language == "RUST" && c.client_addr.starts_with("127.0.0.1:"))
    );

    // B unregisters: A and C are told.
    let header = UnregisterClientRequestHeader {
        client_id: b.id.clone(),
        producer_group: Some("hb-producer".into()),
        consumer_group: Some(GROUP.into()),
    };
    let resp = b
        .call(
            &cluster,
            RemotingCommand::request(request_code::UNREGISTER_CLIENT, &header),
        )
        .await;
    assert_eq!(resp.code, response_code::SUCCESS);
    assert_eq!(a.next_notification().await, GROUP);
    assert_eq!(c.next_notification().await, GROUP);
    assert_eq!(
        ids_of(&consumer_ids(&cluster).await),
        ["127.0.0.1@a", "127.0.0.1@c"]
    );

    // C's connection closes: A is told.
    c.client.shutdown();
    assert_eq!(a.next_notification().await, GROUP);
    assert_eq!(ids_of(&consumer_ids(&cluster).await), ["127.0.0.1@a"]);
    assert!(
        b.notified.try_recv().is_err(),
        "a member that left hears nothing more"
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_v2_reports_subscription_changes() {
    let cluster = TestCluster::start().await;
    let a = Member::new("127.0.0.1@v2");
    let send = |fingerprint: i32, without_sub: bool| {
        let data = HeartbeatData {
            client_id: a.id.clone(),
            heartbeat_fingerprint: fingerprint,
            without_sub,
            consumer_data_set: vec![ConsumerData {
                group_name: GROUP.into(),
                subscription_data_set: if without_sub {
                    Vec::new()
                } else {
                    vec![SubscriptionData {
                        topic: TOPIC.into(),
                        ..SubscriptionData::default()
                    }]
                },
                ..ConsumerData::default()
            }],
            ..HeartbeatData::default()
        };
        RemotingCommand::request_no_header(request_code::HEART_BEAT)
            .with_body(to_json(&data, JsonStyle::Standard).expect("encodes"))
    };
    let sub_change = |resp: &RemotingCommand| resp.ext_fields.get("IS_SUB_CHANGE").cloned();
    let first = a.call(&cluster, send(11, false)).await;
    assert_eq!(
        sub_change(&first).as_deref(),
        Some("false"),
        "first V2 heartbeat of the group"
    );
    let same = a.call(&cluster, send(11, true)).await;
    assert_eq!(sub_change(&same).as_deref(), Some("false"));
    let ctx = cluster.broker().context();
    assert!(
        ctx.consumers.find_subscription(GROUP, TOPIC).is_some(),
        "withoutSub keeps subscriptions"
    );
    let changed = a.call(&cluster, send(12, false)).await;
    assert_eq!(sub_change(&changed).as_deref(), Some("true"));
    // A malformed body is refused and the broker keeps serving.
    let bad =
        RemotingCommand::request_no_header(request_code::HEART_BEAT).with_body(&b"{not json"[..]);
    assert_eq!(
        a.call(&cluster, bad).await.code,
        response_code::SYSTEM_ERROR
    );
    assert_eq!(
        a.call(&cluster, send(12, true)).await.code,
        response_code::SUCCESS
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_one_past_the_group_limit_is_refused() {
    let cluster = TestCluster::start().await;
    let max = ferromq_broker::processor::client_manage::HEARTBEAT_GROUPS_MAX;
    let data = HeartbeatData {
        client_id: "127.0.0.1@many".into(),
        producer_data_set: (0..=max)
            .map(|i| ProducerData {
                group_name: format!("p{i}"),
            })
            .collect(),
        ..HeartbeatData::default()
    };
    let cmd = RemotingCommand::request_no_header(request_code::HEART_BEAT)
        .with_body(to_json(&data, JsonStyle::Standard).expect("encodes"));
    let resp = cluster.invoke(cmd).await;
    assert_eq!(resp.code, response_code::SYSTEM_ERROR);
    assert!(
        cluster
            .broker()
            .context()
            .producers
            .group_names()
            .is_empty(),
        "nothing registered"
    );
    cluster.shutdown().await;
}
