//! Managers driven with real loopback connections: a tiny server hands each accepted
//! connection's channel to the test; clients record the notifications they receive.

use std::sync::Arc;
use std::time::Duration;

use ferromq_remoting::body::{ConsumeFromWhere, ConsumeType, MessageModel, SubscriptionData};
use ferromq_remoting::{
    Channel, ClientConfig, LanguageCode, ProcessorTable, RemotingClient, RemotingCommand,
    RemotingServer, ServerConfig, processor_fn, request_code,
};
use ferromq_store::config::ManualClock;
use tokio::sync::mpsc;

use super::*;

/// Request code the test server answers by handing over the connection's channel.
const HELLO: i32 = 9_001;
const WAIT: Duration = Duration::from_secs(5);

struct Rig {
    addr: String,
    channels: mpsc::UnboundedReceiver<Channel>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn rig() -> Rig {
    let (tx, channels) = mpsc::unbounded_channel();
    let mut server = RemotingServer::bind("127.0.0.1:0", ServerConfig::default())
        .await
        .expect("binds");
    server.register_processor(
        HELLO,
        processor_fn(move |ctx, req| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(ctx.channel().clone());
                Some(RemotingCommand::success_to(&req))
            }
        }),
    );
    let addr = server.local_addr().expect("addr").to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    Rig {
        addr,
        channels,
        _stop: stop,
    }
}

/// A client that records the consumer groups named in NOTIFY_CONSUMER_IDS_CHANGED.
struct TestClient {
    client: RemotingClient,
    notified: mpsc::UnboundedReceiver<String>,
}

impl TestClient {
    fn new() -> Self {
        let (tx, notified) = mpsc::unbounded_channel();
        let processors = ProcessorTable::new().with(
            request_code::NOTIFY_CONSUMER_IDS_CHANGED,
            processor_fn(move |_ctx, req: RemotingCommand| {
                let tx = tx.clone();
                async move {
                    let group = req
                        .ext_fields
                        .get("consumerGroup")
                        .cloned()
                        .unwrap_or_default();
                    let _ = tx.send(group);
                    None
                }
            }),
        );
        Self {
            client: RemotingClient::with_processors(ClientConfig::default(), processors),
            notified,
        }
    }

    /// Connects and returns the server side of the connection.
    async fn connect(&self, rig: &mut Rig) -> Channel {
        let hello = RemotingCommand::request_no_header(HELLO);
        self.client
            .invoke(&rig.addr, hello, WAIT)
            .await
            .expect("hello");
        tokio::time::timeout(WAIT, rig.channels.recv())
            .await
            .expect("in time")
            .expect("a channel")
    }

    async fn next_notification(&mut self) -> String {
        tokio::time::timeout(WAIT, self.notified.recv())
            .await
            .expect("notified in time")
            .expect("open")
    }

    fn no_notification(&mut self) -> bool {
        self.notified.try_recv().is_err()
    }
}

fn sub(topic: &str, version: i64) -> SubscriptionData {
    SubscriptionData {
        topic: topic.into(),
        sub_version: version,
        ..SubscriptionData::default()
    }
}

fn reg<'a>(group: &'a str, subs: &'a [SubscriptionData]) -> ConsumerRegistration<'a> {
    ConsumerRegistration {
        group,
        consume_type: ConsumeType::ConsumePassively,
        message_model: MessageModel::Clustering,
        consume_from_where: ConsumeFromWhere::ConsumeFromLastOffset,
        subscriptions: Some(subs),
        notify: true,
    }
}

fn member(channel: &Channel, id: &str) -> ClientChannelInfo {
    ClientChannelInfo::new(channel.clone(), id, LanguageCode::Java, 479)
}

#[tokio::test]
async fn join_and_leave_notify_the_other_members() {
    let mut rig = rig().await;
    let m = ConsumerManager::new();
    let mut a = TestClient::new();
    let mut b = TestClient::new();
    let ch_a = a.connect(&mut rig).await;
    let ch_b = b.connect(&mut rig).await;
    let subs = [sub("T", 1)];

    assert!(m.register(member(&ch_a, "a@1"), reg("g", &subs)));
    assert_eq!(a.next_notification().await, "g");
    // A heartbeat that changes nothing notifies nobody.
    assert!(!m.register(member(&ch_a, "a@1"), reg("g", &subs)));

    assert!(m.register(member(&ch_b, "b@1"), reg("g", &subs)));
    assert_eq!(a.next_notification().await, "g");
    assert_eq!(b.next_notification().await, "g");
    assert_eq!(m.client_ids("g"), ["a@1", "b@1"]);

    assert!(m.unregister("g", &ch_b, true));
    assert_eq!(a.next_notification().await, "g");
    assert_eq!(m.client_ids("g"), ["a@1"]);
    assert!(b.no_notification());
}

#[tokio::test]
async fn closed_connection_leaves_the_group_and_notifies() {
    let mut rig = rig().await;
    let m = ConsumerManager::new();
    let mut a = TestClient::new();
    let b = TestClient::new();
    let ch_a = a.connect(&mut rig).await;
    let ch_b = b.connect(&mut rig).await;
    let subs = [sub("T", 1)];
    m.register(member(&ch_a, "a@1"), reg("g", &subs));
    m.register(member(&ch_b, "b@1"), reg("g", &subs));
    assert_eq!(a.next_notification().await, "g");
    assert_eq!(a.next_notification().await, "g");

    b.client.shutdown();
    assert_eq!(a.next_notification().await, "g");
    assert_eq!(m.client_ids("g"), ["a@1"]);
}

