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
            "radiotherapy.dose_per_fraction_gy: 0 is out of range (0.5 ≤ x ≤ 30)",
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
            "performance.kps: 65 is not 10–100 in steps of 10",
        ),
        (
            "/performance/ecog",
            json!(6),
            "performance.ecog: 6 is out of range (0–4)",
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
    // The old entry points read times in UTC: an offset is converted, never dropped.
    let c = case_from(demo_changed(
        "/neuro_exams/0/at",
        json!("2026-11-21T08:00:00+01:00"),
    ));
    let out = serde_json::to_value(&c).unwrap();
    assert_eq!(out["neuro_exams"][0]["at"], "2026-11-21T07:00");
    // Seconds are accepted and dropped.
    let c = case_from(demo_changed(
        "/neuro_exams/0/at",
        json!("2026-11-21T08:00:30"),
    ));
    assert_eq!(
        serde_json::to_value(&c).unwrap()["neuro_exams"][0]["at"],
        "2026-11-21T08:00"
    );
}

#[test]
fn escc_accepts_a_number_for_a_digit_grade() {
    let c = case_from(demo_changed("/lesions/0/escc", json!(3)));
    assert_eq!(serde_json::to_value(&c).unwrap()["lesions"][0]["escc"], "3");
}

// ---- Schema 2: the new input rules, each at its boundary -------------------------------

/// The problems of the demo case with JSON-pointer changes applied (null removes nothing;
/// use `Value::Null` to set a field unknown).
fn problems_with(changes: &[(&str, serde_json::Value)]) -> Vec<String> {
    let mut v = demo_value();
    for (ptr, new) in changes {
        *v.pointer_mut(ptr).unwrap_or_else(|| panic!("no {ptr}")) = new.clone();
    }
    problems(v, "2026-12-01T08:00")
}

fn accepted(changes: &[(&str, serde_json::Value)]) {
    assert_eq!(problems_with(changes), Vec::<String>::new(), "{changes:?}");
}

fn refused(changes: &[(&str, serde_json::Value)], want: &str) {
    assert_eq!(
        problems_with(changes),
        vec![want.to_string()],
        "{changes:?}"
    );
}

#[test]
fn ecog_5_and_kps_0_mean_dead_and_are_refused() {
    accepted(&[("/performance/ecog", json!(4))]);
    refused(
        &[("/performance/ecog", json!(5))],
        "performance.ecog: 5 means dead: archive the case instead",
    );
    accepted(&[("/performance/kps", json!(10))]);
    accepted(&[("/performance/kps", json!(100))]);
    refused(
        &[("/performance/kps", json!(0))],
        "performance.kps: 0 means dead: archive the case instead",
    );
    refused(
        &[("/performance/kps", json!(110))],
        "performance.kps: 110 is not 10–100 in steps of 10",
    );
}

#[test]
fn dose_per_fraction_is_half_to_thirty_gy_and_not_above_the_total() {
    let rt = |total: serde_json::Value, d: serde_json::Value| {
        [
            ("/radiotherapy/total_dose_gy", total),
            ("/radiotherapy/dose_per_fraction_gy", d),
        ]
    };
    accepted(&rt(json!(45), json!(0.5)));
    refused(
        &rt(json!(45), json!(0.4)),
        "radiotherapy.dose_per_fraction_gy: 0.4 is out of range (0.5 ≤ x ≤ 30)",
    );
    accepted(&rt(json!(30), json!(30)));
    refused(
        &rt(json!(45), json!(30.1)),
        "radiotherapy.dose_per_fraction_gy: 30.1 is out of range (0.5 ≤ x ≤ 30)",
    );
    // 8 Gy in one fraction: the fraction is the whole course.
    accepted(&rt(json!(8), json!(8)));
    refused(
        &rt(json!(20), json!(25)),
        "radiotherapy.dose_per_fraction_gy: 25 is more than radiotherapy.total_dose_gy (20)",
    );
    // Without a total there is nothing to compare with.
    accepted(&rt(serde_json::Value::Null, json!(25)));
}

#[test]
fn radiotherapy_starts_no_earlier_than_surgery_and_ends_no_earlier_than_it_starts() {
    // The demo's surgery is on 2026-11-20.
    accepted(&[("/radiotherapy/start", json!("2026-11-20"))]);
    refused(
        &[("/radiotherapy/start", json!("2026-11-19"))],
        "radiotherapy.start: \"2026-11-19\" is before surgery.date (2026-11-20): this records the post-operative course",
    );
    accepted(&[
        ("/radiotherapy/start", json!("2026-11-25")),
        ("/radiotherapy/end", json!("2026-11-25")),
    ]);
    refused(
        &[
            ("/radiotherapy/start", json!("2026-11-25")),
            ("/radiotherapy/end", json!("2026-11-24")),
        ],
        "radiotherapy.end: \"2026-11-24\" is before radiotherapy.start (2026-11-25)",
    );
}

