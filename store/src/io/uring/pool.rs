//! [`BufferPool`]: reusable read buffers. A read through the ring lands in one, and the
//! [`Bytes`] handed to the caller returns it to the pool when the last clone drops.

use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;

/// Size of a pooled buffer, bytes; larger reads get a buffer of their own.
pub(super) const POOL_BUFFER_BYTES: usize = 256 * 1024;
/// Most idle buffers kept.
pub(super) const POOL_BUFFERS_MAX: usize = 32;

/// Idle read buffers, shared by every file of one backend.
#[derive(Debug, Default)]
pub(super) struct BufferPool {
    idle: Mutex<Vec<Vec<u8>>>,
}

/// A buffer that goes back to its pool on drop.
#[derive(Debug)]
pub(super) struct PooledBuf {
    buf: Vec<u8>,
    len: usize,
    pool: Option<Arc<BufferPool>>,
}

impl BufferPool {
    /// A zero-filled buffer of `len` bytes, pooled when `len` fits a pool buffer.
    pub(super) fn take(self: &Arc<Self>, len: usize) -> PooledBuf {
        if len > POOL_BUFFER_BYTES {
            return PooledBuf {
                buf: vec![0; len],
                len,
                pool: None,
            };
        }
        let reused = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut buf = reused.unwrap_or_else(|| Vec::with_capacity(POOL_BUFFER_BYTES));
        buf.clear();
        buf.resize(len, 0);
        PooledBuf {
            buf,
            len,
            pool: Some(Arc::clone(self)),
        }
    }

    /// Idle buffers held (tests).
    #[cfg(test)]
    pub(super) fn idle(&self) -> usize {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl PooledBuf {
    /// The whole buffer, for the kernel to fill.
    pub(super) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }

    /// Freezes into [`Bytes`] without a copy.
    pub(super) fn into_bytes(self) -> Bytes {
        Bytes::from_owner(self)
    }
}

impl AsRef<[u8]> for PooledBuf {
    fn as_ref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Drop for PooledBuf {
    fn drop(&mut self) {
        let Some(pool) = self.pool.take() else {
            return;
        };
        let mut idle = pool.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < POOL_BUFFERS_MAX {
            idle.push(std::mem::take(&mut self.buf));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_return_to_the_pool_when_the_last_bytes_drops() {
        let pool = Arc::new(BufferPool::default());
        let mut buf = pool.take(100);
        buf.as_mut_slice()[0] = 9;
        let bytes = buf.into_bytes();
        let clone = bytes.slice(0..1);
        drop(bytes);
        assert_eq!(pool.idle(), 0, "a clone still holds it");
        assert_eq!(clone[0], 9);
        drop(clone);
        assert_eq!(pool.idle(), 1);
        let again = pool.take(10);
        assert_eq!(again.as_ref(), &[0; 10][..], "reused buffers are zeroed");
        let big = pool.take(POOL_BUFFER_BYTES + 1);
        drop(big);
        assert_eq!(pool.idle(), 0, "oversized buffers are not pooled");
    }
}
