//! `spinewatch evaluate` as a script or a clinician calls it: JSON shape of CASE_FORMAT.md,
//! readable text, exit codes 0 / 2 / 1, and site overrides of the protocol parameters.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-case.json");

/// Runs the binary with an empty config directory, so a developer's own site file never leaks in.
fn run(args: &[&str], config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args(args)
        .env("SPINEWATCH_CONFIG_DIR", config)
        .env_remove("SPINEWATCH_DATA_DIR")
        .output()
        .expect("binary runs")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn json_output_has_the_documented_shape() {
    let cfg = tmp();
    let out = run(
        &[
            "evaluate",
            DEMO,
            "--format",
            "json",
            "--now",
            "2026-12-01T08:00",
        ],
        cfg.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["case_id"], "bed12-2026-11-20");
    assert_eq!(v["now"], "2026-12-01T08:00");
    assert_eq!(v["pod"], 11);
    assert_eq!(v["rt_window"]["state"], "not_started_early");
    assert_eq!(v["rt_window"]["days_to_deadline"], 17);
    let item = &v["items"][0];
    for key in [
        "id", "kind", "severity", "title", "detail", "because", "sources",
    ] {
        assert!(item.get(key).is_some(), "item key {key}");
    }
    assert_eq!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["id"] == "W-NEURO-DUE")
            .count(),
        1
    );
    let neuro = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "W-NEURO-DUE")
        .unwrap();
    assert_eq!(
        neuro["because"][0],
        "neuro_exams: last 2026-11-21T08:00 (240 h ago)"
    );
    assert_eq!(neuro["kind"], "pitfall");
    assert_eq!(neuro["severity"], "warning");
    let lesions = &v["scores"]["lesions"];
    assert_eq!(lesions[0]["level"], "T12");
    assert_eq!(lesions[0]["sins"]["total"], 13);
    assert_eq!(lesions[0]["sins"]["band"], "unstable");
    assert_eq!(lesions[0]["sins"]["complete"], true);
    assert_eq!(lesions[0]["escc"], "2");
    assert_eq!(lesions[1]["sins"], Value::Null);
    assert_eq!(lesions[1]["escc"], Value::Null);
    assert_eq!(v["scores"]["tokuhashi"]["total"], Value::Null);
    assert_eq!(v["scores"]["tokuhashi"]["complete"], false);
    for key in ["fractions", "weeks", "eqd2_tumour", "eqd2_cord"] {
        assert_eq!(v["scores"]["rt_schedule"][key], Value::Null, "{key}");
    }
    assert_eq!(v["protocol"]["rt_deadline"], 28);
    assert_eq!(v["protocol"]["rt_fraction_min_gy"], 1.8);
    assert_eq!(v["protocol"]["mri_clock_h"], 12);
}

#[test]
fn text_output_reads_like_a_chart_entry() {
    let cfg = tmp();
    let out = run(&["evaluate", DEMO, "--now", "2026-12-01T08:00"], cfg.path());
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Bed 12 · POD 11 · T12\n"), "{text}");
    assert!(text.contains("Radiotherapy window: POD 11 · not started, early · 17 days left"));
    assert!(text.contains("!  WARNING [W-NEURO-DUE]"));
    assert!(text.contains("T12: SINS 13 (unstable); ESCC 2"));
    assert!(text.contains("rt_deadline=28"));
}

#[test]
fn a_date_only_now_is_midnight() {
    let cfg = tmp();
    let out = run(
        &["evaluate", DEMO, "--format", "json", "--now", "2026-12-18"],
        cfg.path(),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["now"], "2026-12-18T00:00");
    assert_eq!(v["pod"], 28);
    assert_eq!(v["rt_window"]["state"], "closing");
}

#[test]
fn bad_input_exits_2_naming_file_field_and_reason() {
    let dir = tmp();
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    v["wound"]["status"] = "smelly".into();
    v["patient"]["age"] = 300.into();
    let file = write(dir.path(), "bed12.json", &v.to_string());
    let out = run(
        &["evaluate", file.to_str().unwrap(), "--now", "2026-12-01"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bed12.json: wound.status: \"smelly\" is not one of healing, healed, infection, hematoma, dehiscence"), "{err}");
    assert!(
        err.contains("bed12.json: patient.age: 300 is out of range (0–120)"),
        "{err}"
    );

    let broken = write(dir.path(), "broken.json", "{\"schema\": ");
    let out = run(&["evaluate", broken.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.json: not valid JSON"));

    let out = run(&["evaluate", "/nonexistent/case.json"], dir.path());
    assert_eq!(out.status.code(), Some(2));

    let out = run(&["evaluate", DEMO, "--now", "yesterday-ish"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--now"));
}

#[test]
fn a_surgery_date_after_now_is_refused() {
    let cfg = tmp();
    let out = run(&["evaluate", DEMO, "--now", "2026-11-19T23:00"], cfg.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("surgery.date: \"2026-11-20\" is after today (2026-11-19)")
    );
}

#[test]
fn a_site_file_overrides_parameters_and_the_output_states_them() {
    let cfg = tmp();
    write(
        cfg.path(),
        "protocol.json",
        r#"{ "parameters": { "rt_deadline": 35, "mri_clock_h": 24 } }"#,
    );
    let out = run(
        &[
            "evaluate",
            DEMO,
            "--format",
            "json",
            "--now",
            "2026-12-19T08:00",
        ],
        cfg.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["protocol"]["rt_deadline"], 35);
    assert_eq!(v["protocol"]["mri_clock_h"], 24);
    // POD 29: overdue at the default 28, still closing with a 35-day deadline.
    assert_eq!(v["rt_window"]["state"], "closing");
    assert_eq!(v["rt_window"]["days_to_deadline"], 6);
}

#[test]
fn a_bad_site_file_is_an_error_naming_the_key() {
    let cfg = tmp();
    for (text, want) in [
        (
            r#"{ "parameters": { "rt_dedline": 30 } }"#,
            "parameters.rt_dedline: is not a protocol parameter",
        ),
        (
            r#"{ "parameters": { "rt_deadline": "soon" } }"#,
            "parameters.rt_deadline: \"soon\" is not a number",
        ),
        (
            r#"{ "parameters": { "rt_deadline": 10 } }"#,
            "parameters.rt_warn_from: 21 is above parameters.rt_deadline (10)",
        ),
        (
            r#"{ "rules": [] }"#,
            "rules: is not a key of a site protocol file",
        ),
        (
            r#"{ "parameters": { "mdt_due_pod": 2.5 } }"#,
            "parameters.mdt_due_pod: 2.5 is not a whole number",
        ),
    ] {
        write(cfg.path(), "protocol.json", text);
        let out = run(&["evaluate", DEMO, "--now", "2026-12-01"], cfg.path());
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains("protocol.json") && err.contains(want),
            "{text}: {err}"
        );
    }
}
