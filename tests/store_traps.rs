//! Filesystem traps: a symlink, FIFO or directory in the place of a case, its log, its lock
//! or `exports/` is reported and left alone, and the file outside the data directory it
//! points at is byte for byte what it was. Exports are 0600 in a 0700 `exports/` whatever
//! the umask.
#![cfg(unix)]

mod store_support;

use serde_json::Value;
use spinewatch::store::{Access, Change, Store};
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use store_support::*;

const OUTSIDE: &[u8] = b"outside the data directory: must never change\n";

/// A data directory `data/` and a file outside it.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir(&data).unwrap();
    let outside = tmp.path().join("outside.txt");
    fs::write(&outside, OUTSIDE).unwrap();
    (tmp, data, outside)
}

fn mkfifo(path: &Path) {
    assert!(
        std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap()
            .success()
    );
}

fn edit(store: &mut spinewatch::store::FileStore, label: &str) -> Result<u64, String> {
    let mut c = case("bed12", "Bed 12");
    c.notes = Some(label.into());
    let change = Change {
        path: "notes".into(),
        old: Value::Null,
        new: label.into(),
    };
    try_save(store, &c, &[change]).map_err(|e| e.to_string())
}

#[test]
fn a_symlinked_case_is_damaged_left_alone_and_never_written_through() {
    let (_tmp, data, outside) = setup();
    symlink(&outside, data.join("bed12.json")).unwrap();
    let mut store = open_store(&data);
    let listing = store.load_all(now()).unwrap();
    assert_eq!(listing.damaged.len(), 1, "{:?}", listing.damaged);
    assert!(
        listing.damaged[0].reason.contains("symbolic link"),
        "{:?}",
        listing.damaged
    );
    let err = edit(&mut store, "through the link").unwrap_err();
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read(&outside).unwrap(), OUTSIDE);
    assert!(
        fs::symlink_metadata(data.join("bed12.json"))
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link is left in place"
    );
}

