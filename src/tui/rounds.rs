//! The rounds list rows as the start screen shows them, from the store's `rounds_list`
//! (the same rows `spinewatch rounds` prints).

use crate::protocol::Protocol;
use crate::protocol::clocks::RtState;
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
    /// Held by another instance: "in use by ana since …".
    pub holder: Option<String>,
    pub archived: bool,
}

#[derive(Debug, Clone, Default)]
pub struct RoundsList {
    pub rows: Vec<RoundsRow>,
    pub damaged: Vec<Damaged>,
}

/// Most urgent first, as the store orders them; archived cases only when asked for.
pub fn rounds_list(
    listing: &Listing,
    protocol: &Protocol,
    now: NaiveDateTime,
    include_archived: bool,
) -> RoundsList {
    let list = crate::store::rounds_list(listing, protocol, now, include_archived);
    let archived: std::collections::HashSet<&str> = listing
        .cases
        .iter()
        .filter(|c| c.is_archived())
        .filter_map(|c| c.id.as_deref())
        .collect();
    RoundsList {
        rows: list
            .cases
            .into_iter()
            .map(|e| RoundsRow {
                archived: archived.contains(e.id.as_str()),
                rt_state: e.rt_window.map(|w| w.state),
                days_to_deadline: e.rt_window.and_then(|w| w.days_to_deadline),
                critical: e.counts.critical,
                warning: e.counts.warning,
                info: e.counts.info,
                ask: e.counts.ask,
                id: e.id,
                label: e.label,
                pod: e.pod,
                mri_minutes_left: e.mri_minutes_left,
                pathology_pending_days: e.pathology_pending_days,
                holder: e.holder,
            })
            .collect(),
        damaged: list.damaged,
    }
}

/// Rows whose label contains the filter, ignoring case.
pub fn filtered<'a>(rows: &'a [RoundsRow], filter: &str) -> Vec<&'a RoundsRow> {
    let f = filter.trim().to_lowercase();
    rows.iter()
        .filter(|r| f.is_empty() || r.label.to_lowercase().contains(&f))
        .collect()
}
