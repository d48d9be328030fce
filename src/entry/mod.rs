//! Field entry shared by the TUI's form and `spinewatch set`: each field kind parses what
//! the clinician typed (`today`, `-3`, `08:30`, a number in range) into the JSON value of the
//! case format, or refuses it with a reason; field paths (`lesions[1].sins.pain`) reach into
//! the case as JSON. No terminal here.

use crate::case::{format_date, format_time, parse_date};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Free text; empty means unknown.
    Text {
        max: usize,
    },
    /// Whole number in a range, in steps (KPS goes by 10).
    Int {
        min: u32,
        max: u32,
        step: u32,
    },
    /// Positive number up to `max` (doses).
    Dose {
        max: f64,
    },
    Date,
    Time,
    /// One of the case format's names, or unknown. `numeric` when the JSON value is a number
    /// (Tokuhashi counts).
    Choice {
        names: &'static [&'static str],
        numeric: bool,
    },
    /// yes / no / unknown.
    Bool,
    /// Membership of one name in a list (MDT attendees): yes or no.
    Member {
        name: &'static str,
    },
}

impl Kind {
    /// Kinds edited by typing (the others by arrows, first letter or space).
    pub fn is_typed(self) -> bool {
        matches!(
            self,
            Kind::Text { .. } | Kind::Int { .. } | Kind::Dose { .. } | Kind::Date | Kind::Time
        )
    }

    /// What the form shows for a stored value; `None` is unknown.
    pub fn show(self, v: &Value) -> Option<String> {
        match (self, v) {
            (_, Value::Null) => None,
            (Kind::Bool, Value::Bool(b)) => Some(if *b { "yes" } else { "no" }.into()),
            (Kind::Member { .. }, Value::Bool(b)) => Some(if *b { "yes" } else { "no" }.into()),
            (_, Value::String(s)) if s.is_empty() => None,
            (_, Value::String(s)) => Some(s.clone()),
            (Kind::Dose { .. }, Value::Number(n)) => n.as_f64().map(crate::case::fmt_num),
            (_, other) => Some(other.to_string()),
        }
    }

    /// The text an edit starts from.
    pub fn edit_text(self, v: &Value) -> String {
        self.show(v).unwrap_or_default()
    }