#[test]
fn an_mri_time_done_goes_only_with_status_done() {
    accepted(&[("/mri/0/status", json!("done"))]);
    accepted(&[
        ("/mri/0/status", json!("requested")),
        ("/mri/0/at", serde_json::Value::Null),
        ("/mri/0/requested_at", json!("2026-11-30T10:05")),
    ]);
    refused(
        &[("/mri/0/status", json!("requested"))],
        "mri[0].at: is the time an MRI was done, but the status is requested (set status done, or record requested_at)",
    );
    refused(
        &[("/mri/0/status", serde_json::Value::Null)],
        "mri[0].at: is the time an MRI was done, but the status is unknown (set status done, or record requested_at)",
    );
    let got = problems_with(&[("/mri/0/status", json!("planned"))]);
    assert_eq!(
        got[0],
        "mri[0].status: \"planned\" is not one of requested, done"
    );
}

#[test]
fn the_ward_is_at_most_40_characters() {
    accepted(&[("/ward", json!("w".repeat(40)))]);
    refused(
        &[("/ward", json!("w".repeat(41)))],
        "ward: is longer than 40 characters",
    );
    accepted(&[("/ward", serde_json::Value::Null)]);
}

#[test]
fn free_text_refuses_control_characters_and_bidi_overrides() {
    refused(
        &[("/patient/label", json!("Bed \u{1b}[2J12"))],
        "patient.label: contains U+001B (a control character)",
    );
    refused(
        &[("/mri/0/reason", json!("staging \u{202e}gnigats"))],
        "mri[0].reason: contains U+202E (a bidirectional override)",
    );
    refused(
        &[("/radiotherapy/contraindication", json!("x\u{2069}"))],
        "radiotherapy.contraindication: contains U+2069 (a bidirectional override)",
    );
    refused(
        &[("/pathology/markers", json!("ER+\u{85}"))],
        "pathology.markers: contains U+0085 (a control character)",
    );
    refused(
        &[("/ward", json!("4B\u{7f}"))],
        "ward: contains U+007F (a control character)",
    );
    refused(
        &[("/surgery/procedure", json!("line\nbreak"))],
        "surgery.procedure: contains U+000A (a control character)",
    );
    // Newline and tab are fine in notes; a carriage return is not.
    accepted(&[("/notes", json!("day 1:\tstable\nday 2: stable"))]);
    refused(
        &[("/notes", json!("a\r\nb"))],
        "notes: contains U+000D (a control character)",
    );
    // Just outside the ranges: U+00A0 (no-break space), U+2029, U+206A are plain text.
    accepted(&[("/patient/label", json!("Bed\u{a0}12 \u{2029}\u{206a}"))]);
}

#[test]
fn every_refusal_is_listed_at_once() {
    let got = problems_with(&[
        ("/performance/ecog", json!(5)),
        ("/performance/kps", json!(0)),
        ("/ward", json!("\u{7}")),
        ("/radiotherapy/start", json!("2026-11-01")),
        ("/mri/0/status", json!("requested")),
    ]);
    assert_eq!(got.len(), 5, "{got:#?}");
}

#[test]
fn a_case_id_starts_with_a_letter_or_digit() {
    accepted(&[("/id", json!("0-bed"))]);
    refused(
        &[("/id", json!("-bed12"))],
        "id: \"-bed12\" does not start with a letter or digit",
    );
}

#[test]
fn row_uids_are_checked_and_unique_in_their_list() {
    refused(
        &[("/lesions/0/uid", json!("NOT-OK"))],
        "lesions[0].uid: \"NOT-OK\" is not 8–16 characters of a-z and 0-9",
    );
    refused(
        &[("/lesions/1/uid", json!("72dc9554030f"))],
        "lesions[1].uid: \"72dc9554030f\" is also the uid of lesions[0] (a row's uid is its own)",
    );
    // The same uid in two different lists is not a clash.
    accepted(&[("/mri/0/uid", json!("72dc9554030f"))]);
}

