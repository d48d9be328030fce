//! Checks of a decoded case: ranges, formats and dates relative to `now`.

use super::decode::{Decode, FieldError, Problems, format_date};
use super::json::{self, DocError, syntax_reason};
use super::migrate::{CURRENT, declared_version, migrate};
use super::model::{Case, MriStatus, SCHEMA};
use super::uid;
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use serde_json::Value;
use std::fmt;

/// Why a case could not be read.
#[derive(Debug, Clone)]
pub enum CaseError {
    /// The text is not JSON, or an object repeats a key (line and column in the message).
    Syntax(String),
    /// The JSON is a case with problems; every one is listed.
    Invalid(Vec<FieldError>),
    /// The bytes cannot be read as a document at all: over 4 MiB, or not UTF-8 (the message
    /// names the size or the byte offset and reads after a file name).
    File(String),
}

impl CaseError {
    fn from_doc(e: DocError) -> CaseError {
        match e {
            DocError::Syntax(e) => CaseError::Syntax(syntax_reason(&e)),
            other => CaseError::File(other.reason()),
        }
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseError::Syntax(m) => write!(f, "not valid JSON: {m}"),
            CaseError::Invalid(list) => {
                let lines: Vec<String> = list.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
            CaseError::File(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CaseError {}

impl Case {
    /// Reads and validates a case from JSON text at the moment `now`, times in UTC.
    pub fn from_json_str(text: &str, now: NaiveDateTime) -> Result<Case, CaseError> {
        Case::from_json_str_in(text, now, chrono_tz::UTC)
    }

    /// Reads and validates a case from JSON text at `now`; times are local times of `zone`
    /// (offsets converted into it). A BOM is skipped; a repeated key is refused.
    pub fn from_json_str_in(text: &str, now: NaiveDateTime, zone: Tz) -> Result<Case, CaseError> {
        let value = json::parse_str(text).map_err(CaseError::from_doc)?;
        Case::from_value_in(&value, now, zone)
    }

    /// [`Case::from_json_str_in`] of a file's bytes: over 4 MiB or not UTF-8 is refused
    /// ([`CaseError::File`]) before parsing.
    pub fn from_json_bytes_in(
        bytes: &[u8],
        now: NaiveDateTime,
        zone: Tz,
    ) -> Result<Case, CaseError> {
        let value = json::parse_bytes(bytes).map_err(CaseError::from_doc)?;
        Case::from_value_in(&value, now, zone)
    }

    /// Decodes and validates, times in UTC; all problems are returned together.
    pub fn from_value(value: &Value, now: NaiveDateTime) -> Result<Case, CaseError> {
        Case::from_value_in(value, now, chrono_tz::UTC)
    }

    /// Decodes and validates at `now`, times as local times of `zone`; all problems are
    /// returned together. An older schema (`/0`, `/1`) is migrated in memory first; every
    /// row ends with a uid.
    pub fn from_value_in(value: &Value, now: NaiveDateTime, zone: Tz) -> Result<Case, CaseError> {
        let mut p = Problems::in_zone(zone);
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
            } else if id.starts_with('-') {
                p.push_text(
                    "id",
                    format!("{id:?}"),
                    "does not start with a letter or digit",
                );
            }
        }
        if let Some(label) = &self.patient.label
            && label.chars().count() > 80
        {
            p.push_text("patient.label", "", "is longer than 80 characters");
        }
        if let Some(ward) = &self.ward
            && ward.chars().count() > 40
        {
            p.push_text("ward", "", "is longer than 40 characters");
        }
        self.check_text(p);
        self.check_uids(p);
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
        const DEAD: &str = "means dead: archive the case instead";
        match self.performance.ecog {
            Some(5) => p.push_text("performance.ecog", "5", DEAD),
            ecog => int_range(p, "performance.ecog", ecog, 0, 4),
        }
        match self.performance.kps {
            Some(0) => p.push_text("performance.kps", "0", DEAD),
            Some(k) if k > 100 || k % 10 != 0 => p.push_text(
                "performance.kps",
                k.to_string(),
                "is not 10–100 in steps of 10",
            ),
            _ => {}
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
        if let Some(d) = rt.dose_per_fraction_gy {
            if !(0.5..=30.0).contains(&d) {
                p.push_text(
                    "radiotherapy.dose_per_fraction_gy",
                    fmt_num(d),
                    "is out of range (0.5 ≤ x ≤ 30)",
                );
            } else if let Some(total) = rt.total_dose_gy
                && d > total
            {
                p.push_text(
                    "radiotherapy.dose_per_fraction_gy",
                    fmt_num(d),
                    format!(
                        "is more than radiotherapy.total_dose_gy ({})",
                        fmt_num(total)
                    ),
                );
            }
        }
        if let (Some(s), Some(op)) = (rt.start, self.surgery.date)
            && s < op
        {
            p.push_text(
                "radiotherapy.start",
                format!("\"{}\"", format_date(&s)),
                format!(
                    "is before surgery.date ({}): this records the post-operative course",
                    format_date(&op)
                ),
            );
        }
        for (i, mri) in self.mri.iter().enumerate() {
            if mri.at.is_some() && mri.status != Some(MriStatus::Done) {
                let status = mri.status.map_or("unknown", MriStatus::as_str);
                p.push_text(
                    format!("mri[{i}].at"),
                    "",
                    format!(
                        "is the time an MRI was done, but the status is {status} \
                         (set status done, or record requested_at)"
                    ),
                );
            }
        }
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

impl Case {
    /// Free text may hold no control characters (newline and tab allowed in `notes`) and no
    /// bidirectional overrides: a file from elsewhere must not drive a reader's terminal.
    fn check_text(&self, p: &mut Problems) {
        let mut one = |path: &str, text: Option<&str>, multiline: bool| {
            if let Some(c) = text.and_then(|t| t.chars().find(|&c| forbidden(c, multiline))) {
                let what = if is_bidi_override(c) {
                    "a bidirectional override"
                } else {
                    "a control character"
                };
                p.push_text(path, "", format!("contains U+{:04X} ({what})", c as u32));
            }
        };
        one("ward", self.ward.as_deref(), false);
        one("patient.label", self.patient.label.as_deref(), false);
        one("patient.mrn", self.patient.mrn.as_deref(), false);
        one(
            "surgery.procedure",
            self.surgery.procedure.as_deref(),
            false,
        );
        for (i, mri) in self.mri.iter().enumerate() {
            one(&format!("mri[{i}].reason"), mri.reason.as_deref(), false);
        }
        one(
            "pathology.markers",
            self.pathology.markers.as_deref(),
            false,
        );
        one(
            "radiotherapy.contraindication",
            self.radiotherapy.contraindication.as_deref(),
            false,
        );
        one("systemic.agent", self.systemic.agent.as_deref(), false);
        one("notes", self.notes.as_deref(), true);
    }

    /// Row uids: 8–16 of a-z and 0-9, unique within their list.
    fn check_uids(&self, p: &mut Problems) {
        let lists: [(&str, Vec<Option<&str>>); 4] = [
            (
                "lesions",
                self.lesions.iter().map(|r| r.uid.as_deref()).collect(),
            ),
            (
                "degenerative_stenosis",
                self.degenerative_stenosis
                    .iter()
                    .map(|r| r.uid.as_deref())
                    .collect(),
            ),
            (
                "neuro_exams",
                self.neuro_exams.iter().map(|r| r.uid.as_deref()).collect(),
            ),
            ("mri", self.mri.iter().map(|r| r.uid.as_deref()).collect()),
        ];
        for (list, uids) in lists {
            for (i, u) in uids.iter().enumerate() {
                let Some(u) = u else { continue };
                let path = format!("{list}[{i}].uid");
                if !uid::is_valid(u) {
                    p.push_text(
                        &path,
                        format!("{u:?}"),
                        "is not 8–16 characters of a-z and 0-9",
                    );
                } else if let Some(first) = uids[..i].iter().position(|x| *x == Some(*u)) {
                    p.push_text(
                        &path,
                        format!("{u:?}"),
                        format!("is also the uid of {list}[{first}] (a row's uid is its own)"),
                    );
                }
            }
        }
    }
}

/// A character free text may not hold: U+0000–U+001F and U+007F–U+009F (newline and tab
/// allowed where `multiline`), and the bidirectional overrides.
pub fn forbidden(c: char, multiline: bool) -> bool {
    let control = matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}');
    (control && !(multiline && (c == '\n' || c == '\t'))) || is_bidi_override(c)
}

/// U+202A–U+202E and U+2066–U+2069.
pub fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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
