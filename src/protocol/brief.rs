//! A case's evaluation in brief, for the rounds list: the same rules at the same moment, but
//! the words are filled in only for the one pitfall a rounds row shows. Over 10,000 cases the
//! full [`evaluate`](super::evaluate) spends a fifth of its time writing texts nobody reads
//! there. Pure, like `evaluate`; `tests/store_rounds.rs` checks that both agree.

use super::Protocol;
use super::clocks::{self, Clocks, RtWindow};
use super::evaluation::{Kind, Scores, Severity};
use super::rules::{self, Ctx, Out};
use super::scores;
use super::text::fill;
use crate::case::Case;
use chrono::NaiveDateTime;

/// One fired item without its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BriefItem {
    pub id: &'static str,
    pub kind: Kind,
    pub severity: Severity,
}

/// The first pitfall (in the evaluation's order), with its title filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefTop {
    pub id: &'static str,
    pub severity: Severity,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Brief {
    pub pod: Option<i64>,
    pub rt_window: Option<RtWindow>,
    pub clocks: Clocks,
    /// Every item `evaluate` gives, in its order (severity, then ID).
    pub items: Vec<BriefItem>,
    pub top: Option<BriefTop>,
}

impl Brief {
    pub fn fired(&self, id: &str) -> bool {
        self.items.iter().any(|i| i.id == id)
    }
}

fn severity(text: &str) -> Severity {
    [Severity::Critical, Severity::Warning]
        .into_iter()
        .find(|s| s.as_str() == text)
        .unwrap_or(Severity::Info)
}

/// `evaluate` without the words: counts, clocks and the first pitfall.
pub fn evaluate_brief(case: &Case, protocol: &Protocol, now: NaiveDateTime) -> Brief {
    let p = &protocol.params;
    let pod = clocks::pod(case, now);
    let rt_schedule = scores::rt_schedule(case, p);
    let rt_window = clocks::rt_window(case, pod, rt_schedule.fractions, now, p);
    let scores = Scores {
        lesions: scores::lesion_scores(case),
        tokuhashi: scores::tokuhashi(case, now),
        rt_field: scores::rt_fields(&scores::treated_levels(case)),
        rt_schedule,
        performance: scores::performance(case),
        frankel: scores::frankel(case, now),
    };
    let clocks = clocks::clocks(case, now, p);
    let ctx = Ctx::new(
        case,
        protocol,
        now,
        pod,
        rt_window.as_ref(),
        &clocks,
        &scores,
    );
    let mut out = Out::default();
    for (_, rule) in rules::RULES {
        rule(&ctx, &mut out);
    }
    let mut items: Vec<BriefItem> = out
        .fired
        .iter()
        .map(|f| {
            let text = protocol.rule(f.id);
            BriefItem {
                id: f.id,
                kind: if text.kind == "pitfall" {
                    Kind::Pitfall
                } else {
                    Kind::Plan
                },
                severity: severity(&text.severity),
            }
        })
        .collect();
    items.extend(out.asks.iter().map(|a| BriefItem {
        id: a.id,
        kind: Kind::Ask,
        severity: Severity::Info,
    }));
    items.sort_unstable_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.id.cmp(b.id)));
    let top = items
        .iter()
        .find(|i| i.kind == Kind::Pitfall)
        .and_then(|i| {
            let f = out.fired.iter().find(|f| f.id == i.id)?;
            let (title, _) = protocol.wording(f.id).pick(f.variant);
            Some(BriefTop {
                id: i.id,
                severity: i.severity,
                title: fill(title, &f.vars),
            })
        });
    Brief {
        pod,
        rt_window,
        clocks,
        items,
        top,
    }
}
