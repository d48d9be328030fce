//! Every *(p2)* behaviour of PROTOCOL.md at its boundary: what protocol 2 added or changed.

mod common;
use common::*;
use serde_json::{Value, json};
use spinewatch::protocol::{Evaluation, Kind, Protocol, Severity, evaluate};

const NOW: &str = "2026-12-01T08:00"; // demo POD 11

/// The demo with these neuro exams (and, when given, these MRI entries).
fn exams(list: Value) -> spinewatch::case::Case {
    demo_with(&[("/neuro_exams", list)])
}

fn exams_mri(list: Value, mri: Value) -> spinewatch::case::Case {
    demo_with(&[("/neuro_exams", list), ("/mri", mri)])
}

#[track_caller]
fn item<'a>(e: &'a Evaluation, id: &str) -> &'a spinewatch::protocol::Item {
    e.item(id)
        .unwrap_or_else(|| panic!("{id} did not fire: {:?}", ids(e)))
}

fn asks<'a>(e: &'a Evaluation, id: &str) -> Vec<&'a str> {
    e.items
        .iter()
        .filter(|i| i.id == id)
        .filter_map(|i| i.field.as_deref())
        .collect()
}

// ---------- neurology: untimed and empty exams ----------

#[test]
fn an_untimed_worse_exam_says_mri_now_whatever_mris_are_recorded() {
    let c = exams_mri(
        json!([
            { "at": "2026-11-30T20:00", "frankel": "e", "motor": "normal" },
            { "at": null, "frankel": "d", "motor": "impaired", "new_or_worse": false }
        ]),
        // A done MRI after every timed exam: it cannot cover an exam whose time is unknown.
        json!([{ "at": "2026-11-30T21:00", "status": "done", "reason": "check" }]),
    );
    let e = eval(&c, NOW);
    let w = item(&e, "W-NEURO-MRI");
    assert_eq!((w.kind, w.severity), (Kind::Pitfall, Severity::Critical));
    assert!(
        w.title.contains("time of exam unknown: MRI now"),
        "{}",
        w.title
    );
    assert!(w.detail.contains("Frankel E → D"), "{}", w.detail);
    assert_eq!(w.short.as_deref(), Some("MRI now: exam time unknown"));
    assert!(e.clocks.mri.is_none() && e.clocks.mri_exam_time_unknown);
    assert_eq!(asks(&e, "A-EXAM-TIME"), ["neuro_exams[1].at"]);
    // Its time recorded (before the MRI): the MRI covers it and the pitfall clears.
    let c = exams_mri(
        json!([
            { "at": "2026-11-30T20:00", "frankel": "e", "motor": "normal" },
            { "at": "2026-11-30T20:30", "frankel": "d", "motor": "impaired" }
        ]),
        json!([{ "at": "2026-11-30T21:00", "status": "done", "reason": "check" }]),
    );
    let e = eval(&c, NOW);
    assert!(!e.fired("W-NEURO-MRI") && !e.fired("A-EXAM-TIME"));
}

#[test]
fn untimed_exams_come_after_every_timed_exam_in_list_order() {
    // The untimed E sits first in the list but is read last: D (timed) → E is no drop,
    // and the untimed exam is the latest grade.
    let c = exams(json!([
        { "at": null, "frankel": "e" },
        { "at": "2026-11-30T20:00", "frankel": "d", "motor": "impaired" },
        { "at": "2026-11-30T08:00", "frankel": "e", "motor": "normal" }
    ]));
    let e = eval(&c, NOW);
    assert_eq!(e.scores.frankel.latest, Some(spinewatch::case::Frankel::E));
    // The timed D against the earlier timed E is a drop with a running clock.
    assert!(e.clocks.mri.is_some());
    assert!(!e.clocks.mri_exam_time_unknown);
}

