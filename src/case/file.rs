//! Reading a case file given on the command line (evaluate, export of a FILE).

use super::{Case, CaseError};
use crate::failure::Failure;
use chrono::NaiveDateTime;
use std::path::Path;

/// Reads and validates a case file; every problem is named with the file.
pub fn read_case_file(path: &Path, now: NaiveDateTime) -> Result<Case, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::NotFound {
            2
        } else {
            1
        };
        Failure {
            code,
            message: format!("{}: cannot read: {e}", path.display()),
        }
    })?;
    Case::from_json_str(&text, now).map_err(|e| {
        let body = match e {
            CaseError::Syntax(m) => format!("{}: not valid JSON: {m}", path.display()),
            CaseError::Invalid(list) => list
                .iter()
                .map(|p| format!("{}: {p}", path.display()))
                .collect::<Vec<_>>()
                .join("\n"),
        };
        Failure::input(body)
    })
}
