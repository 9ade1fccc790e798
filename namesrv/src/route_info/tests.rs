//! RouteInfoManager without sockets: registration, queries, perms, expiry, closed channels.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ferromq_remoting::body::{DataVersion, TopicConfig, TopicConfigSerializeWrapper};

use super::{BrokerRegistration, RegisterBrokerResult, RouteInfoManager};

fn registration(
    name: &str,
    id: i64,
    addr: &str,
    topics: &[(&str, i32)],
    counter: i64,
) -> BrokerRegistration {
    let topic_config_table = topics
        .iter()
        .map(|&(topic, queues)| {
            let config = TopicConfig {
                read_queue_nums: queues,
                write_queue_nums: queues,
                ..TopicConfig::new(topic)
            };
            (topic.to_owned(), config)
        })
        .collect();
    BrokerRegistration {
        cluster_name: "DefaultCluster".into(),
        broker_addr: addr.into(),
        broker_name: name.into(),
        broker_id: id,
        ha_server_addr: format!("{addr}-ha"),
        topic_config_wrapper: TopicConfigSerializeWrapper {
            topic_config_table,
            data_version: DataVersion {
                counter,
                state_version: 0,
                timestamp: 1,
            },
        },
        ..BrokerRegistration::default()
    }
}

fn peer(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[test]
fn master_registration_creates_route() {
    let mut routes = RouteInfoManager::default();
    let result = routes.register_broker(
        registration("a", 0, "10.0.0.1:10911", &[("T", 8)], 1),
        Instant::now(),
    );
    assert_eq!(result, RegisterBrokerResult::default());
    let route = routes.topic_route("T").expect("route");
    assert_eq!(route.queue_datas.len(), 1);
    assert_eq!(route.queue_datas[0].read_queue_nums, 8);
    assert_eq!(
        route.broker_datas[0].broker_addrs,
        BTreeMap::from([(0, "10.0.0.1:10911".to_owned())])
    );
    assert!(routes.topic_route("Unknown").is_none());
}

#[test]
fn slave_learns_master_and_does_not_change_queues() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    let slave = registration("a", 1, "10.0.0.2:10911", &[("T", 8), ("SlaveOnly", 2)], 1);
    assert_eq!(
        routes.register_broker(slave.clone(), now),
        RegisterBrokerResult::default()
    );
    assert!(routes.topic_route("SlaveOnly").is_none());
    routes.register_broker(registration("a", 0, "10.0.0.1:10911", &[("T", 4)], 1), now);
    let result = routes.register_broker(slave, now);
    assert_eq!(result.master_addr.as_deref(), Some("10.0.0.1:10911"));
    assert_eq!(result.ha_server_addr.as_deref(), Some("10.0.0.1:10911-ha"));
    let route = routes.topic_route("T").expect("route");
    assert_eq!(route.queue_datas[0].read_queue_nums, 4);
    assert_eq!(route.broker_datas[0].broker_addrs.len(), 2);
}

#[test]
fn queue_data_changes_only_with_the_data_version() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    routes.register_broker(registration("a", 0, "m:1", &[("T", 8)], 1), now);
    routes.wipe_write_perm("a");
    // Same version: the wiped permission stays.
    routes.register_broker(registration("a", 0, "m:1", &[("T", 16)], 1), now);
    let queue = &routes.queue_datas("T")["a"];
    assert_eq!((queue.read_queue_nums, queue.perm), (8, 4));
    // New version: the broker's table is taken again.
    routes.register_broker(registration("a", 0, "m:1", &[("T", 16)], 2), now);
    let queue = &routes.queue_datas("T")["a"];
    assert_eq!((queue.read_queue_nums, queue.perm), (16, 6));
    // A new topic under the same version is still added.
    routes.register_broker(registration("a", 0, "m:1", &[("T", 16), ("U", 1)], 2), now);
    assert!(routes.topic_route("U").is_some());
}

#[test]
fn promoted_slave_keeps_one_id_per_address() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    routes.register_broker(registration("a", 1, "s:1", &[], 1), now);
    routes.register_broker(registration("a", 0, "s:1", &[("T", 1)], 1), now);
    let info = routes.cluster_info();
    assert_eq!(
        info.broker_addr_table["a"].broker_addrs,
        BTreeMap::from([(0, "s:1".to_owned())])
    );
}

#[test]
fn cluster_info_and_topic_lists() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    routes.register_broker(registration("a", 0, "a:1", &[("T", 1), ("U", 1)], 1), now);
    let mut other = registration("b", 0, "b:1", &[("V", 1)], 1);
    other.cluster_name = "Other".into();
    routes.register_broker(other, now);
    let info = routes.cluster_info();
    assert_eq!(info.cluster_addr_table.len(), 2);
    assert!(info.cluster_addr_table["Other"].contains("b"));
    assert_eq!(routes.all_topics().topic_list.len(), 3);
    let by_cluster = routes.topics_by_cluster("Other").topic_list;
    assert_eq!(by_cluster.into_iter().collect::<Vec<_>>(), ["V"]);
    assert!(routes.topics_by_cluster("Nope").topic_list.is_empty());
}

