//! Reads of the route tables, and the admin edits of topics and write permission.

use std::collections::BTreeMap;

use ferromq_remoting::body::{ClusterInfo, TopicList, TopicRouteData};
use ferromq_remoting::flags::perm;

use super::RouteInfoManager;

impl RouteInfoManager {
    /// Route of `topic`; `None` (TOPIC_NOT_EXIST) when no live broker group serves it.
    /// `order_topic_conf` is left for the caller, which owns the KV config.
    pub fn topic_route(&self, topic: &str) -> Option<TopicRouteData> {
        let queues = self.topic_queue_table.get(topic)?;
        let mut route = TopicRouteData::default();
        for (broker_name, queue_data) in queues {
            route.queue_datas.push(queue_data.clone());
            let Some(broker_data) = self.broker_addr_table.get(broker_name) else {
                continue;
            };
            for addr in broker_data.broker_addrs.values() {
                if let Some(servers) = self.filter_server_table.get(addr) {
                    route
                        .filter_server_table
                        .insert(addr.clone(), servers.clone());
                }
            }
            route.broker_datas.push(broker_data.clone());
        }
        if route.queue_datas.is_empty() || route.broker_datas.is_empty() {
            return None;
        }
        Some(route)
    }

    /// Every broker group and cluster.
    pub fn cluster_info(&self) -> ClusterInfo {
        ClusterInfo {
            broker_addr_table: self.broker_addr_table.clone(),
            cluster_addr_table: self.cluster_addr_table.clone(),
        }
    }

    /// Every topic with queue data.
    pub fn all_topics(&self) -> TopicList {
        TopicList {
            topic_list: self.topic_queue_table.keys().cloned().collect(),
            broker_addr: None,
        }
    }

    /// Topics served by at least one broker group of `cluster_name`.
    pub fn topics_by_cluster(&self, cluster_name: &str) -> TopicList {
        let Some(broker_names) = self.cluster_addr_table.get(cluster_name) else {
            return TopicList::default();
        };
        let topic_list = self
            .topic_queue_table
            .iter()
            .filter(|(_, queues)| queues.keys().any(|name| broker_names.contains(name)))
            .map(|(topic, _)| topic.clone())
            .collect();
        TopicList {
            topic_list,
            broker_addr: None,
        }
    }

    /// Deletes a topic's queue data: from the brokers of `cluster_name` only when given, else
    /// everywhere. Returns whether anything was removed.
    pub fn delete_topic(&mut self, topic: &str, cluster_name: Option<&str>) -> bool {
        let Some(cluster_name) = cluster_name.filter(|name| !name.is_empty()) else {
            return self.topic_queue_table.remove(topic).is_some();
        };
        let (Some(broker_names), Some(queues)) = (
            self.cluster_addr_table.get(cluster_name),
            self.topic_queue_table.get_mut(topic),
        ) else {
            return false;
        };
        let before = queues.len();
        queues.retain(|broker_name, _| !broker_names.contains(broker_name));
        let removed = queues.len() != before;
        if queues.is_empty() {
            self.topic_queue_table.remove(topic);
        }
        removed
    }

    /// Clears the WRITE bit of every topic on `broker_name`; returns how many topics it had.
    pub fn wipe_write_perm(&mut self, broker_name: &str) -> usize {
        self.edit_perm(broker_name, |bits| bits & !perm::WRITE)
    }

    /// Sets the WRITE bit of every topic on `broker_name`; returns how many topics it had.
    pub fn add_write_perm(&mut self, broker_name: &str) -> usize {
        self.edit_perm(broker_name, |bits| bits | perm::WRITE)
    }

    fn edit_perm(&mut self, broker_name: &str, edit: impl Fn(i32) -> i32) -> usize {
        let mut topic_count = 0;
        for queues in self.topic_queue_table.values_mut() {
            if let Some(queue_data) = queues.get_mut(broker_name) {
                queue_data.perm = edit(queue_data.perm);
                topic_count += 1;
            }
        }
        topic_count
    }

    /// Queue data of `topic` by broker name (for tests and admin tools).
    pub fn queue_datas(&self, topic: &str) -> BTreeMap<String, ferromq_remoting::body::QueueData> {
        self.topic_queue_table
            .get(topic)
            .cloned()
            .unwrap_or_default()
    }
}
