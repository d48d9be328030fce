//! A store in memory: for tests of the TUI and anything else that needs a store without files.

use super::{Access, Change, Listing, Store, StoreError};
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
    fn save(&mut self, case: &Case) -> Result<(), StoreError> {
        if let Some(m) = &self.fail_saves {
            return Err(StoreError::Io(m.clone()));
        }
        let id = case.id.clone().unwrap_or_default();
        if let Some(holder) = self.held_elsewhere.get(&id) {
            return Err(StoreError::Refused(format!("read-only: {holder}")));
        }
        self.cases.insert(id, case.clone());
        self.saves += 1;
        Ok(())
    }
    fn create(&mut self, case: &Case, _now: NaiveDateTime) -> Result<(), StoreError> {
        let id = case.id.clone().unwrap_or_default();
        if self.cases.contains_key(&id) {
            return Err(StoreError::Refused(format!("a case {id:?} exists already")));
        }
        self.save(case)
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
    fn append_audit(
        &mut self,
        id: &str,
        at: NaiveDateTime,
        changes: &[Change],
    ) -> Result<(), StoreError> {
        let log = self.audit.entry(id.to_string()).or_default();
        log.extend(changes.iter().cloned().map(|c| (at, c)));
        Ok(())
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
                hash: String::new(),
            })
            .collect())
    }
}
