//! The file store on disk: round trip, permissions, sweeping, damaged and newer-schema files
//! untouched, migration with a backup, ids and file names.

mod store_support;

use serde_json::Value;
use spinewatch::store::{Store, StoreError, data_dir};
use std::fs;
use std::time::{Duration, SystemTime};
use store_support::*;

#[test]
fn a_saved_case_loads_back_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    let mut c = case("bed12", "Bed 12");
    c.notes = Some("wound dry, patient mobilising — ü".into());
    assert_eq!(save(&mut store, &c), 1, "a new case is version 1");
    let loaded = store.load("bed12", now()).unwrap();
    assert_eq!(clinical(&loaded), c);
    assert_eq!(spinewatch::store::version_of(&loaded), 1);
    let listing = store.load_all(now()).unwrap();
    assert_eq!(listing.cases, vec![loaded]);
    assert!(listing.damaged.is_empty());
}

#[test]
fn the_data_dir_flag_wins() {
    let p = std::path::Path::new("/some/where");
    assert_eq!(data_dir(Some(p)), p);
}

#[cfg(unix)]
#[test]
fn directory_is_0700_and_files_0600_from_creation() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = open_store(&dir);
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    save(&mut store, &case("bed12", "Bed 12"));
    store.lock("bed12", now()).unwrap();
    let mut c = case("bed12", "Bed 12");
    c.notes = Some("x".into());
    try_save(
        &mut store,
        &c,
        &[spinewatch::store::Change {
            path: "notes".into(),
            old: Value::Null,
            new: Value::from("x"),
        }],
    )
    .unwrap();
    for name in ["bed12.json", "bed12.lock", "bed12.log.jsonl"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }
}

#[cfg(unix)]
#[test]
fn loose_permissions_are_fixed_on_open_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
    let f = write(
        dir,
        "bed12.json",
        &case_value("bed12", "Bed 12").to_string(),
    );
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    let other = write(dir, "README.txt", "not ours");
    fs::set_permissions(&other, fs::Permissions::from_mode(0o644)).unwrap();
    let store = open_store(dir);
    let mode = |p: &std::path::Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(dir), 0o700);
    assert_eq!(mode(&f), 0o600);
    assert_eq!(
        mode(&other),
        0o644,
        "files that are not ours are left alone"
    );
    assert_eq!(store.warnings().len(), 2, "{:?}", store.warnings());
    assert!(store.warnings()[1].contains("bed12.json"));
    // A second open finds nothing to fix.
    assert!(open_store(dir).warnings().is_empty());
}

#[cfg(unix)]
#[test]
fn a_loose_case_file_behind_a_private_directory_is_fixed_when_read() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    open_store(&dir);
    let f = write(
        &dir,
        "bed12.json",
        &case_value("bed12", "Bed 12").to_string(),
    );
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    let store = open_store(&dir);
    assert!(
        store.warnings().is_empty(),
        "the directory is private: no walk"
    );
    assert_eq!(store.load_all(now()).unwrap().cases.len(), 1);
    assert_eq!(
        fs::metadata(&f).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let w = store.warnings();
    assert_eq!(w.len(), 1);
    assert!(
        w[0].contains("bed12.json was readable by others (644)"),
        "{w:?}"
    );
}

#[test]
fn stale_temp_files_are_swept_on_open_but_young_ones_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let old = write(tmp.path(), ".spinewatch-abc123.tmp", "{\"half");
    let young = write(tmp.path(), ".spinewatch-def456.tmp", "{\"half");
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    let store = open_store(tmp.path());
    assert!(!old.exists(), "a crash's leftover is swept");
    assert!(young.exists(), "another instance may be saving right now");
    assert!(store.load_all(now()).unwrap().damaged.is_empty());
}

