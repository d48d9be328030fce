//! The exports of many varied cases: repeated levels, drops of the Frankel grade, untimed
//! exams, odd MRNs, wide labels, archived cases, every RT phase. Whatever the case, the
//! transaction names every resource once, every reference resolves, nothing is empty, no
//! text is relative, a second export is the same, and the note fits 80 columns.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use serde_json::{Value, json};
use spinewatch::case::{Case, parse_time};
use spinewatch::export::stable::RELATIVE;
use spinewatch::export::{BundleType, FhirContext, fhir_bundle, handover_text};
use spinewatch::protocol::{Protocol, evaluate};
use std::collections::HashSet;
use unicode_width::UnicodeWidthStr;

const NS: uuid::Uuid = uuid::uuid!("5c1e0a7b-3d2f-4b6a-9e8d-7f6a5b4c3d2e");
const LEVELS: &[&str] = &["T5", "T12", "L1", "C7", "S1"];
const SEGMENTS: &[&str] = &["L4-L5", "L3-L4"];
const FRANKEL: &[&str] = &["a", "b", "c", "d", "e"];
const SEVERITY: &[&str] = &["mild", "moderate", "severe"];
const ESCC: &[&str] = &["0", "1a", "1b", "1c", "2", "3"];

fn day(d: NaiveDate, n: i64) -> String {
    (d + Duration::days(n)).format("%Y-%m-%d").to_string()
}

prop_compose! {
    fn lesion()(level in 0..LEVELS.len(), escc in prop::option::of(0..6usize),
                treated in any::<bool>(), sins in any::<bool>()) -> Value {
        json!({
            "level": LEVELS[level],
            "finding": "destructive_mass",
            "canal_stenosis": "moderate",
            "escc": escc.map(|g| ESCC[g]),
            "treated": if treated { "surgery" } else { "none" },
            "management": "radiotherapy",
            "sins": if sins {
                json!({ "location": null, "pain": "mechanical", "bone_lesion": "lytic",
                        "alignment": "normal", "collapse": "lt_50", "posterolateral": "none" })
            } else { Value::Null },
        })
    }
}

prop_compose! {
    fn case()(
        surgery_day in 0i64..30,
        lesions in prop::collection::vec(lesion(), 0..4),
        stenoses in prop::collection::vec((0..SEGMENTS.len(), 0..3usize), 0..3),
        exams in prop::collection::vec((prop::option::of(0i64..40), 0..5usize, any::<bool>()), 0..4),
        mrn in prop::option::of("[A-Za-z0-9 &|,$#/-]{1,12}"),
        label in prop::sample::select(vec!["Bed 12", "病床十二", "Bed 3 (window)"]),
        path_final in any::<bool>(),
        kps in prop::option::of(1u32..=10),
        rt in 0..4usize,
        contraindication in any::<bool>(),
        archived in any::<bool>(),
        discharge in any::<bool>(),
        after in 0i64..40,
        minute in 0i64..1440,
    ) -> (Value, String) {
        let surgery = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + Duration::days(surgery_day);
        let now = surgery + Duration::days(after + 1);
        let exams: Vec<Value> = exams
            .into_iter()
            .map(|(d, f, impaired)| json!({
                "at": d.filter(|d| *d <= after).map(|d| format!("{}T08:00", day(surgery, d))),
                "frankel": FRANKEL[f],
                "motor": if impaired { "impaired" } else { "normal" },
                "sensation": "normal", "sphincter": "normal", "new_or_worse": false,
            }))
            .collect();
        let (start, end) = match rt {
            1 => (Some(day(surgery, 1.min(after))), None),
            2 => (Some(day(surgery, 0)), Some(day(surgery, after))),
            _ => (None, None),
        };
        let v = json!({
            "schema": "spinewatch.case/2",
            "id": "bed-props",
            "ward": "4B spine",
            "patient": { "label": label, "mrn": mrn, "age": 70, "sex": "male" },
            "surgery": { "date": day(surgery, 0), "procedure": "Posterior stabilization",
                         "span": "T10-L2", "indication": "instability" },
            "lesions": lesions,
            "degenerative_stenosis": stenoses.into_iter().map(|(s, sev)| json!({
                "level": SEGMENTS[s], "severity": SEVERITY[sev],
                "attributable_symptoms": sev == 2, "conservative_failed": false,
                "functionally_limiting": false })).collect::<Vec<_>>(),
            "neuro_exams": exams,
            "mri": [ { "status": "done", "at": format!("{}T10:00", day(surgery, -1)), "reason": "staging" } ],
            "pathology": { "biopsy_date": day(surgery, -1),
                           "status": if path_final { "final" } else { "pending" },
                           "histology": if path_final { json!("breast") } else { Value::Null } },
            "performance": { "ecog": null, "kps": kps.map(|k| k * 10) },
            "radiotherapy": { "consult": "requested",
                              "contraindication": if contraindication { json!("wound") } else { Value::Null },
                              "planned_start": if rt == 3 { json!(day(surgery, after + 3)) } else { Value::Null },
                              "start": start, "end": end },
            "medications": { "dexamethasone": "oral", "opioid": "short_acting" },
            "discharge": { "planned_date": if discharge { json!(day(now, 1)) } else { Value::Null } },
            "notes": "",
            "archived": archived,
        });
        let now = format!("{}T{:02}:{:02}", now.format("%Y-%m-%d"), minute / 60, minute % 60);
        (v, now)
    }
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn references(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("reference", Value::String(s)) => out.push(s.clone()),
                    _ => references(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| references(x, out)),
        _ => {}
    }
}

