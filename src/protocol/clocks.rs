//! The clocks of PROTOCOL §1: POD, RT window, fractions, MRI deadline, pathology, neuro exam.

use super::Params;
use crate::case::deterioration::{Step, deterioration};
use crate::case::{Case, Mri, MriStatus, PathologyStatus, format_date, format_time};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use serde::Serialize;

// Facts dated after `now` are not yet facts at `now`: an exam, MRI, RT start or MDT recorded
// for a later moment is left out, so `--now` shows the case as it stood then. A time counts
// up to `future_tolerance_min` after now (clocks on two workstations differ by minutes);
// beyond it the fact is left out and W-FUTURE-DATED names it, so a mistyped date cannot
// silence a pitfall.

/// Radiotherapy has started by `now` (a start date on or before today).
pub fn rt_started(case: &Case, now: NaiveDateTime) -> bool {
    case.radiotherapy.start.is_some_and(|d| d <= now.date())
}

/// Radiotherapy has ended by `now`.
pub fn rt_completed(case: &Case, now: NaiveDateTime) -> bool {
    case.radiotherapy.end.is_some_and(|d| d <= now.date())
}

/// The MDT was held by `cutoff` (now plus the future tolerance).
pub fn mdt_held(case: &Case, cutoff: NaiveDateTime) -> bool {
    case.mdt.held_at.is_some_and(|t| t <= cutoff)
}

/// Now plus `future_tolerance_min`: times up to it count as recorded at now.
pub fn cutoff(now: NaiveDateTime, p: &Params) -> NaiveDateTime {
    now.checked_add_signed(Duration::minutes(p.future_tolerance_min.round() as i64))
        .unwrap_or(now)
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

/// The neuro exams as the protocol reads them at `now` (PROTOCOL §1): what counts, what got
/// worse, what cannot be read. Computed once per evaluation; clocks, scores and rules read it.
#[derive(Debug, Clone, Default)]
pub struct Neuro {
    /// Exams with findings counted at now (timed at or before the cutoff, then untimed), in
    /// protocol order, with what got worse at each.
    pub steps: Vec<Step>,
    /// Rows with no findings: not exams (A-NEURO-FINDINGS).
    pub empty_rows: Vec<usize>,
    /// Rows timed after the cutoff (not counted), with whether each is new or worse
    /// against the exams before it (W-FUTURE-DATED is then critical).
    pub future: Vec<(usize, bool)>,
}

impl Neuro {
    /// Reads the exams of `case` at `cutoff` (now plus the future tolerance).
    pub fn read(case: &Case, cutoff: NaiveDateTime) -> Neuro {
        let exams = &case.neuro_exams;
        let steps = deterioration(exams, Some(cutoff));
        let empty_rows = (0..exams.len())
            .filter(|&i| !exams[i].has_findings())
            .collect();
        let mut future: Vec<(usize, bool)> = Vec::new();
        if exams.iter().any(|e| e.at.is_some_and(|t| t > cutoff)) {
            for s in deterioration(exams, None) {
                if s.at.is_some_and(|t| t > cutoff) {
                    future.push((s.index, s.worse()));
                }
            }
            for (i, e) in exams.iter().enumerate() {
                if !e.has_findings() && e.at.is_some_and(|t| t > cutoff) {
                    future.push((i, false));
                }
            }
            future.sort();
        }
        Neuro {
            steps,
            empty_rows,
            future,
        }
    }

    /// The last timed exam with findings counted at now.
    pub fn last_timed(&self) -> Option<&Step> {
        self.steps.iter().rev().find(|s| s.at.is_some())
    }

    /// New or worse exams with no time: no clock can start, MRI now.
    pub fn untimed_worse(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.at.is_none() && s.worse())
    }
}

pub use crate::case::zone::elapsed_minutes;

/// The wall-clock time in the site zone `minutes` real minutes after `t`.
pub fn after_minutes(t: NaiveDateTime, minutes: i64, zone: Tz) -> NaiveDateTime {
    // Saturates at the end of the calendar instead of overflowing (never a panic).
    crate::case::zone::instant(t, zone)
        .checked_add_signed(Duration::minutes(minutes))
        .map_or(NaiveDateTime::MAX, |x| x.naive_local())
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
    /// What got worse at the exam that started the clock ("Frankel E → D").
    pub changes: Vec<String>,
    /// Further deterioration while the clock runs ("14:10: Frankel D → C"); it does not
    /// restart the clock.
    pub further: Vec<String>,
    /// An MRI requested and not done, shown beside the clock ("MRI requested 10:05, not done").
    pub requested: Option<String>,
}

