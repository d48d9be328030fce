//! The file store: one `<id>.json` per case in the data directory, beside its audit trail
//! `<id>.log.jsonl` and its lock `<id>.lock`. The embedded default behind [`Store`].

use super::atomic::{self, SaveStep, write_atomic};
use super::audit::{CaseCheck, NO_CASE, NOT_APPLIED};
use super::lock::{self, CaseLock, Taken};
use super::schema;
use super::{
    Access, Change, Damaged, Listing, Store, StoreError, audit, clinical_hash, dirs, files,
    set_version,
};
use crate::case::Case;
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
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
    /// The time of audit entries and locks: the wall clock (tests may fix it).
    clock: fn() -> NaiveDateTime,
    held: BTreeMap<String, CaseLock>,
    /// Cases another instance holds: id → "in use by … since …".
    read_only: BTreeMap<String, String>,
    /// Permission problems found on opening, and on case files as they are read.
    warnings: Mutex<Vec<String>>,
    /// SHA-256 of the case file bytes this instance last read or wrote, per id: a save
    /// replaces the file only while it still holds them.
    seen: Mutex<BTreeMap<String, String>>,
    fail_at: Option<SaveStep>,
    /// The site zone the files' times are read in (offsets converted into it); default UTC.
    zone: chrono_tz::Tz,
}

