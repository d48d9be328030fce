//! The file store: one `<id>.json` per case in the data directory, beside its audit trail
//! `<id>.log.jsonl` and its lock `<id>.lock`. The embedded default behind [`Store`].

use super::atomic::{self, SaveStep, write_atomic};
use super::lock::{self, CaseLock, Taken};
use super::schema;
use super::{Access, Change, Damaged, Listing, Store, StoreError, audit, dirs};
use crate::case::Case;
use chrono::NaiveDateTime;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A temp file younger than this may belong to an instance saving right now.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
    user: String,
    held: BTreeMap<String, CaseLock>,
    /// Cases another instance holds: id → "in use by … since …".
    read_only: BTreeMap<String, String>,
    /// Permission problems found on opening, and on case files as they are read.
    warnings: Mutex<Vec<String>>,
    fail_at: Option<SaveStep>,
}

/// Whether a file in the data directory is one of ours (for the permission check).
fn ours(name: &str) -> bool {
    [".json", ".jsonl", ".lock", ".bak"]
        .iter()
        .any(|s| name.ends_with(s))
        || atomic::is_temp(name)
}

/// A filename-safe case id: `[a-z0-9-]{1,64}`.
pub fn is_case_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl FileStore {
    /// Opens (creating, 0700) the data directory, fixes permissions of what we own with a
    /// warning, and sweeps temp files a crash left behind.
    pub fn open(dir: impl AsRef<Path>) -> Result<FileStore, StoreError> {
        let dir = dir.as_ref().to_path_buf();
        dirs::create_private_dir(&dir).map_err(|e| {
            StoreError::Io(format!(
                "cannot create the data directory {}: {e}",
                dir.display()
            ))
        })?;
        if !dir.is_dir() {
            return Err(StoreError::Io(format!(
                "the data directory {} is not a directory",
                dir.display()
            )));
        }
        let warnings = dirs::check_permissions(&dir, ours);
        atomic::sweep_temps(&dir, STALE_TEMP_AGE, SystemTime::now());
        Ok(FileStore {
            dir,
            user: dirs::user_name(),
            held: BTreeMap::new(),
            read_only: BTreeMap::new(),
            warnings: Mutex::new(warnings),
            fail_at: None,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Permission problems found (and fixed where we could) on opening and while reading.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// The user named in locks and audit entries (default `$USER`).
    pub fn set_user(&mut self, user: impl Into<String>) {
        self.user = user.into();
    }

    /// Fault injection for tests: the given step of every save fails.
    pub fn fail_at(&mut self, step: Option<SaveStep>) {
        self.fail_at = step;
    }

    pub fn case_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// The case files of the directory (`*.json`), sorted by name.
    fn case_files(&self) -> Result<Vec<String>, StoreError> {
        let entries = fs::read_dir(&self.dir)
            .map_err(|e| StoreError::Io(format!("cannot list {}: {e}", self.dir.display())))?;
        let mut names: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Reads every case file, in parallel, and maps each result with `f` on the reading
    /// thread (the rounds list evaluates there, so 10,000 cases never sit in memory at once).
    /// Results come back in file-name order.
    pub fn scan<T: Send>(
        &self,
        f: impl Fn(Result<Case, Damaged>) -> T + Sync,
    ) -> Result<Vec<T>, StoreError> {
        let names = self.case_files()?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = names.len().div_ceil(threads).max(1);
        let f = &f;
        let parts: Vec<Option<Vec<T>>> = std::thread::scope(|s| {
            let handles: Vec<_> = names
                .chunks(chunk)
                .map(|part| s.spawn(move || part.iter().map(|n| f(self.read_file(n))).collect()))
                .collect();
            handles.into_iter().map(|h| h.join().ok()).collect()
        });
        // A reader that failed must not make cases silently vanish from the list.
        let parts: Option<Vec<Vec<T>>> = parts.into_iter().collect();
        parts
            .map(|p| p.into_iter().flatten().collect())
            .ok_or_else(|| {
                StoreError::Io("internal error while reading the cases; none were changed".into())
            })
    }

    /// The bytes of a case file; its mode is checked on the open handle.
    fn read_bytes(&self, name: &str) -> std::io::Result<Vec<u8>> {
        let path = self.dir.join(name);
        let mut file = fs::File::open(&path)?;
        let meta = file.metadata()?;
        if let Some(w) = dirs::fix_open_file(&file, &meta, &path)
            && let Ok(mut list) = self.warnings.lock()
        {
            list.push(w);
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
        file.read_to_end(&mut bytes)?;
        Ok(bytes)
    }

    /// One case file: decoded, id checked against the name, migrated if older.
    fn read_file(&self, name: &str) -> Result<Case, Damaged> {
        let damaged = |reason: String| Damaged {
            file: name.to_string(),
            reason,
        };
        let stem = name.strip_suffix(".json").unwrap_or(name);
        let bytes = self
            .read_bytes(name)
            .map_err(|e| damaged(format!("cannot read: {e}")))?;
        // Dates are not checked against `now` here: a file with a surgery date after `now` was
        // valid when saved (a `--now` in the past, or another workstation's clock). It is a
        // case, not damage; `import` checks dates against `now`.
        let decoded = schema::decode(&bytes, NaiveDateTime::MAX)
            .map_err(|u| damaged(u.reason().to_string()))?;
        match decoded.case.id.as_deref() {
            None => return Err(damaged("id: is missing".into())),
            Some(id) if id != stem => {
                return Err(damaged(format!(
                    "id: {id:?} does not match the file name (expected {stem:?})"
                )));
            }
            Some(_) => {}
        }
        if decoded.migrated_from.is_some() {
            // If the migrated file cannot be written now, the case is still shown; the next
            // load or save tries again. The old file is only replaced after its backup is on
            // disk.
            let _ = self.replace_case(stem, &decoded.case);
        }
        Ok(decoded.case)
    }

    /// Replaces `<id>.json` atomically under the instance's hold on the case (a save, or a
    /// migrated case over its older file once the backup is written).
    fn replace_case(&self, id: &str, case: &Case) -> Result<(), StoreError> {
        let bytes = case_bytes(case);
        self.with_case(id, || {
            self.check_replaceable(id)?;
            write_atomic(
                &self.dir,
                &format!("{id}.json"),
                bytes.as_bytes(),
                self.fail_at,
            )
        })
    }

    /// Keeps the old bytes as `<id>.v<N>.bak`, named after the version they hold (the issue's
    /// `<id>.v1.bak` is the backup of the first real migration, 1 → 2). An existing different
    /// backup is never replaced: the next is `<id>.v<N>.2.bak`.
    fn back_up(&self, id: &str, version: u32, old: &[u8]) -> Result<(), StoreError> {
        let mut backup = format!("{id}.v{version}.bak");
        let mut n = 1;
        while let Ok(existing) = fs::read(self.dir.join(&backup)) {
            if existing == old {
                return Ok(());
            }
            n += 1;
            backup = format!("{id}.v{version}.{n}.bak");
        }
        write_atomic(&self.dir, &backup, old, None)
    }

    /// Takes the case for the length of one write when this instance does not hold it.
    fn with_case<R>(
        &self,
        id: &str,
        f: impl FnOnce() -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        if let Some(holder) = self.read_only.get(id) {
            return Err(StoreError::Refused(format!("read-only: {holder}")));
        }
        if self.held.contains_key(id) {
            return f();
        }
        match lock::try_take(&self.dir, id, &self.user, None)? {
            Taken::Mine(lock) => {
                let result = f();
                lock.release();
                result
            }
            Taken::Elsewhere(holder) => Err(StoreError::Refused(format!("read-only: {holder}"))),
        }
    }

    /// Refuses to replace a file that is damaged or of a newer schema: it is never
    /// overwritten. A file of an older schema is backed up first, then may be replaced.
    fn check_replaceable(&self, id: &str) -> Result<(), StoreError> {
        #[derive(Deserialize)]
        struct SchemaOnly {
            schema: Option<serde_json::Value>,
        }
        let bytes = match fs::read(self.case_path(id)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::Io(format!("saving {id}.json: {e}"))),
        };
        let version = match serde_json::from_slice::<SchemaOnly>(&bytes) {
            Ok(SchemaOnly {
                schema: Some(serde_json::Value::String(s)),
            }) => schema::version_of(&s),
            _ => None,
        };
        match version {
            Some(schema::CURRENT) => Ok(()),
            Some(v) if v < schema::CURRENT => self.back_up(id, v, &bytes),
            _ => Err(StoreError::Refused(format!(
                "{id}.json on disk is damaged or of a newer schema; it is not overwritten"
            ))),
        }
    }
}

fn case_bytes(case: &Case) -> String {
    let mut text = case.to_json_pretty();
    text.push('\n');
    text
}

fn id_of(case: &Case) -> Result<&str, StoreError> {
    match case.id.as_deref() {
        Some(id) if is_case_id(id) => Ok(id),
        Some(id) => Err(StoreError::Refused(format!(
            "id {id:?} is not 1–64 characters of a-z, 0-9 and -"
        ))),
        None => Err(StoreError::Refused("the case has no id".into())),
    }
}

impl Store for FileStore {
    /// `now` is not used to judge files (see the module notes in `store`).
    fn load_all(&self, _now: NaiveDateTime) -> Result<Listing, StoreError> {
        let mut listing = Listing::default();
        for result in self.scan(|r| r)? {
            match result {
                Ok(case) => listing.cases.push(case),
                Err(d) => listing.damaged.push(d),
            }
        }
        Ok(listing)
    }

    fn load(&self, id: &str, _now: NaiveDateTime) -> Result<Case, StoreError> {
        if !is_case_id(id) || !self.case_path(id).is_file() {
            return Err(StoreError::NotFound(id.to_string()));
        }
        self.read_file(&format!("{id}.json"))
            .map_err(|d| StoreError::Refused(format!("{}: {}", d.file, d.reason)))
    }

    fn save(&mut self, case: &Case) -> Result<(), StoreError> {
        let id = id_of(case)?;
        self.replace_case(id, case)
    }

    fn create(&mut self, case: &Case, now: NaiveDateTime) -> Result<(), StoreError> {
        let id = id_of(case)?;
        let problems = case.validate(now);
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(StoreError::Refused(list.join("; ")));
        }
        let bytes = case_bytes(case);
        self.with_case(id, || {
            if self.case_path(id).exists() {
                return Err(StoreError::Refused(format!(
                    "a case {id:?} exists already; nothing was overwritten"
                )));
            }
            if audit::log_path(&self.dir, id).exists() {
                return Err(StoreError::Refused(format!(
                    "the id {id:?} was used before (its audit trail exists); ids are never reused"
                )));
            }
            write_atomic(
                &self.dir,
                &format!("{id}.json"),
                bytes.as_bytes(),
                self.fail_at,
            )
        })
    }

    fn lock(&mut self, id: &str, now: NaiveDateTime) -> Result<Access, StoreError> {
        if !is_case_id(id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        if self.held.contains_key(id) {
            return Ok(Access::ReadWrite);
        }
        match lock::try_take(&self.dir, id, &self.user, Some(now))? {
            Taken::Mine(lock) => {
                self.read_only.remove(id);
                self.held.insert(id.to_string(), lock);
                Ok(Access::ReadWrite)
            }
            Taken::Elsewhere(holder) => {
                self.read_only.insert(id.to_string(), holder.clone());
                Ok(Access::ReadOnly { holder })
            }
        }
    }

    fn unlock(&mut self, id: &str) {
        self.read_only.remove(id);
        if let Some(lock) = self.held.remove(id) {
            lock.release();
        }
    }

    fn append_audit(
        &mut self,
        id: &str,
        at: NaiveDateTime,
        changes: &[Change],
    ) -> Result<(), StoreError> {
        if !is_case_id(id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        self.with_case(id, || audit::append(&self.dir, id, &self.user, at, changes))
    }

    fn history(&self, id: &str) -> Result<Vec<audit::Entry>, StoreError> {
        if !is_case_id(id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        audit::read(&self.dir, id)
    }

    fn holder(&self, id: &str) -> Option<String> {
        if self.held.contains_key(id) {
            return None;
        }
        lock::holder(&self.dir, id)
    }

    fn holders(&self, ids: &[String]) -> Vec<Option<String>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunk = ids.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = ids
                .chunks(chunk)
                .map(|part| {
                    let thread = s.spawn(move || {
                        part.iter()
                            .map(|id| {
                                (!self.held.contains_key(id))
                                    .then(|| lock::holder(&self.dir, id))
                                    .flatten()
                            })
                            .collect::<Vec<_>>()
                    });
                    (part.len(), thread)
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|(n, h)| h.join().unwrap_or_else(|_| vec![None; n]))
                .collect()
        })
    }

    fn scan_each(
        &self,
        _now: NaiveDateTime,
        f: &(dyn Fn(Result<Case, Damaged>) + Sync),
    ) -> Result<(), StoreError> {
        self.scan(f).map(|_| ())
    }

    fn verify_trail(&self, id: &str) -> Result<super::TrailCheck, StoreError> {
        let exists = is_case_id(id) && self.case_path(id).exists();
        if !is_case_id(id) || (!exists && !audit::log_path(&self.dir, id).exists()) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        Ok(super::TrailCheck {
            name: format!("{id}.log.jsonl"),
            result: audit::verify(&self.dir, id)?,
            recorded: Vec::new(),
            exists,
        })
    }

    fn location(&self) -> String {
        self.dir.display().to_string()
    }

    fn warnings(&self) -> Vec<String> {
        FileStore::warnings(self)
    }
}

impl Drop for FileStore {
    fn drop(&mut self) {
        for (_, lock) in std::mem::take(&mut self.held) {
            lock.release();
        }
    }
}
