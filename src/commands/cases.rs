//! `spinewatch rounds`, `evaluate` (of a file or, `--as-of`, of a case as it stood), `import`
//! and `audit`: the store's commands.

use super::Format;
use crate::case::decode::short_json;
use crate::case::format_time;
use crate::failure::Failure;
use crate::history;
use crate::output::{print_json, print_text};
use crate::site::load_protocol;
use crate::store::rounds::{self, RoundsList};
use crate::store::schema::{self, Unreadable};
use crate::store::{Change, Store, StoreError};
use chrono::NaiveDateTime;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Mutex;

/// Permission fixes go to stderr once the command's work is done (file names only).
fn warn(store: &dyn Store) {
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
    store: &dyn Store,
    now: NaiveDateTime,
    format: RoundsFormat,
    since: Option<NaiveDateTime>,
    include_archived: bool,
) -> Result<(), Failure> {
    let protocol = load_protocol()?;
    // Each case is evaluated on the thread that read it and only its line is kept.
    let (cases, damaged) = (Mutex::new(Vec::new()), Mutex::new(Vec::new()));
    let pending = Mutex::new(Vec::new());
    store
        .scan_each(now, &|r| match r {
            Ok(case) if include_archived || !case.is_archived() => {
                if since.is_some() {
                    // What changed since reads the trail: done after the scan, on this thread.
                    pending.lock().unwrap_or_else(|p| p.into_inner()).push(case);
                } else {
                    let entry = rounds::entry(&case, &protocol, now);
                    cases.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
                }
            }
            Ok(_) => {}
            Err(d) => damaged.lock().unwrap_or_else(|p| p.into_inner()).push(d),
        })
        .map_err(store_failure)?;
    let mut cases = cases.into_inner().unwrap_or_else(|p| p.into_inner());
    let damaged = damaged.into_inner().unwrap_or_else(|p| p.into_inner());
    if let Some(t) = since {
        for case in pending.into_inner().unwrap_or_else(|p| p.into_inner()) {
            cases.push(rounds::entry_since(store, &case, &protocol, now, t));
        }
    }
    let ids: Vec<String> = cases.iter().map(|e| e.id.clone()).collect();
    for (entry, holder) in cases.iter_mut().zip(store.holders(&ids)) {
        entry.read_only = holder.is_some();
        entry.holder = holder;
    }
    let list = RoundsList::new(now, cases, damaged);
    warn(store);
    match format {
        RoundsFormat::Json => print_json(&format!("{}\n", list.to_json_pretty())),
        RoundsFormat::Text => print_text(&list.text()),
        RoundsFormat::Markdown => print_text(&list.markdown()),
    }
    Ok(())
}

/// The ward a new case goes to: `--ward`, else `site.json`'s `ward`, else the ward the file
/// names, else the user's only ward on the ward server; with several and none named it is
/// refused, listing them. The file store has no wards: the case keeps what it says.
fn import_ward(
    store: &dyn Store,
    named: Option<&str>,
    site_ward: Option<&str>,
    in_file: Option<&str>,
) -> Result<Option<String>, Failure> {
    if let Some(w) = named.or(site_ward) {
        return Ok(Some(w.to_string()));
    }
    if let Some(w) = in_file {
        return Ok(Some(w.to_string()));
    }
    let wards = store.wards().map_err(store_failure)?;
    match wards.as_slice() {
        [] => Ok(None),
        [only] => Ok(Some(only.clone())),
        several => Err(Failure::input(format!(
            "name the ward with --ward: you are on wards {}",
            several.join(", ")
        ))),
    }
}

/// `spinewatch evaluate FILE|ID [--as-of TIME]`: a case file, or a case in the store; with
/// `--as-of`, the case as it stood at TIME (rebuilt from its audit trail), evaluated at TIME.
pub fn evaluate(
    store: &dyn Fn() -> Result<Box<dyn Store>, Failure>,
    target: &str,
    format: Format,
    now: NaiveDateTime,
    as_of: Option<NaiveDateTime>,
) -> Result<(), Failure> {
    let protocol = load_protocol()?;
    let (case, at) = match as_of {
        None => (
            super::export::load_target(target, store, now, protocol.zone)?,
            now,
        ),
        Some(time) => (case_as_of(store, target, time)?, time),
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

/// Case `id` of the store as it stood at `time`.
fn case_as_of(
    store: &dyn Fn() -> Result<Box<dyn Store>, Failure>,
    id: &str,
    time: NaiveDateTime,
) -> Result<crate::case::Case, Failure> {
    if Path::new(id).is_file() || id.ends_with(".json") {
        return Err(Failure::input(format!(
            "{id}: --as-of needs a case id in the data directory (a file has no audit trail)"
        )));
    }
    let store = store()?;
    let case = match store.load(id, time) {
        Ok(c) => c,
        Err(StoreError::NotFound(_)) => {
            return Err(Failure::input(format!(
                "case {id:?}: not found in {}",
                store.location()
            )));
        }
        Err(e) => return Err(store_failure(e)),
    };
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
pub fn import(
    store: &mut dyn Store,
    file: &Path,
    ward: Option<&str>,
    site_ward: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), Failure> {
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
    let in_file = crate::store::pg::ward_of(&case);
    if let Some(w) = import_ward(&*store, ward, site_ward, in_file.as_deref())?
        && in_file.as_deref() != Some(w.as_str())
    {
        case = crate::store::pg::with_ward(&case, &w);
    }
    warn(&*store);
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
        store.location()
    ));
    Ok(())
}

/// `spinewatch audit ID [--verify]`. `--verify` checks the hash chain, then the case against
/// the chain's newest entry; on the ward server it also lists each entry's database role and
/// `recorded_*`.
pub fn audit(store: &dyn Store, id: &str, verify: bool) -> Result<(), Failure> {
    warn(store);
    let not_found = || Failure::input(format!("no case {id:?} in {}", store.location()));
    if verify {
        let check = match store.verify_trail(id) {
            Ok(c) => c,
            Err(StoreError::NotFound(_)) => return Err(not_found()),
            Err(e) => return Err(store_failure(e)),
        };
        let mut out: String = check.recorded.iter().map(|l| format!("{l}\n")).collect();
        return match check.result {
            Ok(line) => {
                out.push_str(&line);
                print_text(&out);
                Ok(())
            }
            Err(message) => {
                print_text(&out);
                Err(Failure::input(message))
            }
        };
    }
    let entries = match store.history(id) {
        Ok(e) => e,
        Err(StoreError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(store_failure(e)),
    };
    if entries.is_empty() && matches!(store.verify_trail(id), Err(StoreError::NotFound(_))) {
        return Err(not_found());
    }
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
