//! `mqbroker -p` prints the effective config as key=value lines and exits 0; unknown keys
//! are warned about, not fatal; a bad value fails the start naming the key.

use std::process::Command;

fn mqbroker(args: &[&str], env_namesrv: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mqbroker"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("NAMESRV_ADDR");
    if let Some(ns) = env_namesrv {
        cmd.env("NAMESRV_ADDR", ns);
    }
    cmd.output().expect("mqbroker runs")
}

#[test]
fn print_config_applies_file_flags_and_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("broker.conf");
    std::fs::write(&conf, "brokerName=printed\nnoSuchKey=1\nlistenPort=10999\n").expect("written");
    let conf = conf.to_str().expect("utf-8 path");
    let out = mqbroker(&["-p", "-c", conf], Some("10.0.0.9:9876"));
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    for line in [
        "brokerName=printed",
        "listenPort=10999",
        "namesrvAddr=10.0.0.9:9876",
        "brokerClusterName=DefaultCluster",
        "flushDiskType=ASYNC_FLUSH",
    ] {
        assert!(stdout.lines().any(|l| l == line), "{line} in\n{stdout}");
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown config key"), "{stderr}");
    let out = mqbroker(&["-p", "-c", conf, "-n", "127.0.0.1:1;127.0.0.1:2"], None);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        stdout.contains("namesrvAddr=127.0.0.1:1;127.0.0.1:2\n"),
        "{stdout}"
    );
    let dev = mqbroker(&["-p", "--dev"], None);
    let stdout = String::from_utf8(dev.stdout).expect("utf-8");
    assert!(stdout.contains("namesrvAddr=127.0.0.1:9876\n"), "{stdout}");
    assert!(stdout.contains("storePathRootDir=store-dev\n"), "{stdout}");
}

#[test]
fn bad_value_fails_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("broker.conf");
    std::fs::write(&conf, "flushDiskType=SOMETIMES\n").expect("written");
    let out = mqbroker(&["-p", "-c", conf.to_str().expect("utf-8")], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("flushDiskType"), "{stderr}");
}
