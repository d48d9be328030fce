//! What changed in a data directory since the last look, so a rounds list can stay live
//! without re-reading every case: file-system notifications (the `notify` crate) name the
//! files that changed; a periodic re-scan of file sizes and times is the fallback for
//! directories where notifications do not arrive (network file systems, a watcher that could
//! not start). Only the cases named are re-read by the caller.

use notify::{RecursiveMode, Watcher};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant, SystemTime};

/// One thing that changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Changed {
    /// The case file or the audit trail of this id changed (or appeared, or went away).
    Case(String),
    /// Its lock changed: someone took or gave back the case.
    Lock(String),
}

/// A source of changes made by others: the file store's directory watcher here; another
/// store (the ward server) can feed the same list.
pub trait ChangeFeed: Send {
    /// Everything that changed since the last call; never blocks.
    fn changes(&mut self) -> Vec<Changed>;
}

/// Size and modification time: a file whose stamp moved was written.
type Stamp = (u64, Option<SystemTime>);

pub struct DirWatch {
    dir: PathBuf,
    events: Option<Receiver<notify::Result<notify::Event>>>,
    // Kept alive for as long as the events are wanted.
    _watcher: Option<notify::RecommendedWatcher>,
    stamps: HashMap<String, Stamp>,
    last_scan: Instant,
    every: Duration,
}

/// How often the directory is re-scanned: often when notifications are missing (the 2 s a
/// rounds list promises), rarely as a safety net when they work.
const SCAN_WITHOUT_EVENTS: Duration = Duration::from_millis(1500);
const SCAN_WITH_EVENTS: Duration = Duration::from_secs(30);

impl DirWatch {
    /// Watches `dir`. A watcher that cannot start leaves the periodic re-scan.
    pub fn new(dir: &Path) -> DirWatch {
        let (tx, rx) = channel();
        let watcher = notify::recommended_watcher(move |e| {
            let _ = tx.send(e);
        })
        .and_then(|mut w| w.watch(dir, RecursiveMode::NonRecursive).map(|()| w));
        let (events, watcher, every) = match watcher {
            Ok(w) => (Some(rx), Some(w), SCAN_WITH_EVENTS),
            Err(_) => (None, None, SCAN_WITHOUT_EVENTS),
        };
        let mut watch = DirWatch {
            dir: dir.to_path_buf(),
            events,
            _watcher: watcher,
            stamps: HashMap::new(),
            last_scan: Instant::now(),
            every,
        };
        watch.stamps = watch.scan();
        watch
    }

    /// Whether notifications arrive (false: re-scan only).
    pub fn notifying(&self) -> bool {
        self.events.is_some()
    }

    fn scan(&self) -> HashMap<String, Stamp> {
        let mut out = HashMap::new();
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return out;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if classify(&name).is_none() {
                continue;
            }
            // The entry's own metadata: a symlink is stamped, never followed.
            if let Ok(m) = e.metadata() {
                out.insert(name, (m.len(), m.modified().ok()));
            }
        }
        out
    }
}

/// What a file name in the data directory stands for: `<id>.json` and `<id>.log.jsonl` are
/// the case, `<id>.lock` its lock; temporary files, backups and exports are nothing.
pub fn classify(name: &str) -> Option<Changed> {
    let valid = super::file::is_case_id;
    if let Some(id) = name.strip_suffix(".log.jsonl") {
        return valid(id).then(|| Changed::Case(id.to_string()));
    }
    if let Some(id) = name.strip_suffix(".json") {
        return valid(id).then(|| Changed::Case(id.to_string()));
    }
    if let Some(id) = name.strip_suffix(".lock") {
        return valid(id).then(|| Changed::Lock(id.to_string()));
    }
    None
}

impl ChangeFeed for DirWatch {
    fn changes(&mut self) -> Vec<Changed> {
        let mut out = BTreeSet::new();
        let mut lost = false;
        if let Some(rx) = &self.events {
            loop {
                match rx.try_recv() {
                    Ok(Ok(event)) => {
                        for p in &event.paths {
                            if let Some(c) =
                                p.file_name().and_then(|n| n.to_str()).and_then(classify)
                            {
                                out.insert(c);
                            }
                        }
                    }
                    // An overflowed queue or a watcher error: the re-scan finds what it missed.
                    Ok(Err(_)) => lost = true,
                    Err(std::sync::mpsc::TryRecvError::Empty) => break,
                    Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                        lost = true;
                        break;
                    }
                }
            }
        }
        if lost {
            self.events = None;
            self._watcher = None;
            self.every = SCAN_WITHOUT_EVENTS;
        }
        if lost || self.last_scan.elapsed() >= self.every {
            self.last_scan = Instant::now();
            let now = self.scan();
            for (name, stamp) in &now {
                if self.stamps.get(name) != Some(stamp) {
                    out.extend(classify(name));
                }
            }
            for name in self.stamps.keys().filter(|n| !now.contains_key(*n)) {
                out.extend(classify(name));
            }
            self.stamps = now;
        }
        out.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_map_to_cases_and_locks() {
        assert_eq!(classify("bed12.json"), Some(Changed::Case("bed12".into())));
        assert_eq!(
            classify("bed12.log.jsonl"),
            Some(Changed::Case("bed12".into()))
        );
        assert_eq!(classify("bed12.lock"), Some(Changed::Lock("bed12".into())));
        assert_eq!(classify("bed12.v1.bak"), None);
        assert_eq!(classify(".bed12.json.tmp123"), None);
        assert_eq!(classify("site.JSON"), None);
    }

    #[test]
    fn the_rescan_finds_a_written_and_a_removed_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), "{}").unwrap();
        let mut w = DirWatch::new(dir.path());
        // Without notifications, as on a network file system.
        w.events = None;
        w._watcher = None;
        w.every = Duration::ZERO;
        std::fs::write(dir.path().join("b.json"), "{}").unwrap();
        std::fs::remove_file(dir.path().join("a.json")).unwrap();
        let got = w.changes();
        assert_eq!(
            got,
            vec![Changed::Case("a".into()), Changed::Case("b".into())]
        );
        assert!(w.changes().is_empty(), "nothing new");
    }
}
