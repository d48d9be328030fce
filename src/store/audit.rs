//! The audit trail `<id>.log.jsonl`: one JSON line per field change, append-only. Each entry
//! carries its own hash and the hash of the entry before it, so an edited line (its hash no
//! longer matches) and a deleted line (a gap in `seq`, a broken `prev`) are found by
//! [`verify`]. Every entry also holds the hash of the clinical content of the case its save
//! produced (`case`, see [`super::clinical_hash`]), so the case file anchors the chain's end:
//! removing the last lines, editing the case behind the trail, rolling the case back or
//! emptying the log all leave a case that does not match the newest entry ([`check_case`]).

use super::{Change, StoreError, files};
use crate::case::format_time;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `case` of an entry after which no case file exists (a create that never reached the disk,
/// marked not applied).
pub const NO_CASE: &str = "none";

/// `path` of the entry that marks changes of the trail that never reached the case.
pub const NOT_APPLIED: &str = "(not applied)";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// 1, 2, 3, … with no gaps.
    pub seq: u64,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub at: String,
    pub user: String,
    /// Field path, e.g. `radiotherapy.consult`; `(import)` for the first entry of an import.
    pub path: String,
    pub old: Value,
    pub new: Value,
    /// Hash of the entry before (hex SHA-256), [`GENESIS`] for the first.
    pub prev: String,
    /// Hash of the clinical content of the case once this entry's save is done
    /// ([`super::clinical_hash`]), or [`NO_CASE`]; absent in trails written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Hex SHA-256 of this line as written without its `hash` key.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
}

pub fn log_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.log.jsonl"))
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The line of an entry, its hash filled in.
fn seal(mut entry: Entry) -> String {
    entry.hash.clear();
    let unsealed = serde_json::to_string(&entry).expect("an entry always serialises");
    entry.hash = hex_sha256(unsealed.as_bytes());
    serde_json::to_string(&entry).expect("an entry always serialises")
}

/// Recomputes the hash of a written line from its own content.
fn rehash(value: &Value) -> Option<String> {
    let mut map = value.as_object()?.clone();
    map.shift_remove("hash");
    Some(hex_sha256(serde_json::to_string(&map).ok()?.as_bytes()))
}

/// How many leading bytes of a log are complete lines. A last line without its newline that
/// does not parse is the remains of a write interrupted by a crash (a `kill -9` can cut a
/// write at a page boundary): it was never a complete entry and is not part of the chain.
fn complete_len(bytes: &[u8]) -> usize {
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return bytes.len();
    }
    let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if serde_json::from_slice::<Entry>(&bytes[cut..]).is_ok() {
        bytes.len()
    } else {
        cut
    }
}

/// The sequence number and hash to chain the next entry to.
fn chain_tail(text: &str) -> (u64, String) {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some(last) = lines.last() else {
        return (0, GENESIS.to_string());
    };
    let hash = serde_json::from_str::<Entry>(last)
        .ok()
        .map(|e| e.hash)
        .filter(|h| !h.is_empty())
        // An unreadable line still gets chained to, so verify points at it.
        .unwrap_or_else(|| hex_sha256(last.as_bytes()));
    (lines.len() as u64, hash)
}

/// Appends `changes` made by `user` at `at`, in one write, then flushes to disk. Each entry
/// holds `case`, the clinical hash of the case once they are applied.
pub fn append(
    dir: &Path,
    id: &str,
    user: &str,
    at: NaiveDateTime,
    changes: &[Change],
    case: &str,
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let path = log_path(dir, id);
    let io = |e: std::io::Error| {
        StoreError::Io(format!(
            "writing the audit trail of {id}: {e}; nothing was saved, your entry is kept"
        ))
    };
    let existing = files::read(&path).map_err(io)?.unwrap_or_default();
    let complete = complete_len(&existing);
    let (mut seq, mut prev) = chain_tail(&String::from_utf8_lossy(&existing[..complete]));
    let mut out = String::new();
    if complete > 0 && !existing[..complete].ends_with(b"\n") {
        out.push('\n');
    }
    for change in changes {
        seq += 1;
        let line = seal(Entry {
            seq,
            at: format_time(&at),
            user: user.to_string(),
            path: change.path.clone(),
            old: change.old.clone(),
            new: change.new.clone(),
            prev: prev.clone(),
            case: Some(case.to_string()),
            hash: String::new(),
        });
        prev = serde_json::from_str::<Entry>(&line)
            .map(|e| e.hash)
            .unwrap_or_default();
        out.push_str(&line);
        out.push('\n');
    }
    let mut file =
        files::open(&path, files::private_options().append(true).create(true)).map_err(io)?;
    if complete < existing.len() {
        file.set_len(complete as u64).map_err(io)?;
    }
    file.write_all(out.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)
}

/// The entries as written (unreadable lines are skipped; [`verify`] names them).
pub fn read(dir: &Path, id: &str) -> Result<Vec<Entry>, StoreError> {
    let bytes = files::read(&log_path(dir, id))
        .map_err(|e| StoreError::Io(format!("reading the audit trail of {id}: {e}")))?
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes[..complete_len(&bytes)]);
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The first break in a chain: which entry, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub entry: u64,
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entry {} (line {}) {}",
            self.entry, self.line, self.reason
        )
    }
}

