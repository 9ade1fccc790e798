//! NamesrvController: binds the server, wires the processors and the liveness timer, and
//! hands back a [`NamesrvHandle`] to stop them. `mqnamesrv` and the broker's dev mode (an
//! embedded name server) both start here.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use ferromq_remoting::RemotingError;
use ferromq_remoting::net::{Channel, ChannelEvent, RemotingServer, ServerConfig};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::processor::{NAMESRV_REQUEST_CODES, NamesrvProcessor, NamesrvState, now};
use crate::{KvConfigManager, NamesrvConfig, NamesrvError, RouteInfoManager};

/// Starts name servers.
#[derive(Debug)]
pub struct NamesrvController;

impl NamesrvController {
    /// Loads the KV config, binds `listenAddress:listenPort` (port 0 picks a free one) and
    /// serves in the current tokio runtime until [`NamesrvHandle::shutdown`] or drop.
    pub async fn start(config: NamesrvConfig) -> Result<NamesrvHandle, NamesrvError> {
        let kv_path = config.kv_config_path.clone();
        let kv = tokio::task::spawn_blocking(move || KvConfigManager::load(kv_path))
            .await
            .map_err(NamesrvError::Task)??;
        let routes = RouteInfoManager::new(config.broker_heartbeat_timeout());
        let state = Arc::new(NamesrvState::new(routes, kv, config.order_message_enable));
        let addr = config.listen_socket_addr();
        let mut server = RemotingServer::bind(addr, ServerConfig::default())
            .await
            .map_err(|source| NamesrvError::Listen { addr, source })?;
        let local_addr = server.local_addr()?;
        let processor = Arc::new(NamesrvProcessor::new(Arc::clone(&state)));
        for &code in NAMESRV_REQUEST_CODES {
            server.register_processor(code, processor.clone());
        }
        let channels: Arc<Mutex<HashMap<SocketAddr, Channel>>> = Arc::default();
        server.set_channel_event_listener(Arc::new(channel_listener(
            Arc::clone(&state),
            Arc::clone(&channels),
        )));
        let (stop, stopped) = watch::channel(false);
        let mut server_stop = stopped.clone();
        let server_task = tokio::spawn(server.run(async move {
            // An Err means the sender is gone, which also means stop.
            let _stop = server_stop.wait_for(|stop| *stop).await;
        }));
        let scan_task = tokio::spawn(scan_loop(
            Arc::clone(&state),
            channels,
            config.scan_interval(),
            stopped,
        ));
        tracing::info!(%local_addr, "name server started");
        Ok(NamesrvHandle {
            local_addr,
            stop,
            server_task: Some(server_task),
            scan_task: Some(scan_task),
        })
    }
}

/// Registers open connections (to close expired brokers' ones) and drops the brokers of a
/// closed connection at once.
fn channel_listener(
    state: Arc<NamesrvState>,
    channels: Arc<Mutex<HashMap<SocketAddr, Channel>>>,
) -> impl Fn(ChannelEvent, &Channel) + Send + Sync + 'static {
    move |event, channel| {
        let peer = channel.peer_addr();
        let mut open = channels.lock().unwrap_or_else(PoisonError::into_inner);
        match event {
            ChannelEvent::Connected => {
                open.insert(peer, channel.clone());
            }
            ChannelEvent::Closed => {
                open.remove(&peer);
                drop(open);
                state.routes().on_connection_closed(peer);
            }
        }
    }
}

async fn scan_loop(
    state: Arc<NamesrvState>,
    channels: Arc<Mutex<HashMap<SocketAddr, Channel>>>,
    interval: Duration,
    mut stopped: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stopped.wait_for(|stop| *stop) => break,
            _ = ticker.tick() => {}
        }
        let expired = state.routes().scan_not_active_brokers(now());
        if expired.is_empty() {
            continue;
        }
        let open = channels.lock().unwrap_or_else(PoisonError::into_inner);
        for peer in expired.iter().filter_map(|broker| broker.channel) {
            // The broker reconnects and registers again if it is alive after all.
            if let Some(channel) = open.get(&peer) {
                channel.close();
            }
        }
    }
}

/// A running name server; dropping it stops the server without waiting.
#[derive(Debug)]
pub struct NamesrvHandle {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    server_task: Option<JoinHandle<Result<(), RemotingError>>>,
    scan_task: Option<JoinHandle<()>>,
}

impl NamesrvHandle {
    /// The bound address (the real port when `listenPort` was 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Resolves when the server stops by itself (its accept loop failed) or was told to stop.
    pub async fn stopped(&mut self) {
        if let Some(task) = self.server_task.as_mut() {
            let _finished = task.await;
            self.server_task = None;
        }
    }

    /// Stops accepting, lets in-flight requests finish and their responses flush, stops the
    /// liveness timer, and returns once all of it is done.
    pub async fn shutdown(mut self) -> Result<(), NamesrvError> {
        self.stop.send_replace(true);
        if let Some(scan) = self.scan_task.take() {
            scan.await.map_err(NamesrvError::Task)?;
        }
        let result = match self.server_task.take() {
            Some(server) => server.await.map_err(NamesrvError::Task)?,
            None => Ok(()),
        };
        tracing::info!(local_addr = %self.local_addr, "name server stopped");
        Ok(result?)
    }
}

impl Drop for NamesrvHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}
