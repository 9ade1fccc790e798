//! Asks the kernel for a short scheduler slice for the calling thread.
//!
//! On a busy two-core machine the scheduler tick, not the disk, sets flush latency
//! (docs/benchmarks.md, machine floor): a flush thread woken by a put may wait a whole
//! 4 ms tick for a core. Linux's EEVDF scheduler (6.6+) takes a per-thread slice from
//! `sched_setattr(SCHED_OTHER, sched_runtime)`; a short slice lets the woken thread run
//! sooner without real-time privileges. Where the call is refused (older kernels,
//! seccomp, other systems) nothing changes.

/// Requested slice, ns (the kernel clamps it to its own bounds).
pub const SHORT_SLICE_NS: u64 = 100_000;

#[cfg(target_os = "linux")]
#[repr(C)]
struct SchedAttr {
    size: u32,
    sched_policy: u32,
    sched_flags: u64,
    sched_nice: i32,
    sched_priority: u32,
    sched_runtime: u64,
    sched_deadline: u64,
    sched_period: u64,
}

/// Requests [`SHORT_SLICE_NS`] for the calling thread; returns whether the kernel agreed.
#[cfg(target_os = "linux")]
#[expect(unsafe_code, reason = "sched_setattr has no libc wrapper")]
pub fn request_short_slice() -> bool {
    let attr = SchedAttr {
        size: std::mem::size_of::<SchedAttr>() as u32,
        sched_policy: libc::SCHED_OTHER as u32,
        sched_flags: 0,
        sched_nice: 0,
        sched_priority: 0,
        sched_runtime: SHORT_SLICE_NS,
        sched_deadline: 0,
        sched_period: 0,
    };
    // SAFETY: `attr` is a valid, fully initialised sched_attr (VER0 layout, 48 bytes) that
    // outlives the call; pid 0 means the calling thread; flags 0.
    let rc = unsafe { libc::syscall(libc::SYS_sched_setattr, 0, &attr as *const SchedAttr, 0) };
    if rc != 0 {
        tracing::debug!(error = %std::io::Error::last_os_error(), "short scheduler slice refused");
    }
    rc == 0
}

/// Requests a short slice; not supported on this system.
#[cfg(not(target_os = "linux"))]
pub fn request_short_slice() -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Reads the calling thread's sched_attr back.
    #[expect(unsafe_code, reason = "sched_getattr has no libc wrapper")]
    fn current_attr() -> Option<SchedAttr> {
        let mut attr = SchedAttr {
            size: 0,
            sched_policy: 0,
            sched_flags: 0,
            sched_nice: 0,
            sched_priority: 0,
            sched_runtime: 0,
            sched_deadline: 0,
            sched_period: 0,
        };
        let size = std::mem::size_of::<SchedAttr>() as u32;
        // SAFETY: `attr` is writable for `size` bytes and outlives the call; pid 0 means the
        // calling thread; flags 0.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_sched_getattr,
                0,
                &mut attr as *mut SchedAttr,
                size,
                0,
            )
        };
        (rc == 0).then_some(attr)
    }

    #[test]
    fn an_accepted_request_sets_the_short_slice_on_the_calling_thread_only() {
        let (accepted, attr) = std::thread::spawn(|| (request_short_slice(), current_attr()))
            .join()
            .expect("the thread runs");
        if accepted {
            let attr = attr.expect("sched_getattr works where sched_setattr did");
            assert_eq!(attr.sched_policy, libc::SCHED_OTHER as u32);
            assert_eq!(attr.sched_runtime, SHORT_SLICE_NS);
        }
        // This thread asked for nothing: its slice is not the requested one.
        if let Some(mine) = current_attr() {
            assert_ne!(mine.sched_runtime, SHORT_SLICE_NS);
        }
    }
}
