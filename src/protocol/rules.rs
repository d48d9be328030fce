//! The rules of PROTOCOL §2 and §2b: one small function per rule, named by its ID.
//!
//! A rule decides *whether* it fires and *which inputs* fired it; its words, parameters and
//! sources live in `assets/protocol.json`. A rule that needs an unknown field emits the
//! matching ask (`A-*`) instead of going silent. Pitfalls whose other trigger is present treat
//! an unknown safeguard as missing (they warn rather than stay quiet).

use super::clocks::{self, Clocks, RtState, RtWindow};
use super::evaluation::Evaluation;
use super::scores::{self, mgy};
use super::{Params, Protocol};
use crate::case::*;
use chrono::NaiveDateTime;

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
        }
    }
}

/// A rule or ask that fired, before its words are filled in.
pub struct Fired {
    pub id: &'static str,
    pub variant: Option<&'static str>,
    pub vars: Vec<(&'static str, String)>,
    pub because: Vec<String>,
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
        });
    }
    /// Asks are merged by ID: two rules waiting on the same field make one question.
    fn ask(&mut self, id: &'static str, vars: Vars, because: Vec<String>) {
        if let Some(a) = self.asks.iter_mut().find(|a| a.id == id) {
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
    ("B-RT-SCHEDULE", b_rt_schedule),
    ("B-RT-EARLY", b_rt_early),
    ("B-SINS-CONSULT", b_sins_consult),
    ("B-ESCC-HIGH", b_escc_high),
    ("B-DEXA-DOSE", b_dexa_dose),
    ("B-TOKUHASHI", b_tokuhashi),
    ("B-MRI-WHOLE-SPINE", b_mri_whole_spine),
];

// ---------- wording helpers for `because` ----------

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

/// Lesions other than the operated one ("further" lesions).
fn further_lesions(case: &Case) -> impl Iterator<Item = &Lesion> {
    case.lesions
        .iter()
        .filter(|l| l.treated != Some(Treated::Surgery))
}

/// A course whose last fraction is past but has no end date: the window cannot say completed.
fn ask_rt_end(c: &Ctx, out: &mut Out) {
    let Some(w) = c.window else { return };
    if let (RtState::Started, Some(k), Some(n), Some(end)) =
        (w.state, w.fraction, w.fractions, &w.expected_end)
        && k >= n
        && parse_date(end).is_some_and(|d| d < c.now.date())
    {
        out.ask(
            "A-RT-END",
            vec![("fractions", n.to_string()), ("expected_end", end.clone())],
            vec![
                b("radiotherapy.end", "not recorded"),
                format!("expected end {end}"),
            ],
        );
    }
}

/// `1 day`, `3 days`.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// `radiotherapy.start: not recorded`, or the date when it lies after now.
fn start_because(c: &Ctx) -> String {
    match c.case.radiotherapy.start {
        Some(d) => b(
            "radiotherapy.start",
            format!("{} (after now)", format_date(&d)),
        ),
        None => b("radiotherapy.start", "not recorded"),
    }
}

fn rt_not_started(c: &Ctx) -> bool {
    !clocks::rt_started(c.case, c.now) && !clocks::rt_completed(c.case, c.now)
}

fn window_words(c: &Ctx) -> String {
    match (c.pod, c.window) {
        (Some(pod), Some(w)) => match w.days_to_deadline {
            Some(d) if d >= 0 => format!(
                "POD {pod}, {}, {} to the POD {} deadline",
                w.state.words(),
                days(d),
                fmt_num(c.p.rt_deadline)
            ),
            Some(d) => format!(
                "POD {pod}, {}, {} past the deadline",
                w.state.words(),
                days(-d)
            ),
            None => format!("POD {pod}, {}", w.state.words()),
        },
        _ => "POD unknown (record the surgery date)".to_string(),
    }
}

// ---------- radiotherapy ----------

fn p_rt_adjuvant(c: &Ctx, out: &mut Out) {
    let s = &c.case.surgery;
    let mut because = vec![b(
        "surgery",
        format!(
            "{} on {}",
            s.procedure.as_deref().unwrap_or("stabilization"),
            date_s(&s.date)
        ),
    )];
    let levels = scores::treated_levels(c.case);
    if !levels.is_empty() {
        because.push(b("lesions (treated)", levels_text(&levels)));
    }
    out.fire("P-RT-ADJUVANT", vec![], because);
}

fn p_rt_timing(c: &Ctx, out: &mut Out) {
    if !rt_not_started(c) {
        ask_rt_end(c, out);
        return;
    }
    ask_surgery_date(c, out, "the radiotherapy window counts from surgery");
    let stable = c.case.medically_stable;
    let wound = c.case.wound.status;
    let mut because = vec![
        pod_because(c),
        start_because(c),
        b("medically_stable", opt(&stable)),
        b("wound.status", opt(&wound)),
    ];
    let wound_ok = matches!(wound, Some(WoundStatus::Healed | WoundStatus::Healing));
    let contraindication = c.case.radiotherapy.contraindication_recorded();
    if let Some(ci) = contraindication {
        because.push(b("radiotherapy.contraindication", ci));
    }
    let mut vars = vec![("window", window_words(c)), ("wound", opt(&wound))];
    let variant = if stable == Some(true) && wound_ok && contraindication.is_none() {
        "ready"
    } else {
        let mut blockers = Vec::new();
        if let Some(ci) = contraindication {
            blockers.push(format!("contraindication recorded (\"{ci}\")"));
        }
        if stable == Some(false) {
            blockers.push("not medically stable".to_string());
        }
        if let Some(w) = wound.filter(|_| !wound_ok) {
            blockers.push(format!("wound {w}"));
        }
        if blockers.is_empty() {
            let mut unknowns = Vec::new();
            if stable.is_none() {
                unknowns.push("medical stability");
                out.ask(
                    "A-STABLE",
                    vec![],
                    vec!["P-RT-TIMING: readiness for radiotherapy".into()],
                );
            }
            if wound.is_none() {
                unknowns.push("wound status");
                out.ask(
                    "A-WOUND",
                    vec![],
                    vec!["P-RT-TIMING: readiness for radiotherapy".into()],
                );
            }
            vars.push(("unknowns", unknowns.join(", ")));
            "unknown"
        } else {
            vars.push(("blockers", blockers.join("; ")));
            "wait"
        }
    };
    if c.case.wound.checked_at.is_some() {
        because.push(b(
            "wound.checked_at",
            c.case
                .wound
                .checked_at
                .as_ref()
                .map(format_time)
                .unwrap_or_default(),
        ));
    }
    out.fire_variant("P-RT-TIMING", variant, vars, because);
}

fn p_rt_dose(c: &Ctx, out: &mut Out) {
    let rt = &c.case.radiotherapy;
    let sched = &c.scores.rt_schedule;
    let mut because = vec![
        b(
            "radiotherapy.total_dose_gy",
            rt.total_dose_gy.map_or("unknown".into(), fmt_num),
        ),
        b(
            "radiotherapy.dose_per_fraction_gy",
            rt.dose_per_fraction_gy.map_or("unknown".into(), fmt_num),
        ),
    ];
    let schedule = match (rt.total_dose_gy, rt.dose_per_fraction_gy, sched.fractions) {
        (Some(t), Some(d), Some(n)) => {
            because.push(b(
                "fractions",
                format!("{} ÷ {} = {n}", fmt_num(t), fmt_num(d)),
            ));
            format!(
                "Planned {} Gy in {} Gy: {n} fractions over {} weeks ({} a week); EQD2 {} Gy tumour (α/β {}), {} Gy spinal cord (α/β {}); BED {} / {} Gy.",
                fmt_num(t),
                fmt_num(d),
                fmt_num(sched.weeks.unwrap_or(0.0)),
                fmt_num(c.p.fractions_per_week),
                fmt_num(sched.eqd2_tumour.unwrap_or(0.0)),
                fmt_num(c.p.alpha_beta_tumour),
                fmt_num(sched.eqd2_cord.unwrap_or(0.0)),
                fmt_num(c.p.alpha_beta_cord),
                fmt_num(sched.bed_tumour.unwrap_or(0.0)),
                fmt_num(sched.bed_cord.unwrap_or(0.0)),
            )
        }
        _ => {
            if !clocks::rt_completed(c.case, c.now) {
                out.ask(
                    "A-RT-DOSE",
                    vec![],
                    vec!["P-RT-DOSE: fractions, weeks and EQD2".into()],
                );
            }
            "Record the planned total and dose per fraction to compute fractions, weeks and EQD2."
                .to_string()
        }
    };
    out.fire("P-RT-DOSE", vec![("schedule", schedule)], because);
}

fn p_rt_field(c: &Ctx, out: &mut Out) {
    let fields = &c.scores.rt_field;
    if fields.is_empty() {
        if c.case.lesions.iter().any(|l| l.level.is_some()) {
            out.ask(
                "A-LESION-LEVEL",
                vec![],
                vec!["P-RT-FIELD: no lesion marked treated (surgery) or for radiotherapy".into()],
            );
        } else {
            out.ask(
                "A-LESIONS",
                vec![],
                vec!["P-RT-FIELD: no lesion level recorded".into()],
            );
        }
        return;
    }
    let lesions: Vec<Level> = fields
        .iter()
        .flat_map(|f| f.lesions.iter().copied())
        .collect();
    let notes: Vec<&str> = fields.iter().filter_map(|f| f.note.as_deref()).collect();
    let field_text = fields
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let ends = if notes.is_empty() {
        String::new()
    } else {
        format!(" {}.", notes.join("; "))
    };
    out.fire(
        "P-RT-FIELD",
        vec![
            ("field", field_text),
            ("levels", levels_text(&lesions)),
            ("ends", ends),
        ],
        vec![b(
            "lesions (treated or for radiotherapy)",
            levels_text(&lesions),
        )],
    );
}

fn p_rt_consult(c: &Ctx, out: &mut Out) {
    let consult = c.case.radiotherapy.consult;
    let action = match consult {
        Some(Consult::Seen) => return,
        Some(Consult::Requested) => "confirm (requested)",
        Some(Consult::None) => "request it",
        None => {
            out.ask(
                "A-RT-CONSULT",
                vec![],
                vec!["P-RT-CONSULT: consult status".into()],
            );
            "request or record it"
        }
    };
    out.fire(
        "P-RT-CONSULT",
        vec![("action", action.into()), ("consult", opt(&consult))],
        vec![b("radiotherapy.consult", opt(&consult))],
    );
}

// ---------- systemic ----------

fn p_sys_await_path(c: &Ctx, out: &mut Out) {
    match c.case.pathology.status {
        Some(PathologyStatus::Final) => {}
        Some(PathologyStatus::Pending) => {
            let days = c.clocks.pathology_pending_days;
            let pending = days.map_or(String::new(), |d| format!(" (pending {d} days)"));
            let mut because = vec![b("pathology.status", "pending")];
            if let Some(d) = c.case.pathology.biopsy_date {
                because.push(b("pathology.biopsy_date", format_date(&d)));
            }
            out.fire("P-SYS-AWAIT-PATH", vec![("pending", pending)], because);
        }
        None => out.ask(
            "A-PATHOLOGY",
            vec![],
            vec!["P-SYS-AWAIT-PATH: pathology status".into()],
        ),
    }
}

fn final_histology(case: &Case) -> Option<Option<Histology>> {
    (case.pathology.status == Some(PathologyStatus::Final)).then_some(case.pathology.histology)
}

fn is_heme(h: Histology) -> bool {
    matches!(h, Histology::Myeloma | Histology::Lymphoma)
}

fn p_sys_heme(c: &Ctx, out: &mut Out) {
    if let Some(Some(h)) = final_histology(c.case)
        && is_heme(h)
    {
        out.fire(
            "P-SYS-HEME",
            vec![("histology", capitalise(h.as_str()))],
            vec![b("pathology.status", "final"), b("pathology.histology", h)],
        );
    }
}

fn p_sys_solid(c: &Ctx, out: &mut Out) {
    match final_histology(c.case) {
        None => {}
        Some(None) => out.ask(
            "A-HISTOLOGY",
            vec![],
            vec!["P-SYS-HEME / P-SYS-SOLID: final pathology without histology".into()],
        ),
        Some(Some(h)) if is_heme(h) => {}
        Some(Some(h)) => {
            let mut missing = Vec::new();
            let markers = c
                .case
                .pathology
                .markers
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty());
            if markers.is_none() {
                missing.push("molecular markers");
                out.ask(
                    "A-MARKERS",
                    vec![],
                    vec!["P-SYS-SOLID: systemic therapy selection".into()],
                );
            }
            let perf = &c.case.performance;
            if perf.ecog.is_none() && perf.kps.is_none() {
                missing.push("performance status (ECOG or KPS)");
                out.ask(
                    "A-PERFORMANCE",
                    vec![],
                    vec!["P-SYS-SOLID: systemic therapy selection".into()],
                );
            }
            let missing = if missing.is_empty() {
                String::new()
            } else {
                format!(" Still to record: {}.", missing.join(", "))
            };
            out.fire(
                "P-SYS-SOLID",
                vec![
                    ("histology", h.as_str().replace('_', " ")),
                    ("missing", missing),
                ],
                vec![
                    b("pathology.histology", h),
                    b("pathology.markers", markers.unwrap_or("unknown")),
                    b(
                        "performance",
                        format!("ECOG {}, KPS {}", opt(&perf.ecog), opt(&perf.kps)),
                    ),
                ],
            );
        }
    }
}