    /// Parses typed text at `now`; a time with an offset (`13:30Z`, another system's stamp)
    /// is converted into the site zone `zone`. Empty text is unknown (null).
    pub fn parse(self, text: &str, now: NaiveDateTime, zone: Tz) -> Result<Value, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(Value::Null);
        }
        match self {
            Kind::Text { max } => {
                if t.chars().count() > max {
                    Err(format!("is longer than {max} characters"))
                } else {
                    Ok(Value::String(t.to_string()))
                }
            }
            Kind::Int { min, max, step } => {
                let n: u32 = t
                    .parse()
                    .map_err(|_| format!("{t:?} is not a whole number ({min}–{max})"))?;
                if !(min..=max).contains(&n) {
                    Err(format!("{n} is out of range ({min}–{max})"))
                } else if step > 1 && !n.is_multiple_of(step) {
                    Err(format!("{n} is not in steps of {step}"))
                } else {
                    Ok(Value::from(n))
                }
            }
            Kind::Dose { max } => {
                let x: f64 = t
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| format!("{t:?} is not a number of Gy"))?;
                if x.is_finite() && x > 0.0 && x <= max {
                    Ok(Value::from(x))
                } else {
                    Err(format!(
                        "{t} is out of range (0 < x ≤ {})",
                        crate::case::fmt_num(max)
                    ))
                }
            }
            Kind::Date => parse_day(t, now.date())
                .map(|d| Value::String(format_date(&d)))
                .ok_or_else(|| {
                    format!("{t:?} is not a date (2026-11-20, today, yesterday, -3, +2)")
                }),
            Kind::Time => parse_moment(t, now, zone)
                .map(|d| Value::String(format_time(&d)))
                .ok_or_else(|| {
                    format!("{t:?} is not a time (08:30 = today, 2026-11-20T08:30, now)")
                }),
            Kind::Choice { .. } | Kind::Bool | Kind::Member { .. } => {
                Err("is chosen with the arrow keys or the first letter".into())
            }
        }
    }

    /// Parses a value given by name (`spinewatch set`): for chosen kinds the option's name,
    /// `unknown` (or empty) for null, `yes`/`no` for yes/no; typed kinds as [`Kind::parse`].
    pub fn parse_named(self, text: &str, now: NaiveDateTime, zone: Tz) -> Result<Value, String> {
        if self.is_typed() {
            return self.parse(text, now, zone);
        }
        let t = text.trim().to_ascii_lowercase();
        let name = |v: &Value| match v {
            Value::Null => "unknown".to_string(),
            Value::Bool(true) => "yes".into(),
            Value::Bool(false) => "no".into(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let options = self.options();
        if t.is_empty() && options.contains(&Value::Null) {
            return Ok(Value::Null);
        }
        let t = match t.as_str() {
            "true" => "yes".to_string(),
            "false" => "no".to_string(),
            _ => t,
        };
        options
            .iter()
            .find(|o| name(o) == t)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<String> = options.iter().map(name).collect();
                format!("{text:?} is not one of {}", names.join(", "))
            })
    }

    /// The options cycled by arrows, unknown (null) first.
    pub fn options(self) -> Vec<Value> {
        match self {
            Kind::Choice { names, numeric } => std::iter::once(Value::Null)
                .chain(names.iter().map(|n| {
                    if numeric {
                        n.parse::<u64>()
                            .map(Value::from)
                            .unwrap_or_else(|_| Value::from(*n))
                    } else {
                        Value::from(*n)
                    }
                }))
                .collect(),
            Kind::Bool => vec![Value::Null, Value::Bool(true), Value::Bool(false)],
            Kind::Member { .. } => vec![Value::Bool(false), Value::Bool(true)],
            _ => Vec::new(),
        }
    }

    /// The option `step` places from `current` (wrapping).
    pub fn cycle(self, current: &Value, step: isize) -> Option<Value> {
        let opts = self.options();
        if opts.is_empty() {
            return None;
        }
        let at = opts.iter().position(|o| o == current).unwrap_or(0) as isize;
        let n = opts.len() as isize;
        Some(opts[(at + step).rem_euclid(n) as usize].clone())
    }

    /// The next option whose name starts with `c` after `current` (`y`/`n`/`u` for yes/no).
    pub fn by_letter(self, current: &Value, c: char) -> Option<Value> {
        let c = c.to_ascii_lowercase();
        let opts = self.options();
        let name = |v: &Value| match v {
            Value::Null => "unknown".to_string(),
            Value::Bool(true) => "yes".into(),
            Value::Bool(false) => "no".into(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let at = opts.iter().position(|o| o == current).unwrap_or(0);
        (1..=opts.len())
            .map(|k| &opts[(at + k) % opts.len()])
            .find(|o| name(o).starts_with(c))
            .cloned()
    }
}

/// `2026-11-20`, `today`, `yesterday`, `-3` (days ago), `+2` (days ahead, for planned dates).
pub fn parse_day(t: &str, today: NaiveDate) -> Option<NaiveDate> {
    match t.to_ascii_lowercase().as_str() {
        "today" | "t" => Some(today),
        "yesterday" | "y" => Some(today - Duration::days(1)),
        "tomorrow" => Some(today + Duration::days(1)),
        s if (s.starts_with('-') || s.starts_with('+')) && s.len() > 1 => {
            let n: i64 = s[1..].parse().ok().filter(|n| *n <= 3650)?;
            Some(today + Duration::days(if s.starts_with('-') { -n } else { n }))
        }
        s => parse_date(s),
    }
}

/// `08:30` (today), `2026-11-20T08:30`, `2026-11-20 08:30`, `yesterday 22:00`, `now`; a
/// full time with an offset is converted into `zone`.
pub fn parse_moment(t: &str, now: NaiveDateTime, zone: Tz) -> Option<NaiveDateTime> {
    let t = t.trim();
    if t.eq_ignore_ascii_case("now") {
        return Some(now.with_second0());
    }
    if let Ok(x) = crate::case::zone::parse_time_in(&t.replacen(' ', "T", 1), zone) {
        return Some(x);
    }
    let (day, clock) = match t.rsplit_once(' ') {
        Some((d, c)) => (parse_day(d.trim(), now.date())?, c.trim()),
        None => (now.date(), t),
    };
    let clock = NaiveTime::parse_from_str(clock, "%H:%M").ok()?;
    Some(day.and_time(clock))
}

trait Second0 {
    fn with_second0(self) -> NaiveDateTime;
}

impl Second0 for NaiveDateTime {
    fn with_second0(self) -> NaiveDateTime {
        use chrono::Timelike;
        self.with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(self)
    }
}

/// One step of a field path: `lesions[1].sins.pain` is Key, Index, Key, Key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Step::Key(key.to_string()));
        }
        for idx in rest.split('[') {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Step::Index(i));
            }
        }
    }
    out
}

/// The value at `path`; null when any step is missing.
pub fn get<'a>(root: &'a Value, path: &str) -> &'a Value {
    static NULL: Value = Value::Null;
    let mut v = root;
    for s in steps(path) {
        v = match (&s, v) {
            (Step::Key(k), Value::Object(m)) => m.get(k).unwrap_or(&NULL),
            (Step::Index(i), Value::Array(a)) => a.get(*i).unwrap_or(&NULL),
            _ => &NULL,
        };
    }
    v
}

