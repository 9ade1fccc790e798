//! The segment allocator: creates (and warms) the next segment on its own thread, ahead of
//! need, so a roll during a put only takes a segment that is already there.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::segment::{Segment, segment_path};
use crate::io::Backend;

/// How long a roll waits for the allocator before reporting the failure to the put.
pub(super) const ROLL_WAIT_MAX: Duration = Duration::from_secs(10);

#[derive(Default)]
struct State {
    /// Start offset of the segment to create next, if one is wanted.
    wanted: Option<u64>,
    /// A created segment not yet taken.
    ready: Option<Segment>,
    /// The last creation failure, reported to the next taker.
    failed: Option<(u64, io::Error)>,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    cond: Condvar,
    backend: Arc<dyn Backend>,
    dir: PathBuf,
    size: u64,
}

/// Handle to the allocator thread; stops it on drop.
pub(super) struct Allocator {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Allocator {
    /// Starts the thread; nothing is created until [`Self::request`].
    pub(super) fn start(backend: Arc<dyn Backend>, dir: PathBuf, size: u64) -> io::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            cond: Condvar::new(),
            backend,
            dir,
            size,
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("ferromq-segment-alloc".into())
            .spawn(move || run(&worker))?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Asks for the segment starting at `start` to be created in the background.
    pub(super) fn request(&self, start: u64) {
        let mut st = lock(&self.shared.state);
        if st.ready.as_ref().is_some_and(|s| s.start == start) {
            return;
        }
        st.wanted = Some(start);
        self.shared.cond.notify_all();
    }

    /// Takes the segment starting at `start`, waiting up to [`ROLL_WAIT_MAX`] for it, and
    /// asks for the one after it.
    pub(super) fn take(&self, start: u64) -> io::Result<Segment> {
        let mut st = lock(&self.shared.state);
        let deadline = std::time::Instant::now() + ROLL_WAIT_MAX;
        loop {
            if let Some(seg) = st.ready.take_if(|s| s.start == start) {
                st.wanted = Some(start + self.shared.size);
                self.shared.cond.notify_all();
                return Ok(seg);
            }
            if let Some((at, err)) = st.failed.take() {
                if at == start {
                    return Err(err);
                }
            }
            if st.wanted != Some(start) {
                st.wanted = Some(start);
                self.shared.cond.notify_all();
            }
            let now = std::time::Instant::now();
            if now >= deadline || st.stop {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("segment {start} was not created in time"),
                ));
            }
            st = self
                .shared
                .cond
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Stops the thread and removes a created but untaken segment file.
    pub(super) fn stop(&self) {
        {
            let mut st = lock(&self.shared.state);
            st.stop = true;
            self.shared.cond.notify_all();
        }
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
        if let Some(seg) = lock(&self.shared.state).ready.take() {
            let _ = self.shared.backend.remove(&seg.path);
        }
    }
}

impl Drop for Allocator {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(shared: &Shared) {
    let mut st = lock(&shared.state);
    loop {
        if st.stop {
            return;
        }
        let wanted = st
            .wanted
            .filter(|w| st.ready.as_ref().is_none_or(|r| r.start != *w));
        let Some(start) = wanted else {
            st = shared.cond.wait(st).unwrap_or_else(PoisonError::into_inner);
            continue;
        };
        st.wanted = None;
        let stale = st.ready.take();
        drop(st);
        if let Some(stale) = stale {
            let _ = shared.backend.remove(&stale.path);
        }
        let made = create(shared, start);
        st = lock(&shared.state);
        match made {
            Ok(seg) => st.ready = Some(seg),
            Err(err) => {
                tracing::warn!(start, error = %err, "creating the next commit log segment failed");
                st.failed = Some((start, err));
            }
        }
        shared.cond.notify_all();
    }
}

fn create(shared: &Shared, start: u64) -> io::Result<Segment> {
    let path = segment_path(&shared.dir, start);
    // A leftover file of an earlier run at this name holds nothing valid (recovery removed
    // every segment past the log's end); replace it.
    shared.backend.remove(&path)?;
    let file = shared.backend.create(&path, shared.size)?;
    shared.backend.sync_dir(&shared.dir)?;
    Ok(Segment {
        start,
        size: shared.size,
        file,
        path,
    })
}
