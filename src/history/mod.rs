//! A case as it stood at an earlier time, rebuilt from its audit trail, and what changed
//! since then. Pure: takes the case's current JSON document and its trail, returns values.
//!
//! The trail records every field change as `path: old → new`, oldest first. The case as of
//! TIME is the current document with the changes made after TIME undone, newest first. Paths
//! are those the store writes: `a.b`, `list[3].field`, `list[3]` (a whole row: old null means
//! the row was appended, new null means it was removed), `list[+]` (a row appended, the last
//! one), and `(import)`/`(create)` (the case came into the store: before it, there was no
//! case). The store's own markers — `(migration)`, `(save)`, `(not applied)` — change no
//! field; the changes a `(not applied)` entry names never reached the case and are skipped.
//!
//! Choices where the spec is silent:
//! - Workstation clocks can disagree, so entry times need not rise along the trail. The case
//!   as of TIME is the one after the longest run of entries from the start that are all at
//!   or before TIME: a state that really existed, never a mix of old and new.
//! - An entry at exactly TIME counts as made by then (`--since TIME` shows it from TIME on,
//!   `--as-of TIME` includes it).
//! - A trail that does not fit the document (a row index beyond the list, a path through a
//!   value that is not an object) is an error naming the entry, never a guess.

mod path;

use crate::case::{Case, CaseError, format_time, parse_time};
use crate::store::audit::Entry;
use chrono::NaiveDateTime;
use path::Step;
use serde_json::Value;
use std::fmt;

/// Why a case cannot be rebuilt from its trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildError {
    /// The entry that could not be undone (its `seq`).
    pub seq: u64,
    pub path: String,
    pub reason: String,
}

impl fmt::Display for RebuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "audit entry #{} ({}) cannot be undone: {}",
            self.seq, self.path, self.reason
        )
    }
}

impl std::error::Error for RebuildError {}

/// The case as it stood at `time`, or `None` when it was not in the store yet (imported
/// after `time`).
pub fn as_of(
    current: &Value,
    entries: &[Entry],
    time: NaiveDateTime,
) -> Result<Option<Value>, RebuildError> {
    let mut doc = current.clone();
    let never_applied = not_applied(entries);
    for entry in entries[made_by(entries, time)..].iter().rev() {
        if entry.path == "(import)" || entry.path == "(create)" {
            return Ok(None);
        }
        // The store's markers (a migration, a save with no field change, "not applied") and
        // the changes an interrupted save never brought into the case change no field.
        if entry.path.starts_with('(') || never_applied.contains(&entry.seq) {
            continue;
        }
        undo(&mut doc, entry)?;
    }
    Ok(Some(doc))
}

/// The `seq`s of the changes the store marked as never having reached the case
/// (`(not applied)` entries name their range `{ "from", "to" }`).
fn not_applied(entries: &[Entry]) -> std::collections::BTreeSet<u64> {
    entries
        .iter()
        .filter(|e| e.path == crate::store::audit::NOT_APPLIED)
        .filter_map(|e| Some(e.new.get("from")?.as_u64()?..=e.new.get("to")?.as_u64()?))
        .flatten()
        .collect()
}

/// The case as it stood at `time`, decoded (`None`: not in the store yet). A rebuilt
/// document the decoder refuses is an error naming its fields.
pub fn case_as_of(
    case: &Case,
    entries: &[Entry],
    time: NaiveDateTime,
) -> Result<Option<Case>, String> {
    let current = serde_json::to_value(case).map_err(|e| e.to_string())?;
    // A save interrupted after its entries were written and before the case was replaced,
    // not yet marked `(not applied)` (the store marks it when it next takes the case): those
    // entries never reached this document.
    let hash = crate::store::clinical_hash(&current);
    let entries = match crate::store::audit::check_case(entries, &hash) {
        crate::store::audit::CaseCheck::Interrupted { from, .. } => {
            &entries[..entries.partition_point(|e| e.seq < from)]
        }
        _ => entries,
    };
    let Some(then) = as_of(&current, entries, time).map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    // Not judged against a date, as the store loads files: it was valid when saved.
    Case::from_value(&then, NaiveDateTime::MAX)
        .map(Some)
        .map_err(|e| match e {
            CaseError::Syntax(m) | CaseError::File(m) => m,
            CaseError::Invalid(list) => {
                let list: Vec<String> = list.iter().map(ToString::to_string).collect();
                format!("the case as rebuilt is not valid: {}", list.join("; "))
            }
        })
}

/// How many entries from the start of the trail were made at or before `time` (entries with
/// an unreadable time end the run: they cannot be placed).
pub fn made_by(entries: &[Entry], time: NaiveDateTime) -> usize {
    entries
        .iter()
        .position(|e| parse_time(&e.at).is_none_or(|at| at > time))
        .unwrap_or(entries.len())
}

/// The entries made after `time` (see [`made_by`]).
pub fn after(entries: &[Entry], time: NaiveDateTime) -> &[Entry] {
    &entries[made_by(entries, time)..]
}

