//! `spinewatch rounds`, `evaluate` (of a file or, `--as-of`, of a case as it stood), `import`
//! and `audit`: the store's commands.

use super::Format;
use crate::case::decode::short_json;
use crate::case::format_time;
use crate::failure::Failure;
use crate::history;
use crate::output::{print_json, print_text};
use crate::site::load_protocol;
use crate::store::file::{FileStore, is_case_id};
use crate::store::rounds::{self, RoundsList};
use crate::store::schema::{self, Unreadable};
use crate::store::{Change, Store, StoreError, audit, data_dir};
use chrono::NaiveDateTime;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;

fn open(dir_override: Option<&Path>) -> Result<FileStore, Failure> {
    let dir = data_dir(dir_override);
    let mut store = FileStore::open(&dir).map_err(|e| Failure::other(e.to_string()))?;
    store.set_zone(crate::site::site_zone()?);
    Ok(store)
}

/// Permission fixes go to stderr once the command's work is done (file names only).
fn warn(store: &FileStore) {
    for w in store.warnings() {
        crate::output::eprint_text(&format!("spinewatch: warning: {w}\n"));
    }
}

pub(crate) fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Io(m) => Failure::other(m),
        StoreError::Conflict { message, .. } => Failure { code: 3, message },
        StoreError::NotFound(_) | StoreError::Refused(_) => Failure::input(e.to_string()),
    }
}

/// `--format` of `rounds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RoundsFormat {
    Json,
    Text,
    /// A table for a printed rounds sheet.
    Markdown,
}

/// `spinewatch rounds [--format json|text|markdown] [--since TIME] [--archived]`.
pub fn rounds(
    dir_override: Option<&Path>,
    now: NaiveDateTime,
    format: RoundsFormat,
    since: Option<NaiveDateTime>,
    include_archived: bool,
) -> Result<(), Failure> {
    let store = open(dir_override)?;
    let protocol = load_protocol()?;
    // Who holds what is one directory read, made while the cases are read.
    let (held, results) = std::thread::scope(|s| {
        let held = s.spawn(|| rounds::holders(store.dir()));
        // Each case is evaluated on the thread that read it and only its line is kept.
        let results = store.scan(|r| match r {
            Ok(case) if include_archived || !case.is_archived() => Some(Ok(match since {
                None => rounds::entry(&case, &protocol, now),
                Some(t) => rounds::entry_since(&store, &case, &protocol, now, t),
            })),
            Ok(_) => None,
            Err(d) => Some(Err(d)),
        });
        (held.join().unwrap_or_default(), results)
    });
    let (mut cases, mut damaged) = (Vec::new(), Vec::new());
    for r in results.map_err(store_failure)?.into_iter().flatten() {
        match r {
            Ok(mut e) => {
                e.holder = held.get(&e.id).cloned();
                e.read_only = e.holder.is_some();
                cases.push(e);
            }
            Err(d) => damaged.push(d),
        }
    }
    let list = RoundsList::new(now, cases, damaged);
    warn(&store);
    match format {
        RoundsFormat::Json => print_json(&format!("{}\n", list.to_json_pretty())),
        RoundsFormat::Text => print_text(&list.text()),
        RoundsFormat::Markdown => print_text(&list.markdown()),
    }
    Ok(())
}

/// `spinewatch evaluate FILE|ID [--as-of TIME]`: a case file, or a case in the data
/// directory; with `--as-of`, the case as it stood at TIME (rebuilt from its audit trail),
/// evaluated at TIME.
pub fn evaluate(
    dir_override: Option<&Path>,
    target: &str,
    format: Format,
    now: NaiveDateTime,
    as_of: Option<NaiveDateTime>,
) -> Result<(), Failure> {
    let protocol = load_protocol()?;
    let (case, at) = match as_of {
        None => (
            super::export::load_case(target, dir_override, &protocol, now)?,
            now,
        ),
        Some(time) => (case_as_of(dir_override, target, time, protocol.zone)?, time),
    };
    let eval = crate::protocol::evaluate(&case, &protocol, at);
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(&eval).expect("an evaluation always serialises");
            // The case's version (kept by the store), for `set --expect-version`.
            let version = crate::store::version_of(&case);
            if let (serde_json::Value::Object(m), true) = (&mut value, version > 0) {
                m.insert("version".into(), version.into());
            }
            let mut out =
                serde_json::to_string_pretty(&value).expect("an evaluation always serialises");
            out.push('\n');
            print_json(&out);
        }
        Format::Text => {
            let mut out = crate::chart::evaluation_text(&case, &eval, &protocol);
            out.push('\n');
            print_text(&out);
        }
    }
    Ok(())
}

