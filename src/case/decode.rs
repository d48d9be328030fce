//! Reading a case from JSON while collecting *every* problem with its field path.
//!
//! serde's derive stops at the first error; a clinician fixing a file wants the whole list,
//! so case records are decoded by hand from a `serde_json::Value` through [`Decode`].

use super::zone::{TimeError, parse_time_in};
use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde_json::Value;
use std::fmt;

/// One problem with one field: where, what was there, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path with list indices, e.g. `lesions[1].level`.
    pub path: String,
    /// The offending value as JSON text (`"smelly"`, `0`), or empty when the field is missing.
    pub value: String,
    /// What is wrong, phrased to follow the value: `is not one of …`, `is out of range (…)`.
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The whole document has no path of its own; call it "case".
        let path = if self.path.is_empty() {
            "case"
        } else {
            &self.path
        };
        if self.value.is_empty() {
            write!(f, "{path}: {}", self.reason)
        } else {
            write!(f, "{path}: {} {}", self.value, self.reason)
        }
    }
}

/// Collected problems of one decode/validate pass, and the site zone times are read in.
#[derive(Debug, Clone)]
pub struct Problems(pub Vec<FieldError>, pub Tz);

impl Default for Problems {
    /// No problems yet; times read in UTC (the default zone of the old entry points).
    fn default() -> Problems {
        Problems::in_zone(chrono_tz::UTC)
    }
}

impl Problems {
    /// No problems yet; times are read as local times of `zone` (offsets converted into it).
    pub fn in_zone(zone: Tz) -> Problems {
        Problems(Vec::new(), zone)
    }
    pub fn zone(&self) -> Tz {
        self.1
    }
    /// Records a problem; `path` (a `&str` or a [`Path`]) is written out only here.
    pub fn push(&mut self, path: impl fmt::Display, value: &Value, reason: impl Into<String>) {
        self.0.push(FieldError {
            path: path.to_string(),
            value: short_json(value),
            reason: reason.into(),
        });
    }
    pub fn push_text(
        &mut self,
        path: impl fmt::Display,
        value: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.0.push(FieldError {
            path: path.to_string(),
            value: value.into(),
            reason: reason.into(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// JSON text of a value, cut short so a huge blob never floods a message.
pub fn short_json(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    } else {
        s
    }
}

pub fn join(path: &str, key: &str) -> String {
    Path::Key(&Path::Text(path), key).to_string()
}

/// Where a value sits in the document, built on the stack while decoding and written out
/// (`lesions[1].level`) only when a problem is recorded.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// A path already written out (`""` is the whole document).
    Text(&'a str),
    /// A key of the object at the first path.
    Key(&'a Path<'a>, &'a str),
    /// An item of the list at the first path.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn is_empty(&self) -> bool {
        matches!(self, Path::Text(""))
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Text(s) => f.write_str(s),
            Path::Key(up, k) if up.is_empty() => f.write_str(k),
            Path::Key(up, k) => write!(f, "{up}.{k}"),
            Path::Index(up, i) => write!(f, "{up}[{i}]"),
        }
    }
}

/// Decoding of one JSON value at a path. `None` means the value was refused (a problem was
/// recorded); the caller then keeps the field unknown so the rest of the case still loads.
pub trait Decode: Sized {
    /// Decodes `v` found at `path` (written out only for a problem).
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self>;

    /// [`Decode::decode_at`] at a path given as text (`""` for the whole document).
    fn decode(v: &Value, path: &str, p: &mut Problems) -> Option<Self> {
        Self::decode_at(v, &Path::Text(path), p)
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        if v.is_null() {
            Some(None)
        } else {
            T::decode_at(v, path, p).map(Some)
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        match v {
            Value::Null => Some(Vec::new()),
            Value::Array(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| T::decode_at(item, &Path::Index(path, i), p))
                    .collect(),
            ),
            _ => {
                p.push(path, v, "is not a list");
                None
            }
        }
    }
}

impl Decode for String {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        match v {
            Value::String(s) => Some(s.clone()),
            _ => {
                p.push(path, v, "is not text");
                None
            }
        }
    }
}

impl Decode for bool {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => {
                p.push(path, v, "is not true, false or null");
                None
            }
        }
    }
}

impl Decode for f64 {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        match v.as_f64() {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                p.push(path, v, "is not a number");
                None
            }
        }
    }
}

impl Decode for u32 {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        if let Some(n) = v.as_u64()
            && let Ok(n) = u32::try_from(n)
        {
            return Some(n);
        }
        if let Some(x) = v.as_f64()
            && x.fract() == 0.0
            && (0.0..=u32::MAX as f64).contains(&x)
        {
            return Some(x as u32);
        }
        p.push(path, v, "is not a whole number ≥ 0");
        None
    }
}

