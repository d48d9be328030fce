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

fn dose(min: f64, max: f64) -> BoxedStrategy<Value> {
    maybe(((min * 10.0) as u32..=(max * 10.0) as u32).prop_map(|x| json!(x as f64 / 10.0)))
}

/// A row uid the file gives, or none (derived on reading).
fn row_uid() -> BoxedStrategy<Value> {
    maybe("[a-z0-9]{8,16}".prop_map(Value::from))
}

/// An MRI entry: a status, when requested, and a time done only with status done.
fn mri() -> impl Strategy<Value = Value> {
    (
        pick(MriStatus::NAMES),
        time(),
        time(),
        maybe(Just(json!("staging"))),
    )
        .prop_map(|(status, requested_at, at, reason)| {
            let at = if status == "done" { at } else { Value::Null };
            json!({ "status": status, "requested_at": requested_at, "at": at, "reason": reason })
        })
}

/// Gives the rows of the four lists the generated uids, dropping a duplicate within a list.
fn with_uids(v: &mut Value, uids: &[Value]) {
    let mut next = uids.iter().cycle();
    for list in ["lesions", "degenerative_stenosis", "neuro_exams", "mri"] {
        let mut seen = std::collections::BTreeSet::new();
        for row in v[list].as_array_mut().into_iter().flatten() {
            let u = next.next().cloned().unwrap_or(Value::Null);
            if u.is_null() || seen.insert(u.to_string()) {
                row["uid"] = u;
            }
        }
    }
}

