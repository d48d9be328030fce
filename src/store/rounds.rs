//! The rounds list: every active case evaluated at `now`, most urgent first, damaged files
//! last. Pure: the command line prints it, the TUI's start screen shows it.
//!
//! Counts: `critical`, `warning` and `info` count plan and pitfall items by severity; `ask`
//! counts the questions ("still to record") separately, so `info` does not include asks.
//!
//! Order (CASE_FORMAT, changed 2026-12-01), most urgent first: every case with a running or
//! overdue MRI clock, an untimed new deficit before all, then fewest minutes left (overdue
//! first); then critical count, warning count (most first), days to the RT deadline (fewest
//! first, none last), label, id. The TUI keeps that order live with [`RoundsList::replace`].

use super::{Damaged, Listing, Store};
use crate::case::{Case, format_time};
use crate::history::{self, ChangedSince};
use crate::protocol::brief::{Brief, BriefTop, evaluate_brief};
use crate::protocol::clocks::{Clocks, RtState, hours_minutes};
use crate::protocol::{Kind, Protocol, Severity};
use chrono::NaiveDateTime;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;

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
    /// The first pitfall of the evaluation, in a few words; null when there is none.
    pub top: Option<Top>,
    /// What changed since `--since TIME`; absent unless asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_since: Option<ChangedSince>,
    /// A new or worse exam with no time recorded waits for its MRI (W-NEURO-MRI "time of exam
    /// unknown"): first of all, since its clock cannot be known. Not in the JSON (its `top`
    /// says it).
    #[serde(skip)]
    pub mri_untimed: bool,
    /// Who holds the case when it is read-only ("in use by ana since …"); not in the JSON.
    #[serde(skip)]
    pub holder: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RtWindowBrief {
    pub state: RtState,
    pub days_to_deadline: Option<i64>,
}

/// A pitfall as a rounds row names it: `{ "id", "severity", "short" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Top {
    pub id: String,
    pub severity: Severity,
    /// A few words that fit a rounds row: "MRI due 16:00".
    pub short: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub critical: usize,
    pub warning: usize,
    pub info: usize,
    pub ask: usize,
}

/// One case's line of the rounds list (evaluates the case at `now`, in brief: no words but
/// the top pitfall's).
pub fn entry(case: &Case, protocol: &Protocol, now: NaiveDateTime) -> RoundsEntry {
    entry_of(case, &evaluate_brief(case, protocol, now))
}

/// One case's line from its brief evaluation.
pub fn entry_of(case: &Case, b: &Brief) -> RoundsEntry {
    let mut counts = Counts::default();
    for item in &b.items {
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
        pod: b.pod,
        rt_window: b.rt_window.as_ref().map(|w| RtWindowBrief {
            state: w.state,
            days_to_deadline: w.days_to_deadline,
        }),
        counts,
        mri_minutes_left: b.clocks.mri.as_ref().map(|m| m.minutes_left),
        pathology_pending_days: b.clocks.pathology_pending_days,
        read_only: false,
        top: b.top.as_ref().map(|t| Top {
            id: t.id.to_string(),
            severity: t.severity,
            short: short(t, &b.clocks),
        }),
        changed_since: None,
        mri_untimed: b.clocks.mri.is_none() && b.fired("W-NEURO-MRI"),
        holder: None,
    }
}

/// One case's line with what changed since `since` (`spinewatch rounds --since`, the TUI's
/// ▲/▼/✎ marks): the case as it stood then, rebuilt from its audit trail and evaluated then,
/// against the case now.
pub fn entry_since(
    store: &dyn Store,
    case: &Case,
    protocol: &Protocol,
    now: NaiveDateTime,
    since: NaiveDateTime,
) -> RoundsEntry {
    let b = evaluate_brief(case, protocol, now);
    let mut line = entry_of(case, &b);
    line.changed_since = Some(changed_since(store, case, &b, protocol, since));
    line
}

/// What changed in `case` (evaluated now as `now_eval`) since `since`.
pub fn changed_since(
    store: &dyn Store,
    case: &Case,
    now_eval: &Brief,
    protocol: &Protocol,
    since: NaiveDateTime,
) -> ChangedSince {
    let now_ids = rule_ids(now_eval);
    let id = case.id.as_deref().unwrap_or_default();
    let entries = match store.history(id) {
        Ok(entries) => entries,
        Err(e) => return ChangedSince::unknown(since, &[], format!("audit trail: {e}")),
    };
    let later = history::after(&entries, since);
    match history::case_as_of(case, &entries, since) {
        Ok(Some(then)) => {
            let then_ids = rule_ids(&evaluate_brief(&then, protocol, since));
            ChangedSince::new(since, Some(&then_ids), &now_ids, later)
        }
        Ok(None) => ChangedSince::new(since, None, &now_ids, later),
        Err(reason) => ChangedSince::unknown(since, later, reason),
    }
}

