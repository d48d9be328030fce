//! The TUI state and what opens, closes and changes it. No I/O here: key handling returns
//! [`Effect`]s that the loop in `mod.rs` performs through the store.

use super::choice::Chooser;
use super::fields::{self, Kind};
use super::form::{self, List, Row, Tab};
use super::rounds::{self, RoundsCache, RoundsList};
use super::theme::Theme;
use crate::case::{Case, format_time};
use crate::protocol::{Evaluation, Kind as ItemKind, Protocol, evaluate};
use crate::store::{Access, Change, Listing};
use chrono::NaiveDateTime;
use serde_json::{Value, json};
use tui_input::Input;

/// What the loop must do after a key: performed in order, through the store.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Reload the rounds list from the store.
    LoadRounds,
    /// Lock and open a case by id.
    Open(String),
    /// Add a new case to the store (its first change).
    Create(Box<Case>),
    /// Save a case; the changes go to its audit trail.
    Save {
        case: Box<Case>,
        changes: Vec<Change>,
    },
    /// Give the open case back (unlock).
    Close(String),
    /// Write the handover note of the open case.
    Export,
    /// Read a case's audit trail into the history view.
    LoadHistory(String),
    Quit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Form,
    Plan,
}

#[derive(Debug, Clone)]
pub enum Overlay {
    Help,
    /// The basis of `eval.items[i]`.
    Basis(usize),
    /// Remove row `index` of `list`? (y/n)
    ConfirmRemove(List, usize),
    /// "Archive Bed 9? y/N": the pending archive of the open case, asked before it is saved.
    ConfirmArchive,
    /// Recording an MRI: requested or done, then its time.
    Mri(super::mri::MriEntry),
    /// A case's audit trail.
    History(Box<super::history::History>),
    /// The level of a new lesion / segment of a new stenosis, asked before the row exists
    /// (a lesion without its level is not a valid case).
    NewRow {
        list: List,
        input: Input,
        error: Option<String>,
    },
}

/// A typed field being edited: what was typed is kept even when refused.
#[derive(Debug, Clone)]
pub struct Editor {
    pub path: String,
    pub input: Input,
    pub error: Option<String>,
    /// A number, date or time just focused: the first character typed replaces the value
    /// (typing 65 over 64 gives 65, not 6465). Free text is appended to.
    pub fresh: bool,
    /// The multi-line editor of the notes (newlines are text there); `input` is unused then.
    pub area: Option<ratatui_textarea::TextArea<'static>>,
}

impl Editor {
    /// What is typed so far.
    pub fn text(&self) -> String {
        match &self.area {
            Some(a) => a.lines().join("\n"),
            None => self.input.value().to_string(),
        }
    }
}

/// Fields edited in the multi-line editor (Enter is a new line there; Tab leaves).
pub fn multiline(path: &str) -> bool {
    path == "notes"
}

#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: Case,
    /// The case as JSON: fields are edited here by path and decoded back with every check.
    pub value: Value,
    pub eval: Evaluation,
    pub access: Access,
    /// False for a new case until its first saved change creates it in the store.
    pub created: bool,
    pub tab: Tab,
    pub focus: usize,
    pub editor: Option<Editor>,
    /// The focused choice field: its pending value, committed on leaving the field.
    pub chooser: Option<Chooser>,
    pub pane: Pane,
    pub plan_sel: usize,
}

#[derive(Debug, Clone, Default)]
pub struct RoundsView {
    pub list: RoundsList,
    /// Every case's evaluated entry: a change elsewhere re-evaluates that case only.
    pub cache: RoundsCache,
    pub selected: usize,
    pub filter: Input,
    pub filtering: bool,
    pub show_archived: bool,
}

pub struct App {
    pub now: NaiveDateTime,
    pub protocol: Protocol,
    pub theme: Theme,
    pub rounds: RoundsView,
    /// The open case; `None` on the rounds list.
    pub open: Option<CaseView>,
    pub overlay: Option<Overlay>,
    /// One line for the bottom bar: "saved", a refusal, where an export went. `true` = error.
    pub status: Option<(String, bool)>,
    pub listing: Listing,
    /// A field to open the next case at (rounds quick entries), instead of where it was left.
    pub goto: Option<String>,
    /// The wall clock for the audit trail and locks when `now` is a what-if (`--now`): an
    /// edit made while looking at "POD 24" still happened today. `None`: `now` is the clock.
    pub wall_clock: Option<fn() -> NaiveDateTime>,
    /// Entries not yet on disk (a failed save) and what leaving asks (`drafts.rs`).
    pub drafts: super::drafts::DraftState,
    /// `--now`: a what-if view. Every case opens read-only and nothing is written.
    pub simulated: bool,
    /// This user's last rounds review: the rows mark what changed since.
    pub review: Option<super::review::Review>,
    /// How far the help or basis popup is scrolled (↑↓ PgUp PgDn; other keys close it).
    pub overlay_scroll: u16,
}

