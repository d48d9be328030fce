//! The FHIR R4 export: a transaction of conditional updates a hospital's server can load
//! twice without duplicates; required elements and value sets; references inside the
//! bundle; names from the case id and row uids, never from the label; times with the
//! site's offset; deletions of removed rows; cancellations of cleared pitfalls.

use chrono::NaiveDateTime;
use serde_json::{Value, json};
use spinewatch::case::{Case, parse_time};
use spinewatch::export::ids::{List, row_uid};
use spinewatch::export::stable::RELATIVE;
use spinewatch::export::{BundleType, FhirContext, fhir_bundle, fhir_json};
use spinewatch::protocol::{Protocol, evaluate};
use spinewatch::store::FhirSent;
use spinewatch::store::audit::Entry;
use std::collections::{BTreeMap, BTreeSet, HashSet};

const DEMO: &str = include_str!("../assets/demo-case.json");
const NOW: &str = "2026-12-01T08:00";
const NS: uuid::Uuid = uuid::uuid!("0b6f3a52-9a59-4c1e-8d0e-4b1c2f7d9e10");

fn at(s: &str) -> NaiveDateTime {
    parse_time(s).expect("a test time")
}

fn case_with(edit: impl FnOnce(&mut Value)) -> Case {
    let mut v: Value = serde_json::from_str(DEMO).unwrap();
    edit(&mut v);
    Case::from_json_str(&v.to_string(), at(NOW)).expect("a valid test case")
}

fn ctx() -> FhirContext {
    FhirContext::new(NS, chrono_tz::Europe::Amsterdam)
}

/// The bundle as sent.
fn raw_export_with(case: &Case, now: &str, ctx: &FhirContext) -> (Value, FhirSent) {
    let protocol = Protocol::builtin();
    let eval = evaluate(case, &protocol, at(now));
    fhir_bundle(case, &eval, &protocol, ctx)
}

/// The bundle with each resource given its `fullUrl`'s UUID as `id`, so tests can name
/// resources (a transaction sends them without: `resources_carry_no_id_but_the_archive_does`).
fn export_with(case: &Case, now: &str, ctx: &FhirContext) -> (Value, FhirSent) {
    let (mut b, sent) = raw_export_with(case, now, ctx);
    for e in b["entry"].as_array_mut().unwrap() {
        let uuid = e["fullUrl"]
            .as_str()
            .and_then(|u| u.strip_prefix("urn:uuid:"))
            .map(str::to_string);
        if let (Some(uuid), Some(r)) = (uuid, e.get_mut("resource").and_then(Value::as_object_mut))
        {
            r.insert("id".into(), json!(uuid));
        }
    }
    (b, sent)
}

fn export(case: &Case, now: &str) -> Value {
    export_with(case, now, &ctx()).0
}

fn demo() -> Value {
    export(&case_with(|_| {}), NOW)
}

fn entries(b: &Value) -> &Vec<Value> {
    b["entry"].as_array().unwrap()
}

fn resources<'a>(b: &'a Value, kind: &str) -> Vec<&'a Value> {
    entries(b)
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn full_urls(b: &Value) -> Vec<String> {
    entries(b)
        .iter()
        .filter_map(|e| e["fullUrl"].as_str().map(str::to_string))
        .collect()
}