/// Case `id` of the data directory as it stood at `time`.
fn case_as_of(
    dir_override: Option<&Path>,
    id: &str,
    time: NaiveDateTime,
    zone: chrono_tz::Tz,
) -> Result<crate::case::Case, Failure> {
    if Path::new(id).is_file() || id.ends_with(".json") {
        return Err(Failure::input(format!(
            "{id}: --as-of needs a case id in the data directory (a file has no audit trail)"
        )));
    }
    let dir = data_dir(dir_override);
    if !is_case_id(id) || !dir.join(format!("{id}.json")).is_file() {
        return Err(Failure::input(format!(
            "case {id:?}: not found in {}",
            dir.display()
        )));
    }
    let mut store = open(dir_override)?;
    store.set_zone(zone);
    let case = store.load(id, time).map_err(store_failure)?;
    let entries = store.history(id).map_err(store_failure)?;
    let shown = format_time(&time);
    match history::case_as_of(&case, &entries, time) {
        Ok(Some(case)) => Ok(case),
        Ok(None) => Err(Failure::input(format!(
            "case {id}: was not in the data directory yet at {shown} (its audit trail starts \
             with its import after that)"
        ))),
        Err(reason) => Err(Failure::input(format!(
            "case {id}: cannot be rebuilt as of {shown}: {reason}"
        ))),
    }
}

/// `spinewatch import FILE`: validated at `now`, refused if the id exists; nothing is
/// overwritten. The first audit entry records the file name and the SHA-256 of its bytes.
pub fn import(dir_override: Option<&Path>, file: &Path, now: NaiveDateTime) -> Result<(), Failure> {
    let shown = file.display();
    // Refused over 4 MiB before it is read.
    let bytes = crate::case::file::read_limited(file)?;
    let zone = crate::site::site_zone()?;
    let decoded = schema::decode_in(&bytes, now, zone).map_err(|u| match u {
        Unreadable::Damaged(r) => Failure::input(format!("{shown}: not imported: {r}")),
        Unreadable::Newer(r) => Failure::input(format!("{shown}: not imported: {r}")),
    })?;
    let mut case = decoded.case;
    // The case format sets new_or_worse on a Frankel drop; imported files may predate that.
    let before: Vec<Value> = case
        .neuro_exams
        .iter()
        .map(|e| json!(e.new_or_worse))
        .collect();
    let marked = case.mark_frankel_drops();
    let id = match case.id.as_deref() {
        Some(id) => id.to_string(),
        None => {
            return Err(Failure::input(format!(
                "{shown}: not imported: id: is missing"
            )));
        }
    };
    let mut store = open(dir_override)?;
    warn(&store);
    let name = file
        .file_name()
        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let first = Change {
        path: "(import)".into(),
        old: Value::Null,
        new: json!({ "file": name, "sha256": digest }),
    };
    let mut changes = vec![first];
    changes.extend(marked.iter().map(|&i| Change {
        path: format!("neuro_exams[{i}].new_or_worse"),
        old: before[i].clone(),
        new: json!(true),
    }));
    // The audit entries are written before the case file: an import killed half-way leaves
    // no case, and its entries are marked not applied when the file is imported again.
    store.create(&case, &changes, now).map_err(|e| match e {
        StoreError::Io(m) => Failure::other(format!("{shown}: not imported: {m}")),
        other => Failure::input(format!("{shown}: not imported: {other}")),
    })?;
    let migrated = decoded.migrated_from.map_or(String::new(), |v| {
        format!(" (migrated from spinewatch.case/{v})")
    });
    print_text(&format!(
        "imported {id} into {}{migrated}\n",
        store.dir().display()
    ));
    Ok(())
}