fn p_bone_bisphos(c: &Ctx, out: &mut Out) {
    let bh = &c.case.bone_health;
    let mut reasons = Vec::new();
    if bh.osteoporosis == Some(true) {
        reasons.push("osteoporosis confirmed");
    }
    if bh.threatening_fracture == Some(true) {
        reasons.push("threatening fracture");
    }
    if reasons.is_empty() {
        if bh.osteoporosis.is_none() || bh.threatening_fracture.is_none() {
            out.ask(
                "A-BONE-HEALTH",
                vec![],
                vec!["P-BONE-BISPHOS: osteoporosis / threatening fracture".into()],
            );
        }
        return;
    }
    match bh.bisphosphonate {
        Some(true) => {}
        Some(false) => out.fire(
            "P-BONE-BISPHOS",
            vec![("reason", reasons.join(", "))],
            vec![
                b("bone_health.osteoporosis", opt(&bh.osteoporosis)),
                b(
                    "bone_health.threatening_fracture",
                    opt(&bh.threatening_fracture),
                ),
                b("bone_health.bisphosphonate", "false"),
            ],
        ),
        None => out.ask(
            "A-BONE-HEALTH",
            vec![],
            vec!["P-BONE-BISPHOS: bisphosphonate given?".into()],
        ),
    }
}

