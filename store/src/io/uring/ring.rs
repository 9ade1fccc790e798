//! The ring thread: owns the `IoUring`, takes [`Command`]s from other threads, submits
//! their operations, reaps completions (in whatever order they come, matched by
//! `user_data`) and answers the callers.
//!
//! Other threads wake it through a socket pair whose read end has a poll armed in the ring,
//! so the thread always sleeps in one place: `io_uring_enter` waiting for a completion.
//! A sender writes to the socket only when the thread may be asleep (`wake_pending`).

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use bytes::Bytes;
use io_uring::{IoUring, opcode, squeue, types};

use super::UringFaults;
use super::file::FileInner;
use super::oneshot::Oneshot;
use super::pool::{BufferPool, PooledBuf};

/// Most operations in flight at once; commands wait in their queue beyond it.
pub(super) const OPS_IN_FLIGHT_MAX: usize = 192;
/// `user_data` of the wake-up poll.
const WAKE_ID: u64 = 0;

/// Work handed to the ring thread.
pub(super) enum Command {
    /// The file has dirty bytes or sync waiters.
    Service(Arc<FileInner>),
    /// Read `len` bytes at `offset` from the file.
    Read {
        file: Arc<FileInner>,
        offset: u64,
        len: usize,
        reply: Arc<Oneshot<io::Result<Bytes>>>,
    },
    /// Preallocate `[0, len)`.
    Fallocate {
        file: Arc<FileInner>,
        len: u64,
        reply: Arc<Oneshot<io::Result<()>>>,
    },
}

/// The part of the ring other threads touch.
pub(super) struct RingShared {
    commands: Mutex<VecDeque<Command>>,
    wake_pending: AtomicBool,
    waker: UnixStream,
    stop: AtomicBool,
    pub(super) pool: Arc<BufferPool>,
    pub(super) faults: Option<Arc<UringFaults>>,
}

impl RingShared {
    /// Queues `cmd` and wakes the thread if it may be asleep.
    pub(super) fn send(&self, cmd: Command) {
        lock(&self.commands).push_back(cmd);
        self.wake();
    }

    fn wake(&self) {
        if !self.wake_pending.swap(true, Ordering::SeqCst) {
            // A full socket already holds a wake-up; any other error leaves the thread to
            // its next completion, which the log line explains.
            if let Err(err) = (&self.waker).write(&[1]) {
                if err.kind() != io::ErrorKind::WouldBlock {
                    tracing::error!(error = %err, "waking the io_uring thread failed");
                }
            }
        }
    }
}

