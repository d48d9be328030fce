//! Reading a case file given on the command line (evaluate, export of a FILE).

use super::json::check_size;
use super::{Case, CaseError};
use crate::failure::Failure;
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use std::io::Read;
use std::path::Path;

/// Reads and validates a case file given on the command line, times in the site zone
/// (`site.json` `timezone`, else the machine's); every problem is named with the file.
pub fn read_case_file(path: &Path, now: NaiveDateTime) -> Result<Case, Failure> {
    read_case_file_in(path, now, crate::site::site_zone()?)
}

/// Reads and validates a case file at `now`, times as local times of `zone`. A file over
/// 4 MiB is refused with its size before it is read; bytes that are not UTF-8 are refused
/// naming the offset (exit 2, as every bad input).
pub fn read_case_file_in(path: &Path, now: NaiveDateTime, zone: Tz) -> Result<Case, Failure> {
    let bytes = read_limited(path)?;
    Case::from_json_bytes_in(&bytes, now, zone).map_err(|e| {
        let body = match e {
            CaseError::Syntax(m) => format!("{}: not valid JSON: {m}", path.display()),
            CaseError::File(m) => format!("{}: {m}", path.display()),
            CaseError::Invalid(list) => list
                .iter()
                .map(|p| format!("{}: {p}", path.display()))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        Failure::input(body)
    })
}

/// The bytes of a case file given by name, refused over 4 MiB before they are read.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, Failure> {
    let cannot = |e: std::io::Error| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            2
        } else {
            1
        };
        Failure {
            code,
            message: format!("{}: cannot read: {e}", path.display()),
        }
    };
    // A FIFO or device given as a case file would block the open or never end: only a
    // regular file is read (checked before the open, and again on the open handle).
    let not_regular = || {
        Failure::input(format!(
            "{}: not a regular file (a FIFO, device or directory); it is left alone",
            path.display()
        ))
    };
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(not_regular());
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let size = meta.len();
    let too_large =
        |n| Failure::input(format!("{}: {}", path.display(), super::json::too_large(n)));
    check_size(size).map_err(|_| too_large(size))?;
    // A file that grows while it is read is cut at the limit and refused as well.
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(super::json::MAX_CASE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    check_size(bytes.len() as u64).map_err(|_| too_large(bytes.len() as u64))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_given_as_a_case_file_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("case.json");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read_limited(&fifo).unwrap_err();
        assert_eq!(err.code, 2);
        assert!(
            err.message.contains("not a regular file"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_directory_given_as_a_case_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_limited(dir.path()).unwrap_err();
        assert_eq!(err.code, 2);
        assert!(
            err.message.contains("not a regular file"),
            "{}",
            err.message
        );
    }
}
