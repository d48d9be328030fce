//! A child process saving in a loop is SIGKILLed at random moments, 200 times; afterwards
//! every case file parses and validates. The test binary re-executes itself as the child.

mod store_support;

use serde_json::Value;
use spinewatch::case::Case;
use spinewatch::store::{Change, FileStore, Store, audit};
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use store_support::*;

const CHILD_ENV: &str = "SPINEWATCH_TEST_CRASH_DIR";
const KILLS: usize = 200;

/// A case whose size swings between saves (0–6 KB of notes), so a torn file cannot pass.
fn version(n: u64) -> Case {
    let mut c = case("bed12", "Bed 12");
    c.notes = Some(format!(
        "save {n}: {}",
        "wound dry; ".repeat((n % 7) as usize * 90)
    ));
    c
}

/// Child mode: save and audit forever, until killed.
#[test]
fn crash_child_saves_in_a_loop() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut store = FileStore::open(&dir).unwrap();
    store.lock("bed12", now()).unwrap();
    let start = audit::read(Path::new(&dir), "bed12").unwrap().len() as u64;
    for n in start + 1.. {
        store.save(&version(n)).unwrap();
        let change = Change {
            path: "notes".into(),
            old: Value::from(n - 1),
            new: Value::from(n),
        };
        store.append_audit("bed12", now(), &[change]).unwrap();
    }
}

fn temp_files(dir: &Path) -> usize {
    names(dir).iter().filter(|n| n.ends_with(".tmp")).count()
}

#[test]
fn sigkill_at_random_moments_never_tears_a_case_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    FileStore::open(dir).unwrap().save(&version(0)).unwrap();
    let log = audit::log_path(dir, "bed12");
    let mut seed: u64 = 0x5eed_cafe_f00d;
    let mut random = move |below: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    };
    let (mut torn, mut left_mid_save) = (0, 0);
    for round in 0..KILLS {
        let log_len = fs::metadata(&log).map_or(0, |m| m.len());
        let temps_before = temp_files(dir);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child_saves_in_a_loop", "--test-threads=1"])
            .env(CHILD_ENV, dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the child is saving, then kill it a random moment later.
        let waited = Instant::now();
        while fs::metadata(&log).map_or(0, |m| m.len()) == log_len
            && waited.elapsed() < Duration::from_secs(10)
        {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("round {round}: the child stopped by itself: {status}");
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        std::thread::sleep(Duration::from_micros(random(8000)));
        child.kill().unwrap();
        child.wait().unwrap();
        left_mid_save += temp_files(dir) - temps_before;
        let text = fs::read(dir.join("bed12.json")).unwrap();
        let whole = std::str::from_utf8(&text)
            .ok()
            .and_then(|t| Case::from_json_str(t, now()).ok());
        if whole.is_none() {
            torn += 1;
        }
    }
    let store = FileStore::open(dir).unwrap();
    let listing = store.load_all(now()).unwrap();
    let saves = audit::verify(dir, "bed12").unwrap();
    if let Ok(keep) = std::env::var("KEEP_CRASH_DIR") {
        let _ = std::process::Command::new("cp")
            .args(["-r"])
            .arg(dir)
            .arg(keep)
            .status();
    }
    println!(
        "crash test: {KILLS} SIGKILLs, {torn} torn case files, {left_mid_save} kills landed \
         between temp file and rename, {} saves audited, audit chain {:?}",
        audit::read(dir, "bed12").unwrap().len(),
        saves
    );
    assert_eq!(torn, 0);
    assert!(listing.damaged.is_empty(), "{:?}", listing.damaged);
    assert_eq!(listing.cases.len(), 1);
    assert!(saves.is_ok(), "audit chain after kills: {saves:?}");
    assert!(
        left_mid_save > 0,
        "no kill landed inside a save: the test proved nothing"
    );
}
