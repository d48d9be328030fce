//! `evaluate(&Case, &Protocol, now) -> Evaluation`: the one function the TUI, the command
//! line, the rounds list and the exports read. Pure: time comes in as an argument.

use super::Protocol;
use super::clocks::{self, Clocks, RtWindow};
use super::rules::{self, Ctx, Out};
use super::scores::{
    self, FrankelScore, LesionScore, PerformanceScore, RtField, RtSchedule, TokuhashiScore,
};
use super::text::fill;
use crate::case::{Case, format_time};
use chrono::NaiveDateTime;
use serde::Serialize;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    pub(crate) fn parse(s: &str) -> Severity {
        match s {
            "critical" => Severity::Critical,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Plan,
    Pitfall,
    Ask,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Plan => "plan",
            Kind::Pitfall => "pitfall",
            Kind::Ask => "ask",
        }
    }
}

/// One line of the plan: a recommendation, a pitfall or a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub id: String,
    pub kind: Kind,
    pub severity: Severity,
    pub title: String,
    pub detail: String,
    /// The inputs that fired the rule, as `field: value`.
    pub because: Vec<String>,
    pub sources: Vec<String>,
    /// Plan section: radiotherapy, systemic, mdt, pain, monitoring, l45, prognosis,
    /// discharge, record.
    pub section: String,
    /// For asks: the case field to record, naming its exact row (`lesions[1].escc`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For pitfalls: a few words that fit a rounds row ("MRI due 16:00"); none otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    pub lesions: Vec<LesionScore>,
    pub tokuhashi: TokuhashiScore,
    pub rt_schedule: RtSchedule,
    pub rt_field: Vec<RtField>,
    pub performance: PerformanceScore,
    pub frankel: FrankelScore,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub case_id: Option<String>,
    pub now: String,
    pub pod: Option<i64>,
    pub rt_window: Option<RtWindow>,
    pub items: Vec<Item>,
    pub scores: Scores,
    pub clocks: Clocks,
    /// Every parameter used, with its value.
    pub protocol: Map<String, Value>,
}

impl Evaluation {
    pub fn count(&self, severity: Severity, kind: Option<Kind>) -> usize {
        self.items
            .iter()
            .filter(|i| i.severity == severity && kind.is_none_or(|k| i.kind == k))
            .count()
    }
    pub fn pitfalls(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| i.kind == Kind::Pitfall)
    }
    pub fn fired(&self, id: &str) -> bool {
        self.items.iter().any(|i| i.id == id)
    }
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// `Bed 12 · POD 5 · T12`: label, POD and the treated level(s), as every view heads a case.
    pub fn headline(&self, label: &str) -> String {
        let mut s = format!(
            "{label} · {}",
            self.pod.map_or("POD ?".into(), |p| format!("POD {p}"))
        );
        let levels: Vec<String> = self
            .scores
            .rt_field
            .iter()
            .flat_map(|f| f.lesions.iter().map(ToString::to_string))
            .collect();
        if !levels.is_empty() {
            s.push_str(" · ");
            s.push_str(&levels.join(", "));
        }
        s
    }
}

/// What the rules found at `now`, before any words are written: shared by [`evaluate`] and
/// the rounds list's brief evaluation, so both always fire the same rules.
pub(crate) struct Findings {
    pub pod: Option<i64>,
    pub rt_window: Option<RtWindow>,
    pub scores: Scores,
    pub clocks: Clocks,
    pub out: Out,
}

/// Runs every rule of the protocol on the case at `now`. No clock, no I/O.
pub(crate) fn find(case: &Case, protocol: &Protocol, now: NaiveDateTime) -> Findings {
    let p = &protocol.params;
    let zone = protocol.zone;
    let cutoff = clocks::cutoff(now, p);
    let pod = clocks::pod(case, now);
    let neuro = clocks::Neuro::read(case, cutoff);
    let rt_schedule = scores::rt_schedule_with(case, p, &protocol.texts.rt_schedules);
    let rt_window = clocks::rt_window(case, pod, rt_schedule.fractions, now, p);
    let frankel = scores::frankel_of(case, &neuro);
    let involved: Vec<_> = case.lesions.iter().filter_map(|l| l.level).collect();
    let scores = Scores {
        lesions: scores::lesion_scores(case),
        tokuhashi: scores::tokuhashi_with(case, &frankel),
        rt_field: scores::rt_fields_with(&scores::treated_levels(case), &involved),
        rt_schedule,
        performance: scores::performance(case),
        frankel,
    };
    let clocks = clocks::clocks(case, &neuro, now, cutoff, p, zone);
    let ctx = Ctx::new(
        case,
        protocol,
        now,
        pod,
        rt_window.as_ref(),
        &clocks,
        &scores,
        &neuro,
    );
    let mut out = Out::default();
    for (_, rule) in rules::RULES {
        rule(&ctx, &mut out);
    }
    Findings {
        pod,
        rt_window,
        scores,
        clocks,
        out,
    }
}

/// Evaluates a case at `now` against the protocol. No clock, no I/O.
pub fn evaluate(case: &Case, protocol: &Protocol, now: NaiveDateTime) -> Evaluation {
    let Findings {
        pod,
        rt_window,
        scores,
        clocks,
        out,
    } = find(case, protocol, now);
    let mut items: Vec<Item> = out
        .fired
        .into_iter()
        .map(|f| {
            let text = protocol.rule(f.id);
            let wording = protocol.wording(f.id);
            let (title, detail) = wording.pick(f.variant);
            let kind = if text.kind == "pitfall" {
                Kind::Pitfall
            } else {
                Kind::Plan
            };
            Item {
                id: f.id.to_string(),
                kind,
                severity: Severity::parse(wording.severity(f.variant).unwrap_or(&text.severity)),
                title: fill(title, &f.vars),
                detail: fill(detail, &f.vars),
                because: f.because,
                sources: text.sources.clone(),
                section: text.section.clone(),
                field: None,
                short: wording
                    .short(f.variant)
                    .filter(|_| kind == Kind::Pitfall)
                    .map(|s| fill(s, &f.vars)),
            }
        })
        .collect();
    items.extend(out.asks.into_iter().map(|a| {
        let text = protocol.ask(a.id);
        let (title, detail) = protocol.wording(a.id).pick(None);
        Item {
            id: a.id.to_string(),
            kind: Kind::Ask,
            severity: Severity::Info,
            title: fill(title, &a.vars),
            detail: fill(detail, &a.vars),
            because: a.because,
            sources: Vec::new(),
            section: "record".into(),
            field: Some(a.field.unwrap_or_else(|| text.field.clone())),
            short: None,
        }
    }));
    // Rule IDs are unique; an ask may come once per row. Same-ID asks share one path shape,
    // so their fields in (length, text) order are in row order (`[2]` before `[10]`). The
    // keys are unique, so an unstable sort (no scratch allocation) is deterministic.
    items.sort_unstable_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| {
                let (fa, fb) = (a.field.as_deref(), b.field.as_deref());
                fa.map(str::len)
                    .cmp(&fb.map(str::len))
                    .then_with(|| fa.cmp(&fb))
            })
    });
    Evaluation {
        case_id: case.id.clone(),
        now: format_time(&now),
        pod,
        rt_window,
        items,
        scores,
        clocks,
        protocol: protocol.params_json.clone(),
    }
}