#[test]
fn a_damaged_file_is_listed_never_overwritten_and_others_still_load() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = "{\n  \"schema\": \"spinewatch.case/1\",\n  \"id\": \n";
    let bad_path = write(tmp.path(), "bed7.json", bad);
    let invalid = case_value("bed8", "Bed 8")
        .to_string()
        .replace("\"severe\"", "\"smelly\"");
    write(tmp.path(), "bed8.json", &invalid);
    let mut store = open_store(tmp.path());
    save(&mut store, &case("bed12", "Bed 12"));

    let listing = store.load_all(now()).unwrap();
    assert_eq!(listing.cases.len(), 1);
    assert_eq!(listing.cases[0].label(), "Bed 12");
    let files: Vec<&str> = listing.damaged.iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["bed7.json", "bed8.json"]);
    assert_eq!(
        listing.damaged[0].reason,
        "line 4 column 0: EOF while parsing a value"
    );
    assert!(
        listing.damaged[1]
            .reason
            .contains("lesions[0].canal_stenosis"),
        "{}",
        listing.damaged[1].reason
    );

    // Saving over a file that does not parse is refused; the bytes stay as they were.
    let err = try_save(&mut store, &case("bed7", "Bed 7"), &[]).unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err:?}");
    assert_eq!(fs::read_to_string(&bad_path).unwrap(), bad);
    assert!(matches!(
        store.load("bed7", now()),
        Err(StoreError::Refused(_))
    ));
    assert_eq!(fs::read_to_string(&bad_path).unwrap(), bad);
}

#[test]
fn a_newer_schema_is_refused_and_left_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let mut v = case_value("bed3", "Bed 3");
    v["schema"] = Value::from("spinewatch.case/3");
    v["a_field_from_the_future"] = Value::from(42);
    // Odd spacing on purpose: a re-serialisation would show.
    let text = format!("{}\n\n", serde_json::to_string(&v).unwrap());
    let path = write(tmp.path(), "bed3.json", &text);
    let before = fs::read(&path).unwrap();

    let mut store = open_store(tmp.path());
    let listing = store.load_all(now()).unwrap();
    assert!(listing.cases.is_empty());
    assert_eq!(listing.damaged.len(), 1);
    assert!(
        listing.damaged[0]
            .reason
            .contains("spinewatch.case/3 is newer")
    );
    let err = store.load("bed3", now()).unwrap_err().to_string();
    assert!(err.contains("newer"), "{err}");
    assert!(try_save(&mut store, &case("bed3", "Bed 3"), &[]).is_err());
    assert_eq!(fs::read(&path).unwrap(), before);
    assert_eq!(names(tmp.path()), ["bed3.json", "bed3.lock"]);
}

#[test]
fn an_older_schema_is_migrated_after_a_backup_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    // Synthetic spinewatch.case/0: the label was called `patient.bed`.
    let mut v = case_value("bed4", "x");
    v["schema"] = Value::from("spinewatch.case/0");
    let patient = v["patient"].as_object_mut().unwrap();
    patient.shift_remove("label");
    patient.insert("bed".into(), Value::from("Bed 4"));
    let old_text = serde_json::to_string_pretty(&v).unwrap();
    write(tmp.path(), "bed4.json", &old_text);

    let store = open_store(tmp.path());
    let c = store.load("bed4", now()).unwrap();
    assert_eq!(c.label(), "Bed 4");
    assert_eq!(c.schema.as_deref(), Some("spinewatch.case/2"));
    // The backup holds the old bytes exactly; the case file is now the current version.
    assert_eq!(
        fs::read_to_string(tmp.path().join("bed4.v0.bak")).unwrap(),
        old_text
    );
    let new_text = fs::read_to_string(tmp.path().join("bed4.json")).unwrap();
    let migrated = spinewatch::case::Case::from_json_str(&new_text, now()).unwrap();
    assert_eq!(migrated, c);
    assert!(!new_text.contains("\"bed\""));
    // Loading again changes nothing more.
    assert_eq!(store.load_all(now()).unwrap().cases, vec![c]);
    assert_eq!(
        names(tmp.path()),
        ["bed4.json", "bed4.lock", "bed4.log.jsonl", "bed4.v0.bak"]
    );
    // The migration is in the trail, like any change, and the case matches it.
    let entries = spinewatch::store::audit::read(tmp.path(), "bed4").unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].path, "(migration)");
}

