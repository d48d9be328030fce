//! Crash-safe replacement of one file: temp file in the same directory → write → `sync_all`
//! → rename over the old name → fsync the directory. At every moment the old or the new file
//! is on disk, whole.

use super::StoreError;
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Temp files are named `.spinewatch-XXXXXX.tmp`, so a sweep recognises only ours.
pub const TEMP_PREFIX: &str = ".spinewatch-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// The steps of a save, named so that a test can make one of them fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveStep {
    /// Appending and syncing the audit entries (before the case file is touched).
    Audit,
    Create,
    Write,
    Sync,
    Rename,
    SyncDir,
}

impl SaveStep {
    pub const ALL: [SaveStep; 6] = [
        SaveStep::Audit,
        SaveStep::Create,
        SaveStep::Write,
        SaveStep::Sync,
        SaveStep::Rename,
        SaveStep::SyncDir,
    ];

    fn doing(self) -> &'static str {
        match self {
            SaveStep::Audit => "cannot write the audit trail",
            SaveStep::Create => "cannot create a temporary file",
            SaveStep::Write => "cannot write",
            SaveStep::Sync => "cannot flush to disk",
            SaveStep::Rename => "cannot replace the old file",
            SaveStep::SyncDir => "saved, but cannot flush the directory",
        }
    }
}

/// Replaces `dir/name` with `bytes`. `fail_at` is the fault-injection seam used by tests:
/// that step fails as the operating system would (a failed write after writing half).
pub fn write_atomic(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    fail_at: Option<SaveStep>,
) -> Result<(), StoreError> {
    let fail = |step: SaveStep, e: io::Error| {
        let tail = if step == SaveStep::SyncDir {
            "; will retry on the next save"
        } else {
            "; the previous version is intact"
        };
        StoreError::Io(format!("saving {name}: {}: {e}{tail}", step.doing()))
    };
    let injected = |step: SaveStep| -> io::Result<()> {
        if fail_at == Some(step) {
            Err(io::Error::other("injected failure"))
        } else {
            Ok(())
        }
    };
    let mut tmp = injected(SaveStep::Create)
        .and_then(|()| {
            // tempfile creates the file 0600 on Unix.
            tempfile::Builder::new()
                .prefix(TEMP_PREFIX)
                .suffix(TEMP_SUFFIX)
                .tempfile_in(dir)
        })
        .map_err(|e| fail(SaveStep::Create, e))?;
    let write = if fail_at == Some(SaveStep::Write) {
        // A disk that fills up half-way: part of the bytes land, then the error.
        tmp.write_all(&bytes[..bytes.len() / 2])
            .and_then(|()| injected(SaveStep::Write))
    } else {
        tmp.write_all(bytes)
    };
    // On any error below, dropping `tmp` removes the temp file.
    write.map_err(|e| fail(SaveStep::Write, e))?;
    injected(SaveStep::Sync)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| fail(SaveStep::Sync, e))?;
    injected(SaveStep::Rename).map_err(|e| fail(SaveStep::Rename, e))?;
    tmp.persist(dir.join(name))
        .map_err(|e| fail(SaveStep::Rename, e.error))?;
    injected(SaveStep::SyncDir)
        .and_then(|()| sync_dir(dir))
        .map_err(|e| fail(SaveStep::SyncDir, e))
}

/// Makes a rename in `dir` durable. Windows has no directory handle to flush; NTFS journals
/// the rename itself.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Whether a file name is one of our temp files.
pub fn is_temp(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// Removes temp files left by a crash. Only those older than `min_age`: a younger one may
/// belong to another instance saving right now. Returns how many were removed.
pub fn sweep_temps(dir: &Path, min_age: Duration, now: SystemTime) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_temp) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age >= min_age));
        if old && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}
