//! Exports of a case: the handover note (Markdown / plain text) and an HL7 FHIR R4 Bundle.
//!
//! All three read the case and its evaluation only; nothing here decides a rule.

pub mod bundle;
pub mod fhir;
pub mod handover;
pub mod observations;
pub mod render;
pub mod words;

use crate::case::Case;
use crate::cli::{ExportFormat, Failure, read_case_file};
use crate::protocol::{Evaluation, Protocol, evaluate};
use chrono::NaiveDateTime;
use std::path::Path;

/// The handover note in Markdown for the chart.
pub fn handover_markdown(case: &Case, eval: &Evaluation, protocol: &Protocol) -> String {
    render::markdown(&handover::note(case, eval, protocol))
}

/// The handover note as plain text, no line longer than 80 columns (bar a single long word).
pub fn handover_text(case: &Case, eval: &Evaluation, protocol: &Protocol) -> String {
    render::text(&handover::note(case, eval, protocol))
}

/// The HL7 FHIR R4 Bundle (type `collection`) as typed resources.
pub fn fhir_resources(case: &Case, eval: &Evaluation, protocol: &Protocol) -> fhir::Bundle {
    bundle::bundle(case, eval, protocol)
}

/// The HL7 FHIR R4 Bundle as JSON.
pub fn fhir_bundle(case: &Case, eval: &Evaluation, protocol: &Protocol) -> serde_json::Value {
    serde_json::to_value(fhir_resources(case, eval, protocol))
        .expect("the FHIR structs always serialise")
}

/// `spinewatch export TARGET --format F`: the export as the text to print.
pub fn command(
    target: &str,
    format: ExportFormat,
    data_dir: Option<&Path>,
    protocol: &Protocol,
    now: NaiveDateTime,
) -> Result<String, Failure> {
    let case = load_target(target, data_dir, now)?;
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

/// A case file (an existing path, or anything ending in `.json`), else a case id in the data
/// directory.
fn load_target(target: &str, data_dir: Option<&Path>, now: NaiveDateTime) -> Result<Case, Failure> {
    let path = Path::new(target);
    if path.is_file() || target.ends_with(".json") {
        return read_case_file(path, now);
    }
    if !is_case_id(target) {
        return Err(Failure::input(format!(
            "{target:?}: is neither a case file nor a case id (a-z, 0-9 and -, up to 64)"
        )));
    }
    let dir = crate::store::data_dir(data_dir);
    load_case_by_id(&dir, target, now)
}

fn is_case_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Reads case `id` through the file store. A data directory that does not exist holds no
/// case (an export never creates one).
fn load_case_by_id(dir: &Path, id: &str, now: NaiveDateTime) -> Result<Case, Failure> {
    use crate::store::{FileStore, Store, StoreError};
    let not_found = || Failure::input(format!("case {id}: not found in {}", dir.display()));
    if !dir.is_dir() {
        return Err(not_found());
    }
    let store = FileStore::open(dir).map_err(|e| Failure::other(format!("case {id}: {e}")))?;
    store.load(id, now).map_err(|e| match e {
        StoreError::NotFound(_) => not_found(),
        StoreError::Refused(m) => Failure::input(format!("case {id}: {m}")),
        StoreError::Io(m) => Failure::other(format!("case {id}: {m}")),
    })
}