fn request_urls(b: &Value) -> Vec<String> {
    entries(b)
        .iter()
        .map(|e| format!("{} {}", e["request"]["method"], e["request"]["url"]))
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

/// Every string anywhere under `v`, with its path.
fn strings(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((path.to_string(), s.clone())),
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                strings(x, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                strings(x, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
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
fn demo_transaction_snapshot() {
    let (b, _) = raw_export_with(&case_with(|_| {}), NOW, &ctx());
    insta::assert_snapshot!(
        "demo_fhir_transaction",
        serde_json::to_string_pretty(&b).unwrap()
    );
}

#[test]
fn every_entry_is_a_conditional_update_by_business_identifier() {
    let (b, _) = raw_export_with(&case_with(|_| {}), NOW, &ctx());
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "transaction");
    let mut seen = HashSet::new();
    for e in entries(&b) {
        let url = e["fullUrl"].as_str().expect("fullUrl");
        let uuid = url.strip_prefix("urn:uuid:").expect("a urn:uuid: fullUrl");
        let parsed = uuid::Uuid::parse_str(uuid).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 5, "v5 ids");
        assert!(
            e["resource"].get("id").is_none(),
            "matched by identifier, not by id"
        );
        assert!(
            seen.insert(url.to_string()),
            "fullUrl {url} is unique (bdl-7)"
        );
        let r = &e["resource"];
        let kind = r["resourceType"].as_str().unwrap();
        assert_eq!(e["request"]["method"], "PUT", "{kind}");
        let req = e["request"]["url"].as_str().unwrap();
        match kind {
            "CodeSystem" => assert_eq!(
                req,
                format!("CodeSystem?url={}", r["url"].as_str().unwrap())
            ),
            // R4 gives Provenance no identifier: it is matched by its tag.
            "Provenance" => {
                let tag = &r["meta"]["tag"][0];
                assert_eq!(
                    req,
                    format!(
                        "Provenance?_tag={}|{}",
                        tag["system"].as_str().unwrap(),
                        tag["code"].as_str().unwrap()
                    )
                );
            }
            _ => {
                let id = &r["identifier"][0];
                assert_eq!(
                    req,
                    format!(
                        "{kind}?identifier={}|{}",
                        id["system"].as_str().unwrap(),
                        id["value"].as_str().unwrap()
                    ),
                    "matched by its own identifier"
                );
                assert_eq!(
                    id["system"],
                    format!("urn:uuid:{NS}"),
                    "no site system: the namespace"
                );
                let value = id["value"].as_str().unwrap();
                if kind != "Device" {
                    assert!(value.starts_with("bed12-2026-11-20/"), "{value}");
                }
            }
        }
    }
    assert!(
        b["timestamp"] == "2026-12-01T07:00:00Z",
        "UTC: {}",
        b["timestamp"]
    );
}

#[test]
fn the_printed_text_is_the_bundle() {
    let protocol = Protocol::builtin();
    let case = critical_case();
    let eval = evaluate(&case, &protocol, at(NOW));
    for kind in [
        BundleType::Transaction,
        BundleType::Batch,
        BundleType::Collection,
    ] {
        let mut c = ctx();
        c.bundle = kind;
        let (text, sent) = fhir_json(&case, &eval, &protocol, &c);
        let (value, sent_too) = fhir_bundle(&case, &eval, &protocol, &c);
        assert_eq!(
            text,
            serde_json::to_string_pretty(&value).unwrap() + "\n",
            "{kind:?}"
        );
        assert_eq!(sent, sent_too);
    }
}

#[test]
fn resources_carry_no_id_but_the_archive_does() {
    let mut c = ctx();
    c.bundle = BundleType::Collection;
    let (col, _) = raw_export_with(&case_with(|_| {}), NOW, &c);
    for e in entries(&col) {
        let url = e["fullUrl"].as_str().unwrap();
        assert_eq!(
            format!("urn:uuid:{}", e["resource"]["id"].as_str().unwrap()),
            url,
            "the archived resource's id agrees with its fullUrl"
        );
    }
    c.bundle = BundleType::Batch;
    let (batch, _) = raw_export_with(&case_with(|_| {}), NOW, &c);
    assert!(
        entries(&batch)
            .iter()
            .all(|e| e["resource"].get("id").is_none())
    );
}

#[test]
fn a_second_export_updates_the_same_resources() {
    let a = demo();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&demo()).unwrap(),
        "one case at one moment: byte for byte the same"
    );
    let later = export(&case_with(|_| {}), "2026-12-03T14:30");
    assert_eq!(full_urls(&a), full_urls(&later));
    assert_eq!(request_urls(&a), request_urls(&later));
    let idents = |b: &Value| -> Vec<Value> {
        entries(b)
            .iter()
            .map(|e| e["resource"]["identifier"].clone())
            .collect()
    };
    assert_eq!(idents(&a), idents(&later));
    assert_eq!(a["id"], later["id"]);
    // Reordering the lesions keeps each lesion's resources.
    let reordered = export(
        &case_with(|v| {
            let l = v["lesions"].as_array_mut().unwrap();
            // Schema 2 rows carry their uid; give them the ones they had in place.
            let case = case_with(|_| {});
            for (i, row) in l.iter_mut().enumerate() {
                row["uid"] = json!(row_uid(&case, List::Lesions, i));
            }
            l.reverse();
        }),
        NOW,
    );
    let by_level = |b: &Value| -> BTreeMap<String, Value> {
        resources(b, "Condition")
            .into_iter()
            .map(|c| {
                (
                    c["bodySite"][0]["text"].as_str().unwrap().to_string(),
                    c["id"].clone(),
                )
            })
            .collect()
    };
    if serde_json::from_str::<Value>(DEMO).unwrap()["schema"] == "spinewatch.case/2" {
        assert_eq!(by_level(&a), by_level(&reordered));
    }
}

