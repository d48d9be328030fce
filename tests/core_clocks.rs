//! Clocks of PROTOCOL §1 at their boundaries: POD, RT window, fractions, MRI, neuro exam.

mod common;
use common::*;
use serde_json::json;
use spinewatch::protocol::clocks::RtState;

fn window(case: &spinewatch::case::Case, now: &str) -> (RtState, Option<i64>) {
    let w = eval(case, now).rt_window.expect("window known");
    (w.state, w.days_to_deadline)
}

#[test]
fn pod_counts_calendar_days_and_surgery_day_is_zero() {
    let c = demo();
    assert_eq!(eval(&c, "2026-11-20T23:59").pod, Some(0));
    assert_eq!(eval(&c, "2026-11-21T00:00").pod, Some(1));
    assert_eq!(eval(&c, "2026-12-01T08:00").pod, Some(11));
}

#[test]
fn rt_window_states_at_every_boundary() {
    let c = demo();
    assert_eq!(window(&c, &pod(13)), (RtState::NotStartedEarly, Some(15)));
    assert_eq!(window(&c, &pod(14)), (RtState::Target, Some(14)));
    assert_eq!(window(&c, &pod(20)), (RtState::Target, Some(8)));
    assert_eq!(window(&c, &pod(21)), (RtState::Closing, Some(7)));
    assert_eq!(window(&c, &pod(28)), (RtState::Closing, Some(0)));
    assert_eq!(window(&c, &pod(29)), (RtState::Overdue, Some(-1)));
}

#[test]
fn closing_and_overdue_pitfalls_follow_the_window() {
    let c = demo();
    assert!(!fired(&c, &pod(20), "W-RT-CLOSING"));
    assert!(fired(&c, &pod(21), "W-RT-CLOSING"));
    let e = eval(&c, &pod(28));
    assert!(e.fired("W-RT-CLOSING"));
    assert!(e.item("W-RT-CLOSING").unwrap().title.contains("0 days"));
    assert!(!e.fired("W-RT-OVERDUE"));
    let e = eval(&c, &pod(29));
    assert!(!e.fired("W-RT-CLOSING"));
    let overdue = e.item("W-RT-OVERDUE").unwrap();
    assert_eq!(overdue.severity.as_str(), "critical");
    assert_eq!(overdue.kind.as_str(), "pitfall");
}

#[test]
fn a_recorded_contraindication_defers_instead_of_overdue() {
    let c = demo_with(&[(
        "/radiotherapy/contraindication",
        json!("wound dehiscence, plastics review"),
    )]);
    assert_eq!(window(&c, &pod(29)).0, RtState::Deferred);
    let e = eval(&c, &pod(29));
    assert!(!e.fired("W-RT-OVERDUE"));
    let d = e.item("W-RT-DEFERRED").unwrap();
    assert!(
        d.detail.contains("wound dehiscence, plastics review"),
        "{}",
        d.detail
    );
    // A blank contraindication is not one.
    let c = demo_with(&[("/radiotherapy/contraindication", json!("   "))]);
    assert_eq!(window(&c, &pod(29)).0, RtState::Overdue);
    // Within the window a contraindication changes nothing.
    let c = demo_with(&[("/radiotherapy/contraindication", json!("x"))]);
    assert_eq!(window(&c, &pod(28)).0, RtState::Closing);
}

#[test]
fn started_shows_fraction_k_of_n_and_expected_end() {
    // Monday 2026-12-07 start, 45 Gy in 1.8 Gy = 25 fractions, Mon–Fri: ends Fri 2027-01-08.
    let c = demo_with(&[
        ("/radiotherapy/start", json!("2026-12-07")),
        ("/radiotherapy/total_dose_gy", json!(45)),
        ("/radiotherapy/dose_per_fraction_gy", json!(1.8)),
    ]);
    let w = eval(&c, "2026-12-07T18:00").rt_window.unwrap();
    assert_eq!(w.state, RtState::Started);
    assert_eq!((w.fraction, w.fractions), (Some(1), Some(25)));
    assert_eq!(w.expected_end.as_deref(), Some("2027-01-08"));
    assert_eq!(w.days_to_deadline, None);
    // Friday of week 2: 10 fractions; the weekend adds none.
    assert_eq!(
        eval(&c, "2026-12-18T18:00").rt_window.unwrap().fraction,
        Some(10)
    );
    assert_eq!(
        eval(&c, "2026-12-20T18:00").rt_window.unwrap().fraction,
        Some(10)
    );
    assert_eq!(
        eval(&c, "2026-12-21T18:00").rt_window.unwrap().fraction,
        Some(11)
    );
    // Never past n.
    assert_eq!(
        eval(&c, "2027-03-01T18:00").rt_window.unwrap().fraction,
        Some(25)
    );
    assert!(!eval(&c, &pod(40)).fired("W-RT-OVERDUE"));
    assert!(!eval(&c, &pod(40)).fired("P-RT-TIMING"));
}

