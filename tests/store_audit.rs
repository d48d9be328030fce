//! The audit trail: append-only, hash-chained; an edited or deleted line is named.

mod store_support;

use serde_json::{Value, json};
use spinewatch::store::audit::{self, verify_text};
use spinewatch::store::{Change, FileStore, Store};
use std::fs;
use std::path::Path;
use store_support::*;

fn change(path: &str, old: Value, new: Value) -> Change {
    Change {
        path: path.into(),
        old,
        new,
    }
}

/// A case with five audit entries, one save at a time as the TUI would do.
fn five_entries(dir: &Path) -> FileStore {
    let mut store = open_store(dir);
    store.set_user("ana");
    let changes = [
        change("radiotherapy.consult", json!("requested"), json!("seen")),
        change("radiotherapy.dose_per_fraction_gy", Value::Null, json!(1.8)),
        change("patient.label", json!("Bed 12"), json!("Bett 12 — ü")),
        change(
            "neuro_exams[1]",
            Value::Null,
            json!({"at": "2026-12-01T08:00", "frankel": "d"}),
        ),
    ];
    let mut c = case("bed12", "Bed 12");
    try_save(&mut store, &c, &changes[..1]).unwrap();
    c.patient.label = Some("Bett 12 — ü".into());
    try_save(&mut store, &c, &changes[1..3]).unwrap();
    c.notes = Some("exam".into());
    try_save(&mut store, &c, &changes[3..]).unwrap();
    c.notes = Some("mobilising".into());
    try_save(
        &mut store,
        &c,
        &[change("notes", json!(""), json!("mobilising"))],
    )
    .unwrap();
    store
}

fn log_text(dir: &Path) -> String {
    fs::read_to_string(dir.join("bed12.log.jsonl")).unwrap()
}

#[test]
fn an_intact_trail_verifies_and_reads_back() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    assert_eq!(verify_text(&log_text(tmp.path())), Ok(5));
    let entries = audit::read(tmp.path(), "bed12").unwrap();
    let seqs: Vec<u64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert_eq!(entries[0].prev, audit::GENESIS);
    assert_eq!(entries[1].prev, entries[0].hash);
    assert_eq!(entries[1].new, json!(1.8));
    assert_eq!(entries[2].new, json!("Bett 12 — ü"));
    assert_eq!(entries[0].user, "ana");
    assert_eq!(entries[0].at, "2026-12-01T08:00");
}

#[test]
fn an_edited_line_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let text = log_text(tmp.path()).replace("\"new\":1.8", "\"new\":18.0");
    assert_ne!(text, log_text(tmp.path()));
    let broken = verify_text(&text).unwrap_err();
    assert_eq!(broken.entry, 2);
    assert!(broken.reason.contains("altered"), "{broken}");
}

#[test]
fn an_edited_last_line_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let text = log_text(tmp.path()).replace("mobilising", "bedbound");
    assert_eq!(verify_text(&text).unwrap_err().entry, 5);
}

#[test]
fn a_deleted_line_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let text = log_text(tmp.path());
    let kept: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 2)
        .map(|(_, l)| l)
        .collect();
    let broken = verify_text(&(kept.join("\n") + "\n")).unwrap_err();
    assert_eq!(broken.entry, 3);
    assert!(broken.reason.contains("missing"), "{broken}");
}

