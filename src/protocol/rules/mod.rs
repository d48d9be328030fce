//! The rules of PROTOCOL §2 and §2b: one small function per rule, named by its ID, in one
//! file per section of the protocol (radiotherapy.rs has W-RT-OVERDUE, neurology.rs
//! W-NEURO-MRI, …). `RULES` below is the one list of IDs, in the order of PROTOCOL.md.
//!
//! A rule decides *whether* it fires and *which inputs* fired it; its words, parameters and
//! sources live in `assets/protocol.json`. A rule that needs an unknown field emits the
//! matching ask (`A-*`) instead of going silent. Pitfalls whose other trigger is present treat
//! an unknown safeguard as missing (they warn rather than stay quiet).

use super::clocks::{self, Clocks, Neuro, RtState, RtWindow};
use super::evaluation::Evaluation;
use super::scores::{self, mgy};
use super::{Params, Protocol};
use crate::case::*;
use chrono::NaiveDateTime;

// One file per section of the protocol; the `RULES` table below is the one list of IDs.
mod beyond_seed;
mod coordination;
mod dates;
mod lesions;
mod monitoring;
mod neurology;
mod pain;
mod prognosis;
mod radiotherapy;
mod systemic;

use beyond_seed::*;
use coordination::*;
use dates::*;
use lesions::*;
use monitoring::*;
use neurology::*;
use pain::*;
use prognosis::*;
use radiotherapy::*;
use systemic::*;

/// Everything a rule may read: the case and what was computed from it.
pub struct Ctx<'a> {
    pub case: &'a Case,
    pub protocol: &'a Protocol,
    pub p: &'a Params,
    pub now: NaiveDateTime,
    pub pod: Option<i64>,
    pub window: Option<&'a RtWindow>,
    pub clocks: &'a Clocks,
    pub scores: &'a super::evaluation::Scores,
    /// Distinct lesion levels, head to tail, and as text ("T5, T12"): several rules read them.
    pub levels: Vec<Level>,
    pub levels_text: String,
    /// `surgery.date: 2026-11-20 (POD 11)`: the reason most timing rules give.
    pub pod_because: String,
    /// Now plus `future_tolerance_min`: times up to it count as recorded at now.
    pub cutoff: NaiveDateTime,
    /// The neuro exams as read at now.
    pub neuro: &'a Neuro,
}

impl<'a> Ctx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        case: &'a Case,
        protocol: &'a Protocol,
        now: NaiveDateTime,
        pod: Option<i64>,
        window: Option<&'a RtWindow>,
        clocks: &'a Clocks,
        scores: &'a super::evaluation::Scores,
        neuro: &'a Neuro,
    ) -> Ctx<'a> {
        let mut levels: Vec<Level> = case.lesions.iter().filter_map(|l| l.level).collect();
        levels.sort();
        levels.dedup();
        let pod_because = match (case.surgery.date, pod) {
            (Some(d), Some(pod)) => b("surgery.date", format!("{} (POD {pod})", format_date(&d))),
            _ => b("surgery.date", "unknown"),
        };
        Ctx {
            case,
            protocol,
            p: &protocol.params,
            now,
            pod,
            window,
            clocks,
            scores,
            levels_text: levels_text(&levels),
            levels,
            pod_because,
            cutoff: clocks::cutoff(now, &protocol.params),
            neuro,
        }
    }
}

