//! Older case schemas brought up to the current one, as JSON values, one step at a time.
//!
//! `spinewatch.case/0` is SYNTHETIC: no such version was ever released. It exists so the
//! migration path was exercised by tests before the first real migration; it differs from
//! version 1 only in that the patient label was called `patient.bed`.
//!
//! `/1` → `/2`: every MRI entry becomes `status: done` (schema 1 recorded only MRIs done),
//! and every row of the four lists gets its derived uid ([`super::uid::derived`]).

use super::model::SCHEMA;
use super::uid;
use serde_json::Value;

pub const SCHEMA_PREFIX: &str = "spinewatch.case/";
/// The version this build reads and writes (the number in [`SCHEMA`]).
pub const CURRENT: u32 = 2;

/// The number N of `spinewatch.case/N`.
pub fn version_of(schema: &str) -> Option<u32> {
    schema.strip_prefix(SCHEMA_PREFIX)?.parse().ok()
}

/// The schema version a case document declares, when it declares a readable one.
pub fn declared_version(value: &Value) -> Option<u32> {
    value
        .get("schema")
        .and_then(Value::as_str)
        .and_then(version_of)
}

/// Brings a value of version `from` up to [`CURRENT`], one step at a time.
pub fn migrate(value: &mut Value, from: u32) -> Result<(), String> {
    for v in from..CURRENT {
        match v {
            0 => v0_to_v1(value)?,
            1 => v1_to_v2(value)?,
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
    obj.insert("schema".into(), Value::from(format!("{SCHEMA_PREFIX}1")));
    Ok(())
}

/// `/1` → `/2`: MRI entries are `done`; rows get their derived uid.
fn v1_to_v2(value: &mut Value) -> Result<(), String> {
    let obj = value
        .as_object_mut()
        .ok_or("a spinewatch.case/1 file must be a JSON object")?;
    if let Some(Value::Array(mris)) = obj.get_mut("mri") {
        for mri in mris.iter_mut().filter_map(Value::as_object_mut) {
            if mri.get("status").is_none_or(Value::is_null) {
                mri.insert("status".into(), Value::from("done"));
            }
        }
    }
    fill_uids(value);
    if let Some(obj) = value.as_object_mut() {
        obj.insert("schema".into(), Value::from(SCHEMA));
    }
    Ok(())
}

/// Gives every row object of the four lists without a uid its derived one (as
/// [`crate::case::Case::ensure_uids`] does on the typed case).
pub fn fill_uids(value: &mut Value) {
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    for list in uid::LISTS {
        if let Some(Value::Array(rows)) = obj.get_mut(list) {
            for (i, row) in rows.iter_mut().enumerate() {
                if let Some(row) = row.as_object_mut()
                    && row.get("uid").is_none_or(Value::is_null)
                {
                    row.insert("uid".into(), Value::from(uid::derived(&id, list, i)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v1_mris_become_done_and_rows_get_uids_idempotently() {
        let mut v = json!({ "schema": "spinewatch.case/1", "id": "bed-1",
            "mri": [ { "at": "2026-11-19T10:00" }, { "status": "requested" } ],
            "lesions": [ {}, { "uid": "keepme123" } ] });
        migrate(&mut v, 1).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["mri"][0]["status"], "done");
        assert_eq!(v["mri"][1]["status"], "requested");
        assert_eq!(v["lesions"][1]["uid"], "keepme123");
        assert_eq!(v["lesions"][0]["uid"], uid::derived("bed-1", "lesions", 0));
        let once = v.clone();
        fill_uids(&mut v);
        assert_eq!(v, once);
    }
}
