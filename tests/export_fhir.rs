//! The FHIR R4 export: required elements, code values, references inside the bundle,
//! stable ids, and only what the case holds.

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use spinewatch::case::{Case, parse_time};
use spinewatch::export::fhir_bundle;
use spinewatch::protocol::{Kind, Protocol, evaluate};
use std::collections::{BTreeSet, HashSet};

const DEMO: &str = include_str!("../assets/demo-case.json");

fn at(s: &str) -> NaiveDateTime {
    parse_time(s).expect("a test time")
}

fn case_with(edit: impl FnOnce(&mut Value)) -> Case {
    let mut v: Value = serde_json::from_str(DEMO).unwrap();
    edit(&mut v);
    Case::from_json_str(&v.to_string(), at("2026-12-01T08:00")).expect("a valid test case")
}

fn export(case: &Case, now: &str) -> Value {
    let protocol = Protocol::builtin();
    let eval = evaluate(case, &protocol, at(now));
    fhir_bundle(case, &eval, &protocol)
}

fn demo() -> Value {
    export(&case_with(|_| {}), "2026-12-01T08:00")
}

fn resources<'a>(b: &'a Value, kind: &str) -> Vec<&'a Value> {
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn ids(b: &Value) -> Vec<String> {
    b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap().to_string())
        .collect()
}

/// Every `reference` value anywhere under `v`.
fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "reference" {
                    out.push(x.as_str().expect("a reference is a string").to_string());
                } else {
                    references(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        _ => {}
    }
}

#[test]
fn demo_bundle_snapshot() {
    insta::assert_snapshot!("demo_fhir", serde_json::to_string_pretty(&demo()).unwrap());
}

#[test]
fn bundle_is_a_collection_and_every_entry_has_a_matching_urn_uuid_full_url() {
    let b = demo();
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    let mut seen = HashSet::new();
    for e in b["entry"].as_array().unwrap() {
        let url = e["fullUrl"].as_str().expect("fullUrl");
        let uuid = url.strip_prefix("urn:uuid:").expect("a urn:uuid: fullUrl");
        let parsed = uuid::Uuid::parse_str(uuid).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 5, "deterministic v5 ids");
        assert_eq!(
            e["resource"]["id"], uuid,
            "the resource id agrees with its fullUrl"
        );
        assert!(seen.insert(url.to_string()), "fullUrl {url} is unique");
    }
}

#[test]
fn demo_bundle_holds_the_expected_resources() {
    let b = demo();
    let count = |k| resources(&b, k).len();
    assert_eq!(count("Patient"), 1);
    assert_eq!(count("Procedure"), 1);
    // T12, T5 and the L4-L5 degenerative stenosis.
    assert_eq!(count("Condition"), 3);
    // SINS T12, ESCC T12, KPS, Frankel (Tokuhashi incomplete, ECOG not recorded).
    assert_eq!(count("Observation"), 4);
    assert_eq!(count("CarePlan"), 1);
}

#[test]
fn required_elements_and_code_values_follow_r4() {
    let b = demo();
    for p in resources(&b, "Procedure") {
        assert!(
            [
                "preparation",
                "in-progress",
                "not-done",
                "on-hold",
                "stopped",
                "completed",
                "entered-in-error",
                "unknown"
            ]
            .contains(&p["status"].as_str().unwrap())
        );
        assert!(p["subject"]["reference"].is_string());
    }
    for c in resources(&b, "Condition") {
        assert!(c["subject"]["reference"].is_string());
        for ev in c["evidence"].as_array().into_iter().flatten() {
            // con-2: evidence has a code or a detail.
            assert!(ev.get("code").is_some() || ev.get("detail").is_some());
        }
    }
    for o in resources(&b, "Observation") {
        assert!(["final", "preliminary"].contains(&o["status"].as_str().unwrap()));
        assert!(o["code"].is_object());
        assert!(o["subject"]["reference"].is_string());
        let values: Vec<&String> = o
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.starts_with("value"))
            .collect();
        assert_eq!(values.len(), 1, "one value[x] per observation: {values:?}");
        for comp in o["component"].as_array().into_iter().flatten() {
            assert!(comp["code"].is_object());
        }
    }
    let plans = resources(&b, "CarePlan");
    let plan = plans[0];
    assert_eq!(plan["status"], "active");
    assert_eq!(plan["intent"], "plan");
    assert!(plan["subject"]["reference"].is_string());
    let statuses = [
        "not-started",
        "scheduled",
        "in-progress",
        "on-hold",
        "completed",
        "cancelled",
        "stopped",
        "unknown",
        "entered-in-error",
    ];
    for a in plan["activity"].as_array().unwrap() {
        let detail = &a["detail"];
        assert!(
            statuses.contains(&detail["status"].as_str().unwrap()),
            "{detail}"
        );
        assert!(
            detail["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty())
        );
        assert_eq!(detail["code"]["coding"][0]["system"], "urn:spinewatch:rule");
    }
}