#[test]
fn a_replaced_entry_with_a_fresh_hash_is_still_caught() {
    // Whoever edits a line and recomputes its own hash breaks the next entry's `prev`.
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let text = log_text(tmp.path());
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut v: serde_json::Map<String, Value> = serde_json::from_str(&lines[1]).unwrap();
    v["new"] = json!("none");
    v.shift_remove("hash");
    let unsealed = serde_json::to_string(&v).unwrap();
    use sha2::Digest;
    let h: String = sha2::Sha256::digest(unsealed.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    v.insert("hash".into(), json!(h));
    lines[1] = serde_json::to_string(&v).unwrap();
    let broken = verify_text(&(lines.join("\n") + "\n")).unwrap_err();
    assert_eq!(broken.entry, 2, "{broken}");
}

#[test]
fn a_write_cut_by_a_crash_is_not_an_entry_and_is_dropped_on_the_next_append() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = five_entries(tmp.path());
    let path = tmp.path().join("bed12.log.jsonl");
    let mut text = log_text(tmp.path());
    text.push_str("{\"seq\":6,\"at\":\"2026-");
    fs::write(&path, &text).unwrap();
    assert_eq!(verify_text(&log_text(tmp.path())), Ok(5));
    let mut c = case("bed12", "Bett 12 — ü");
    c.notes = Some("b".into());
    try_save(&mut store, &c, &[change("notes", json!("a"), json!("b"))]).unwrap();
    let after = log_text(tmp.path());
    assert!(!after.contains("\"at\":\"2026-{"), "{after}");
    assert_eq!(verify_text(&after), Ok(6));
}

#[test]
fn an_unreadable_line_inside_the_trail_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let text = log_text(tmp.path());
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3] = "{\"seq\":4,\"at\":\"2026-";
    let broken = verify_text(&(lines.join("\n") + "\n")).unwrap_err();
    assert_eq!((broken.entry, broken.line), (4, 4), "{broken}");
}

#[test]
fn audit_verify_exits_2_naming_the_entry() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let run = |args: &[&str]| {
        bin()
            .arg("--data-dir")
            .arg(tmp.path())
            .args(args)
            .output()
            .unwrap()
    };
    let ok = run(&["audit", "bed12", "--verify"]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout),
        "bed12.log.jsonl: chain intact, 5 entries; bed12.json matches the newest entry\n"
    );
    let listed = String::from_utf8_lossy(&run(&["audit", "bed12"]).stdout).into_owned();
    assert!(
        listed
            .contains("#2    2026-12-01 08:00  ana  radiotherapy.dose_per_fraction_gy: null → 1.8"),
        "{listed}"
    );

    let path = tmp.path().join("bed12.log.jsonl");
    fs::write(&path, log_text(tmp.path()).replace("\"seen\"", "\"none\"")).unwrap();
    let bad = run(&["audit", "bed12", "--verify"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("bed12.log.jsonl: entry 1 (line 1) was altered: its hash does not match"),
        "{err}"
    );
    assert!(!err.contains("none"), "no case content on stderr: {err}");

    let missing = run(&["audit", "nobody", "--verify"]);
    assert_eq!(missing.status.code(), Some(2));
}

fn verify_run(dir: &Path) -> std::process::Output {
    bin()
        .arg("--data-dir")
        .arg(dir)
        .args(["audit", "bed12", "--verify"])
        .output()
        .unwrap()
}

fn verify_says(dir: &Path) -> (Option<i32>, String) {
    let out = verify_run(dir);
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), text)
}

#[test]
fn a_case_edited_behind_the_trail_fails_verify() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let path = tmp.path().join("bed12.json");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("\"age\": 64", "\"age\": 46")).unwrap();
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("does not match entry 5"), "{said}");
    // The store refuses to save over it: the edit is not laundered into the trail.
    let mut store = open_store(tmp.path());
    let mut c = case("bed12", "Bett 12 — ü");
    c.notes = Some("later".into());
    let err = try_save(
        &mut store,
        &c,
        &[change("notes", json!("x"), json!("later"))],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("does not match its audit trail"),
        "{err}"
    );
}

#[test]
fn a_ui_or_store_change_is_not_an_edit_behind_the_trail() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let path = tmp.path().join("bed12.json");
    let mut v: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    v["ui"] = json!({"screen": "pathology", "field": "performance.kps"});
    fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("matches the newest entry"), "{said}");
}

