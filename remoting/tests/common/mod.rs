//! Shared helpers for the remoting TCP tests: a server on 127.0.0.1:0 with an injected shutdown.

#![allow(dead_code, unreachable_pub)]

use ferromq_remoting::{
    RemotingCommand, RemotingError, RemotingServer, ServerConfig, processor_fn,
};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Request code the echo processor answers: SUCCESS, same body, ext field `echo` = the code.
pub const ECHO: i32 = 7001;

/// A running server and the trigger that stops it.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    pub handle: JoinHandle<Result<(), RemotingError>>,
}

impl TestServer {
    /// Fires the shutdown future without waiting.
    pub fn trigger_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Fires the shutdown future and waits for `run` to return.
    pub async fn shutdown(mut self) -> Result<(), RemotingError> {
        self.trigger_shutdown();
        self.handle.await.expect("server task joins")
    }
}

/// Binds 127.0.0.1:0 with `config`, registers the echo processor, lets `setup` add more.
pub async fn start(config: ServerConfig, setup: impl FnOnce(&mut RemotingServer)) -> TestServer {
    let mut server = RemotingServer::bind("127.0.0.1:0", config)
        .await
        .expect("binds");
    server.register_processor(
        ECHO,
        processor_fn(|_ctx, req: RemotingCommand| async move {
            let mut resp = RemotingCommand::success_to(&req).with_body(req.body.clone());
            resp.ext_fields.insert("echo".into(), req.code.to_string());
            Some(resp)
        }),
    );
    setup(&mut server);
    let addr = server.local_addr().expect("local addr");
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    TestServer {
        addr,
        stop: Some(tx),
        handle,
    }
}

/// Keeps `Arc` in scope for tests that share state with processors.
pub fn shared<T>(value: T) -> Arc<T> {
    Arc::new(value)
}
