//! When the kernel refuses io_uring, opening a store with `ioBackend=io_uring` fails with
//! an error that names the cause and says to use mmap; nothing falls back silently. The
//! kernel here allows io_uring, so a child process (this binary re-executed) opens the
//! store with the backend's setup-failure hook set to EPERM.
#![cfg(feature = "io-uring")]

mod common;

use std::process::Command;

use ferromq_store::config::BackendChoice;
use ferromq_store::io::uring::SETUP_ERRNO_ENV;
use ferromq_store::{Store, StoreConfig, StoreError};

const CHILD_DIR_ENV: &str = "FERROMQ_REFUSED_CHILD_DIR";

/// The opener. Does nothing unless started by the parent test below.
#[test]
fn child_opens_on_a_refusing_kernel() {
    let Ok(dir) = std::env::var(CHILD_DIR_ENV) else {
        return;
    };
    let mut cfg = StoreConfig::new(&dir);
    cfg.backend = "io_uring".parse::<BackendChoice>().expect("name");
    match Store::open(cfg) {
        Err(err @ StoreError::BackendUnavailable { .. }) => panic!("REFUSED: {err}"),
        Err(other) => panic!("OTHER ERROR: {other}"),
        Ok(_) => panic!("OPENED: the setup hook was ignored"),
    }
}

#[test]
fn refused_io_uring_fails_the_open_and_names_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_opens_on_a_refusing_kernel", "--nocapture"])
        .env(CHILD_DIR_ENV, dir.path())
        .env(SETUP_ERRNO_ENV, libc_eperm().to_string())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .find(|l| l.contains("REFUSED:") || l.contains("OTHER ERROR:") || l.contains("OPENED:"))
        .unwrap_or_else(|| panic!("child said nothing useful: {text}"));
    assert!(
        line.contains("REFUSED: io_uring backend unavailable"),
        "{line}"
    );
    assert!(line.contains("EPERM"), "{line}");
    assert!(line.contains("io_uring_disabled"), "{line}");
    assert!(line.contains("use ioBackend=mmap"), "{line}");
    assert!(
        !dir.path().join("commitlog").exists(),
        "nothing was created on a backend that could not start"
    );
}

fn libc_eperm() -> i32 {
    1
}