#[test]
fn every_row_has_a_uid_derived_when_absent_and_kept_when_present() {
    let mut v = demo_value();
    for list in ["lesions", "neuro_exams", "mri", "degenerative_stenosis"] {
        for row in v[list].as_array_mut().unwrap() {
            row.as_object_mut().unwrap().remove("uid");
        }
    }
    // The demo's uids are exactly the derived ones.
    assert_eq!(case_from(v.clone()), demo());
    v["lesions"][1]["uid"] = json!("chosen12");
    let c = case_from(v);
    assert_eq!(c.lesions[1].uid.as_deref(), Some("chosen12"));
    assert_eq!(
        c.lesions[0].uid,
        Some(spinewatch::case::uid::derived(
            "bed12-2026-11-20",
            "lesions",
            0
        ))
    );
    let mut again = c.clone();
    again.ensure_uids();
    assert_eq!(again, c, "ensure_uids is idempotent");
}

#[test]
fn whole_sections_may_be_null_meaning_every_field_unknown() {
    for section in Case::SECTIONS {
        let mut v = demo_value();
        v[*section] = serde_json::Value::Null;
        let nulled = case_from(v.clone());
        v.as_object_mut().unwrap().remove(*section);
        assert_eq!(
            nulled,
            case_from(v),
            "{section}: null is the same as absent"
        );
    }
    let c = case_from(demo_changed("/tokuhashi", serde_json::Value::Null));
    assert_eq!(c.tokuhashi.vertebral_mets, None);
    let e = evaluate_demo_like(c);
    assert!(e.fired("P-RT-ADJUVANT"));
}

fn evaluate_demo_like(c: Case) -> spinewatch::protocol::Evaluation {
    spinewatch::protocol::evaluate(
        &c,
        &spinewatch::protocol::Protocol::builtin(),
        at("2026-12-01T08:00"),
    )
}

// ---- Time zones: offsets converted into the site zone ----------------------------------

use chrono_tz::Europe::Amsterdam;

fn exam_at_in(at_text: &str, zone: chrono_tz::Tz) -> Result<String, Vec<String>> {
    let v = demo_changed("/neuro_exams/0/at", json!(at_text));
    match Case::from_value_in(&v, at("2030-01-01T00:00"), zone) {
        Ok(c) => Ok(spinewatch::case::format_time(&c.neuro_exams[0].at.unwrap())),
        Err(CaseError::Invalid(list)) => Err(list.iter().map(ToString::to_string).collect()),
        Err(e) => Err(vec![e.to_string()]),
    }
}

#[test]
fn a_utc_time_is_converted_into_the_site_zone_not_read_as_local() {
    assert_eq!(
        exam_at_in("2026-12-01T13:30:00Z", Amsterdam).as_deref(),
        Ok("2026-12-01T14:30")
    );
    assert_eq!(
        exam_at_in("2026-12-01T13:30Z", Amsterdam).as_deref(),
        Ok("2026-12-01T14:30")
    );
    assert_eq!(
        exam_at_in("2026-07-01T08:30+01:00", Amsterdam).as_deref(),
        Ok("2026-07-01T09:30")
    );
    // A local time stays as written.
    assert_eq!(
        exam_at_in("2026-12-01T13:30", Amsterdam).as_deref(),
        Ok("2026-12-01T13:30")
    );
    assert_eq!(
        exam_at_in("2026-12-01T13:30:00Z", chrono_tz::UTC).as_deref(),
        Ok("2026-12-01T13:30")
    );
}

