//! The ward server's administration (`spinewatch server …`), run as a role that owns the
//! `spinewatch` schema (the one that ran `server init`): wards and their roles, grants, the
//! status, and copying a file store in.

use super::{PgStore, clinical_hash, db_message, entries_json, with_ward};
use crate::store::audit::{self, Entry};
use crate::store::{Change, FileStore, Store, StoreError};
use chrono::NaiveDateTime;
use postgres::Client;
use serde_json::Value;
use std::path::Path;

/// A PostgreSQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The role of a ward: `spinewatch_ward_` and the name in lower-case letters, digits and `_`.
pub fn ward_role(ward: &str) -> String {
    let mut role: String = ward
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    role.truncate(40);
    format!("spinewatch_ward_{role}")
}

fn check_ward_name(ward: &str) -> Result<(), String> {
    let n = ward.chars().count();
    if !(1..=40).contains(&n) || ward.chars().any(char::is_control) || ward.trim() != ward {
        return Err(format!(
            "ward {ward:?}: a ward name is 1–40 characters, without control characters or surrounding spaces"
        ));
    }
    Ok(())
}

fn sql(e: postgres::Error) -> String {
    db_message(&e)
}

/// `server add-ward NAME`: the ward and its role (re-runnable). Returns what was done.
pub fn add_ward(client: &mut Client, ward: &str) -> Result<String, String> {
    check_ward_name(ward)?;
    let mut tx = client.transaction().map_err(sql)?;
    if let Some(row) = tx
        .query_opt(
            "SELECT role::text FROM spinewatch.wards WHERE name = $1",
            &[&ward],
        )
        .map_err(sql)?
    {
        let role: String = row.get(0);
        return Ok(format!("ward {ward:?} exists already (role {role})"));
    }
    let mut role = ward_role(ward);
    let base = role.clone();
    let mut n = 1;
    while tx
        .query_opt(
            "SELECT 1 FROM spinewatch.wards WHERE role = $1::text::name",
            &[&role],
        )
        .map_err(sql)?
        .is_some()
    {
        n += 1;
        role = format!("{base}_{n}");
    }
    let exists = tx
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])
        .map_err(sql)?
        .is_some();
    if !exists {
        tx.batch_execute(&format!("CREATE ROLE {} NOLOGIN", ident(&role)))
            .map_err(sql)?;
    }
    tx.batch_execute(&format!("GRANT spinewatch_clinician TO {}", ident(&role)))
        .map_err(sql)?;
    tx.execute(
        "INSERT INTO spinewatch.wards (name, role) VALUES ($1, $2::text::name)",
        &[&ward, &role],
    )
    .map_err(sql)?;
    tx.commit().map_err(sql)?;
    Ok(format!("added ward {ward:?} (role {role})"))
}

/// `server grant ROLE WARD`, or with `ward` `None` (`--all-wards`) the read-only
/// coordinator role `spinewatch_read_all`.
pub fn grant(client: &mut Client, role: &str, ward: Option<&str>) -> Result<String, String> {
    let exists = client
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role])
        .map_err(sql)?
        .is_some();
    if !exists {
        return Err(format!(
            "no database role {role:?}; create it first (CREATE ROLE … LOGIN)"
        ));
    }
    let group = match ward {
        None => "spinewatch_read_all".to_string(),
        Some(w) => client
            .query_opt(
                "SELECT role::text FROM spinewatch.wards WHERE name = $1",
                &[&w],
            )
            .map_err(sql)?
            .map(|r| r.get::<_, String>(0))
            .ok_or_else(|| format!("no ward {w:?}; add it with `spinewatch server add-ward`"))?,
    };
    client
        .batch_execute(&format!("GRANT {} TO {}", ident(&group), ident(role)))
        .map_err(sql)?;
    Ok(match ward {
        Some(w) => format!("{role} may now read and change the cases of ward {w:?}"),
        None => format!("{role} may now read the cases of every ward (spinewatch_read_all)"),
    })
}

/// `server status`: schema version, wards (with their case counts), connected instances.
pub fn status(client: &mut Client) -> Result<String, String> {
    let mut out = String::new();
    let version = super::migrate::version(client).map_err(sql)?;
    match version {
        Some(v) => out.push_str(&format!(
            "schema spinewatch version {v} (this spinewatch: {})\n",
            super::migrate::CURRENT
        )),
        None => {
            out.push_str("schema spinewatch: not set up (run `spinewatch server init`)\n");
            return Ok(out);
        }
    }
    let wards = client
        .query(
            "SELECT w.name, w.role::text, count(c.id)
             FROM spinewatch.wards w LEFT JOIN spinewatch.cases c ON c.ward = w.name
             GROUP BY w.name, w.role ORDER BY w.name",
            &[],
        )
        .map_err(sql)?;
    out.push_str(&format!("wards: {}\n", wards.len()));
    for w in wards {
        let (name, role, n): (String, String, i64) = (w.get(0), w.get(1), w.get(2));
        out.push_str(&format!("  {name}  (role {role}, {n} cases)\n"));
    }
    let instances = client
        .query(
            "SELECT usename::text, application_name, coalesce(host(client_addr), 'local'),
                    to_char(backend_start, 'YYYY-MM-DD HH24:MI')
             FROM pg_stat_activity
             WHERE application_name LIKE 'spinewatch %' AND pid <> pg_backend_pid()
             ORDER BY backend_start",
            &[],
        )
        .map_err(sql)?;
    out.push_str(&format!("connected instances: {}\n", instances.len()));
    for i in instances {
        let (role, app, from, since): (Option<String>, String, String, String) =
            (i.get(0), i.get(1), i.get(2), i.get(3));
        out.push_str(&format!(
            "  {}  {}  from {from}  since {since}\n",
            role.unwrap_or_default(),
            app.trim_start_matches("spinewatch ")
        ));
    }
    Ok(out)
}

