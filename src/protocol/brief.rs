//! A case's evaluation in brief, for the rounds list: the same rules at the same moment, but
//! the words are filled in only for the one pitfall a rounds row shows. Over 10,000 cases the
//! full [`evaluate`](super::evaluate) spends a fifth of its time writing texts nobody reads
//! there. Pure, like `evaluate`; `tests/store_rounds.rs` checks that both agree.

use super::Protocol;
use super::clocks::{Clocks, RtWindow};
use super::evaluation::{Findings, Kind, Severity, find};
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
    /// The pitfall in a few words for a rounds row (the protocol's `short`), if it has them.
    pub short: Option<String>,
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

/// `evaluate` without the words: counts, clocks and the first pitfall (its rounds words).
pub fn evaluate_brief(case: &Case, protocol: &Protocol, now: NaiveDateTime) -> Brief {
    let Findings {
        pod,
        rt_window,
        clocks,
        out,
        ..
    } = find(case, protocol, now);
    let mut items: Vec<BriefItem> = out
        .fired
        .iter()
        .map(|f| {
            let text = protocol.rule(f.id);
            let wording = protocol.wording(f.id);
            BriefItem {
                id: f.id,
                kind: if text.kind == "pitfall" {
                    Kind::Pitfall
                } else {
                    Kind::Plan
                },
                severity: Severity::parse(wording.severity(f.variant).unwrap_or(&text.severity)),
            }
        })
        .collect();
    items.extend(out.asks.iter().map(|a| BriefItem {
        id: a.id,
        kind: Kind::Ask,
        severity: Severity::Info,
    }));
    items.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.id.cmp(b.id)));
    let top = items
        .iter()
        .find(|i| i.kind == Kind::Pitfall)
        .and_then(|i| {
            let f = out.fired.iter().find(|f| f.id == i.id)?;
            let wording = protocol.wording(f.id);
            let (title, _) = wording.pick(f.variant);
            Some(BriefTop {
                id: i.id,
                severity: i.severity,
                title: fill(title, &f.vars),
                short: wording.short(f.variant).map(|s| fill(s, &f.vars)),
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