fn no_empty(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty() && a.iter().all(no_empty),
        Value::Object(m) => !m.is_empty() && m.values().all(no_empty),
        _ => true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_varied_case_exports_a_sound_transaction_and_note((v, now) in case()) {
        let now = parse_time(&now).unwrap();
        let case = Case::from_json_str(&v.to_string(), now)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let protocol = Protocol::builtin().with_zone(chrono_tz::Europe::Amsterdam);
        let eval = evaluate(&case, &protocol, now);
        let ctx = FhirContext::new(NS, chrono_tz::Europe::Amsterdam);
        let (b, _) = fhir_bundle(&case, &eval, &protocol, &ctx);
        prop_assert_eq!(&b, &fhir_bundle(&case, &eval, &protocol, &ctx).0);
        prop_assert!(no_empty(&b), "an empty value");
        let entries = b["entry"].as_array().unwrap();
        let urls: Vec<&str> = entries.iter().filter_map(|e| e["fullUrl"].as_str()).collect();
        prop_assert_eq!(urls.iter().collect::<HashSet<_>>().len(), urls.len(), "a fullUrl twice");
        let requests: Vec<&str> = entries.iter().map(|e| e["request"]["url"].as_str().unwrap()).collect();
        prop_assert_eq!(requests.iter().collect::<HashSet<_>>().len(), requests.len(), "a request twice");
        let mut refs = Vec::new();
        references(&b, &mut refs);
        for r in &refs {
            prop_assert!(urls.contains(&r.as_str()), "{} unresolved", r);
        }
        let mut all = Vec::new();
        strings(&b, &mut all);
        for s in all {
            prop_assert!(!RELATIVE.is_match(s), "relative: {}", s);
        }
        let issues = entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "DetectedIssue")
            .count();
        prop_assert_eq!(issues, eval.pitfalls().count());
        let conditions = entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == "Condition")
            .count();
        prop_assert_eq!(conditions, case.lesions.len() + case.degenerative_stenosis.len());
        // A batch resolves its references through the entries' conditional URLs.
        let mut batch_ctx = ctx.clone();
        batch_ctx.bundle = BundleType::Batch;
        let (batch, _) = fhir_bundle(&case, &eval, &protocol, &batch_ctx);
        let mut refs = Vec::new();
        references(&batch, &mut refs);
        for r in &refs {
            prop_assert!(requests.contains(&r.as_str()), "{} is no entry's URL", r);
        }
        for line in handover_text(&case, &eval, &protocol).lines() {
            prop_assert!(line.width() <= 80 || !line.trim().contains(' '), "{} columns: {}", line.width(), line);
        }
    }
}