// ---------- MDT ----------

const MDT_CORE: [Discipline; 4] = [
    Discipline::Hospitalist,
    Discipline::Oncology,
    Discipline::RadiationOncology,
    Discipline::SpineSurgery,
];

fn p_mdt(c: &Ctx, out: &mut Out) {
    let mdt = &c.case.mdt;
    if clocks::mdt_held(c.case, c.now) {
        return;
    }
    let attendees = mdt.attendees.clone().unwrap_or_default();
    let missing: Vec<String> = MDT_CORE
        .iter()
        .filter(|d| !attendees.contains(d))
        .map(|d| d.as_str().replace('_', " "))
        .collect();
    let missing_text = if missing.is_empty() {
        "All four disciplines are listed.".to_string()
    } else {
        format!("Still missing: {}.", missing.join(", "))
    };
    let further: Vec<Level> = further_lesions(c.case).filter_map(|l| l.level).collect();
    let further_text = if further.is_empty() {
        "any further lesion".to_string()
    } else {
        format!("the further lesion {}", levels_text(&further))
    };
    let listed: Vec<&str> = attendees.iter().map(|d| d.as_str()).collect();
    out.fire(
        "P-MDT",
        vec![("missing", missing_text), ("further_lesions", further_text)],
        vec![
            b("mdt.held_at", "not recorded"),
            b(
                "mdt.attendees",
                if listed.is_empty() {
                    "none".to_string()
                } else {
                    listed.join(", ")
                },
            ),
        ],
    );
}

