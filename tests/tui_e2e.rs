//! The real binary in a pseudo-terminal: `spinewatch demo`, read the screen, press keys,
//! create a case by typing its label, quit; then the files on disk and the exit.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Tty {
    parser: vt100::Parser,
    rx: Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    // Kept open for the life of the session: dropping it hangs up the terminal.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tty {
    /// Reads output until the screen contains `text`, or fails with the screen shown.
    fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.parser.screen().contents();
            if screen.contains(text) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {text:?}; screen:\n{screen}");
            }
            if let Ok(bytes) = self.rx.recv_timeout(Duration::from_millis(100)) {
                self.parser.process(&bytes);
            }
        }
    }
    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        // Lone Esc is told from an escape sequence by a pause.
        std::thread::sleep(Duration::from_millis(150));
    }
}

fn json_files_with(dir: &Path, needle: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains(needle)))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Starts the real binary in an 80×24 pseudo-terminal.
fn spawn(args: &[&str], dir: &Path) -> (Tty, Box<dyn portable_pty::Child + Send + Sync>) {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_spinewatch"));
    cmd.args(args);
    // The real clock: under `--now` the TUI is a read-only what-if view.
    cmd.arg("--data-dir");
    cmd.arg(dir);
    cmd.env("TERM", "xterm-256color");
    cmd.env("NO_COLOR", "1");
    cmd.env("SPINEWATCH_CONFIG_DIR", dir.join("config"));
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let tty = Tty {
        parser: vt100::Parser::new(24, 80, 0),
        rx,
        writer: pair.master.take_writer().unwrap(),
        _master: pair.master,
    };
    (tty, child)
}

fn wait_exit(child: &mut Box<dyn portable_pty::Child + Send + Sync>) -> portable_pty::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the process did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn demo_then_a_new_case_typed_at_the_bedside_is_on_disk_after_quit() {
    let dir = tempfile::tempdir().unwrap();
    let (mut tty, mut child) = spawn(&["demo"], dir.path());
    let screen = tty.wait_for("Bed 12 · POD 5 · T12");
    assert!(screen.contains("Patient & surgery"), "{screen}");
    assert!(
        screen.contains("RT not started, early · 23 d left"),
        "{screen}"
    );

    // The plan: Ctrl-P, Enter on the first pitfall shows its basis; any key closes.
    tty.press("\x10");
    tty.press("\r");
    let screen = tty.wait_for("Basis (protocol text)");
    assert!(screen.contains("[W-LESION-UNPLANNED]"), "{screen}");
    tty.press(" ");
    tty.press("\x10");
    tty.wait_for("Tab next");

    // Back to rounds: the demo patient is listed.
    tty.press("\x1b");
    let screen = tty.wait_for("spinewatch · rounds");
    assert!(screen.contains("Bed 12"), "{screen}");

    // A new case: the label is focused; type it, Tab commits and creates the case.
    tty.press("n");
    tty.wait_for("Patient & surgery");
    tty.press("Bed 9 é");
    tty.press("\t");
    tty.wait_for("saved");
    tty.press("\x1b");
    let screen = tty.wait_for("spinewatch · rounds");
    assert!(screen.contains("Bed 9 é"), "{screen}");
    assert!(screen.contains("Bed 12"), "{screen}");

    tty.press("q");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the process did not exit after q"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");

    let new = json_files_with(dir.path(), "\"label\": \"Bed 9 é\"");
    assert_eq!(new.len(), 1, "exactly one file holds the new case: {new:?}");
    // The typed label went through the audit trail of the new case.
    let id = new[0].trim_end_matches(".json");
    let log = std::fs::read_to_string(dir.path().join(format!("{id}.log.jsonl"))).unwrap();
    assert!(
        log.contains("patient.label") && log.contains("Bed 9 é"),
        "{log}"
    );
    let demo = json_files_with(dir.path(), "\"label\": \"Bed 12\"");
    assert_eq!(demo, ["bed12-2026-11-20.json"]);
    // Where the demo case was left (the patient screen) is kept beside the clinical fields.
    let text = std::fs::read_to_string(dir.path().join("bed12-2026-11-20.json")).unwrap();
    assert!(text.contains("\"screen\": \"patient\""), "{text}");
}

#[test]
fn a_second_instance_opens_a_held_case_read_only_and_says_by_whom() {
    let dir = tempfile::tempdir().unwrap();
    let (mut first, mut first_child) = spawn(&["demo"], dir.path());
    first.wait_for("Bed 12 · POD 5 · T12");

    let (mut second, mut second_child) = spawn(&[], dir.path());
    let screen = second.wait_for("spinewatch · rounds");
    assert!(screen.contains("Bed 12 (ro)"), "{screen}");
    second.press("\r");
    let screen = second.wait_for("READ-ONLY: ");
    assert!(screen.contains("in use by"), "{screen}");
    // A change is refused with the reason; nothing is written by the second instance.
    second.press("\x1b");
    second.wait_for("spinewatch · rounds");
    second.press("q");
    assert!(wait_exit(&mut second_child).success());

    first.press("\x03");
    assert!(
        wait_exit(&mut first_child).success(),
        "Ctrl-C saves and quits"
    );
}

/// A dropped ssh session sends SIGHUP: what was typed is kept as a draft (never committed as
/// the clinical value), the case saved where it was left, before exit.
#[cfg(unix)]
#[test]
fn a_hang_up_keeps_what_was_typed_as_a_draft_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let (mut tty, mut child) = spawn(&["demo"], dir.path());
    tty.wait_for("Bed 12 · POD 5 · T12");
    tty.press("\t");
    tty.press("MRN-77");
    tty.wait_for("MRN-77");
    // SIGHUP alone, as a dropped ssh session sends it (portable-pty's `kill` follows it with
    // SIGKILL after a short grace, which a loaded machine can overrun).
    let pid = child.process_id().expect("the child has a pid") as libc::pid_t;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGHUP) }, 0);
    let status = wait_exit(&mut child);
    assert!(status.success(), "{status:?}");
    let text = std::fs::read_to_string(dir.path().join("bed12-2026-11-20.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_ne!(v["patient"]["mrn"], "MRN-77", "{text}");
    assert_eq!(v["ui"]["drafts"][0]["text"], "MRN-77", "{text}");
    let log = std::fs::read_to_string(dir.path().join("bed12-2026-11-20.log.jsonl")).unwrap();
    assert!(!log.contains("patient.mrn"), "{log}");
}

/// Two instances on one data directory: the second's rounds list shows what the first saved,
/// without a key pressed in the second.
#[test]
fn a_change_in_one_instance_appears_in_the_others_rounds_list_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let (mut first, mut first_child) = spawn(&["demo"], dir.path());
    first.wait_for("Bed 12 · POD 5 · T12");
    let (mut second, mut second_child) = spawn(&[], dir.path());
    let screen = second.wait_for("spinewatch · rounds");
    assert!(screen.contains("Bed 12"), "{screen}");
    assert!(!screen.contains("Bed 12x"), "{screen}");

    // The label is focused on opening: append to it and leave the field (saved).
    first.press("x");
    first.press("\t");
    first.wait_for("saved");
    // Only output is read from the second instance: no key reaches it.
    let screen = second.wait_for("Bed 12x");
    assert!(screen.contains("spinewatch · rounds"), "{screen}");

    first.press("\x03");
    assert!(wait_exit(&mut first_child).success());
    second.press("q");
    assert!(wait_exit(&mut second_child).success());
}