/// Checks the chain of `text`; returns the number of entries when it is intact.
pub fn verify_text(text: &str) -> Result<u64, Broken> {
    let text = &text[..complete_len(text.as_bytes())];
    let mut expected = 1u64;
    let mut prev = GENESIS.to_string();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let broken = |entry, reason: &str| Broken {
            entry,
            line: line_no,
            reason: reason.to_string(),
        };
        let value: Value = serde_json::from_str(line)
            .map_err(|_| broken(expected, "was altered: the line is not readable"))?;
        let entry: Entry = serde_json::from_value(value.clone())
            .map_err(|_| broken(expected, "was altered: fields are missing"))?;
        if rehash(&value).as_deref() != Some(entry.hash.as_str()) {
            return Err(broken(entry.seq, "was altered: its hash does not match"));
        }
        if entry.seq > expected {
            return Err(broken(expected, "is missing"));
        }
        if entry.seq < expected {
            return Err(broken(entry.seq, "appears twice or out of order"));
        }
        if entry.prev != prev {
            return Err(Broken {
                entry: expected.saturating_sub(1).max(1),
                line: line_no.saturating_sub(1).max(1),
                reason: "was altered or replaced: the next entry no longer follows it".into(),
            });
        }
        prev = entry.hash;
        expected += 1;
    }
    Ok(expected - 1)
}

/// Checks the audit trail of case `id` (the chain only; [`check_case`] compares its end with
/// the case).
pub fn verify(dir: &Path, id: &str) -> Result<Result<u64, Broken>, StoreError> {
    match files::read(&log_path(dir, id)) {
        Ok(Some(bytes)) => Ok(verify_text(&String::from_utf8_lossy(&bytes))),
        Ok(None) => Ok(Ok(0)),
        Err(e) => Err(StoreError::Io(format!(
            "reading the audit trail of {id}: {e}"
        ))),
    }
}

/// How the case on disk stands against the end of its trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseCheck {
    /// The case is what the newest entry produced.
    Matches,
    /// The case is what the entries before entries `from..=to` produced: their save was
    /// interrupted before the case was replaced (the next opening marks them not applied).
    Interrupted { from: u64, to: u64 },
    /// The trail's entries carry no case hash (written before it existed): nothing to compare.
    Unchecked,
    /// The case does not match the newest entry nor the one before: edited behind the trail,
    /// rolled back (`older` names the entry it matches), or the trail's end was cut off.
    Differs { newest: u64, older: Option<u64> },
}

/// Compares `disk` (the clinical hash of the case file, or [`NO_CASE`]) with the trail.
/// The state before the newest save is the `case` of the newest entry whose `case` differs
/// from the newest one (entries of one save share it); before the first, no case.
pub fn check_case(entries: &[Entry], disk: &str) -> CaseCheck {
    let Some(last) = entries.last() else {
        return CaseCheck::Unchecked;
    };
    let Some(newest) = last.case.as_deref() else {
        return CaseCheck::Unchecked;
    };
    if newest == disk {
        return CaseCheck::Matches;
    }
    let batch_start = entries
        .iter()
        .rposition(|e| e.case.as_deref() != Some(newest))
        .map_or(0, |i| i + 1);
    let before = match batch_start {
        0 => Some(NO_CASE),
        i => entries[i - 1].case.as_deref(),
    };
    // `None`: the entry before was written before entries held a case hash (a trail from an
    // older version): the state before cannot be told, so the benefit of the doubt.
    if before.is_none_or(|b| b == disk) {
        return CaseCheck::Interrupted {
            from: entries[batch_start].seq,
            to: last.seq,
        };
    }
    let older = entries
        .iter()
        .rev()
        .find(|e| e.case.as_deref() == Some(disk))
        .map(|e| e.seq);
    CaseCheck::Differs {
        newest: last.seq,
        older,
    }
}

/// The words of `audit --verify` once the chain of `n` entries is intact: how the case (its
/// clinical hash `disk`, or [`NO_CASE`]) stands against the newest entry. `Ok` is the line to
/// print, `Err` what is wrong (exit 2). `trail` and `case` name the two for the reader.
pub fn case_report(
    entries: &[Entry],
    disk: &str,
    n: u64,
    trail: &str,
    case: &str,
) -> Result<String, String> {
    let count = format!("{n} {}", if n == 1 { "entry" } else { "entries" });
    match check_case(entries, disk) {
        CaseCheck::Matches => Ok(format!(
            "{trail}: chain intact, {count}; {case} matches the newest entry\n"
        )),
        CaseCheck::Interrupted { from, to } => {
            let which = if from == to {
                format!("entry {from}")
            } else {
                format!("entries {from}–{to}")
            };
            Ok(format!(
                "{trail}: chain intact, {count}; an interrupted save: {which} never reached \
                 {case} (it matches the entry before); the next opening marks {which} \
                 not applied\n"
            ))
        }
        CaseCheck::Unchecked => Ok(format!(
            "{trail}: chain intact, {count} (written before entries held the case's hash: \
             {case} cannot be checked against them, and entries cut from the end would \
             not show)\n"
        )),
        CaseCheck::Differs { newest, older } => {
            let what = match older {
                Some(k) => format!(
                    "it matches entry {k}, an older state: rolled back, or entries cut from the end"
                ),
                None if disk == NO_CASE => format!("{case} is missing"),
                None => "edited behind the trail, or entries cut from the end".to_string(),
            };
            Err(format!(
                "{trail}: chain intact, {count}, but {case} does not match entry {newest}, \
                 the newest ({what})"
            ))
        }
    }
}
