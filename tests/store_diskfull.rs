//! A full disk and a read-only mount, for real (tmpfs; CI runs as root). A save that the disk
//! refuses keeps the old case whole and trail and case in agreement; a case still opens,
//! read-only, with the reason. Skipped, saying why, where mounting is impossible.
#![cfg(target_os = "linux")]

mod store_support;

use serde_json::Value;
use spinewatch::store::audit::{self, CaseCheck};
use spinewatch::store::{Access, Change, Store, clinical_hash, version_of};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use store_support::*;

/// A tmpfs of `size` mounted on a fresh directory; unmounted on drop.
struct Tmpfs {
    _parent: tempfile::TempDir,
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("mnt");
        fs::create_dir(&dir).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs {
                _parent: parent,
                dir,
            }),
            Ok(o) => {
                println!(
                    "skipped: cannot mount a tmpfs here ({})",
                    String::from_utf8_lossy(&o.stderr).trim()
                );
                None
            }
            Err(e) => {
                println!("skipped: cannot run mount: {e}");
                None
            }
        }
    }

    fn remount_read_only(&self) {
        let ok = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount read-only");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

/// Fills the file system until it refuses.
fn fill(dir: &Path) {
    let mut f = fs::File::create(dir.join("filler")).unwrap();
    let block = vec![0u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
}

fn agree(dir: &Path) -> CaseCheck {
    let disk: Value = serde_json::from_slice(&fs::read(dir.join("bed12.json")).unwrap()).unwrap();
    audit::check_case(&audit::read(dir, "bed12").unwrap(), &clinical_hash(&disk))
}

#[test]
fn on_a_full_disk_a_save_keeps_the_old_case_and_a_case_opens_read_only() {
    let Some(fs_) = Tmpfs::mount("512k") else {
        return;
    };
    let data = fs_.dir.join("data");
    let mut store = open_store(&data);
    save(&mut store, &case("bed12", "Bed 12"));
    assert_eq!(store.lock("bed12", now()).unwrap(), Access::ReadWrite);
    let loaded = store.load("bed12", now()).unwrap();
    let before = fs::read(data.join("bed12.json")).unwrap();
    fill(&fs_.dir);

    let mut c = loaded.clone();
    c.notes = Some("x".repeat(20_000));
    let change = Change {
        path: "notes".into(),
        old: Value::Null,
        new: "x".into(),
    };
    let err = store
        .save(&c, version_of(&loaded), &[change])
        .unwrap_err()
        .to_string();
    assert!(err.contains("No space left"), "{err}");
    assert_eq!(
        fs::read(data.join("bed12.json")).unwrap(),
        before,
        "old case whole"
    );
    assert!(
        matches!(
            agree(&data),
            CaseCheck::Matches | CaseCheck::Interrupted { .. }
        ),
        "trail and case agree"
    );

    // Another instance can still read and open the case, read-only with the reason.
    drop(store);
    let mut other = spinewatch::store::FileStore::open(&data).unwrap();
    let access = other.lock("bed12", now()).unwrap();
    let _ = access;
    assert!(other.load("bed12", now()).is_ok());
    let listing = other.load_all(now()).unwrap();
    assert_eq!(listing.cases.len(), 1);
    fs::remove_file(fs_.dir.join("filler")).unwrap();
}

#[test]
fn on_a_read_only_mount_a_case_opens_read_only_with_the_reason() {
    let Some(fs_) = Tmpfs::mount("1m") else {
        return;
    };
    let data = fs_.dir.join("data");
    let mut store = open_store(&data);
    save(&mut store, &case("bed12", "Bed 12"));
    drop(store);
    fs::remove_file(data.join("bed12.lock")).unwrap();
    fs_.remount_read_only();

    let mut store = spinewatch::store::FileStore::open(&data).unwrap();
    let access = store.lock("bed12", now()).unwrap();
    let Access::ReadOnly { holder } = &access else {
        panic!("{access:?}")
    };
    assert!(holder.contains("Read-only file system"), "{holder}");
    let loaded = store.load("bed12", now()).unwrap();
    assert_eq!(loaded.label(), "Bed 12");
    assert!(store.save(&loaded, version_of(&loaded), &[]).is_err());

    // The command line reads as well.
    let out = bin()
        .arg("--data-dir")
        .arg(&data)
        .args(["--now", "2026-12-01T08:00", "rounds"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Bed 12"));
}