/// Decodes a value written as text with `parse`; anything else is refused with `reason`.
pub fn decode_text<T>(
    v: &Value,
    path: &Path<'_>,
    p: &mut Problems,
    parse: impl FnOnce(&str) -> Option<T>,
    reason: &str,
) -> Option<T> {
    let parsed = v.as_str().and_then(parse);
    if parsed.is_none() {
        p.push(path, v, reason);
    }
    parsed
}

impl Decode for NaiveDate {
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        decode_text(v, path, p, parse_date, "is not a date (YYYY-MM-DD)")
    }
}

impl Decode for NaiveDateTime {
    /// A local time of the site zone ([`Problems::zone`]); an offset is converted into it.
    fn decode_at(v: &Value, path: &Path<'_>, p: &mut Problems) -> Option<Self> {
        let parsed = match v.as_str() {
            Some(s) => parse_time_in(s, p.zone()),
            None => Err(TimeError::Format),
        };
        parsed.map_err(|e| p.push(path, v, e.reason())).ok()
    }
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A time in UTC, the zone of the old entry points: local, or with an offset converted to
/// UTC; seconds dropped. The site's zone: [`super::zone::parse_time_in`].
pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    parse_time_in(s, chrono_tz::UTC).ok()
}

/// Times are written as `YYYY-MM-DDTHH:MM`, with seconds only when they are not zero.
/// (Formatted by hand: chrono's strftime parsing dominated `evaluate`'s profile.)
pub fn format_time(t: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let mut s = String::with_capacity(19);
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    );
    if t.second() != 0 {
        let _ = write!(s, ":{:02}", t.second());
    }
    s
}

pub fn format_date(d: &NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// serde helpers so the typed case writes dates and times in the case format.
pub mod ser {
    use chrono::{NaiveDate, NaiveDateTime};
    use serde::Serializer;

    pub fn date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_date(d)),
            None => s.serialize_none(),
        }
    }
    pub fn time<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::format_time(t)),
            None => s.serialize_none(),
        }
    }
}

/// Declares an enumeration of the case format: lower-case snake_case names, decoded with a
/// message listing every allowed value.
#[macro_export]
macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $crate::case::decode::Decode for $name {
            fn decode_at(
                v: &serde_json::Value,
                path: &$crate::case::decode::Path<'_>,
                p: &mut $crate::case::decode::Problems,
            ) -> Option<Self> {
                // Numbers are accepted for enumerations whose names are digits (ESCC "2").
                let parsed = match v {
                    serde_json::Value::String(s) => $name::parse(s),
                    serde_json::Value::Number(n) => $name::parse(&n.to_string()),
                    _ => None,
                };
                match parsed {
                    Some(x) => Some(x),
                    None => {
                        p.push(path, v, format!("is not one of {}", $name::NAMES.join(", ")));
                        None
                    }
                }
            }
        }
    };
}

/// Declares a record of the case format: every field optional (unknown), unknown keys kept in
/// `extra` and written back unchanged.
#[macro_export]
macro_rules! record {
    ($(#[$m:meta])* $name:ident {
        $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)?
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
        pub struct $name {
            $( $(#[$fm])* pub $field: $ty, )*
            /// Keys this version does not know, kept for the round trip.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl $name {
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        impl $crate::case::decode::Decode for $name {
            fn decode_at(
                v: &serde_json::Value,
                path: &$crate::case::decode::Path<'_>,
                p: &mut $crate::case::decode::Problems,
            ) -> Option<Self> {
                // A whole section `null` is every field of it unknown.
                if v.is_null() {
                    return Some(Self::default());
                }
                let serde_json::Value::Object(obj) = v else {
                    p.push(path, v, "is not an object");
                    return None;
                };
                let mut out = Self::default();
                for (key, val) in obj {
                    match key.as_str() {
                        $( stringify!($field) => {
                            let here = $crate::case::decode::Path::Key(path, stringify!($field));
                            if let Some(x) = $crate::case::decode::Decode::decode_at(val, &here, p) {
                                out.$field = x;
                            }
                        } )*
                        _ => { out.extra.insert(key.clone(), val.clone()); }
                    }
                }
                Some(out)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_written_as_before_only_when_a_problem_is_recorded() {
        let root = Path::Text("");
        let lesions = Path::Key(&root, "lesions");
        let second = Path::Index(&lesions, 1);
        assert_eq!(Path::Key(&second, "level").to_string(), "lesions[1].level");
        assert_eq!(Path::Index(&root, 0).to_string(), "[0]");
        assert_eq!(Path::Key(&Path::Index(&root, 0), "a").to_string(), "[0].a");
        assert_eq!(
            Path::Key(&Path::Text("sins"), "pain").to_string(),
            join("sins", "pain")
        );
        assert_eq!(Path::Key(&root, "id").to_string(), join("", "id"));
        let mut p = Problems::default();
        let v: Vec<u32> = Decode::decode(&serde_json::json!([1, "x"]), "scores", &mut p).unwrap();
        assert_eq!(v, vec![1]);
        assert_eq!(
            p.0[0].to_string(),
            "scores[1]: \"x\" is not a whole number ≥ 0"
        );
    }
}