/// Owner of the ring thread: stops and joins it on drop, after every queued and in-flight
/// operation completed (buffered writes reach the file first).
pub(super) struct RingHandle {
    pub(super) shared: Arc<RingShared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl RingHandle {
    /// Starts the thread on `ring`.
    pub(super) fn start(
        ring: IoUring,
        faults: Option<Arc<UringFaults>>,
        short_slice: bool,
    ) -> io::Result<Self> {
        let (waker, wake_rx) = UnixStream::pair()?;
        waker.set_nonblocking(true)?;
        wake_rx.set_nonblocking(true)?;
        let shared = Arc::new(RingShared {
            commands: Mutex::new(VecDeque::new()),
            wake_pending: AtomicBool::new(false),
            waker,
            stop: AtomicBool::new(false),
            pool: Arc::new(BufferPool::default()),
            faults,
        });
        let worker_shared = Arc::clone(&shared);
        // The worker's ops hold raw iovec pointers (not `Send`): build it on its thread.
        let thread = std::thread::Builder::new()
            .name("ferromq-uring".into())
            .spawn(move || {
                if short_slice {
                    crate::flush::sched::request_short_slice();
                }
                Worker {
                    ring,
                    shared: worker_shared,
                    wake_rx,
                    ops: HashMap::new(),
                    next_id: WAKE_ID + 1,
                    batches: HashMap::new(),
                }
                .run();
            })?;
        Ok(Self {
            shared,
            thread: Mutex::new(Some(thread)),
        })
    }
}

impl Drop for RingHandle {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake_pending.store(false, Ordering::SeqCst);
        self.shared.wake();
        let thread = lock(&self.thread).take();
        if let Some(thread) = thread {
            if thread.join().is_err() {
                tracing::error!("the io_uring thread panicked");
            }
        }
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An operation the kernel owns until its completion is reaped. Every buffer an entry
/// points at lives in its `Op`, and the `Op` stays in `Worker::ops` until then.
pub(super) enum Op {
    Wake,
    Write(WriteOp),
    Fsync(Arc<FileInner>),
    Read(ReadOp),
    Fallocate {
        len: u64,
        reply: Arc<Oneshot<io::Result<()>>>,
    },
}

/// A `write`/`writev` of contiguous pieces.
pub(super) struct WriteOp {
    pub(super) file: Arc<FileInner>,
    pub(super) offset: u64,
    pub(super) parts: Vec<Bytes>,
    /// One entry per part, pointing into `parts` (unused for a single part).
    iov: Vec<libc::iovec>,
}

/// A read into a pooled buffer; `done` bytes are in so far.
pub(super) struct ReadOp {
    file: Arc<FileInner>,
    offset: u64,
    buf: PooledBuf,
    done: usize,
    reply: Arc<Oneshot<io::Result<Bytes>>>,
}

impl WriteOp {
    pub(super) fn new(file: Arc<FileInner>, offset: u64, parts: Vec<Bytes>) -> Self {
        let iov = if parts.len() > 1 {
            parts
                .iter()
                .map(|p| libc::iovec {
                    iov_base: p.as_ptr().cast_mut().cast(),
                    iov_len: p.len(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Self {
            file,
            offset,
            parts,
            iov,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.parts.iter().map(Bytes::len).sum()
    }

    /// The same write without its first `n` bytes (after a short write).
    pub(super) fn advance(self, n: usize) -> Self {
        let mut skip = n;
        let mut parts = Vec::with_capacity(self.parts.len());
        for part in self.parts {
            if skip >= part.len() {
                skip -= part.len();
            } else {
                parts.push(part.slice(skip..));
                skip = 0;
            }
        }
        Self::new(self.file, self.offset + n as u64, parts)
    }

    /// The `write` (one part) or `writev` entry, without user_data or flags.
    pub(super) fn entry(&self) -> squeue::Entry {
        let fd = types::Fd(self.file.file.as_raw_fd());
        match self.parts.as_slice() {
            [one] => {
                let len = u32::try_from(one.len()).unwrap_or(u32::MAX);
                opcode::Write::new(fd, one.as_ptr(), len)
                    .offset(self.offset)
                    .build()
            }
            _ => {
                let count = u32::try_from(self.iov.len()).unwrap_or(u32::MAX);
                opcode::Writev::new(fd, self.iov.as_ptr(), count)
                    .offset(self.offset)
                    .build()
            }
        }
    }
}

/// The ring thread's state.
pub(super) struct Worker {
    ring: IoUring,
    shared: Arc<RingShared>,
    wake_rx: UnixStream,
    ops: HashMap<u64, Op>,
    next_id: u64,
    /// The one batch in flight per file, by file id.
    pub(super) batches: HashMap<u64, super::batch::Batch>,
}

impl Worker {
    fn run(mut self) {
        if let Err(err) = self.submit(WAKE_ID, Op::Wake, None) {
            tracing::error!(error = %err, "arming the io_uring wake-up failed");
        }
        loop {
            self.shared.wake_pending.store(false, Ordering::SeqCst);
            self.take_commands();
            let stopping = self.shared.stop.load(Ordering::SeqCst);
            if stopping && self.ops.len() <= 1 && lock(&self.shared.commands).is_empty() {
                return;
            }
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(err) if is_retry(&err) || err.raw_os_error() == Some(libc::EBUSY) => {}
                Err(err) => {
                    tracing::error!(error = %err, "io_uring_enter failed; retrying");
                    std::thread::yield_now();
                }
            }
            self.reap();
        }
    }

    fn take_commands(&mut self) {
        while self.ops.len() < OPS_IN_FLIGHT_MAX {
            let Some(cmd) = lock(&self.shared.commands).pop_front() else {
                return;
            };
            match cmd {
                Command::Service(file) => self.service(&file),
                Command::Read {
                    file,
                    offset,
                    len,
                    reply,
                } => {
                    let buf = self.shared.pool.take(len);
                    let op = ReadOp {
                        file,
                        offset,
                        buf,
                        done: 0,
                        reply,
                    };
                    self.submit_read(op);
                }
                Command::Fallocate { file, len, reply } => {
                    let fd = types::Fd(file.file.as_raw_fd());
                    let entry = opcode::Fallocate::new(fd, len).build();
                    let id = self.next_id();
                    let op = Op::Fallocate {
                        len,
                        reply: Arc::clone(&reply),
                    };
                    if let Err(err) = self.submit(id, op, Some(entry)) {
                        reply.set(Err(err));
                    }
                }
            }
        }
    }

    pub(super) fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Records `op` under `id` and pushes its entry (`None`: the wake-up poll).
    #[expect(
        unsafe_code,
        reason = "io-uring's push: the kernel uses the buffers the entry points at"
    )]
    pub(super) fn submit(
        &mut self,
        id: u64,
        op: Op,
        entry: Option<squeue::Entry>,
    ) -> io::Result<()> {
        let entry = match entry {
            Some(e) => e,
            None => opcode::PollAdd::new(types::Fd(self.wake_rx.as_raw_fd()), libc::POLLIN as u32)
                .build(),
        };
        let entry = entry.user_data(id);
        self.ops.insert(id, op);
        loop {
            // SAFETY: every buffer this entry points at (write parts and their iovec array,
            // the read buffer) is owned by the `Op` just stored in `self.ops` under the
            // entry's user_data. Heap memory of a `Bytes`/`Vec` does not move when the `Op`
            // moves, nothing mutates those buffers or the iovec array afterwards, and the
            // `Op` leaves `self.ops` only in `reap` once the kernel posted its completion;
            // the thread exits only when `self.ops` holds nothing but the wake-up poll.
            let pushed = unsafe { self.ring.submission().push(&entry) };
            if pushed.is_ok() {
                return Ok(());
            }
            if let Err(err) = self.ring.submit() {
                if !is_retry(&err) {
                    self.ops.remove(&id);
                    return Err(err);
                }
            }
        }
    }

    fn reap(&mut self) {
        let mut done: Vec<(u64, i32)> = self
            .ring
            .completion()
            .map(|c| (c.user_data(), c.result()))
            .collect();
        if self.shared.faults.as_ref().is_some_and(|f| f.reverse) {
            done.reverse();
        }
        for (id, res) in done {
            let Some(op) = self.ops.remove(&id) else {
                tracing::error!(id, res, "completion for an unknown io_uring operation");
                continue;
            };
            match op {
                Op::Wake => self.rearm_wake(),
                Op::Write(w) => {
                    let res = self.inject(res, w.len(), Fault::Io);
                    self.on_write(w, res);
                }
                Op::Fsync(file) => {
                    let res = self.inject(res, 0, Fault::Errno);
                    self.on_fsync(&file, res);
                }
                Op::Read(r) => {
                    let res = self.inject(res, r.buf.as_ref().len() - r.done, Fault::Io);
                    self.on_read(r, res);
                }
                Op::Fallocate { len, reply } => reply.set(fallocate_result(len, res)),
            }
        }
    }

    fn inject(&self, res: i32, want: usize, kind: Fault) -> i32 {
        match &self.shared.faults {
            Some(f) => f.apply(res, want, matches!(kind, Fault::Io)),
            None => res,
        }
    }

    fn rearm_wake(&mut self) {
        let mut sink = [0u8; 64];
        while matches!((&self.wake_rx).read(&mut sink), Ok(n) if n > 0) {}
        if let Err(err) = self.submit(WAKE_ID, Op::Wake, None) {
            tracing::error!(error = %err, "re-arming the io_uring wake-up failed");
        }
    }

    /// Pushes a read (or its rest after a short read).
    fn submit_read(&mut self, mut op: ReadOp) {
        let fd = types::Fd(op.file.file.as_raw_fd());
        let done = op.done;
        let rest = &mut op.buf.as_mut_slice()[done..];
        let len = u32::try_from(rest.len()).unwrap_or(u32::MAX);
        let entry = opcode::Read::new(fd, rest.as_mut_ptr(), len)
            .offset(op.offset + done as u64)
            .build();
        let reply = Arc::clone(&op.reply);
        let id = self.next_id();
        if let Err(err) = self.submit(id, Op::Read(op), Some(entry)) {
            reply.set(Err(err));
        }
    }

    fn on_read(&mut self, mut op: ReadOp, res: i32) {
        let want = op.buf.as_ref().len();
        match res {
            n if n > 0 => {
                op.done += n as usize;
                if op.done < want {
                    return self.submit_read(op);
                }
                op.reply.set(Ok(op.buf.into_bytes()));
            }
            0 => op.reply.set(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{}: end of file at {} reading {want} bytes from {}",
                    op.file.path.display(),
                    op.offset + op.done as u64,
                    op.offset
                ),
            ))),
            e if is_retry_errno(-e) => self.submit_read(op),
            e => op.reply.set(Err(io::Error::from_raw_os_error(-e))),
        }
    }

