use std::fs;

use super::*;
use crate::offset::config_file::tmp_path;

#[test]
fn defaults_match_rocketmq() {
    let c = SubscriptionGroupConfig::new("g");
    assert!(c.consume_enable && c.consume_from_min_enable && c.consume_broadcast_enable);
    assert!(c.notify_consumer_ids_changed_enable);
    assert_eq!((c.retry_queue_nums, c.retry_max_times), (1, 16));
    assert_eq!((c.broker_id, c.which_broker_when_consume_slowly), (0, 1));
    assert_eq!(c.consume_timeout_minute, 15);
    let json = serde_json::to_value(&c).expect("serializes");
    assert_eq!(json["groupName"], "g");
    assert_eq!(json["whichBrokerWhenConsumeSlowly"], 1);
    assert_eq!(json["groupRetryPolicy"]["type"], "CUSTOMIZED");
    assert!(
        json.get("subscriptionDataSet").is_none(),
        "null fields are omitted"
    );
}

#[test]
fn built_in_groups_exist_and_auto_create_persists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = SubscriptionGroupManager::load(dir.path(), true).expect("loads");
    assert!(m.find("TOOLS_CONSUMER").is_some());
    assert!(m.find("cg").is_none());
    let created = m.find_or_create("cg").expect("auto-created");
    assert_eq!(created.group_name, "cg");
    assert!(
        m.find_or_create("bad group!").is_none(),
        "invalid names are not created"
    );

    let m2 = SubscriptionGroupManager::load(dir.path(), true).expect("reloads");
    assert_eq!(m2.find("cg"), Some(created));
    assert!(m2.data_version().counter >= 1);
}

#[test]
fn auto_create_off_creates_only_system_groups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = SubscriptionGroupManager::load(dir.path(), false).expect("loads");
    assert!(m.find_or_create("cg").is_none());
    assert!(m.find_or_create("CID_RMQ_SYS_X").is_some());
}

#[test]
fn update_delete_and_reload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = SubscriptionGroupManager::load(dir.path(), true).expect("loads");
    let mut c = SubscriptionGroupConfig::new("cg");
    c.retry_max_times = 3;
    c.notify_consumer_ids_changed_enable = false;
    m.update(c.clone()).expect("updates");
    assert!(matches!(
        m.update(SubscriptionGroupConfig::new("a b")),
        Err(BrokerError::GroupInvalid { .. })
    ));
    let m2 = SubscriptionGroupManager::load(dir.path(), true).expect("reloads");
    assert_eq!(m2.find("cg"), Some(c));
    assert!(m2.delete("cg").expect("deletes").is_some());
    assert!(m2.delete("cg").expect("no-op").is_none());
    let m3 = SubscriptionGroupManager::load(dir.path(), true).expect("reloads");
    assert!(m3.find("cg").is_none());
}

#[test]
fn java_written_file_with_unknown_fields_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"{"dataVersion":{"counter":7,"stateVersion":0,"timestamp":1700000000000},
      "forbiddenTable":{},
      "subscriptionGroupTable":{"cg":{"brokerId":0,"consumeBroadcastEnable":true,
        "consumeEnable":false,"consumeFromMinEnable":true,"groupName":"cg",
        "groupRetryPolicy":{"type":"EXPONENTIAL","exponentialRetryPolicy":{"initial":1000}},
        "notifyConsumerIdsChangedEnable":true,"retryMaxTimes":16,"retryQueueNums":1,
        "whichBrokerWhenConsumeSlowly":1,"futureField":{"x":1}}}}"#;
    fs::write(dir.path().join(SUBSCRIPTION_GROUP_FILE_NAME), text).expect("writes");
    let m = SubscriptionGroupManager::load(dir.path(), true).expect("loads");
    let c = m.find("cg").expect("loaded");
    assert!(!c.consume_enable);
    assert_eq!(c.extra.len(), 1, "futureField is kept");
    m.persist().expect("persists");
    let back: serde_json::Value =
        serde_json::from_slice(&fs::read(m.file_path()).expect("reads")).expect("standard JSON");
    let cg = &back["subscriptionGroupTable"]["cg"];
    assert_eq!(cg["futureField"]["x"], 1);
    assert_eq!(cg["groupRetryPolicy"]["type"], "EXPONENTIAL");
    assert_eq!(back["dataVersion"]["counter"], 7);
    assert!(back["subscriptionGroupTable"]["TOOLS_CONSUMER"].is_object());
}

#[test]
fn failed_persist_keeps_the_old_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = SubscriptionGroupManager::load(dir.path(), true).expect("loads");
    m.update(SubscriptionGroupConfig::new("a"))
        .expect("updates");
    let before = fs::read(m.file_path()).expect("reads");
    fs::create_dir(tmp_path(m.file_path())).expect("blocks the temp file");
    assert!(m.update(SubscriptionGroupConfig::new("b")).is_err());
    assert_eq!(fs::read(m.file_path()).expect("reads"), before);
}

#[test]
fn group_name_rules() {
    assert!(validate_group("CID_a-b|%").is_ok());
    assert!(validate_group(&"g".repeat(GROUP_NAME_LEN_MAX)).is_ok());
    assert!(validate_group(&"g".repeat(GROUP_NAME_LEN_MAX + 1)).is_err());
    assert!(validate_group("").is_err());
    assert!(validate_group("a@b").is_err());
    assert!(validate_group("é").is_err());
}

#[test]
fn group_count_limit_is_enforced_one_past() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut m = SubscriptionGroupManager::load(dir.path(), true).expect("loads");
    m.set_groups_max(BUILT_IN_GROUPS.len() + 1);
    assert!(m.find_or_create("last-one").is_some());
    assert!(m.find_or_create("one-past").is_none());
    assert!(m.update(SubscriptionGroupConfig::new("one-past")).is_err());
    // Updating an existing group is still allowed at the limit.
    m.update(SubscriptionGroupConfig::new("last-one"))
        .expect("updates");
}
