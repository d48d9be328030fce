//! The case format: every bad input is a clear error with its field path, all problems are
//! reported together, unknown stays distinct from false, unknown keys survive a round trip.

mod common;
use common::*;
use serde_json::json;
use spinewatch::case::{Case, CaseError};

fn problems(v: serde_json::Value, now: &str) -> Vec<String> {
    match Case::from_value(&v, at(now)) {
        Ok(_) => vec![],
        Err(CaseError::Invalid(list)) => list.iter().map(ToString::to_string).collect(),
        Err(e) => vec![e.to_string()],
    }
}

fn demo_changed(ptr: &str, value: serde_json::Value) -> serde_json::Value {
    let mut v = demo_value();
    *v.pointer_mut(ptr).unwrap() = value;
    v
}

#[test]
fn the_demo_case_is_valid() {
    assert_eq!(
        problems(demo_value(), "2026-12-01T08:00"),
        Vec::<String>::new()
    );
}

#[test]
fn each_bad_input_names_field_value_and_what_is_allowed() {
    let cases = [
        (
            "/surgery/date",
            json!("2026-12-02"),
            "surgery.date: \"2026-12-02\" is after today (2026-12-01)",
        ),
        (
            "/radiotherapy/dose_per_fraction_gy",
            json!(0),
            "radiotherapy.dose_per_fraction_gy: 0 is out of range (0 < x ≤ 30)",
        ),
        (
            "/radiotherapy/total_dose_gy",
            json!(81),
            "radiotherapy.total_dose_gy: 81 is out of range (0 < x ≤ 80)",
        ),
        (
            "/patient/age",
            json!(300),
            "patient.age: 300 is out of range (0–120)",
        ),
        (
            "/lesions/1/level",
            json!("T13"),
            "lesions[1].level: \"T13\" is not a vertebra (C1–C7, T1–T12, L1–L5, S1–S5)",
        ),
        (
            "/neuro_exams/0/frankel",
            json!("f"),
            "neuro_exams[0].frankel: \"f\" is not one of a, b, c, d, e",
        ),
        (
            "/wound/status",
            json!("smelly"),
            "wound.status: \"smelly\" is not one of healing, healed, infection, hematoma, dehiscence",
        ),
        (
            "/performance/kps",
            json!(65),
            "performance.kps: 65 is not 0–100 in steps of 10",
        ),
        (
            "/performance/ecog",
            json!(6),
            "performance.ecog: 6 is out of range (0–5)",
        ),
        (
            "/patient/age",
            json!("sixty"),
            "patient.age: \"sixty\" is not a whole number ≥ 0",
        ),
        (
            "/medically_stable",
            json!("yes"),
            "medically_stable: \"yes\" is not true, false or null",
        ),
        (
            "/surgery/date",
            json!("20/11/2026"),
            "surgery.date: \"20/11/2026\" is not a date (YYYY-MM-DD)",
        ),
        (
            "/neuro_exams/0/at",
            json!("yesterday"),
            "neuro_exams[0].at: \"yesterday\" is not a time (YYYY-MM-DDTHH:MM)",
        ),
        (
            "/surgery/span",
            json!("L2-T10"),
            "surgery.span: \"L2-T10\" is not a span of vertebrae UPPER-LOWER (e.g. T10-L2, upper above lower)",
        ),
        (
            "/degenerative_stenosis/0/level",
            json!("L4-L6"),
            "degenerative_stenosis[0].level: \"L4-L6\" is not a motion segment of two adjacent vertebrae (e.g. L4-L5)",
        ),
        (
            "/mdt/attendees",
            json!(["spine_surgery", "surgeon"]),
            "mdt.attendees[1]: \"surgeon\" is not one of hospitalist, oncology, radiation_oncology, spine_surgery, other",
        ),
        ("/lesions", json!({}), "lesions: {} is not a list"),
        (
            "/tokuhashi/extraspinal_bone_mets",
            json!(2),
            "tokuhashi.extraspinal_bone_mets: 2 is not one of 0, 1 (= 1–2), 3 (= 3 or more)",
        ),
        (
            "/expected_survival_months",
            json!(-1),
            "expected_survival_months: -1 is out of range (x ≥ 0)",
        ),
        (
            "/id",
            json!("Bed 12!"),
            "id: \"Bed 12!\" is not 1–64 characters of a-z, 0-9 and -",
        ),
        (
            "/schema",
            json!("spinewatch.case/9"),
            "schema: \"spinewatch.case/9\" is not spinewatch.case/2",
        ),
    ];
    for (ptr, value, want) in cases {
        let got = problems(demo_changed(ptr, value), "2026-12-01T08:00");
        assert_eq!(got, vec![want.to_string()], "{ptr}");
    }
}