#[test]
fn offsets_across_the_amsterdam_dst_changes_of_2026() {
    // 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC).
    for (utc, local) in [
        ("2026-10-25T00:30Z", "2026-10-25T02:30"),
        ("2026-10-25T01:30Z", "2026-10-25T02:30"),
        ("2026-10-25T02:30Z", "2026-10-25T03:30"),
        ("2026-10-24T23:59+00:00", "2026-10-25T01:59"),
    ] {
        assert_eq!(exam_at_in(utc, Amsterdam).as_deref(), Ok(local), "{utc}");
    }
    // 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC).
    for (utc, local) in [
        ("2026-03-29T00:30Z", "2026-03-29T01:30"),
        ("2026-03-29T01:30Z", "2026-03-29T03:30"),
        ("2026-03-29T02:30:00+01:00", "2026-03-29T03:30"),
    ] {
        assert_eq!(exam_at_in(utc, Amsterdam).as_deref(), Ok(local), "{utc}");
    }
    // A local time in the gap does not exist: refused naming the zone.
    assert_eq!(
        exam_at_in("2026-03-29T02:30", Amsterdam),
        Err(vec![
            "neuro_exams[0].at: \"2026-03-29T02:30\" does not exist in Europe/Amsterdam (the clocks skip it when summer time starts)".to_string()
        ])
    );
    // In UTC it is an ordinary time.
    assert!(exam_at_in("2026-03-29T02:30", chrono_tz::UTC).is_ok());
    // The autumn's doubled hour is accepted and read as the earlier: 01:30 → 03:30 local is
    // three real hours that night, one hour more than on the wall.
    assert_eq!(
        exam_at_in("2026-10-25T02:30", Amsterdam).as_deref(),
        Ok("2026-10-25T02:30")
    );
    use spinewatch::case::zone::elapsed_minutes;
    assert_eq!(
        elapsed_minutes(at("2026-10-25T01:30"), at("2026-10-25T03:30"), Amsterdam),
        180
    );
    assert_eq!(
        elapsed_minutes(at("2026-10-25T02:30"), at("2026-10-25T03:30"), Amsterdam),
        120
    );
    assert_eq!(
        elapsed_minutes(at("2026-03-29T01:30"), at("2026-03-29T03:30"), Amsterdam),
        60
    );
}

#[test]
fn now_with_an_offset_is_converted_too() {
    use spinewatch::cli::parse_now_in;
    assert_eq!(
        parse_now_in("2026-12-01T13:30:00Z", Amsterdam),
        Ok(at("2026-12-01T14:30"))
    );
    assert_eq!(
        parse_now_in("2026-12-01", Amsterdam),
        Ok(at("2026-12-01T00:00"))
    );
    let e = parse_now_in("2026-03-29T02:30", Amsterdam).unwrap_err();
    assert!(e.contains("does not exist in Europe/Amsterdam"), "{e}");
}

// ---- The document: duplicate keys, BOM, UTF-8, size ------------------------------------

#[test]
fn a_duplicate_key_is_refused_naming_it_and_where() {
    let text = DEMO.replacen("\"age\": 64,", "\"age\": 64, \"age\": 46,", 1);
    match Case::from_json_str(&text, at("2026-12-01T08:00")) {
        Err(CaseError::Syntax(m)) => {
            assert!(m.contains("duplicate key \"age\" in patient"), "{m}");
            assert!(m.starts_with("line 5 column "), "{m}");
        }
        other => panic!("{other:?}"),
    }
    let text = DEMO.replacen("\"ward\":", "\"id\": \"x\", \"ward\":", 1);
    let e = Case::from_json_str(&text, at("2026-12-01T08:00")).unwrap_err();
    assert!(
        e.to_string().contains("duplicate key \"id\" in the case"),
        "{e}"
    );
    // The store's reader refuses it the same way (listed as damaged).
    let e = spinewatch::store::schema::decode(text.as_bytes(), at("2026-12-01T08:00")).unwrap_err();
    assert!(e.reason().contains("duplicate key \"id\""), "{e:?}");
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(DEMO.as_bytes());
    let c = Case::from_json_bytes_in(&bytes, at("2026-12-01T08:00"), chrono_tz::UTC).unwrap();
    assert_eq!(c, demo());
    let text = format!("\u{feff}{DEMO}");
    assert_eq!(
        Case::from_json_str(&text, at("2026-12-01T08:00")).unwrap(),
        demo()
    );
    let d = spinewatch::store::schema::decode(&bytes, at("2026-12-01T08:00")).unwrap();
    assert_eq!(d.case, demo());
}

#[test]
fn bytes_that_are_not_utf8_are_refused_naming_the_offset() {
    let at_label = DEMO.find("Bed 12").unwrap() + 3;
    let mut bytes = DEMO.as_bytes().to_vec();
    bytes[at_label] = 0xFF;
    match Case::from_json_bytes_in(&bytes, at("2026-12-01T08:00"), chrono_tz::UTC) {
        Err(CaseError::File(m)) => assert_eq!(
            m,
            format!("not UTF-8 text: invalid byte at offset {at_label}")
        ),
        other => panic!("{other:?}"),
    }
    // After a BOM the offset still counts from the file's first byte.
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&bytes);
    let e = Case::from_json_bytes_in(&with_bom, at("2026-12-01T08:00"), chrono_tz::UTC)
        .unwrap_err()
        .to_string();
    assert!(e.ends_with(&format!("offset {}", at_label + 3)), "{e}");
}

const FOUR_MIB: usize = 4 * 1024 * 1024;

