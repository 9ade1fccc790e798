//! NOTIFY_CONSUMER_IDS_CHANGED (40): the broker tells a group's members to rebalance now.

use ferromq_remoting::header::client::NotifyConsumerIdsChangedRequestHeader;
use ferromq_remoting::{Channel, RemotingCommand, request_code};
use tokio::runtime::Handle;

/// Sends NOTIFY_CONSUMER_IDS_CHANGED (oneway, header `consumerGroup`) to every channel, in
/// a task on `runtime`, so callers holding locks or on plain threads never wait for a slow
/// client. Closed channels and send failures are skipped (logged at debug).
pub fn notify_consumer_ids_changed(runtime: &Handle, group: &str, channels: Vec<Channel>) {
    if channels.is_empty() {
        return;
    }
    let header = NotifyConsumerIdsChangedRequestHeader {
        consumer_group: group.to_owned(),
    };
    let group = group.to_owned();
    runtime.spawn(async move {
        for channel in channels {
            if channel.is_closed() {
                continue;
            }
            let request = RemotingCommand::request(request_code::NOTIFY_CONSUMER_IDS_CHANGED, &header);
            match channel.invoke_oneway(request).await {
                Ok(()) => tracing::debug!(%group, peer = %channel.peer_addr(), "notified consumer ids changed"),
                Err(e) => tracing::debug!(%group, peer = %channel.peer_addr(), error = %e, "consumer ids changed notification not sent"),
            }
        }
    });
}
