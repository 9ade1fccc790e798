//! Registration with the name servers (spec 3.5): REGISTER_BROKER to every name server at
//! start, every `registerNameServerPeriod`, and at once when the topic table changes;
//! UNREGISTER_BROKER at shutdown.

use std::sync::Arc;
use std::time::Duration;

use ferromq_remoting::body::RegisterBrokerBody;
use ferromq_remoting::flags::perm;
use ferromq_remoting::header::namesrv::{
    RegisterBrokerRequestHeader, RegisterBrokerResponseHeader, UnregisterBrokerRequestHeader,
};
use ferromq_remoting::net::{ClientConfig, RemotingClient};
use ferromq_remoting::{RemotingCommand, request_code, response_code, version};
use tokio::sync::{Notify, watch};

use crate::config::BrokerConfig;
use crate::error::BrokerError;
use crate::topic::TopicConfigManager;

/// Timeout of one UNREGISTER_BROKER call at shutdown.
const UNREGISTER_TIMEOUT_MS: u64 = 3000;

/// Registers one broker with every configured name server.
#[derive(Debug, Clone)]
pub struct BrokerRegistrar {
    config: Arc<BrokerConfig>,
    topics: Arc<TopicConfigManager>,
    client: RemotingClient,
    broker_addr: String,
    ha_server_addr: String,
}

impl BrokerRegistrar {
    /// A registrar advertising `broker_addr` ("brokerIP1:listenPort").
    pub fn new(
        config: Arc<BrokerConfig>,
        topics: Arc<TopicConfigManager>,
        broker_addr: std::net::SocketAddr,
    ) -> Self {
        let ha_port = broker_addr.port().wrapping_add(1);
        let ha_server_addr = std::net::SocketAddr::new(broker_addr.ip(), ha_port).to_string();
        Self {
            config,
            topics,
            client: RemotingClient::new(ClientConfig::default()),
            broker_addr: broker_addr.to_string(),
            ha_server_addr,
        }
    }

    /// The REGISTER_BROKER request for the current topic table; topic perms are masked
    /// by `brokerPermission` when the broker is not read-write (as RocketMQ does).
    pub fn register_request(&self) -> Result<RemotingCommand, BrokerError> {
        let mut wrapper = self.topics.serialize_wrapper();
        let broker_perm = self.config.broker_permission;
        if !perm::is_writeable(broker_perm) || !perm::is_readable(broker_perm) {
            for topic in wrapper.topic_config_table.values_mut() {
                topic.perm &= broker_perm;
            }
        }
        let body = RegisterBrokerBody {
            topic_config_serialize_wrapper: wrapper,
            filter_server_list: Vec::new(),
        }
        .encode(false, version::CURRENT)?;
        let crc = crc32fast::hash(&body) & 0x7FFF_FFFF;
        let header = RegisterBrokerRequestHeader {
            broker_name: self.config.broker_name.clone(),
            broker_addr: self.broker_addr.clone(),
            cluster_name: self.config.broker_cluster_name.clone(),
            ha_server_addr: self.ha_server_addr.clone(),
            broker_id: self.config.broker_id,
            heartbeat_timeout_millis: None,
            enable_acting_master: Some(false),
            compressed: Some(false),
            body_crc32: Some(i32::try_from(crc).unwrap_or(0)),
            zone_name: None,
        };
        Ok(RemotingCommand::request(request_code::REGISTER_BROKER, &header).with_body(body))
    }