fn w_mdt_missing(c: &Ctx, out: &mut Out) {
    if clocks::mdt_held(c.case, c.now) {
        return;
    }
    if let Some(pod) = c.pod
        && pod as f64 >= c.p.mdt_due_pod
    {
        out.fire(
            "W-MDT-MISSING",
            vec![("pod", pod.to_string())],
            vec![pod_because(c), b("mdt.held_at", "not recorded")],
        );
    }
}

// ---------- pain ----------

fn p_pain_dexa(c: &Ctx, out: &mut Out) {
    let dexa = c.case.medications.dexamethasone;
    let Some(pod) = c.pod else {
        ask_surgery_date(c, out, "P-PAIN-DEXA: the immediate post-operative period");
        return;
    };
    // Nothing to continue or review for a patient not on dexamethasone.
    let route = match dexa {
        Some(Dexamethasone::None) => return,
        Some(Dexamethasone::Oral) => "oral",
        Some(Dexamethasone::Iv) => "IV",
        None => {
            out.ask(
                "A-DEXA",
                vec![],
                vec!["P-PAIN-DEXA: continue or review dexamethasone".into()],
            );
            "IV"
        }
    };
    let vars = vec![("pod", pod.to_string()), ("route", route.to_string())];
    let because = vec![pod_because(c), b("medications.dexamethasone", opt(&dexa))];
    let variant = if pod as f64 <= c.p.dexa_review_pod {
        "continue"
    } else {
        "review"
    };
    out.fire_variant("P-PAIN-DEXA", variant, vars, because);
}

fn p_pain_nsaid(c: &Ctx, out: &mut Out) {
    let ci = c.case.medications.nsaid_contraindicated;
    let text = match ci {
        Some(true) => return,
        Some(false) => "no contraindication recorded",
        None => {
            out.ask(
                "A-NSAID-CI",
                vec![],
                vec!["P-PAIN-NSAID: scheduled NSAIDs".into()],
            );
            "contraindication not yet recorded: check first"
        }
    };
    out.fire(
        "P-PAIN-NSAID",
        vec![("ci", text.into())],
        vec![b("medications.nsaid_contraindicated", opt(&ci))],
    );
}

fn p_pain_opioid(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    out.fire(
        "P-PAIN-OPIOID",
        vec![],
        vec![
            b("medications.opioid", opt(&m.opioid)),
            b("medications.opioid_taper_plan", opt(&m.opioid_taper_plan)),
        ],
    );
}

fn p_pain_gaba(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    match m.neuropathic_pain {
        Some(true) if m.gabapentinoid != Some(true) => out.fire(
            "P-PAIN-GABA",
            vec![],
            vec![
                b("medications.neuropathic_pain", "true"),
                b("medications.gabapentinoid", opt(&m.gabapentinoid)),
            ],
        ),
        None => out.ask(
            "A-NEUROPATHIC",
            vec![],
            vec!["P-PAIN-GABA: gabapentin for a neuropathic component".into()],
        ),
        _ => {}
    }
}

fn w_benzo_long(c: &Ctx, out: &mut Out) {
    if c.case.medications.benzodiazepine == Some(Benzodiazepine::LongTerm) {
        out.fire(
            "W-BENZO-LONG",
            vec![],
            vec![b("medications.benzodiazepine", "long_term")],
        );
    }
}

fn w_opioid_taper(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    let Some(opioid @ (Opioid::ShortActing | Opioid::LongActing)) = m.opioid else {
        return;
    };
    match m.opioid_taper_plan {
        Some(true) => {}
        taper => {
            if taper.is_none() {
                out.ask(
                    "A-OPIOID-TAPER",
                    vec![],
                    vec!["W-OPIOID-TAPER: opioid given".into()],
                );
            }
            out.fire(
                "W-OPIOID-TAPER",
                vec![
                    ("opioid", opioid.as_str().replace('_', " ")),
                    ("taper", opt(&taper)),
                ],
                vec![
                    b("medications.opioid", opioid),
                    b("medications.opioid_taper_plan", opt(&taper)),
                ],
            );
        }
    }
}