/// A rule or ask that fired, before its words are filled in.
pub struct Fired {
    pub id: &'static str,
    pub variant: Option<&'static str>,
    pub vars: Vec<(&'static str, String)>,
    pub because: Vec<String>,
    /// Asks: the exact row's field (`lesions[1].escc`) when it is not the ask's own field.
    pub field: Option<String>,
}

#[derive(Default)]
pub struct Out {
    pub fired: Vec<Fired>,
    pub asks: Vec<Fired>,
}

type Vars = Vec<(&'static str, String)>;

impl Out {
    fn fire(&mut self, id: &'static str, vars: Vars, because: Vec<String>) {
        self.fired.push(Fired {
            id,
            variant: None,
            vars,
            because,
            field: None,
        });
    }
    fn fire_variant(
        &mut self,
        id: &'static str,
        variant: &'static str,
        vars: Vars,
        because: Vec<String>,
    ) {
        self.fired.push(Fired {
            id,
            variant: Some(variant),
            vars,
            because,
            field: None,
        });
    }
    /// Asks are merged by ID: two rules waiting on the same field make one question.
    fn ask(&mut self, id: &'static str, vars: Vars, because: Vec<String>) {
        self.ask_at(id, None, vars, because);
    }

    /// An ask for one exact row (`field` = `lesions[1].escc`): merged by ID and row.
    fn ask_row(&mut self, id: &'static str, field: String, vars: Vars, because: Vec<String>) {
        self.ask_at(id, Some(field), vars, because);
    }

    fn ask_at(
        &mut self,
        id: &'static str,
        field: Option<String>,
        vars: Vars,
        because: Vec<String>,
    ) {
        if let Some(a) = self
            .asks
            .iter_mut()
            .find(|a| a.id == id && a.field == field)
        {
            for b in because {
                if !a.because.contains(&b) {
                    a.because.push(b);
                }
            }
        } else {
            self.asks.push(Fired {
                id,
                variant: None,
                vars,
                because,
                field,
            });
        }
    }
}

/// Every rule, in the order of PROTOCOL.md. The ID is the one the function fires.
pub type Rule = fn(&Ctx, &mut Out);
pub const RULES: &[(&str, Rule)] = &[
    ("P-RT-ADJUVANT", p_rt_adjuvant),
    ("P-RT-TIMING", p_rt_timing),
    ("P-RT-DOSE", p_rt_dose),
    ("P-RT-FIELD", p_rt_field),
    ("P-RT-CONSULT", p_rt_consult),
    ("P-SYS-AWAIT-PATH", p_sys_await_path),
    ("P-SYS-HEME", p_sys_heme),
    ("P-SYS-SOLID", p_sys_solid),
    ("P-BONE-BISPHOS", p_bone_bisphos),
    ("P-MDT", p_mdt),
    ("P-PAIN-DEXA", p_pain_dexa),
    ("P-PAIN-NSAID", p_pain_nsaid),
    ("P-PAIN-OPIOID", p_pain_opioid),
    ("P-PAIN-GABA", p_pain_gaba),
    ("P-MON-NEURO", p_mon_neuro),
    ("P-MON-WOUND", p_mon_wound),
    ("P-MON-MEDICAL", p_mon_medical),
    ("P-L45-CONSERVATIVE", p_l45_conservative),
    ("P-L45-SURGICAL", p_l45_surgical),
    ("P-PROG-MULTI", p_prog_multi),
    ("P-PROG-OUTCOME", p_prog_outcome),
    ("W-RT-CLOSING", w_rt_closing),
    ("W-RT-OVERDUE", w_rt_overdue),
    ("W-RT-DEFERRED", w_rt_deferred),
    ("W-CHEMO-NO-PATH", w_chemo_no_path),
    ("W-DISCHARGE-NO-RT", w_discharge_no_rt),
    ("W-NEURO-MRI", w_neuro_mri),
    ("W-NEURO-DUE", w_neuro_due),
    ("W-WOUND", w_wound),
    ("W-MDT-MISSING", w_mdt_missing),
    ("W-BENZO-LONG", w_benzo_long),
    ("W-OPIOID-TAPER", w_opioid_taper),
    ("W-NSAID-CI", w_nsaid_ci),
    ("W-RT-DOSE", w_rt_dose),
    ("W-SURVIVAL", w_survival),
    ("W-COMPLICATION", w_complication),
    ("W-LESION-UNPLANNED", w_lesion_unplanned),
    ("W-NEURO-INCONSISTENT", w_neuro_inconsistent),
    ("W-FUTURE-DATED", w_future_dated),
    ("W-MDT-INCOMPLETE", w_mdt_incomplete),
    ("W-PERF-CONFLICT", w_perf_conflict),
    ("B-RT-SCHEDULE", b_rt_schedule),
    ("B-RT-EARLY", b_rt_early),
    ("B-SINS-CONSULT", b_sins_consult),
    ("B-ESCC-HIGH", b_escc_high),
    ("B-DEXA-DOSE", b_dexa_dose),
    ("B-TOKUHASHI", b_tokuhashi),
    ("B-MRI-WHOLE-SPINE", b_mri_whole_spine),
];

fn b(field: &str, value: impl std::fmt::Display) -> String {
    format!("{field}: {value}")
}

fn opt<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "unknown".to_string(), ToString::to_string)
}

fn date_s(d: &Option<chrono::NaiveDate>) -> String {
    d.as_ref()
        .map_or_else(|| "unknown".to_string(), format_date)
}

fn pod_because(c: &Ctx) -> String {
    c.pod_because.clone()
}

fn ask_surgery_date(c: &Ctx, out: &mut Out, why: &str) {
    if c.pod.is_none() {
        out.ask("A-SURGERY-DATE", vec![], vec![why.to_string()]);
    }
}

fn levels_text(levels: &[Level]) -> String {
    levels
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a lesion row is named in words: "lesion T5", or "lesion 2 (level unknown)".
fn lesion_name(l: &Lesion, i: usize) -> String {
    match l.level {
        Some(level) => format!("lesion {level}"),
        None => format!("lesion {} (level unknown)", i + 1),
    }
}

/// Lesions other than the operated one ("further" lesions).
fn further_lesions(case: &Case) -> impl Iterator<Item = &Lesion> {
    case.lesions
        .iter()
        .filter(|l| l.treated != Some(Treated::Surgery))
}

/// `1 day`, `3 days`.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Used by the text output: `POD 11 · not started, early · 17 days left`.
pub fn window_summary(e: &Evaluation) -> String {
    match (&e.rt_window, e.pod) {
        (Some(w), pod) => {
            let mut s = format!(
                "{}{}",
                pod.map_or(String::new(), |p| format!("POD {p} · ")),
                w.state.words()
            );
            if let Some(d) = w.days_to_deadline {
                s.push_str(&if d >= 0 {
                    format!(" · {} left", days(d))
                } else {
                    format!(" · {} past deadline", days(-d))
                });
            }
            if let (Some(k), Some(n)) = (w.fraction, w.fractions) {
                s.push_str(&format!(" · fraction {k} of {n}"));
            }
            if let Some(end) = &w.expected_end {
                s.push_str(&format!(" · ends {end}"));
            }
            s
        }
        (None, _) => "POD unknown (no surgery date)".into(),
    }
}