impl App {
    pub fn new(protocol: Protocol, now: NaiveDateTime, theme: Theme) -> App {
        App {
            now,
            protocol,
            theme,
            rounds: RoundsView::default(),
            open: None,
            overlay: None,
            status: None,
            listing: Listing::default(),
            goto: None,
            wall_clock: None,
            drafts: Default::default(),
            simulated: false,
            review: None,
            overlay_scroll: 0,
        }
    }

    /// When things really happen (audit entries, locks): the wall clock, or `now`.
    pub fn wall_now(&self) -> NaiveDateTime {
        self.wall_clock.map_or(self.now, |clock| clock())
    }

    pub fn set_listing(&mut self, listing: Listing) {
        self.listing = listing;
        self.refresh_rounds();
    }

    /// Re-evaluates every case (the clock moved, a full reload) and redraws the list.
    pub fn refresh_rounds(&mut self) {
        self.rounds
            .cache
            .rebuild(&self.listing, &self.protocol, self.now);
        self.relist();
    }

    /// Rebuilds the rows from the cached entries. The selection stays on the same case when
    /// rows move (a live change must never put another patient under the cursor).
    pub fn relist(&mut self) {
        let selected = self
            .visible_rows()
            .get(self.rounds.selected)
            .map(|r| r.id.clone());
        self.rounds.list =
            self.rounds
                .cache
                .list(&self.listing.damaged, self.now, self.rounds.show_archived);
        let rows = self.visible_rows();
        let n = rows.len();
        let at = selected.and_then(|id| rows.iter().position(|r| r.id == id));
        self.rounds.selected = at.unwrap_or(self.rounds.selected).min(n.saturating_sub(1));
    }

    /// One case's row again, at its place; the others stay as they are (a live refresh).
    pub fn relist_one(&mut self, id: &str) {
        let selected = self
            .visible_rows()
            .get(self.rounds.selected)
            .map(|r| r.id.clone());
        let mut list = std::mem::take(&mut self.rounds.list);
        self.rounds
            .cache
            .relist_one(&mut list, id, self.rounds.show_archived);
        self.rounds.list = list;
        let rows = self.visible_rows();
        let n = rows.len();
        let at = selected.and_then(|id| rows.iter().position(|r| r.id == id));
        self.rounds.selected = at.unwrap_or(self.rounds.selected).min(n.saturating_sub(1));
    }

    /// Marks the cases another instance holds (shown with a lock on the rounds list).
    pub fn mark_held(&mut self, holder: impl Fn(&str) -> Option<String>) {
        let ids: Vec<String> = self.rounds.cache.entries.keys().cloned().collect();
        self.rounds.cache.holders = ids
            .into_iter()
            .filter_map(|id| holder(&id).map(|h| (id, h)))
            .collect();
        self.relist();
    }

    /// One case's holder changed (taken or given back elsewhere).
    pub fn set_holder(&mut self, id: &str, holder: Option<String>) {
        match holder {
            Some(h) => self.rounds.cache.holders.insert(id.to_string(), h),
            None => self.rounds.cache.holders.remove(id),
        };
        self.relist_one(id);
    }

    /// A case changed elsewhere (another instance, an import): `None` when it is gone. Only
    /// that case is re-evaluated. A read-only view of it shows the holder's saved version.
    pub fn case_changed(&mut self, id: &str, case: Option<Case>) {
        let at = self
            .listing
            .cases
            .iter()
            .position(|c| c.id.as_deref() == Some(id));
        match (&case, at) {
            (Some(c), Some(i)) => self.listing.cases[i] = c.clone(),
            (Some(c), None) => self.listing.cases.push(c.clone()),
            (None, Some(i)) => {
                self.listing.cases.remove(i);
            }
            (None, None) => {}
        }
        self.rounds
            .cache
            .update(id, case.as_ref(), &self.protocol, self.now);
        self.relist_one(id);
        if let (Some(case), Some(view)) = (case, &self.open)
            && view.id() == id
            && view.read_only().is_some()
            && view.case != case
        {
            self.reload_read_only(case);
        }
    }