    /// Registers with every name server concurrently; returns how many accepted.
    pub async fn register_all(&self) -> usize {
        let request = match self.register_request() {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "cannot build the registration request");
                return 0;
            }
        };
        let timeout = Duration::from_millis(self.config.register_broker_timeout_ms.max(1));
        let calls = self.config.namesrv_addr.iter().map(|addr| {
            let request = request.clone();
            async move {
                let result = self.client.invoke(addr, request, timeout).await;
                match result {
                    Ok(resp) if resp.code == response_code::SUCCESS => {
                        if let Ok(h) = resp.read_header::<RegisterBrokerResponseHeader>() {
                            tracing::debug!(namesrv = %addr, master = ?h.master_addr, "registered");
                        }
                        true
                    }
                    Ok(resp) => {
                        tracing::warn!(namesrv = %addr, code = resp.code, remark = ?resp.remark, "registration refused");
                        false
                    }
                    Err(e) => {
                        tracing::warn!(namesrv = %addr, error = %e, "registration failed");
                        false
                    }
                }
            }
        });
        let results = join_all(calls).await;
        results.into_iter().filter(|ok| *ok).count()
    }

    /// Unregisters from every name server (shutdown); failures are logged.
    pub async fn unregister_all(&self) {
        let header = UnregisterBrokerRequestHeader {
            broker_name: self.config.broker_name.clone(),
            broker_addr: self.broker_addr.clone(),
            cluster_name: self.config.broker_cluster_name.clone(),
            broker_id: self.config.broker_id,
        };
        let timeout = Duration::from_millis(UNREGISTER_TIMEOUT_MS);
        let calls = self.config.namesrv_addr.iter().map(|addr| {
            let request = RemotingCommand::request(request_code::UNREGISTER_BROKER, &header);
            async move {
                match self.client.invoke(addr, request, timeout).await {
                    Ok(resp) if resp.code == response_code::SUCCESS => {
                        tracing::info!(namesrv = %addr, "unregistered");
                    }
                    Ok(resp) => {
                        tracing::warn!(namesrv = %addr, code = resp.code, "unregister refused")
                    }
                    Err(e) => tracing::warn!(namesrv = %addr, error = %e, "unregister failed"),
                }
            }
        });
        join_all(calls).await;
        self.client.shutdown();
    }

    /// Registers now, then every `registerNameServerPeriod` and whenever `register_now`
    /// is notified, until `shutdown` turns true.
    pub async fn run(&self, register_now: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
        let period = Duration::from_millis(self.config.register_name_server_period_ms.max(1));
        loop {
            self.register_all().await;
            tokio::select! {
                () = tokio::time::sleep(period) => {}
                () = register_now.notified() => {}
                _ = shutdown.wait_for(|stop| *stop) => return,
            }
        }
    }
}

/// Runs every future concurrently on the current task, in order of the input.
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (fut, slot) in pinned.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferromq_remoting::body::TopicConfig;

    fn registrar(broker_permission: i32) -> (tempfile::TempDir, BrokerRegistrar) {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Arc::new(BrokerConfig {
            broker_permission,
            broker_name: "b1".into(),
            broker_cluster_name: "c1".into(),
            ..BrokerConfig::default()
        });
        let topics = TopicConfigManager::load(dir.path(), &config, Arc::new(Notify::new()));
        let topics = Arc::new(topics.expect("loads"));
        topics
            .create_or_update(TopicConfig::new("T"))
            .expect("created");
        let addr = "10.0.0.5:10911".parse().expect("addr");
        (dir, BrokerRegistrar::new(config, topics, addr))
    }

    #[test]
    fn register_request_carries_spec_header_and_checked_body() {
        let (_dir, r) = registrar(6);
        let req = r.register_request().expect("builds");
        assert_eq!(req.code, request_code::REGISTER_BROKER);
        let h: RegisterBrokerRequestHeader = req.read_header().expect("header");
        assert_eq!(h.broker_addr, "10.0.0.5:10911");
        assert_eq!(h.ha_server_addr, "10.0.0.5:10912");
        assert_eq!(
            (h.broker_name.as_str(), h.cluster_name.as_str(), h.broker_id),
            ("b1", "c1", 0)
        );
        assert_eq!(h.compressed, Some(false));
        let body = req.body.to_bytes();
        let crc = i32::try_from(crc32fast::hash(&body) & 0x7FFF_FFFF).expect("masked");
        assert_eq!(h.body_crc32, Some(crc));
        let decoded = RegisterBrokerBody::decode(&body, false, version::CURRENT).expect("decodes");
        let table = decoded.topic_config_serialize_wrapper.topic_config_table;
        assert_eq!(table.get("T").map(|t| t.perm), Some(6));
        assert!(table.contains_key("TBW102"));
    }

    #[test]
    fn topic_perms_are_masked_by_a_read_only_broker() {
        let (_dir, r) = registrar(4);
        let req = r.register_request().expect("builds");
        let body = req.body.to_bytes();
        let decoded = RegisterBrokerBody::decode(&body, false, version::CURRENT).expect("decodes");
        let table = decoded.topic_config_serialize_wrapper.topic_config_table;
        assert_eq!(table.get("T").map(|t| t.perm), Some(4));
        assert_eq!(table.get("TBW102").map(|t| t.perm), Some(4));
    }
}
