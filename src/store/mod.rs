//! Where cases live. One small interface, [`Store`], so another backend can slot in later
//! without touching the TUI or the protocol; the file store is the embedded default.
//!
//! The data directory ([`data_dir`]) holds, per case: `<id>.json` (replaced atomically, see
//! [`atomic`]), `<id>.log.jsonl` (the hash-chained audit trail, [`audit`]), `<id>.lock` (an OS
//! file lock naming its holder, [`lock`]) and, after a migration, `<id>.v<N>.bak` (the bytes
//! of the old version N, [`schema`]). Files are 0600 and the directory 0700 on Unix.
//!
//! Choices where the spec is silent:
//! - A surgery date after `now` is not damage when loading (a `--now` in the past, or a
//!   clock ahead on another workstation); `create`/`import` check it (data entry).
//! - A damaged or newer-schema file is never written to, not even by `save` of that id; its
//!   mode may be tightened to 0600 (its bytes are untouched).
//! - Lock files stay after release, emptied: deleting them would let a waiting instance lock
//!   a file that no longer has a name.
//!
//! ## Versions and compare-and-swap saves
//! Every saved case carries a `version` (1 for a new case, +1 per save), which the file store
//! keeps in the case's `store` key (`{"store": {"version": 7}}`) and the ward server in a
//! column. [`version_of`] reads it from a loaded [`Case`] (0: never saved with a version).
//! [`Store::save`] takes the version the caller loaded and replaces the case only when the
//! stored one is still that version; otherwise nothing is written and
//! [`StoreError::Conflict`] says who changed it. It returns the new version, which the caller
//! keeps (with [`set_version`]) for its next save.
//!
//! ## Trail and case agree
//! A save is one step for the caller: the case and the [`Change`]s that made it. The store
//! writes and syncs the audit entries first, then replaces the case; the newest entry holds
//! the hash of the case's clinical content ([`clinical_hash`]: the `ui` and `store` keys left
//! out). The time and the user of an entry are the store's own (the wall clock, the
//! operating-system account), never the caller's.

pub mod atomic;
pub mod audit;
pub mod dirs;
pub mod file;
pub mod files;
pub mod installation;
pub mod lock;
pub mod memory;
pub mod open;
pub mod pg;
pub mod rounds;
pub mod schema;
pub mod signals;
pub mod watch;

pub use atomic::SaveStep;
pub use dirs::data_dir;
pub use file::FileStore;
pub use installation::FhirSent;
pub use pg::PgStore;
pub use rounds::{RoundsList, rounds_list};

use crate::case::Case;
use chrono::NaiveDateTime;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// The key of the store's own bookkeeping in a case file (not clinical data).
pub const STORE_KEY: &str = "store";
/// The key of the TUI's state in a case file (where the screen was left, drafts).
pub const UI_KEY: &str = "ui";

/// The version a loaded case carries (0: never saved with a version).
pub fn version_of(case: &Case) -> u64 {
    case.extra
        .get(STORE_KEY)
        .and_then(|s| s.get("version"))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// Records the version a save returned in the caller's copy of the case.
pub fn set_version(case: &mut Case, version: u64) {
    let entry = case
        .extra
        .entry(STORE_KEY.to_string())
        .or_insert_with(|| Value::Object(Default::default()));
    if !entry.is_object() {
        *entry = Value::Object(Default::default());
    }
    if let Value::Object(m) = entry {
        m.insert("version".into(), Value::from(version));
    }
}

/// Hex SHA-256 of a case's clinical content: the case as JSON without its `ui` and `store`
/// keys, written compactly in its own key order. What the audit trail's newest entry holds.
pub fn clinical_hash(case: &Value) -> String {
    let mut clinical = case.clone();
    if let Value::Object(m) = &mut clinical {
        m.shift_remove(UI_KEY);
        m.shift_remove(STORE_KEY);
    }
    let text = serde_json::to_string(&clinical).expect("a JSON value always serialises");
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A case file that could not be read; listed, never overwritten.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Damaged {
    /// File name inside the data directory, e.g. `bed7.json`.
    pub file: String,
    pub reason: String,
}

/// Everything in the store: readable cases and damaged files.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub cases: Vec<Case>,
    pub damaged: Vec<Damaged>,
}

/// Whether this instance may change a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    /// Another instance holds the case: `holder` reads like "in use by ana since 2026-11-30 08:12".
    ReadOnly {
        holder: String,
    },
}