fn w_nsaid_ci(c: &Ctx, out: &mut Out) {
    let m = &c.case.medications;
    if m.nsaid == Some(true) && m.nsaid_contraindicated == Some(true) {
        out.fire(
            "W-NSAID-CI",
            vec![],
            vec![
                b("medications.nsaid", "true"),
                b("medications.nsaid_contraindicated", "true"),
            ],
        );
    }
}

fn b_dexa_dose(c: &Ctx, out: &mut Out) {
    if let Some(route @ (Dexamethasone::Iv | Dexamethasone::Oral)) =
        c.case.medications.dexamethasone
    {
        out.fire(
            "B-DEXA-DOSE",
            vec![("route", route.as_str().to_uppercase())],
            vec![b("medications.dexamethasone", route)],
        );
    }
}

// ---------- monitoring ----------

fn last_exam_words(c: &Ctx) -> String {
    match (&c.clocks.last_neuro_exam, c.clocks.neuro_exam_age_minutes) {
        (Some(at), Some(min)) => format!("{at}, {} h ago", min.div_euclid(60)),
        _ => "none recorded".into(),
    }
}

fn p_mon_neuro(c: &Ctx, out: &mut Out) {
    let last = last_exam_words(c);
    out.fire(
        "P-MON-NEURO",
        vec![("last", last.clone())],
        vec![b("neuro_exams: last", last)],
    );
}

fn w_neuro_due(c: &Ctx, out: &mut Out) {
    let max_min = (c.p.neuro_exam_max_h * 60.0).round() as i64;
    let last = last_exam_words(c);
    let due = match c.clocks.neuro_exam_age_minutes {
        None => {
            out.ask(
                "A-NEURO",
                vec![],
                vec!["W-NEURO-DUE: no neuro exam recorded".into()],
            );
            true
        }
        Some(age) => age > max_min,
    };
    if due {
        let because = match (&c.clocks.last_neuro_exam, c.clocks.neuro_exam_age_minutes) {
            (Some(at), Some(min)) => {
                format!("neuro_exams: last {at} ({} h ago)", min.div_euclid(60))
            }
            _ => "neuro_exams: none recorded".into(),
        };
        out.fire("W-NEURO-DUE", vec![("last", last)], vec![because]);
    }
}

fn w_neuro_mri(c: &Ctx, out: &mut Out) {
    if let Some(m) = &c.clocks.mri {
        let last_mri = c.case.mri.iter().filter_map(|m| m.at).max();
        out.fire(
            "W-NEURO-MRI",
            vec![("clock", m.display.clone()), ("exam_at", m.exam_at.clone())],
            vec![
                b("neuro_exams", format!("new or worse at {}", m.exam_at)),
                b(
                    "mri: last",
                    last_mri.map_or("none".into(), |t| format_time(&t)),
                ),
                b("MRI due by", format!("{} ({})", m.due_at, m.display)),
            ],
        );
    }
}

fn p_mon_wound(c: &Ctx, out: &mut Out) {
    let w = &c.case.wound;
    let text = match (w.status, w.checked_at) {
        (Some(s), Some(t)) => format!("{s} at {}", format_time(&t)),
        (Some(s), None) => s.to_string(),
        (None, _) => "not recorded".into(),
    };
    if w.status.is_none() {
        out.ask("A-WOUND", vec![], vec!["P-MON-WOUND: wound status".into()]);
    }
    out.fire(
        "P-MON-WOUND",
        vec![("wound", text.clone())],
        vec![b("wound", text)],
    );
}

fn w_wound(c: &Ctx, out: &mut Out) {
    if let Some(s @ (WoundStatus::Infection | WoundStatus::Hematoma | WoundStatus::Dehiscence)) =
        c.case.wound.status
    {
        out.fire(
            "W-WOUND",
            vec![("status", s.to_string())],
            vec![b("wound.status", s)],
        );
    }
}

fn p_mon_medical(c: &Ctx, out: &mut Out) {
    let _ = c;
    out.fire(
        "P-MON-MEDICAL",
        vec![],
        vec!["always, after spinal surgery".into()],
    );
}

fn w_complication(c: &Ctx, out: &mut Out) {
    let present = c.case.complications.present();
    if present.is_empty() {
        return;
    }
    let names: Vec<&str> = present
        .iter()
        .map(|k| match *k {
            "vte" => "venous thromboembolism",
            "pulmonary" => "pulmonary event",
            "cardiac" => "cardiac event",
            "spinous_process_fracture" => "spinous process fracture",
            other => other,
        })
        .collect();
    out.fire(
        "W-COMPLICATION",
        vec![("names", names.join(", "))],
        present
            .iter()
            .map(|k| b(&format!("complications.{k}"), "true"))
            .collect(),
    );
}

