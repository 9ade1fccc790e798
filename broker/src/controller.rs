//! [`BrokerController`]: starts a broker (store, managers, server, registration, periodic
//! tasks) and stops it in order: stop accepting, finish in-flight requests, persist
//! offsets and topics, unregister, shut the store down.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ferromq_remoting::net::{RemotingServer, ServerConfig};
use ferromq_store::Store;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::client::{ConsumerManager, ProducerManager};
use crate::config::BrokerConfig;
use crate::context::BrokerContext;
use crate::error::BrokerError;
use crate::lock::RebalanceLockManager;
use crate::longpoll::PullRequestHoldService;
use crate::offset::ConsumerOffsetManager;
use crate::processor;
use crate::register::BrokerRegistrar;
use crate::schedule::{DelayLevels, ScheduleMessageService, service as schedule_service};
use crate::subscription::SubscriptionGroupManager;
use crate::topic::TopicConfigManager;

/// Period of the scan for consumers and producers that stopped heartbeating, ms
/// (RocketMQ's ClientHousekeepingService).
pub const CLIENT_SCAN_INTERVAL_MS: u64 = 10_000;
/// The fast ("VIP") channel listens on listenPort minus this (RocketMQ: 10909).
pub const FAST_CHANNEL_PORT_OFFSET: u16 = 2;

/// Starts brokers.
#[derive(Debug)]
pub struct BrokerController;

/// A running broker; [`BrokerHandle::shutdown`] stops it cleanly.
#[derive(Debug)]
pub struct BrokerHandle {
    local_addr: SocketAddr,
    ctx: Arc<BrokerContext>,
    registrar: BrokerRegistrar,
    stop: watch::Sender<bool>,
    servers: Vec<ServerTask>,
    tasks: Vec<JoinHandle<()>>,
}

impl BrokerController {
    /// Opens the store (recovering it), loads topics, offsets and groups, binds
    /// `listenAddress:listenPort` and starts serving and registering.
    pub async fn start(config: BrokerConfig) -> Result<BrokerHandle, BrokerError> {
        config.validate()?;
        let config = Arc::new(config);
        let store_cfg = config.store_config();
        let store = tokio::task::spawn_blocking(move || Store::open(store_cfg))
            .await
            .map_err(|e| BrokerError::Io(std::io::Error::other(e)))??;
        let store = Arc::new(store);
        let mut server = RemotingServer::bind(
            (config.listen_address, config.listen_port),
            ServerConfig::default(),
        )
        .await?;
        let local_addr = server.local_addr()?;
        let store_host = config.store_host(local_addr.port());
        let ctx = Arc::new(load_context(&config, store, store_host)?);
        ctx.store
            .set_arrival_listener(Some(ctx.pull_holds.arrival_listener()));
        processor::register_all(&mut server, &ctx);
        let (stop, stop_rx) = watch::channel(false);
        let mut servers = vec![spawn_server(server, &stop_rx)];
        if let Some(fast) = bind_fast_channel(&config, &ctx).await {
            servers.push(spawn_server(fast, &stop_rx));
        }
        let registrar =
            BrokerRegistrar::new(Arc::clone(&config), Arc::clone(&ctx.topics), store_host);
        let tasks = spawn_tasks(&ctx, &registrar, &stop_rx);
        tracing::info!(
            %local_addr, %store_host, broker = %config.broker_name,
            cluster = %config.broker_cluster_name, "broker started"
        );
        Ok(BrokerHandle {
            local_addr,
            ctx,
            registrar,
            stop,
            servers,
            tasks,
        })
    }
}

type ServerTask = JoinHandle<Result<(), ferromq_remoting::RemotingError>>;

fn spawn_server(server: RemotingServer, stop: &watch::Receiver<bool>) -> ServerTask {
    let mut stop = stop.clone();
    tokio::spawn(server.run(async move {
        let _ = stop.wait_for(|s| *s).await;
    }))
}

/// RocketMQ's "VIP" channel on listenPort - 2, which clients with `vipChannelEnabled`
/// (the default before 4.5) send to. Not fatal when the port is taken; skipped for port 0.
async fn bind_fast_channel(
    config: &BrokerConfig,
    ctx: &Arc<BrokerContext>,
) -> Option<RemotingServer> {
    let port = config.listen_port.checked_sub(FAST_CHANNEL_PORT_OFFSET)?;
    if config.listen_port == 0 || port == 0 {
        return None;
    }
    match RemotingServer::bind((config.listen_address, port), ServerConfig::default()).await {
        Ok(mut fast) => {
            processor::register_all(&mut fast, ctx);
            Some(fast)
        }
        Err(e) => {
            tracing::warn!(port, error = %e, "fast (VIP) channel not bound; clients using it will fail");
            None
        }
    }
}