/// The demo case padded with spaces to exactly `len` bytes.
fn demo_of_len(len: usize) -> String {
    let mut s = DEMO.trim_end().to_string();
    s.push_str(&" ".repeat(len - s.len()));
    s
}

#[test]
fn a_case_file_over_4_mib_is_refused_with_its_size_before_parsing() {
    use spinewatch::case::file::read_case_file;
    let dir = tempfile::tempdir().unwrap();
    let ok = dir.path().join("ok.json");
    std::fs::write(&ok, demo_of_len(FOUR_MIB)).unwrap();
    assert_eq!(read_case_file(&ok, at("2026-12-01T08:00")).unwrap(), demo());
    // One byte more, and not even JSON after the limit: refused by size alone.
    let big = dir.path().join("big.json");
    std::fs::write(&big, format!("{}x", demo_of_len(FOUR_MIB))).unwrap();
    let e = read_case_file(&big, at("2026-12-01T08:00")).unwrap_err();
    assert_eq!(e.code, 2);
    assert_eq!(
        e.message,
        format!(
            "{}: 4194305 bytes (4.0 MiB) is over the 4 MiB limit of a case file",
            big.display()
        )
    );
    // The store lists such a file as damaged, with the size.
    let store_dir = tempfile::tempdir().unwrap();
    let mut text = demo_of_len(FOUR_MIB + 10);
    text.insert(0, ' ');
    std::fs::write(store_dir.path().join("bed12-2026-11-20.json"), text).unwrap();
    let store = spinewatch::store::FileStore::open(store_dir.path()).unwrap();
    let listing = spinewatch::store::Store::load_all(&store, at("2026-12-01T08:00")).unwrap();
    assert!(listing.cases.is_empty());
    assert!(
        listing.damaged[0].reason.contains("4194315 bytes"),
        "{:?}",
        listing.damaged
    );
}

#[test]
fn evaluate_exits_2_naming_the_byte_offset_of_bad_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = DEMO.as_bytes().to_vec();
    let offset = DEMO.find("Bed 12").unwrap();
    bytes[offset] = 0xC3; // starts a two-byte sequence that "e" does not continue
    let file = dir.path().join("bad.json");
    std::fs::write(&file, &bytes).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args([
            "evaluate",
            file.to_str().unwrap(),
            "--now",
            "2026-12-01T08:00",
        ])
        .env("SPINEWATCH_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("not UTF-8 text: invalid byte at offset {offset}")),
        "{err}"
    );
}

// ---- Migration /1 → /2 ----------------------------------------------------------------

/// The demo case as schema 1 wrote it: no ward, no uids, MRIs without a status.
fn demo_v1_text() -> String {
    let mut v = demo_value();
    v["schema"] = json!("spinewatch.case/1");
    v.as_object_mut().unwrap().remove("ward");
    for list in ["lesions", "neuro_exams", "mri", "degenerative_stenosis"] {
        for row in v[list].as_array_mut().unwrap() {
            let row = row.as_object_mut().unwrap();
            row.remove("uid");
            if list == "mri" {
                row.remove("status");
                row.remove("requested_at");
            }
        }
    }
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn a_v1_file_is_migrated_with_its_backup_and_the_same_uids_on_every_read() {
    use spinewatch::store::{FileStore, Store};
    let dir = tempfile::tempdir().unwrap();
    let v1 = demo_v1_text();
    std::fs::write(dir.path().join("bed12-2026-11-20.json"), &v1).unwrap();
    let now = at("2026-12-01T08:00");

    let first = {
        let store = FileStore::open(dir.path()).unwrap();
        store.load("bed12-2026-11-20", now).unwrap()
    };
    assert_eq!(first.schema.as_deref(), Some("spinewatch.case/2"));
    assert_eq!(
        first.mri[0].status,
        Some(spinewatch::case::MriStatus::Done),
        "a /1 MRI was an MRI done"
    );
    // The migrated case is the demo (whose uids are the derived ones) without a ward.
    let mut want = demo();
    want.ward = None;
    want.mri[0].requested_at = None;
    // The store's own bookkeeping (`store.version`) is not clinical content.
    let mut clinical = first.clone();
    clinical.extra.remove(spinewatch::store::STORE_KEY);
    assert_eq!(clinical, want);
    // The backup holds the /1 bytes exactly; the file is now /2.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bed12-2026-11-20.v1.bak")).unwrap(),
        v1
    );
    let on_disk = std::fs::read_to_string(dir.path().join("bed12-2026-11-20.json")).unwrap();
    assert!(
        on_disk.contains("\"schema\": \"spinewatch.case/2\""),
        "{on_disk}"
    );
    assert!(on_disk.contains("\"status\": \"done\""));

    // A second read (a fresh store, as another workstation) sees the same uids and changes
    // nothing more: idempotent.
    let store = FileStore::open(dir.path()).unwrap();
    let second = store.load("bed12-2026-11-20", now).unwrap();
    assert_eq!(second, first);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bed12-2026-11-20.json")).unwrap(),
        on_disk
    );
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.sort();
    // The migration is itself an audited change (the trail names the case it produced).
    assert_eq!(
        names,
        [
            "bed12-2026-11-20.json",
            "bed12-2026-11-20.log.jsonl",
            "bed12-2026-11-20.v1.bak"
        ]
    );

    // Read twice without the store (evaluate, import): the same uids as the store gave.
    let a = Case::from_json_str(&v1, now).unwrap();
    let b = Case::from_json_str(&v1, now).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, clinical);
}