#[test]
fn an_empty_exam_row_never_satisfies_the_neuro_exam_clock_and_asks_for_findings() {
    let c = exams(json!([
        { "at": "2026-11-21T08:00", "frankel": "e", "motor": "normal" },
        { "at": "2026-12-01T07:00", "frankel": null, "motor": null, "sensation": null,
          "sphincter": null, "new_or_worse": null }
    ]));
    let e = eval(&c, NOW);
    assert!(e.fired("W-NEURO-DUE"), "the 07:00 row has no findings");
    assert_eq!(
        e.clocks.last_neuro_exam.as_deref(),
        Some("2026-11-21T08:00")
    );
    assert_eq!(asks(&e, "A-NEURO-FINDINGS"), ["neuro_exams[1].frankel"]);
    let a = item(&e, "A-NEURO-FINDINGS");
    assert!(a.title.contains("exam of 2026-12-01 07:00"), "{}", a.title);
    // One finding is enough to count.
    let c = exams(json!([{ "at": "2026-12-01T07:00", "sphincter": "normal" }]));
    let e = eval(&c, NOW);
    assert!(!e.fired("W-NEURO-DUE") && !e.fired("A-NEURO-FINDINGS"));
}

// ---------- neurology: components ----------

#[test]
fn each_component_normal_to_impaired_is_new_or_worse_with_the_grade_unchanged() {
    for (component, words) in [
        ("motor", "new motor deficit"),
        ("sensation", "new sensory deficit"),
        ("sphincter", "new sphincter dysfunction"),
    ] {
        let mut before = json!({ "at": "2026-11-30T20:00", "frankel": "e" });
        before[component] = json!("normal");
        // In between, an exam that does not record this component: compared past it.
        let middle = json!({ "at": "2026-11-30T22:00", "frankel": "e" });
        let mut after = json!({ "at": "2026-12-01T06:00", "frankel": "e", "new_or_worse": false });
        after[component] = json!("impaired");
        let e = eval(&exams(json!([before, middle, after])), NOW);
        let w = item(&e, "W-NEURO-MRI");
        assert!(w.title.contains(words), "{component}: {}", w.title);
        assert_eq!(e.clocks.mri.as_ref().unwrap().exam_at, "2026-12-01T06:00");
        // Impaired → impaired is not new.
        let mut before = json!({ "at": "2026-11-30T20:00", "frankel": "e" });
        before[component] = json!("impaired");
        let e = eval(&exams(json!([before, after.clone()])), NOW);
        assert!(!e.fired("W-NEURO-MRI"), "{component}: impaired → impaired");
    }
}

#[test]
fn marking_the_case_follows_the_same_reading() {
    let mut c = exams(json!([
        { "at": "2026-11-30T20:00", "sphincter": "normal" },
        { "at": "2026-12-01T06:00", "sphincter": "impaired", "new_or_worse": false }
    ]));
    assert_eq!(c.mark_deterioration(), vec![1]);
    assert_eq!(c.neuro_exams[1].new_or_worse, Some(true));
    assert!(
        c.mark_frankel_drops().is_empty(),
        "the old name still works"
    );
}

#[test]
fn further_deterioration_is_named_and_does_not_restart_the_clock() {
    let c = exams(json!([
        { "at": "2026-11-30T20:00", "frankel": "e", "motor": "normal" },
        { "at": "2026-12-01T02:00", "frankel": "d", "motor": "impaired" },
        { "at": "2026-12-01T06:10", "frankel": "c", "motor": "impaired" }
    ]));
    let e = eval(&c, NOW);
    let m = e.clocks.mri.as_ref().unwrap();
    assert_eq!(m.exam_at, "2026-12-01T02:00");
    assert_eq!(m.due_at, "2026-12-01T14:00");
    assert_eq!(m.further, vec!["2026-12-01T06:10: Frankel D → C"]);
    let w = item(&e, "W-NEURO-MRI");
    assert!(
        w.detail
            .contains("Further deterioration 2026-12-01T06:10: Frankel D → C"),
        "{}",
        w.detail
    );
    assert_eq!(w.short.as_deref(), Some("MRI due 14:00"));
}

