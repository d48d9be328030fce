//! The ward server: cases in PostgreSQL for a ward team on many workstations
//! (spec/WARD_SERVER.md). Every clinician connects as their own database role; the server
//! decides what they see (row-level security by ward) and writes every change and its audit
//! entries in one transaction through `spinewatch.save_case` (SECURITY DEFINER), stamping time
//! and user itself. This side only speaks to it:
//! - a save is compare-and-swap on the case's `version` (the version this instance loaded);
//! - "open for editing" is a session-level advisory lock, so a killed client frees its case;
//! - a second connection listens for each commit's `NOTIFY` ([`listen`]);
//! - when the server goes away, operations fail with "ward server unreachable — retrying
//!   (entry kept)" and the next one reconnects (re-taking the cases this instance held).
//!
//! Choices where the spec is silent:
//! - The session time zone is the client's UTC offset at connection, so an entry's `at` reads
//!   in the ward's local time like the file store's.
//! - The holder of a case is named by role and `application_name` ("in use by ana
//!   (ana@ws3)"); PostgreSQL does not record when an advisory lock was taken.
//! - `NOTIFY` payloads (ward, case id, version) reach every listener of the database,
//!   whatever its wards: PostgreSQL has no privilege on channels. No clinical data is sent.

pub mod admin;
pub mod listen;
pub mod migrate;
pub mod target;

use super::audit;
use super::schema;
use super::{Access, Change, Damaged, Listing, Store, StoreError, TrailCheck};
use crate::case::Case;
use chrono::NaiveDateTime;
use postgres::Client;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use target::Target;

/// The advisory lock class of "open for editing" (the object is `hashtext(id)`).
const LOCK_CLASS: i32 = 1_397_225_473;

/// What the TUI shows while the server is away.
pub const UNREACHABLE: &str = "ward server unreachable — retrying (entry kept)";

/// The words of a database error, without any password.
pub fn db_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}

