//! The put path of [`Store`]: validate outside the lock, append, then the flush policy.

use std::sync::atomic::Ordering;

use crate::commitlog::encode::{EncodeRefusal, PreparedRecord};
use crate::commitlog::{AppendError, Appended, PutMessage, properties};
use crate::config::FlushDiskType;
use crate::flush::PutHandle;
use crate::store::Store;
use crate::store_types::{PutResult, PutStatus};

/// Most messages in one [`Store::put_batch`].
pub const BATCH_MESSAGES_MAX: usize = 4096;

impl Store {
    /// Appends one message. The handle resolves at once under async flush (or when the
    /// put is refused), and after the group commit that covers it under sync flush.
    pub fn put(&self, msg: PutMessage) -> PutHandle {
        self.put_slice(std::slice::from_ref(&msg))
    }

    /// Appends messages of one (topic, queue) with consecutive queue offsets; one handle
    /// for all. Refused with `MessageIllegal` when empty, mixed, or over
    /// [`BATCH_MESSAGES_MAX`].
    pub fn put_batch(&self, msgs: Vec<PutMessage>) -> PutHandle {
        let Some(first) = msgs.first() else {
            return refused(PutStatus::MessageIllegal);
        };
        let mixed = msgs
            .iter()
            .any(|m| m.topic != first.topic || m.queue_id != first.queue_id);
        if mixed || msgs.len() > BATCH_MESSAGES_MAX {
            return refused(PutStatus::MessageIllegal);
        }
        self.put_slice(&msgs)
    }

    fn put_slice(&self, msgs: &[PutMessage]) -> PutHandle {
        if let Some(status) = self.refusal() {
            return refused(status);
        }
        let record_max = self.inner.cfg.max_message_size;
        let appended = if let [msg] = msgs {
            match PreparedRecord::new(msg, record_max) {
                Ok(rec) => self.inner.log.append(std::slice::from_ref(&rec)),
                Err(refusal) => return refused(refusal_status(refusal)),
            }
        } else {
            let prepared: Result<Vec<_>, _> = msgs
                .iter()
                .map(|m| PreparedRecord::new(m, record_max))
                .collect();
            match prepared {
                Ok(recs) => self.inner.log.append(&recs),
                Err(refusal) => return refused(refusal_status(refusal)),
            }
        };
        let appended = match appended {
            Ok(a) => a,
            Err(err) => return refused(append_error_status(&err)),
        };
        self.inner.dispatch.wake();
        let result = stored_result(&appended, msgs);
        let flush = &self.inner.flush;
        match flush.mode() {
            FlushDiskType::AsyncFlush => PutHandle::ready(result),
            FlushDiskType::SyncFlush if waits_for_flush(msgs) => {
                flush.submit(result, appended.end_offset)
            }
            FlushDiskType::SyncFlush => {
                flush.wake();
                PutHandle::ready(result)
            }
        }
    }

    /// Why a put would be refused right now, if it would.
    fn refusal(&self) -> Option<PutStatus> {
        let inner = &self.inner;
        if inner.shutting_down.load(Ordering::Acquire) {
            Some(PutStatus::ServiceNotAvailable)
        } else if inner.log.io_failure().is_some() {
            Some(PutStatus::IoFailed)
        } else if inner.disk_full.load(Ordering::Acquire) {
            Some(PutStatus::DiskFull)
        } else {
            None
        }
    }
}

fn refused(status: PutStatus) -> PutHandle {
    PutHandle::ready(PutResult::failed(status))
}

fn refusal_status(refusal: EncodeRefusal) -> PutStatus {
    match refusal {
        EncodeRefusal::MessageIllegal => PutStatus::MessageIllegal,
        EncodeRefusal::PropertiesSizeExceeded => PutStatus::PropertiesSizeExceeded,
    }
}

fn append_error_status(err: &AppendError) -> PutStatus {
    match err {
        AppendError::ReadOnly(_) | AppendError::Io(_) => PutStatus::IoFailed,
        AppendError::TooLarge(_) => PutStatus::MessageIllegal,
        AppendError::NoSegment(e) => {
            let no_space = e.raw_os_error() == Some(libc::ENOSPC)
                || e.kind() == std::io::ErrorKind::StorageFull;
            if no_space {
                tracing::warn!(error = %e, "no space for the next commit log segment");
                PutStatus::DiskFull
            } else {
                tracing::error!(error = %e, "could not create the next commit log segment");
                PutStatus::CreateMappedFileFailed
            }
        }
    }
}

fn waits_for_flush(msgs: &[PutMessage]) -> bool {
    !msgs.iter().all(|m| {
        m.properties.contains(properties::WAIT)
            && properties::get(&m.properties, properties::WAIT) == Some("false")
    })
}

fn stored_result(a: &Appended, msgs: &[PutMessage]) -> PutResult {
    PutResult {
        status: PutStatus::PutOk,
        phys_offset: a.first_offset,
        wrote_bytes: a.wrote_bytes,
        queue_offset: a.first_queue_offset,
        msg_count: msgs.len() as u32,
        store_timestamp: a.store_timestamp,
        store_host: msgs
            .first()
            .map_or(PutResult::failed(PutStatus::PutOk).store_host, |m| {
                m.store_host
            }),
        batch_phys_offsets: a.offsets.clone(),
    }
}
