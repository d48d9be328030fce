//! Fault injection: a failure at each step of a save leaves the old or the new file, whole,
//! and says why; the case in memory is untouched so the next save can succeed.

mod store_support;

use spinewatch::case::Case;
use spinewatch::store::{FileStore, SaveStep, Store, StoreError};
use std::fs;
use store_support::*;

#[test]
fn a_failure_at_any_step_leaves_the_old_or_the_new_file() {
    for step in SaveStep::ALL {
        let tmp = tempfile::tempdir().unwrap();
        let mut store = FileStore::open(tmp.path()).unwrap();
        let old = case("bed12", "Bed 12");
        store.save(&old).unwrap();
        let mut new = old.clone();
        new.notes = Some("RT consult seen; planned start Monday".into());

        store.fail_at(Some(step));
        let err = store.save(&new).unwrap_err();
        let StoreError::Io(message) = &err else {
            panic!("{step:?}: {err:?}")
        };
        assert!(message.starts_with("saving bed12.json: "), "{message}");

        let text = fs::read_to_string(tmp.path().join("bed12.json")).unwrap();
        let on_disk = Case::from_json_str(&text, now()).expect("whole and valid");
        if step == SaveStep::SyncDir {
            // The rename happened; only its durability is in doubt, so it is retried.
            assert_eq!(on_disk, new, "{step:?}");
            assert!(message.contains("will retry"), "{message}");
        } else {
            assert_eq!(on_disk, old, "{step:?}");
            assert!(
                message.contains("the previous version is intact"),
                "{message}"
            );
        }
        assert_eq!(
            names(tmp.path()),
            ["bed12.json", "bed12.lock"],
            "{step:?}: no temp file left behind"
        );

        store.fail_at(None);
        store.save(&new).unwrap();
        let text = fs::read_to_string(tmp.path().join("bed12.json")).unwrap();
        assert_eq!(Case::from_json_str(&text, now()).unwrap(), new, "{step:?}");
    }
}

#[cfg(unix)]
#[test]
fn permission_denied_is_reported_and_the_old_file_kept() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let mut store = FileStore::open(&dir).unwrap();
    let old = case("bed12", "Bed 12");
    store.save(&old).unwrap();
    store.lock("bed12", now()).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o500)).unwrap();
    let probe = fs::File::create(dir.join("probe"));
    if probe.is_ok() {
        // root ignores directory permissions; the injected failures above cover this path.
        let _ = fs::remove_file(dir.join("probe"));
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        eprintln!("running as root: permission denial cannot be produced, skipped");
        return;
    }
    let mut new = old.clone();
    new.notes = Some("changed".into());
    let err = store.save(&new).unwrap_err();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    assert!(err.to_string().contains("ermission denied"), "{err}");
    let text = fs::read_to_string(dir.join("bed12.json")).unwrap();
    assert_eq!(Case::from_json_str(&text, now()).unwrap(), old);
}
