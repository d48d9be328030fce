//! Scenario cases (tests/scenarios/*.json) checked against PROTOCOL.md and CASE_FORMAT.md:
//! the rule IDs that fire, their kind and severity, the spec's output keys and the boundaries
//! the spec names. Only what the spec states is asserted, never the wording.

use serde_json::Value;
use spinewatch::case::{Case, parse_time};
use spinewatch::protocol::{Evaluation, Kind, Protocol, Severity, evaluate};
use std::path::PathBuf;
use std::process::Command;

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scenarios")
        .join(format!("{name}.json"))
}

fn at(s: &str) -> chrono::NaiveDateTime {
    parse_time(s)
        .or_else(|| parse_time(&format!("{s}T00:00")))
        .unwrap_or_else(|| panic!("bad time {s}"))
}

fn text(name: &str) -> String {
    std::fs::read_to_string(scenario_path(name)).unwrap()
}

fn case_at(name: &str, now: &str) -> Case {
    Case::from_json_str(&text(name), at(now)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Evaluates a scenario file at a fixed moment; also returns the JSON the CLI prints.
fn run(name: &str, now: &str) -> (Evaluation, Value) {
    let e = evaluate(&case_at(name, now), &Protocol::builtin(), at(now));
    let v = serde_json::to_value(&e).unwrap();
    (e, v)
}

/// A case edited in place (JSON pointer → new value) and evaluated.
fn run_edited(name: &str, now: &str, edits: &[(&str, Value)]) -> Evaluation {
    let mut v: Value = serde_json::from_str(&text(name)).unwrap();
    for (ptr, new) in edits {
        *v.pointer_mut(ptr).unwrap_or_else(|| panic!("no {ptr}")) = new.clone();
    }
    let case = Case::from_value(&v, at(now)).unwrap_or_else(|e| panic!("{name}: {e}"));
    evaluate(&case, &Protocol::builtin(), at(now))
}

fn ids(e: &Evaluation) -> Vec<&str> {
    e.items.iter().map(|i| i.id.as_str()).collect()
}

#[track_caller]
fn has(e: &Evaluation, id: &str, kind: Kind, severity: Severity) {
    let item = e
        .item(id)
        .unwrap_or_else(|| panic!("{id} did not fire; fired: {:?}", ids(e)));
    assert_eq!(
        (item.kind, item.severity),
        (kind, severity),
        "{id} kind/severity"
    );
    assert!(!item.because.is_empty(), "{id} has no because");
}

#[track_caller]
fn hasnt(e: &Evaluation, id: &str) {
    assert!(
        !e.fired(id),
        "{id} fired but should not; fired: {:?}",
        ids(e)
    );
}

fn because(e: &Evaluation, id: &str) -> String {
    e.item(id)
        .map(|i| i.because.join(" | "))
        .unwrap_or_default()
}

const NOW: &str = "2026-12-01T08:00"; // POD 11 for surgery 2026-11-20

// ---------- output shape, ordering ----------

#[test]
fn items_are_ordered_critical_warning_info_then_by_id_in_every_scenario() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().path();
        let stem = name.file_stem().unwrap().to_str().unwrap().to_string();
        if stem.starts_with("bad_") {
            continue;
        }
        let (e, _) = run(&stem, NOW);
        let keys: Vec<(Severity, &str)> = e
            .items
            .iter()
            .map(|i| (i.severity, i.id.as_str()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{stem}: order");
        // Protocol 2: an ask may come once per row it names; (ID, field) is unique.
        let mut unique: Vec<(&str, Option<&str>)> = e
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.field.as_deref()))
            .collect();
        unique.dedup();
        assert_eq!(unique.len(), e.items.len(), "{stem}: IDs unique");
        for i in &e.items {
            // asks are info; every item says why it fired
            if i.kind == Kind::Ask {
                assert_eq!(i.severity, Severity::Info, "{stem}: {}", i.id);
                assert!(i.id.starts_with("A-"));
            }
            assert!(!i.because.is_empty(), "{stem}: {} without because", i.id);
        }
        n += 1;
    }
    assert!(n >= 30, "scenarios found: {n}");
}