#[test]
fn completed_when_an_end_date_is_recorded() {
    let c = demo_with(&[
        ("/radiotherapy/start", json!("2026-12-07")),
        ("/radiotherapy/end", json!("2027-01-08")),
    ]);
    assert_eq!(window(&c, &pod(60)).0, RtState::Completed);
}

#[test]
fn no_surgery_date_means_no_window_and_an_ask() {
    let c = demo_with(&[("/surgery/date", json!(null))]);
    let e = eval(&c, &pod(10));
    assert_eq!(e.pod, None);
    assert!(e.rt_window.is_none());
    assert!(e.fired("A-SURGERY-DATE"));
}

fn with_worse_exam(at_time: &str) -> spinewatch::case::Case {
    demo_with(&[(
        "/neuro_exams",
        json!([
            { "at": "2026-11-21T08:00", "frankel": "e", "new_or_worse": false },
            { "at": at_time, "frankel": "e", "motor": "impaired", "new_or_worse": true }
        ]),
    )])
}

#[test]
fn mri_clock_at_11_59_and_12_01() {
    let c = with_worse_exam("2026-11-25T08:00");
    let e = eval(&c, "2026-11-25T19:59");
    let m = e.clocks.mri.as_ref().unwrap();
    assert_eq!(m.minutes_left, 1);
    assert_eq!(m.display, "0:01 left");
    assert!(e.item("W-NEURO-MRI").unwrap().title.contains("0:01 left"));
    let e = eval(&c, "2026-11-25T20:01");
    let m = e.clocks.mri.as_ref().unwrap();
    assert_eq!(m.minutes_left, -1);
    assert_eq!(m.display, "overdue by 0:01");
    assert_eq!(e.item("W-NEURO-MRI").unwrap().severity.as_str(), "critical");
}

#[test]
fn mri_at_or_after_the_exam_stops_the_clock() {
    let mut v = serde_json::to_value(with_worse_exam("2026-11-25T08:00")).unwrap();
    // Protocol 2: only a done MRI stops the clock.
    v["mri"] = json!([{ "at": "2026-11-25T08:00", "status": "done", "reason": "new weakness" }]);
    let c = case_from(v.clone());
    assert!(eval(&c, "2026-11-25T12:00").clocks.mri.is_none());
    assert!(!fired(&c, "2026-11-25T12:00", "W-NEURO-MRI"));
    // An MRI before the exam does not.
    v["mri"] = json!([{ "at": "2026-11-25T07:59", "status": "done", "reason": "earlier" }]);
    assert!(fired(&case_from(v), "2026-11-25T12:00", "W-NEURO-MRI"));
}

#[test]
fn a_frankel_drop_marks_the_later_exam_worse_even_if_not_flagged() {
    // Given out of time order on purpose: the drop is read in time order (E → D).
    let c = demo_with(&[(
        "/neuro_exams",
        json!([
            { "at": "2026-11-24T08:00", "frankel": "d", "new_or_worse": false },
            { "at": "2026-11-23T08:00", "frankel": "e", "new_or_worse": false }
        ]),
    )]);
    let e = eval(&c, "2026-11-24T09:00");
    assert_eq!(e.scores.frankel.drops, vec!["2026-11-24T08:00".to_string()]);
    assert_eq!(e.clocks.mri.as_ref().unwrap().exam_at, "2026-11-24T08:00");
    assert!(e.fired("W-NEURO-MRI"));
    // An improvement is not a drop.
    let c = demo_with(&[(
        "/neuro_exams",
        json!([
            { "at": "2026-11-23T08:00", "frankel": "d" },
            { "at": "2026-11-24T08:00", "frankel": "e" }
        ]),
    )]);
    assert!(!fired(&c, "2026-11-24T09:00", "W-NEURO-MRI"));
}

