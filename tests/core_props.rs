//! Properties over arbitrary valid cases: evaluation never panics, is deterministic, fills
//! every placeholder and keeps its order; the JSON round trip is lossless (unknown keys too).

mod common;
use common::at;
use proptest::prelude::*;
use serde_json::{Value, json};
use spinewatch::case::*;
use spinewatch::protocol::{Protocol, evaluate};

fn maybe<S: Strategy<Value = Value> + 'static>(s: S) -> BoxedStrategy<Value> {
    prop_oneof![1 => Just(Value::Null), 3 => s].boxed()
}

fn pick(names: &'static [&'static str]) -> BoxedStrategy<Value> {
    maybe(prop::sample::select(names).prop_map(|s| json!(s)))
}

fn boolean() -> BoxedStrategy<Value> {
    maybe(any::<bool>().prop_map(Value::from))
}

/// Days after 2026-10-01 as a date string.
fn date(max_days: i64) -> BoxedStrategy<Value> {
    maybe((0..=max_days).prop_map(|d| {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + chrono::Duration::days(d);
        json!(format_date(&day))
    }))
}

fn time() -> BoxedStrategy<Value> {
    maybe((0..=120i64, 0..24u32, 0..60u32).prop_map(|(d, h, m)| {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + chrono::Duration::days(d);
        json!(format!("{}T{h:02}:{m:02}", format_date(&day)))
    }))
}

fn level() -> BoxedStrategy<Value> {
    maybe((0..Level::COUNT).prop_map(|i| json!(Level::from_index(i).unwrap().to_string())))
}

fn lesion() -> impl Strategy<Value = Value> {
    (
        level(),
        pick(Finding::NAMES),
        pick(Grade4::NAMES),
        pick(Escc::NAMES),
        pick(Treated::NAMES),
        pick(Management::NAMES),
        maybe(
            (pick(SinsLocation::NAMES), pick(SinsPain::NAMES), pick(BoneLesion::NAMES), pick(Alignment::NAMES), pick(Collapse::NAMES), pick(Posterolateral::NAMES))
                .prop_map(|(l, p, b, a, c, pl)| json!({ "location": l, "pain": p, "bone_lesion": b, "alignment": a, "collapse": c, "posterolateral": pl })),
        ),
    )
        .prop_map(|(level, finding, canal, escc, treated, management, sins)| {
            json!({ "level": level, "finding": finding, "canal_stenosis": canal, "escc": escc,
                    "treated": treated, "management": management, "sins": sins })
        })
}

fn exam() -> impl Strategy<Value = Value> {
    (time(), pick(Frankel::NAMES), pick(Function::NAMES), boolean())
        .prop_map(|(at, f, m, w)| json!({ "at": at, "frankel": f, "motor": m, "sensation": m, "sphincter": m, "new_or_worse": w }))
}

fn dose(max: f64) -> BoxedStrategy<Value> {
    maybe((1u32..=(max * 10.0) as u32).prop_map(|x| json!(x as f64 / 10.0)))
}