/// What `migrate-from` did.
#[derive(Debug, Default)]
pub struct Migrated {
    pub copied: usize,
    pub present: usize,
    /// Cases whose trail does not verify (or whose file is damaged): `id: reason`.
    pub broken: Vec<String>,
    /// Of those, copied anyway (`--accept-broken`).
    pub copied_broken: usize,
}

/// One entry of a file trail as its line holds it (old/new kept as written).
fn file_entries(dir: &Path, id: &str) -> Result<Vec<Entry>, StoreError> {
    audit::read(dir, id)
}

/// `server migrate-from DIR --ward NAME [--accept-broken]`: copies every case of a file
/// store with its whole trail (original times, users, values and hashes), each trail
/// verified first; the case's `ward` set to `ward` in one more, audited entry. A case
/// already on the server is left alone, so a second run copies only what is missing.
pub fn migrate_from(
    store: &PgStore,
    dir: &Path,
    ward: &str,
    accept_broken: bool,
    now: NaiveDateTime,
) -> Result<Migrated, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a data directory", dir.display()));
    }
    let exists = store
        .with_client(|c| c.query_opt("SELECT 1 FROM spinewatch.wards WHERE name = $1", &[&ward]))
        .map_err(|e| e.to_string())?;
    if exists.is_none() {
        return Err(format!(
            "no ward {ward:?}; add it first with `spinewatch server add-ward`"
        ));
    }
    let files = FileStore::open(dir).map_err(|e| e.to_string())?;
    let listing = files.load_all(now).map_err(|e| e.to_string())?;
    let present: std::collections::BTreeSet<String> = store
        .with_client(|c| c.query("SELECT id FROM spinewatch.cases", &[]))
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    let mut out = Migrated::default();
    for d in &listing.damaged {
        out.broken.push(format!("{}: {}", d.file, d.reason));
    }
    for case in &listing.cases {
        let Some(id) = case.id.clone() else { continue };
        if present.contains(&id) {
            out.present += 1;
            continue;
        }
        let verdict = audit::verify(dir, &id).map_err(|e| e.to_string())?;
        let broken = verdict.err().map(|b| b.to_string());
        if let Some(reason) = &broken {
            out.broken.push(format!("{id}: {reason}"));
            if !accept_broken {
                continue;
            }
        }
        let entries = file_entries(dir, &id).map_err(|e| e.to_string())?;
        let old_ward = super::ward_of(case).map_or(Value::Null, Value::from);
        let moved = with_ward(case, ward);
        let mut notes = vec![Change {
            path: "ward".into(),
            old: old_ward,
            new: Value::from(ward),
        }];
        if let Some(reason) = &broken {
            notes.insert(
                0,
                Change {
                    path: "(trail not verified)".into(),
                    old: Value::Null,
                    new: Value::from(format!("copied by migrate-from although: {reason}")),
                },
            );
        }
        copy_case(store, &id, ward, &moved, &entries, &notes).map_err(|e| format!("{id}: {e}"))?;
        out.copied += 1;
        if broken.is_some() {
            out.copied_broken += 1;
        }
    }
    Ok(out)
}

/// One case in one transaction: the row, its trail as it was, and the migration's entries.
fn copy_case(
    store: &PgStore,
    id: &str,
    ward: &str,
    case: &crate::case::Case,
    entries: &[Entry],
    notes: &[Change],
) -> Result<(), StoreError> {
    let doc = super::doc_of(case);
    let hash = clinical_hash(case, store.zone());
    let notes = entries_json(notes);
    // Each entry as its line was written: serde_json's compact form of the parsed line, so
    // `old`/`new` keep the text the entry's hash covers.
    let trail: Vec<String> = entries
        .iter()
        .map(|e| serde_json::to_string(e).expect("an entry always serialises"))
        .collect();
    let trail = format!("[{}]", trail.join(","));
    store.with_client(|c| {
        c.execute(
            "SELECT spinewatch.copy_case($1, $2, $3::text::jsonb, $4::text::json, $5::text::json, $6)",
            &[&id, &ward, &doc, &trail, &notes, &hash],
        )
        .map(|_| ())
    })
}