#[test]
fn a_frankel_grade_that_contradicts_its_findings_is_flagged() {
    let check = |exam: Value| eval(&exams(json!([exam])), NOW);
    let e = check(json!({ "at": "2026-12-01T07:00", "frankel": "e", "motor": "impaired" }));
    let w = item(&e, "W-NEURO-INCONSISTENT");
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.title.contains("Frankel E") && w.title.contains("motor impaired"),
        "{}",
        w.title
    );
    let e = check(json!({ "at": "2026-12-01T07:00", "frankel": "e", "sensation": "impaired" }));
    assert!(e.fired("W-NEURO-INCONSISTENT"));
    let e = check(json!({ "at": "2026-12-01T07:00", "frankel": "d", "motor": "normal" }));
    assert!(
        item(&e, "W-NEURO-INCONSISTENT")
            .title
            .contains("motor normal")
    );
    // Sphincter is not part of the grade; a consistent exam and an ungraded one are quiet.
    for ok in [
        json!({ "at": "2026-12-01T07:00", "frankel": "e", "sphincter": "impaired" }),
        json!({ "at": "2026-12-01T07:00", "frankel": "d", "motor": "impaired", "sphincter": "normal" }),
        json!({ "at": "2026-12-01T07:00", "motor": "impaired" }),
    ] {
        assert!(!check(ok.clone()).fired("W-NEURO-INCONSISTENT"), "{ok}");
    }
}

// ---------- MRI requested vs done ----------

/// A schema-2 demo (a `/1` file's MRI entries all become done) with a Frankel drop at 06:00.
fn worse_at_0600(mri: Value) -> Evaluation {
    let c = demo_with(&[
        ("/schema", json!("spinewatch.case/2")),
        (
            "/neuro_exams",
            json!([
                { "at": "2026-11-30T20:00", "frankel": "e" },
                { "at": "2026-12-01T06:00", "frankel": "d" }
            ]),
        ),
        ("/mri", mri),
    ]);
    eval(&c, NOW)
}

#[test]
fn a_requested_mri_is_shown_beside_the_clock_and_does_not_stop_it() {
    let e = worse_at_0600(json!([
        { "at": "2026-11-19T10:00", "status": "done", "reason": "staging" },
        { "status": "requested", "requested_at": "2026-12-01T06:05", "reason": "new weakness" }
    ]));
    let m = e.clocks.mri.as_ref().expect("clock runs");
    assert_eq!(
        m.requested.as_deref(),
        Some("MRI requested 06:05, not done")
    );
    let w = item(&e, "W-NEURO-MRI");
    assert!(
        w.detail.contains("MRI requested 06:05, not done"),
        "{}",
        w.detail
    );
    assert!(
        w.because
            .contains(&"mri: last done at or before now: 2026-11-19T10:00".to_string()),
        "{:?}",
        w.because
    );
    // Done at 07:30: the clock stops.
    let e = worse_at_0600(json!([
        { "at": "2026-12-01T07:30", "status": "done", "requested_at": "2026-12-01T06:05" }
    ]));
    assert!(e.clocks.mri.is_none() && !e.fired("W-NEURO-MRI"));
    // Done before the exam: does not.
    let e = worse_at_0600(json!([{ "at": "2026-12-01T05:59", "status": "done" }]));
    assert!(e.fired("W-NEURO-MRI"));
}

#[test]
fn an_mri_without_status_or_done_without_time_stops_no_clock_and_asks() {
    let e = worse_at_0600(json!([
        { "at": null, "status": null, "reason": "?" },
        { "at": null, "status": "done", "reason": "done, time lost" }
    ]));
    assert!(e.fired("W-NEURO-MRI"));
    assert_eq!(asks(&e, "A-MRI-STATUS"), ["mri[0].status"]);
    assert_eq!(asks(&e, "A-MRI-TIME"), ["mri[1].at"]);
    assert!(
        item(&e, "W-NEURO-MRI")
            .because
            .contains(&"mri: last done at or before now: none".to_string())
    );
}

// ---------- time: real hours in the site zone ----------

fn amsterdam() -> Protocol {
    Protocol::builtin().with_zone(chrono_tz::Europe::Amsterdam)
}

