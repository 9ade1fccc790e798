//! [`PutHandle`]: a runtime-free oneshot for a put's result. Await it from async code (no
//! worker thread blocks) or [`PutHandle::wait`] from a plain thread.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use crate::store_types::{PutResult, PutStatus};

#[derive(Default)]
struct SlotState {
    result: Option<PutResult>,
    waker: Option<Waker>,
    /// A thread sleeps on `cond` ([`PutHandle::wait`]): only then is a condvar notify
    /// (a futex syscall) worth making; awaited handles skip it.
    thread_waiting: bool,
}

/// The sending half: completed once by whoever gets there first (the flush thread or the
/// timeout thread).
#[derive(Default)]
pub(crate) struct Slot {
    state: Mutex<SlotState>,
    cond: Condvar,
}

impl Slot {
    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the result unless one is already set; wakes the waiter (after unlocking, so
    /// the woken side does not block on the slot's mutex).
    pub(crate) fn complete(&self, result: PutResult) {
        let (waker, thread_waiting) = {
            let mut st = self.lock();
            if st.result.is_some() {
                return;
            }
            st.result = Some(result);
            (st.waker.take(), st.thread_waiting)
        };
        // One handle owns the receiving side, so at most one thread waits.
        if thread_waiting {
            self.cond.notify_one();
        }
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

enum Inner {
    Ready(Option<PutResult>),
    Pending(Arc<Slot>),
}

/// The result of a put, now or once its flush completes.
pub struct PutHandle {
    inner: Inner,
}

impl std::fmt::Debug for PutHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.inner {
            Inner::Ready(_) => "ready",
            Inner::Pending(_) => "pending",
        };
        f.debug_struct("PutHandle").field("state", &state).finish()
    }
}

impl PutHandle {
    /// A handle that already holds its result (async flush, or a refused put).
    pub(crate) fn ready(result: PutResult) -> Self {
        Self {
            inner: Inner::Ready(Some(result)),
        }
    }

    /// A handle completed later through `slot`.
    pub(crate) fn pending(slot: Arc<Slot>) -> Self {
        Self {
            inner: Inner::Pending(slot),
        }
    }

    /// Blocks the calling thread until the result is there (tests, benches, tools).
    pub fn wait(self) -> PutResult {
        match self.inner {
            Inner::Ready(result) => {
                result.unwrap_or_else(|| PutResult::failed(PutStatus::ServiceNotAvailable))
            }
            Inner::Pending(slot) => {
                let mut st = slot.lock();
                loop {
                    if let Some(result) = st.result.take() {
                        return result;
                    }
                    st.thread_waiting = true;
                    st = slot.cond.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    /// Like [`Self::wait`] but gives up at `deadline`, returning `None`.
    pub fn wait_until(self, deadline: Instant) -> Option<PutResult> {
        match self.inner {
            Inner::Ready(result) => result,
            Inner::Pending(slot) => {
                let mut st = slot.lock();
                loop {
                    if let Some(result) = st.result.take() {
                        return Some(result);
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        return None;
                    }
                    st.thread_waiting = true;
                    st = slot
                        .cond
                        .wait_timeout(st, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
    }

    /// Whether the result is already available.
    pub fn is_ready(&self) -> bool {
        match &self.inner {
            Inner::Ready(r) => r.is_some(),
            Inner::Pending(slot) => slot.lock().result.is_some(),
        }
    }
}

impl Future for PutHandle {
    type Output = PutResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<PutResult> {
        let this = self.get_mut();
        match &mut this.inner {
            Inner::Ready(result) => Poll::Ready(
                result
                    .take()
                    .unwrap_or_else(|| PutResult::failed(PutStatus::ServiceNotAvailable)),
            ),
            Inner::Pending(slot) => {
                let mut st = slot.lock();
                if let Some(result) = st.result.take() {
                    return Poll::Ready(result);
                }
                if !st.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    st.waker = Some(cx.waker().clone());
                }
                Poll::Pending
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Flag(std::sync::atomic::AtomicBool);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn poll_registers_waker_and_completion_wakes_it() {
        let slot = Arc::new(Slot::default());
        let mut handle = PutHandle::pending(Arc::clone(&slot));
        let flag = Arc::new(Flag(false.into()));
        let waker = Waker::from(Arc::clone(&flag));
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut handle).poll(&mut cx).is_pending());
        slot.complete(PutResult::failed(PutStatus::PutOk));
        slot.complete(PutResult::failed(PutStatus::FlushDiskTimeout));
        assert!(flag.0.load(std::sync::atomic::Ordering::SeqCst));
        match Pin::new(&mut handle).poll(&mut cx) {
            Poll::Ready(r) => assert_eq!(r.status, PutStatus::PutOk, "first completion wins"),
            Poll::Pending => panic!("completed handle is pending"),
        }
    }

    #[test]
    fn wait_blocks_until_another_thread_completes() {
        let slot = Arc::new(Slot::default());
        let handle = PutHandle::pending(Arc::clone(&slot));
        let t = std::thread::spawn(move || slot.complete(PutResult::failed(PutStatus::PutOk)));
        assert_eq!(handle.wait().status, PutStatus::PutOk);
        t.join().unwrap();
        let never = PutHandle::pending(Arc::new(Slot::default()));
        assert!(
            never
                .wait_until(Instant::now() + std::time::Duration::from_millis(1))
                .is_none()
        );
    }
}
