//! The clocks of PROTOCOL §1: POD, RT window, fractions, MRI deadline, pathology, neuro exam.

use super::Params;
use crate::case::{Case, Frankel, NeuroExam, PathologyStatus, format_date, format_time};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde::Serialize;

// Facts dated after `now` are not yet facts at `now`: an exam, MRI, RT start or MDT recorded
// for a later moment is left out, so `--now` shows the case as it stood then, and a mistyped
// future date cannot silence a pitfall.

/// Radiotherapy has started by `now` (a start date on or before today).
pub fn rt_started(case: &Case, now: NaiveDateTime) -> bool {
    case.radiotherapy.start.is_some_and(|d| d <= now.date())
}

/// Radiotherapy has ended by `now`.
pub fn rt_completed(case: &Case, now: NaiveDateTime) -> bool {
    case.radiotherapy.end.is_some_and(|d| d <= now.date())
}

/// The MDT was held by `now`.
pub fn mdt_held(case: &Case, now: NaiveDateTime) -> bool {
    case.mdt.held_at.is_some_and(|t| t <= now)
}

/// Neuro exams with a time on or before `now`, oldest first.
pub fn exams_until(case: &Case, now: NaiveDateTime) -> Vec<&NeuroExam> {
    let mut exams: Vec<&NeuroExam> = case
        .neuro_exams
        .iter()
        .filter(|e| e.at.is_some_and(|t| t <= now))
        .collect();
    exams.sort_by_key(|e| e.at);
    exams
}

/// Post-operative day: calendar days from surgery; surgery day is POD 0.
pub fn pod(case: &Case, now: NaiveDateTime) -> Option<i64> {
    case.surgery.date.map(|d| (now.date() - d).num_days())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RtState {
    NotStartedEarly,
    Target,
    Closing,
    Overdue,
    Deferred,
    Started,
    Completed,
}

impl RtState {
    pub fn as_str(self) -> &'static str {
        match self {
            RtState::NotStartedEarly => "not_started_early",
            RtState::Target => "target",
            RtState::Closing => "closing",
            RtState::Overdue => "overdue",
            RtState::Deferred => "deferred",
            RtState::Started => "started",
            RtState::Completed => "completed",
        }
    }
    /// The words a clinician reads.
    pub fn words(self) -> &'static str {
        match self {
            RtState::NotStartedEarly => "not started, early",
            RtState::Target => "in target window",
            RtState::Closing => "window closing",
            RtState::Overdue => "overdue",
            RtState::Deferred => "deferred (contraindication)",
            RtState::Started => "started",
            RtState::Completed => "completed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RtWindow {
    pub state: RtState,
    /// `rt_deadline` − POD while radiotherapy has not started (negative once past).
    pub days_to_deadline: Option<i64>,
    /// Fraction k of n once started, when the schedule is known.
    pub fraction: Option<u32>,
    pub fractions: Option<u32>,
    pub expected_end: Option<String>,
}

/// The RT window state; `None` when neither the POD nor a start is known.
pub fn rt_window(
    case: &Case,
    pod: Option<i64>,
    fractions: Option<u32>,
    now: NaiveDateTime,
    p: &Params,
) -> Option<RtWindow> {
    let rt = &case.radiotherapy;
    let days_left = pod.map(|pod| p.rt_deadline as i64 - pod);
    let started = rt_started(case, now);
    let (state, days_to_deadline) = if rt_completed(case, now) {
        (RtState::Completed, None)
    } else if started {
        (RtState::Started, None)
    } else {
        let pod = pod?;
        let state = if (pod as f64) < p.rt_target_from {
            RtState::NotStartedEarly
        } else if (pod as f64) < p.rt_warn_from {
            RtState::Target
        } else if (pod as f64) <= p.rt_deadline {
            RtState::Closing
        } else if rt.contraindication_recorded().is_some() {
            RtState::Deferred
        } else {
            RtState::Overdue
        };
        (state, days_left)
    };
    let (fraction, expected_end) = match (rt.start.filter(|_| started), fractions) {
        (Some(start), Some(n)) if n > 0 => {
            let per_week = p.fractions_per_week as u32;
            let done = if state == RtState::Completed {
                n
            } else {
                treatment_days_between(start, now.date(), per_week).min(n)
            };
            (
                Some(done),
                Some(format_date(&nth_treatment_day(start, n, per_week))),
            )
        }
        _ => (None, None),
    };
    Some(RtWindow {
        state,
        days_to_deadline,
        fraction,
        fractions: if started { fractions } else { None },
        expected_end,
    })
}

/// A day radiotherapy is given: the first `per_week` days of the week from Monday.
fn is_treatment_day(d: NaiveDate, per_week: u32) -> bool {
    d.weekday().num_days_from_monday() < per_week
}

/// Treatment days in `[start, until]`; the start day counts even when it is not a usual one.
pub fn treatment_days_between(start: NaiveDate, until: NaiveDate, per_week: u32) -> u32 {
    if until < start {
        return 0;
    }
    let mut count = 1;
    let mut d = start;
    while d < until {
        d += Duration::days(1);
        if is_treatment_day(d, per_week) {
            count += 1;
        }
    }
    count
}

/// The date of the n-th fraction, the start day being the first.
pub fn nth_treatment_day(start: NaiveDate, n: u32, per_week: u32) -> NaiveDate {
    let mut d = start;
    let mut count = 1;
    while count < n {
        d += Duration::days(1);
        if is_treatment_day(d, per_week) {
            count += 1;
        }
    }
    d
}

/// The MRI deadline after a new or worse neuro exam.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MriClock {
    pub exam_at: String,
    pub due_at: String,
    /// Minutes left; negative when overdue.
    pub minutes_left: i64,
    /// `3:05 left` or `overdue by 0:01`.
    pub display: String,
}