fn dst_case(exam_at: &str) -> spinewatch::case::Case {
    demo_with(&[
        ("/surgery/date", json!("2026-03-20")),
        (
            "/neuro_exams",
            json!([
                { "at": "2026-03-20T08:00", "frankel": "e" },
                { "at": exam_at, "frankel": "d" }
            ]),
        ),
    ])
}

#[test]
fn the_mri_clock_is_twelve_real_hours_across_a_dst_change() {
    // Autumn: 2026-10-25 03:00 CEST → 02:00 CET. 20:00 + 12 real hours is 07:00 local.
    let c = dst_case("2026-10-24T20:00");
    let e = evaluate(&c, &amsterdam(), at("2026-10-25T06:30"));
    let m = e.clocks.mri.as_ref().unwrap();
    assert_eq!(m.due_at, "2026-10-25T07:00");
    assert_eq!(m.minutes_left, 30);
    // Spring: 2026-03-29 02:00 CET → 03:00 CEST. 20:00 + 12 real hours is 09:00 local.
    let c = dst_case("2026-03-28T20:00");
    let e = evaluate(&c, &amsterdam(), at("2026-03-29T08:30"));
    let m = e.clocks.mri.as_ref().unwrap();
    assert_eq!(m.due_at, "2026-03-29T09:00");
    assert_eq!(m.minutes_left, 30);
    // In UTC (the default zone) the wall clock and real hours agree.
    let e = eval(&dst_case("2026-10-24T20:00"), "2026-10-25T06:30");
    assert_eq!(e.clocks.mri.as_ref().unwrap().due_at, "2026-10-25T08:00");
}

// ---------- facts dated after now ----------

#[test]
fn a_time_up_to_10_minutes_ahead_counts_and_11_minutes_is_flagged_and_left_out() {
    let worse_at = |t: &str| {
        exams(json!([
            { "at": "2026-11-30T20:00", "frankel": "e" },
            { "at": t, "frankel": "d" }
        ]))
    };
    let e = eval(&worse_at("2026-12-01T08:10"), NOW);
    assert!(e.fired("W-NEURO-MRI") && !e.fired("W-FUTURE-DATED"));
    let e = eval(&worse_at("2026-12-01T08:11"), NOW);
    assert!(!e.fired("W-NEURO-MRI"), "not counted at now");
    let w = item(&e, "W-FUTURE-DATED");
    assert_eq!(
        w.severity,
        Severity::Critical,
        "it hides a new or worse exam"
    );
    assert!(
        w.title.contains("neuro_exams[1].at 2026-12-01T08:11"),
        "{}",
        w.title
    );
    // A fact that hides nothing is a warning, and is not counted either.
    let c = demo_with(&[
        ("/mdt/held_at", json!("2026-12-01T09:00")),
        (
            "/mdt/attendees",
            json!([
                "hospitalist",
                "oncology",
                "radiation_oncology",
                "spine_surgery"
            ]),
        ),
    ]);
    let e = eval(&c, NOW);
    assert_eq!(item(&e, "W-FUTURE-DATED").severity, Severity::Warning);
    assert!(e.fired("P-MDT") && e.fired("W-MDT-MISSING"));
}

#[test]
fn dates_after_today_are_flagged_and_planned_dates_are_exempt() {
    let c = demo_with(&[("/radiotherapy/start", json!("2026-12-02"))]);
    let e = eval(&c, NOW);
    assert!(
        item(&e, "W-FUTURE-DATED")
            .title
            .contains("radiotherapy.start 2026-12-02")
    );
    assert!(e.fired("P-RT-TIMING"), "not started at now");
    let c = demo_with(&[("/radiotherapy/start", json!("2026-12-01"))]);
    assert!(!fired(&c, NOW, "W-FUTURE-DATED"));
    let c = demo_with(&[
        ("/radiotherapy/planned_start", json!("2026-12-10")),
        ("/discharge/planned_date", json!("2026-12-12")),
    ]);
    assert!(!fired(&c, NOW, "W-FUTURE-DATED"));
}

