//! `UringSync::Caller`: `sync_data` writes what is still dirty and calls `fdatasync` on the
//! calling thread instead of handing a linked write + fsync chain to the ring.
//!
//! Why: io_uring never runs a buffered fsync inline; it punts it to an io-wq kernel worker.
//! A ring sync therefore crosses four wake-ups (caller -> ring thread -> io-wq worker ->
//! ring thread -> caller), and the io-wq worker does not inherit the flush thread's short
//! scheduler slice. On a busy 2-core machine each wake-up can cost a scheduler tick; the
//! measured one-writer sync p99 was 2.0-2.4x the raw fdatasync floor through the ring
//! (docs/benchmarks.md). The flush thread calling `pwritev` + `fdatasync` itself keeps the
//! ring for what it is good at (write-behind of async appends, reads, fallocate) and makes
//! a sync cost what the disk costs.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

use bytes::Bytes;

use super::buffer::{IOV_MAX, Run};

/// Writes every run at its offset with `pwritev`, resuming after short writes and EINTR.
pub(super) fn write_runs(file: &File, runs: &[Run]) -> io::Result<()> {
    for run in runs {
        write_run(file, run.offset, &run.parts)?;
    }
    Ok(())
}

fn write_run(file: &File, mut offset: u64, parts: &[Bytes]) -> io::Result<()> {
    // Index of the first part not fully written, and bytes of it already written.
    let (mut part, mut skip) = (0usize, 0usize);
    while part < parts.len() {
        let iov: Vec<libc::iovec> = parts[part..]
            .iter()
            .take(IOV_MAX)
            .enumerate()
            .map(|(i, p)| {
                let from = if i == 0 { skip } else { 0 };
                libc::iovec {
                    iov_base: p[from..].as_ptr().cast_mut().cast(),
                    iov_len: p.len() - from,
                }
            })
            .collect();
        let at = libc::off_t::try_from(offset)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "offset past off_t"))?;
        let count = libc::c_int::try_from(iov.len()).unwrap_or(libc::c_int::MAX);
        // SAFETY: every iovec points into a live `Bytes` of `parts` with its true length;
        // the kernel only reads them during the call.
        #[expect(unsafe_code, reason = "pwritev of borrowed buffers")]
        let n = unsafe { libc::pwritev(file.as_raw_fd(), iov.as_ptr(), count, at) };
        if n < 0 {
            let err = io::Error::last_os_error();
            if err.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(err);
        }
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "pwritev wrote nothing",
            ));
        }
        let mut left = n as usize;
        offset += left as u64;
        while left > 0 && part < parts.len() {
            let rest = parts[part].len() - skip;
            if left >= rest {
                left -= rest;
                part += 1;
                skip = 0;
            } else {
                skip += left;
                left = 0;
            }
        }
    }
    Ok(())
}

/// `fdatasync(2)`, retried on EINTR.
pub(super) fn fdatasync(file: &File) -> io::Result<()> {
    loop {
        match file.sync_data() {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileExt;

    #[test]
    fn runs_of_many_parts_land_at_their_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(dir.path().join("f"))
            .unwrap();
        // More parts than IOV_MAX, so the run needs several pwritev calls.
        let parts: Vec<Bytes> = (0..IOV_MAX + 300)
            .map(|i| Bytes::from(vec![(i % 251) as u8; 1 + i % 7]))
            .collect();
        let total: usize = parts.iter().map(Bytes::len).sum();
        let runs = [
            Run {
                offset: 10,
                parts: parts.clone(),
            },
            Run {
                offset: 10 + total as u64 + 5,
                parts: vec![Bytes::from_static(b"tail")],
            },
        ];
        write_runs(&file, &runs).unwrap();
        fdatasync(&file).unwrap();
        let mut got = vec![0u8; total];
        file.read_exact_at(&mut got, 10).unwrap();
        assert_eq!(got, parts.concat());
        let mut tail = [0u8; 4];
        file.read_exact_at(&mut tail, 10 + total as u64 + 5)
            .unwrap();
        assert_eq!(&tail, b"tail");
    }
}