#[test]
fn the_cli_json_has_the_spec_keys_and_spellings() {
    let out = Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args(["evaluate"])
        .arg(scenario_path("04_rt_started"))
        .args(["--format", "json", "--now", "2026-12-09T08:00"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["case_id"], "bed3-started");
    assert_eq!(v["now"], "2026-12-09T08:00");
    assert_eq!(v["pod"], 19);
    assert_eq!(v["rt_window"]["state"], "started");
    let item = &v["items"][0];
    for k in [
        "id", "kind", "severity", "title", "detail", "because", "sources",
    ] {
        assert!(item.get(k).is_some(), "items[].{k}");
    }
    let t12 = &v["scores"]["lesions"][0];
    assert_eq!(t12["level"], "T12");
    assert_eq!(t12["escc"], "2", "escc is a string");
    assert_eq!(t12["sins"]["total"], 13);
    assert_eq!(t12["sins"]["band"], "unstable");
    assert_eq!(t12["sins"]["complete"], true);
    assert_eq!(v["scores"]["lesions"][1]["sins"], Value::Null);
    assert_eq!(v["scores"]["lesions"][1]["escc"], Value::Null);
    let tok = &v["scores"]["tokuhashi"];
    assert_eq!(tok["total"], Value::Null);
    assert_eq!(tok["band"], Value::Null);
    assert_eq!(tok["complete"], false);
    let s = &v["scores"]["rt_schedule"];
    assert_eq!(s["fractions"], 25);
    assert_eq!(s["weeks"].as_f64(), Some(5.0));
    assert_eq!(s["eqd2_tumour"].as_f64(), Some(44.25));
    assert_eq!(s["eqd2_cord"].as_f64(), Some(42.75));
    let p = &v["protocol"];
    for (k, want) in [
        ("rt_target_from", 14.0),
        ("rt_warn_from", 21.0),
        ("rt_deadline", 28.0),
        ("mri_clock_h", 12.0),
        ("neuro_exam_max_h", 24.0),
        ("mdt_due_pod", 2.0),
        ("dexa_review_pod", 7.0),
        ("rt_total_min_gy", 40.0),
        ("rt_total_max_gy", 50.0),
        ("rt_fraction_min_gy", 1.8),
        ("rt_fraction_max_gy", 2.0),
        ("survival_min_months", 3.0),
        ("fractions_per_week", 5.0),
        ("alpha_beta_tumour", 10.0),
        ("alpha_beta_cord", 2.0),
    ] {
        assert_eq!(p[k].as_f64(), Some(want), "protocol.{k}");
    }
}

// ---------- the seed patient ----------

#[test]
fn seed_patient_on_pod_11() {
    let (e, v) = run("01_seed_patient", NOW);
    assert_eq!(e.pod, Some(11));
    assert_eq!(v["rt_window"]["state"], "not_started_early");
    assert_eq!(v["rt_window"]["days_to_deadline"], 17);
    for id in [
        "P-RT-ADJUVANT",
        "P-RT-TIMING",
        "P-RT-DOSE",
        "P-RT-FIELD",
        "P-RT-CONSULT",
        "P-SYS-AWAIT-PATH",
        "P-MDT",
        "P-PAIN-DEXA",
        "P-PAIN-NSAID",
        "P-PAIN-OPIOID",
        "P-MON-NEURO",
        "P-MON-WOUND",
        "P-MON-MEDICAL",
        "P-L45-CONSERVATIVE",
        "P-PROG-MULTI",
        "P-PROG-OUTCOME",
        "B-RT-SCHEDULE",
        "B-DEXA-DOSE",
        "B-MRI-WHOLE-SPINE",
    ] {
        has(&e, id, Kind::Plan, Severity::Info);
    }
    for id in [
        "W-MDT-MISSING",
        "W-NEURO-DUE",
        "W-OPIOID-TAPER",
        "W-LESION-UNPLANNED",
    ] {
        has(&e, id, Kind::Pitfall, Severity::Warning);
    }
    for id in [
        "P-SYS-HEME",
        "P-SYS-SOLID",
        "P-BONE-BISPHOS",
        "P-PAIN-GABA",
        "P-L45-SURGICAL",
        "W-RT-CLOSING",
        "W-RT-OVERDUE",
        "W-RT-DEFERRED",
        "W-CHEMO-NO-PATH",
        "W-DISCHARGE-NO-RT",
        "W-NEURO-MRI",
        "W-WOUND",
        "W-BENZO-LONG",
        "W-NSAID-CI",
        "W-RT-DOSE",
        "W-SURVIVAL",
        "W-COMPLICATION",
        "B-RT-EARLY",
        "B-SINS-CONSULT",
        "B-ESCC-HIGH",
        "B-TOKUHASHI",
    ] {
        hasnt(&e, id);
    }
    // unknowns ask: NSAID contraindication, survival
    has(&e, "A-NSAID-CI", Kind::Ask, Severity::Info);
    has(&e, "A-SURVIVAL", Kind::Ask, Severity::Info);
    // the field spans the junction; the T5 lucency is named as undecided
    assert_eq!(v["scores"]["rt_field"][0]["text"], "T11–L1");
    assert!(because(&e, "W-LESION-UNPLANNED").contains("T5"));
    assert!(because(&e, "W-NEURO-DUE").contains("2026-11-21T08:00"));
    assert_eq!(e.clocks.pathology_pending_days, Some(12));
    // all four disciplines but spine surgery are still missing
    let mdt = e.item("P-MDT").unwrap();
    let mdt_text = format!("{} {}", mdt.title, mdt.detail).to_lowercase();
    assert!(mdt_text.contains("hospitalist") && mdt_text.contains("radiation oncolog"));
}

// ---------- RT window ----------

#[test]
fn rt_window_boundaries_pod_13_14_20_21_28_29() {
    // surgery 2026-11-01
    for (now, pod, state, days) in [
        ("2026-11-14T08:00", 13, "not_started_early", 15),
        ("2026-11-15T08:00", 14, "target", 14),
        ("2026-11-21T08:00", 20, "target", 8),
        ("2026-11-22T08:00", 21, "closing", 7),
        ("2026-11-29T08:00", 28, "closing", 0),
        ("2026-11-30T08:00", 29, "overdue", -1),
    ] {
        let (e, v) = run("02_rt_window", now);
        assert_eq!(e.pod, Some(pod), "{now}");
        assert_eq!(v["rt_window"]["state"], state, "POD {pod}");
        assert_eq!(v["rt_window"]["days_to_deadline"], days, "POD {pod}");
        has(&e, "P-RT-TIMING", Kind::Plan, Severity::Info);
        if state == "closing" {
            has(&e, "W-RT-CLOSING", Kind::Pitfall, Severity::Warning);
        } else {
            hasnt(&e, "W-RT-CLOSING");
        }
        if state == "overdue" {
            has(&e, "W-RT-OVERDUE", Kind::Pitfall, Severity::Critical);
            assert_eq!(e.items[0].id, "W-RT-OVERDUE", "critical first");
        } else {
            hasnt(&e, "W-RT-OVERDUE");
        }
        hasnt(&e, "W-RT-DEFERRED");
    }
}

#[test]
fn a_recorded_contraindication_defers_rather_than_overdue_and_is_quoted() {
    let (e, v) = run("03_rt_deferred", "2026-11-30T08:00");
    assert_eq!(v["rt_window"]["state"], "deferred");
    has(&e, "W-RT-DEFERRED", Kind::Pitfall, Severity::Warning);
    hasnt(&e, "W-RT-OVERDUE");
    let item = e.item("W-RT-DEFERRED").unwrap();
    let all = format!("{} {} {}", item.title, item.detail, item.because.join(" "));
    assert!(
        all.contains("wound dehiscence under review"),
        "quotes the reason"
    );
    // on POD 28 it is still closing
    let (e, v) = run("03_rt_deferred", "2026-11-29T08:00");
    assert_eq!(v["rt_window"]["state"], "closing");
    has(&e, "W-RT-CLOSING", Kind::Pitfall, Severity::Warning);
}

#[test]
fn started_rt_shows_fraction_k_of_n_and_expected_end_45_gy_in_1_8() {
    // start Monday 2026-12-07, 45 Gy / 1.8 Gy = 25 fractions, Mon–Fri
    let (e, v) = run("04_rt_started", "2026-12-09T08:00");
    let w = &v["rt_window"];
    assert_eq!(w["state"], "started");
    assert_eq!(w["fraction"], 3);
    assert_eq!(w["fractions"], 25);
    assert_eq!(w["expected_end"], "2027-01-08");
    for id in [
        "P-RT-TIMING",
        "W-RT-CLOSING",
        "W-RT-OVERDUE",
        "P-RT-CONSULT",
        "W-RT-DOSE",
    ] {
        hasnt(&e, id);
    }
    has(&e, "P-RT-DOSE", Kind::Plan, Severity::Info);
    has(&e, "B-RT-SCHEDULE", Kind::Plan, Severity::Info);
    assert!(because(&e, "P-RT-DOSE").contains("25"));
    // past the deadline but started: never overdue
    let (e, v) = run("04_rt_started", "2026-12-30T08:00");
    assert_eq!(v["rt_window"]["state"], "started");
    hasnt(&e, "W-RT-OVERDUE");
}

#[test]
fn completed_rt_is_completed() {
    let (e, v) = run("05_rt_completed", NOW);
    assert_eq!(v["rt_window"]["state"], "completed");
    assert_eq!(v["rt_window"]["expected_end"], "2026-11-20");
    hasnt(&e, "W-RT-OVERDUE");
    hasnt(&e, "P-RT-TIMING");
}

// ---------- RT dose ----------

#[test]
fn dose_arithmetic_and_the_protocol_range() {
    let (e, v) = run("23_dose_40_in_1_8", NOW);
    assert_eq!(
        v["scores"]["rt_schedule"]["fractions"], 23,
        "40 ÷ 1.8 rounded up"
    );
    hasnt(&e, "W-RT-DOSE");
    let (e, v) = run("24_dose_50_in_2", NOW);
    assert_eq!(v["scores"]["rt_schedule"]["fractions"], 25);
    assert_eq!(v["scores"]["rt_schedule"]["weeks"].as_f64(), Some(5.0));
    // EQD2 at 2 Gy per fraction equals the physical dose
    assert_eq!(
        v["scores"]["rt_schedule"]["eqd2_tumour"].as_f64(),
        Some(50.0)
    );
    assert_eq!(v["scores"]["rt_schedule"]["eqd2_cord"].as_f64(), Some(50.0));
    hasnt(&e, "W-RT-DOSE");
    hasnt(&e, "A-RT-DOSE");
    // 8 Gy x 1 is outside 40–50 / 1.8–2.0 but, in protocol 2, a guideline schedule.
    let (e, v) = run("22_dose_outside", NOW);
    hasnt(&e, "W-RT-DOSE");
    assert_eq!(v["scores"]["rt_schedule"]["guideline"], "8 Gy x 1");
    let off = run_edited(
        "22_dose_outside",
        NOW,
        &[("/radiotherapy/total_dose_gy", serde_json::json!(9))],
    );
    has(&off, "W-RT-DOSE", Kind::Pitfall, Severity::Warning);
    assert_eq!(v["scores"]["rt_schedule"]["fractions"], 1);
    assert_eq!(
        v["scores"]["rt_schedule"]["eqd2_tumour"].as_f64(),
        Some(12.0)
    );
    assert_eq!(v["scores"]["rt_schedule"]["eqd2_cord"].as_f64(), Some(20.0));
    // unknown dose: the rule still shows, and asks
    let (e, v) = run("01_seed_patient", NOW);
    has(&e, "P-RT-DOSE", Kind::Plan, Severity::Info);
    has(&e, "A-RT-DOSE", Kind::Ask, Severity::Info);
    assert_eq!(v["scores"]["rt_schedule"]["fractions"], Value::Null);
    assert_eq!(v["scores"]["rt_schedule"]["eqd2_cord"], Value::Null);
}

#[test]
fn rt_planned_before_pod_14_is_early() {
    let (e, _) = run("27_rt_planned_early", NOW); // planned POD 10
    has(&e, "B-RT-EARLY", Kind::Plan, Severity::Info);
    let (e, _) = run("28_rt_planned_pod14", NOW);
    hasnt(&e, "B-RT-EARLY");
}

// ---------- RT field ----------

#[test]
fn rt_fields_at_junctions_and_the_column_ends() {
    let (e, v) = run("12_rt_fields", NOW);
    has(&e, "P-RT-FIELD", Kind::Plan, Severity::Info);
    let texts: Vec<&str> = v["scores"]["rt_field"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["C1–C2", "C6–T1", "L4–S1", "S4–S5"]);
    // lower-case input comes out upper-case
    assert!(
        v["scores"]["lesions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["level"] == "L5")
    );
}

// ---------- readiness, wound, complications ----------

#[test]
fn rt_timing_readiness_unknown_vs_false() {
    let (e, _) = run("35_stable_unknown", NOW);
    has(&e, "P-RT-TIMING", Kind::Plan, Severity::Info);
    has(&e, "A-STABLE", Kind::Ask, Severity::Info);
    has(&e, "A-WOUND", Kind::Ask, Severity::Info);
    let (e, _) = run("34_not_stable", NOW);
    has(&e, "P-RT-TIMING", Kind::Plan, Severity::Info);
    hasnt(&e, "A-STABLE");
    assert!(because(&e, "P-RT-TIMING").contains("medically_stable: false"));
}

#[test]
fn wound_infection_and_complications() {
    let (e, _) = run("18_wound_complications", NOW);
    has(&e, "W-WOUND", Kind::Pitfall, Severity::Warning);
    has(&e, "W-COMPLICATION", Kind::Pitfall, Severity::Warning);
    let c = because(&e, "W-COMPLICATION");
    assert!(c.contains("vte") && c.contains("hematoma") && c.contains("infection"));
    assert!(because(&e, "W-WOUND").contains("infection"));
}

// ---------- neuro monitoring and the MRI clock ----------

#[test]
fn mri_clock_at_11_59_and_12_01_after_a_worse_exam() {
    let (e, v) = run("06_mri_clock", "2026-12-01T17:59"); // exam 06:00
    has(&e, "W-NEURO-MRI", Kind::Pitfall, Severity::Critical);
    assert_eq!(e.items[0].id, "W-NEURO-MRI");
    assert_eq!(v["clocks"]["mri"]["minutes_left"], 1);
    let (e, v) = run("06_mri_clock", "2026-12-01T18:01");
    has(&e, "W-NEURO-MRI", Kind::Pitfall, Severity::Critical);
    assert_eq!(v["clocks"]["mri"]["minutes_left"], -1);
    // an MRI at or after the exam stops it
    let (e, v) = run("07_mri_done", "2026-12-01T20:00");
    hasnt(&e, "W-NEURO-MRI");
    assert_eq!(v["clocks"]["mri"], Value::Null);
    let e = run_edited(
        "07_mri_done",
        "2026-12-01T20:00",
        &[("/mri/1/at", Value::from("2026-12-01T06:00"))],
    );
    hasnt(&e, "W-NEURO-MRI");
    let e = run_edited(
        "07_mri_done",
        "2026-12-01T20:00",
        &[("/mri/1/at", Value::from("2026-12-01T05:59"))],
    );
    has(&e, "W-NEURO-MRI", Kind::Pitfall, Severity::Critical);
}

#[test]
fn a_frankel_drop_marks_the_exam_worse() {
    let (e, v) = run("08_frankel_drop", NOW);
    has(&e, "W-NEURO-MRI", Kind::Pitfall, Severity::Critical);
    assert_eq!(v["clocks"]["mri"]["minutes_left"], 600);
}

#[test]
fn neuro_exam_due_at_25_h_not_at_23_h() {
    // last exam 2026-11-30T08:00
    let (e, _) = run("09_neuro_exam_age", "2026-12-01T07:00");
    hasnt(&e, "W-NEURO-DUE");
    let (e, _) = run("09_neuro_exam_age", "2026-12-01T09:00");
    has(&e, "W-NEURO-DUE", Kind::Pitfall, Severity::Warning);
    has(&e, "P-MON-NEURO", Kind::Plan, Severity::Info);
}

#[test]

fn an_exam_dated_in_the_future_is_not_an_exam_in_the_last_24_h() {
    // PROTOCOL: W-NEURO-DUE fires when no neuro exam is recorded in the last 24 h. A typo
    // (2026-12-05 for 2026-11-25) must not silence it for days.
    let e = run_edited(
        "09_neuro_exam_age",
        NOW,
        &[("/neuro_exams/0/at", Value::from("2026-12-05T08:00"))],
    );
    has(&e, "W-NEURO-DUE", Kind::Pitfall, Severity::Warning);
}

// ---------- survival, Tokuhashi, SINS, ESCC ----------

#[test]
fn survival_threshold_2_9_vs_3_months_and_unknown_asks() {
    let (e, _) = run("10_survival_short", NOW);
    has(&e, "W-SURVIVAL", Kind::Pitfall, Severity::Warning);
    hasnt(&e, "A-SURVIVAL");
    let (e, _) = run("11_survival_three", NOW);
    hasnt(&e, "W-SURVIVAL");
    hasnt(&e, "A-SURVIVAL");
    let (e, _) = run("01_seed_patient", NOW);
    hasnt(&e, "W-SURVIVAL");
    has(&e, "A-SURVIVAL", Kind::Ask, Severity::Info);
}

#[test]
fn tokuhashi_totals_and_band_boundaries() {
    for (name, total) in [
        ("31_tokuhashi_8", 8),
        ("36_tokuhashi_9", 9),
        ("37_tokuhashi_12", 12),
        ("30_tokuhashi_15", 15),
    ] {
        let (e, v) = run(name, NOW);
        let t = &v["scores"]["tokuhashi"];
        assert_eq!(t["total"], total, "{name}");
        assert_eq!(t["complete"], true, "{name}");
        assert!(t["band"].is_string(), "{name}");
        has(&e, "B-TOKUHASHI", Kind::Plan, Severity::Info);
        hasnt(&e, "A-TOKUHASHI");
    }
    // bands differ across 8/9 and 11/12, and 12 and 15 share one
    let band = |n: &str| run(n, NOW).1["scores"]["tokuhashi"]["band"].clone();
    assert_ne!(band("31_tokuhashi_8"), band("36_tokuhashi_9"));
    assert_ne!(band("36_tokuhashi_9"), band("37_tokuhashi_12"));
    assert_eq!(band("37_tokuhashi_12"), band("30_tokuhashi_15"));
    let (e, v) = run("01_seed_patient", NOW);
    assert_eq!(v["scores"]["tokuhashi"]["complete"], false);
    hasnt(&e, "B-TOKUHASHI");
}

#[test]
fn untreated_lesion_sins_7_plus_and_escc_2_warn() {
    let (e, v) = run("29_sins_escc_untreated", NOW);
    has(&e, "B-SINS-CONSULT", Kind::Pitfall, Severity::Warning);
    has(&e, "B-ESCC-HIGH", Kind::Pitfall, Severity::Warning);
    let t5 = &v["scores"]["lesions"][1];
    assert_eq!(t5["level"], "T5");
    assert_eq!(t5["sins"]["total"], 8);
    assert_eq!(t5["sins"]["band"], "indeterminate");
    assert_eq!(t5["escc"], "2");
    assert!(because(&e, "B-SINS-CONSULT").contains("T5"));
    // the operated T12 (SINS 13, ESCC 2) does not trigger either
    assert!(!because(&e, "B-SINS-CONSULT").contains("T12"));
    assert!(!because(&e, "B-ESCC-HIGH").contains("T12"));
}

// ---------- pathology and systemic therapy ----------

#[test]
fn myeloma_makes_systemic_therapy_primary_and_silences_escc_high() {
    let (e, _) = run("13_myeloma", NOW);
    has(&e, "P-SYS-HEME", Kind::Plan, Severity::Info);
    for id in [
        "P-SYS-AWAIT-PATH",
        "P-SYS-SOLID",
        "B-ESCC-HIGH",
        "W-CHEMO-NO-PATH",
    ] {
        hasnt(&e, id);
    }
}

#[test]
fn solid_histology_asks_for_markers_and_performance_status() {
    let (e, _) = run("14_solid_breast", NOW);
    has(&e, "P-SYS-SOLID", Kind::Plan, Severity::Info);
    has(&e, "A-MARKERS", Kind::Ask, Severity::Info);
    has(&e, "A-PERFORMANCE", Kind::Ask, Severity::Info);
    hasnt(&e, "P-SYS-HEME");
    hasnt(&e, "P-SYS-AWAIT-PATH");
}

#[test]
fn chemotherapy_planned_before_final_pathology_is_critical() {
    let (e, _) = run("15_chemo_no_path", NOW);
    has(&e, "W-CHEMO-NO-PATH", Kind::Pitfall, Severity::Critical);
    assert_eq!(e.items[0].id, "W-CHEMO-NO-PATH");
    has(&e, "P-SYS-AWAIT-PATH", Kind::Plan, Severity::Info);
}

// ---------- coordination ----------

#[test]
fn discharge_without_rt_consult_seen_and_followup_is_critical() {
    let (e, _) = run("16_discharge_no_rt", NOW);
    has(&e, "W-DISCHARGE-NO-RT", Kind::Pitfall, Severity::Critical);
    let (e, _) = run("17_discharge_ok", NOW);
    hasnt(&e, "W-DISCHARGE-NO-RT");
    hasnt(&e, "P-RT-CONSULT");
    // follow-up scheduled but consult only requested still warns
    let e = run_edited(
        "17_discharge_ok",
        NOW,
        &[("/radiotherapy/consult", Value::from("requested"))],
    );
    has(&e, "W-DISCHARGE-NO-RT", Kind::Pitfall, Severity::Critical);
}

#[test]
fn mdt_missing_from_pod_2_and_gone_once_held() {
    let (e, _) = run("01_seed_patient", "2026-11-21T09:00"); // POD 1
    has(&e, "P-MDT", Kind::Plan, Severity::Info);
    hasnt(&e, "W-MDT-MISSING");
    let (e, _) = run("01_seed_patient", "2026-11-22T09:00"); // POD 2
    has(&e, "W-MDT-MISSING", Kind::Pitfall, Severity::Warning);
    let (e, _) = run("19_mdt_held", NOW);
    hasnt(&e, "P-MDT");
    hasnt(&e, "W-MDT-MISSING");
}

// ---------- pain ----------

#[test]
fn medication_pitfalls_and_plans() {
    let (e, _) = run("20_medications", NOW);
    has(&e, "W-BENZO-LONG", Kind::Pitfall, Severity::Warning);
    has(&e, "W-NSAID-CI", Kind::Pitfall, Severity::Warning);
    has(&e, "P-PAIN-GABA", Kind::Plan, Severity::Info);
    has(&e, "P-PAIN-OPIOID", Kind::Plan, Severity::Info);
    hasnt(&e, "P-PAIN-NSAID"); // contraindication recorded true
    hasnt(&e, "W-OPIOID-TAPER"); // taper plan recorded
    hasnt(&e, "B-DEXA-DOSE"); // no dexamethasone given
    hasnt(&e, "A-NSAID-CI");
    hasnt(&e, "A-NEUROPATHIC");
}

#[test]
fn nsaid_contraindication_false_allows_nsaids_without_asking() {
    let (e, _) = run("21_nsaid_ci_false", NOW);
    has(&e, "P-PAIN-NSAID", Kind::Plan, Severity::Info);
    hasnt(&e, "A-NSAID-CI");
    hasnt(&e, "P-PAIN-GABA"); // neuropathic pain false
    hasnt(&e, "A-NEUROPATHIC");
    let (e, _) = run("01_seed_patient", NOW); // unknown: still shown, and asked
    has(&e, "A-NSAID-CI", Kind::Ask, Severity::Info);
}

#[test]
fn dexamethasone_in_and_after_the_immediate_post_op_period() {
    let (e, _) = run("01_seed_patient", "2026-11-27T08:00"); // POD 7
    has(&e, "P-PAIN-DEXA", Kind::Plan, Severity::Info);
    has(&e, "B-DEXA-DOSE", Kind::Plan, Severity::Info);
}

#[test]
fn bisphosphonate_for_confirmed_osteoporosis() {
    let (e, _) = run("25_bisphosphonate", NOW);
    has(&e, "P-BONE-BISPHOS", Kind::Plan, Severity::Info);
}

#[test]
fn degenerative_stenosis_surgical_only_with_all_three() {
    let (e, _) = run("26_l45_surgical", NOW);
    has(&e, "P-L45-SURGICAL", Kind::Plan, Severity::Info);
    assert!(because(&e, "P-L45-SURGICAL").contains("L4-L5"));
    let (e, _) = run("01_seed_patient", NOW);
    hasnt(&e, "P-L45-SURGICAL");
}

#[test]
fn a_single_lesion_is_not_multiple() {
    let (e, _) = run("32_single_lesion", NOW);
    hasnt(&e, "P-PROG-MULTI");
    hasnt(&e, "B-MRI-WHOLE-SPINE");
    hasnt(&e, "W-LESION-UNPLANNED");
    has(&e, "B-RT-SCHEDULE", Kind::Plan, Severity::Info);
}

#[test]
fn an_all_unknown_case_asks_instead_of_going_silent() {
    let (e, v) = run("33_all_unknown", NOW);
    assert_eq!(v["pod"], Value::Null);
    assert_eq!(v["rt_window"], Value::Null);
    for id in [
        "P-RT-ADJUVANT",
        "P-RT-DOSE",
        "P-PAIN-OPIOID",
        "P-MON-NEURO",
        "P-PROG-OUTCOME",
    ] {
        has(&e, id, Kind::Plan, Severity::Info);
    }
    for id in [
        "A-SURGERY-DATE",
        "A-PATHOLOGY",
        "A-NSAID-CI",
        "A-SURVIVAL",
        "A-NEURO",
        "A-WOUND",
        "A-STABLE",
    ] {
        has(&e, id, Kind::Ask, Severity::Info);
    }
    has(&e, "W-NEURO-DUE", Kind::Pitfall, Severity::Warning);
}

// ---------- bad input: exit 2, field path on stderr ----------

#[test]
fn bad_inputs_exit_2_naming_the_field() {
    for (name, field) in [
        ("bad_surgery_after_now", "surgery.date"),
        ("bad_dose_zero", "radiotherapy.dose_per_fraction_gy"),
        ("bad_age_300", "patient.age"),
        ("bad_level_t13", "lesions[1].level"),
        ("bad_frankel_f", "neuro_exams[0].frankel"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_spinewatch"))
            .arg("evaluate")
            .arg(scenario_path(name))
            .args(["--format", "json", "--now", NOW])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(field), "{name}: {err}");
        assert!(Case::from_json_str(&text(name), at(NOW)).is_err(), "{name}");
    }
}

// ---------- protocol 2, through the command line ----------

#[test]
fn protocol_2_scenario_through_evaluate_json() {
    // Sphincter normal → impaired at 02:00 (grade still E, flag not set), an untimed worse
    // exam, an empty 07:00 row, an MRI requested 02:30 and not done, an MDT dated 09:00
    // (after now), 30 Gy / 10, an L1 lesion next to the operated T12, ECOG 1 with KPS 60.
    let out = Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .arg("evaluate")
        .arg(scenario_path("39_protocol2_neuro"))
        .args(["--format", "json", "--now", NOW])
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v["items"].as_array().unwrap();
    let item = |id: &str| {
        items
            .iter()
            .find(|i| i["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    let first = &items[0];
    assert_eq!(first["id"], "W-NEURO-MRI");
    assert_eq!(first["severity"], "critical");
    assert_eq!(first["short"], "MRI now: exam time unknown");
    assert_eq!(v["clocks"]["mri_exam_time_unknown"], true);
    assert_eq!(v["clocks"]["mri"]["exam_at"], "2026-12-01T02:00");
    assert_eq!(
        v["clocks"]["mri"]["changes"][0],
        "new sphincter dysfunction"
    );
    assert_eq!(
        v["clocks"]["mri"]["requested"],
        "MRI requested 02:30, not done"
    );
    assert_eq!(item("A-EXAM-TIME")["field"], "neuro_exams[2].at");
    assert_eq!(item("A-NEURO-FINDINGS")["field"], "neuro_exams[3].frankel");
    assert_eq!(item("W-FUTURE-DATED")["severity"], "warning");
    assert!(
        item("W-FUTURE-DATED")["title"]
            .as_str()
            .unwrap()
            .contains("mdt.held_at 2026-12-01T09:00")
    );
    // Not counted: the MDT is not held yet, so no W-MDT-INCOMPLETE.
    assert!(items.iter().all(|i| i["id"] != "W-MDT-INCOMPLETE"));
    assert!(items.iter().any(|i| i["id"] == "W-MDT-MISSING"));
    assert!(items.iter().all(|i| i["id"] != "W-RT-DOSE"));
    assert_eq!(v["scores"]["rt_schedule"]["guideline"], "30 Gy / 10");
    assert_eq!(v["scores"]["rt_field"][0]["text"], "T11–L2");
    assert_eq!(item("W-PERF-CONFLICT")["severity"], "warning");
    assert!(
        item("P-RT-TIMING")["detail"]
            .as_str()
            .unwrap()
            .contains("image the new deficit first")
    );
    for i in items {
        assert_eq!(
            i.get("short").is_some(),
            i["kind"] == "pitfall",
            "{}",
            i["id"]
        );
    }
}
