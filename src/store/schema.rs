//! Reading a case file: dispatch on `schema`, migrate older versions, refuse newer ones.
//!
//! `spinewatch.case/0` is SYNTHETIC: no such version was ever released. It exists so the
//! migration path is exercised by tests before the first real migration (1 → 2) is needed.
//! It differs from version 1 only in that the patient label was called `patient.bed`.

use crate::case::{Case, CaseError, SCHEMA};
use chrono::NaiveDateTime;
use serde_json::Value;

const SCHEMA_PREFIX: &str = "spinewatch.case/";
/// The version this build reads and writes (the number in [`SCHEMA`]).
pub const CURRENT: u32 = 1;

/// A readable case, and the older version it was migrated from, if any.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub case: Case,
    pub migrated_from: Option<u32>,
}

/// Why a file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    /// Not JSON, or not a valid case: listed as damaged with this reason.
    Damaged(String),
    /// Written by a newer spinewatch: refused and left untouched.
    Newer(String),
}

impl Unreadable {
    pub fn reason(&self) -> &str {
        match self {
            Unreadable::Damaged(r) | Unreadable::Newer(r) => r,
        }
    }
}

/// The number N of `spinewatch.case/N`.
pub fn version_of(schema: &str) -> Option<u32> {
    schema.strip_prefix(SCHEMA_PREFIX)?.parse().ok()
}

/// `line 3 column 5: expected value` — serde_json says it the other way round.
pub fn syntax_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    format!("line {} column {}: {message}", e.line(), e.column())
}

/// Decodes a case file's bytes; checks that need the date are made at `validate_at`.
pub fn decode(bytes: &[u8], validate_at: NaiveDateTime) -> Result<Decoded, Unreadable> {
    let mut value: Value =
        serde_json::from_slice(bytes).map_err(|e| Unreadable::Damaged(syntax_reason(&e)))?;
    let version = value
        .get("schema")
        .and_then(Value::as_str)
        .and_then(version_of);
    let migrated_from = match version {
        Some(v) if v > CURRENT => {
            return Err(Unreadable::Newer(format!(
                "schema {SCHEMA_PREFIX}{v} is newer than this spinewatch reads ({SCHEMA}); \
                 left untouched — open it with a newer spinewatch"
            )));
        }
        Some(v) if v < CURRENT => {
            migrate(&mut value, v).map_err(Unreadable::Damaged)?;
            Some(v)
        }
        // Current, or no readable schema: validation names the problem.
        _ => None,
    };
    let case = Case::from_value(&value, validate_at).map_err(|e| {
        Unreadable::Damaged(match e {
            CaseError::Syntax(m) => m,
            CaseError::Invalid(list) => list
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        })
    })?;
    Ok(Decoded {
        case,
        migrated_from,
    })
}

/// Brings a value of version `from` up to [`CURRENT`], one step at a time.
fn migrate(value: &mut Value, from: u32) -> Result<(), String> {
    for v in from..CURRENT {
        match v {
            0 => v0_to_v1(value)?,
            _ => return Err(format!("schema {SCHEMA_PREFIX}{v} cannot be migrated")),
        }
    }
    Ok(())
}

/// Synthetic step: `patient.bed` became `patient.label`.
fn v0_to_v1(value: &mut Value) -> Result<(), String> {
    let obj = value
        .as_object_mut()
        .ok_or("a spinewatch.case/0 file must be a JSON object")?;
    if let Some(patient) = obj.get_mut("patient").and_then(Value::as_object_mut)
        && let Some(bed) = patient.shift_remove("bed")
    {
        match patient.get("label") {
            None | Some(Value::Null) => {
                patient.insert("label".into(), bed);
            }
            Some(label) if *label == bed || bed.is_null() => {}
            Some(_) => {
                return Err("migrating from spinewatch.case/0: patient.bed and \
                            patient.label are both set and differ"
                    .into());
            }
        }
    }
    obj.insert("schema".into(), Value::from(SCHEMA));
    Ok(())
}
