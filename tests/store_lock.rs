//! Locks: two instances on one directory, a lock released by a dead process, read-only means
//! no saves.

mod store_support;

use spinewatch::store::{Access, Change, Store, StoreError};
use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use store_support::*;

const CHILD_ENV: &str = "SPINEWATCH_TEST_LOCK_HOLDER_DIR";

#[test]
fn a_second_store_gets_the_case_read_only_and_cannot_save() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ana = open_store(tmp.path());
    ana.set_user("ana");
    let mut ben = open_store(tmp.path());
    ben.set_user("ben");
    let c = case("bed12", "Bed 12");
    save(&mut ana, &c);
    let before = fs::read(tmp.path().join("bed12.json")).unwrap();

    assert_eq!(ana.lock("bed12", now()).unwrap(), Access::ReadWrite);
    let holder = "in use by ana since 2026-12-01 08:00".to_string();
    assert_eq!(
        ben.lock("bed12", now()).unwrap(),
        Access::ReadOnly {
            holder: holder.clone()
        }
    );
    assert_eq!(ben.holder("bed12"), Some(holder.clone()));
    assert_eq!(
        ana.holder("bed12"),
        None,
        "its own lock is not someone else's"
    );

    let mut changed = c.clone();
    changed.notes = Some("ben's edit".into());
    let err = try_save(&mut ben, &changed, &[]).unwrap_err();
    assert_eq!(err, StoreError::Refused(format!("read-only: {holder}")));
    let change = Change {
        path: "notes".into(),
        old: serde_json::Value::Null,
        new: "ben's edit".into(),
    };
    assert!(try_save(&mut ben, &changed, std::slice::from_ref(&change)).is_err());
    assert_eq!(fs::read(tmp.path().join("bed12.json")).unwrap(), before);
    let trail = fs::read_to_string(tmp.path().join("bed12.log.jsonl")).unwrap();
    assert!(
        !trail.contains("ben"),
        "nothing of ben's in the trail: {trail}"
    );

    // The holder saves; once it lets go, the other can take the case.
    save(&mut ana, &changed);
    ana.unlock("bed12");
    assert_eq!(ben.holder("bed12"), None);
    assert_eq!(ben.lock("bed12", now()).unwrap(), Access::ReadWrite);
    let mut again = changed.clone();
    again.notes = Some("ben's second edit".into());
    try_save(&mut ben, &again, &[change]).unwrap();
    assert!(matches!(
        ana.lock("bed12", now()).unwrap(),
        Access::ReadOnly { .. }
    ));
    // Dropping a store gives its cases back.
    drop(ben);
    assert_eq!(ana.lock("bed12", now()).unwrap(), Access::ReadWrite);
}

#[test]
fn a_store_without_the_lock_cannot_save_while_another_holds_it() {
    // The TUI might save without calling lock first: the save still respects the holder.
    let tmp = tempfile::tempdir().unwrap();
    let mut ana = open_store(tmp.path());
    ana.set_user("ana");
    save(&mut ana, &case("bed12", "Bed 12"));
    ana.lock("bed12", now()).unwrap();
    let mut ben = open_store(tmp.path());
    let err = try_save(&mut ben, &case("bed12", "Bed 12 (ben)"), &[]).unwrap_err();
    assert!(err.to_string().contains("in use by ana"), "{err}");
}

#[test]
fn a_lock_file_without_a_live_holder_is_stale() {
    let tmp = tempfile::tempdir().unwrap();
    // Left by a process that died: the text is there, the OS lock is not.
    write(
        tmp.path(),
        "bed12.lock",
        r#"{"user":"ghost","pid":999999,"since":"2026-11-30T03:00"}"#,
    );
    let mut store = open_store(tmp.path());
    assert_eq!(store.holder("bed12"), None);
    assert_eq!(store.lock("bed12", now()).unwrap(), Access::ReadWrite);
}

/// Child mode: take the lock, say so, then wait to be killed.
#[test]
fn lock_holder_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut store = open_store(&dir);
    store.set_user("nurse");
    assert_eq!(store.lock("bed12", now()).unwrap(), Access::ReadWrite);
    println!("locked");
    std::thread::sleep(Duration::from_secs(60));
}

#[test]
fn the_lock_of_a_killed_process_is_released() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lock_holder_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, tmp.path())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let store = open_store(tmp.path());
    let start = Instant::now();
    let mut seen = None;
    while start.elapsed() < Duration::from_secs(20) {
        seen = store.holder("bed12");
        if seen.as_deref().is_some_and(|h| h.contains("since")) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        seen.as_deref(),
        Some("in use by nurse since 2026-12-01 08:00")
    );
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let mut store = store;
    assert_eq!(store.holder("bed12"), None);
    assert_eq!(store.lock("bed12", now()).unwrap(), Access::ReadWrite);
}