#[test]
fn neuro_exam_due_after_24_hours() {
    let c = demo(); // last exam 2026-11-21T08:00
    assert!(!fired(&c, "2026-11-22T07:00", "W-NEURO-DUE")); // 23 h
    assert!(!fired(&c, "2026-11-22T08:00", "W-NEURO-DUE")); // exactly 24 h: within
    assert!(fired(&c, "2026-11-22T09:00", "W-NEURO-DUE")); // 25 h
    let e = eval(&c, "2026-11-22T09:00");
    assert_eq!(e.clocks.neuro_exam_age_minutes, Some(25 * 60));
    assert_eq!(
        e.item("W-NEURO-DUE").unwrap().because,
        vec!["neuro_exams: last 2026-11-21T08:00 (25 h ago)"]
    );
}

#[test]
fn no_neuro_exam_at_all_is_due_and_asked_for() {
    let c = demo_with(&[("/neuro_exams", json!([]))]);
    let e = eval(&c, &pod(1));
    assert!(e.fired("W-NEURO-DUE"));
    assert!(e.fired("A-NEURO"));
}

#[test]
fn pathology_pending_days_count_from_biopsy() {
    let e = eval(&demo(), "2026-12-01T08:00");
    assert_eq!(e.clocks.pathology_pending_days, Some(12));
    let c = demo_with(&[
        ("/pathology/status", json!("final")),
        ("/pathology/histology", json!("breast")),
    ]);
    assert_eq!(
        eval(&c, "2026-12-01T08:00").clocks.pathology_pending_days,
        None
    );
}

#[test]
fn facts_dated_after_now_are_not_yet_facts() {
    // An RT start after now is not a start: the window still closes and warns.
    let c = demo_with(&[("/radiotherapy/start", json!("2026-12-20"))]);
    let e = eval(&c, &pod(29));
    assert_eq!(e.rt_window.as_ref().unwrap().state, RtState::Overdue);
    assert!(
        e.item("W-RT-OVERDUE")
            .unwrap()
            .because
            .iter()
            .any(|b| b.contains("2026-12-20 (after now)"))
    );
    assert_eq!(window(&c, "2026-12-21T08:00").0, RtState::Started);
    // A mistyped future exam does not silence the neuro exam pitfall.
    let c = demo_with(&[("/neuro_exams/0/at", json!("2026-12-05T08:00"))]);
    let e = eval(&c, "2026-12-01T08:00");
    assert!(e.fired("W-NEURO-DUE"));
    assert_eq!(e.clocks.neuro_exam_age_minutes, None);
    // An MRI after now does not stop the MRI clock.
    let mut v = serde_json::to_value(with_worse_exam("2026-11-25T08:00")).unwrap();
    v["mri"] = json!([{ "status": "done", "at": "2026-11-25T18:00", "reason": "booked" }]);
    assert!(fired(&case_from(v), "2026-11-25T12:00", "W-NEURO-MRI"));
    // An MDT dated later is not held yet.
    let c = demo_with(&[("/mdt/held_at", json!("2026-11-25T14:00"))]);
    assert!(fired(&c, &pod(3), "W-MDT-MISSING"));
    assert!(!fired(&c, &pod(6), "W-MDT-MISSING"));
}

#[test]
fn a_finished_course_without_an_end_date_asks_for_it() {
    let c = demo_with(&[
        ("/radiotherapy/start", json!("2026-12-07")),
        ("/radiotherapy/total_dose_gy", json!(20)),
        ("/radiotherapy/dose_per_fraction_gy", json!(4)),
    ]);
    // 5 fractions Mon–Fri: last on 2026-12-11.
    assert!(!fired(&c, "2026-12-11T18:00", "A-RT-END"));
    let e = eval(&c, "2026-12-12T08:00");
    assert!(e.item("A-RT-END").unwrap().detail.contains("2026-12-11"));
}
