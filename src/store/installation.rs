//! What the store keeps for the FHIR export (FHIR.md), beside the cases:
//!
//! - the **installation namespace**: a random UUID made once per store, under which every
//!   exported `fullUrl` is a UUID v5, so two wards or two installations never collide. The
//!   file store keeps it in `installation.uuid` (0600) in the data directory;
//! - per case, the **pitfalls ever sent** in a FHIR export (`<id>.fhir-sent`, 0600), so that a
//!   pitfall that cleared since is sent again as a `cancelled` DetectedIssue. The set only
//!   grows: every later export sends the same cancellations again, so two exports of an
//!   unchanged case are the same.

use super::StoreError;
use super::atomic::write_atomic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use uuid::Uuid;

/// File of the installation namespace in the data directory.
pub const NAMESPACE_FILE: &str = "installation.uuid";

/// What the FHIR export has sent for one case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FhirSent {
    /// Rule IDs of every pitfall sent as a DetectedIssue, in any export so far.
    pub pitfalls: BTreeSet<String>,
    /// Every resource sent, as `Type|role` (`Observation|lesion/0a1b2c3d4e5f/sins`), so one
    /// the case no longer gives (a row removed, a score no longer complete) is deleted.
    #[serde(default)]
    pub resources: BTreeSet<String>,
}

/// Reads a small file of ours without following a link; `Ok(None)` when it is absent.
fn read_own(path: &Path) -> Result<Option<String>, StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let io = |e: std::io::Error| StoreError::Io(format!("{}: {e}", path.display()));
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if !file.metadata().map_err(io)?.is_file() {
        return Err(StoreError::Refused(format!(
            "{} is not a regular file; it is left alone",
            path.display()
        )));
    }
    let mut text = String::new();
    file.take(4096).read_to_string(&mut text).map_err(io)?;
    Ok(Some(text))
}

/// The namespace kept in `dir`, if there is one (read only: an export of a case file uses
/// the default data directory's namespace when it has one, and never creates it).
pub fn read_namespace(dir: &Path) -> Result<Option<Uuid>, StoreError> {
    let path = dir.join(NAMESPACE_FILE);
    match read_own(&path)? {
        None => Ok(None),
        Some(text) => Uuid::parse_str(text.trim()).map(Some).map_err(|e| {
            StoreError::Refused(format!(
                "{}: not an installation UUID ({e}); it is left alone",
                path.display()
            ))
        }),
    }
}

/// The namespace of the store in `dir`, made (random, v4) and kept on first use.
pub fn namespace(dir: &Path) -> Result<Uuid, StoreError> {
    if let Some(ns) = read_namespace(dir)? {
        return Ok(ns);
    }
    let ns = Uuid::new_v4();
    write_atomic(dir, NAMESPACE_FILE, format!("{ns}\n").as_bytes(), None)?;
    Ok(ns)
}

fn sent_file(id: &str) -> String {
    format!("{id}.fhir-sent")
}

/// What the FHIR export has sent for case `id` (empty when never exported).
pub fn read_sent(dir: &Path, id: &str) -> Result<FhirSent, StoreError> {
    let path = dir.join(sent_file(id));
    match read_own(&path)? {
        None => Ok(FhirSent::default()),
        // A damaged record only costs cancellations, never an export.
        Some(text) => Ok(serde_json::from_str(&text).unwrap_or_default()),
    }
}

/// Records what an export of case `id` sent (atomically, 0600).
pub fn write_sent(dir: &Path, id: &str, sent: &FhirSent) -> Result<(), StoreError> {
    let text = serde_json::to_string(sent).expect("a set of strings always serialises");
    write_atomic(dir, &sent_file(id), text.as_bytes(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_namespace(dir.path()).unwrap(), None);
        let a = namespace(dir.path()).unwrap();
        assert_eq!(a.get_version_num(), 4);
        assert_eq!(namespace(dir.path()).unwrap(), a);
        assert_eq!(read_namespace(dir.path()).unwrap(), Some(a));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(NAMESPACE_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = tempfile::tempdir().unwrap();
        assert_ne!(namespace(other.path()).unwrap(), a);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_namespace_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, "00000000-0000-0000-0000-000000000000").unwrap();
        std::os::unix::fs::symlink(&outside, dir.path().join(NAMESPACE_FILE)).unwrap();
        assert!(namespace(dir.path()).is_err());
    }

    #[test]
    fn the_sent_record_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_sent(dir.path(), "bed1").unwrap(), FhirSent::default());
        let sent = FhirSent {
            pitfalls: ["W-NEURO-DUE".to_string()].into(),
            resources: ["Condition|lesion/0a1b2c3d4e5f".to_string()].into(),
        };
        write_sent(dir.path(), "bed1", &sent).unwrap();
        assert_eq!(read_sent(dir.path(), "bed1").unwrap(), sent);
    }
}
