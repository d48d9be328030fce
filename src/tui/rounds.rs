//! The rounds list rows as the start screen shows them: one entry per case from the store's
//! `rounds::entry` (the same rows `spinewatch rounds` prints, in its order), kept per case so
//! a live refresh after one case changed re-evaluates that case only.

use crate::case::Case;
use crate::protocol::Protocol;
use crate::protocol::clocks::RtState;
use crate::store::rounds::{RoundsEntry, entry};
use crate::store::{Damaged, Listing};
use chrono::NaiveDateTime;
use std::collections::HashMap;

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
    /// The top pitfall in a few words ("MRI due 16:00").
    pub top: Option<String>,
    /// What changed since this user's last rounds review.
    pub marks: Marks,
}

/// ▲ a pitfall appeared, ▼ one cleared, ✎ someone else edited the case, since the last review.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Marks {
    pub new_pitfall: bool,
    pub cleared: bool,
    pub edited: bool,
}

impl Marks {
    pub fn text(self) -> String {
        let mut s = String::new();
        s.push(if self.new_pitfall { '▲' } else { ' ' });
        s.push(if self.cleared { '▼' } else { ' ' });
        s.push(if self.edited { '✎' } else { ' ' });
        s
    }
}

#[derive(Debug, Clone, Default)]
pub struct RoundsList {
    pub rows: Vec<RoundsRow>,
    pub damaged: Vec<Damaged>,
}

/// The evaluated entry of every case, by id, and what the list needs besides.
#[derive(Debug, Clone, Default)]
pub struct RoundsCache {
    pub entries: HashMap<String, (RoundsEntry, bool)>,
    /// The entries on the list now, in its order (rows are built from them one for one).
    pub sorted: Option<crate::store::RoundsList>,
    pub holders: HashMap<String, String>,
    pub marks: HashMap<String, Marks>,
}

impl RoundsCache {
    /// Evaluates every case of the listing at `now`.
    pub fn rebuild(&mut self, listing: &Listing, protocol: &Protocol, now: NaiveDateTime) {
        self.entries = listing
            .cases
            .iter()
            .map(|c| (id_of(c), (entry(c, protocol, now), c.is_archived())))
            .collect();
    }

    /// Re-evaluates one case (changed elsewhere); `None`: it is gone.
    pub fn update(
        &mut self,
        id: &str,
        case: Option<&Case>,
        protocol: &Protocol,
        now: NaiveDateTime,
    ) {
        match case {
            Some(c) => {
                self.entries
                    .insert(id.to_string(), (entry(c, protocol, now), c.is_archived()));
            }
            None => {
                self.entries.remove(id);
            }
        }
    }

    /// The rows in the order of `spinewatch rounds`; archived only when asked for.
    pub fn list(
        &mut self,
        damaged: &[Damaged],
        now: NaiveDateTime,
        include_archived: bool,
    ) -> RoundsList {
        let entries: Vec<RoundsEntry> = self
            .entries
            .values()
            .filter(|(_, archived)| include_archived || !archived)
            .map(|(e, _)| e.clone())
            .collect();
        let list = crate::store::RoundsList::new(now, entries, damaged.to_vec());
        let rows = list.cases.iter().map(|e| self.row(e)).collect();
        let damaged = list.damaged.clone();
        self.sorted = Some(list);
        RoundsList { rows, damaged }
    }

    /// One case changed: its row leaves and, unless it is gone (or archived and hidden),
    /// comes back at its place in the order; the other rows are untouched.
    pub fn relist_one(&mut self, list: &mut RoundsList, id: &str, include_archived: bool) {
        let Some(sorted) = &mut self.sorted else {
            return;
        };
        if let Some(i) = sorted.cases.iter().position(|e| e.id == id) {
            sorted.cases.remove(i);
            if i < list.rows.len() {
                list.rows.remove(i);
            }
        }
        let Some((entry, archived)) = self.entries.get(id) else {
            return;
        };
        if *archived && !include_archived {
            return;
        }
        let entry = entry.clone();
        let at = sorted.replace(entry.clone());
        let row = self.row(&entry);
        list.rows.insert(at.min(list.rows.len()), row);
    }

    fn row(&self, e: &RoundsEntry) -> RoundsRow {
        RoundsRow {
            archived: self.entries.get(&e.id).is_some_and(|(_, a)| *a),
            rt_state: e.rt_window.map(|w| w.state),
            days_to_deadline: e.rt_window.and_then(|w| w.days_to_deadline),
            critical: e.counts.critical,
            warning: e.counts.warning,
            info: e.counts.info,
            ask: e.counts.ask,
            holder: self.holders.get(&e.id).cloned(),
            marks: self.marks.get(&e.id).copied().unwrap_or_default(),
            top: top_words(e),
            id: e.id.clone(),
            label: e.label.clone(),
            pod: e.pod,
            mri_minutes_left: e.mri_minutes_left,
            pathology_pending_days: e.pathology_pending_days,
        }
    }
}

fn id_of(c: &Case) -> String {
    c.id.clone().unwrap_or_default()
}

/// The top pitfall's few words, as `spinewatch rounds` gives them ("MRI due 16:00").
fn top_words(e: &RoundsEntry) -> Option<String> {
    e.top.as_ref().map(|t| t.short.clone())
}

/// Rows whose label contains the filter, ignoring case.
pub fn filtered<'a>(rows: &'a [RoundsRow], filter: &str) -> Vec<&'a RoundsRow> {
    let f = filter.trim().to_lowercase();
    rows.iter()
        .filter(|r| f.is_empty() || r.label.to_lowercase().contains(&f))
        .collect()
}