#[test]
fn every_reference_resolves_inside_the_bundle() {
    for b in [demo(), export(&critical_case(), "2026-12-01T08:00")] {
        let urls: HashSet<String> = ids(&b).into_iter().collect();
        let mut refs = Vec::new();
        references(&b, &mut refs);
        assert!(refs.len() > 10);
        for r in refs {
            assert!(urls.contains(&r), "{r} does not resolve in the bundle");
        }
    }
}

#[test]
fn the_careplan_addresses_every_condition_and_links_the_evidence() {
    let b = demo();
    let plan = resources(&b, "CarePlan")[0];
    let addressed: BTreeSet<&str> = plan["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reference"].as_str().unwrap())
        .collect();
    let conditions: BTreeSet<String> = resources(&b, "Condition")
        .iter()
        .map(|c| format!("urn:uuid:{}", c["id"].as_str().unwrap()))
        .collect();
    assert_eq!(
        addressed,
        conditions
            .iter()
            .map(String::as_str)
            .collect::<BTreeSet<_>>()
    );
    let t12 = resources(&b, "Condition")
        .into_iter()
        .find(|c| c["bodySite"][0]["text"] == "T12")
        .expect("the T12 condition");
    assert_eq!(t12["code"]["text"], "spinal destructive mass");
    assert_eq!(t12["evidence"][0]["detail"].as_array().unwrap().len(), 2);
}

#[test]
fn same_case_exports_the_same_ids_at_any_time() {
    let a = demo();
    assert_eq!(a, demo(), "the same case and moment give the same bundle");
    let later = export(&case_with(|_| {}), "2026-12-03T14:30");
    assert_eq!(ids(&a)[..5], ids(&later)[..5]);
    assert_eq!(a["id"], later["id"]);
    // Reordering the lesions keeps each lesion's Condition id.
    let reordered = export(
        &case_with(|v| {
            let l = v["lesions"].as_array_mut().unwrap();
            l.reverse();
        }),
        "2026-12-01T08:00",
    );
    let id_of = |b: &Value, level: &str| {
        resources(b, "Condition")
            .into_iter()
            .find(|c| c["bodySite"][0]["text"] == level)
            .map(|c| c["id"].clone())
            .unwrap()
    };
    assert_eq!(id_of(&a, "T5"), id_of(&reordered, "T5"));
    assert_eq!(id_of(&a, "T12"), id_of(&reordered, "T12"));
}

#[test]
fn another_case_gets_other_ids() {
    let a = demo();
    let other = export(
        &case_with(|v| v["id"] = json!("bed14-2026-11-21")),
        "2026-12-01T08:00",
    );
    let a_ids: HashSet<String> = ids(&a).into_iter().collect();
    assert!(ids(&other).iter().all(|id| !a_ids.contains(id)));
}

#[test]
fn patient_carries_only_what_is_recorded() {
    let b = demo();
    let p = resources(&b, "Patient")[0];
    assert_eq!(p["name"], json!([{ "text": "Bed 12" }]));
    assert_eq!(p["gender"], "female");
    assert!(
        p.get("identifier").is_none(),
        "no MRN recorded, no identifier"
    );
    // Age 64 is recorded, but a birth date would be invented from it.
    assert!(p.get("birthDate").is_none());

    let with_mrn = export(
        &case_with(|v| {
            v["patient"]["mrn"] = json!("TEST-0001");
            v["patient"]["sex"] = Value::Null;
        }),
        "2026-12-01T08:00",
    );
    let p = resources(&with_mrn, "Patient")[0];
    assert_eq!(p["identifier"][0]["value"], "TEST-0001");
    assert_eq!(p["identifier"][0]["type"]["coding"][0]["code"], "MR");
    assert!(p.get("gender").is_none(), "sex unknown, no gender");
}

