//! `--out FILE`: an export written where the user says, 0600, atomically (a temporary file
//! in the same directory, written, flushed to disk, renamed over the name, the directory
//! flushed), so a reader never sees half an export and a crash leaves the old file or the
//! new one. What is in the way and not a regular file (a symbolic link, a FIFO, a
//! directory) is refused and left alone: the export never writes through a link.
//!
//! Written with the store's own atomic replacement ([`crate::store::atomic::write_atomic`]):
//! its temporary file is created exclusively (`O_CREAT|O_EXCL`, never following a link),
//! 0600 whatever the umask, and the rename replaces a name, never what a link points to.

use crate::failure::Failure;
use crate::store::atomic::write_atomic;
use std::path::Path;

/// Writes `text` to `path` as described above; the message names the file and the reason.
pub fn write_out(path: &Path, text: &str) -> Result<(), Failure> {
    let shown = path.display();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Failure::input(format!("--out {shown}: not a file name")))?;
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => {
            let what = if m.file_type().is_symlink() {
                "a symbolic link"
            } else if m.is_dir() {
                "a directory"
            } else {
                "not a regular file"
            };
            return Err(Failure::input(format!(
                "--out {shown}: is {what}; not written (it is left alone)"
            )));
        }
        _ => {}
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    write_atomic(dir, name, text.as_bytes(), None)
        .map_err(|e| Failure::other(format!("--out {shown}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_private_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("note.md");
        std::fs::write(&path, "old").unwrap();
        write_out(&path, "new text\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new text\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Only the file itself is left: no temporary beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_the_way_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_out(&link, "x").unwrap_err();
        assert!(e.message.contains("symbolic link"), "{}", e.message);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        let e = write_out(dir.path(), "x").unwrap_err();
        assert!(e.message.contains("not a file name") || e.message.contains("directory"));
    }
}
