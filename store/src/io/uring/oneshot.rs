//! [`Oneshot`]: a blocking one-value channel between the ring thread and a caller.

use std::sync::{Condvar, Mutex, PoisonError};

/// Set once by the ring thread, taken once by the thread that waits on it.
#[derive(Debug)]
pub(super) struct Oneshot<T> {
    value: Mutex<Option<T>>,
    cond: Condvar,
}

impl<T> Default for Oneshot<T> {
    fn default() -> Self {
        Self {
            value: Mutex::new(None),
            cond: Condvar::new(),
        }
    }
}

impl<T> Oneshot<T> {
    /// Stores `value` (a second call replaces it) and wakes the waiter.
    pub(super) fn set(&self, value: T) {
        *self.value.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
        self.cond.notify_all();
    }

    /// Blocks until a value is set and takes it.
    pub(super) fn wait(&self) -> T {
        let mut slot = self.value.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(value) = slot.take() {
                return value;
            }
            slot = self.cond.wait(slot).unwrap_or_else(PoisonError::into_inner);
        }
    }
}
