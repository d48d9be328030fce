//! `spinewatch export ID|FILE --format markdown|text|fhir`.

use super::ExportFormat;
use crate::case::Case;
use crate::case::file::read_case_file_in;
use crate::export::{fhir_bundle, handover_markdown, handover_text};
use crate::failure::Failure;
use crate::protocol::{Protocol, evaluate};
use crate::store::{Store, StoreError};
use chrono::NaiveDateTime;
use std::path::Path;

/// `spinewatch export TARGET --format F`: the export as the text to print.
pub fn export(
    target: &str,
    format: ExportFormat,
    store: &dyn Fn() -> Result<Box<dyn Store>, Failure>,
    protocol: &Protocol,
    now: NaiveDateTime,
) -> Result<String, Failure> {
    let case = load_target(target, store, now, protocol.zone)?;
    let eval = evaluate(&case, protocol, now);
    Ok(match format {
        ExportFormat::Markdown => handover_markdown(&case, &eval, protocol),
        ExportFormat::Text => handover_text(&case, &eval, protocol),
        ExportFormat::Fhir => {
            let mut s = serde_json::to_string_pretty(&fhir_bundle(&case, &eval, protocol))
                .expect("a JSON value always serialises");
            s.push('\n');
            s
        }
    })
}

/// A case file (an existing path, or anything ending in `.json`), else a case id in the store
/// (`store` opens it; it refuses a data directory that does not exist, which holds no case:
/// an export never creates one).
pub(crate) fn load_target(
    target: &str,
    store: &dyn Fn() -> Result<Box<dyn Store>, Failure>,
    now: NaiveDateTime,
    zone: chrono_tz::Tz,
) -> Result<Case, Failure> {
    let path = Path::new(target);
    if path.is_file() || target.ends_with(".json") {
        return read_case_file_in(path, now, zone);
    }
    if !is_case_id(target) {
        return Err(Failure::input(format!(
            "{target:?}: is neither a case file nor a case id (a-z, 0-9 and -, up to 64)"
        )));
    }
    let not_found = |place: &str| Failure::input(format!("case {target}: not found in {place}"));
    let store = store()?;
    store.load(target, now).map_err(|e| match e {
        StoreError::NotFound(_) => not_found(&store.location()),
        StoreError::Refused(m) => Failure::input(format!("case {target}: {m}")),
        other => Failure::other(format!("case {target}: {other}")),
    })
}

fn is_case_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
