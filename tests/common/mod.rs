//! Shared fixtures for the clinical-core tests: the demo case and a fixed clock.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use serde_json::Value;
use spinewatch::case::{Case, parse_time};
use spinewatch::protocol::{Evaluation, Protocol, evaluate};

pub const DEMO: &str = include_str!("../../assets/demo-case.json");

/// A fixed moment: `2026-12-01T08:00`.
pub fn at(s: &str) -> NaiveDateTime {
    parse_time(s)
        .or_else(|| parse_time(&format!("{s}T00:00")))
        .unwrap_or_else(|| panic!("bad time {s}"))
}

pub fn demo_value() -> Value {
    serde_json::from_str(DEMO).unwrap()
}

pub fn demo() -> Case {
    case_from(demo_value())
}

/// Builds a case from JSON, checked valid at a late moment so fixtures are never refused.
pub fn case_from(v: Value) -> Case {
    Case::from_value(&v, at("2030-01-01T00:00")).unwrap_or_else(|e| panic!("fixture invalid: {e}"))
}

/// The demo case with some fields replaced: `with(&[("/radiotherapy/start", json!("2026-12-07"))])`.
pub fn demo_with(changes: &[(&str, Value)]) -> Case {
    let mut v = demo_value();
    for (ptr, new) in changes {
        *v.pointer_mut(ptr)
            .unwrap_or_else(|| panic!("no field {ptr}")) = new.clone();
    }
    case_from(v)
}

pub fn eval(case: &Case, now: &str) -> Evaluation {
    evaluate(case, &Protocol::builtin(), at(now))
}

pub fn ids(e: &Evaluation) -> Vec<&str> {
    e.items.iter().map(|i| i.id.as_str()).collect()
}

pub fn fired(case: &Case, now: &str, id: &str) -> bool {
    eval(case, now).fired(id)
}

/// The POD-n morning for the demo (surgery 2026-11-20).
pub fn pod(n: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap() + chrono::Duration::days(n);
    format!("{}T08:00", d.format("%Y-%m-%d"))
}