// ---------- radiotherapy ----------

#[test]
fn t12_with_an_l1_lesion_under_surveillance_gets_t11_to_l2() {
    let with_second = |level: &str| {
        let mut v = demo_value();
        v["lesions"][1]["level"] = json!(level);
        v["lesions"][1]["management"] = json!("surveillance");
        case_from(v)
    };
    let e = eval(&with_second("L1"), NOW);
    let f = &e.scores.rt_field[0];
    assert_eq!(f.text, "T11–L2");
    assert_eq!(
        f.includes,
        vec![spinewatch::case::Level::parse("L1").unwrap()]
    );
    assert!(
        item(&e, "P-RT-FIELD")
            .title
            .contains("T11–L2 (includes L1)"),
        "{}",
        item(&e, "P-RT-FIELD").title
    );
    // L2 lies beyond the margin: the field stays T11–L1.
    let e = eval(&with_second("L2"), NOW);
    assert_eq!(e.scores.rt_field[0].text, "T11–L1");
    assert!(e.scores.rt_field[0].includes.is_empty());
}

fn dose(total: f64, per: f64) -> spinewatch::case::Case {
    demo_with(&[
        ("/radiotherapy/total_dose_gy", json!(total)),
        ("/radiotherapy/dose_per_fraction_gy", json!(per)),
    ])
}

#[test]
fn forty_gy_in_1_8_is_23_fractions_delivering_41_4_gy() {
    let e = eval(&dose(40.0, 1.8), NOW);
    let s = &e.scores.rt_schedule;
    assert_eq!(s.fractions, Some(23));
    assert_eq!(s.delivered_gy, Some(41.4));
    // EQD2 of the delivered dose: 41.4 × 11.8/12 = 40.71; 41.4 × 3.8/4 = 39.33.
    assert_eq!((s.eqd2_tumour, s.eqd2_cord), (Some(40.71), Some(39.33)));
    let d = &item(&e, "P-RT-DOSE").detail;
    assert!(
        d.contains("Delivered 23 × 1.8 Gy = 41.4 Gy (planned 40 Gy)"),
        "{d}"
    );
    // 45 in 1.8 delivers exactly 45: nothing said about it.
    let e = eval(&dose(45.0, 1.8), NOW);
    assert!(!item(&e, "P-RT-DOSE").detail.contains("Delivered 25"));
}

#[test]
fn half_up_rounding_of_the_delivered_dose_to_0_01() {
    // 1 × 1.5 Gy, α/β 2: EQD2 = 1.5 × 3.5/4 = 1.3125 → 1.31; BED = 1.5 × 3.5/2 = 2.625 → 2.63.
    let e = eval(&dose(1.5, 1.5), NOW);
    let s = &e.scores.rt_schedule;
    assert_eq!((s.eqd2_cord, s.bed_cord), (Some(1.31), Some(2.63)));
}

#[test]
fn thirty_gy_in_ten_matches_the_guideline_schedule_without_w_rt_dose() {
    let e = eval(&dose(30.0, 3.0), NOW);
    assert!(!e.fired("W-RT-DOSE"));
    assert_eq!(
        e.scores.rt_schedule.guideline.as_deref(),
        Some("30 Gy / 10")
    );
    let d = &item(&e, "P-RT-DOSE").detail;
    assert!(
        d.contains("matches the guideline schedule 30 Gy / 10 for spinal metastases"),
        "{d}"
    );
    let e = eval(&dose(30.0, 3.2), NOW);
    assert!(e.fired("W-RT-DOSE"));
    assert!(e.scores.rt_schedule.guideline.is_none());
    assert!(!item(&e, "P-RT-DOSE").detail.contains("guideline schedule"));
}

#[test]
fn one_fraction_is_singular() {
    let e = eval(&dose(8.0, 8.0), NOW);
    let d = &item(&e, "P-RT-DOSE").detail;
    assert!(
        d.contains("1 fraction over") && !d.contains("1 fractions"),
        "{d}"
    );
}

