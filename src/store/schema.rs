//! Reading a case file: dispatch on `schema`, migrate older versions, refuse newer ones.
//!
//! The migration steps themselves live in [`crate::case::migrate`] (`/0` → `/1` synthetic,
//! `/1` → `/2` real); the store keeps the backup of the file as it was.

pub use crate::case::migrate::{CURRENT, version_of};
use crate::case::migrate::{SCHEMA_PREFIX, migrate};
use crate::case::{Case, CaseError, SCHEMA};
use chrono::NaiveDateTime;
use serde_json::Value;

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
