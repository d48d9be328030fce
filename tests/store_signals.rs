//! SIGTERM and SIGHUP make a running instance save and exit cleanly. The child is this test
//! binary re-executed: it installs the handlers, saves, and polls the flag as the TUI loop
//! will.
#![cfg(unix)]

mod store_support;

use spinewatch::case::Case;
use spinewatch::store::{Store, signals};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use store_support::*;

const CHILD_ENV: &str = "SPINEWATCH_TEST_SIGNAL_DIR";
const STUCK_ENV: &str = "SPINEWATCH_TEST_SIGNAL_STUCK";

/// Child mode: the shape of the TUI loop: work, poll the flag, save on the way out.
#[test]
fn signal_child_runs_until_asked_to_stop() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let shutdown = signals::install();
    let mut store = open_store(&dir);
    store.lock("bed12", now()).unwrap();
    let mut c = case("bed12", "Bed 12");
    c.notes = Some("typing…".into());
    save(&mut store, &c);
    println!("ready");
    let start = Instant::now();
    while !shutdown.requested() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    c.notes = Some(if shutdown.requested() {
        "saved on the way out".into()
    } else {
        "no signal seen".into()
    });
    save(&mut store, &c);
    store.unlock("bed12");
}

fn stop_with(signal: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "signal_child_runs_until_asked_to_stop",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, tmp.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("ready") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the child ended early"
        );
    }
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{signal}: {status}");
    let text = std::fs::read_to_string(tmp.path().join("bed12.json")).unwrap();
    let saved = Case::from_json_str(&text, now()).unwrap();
    assert_eq!(
        saved.notes.as_deref(),
        Some("saved on the way out"),
        "{signal}"
    );
    let store = open_store(tmp.path());
    assert_eq!(
        store.holder("bed12"),
        None,
        "{signal}: the lock went with it"
    );
}

#[test]
fn sigterm_saves_and_exits_cleanly() {
    stop_with("-TERM");
}

#[test]
fn sighup_saves_and_exits_cleanly() {
    stop_with("-HUP");
}

/// Child mode: installs the handlers, then never looks at the flag (a loop stuck on a hung-up
/// terminal).
#[test]
fn signal_child_that_never_polls() {
    if std::env::var_os(STUCK_ENV).is_none() {
        return;
    }
    let _shutdown = signals::try_install_with_grace(Duration::from_millis(300)).unwrap();
    println!("ready");
    std::thread::sleep(Duration::from_secs(30));
}

#[test]
fn a_signalled_instance_that_does_not_exit_is_ended_by_the_watchdog() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "signal_child_that_never_polls",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(STUCK_ENV, "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("ready") {
        line.clear();
        assert!(
            out.read_line(&mut line).unwrap() > 0,
            "the child ended early"
        );
    }
    let sent = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // Without the watchdog the child sleeps its 30 s and then passes (exit 0).
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(signals::WATCHDOG_EXIT));
}

#[test]
fn request_alone_never_arms_the_watchdog() {
    // In-process: a request is a quit path, not a signal; this test process must live on.
    let shutdown = signals::try_install_with_grace(Duration::from_millis(50)).unwrap();
    shutdown.request();
    assert!(shutdown.requested());
    std::thread::sleep(Duration::from_millis(400));
}
