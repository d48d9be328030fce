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

pub mod atomic;
pub mod audit;
pub mod dirs;
pub mod file;
pub mod lock;
pub mod memory;
pub mod open;
pub mod pg;
pub mod rounds;
pub mod schema;
pub mod signals;

pub use atomic::SaveStep;
pub use dirs::data_dir;
pub use file::FileStore;
pub use pg::PgStore;
pub use rounds::{RoundsList, rounds_list};

use crate::case::Case;
use chrono::NaiveDateTime;
use serde_json::Value;
use std::fmt;

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
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound(id) => write!(f, "no case {id:?}"),
            StoreError::Refused(m) | StoreError::Io(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for StoreError {}

/// The storage interface: load all, load one, save, lock, append audit.
pub trait Store {
    /// Every case (archived included) and every damaged file. The file store does not judge
    /// dates against `now`: a surgery date after `now` is a what-if or clock skew, not damage.
    fn load_all(&self, now: NaiveDateTime) -> Result<Listing, StoreError>;
    /// One case by id.
    fn load(&self, id: &str, now: NaiveDateTime) -> Result<Case, StoreError>;
    /// Saves a case atomically (the old or the new version survives any crash). A case this
    /// instance holds read-only is refused.
    fn save(&mut self, case: &Case) -> Result<(), StoreError>;
    /// Adds a new case; refused when the id exists.
    fn create(&mut self, case: &Case, now: NaiveDateTime) -> Result<(), StoreError>;
    /// Takes the case for this instance, or reports who holds it. A case reported read-only
    /// stays so (saves refused) until `lock` is called again and succeeds; reload it then,
    /// since the holder may have saved meanwhile.
    fn lock(&mut self, id: &str, now: NaiveDateTime) -> Result<Access, StoreError>;
    /// Gives the case back.
    fn unlock(&mut self, id: &str);
    /// Appends field changes to the case's audit trail.
    fn append_audit(
        &mut self,
        id: &str,
        at: NaiveDateTime,
        changes: &[Change],
    ) -> Result<(), StoreError>;
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
    /// Saves a case and appends the changes that made it as one step (the ward server does
    /// both in one transaction; by default: [`Store::save`], then [`Store::append_audit`]).
    fn save_with_audit(
        &mut self,
        case: &Case,
        at: NaiveDateTime,
        changes: &[Change],
    ) -> Result<(), StoreError> {
        self.save(case)?;
        match case.id.as_deref() {
            Some(id) if !changes.is_empty() => self.append_audit(id, at, changes),
            _ => Ok(()),
        }
    }
    /// Adds a new case with the first entries of its trail as one step (by default:
    /// [`Store::create`], then [`Store::append_audit`]).
    fn create_with_audit(
        &mut self,
        case: &Case,
        now: NaiveDateTime,
        changes: &[Change],
    ) -> Result<(), StoreError> {
        self.create(case, now)?;
        match case.id.as_deref() {
            Some(id) if !changes.is_empty() => self.append_audit(id, now, changes),
            _ => Ok(()),
        }
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
    /// Checks the case's audit trail: its chain, and what the store adds per entry.
    /// Default: the chain of [`Store::history`] as written.
    fn verify_trail(&self, id: &str) -> Result<TrailCheck, StoreError> {
        let entries = self.history(id)?;
        let text: String = entries
            .iter()
            .filter_map(|e| serde_json::to_string(e).ok())
            .map(|l| l + "\n")
            .collect();
        Ok(TrailCheck {
            name: id.to_string(),
            result: audit::verify_text(&text),
            recorded: Vec::new(),
            exists: true,
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
}

/// The result of checking a trail ([`Store::verify_trail`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailCheck {
    /// What was checked: `bed7.log.jsonl`, `bed7 on the ward server`.
    pub name: String,
    /// The number of entries when the chain is intact, else the first break.
    pub result: Result<u64, audit::Broken>,
    /// Per entry, what the store recorded beyond the entry itself (the ward server: the
    /// database role and `recorded_at`/`recorded_by`); empty for the file store.
    pub recorded: Vec<String>,
    /// Whether the case exists at all (a trail may outlive it).
    pub exists: bool,
}
