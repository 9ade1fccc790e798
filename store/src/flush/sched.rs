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

#[cfg(test)]
mod tests {
    #[test]
    fn request_does_not_fail_the_thread() {
        // Either answer is fine; the call must simply not disturb the caller.
        let _ = std::thread::spawn(super::request_short_slice)
            .join()
            .unwrap();
    }
}