#[tokio::test]
async fn broadcasting_and_disabled_groups_are_not_notified() {
    let mut rig = rig().await;
    let m = ConsumerManager::new();
    let mut a = TestClient::new();
    let ch_a = a.connect(&mut rig).await;
    let subs = [sub("T", 1)];
    let mut broadcast = reg("bg", &subs);
    broadcast.message_model = MessageModel::Broadcasting;
    assert!(m.register(member(&ch_a, "a@1"), broadcast));
    let mut quiet = reg("qg", &subs);
    quiet.notify = false;
    assert!(m.register(member(&ch_a, "a@1"), quiet));
    // A marker registration proves the earlier ones sent nothing (notifications are FIFO).
    m.register(member(&ch_a, "a@1"), reg("marker", &subs));
    assert_eq!(a.next_notification().await, "marker");
}

#[tokio::test]
async fn expired_members_are_dropped_and_closed() {
    let mut rig = rig().await;
    let clock = Arc::new(ManualClock::new(1_000_000));
    let m = ConsumerManager::with_clock(120_000, clock.clone());
    let mut a = TestClient::new();
    let b = TestClient::new();
    let ch_a = a.connect(&mut rig).await;
    let ch_b = b.connect(&mut rig).await;
    let subs = [sub("T", 1)];
    m.register(member(&ch_b, "b@1"), reg("g", &subs));
    clock.advance(60_000);
    m.register(member(&ch_a, "a@1"), reg("g", &subs));
    assert_eq!(a.next_notification().await, "g");
    clock.advance(60_001);
    assert_eq!(m.scan_not_active(), 1, "b is 120.001 s old, a 60.001 s");
    assert!(ch_b.is_closed());
    assert_eq!(a.next_notification().await, "g");
    assert_eq!(m.client_ids("g"), ["a@1"]);
}

#[tokio::test]
async fn subscriptions_follow_java_update_rules() {
    let mut rig = rig().await;
    let m = ConsumerManager::new();
    let a = TestClient::new();
    let ch = a.connect(&mut rig).await;
    m.register(member(&ch, "a@1"), reg("g", &[sub("T", 5), sub("U", 1)]));
    let mut newer = sub("T", 6);
    newer.sub_string = "x".into();
    // Same topic set, newer version: replaced, but not a "change".
    assert!(!m.register(member(&ch, "a@1"), reg("g", &[newer.clone(), sub("U", 1)])));
    assert_eq!(m.find_subscription("g", "T"), Some(newer));
    // Older version: ignored.
    m.register(member(&ch, "a@1"), reg("g", &[sub("T", 2), sub("U", 1)]));
    assert_eq!(
        m.find_subscription("g", "T").map(|s| s.sub_version),
        Some(6)
    );
    // A topic dropped: a change.
    assert!(m.register(member(&ch, "a@1"), reg("g", &[sub("T", 6)])));
    assert_eq!(m.find_subscription("g", "U"), None);
    assert_eq!(m.groups_of_topic("T").len(), 1);
    // Heartbeat V2 without subscriptions keeps them.
    let mut v2 = reg("g", &[]);
    v2.subscriptions = None;
    assert!(!m.register(member(&ch, "a@1"), v2));
    assert_eq!(m.subscription_count("g"), 1);
}

#[tokio::test]
async fn producers_register_expire_and_leave_on_close() {
    let mut rig = rig().await;
    let clock = Arc::new(ManualClock::new(0));
    let p = ProducerManager::with_clock(120_000, clock.clone());
    let a = TestClient::new();
    let b = TestClient::new();
    let ch_a = a.connect(&mut rig).await;
    let ch_b = b.connect(&mut rig).await;
    p.register("pg", member(&ch_a, "a@1"));
    p.register("pg", member(&ch_b, "b@1"));
    assert_eq!(p.connections("pg").map(|c| c.len()), Some(2));
    assert!(p.connections("nope").is_none());
    assert!(p.unregister("pg", &ch_b));
    clock.advance(120_001);
    assert_eq!(p.scan_not_active(), 1);
    assert!(p.group_names().is_empty());

    p.register("pg", member(&ch_b, "b@1"));
    b.client.shutdown();
    tokio::time::timeout(WAIT, async {
        while p.any_channel("pg").is_some() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("closed member dropped");
}

#[tokio::test]
async fn group_count_limit_is_enforced_one_past() {
    let mut rig = rig().await;
    let a = TestClient::new();
    let ch = a.connect(&mut rig).await;
    let subs = [sub("T", 1)];
    let m = ConsumerManager::new().with_groups_max(1);
    assert!(m.register(member(&ch, "a@1"), reg("g1", &subs)));
    assert!(!m.register(member(&ch, "a@1"), reg("g2", &subs)));
    assert_eq!(m.group_names().len(), 1);
    let p = ProducerManager::new().with_groups_max(1);
    p.register("p1", member(&ch, "a@1"));
    p.register("p2", member(&ch, "a@1"));
    assert!(p.connections("p2").is_none());
    assert!(p.connections("p1").is_some());
}
