//! Checks of a decoded case: ranges, formats and dates relative to `now`.

use super::decode::{Decode, FieldError, Problems, format_date};
use super::migrate::{CURRENT, declared_version, migrate};
use super::model::{Case, SCHEMA};
use chrono::NaiveDateTime;
use serde_json::Value;
use std::fmt;

/// Why a case could not be read.
#[derive(Debug, Clone)]
pub enum CaseError {
    /// The text is not JSON (line and column in the message).
    Syntax(String),
    /// The JSON is a case with problems; every one is listed.
    Invalid(Vec<FieldError>),
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseError::Syntax(m) => write!(f, "not valid JSON: {m}"),
            CaseError::Invalid(list) => {
                let lines: Vec<String> = list.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
        }
    }
}

impl std::error::Error for CaseError {}

impl Case {
    /// Reads and validates a case from JSON text at the moment `now`.
    pub fn from_json_str(text: &str, now: NaiveDateTime) -> Result<Case, CaseError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| CaseError::Syntax(e.to_string()))?;
        Case::from_value(&value, now)
    }

    /// Decodes and validates; all problems are returned together.
    /// An older schema (`/0`, `/1`) is migrated in memory first; every row ends with a uid.
    pub fn from_value(value: &Value, now: NaiveDateTime) -> Result<Case, CaseError> {
        let mut p = Problems::default();
        let migrated;
        let value = match declared_version(value) {
            Some(v) if v < CURRENT => {
                let mut copy = value.clone();
                migrate(&mut copy, v).map_err(|m| {
                    CaseError::Invalid(vec![FieldError {
                        path: "schema".into(),
                        value: String::new(),
                        reason: m,
                    }])
                })?;
                migrated = copy;
                &migrated
            }
            _ => value,
        };
        let mut case = Case::decode(value, "", &mut p);
        if let Some(case) = &mut case {
            case.ensure_uids();
        }
        if let Some(case) = &case {
            case.check(now, &mut p);
        }
        match case {
            Some(case) if p.is_empty() => Ok(case),
            _ => Err(CaseError::Invalid(p.0)),
        }
    }

    /// The problems of this case at `now` (empty when valid).
    pub fn validate(&self, now: NaiveDateTime) -> Vec<FieldError> {
        let mut p = Problems::default();
        self.check(now, &mut p);
        p.0
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a case always serialises")
    }

    fn check(&self, now: NaiveDateTime, p: &mut Problems) {
        match self.schema.as_deref() {
            Some(SCHEMA) => {}
            Some(other) => p.push_text("schema", format!("{other:?}"), format!("is not {SCHEMA}")),
            None => p.push_text("schema", "", format!("is missing (expected {SCHEMA:?})")),
        }
        if let Some(id) = &self.id {
            let ok = (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                p.push_text(
                    "id",
                    format!("{id:?}"),
                    "is not 1–64 characters of a-z, 0-9 and -",
                );
            }
        }
        if let Some(label) = &self.patient.label
            && label.chars().count() > 80
        {
            p.push_text("patient.label", "", "is longer than 80 characters");
        }
        int_range(p, "patient.age", self.patient.age, 0, 120);
        if let Some(d) = self.surgery.date
            && d > now.date()
        {
            p.push_text(
                "surgery.date",
                format!("\"{}\"", format_date(&d)),
                format!("is after today ({})", format_date(&now.date())),
            );
        }
        int_range(p, "performance.ecog", self.performance.ecog, 0, 5);
        if let Some(k) = self.performance.kps
            && (k > 100 || k % 10 != 0)
        {
            p.push_text(
                "performance.kps",
                k.to_string(),
                "is not 0–100 in steps of 10",
            );
        }
        if let Some(m) = self.expected_survival_months
            && m < 0.0
        {
            p.push_text(
                "expected_survival_months",
                m.to_string(),
                "is out of range (x ≥ 0)",
            );
        }
        let rt = &self.radiotherapy;
        dose_range(p, "radiotherapy.total_dose_gy", rt.total_dose_gy, 80.0);
        dose_range(
            p,
            "radiotherapy.dose_per_fraction_gy",
            rt.dose_per_fraction_gy,
            30.0,
        );
        if let (Some(s), Some(e)) = (rt.start, rt.end)
            && e < s
        {
            p.push_text(
                "radiotherapy.end",
                format!("\"{}\"", format_date(&e)),
                format!("is before radiotherapy.start ({})", format_date(&s)),
            );
        }
        if let Some(n) = self.tokuhashi.extraspinal_bone_mets
            && ![0, 1, 3].contains(&n)
        {
            p.push_text(
                "tokuhashi.extraspinal_bone_mets",
                n.to_string(),
                "is not one of 0, 1 (= 1–2), 3 (= 3 or more)",
            );
        }
        if let Some(n) = self.tokuhashi.vertebral_mets
            && ![1, 2, 3].contains(&n)
        {
            p.push_text(
                "tokuhashi.vertebral_mets",
                n.to_string(),
                "is not one of 1, 2, 3 (= 3 or more)",
            );
        }
    }
}

fn int_range(p: &mut Problems, path: &str, v: Option<u32>, lo: u32, hi: u32) {
    if let Some(v) = v
        && !(lo..=hi).contains(&v)
    {
        p.push_text(path, v.to_string(), format!("is out of range ({lo}–{hi})"));
    }
}

fn dose_range(p: &mut Problems, path: &str, v: Option<f64>, max: f64) {
    if let Some(x) = v
        && !(x > 0.0 && x <= max)
    {
        p.push_text(path, fmt_num(x), format!("is out of range (0 < x ≤ {max})"));
    }
}

/// A number as a clinician writes it: `45`, `1.8`.
pub fn fmt_num(x: f64) -> String {
    let v = Value::from(x);
    match v.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        _ => v.to_string(),
    }
}
