//! Shared fixtures of the store tests: the demo case under other ids, a fixed `now`.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use serde_json::Value;
use spinewatch::case::Case;
use std::path::{Path, PathBuf};

pub const DEMO: &str = include_str!("../../assets/demo-case.json");

pub fn now() -> NaiveDateTime {
    spinewatch::cli::parse_now("2026-12-01T08:00").unwrap()
}

/// The demo case as JSON with another id and label.
pub fn case_value(id: &str, label: &str) -> Value {
    let mut v: Value = serde_json::from_str(DEMO).unwrap();
    v["id"] = Value::from(id);
    v["patient"]["label"] = Value::from(label);
    v
}

pub fn case(id: &str, label: &str) -> Case {
    Case::from_value(&case_value(id, label), now()).unwrap()
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"));
    c.env_remove("SPINEWATCH_DATA_DIR")
        .env("SPINEWATCH_CONFIG_DIR", "/nonexistent-spinewatch-config")
        .env("USER", "ana");
    c
}

/// Names in a directory, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// Saves `case` with `changes` as the next version of what is on disk (0 when new).
pub fn try_save(
    store: &mut spinewatch::store::FileStore,
    case: &Case,
    changes: &[spinewatch::store::Change],
) -> Result<u64, spinewatch::store::StoreError> {
    use spinewatch::store::Store;
    let version = case
        .id
        .as_deref()
        .and_then(|id| store.load(id, now()).ok())
        .map_or(0, |c| spinewatch::store::version_of(&c));
    store.save(case, version, changes)
}

/// [`try_save`] without changes, which must succeed.
pub fn save(store: &mut spinewatch::store::FileStore, case: &Case) -> u64 {
    try_save(store, case, &[]).unwrap()
}

/// A file store on `dir` whose audit entries and locks are stamped with the fixed [`now`].
pub fn open_store(dir: impl AsRef<Path>) -> spinewatch::store::FileStore {
    let mut store = spinewatch::store::FileStore::open(dir).unwrap();
    store.set_clock(now);
    store
}

/// The case without the store's bookkeeping (its `store` key: the version).
pub fn clinical(case: &Case) -> Case {
    let mut c = case.clone();
    c.extra.shift_remove("store");
    c
}
