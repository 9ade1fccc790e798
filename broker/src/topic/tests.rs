use std::sync::Arc;

use ferromq_remoting::body::TopicConfig;
use tokio::sync::Notify;

use super::*;
use crate::config::BrokerConfig;
use crate::error::BrokerError;

fn config(auto_create: bool) -> BrokerConfig {
    BrokerConfig {
        auto_create_topic_enable: auto_create,
        broker_cluster_name: "C1".into(),
        broker_name: "b1".into(),
        ..BrokerConfig::default()
    }
}

fn load(dir: &std::path::Path, auto_create: bool) -> (TopicConfigManager, Arc<Notify>) {
    let notify = Arc::new(Notify::new());
    let m = TopicConfigManager::load(dir, &config(auto_create), Arc::clone(&notify));
    (m.expect("loads"), notify)
}

#[test]
fn system_topics_exist_after_first_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (m, _) = load(dir.path(), true);
    let tbw = m.find(AUTO_CREATE_TOPIC_KEY_TOPIC).expect("TBW102");
    assert_eq!((tbw.perm, tbw.write_queue_nums), (7, 8));
    for t in [SELF_TEST_TOPIC, OFFSET_MOVED_EVENT, "C1", "b1"] {
        assert!(m.contains(t), "{t}");
    }
    assert_eq!(m.find("b1").map(|c| c.write_queue_nums), Some(1));
    assert!(dir.path().join(TOPICS_FILE).exists());
}

#[test]
fn changes_bump_the_version_persist_and_notify() -> Result<(), BrokerError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (m, notify) = load(dir.path(), true);
    let v0 = m.data_version();
    let mut cfg = TopicConfig::new("T1");
    cfg.read_queue_nums = 3;
    cfg.write_queue_nums = 2;
    m.create_or_update(cfg.clone())?;
    assert!(m.data_version().counter > v0.counter);
    let woke = notify.notified();
    tokio::pin!(woke);
    assert!(
        woke.as_mut().enable(),
        "a permit is stored for the registration loop"
    );
    drop(m);
    let (m, _) = load(dir.path(), true);
    assert_eq!(m.find("T1"), Some(cfg));
    let v1 = m.data_version();
    assert!(m.delete("T1")?.is_some());
    assert!(m.delete("T1")?.is_none());
    assert!(m.data_version().counter > v1.counter);
    drop(m);
    let (m, _) = load(dir.path(), true);
    assert!(!m.contains("T1"));
    assert!(dir.path().join("topics.json.bak").exists());
    Ok(())
}

#[test]
fn auto_create_inherits_from_the_template_without_inherit() -> Result<(), BrokerError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (m, _) = load(dir.path(), true);
    let cfg = m.create_in_send("New", AUTO_CREATE_TOPIC_KEY_TOPIC, 4, 0)?;
    let cfg = cfg.expect("created");
    assert_eq!(
        (cfg.read_queue_nums, cfg.write_queue_nums, cfg.perm),
        (4, 4, 6)
    );
    let big = m.create_in_send("Big", AUTO_CREATE_TOPIC_KEY_TOPIC, 100, 0)?;
    assert_eq!(big.map(|c| c.write_queue_nums), Some(8));
    assert!(m.create_in_send("X", "NoSuchTemplate", 4, 0)?.is_none());
    assert!(m.create_in_send("X", SELF_TEST_TOPIC, 4, 0)?.is_none());
    Ok(())
}

#[test]
fn auto_create_off_refuses_even_with_a_stored_template() -> Result<(), BrokerError> {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(load(dir.path(), true));
    let (m, _) = load(dir.path(), false);
    assert_eq!(m.find(AUTO_CREATE_TOPIC_KEY_TOPIC).map(|c| c.perm), Some(6));
    assert!(
        m.create_in_send("New", AUTO_CREATE_TOPIC_KEY_TOPIC, 4, 0)?
            .is_none()
    );
    let fresh = tempfile::tempdir().expect("tempdir");
    let (m, _) = load(fresh.path(), false);
    assert!(!m.contains(AUTO_CREATE_TOPIC_KEY_TOPIC));
    Ok(())
}

#[test]
fn retry_topics_are_created_once_and_bad_names_refused() -> Result<(), BrokerError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (m, _) = load(dir.path(), false);
    let retry = retry_topic("g1");
    let cfg = m.create_system_like(&retry, 1, 6, 0)?;
    assert_eq!((cfg.write_queue_nums, cfg.perm), (1, 6));
    let v = m.data_version();
    m.create_system_like(&retry, 5, 2, 0)?;
    assert_eq!(m.data_version(), v, "existing topic left alone");
    let err = m.create_or_update(TopicConfig::new("bad name"));
    assert!(matches!(err, Err(BrokerError::TopicInvalid { .. })));
    let mut huge = TopicConfig::new("Huge");
    huge.write_queue_nums = TOPIC_QUEUE_NUMS_MAX + 1;
    assert!(m.create_or_update(huge).is_err());
    Ok(())
}

#[test]
fn topic_count_limit_is_enforced_one_past() -> Result<(), BrokerError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut m, _) = load(dir.path(), true);
    let now = m.topic_names().len();
    m.set_topics_max(now + 1);
    m.create_or_update(TopicConfig::new("Last"))?;
    assert!(m.create_or_update(TopicConfig::new("OnePast")).is_err());
    assert!(
        m.create_in_send("OnePast", AUTO_CREATE_TOPIC_KEY_TOPIC, 4, 0)
            .is_err()
    );
    m.create_or_update(TopicConfig::new("Last"))?;
    Ok(())
}

#[test]
fn corrupt_file_falls_back_to_the_backup() -> Result<(), BrokerError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let (m, _) = load(dir.path(), true);
    m.create_or_update(TopicConfig::new("Kept"))?;
    m.create_or_update(TopicConfig::new("Kept2"))?;
    drop(m);
    std::fs::write(dir.path().join(TOPICS_FILE), b"{not json").expect("write");
    let (m, _) = load(dir.path(), true);
    assert!(m.contains("Kept"));
    Ok(())
}
