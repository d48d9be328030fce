//! The real binary in a pseudo-terminal: Ctrl-C leaves with the terminal restored, Ctrl-Z
//! suspends with the terminal restored and `fg` (SIGCONT) redraws, and a terminal that
//! vanishes ends the instance within seconds, the value being typed kept as a draft and the
//! case given back. Core dumps are off for the process.
#![cfg(target_os = "linux")]

mod store_support;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use store_support::*;

/// The terminal's side. Output is read from the master's own descriptor (no reader thread
/// holding a copy), so dropping the master really makes the terminal vanish.
struct Tty {
    parser: vt100::Parser,
    writer: Option<Box<dyn Write + Send>>,
    master: Option<Box<dyn portable_pty::MasterPty + Send>>,
}

impl Tty {
    fn pump(&mut self, wait: Duration) {
        let Some(fd) = self.master.as_ref().and_then(|m| m.as_raw_fd()) else {
            return;
        };
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let mut timeout = wait.as_millis() as i32;
        // SAFETY: a valid pollfd and a buffer of the given length.
        while unsafe { libc::poll(&mut p, 1, timeout) } > 0 && p.revents & libc::POLLIN != 0 {
            let mut buf = [0u8; 8192];
            let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
            if n <= 0 {
                return;
            }
            self.parser.process(&buf[..n as usize]);
            timeout = 0;
        }
    }
    fn wait_until(&mut self, what: &str, done: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(self.parser.screen()) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{}",
                self.parser.screen().contents()
            );
            self.pump(Duration::from_millis(100));
        }
    }
    fn wait_for(&mut self, text: &str) {
        let text = text.to_string();
        self.wait_until(&format!("{text:?}"), move |s| s.contents().contains(&text));
    }
    fn press(&mut self, keys: &str) {
        let w = self.writer.as_mut().unwrap();
        w.write_all(keys.as_bytes()).unwrap();
        w.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }
}

type Child = Box<dyn portable_pty::Child + Send + Sync>;

fn spawn(dir: &Path) -> (Tty, Child) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_spinewatch"));
    cmd.arg("--data-dir");
    cmd.arg(dir);
    cmd.env("TERM", "xterm-256color");
    cmd.env("NO_COLOR", "1");
    cmd.env("SPINEWATCH_CONFIG_DIR", dir.join("config"));
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let tty = Tty {
        parser: vt100::Parser::new(24, 80, 0),
        writer: Some(pair.master.take_writer().unwrap()),
        master: Some(pair.master),
    };
    (tty, child)
}

fn wait_exit(child: &mut Child, within: Duration) -> portable_pty::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the process did not exit in {within:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The process state letter from /proc (`T` stopped, `S` sleeping …).
fn state(pid: u32) -> char {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = stat.rsplit_once(')').unwrap().1;
    after.trim_start().chars().next().unwrap()
}

fn data_with_case() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    store_support::save(&mut store, &case("bed12", "Bed 12"));
    tmp
}

#[test]
fn ctrl_c_with_nothing_pending_leaves_with_the_terminal_restored() {
    let tmp = data_with_case();
    let (mut tty, mut child) = spawn(tmp.path());
    tty.wait_for("Bed 12");
    assert!(tty.parser.screen().alternate_screen());
    tty.press("\x03");
    let status = wait_exit(&mut child, Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    tty.pump(Duration::from_millis(200));
    assert!(
        !tty.parser.screen().alternate_screen(),
        "the alternate screen was left"
    );
}

#[test]
fn ctrl_z_suspends_with_the_terminal_restored_and_sigcont_redraws() {
    let tmp = data_with_case();
    let (mut tty, mut child) = spawn(tmp.path());
    tty.wait_for("Bed 12");
    let pid = child.process_id().unwrap();
    // Core dumps are off.
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    assert!(core.split_whitespace().nth(4) == Some("0"), "{core}");

    tty.press("\x1a");
    tty.wait_until("the normal screen", |s| !s.alternate_screen());
    let deadline = Instant::now() + Duration::from_secs(5);
    while state(pid) != 'T' {
        assert!(Instant::now() < deadline, "not stopped: {}", state(pid));
        std::thread::sleep(Duration::from_millis(50));
    }
    // `fg`: the shell sends SIGCONT.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGCONT) }, 0);
    tty.wait_until("the alternate screen again", |s| s.alternate_screen());
    tty.wait_for("Bed 12");
    tty.press("\x03");
    assert!(wait_exit(&mut child, Duration::from_secs(5)).success());
}

/// The case opened from the rounds list with `more` typed after its label (the label field
/// is focused; free text is appended to), not committed.
fn typing(more: &str) -> (tempfile::TempDir, Tty, Child) {
    let tmp = data_with_case();
    let (mut tty, child) = spawn(tmp.path());
    tty.wait_for("Bed 12");
    tty.press("\r");
    tty.wait_for("Patient & surgery");
    tty.press(more);
    tty.wait_for(&format!("Bed 12{more}"));
    (tmp, tty, child)
}

/// The case file as JSON.
fn stored(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("bed12.json")).unwrap()).unwrap()
}

#[test]
fn a_vanished_terminal_ends_the_instance_keeping_the_typed_value_as_a_draft() {
    let (tmp, mut tty, mut child) = typing(" (window)");
    // The terminal goes away.
    drop(tty.writer.take());
    drop(tty.master.take());
    wait_exit(&mut child, Duration::from_secs(5));
    let v = stored(tmp.path());
    assert_eq!(v["patient"]["label"], "Bed 12", "never committed");
    assert_eq!(
        v["ui"]["drafts"],
        serde_json::json!([{"path": "patient.label", "text": "Bed 12 (window)"}])
    );
    let lock = std::fs::read(tmp.path().join("bed12.lock")).unwrap();
    assert!(lock.is_empty(), "the lock is released");
}

#[test]
fn sigterm_sigint_and_sigquit_restore_the_terminal_and_keep_the_typed_value_as_a_draft() {
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGQUIT] {
        let (tmp, mut tty, mut child) = typing(" (bay 2)");
        let pid = child.process_id().unwrap() as i32;
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let status = wait_exit(&mut child, Duration::from_secs(5));
        assert!(status.success(), "signal {signal}: {status:?}");
        tty.pump(Duration::from_millis(200));
        assert!(
            !tty.parser.screen().alternate_screen(),
            "signal {signal}: the terminal is restored"
        );
        let v = stored(tmp.path());
        assert_eq!(v["patient"]["label"], "Bed 12", "signal {signal}");
        assert_eq!(
            v["ui"]["drafts"][0]["text"], "Bed 12 (bay 2)",
            "signal {signal}"
        );
    }
}