    /// Shows the holder's newly saved version in a read-only view, on the same screen and
    /// field.
    fn reload_read_only(&mut self, case: Case) {
        let Some(old) = self.open.take() else { return };
        let (tab, focus, pane, sel) = (old.tab, old.focus, old.pane, old.plan_sel);
        self.open_case(case, old.access, old.created);
        if let Some(v) = &mut self.open {
            v.tab = tab;
            v.focus = focus.min(v.focusables().len().saturating_sub(1));
            v.pane = pane;
            v.plan_sel = sel;
            v.start_editor();
        }
        self.status = Some(("updated: the holder saved a change".into(), false));
    }

    /// Shows a case's audit trail (newest first).
    pub fn show_history(&mut self, id: &str, entries: Vec<crate::store::audit::Entry>) {
        let label = self
            .listing
            .cases
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .or(self.open.as_ref().map(|v| &v.case))
            .map_or(id.to_string(), |c| c.label().to_string());
        self.overlay = Some(Overlay::History(Box::new(super::history::History::new(
            id.to_string(),
            label,
            entries,
        ))));
    }

    /// What changed since this user's last review, per case.
    pub fn set_marks(&mut self, id: &str, marks: rounds::Marks) {
        self.rounds.cache.marks.insert(id.to_string(), marks);
    }

    /// How many cases are archived (said when the list of active ones is empty).
    pub fn archived_count(&self) -> usize {
        self.listing
            .cases
            .iter()
            .filter(|c| c.is_archived())
            .count()
    }

    pub fn visible_rows(&self) -> Vec<&rounds::RoundsRow> {
        rounds::filtered(&self.rounds.list.rows, self.rounds.filter.value())
    }

