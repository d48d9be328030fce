//! A case's evaluation in brief, for the rounds list: the same rules at the same moment
//! ([`run`](super::evaluation::run), as `evaluate`), but words are filled in only for the one
//! pitfall a rounds row shows. Over 10,000 cases the full `evaluate` spends a fifth of its
//! time writing texts nobody reads there. Pure; `tests/store_rounds.rs` checks both agree.

use super::Protocol;
use super::clocks::{Clocks, RtWindow};
use super::evaluation::{Kind, Severity, kind_severity, run};
use super::text::fill;
use crate::case::Case;
use chrono::NaiveDateTime;

/// One item of the evaluation without its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BriefItem {
    pub id: &'static str,
    pub kind: Kind,
    pub severity: Severity,
}

/// The first pitfall (in the evaluation's order) with its words for a rounds row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefTop {
    pub id: &'static str,
    pub severity: Severity,
    pub title: String,
    /// The protocol's rounds-row words (`Item::short`), when it has them.
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

/// `evaluate` without the words: every item's ID, kind and severity, the clocks, and the
/// first pitfall's title and short words.
pub fn evaluate_brief(case: &Case, protocol: &Protocol, now: NaiveDateTime) -> Brief {
    let r = run(case, protocol, now);
    let mut items: Vec<BriefItem> = r
        .out
        .fired
        .iter()
        .map(|f| {
            let (kind, severity) = kind_severity(protocol, f);
            BriefItem {
                id: f.id,
                kind,
                severity,
            }
        })
        .collect();
    items.extend(r.out.asks.iter().map(|a| BriefItem {
        id: a.id,
        kind: Kind::Ask,
        severity: Severity::Info,
    }));
    // As `evaluate` sorts (stable: an ask may come once per row).
    items.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.id.cmp(b.id)));
    let top = items
        .iter()
        .find(|i| i.kind == Kind::Pitfall)
        .and_then(|i| {
            let f = r.out.fired.iter().find(|f| f.id == i.id)?;
            let wording = protocol.wording(f.id);
            Some(BriefTop {
                id: i.id,
                severity: i.severity,
                title: fill(wording.pick(f.variant).0, &f.vars),
                short: wording.short(f.variant).map(|s| fill(s, &f.vars)),
            })
        });
    Brief {
        pod: r.pod,
        rt_window: r.rt_window,
        clocks: r.clocks,
        items,
        top,
    }
}