/// Exams in time order with their "worse" flag: recorded, or set by a Frankel drop.
pub fn exams_with_worse(case: &Case, now: NaiveDateTime) -> Vec<(&NeuroExam, bool, bool)> {
    let exams = exams_until(case, now);
    let mut prev: Option<Frankel> = None;
    exams
        .into_iter()
        .map(|e| {
            let dropped = matches!((prev, e.frankel), (Some(a), Some(b)) if b < a);
            if e.frankel.is_some() {
                prev = e.frankel;
            }
            (e, e.new_or_worse == Some(true) || dropped, dropped)
        })
        .collect()
}

/// The clock runs from the earliest new-or-worse exam with no MRI at or after it.
pub fn mri_clock(case: &Case, now: NaiveDateTime, p: &Params) -> Option<MriClock> {
    let last_mri = case
        .mri
        .iter()
        .filter_map(|m| m.at)
        .filter(|t| *t <= now)
        .max();
    let exam_at = exams_with_worse(case, now)
        .into_iter()
        .filter(|(_, worse, _)| *worse)
        .filter_map(|(e, _, _)| e.at)
        .find(|at| last_mri.is_none_or(|m| m < *at))?;
    let due = exam_at + Duration::minutes((p.mri_clock_h * 60.0).round() as i64);
    let minutes_left = (due - now).num_minutes();
    Some(MriClock {
        exam_at: format_time(&exam_at),
        due_at: format_time(&due),
        minutes_left,
        display: if minutes_left >= 0 {
            format!("{} left", hours_minutes(minutes_left))
        } else {
            format!("overdue by {}", hours_minutes(-minutes_left))
        },
    })
}

pub fn hours_minutes(minutes: i64) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// Days since the biopsy while pathology is pending.
pub fn pathology_pending_days(case: &Case, now: NaiveDateTime) -> Option<i64> {
    let path = &case.pathology;
    match (path.status, path.biopsy_date) {
        (Some(PathologyStatus::Pending), Some(d)) if d <= now.date() => {
            Some((now.date() - d).num_days())
        }
        _ => None,
    }
}

/// Minutes since the last recorded neuro exam.
pub fn neuro_exam_age_minutes(case: &Case, now: NaiveDateTime) -> Option<i64> {
    last_exam_at(case, now).map(|at| (now - at).num_minutes())
}

/// The time of the last neuro exam on or before `now`.
pub fn last_exam_at(case: &Case, now: NaiveDateTime) -> Option<NaiveDateTime> {
    case.neuro_exams
        .iter()
        .filter_map(|e| e.at)
        .filter(|t| *t <= now)
        .max()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clocks {
    pub mri: Option<MriClock>,
    pub pathology_pending_days: Option<i64>,
    pub last_neuro_exam: Option<String>,
    pub neuro_exam_age_minutes: Option<i64>,
    pub neuro_exam_age: Option<String>,
}

pub fn clocks(case: &Case, now: NaiveDateTime, p: &Params) -> Clocks {
    let age = neuro_exam_age_minutes(case, now);
    Clocks {
        mri: mri_clock(case, now, p),
        pathology_pending_days: pathology_pending_days(case, now),
        last_neuro_exam: last_exam_at(case, now).map(|t| format_time(&t)),
        neuro_exam_age_minutes: age,
        neuro_exam_age: age.map(age_words),
    }
}

/// `5 h 10 min ago`, `3 d 2 h ago`, or `in 2 h` for a time after now.
pub fn age_words(minutes: i64) -> String {
    if minutes < 0 {
        return format!("in {}", hours_minutes(-minutes));
    }
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if d > 0 {
        format!("{d} d {h} h ago")
    } else if h > 0 {
        format!("{h} h {m} min ago")
    } else {
        format!("{m} min ago")
    }
}