#[test]
fn a_rolled_back_case_fails_verify_naming_the_older_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = five_entries(tmp.path());
    let path = tmp.path().join("bed12.json");
    let old = fs::read(&path).unwrap();
    let mut c = case("bed12", "Bett 12 — ü");
    c.notes = Some("discharged home".into());
    try_save(
        &mut store,
        &c,
        &[change(
            "notes",
            json!("mobilising"),
            json!("discharged home"),
        )],
    )
    .unwrap();
    let mut c2 = c.clone();
    c2.notes = Some("readmitted".into());
    try_save(
        &mut store,
        &c2,
        &[change(
            "notes",
            json!("discharged home"),
            json!("readmitted"),
        )],
    )
    .unwrap();
    fs::write(&path, &old).unwrap();
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("matches entry 5"), "{said}");
}

#[test]
fn a_cut_off_last_entry_fails_verify() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let text = log_text(tmp.path());
    let kept: Vec<&str> = text.lines().take(4).collect();
    fs::write(tmp.path().join("bed12.log.jsonl"), kept.join("\n") + "\n").unwrap();
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("does not match entry 4"), "{said}");
}

#[test]
fn a_deleted_or_emptied_log_fails_verify() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let log = tmp.path().join("bed12.log.jsonl");
    fs::write(&log, "").unwrap();
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("missing or empty"), "{said}");
    fs::remove_file(&log).unwrap();
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("missing or empty"), "{said}");
}

#[test]
fn an_interrupted_save_verifies_as_such_and_is_marked_not_applied_at_opening() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let mut store = open_store(tmp.path());
    store.fail_at(Some(spinewatch::store::SaveStep::Rename));
    let mut c = case("bed12", "Bett 12 — ü");
    c.notes = Some("never reached the disk".into());
    try_save(
        &mut store,
        &c,
        &[change("notes", json!("mobilising"), json!("x"))],
    )
    .unwrap_err();
    drop(store);
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("interrupted save: entry 6 never reached"),
        "{said}"
    );
    let mut store = open_store(tmp.path());
    store.lock("bed12", now()).unwrap();
    let entries = audit::read(tmp.path(), "bed12").unwrap();
    assert_eq!(entries.last().unwrap().path, audit::NOT_APPLIED);
    assert_eq!(entries.last().unwrap().new, json!({"from": 6, "to": 6}));
    let (code, said) = verify_says(tmp.path());
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("matches the newest entry"), "{said}");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_the_log_does_not_hang_audit() {
    let tmp = tempfile::tempdir().unwrap();
    five_entries(tmp.path());
    let log = tmp.path().join("bed12.log.jsonl");
    fs::remove_file(&log).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&log)
            .status()
            .unwrap()
            .success()
    );
    for args in [&["audit", "bed12"][..], &["audit", "bed12", "--verify"]] {
        let out = bin()
            .arg("--data-dir")
            .arg(tmp.path())
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        assert!(err.contains("FIFO"), "{args:?}: {err}");
    }
}

#[test]
fn an_interrupted_first_save_on_a_trail_from_before_case_hashes_does_not_lock_the_case() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = five_entries(tmp.path());
    // The same trail as an older version wrote it: no case hashes.
    let old: Vec<String> = log_text(tmp.path())
        .lines()
        .map(|l| {
            let mut v: serde_json::Map<String, Value> = serde_json::from_str(l).unwrap();
            v.shift_remove("case");
            serde_json::to_string(&v).unwrap()
        })
        .collect();
    fs::write(tmp.path().join("bed12.log.jsonl"), old.join("\n") + "\n").unwrap();
    let mut c = case("bed12", "Bett 12 — ü");
    c.notes = Some("first save after the upgrade".into());
    store.fail_at(Some(spinewatch::store::SaveStep::Rename));
    try_save(
        &mut store,
        &c,
        &[change("notes", json!("mobilising"), json!("x"))],
    )
    .unwrap_err();
    store.fail_at(None);
    try_save(
        &mut store,
        &c,
        &[change("notes", json!("mobilising"), json!("x"))],
    )
    .unwrap();
    let entries = audit::read(tmp.path(), "bed12").unwrap();
    assert_eq!(entries[entries.len() - 2].path, audit::NOT_APPLIED);
}
