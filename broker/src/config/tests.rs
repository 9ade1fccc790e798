use super::*;

#[test]
fn defaults_are_rocketmq_defaults() {
    let c = BrokerConfig::default();
    let p = c.to_properties();
    for line in [
        "brokerClusterName=DefaultCluster",
        "brokerName=broker-a",
        "brokerId=0",
        "brokerRole=ASYNC_MASTER",
        "flushDiskType=ASYNC_FLUSH",
        "listenPort=10911",
        "deleteWhen=04",
        "fileReservedTime=72",
        "diskMaxUsedSpaceRatio=75",
        "autoCreateTopicEnable=true",
        "defaultTopicQueueNums=8",
        "maxMessageSize=4194304",
        "brokerIP1=127.0.0.1",
        "registerNameServerPeriod=30000",
    ] {
        assert!(p.lines().any(|l| l == line), "missing {line} in\n{p}");
    }
    assert!(c.store_path_root_dir.ends_with("store"));
}

#[test]
fn properties_round_trip_and_unknown_keys_are_not_fatal() -> Result<(), BrokerError> {
    let mut c = BrokerConfig::default();
    let text = "# c\nbrokerName = b1\nbrokerRole=SYNC_MASTER\nflushDiskType:SYNC_FLUSH\n\
        namesrvAddr=127.0.0.1:9876;127.0.0.1:9877\nstorePathRootDir=/tmp/x\n\
        mappedFileSizeConsumeQueue=2000\nnoSuchKey=1\nsendMessageThreadPoolNums=4\n";
    c.apply_properties(text, "t")?;
    assert_eq!(c.broker_name, "b1");
    assert_eq!(c.namesrv_addr.len(), 2);
    assert_eq!(c.store_config().mapped_file_size_consume_queue_entries, 100);
    // -p prints the effective commit log directory, which then reads back as set.
    c.store_path_commit_log = Some(c.commit_log_dir());
    let mut again = BrokerConfig::default();
    again.apply_properties(&c.to_properties(), "printed")?;
    assert_eq!(again, c);
    Ok(())
}

#[test]
fn bad_values_name_their_line_and_key() {
    let mut c = BrokerConfig::default();
    let err = c.apply_properties("a=b\nbrokerRole=MASTER\n", "f");
    let Err(BrokerError::ConfigValue { line, key, .. }) = err else {
        panic!("expected ConfigValue, got {err:?}");
    };
    assert_eq!((line, key.as_str()), (2, "brokerRole"));
    assert!(c.set("diskMaxUsedSpaceRatio", "101").is_err());
    assert!(c.set("namesrvAddr", "nohost").is_err());
    assert!(c.set("defaultTopicQueueNums", "0").is_err());
}

#[test]
fn commit_log_elsewhere_is_refused() {
    let mut c = BrokerConfig::default();
    c.store_path_commit_log = Some(c.commit_log_dir());
    assert!(c.validate().is_ok());
    c.store_path_commit_log = Some(PathBuf::from("/elsewhere"));
    assert!(c.validate().is_err());
}

#[test]
fn io_backend_key_picks_the_store_backend() {
    let mut c = BrokerConfig::default();
    assert_eq!(c.io_backend, "mmap");
    assert!(matches!(c.store_config().backend, BackendChoice::Mmap));
    assert!(c.set("ioBackend", "IO-URING").is_ok());
    assert_eq!(c.io_backend, "io_uring");
    assert!(matches!(c.store_config().backend, BackendChoice::IoUring));
    assert!(c.to_properties().contains("ioBackend=io_uring"));
    assert!(c.set("ioBackend", "aio").is_err());
    assert_eq!(c.io_backend, "io_uring");
    c.io_backend = "aio".into();
    assert!(c.validate().is_err());
}

#[test]
fn message_delay_level_is_checked_and_printed() {
    let mut c = BrokerConfig::default();
    assert!(
        c.to_properties().contains(
            "messageDelayLevel=1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"
        )
    );
    c.set("messageDelayLevel", " 100ms 2s ").expect("accepted");
    assert_eq!(c.message_delay_level, "100ms 2s");
    assert!(c.set("messageDelayLevel", "2 seconds").is_err());
    assert!(c.set("messageDelayLevel", "").is_err());
    assert_eq!(
        c.message_delay_level, "100ms 2s",
        "a refused value changes nothing"
    );
}