/// Undoes one entry on the document: the old value goes back at its path.
fn undo(doc: &mut Value, entry: &Entry) -> Result<(), RebuildError> {
    let fail = |reason: String| RebuildError {
        seq: entry.seq,
        path: entry.path.clone(),
        reason,
    };
    let steps = path::parse(&entry.path).map_err(fail)?;
    let (last, parents) = steps
        .split_last()
        .ok_or_else(|| fail("the path is empty".into()))?;
    let parent = walk(doc, parents).map_err(fail)?;
    match last {
        Step::Key(k) => {
            if parent.is_null() {
                *parent = Value::Object(Default::default());
            }
            let Some(map) = parent.as_object_mut() else {
                return Err(fail(format!("{k:?} is not inside an object")));
            };
            map.insert(k.clone(), entry.old.clone());
        }
        Step::Index(i) => {
            if parent.is_null() {
                *parent = Value::Array(Vec::new());
            }
            let Some(rows) = parent.as_array_mut() else {
                return Err(fail("the value is not a list".into()));
            };
            undo_row(rows, Some(*i), entry).map_err(fail)?;
        }
        Step::Append => {
            let Some(rows) = parent.as_array_mut() else {
                return Err(fail("the value is not a list".into()));
            };
            undo_row(rows, None, entry).map_err(fail)?;
        }
    }
    Ok(())
}

/// Undoes a change of a whole row: an append is removed, a removal put back, a replaced
/// row restored. `index` None is `[+]`: the last row.
fn undo_row(rows: &mut Vec<Value>, index: Option<usize>, entry: &Entry) -> Result<(), String> {
    let len = rows.len();
    match (entry.old.is_null(), entry.new.is_null()) {
        // Appended: it is there now (the last row at that time), so take it out.
        (true, false) => {
            let i = index.unwrap_or(len.wrapping_sub(1));
            if i >= len {
                return Err(format!("row {i} was added but the list has {len} rows"));
            }
            rows.remove(i);
        }
        // Removed: put it back where it was.
        (false, true) => {
            let i = index.ok_or("a removal must name its row")?;
            if i > len {
                return Err(format!("row {i} was removed but the list has {len} rows"));
            }
            rows.insert(i, entry.old.clone());
        }
        (false, false) => {
            let i = index.unwrap_or(len.wrapping_sub(1));
            let row = rows
                .get_mut(i)
                .ok_or_else(|| format!("row {i} is beyond the list's {len} rows"))?;
            *row = entry.old.clone();
        }
        (true, true) => {}
    }
    Ok(())
}

/// The value at `steps`, creating objects for missing keys (a field first set after TIME may
/// sit in a section that did not exist then).
fn walk<'a>(doc: &'a mut Value, steps: &[Step]) -> Result<&'a mut Value, String> {
    let mut v = doc;
    for s in steps {
        v = match s {
            Step::Key(k) => {
                if v.is_null() {
                    *v = Value::Object(Default::default());
                }
                let Some(map) = v.as_object_mut() else {
                    return Err(format!("{k:?} is not inside an object"));
                };
                map.entry(k.clone()).or_insert(Value::Null)
            }
            Step::Index(i) => {
                let len = v.as_array().map_or(0, Vec::len);
                match v.as_array_mut().and_then(|a| a.get_mut(*i)) {
                    Some(row) => row,
                    None => return Err(format!("row {i} is beyond the list's {len} rows")),
                }
            }
            Step::Append => return Err("`[+]` may only end a path".into()),
        };
    }
    Ok(v)
}

/// What changed in a case since a time: for `spinewatch rounds --since` and the TUI's
/// ▲/▼/✎ marks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangedSince {
    /// The time asked about, `YYYY-MM-DDTHH:MM`.
    pub since: String,
    /// Rule IDs in the evaluation now that were not in the evaluation at `since`.
    pub appeared: Vec<String>,
    /// Rule IDs in the evaluation at `since` that are gone now.
    pub cleared: Vec<String>,
    /// Whether any field was changed after `since` (imports included).
    pub edited: bool,
    /// Who changed it (operating-system accounts, each once, in order of their first change).
    pub edited_by: Vec<String>,
    /// Set when the case as it was at `since` could not be rebuilt: the lists are then empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

impl ChangedSince {
    /// Compares the rule IDs fired then (`None`: the case did not exist then) and now, and
    /// names who edited after `since`.
    pub fn new(
        since: NaiveDateTime,
        then: Option<&[String]>,
        now: &[String],
        later: &[Entry],
    ) -> ChangedSince {
        let then = then.unwrap_or(&[]);
        let mut edited_by: Vec<String> = Vec::new();
        for e in later {
            if !edited_by.contains(&e.user) {
                edited_by.push(e.user.clone());
            }
        }
        ChangedSince {
            since: format_time(&since),
            appeared: now
                .iter()
                .filter(|id| !then.contains(id))
                .cloned()
                .collect(),
            cleared: then
                .iter()
                .filter(|id| !now.contains(id))
                .cloned()
                .collect(),
            edited: !later.is_empty(),
            edited_by,
            unknown: None,
        }
    }

    /// The trail could not be read back to `since`: edits are still named, the rule lists
    /// are empty and `unknown` says why.
    pub fn unknown(since: NaiveDateTime, later: &[Entry], reason: String) -> ChangedSince {
        ChangedSince {
            unknown: Some(reason),
            ..ChangedSince::new(since, Some(&[]), &[], later)
        }
    }
}

#[cfg(test)]
mod tests;