#[test]
fn two_installations_and_two_beds_never_meet() {
    let a = demo();
    let mut other_ns = ctx();
    other_ns.namespace = uuid::uuid!("7d1c0c3e-2f1a-4a57-9f63-5e2a1b8c4d20");
    let b = export_with(&case_with(|_| {}), NOW, &other_ns).0;
    let a_urls: HashSet<String> = full_urls(&a).into_iter().collect();
    assert!(full_urls(&b).iter().all(|u| !a_urls.contains(u)));
    // Two patients both labelled "Bed 12", with their own ids and MRNs.
    let one = export(&case_with(|v| v["patient"]["mrn"] = json!("TEST-1")), NOW);
    let two = export(
        &case_with(|v| {
            v["id"] = json!("bed12-2026-11-21");
            v["patient"]["mrn"] = json!("TEST-2");
        }),
        NOW,
    );
    let patient_id = |b: &Value| resources(b, "Patient")[0]["id"].clone();
    assert_ne!(patient_id(&one), patient_id(&two));
    let one_urls: HashSet<String> = full_urls(&one).into_iter().collect();
    let shared: Vec<&Value> = resources(&two, "Patient")
        .into_iter()
        .chain(resources(&two, "Condition"))
        .chain(resources(&two, "Observation"))
        .filter(|r| one_urls.contains(&format!("urn:uuid:{}", r["id"].as_str().unwrap())))
        .collect();
    assert!(shared.is_empty(), "{shared:?}");
    // Under the site's own system, the value names the installation too.
    let mut site = ctx();
    site.identifier_system = Some("https://hospital.example/fhir/spinewatch".into());
    let s = export_with(&case_with(|_| {}), NOW, &site).0;
    let careplan = resources(&s, "CarePlan")[0];
    assert_eq!(
        careplan["identifier"][0],
        json!({ "use": "official", "system": "https://hospital.example/fhir/spinewatch",
                "value": format!("{NS}/bed12-2026-11-20/careplan") })
    );
}

#[test]
fn two_stenoses_at_one_level_are_two_resources() {
    let case = case_with(|v| {
        v["degenerative_stenosis"]
            .as_array_mut()
            .unwrap()
            .push(json!({
                "level": "L4-L5", "severity": "severe", "attributable_symptoms": true,
                "conservative_failed": false, "functionally_limiting": true
            }));
    });
    let b = export(&case, NOW);
    let l45: Vec<&Value> = resources(&b, "Condition")
        .into_iter()
        .filter(|c| c["bodySite"][0]["text"] == "L4-L5")
        .collect();
    assert_eq!(l45.len(), 2);
    assert_ne!(l45[0]["id"], l45[1]["id"]);
    assert_ne!(l45[0]["identifier"], l45[1]["identifier"]);
    let urls = full_urls(&b);
    let unique: HashSet<&String> = urls.iter().collect();
    assert_eq!(unique.len(), urls.len(), "no duplicate fullUrl");
    // Two lesions at one level, likewise.
    let twice = case_with(|v| {
        let mut t12 = v["lesions"][0].clone();
        t12["escc"] = json!("1a");
        t12.as_object_mut().unwrap().remove("uid");
        v["lesions"].as_array_mut().unwrap().push(t12);
    });
    let b = export(&twice, NOW);
    let t12 = resources(&b, "Condition")
        .into_iter()
        .filter(|c| c["bodySite"][0]["text"] == "T12")
        .count();
    assert_eq!(t12, 2);
    let urls = full_urls(&b);
    assert_eq!(urls.iter().collect::<HashSet<_>>().len(), urls.len());
}

fn entry(seq: u64, user: &str, path: &str, old: Value, new: Value) -> Entry {
    Entry {
        seq,
        at: "2026-11-30T10:00".into(),
        user: user.into(),
        path: path.into(),
        old,
        new,
        prev: String::new(),
        hash: String::new(),
        case: None,
    }
}

#[test]
fn a_removed_lesion_becomes_a_delete() {
    let before = case_with(|_| {});
    let t5_uid = row_uid(&before, List::Lesions, 1);
    let t12_uid = row_uid(&before, List::Lesions, 0);
    let after = case_with(|v| {
        v["lesions"].as_array_mut().unwrap().remove(1);
    });
    let mut c = ctx();
    c.history = vec![
        entry(
            1,
            "ana",
            "(import)",
            Value::Null,
            json!({ "file": "bed12.json" }),
        ),
        entry(
            2,
            "ana",
            "lesions[1]",
            json!({ "uid": t5_uid, "level": "T5", "finding": "lucency" }),
            Value::Null,
        ),
    ];
    let (b, _) = export_with(&after, NOW, &c);
    let deletes: Vec<&str> = entries(&b)
        .iter()
        .filter(|e| e["request"]["method"] == "DELETE")
        .map(|e| e["request"]["url"].as_str().unwrap())
        .collect();
    let sys = format!("urn:uuid:{NS}");
    assert_eq!(
        deletes,
        vec![
            format!("Condition?identifier={sys}|bed12-2026-11-20/lesion/{t5_uid}"),
            format!("Observation?identifier={sys}|bed12-2026-11-20/lesion/{t5_uid}/escc"),
            format!("Observation?identifier={sys}|bed12-2026-11-20/lesion/{t5_uid}/sins"),
        ]
    );
    for e in entries(&b)
        .iter()
        .filter(|e| e["request"]["method"] == "DELETE")
    {
        assert!(
            e.get("resource").is_none() && e.get("fullUrl").is_none(),
            "{e}"
        );
    }
    // The lesion still there is updated, not deleted.
    assert!(
        request_urls(&b)
            .iter()
            .any(|u| u.starts_with("\"PUT\" \"Condition") && u.contains(&t12_uid))
    );
    // A collection carries no deletions.
    c.bundle = BundleType::Collection;
    let (col, _) = export_with(&after, NOW, &c);
    assert!(
        entries(&col)
            .iter()
            .all(|e| e.get("request").is_none() && e.get("resource").is_some())
    );
}