    /// Opens a loaded case on the screen and field it was left on.
    pub fn open_case(&mut self, case: Case, access: Access, created: bool) {
        let access = if self.simulated {
            Access::ReadOnly {
                holder: SIMULATED_HOLDER.into(),
            }
        } else {
            access
        };
        let value = serde_json::to_value(&case).unwrap_or(Value::Null);
        let eval = evaluate(&case, &self.protocol, self.now);
        let ui = case.extra.get("ui");
        let tab = ui
            .and_then(|u| u.get("screen"))
            .and_then(Value::as_str)
            .and_then(Tab::from_key)
            .unwrap_or(Tab::Patient);
        let field = ui
            .and_then(|u| u.get("field"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut view = CaseView {
            case,
            value,
            eval,
            access,
            created,
            tab,
            focus: 0,
            editor: None,
            chooser: None,
            pane: Pane::Form,
            plan_sel: 0,
        };
        let focusables = view.focusables();
        view.focus = focusables
            .iter()
            .position(|r| r.path() == field)
            .unwrap_or(0);
        view.start_editor();
        let goto = self.goto.take();
        if let Some(path) = goto.as_deref().filter(|p| *p != MRI_ENTRY) {
            view.go_to(path);
        }
        self.open = Some(view);
        self.overlay = None;
        if goto.as_deref() == Some(MRI_ENTRY) {
            super::mri::start(self);
        }
    }

    /// A new case: empty, on the patient screen with the label focused.
    pub fn new_case(&mut self) {
        let base = format!("case-{}", self.now.format("%Y%m%d-%H%M"));
        let taken = |id: &str| {
            self.listing
                .cases
                .iter()
                .any(|c| c.id.as_deref() == Some(id))
        };
        let id = std::iter::once(base.clone())
            .chain((2..).map(|n| format!("{base}-{n}")))
            .find(|id| !taken(id))
            .unwrap_or(base);
        self.open_case(Case::new(id), Access::ReadWrite, false);
    }

    /// The clock moved (tick or `--now`): recompute what depends on it.
    pub fn set_now(&mut self, now: NaiveDateTime) {
        self.now = now;
        if let Some(v) = &mut self.open {
            v.eval = evaluate(&v.case, &self.protocol, now);
        }
        self.refresh_rounds();
    }

    /// The items of the live pane in the order shown: pitfalls (critical first), plan by
    /// section, then asks. Indices into `eval.items`.
    pub fn plan_order(eval: &Evaluation) -> Vec<usize> {
        let mut order: Vec<usize> = Vec::new();
        let items = &eval.items;
        order.extend((0..items.len()).filter(|&i| items[i].kind == ItemKind::Pitfall));
        for section in PLAN_SECTIONS {
            order.extend(
                (0..items.len())
                    .filter(|&i| items[i].kind == ItemKind::Plan && items[i].section == *section),
            );
        }
        order.extend((0..items.len()).filter(|&i| {
            items[i].kind == ItemKind::Plan && !PLAN_SECTIONS.contains(&items[i].section.as_str())
        }));
        order.extend((0..items.len()).filter(|&i| items[i].kind == ItemKind::Ask));
        order
    }
}

/// `goto` of the rounds key `i`: open the case on its MRI entry.
pub const MRI_ENTRY: &str = "mri[+]";

/// Why a case is read-only under `--now`.
pub const SIMULATED_HOLDER: &str = "simulated time (--now): a what-if view, nothing is saved";

/// The plan sections in the order of PRODUCT.md.
pub const PLAN_SECTIONS: &[&str] = &[
    "radiotherapy",
    "systemic",
    "mdt",
    "pain",
    "monitoring",
    "l45",
    "prognosis",
    "discharge",
];

impl CaseView {
    pub fn rows(&self) -> Vec<Row> {
        form::rows(self.tab, &self.case, &self.eval)
    }
    pub fn focusables(&self) -> Vec<Row> {
        self.rows().into_iter().filter(Row::focusable).collect()
    }
    pub fn focused(&self) -> Option<Row> {
        self.focusables().into_iter().nth(self.focus)
    }
    pub fn read_only(&self) -> Option<&str> {
        match &self.access {
            Access::ReadOnly { holder } => Some(holder),
            Access::ReadWrite => None,
        }
    }
    pub fn id(&self) -> String {
        self.case.id.clone().unwrap_or_default()
    }

    /// Moves to the screen and field of a case path. `lesions[].escc` goes to the first such
    /// field still unknown (the one an ask is about), else the first of them.
    pub fn go_to(&mut self, path: &str) {
        let pattern = strip_indices(path);
        self.tab = Tab::of_path(path);
        self.pane = Pane::Form;
        let rows = self.focusables();
        // An exact row (`lesions[1].escc`, or the fields under `lesions[1].sins`) first; a
        // path without indices matches every row.
        let under = |p: &str| p == path || p.starts_with(&format!("{path}."));
        let exact: Vec<usize> = (0..rows.len())
            .filter(|&i| under(&rows[i].path()))
            .collect();
        let matches: Vec<usize> = if !exact.is_empty() {
            exact
        } else {
            (0..rows.len())
                .filter(|&i| strip_indices(&rows[i].path()).starts_with(&pattern))
                .collect()
        };
        let unknown = matches.iter().copied().find(|&i| match &rows[i] {
            Row::Field { path, .. } => fields::get(&self.value, path).is_null(),
            _ => false,
        });
        self.focus = unknown.or(matches.first().copied()).unwrap_or(0);
        self.start_editor();
    }

    /// Whether a "still to record" item asks for this field (and it is still unknown).
    /// Asks about list rows (`lesions[].sins`) do not say which row, so they mark none.
    pub fn asked(&self, path: &str) -> bool {
        if !fields::get(&self.value, path).is_null() {
            return false;
        }
        self.eval
            .items
            .iter()
            .filter_map(|i| i.field.as_deref())
            .filter(|f| !f.contains("[]"))
            .any(|f| path == f || path.starts_with(&format!("{f}.")))
    }

    /// The next (`by` = 1) or previous (-1) field, from the focus on, that is unknown or asked
    /// for, in clinical order across the screens: `(screen, focus index)`.
    pub fn next_unknown(&self, by: isize) -> Option<(Tab, usize)> {
        let here = self.tab.index() as isize;
        let n = Tab::ALL.len() as isize;
        // Screens in order from this one, this one again last (for the fields before the focus).
        for k in 0..=n {
            let tab = Tab::ALL[(here + by * k).rem_euclid(n) as usize];
            let rows: Vec<Row> = form::rows(tab, &self.case, &self.eval)
                .into_iter()
                .filter(Row::focusable)
                .collect();
            let wanted = |i: usize| match &rows[i] {
                Row::Field { path, kind, .. } => {
                    !matches!(kind, Kind::Member { .. })
                        && (fields::get(&self.value, path).is_null() || self.asked(path))
                }
                _ => false,
            };
            let range: Vec<usize> = match (k, by > 0) {
                (0, true) => (self.focus + 1..rows.len()).collect(),
                (0, false) => (0..self.focus).rev().collect(),
                (_, true) => (0..rows.len()).collect(),
                (_, false) => (0..rows.len()).rev().collect(),
            };
            if let Some(i) = range.into_iter().find(|&i| wanted(i)) {
                return Some((tab, i));
            }
        }
        None
    }

    /// Puts the focused typed field into an editor holding its current text, or the focused
    /// choice into a chooser holding its current value.
    pub fn start_editor(&mut self) {
        self.chooser = None;
        self.editor = match self.focused() {
            Some(Row::Field { path, kind, .. }) if kind.is_typed() => {
                let text = kind.edit_text(fields::get(&self.value, &path));
                let fresh = !text.is_empty() && !matches!(kind, fields::Kind::Text { .. });
                let area = multiline(&path).then(|| {
                    let mut a = ratatui_textarea::TextArea::new(
                        text.split('\n').map(str::to_string).collect(),
                    );
                    a.move_cursor(ratatui_textarea::CursorMove::Bottom);
                    a.move_cursor(ratatui_textarea::CursorMove::End);
                    a
                });
                Some(Editor {
                    path,
                    input: Input::new(text),
                    error: None,
                    fresh,
                    area,
                })
            }
            Some(Row::Field { path, kind, .. }) => {
                let current = match kind {
                    Kind::Member { name } => Value::Bool(member_value(&self.value, &path, name)),
                    _ => fields::get(&self.value, &path).clone(),
                };
                self.chooser = Some(Chooser::new(path, kind, current));
                None
            }
            _ => None,
        };
    }

    /// True while the editor holds text, or the chooser a choice, that differs from the
    /// saved value.
    pub fn editor_dirty(&self) -> bool {
        if let Some(c) = &self.chooser {
            return c.value != self.saved_choice(c) || c.error.is_some();
        }
        match (&self.editor, self.focused()) {
            (Some(ed), Some(Row::Field { kind, .. })) => {
                ed.text() != kind.edit_text(fields::get(&self.value, &ed.path))
            }
            _ => false,
        }
    }

    /// The saved value a chooser started from.
    pub fn saved_choice(&self, c: &Chooser) -> Value {
        match c.kind {
            Kind::Member { name } => Value::Bool(member_value(&self.value, &c.path, name)),
            _ => fields::get(&self.value, &c.path).clone(),
        }
    }

    /// A refusal is showing in the focused field: the focus stays until it is fixed or undone.
    pub fn refused(&self) -> bool {
        self.editor.as_ref().is_some_and(|e| e.error.is_some())
            || self.chooser.as_ref().is_some_and(|c| c.error.is_some())
    }

    /// Applies `new` at `path` when the case still decodes with no problem at that path.
    /// Returns the audit changes (the edit first, then any exam the Frankel drop marked
    /// new-or-worse, as the case format asks), or the reason it was refused.
    pub fn apply(
        &mut self,
        path: &str,
        new: Value,
        protocol: &Protocol,
        now: NaiveDateTime,
    ) -> Result<Vec<Change>, String> {
        let old = fields::get(&self.value, path).clone();
        if old == new {
            return Ok(Vec::new());
        }
        if let Some(holder) = self.read_only() {
            return Err(format!("read-only: {holder}"));
        }
        let mut value = self.value.clone();
        if !fields::set(&mut value, path, new.clone()) {
            return Err(format!("{path} no longer exists"));
        }
        let mut case = decode_at(&value, path, now)?;
        let before: Vec<Value> = case
            .neuro_exams
            .iter()
            .map(|e| Value::from(e.new_or_worse))
            .collect();
        let marked = case.mark_frankel_drops();
        // A wound status recorded is a wound check: it is stamped with the time it was seen.
        let mut stamped = None;
        if path == "wound.status" && !new.is_null() && case.wound.checked_at != Some(now) {
            let before = fields::get(&self.value, "wound.checked_at").clone();
            case.wound.checked_at = Some(now);
            stamped = Some(Change {
                path: "wound.checked_at".into(),
                old: before,
                new: Value::from(crate::case::format_time(&now)),
            });
        }
        self.value = serde_json::to_value(&case).unwrap_or(value);
        let new = fields::get(&self.value, path).clone();
        self.case = case;
        self.eval = evaluate(&self.case, protocol, now);
        let mut changes = vec![Change {
            path: path.to_string(),
            old,
            new,
        }];
        changes.extend(marked.into_iter().map(|i| Change {
            path: format!("neuro_exams[{i}].new_or_worse"),
            old: before.get(i).cloned().unwrap_or(Value::Null),
            new: Value::Bool(true),
        }));
        changes.extend(stamped);
        Ok(changes)
    }

    /// Records where the clinician is, to reopen there. Kept under `ui` beside the clinical
    /// fields so the audit trail and the clinical content stay untouched.
    pub fn remember_position(&mut self) {
        let field = self.focused().map(|r| r.path()).unwrap_or_default();
        let ui = json!({ "screen": self.tab.key(), "field": field });
        self.case.extra.insert("ui".into(), ui.clone());
        if let Value::Object(m) = &mut self.value {
            m.insert("ui".into(), ui);
        }
    }
}

/// `lesions[1].sins.pain` → `lesions[].sins.pain`.
pub fn strip_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '[' => {
                skipping = true;
                out.push('[');
            }
            ']' => {
                skipping = false;
                out.push(']');
            }
            _ if skipping => {}
            _ => out.push(c),
        }
    }
    out
}