#[test]
fn delete_topic_everywhere_or_per_cluster() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    routes.register_broker(registration("a", 0, "a:1", &[("T", 1)], 1), now);
    let mut other = registration("b", 0, "b:1", &[("T", 1)], 1);
    other.cluster_name = "Other".into();
    routes.register_broker(other, now);
    assert!(routes.delete_topic("T", Some("Other")));
    assert_eq!(routes.queue_datas("T").keys().collect::<Vec<_>>(), ["a"]);
    assert!(!routes.delete_topic("T", Some("Nope")));
    assert!(routes.delete_topic("T", None));
    assert!(routes.topic_route("T").is_none());
    assert!(!routes.delete_topic("T", None));
}

#[test]
fn write_perm_wipe_and_add_count_topics() {
    let mut routes = RouteInfoManager::default();
    routes.register_broker(
        registration("a", 0, "a:1", &[("T", 1), ("U", 1)], 1),
        Instant::now(),
    );
    assert_eq!(routes.wipe_write_perm("a"), 2);
    assert_eq!(routes.queue_datas("U")["a"].perm, 4);
    assert_eq!(routes.add_write_perm("a"), 2);
    assert_eq!(routes.queue_datas("U")["a"].perm, 6);
    assert_eq!(routes.wipe_write_perm("missing"), 0);
}

#[test]
fn unregister_removes_address_then_broker_name() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    routes.register_broker(registration("a", 0, "m:1", &[("T", 1)], 1), now);
    routes.register_broker(registration("a", 1, "s:1", &[], 1), now);
    routes.unregister_broker("DefaultCluster", "m:1", "a", 0);
    let route = routes.topic_route("T").expect("slave still serves");
    assert_eq!(route.broker_datas[0].master_addr(), None);
    routes.unregister_broker("DefaultCluster", "s:1", "a", 1);
    assert!(routes.topic_route("T").is_none());
    assert!(routes.cluster_info().cluster_addr_table.is_empty());
    assert!(!routes.is_live("s:1"));
}

#[test]
fn data_version_query_and_refresh() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    let master = registration("a", 0, "m:1", &[("T", 1)], 5);
    let version = master.topic_config_wrapper.data_version.clone();
    routes.register_broker(master, now);
    assert!(!routes.is_data_version_changed("m:1", &version));
    assert!(routes.is_data_version_changed("other:1", &version));
    let mut newer = version.clone();
    newer.next_version(2);
    assert!(routes.is_data_version_changed("m:1", &newer));
    assert_eq!(routes.data_version("m:1"), Some(&version));
    assert!(routes.refresh_liveness("m:1", now));
    assert!(!routes.refresh_liveness("other:1", now));
}

#[test]
fn silent_brokers_expire_after_their_timeout() {
    let mut routes = RouteInfoManager::new(Duration::from_millis(200));
    let start = Instant::now();
    routes.register_broker(registration("a", 0, "m:1", &[("T", 1)], 1), start);
    let mut patient = registration("b", 0, "p:1", &[("U", 1)], 1);
    patient.heartbeat_timeout = Some(Duration::from_secs(10));
    routes.register_broker(patient, start);
    assert!(
        routes
            .scan_not_active_brokers(start + Duration::from_millis(200))
            .is_empty()
    );
    routes.refresh_liveness("m:1", start + Duration::from_millis(150));
    assert!(
        routes
            .scan_not_active_brokers(start + Duration::from_millis(300))
            .is_empty()
    );
    let expired = routes.scan_not_active_brokers(start + Duration::from_millis(351));
    let addrs: Vec<&str> = expired
        .iter()
        .map(|broker| broker.broker_addr.as_str())
        .collect();
    assert_eq!(addrs, ["m:1"]);
    assert!(routes.topic_route("T").is_none());
    assert!(routes.topic_route("U").is_some());
    assert!(!routes.cluster_info().broker_addr_table.contains_key("a"));
}

#[test]
fn closed_connection_removes_its_brokers_only() {
    let mut routes = RouteInfoManager::default();
    let now = Instant::now();
    let mut master = registration("a", 0, "m:1", &[("T", 1)], 1);
    master.channel = Some(peer(5000));
    routes.register_broker(master, now);
    let mut slave = registration("a", 1, "s:1", &[], 1);
    slave.channel = Some(peer(5001));
    routes.register_broker(slave, now);
    assert!(routes.on_connection_closed(peer(6000)).is_empty());
    assert_eq!(routes.on_connection_closed(peer(5000)), ["m:1"]);
    assert_eq!(
        routes.topic_route("T").expect("slave left").broker_datas[0]
            .broker_addrs
            .len(),
        1
    );
    assert_eq!(routes.on_connection_closed(peer(5001)), ["s:1"]);
    assert!(routes.topic_route("T").is_none());
}

#[test]
fn filter_servers_appear_in_routes() {
    let mut routes = RouteInfoManager::default();
    let mut master = registration("a", 0, "m:1", &[("T", 1)], 1);
    master.filter_server_list = vec!["f:1".into()];
    routes.register_broker(master, Instant::now());
    let route = routes.topic_route("T").expect("route");
    assert_eq!(route.filter_server_table["m:1"], ["f:1"]);
}