/// The wall clock to the minute.
pub fn wall_clock() -> NaiveDateTime {
    use chrono::Timelike;
    let t = chrono::Local::now().naive_local();
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether a file in the data directory is one of ours (for the permission check).
fn ours(name: &str) -> bool {
    [".json", ".jsonl", ".lock", ".bak"]
        .iter()
        .any(|s| name.ends_with(s))
        || atomic::is_temp(name)
}

/// A filename-safe case id: `[a-z0-9-]{1,64}`.
/// `[a-z0-9-]`, 1–64 characters, starting with a letter or digit (CASE_FORMAT: a name that
/// starts with `-` would read as an option to every shell tool).
pub fn is_case_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && !id.starts_with('-')
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
            clock: wall_clock,
            held: BTreeMap::new(),
            read_only: BTreeMap::new(),
            warnings: Mutex::new(warnings),
            seen: Mutex::new(BTreeMap::new()),
            fail_at: None,
            zone: chrono_tz::UTC,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Permission problems found (and fixed where we could) on opening and while reading.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    /// The user named in locks and audit entries (default: the operating-system account of
    /// the process's uid). For tests; the command line never sets it.
    pub fn set_user(&mut self, user: impl Into<String>) {
        self.user = user.into();
    }

    /// The site time zone case files are read in (`Protocol::zone`); default UTC.
    pub fn set_zone(&mut self, zone: chrono_tz::Tz) {
        self.zone = zone;
    }

    /// The clock of audit entries and locks (default: the wall clock). For tests.
    pub fn set_clock(&mut self, clock: fn() -> NaiveDateTime) {
        self.clock = clock;
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
        let entries = fs::read_dir(&self.dir).map_err(|e| {
            StoreError::Io(if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "the data directory {} is gone (moved or deleted)",
                    self.dir.display()
                )
            } else {
                format!("cannot list {}: {e}", self.dir.display())
            })
        })?;
        // Every `*.json` name, whatever it is: a link, FIFO or directory in a case's place is
        // listed as damaged (and left alone), not silently skipped.
        let mut names: Vec<String> = entries
            .flatten()
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

    /// The bytes of a case file, opened without following a link; its type and mode are
    /// checked on the open handle.
    fn read_bytes(&self, name: &str) -> std::io::Result<Vec<u8>> {
        let path = self.dir.join(name);
        let mut file = files::open_read(&path)?.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the file vanished while being read",
            )
        })?;
        let meta = file.metadata()?;
        // A case file over 4 MiB is refused with its size before it is read.
        crate::case::json::check_size(meta.len()).map_err(std::io::Error::other)?;
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
        let bytes = self.read_bytes(name).map_err(|e| {
            damaged(if files::is_not_regular(&e) {
                e.to_string()
            } else {
                format!("cannot read: {e}")
            })
        })?;
        // Dates are not checked against `now` here: a file with a surgery date after `now` was
        // valid when saved (a `--now` in the past, or another workstation's clock). It is a
        // case, not damage; `import` checks dates against `now`.
        let decoded = schema::decode_in(&bytes, NaiveDateTime::MAX, self.zone)
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
        let mut case = decoded.case;
        self.remember(stem, &bytes);
        if let Some(from) = decoded.migrated_from {
            // If the migrated file cannot be written now, the case is still shown; the next
            // load or save tries again. The old file is only replaced after its backup is on
            // disk, and the migration has its audit entry like any change.
            let change = Change {
                path: "(migration)".into(),
                old: Value::from(format!("spinewatch.case/{from}")),
                new: Value::from(format!("spinewatch.case/{}", schema::CURRENT)),
            };
            let version = super::version_of(&case);
            if let Ok(v) = self.commit(stem, &case, version, &[change], false) {
                set_version(&mut case, v);
            }
        }
        Ok(case)
    }

    fn remember(&self, id: &str, bytes: &[u8]) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(id.to_string(), sha256_hex(bytes));
        }
    }

    /// The case file's bytes, read without following a link; `None` when there is none.
    fn disk_bytes(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        files::read(&self.case_path(id)).map_err(|e| {
            if files::is_not_regular(&e) {
                StoreError::Refused(format!("{e}; nothing was written"))
            } else {
                StoreError::Io(format!(
                    "saving {id}.json: cannot read the file on disk: {e}; nothing was written"
                ))
            }
        })
    }

    /// Marks changes of the trail that never reached the case (an interrupted save) with a
    /// "not applied" entry, so that trail and case agree again. Called under the hold.
    fn settle(&self, id: &str, entries: &[audit::Entry], disk: &str) -> Result<(), StoreError> {
        if let CaseCheck::Interrupted { from, to } = audit::check_case(entries, disk) {
            let change = Change {
                path: NOT_APPLIED.into(),
                old: Value::Null,
                new: json!({ "from": from, "to": to }),
            };
            audit::append(&self.dir, id, &self.user, (self.clock)(), &[change], disk)?;
        }
        Ok(())
    }

    /// Settles the trail of a case this instance just took (see [`Store::lock`]).
    fn settle_on_open(&self, id: &str) -> Result<(), StoreError> {
        let entries = audit::read(&self.dir, id)?;
        if entries.is_empty() {
            return Ok(());
        }
        let disk = match self.disk_bytes(id)? {
            None => NO_CASE.to_string(),
            Some(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(v) => clinical_hash(&v),
                // A damaged file is left alone, its trail too.
                Err(_) => return Ok(()),
            },
        };
        self.settle(id, &entries, &disk)
    }

    /// One save, under the hold on the case: compare-and-swap against the file on disk, the
    /// trail settled and checked, the audit entries written and synced, then the case file
    /// replaced atomically. `creating`: refused when a case file exists. Returns the new
    /// version.
    fn commit(
        &self,
        id: &str,
        case: &Case,
        expected: u64,
        changes: &[Change],
        creating: bool,
    ) -> Result<u64, StoreError> {
        if !self.dir.is_dir() {
            return Err(StoreError::Io(format!(
                "the data directory {} is gone (moved or deleted while open); nothing was \
                 saved, your entry is kept",
                self.dir.display()
            )));
        }
        self.with_case(id, || {
            let disk = self.disk_bytes(id)?;
            let entries = audit::read(&self.dir, id)?;
            let disk_hash = match &disk {
                None => {
                    if expected != 0 {
                        return Err(StoreError::Io(format!(
                            "{id}.json is gone from {} (deleted or moved while open); \
                             nothing was saved, your entry is kept",
                            self.dir.display()
                        )));
                    }
                    NO_CASE.to_string()
                }
                Some(bytes) => {
                    if creating {
                        return Err(StoreError::Refused(format!(
                            "a case {id:?} exists already; nothing was overwritten"
                        )));
                    }
                    self.check_replaceable(id, bytes)?;
                    let value: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
                    let on_disk = value
                        .get(super::STORE_KEY)
                        .and_then(|s| s.get("version"))
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    let seen = self.seen.lock().ok().and_then(|s| s.get(id).cloned());
                    let changed_bytes = seen.is_some_and(|h| h != sha256_hex(bytes));
                    if on_disk != expected || changed_bytes {
                        let by = entries.last().map(|e| e.user.clone());
                        let who = entries.last().map_or(String::new(), |e| {
                            format!(" by {} at {}", e.user, e.at.replacen('T', " ", 1))
                        });
                        return Err(StoreError::Conflict {
                            by,
                            message: format!(
                                "{id} was changed since it was opened (version {on_disk}, \
                                 this copy is version {expected}; last entry{who}); \
                                 nothing was written, your entry is kept — reopen the case \
                                 to see the change"
                            ),
                        });
                    }
                    clinical_hash(&value)
                }
            };
            let check = audit::check_case(&entries, &disk_hash);
            // No case file, and a trail whose only save never reached the disk: a create
            // that died half-way. The same create (its first change the same: the same
            // imported file) may be tried again; anything else is a reused id.
            let retried_create = match check {
                CaseCheck::Interrupted { from, .. } if disk.is_none() => {
                    let first = entries.iter().find(|e| e.seq == from);
                    let placeholder = Change {
                        path: "(create)".into(),
                        old: Value::Null,
                        new: Value::Null,
                    };
                    let again = changes.first().unwrap_or(&placeholder);
                    first.is_some_and(|e| e.path == again.path && e.new == again.new)
                }
                _ => true,
            };
            if matches!(check, CaseCheck::Differs { .. }) || !retried_create {
                return Err(StoreError::Refused(if disk.is_none() {
                    format!(
                        "the id {id:?} was used before (its audit trail exists); ids are never \
                         reused"
                    )
                } else {
                    format!(
                        "{id}.json does not match its audit trail (edited outside spinewatch, \
                         rolled back, or the trail was cut); it is not overwritten — see \
                         `spinewatch audit {id} --verify`"
                    )
                }));
            }
            self.settle(id, &entries, &disk_hash)?;
            let mut new_case = case.clone();
            let version = expected + 1;
            set_version(&mut new_case, version);
            let bytes = case_bytes(&new_case);
            let value: Value = serde_json::from_str(&bytes).unwrap_or(Value::Null);
            let new_hash = clinical_hash(&value);
            let mut changes = changes.to_vec();
            let trail_state = match audit::check_case(&entries, &disk_hash) {
                CaseCheck::Unchecked if entries.is_empty() => None,
                CaseCheck::Unchecked => entries.last().and_then(|e| e.case.clone()),
                _ => Some(disk_hash.clone()),
            };
            if changes.is_empty() && trail_state.as_deref() != Some(new_hash.as_str()) {
                changes.push(Change {
                    path: if disk.is_none() { "(create)" } else { "(save)" }.into(),
                    old: Value::Null,
                    new: Value::Null,
                });
            }
            if self.fail_at == Some(SaveStep::Audit) {
                return Err(StoreError::Io(format!(
                    "writing the audit trail of {id}: injected failure; nothing was saved, \
                     your entry is kept"
                )));
            }
            audit::append(
                &self.dir,
                id,
                &self.user,
                (self.clock)(),
                &changes,
                &new_hash,
            )?;
            let written = write_atomic(
                &self.dir,
                &format!("{id}.json"),
                bytes.as_bytes(),
                self.fail_at,
            );
            match written {
                Ok(()) => {}
                // The rename happened: the case is saved; only its durability waits for the
                // next save's directory flush.
                Err(StoreError::Io(m)) if m.contains("will retry") => {
                    if let Ok(mut w) = self.warnings.lock() {
                        w.push(m);
                    }
                }
                Err(e) => return Err(e),
            }
            self.remember(id, bytes.as_bytes());
            Ok(version)
        })
    }

    /// Keeps the old bytes as `<id>.v<N>.bak`, named after the version they hold (the issue's
    /// `<id>.v1.bak` is the backup of the first real migration, 1 → 2). An existing different
    /// backup is never replaced: the next is `<id>.v<N>.2.bak`.
    fn back_up(&self, id: &str, version: u32, old: &[u8]) -> Result<(), StoreError> {
        let mut backup = format!("{id}.v{version}.bak");
        let mut n = 1;
        while let Ok(Some(existing)) = files::read(&self.dir.join(&backup)) {
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
        let lock_path = lock::lock_path(&self.dir, id);
        if self
            .held
            .get(id)
            .is_some_and(|held| held.still_at(&lock_path))
        {
            return f();
        }
        // Not held, or the lock file was deleted or replaced behind this instance: take the
        // case's lock as it is now for this one write.
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
    fn check_replaceable(&self, id: &str, bytes: &[u8]) -> Result<(), StoreError> {
        #[derive(Deserialize)]
        struct SchemaOnly {
            schema: Option<serde_json::Value>,
        }
        let version = match serde_json::from_slice::<SchemaOnly>(bytes) {
            Ok(SchemaOnly {
                schema: Some(serde_json::Value::String(s)),
            }) => schema::version_of(&s),
            _ => None,
        };
        match version {
            Some(schema::CURRENT) => Ok(()),
            Some(v) if v < schema::CURRENT => self.back_up(id, v, bytes),
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
        if !is_case_id(id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        if !self.dir.is_dir() {
            return Err(StoreError::Io(format!(
                "the data directory {} is gone (moved or deleted)",
                self.dir.display()
            )));
        }
        if fs::symlink_metadata(self.case_path(id)).is_err() {
            return Err(StoreError::NotFound(id.to_string()));
        }
        self.read_file(&format!("{id}.json"))
            .map_err(|d| StoreError::Refused(format!("{}: {}", d.file, d.reason)))
    }

    fn save(
        &mut self,
        case: &Case,
        expected_version: u64,
        changes: &[Change],
    ) -> Result<u64, StoreError> {
        let id = id_of(case)?;
        self.commit(id, case, expected_version, changes, false)
    }

    fn create(
        &mut self,
        case: &Case,
        changes: &[Change],
        now: NaiveDateTime,
    ) -> Result<u64, StoreError> {
        let id = id_of(case)?;
        let problems = case.validate(now);
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(StoreError::Refused(list.join("; ")));
        }
        self.commit(id, case, 0, changes, true)
    }

    fn lock(&mut self, id: &str, _now: NaiveDateTime) -> Result<Access, StoreError> {
        if !is_case_id(id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        let lock_path = lock::lock_path(&self.dir, id);
        if self.held.get(id).is_some_and(|l| l.still_at(&lock_path)) {
            return Ok(Access::ReadWrite);
        }
        if let Some(stale) = self.held.remove(id) {
            drop(stale);
        }
        let taken = match lock::try_take(&self.dir, id, &self.user, Some((self.clock)())) {
            Ok(t) => t,
            // The disk refuses (full, read-only mount, a link in the lock's place): the case
            // can still be read, with the reason.
            Err(e) => {
                let reason = format!("cannot be changed here: {e}");
                self.read_only.insert(id.to_string(), reason.clone());
                return Ok(Access::ReadOnly { holder: reason });
            }
        };
        match taken {
            Taken::Mine(lock) => {
                self.read_only.remove(id);
                self.held.insert(id.to_string(), lock);
                // A trail that cannot be settled now (disk full) is settled by the next save.
                let _ = self.settle_on_open(id);
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
        let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
        if !is_case_id(id)
            || (!exists(&self.case_path(id)) && !exists(&audit::log_path(&self.dir, id)))
        {
            return Err(StoreError::NotFound(id.to_string()));
        }
        Ok(super::TrailCheck {
            recorded: Vec::new(),
            result: verify_report(&self.dir, id)?,
        })
    }

    fn location(&self) -> String {
        self.dir.display().to_string()
    }

    fn warnings(&self) -> Vec<String> {
        FileStore::warnings(self)
    }

    fn watch(&self) -> Option<Box<dyn super::watch::ChangeFeed>> {
        Some(Box::new(super::watch::DirWatch::new(&self.dir)))
    }

    fn installation_namespace(&mut self) -> Result<uuid::Uuid, StoreError> {
        super::installation::namespace(&self.dir)
    }

    fn fhir_sent(&self, id: &str) -> Result<super::FhirSent, StoreError> {
        if !is_case_id(id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        super::installation::read_sent(&self.dir, id)
    }

    fn record_fhir_sent(&mut self, id: &str, sent: &super::FhirSent) -> Result<(), StoreError> {
        if !is_case_id(id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        super::installation::write_sent(&self.dir, id, sent)
    }
}

impl Drop for FileStore {
    fn drop(&mut self) {
        for (_, lock) in std::mem::take(&mut self.held) {
            lock.release();
        }
    }
}

/// `audit --verify` of a file trail: the line to print when the chain is intact and the case
/// is what its newest entry produced (or, an interrupted save, what the entry before
/// produced); what is wrong otherwise.
fn verify_report(dir: &Path, id: &str) -> Result<Result<String, String>, StoreError> {
    let file = format!("{id}.log.jsonl");
    let n = match audit::verify(dir, id)? {
        Ok(n) => n,
        Err(broken) => return Ok(Err(format!("{file}: {broken}"))),
    };
    let case_file = format!("{id}.json");
    let disk = match super::files::read(&dir.join(&case_file)) {
        Ok(None) => NO_CASE.to_string(),
        Ok(Some(bytes)) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => super::clinical_hash(&v),
            Err(e) => {
                return Ok(Err(format!(
                    "{case_file}: cannot be read ({e}); it cannot be checked against {file}"
                )));
            }
        },
        Err(e) => return Ok(Err(format!("{case_file}: {e}"))),
    };
    if n == 0 && disk != NO_CASE {
        return Ok(Err(format!(
            "{file}: the audit trail is missing or empty, but {case_file} exists: its \
             history was deleted"
        )));
    }
    let entries = audit::read(dir, id)?;
    Ok(audit::case_report(&entries, &disk, n, &file, &case_file))
}