#[test]
fn a_fifo_or_directory_in_a_cases_place_is_damaged_without_hanging() {
    let (_tmp, data, _outside) = setup();
    mkfifo(&data.join("bed12.json"));
    fs::create_dir(data.join("bed13.json")).unwrap();
    let store = open_store(&data);
    let listing = store.load_all(now()).unwrap();
    let reasons: Vec<String> = listing
        .damaged
        .iter()
        .map(|d| format!("{}: {}", d.file, d.reason))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(
        reasons[0].contains("bed12.json") && reasons[0].contains("FIFO"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("bed13.json") && reasons[1].contains("directory"),
        "{reasons:?}"
    );
}

#[test]
fn a_symlinked_log_is_never_appended_to() {
    let (_tmp, data, outside) = setup();
    let mut store = open_store(&data);
    save(&mut store, &case("bed12", "Bed 12"));
    fs::remove_file(data.join("bed12.log.jsonl")).unwrap();
    symlink(&outside, data.join("bed12.log.jsonl")).unwrap();
    let before = fs::read(data.join("bed12.json")).unwrap();
    let err = edit(&mut store, "appended through the link").unwrap_err();
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(fs::read(&outside).unwrap(), OUTSIDE);
    assert_eq!(
        fs::read(data.join("bed12.json")).unwrap(),
        before,
        "no save without its entry"
    );
}

#[test]
fn a_symlinked_lock_is_never_truncated_and_the_case_opens_read_only() {
    let (_tmp, data, outside) = setup();
    let mut store = open_store(&data);
    save(&mut store, &case("bed12", "Bed 12"));
    drop(store);
    fs::remove_file(data.join("bed12.lock")).unwrap();
    symlink(&outside, data.join("bed12.lock")).unwrap();
    let mut store = open_store(&data);
    let access = store.lock("bed12", now()).unwrap();
    let Access::ReadOnly { holder } = &access else {
        panic!("{access:?}")
    };
    assert!(holder.contains("symbolic link"), "{holder}");
    assert!(store.load("bed12", now()).is_ok(), "still readable");
    assert!(edit(&mut store, "x").is_err());
    assert_eq!(fs::read(&outside).unwrap(), OUTSIDE);
}

#[test]
fn a_fifo_as_the_lock_does_not_hang_and_is_left_alone() {
    let (_tmp, data, _outside) = setup();
    let mut store = open_store(&data);
    save(&mut store, &case("bed12", "Bed 12"));
    drop(store);
    fs::remove_file(data.join("bed12.lock")).unwrap();
    mkfifo(&data.join("bed12.lock"));
    let mut store = open_store(&data);
    assert!(matches!(
        store.lock("bed12", now()).unwrap(),
        Access::ReadOnly { .. }
    ));
    assert_eq!(store.holder("bed12"), None);
}

fn export_app(data: &Path) -> spinewatch::tui::App {
    let mut store = open_store(data);
    save(&mut store, &case("bed12", "Bed 12"));
    let mut app = spinewatch::tui::test_app(now());
    app.open_case(store.load("bed12", now()).unwrap(), Access::ReadWrite, true);
    app
}

#[test]
fn a_symlinked_exports_directory_is_refused() {
    let (tmp, data, outside) = setup();
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    symlink(&elsewhere, data.join("exports")).unwrap();
    let mut app = export_app(&data);
    let mut store = open_store(&data);
    spinewatch::tui::perform(
        &mut app,
        &mut store,
        &data.join("exports"),
        vec![spinewatch::tui::Effect::Export],
    );
    let (status, error) = app.status.clone().unwrap();
    assert!(error && status.contains("symbolic link"), "{status}");
    assert_eq!(
        fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written there"
    );
    assert_eq!(fs::read(&outside).unwrap(), OUTSIDE);
}

#[test]
fn a_symlink_in_an_exports_place_is_replaced_not_followed_and_exports_are_private() {
    let (_tmp, data, outside) = setup();
    // Under umask 000 (everything would be world-readable).
    let old = unsafe { libc::umask(0) };
    let exports = data.join("exports");
    fs::create_dir(&exports).unwrap();
    fs::set_permissions(&exports, fs::Permissions::from_mode(0o777)).unwrap();
    symlink(&outside, exports.join("bed12-20261201T0800.md")).unwrap();
    let mut app = export_app(&data);
    let mut store = open_store(&data);
    spinewatch::tui::perform(
        &mut app,
        &mut store,
        &data.join("exports"),
        vec![spinewatch::tui::Effect::Export],
    );
    unsafe { libc::umask(old) };
    let (status, error) = app.status.clone().unwrap();
    assert!(!error, "{status}");
    let file = exports.join("bed12-20261201T0800.md");
    let meta = fs::symlink_metadata(&file).unwrap();
    assert!(meta.is_file(), "the link was replaced by the export");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(
        fs::metadata(&exports).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert_eq!(fs::read(&outside).unwrap(), OUTSIDE);
}

#[test]
fn a_vanished_case_or_directory_is_said_plainly() {
    let (tmp, data, _outside) = setup();
    let mut store = open_store(&data);
    save(&mut store, &case("bed12", "Bed 12"));
    store.lock("bed12", now()).unwrap();
    let loaded = store.load("bed12", now()).unwrap();
    let v = spinewatch::store::version_of(&loaded);
    fs::remove_file(data.join("bed12.json")).unwrap();
    let err = store.save(&loaded, v, &[]).unwrap_err().to_string();
    assert!(err.contains("is gone"), "{err}");
    assert!(!err.contains("intact"), "{err}");
    fs::rename(&data, tmp.path().join("moved")).unwrap();
    let err = store.save(&loaded, v, &[]).unwrap_err().to_string();
    assert!(
        err.contains("data directory") && err.contains("is gone"),
        "{err}"
    );
}