/// `spinewatch audit ID [--verify]`. `--verify` checks the hash chain, then the case file
/// against the chain's newest entry.
pub fn audit(dir_override: Option<&Path>, id: &str, verify: bool) -> Result<(), Failure> {
    let store = open(dir_override)?;
    warn(&store);
    let dir = store.dir();
    let log = audit::log_path(dir, id);
    let case_path = store.case_path(id);
    let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    if !is_case_id(id) || (!exists(&case_path) && !exists(&log)) {
        return Err(Failure::input(format!(
            "no case {id:?} in {}",
            dir.display()
        )));
    }
    let file = format!("{id}.log.jsonl");
    if verify {
        return verify_trail(dir, id, &file);
    }
    let entries = audit::read(dir, id).map_err(store_failure)?;
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str(&format!("{id}: no audit entries\n"));
    }
    for e in entries {
        out.push_str(&format!(
            "#{:<4} {}  {}  {}: {} → {}\n",
            e.seq,
            e.at.replacen('T', " ", 1),
            e.user,
            e.path,
            short_json(&e.old),
            short_json(&e.new)
        ));
    }
    print_text(&out);
    Ok(())
}

/// `audit --verify`: exit 0 when the chain is intact and the case is what its newest entry
/// produced (or, an interrupted save, what the entry before produced); exit 2 naming what is
/// wrong otherwise.
fn verify_trail(dir: &Path, id: &str, file: &str) -> Result<(), Failure> {
    use crate::store::audit::{CaseCheck, NO_CASE};
    let n = match audit::verify(dir, id).map_err(|e| Failure::input(e.to_string()))? {
        Ok(n) => n,
        Err(broken) => return Err(Failure::input(format!("{file}: {broken}"))),
    };
    let case_file = format!("{id}.json");
    let disk = match crate::store::files::read(&dir.join(&case_file)) {
        Ok(None) => NO_CASE.to_string(),
        Ok(Some(bytes)) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => crate::store::clinical_hash(&v),
            Err(e) => {
                return Err(Failure::input(format!(
                    "{case_file}: cannot be read ({e}); it cannot be checked against {file}"
                )));
            }
        },
        Err(e) => return Err(Failure::input(format!("{case_file}: {e}"))),
    };
    if n == 0 && disk != NO_CASE {
        return Err(Failure::input(format!(
            "{file}: the audit trail is missing or empty, but {case_file} exists: its \
             history was deleted"
        )));
    }
    let entries = audit::read(dir, id).map_err(store_failure)?;
    let count = format!("{n} {}", if n == 1 { "entry" } else { "entries" });
    let line = match audit::check_case(&entries, &disk) {
        CaseCheck::Matches => {
            format!("{file}: chain intact, {count}; {case_file} matches the newest entry\n")
        }
        CaseCheck::Interrupted { from, to } => {
            let which = if from == to {
                format!("entry {from}")
            } else {
                format!("entries {from}–{to}")
            };
            format!(
                "{file}: chain intact, {count}; an interrupted save: {which} never reached \
                 {case_file} (it matches the entry before); the next opening marks {which} \
                 not applied\n"
            )
        }
        CaseCheck::Unchecked => format!(
            "{file}: chain intact, {count} (written before entries held the case's hash: \
             {case_file} cannot be checked against them, and entries cut from the end would \
             not show)\n"
        ),
        CaseCheck::Differs { newest, older } => {
            let what = match older {
                Some(k) => format!(
                    "it matches entry {k}, an older state: rolled back, or entries cut from the end"
                ),
                None if disk == NO_CASE => format!("{case_file} is missing"),
                None => "edited behind the trail, or entries cut from the end".to_string(),
            };
            return Err(Failure::input(format!(
                "{file}: chain intact, {count}, but {case_file} does not match entry {newest}, \
                 the newest ({what})"
            )));
        }
    };
    print_text(&line);
    Ok(())
}
