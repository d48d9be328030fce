//! One list of key bindings per screen: it routes keys in `update` and is drawn both in the
//! bottom bar (the few marked `bar`) and in the `?` overlay (all), so they never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    Open,
    New,
    Filter,
    ToggleArchived,
    Reload,
    Help,
    Quit,
    Back,
    Save,
    Export,
    NextField,
    PrevField,
    NextTab,
    PrevTab,
    AddRow,
    RemoveRow,
    TogglePane,
    Basis,
    ChoosePrev,
    ChooseNext,
    /// From the plan pane, to the field a "still to record" item names.
    GoToField,
    /// Rounds quick entry: open the selected case at what rounds record.
    Quick(Quick),
    /// The case's history (audit trail).
    History,
    /// To the next / previous field that is unknown or asked for.
    NextUnknown,
    PrevUnknown,
    /// To the next / previous section of a long screen (lesions, stenoses, MRIs).
    NextSection,
    PrevSection,
    /// Record an MRI (requested or done, then its time).
    RecordMri,
    /// Documented only: typing goes to the focused text field.
    Type,
}

/// What morning rounds record, each opened directly from the rounds list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quick {
    Exam,
    Wound,
    Radiotherapy,
    Mdt,
    Discharge,
    Mri,
}

impl Quick {
    /// The field the case opens at.
    pub fn field(self) -> &'static str {
        match self {
            Quick::Exam => "neuro_exams",
            Quick::Wound => "wound.status",
            Quick::Radiotherapy => "radiotherapy.consult",
            Quick::Mdt => "mdt.held_at",
            Quick::Discharge => "discharge.planned_date",
            Quick::Mri => super::app::MRI_ENTRY,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Code(KeyCode),
    Char(char),
    Ctrl(char),
    BackTab,
}

impl Key {
    fn matches(self, k: &KeyEvent) -> bool {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match self {
            Key::Code(c) => k.code == c && !ctrl,
            Key::Char(c) => k.code == KeyCode::Char(c) && !ctrl,
            Key::Ctrl(c) => ctrl && k.code == KeyCode::Char(c),
            Key::BackTab => k.code == KeyCode::BackTab,
        }
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in the bar and the help.
    pub shown: &'static str,
    pub help: &'static str,
    pub action: Action,
    /// The words in the bottom bar; empty: only in the help.
    pub bar: &'static str,
}

const fn b(
    keys: &'static [Key],
    shown: &'static str,
    help: &'static str,
    action: Action,
    bar: &'static str,
) -> Binding {
    Binding {
        keys,
        shown,
        help,
        action,
        bar,
    }
}

use Key::{Char, Code, Ctrl};

#[rustfmt::skip]
pub static ROUNDS: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], "Enter", "open the case", Action::Open, "open"),
    b(&[Char('n')], "n", "new case", Action::New, "new"),
    b(&[Char('/')], "/", "filter by label", Action::Filter, "filter"),
    b(&[Char('a')], "a", "show / hide archived", Action::ToggleArchived, "archived"),
    b(&[Code(KeyCode::Up), Char('k')], "↑↓", "move up", Action::Up, ""),
    b(&[Code(KeyCode::Down), Char('j')], "", "move down", Action::Down, ""),
    b(&[Char('x')], "x", "rounds: open at the neuro exams (Enter adds one, time now)", Action::Quick(Quick::Exam), ""),
    b(&[Char('i')], "i", "rounds: record an MRI (requested or done, then its time)", Action::Quick(Quick::Mri), "MRI"),
    b(&[Char('h')], "h", "history of the case (audit trail)", Action::History, "history"),
    b(&[Char('w')], "w", "rounds: open at the wound check", Action::Quick(Quick::Wound), ""),
    b(&[Char('t')], "t", "rounds: open at radiotherapy (consult, start, end)", Action::Quick(Quick::Radiotherapy), ""),
    b(&[Char('m')], "m", "rounds: open at the MDT", Action::Quick(Quick::Mdt), ""),
    b(&[Char('d')], "d", "rounds: open at discharge", Action::Quick(Quick::Discharge), ""),
    b(&[Char('r')], "r", "reload from disk", Action::Reload, ""),
    b(&[Code(KeyCode::Esc)], "Esc", "clear the filter", Action::Back, ""),
    b(&[Char('?'), Code(KeyCode::F(1))], "?", "this help", Action::Help, "help"),
    b(&[Char('q'), Ctrl('c')], "q", "quit", Action::Quit, "quit"),
];

#[rustfmt::skip]
pub static FILTER: &[Binding] = &[
    b(&[Code(KeyCode::Enter)], "Enter", "keep the filter", Action::Open, "keep"),
    b(&[Code(KeyCode::Esc)], "Esc", "clear the filter", Action::Back, "clear"),
    b(&[], "type", "part of a label", Action::Type, "filter"),
    b(&[Ctrl('c')], "Ctrl-C", "quit", Action::Quit, ""),
];