#[test]
fn someone_checking_who_holds_a_case_never_makes_it_read_only() {
    // `spinewatch rounds` probes lock files that still name a holder (one that died). Its
    // probe holds the OS lock for a microsecond; a clinician opening the case at that moment
    // must still get it.
    use spinewatch::store::lock::{Taken, holder, try_take};
    use std::sync::atomic::{AtomicBool, Ordering};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                std::hint::black_box(holder(&dir, "bed12"));
            }
        });
        for _ in 0..300 {
            match try_take(&dir, "bed12", "ana", Some(now())).unwrap() {
                // Dropped without release: the name stays in the file, as after a crash.
                Taken::Mine(lock) => drop(lock),
                Taken::Elsewhere(h) => {
                    done.store(true, Ordering::Relaxed);
                    panic!("the probe was taken for a holder: {h}");
                }
            }
        }
        done.store(true, Ordering::Relaxed);
    });
}

#[test]
fn with_the_lock_file_deleted_a_second_instance_cannot_overwrite_the_first_ones_change() {
    let tmp = tempfile::tempdir().unwrap();
    let mut first = open_store(tmp.path());
    first.set_user("ana");
    save(&mut first, &case("bed12", "Bed 12"));
    assert_eq!(first.lock("bed12", now()).unwrap(), Access::ReadWrite);
    let mine = first.load("bed12", now()).unwrap();
    // Someone removes the lock file: the second instance gets the case as well.
    fs::remove_file(tmp.path().join("bed12.lock")).unwrap();
    let mut second = open_store(tmp.path());
    second.set_user("ben");
    assert_eq!(second.lock("bed12", now()).unwrap(), Access::ReadWrite);
    let theirs = second.load("bed12", now()).unwrap();

    let mut ben = theirs.clone();
    ben.notes = Some("ben: RT consult seen".into());
    let v = spinewatch::store::version_of(&theirs);
    let ben_change = Change {
        path: "notes".into(),
        old: serde_json::Value::Null,
        new: "ben: RT consult seen".into(),
    };
    second.save(&ben, v, &[ben_change]).unwrap();

    let mut ana = mine.clone();
    ana.notes = Some("ana: wound dry".into());
    let v = spinewatch::store::version_of(&mine);
    let before = fs::read(tmp.path().join("bed12.json")).unwrap();
    let err = first
        .save(
            &ana,
            v,
            &[Change {
                path: "notes".into(),
                old: serde_json::Value::Null,
                new: "ana: wound dry".into(),
            }],
        )
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { .. } | StoreError::Refused(_)),
        "{err:?}"
    );
    assert_eq!(
        fs::read(tmp.path().join("bed12.json")).unwrap(),
        before,
        "ben's change is not overwritten"
    );
    let saved = second.load("bed12", now()).unwrap();
    assert_eq!(saved.notes.as_deref(), Some("ben: RT consult seen"));
    let trail = spinewatch::store::audit::read(tmp.path(), "bed12").unwrap();
    assert!(
        trail.iter().all(|e| e.new != "ana: wound dry"),
        "no entry for a refused save"
    );
}

#[test]
fn a_stale_version_is_a_conflict_that_names_who_changed_the_case() {
    let tmp = tempfile::tempdir().unwrap();
    let mut ana = open_store(tmp.path());
    ana.set_user("ana");
    let v1 = ana.create(&case("bed12", "Bed 12"), &[], now()).unwrap();
    let mut c = case("bed12", "Bed 12");
    c.notes = Some("one".into());
    let v2 = ana.save(&c, v1, &[]).unwrap();
    assert_eq!((v1, v2), (1, 2));
    c.notes = Some("two".into());
    let err = ana.save(&c, v1, &[]).unwrap_err();
    let StoreError::Conflict { by, message } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(by.as_deref(), Some("ana"));
    assert!(message.contains("version 2"), "{message}");
    assert!(message.contains("nothing was written"), "{message}");
}

#[test]
fn lock_and_audit_times_are_the_wall_clock_not_the_callers_now() {
    let tmp = tempfile::tempdir().unwrap();
    // The real clock (no set_clock): the caller's what-if moment must not reach the files.
    let mut store = spinewatch::store::FileStore::open(tmp.path()).unwrap();
    let what_if = spinewatch::cli::parse_now("2031-06-01T12:00").unwrap();
    store.create(&case("bed12", "Bed 12"), &[], now()).unwrap();
    store.lock("bed12", what_if).unwrap();
    let lock = fs::read_to_string(tmp.path().join("bed12.lock")).unwrap();
    assert!(lock.contains("\"since\""), "{lock}");
    assert!(!lock.contains("2031-06-01"), "{lock}");
    let trail = fs::read_to_string(tmp.path().join("bed12.log.jsonl")).unwrap();
    assert!(!trail.contains("2031-06-01"), "{trail}");
}