#[test]
fn all_problems_are_reported_together() {
    let mut v = demo_value();
    v["patient"]["age"] = json!(300);
    v["lesions"][1]["level"] = json!("T13");
    v["neuro_exams"][0]["frankel"] = json!("f");
    v["radiotherapy"]["dose_per_fraction_gy"] = json!(0);
    v["surgery"]["date"] = json!("2026-12-05");
    let got = problems(v, "2026-12-01T08:00");
    assert_eq!(got.len(), 5, "{got:#?}");
    for path in [
        "patient.age",
        "lesions[1].level",
        "neuro_exams[0].frankel",
        "radiotherapy.dose_per_fraction_gy",
        "surgery.date",
    ] {
        assert!(
            got.iter().any(|m| m.starts_with(path)),
            "{path} missing in {got:#?}"
        );
    }
}

#[test]
fn missing_schema_and_non_object_are_refused() {
    assert_eq!(
        problems(json!({}), "2026-12-01T08:00"),
        vec!["schema: is missing (expected \"spinewatch.case/2\")"]
    );
    assert_eq!(
        problems(json!([1]), "2026-12-01T08:00"),
        vec!["case: [1] is not an object"]
    );
    match Case::from_json_str("{\"schema\":", at("2026-12-01T08:00")) {
        Err(CaseError::Syntax(m)) => assert!(m.contains("line 1"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn levels_are_read_in_any_case_and_written_upper_case() {
    let c = case_from(demo_changed("/lesions/1/level", json!("t5")));
    let out: serde_json::Value = serde_json::from_str(&c.to_json_pretty()).unwrap();
    assert_eq!(out["lesions"][1]["level"], "T5");
    let c = case_from(demo_changed(
        "/degenerative_stenosis/0/level",
        json!("l4-l5"),
    ));
    let out: serde_json::Value = serde_json::to_value(&c).unwrap();
    assert_eq!(out["degenerative_stenosis"][0]["level"], "L4-L5");
}

#[test]
fn unknown_keys_survive_a_round_trip_at_every_depth() {
    let mut v = demo_value();
    v["site_extension"] = json!({ "ward": "4B", "list": [1, 2] });
    v["patient"]["nickname_field_from_v2"] = json!("x");
    v["lesions"][0]["sins"]["future_component"] = json!(2);
    v["neuro_exams"][0]["examiner"] = json!("resident");
    let c = case_from(v.clone());
    let text = c.to_json_pretty();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back["site_extension"], v["site_extension"]);
    assert_eq!(back["patient"]["nickname_field_from_v2"], "x");
    assert_eq!(back["lesions"][0]["sins"]["future_component"], 2);
    assert_eq!(back["neuro_exams"][0]["examiner"], "resident");
    assert_eq!(case_from(back), c);
}

#[test]
fn unknown_is_not_false() {
    let unknown = case_from(demo_changed(
        "/medications/nsaid_contraindicated",
        json!(null),
    ));
    let no = case_from(demo_changed(
        "/medications/nsaid_contraindicated",
        json!(false),
    ));
    assert_eq!(unknown.medications.nsaid_contraindicated, None);
    assert_eq!(no.medications.nsaid_contraindicated, Some(false));
    let absent = {
        let mut v = demo_value();
        v["medications"]
            .as_object_mut()
            .unwrap()
            .remove("nsaid_contraindicated");
        case_from(v)
    };
    assert_eq!(absent.medications.nsaid_contraindicated, None);
    let out: serde_json::Value = serde_json::to_value(&unknown).unwrap();
    assert_eq!(
        out["medications"]["nsaid_contraindicated"],
        serde_json::Value::Null
    );
    assert_eq!(
        serde_json::to_value(&no).unwrap()["medications"]["nsaid_contraindicated"],
        false
    );
}

#[test]
fn times_accept_seconds_and_offsets_and_are_written_short() {
    let c = case_from(demo_changed(
        "/neuro_exams/0/at",
        json!("2026-11-21T08:00:00+01:00"),
    ));
    let out = serde_json::to_value(&c).unwrap();
    assert_eq!(out["neuro_exams"][0]["at"], "2026-11-21T08:00");
    let c = case_from(demo_changed(
        "/neuro_exams/0/at",
        json!("2026-11-21T08:00:30"),
    ));
    assert_eq!(
        serde_json::to_value(&c).unwrap()["neuro_exams"][0]["at"],
        "2026-11-21T08:00:30"
    );
}

#[test]
fn escc_accepts_a_number_for_a_digit_grade() {
    let c = case_from(demo_changed("/lesions/0/escc", json!(3)));
    assert_eq!(serde_json::to_value(&c).unwrap()["lesions"][0]["escc"], "3");
}