    /// Submits queued entries until `n` free slots are in the submission queue.
    pub(super) fn reserve_sq(&mut self, n: usize) {
        loop {
            let sq = self.ring.submission();
            if sq.capacity() - sq.len() >= n {
                return;
            }
            drop(sq);
            if let Err(err) = self.ring.submit() {
                if !is_retry(&err) {
                    tracing::error!(error = %err, "io_uring submit failed");
                    return;
                }
            }
        }
    }

    /// Pushes `entry` (flags already set) for `op` under a fresh id.
    pub(super) fn push_op(&mut self, op: Op, entry: squeue::Entry) -> io::Result<()> {
        let id = self.next_id();
        self.submit(id, op, Some(entry))
    }
}

#[derive(Clone, Copy)]
enum Fault {
    /// A read or write: may be made short or fail with EINTR/EAGAIN.
    Io,
    /// An fsync: may fail with EINTR/EAGAIN.
    Errno,
}

fn fallocate_result(len: u64, res: i32) -> io::Result<()> {
    match res {
        0 => Ok(()),
        // Filesystems without fallocate keep the sparse file (as the mmap backend does).
        e if -e == libc::EOPNOTSUPP || -e == libc::EINVAL => {
            tracing::debug!(len, "fallocate unsupported here; the file stays sparse");
            Ok(())
        }
        e => Err(io::Error::from_raw_os_error(-e)),
    }
}

pub(super) fn is_retry_errno(errno: i32) -> bool {
    errno == libc::EINTR || errno == libc::EAGAIN
}

fn is_retry(err: &io::Error) -> bool {
    err.raw_os_error().is_some_and(is_retry_errno)
}