#[test]
fn observations_only_for_recorded_and_complete_scores() {
    let b = demo();
    let obs = resources(&b, "Observation");
    let by_text = |t: &str| {
        obs.iter()
            .find(|o| o["code"]["text"].as_str().unwrap().contains(t))
    };
    let sins = by_text("SINS").expect("SINS for T12");
    assert_eq!(sins["valueInteger"], 13);
    assert_eq!(sins["interpretation"][0]["text"], "unstable");
    assert_eq!(sins["bodySite"]["text"], "T12");
    assert_eq!(sins["component"].as_array().unwrap().len(), 6);
    let kps = by_text("Karnofsky").expect("KPS");
    assert_eq!(kps["code"]["coding"][0]["system"], "http://loinc.org");
    assert_eq!(kps["code"]["coding"][0]["code"], "89243-0");
    assert_eq!(kps["valueInteger"], 60);
    let frankel = by_text("Frankel").expect("Frankel");
    assert_eq!(frankel["valueCodeableConcept"]["coding"][0]["code"], "E");
    assert_eq!(frankel["effectiveDateTime"], "2026-11-21");
    assert!(
        by_text("Tokuhashi").is_none(),
        "incomplete Tokuhashi is not exported"
    );
    assert!(
        by_text("ECOG").is_none(),
        "ECOG is not recorded (only derived from KPS)"
    );
    // T5 has no SINS and no ESCC: no observation sits on T5.
    assert!(obs.iter().all(|o| o["bodySite"]["text"] != "T5"));

    let complete = export(
        &case_with(|v| {
            v["tokuhashi"] = json!({ "extraspinal_bone_mets": 0, "vertebral_mets": 2,
                                     "visceral_mets": "none", "primary": "breast" });
            v["performance"]["ecog"] = json!(2);
        }),
        "2026-12-01T08:00",
    );
    let obs = resources(&complete, "Observation");
    let toku = obs
        .iter()
        .find(|o| o["code"]["text"] == "Revised Tokuhashi score")
        .expect("a complete Tokuhashi is exported");
    // KPS 60 → 1, extraspinal 0 → 2, vertebral 2 → 1, visceral none → 2, breast → 5, Frankel E → 2.
    assert_eq!(toku["valueInteger"], 13);
    let ecog = obs
        .iter()
        .find(|o| o["code"]["coding"][0]["code"] == "89247-1")
        .expect("ECOG with its LOINC code");
    assert_eq!(ecog["valueInteger"], 2);
}

/// A worse neuro exam without MRI and a planned discharge: two critical pitfalls.
fn critical_case() -> Case {
    case_with(|v| {
        v["neuro_exams"].as_array_mut().unwrap().push(json!({
            "at": "2026-12-01T06:00", "frankel": "d", "motor": "impaired",
            "sensation": "normal", "sphincter": "normal", "new_or_worse": true
        }));
        v["discharge"]["planned_date"] = json!("2026-12-02");
    })
}