/// A done MRI's time, when it is a done MRI with a time.
pub fn mri_done_at(m: &Mri) -> Option<NaiveDateTime> {
    m.at.filter(|_| m.status == Some(MriStatus::Done))
}

/// The last done MRI at or before `cutoff`.
pub fn last_done_mri(case: &Case, cutoff: NaiveDateTime) -> Option<NaiveDateTime> {
    case.mri
        .iter()
        .filter_map(mri_done_at)
        .filter(|t| *t <= cutoff)
        .max()
}

/// The clock runs from the earliest new-or-worse timed exam after the last done MRI; only a
/// done MRI at or after that exam stops it.
pub fn mri_clock(
    case: &Case,
    neuro: &Neuro,
    now: NaiveDateTime,
    cutoff: NaiveDateTime,
    p: &Params,
    zone: Tz,
) -> Option<MriClock> {
    let last_mri = last_done_mri(case, cutoff);
    let mut worse = neuro
        .steps
        .iter()
        .filter(|s| s.worse())
        .filter(|s| s.at.is_some_and(|at| last_mri.is_none_or(|m| m < at)));
    let first = worse.next()?;
    let exam_at = first.at?;
    let further: Vec<String> = worse
        .filter_map(|s| {
            s.at.map(|t| {
                let what = if s.changes.is_empty() {
                    "flagged new or worse".to_string()
                } else {
                    s.changes.join(", ")
                };
                format!("{}: {what}", format_time(&t))
            })
        })
        .collect();
    let due = after_minutes(exam_at, (p.mri_clock_h * 60.0).round() as i64, zone);
    let minutes_left = elapsed_minutes(now, due, zone);
    let requested = mri_requested(case, now, cutoff);
    Some(MriClock {
        exam_at: format_time(&exam_at),
        due_at: format_time(&due),
        minutes_left,
        display: if minutes_left >= 0 {
            format!("{} left", hours_minutes(minutes_left))
        } else {
            format!("overdue by {}", hours_minutes(-minutes_left))
        },
        changes: if first.changes.is_empty() {
            vec!["flagged new or worse".to_string()]
        } else {
            first.changes.iter().map(|s| s.to_string()).collect()
        },
        further,
        requested,
    })
}

/// A requested MRI not done since the last done MRI, as shown beside the clock: "MRI
/// requested 10:05, not done" (the latest such request).
pub fn mri_requested(case: &Case, now: NaiveDateTime, cutoff: NaiveDateTime) -> Option<String> {
    let last_mri = last_done_mri(case, cutoff);
    let requested = case
        .mri
        .iter()
        .filter(|m| m.status == Some(MriStatus::Requested));
    requested
        .clone()
        .filter_map(|m| m.requested_at.filter(|t| *t <= cutoff))
        .filter(|t| last_mri.is_none_or(|m| m < *t))
        .max()
        .map(|t| format!("MRI requested {}, not done", short_time(&t, now)))
        .or_else(|| {
            requested
                .clone()
                .any(|m| m.requested_at.is_none())
                .then(|| "MRI requested, not done".to_string())
        })
}

/// `10:05` on the day of `now`, else the full time.
pub fn short_time(t: &NaiveDateTime, now: NaiveDateTime) -> String {
    if t.date() == now.date() {
        t.format("%H:%M").to_string()
    } else {
        format_time(t)
    }
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clocks {
    pub mri: Option<MriClock>,
    /// A new or worse exam has no time: no clock can run, MRI now (sorted before every
    /// running clock on the rounds list).
    pub mri_exam_time_unknown: bool,
    pub pathology_pending_days: Option<i64>,
    /// The last exam with findings (an empty row is not an exam).
    pub last_neuro_exam: Option<String>,
    pub neuro_exam_age_minutes: Option<i64>,
    pub neuro_exam_age: Option<String>,
}

pub fn clocks(
    case: &Case,
    neuro: &Neuro,
    now: NaiveDateTime,
    cutoff: NaiveDateTime,
    p: &Params,
    zone: Tz,
) -> Clocks {
    let last = neuro.last_timed().and_then(|s| s.at);
    // An exam within the future tolerance counts as now.
    let age = last.map(|at| elapsed_minutes(at, now, zone).max(0));
    Clocks {
        mri: mri_clock(case, neuro, now, cutoff, p, zone),
        mri_exam_time_unknown: neuro.untimed_worse().next().is_some(),
        pathology_pending_days: pathology_pending_days(case, now),
        last_neuro_exam: last.map(|t| format_time(&t)),
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
