//! Neuro deterioration (PROTOCOL §1 and §3): which exam is new or worse.
//!
//! An exam is new or worse when its flag says so, when its Frankel grade is lower than that
//! of the last earlier exam that recorded a grade, or when motor, sensation or sphincter is
//! `impaired` where the last earlier exam that recorded that component had it `normal`.
//! Exams are read in time order; exams with no time come after every timed exam, in list
//! order (an untimed row was most likely just added). Rows with no findings are not exams.
//!
//! The same reading marks the case (import, TUI) and feeds the MRI clock (evaluate), so the
//! flag a clinician sees and the clock that runs can never disagree.

use super::{Case, Frankel, Function, NeuroExam};
use chrono::NaiveDateTime;

impl NeuroExam {
    /// A Frankel grade, at least one of motor, sensation, sphincter, or the flag set true.
    pub fn has_findings(&self) -> bool {
        self.frankel.is_some()
            || self.motor.is_some()
            || self.sensation.is_some()
            || self.sphincter.is_some()
            || self.new_or_worse == Some(true)
    }
}

/// One exam with findings, in protocol order, and what got worse at it.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The row in `neuro_exams`.
    pub index: usize,
    pub at: Option<NaiveDateTime>,
    /// `new_or_worse` recorded true.
    pub flagged: bool,
    /// What got worse against the earlier exams: "Frankel E → D", "new sphincter dysfunction".
    pub changes: Vec<&'static str>,
    /// The Frankel grade dropped (the Frankel score lists these).
    pub frankel_drop: bool,
}

impl Step {
    pub fn worse(&self) -> bool {
        self.flagged || !self.changes.is_empty()
    }
}

/// Row indices in protocol order: timed rows at or before `until` (every timed row when
/// `None`) by time, equal times in list order, then rows with no time in list order.
pub fn exam_order(exams: &[NeuroExam], until: Option<NaiveDateTime>) -> Vec<usize> {
    let mut timed: Vec<usize> = (0..exams.len())
        .filter(|&i| exams[i].at.is_some_and(|t| until.is_none_or(|u| t <= u)))
        .collect();
    timed.sort_by_key(|&i| exams[i].at);
    timed.extend((0..exams.len()).filter(|&i| exams[i].at.is_none()));
    timed
}

const COMPONENTS: [(&str, &str); 3] = [
    ("motor", "new motor deficit"),
    ("sensation", "new sensory deficit"),
    ("sphincter", "new sphincter dysfunction"),
];

/// `Frankel E → D` for a drop from `before` to `now` (static: read on every evaluation).
fn frankel_drop_words(before: Frankel, now: Frankel) -> &'static str {
    use Frankel::*;
    match (before, now) {
        (E, D) => "Frankel E → D",
        (E, C) => "Frankel E → C",
        (E, B) => "Frankel E → B",
        (E, A) => "Frankel E → A",
        (D, C) => "Frankel D → C",
        (D, B) => "Frankel D → B",
        (D, A) => "Frankel D → A",
        (C, B) => "Frankel C → B",
        (C, A) => "Frankel C → A",
        (B, A) => "Frankel B → A",
        _ => "Frankel grade lower",
    }
}

fn component(e: &NeuroExam, k: usize) -> Option<Function> {
    [e.motor, e.sensation, e.sphincter][k]
}

/// Every exam with findings up to `until` (see [`exam_order`]) with what got worse at it.
pub fn deterioration(exams: &[NeuroExam], until: Option<NaiveDateTime>) -> Vec<Step> {
    let mut grade: Option<Frankel> = None;
    let mut last: [Option<Function>; 3] = [None; 3];
    let mut steps = Vec::new();
    for i in exam_order(exams, until) {
        let e = &exams[i];
        if !e.has_findings() {
            continue;
        }
        let mut changes = Vec::new();
        let mut frankel_drop = false;
        if let (Some(before), Some(now)) = (grade, e.frankel)
            && now < before
        {
            frankel_drop = true;
            changes.push(frankel_drop_words(before, now));
        }
        if e.frankel.is_some() {
            grade = e.frankel;
        }
        for (k, (_, words)) in COMPONENTS.iter().enumerate() {
            let now = component(e, k);
            if last[k] == Some(Function::Normal) && now == Some(Function::Impaired) {
                changes.push(words);
            }
            if now.is_some() {
                last[k] = now;
            }
        }
        steps.push(Step {
            index: i,
            at: e.at,
            flagged: e.new_or_worse == Some(true),
            changes,
            frankel_drop,
        });
    }
    steps
}

