//! The rounds list rows. Kept small and replaceable: the store's `rounds_list` computes the
//! same rows (CASE_FORMAT.md "rounds output") and takes over once it is on main.

use crate::protocol::clocks::RtState;
use crate::protocol::{Kind, Protocol, Severity, evaluate};
use crate::store::{Damaged, Listing};
use chrono::NaiveDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct RoundsRow {
    pub id: String,
    pub label: String,
    pub pod: Option<i64>,
    pub rt_state: Option<RtState>,
    pub days_to_deadline: Option<i64>,
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
    pub ask: usize,
    pub mri_minutes_left: Option<i64>,
    pub pathology_pending_days: Option<i64>,
    pub read_only: bool,
    pub archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RoundsList {
    pub rows: Vec<RoundsRow>,
    pub damaged: Vec<Damaged>,
}

/// Most urgent first: critical count, warnings, days to the RT deadline (none last), label.
pub fn rounds_list(
    listing: &Listing,
    protocol: &Protocol,
    now: NaiveDateTime,
    include_archived: bool,
) -> RoundsList {
    let mut rows: Vec<RoundsRow> = listing
        .cases
        .iter()
        .filter(|c| include_archived || !c.is_archived())
        .map(|c| {
            let e = evaluate(c, protocol, now);
            RoundsRow {
                id: c.id.clone().unwrap_or_default(),
                label: c.label().to_string(),
                pod: e.pod,
                rt_state: e.rt_window.as_ref().map(|w| w.state),
                days_to_deadline: e.rt_window.as_ref().and_then(|w| w.days_to_deadline),
                critical: e.count(Severity::Critical, None),
                warning: e.count(Severity::Warning, None),
                info: e.count(Severity::Info, Some(Kind::Plan)),
                ask: e.items.iter().filter(|i| i.kind == Kind::Ask).count(),
                mri_minutes_left: e.clocks.mri.as_ref().map(|m| m.minutes_left),
                pathology_pending_days: e.clocks.pathology_pending_days,
                read_only: false,
                archived: c.is_archived(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.critical
            .cmp(&a.critical)
            .then(b.warning.cmp(&a.warning))
            .then(
                a.days_to_deadline
                    .unwrap_or(i64::MAX)
                    .cmp(&b.days_to_deadline.unwrap_or(i64::MAX)),
            )
            .then_with(|| a.label.cmp(&b.label))
    });
    RoundsList {
        rows,
        damaged: listing.damaged.clone(),
    }
}

/// Rows whose label contains the filter, ignoring case.
pub fn filtered<'a>(rows: &'a [RoundsRow], filter: &str) -> Vec<&'a RoundsRow> {
    let f = filter.trim().to_lowercase();
    rows.iter()
        .filter(|r| f.is_empty() || r.label.to_lowercase().contains(&f))
        .collect()
}