#[test]
fn a_score_sent_before_and_no_longer_complete_is_deleted() {
    let (_, sent) = export_with(&case_with(|_| {}), NOW, &ctx());
    let t12_uid = row_uid(&case_with(|_| {}), List::Lesions, 0);
    assert!(
        sent.resources
            .contains(&format!("Observation|lesion/{t12_uid}/sins"))
    );
    let mut c = ctx();
    c.sent = sent;
    let incomplete = case_with(|v| v["lesions"][0]["sins"]["pain"] = Value::Null);
    let (b, next) = export_with(&incomplete, NOW, &c);
    let deletes: Vec<String> = request_urls(&b)
        .into_iter()
        .filter(|u| u.starts_with("\"DELETE\""))
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert!(
        deletes[0].ends_with(&format!("/lesion/{t12_uid}/sins\"")),
        "{deletes:?}"
    );
    // The next export of the same case sends the same bundle.
    let mut c2 = ctx();
    c2.sent = next;
    assert_eq!(export_with(&incomplete, NOW, &c2).0, b);
}

#[test]
fn a_pitfall_cleared_since_the_last_export_is_cancelled() {
    let (first, sent) = export_with(&critical_case(), NOW, &ctx());
    let issue_codes = |b: &Value| -> BTreeMap<String, (String, String)> {
        resources(b, "DetectedIssue")
            .into_iter()
            .map(|d| {
                (
                    d["code"]["coding"][0]["code"].as_str().unwrap().to_string(),
                    (
                        d["status"].as_str().unwrap().to_string(),
                        d["severity"].as_str().unwrap().to_string(),
                    ),
                )
            })
            .collect()
    };
    let before = issue_codes(&first);
    assert_eq!(before["W-NEURO-MRI"], ("final".into(), "high".into()));
    assert_eq!(before["W-DISCHARGE-NO-RT"], ("final".into(), "high".into()));
    assert_eq!(
        before["W-OPIOID-TAPER"],
        ("final".into(), "moderate".into())
    );
    // The discharge plan is dropped: that pitfall has cleared.
    let mut c = ctx();
    c.sent = sent;
    let cleared = {
        let mut v: Value = serde_json::to_value(critical_case()).unwrap();
        v["discharge"]["planned_date"] = Value::Null;
        Case::from_json_str(&v.to_string(), at(NOW)).unwrap()
    };
    let (second, _) = export_with(&cleared, NOW, &c);
    let after = issue_codes(&second);
    assert_eq!(
        after["W-DISCHARGE-NO-RT"],
        ("cancelled".into(), "high".into())
    );
    assert_eq!(after["W-NEURO-MRI"].0, "final");
    let cancelled = resources(&second, "DetectedIssue")
        .into_iter()
        .find(|d| d["status"] == "cancelled")
        .unwrap();
    let first_id = resources(&first, "DetectedIssue")
        .into_iter()
        .find(|d| d["code"]["coding"][0]["code"] == "W-DISCHARGE-NO-RT")
        .unwrap()["identifier"]
        .clone();
    assert_eq!(
        cancelled["identifier"], first_id,
        "the same resource, now cancelled"
    );
    // Without a record of earlier exports nothing is cancelled.
    let (fresh, _) = export_with(&cleared, NOW, &ctx());
    assert!(issue_codes(&fresh).values().all(|(s, _)| s == "final"));
}

