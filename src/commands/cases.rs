//! `spinewatch rounds`, `import` and `audit`: the store's commands.

use super::Format;
use crate::case::decode::short_json;
use crate::failure::Failure;
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
        eprintln!("spinewatch: warning: {w}");
    }
}

fn store_failure(e: StoreError) -> Failure {
    match e {
        StoreError::Io(m) => Failure::other(m),
        StoreError::NotFound(_) | StoreError::Refused(_) => Failure::input(e.to_string()),
    }
}

/// `spinewatch rounds [--format json|text] [--archived]`.
pub fn rounds(
    dir_override: Option<&Path>,
    now: NaiveDateTime,
    format: Format,
    include_archived: bool,
) -> Result<(), Failure> {
    let store = open(dir_override)?;
    let protocol = load_protocol()?;
    // Each case is evaluated on the thread that read it and only its line is kept.
    let results = store
        .scan(|r| match r {
            Ok(case) if include_archived || !case.is_archived() => {
                let mut entry = rounds::entry(&case, &protocol, now);
                entry.holder = store.holder(&entry.id);
                entry.read_only = entry.holder.is_some();
                Some(Ok(entry))
            }
            Ok(_) => None,
            Err(d) => Some(Err(d)),
        })
        .map_err(store_failure)?;
    let (mut cases, mut damaged) = (Vec::new(), Vec::new());
    for r in results.into_iter().flatten() {
        match r {
            Ok(e) => cases.push(e),
            Err(d) => damaged.push(d),
        }
    }
    let list = RoundsList::new(now, cases, damaged);
    warn(&store);
    match format {
        Format::Json => println!("{}", list.to_json_pretty()),
        Format::Text => print!("{}", list.text()),
    }
    Ok(())
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
    store.create(&case, now).map_err(|e| match e {
        StoreError::Io(m) => Failure::other(format!("{shown}: not imported: {m}")),
        other => Failure::input(format!("{shown}: not imported: {other}")),
    })?;
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
    store.append_audit(&id, now, &changes).map_err(|e| {
        Failure::other(format!(
            "imported {id}, but its audit trail could not be started: {e}"
        ))
    })?;
    let migrated = decoded.migrated_from.map_or(String::new(), |v| {
        format!(" (migrated from spinewatch.case/{v})")
    });
    println!("imported {id} into {}{migrated}", store.dir().display());
    Ok(())
}

/// `spinewatch audit ID [--verify]`.
pub fn audit(dir_override: Option<&Path>, id: &str, verify: bool) -> Result<(), Failure> {
    let store = open(dir_override)?;
    warn(&store);
    let dir = store.dir();
    let log = audit::log_path(dir, id);
    if !is_case_id(id) || (!store.case_path(id).exists() && !log.exists()) {
        return Err(Failure::input(format!(
            "no case {id:?} in {}",
            dir.display()
        )));
    }
    let file = format!("{id}.log.jsonl");
    if verify {
        return match audit::verify(dir, id).map_err(store_failure)? {
            Ok(n) => {
                println!(
                    "{file}: chain intact, {n} {} (entries cut from the end would not show)",
                    if n == 1 { "entry" } else { "entries" }
                );
                Ok(())
            }
            Err(broken) => Err(Failure::input(format!("{file}: {broken}"))),
        };
    }
    let entries = audit::read(dir, id).map_err(store_failure)?;
    if entries.is_empty() {
        println!("{id}: no audit entries");
    }
    for e in entries {
        println!(
            "#{:<4} {}  {}  {}: {} → {}",
            e.seq,
            e.at.replacen('T', " ", 1),
            e.user,
            e.path,
            short_json(&e.old),
            short_json(&e.new)
        );
    }
    Ok(())
}
