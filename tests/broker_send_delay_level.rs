//! Delay levels (RocketMQ's `setDelayTimeLevel`): a message sent with DELAY=n is stored in
//! SCHEDULE_TOPIC_XXXX queue n-1 and reaches its real topic only after level n's delay,
//! with the same body, tags and UNIQ_KEY and without the schedule properties; order within
//! a level is kept, and delivery progress (delayOffset.json) survives restarts so each
//! message arrives exactly once.

mod common;

use common::{TestCluster, decode_pulled, props};
use ferromq_remoting::response_code;

const SCHEDULE_TOPIC: &str = "SCHEDULE_TOPIC_XXXX";

fn delayed(level: &str, uniq: &str) -> String {
    props(&[("TAGS", "tagA"), ("UNIQ_KEY", uniq), ("DELAY", level)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_messages_arrive_after_their_level_in_order() {
    let cluster = TestCluster::start_with(|c| c.message_delay_level = "1s 200ms".into()).await;
    let first = cluster.send("DelayT", b"m0", &delayed("1", "U0")).await;
    assert_eq!(first.code, response_code::SUCCESS, "{:?}", first.remark);
    assert_eq!(
        first.ext_fields.get("queueOffset").map(String::as_str),
        Some("0")
    );
    let store = std::sync::Arc::clone(&cluster.broker().context().store);
    assert_eq!(
        store.max_offset("DelayT", 0),
        0,
        "not visible before its delay"
    );
    assert_eq!(
        store.max_offset(SCHEDULE_TOPIC, 0),
        1,
        "held in queue level-1"
    );
    for (body, uniq) in [(b"m1", "U1"), (b"m2", "U2")] {
        let resp = cluster.send("DelayT", body, &delayed("1", uniq)).await;
        assert_eq!(resp.code, response_code::SUCCESS);
    }

    assert_eq!(cluster.wait_queue_len("DelayT", 0, 3).await, 3);
    let resp = cluster.pull("DelayT", 0, 0).await;
    assert_eq!(resp.code, response_code::SUCCESS);
    let msgs = decode_pulled(&resp.body.to_bytes());
    let bodies: Vec<&[u8]> = msgs.iter().map(|m| m.body.as_slice()).collect();
    assert_eq!(
        bodies,
        [b"m0", b"m1", b"m2"],
        "order within a level is kept"
    );
    for (i, m) in msgs.iter().enumerate() {
        assert_eq!(m.topic, "DelayT");
        assert_eq!(m.property("TAGS"), Some("tagA"));
        assert_eq!(m.property("UNIQ_KEY"), Some(format!("U{i}").as_str()));
        for gone in ["DELAY", "REAL_TOPIC", "REAL_QID"] {
            assert_eq!(m.property(gone), None, "{gone} cleared");
        }
    }

    // Levels above the highest clamp to it; level 0 means no delay.
    let clamped = cluster.send("DelayClamp", b"c", &delayed("99", "C")).await;
    assert_eq!(clamped.code, response_code::SUCCESS);
    assert_eq!(store.max_offset(SCHEDULE_TOPIC, 1), 1, "stored at level 2");
    let sched = cluster.pull(SCHEDULE_TOPIC, 1, 0).await;
    let held = decode_pulled(&sched.body.to_bytes());
    assert_eq!(held[0].property("REAL_TOPIC"), Some("DelayClamp"));
    assert_eq!(held[0].property("REAL_QID"), Some("0"));
    assert_eq!(held[0].property("DELAY"), Some("2"));
    assert_eq!(cluster.wait_queue_len("DelayClamp", 0, 1).await, 1);
    let now = cluster.send("DelayNone", b"n", &delayed("0", "N")).await;
    assert_eq!(now.code, response_code::SUCCESS);
    assert_eq!(
        store.max_offset("DelayNone", 0),
        1,
        "level 0 is stored at once"
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_progress_survives_restarts_exactly_once() {
    let mut cluster = TestCluster::start_with(|c| c.message_delay_level = "500ms".into()).await;
    let resp = cluster.send("DelayR", b"before", &delayed("1", "B")).await;
    assert_eq!(resp.code, response_code::SUCCESS);
    cluster.restart().await;
    assert_eq!(cluster.wait_queue_len("DelayR", 0, 1).await, 1);

    cluster.restart().await;
    let file = cluster
        .config
        .store_path_root_dir
        .join("config/delayOffset.json");
    let text = std::fs::read_to_string(&file).expect("delayOffset.json written");
    assert!(text.contains("\"offsetTable\":{1:1}"), "{text}");
    // A message sent now is delivered after `before` would be if it were redelivered.
    let resp = cluster.send("DelayR", b"after", &delayed("1", "A")).await;
    assert_eq!(resp.code, response_code::SUCCESS);
    assert_eq!(cluster.wait_queue_len("DelayR", 0, 2).await, 2);
    let pulled = decode_pulled(&cluster.pull("DelayR", 0, 0).await.body.to_bytes());
    let bodies: Vec<&[u8]> = pulled.iter().map(|m| m.body.as_slice()).collect();
    assert_eq!(
        bodies,
        [b"before".as_slice(), b"after"],
        "each delivered once"
    );
    cluster.shutdown().await;
}