/// Sets the value at `path`, creating objects on the way. Returns false when an index is
/// out of range (the caller refuses the edit).
pub fn set(root: &mut Value, path: &str, new: Value) -> bool {
    let steps = steps(path);
    let mut v = root;
    for s in &steps {
        v = match s {
            Step::Key(k) => {
                if !v.is_object() {
                    *v = Value::Object(Default::default());
                }
                v.as_object_mut()
                    .expect("just made an object")
                    .entry(k.clone())
                    .or_insert(Value::Null)
            }
            Step::Index(i) => match v.as_array_mut().and_then(|a| a.get_mut(*i)) {
                Some(x) => x,
                None => return false,
            },
        };
    }
    *v = new;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::parse_time;
    use chrono_tz::UTC;

    fn now() -> NaiveDateTime {
        parse_time("2026-11-25T09:00").unwrap()
    }

    #[test]
    fn dates_as_the_ward_types_them() {
        let d = |s| Kind::Date.parse(s, now(), UTC);
        assert_eq!(d("today"), Ok(Value::from("2026-11-25")));
        assert_eq!(d("yesterday"), Ok(Value::from("2026-11-24")));
        assert_eq!(d("-3"), Ok(Value::from("2026-11-22")));
        assert_eq!(d("+2"), Ok(Value::from("2026-11-27")));
        assert_eq!(d("2026-11-20"), Ok(Value::from("2026-11-20")));
        assert_eq!(d(""), Ok(Value::Null));
        assert!(d("20/11/2026").unwrap_err().contains("is not a date"));
    }

    #[test]
    fn times_as_the_ward_types_them() {
        let t = |s| Kind::Time.parse(s, now(), UTC);
        assert_eq!(t("08:30"), Ok(Value::from("2026-11-25T08:30")));
        assert_eq!(t("now"), Ok(Value::from("2026-11-25T09:00")));
        assert_eq!(t("2026-11-20 07:15"), Ok(Value::from("2026-11-20T07:15")));
        assert_eq!(t("yesterday 22:00"), Ok(Value::from("2026-11-24T22:00")));
        assert!(t("25:00").is_err());
    }

    #[test]
    fn a_time_with_an_offset_is_converted_into_the_site_zone() {
        // Another system's stamp: 13:30 UTC is 14:30 in Amsterdam in winter, never 13:30.
        let ams = chrono_tz::Europe::Amsterdam;
        let t = |s| Kind::Time.parse(s, now(), ams);
        assert_eq!(
            t("2026-11-25T13:30:00Z"),
            Ok(Value::from("2026-11-25T14:30"))
        );
        assert_eq!(
            t("2026-11-25T13:30+00:00"),
            Ok(Value::from("2026-11-25T14:30"))
        );
        assert_eq!(t("2026-11-25T13:30"), Ok(Value::from("2026-11-25T13:30")));
        // A wall-clock time the clocks skip is refused.
        assert!(t("2026-03-29T02:30").is_err());
    }

    #[test]
    fn numbers_are_refused_out_of_range_with_the_range() {
        let kps = Kind::Int {
            min: 0,
            max: 100,
            step: 10,
        };
        assert_eq!(kps.parse("60", now(), UTC), Ok(Value::from(60)));
        assert_eq!(
            kps.parse("65", now(), UTC),
            Err("65 is not in steps of 10".into())
        );
        assert_eq!(
            kps.parse("110", now(), UTC),
            Err("110 is out of range (0–100)".into())
        );
        let dose = Kind::Dose { max: 30.0 };
        assert_eq!(dose.parse("1,8", now(), UTC), Ok(Value::from(1.8)));
        assert_eq!(
            dose.parse("0", now(), UTC),
            Err("0 is out of range (0 < x ≤ 30)".into())
        );
    }

    #[test]
    fn choices_cycle_through_unknown_and_jump_by_letter() {
        let k = Kind::Choice {
            names: &["none", "requested", "seen"],
            numeric: false,
        };
        assert_eq!(k.cycle(&Value::Null, 1), Some(Value::from("none")));
        assert_eq!(k.cycle(&Value::Null, -1), Some(Value::from("seen")));
        assert_eq!(
            k.by_letter(&Value::Null, 'r'),
            Some(Value::from("requested"))
        );
        assert_eq!(
            Kind::Bool.by_letter(&Value::Null, 'y'),
            Some(Value::Bool(true))
        );
        assert_eq!(
            Kind::Bool.by_letter(&Value::Bool(true), 'u'),
            Some(Value::Null)
        );
    }

    #[test]
    fn paths_reach_into_lists_and_create_objects() {
        let mut v = serde_json::json!({"lesions": [{"level": "T12", "sins": null}]});
        assert_eq!(get(&v, "lesions[0].level"), &Value::from("T12"));
        assert!(set(
            &mut v,
            "lesions[0].sins.pain",
            Value::from("mechanical")
        ));
        assert_eq!(get(&v, "lesions[0].sins.pain"), &Value::from("mechanical"));
        assert!(!set(&mut v, "lesions[3].level", Value::from("T5")));
        assert!(set(&mut v, "patient.label", Value::from("Bed 12")));
        assert_eq!(get(&v, "patient.label"), &Value::from("Bed 12"));
    }
}