/// Decodes the case; a problem at `path` (or inside it) refuses the edit with its reason.
/// Problems elsewhere (a case saved under another `--now`) do not block this field.
pub fn decode_at(value: &Value, path: &str, now: NaiveDateTime) -> Result<Case, String> {
    use crate::case::decode::{Decode, Problems};
    let mut p = Problems::default();
    let case = Case::decode(value, "", &mut p);
    if let Some(c) = &case {
        p.0.extend(c.validate(now));
    }
    let mine = p.0.iter().find(|e| {
        e.path == path
            || e.path.starts_with(&format!("{path}."))
            || e.path.starts_with(&format!("{path}["))
    });
    // A change whose own field is fine can still break another (status "requested" on an
    // MRI that has the time it was done): refused too, naming that field, or the saved case
    // would no longer load.
    let elsewhere = p.0.first();
    match (case, mine, elsewhere) {
        (_, Some(e), _) => Err(if e.value.is_empty() {
            e.reason.clone()
        } else {
            format!("{} {}", e.value, e.reason)
        }),
        (_, None, Some(e)) => Err(e.to_string()),
        (Some(c), None, None) => Ok(c),
        (None, None, None) => Err("the case could not be read back".into()),
    }
}

/// A new list row as JSON: exams and MRIs get the time now, lesions and segments their level.
/// A new row carries a random uid from the start: a uid derived from the row's position
/// (what a file without uids gets) could repeat the uid of a row removed before it, and the
/// FHIR export and "go to this row" would take one row for the other.
pub fn new_row(list: List, level: Option<&str>, now: NaiveDateTime) -> Value {
    let at = Value::from(format_time(&now));
    let uid = crate::case::uid::random();
    match list {
        List::Lesions => json!({ "uid": uid, "level": level }),
        List::Stenosis => json!({ "uid": uid, "level": level }),
        List::Exams => json!({ "uid": uid, "at": at }),
        // Requested or done is asked for (`i`); no time is recorded before that answer.
        List::Mri => json!({ "uid": uid, "status": null, "at": null, "reason": null }),
    }
}

/// Whether a list asks for a level before the row is added.
pub fn needs_level(list: List) -> bool {
    matches!(list, List::Lesions | List::Stenosis)
}

/// A stable kind check used by the view: the value of a member field (MDT attendee).
pub fn member_value(value: &Value, path: &str, name: &str) -> bool {
    fields::get(value, path)
        .as_array()
        .is_some_and(|a| a.iter().any(|v| v == name))
}

/// The list with `name` added or removed.
pub fn toggle_member(value: &Value, path: &str, name: &str, on: bool) -> Value {
    let mut list: Vec<Value> = fields::get(value, path)
        .as_array()
        .cloned()
        .unwrap_or_default();
    list.retain(|v| v != name);
    if on {
        list.push(Value::from(name));
    }
    Value::Array(list)
}

/// The shown value of a field (used by the view and tests).
pub fn field_text(value: &Value, path: &str, kind: Kind) -> Option<String> {
    match kind {
        Kind::Member { name } => Some(if member_value(value, path, name) {
            "yes".into()
        } else {
            "no".into()
        }),
        _ => kind.show(fields::get(value, path)),
    }
}
