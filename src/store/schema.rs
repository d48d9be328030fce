//! Reading a case file: dispatch on `schema`, migrate older versions, refuse newer ones.
//!
//! The migration steps themselves live in [`crate::case::migrate`] (`/0` → `/1` synthetic,
//! `/1` → `/2` real); the store keeps the backup of the file as it was.

use crate::case::json;
pub use crate::case::migrate::{CURRENT, version_of};
use crate::case::migrate::{SCHEMA_PREFIX, declared_version, migrate};
use crate::case::{Case, CaseError, SCHEMA};
use chrono::NaiveDateTime;
use chrono_tz::Tz;

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
pub use crate::case::json::syntax_reason;

/// Decodes a case file's bytes, times in UTC; checks that need the date are made at
/// `validate_at`.
pub fn decode(bytes: &[u8], validate_at: NaiveDateTime) -> Result<Decoded, Unreadable> {
    decode_in(bytes, validate_at, chrono_tz::UTC)
}

/// Decodes a case file's bytes with times as local times of `zone` (offsets converted into
/// it): over 4 MiB, not UTF-8, not JSON or a repeated key is damage with its reason; an
/// older schema is migrated (`migrated_from` says which; the store keeps the backup).
pub fn decode_in(
    bytes: &[u8],
    validate_at: NaiveDateTime,
    zone: Tz,
) -> Result<Decoded, Unreadable> {
    let mut value = json::parse_bytes(bytes).map_err(|e| Unreadable::Damaged(e.reason()))?;
    let migrated_from = match declared_version(&value) {
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
    let case = Case::from_value_in(&value, validate_at, zone).map_err(|e| {
        Unreadable::Damaged(match e {
            CaseError::Syntax(m) | CaseError::File(m) => m,
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
