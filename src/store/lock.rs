//! Locks on cases: a sidecar `<id>.lock` (the case file itself is replaced by rename, so it
//! cannot carry a lock). The lock is an OS file lock (`File::try_lock`), so the lock of a
//! process that died — crash, `kill -9`, dropped ssh — is released by the OS: a stale lock is
//! recognised for free. The file's content only says who holds it, for the message.

use super::{StoreError, files};
use crate::case::format_time;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What a lock file says about its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub user: String,
    pub pid: u32,
    /// Local time the case was taken, `YYYY-MM-DDTHH:MM`; absent for the moment of one save.
    pub since: Option<String>,
}

impl Holder {
    /// "in use by ana since 2026-11-30 08:12"
    pub fn words(&self) -> String {
        match &self.since {
            Some(since) => format!(
                "in use by {} since {}",
                self.user,
                since.replacen('T', " ", 1)
            ),
            None => format!("in use by {} (saving)", self.user),
        }
    }
}

/// A case this instance holds; dropping it (or [`CaseLock::release`]) gives the case back.
#[derive(Debug)]
pub struct CaseLock {
    file: File,
}

impl CaseLock {
    /// Whether `path` still names the file this lock is on. Someone who deleted or replaced
    /// the lock file let another instance lock a new one: this lock then guards nothing.
    pub fn still_at(&self, path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match (self.file.metadata(), fs::symlink_metadata(path)) {
                (Ok(mine), Ok(there)) => mine.dev() == there.dev() && mine.ino() == there.ino(),
                _ => false,
            }
        }
        #[cfg(not(unix))]
        {
            path.exists()
        }
    }

    /// Clears the holder text, then the OS lock goes with the file handle. The lock file is
    /// kept: deleting it would let a waiting instance lock a file that no longer has a name.
    pub fn release(self) {
        let _ = self.file.set_len(0);
    }
}

impl Drop for CaseLock {
    /// Unlocks explicitly rather than by closing: a process forked meanwhile (any spawn) holds
    /// a copy of the handle until it execs, and closing ours alone would not free the case.
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// The outcome of trying to take a case.
#[derive(Debug)]
pub enum Taken {
    Mine(CaseLock),
    /// Someone else holds it: the words to show.
    Elsewhere(String),
}

/// Retries of a busy lock, pausing 1, 2, 4 … 32 ms: about 60 ms in all, nothing to a person
/// opening a case, long beside a save or a probe even on a loaded machine.
const RETRIES: u32 = 6;

pub fn lock_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.lock"))
}

/// Tries to take the case `id` for `user` at `since`, without waiting.
pub fn try_take(
    dir: &Path,
    id: &str,
    user: &str,
    since: Option<NaiveDateTime>,
) -> Result<Taken, StoreError> {
    let path = lock_path(dir, id);
    let mut options: OpenOptions = files::private_options();
    options.read(true).write(true).create(true).truncate(false);
    let io = |e: std::io::Error| StoreError::Io(format!("cannot lock {id}: {e}"));
    let mut file = files::open(&path, &mut options).map_err(io)?;
    let mut attempt = 0;
    let outcome = loop {
        match file.try_lock() {
            // Another instance saving (a few ms) or checking who holds the case (µs) is not a
            // holder: try again briefly before calling the case taken.
            Err(TryLockError::WouldBlock) if attempt < RETRIES => {
                std::thread::sleep(std::time::Duration::from_millis(1 << attempt));
                attempt += 1;
            }
            other => break other,
        }
    };
    match outcome {
        Ok(()) => {
            let holder = Holder {
                user: user.to_string(),
                pid: std::process::id(),
                since: since.map(|t| format_time(&t)),
            };
            let text = serde_json::to_string(&holder).expect("a holder always serialises");
            file.set_len(0)
                .and_then(|()| file.seek(SeekFrom::Start(0)))
                .and_then(|_| file.write_all(text.as_bytes()))
                .map_err(io)?;
            Ok(Taken::Mine(CaseLock { file }))
        }
        Err(TryLockError::WouldBlock) => Ok(Taken::Elsewhere(read_holder(&mut file))),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Who holds `id` right now, if anyone (this does not take the case). A lock file emptied on
/// release needs no probe; only one with a name in it is probed, briefly, to tell a live
/// holder from one that died.
pub fn holder(dir: &Path, id: &str) -> Option<String> {
    let path = lock_path(dir, id);
    let mut file: File = files::open_read(&path).ok()??;
    let mut text = String::new();
    if file.read_to_string(&mut text).is_ok() && text.is_empty() {
        return None;
    }
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            None
        }
        Err(TryLockError::WouldBlock) => Some(read_holder(&mut file)),
        Err(TryLockError::Error(_)) => None,
    }
}

/// The holder's words, read from the open lock file (never by its name again).
fn read_holder(file: &mut File) -> String {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.read_to_string(&mut text))
        .ok()
        .and_then(|_| serde_json::from_str::<Holder>(&text).ok())
        .map(|h| h.words())
        // The holder is between taking the lock and writing its name.
        .unwrap_or_else(|| "in use by another instance".to_string())
}