#[test]
fn p_rt_adjuvant_follows_the_course() {
    let e = eval(&demo(), NOW);
    assert!(
        item(&e, "P-RT-ADJUVANT")
            .detail
            .contains("plan it urgently")
    );
    let c = demo_with(&[
        ("/radiotherapy/start", json!("2026-11-24")),
        ("/radiotherapy/total_dose_gy", json!(45)),
        ("/radiotherapy/dose_per_fraction_gy", json!(1.8)),
    ]);
    // Tue 24th to Mon 30th: 24, 25, 26, 27, 30 = fraction 5 of 25.
    let e = eval(&c, "2026-11-30T18:00");
    let a = item(&e, "P-RT-ADJUVANT");
    assert!(a.title.contains("fraction 5 of 25"), "{}", a.title);
    assert!(!a.detail.contains("urgently"), "{}", a.detail);
    assert!(a.detail.contains("expected end"), "{}", a.detail);
    let c = demo_with(&[
        ("/radiotherapy/start", json!("2026-11-24")),
        ("/radiotherapy/end", json!("2026-11-30")),
    ]);
    let a = eval(&c, NOW).item("P-RT-ADJUVANT").unwrap().clone();
    assert!(a.title.contains("completed on 2026-11-30"), "{}", a.title);
}

#[test]
fn p_rt_timing_states_the_dates_and_follows_the_state() {
    let e = eval(&demo(), NOW);
    let t = item(&e, "P-RT-TIMING");
    assert!(
        t.detail
            .contains("target from 2026-12-04, deadline 2026-12-18, 17 days left"),
        "{}",
        t.detail
    );
    assert!(t.title.contains("ready to schedule"));
    // A new deficit waiting for its MRI: image it first, never "ready to schedule".
    let c = exams(json!([
        { "at": "2026-11-30T20:00", "frankel": "e" },
        { "at": "2026-12-01T06:00", "frankel": "d" }
    ]));
    let t = eval(&c, NOW).item("P-RT-TIMING").unwrap().clone();
    assert!(
        !t.title.contains("ready to schedule") && t.detail.contains("image the new deficit first"),
        "{} / {}",
        t.title,
        t.detail
    );
    // A planned start: said with its date and POD.
    let c = demo_with(&[("/radiotherapy/planned_start", json!("2026-12-07"))]);
    let t = eval(&c, NOW).item("P-RT-TIMING").unwrap().clone();
    assert!(
        t.title.contains("planned for 2026-12-07 (POD 17)"),
        "{}",
        t.title
    );
    assert!(!t.title.contains("ready to schedule"));
}

#[test]
fn p_pain_dexa_never_for_none_and_only_the_ask_when_unknown() {
    let none = demo_with(&[("/medications/dexamethasone", json!("none"))]);
    let e = eval(&none, &pod(3));
    assert!(!e.fired("P-PAIN-DEXA") && !e.fired("A-DEXA"));
    let unknown = demo_with(&[("/medications/dexamethasone", json!(null))]);
    let e = eval(&unknown, &pod(3));
    assert!(!e.fired("P-PAIN-DEXA") && e.fired("A-DEXA"));
    assert!(eval(&demo(), &pod(3)).fired("P-PAIN-DEXA"));
}

// ---------- coordination and performance ----------

#[test]
fn an_mdt_without_one_of_the_four_disciplines_is_incomplete() {
    let held = |who: Value| {
        demo_with(&[
            ("/mdt/held_at", json!("2026-11-21T14:00")),
            ("/mdt/attendees", who),
        ])
    };
    let e = eval(
        &held(json!([
            "hospitalist",
            "radiation_oncology",
            "spine_surgery"
        ])),
        NOW,
    );
    let w = item(&e, "W-MDT-INCOMPLETE");
    assert_eq!(w.severity, Severity::Warning);
    assert!(w.title.contains("oncology") && !w.title.contains("hospitalist"));
    assert_eq!(w.short.as_deref(), Some("MDT lacks 1 of 4"));
    let all = json!([
        "hospitalist",
        "oncology",
        "radiation_oncology",
        "spine_surgery"
    ]);
    assert!(!eval(&held(all), NOW).fired("W-MDT-INCOMPLETE"));
    // Not held yet: P-MDT lists who is missing; no W-MDT-INCOMPLETE.
    assert!(!eval(&demo(), NOW).fired("W-MDT-INCOMPLETE"));
}