prop_compose! {
    fn arb_case()(
        surgery in date(60),
        lesions in prop::collection::vec(lesion(), 0..4),
        exams in prop::collection::vec(exam(), 0..5),
        mri in prop::collection::vec(time(), 0..3),
        path in (date(60), pick(PathologyStatus::NAMES), pick(Histology::NAMES)),
        perf in (maybe((0u32..=5).prop_map(Value::from)), maybe((0u32..=10).prop_map(|k| Value::from(k * 10)))),
        survival in maybe((0u32..=240).prop_map(|m| json!(m as f64 / 10.0))),
        stable in boolean(),
        wound in (pick(WoundStatus::NAMES), time()),
        rt in (pick(Consult::NAMES), maybe(prop::sample::select(vec!["", "  ", "sepsis"]).prop_map(|s| json!(s))), date(90), date(90), dose(80.0), dose(30.0), boolean()),
        rt_end_offset in maybe((0i64..60).prop_map(Value::from)),
        systemic in pick(SystemicStatus::NAMES),
        bone in (boolean(), boolean(), boolean()),
        mdt in (time(), prop::collection::vec(prop::sample::select(Discipline::NAMES), 0..5)),
        meds in (pick(Dexamethasone::NAMES), boolean(), boolean(), pick(Opioid::NAMES), boolean(), boolean(), boolean(), pick(Benzodiazepine::NAMES)),
        comps in (boolean(), boolean(), boolean(), boolean(), boolean(), boolean()),
        discharge in date(90),
        toku in (maybe(prop::sample::select(vec![0u32, 1, 3]).prop_map(Value::from)), maybe((1u32..=3).prop_map(Value::from)), pick(VisceralMets::NAMES), pick(Primary::NAMES)),
        extra in maybe(any::<i32>().prop_map(|n| json!({ "n": n }))),
    ) -> Value {
        // The RT end never precedes its start.
        let end = match (&rt.2, &rt_end_offset) {
            (Value::String(s), Value::Number(n)) => {
                let d = parse_date(s).unwrap() + chrono::Duration::days(n.as_i64().unwrap());
                json!(format_date(&d))
            }
            _ => Value::Null,
        };
        json!({
            "schema": SCHEMA,
            "id": "bed-7",
            "patient": { "label": "Bed 7", "mrn": null, "age": 70, "sex": "male" },
            "surgery": { "date": surgery, "procedure": "stabilization", "span": "T10-L2", "indication": "instability" },
            "lesions": lesions,
            "degenerative_stenosis": [{ "level": "L4-L5", "severity": "moderate", "attributable_symptoms": comps.0, "conservative_failed": comps.1, "functionally_limiting": comps.2 }],
            "neuro_exams": exams,
            "mri": mri.into_iter().map(|at| json!({ "at": at, "reason": "x" })).collect::<Vec<_>>(),
            "pathology": { "biopsy_date": path.0, "status": path.1, "histology": path.2, "markers": null },
            "performance": { "ecog": perf.0, "kps": perf.1 },
            "expected_survival_months": survival,
            "medically_stable": stable,
            "wound": { "status": wound.0, "checked_at": wound.1 },
            "radiotherapy": { "consult": rt.0, "contraindication": rt.1, "planned_start": rt.3, "start": rt.2, "end": end,
                              "total_dose_gy": rt.4, "dose_per_fraction_gy": rt.5, "followup_scheduled": rt.6 },
            "systemic": { "status": systemic, "agent": null },
            "bone_health": { "osteoporosis": bone.0, "threatening_fracture": bone.1, "bisphosphonate": bone.2 },
            "mdt": { "held_at": mdt.0, "attendees": mdt.1 },
            "medications": { "dexamethasone": meds.0, "nsaid": meds.1, "nsaid_contraindicated": meds.2, "opioid": meds.3,
                             "opioid_taper_plan": meds.4, "gabapentinoid": meds.5, "neuropathic_pain": meds.6, "benzodiazepine": meds.7 },
            "complications": { "vte": comps.3, "pulmonary": comps.4, "cardiac": comps.5, "spinous_process_fracture": comps.0, "hematoma": comps.1, "infection": comps.2 },
            "discharge": { "planned_date": discharge },
            "tokuhashi": { "extraspinal_bone_mets": toku.0, "vertebral_mets": toku.1, "visceral_mets": toku.2, "primary": toku.3 },
            "notes": "",
            "archived": false,
            "x_site": extra
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_valid_cases_evaluate_deterministically(v in arb_case(), minutes in 0i64..(200 * 1440)) {
        // Every generated date is ≤ 2026-12-30, so the case is valid from 2027 on.
        let now = at("2027-01-01T00:00") + chrono::Duration::minutes(minutes);
        let case = Case::from_value(&v, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let protocol = Protocol::builtin();
        let a = evaluate(&case, &protocol, now);
        let b = evaluate(&case, &protocol, now);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        for w in a.items.windows(2) {
            prop_assert!((w[0].severity, &w[0].id) <= (w[1].severity, &w[1].id), "order {} {}", w[0].id, w[1].id);
        }
        for i in &a.items {
            prop_assert!(!i.title.contains('{') && !i.detail.contains('{'), "{}: {} / {}", i.id, i.title, i.detail);
        }
        prop_assert!(a.fired("P-RT-ADJUVANT") && a.fired("P-MON-NEURO"));
    }

    #[test]
    fn json_round_trip_is_lossless(v in arb_case()) {
        let now = at("2027-01-01T00:00");
        let case = Case::from_value(&v, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let text = case.to_json_pretty();
        let again = Case::from_json_str(&text, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&again, &case);
        prop_assert_eq!(again.to_json_pretty(), text);
        let back: Value = serde_json::from_str(&case.to_json_pretty()).unwrap();
        prop_assert_eq!(&back["x_site"], &v["x_site"]);
    }

    #[test]
    fn arbitrary_json_never_panics_the_reader(v in any::<Option<(bool, i64, String)>>()) {
        let doc = json!({ "schema": SCHEMA, "patient": { "age": v.as_ref().map(|x| x.1), "label": v.as_ref().map(|x| x.2.clone()) }, "medically_stable": v.map(|x| x.0) });
        let _ = Case::from_value(&doc, at("2026-12-01T00:00"));
    }
}