// ---------- degenerative stenosis (L4–L5) ----------

fn stenosis_name(s: &DegenerativeStenosis) -> String {
    let level = s
        .level
        .map_or("level unknown".to_string(), |l| l.to_string());
    match s.severity {
        Some(sev) => format!("{level} ({sev})"),
        None => level,
    }
}

fn surgical_candidate(s: &DegenerativeStenosis) -> bool {
    s.attributable_symptoms == Some(true)
        && s.conservative_failed == Some(true)
        && s.functionally_limiting == Some(true)
}

fn p_l45_conservative(c: &Ctx, out: &mut Out) {
    let list = &c.case.degenerative_stenosis;
    if list.is_empty() {
        return;
    }
    let names: Vec<String> = list.iter().map(stenosis_name).collect();
    let unknown: Vec<String> = list
        .iter()
        .filter(|s| s.attributable_symptoms.is_none())
        .map(stenosis_name)
        .collect();
    if !unknown.is_empty() {
        out.ask(
            "A-L45",
            vec![("levels", unknown.join(", "))],
            vec!["P-L45-SURGICAL: attributable symptoms".into()],
        );
    }
    out.fire(
        "P-L45-CONSERVATIVE",
        vec![("levels", names.join(", "))],
        list.iter()
            .map(|s| {
                b(
                    "degenerative_stenosis",
                    format!(
                        "{}, attributable symptoms {}",
                        stenosis_name(s),
                        opt(&s.attributable_symptoms)
                    ),
                )
            })
            .collect(),
    );
}

fn p_l45_surgical(c: &Ctx, out: &mut Out) {
    let cands: Vec<&DegenerativeStenosis> = c
        .case
        .degenerative_stenosis
        .iter()
        .filter(|s| surgical_candidate(s))
        .collect();
    if cands.is_empty() {
        return;
    }
    let names: Vec<String> = cands.iter().map(|s| stenosis_name(s)).collect();
    out.fire(
        "P-L45-SURGICAL",
        vec![("levels", names.join(", "))],
        names
            .iter()
            .map(|n| {
                b(
                    "degenerative_stenosis",
                    format!(
                        "{n}: attributable symptoms, conservative failed, functionally limiting"
                    ),
                )
            })
            .collect(),
    );
}

// ---------- prognosis and further lesions ----------

fn p_prog_multi(c: &Ctx, out: &mut Out) {
    if c.levels.len() >= 2 {
        out.fire(
            "P-PROG-MULTI",
            vec![("levels", c.levels_text.clone())],
            vec![b("lesions", &c.levels_text)],
        );
    }
}

fn b_mri_whole_spine(c: &Ctx, out: &mut Out) {
    if c.levels.len() >= 2 {
        out.fire(
            "B-MRI-WHOLE-SPINE",
            vec![("levels", c.levels_text.clone())],
            vec![b("lesions", &c.levels_text)],
        );
    }
}

fn p_prog_outcome(_c: &Ctx, out: &mut Out) {
    out.fire("P-PROG-OUTCOME", vec![], vec!["always".into()]);
}

fn w_survival(c: &Ctx, out: &mut Out) {
    match c.case.expected_survival_months {
        Some(m) if m < c.p.survival_min_months => out.fire(
            "W-SURVIVAL",
            vec![("months", fmt_num(m))],
            vec![b("expected_survival_months", fmt_num(m))],
        ),
        Some(_) => {}
        None => {
            let t = &c.scores.tokuhashi;
            let estimate = match (t.total, t.band) {
                (Some(total), Some(band)) => {
                    format!(" Revised Tokuhashi estimate: {total}/15, {band}.")
                }
                _ => String::new(),
            };
            out.ask(
                "A-SURVIVAL",
                vec![("estimate", estimate)],
                vec!["W-SURVIVAL: expected survival".into()],
            );
        }
    }
}

fn w_lesion_unplanned(c: &Ctx, out: &mut Out) {
    let undecided: Vec<&Lesion> = further_lesions(c.case)
        .filter(|l| l.management.is_none())
        .collect();
    if undecided.is_empty() {
        return;
    }
    let levels: Vec<Level> = undecided.iter().filter_map(|l| l.level).collect();
    out.fire(
        "W-LESION-UNPLANNED",
        vec![("levels", levels_text(&levels))],
        undecided
            .iter()
            .map(|l| {
                b(
                    "lesions",
                    format!(
                        "{} {}: management undecided",
                        opt(&l.level),
                        opt(&l.finding)
                    ),
                )
            })
            .collect(),
    );
}

fn b_tokuhashi(c: &Ctx, out: &mut Out) {
    let t = &c.scores.tokuhashi;
    match (t.total, t.band) {
        (Some(total), Some(band)) => {
            let parts: Vec<String> = t
                .components
                .iter()
                .map(|x| {
                    format!(
                        "{} {}",
                        x.from.clone().unwrap_or_default(),
                        x.points.unwrap_or(0)
                    )
                })
                .collect();
            out.fire(
                "B-TOKUHASHI",
                vec![
                    ("total", total.to_string()),
                    ("band", band.to_string()),
                    ("components", parts.join(", ")),
                ],
                t.components
                    .iter()
                    .map(|x| b(x.name, x.from.clone().unwrap_or_default()))
                    .collect(),
            );
        }
        _ => {
            let missing: Vec<&str> = t.missing.to_vec();
            out.ask(
                "A-TOKUHASHI",
                vec![("missing", missing.join(", "))],
                vec![format!(
                    "B-TOKUHASHI: {} of 6 components known",
                    6 - missing.len()
                )],
            );
        }
    }
}