/// The synthetic `spinewatch.case/0` text of a case labelled "Bed 4".
fn v0_text(id: &str) -> String {
    let mut v = case_value(id, "x");
    v["schema"] = Value::from("spinewatch.case/0");
    let patient = v["patient"].as_object_mut().unwrap();
    patient.shift_remove("label");
    patient.insert("bed".into(), Value::from("Bed 4"));
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn an_older_case_opened_and_locked_first_is_migrated_and_then_saves() {
    // The TUI takes the case, then loads it: the migration must not be blocked by its own lock.
    let tmp = tempfile::tempdir().unwrap();
    let old_text = v0_text("bed4");
    write(tmp.path(), "bed4.json", &old_text);
    let mut store = open_store(tmp.path());
    store.lock("bed4", now()).unwrap();
    let mut c = store.load("bed4", now()).unwrap();
    assert_eq!(
        fs::read_to_string(tmp.path().join("bed4.v0.bak")).unwrap(),
        old_text
    );
    c.notes = Some("after migration".into());
    save(&mut store, &c);
    assert_eq!(clinical(&store.load("bed4", now()).unwrap()), clinical(&c));
}

#[test]
fn a_save_over_an_older_file_keeps_its_backup_first() {
    // The migration could not be written at load (disk full): the first save backs up.
    let tmp = tempfile::tempdir().unwrap();
    let old_text = v0_text("bed4");
    write(tmp.path(), "bed4.json", &old_text);
    write(tmp.path(), "bed4.v0.bak", "an older backup, different");
    let mut store = open_store(tmp.path());
    save(&mut store, &case("bed4", "Bed 4"));
    assert_eq!(
        fs::read_to_string(tmp.path().join("bed4.v0.bak")).unwrap(),
        "an older backup, different"
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("bed4.v0.2.bak")).unwrap(),
        old_text
    );
}

#[test]
fn a_file_whose_id_differs_from_its_name_is_damaged() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "bed5.json",
        &case_value("bed6", "Bed 6").to_string(),
    );
    let store = open_store(tmp.path());
    let listing = store.load_all(now()).unwrap();
    assert!(listing.cases.is_empty());
    assert!(
        listing.damaged[0]
            .reason
            .contains("does not match the file name")
    );
}

#[test]
fn a_surgery_after_now_is_a_case_not_damage() {
    // A `--now` before the surgery (what-if), or another workstation's clock ahead of ours.
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    save(&mut store, &case("bed12", "Bed 12"));
    let before_surgery = spinewatch::cli::parse_now("2026-11-01").unwrap();
    let listing = store.load_all(before_surgery).unwrap();
    assert_eq!(listing.cases.len(), 1);
    assert!(listing.damaged.is_empty());
    // Creating a case is data entry: there the date is checked.
    let err = store
        .create(&case("bed13", "Bed 13"), &[], before_surgery)
        .unwrap_err();
    assert!(err.to_string().contains("surgery.date"), "{err}");
}

#[test]
fn create_refuses_an_existing_id_and_a_reused_one() {
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    store.create(&case("bed12", "Bed 12"), &[], now()).unwrap();
    let before = fs::read(tmp.path().join("bed12.json")).unwrap();
    let err = store
        .create(&case("bed12", "Other"), &[], now())
        .unwrap_err();
    assert!(err.to_string().contains("exists already"), "{err}");
    assert_eq!(fs::read(tmp.path().join("bed12.json")).unwrap(), before);
    // A deleted case's id is not given out again: its audit trail remains.
    let mut bed9 = case("bed9", "Bed 9");
    store.create(&bed9, &[], now()).unwrap();
    bed9.notes = Some("seen".into());
    save(&mut store, &bed9);
    fs::remove_file(tmp.path().join("bed9.json")).unwrap();
    let err = store
        .create(&case("bed9", "Bed 9"), &[], now())
        .unwrap_err();
    assert!(err.to_string().contains("never reused"), "{err}");
    assert!(!tmp.path().join("bed9.json").exists());
}