#[test]
fn a_v1_mri_with_a_status_keeps_it_and_a_newer_schema_is_refused() {
    let mut v: serde_json::Value = serde_json::from_str(&demo_v1_text()).unwrap();
    v["mri"][0]["status"] = json!("done");
    assert_eq!(
        case_from(v.clone()).mri[0].status,
        Some(spinewatch::case::MriStatus::Done)
    );
    v["schema"] = json!("spinewatch.case/3");
    assert!(
        problems(v, "2026-12-01T08:00")
            .iter()
            .any(|m| m.starts_with("schema: \"spinewatch.case/3\" is not spinewatch.case/2")),
    );
}

// ---- The site zone on the command line -------------------------------------------------

fn evaluate_in_site(site_json: &str, case: &serde_json::Value, now: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.json"), site_json).unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, case.to_string()).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args(["evaluate", file.to_str().unwrap(), "--format", "json"])
        .args(["--now", now])
        .env("SPINEWATCH_CONFIG_DIR", dir.path())
        .env("TZ", "Asia/Tokyo")
        .output()
        .unwrap()
}

#[test]
fn evaluate_reads_offsets_in_the_site_zone_of_site_json() {
    let case = demo_changed("/neuro_exams/0/at", json!("2026-11-30T13:30:00Z"));
    let out = evaluate_in_site(
        r#"{ "timezone": "Europe/Amsterdam" }"#,
        &case,
        "2026-12-01T07:30:00Z",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let eval: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // --now 07:30Z is 08:30 in Amsterdam, and the exam 13:30Z was 14:30 there.
    assert_eq!(eval["now"], "2026-12-01T08:30");
    let text = eval.to_string();
    assert!(text.contains("2026-11-30T14:30"), "{text}");
    assert!(!text.contains("2026-11-30T13:30"), "{text}");
}

#[test]
fn an_unknown_site_timezone_is_an_error_naming_it() {
    let out = evaluate_in_site(
        r#"{ "timezone": "Europe/Amsterdm" }"#,
        &demo_value(),
        "2026-12-01T08:00",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("site.json: timezone: \"Europe/Amsterdm\" is not an IANA time zone name"),
        "{err}"
    );
}

#[test]
fn evaluate_and_import_read_a_v1_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v1.json");
    std::fs::write(&file, demo_v1_text()).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"))
            .args(args)
            .args(["--now", "2026-12-01T08:00"])
            .env("SPINEWATCH_CONFIG_DIR", dir.path())
            .env("TZ", "UTC")
            .output()
            .unwrap()
    };
    let out = run(&["evaluate", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = dir.path().join("data");
    let out = run(&[
        "--data-dir",
        data.to_str().unwrap(),
        "import",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("bed12-2026-11-20.json")).unwrap())
            .unwrap();
    assert_eq!(saved["schema"], "spinewatch.case/2");
    assert_eq!(saved["mri"][0]["status"], "done");
    assert_eq!(
        saved["lesions"][1]["uid"],
        demo_value()["lesions"][1]["uid"]
    );
}

#[test]
fn import_refuses_a_file_over_4_mib_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.json");
    std::fs::write(&file, demo_of_len(FOUR_MIB + 1)).unwrap();
    let data = dir.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args(["--data-dir", data.to_str().unwrap(), "import"])
        .arg(&file)
        .args(["--now", "2026-12-01T08:00"])
        .env("SPINEWATCH_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("4194305 bytes (4.0 MiB) is over the 4 MiB limit of a case file"),
        "{err}"
    );
    assert!(!data.join("bed12-2026-11-20.json").exists());
}