// ---------- radiotherapy pitfalls ----------

fn window_state(c: &Ctx) -> Option<RtState> {
    c.window.map(|w| w.state)
}

fn w_rt_closing(c: &Ctx, out: &mut Out) {
    if window_state(c) == Some(RtState::Closing) {
        let days = c.window.and_then(|w| w.days_to_deadline).unwrap_or(0);
        out.fire(
            "W-RT-CLOSING",
            vec![("days_left", self::days(days)), ("pod", opt(&c.pod))],
            vec![pod_because(c), start_because(c)],
        );
    }
}

fn w_rt_overdue(c: &Ctx, out: &mut Out) {
    if window_state(c) == Some(RtState::Overdue) {
        let days = c.window.and_then(|w| w.days_to_deadline).unwrap_or(0);
        out.fire(
            "W-RT-OVERDUE",
            vec![("days_over", self::days(-days)), ("pod", opt(&c.pod))],
            vec![
                pod_because(c),
                start_because(c),
                b("radiotherapy.contraindication", "none recorded"),
            ],
        );
    }
}

fn w_rt_deferred(c: &Ctx, out: &mut Out) {
    if window_state(c) == Some(RtState::Deferred) {
        let reason = c
            .case
            .radiotherapy
            .contraindication_recorded()
            .unwrap_or_default()
            .to_string();
        out.fire(
            "W-RT-DEFERRED",
            vec![("reason", reason.clone()), ("pod", opt(&c.pod))],
            vec![pod_because(c), b("radiotherapy.contraindication", reason)],
        );
    }
}

fn w_rt_dose(c: &Ctx, out: &mut Out) {
    let rt = &c.case.radiotherapy;
    let mut outside = Vec::new();
    let mut because = Vec::new();
    if let Some(t) = rt.total_dose_gy
        && (mgy(t) < mgy(c.p.rt_total_min_gy) || mgy(t) > mgy(c.p.rt_total_max_gy))
    {
        outside.push(format!(
            "total {} Gy is outside {}–{} Gy",
            fmt_num(t),
            fmt_num(c.p.rt_total_min_gy),
            fmt_num(c.p.rt_total_max_gy)
        ));
        because.push(b("radiotherapy.total_dose_gy", fmt_num(t)));
    }
    if let Some(d) = rt.dose_per_fraction_gy
        && (mgy(d) < mgy(c.p.rt_fraction_min_gy) || mgy(d) > mgy(c.p.rt_fraction_max_gy))
    {
        outside.push(format!(
            "{} Gy per fraction is outside {}–{} Gy",
            fmt_num(d),
            fmt_num(c.p.rt_fraction_min_gy),
            fmt_num(c.p.rt_fraction_max_gy)
        ));
        because.push(b("radiotherapy.dose_per_fraction_gy", fmt_num(d)));
    }
    if !outside.is_empty() {
        out.fire(
            "W-RT-DOSE",
            vec![("outside", capitalise(&outside.join("; ")))],
            because,
        );
    }
}

fn b_rt_schedule(c: &Ctx, out: &mut Out) {
    let multi = if c.levels.len() >= 2 {
        format!(
            " {} lesions ({}): complete the myeloma / staging work-up before choosing a plasmacytoma regimen.",
            c.levels.len(),
            c.levels_text
        )
    } else {
        String::new()
    };
    let lesions = if c.levels.is_empty() {
        "none recorded"
    } else {
        &c.levels_text
    };
    out.fire(
        "B-RT-SCHEDULE",
        vec![
            ("schedules", c.protocol.schedules_text.clone()),
            ("multi", multi),
        ],
        vec![format!("beside P-RT-DOSE; lesions: {lesions}")],
    );
}

fn b_rt_early(c: &Ctx, out: &mut Out) {
    let (Some(planned), Some(surgery)) = (c.case.radiotherapy.planned_start, c.case.surgery.date)
    else {
        return;
    };
    if !rt_not_started(c) {
        return;
    }
    let planned_pod = (planned - surgery).num_days();
    if (planned_pod as f64) < c.p.rt_target_from {
        out.fire(
            "B-RT-EARLY",
            vec![
                ("planned", format_date(&planned)),
                ("planned_pod", planned_pod.to_string()),
            ],
            vec![
                b(
                    "radiotherapy.planned_start",
                    format!("{} (POD {planned_pod})", format_date(&planned)),
                ),
                b("surgery.date", format_date(&surgery)),
            ],
        );
    }
}