#[test]
fn detected_issues_name_the_rule_the_patient_and_the_level() {
    let b = demo();
    let issues = resources(&b, "DetectedIssue");
    let protocol = Protocol::builtin();
    let eval = evaluate(&case_with(|_| {}), &protocol, at(NOW));
    assert_eq!(issues.len(), eval.pitfalls().count());
    let patient = format!(
        "urn:uuid:{}",
        resources(&b, "Patient")[0]["id"].as_str().unwrap()
    );
    let t5 = resources(&b, "Condition")
        .into_iter()
        .find(|c| c["bodySite"][0]["text"] == "T5")
        .map(|c| format!("urn:uuid:{}", c["id"].as_str().unwrap()))
        .unwrap();
    for d in &issues {
        assert_eq!(d["status"], "final");
        assert_eq!(d["patient"]["reference"], patient.as_str());
        assert_eq!(d["identifiedDateTime"], "2026-12-01T08:00:00+01:00");
        assert!(d["detail"].as_str().is_some_and(|t| !t.is_empty()));
    }
    let unplanned = issues
        .iter()
        .find(|d| d["code"]["coding"][0]["code"] == "W-LESION-UNPLANNED")
        .unwrap();
    assert_eq!(unplanned["implicated"], json!([{ "reference": t5 }]));
}

