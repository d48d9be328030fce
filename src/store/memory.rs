//! A store in memory: for tests of the TUI and anything else that needs a store without files.

use super::{Access, Change, Listing, Store, StoreError, set_version, version_of};
use crate::case::Case;
use chrono::NaiveDateTime;
use std::collections::{BTreeMap, BTreeSet};

/// The installation namespace of every memory store.
pub const MEMORY_NAMESPACE: uuid::Uuid = uuid::uuid!("6d656d6f-7279-4000-8000-73746f726521");

#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    pub cases: BTreeMap<String, Case>,
    pub audit: BTreeMap<String, Vec<(NaiveDateTime, Change)>>,
    /// Ids held by "another instance" (to test read-only opening).
    pub held_elsewhere: BTreeMap<String, String>,
    pub locked: BTreeSet<String>,
    pub saves: usize,
    /// When set, every save fails with this message (to test failure handling).
    pub fail_saves: Option<String>,
    /// What FHIR exports sent, per case.
    pub fhir_sent: BTreeMap<String, super::FhirSent>,
    /// The time audit entries are stamped with (a store's own clock; fixed here).
    pub clock: NaiveDateTime,
}

impl MemoryStore {
    pub fn with_cases(cases: impl IntoIterator<Item = Case>) -> MemoryStore {
        let mut s = MemoryStore::default();
        for c in cases {
            s.cases.insert(c.id.clone().unwrap_or_default(), c);
        }
        s
    }
}

impl Store for MemoryStore {
    fn load_all(&self, _now: NaiveDateTime) -> Result<Listing, StoreError> {
        Ok(Listing {
            cases: self.cases.values().cloned().collect(),
            damaged: Vec::new(),
        })
    }
    fn load(&self, id: &str, _now: NaiveDateTime) -> Result<Case, StoreError> {
        self.cases
            .get(id)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(id.to_string()))
    }
    fn save(
        &mut self,
        case: &Case,
        expected_version: u64,
        changes: &[Change],
    ) -> Result<u64, StoreError> {
        if let Some(m) = &self.fail_saves {
            return Err(StoreError::Io(m.clone()));
        }
        let id = case.id.clone().unwrap_or_default();
        if let Some(holder) = self.held_elsewhere.get(&id) {
            return Err(StoreError::Refused(format!("read-only: {holder}")));
        }
        let stored = self.cases.get(&id).map(version_of);
        if stored.unwrap_or(0) != expected_version {
            return Err(StoreError::Conflict {
                by: None,
                message: format!(
                    "{id} was changed since it was opened (version {}, this copy is version \
                     {expected_version}); nothing was written, your entry is kept",
                    stored.unwrap_or(0)
                ),
            });
        }
        let mut case = case.clone();
        set_version(&mut case, expected_version + 1);
        self.cases.insert(id.clone(), case);
        let log = self.audit.entry(id).or_default();
        log.extend(changes.iter().cloned().map(|c| (self.clock, c)));
        self.saves += 1;
        Ok(expected_version + 1)
    }
    fn create(
        &mut self,
        case: &Case,
        changes: &[Change],
        _now: NaiveDateTime,
    ) -> Result<u64, StoreError> {
        let id = case.id.clone().unwrap_or_default();
        if self.cases.contains_key(&id) {
            return Err(StoreError::Refused(format!("a case {id:?} exists already")));
        }
        self.save(case, 0, changes)
    }
    fn lock(&mut self, id: &str, _now: NaiveDateTime) -> Result<Access, StoreError> {
        if let Some(holder) = self.held_elsewhere.get(id) {
            return Ok(Access::ReadOnly {
                holder: holder.clone(),
            });
        }
        self.locked.insert(id.to_string());
        Ok(Access::ReadWrite)
    }
    fn holder(&self, id: &str) -> Option<String> {
        self.held_elsewhere.get(id).cloned()
    }
    fn unlock(&mut self, id: &str) {
        self.locked.remove(id);
    }
    /// A fixed namespace: a memory store is a test's, and its exports must not vary.
    fn installation_namespace(&mut self) -> Result<uuid::Uuid, StoreError> {
        Ok(MEMORY_NAMESPACE)
    }
    fn fhir_sent(&self, id: &str) -> Result<super::FhirSent, StoreError> {
        Ok(self.fhir_sent.get(id).cloned().unwrap_or_default())
    }
    fn record_fhir_sent(&mut self, id: &str, sent: &super::FhirSent) -> Result<(), StoreError> {
        self.fhir_sent.insert(id.to_string(), sent.clone());
        Ok(())
    }
    fn history(&self, id: &str) -> Result<Vec<super::audit::Entry>, StoreError> {
        let log = self.audit.get(id).map(Vec::as_slice).unwrap_or_default();
        Ok(log
            .iter()
            .enumerate()
            .map(|(i, (at, c))| super::audit::Entry {
                seq: i as u64 + 1,
                at: crate::case::format_time(at),
                user: "memory".into(),
                path: c.path.clone(),
                old: c.old.clone(),
                new: c.new.clone(),
                prev: String::new(),
                case: None,
                hash: String::new(),
            })
            .collect())
    }
}
