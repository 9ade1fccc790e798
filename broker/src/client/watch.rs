//! Connection-close watching shared by the consumer and producer managers.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use ferromq_remoting::Channel;
use tokio::runtime::Handle;

/// Something that forgets a channel when it closes.
pub(super) trait OnClose: Send + Sync + 'static {
    /// `channel` closed.
    fn channel_closed(&self, channel: &Channel);
}

/// The runtime to spawn on and the ids of channels already watched.
#[derive(Debug, Default)]
pub(super) struct Watcher {
    runtime: Mutex<Option<Handle>>,
    watched: Mutex<HashSet<u64>>,
}

impl Watcher {
    /// Remembers the current tokio runtime (if called inside one) for later spawns.
    pub(super) fn capture_runtime(&self) {
        let mut slot = self.runtime.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Handle::try_current().ok();
        }
    }

    /// The runtime captured earlier, or the current one.
    pub(super) fn runtime(&self) -> Option<Handle> {
        let slot = self.runtime.lock().unwrap_or_else(PoisonError::into_inner);
        slot.clone().or_else(|| Handle::try_current().ok())
    }

    /// Calls `owner.channel_closed(channel)` once `channel` closes; once per channel.
    pub(super) fn watch<T: OnClose>(&self, owner: &Arc<T>, channel: &Channel) {
        let Some(runtime) = self.runtime() else {
            tracing::debug!(peer = %channel.peer_addr(), "no runtime to watch the channel on");
            return;
        };
        let first = self
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(channel.id());
        if !first {
            return;
        }
        let weak: Weak<T> = Arc::downgrade(owner);
        let channel = channel.clone();
        runtime.spawn(async move {
            channel.closed().await;
            if let Some(owner) = weak.upgrade() {
                owner.channel_closed(&channel);
            }
        });
    }

    /// Forgets that `channel` is watched (its watcher fired).
    pub(super) fn unwatch(&self, channel: &Channel) {
        self.watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&channel.id());
    }
}