/// The IDs of the rules that fired (plan and pitfalls; asks are not rules).
fn rule_ids(b: &Brief) -> Vec<String> {
    b.items
        .iter()
        .filter(|i| i.kind != Kind::Ask)
        .map(|i| i.id.to_string())
        .collect()
}

/// Who holds which case of a file-store directory right now: one listing, then a probe of
/// only the lock files that name a holder (a released lock is emptied). 10,000 cases cost one
/// directory read instead of 10,000 opens.
pub fn holders(dir: &Path) -> HashMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashMap::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name.strip_suffix(".lock")?.to_string();
            e.metadata().ok().filter(|m| m.is_file() && m.len() > 0)?;
            let holder = super::lock::holder(dir, &id)?;
            Some((id, holder))
        })
        .collect()
}

/// At most this many characters in a `short`.
pub const SHORT_MAX: usize = 28;

/// A pitfall in a few words for a rounds row: the protocol's `short` words; without them the
/// MRI pitfall names its deadline (the clinician's next action) and any other is its title
/// cut at a word.
fn short(top: &BriefTop, clocks: &Clocks) -> String {
    if let Some(s) = &top.short {
        return cut_at_word(s, SHORT_MAX);
    }
    if top.id == "W-NEURO-MRI" {
        return match &clocks.mri {
            Some(m) if m.minutes_left >= 0 => format!("MRI due {}", clock_of(&m.due_at)),
            Some(m) => format!("MRI overdue since {}", clock_of(&m.due_at)),
            None => "MRI now: exam time unknown".into(),
        };
    }
    cut_at_word(&top.title, SHORT_MAX)
}

/// `16:00` of `2026-12-01T16:00`.
fn clock_of(time: &str) -> &str {
    time.split_once('T').map_or(time, |(_, hm)| hm)
}

/// `text` if it fits `max` characters, else its words up to `max - 1` and `…`.
pub fn cut_at_word(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        let len = out.chars().count() + usize::from(!out.is_empty()) + word.chars().count();
        if len > max - 1 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One long word: cut it.
        out = text.chars().take(max - 1).collect();
    }
    // "RT overdue: POD 30, past…" reads better as "RT overdue: POD 30…": end at a clause.
    if let Some(i) = out.rfind([',', ';', '(', '—'])
        && out[..i].chars().count() >= 8
    {
        out.truncate(i);
    }
    let out = out
        .trim_end_matches([':', ',', ';', '·', '-', '–'])
        .trim_end();
    format!("{out}…")
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

/// How a case stands on the MRI clock: `0` untimed (first of all), `1` a running or overdue
/// clock (then by minutes left), `2` no clock.
fn mri_rank(e: &RoundsEntry) -> (u8, i64) {
    match (e.mri_untimed, e.mri_minutes_left) {
        (true, _) => (0, 0),
        (false, Some(m)) => (1, m),
        (false, None) => (2, 0),
    }
}