#[rustfmt::skip]
pub static FORM: &[Binding] = &[
    b(&[Code(KeyCode::Tab), Code(KeyCode::Down)], "Tab", "next field (also ↓)", Action::NextField, "next"),
    b(&[Key::BackTab, Code(KeyCode::Up)], "S-Tab/↑", "previous field", Action::PrevField, ""),
    b(&[Code(KeyCode::Enter)], "Enter", "confirm, next field (on a list: add)", Action::NextField, ""),
    b(&[Code(KeyCode::Left)], "←→", "choose (or type the first letter)", Action::ChoosePrev, "choose"),
    b(&[Code(KeyCode::Right), Char(' ')], "Space", "next choice", Action::ChooseNext, ""),
    b(&[], "type", "text, numbers, dates (today, -3), times (08:30, now)", Action::Type, ""),
    b(&[Char(']')], "]", "next unknown or asked field ([ back; text in a text field)", Action::NextUnknown, "unknown"),
    b(&[Char('[')], "", "previous unknown or asked field", Action::PrevUnknown, ""),
    b(&[Char('}')], "}", "next section of the screen ({ back)", Action::NextSection, ""),
    b(&[Char('{')], "", "previous section", Action::PrevSection, ""),
    b(&[Code(KeyCode::PageDown)], "PgDn", "next screen", Action::NextTab, "screen"),
    b(&[Code(KeyCode::PageUp)], "", "previous screen", Action::PrevTab, ""),
    b(&[Ctrl('a')], "Ctrl-A", "add a row to the list (MRI: requested or done, then time)", Action::AddRow, ""),
    b(&[Ctrl('o'), Char('h')], "Ctrl-O", "history of the case (h outside fields)", Action::History, ""),
    b(&[Ctrl('d')], "Ctrl-D", "remove this row", Action::RemoveRow, ""),
    b(&[Ctrl('p'), Code(KeyCode::F(2))], "Ctrl-P", "to the plan (Enter: basis)", Action::TogglePane, "plan"),
    b(&[Ctrl('s')], "Ctrl-S", "save now", Action::Save, ""),
    b(&[Char('e'), Ctrl('e')], "e", "export handover note (Ctrl-E while typing)", Action::Export, ""),
    // In a text field `?` is text: the bar names the key that always works.
    b(&[Char('?'), Code(KeyCode::F(1))], "F1", "this help (? outside text fields)", Action::Help, "help"),
    b(&[Code(KeyCode::Esc)], "Esc", "undo typing, else back to rounds", Action::Back, "back"),
    b(&[Ctrl('c')], "Ctrl-C", "save and quit", Action::Quit, ""),
];

#[rustfmt::skip]
pub static PLAN: &[Binding] = &[
    b(&[Code(KeyCode::Up), Char('k')], "↑↓", "select an item (up)", Action::Up, "select"),
    b(&[Code(KeyCode::Down), Char('j')], "", "next item", Action::Down, ""),
    b(&[Code(KeyCode::Enter)], "Enter", "basis: rule, inputs, source", Action::Basis, "basis"),
    b(&[Char('g')], "g", "go to the field to record (still to record)", Action::GoToField, "go to field"),
    b(&[Char('h'), Ctrl('o')], "h", "history of the case (audit trail)", Action::History, ""),
    b(&[Ctrl('p'), Code(KeyCode::F(2)), Code(KeyCode::Tab)], "Ctrl-P", "back to the form", Action::TogglePane, "form"),
    b(&[Code(KeyCode::PageDown)], "PgDn", "next screen", Action::NextTab, ""),
    b(&[Code(KeyCode::PageUp)], "", "previous screen", Action::PrevTab, ""),
    b(&[Ctrl('s')], "Ctrl-S", "save now", Action::Save, ""),
    b(&[Char('e'), Ctrl('e')], "e", "export handover note", Action::Export, ""),
    b(&[Char('?'), Code(KeyCode::F(1))], "?", "this help", Action::Help, "help"),
    b(&[Code(KeyCode::Esc)], "Esc", "back to the form", Action::Back, "back"),
    b(&[Ctrl('c')], "Ctrl-C", "save and quit", Action::Quit, ""),
];

/// The history view (its keys are read by `history::key`; listed here for the bar and help).
#[rustfmt::skip]
pub static HISTORY: &[Binding] = &[
    b(&[Code(KeyCode::Up), Code(KeyCode::Down)], "↑↓", "scroll (PgUp PgDn, Home)", Action::Up, "scroll"),
    b(&[Char('/')], "/", "filter by field, user, time or value", Action::Filter, "filter"),
    b(&[Code(KeyCode::Esc)], "Esc", "clear the filter, else close", Action::Back, "close"),
];

pub fn lookup(bindings: &[Binding], key: &KeyEvent) -> Option<Action> {
    bindings
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(key)))
        .map(|b| b.action)
}