prop_compose! {
    fn arb_case()(
        surgery in date(60),
        lesions in prop::collection::vec(lesion(), 0..4),
        exams in prop::collection::vec(exam(), 0..5),
        mri in prop::collection::vec(mri(), 0..3),
        uids in prop::collection::vec(row_uid(), 1..8),
        nulls in prop::collection::vec(prop::sample::select(Case::SECTIONS), 0..3),
        ward in maybe("[ -~]{0,40}".prop_map(Value::from)),
        path in (date(60), pick(PathologyStatus::NAMES), pick(Histology::NAMES)),
        perf in (maybe((0u32..=4).prop_map(Value::from)), maybe((1u32..=10).prop_map(|k| Value::from(k * 10)))),
        survival in maybe((0u32..=240).prop_map(|m| json!(m as f64 / 10.0))),
        stable in boolean(),
        wound in (pick(WoundStatus::NAMES), time()),
        rt in (pick(Consult::NAMES), maybe(prop::sample::select(vec!["", "  ", "sepsis"]).prop_map(|s| json!(s))), maybe((0i64..40).prop_map(Value::from)), date(90), dose(0.5, 80.0), dose(0.5, 30.0), boolean()),
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
        // RT starts no earlier than surgery (days after it) and ends no earlier than it starts.
        let start = match (&surgery, &rt.2) {
            (Value::String(s), Value::Number(n)) => {
                let d = parse_date(s).unwrap() + chrono::Duration::days(n.as_i64().unwrap());
                json!(format_date(&d))
            }
            (Value::Null, Value::Number(n)) => {
                let d = parse_date("2026-10-01").unwrap() + chrono::Duration::days(n.as_i64().unwrap());
                json!(format_date(&d))
            }
            _ => Value::Null,
        };
        // The dose per fraction is never above the total: swap them when it would be.
        let (total, per_fraction) = match (&rt.4, &rt.5) {
            (Value::Number(t), Value::Number(d)) if d.as_f64() > t.as_f64() => (rt.5.clone(), rt.4.clone()),
            _ => (rt.4.clone(), rt.5.clone()),
        };
        let end = match (&start, &rt_end_offset) {
            (Value::String(s), Value::Number(n)) => {
                let d = parse_date(s).unwrap() + chrono::Duration::days(n.as_i64().unwrap());
                json!(format_date(&d))
            }
            _ => Value::Null,
        };
        let mut v = json!({
            "schema": SCHEMA,
            "id": "bed-7",
            "ward": ward,
            "patient": { "label": "Bed 7", "mrn": null, "age": 70, "sex": "male" },
            "surgery": { "date": surgery, "procedure": "stabilization", "span": "T10-L2", "indication": "instability" },
            "lesions": lesions,
            "degenerative_stenosis": [{ "level": "L4-L5", "severity": "moderate", "attributable_symptoms": comps.0, "conservative_failed": comps.1, "functionally_limiting": comps.2 }],
            "neuro_exams": exams,
            "mri": mri,
            "pathology": { "biopsy_date": path.0, "status": path.1, "histology": path.2, "markers": null },
            "performance": { "ecog": perf.0, "kps": perf.1 },
            "expected_survival_months": survival,
            "medically_stable": stable,
            "wound": { "status": wound.0, "checked_at": wound.1 },
            "radiotherapy": { "consult": rt.0, "contraindication": rt.1, "planned_start": rt.3, "start": start, "end": end,
                              "total_dose_gy": total, "dose_per_fraction_gy": per_fraction, "followup_scheduled": rt.6 },
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
        });
        with_uids(&mut v, &uids);
        for section in nulls {
            v[section] = Value::Null;
        }
        v
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
    fn every_row_keeps_its_uid_when_the_lists_are_reordered(v in arb_case()) {
        let now = at("2027-01-01T00:00");
        let case = Case::from_value(&v, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut saved = serde_json::to_value(&case).unwrap();
        for list in ["lesions", "degenerative_stenosis", "neuro_exams", "mri"] {
            saved[list].as_array_mut().unwrap().reverse();
        }
        let reordered = Case::from_value(&saved, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut back = reordered.clone();
        back.lesions.reverse();
        back.degenerative_stenosis.reverse();
        back.neuro_exams.reverse();
        back.mri.reverse();
        prop_assert_eq!(&back, &case);
        let all: Vec<Option<&String>> = case.lesions.iter().map(|r| r.uid.as_ref())
            .chain(case.degenerative_stenosis.iter().map(|r| r.uid.as_ref()))
            .chain(case.neuro_exams.iter().map(|r| r.uid.as_ref()))
            .chain(case.mri.iter().map(|r| r.uid.as_ref()))
            .collect();
        prop_assert!(all.iter().all(|u| u.is_some_and(|u| uid::is_valid(u))), "{:?}", all);
    }

    #[test]
    fn migration_from_v1_is_idempotent_and_gives_the_same_uids(v in arb_case()) {
        let now = at("2027-01-01T00:00");
        // The case as schema 1 could have written it: no uids, only MRIs done, no status.
        let mut v1 = v.clone();
        v1["schema"] = json!("spinewatch.case/1");
        for list in ["lesions", "degenerative_stenosis", "neuro_exams"] {
            for row in v1[list].as_array_mut().into_iter().flatten() {
                row.as_object_mut().unwrap().remove("uid");
            }
        }
        if let Some(mris) = v1["mri"].as_array_mut() {
            mris.retain(|m| m["status"] == "done");
            for m in mris.iter_mut() {
                let m = m.as_object_mut().unwrap();
                m.remove("uid");
                m.remove("status");
            }
        }
        let mut once = v1.clone();
        migrate::migrate(&mut once, 1).map_err(TestCaseError::fail)?;
        let mut twice = once.clone();
        migrate::fill_uids(&mut twice);
        prop_assert_eq!(&twice, &once);
        let from_v1 = Case::from_value(&v1, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = Case::from_value(&v1, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&again, &from_v1);
        let migrated = Case::from_value(&once, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&migrated, &from_v1);
        prop_assert!(from_v1.mri.iter().all(|m| m.status == Some(MriStatus::Done)));
        prop_assert_eq!(from_v1.schema.as_deref(), Some(SCHEMA));
        // Saved and read back, nothing changes any more.
        let text = from_v1.to_json_pretty();
        let reread = Case::from_json_str(&text, now).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&reread, &from_v1);
        let bytes = text.as_bytes();
        let d = spinewatch::store::schema::decode(bytes, now).map_err(|e| TestCaseError::fail(e.reason().to_string()))?;
        prop_assert_eq!(d.migrated_from, None);
        prop_assert_eq!(&d.case, &from_v1);
    }

    #[test]
    fn arbitrary_json_never_panics_the_reader(v in any::<Option<(bool, i64, String)>>()) {
        let doc = json!({ "schema": SCHEMA, "patient": { "age": v.as_ref().map(|x| x.1), "label": v.as_ref().map(|x| x.2.clone()) }, "medically_stable": v.map(|x| x.0) });
        let _ = Case::from_value(&doc, at("2026-12-01T00:00"));
    }
}