/// Most urgent first: the MRI clock (untimed, then fewest minutes left, overdue first), then
/// critical count, warning count (both most first), days to the RT deadline (fewest first,
/// none last), then label and id.
pub fn urgency(a: &RoundsEntry, b: &RoundsEntry) -> Ordering {
    let days = |e: &RoundsEntry| e.rt_window.and_then(|w| w.days_to_deadline);
    mri_rank(a)
        .cmp(&mri_rank(b))
        .then(b.counts.critical.cmp(&a.counts.critical))
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

    /// Puts one case's fresh line in its place, keeping the order (a live refresh after one
    /// case changed: only that case is evaluated again). A new id is inserted. Returns the
    /// line's new index.
    pub fn replace(&mut self, entry: RoundsEntry) -> usize {
        self.remove(&entry.id);
        let at = self
            .cases
            .partition_point(|e| urgency(e, &entry) == Ordering::Less);
        self.cases.insert(at, entry);
        at
    }

    /// Takes a case off the list (archived, or gone from the store).
    pub fn remove(&mut self, id: &str) -> Option<RoundsEntry> {
        let i = self.cases.iter().position(|e| e.id == id)?;
        Some(self.cases.remove(i))
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

    /// `Rounds 2026-12-01 08:00 · 3 cases` (both outputs head the list with it).
    fn heading(&self) -> String {
        format!(
            "Rounds {} · {} case{}",
            self.now.replacen('T', " ", 1),
            self.cases.len(),
            if self.cases.len() == 1 { "" } else { "s" }
        )
    }

    /// The list as plain text, for a printer or a terminal.
    pub fn text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} · decision support — verify against local protocol",
            self.heading()
        );
        if self.cases.is_empty() {
            let _ = writeln!(s, "No active cases.");
        } else {
            let _ = writeln!(
                s,
                "{:<18} {:>4}  {:<32} {:<14} {:>5}  {:>4} {:>4} {:>4} {:>3}  TOP",
                "CASE", "POD", "RT WINDOW", "MRI CLOCK", "PATH", "CRIT", "WARN", "INFO", "ASK"
            );
        }
        for e in &self.cases {
            let c = Cells::of(e);
            let line = format!(
                "{:<18} {:>4}  {:<32} {:<14} {:>5}  {:>4} {:>4} {:>4} {:>3}  {}",
                clip(&e.label, 18),
                c.pod,
                c.window,
                c.mri,
                c.path,
                e.counts.critical,
                e.counts.warning,
                e.counts.info,
                e.counts.ask,
                c.top,
            );
            let _ = writeln!(s, "{}", line.trim_end());
            if let Some(h) = &e.holder {
                let _ = writeln!(s, "{:<18} read-only: {h}", "");
            }
            if let Some(since) = &e.changed_since {
                let _ = writeln!(s, "{:<18} {}", "", since_words(since));
            }
        }
        self.damaged_text(
            &mut s,
            "\nDamaged files (not loaded, never overwritten):",
            "  ",
        );
        s
    }

    /// The list as a Markdown table, for a printed rounds sheet.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# {}\n", self.heading());
        let _ = writeln!(s, "_Decision support — verify against local protocol._\n");
        if self.cases.is_empty() {
            let _ = writeln!(s, "No active cases.");
        } else {
            let since = self.cases.iter().any(|e| e.changed_since.is_some());
            let _ = writeln!(
                s,
                "| Case | POD | RT window | MRI clock | Path | Crit | Warn | Info | Ask | Top |{}",
                if since { " Since |" } else { "" }
            );
            let _ = writeln!(
                s,
                "|---|--:|---|---|--:|--:|--:|--:|--:|---|{}",
                if since { "---|" } else { "" }
            );
            for e in &self.cases {
                let c = Cells::of(e);
                let mut label = md_cell(&e.label);
                if e.read_only {
                    label.push_str(" (read-only)");
                }
                let _ = write!(
                    s,
                    "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    c.pod,
                    md_cell(&c.window),
                    md_cell(&c.mri),
                    c.path,
                    e.counts.critical,
                    e.counts.warning,
                    e.counts.info,
                    e.counts.ask,
                    md_cell(&c.top),
                );
                if since {
                    let words = e.changed_since.as_ref().map(since_words);
                    let _ = write!(s, " {} |", md_cell(&words.unwrap_or_default()));
                }
                s.push('\n');
            }
        }
        self.damaged_text(
            &mut s,
            "\n## Damaged files (not loaded, never overwritten)\n",
            "- ",
        );
        s
    }

    fn damaged_text(&self, s: &mut String, heading: &str, bullet: &str) {
        if self.damaged.is_empty() {
            return;
        }
        let _ = writeln!(s, "{heading}");
        for d in &self.damaged {
            let _ = writeln!(s, "{bullet}{}: {}", d.file, d.reason);
        }
    }
}

/// The cells a row shows, as words, shared by the text and Markdown outputs.
struct Cells {
    pod: String,
    window: String,
    mri: String,
    path: String,
    top: String,
}

impl Cells {
    fn of(e: &RoundsEntry) -> Cells {
        Cells {
            pod: e.pod.map_or("?".into(), |p| p.to_string()),
            window: window_words(e.rt_window),
            mri: match (e.mri_untimed, e.mri_minutes_left) {
                (true, _) => "exam time unknown".into(),
                (false, Some(m)) if m >= 0 => format!("{} left", hours_minutes(m)),
                (false, Some(m)) => format!("overdue {}", hours_minutes(-m)),
                (false, None) => "—".into(),
            },
            path: e
                .pathology_pending_days
                .map_or("—".into(), |d| format!("{d} d")),
            top: e.top.as_ref().map_or(String::new(), |t| {
                let mark = match t.severity {
                    Severity::Critical => "!!",
                    Severity::Warning => "!",
                    Severity::Info => "·",
                };
                format!("{mark} {}", t.short)
            }),
        }
    }
}

/// `since 08:00: ▲ W-NEURO-MRI · ▼ W-NEURO-DUE · ✎ ana`.
fn since_words(c: &ChangedSince) -> String {
    let mut parts = Vec::new();
    if let Some(why) = &c.unknown {
        parts.push(format!("? {why}"));
    }
    if !c.appeared.is_empty() {
        parts.push(format!("▲ {}", c.appeared.join(", ")));
    }
    if !c.cleared.is_empty() {
        parts.push(format!("▼ {}", c.cleared.join(", ")));
    }
    if c.edited {
        parts.push(format!("✎ {}", c.edited_by.join(", ")));
    }
    if parts.is_empty() {
        parts.push("no change".into());
    }
    format!(
        "since {}: {}",
        c.since.replacen('T', " ", 1),
        parts.join(" · ")
    )
}

/// A table cell: `|` would end the cell and a backslash could escape it, so both are
/// escaped; a line break would end the row.
fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
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
