//! The rounds list: every active case evaluated at `now`, most urgent first, damaged files
//! last. Pure: the command line prints it, the TUI's start screen shows it.
//!
//! Counts: `critical`, `warning` and `info` count plan and pitfall items by severity; `ask`
//! counts the questions ("still to record") separately, so `info` does not include asks.

use super::{Damaged, Listing};
use crate::case::{Case, format_time};
use crate::protocol::clocks::{RtState, hours_minutes};
use crate::protocol::{Kind, Protocol, Severity, evaluate};
use chrono::NaiveDateTime;
use serde::Serialize;
use std::cmp::Ordering;
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundsList {
    pub now: String,
    pub cases: Vec<RoundsEntry>,
    pub damaged: Vec<Damaged>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundsEntry {
    pub id: String,
    pub label: String,
    pub pod: Option<i64>,
    pub rt_window: Option<RtWindowBrief>,
    pub counts: Counts,
    pub mri_minutes_left: Option<i64>,
    pub pathology_pending_days: Option<i64>,
    pub read_only: bool,
    /// Who holds the case when it is read-only ("in use by ana since …"); not in the JSON.
    #[serde(skip)]
    pub holder: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RtWindowBrief {
    pub state: RtState,
    pub days_to_deadline: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
    pub ask: usize,
}

/// One case's line of the rounds list (evaluates the case at `now`).
pub fn entry(case: &Case, protocol: &Protocol, now: NaiveDateTime) -> RoundsEntry {
    let e = evaluate(case, protocol, now);
    let mut counts = Counts::default();
    for item in &e.items {
        match (item.kind, item.severity) {
            (Kind::Ask, _) => counts.ask += 1,
            (_, Severity::Critical) => counts.critical += 1,
            (_, Severity::Warning) => counts.warning += 1,
            (_, Severity::Info) => counts.info += 1,
        }
    }
    RoundsEntry {
        id: case.id.clone().unwrap_or_default(),
        label: case.label().to_string(),
        pod: e.pod,
        rt_window: e.rt_window.as_ref().map(|w| RtWindowBrief {
            state: w.state,
            days_to_deadline: w.days_to_deadline,
        }),
        counts,
        mri_minutes_left: e.clocks.mri.as_ref().map(|m| m.minutes_left),
        pathology_pending_days: e.clocks.pathology_pending_days,
        read_only: false,
        holder: None,
    }
}

/// The rounds list of a listing: archived cases only when `include_archived`.
pub fn rounds_list(
    listing: &Listing,
    protocol: &Protocol,
    now: NaiveDateTime,
    include_archived: bool,
) -> RoundsList {
    let entries = listing
        .cases
        .iter()
        .filter(|c| include_archived || !c.is_archived())
        .map(|c| entry(c, protocol, now))
        .collect();
    RoundsList::new(now, entries, listing.damaged.clone())
}

/// Most urgent first: critical count, warning count (both most first), days to the RT
/// deadline (fewest first, none last), then label and id.
pub fn urgency(a: &RoundsEntry, b: &RoundsEntry) -> Ordering {
    let days = |e: &RoundsEntry| e.rt_window.and_then(|w| w.days_to_deadline);
    b.counts
        .critical
        .cmp(&a.counts.critical)
        .then(b.counts.warning.cmp(&a.counts.warning))
        .then_with(|| match (days(a), days(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| a.label.cmp(&b.label))
        .then_with(|| a.id.cmp(&b.id))
}

impl RoundsList {
    /// Builds the list from entries in any order; damaged files sorted by name.
    pub fn new(
        now: NaiveDateTime,
        mut cases: Vec<RoundsEntry>,
        mut damaged: Vec<Damaged>,
    ) -> RoundsList {
        cases.sort_by(urgency);
        damaged.sort_by(|a, b| a.file.cmp(&b.file));
        RoundsList {
            now: format_time(&now),
            cases,
            damaged,
        }
    }

    /// Marks the cases another instance holds (`holder` answers for an id).
    pub fn mark_held(&mut self, holder: impl Fn(&str) -> Option<String>) {
        for e in &mut self.cases {
            e.holder = holder(&e.id);
            e.read_only = e.holder.is_some();
        }
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a rounds list always serialises")
    }

    /// The list as plain text, for a printer or a terminal.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Rounds {} · {} case{} · decision support — verify against local protocol",
            self.now.replacen('T', " ", 1),
            self.cases.len(),
            if self.cases.len() == 1 { "" } else { "s" }
        );
        if self.cases.is_empty() {
            let _ = writeln!(s, "No active cases.");
        } else {
            let _ = writeln!(
                s,
                "{:<18} {:>4}  {:<32} {:<14} {:>5}  {:>4} {:>4} {:>4} {:>3}",
                "CASE", "POD", "RT WINDOW", "MRI CLOCK", "PATH", "CRIT", "WARN", "INFO", "ASK"
            );
        }
        for e in &self.cases {
            let _ = writeln!(
                s,
                "{:<18} {:>4}  {:<32} {:<14} {:>5}  {:>4} {:>4} {:>4} {:>3}",
                clip(&e.label, 18),
                e.pod.map_or("?".into(), |p| p.to_string()),
                window_words(e.rt_window),
                e.mri_minutes_left.map_or("—".into(), |m| if m >= 0 {
                    format!("{} left", hours_minutes(m))
                } else {
                    format!("overdue {}", hours_minutes(-m))
                }),
                e.pathology_pending_days
                    .map_or("—".into(), |d| format!("{d} d")),
                e.counts.critical,
                e.counts.warning,
                e.counts.info,
                e.counts.ask,
            );
            if let Some(h) = &e.holder {
                let _ = writeln!(s, "{:<18} read-only: {h}", "");
            }
        }
        if !self.damaged.is_empty() {
            let _ = writeln!(s, "\nDamaged files (not loaded, never overwritten):");
            for d in &self.damaged {
                let _ = writeln!(s, "  {}: {}", d.file, d.reason);
            }
        }
        s
    }
}

fn window_words(w: Option<RtWindowBrief>) -> String {
    let Some(w) = w else {
        return "unknown (no surgery date)".into();
    };
    match w.days_to_deadline {
        Some(d) if d >= 0 => format!("{} · {d} d left", w.state.words()),
        Some(d) => format!("{} · {} d past", w.state.words(), -d),
        None => w.state.words().to_string(),
    }
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut cut: String = s.chars().take(width - 1).collect();
        cut.push('…');
        cut
    }
}