/// One field change for the audit trail: path, old → new.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    pub old: Value,
    pub new: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// No case with that id.
    NotFound(String),
    /// Refused: the message says why (exists already, newer schema, locked by another, …).
    Refused(String),
    /// The operating system said no (disk full, permission denied, …); nothing was lost.
    Io(String),
    /// The case changed since this instance loaded it (another instance saved, or the file
    /// was edited): nothing was written. `by` names who changed it when the trail says so.
    Conflict { by: Option<String>, message: String },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound(id) => write!(f, "no case {id:?}"),
            StoreError::Refused(m) | StoreError::Io(m) => f.write_str(m),
            StoreError::Conflict { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for StoreError {}

/// The storage interface: load all, load one, save (with its audit entries), lock, history.
pub trait Store {
    /// Every case (archived included) and every damaged file. The file store does not judge
    /// dates against `now`: a surgery date after `now` is a what-if or clock skew, not damage.
    fn load_all(&self, now: NaiveDateTime) -> Result<Listing, StoreError>;
    /// One case by id.
    fn load(&self, id: &str, now: NaiveDateTime) -> Result<Case, StoreError>;
    /// Saves a case and the changes that made it, as one step: the audit entries are durable
    /// before the case is replaced (atomically: the old or the new case survives any crash).
    /// Compare-and-swap: `expected_version` is the version the caller loaded
    /// ([`version_of`]); when the stored case is no longer that version (or its file was
    /// changed since this instance read it) nothing is written and the error is
    /// [`StoreError::Conflict`]. Returns the new version. `expected_version` 0 with no stored
    /// case adds it. A case this instance holds read-only is refused. `changes` may be empty
    /// (only the `ui` key moved); a clinical difference is then still entered in the trail.
    fn save(
        &mut self,
        case: &Case,
        expected_version: u64,
        changes: &[Change],
    ) -> Result<u64, StoreError>;
    /// Adds a new case (validated at `now`) with its first audit entries (`changes`; the store
    /// adds a `(create)` entry when empty); refused when the id exists. Returns its version (1).
    fn create(
        &mut self,
        case: &Case,
        changes: &[Change],
        now: NaiveDateTime,
    ) -> Result<u64, StoreError>;
    /// Takes the case for this instance, or reports who holds it. A case reported read-only
    /// stays so (saves refused) until `lock` is called again and succeeds; reload it then,
    /// since the holder may have saved meanwhile. A lock that cannot be taken because the
    /// disk refuses (full, read-only) gives read-only access with the reason, so the case can
    /// still be read. Taking a case also settles its trail: changes entered in the trail that
    /// never reached the case (an interrupted save) get a "not applied" entry. `now` is the
    /// caller's moment; the lock's own time is the wall clock.
    fn lock(&mut self, id: &str, now: NaiveDateTime) -> Result<Access, StoreError>;
    /// Gives the case back.
    fn unlock(&mut self, id: &str);
    /// The case's audit trail, oldest first (what the history view, `--since`, `--as-of` and
    /// the FHIR export's removed rows read). A case with no trail yet has none.
    fn history(&self, id: &str) -> Result<Vec<audit::Entry>, StoreError>;
    /// Who holds the case in another instance right now ("in use by ana since …"), without
    /// taking it; `None` when it is free or held by this instance.
    fn holder(&self, _id: &str) -> Option<String> {
        None
    }
    /// [`Store::holder`] of each id, in order (the rounds list asks for all at once).
    fn holders(&self, ids: &[String]) -> Vec<Option<String>> {
        ids.iter().map(|id| self.holder(id)).collect()
    }
    /// Calls `f` with every case and damaged entry (in any order, possibly from several
    /// threads), so a long listing is never held whole. Default: through [`Store::load_all`].
    fn scan_each(
        &self,
        now: NaiveDateTime,
        f: &(dyn Fn(Result<Case, Damaged>) + Sync),
    ) -> Result<(), StoreError> {
        let listing = self.load_all(now)?;
        listing.cases.into_iter().for_each(|c| f(Ok(c)));
        listing.damaged.into_iter().for_each(|d| f(Err(d)));
        Ok(())
    }
    /// `audit --verify`: checks the case's trail (its chain, then the case against the
    /// newest entry). Default: the chain of [`Store::history`] as written.
    fn verify_trail(&self, id: &str) -> Result<TrailCheck, StoreError> {
        let entries = self.history(id)?;
        let text: String = entries
            .iter()
            .filter_map(|e| serde_json::to_string(e).ok())
            .map(|l| l + "\n")
            .collect();
        Ok(TrailCheck {
            recorded: Vec::new(),
            result: match audit::verify_text(&text) {
                Ok(n) => Ok(format!("{id}: chain intact, {n} entries\n")),
                Err(broken) => Err(format!("{id}: {broken}")),
            },
        })
    }
    /// The wards this user may add cases to (the ward server); empty when the store has no
    /// wards (the file store: one clinician's directory).
    fn wards(&self) -> Result<Vec<String>, StoreError> {
        Ok(Vec::new())
    }
    /// Where the cases are, for messages: the data directory, or the server URL (password
    /// masked).
    fn location(&self) -> String {
        "the store".into()
    }
    /// Problems found and fixed while opening or reading (file permissions), for stderr.
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
    /// Cases another instance changed since the last call, by id; `"*"` when anything may
    /// have changed (e.g. after a reconnect). The TUI loop polls this to refresh the rounds
    /// list and read-only views. Default: never anything.
    fn changes(&mut self) -> Vec<String> {
        Vec::new()
    }
    /// A standing problem to keep in the status line ("ward server unreachable — retrying
    /// (entry kept)"), `None` when all is well.
    fn trouble(&self) -> Option<String> {
        None
    }
    /// What others change, as it happens (a live rounds list): `None` when this store cannot
    /// tell, and the caller reloads on request only.
    fn watch(&self) -> Option<Box<dyn watch::ChangeFeed>> {
        None
    }

    /// The installation's namespace UUID, made (random) on first use and kept in the store:
    /// every FHIR `fullUrl` is a UUID v5 under it (FHIR.md). A store that cannot keep one
    /// refuses, and the FHIR export with it.
    fn installation_namespace(&mut self) -> Result<uuid::Uuid, StoreError> {
        Err(StoreError::Refused(
            "this store keeps no installation namespace for the FHIR export".into(),
        ))
    }
    /// What earlier FHIR exports of the case sent (the pitfalls, so one that cleared is sent
    /// as cancelled); empty when it was never exported or the store keeps no record.
    fn fhir_sent(&self, _id: &str) -> Result<FhirSent, StoreError> {
        Ok(FhirSent::default())
    }
    /// Records what a FHIR export of the case sent.
    fn record_fhir_sent(&mut self, _id: &str, _sent: &FhirSent) -> Result<(), StoreError> {
        Ok(())
    }
}

/// The result of checking a trail ([`Store::verify_trail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailCheck {
    /// Per entry, what the store recorded beyond the entry itself (the ward server: the
    /// database role and `recorded_at`/`recorded_by`); empty for the file store.
    pub recorded: Vec<String>,
    /// The line to print when all is well; else what is wrong (exit 2).
    pub result: Result<String, String>,
}
