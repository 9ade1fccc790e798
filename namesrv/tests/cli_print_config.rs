//! `mqnamesrv -c <file> -p` prints the effective config and exits 0; unknown keys in the
//! file are logged, not fatal; a bad value exits non-zero.

use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[test]
fn print_config_applies_the_file() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("namesrv.properties");
    std::fs::write(
        &file,
        "# test\nlistenPort=19876\nnoSuchKey=1\nscanNotActiveBrokerInterval=250\n",
    )?;
    let output = Command::new(env!("CARGO_BIN_EXE_mqnamesrv"))
        .arg("-c")
        .arg(&file)
        .arg("-p")
        .arg("--listen")
        .arg("127.0.0.1")
        .env("RUST_LOG", "warn")
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout)?;
    assert!(printed.contains("listenPort=19876\n"), "{printed}");
    assert!(printed.contains("listenAddress=127.0.0.1\n"), "{printed}");
    assert!(
        printed.contains("scanNotActiveBrokerInterval=250\n"),
        "{printed}"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("noSuchKey"));

    std::fs::write(&file, "listenPort=not-a-port\n")?;
    let status = Command::new(env!("CARGO_BIN_EXE_mqnamesrv"))
        .arg("-c")
        .arg(&file)
        .arg("-p")
        .status()?;
    assert!(!status.success());
    Ok(())
}