#[test]
fn ecog_and_kps_outside_the_customary_mapping_conflict() {
    let perf = |ecog: u32, kps: u32| {
        demo_with(&[
            ("/performance/ecog", json!(ecog)),
            ("/performance/kps", json!(kps)),
        ])
    };
    let e = eval(&perf(1, 60), NOW);
    let w = item(&e, "W-PERF-CONFLICT");
    assert!(w.title.contains("ECOG 1 vs KPS 60"), "{}", w.title);
    for (ecog, kps) in [(2, 60), (2, 50), (1, 80), (1, 70), (0, 100), (4, 10)] {
        assert!(
            !eval(&perf(ecog, kps), NOW).fired("W-PERF-CONFLICT"),
            "{ecog}/{kps}"
        );
    }
    assert!(eval(&perf(0, 80), NOW).fired("W-PERF-CONFLICT"));
}

// ---------- asks name their row; rounds words ----------

#[test]
fn asks_name_their_exact_row_in_field_and_words() {
    let e = eval(&demo(), NOW);
    let a = e.items.iter().find(|i| i.id == "A-ESCC").unwrap();
    assert_eq!(a.field.as_deref(), Some("lesions[1].escc"));
    assert!(a.title.contains("lesion T5"), "{}", a.title);
    let a = e.items.iter().find(|i| i.id == "A-SINS").unwrap();
    assert_eq!(a.field.as_deref(), Some("lesions[1].sins"));
    // Two untimed exams: two asks, one per row.
    let c = exams(json!([
        { "at": null, "frankel": "e" },
        { "at": "2026-12-01T07:00", "frankel": "e" },
        { "at": null, "frankel": "e" }
    ]));
    let e = eval(&c, NOW);
    assert_eq!(
        asks(&e, "A-EXAM-TIME"),
        ["neuro_exams[0].at", "neuro_exams[2].at"]
    );
}

#[test]
fn every_pitfall_has_a_short_rounds_text_and_plans_have_none() {
    let c = demo_with(&[
        ("/discharge/planned_date", json!("2026-12-05")),
        ("/systemic/status", json!("planned")),
        ("/wound/status", json!("dehiscence")),
        ("/performance/ecog", json!(0)),
    ]);
    let e = eval(&c, &pod(30));
    assert!(e.pitfalls().count() >= 6);
    for i in &e.items {
        match i.kind {
            Kind::Pitfall => {
                let s = i.short.as_deref().unwrap_or_else(|| panic!("{}", i.id));
                assert!(s.chars().count() <= 28 && !s.contains('{'), "{}: {s}", i.id);
            }
            _ => assert!(i.short.is_none(), "{}", i.id),
        }
    }
    assert_eq!(
        e.item("W-DISCHARGE-NO-RT").unwrap().short.as_deref(),
        Some("DC planned, no RT consult")
    );
    let v = serde_json::to_value(&e).unwrap();
    let items = v["items"].as_array().unwrap();
    let plan = items.iter().find(|i| i["id"] == "P-MDT").unwrap();
    assert!(plan.get("short").is_none());
    let pit = items.iter().find(|i| i["id"] == "W-RT-OVERDUE").unwrap();
    assert_eq!(pit["short"], "RT overdue, POD 30");
}

#[test]
fn a_clock_at_the_end_of_the_calendar_does_not_panic() {
    let c = exams(json!([
        { "at": "9999-12-31T20:00", "frankel": "e" },
        { "at": "9999-12-31T23:00", "frankel": "d" }
    ]));
    for p in [Protocol::builtin(), amsterdam()] {
        let e = evaluate(&c, &p, at("9999-12-31T23:55"));
        assert!(e.fired("W-NEURO-MRI"));
    }
}