fn b_sins_consult(c: &Ctx, out: &mut Out) {
    let threshold = c.p.sins_consult_from as u32;
    let mut hits = Vec::new();
    let mut unknown = Vec::new();
    for (lesion, score) in c.case.lesions.iter().zip(&c.scores.lesions) {
        if lesion.treated == Some(Treated::Surgery) {
            continue;
        }
        let level = opt(&lesion.level);
        match &score.sins {
            Some(s) if s.known_total >= threshold => {
                let total = if s.complete {
                    format!("{}", s.known_total)
                } else {
                    format!("≥ {} so far", s.known_total)
                };
                hits.push((level, total));
            }
            Some(s) if s.complete => {}
            _ => unknown.push(level),
        }
    }
    if !unknown.is_empty() {
        out.ask(
            "A-SINS",
            vec![("levels", unknown.join(", "))],
            vec!["B-SINS-CONSULT: SINS of an untreated lesion".into()],
        );
    }
    if !hits.is_empty() {
        let levels: Vec<&str> = hits.iter().map(|(l, _)| l.as_str()).collect();
        let scores_text: Vec<String> = hits.iter().map(|(l, t)| format!("{l} SINS {t}")).collect();
        out.fire(
            "B-SINS-CONSULT",
            vec![
                ("levels", levels.join(", ")),
                ("scores", scores_text.join(", ")),
            ],
            scores_text.iter().map(|s| b("lesions", s)).collect(),
        );
    }
}

fn b_escc_high(c: &Ctx, out: &mut Out) {
    let histology = c.case.pathology.histology;
    if histology.is_some_and(is_heme) && c.case.pathology.status == Some(PathologyStatus::Final) {
        return;
    }
    let mut hits = Vec::new();
    let mut unknown = Vec::new();
    for lesion in further_lesions(c.case) {
        match lesion.escc {
            Some(g @ (Escc::G2 | Escc::G3)) => hits.push((opt(&lesion.level), g)),
            Some(_) => {}
            None => unknown.push(opt(&lesion.level)),
        }
    }
    if !unknown.is_empty() {
        out.ask(
            "A-ESCC",
            vec![("levels", unknown.join(", "))],
            vec!["B-ESCC-HIGH: ESCC of an untreated lesion".into()],
        );
    }
    if !hits.is_empty() {
        let levels: Vec<&str> = hits.iter().map(|(l, _)| l.as_str()).collect();
        let grades: Vec<String> = hits.iter().map(|(l, g)| format!("{g} at {l}")).collect();
        let mut because: Vec<String> = hits
            .iter()
            .map(|(l, g)| b("lesions", format!("{l} ESCC {g}, untreated")))
            .collect();
        because.push(b("pathology.histology", opt(&histology)));
        out.fire(
            "B-ESCC-HIGH",
            vec![
                ("levels", levels.join(", ")),
                ("grades", grades.join(", ")),
                ("histology", opt(&histology)),
            ],
            because,
        );
    }
}

// ---------- coordination ----------

fn w_chemo_no_path(c: &Ctx, out: &mut Out) {
    let status = c.case.systemic.status;
    let path = c.case.pathology.status;
    match status {
        Some(s @ (SystemicStatus::Planned | SystemicStatus::Started))
            if path != Some(PathologyStatus::Final) =>
        {
            let mut because = vec![b("systemic.status", s), b("pathology.status", opt(&path))];
            if let Some(agent) = c
                .case
                .systemic
                .agent
                .as_deref()
                .filter(|a| !a.trim().is_empty())
            {
                because.push(b("systemic.agent", agent));
            }
            out.fire(
                "W-CHEMO-NO-PATH",
                vec![("status", s.to_string()), ("pathology", opt(&path))],
                because,
            );
        }
        None if path != Some(PathologyStatus::Final) => {
            out.ask(
                "A-SYSTEMIC",
                vec![],
                vec!["W-CHEMO-NO-PATH: systemic therapy before final pathology".into()],
            );
        }
        _ => {}
    }
}

fn w_discharge_no_rt(c: &Ctx, out: &mut Out) {
    let Some(date) = c.case.discharge.planned_date else {
        return;
    };
    let rt = &c.case.radiotherapy;
    let mut missing = Vec::new();
    if rt.consult != Some(Consult::Seen) {
        missing.push(format!(
            "radiation oncology consult {}",
            rt.consult
                .map_or("not recorded".to_string(), |x| x.to_string())
        ));
    }
    if rt.followup_scheduled != Some(true) {
        if rt.followup_scheduled.is_none() {
            out.ask(
                "A-RT-FOLLOWUP",
                vec![],
                vec!["W-DISCHARGE-NO-RT: discharge planned".into()],
            );
        }
        missing.push("radiotherapy follow-up not scheduled".to_string());
    }
    if !missing.is_empty() {
        out.fire(
            "W-DISCHARGE-NO-RT",
            vec![("missing", missing.join("; "))],
            vec![
                b("discharge.planned_date", format_date(&date)),
                b("radiotherapy.consult", opt(&rt.consult)),
                b(
                    "radiotherapy.followup_scheduled",
                    opt(&rt.followup_scheduled),
                ),
            ],
        );
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
