//! `spinewatch set ID PATH=VALUE… [--expect-version N]`: the TUI's parsing, validation and
//! audit, one save for all values; exit 3 writing nothing when the case changed.

mod store_support;

use serde_json::{Value, json};
use spinewatch::store::{Store, audit, version_of};
use std::fs;
use std::path::Path;
use std::process::Output;
use store_support::*;

const ID: &str = "bed12";

fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    store.create(&case(ID, "Bed 12"), &[], now()).unwrap();
    tmp
}

fn set(dir: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--data-dir")
        .arg(dir)
        .args(["set", ID])
        .args(args)
        .output()
        .unwrap()
}

fn stored(dir: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join("bed12.json")).unwrap()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn values_are_parsed_as_the_tui_parses_them_and_saved_once() {
    let tmp = setup();
    let out = set(
        tmp.path(),
        &[
            "patient.age=71",
            "radiotherapy.planned_start=+2",
            "radiotherapy.consult=seen",
            "patient.mrn=X1",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let v = stored(tmp.path());
    assert_eq!(v["patient"]["age"], json!(71));
    assert_eq!(v["radiotherapy"]["consult"], json!("seen"));
    assert_eq!(v["patient"]["mrn"], json!("X1"));
    let planned = v["radiotherapy"]["planned_start"].as_str().unwrap();
    assert_eq!(planned.len(), 10, "a date: {planned}");
    assert_eq!(
        v["store"]["version"],
        json!(2),
        "one save for all four values"
    );
    let paths: Vec<String> = audit::read(tmp.path(), ID)
        .unwrap()
        .iter()
        .map(|e| e.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "(create)",
            "patient.age",
            "radiotherapy.planned_start",
            "radiotherapy.consult",
            "patient.mrn"
        ]
    );
}

#[test]
fn a_time_typed_as_a_clock_is_today_at_that_time() {
    let tmp = setup();
    let out = set(tmp.path(), &["wound.checked_at=08:30"]);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let at = stored(tmp.path())["wound"]["checked_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(at.ends_with("T08:30"), "{at}");
}

#[test]
fn a_bad_value_is_refused_naming_the_field_and_nothing_is_written() {
    let tmp = setup();
    let before = fs::read(tmp.path().join("bed12.json")).unwrap();
    let out = set(tmp.path(), &["patient.age=71", "performance.kps=65"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err(&out).contains("performance.kps: 65 is not in steps of 10"),
        "{}",
        err(&out)
    );
    assert_eq!(fs::read(tmp.path().join("bed12.json")).unwrap(), before);
    let out = set(tmp.path(), &["radiotherapy.consult=sen"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(err(&out).contains("is not one of"), "{}", err(&out));
    assert_eq!(fs::read(tmp.path().join("bed12.json")).unwrap(), before);
}

#[test]
fn a_row_is_appended_and_a_frankel_drop_marked_as_the_tui_does() {
    let tmp = setup();
    let out = set(
        tmp.path(),
        &[r#"neuro_exams[+]={"at": "2026-11-30T08:30", "frankel": "c"}"#],
    );
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let v = stored(tmp.path());
    let exams = v["neuro_exams"].as_array().unwrap();
    assert_eq!(exams.len(), 2);
    assert_eq!(exams[1]["frankel"], json!("c"));
    assert_eq!(exams[1]["new_or_worse"], json!(true));
    let entries = audit::read(tmp.path(), ID).unwrap();
    assert_eq!(entries[1].path, "neuro_exams[1]");
    assert_eq!(entries[2].path, "neuro_exams[1].new_or_worse");
}

#[test]
fn a_case_changed_since_the_expected_version_is_left_untouched_with_exit_3() {
    let tmp = setup();
    let out = set(tmp.path(), &["patient.age=71", "--expect-version", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let before = fs::read(tmp.path().join("bed12.json")).unwrap();
    let trail = fs::read(tmp.path().join("bed12.log.jsonl")).unwrap();
    let out = set(tmp.path(), &["patient.age=72", "--expect-version", "1"]);
    assert_eq!(out.status.code(), Some(3), "{}", err(&out));
    assert!(
        err(&out).contains("changed since version 1"),
        "{}",
        err(&out)
    );
    assert_eq!(fs::read(tmp.path().join("bed12.json")).unwrap(), before);
    assert_eq!(fs::read(tmp.path().join("bed12.log.jsonl")).unwrap(), trail);
    let store = open_store(tmp.path());
    assert_eq!(version_of(&store.load(ID, now()).unwrap()), 2);
}

#[test]
fn evaluate_json_shows_the_version() {
    let tmp = setup();
    set(tmp.path(), &["patient.age=71"]);
    let out = bin()
        .args(["--now", "2026-12-01T08:00", "evaluate"])
        .arg(tmp.path().join("bed12.json"))
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], json!(2));
}

#[test]
fn a_case_held_by_another_instance_is_not_written() {
    let tmp = setup();
    let mut holder = open_store(tmp.path());
    holder.lock(ID, now()).unwrap();
    let before = fs::read(tmp.path().join("bed12.json")).unwrap();
    let out = set(tmp.path(), &["patient.age=71"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(err(&out).contains("read-only"), "{}", err(&out));
    assert_eq!(fs::read(tmp.path().join("bed12.json")).unwrap(), before);
}

#[test]
fn a_rows_times_are_read_as_the_tui_reads_them() {
    let tmp = setup();
    let out = set(
        tmp.path(),
        &[r#"neuro_exams[+]={"at": "08:30", "frankel": "e"}"#],
    );
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let at = stored(tmp.path())["neuro_exams"][1]["at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(at.ends_with("T08:30") && at.len() == 16, "{at}");
    let out = set(tmp.path(), &[r#"neuro_exams[+]={"at": "25:99"}"#]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err(&out).contains("at: \"25:99\" is not a time"),
        "{}",
        err(&out)
    );
}
