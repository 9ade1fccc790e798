use std::fs;

use super::config_file::{bak_path, tmp_path};
use super::*;

#[test]
fn commit_query_persist_and_reload() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    assert_eq!(m.query("G", "T", 0), None);
    m.commit("G", "T", 0, 12);
    m.commit("G", "T", 1, 7);
    m.commit("G2", "%RETRY%G2", 0, 3);
    m.persist().expect("persists");
    drop(m);

    let m = ConsumerOffsetManager::load(dir.path()).expect("reloads");
    assert_eq!(m.query("G", "T", 0), Some(12));
    assert_eq!(m.query("G", "T", 1), Some(7));
    assert_eq!(m.query("G2", "%RETRY%G2", 0), Some(3));
    assert_eq!(
        m.queue_offsets("G", "T"),
        QueueOffsets::from([(0, 12), (1, 7)])
    );
    assert_eq!(m.topics_of_group("G"), BTreeSet::from(["T".to_owned()]));
    assert_eq!(m.groups_of_topic("T"), BTreeSet::from(["G".to_owned()]));
}

#[test]
fn last_commit_wins_even_when_lower() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    m.commit("G", "T", 0, 100);
    m.commit("G", "T", 0, 40);
    assert_eq!(m.query("G", "T", 0), Some(40));
}

#[test]
fn written_file_is_standard_json_with_the_rocketmq_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    m.commit("G", "T", 3, 9);
    m.persist().expect("persists");
    let text = fs::read(dir.path().join(CONSUMER_OFFSET_FILE_NAME)).expect("reads");
    let value: serde_json::Value = serde_json::from_slice(&text).expect("standard JSON");
    assert_eq!(value["offsetTable"]["T@G"]["3"], 9);
    assert!(value["dataVersion"]["counter"].is_i64());
}

#[test]
fn hand_written_fastjson_file_with_unquoted_keys_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = r#"{
	"offsetTable":{
		"TopicTest@please_rename_unique_group_name_4":{0:250,1:248,2:251,3:249},
		"%RETRY%please_rename_unique_group_name_4@please_rename_unique_group_name_4":{0:0},
		"bad-key":{0:1},
		"T@G":{-1:5,2:-3,4:6}
	}
}"#;
    fs::write(dir.path().join(CONSUMER_OFFSET_FILE_NAME), text).expect("writes");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    let g = "please_rename_unique_group_name_4";
    assert_eq!(m.query(g, "TopicTest", 2), Some(251));
    assert_eq!(
        m.query(g, "%RETRY%please_rename_unique_group_name_4", 0),
        Some(0)
    );
    assert_eq!(m.queue_offsets("G", "T"), QueueOffsets::from([(4, 6)]));
    assert!(m.snapshot().offset_table.keys().all(|k| k.contains('@')));
}

#[test]
fn failed_persist_keeps_the_previous_file_and_retries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    m.commit("G", "T", 0, 1);
    m.persist().expect("persists");
    let path = dir.path().join(CONSUMER_OFFSET_FILE_NAME);
    let before = fs::read(&path).expect("reads");

    m.commit("G", "T", 0, 2);
    fs::create_dir(tmp_path(&path)).expect("blocks the temp file");
    assert!(m.persist().is_err());
    assert_eq!(fs::read(&path).expect("reads"), before);

    fs::remove_dir(tmp_path(&path)).expect("unblocks");
    m.persist().expect("retry persists the change");
    let m2 = ConsumerOffsetManager::load(dir.path()).expect("reloads");
    assert_eq!(m2.query("G", "T", 0), Some(2));
    // The previous content is the backup.
    let bak = fs::read(bak_path(&path)).expect("backup exists");
    assert_eq!(bak, before);
}

#[test]
fn corrupt_file_falls_back_to_backup_and_without_one_refuses_to_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    m.commit("G", "T", 0, 5);
    m.persist().expect("persists");
    m.commit("G", "T", 0, 6);
    m.persist().expect("persists; backup holds 5");
    let path = dir.path().join(CONSUMER_OFFSET_FILE_NAME);
    fs::write(&path, b"{\"offsetTable\":{\"T@G\":{0:").expect("tears the file");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads the backup");
    assert_eq!(m.query("G", "T", 0), Some(5));

    fs::remove_file(bak_path(&path)).expect("removes backup");
    let err = ConsumerOffsetManager::load(dir.path()).expect_err("refuses");
    assert!(
        matches!(err, BrokerError::ConfigFileInvalid { .. }),
        "{err:?}"
    );
}

#[test]
fn remove_topic_and_group() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    m.commit("G1", "T", 0, 1);
    m.commit("G2", "T", 0, 2);
    m.commit("G1", "U", 0, 3);
    m.commit_pull_offset("G2", "T", 0, 9);
    assert_eq!(m.remove_topic("T"), 2);
    assert_eq!(m.query("G1", "T", 0), None);
    assert_eq!(m.query_pull_offset("G2", "T", 0), None);
    assert_eq!(m.query("G1", "U", 0), Some(3));
    assert_eq!(m.remove_group("G1"), 1);
    assert!(m.snapshot().offset_table.is_empty());
    assert_eq!(m.remove_topic("nothing"), 0);
}

#[test]
fn persist_skips_when_nothing_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = ConsumerOffsetManager::load(dir.path()).expect("loads");
    m.commit("G", "T", 0, 1);
    m.persist().expect("persists");
    let path = dir.path().join(CONSUMER_OFFSET_FILE_NAME);
    fs::write(&path, b"{\"offsetTable\":{}}").expect("overwrites behind its back");
    m.commit("G", "T", 0, 1);
    m.persist().expect("no change, no write");
    assert_eq!(fs::read(&path).expect("reads"), b"{\"offsetTable\":{}}");
}

#[test]
fn key_helpers() {
    assert_eq!(topic_group_key("T", "G"), "T@G");
    assert_eq!(split_topic_group_key("T@G@x"), Some(("T", "G@x")));
    assert_eq!(split_topic_group_key("@G"), None);
    assert_eq!(split_topic_group_key("TG"), None);
}