#[test]
fn patient_carries_only_what_is_recorded_and_is_matched_by_the_mrn() {
    let b = demo();
    let p = resources(&b, "Patient")[0];
    assert!(p.get("name").is_none(), "the bed label is not a name");
    assert!(
        p.get("birthDate").is_none(),
        "no birth date made up from the age"
    );
    assert_eq!(p["gender"], "female");
    assert_eq!(p["identifier"].as_array().unwrap().len(), 1);
    let age = resources(&b, "Observation")
        .into_iter()
        .find(|o| o["code"]["coding"][0]["code"] == "30525-0")
        .expect("age as recorded");
    assert_eq!(
        age["valueQuantity"],
        json!({ "value": 64, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a" })
    );
    assert!(
        !serde_json::to_string(&b).unwrap().contains("Bed 12"),
        "the label appears nowhere"
    );

    let with_mrn = case_with(|v| {
        v["patient"]["mrn"] = json!("TEST 0001&x");
        v["patient"]["sex"] = Value::Null;
    });
    let mut site = ctx();
    site.mrn_system = Some("urn:oid:2.16.840.1.113883.2.4.6.3".into());
    let b = export_with(&with_mrn, NOW, &site).0;
    let e = entries(&b)
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .unwrap();
    assert_eq!(
        e["request"]["url"],
        "Patient?identifier=urn:oid:2.16.840.1.113883.2.4.6.3|TEST%200001%26x"
    );
    let mrn = &e["resource"]["identifier"][1];
    assert_eq!(mrn["value"], "TEST 0001&x");
    assert_eq!(mrn["system"], "urn:oid:2.16.840.1.113883.2.4.6.3");
    assert_eq!(mrn["type"]["coding"][0]["code"], "MR");
    assert!(
        e["resource"].get("gender").is_none(),
        "sex unknown, no gender"
    );
    // An MRN without the site's MRN system is kept but not matched on.
    let b = export(&with_mrn, NOW);
    let e = entries(&b)
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .unwrap();
    assert!(
        e["request"]["url"]
            .as_str()
            .unwrap()
            .ends_with("|bed12-2026-11-20/patient")
    );
    assert!(e["resource"]["identifier"][1].get("system").is_none());
}

#[test]
fn times_carry_the_site_offset_and_dates_stay_dates() {
    let b = critical_case();
    let b = export(&b, NOW);
    let procedure = resources(&b, "Procedure")[0];
    assert_eq!(procedure["performedDateTime"], "2026-11-20");
    assert_eq!(procedure["status"], "completed");
    assert_eq!(procedure["bodySite"][0]["text"], "instrumented T10-L2");
    let frankel: Vec<(&str, &str)> = resources(&b, "Observation")
        .into_iter()
        .filter(|o| o["code"]["coding"][0]["code"] == "frankel")
        .map(|o| {
            (
                o["effectiveDateTime"].as_str().unwrap(),
                o["valueCodeableConcept"]["coding"][0]["code"]
                    .as_str()
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        frankel,
        vec![
            ("2026-11-21T08:00:00+01:00", "frankel-e"),
            ("2026-12-01T06:00:00+01:00", "frankel-d")
        ]
    );
    let summer = export(&case_with(|_| {}), "2026-07-01T08:00");
    assert_eq!(summer["timestamp"], "2026-07-01T06:00:00Z");
    let kps = resources(&summer, "Observation")
        .into_iter()
        .find(|o| o["code"]["coding"][0]["code"] == "89243-0")
        .unwrap();
    assert_eq!(kps["effectiveDateTime"], "2026-07-01T08:00:00+02:00");
    assert_eq!(kps["issued"], "2026-07-01T08:00:00+02:00");
    // Every dateTime with a time has seconds and an offset; dates are plain dates.
    let mut all = Vec::new();
    strings(&b, "Bundle", &mut all);
    for (path, s) in all {
        let key = path.rsplit('.').next().unwrap();
        if key.ends_with("DateTime")
            || ["start", "end", "issued", "recorded", "timestamp"].contains(&key)
        {
            let ok = chrono::DateTime::parse_from_rfc3339(s.as_str()).is_ok()
                || (s.len() == 10 && chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").is_ok());
            assert!(ok, "{path}: {s}");
        }
    }
}

#[test]
fn no_display_text_holds_a_relative_time() {
    for case in [case_with(|_| {}), critical_case()] {
        for now in [NOW, "2026-12-01T14:30"] {
            let b = export(&case, now);
            let mut all = Vec::new();
            strings(&b, "Bundle", &mut all);
            for (path, s) in all {
                assert!(!RELATIVE.is_match(&s), "{path}: {s}");
                assert!(!s.contains(" ago"), "{path}: {s}");
            }
        }
    }
    // The plan reads the same at 08:00 and at 14:30.
    let texts = |now| {
        let b = export(&case_with(|_| {}), now);
        serde_json::to_string(&resources(&b, "CarePlan")[0]["activity"]).unwrap()
    };
    assert_eq!(texts(NOW), texts("2026-12-01T14:30"));
}

#[test]
fn required_elements_and_value_sets_follow_r4() {
    for b in [demo(), export(&critical_case(), NOW)] {
        for c in resources(&b, "Condition") {
            assert_eq!(c["clinicalStatus"]["coding"][0]["code"], "active");
            assert_eq!(
                c["clinicalStatus"]["coding"][0]["system"],
                "http://terminology.hl7.org/CodeSystem/condition-clinical"
            );
            assert!(
                ["provisional", "confirmed"].contains(
                    &c["verificationStatus"]["coding"][0]["code"]
                        .as_str()
                        .unwrap()
                )
            );
            assert_eq!(c["category"][0]["coding"][0]["code"], "problem-list-item");
            assert!(c["subject"]["reference"].is_string());
            for ev in c["evidence"].as_array().into_iter().flatten() {
                assert!(
                    ev.get("code").is_some() || ev.get("detail").is_some(),
                    "con-2"
                );
            }
        }
        for o in resources(&b, "Observation") {
            assert_eq!(o["status"], "final");
            assert!(o["code"]["coding"][0]["code"].is_string());
            assert!(o["issued"].is_string());
            let values = o
                .as_object()
                .unwrap()
                .keys()
                .filter(|k| k.starts_with("value"))
                .count();
            assert_eq!(values, 1, "one value[x]: {o}");
            for comp in o["component"].as_array().into_iter().flatten() {
                assert!(
                    comp["code"]["coding"][0]["code"].is_string(),
                    "coded component"
                );
            }
        }
        for d in resources(&b, "DetectedIssue") {
            assert!(["final", "cancelled"].contains(&d["status"].as_str().unwrap()));
            assert!(["high", "moderate", "low"].contains(&d["severity"].as_str().unwrap()));
        }
        let plan = resources(&b, "CarePlan")[0];
        assert_eq!(plan["status"], "active");
        assert_eq!(plan["intent"], "plan");
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
            assert!(statuses.contains(&a["detail"]["status"].as_str().unwrap()));
        }
        let prov = resources(&b, "Provenance")[0];
        assert!(!prov["target"].as_array().unwrap().is_empty());
        assert!(chrono::DateTime::parse_from_rfc3339(prov["recorded"].as_str().unwrap()).is_ok());
        for a in prov["agent"].as_array().unwrap() {
            assert!(a["who"].is_object());
        }
        for cs in resources(&b, "CodeSystem") {
            assert_eq!(cs["status"], "active");
            assert_eq!(cs["content"], "complete");
            assert!(cs["url"].as_str().unwrap().starts_with("https://"));
        }
        check_values(&b, "Bundle");
    }
}

/// FHIR forbids nulls, empty strings, empty arrays and empty objects.
fn check_values(v: &Value, path: &str) {
    match v {
        Value::Null => panic!("{path}: null"),
        Value::String(s) => assert!(!s.trim().is_empty(), "{path}: empty string"),
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
fn every_reference_resolves_inside_the_bundle() {
    for b in [demo(), export(&critical_case(), NOW)] {
        let urls: HashSet<String> = full_urls(&b).into_iter().collect();
        let mut refs = Vec::new();
        references(&b, &mut refs);
        assert!(refs.len() > 10);
        for r in refs {
            assert!(urls.contains(&r), "{r} does not resolve in the bundle");
        }
    }
    // A batch resolves no urn:uuid between entries: its references are conditional.
    let mut c = ctx();
    c.bundle = BundleType::Batch;
    let (batch, _) = export_with(&case_with(|_| {}), NOW, &c);
    assert_eq!(batch["type"], "batch");
    let requests: HashSet<String> = entries(&batch)
        .iter()
        .map(|e| e["request"]["url"].as_str().unwrap().to_string())
        .collect();
    let mut refs = Vec::new();
    references(&batch, &mut refs);
    for r in refs {
        assert!(
            requests.contains(&r),
            "{r} is not an entry's conditional URL"
        );
    }
    assert_eq!(entries(&batch).len(), entries(&demo()).len());
}

#[test]
fn every_own_code_is_published_with_its_display() {
    let b = export(
        &case_with(|v| {
            v["tokuhashi"] = json!({ "extraspinal_bone_mets": 0, "vertebral_mets": 2,
                                 "visceral_mets": "none", "primary": "breast" });
            v["performance"]["ecog"] = json!(2);
        }),
        NOW,
    );
    let mut published: BTreeMap<(String, String), String> = BTreeMap::new();
    for cs in resources(&b, "CodeSystem") {
        for c in cs["concept"].as_array().unwrap() {
            published.insert(
                (
                    cs["url"].as_str().unwrap().into(),
                    c["code"].as_str().unwrap().into(),
                ),
                c["display"].as_str().unwrap().into(),
            );
        }
    }
    fn codings<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(a)) = m.get("coding") {
                    out.extend(a.iter());
                }
                m.values().for_each(|x| codings(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| codings(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    codings(&b, &mut all);
    let mut own = 0;
    for c in all {
        let system = c["system"].as_str().unwrap();
        if system.starts_with("https://spinewatch.example/") {
            own += 1;
            let key = (system.to_string(), c["code"].as_str().unwrap().to_string());
            assert_eq!(
                published.get(&key).map(String::as_str),
                c["display"].as_str(),
                "{key:?}"
            );
        }
    }
    assert!(own > 20, "{own}");
    // Tokuhashi reads the KPS and the latest Frankel grade.
    let obs = resources(&b, "Observation");
    let url_of = |code: &str| {
        obs.iter()
            .rfind(|o| o["code"]["coding"][0]["code"] == code)
            .map(|o| format!("urn:uuid:{}", o["id"].as_str().unwrap()))
            .unwrap()
    };
    let toku = obs
        .iter()
        .find(|o| o["code"]["coding"][0]["code"] == "tokuhashi-revised")
        .unwrap();
    assert_eq!(toku["valueInteger"], 13);
    assert_eq!(
        toku["derivedFrom"],
        json!([{ "reference": url_of("89243-0") }, { "reference": url_of("frankel") }])
    );
    assert_eq!(toku["component"].as_array().unwrap().len(), 6);
    let sins = obs
        .iter()
        .find(|o| o["code"]["coding"][0]["code"] == "sins")
        .unwrap();
    assert_eq!(sins["valueInteger"], 13);
    assert_eq!(
        sins["component"][1]["code"]["coding"][0]["code"],
        "sins-pain"
    );
    assert_eq!(
        sins["component"][1]["valueCodeableConcept"]["coding"][0]["code"],
        "sins-pain-mechanical"
    );
}

#[test]
fn condition_verification_follows_the_pathology() {
    let status = |b: &Value, level: &str| {
        resources(b, "Condition")
            .into_iter()
            .find(|c| c["bodySite"][0]["text"] == level)
            .map(|c| {
                c["verificationStatus"]["coding"][0]["code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .unwrap()
    };
    let b = demo();
    assert_eq!(status(&b, "T12"), "provisional");
    assert_eq!(status(&b, "T5"), "provisional");
    let final_ = export(
        &case_with(|v| {
            v["pathology"]["status"] = json!("final");
            v["pathology"]["histology"] = json!("breast");
        }),
        NOW,
    );
    assert_eq!(
        status(&final_, "T12"),
        "confirmed",
        "the biopsied, treated mass"
    );
    assert_eq!(
        status(&final_, "T5"),
        "provisional",
        "another lesion is not confirmed by it"
    );
}

#[test]
fn activity_status_comes_from_the_facts() {
    let status_of = |b: &Value, id: &str| {
        resources(b, "CarePlan")[0]["activity"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["detail"]["code"]["coding"][0]["code"] == id)
            .map(|a| a["detail"]["status"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no activity {id}"))
    };
    let b = demo();
    assert_eq!(status_of(&b, "P-RT-ADJUVANT"), "not-started");
    assert_eq!(
        status_of(&b, "P-PAIN-DEXA"),
        "in-progress",
        "IV dexamethasone is being given"
    );
    assert_eq!(status_of(&b, "P-PAIN-OPIOID"), "in-progress");
    assert_eq!(
        status_of(&b, "P-PAIN-NSAID"),
        "not-started",
        "NSAID not given"
    );
    assert_eq!(
        status_of(&b, "B-MRI-WHOLE-SPINE"),
        "not-started",
        "no MRI after the plan"
    );
    let planned = export(
        &case_with(|v| v["radiotherapy"]["planned_start"] = json!("2026-12-07")),
        NOW,
    );
    assert_eq!(status_of(&planned, "P-RT-ADJUVANT"), "scheduled");
    let started = export(
        &case_with(|v| v["radiotherapy"]["start"] = json!("2026-11-30")),
        NOW,
    );
    assert_eq!(status_of(&started, "P-RT-ADJUVANT"), "in-progress");
    let done = export(
        &case_with(|v| {
            v["radiotherapy"]["start"] = json!("2026-11-21");
            v["radiotherapy"]["end"] = json!("2026-11-27");
        }),
        NOW,
    );
    assert_eq!(status_of(&done, "P-RT-ADJUVANT"), "completed");
    let deferred = export(
        &case_with(|v| v["radiotherapy"]["contraindication"] = json!("wound dehiscence")),
        "2026-12-20T08:00",
    );
    assert_eq!(status_of(&deferred, "P-RT-ADJUVANT"), "on-hold");
    let mdt = export(
        &case_with(|v| v["mdt"]["held_at"] = json!("2026-11-30T14:00")),
        NOW,
    );
    if resources(&mdt, "CarePlan")[0]["activity"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["detail"]["code"]["coding"][0]["code"] == "P-MDT")
    {
        assert_eq!(status_of(&mdt, "P-MDT"), "completed");
    }
    let archived = export(&case_with(|v| v["archived"] = json!(true)), NOW);
    assert_eq!(resources(&archived, "CarePlan")[0]["status"], "completed");
}

#[test]
fn provenance_names_the_clinicians_and_spinewatch() {
    let mut c = ctx();
    c.history = vec![
        entry(1, "ana", "(import)", Value::Null, json!({})),
        entry(2, "ben", "wound.status", json!("healing"), json!("healed")),
        entry(3, "ana", "wound.status", json!("healed"), json!("healing")),
    ];
    let (b, _) = export_with(&case_with(|_| {}), NOW, &c);
    let prov = resources(&b, "Provenance")[0];
    let agents: Vec<(&str, &str)> = prov["agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["type"]["coding"][0]["code"].as_str().unwrap(),
                a["who"]["display"]
                    .as_str()
                    .or(a["who"]["reference"].as_str())
                    .unwrap(),
            )
        })
        .collect();
    let device = format!(
        "urn:uuid:{}",
        resources(&b, "Device")[0]["id"].as_str().unwrap()
    );
    assert_eq!(
        agents,
        vec![
            ("author", "ana"),
            ("author", "ben"),
            ("assembler", device.as_str())
        ]
    );
    let versions: BTreeSet<String> = resources(&b, "Device")[0]["version"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {}",
                v["type"]["text"].as_str().unwrap(),
                v["value"].as_str().unwrap()
            )
        })
        .collect();
    let p = Protocol::builtin();
    assert!(versions.contains(&format!("spinewatch {}", env!("CARGO_PKG_VERSION"))));
    assert!(versions.contains(&format!("protocol {} {}", p.name, p.version)));
    // Provenance covers the clinical resources.
    assert!(prov["target"].as_array().unwrap().len() >= resources(&b, "Observation").len() + 3);
}

#[test]
fn an_empty_case_exports_a_valid_minimal_bundle() {
    let case =
        Case::from_json_str(r#"{"schema": "spinewatch.case/1", "id": "empty"}"#, at(NOW)).unwrap();
    let b = export(&case, NOW);
    check_values(&b, "Bundle");
    assert_eq!(resources(&b, "Patient").len(), 1);
    assert_eq!(resources(&b, "Procedure").len(), 0, "no surgery recorded");
    assert_eq!(resources(&b, "Condition").len(), 0);
    assert_eq!(resources(&b, "Observation").len(), 0);
    let plan = resources(&b, "CarePlan")[0];
    assert_eq!(plan["status"], "active");
    assert!(plan.get("addresses").is_none());
    // A case file without an id still names its resources the same on every export.
    let no_id = || case_with(|v| v.as_object_mut().unwrap().remove("id").map(|_| ()).unwrap());
    let a = export(&no_id(), NOW);
    assert_eq!(
        full_urls(&a),
        full_urls(&export(&no_id(), "2026-12-02T08:00"))
    );
    check_values(&a, "Bundle");
}