/// Loads every manager from `<storePathRootDir>/config`.
fn load_context(
    config: &Arc<BrokerConfig>,
    store: Arc<Store>,
    store_host: SocketAddr,
) -> Result<BrokerContext, BrokerError> {
    let config_dir = config.config_dir();
    let levels = DelayLevels::parse(&config.message_delay_level).map_err(|expected| {
        BrokerError::ConfigValue {
            origin: "config".into(),
            line: 0,
            key: "messageDelayLevel".into(),
            value: config.message_delay_level.clone(),
            expected,
        }
    })?;
    let schedule = ScheduleMessageService::load(&config_dir, levels)?;
    let register_now = Arc::new(Notify::new());
    let topics = TopicConfigManager::load(&config_dir, config, Arc::clone(&register_now))?;
    let offsets = ConsumerOffsetManager::load(&config_dir)?;
    let groups =
        SubscriptionGroupManager::load(&config_dir, config.auto_create_subscription_group)?;
    Ok(BrokerContext {
        config: Arc::clone(config),
        store,
        topics: Arc::new(topics),
        offsets: Arc::new(offsets),
        subscription_groups: Arc::new(groups),
        consumers: Arc::new(ConsumerManager::new()),
        producers: Arc::new(ProducerManager::new()),
        locks: Arc::new(RebalanceLockManager::new()),
        pull_holds: Arc::new(PullRequestHoldService::default()),
        schedule: Arc::new(schedule),
        register_now,
        store_host,
    })
}

/// Registration loop, offset persistence, scheduled delivery and client scan; each ends when `stop` turns true.
fn spawn_tasks(
    ctx: &Arc<BrokerContext>,
    registrar: &BrokerRegistrar,
    stop: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    let (reg, notify, rx) = (
        registrar.clone(),
        Arc::clone(&ctx.register_now),
        stop.clone(),
    );
    tasks.push(tokio::spawn(async move { reg.run(notify, rx).await }));
    let persist_every = Duration::from_millis(ctx.config.flush_consumer_offset_interval_ms.max(1));
    let c = Arc::clone(ctx);
    tasks.push(every(persist_every, stop.clone(), move || {
        let c = Arc::clone(&c);
        async move {
            let done = tokio::task::spawn_blocking(move || {
                c.offsets.persist()?;
                c.schedule.offsets().persist()
            })
            .await;
            if let Ok(Err(e)) = done {
                tracing::error!(error = %e, "consumer or delay offset persist failed");
            }
        }
    }));
    if ctx.config.broker_role.is_master() {
        tasks.push(schedule_service::spawn(Arc::clone(ctx), stop.clone()));
    }
    let c = Arc::clone(ctx);
    tasks.push(every(
        Duration::from_millis(CLIENT_SCAN_INTERVAL_MS),
        stop.clone(),
        move || {
            c.consumers.scan_not_active();
            std::future::ready(())
        },
    ));
    tasks
}

/// Runs `job` every `period` until `stop` turns true.
fn every<F, Fut>(period: Duration, mut stop: watch::Receiver<bool>, job: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(period) => job().await,
                () = stopped(&mut stop) => return,
            }
        }
    })
}

/// Completes when `stop` turns true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

impl BrokerHandle {
    /// The bound address (the real port when `listenPort` was 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The shared state (tests and embedding).
    pub fn context(&self) -> &Arc<BrokerContext> {
        &self.ctx
    }

    /// Registers with every name server now; returns how many accepted.
    pub async fn register_all(&self) -> usize {
        self.registrar.register_all().await
    }

    /// Stops accepting, answers parked pulls, finishes in-flight requests, persists
    /// offsets, groups and topics, unregisters, and shuts the store down.
    pub async fn shutdown(self) -> Result<(), BrokerError> {
        let Self {
            ctx,
            registrar,
            stop,
            servers,
            tasks,
            ..
        } = self;
        ctx.pull_holds.shutdown();
        stop.send_replace(true);
        for server in servers {
            match server.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "server ended with an error"),
                Err(e) => tracing::warn!(error = %e, "server task failed"),
            }
        }
        for task in tasks {
            let _ = task.await;
        }
        let c = Arc::clone(&ctx);
        let persisted = tokio::task::spawn_blocking(move || -> Result<(), BrokerError> {
            c.offsets.persist()?;
            c.schedule.offsets().persist()?;
            c.subscription_groups.persist()?;
            c.topics.persist()
        })
        .await
        .map_err(|e| BrokerError::Io(std::io::Error::other(e)));
        registrar.unregister_all().await;
        ctx.store.set_arrival_listener(None);
        let c = Arc::clone(&ctx);
        let closed = tokio::task::spawn_blocking(move || c.store.shutdown())
            .await
            .map_err(|e| BrokerError::Io(std::io::Error::other(e)))?;
        tracing::info!(broker = %ctx.config.broker_name, "broker stopped");
        persisted??;
        closed?;
        Ok(())
    }
}