impl Case {
    /// Sets `new_or_worse` on every exam that got worse against the earlier exams (a Frankel
    /// drop, or a component normal → impaired; see the module), as the case format asks.
    /// Returns the indices it changed, so the caller can audit them. Never clears a flag a
    /// clinician set.
    pub fn mark_deterioration(&mut self) -> Vec<usize> {
        let changed: Vec<usize> = deterioration(&self.neuro_exams, None)
            .into_iter()
            .filter(|s| !s.changes.is_empty() && !s.flagged)
            .map(|s| s.index)
            .collect();
        for &i in &changed {
            self.neuro_exams[i].new_or_worse = Some(true);
        }
        changed
    }

    /// The former name of [`Case::mark_deterioration`], kept for its callers.
    pub fn mark_frankel_drops(&mut self) -> Vec<usize> {
        self.mark_deterioration()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::parse_time;

    fn exam(at: Option<&str>, f: Option<Frankel>) -> NeuroExam {
        NeuroExam {
            at: at.and_then(parse_time),
            frankel: f,
            new_or_worse: Some(false),
            ..Default::default()
        }
    }

    #[test]
    fn a_frankel_drop_is_marked_new_or_worse() {
        let mut c = Case::new("bed-3");
        // Out of time order on purpose: E (21st) → D (22nd) drops, D → E (23rd) does not.
        c.neuro_exams = vec![
            exam(Some("2026-11-23T08:00"), Some(Frankel::E)),
            exam(Some("2026-11-21T08:00"), Some(Frankel::E)),
            exam(Some("2026-11-22T08:00"), Some(Frankel::D)),
        ];
        assert_eq!(c.mark_deterioration(), vec![2]);
        assert_eq!(c.neuro_exams[2].new_or_worse, Some(true));
        assert_eq!(c.neuro_exams[0].new_or_worse, Some(false));
        assert!(c.mark_frankel_drops().is_empty(), "idempotent");
    }

    #[test]
    fn a_component_is_compared_with_the_last_exam_that_recorded_it() {
        let mut c = Case::new("bed-4");
        let mut first = exam(Some("2026-11-21T08:00"), Some(Frankel::E));
        first.sphincter = Some(Function::Normal);
        // The middle exam records no sphincter: the comparison reaches back to the first.
        let middle = exam(Some("2026-11-21T12:00"), Some(Frankel::E));
        let mut untimed = exam(None, Some(Frankel::E));
        untimed.sphincter = Some(Function::Impaired);
        c.neuro_exams = vec![untimed, first, middle];
        let steps = deterioration(&c.neuro_exams, None);
        assert_eq!(
            steps.iter().map(|s| s.index).collect::<Vec<_>>(),
            vec![1, 2, 0],
            "untimed last"
        );
        assert_eq!(steps[2].changes, vec!["new sphincter dysfunction"]);
        assert_eq!(c.mark_deterioration(), vec![0]);
    }

    #[test]
    fn a_row_with_no_findings_is_not_an_exam() {
        let rows = vec![
            exam(Some("2026-11-21T08:00"), Some(Frankel::E)),
            exam(Some("2026-11-21T09:00"), None),
            exam(Some("2026-11-21T10:00"), Some(Frankel::D)),
        ];
        let steps = deterioration(&rows, None);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].changes, vec!["Frankel E → D"]);
    }
}