#[test]
fn plan_items_are_activities_pitfalls_and_asks_are_notes() {
    let case = critical_case();
    let protocol = Protocol::builtin();
    let eval = evaluate(&case, &protocol, at("2026-12-01T08:00"));
    let b = fhir_bundle(&case, &eval, &protocol);
    let plan = resources(&b, "CarePlan")[0];
    let codes: Vec<&str> = plan["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["detail"]["code"]["coding"][0]["code"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = eval
        .items
        .iter()
        .filter(|i| i.kind == Kind::Plan)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(codes, expected, "one activity per plan item");
    let notes: Vec<&str> = plan["note"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert!(
        notes[0].starts_with("CRITICAL pitfall [W-DISCHARGE-NO-RT]"),
        "{notes:?}"
    );
    assert!(
        notes[1].starts_with("CRITICAL pitfall [W-NEURO-MRI]"),
        "{notes:?}"
    );
    assert!(notes[2].starts_with("WARNING pitfall ["), "{notes:?}");
    let pitfalls = eval.pitfalls().count();
    let asks = eval.items.iter().filter(|i| i.kind == Kind::Ask).count();
    assert_eq!(notes.len(), pitfalls + asks);
    assert!(
        notes[pitfalls..]
            .iter()
            .all(|n| n.starts_with("STILL TO RECORD [A-"))
    );
    assert!(notes.contains(
        &"STILL TO RECORD [A-NSAID-CI] Record NSAID contraindication (field: medications.nsaid_contraindicated)"
    ));
}

#[test]
fn activity_status_follows_the_radiotherapy_course() {
    let status_of = |b: &Value, id: &str| {
        resources(b, "CarePlan")[0]["activity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["detail"]["code"]["coding"][0]["code"] == id)
            .map(|a| a["detail"]["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    let b = demo();
    assert_eq!(status_of(&b, "P-RT-ADJUVANT"), "not-started");
    assert_eq!(status_of(&b, "P-MON-NEURO"), "in-progress");
    let planned = export(
        &case_with(|v| v["radiotherapy"]["planned_start"] = json!("2026-12-07")),
        "2026-12-01T08:00",
    );
    assert_eq!(status_of(&planned, "P-RT-ADJUVANT"), "scheduled");
    let started = export(
        &case_with(|v| v["radiotherapy"]["start"] = json!("2026-11-30")),
        "2026-12-01T08:00",
    );
    assert_eq!(status_of(&started, "P-RT-ADJUVANT"), "in-progress");
    let done = export(
        &case_with(|v| {
            v["radiotherapy"]["start"] = json!("2026-11-21");
            v["radiotherapy"]["end"] = json!("2026-11-27");
        }),
        "2026-12-01T08:00",
    );
    assert_eq!(status_of(&done, "P-RT-ADJUVANT"), "completed");
}

/// FHIR forbids nulls, empty strings, arrays and objects; dates here carry no time (the
/// case's local times have no offset, and an R4 dateTime with a time must have one).
fn check_values(v: &Value, path: &str) {
    match v {
        Value::Null => panic!("{path}: null"),
        Value::String(s) => {
            assert!(!s.trim().is_empty(), "{path}: empty string");
            let key = path.rsplit('.').next().unwrap();
            if key.ends_with("DateTime") || key == "start" || key == "end" {
                let ok = s.len() == 10
                    && s.as_bytes()[4] == b'-'
                    && s.as_bytes()[7] == b'-'
                    && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok();
                assert!(ok, "{path}: {s} is not a FHIR date");
            }
        }
        Value::Array(a) => {
            assert!(!a.is_empty(), "{path}: empty array");
            for (i, x) in a.iter().enumerate() {
                check_values(x, &format!("{path}[{i}]"));
            }
        }
        Value::Object(m) => {
            assert!(!m.is_empty(), "{path}: empty object");
            for (k, x) in m {
                check_values(x, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

#[test]
fn no_empty_values_and_dates_without_a_guessed_offset() {
    check_values(&demo(), "Bundle");
    check_values(&export(&critical_case(), "2026-12-01T08:00"), "Bundle");
    let planned = export(
        &case_with(|v| v["radiotherapy"]["planned_start"] = json!("2026-12-07")),
        "2026-12-01T08:00",
    );
    check_values(&planned, "Bundle");
}

#[test]
fn an_empty_case_exports_a_valid_minimal_bundle() {
    let case = Case::from_json_str(
        r#"{"schema": "spinewatch.case/1", "id": "empty"}"#,
        at("2026-12-01T08:00"),
    )
    .unwrap();
    let b = export(&case, "2026-12-01T08:00");
    check_values(&b, "Bundle");
    assert_eq!(resources(&b, "Patient").len(), 1);
    assert_eq!(resources(&b, "Procedure").len(), 0, "no surgery recorded");
    assert_eq!(resources(&b, "Condition").len(), 0);
    assert_eq!(resources(&b, "Observation").len(), 0);
    let plan = resources(&b, "CarePlan")[0];
    assert_eq!(plan["status"], "active");
    assert!(plan.get("addresses").is_none());
}

#[test]
fn the_careplan_carries_the_case_id_and_a_case_without_id_still_exports_stably() {
    let b = demo();
    let plan = resources(&b, "CarePlan")[0];
    assert_eq!(
        plan["identifier"],
        json!([{ "system": "urn:spinewatch:case", "value": "bed12-2026-11-20" }])
    );
    let no_id = || case_with(|v| v.as_object_mut().unwrap().remove("id").map(|_| ()).unwrap());
    let a = export(&no_id(), "2026-12-01T08:00");
    assert_eq!(ids(&a), ids(&export(&no_id(), "2026-12-02T08:00")));
    assert!(resources(&a, "CarePlan")[0].get("identifier").is_none());
    check_values(&a, "Bundle");
}
