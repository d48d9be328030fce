//! `spinewatch rounds`, `evaluate` (of a file or, `--as-of`, of a case as it stood), `import`
//! and `audit`: the store's commands.

use super::Format;
use crate::case::decode::short_json;
use crate::case::format_time;
use crate::failure::Failure;
use crate::history;
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
    FileStore::open(&dir).map_err(|e| Failure::other(e.to_string()))
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
    let out = match format {
        RoundsFormat::Json => list.to_json_pretty() + "\n",
        RoundsFormat::Text => list.text(),
        RoundsFormat::Markdown => list.markdown(),
    };
    print_out(&out)
}

/// Every text a store command prints goes out here (one place to escape it and to end
/// quietly on a closed pipe).
fn print_out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::other(format!("cannot write the output: {e}")))
        }
        _ => Ok(()),
    }
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
        None => (super::export::load_target(target, dir_override, now)?, now),
        Some(time) => (case_as_of(dir_override, target, time)?, time),
    };
    let eval = crate::protocol::evaluate(&case, &protocol, at);
    let mut out = match format {
        Format::Json => {
            serde_json::to_string_pretty(&eval).expect("an evaluation always serialises")
        }
        Format::Text => crate::chart::evaluation_text(&case, &eval, &protocol),
    };
    out.push('\n');
    print_out(&out)
}

/// Case `id` of the data directory as it stood at `time`.
fn case_as_of(
    dir_override: Option<&Path>,
    id: &str,
    time: NaiveDateTime,
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
    let store = open(dir_override)?;
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
    let bytes = std::fs::read(file).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            2
        } else {
            1
        };
        Failure {
            code,
            message: format!("{shown}: cannot read: {e}"),
        }
    })?;
    let decoded = schema::decode(&bytes, now).map_err(|u| match u {
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