pub struct PgStore {
    target: Target,
    conn: Mutex<Option<Client>>,
    /// Version of each case as this instance last loaded or saved it (the compare-and-swap
    /// base).
    versions: Mutex<BTreeMap<String, i64>>,
    /// Cases this instance holds for editing.
    held: Mutex<BTreeSet<String>>,
    /// Cases another instance holds: id → "in use by …".
    read_only: Mutex<BTreeMap<String, String>>,
    listener: Option<listen::Listener>,
    trouble: Mutex<Option<String>>,
    /// When a reconnect last failed and how long to wait before the next try.
    retry: Mutex<(Option<Instant>, Duration)>,
    /// The site time zone documents are read in.
    zone: chrono_tz::Tz,
    /// The ward of a new case that names none (`site.json` `ward`).
    default_ward: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Hex SHA-256 of a case's clinical content (the file store's `clinical_hash`: the case as
/// JSON without `ui` and `store`), computed on the case as the server will hand it back —
/// jsonb orders object keys (shorter first), so the keys of unknown fields are put in that
/// order first and the hash reads the same after a round trip.
pub fn clinical_hash(case: &Case, zone: chrono_tz::Tz) -> String {
    let value = serde_json::to_value(case).expect("a case always serialises");
    let sorted = jsonb_order(value);
    let bytes = serde_json::to_vec(&sorted).expect("a JSON value always serialises");
    let round_tripped = schema::decode_in(&bytes, NaiveDateTime::MAX, zone)
        .map(|d| serde_json::to_value(&d.case).expect("a case always serialises"))
        .unwrap_or(sorted);
    hash_of_clinical(&round_tripped)
}

fn hash_of_clinical(value: &Value) -> String {
    let mut clinical = value.clone();
    if let Value::Object(m) = &mut clinical {
        m.shift_remove("ui");
        m.shift_remove("store");
    }
    let text = serde_json::to_string(&clinical).expect("a JSON value always serialises");
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Object keys in jsonb's order (length, then bytes), recursively.
fn jsonb_order(value: Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut pairs: Vec<(String, Value)> = m.into_iter().collect();
            pairs.sort_by(|(a, _), (b, _)| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
            Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, jsonb_order(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(jsonb_order).collect()),
        other => other,
    }
}

/// The ward a case names (`ward`, schema 2).
pub fn ward_of(case: &Case) -> Option<String> {
    case.ward.clone()
}

/// The case with its `ward` set.
pub fn with_ward(case: &Case, ward: &str) -> Case {
    let mut case = case.clone();
    case.ward = Some(ward.to_string());
    case
}

/// The document sent to the server: the case without the store's bookkeeping.
fn doc_of(case: &Case) -> String {
    let mut value = serde_json::to_value(case).expect("a case always serialises");
    if let Value::Object(m) = &mut value {
        m.shift_remove("store");
    }
    serde_json::to_string(&value).expect("a JSON value always serialises")
}

/// The changes as the server's `p_entries`: `[{"path", "old", "new"}]`, values written
/// compactly (their text is what the entry's hash covers).
fn entries_json(changes: &[Change]) -> String {
    let items: Vec<String> = changes
        .iter()
        .map(|c| {
            format!(
                "{{\"path\":{},\"old\":{},\"new\":{}}}",
                serde_json::to_string(&c.path).expect("a string always serialises"),
                serde_json::to_string(&c.old).expect("a JSON value always serialises"),
                serde_json::to_string(&c.new).expect("a JSON value always serialises"),
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

fn decode_doc(id: &str, text: &str, version: i64, zone: chrono_tz::Tz) -> Result<Case, Damaged> {
    let damaged = |reason: String| Damaged {
        file: id.to_string(),
        reason,
    };
    let decoded = schema::decode_in(text.as_bytes(), NaiveDateTime::MAX, zone)
        .map_err(|u| damaged(u.reason().to_string()))?;
    let mut case = decoded.case;
    if case.id.as_deref() != Some(id) {
        return Err(damaged(format!(
            "id: {:?} does not match the row's id {id:?}",
            case.id.as_deref().unwrap_or("")
        )));
    }
    crate::store::set_version(&mut case, version as u64);
    Ok(case)
}

/// A trail row as the line the file store would have written (the hash covers it).
pub struct TrailRow {
    pub seq: i64,
    pub at: String,
    pub user: String,
    pub path: String,
    pub old: String,
    pub new: String,
    pub prev: String,
    pub case: Option<String>,
    pub hash: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

impl TrailRow {
    /// The JSON line, exactly as the file store writes it.
    pub fn line(&self) -> String {
        let s = |t: &str| serde_json::to_string(t).expect("a string always serialises");
        let case = self
            .case
            .as_deref()
            .map_or(String::new(), |c| format!(",\"case\":{}", s(c)));
        format!(
            "{{\"seq\":{},\"at\":{},\"user\":{},\"path\":{},\"old\":{},\"new\":{},\"prev\":{}{case},\"hash\":{}}}",
            self.seq,
            s(&self.at),
            s(&self.user),
            s(&self.path),
            self.old,
            self.new,
            s(&self.prev),
            s(&self.hash)
        )
    }
}

const TRAIL_SQL: &str =
    "SELECT seq, at, \"user\", path, old::text, new::text, prev_hash, case_hash, hash,
            to_char(recorded_at, 'YYYY-MM-DD\"T\"HH24:MI:SS'), recorded_by
     FROM spinewatch.audit WHERE case_id = $1 ORDER BY seq";

fn trail_rows(client: &mut Client, id: &str) -> Result<Vec<TrailRow>, postgres::Error> {
    Ok(client
        .query(TRAIL_SQL, &[&id])?
        .into_iter()
        .map(|r| TrailRow {
            seq: r.get(0),
            at: r.get(1),
            user: r.get(2),
            path: r.get(3),
            old: r.get(4),
            new: r.get(5),
            prev: r.get(6),
            case: r.get(7),
            hash: r.get(8),
            recorded_at: r.get(9),
            recorded_by: r.get(10),
        })
        .collect())
}

/// Connects with the session set up as every spinewatch session is (time zone), checking the
/// schema version.
fn open_session(target: &Target) -> Result<Client, StoreError> {
    let mut client = target.connect().map_err(StoreError::Io)?;
    let version = migrate::version(&mut client).map_err(|e| StoreError::Io(db_message(&e)))?;
    if let Some(why) = migrate::unusable(version) {
        return Err(StoreError::Refused(format!("{}: {why}", target.shown)));
    }
    let offset = chrono::Local::now().offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let (h, m) = (offset.abs() / 3600, offset.abs() % 3600 / 60);
    client
        .batch_execute(&format!(
            "SET TIME ZONE INTERVAL '{sign}{h:02}:{m:02}' HOUR TO MINUTE"
        ))
        .map_err(|e| StoreError::Io(db_message(&e)))?;
    Ok(client)
}

impl PgStore {
    /// Connects to the ward server of `url` and starts listening for its changes. An
    /// unreachable server fails here, naming the host (the password masked).
    pub fn connect(url: &str) -> Result<PgStore, StoreError> {
        let target = Target::parse(url).map_err(StoreError::Refused)?;
        let client = open_session(&target)?;
        let listener = Some(listen::start(target.clone()));
        Ok(PgStore {
            target,
            conn: Mutex::new(Some(client)),
            versions: Mutex::new(BTreeMap::new()),
            held: Mutex::new(BTreeSet::new()),
            read_only: Mutex::new(BTreeMap::new()),
            listener,
            trouble: Mutex::new(None),
            retry: Mutex::new((None, Duration::from_millis(100))),
            zone: chrono_tz::UTC,
            default_ward: None,
        })
    }

    /// The ward a new case goes to when it names none (`site.json` `ward`); without one, the
    /// user's only ward.
    pub fn set_default_ward(&mut self, ward: Option<String>) {
        self.default_ward = ward;
    }

    /// The site time zone case documents are read in (`Protocol::zone`); default UTC.
    pub fn set_zone(&mut self, zone: chrono_tz::Tz) {
        self.zone = zone;
    }

    pub fn zone(&self) -> chrono_tz::Tz {
        self.zone
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    fn unreachable(&self, detail: &str) -> StoreError {
        *lock(&self.trouble) = Some(UNREACHABLE.to_string());
        StoreError::Io(format!("{UNREACHABLE}: {} ({detail})", self.target.host))
    }

    /// A fresh session after the old one was lost; the cases this instance held are taken
    /// again (one another instance took meanwhile becomes read-only).
    fn reconnect(&self) -> Result<Client, StoreError> {
        {
            let retry = lock(&self.retry);
            if let (Some(at), wait) = *retry
                && at.elapsed() < wait
            {
                return Err(self.unreachable("retrying"));
            }
        }
        match open_session(&self.target) {
            Ok(mut client) => {
                *lock(&self.retry) = (None, Duration::from_millis(100));
                *lock(&self.trouble) = None;
                let held: Vec<String> = lock(&self.held).iter().cloned().collect();
                for id in held {
                    let taken = try_lock(&mut client, &id).unwrap_or(false);
                    if !taken {
                        lock(&self.held).remove(&id);
                        let holder = holder_of(&mut client, &id)
                            .ok()
                            .flatten()
                            .unwrap_or_else(|| "in use by another instance".into());
                        lock(&self.read_only).insert(id, holder);
                    }
                }
                Ok(client)
            }
            Err(StoreError::Io(m)) => {
                let mut retry = lock(&self.retry);
                let next = (retry.1 * 2).min(Duration::from_secs(2));
                *retry = (Some(Instant::now()), next);
                Err(self.unreachable(&m))
            }
            Err(e) => Err(e),
        }
    }

    /// Runs `f` on the session, reconnecting first when it was lost. A server error is mapped
    /// to the store's errors; a lost connection to "unreachable".
    fn run<R>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, postgres::Error>,
    ) -> Result<R, StoreError> {
        let mut guard = lock(&self.conn);
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = None;
            *guard = Some(self.reconnect()?);
        }
        let client = guard.as_mut().expect("connected above");
        match f(client) {
            Ok(r) => Ok(r),
            Err(e) => {
                if let Some(db) = e.as_db_error() {
                    return Err(map_db(db));
                }
                let closed = client.is_closed();
                *guard = None;
                let _ = closed;
                Err(self.unreachable(&e.to_string()))
            }
        }
    }

    /// The version this instance loaded (0 when never loaded).
    pub fn loaded_version(&self, id: &str) -> i64 {
        lock(&self.versions).get(id).copied().unwrap_or(0)
    }

    /// Compare-and-swap save of `case` with its `changes` against `expected` (0: create).
    /// Returns the new version.
    pub fn save_cas(
        &self,
        case: &Case,
        expected: i64,
        changes: &[Change],
    ) -> Result<i64, StoreError> {
        let id = case
            .id
            .clone()
            .ok_or_else(|| StoreError::Refused("the case has no id".into()))?;
        if let Some(holder) = lock(&self.read_only).get(&id) {
            return Err(StoreError::Refused(format!("read-only: {holder}")));
        }
        let ward = ward_of(case);
        let doc = doc_of(case);
        let create = [Change {
            path: "(create)".into(),
            old: Value::Null,
            new: Value::Null,
        }];
        let changes = if expected == 0 && changes.is_empty() {
            &create[..]
        } else {
            changes
        };
        let entries = entries_json(changes);
        let hash = clinical_hash(case, self.zone);
        let version = self.run(|c| {
            c.query_one(
                "SELECT spinewatch.save_case($1, $2, $3::text::jsonb, $4, $5::text::json, $6)",
                &[&id, &ward, &doc, &expected, &entries, &hash],
            )
            .map(|r| r.get::<_, i64>(0))
        })?;
        lock(&self.versions).insert(id, version);
        Ok(version)
    }

    /// Adds a new case with the first entries of its trail (a `(create)` entry when none).
    pub fn create_with(&self, case: &Case, changes: &[Change]) -> Result<i64, StoreError> {
        let create = [Change {
            path: "(create)".into(),
            old: Value::Null,
            new: Value::Null,
        }];
        let changes = if changes.is_empty() {
            &create[..]
        } else {
            changes
        };
        self.save_cas(case, 0, changes)
    }

    /// The server's row of the case: its document and version.
    fn current(&self, id: &str) -> Result<(Case, i64), StoreError> {
        let row = self.run(|c| {
            c.query_opt(
                "SELECT doc::text, version FROM spinewatch.cases WHERE id = $1",
                &[&id],
            )
        })?;
        let row = row.ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let (text, version): (String, i64) = (row.get(0), row.get(1));
        let case = decode_doc(id, &text, version, self.zone)
            .map_err(|d| StoreError::Refused(format!("case {}: {}", d.file, d.reason)))?;
        Ok((case, version))
    }

    /// The trail rows as stored, for `audit` and `migrate-from`.
    pub fn trail(&self, id: &str) -> Result<Vec<TrailRow>, StoreError> {
        self.run(|c| trail_rows(c, id))
    }

    /// The session's database role.
    pub fn role(&self) -> Result<String, StoreError> {
        self.run(|c| {
            c.query_one("SELECT session_user::text", &[])
                .map(|r| r.get(0))
        })
    }

    /// Runs administrative work on the session (`server` commands).
    pub fn with_client<R>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<R, postgres::Error>,
    ) -> Result<R, StoreError> {
        self.run(f)
    }
}

fn map_db(db: &postgres::error::DbError) -> StoreError {
    let message = db.message().to_string();
    match db.code().code() {
        "SW404" => StoreError::NotFound(
            message
                .strip_prefix("no case ")
                .unwrap_or(&message)
                .to_string(),
        ),
        "SW409" => StoreError::Conflict {
            by: db.detail().map(str::to_string),
            message: format!("not saved: the case was {message}; your entry is kept"),
        },
        "42501" => StoreError::Refused(format!("the ward server refused: {message}")),
        "SW400" | "SW403" => StoreError::Refused(message),
        _ => StoreError::Io(format!("the ward server: {message}")),
    }
}

fn try_lock(client: &mut Client, id: &str) -> Result<bool, postgres::Error> {
    client
        .query_one(
            "SELECT pg_try_advisory_lock($1, hashtext($2))",
            &[&LOCK_CLASS, &id],
        )
        .map(|r| r.get(0))
}

/// Who holds the case's advisory lock in another session ("in use by ana (ana@ws3)").
fn holder_of(client: &mut Client, id: &str) -> Result<Option<String>, postgres::Error> {
    let row = client.query_opt(
        "SELECT a.usename::text, a.application_name
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
           AND l.classid = $1::bigint::oid
           AND l.objid = ((hashtext($2)::bigint + 4294967296) % 4294967296)::oid
           AND l.pid <> pg_backend_pid()
         LIMIT 1",
        &[&i64::from(LOCK_CLASS), &id],
    )?;
    Ok(row.map(|r| holder_words(r.get(0), r.get(1))))
}

/// "in use by ana (ana@ws3)": the holder's role and where it connects from.
fn holder_words(role: Option<String>, app: Option<String>) -> String {
    let role = role.unwrap_or_else(|| "another role".into());
    match app.as_deref().and_then(|a| a.strip_prefix("spinewatch ")) {
        Some(at) => format!("in use by {role} ({at})"),
        None => format!("in use by {role}"),
    }
}

fn lines_of(rows: &[TrailRow]) -> String {
    rows.iter().map(|r| r.line() + "\n").collect()
}

impl Store for PgStore {
    fn load_all(&self, now: NaiveDateTime) -> Result<Listing, StoreError> {
        let listing = Mutex::new(Listing::default());
        self.scan_each(now, &|r| match r {
            Ok(c) => lock(&listing).cases.push(c),
            Err(d) => lock(&listing).damaged.push(d),
        })?;
        let mut listing = listing.into_inner().unwrap_or_else(|p| p.into_inner());
        listing.cases.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(listing)
    }

    fn scan_each(
        &self,
        _now: NaiveDateTime,
        f: &(dyn Fn(Result<Case, Damaged>) + Sync),
    ) -> Result<(), StoreError> {
        let rows = self.run(|c| {
            c.query(
                "SELECT id, doc::text, version FROM spinewatch.cases ORDER BY id",
                &[],
            )
        })?;
        let rows: Vec<(String, String, i64)> = rows
            .into_iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        {
            let mut versions = lock(&self.versions);
            for (id, _, v) in &rows {
                versions.insert(id.clone(), *v);
            }
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = rows.len().div_ceil(threads).max(1);
        let zone = self.zone;
        std::thread::scope(|s| {
            for part in rows.chunks(chunk) {
                s.spawn(move || {
                    for (id, text, version) in part {
                        f(decode_doc(id, text, *version, zone));
                    }
                });
            }
        });
        Ok(())
    }

    fn load(&self, id: &str, _now: NaiveDateTime) -> Result<Case, StoreError> {
        let (case, version) = self.current(id)?;
        lock(&self.versions).insert(id.to_string(), version);
        Ok(case)
    }

    fn save(
        &mut self,
        case: &Case,
        expected_version: u64,
        changes: &[Change],
    ) -> Result<u64, StoreError> {
        self.save_cas(case, expected_version as i64, changes)
            .map(|v| v as u64)
    }

    fn create(
        &mut self,
        case: &Case,
        changes: &[Change],
        now: NaiveDateTime,
    ) -> Result<u64, StoreError> {
        let problems = case.validate(now);
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(StoreError::Refused(list.join("; ")));
        }
        let case = match (ward_of(case), &self.default_ward) {
            (Some(_), _) => case.clone(),
            (None, Some(w)) => with_ward(case, w),
            (None, None) => match self.wards()?.as_slice() {
                [only] => with_ward(case, only),
                [] => {
                    return Err(StoreError::Refused(
                        "you are not a member of any ward on the ward server; ask for `spinewatch server grant`".into(),
                    ));
                }
                several => {
                    return Err(StoreError::Refused(format!(
                        "name the ward: you are on wards {}",
                        several.join(", ")
                    )));
                }
            },
        };
        self.create_with(&case, changes).map(|v| v as u64)
    }

    fn lock(&mut self, id: &str, _now: NaiveDateTime) -> Result<Access, StoreError> {
        if lock(&self.held).contains(id) {
            return Ok(Access::ReadWrite);
        }
        let id_owned = id.to_string();
        let (exists, taken, holder) = self.run(|c| {
            let exists = c
                .query_opt("SELECT 1 FROM spinewatch.cases WHERE id = $1", &[&id_owned])?
                .is_some();
            if !exists {
                return Ok((false, false, None));
            }
            let taken = try_lock(c, &id_owned)?;
            let holder = if taken {
                None
            } else {
                holder_of(c, &id_owned)?
            };
            Ok((true, taken, holder))
        })?;
        if !exists {
            return Err(StoreError::NotFound(id.to_string()));
        }
        if taken {
            lock(&self.read_only).remove(id);
            lock(&self.held).insert(id.to_string());
            Ok(Access::ReadWrite)
        } else {
            let holder = holder.unwrap_or_else(|| "in use by another instance".into());
            lock(&self.read_only).insert(id.to_string(), holder.clone());
            Ok(Access::ReadOnly { holder })
        }
    }

    fn unlock(&mut self, id: &str) {
        lock(&self.read_only).remove(id);
        if lock(&self.held).remove(id) {
            let id = id.to_string();
            let _ = self.run(|c| {
                c.execute(
                    "SELECT pg_advisory_unlock($1, hashtext($2))",
                    &[&LOCK_CLASS, &id],
                )
            });
        }
    }

    fn history(&self, id: &str) -> Result<Vec<audit::Entry>, StoreError> {
        let rows = self.trail(id)?;
        Ok(rows
            .iter()
            .filter_map(|r| serde_json::from_str(&r.line()).ok())
            .collect())
    }

    fn holder(&self, id: &str) -> Option<String> {
        if lock(&self.held).contains(id) {
            return None;
        }
        let id = id.to_string();
        self.run(|c| holder_of(c, &id)).ok().flatten()
    }

    fn holders(&self, ids: &[String]) -> Vec<Option<String>> {
        let held = lock(&self.held).clone();
        let found: BTreeMap<String, String> = self
            .run(|c| {
                c.query(
                    "SELECT c.id, a.usename::text, a.application_name
                     FROM pg_locks l
                     JOIN pg_stat_activity a ON a.pid = l.pid
                     JOIN spinewatch.cases c
                       ON l.objid = ((hashtext(c.id)::bigint + 4294967296) % 4294967296)::oid
                     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                       AND l.classid = $1::bigint::oid AND l.pid <> pg_backend_pid()",
                    &[&i64::from(LOCK_CLASS)],
                )
            })
            .map(|rows| {
                rows.into_iter()
                    .map(|r| {
                        let role: Option<String> = r.get(1);
                        let app: Option<String> = r.get(2);
                        (r.get::<_, String>(0), holder_words(role, app))
                    })
                    .collect()
            })
            .unwrap_or_default();
        ids.iter()
            .map(|id| {
                if held.contains(id) {
                    None
                } else {
                    found.get(id).cloned()
                }
            })
            .collect()
    }

    fn verify_trail(&self, id: &str) -> Result<TrailCheck, StoreError> {
        let rows = self.trail(id)?;
        let current = match self.current(id) {
            Ok(c) => Some(c.0),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        if rows.is_empty() && current.is_none() {
            return Err(StoreError::NotFound(id.to_string()));
        }
        let recorded = rows
            .iter()
            .map(|r| {
                format!(
                    "#{:<4} role {}  recorded_at {}  recorded_by {}",
                    r.seq, r.user, r.recorded_at, r.recorded_by
                )
            })
            .collect();
        let trail = format!("{id} on the ward server {}", self.target.host);
        let result = match audit::verify_text(&lines_of(&rows)) {
            Err(broken) => Err(format!("{trail}: {broken}")),
            Ok(n) => {
                let entries: Vec<audit::Entry> = rows
                    .iter()
                    .filter_map(|r| serde_json::from_str(&r.line()).ok())
                    .collect();
                let disk = current.as_ref().map_or_else(
                    || audit::NO_CASE.to_string(),
                    |c| clinical_hash(c, self.zone),
                );
                audit::case_report(&entries, &disk, n, &trail, "the case")
            }
        };
        Ok(TrailCheck { recorded, result })
    }

    fn wards(&self) -> Result<Vec<String>, StoreError> {
        self.run(|c| {
            c.query("SELECT spinewatch.my_wards()", &[])
                .map(|rows| rows.into_iter().map(|r| r.get(0)).collect())
        })
    }

    fn location(&self) -> String {
        format!("the ward server {}", self.target.shown)
    }

    fn changes(&mut self) -> Vec<String> {
        let mut ids = Vec::new();
        let Some(listener) = &self.listener else {
            return ids;
        };
        while let Ok(heard) = listener.events.try_recv() {
            match heard {
                listen::Heard::Changed { id, version } => {
                    if lock(&self.versions).get(&id) != Some(&version) {
                        ids.push(id);
                    }
                }
                listen::Heard::Lost(_) => {
                    *lock(&self.trouble) = Some(UNREACHABLE.to_string());
                }
                listen::Heard::Back => {
                    // The main session reconnects now, not at the next save.
                    *lock(&self.retry) = (None, Duration::from_millis(100));
                    let _ = self.run(|c| c.execute("SELECT 1", &[]));
                    ids.push("*".into());
                }
            }
        }
        ids
    }

    fn trouble(&self) -> Option<String> {
        lock(&self.trouble).clone()
    }

    /// Made by `server init`, the same for every workstation of the ward server.
    fn installation_namespace(&mut self) -> Result<uuid::Uuid, StoreError> {
        let text: Option<String> = self.run(|c| {
            c.query_opt(
                "SELECT value FROM spinewatch.meta WHERE key = 'installation_namespace'",
                &[],
            )
            .map(|r| r.map(|r| r.get(0)))
        })?;
        text.and_then(|t| uuid::Uuid::parse_str(&t).ok())
            .ok_or_else(|| {
                StoreError::Refused(
                    "the ward server has no installation namespace; run `spinewatch server init`"
                        .into(),
                )
            })
    }
}
