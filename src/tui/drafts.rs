//! What the TUI keeps when it cannot save or cannot stay. A failed save keeps the entry on
//! screen and says so; leaving then asks: retry, keep as draft, or discard. A value being
//! typed when the terminal goes away (hang-up, SIGTERM, read error, end of input) is kept as
//! a draft under the case's `ui` key — never as the clinical value — and the next opening
//! offers it back in its field: "restored unsaved entry: Age 71 — Enter commits, Esc
//! discards". Ctrl-C asks first when something is pending.

use super::app::{App, Effect};
use super::form::Row;
use crate::case::Case;
use crate::store::{Access, Change, Store, StoreError, UI_KEY, version_of};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use tui_input::Input;

/// The key under `ui` that holds drafts: `[{"path": "patient.age", "text": "71"}]`.
pub const DRAFTS_KEY: &str = "drafts";

/// A value typed but not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub path: String,
    pub text: String,
}

/// Changes the store refused: kept until a save goes through or the user discards them.
#[derive(Debug, Clone)]
pub struct Unsaved {
    pub case: Box<Case>,
    pub changes: Vec<Change>,
}

/// What the bottom line is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Leaving with a save that failed: retry, keep as draft, discard (or stay).
    Leave { quit: bool },
    /// Ctrl-C with something pending: leave (keeping it as a draft) or stay.
    Interrupt,
}

/// The TUI's unsaved state, beside [`App`]'s.
#[derive(Debug, Clone, Default)]
pub struct DraftState {
    pub unsaved: Option<Unsaved>,
    pub prompt: Option<Prompt>,
    /// Drafts of the open case (its id) found at opening and not restored into a field:
    /// written back into its `ui` with every save, so none is lost before it is offered.
    pub kept: Option<(String, Vec<Draft>)>,
}

/// What a key answered to a prompt asks the loop to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Perform these effects.
    Effects(Vec<Effect>),
    /// Keep the pending entries as drafts and leave (quit or back to the list).
    KeepDrafts { quit: bool },
    /// Keep what is being typed as a draft and end the session (Ctrl-C answered yes).
    Leave,
}

fn is_ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

/// Whether something typed or entered has not reached the disk.
pub fn pending(app: &App) -> bool {
    app.drafts.unsaved.is_some() || app.open.as_ref().is_some_and(|v| v.editor_dirty())
}

/// Keys the draft logic takes before the screen's own: a prompt's answers, and Ctrl-C when
/// something is pending. `None`: the key goes on to [`super::update`].
pub fn intercept(app: &mut App, key: &KeyEvent) -> Option<Outcome> {
    match app.drafts.prompt {
        Some(Prompt::Leave { quit }) => Some(answer_leave(app, key, quit)),
        Some(Prompt::Interrupt) => {
            app.drafts.prompt = None;
            if matches!(key.code, KeyCode::Char('y' | 'Y')) || is_ctrl(key, 'c') {
                Some(Outcome::Leave)
            } else {
                app.status = Some(("still here; nothing was lost".into(), false));
                Some(Outcome::Effects(Vec::new()))
            }
        }
        None if is_ctrl(key, 'c') && pending(app) => {
            app.drafts.prompt = Some(Prompt::Interrupt);
            app.status = Some((
                "Leave? An entry is not saved: y leave (it is kept as a draft) · n stay".into(),
                true,
            ));
            Some(Outcome::Effects(Vec::new()))
        }
        None => None,
    }
}

fn answer_leave(app: &mut App, key: &KeyEvent, quit: bool) -> Outcome {
    let id = app.open.as_ref().map(|v| v.id()).unwrap_or_default();
    let leave = |app: &mut App| {
        app.open = None;
        vec![
            Effect::Close(id.clone()),
            if quit {
                Effect::Quit
            } else {
                Effect::LoadRounds
            },
        ]
    };
    match key.code {
        KeyCode::Char('r' | 'R') => {
            app.drafts.prompt = None;
            let Some(view) = app.open.as_mut() else {
                return Outcome::Effects(Vec::new());
            };
            view.remember_position();
            let save = Effect::Save {
                case: Box::new(view.case.clone()),
                changes: Vec::new(),
            };
            let mut effects = vec![save];
            effects.extend(leave(app));
            Outcome::Effects(effects)
        }
        KeyCode::Char('d' | 'D') => {
            app.drafts.prompt = None;
            Outcome::KeepDrafts { quit }
        }
        KeyCode::Char('x' | 'X') => {
            app.drafts = DraftState::default();
            app.status = Some((
                "discarded: the unsaved entry was not recorded".into(),
                false,
            ));
            Outcome::Effects(leave(app))
        }
        KeyCode::Esc | KeyCode::Char('n' | 'N') => {
            app.drafts.prompt = None;
            app.status = Some((
                "still here: your entry is kept; Ctrl-S retries".into(),
                true,
            ));
            Outcome::Effects(Vec::new())
        }
        _ => {
            ask_leave(app, quit, "");
            Outcome::Effects(Vec::new())
        }
    }
}

/// Puts the leave question on the bottom line.
fn ask_leave(app: &mut App, quit: bool, reason: &str) {
    app.drafts.prompt = Some(Prompt::Leave { quit });
    let reason = if reason.is_empty() {
        String::new()
    } else {
        format!("{reason} — ")
    };
    app.status = Some((
        format!("NOT SAVED: {reason}r retry · d keep as draft · x discard · Esc stay on the case"),
        true,
    ));
}

/// A save failed: the entry stays on the screen (and its changes are kept for the retry),
/// the reason is said. When the save was part of leaving, the case is put back on the
/// screen and leaving asks (`quit`: the leaving was to quit, else back to the list).
/// Returns true when the rest of the effects must not run.
pub fn save_failed(
    app: &mut App,
    case: Box<Case>,
    changes: Vec<Change>,
    e: &StoreError,
    quit: bool,
) -> bool {
    let id = case.id.clone().unwrap_or_default();
    let mut kept = app
        .drafts
        .unsaved
        .take()
        .filter(|u| u.case.id == case.id)
        .map(|u| u.changes)
        .unwrap_or_default();
    kept.extend(changes);
    app.drafts.unsaved = Some(Unsaved {
        case: case.clone(),
        changes: kept,
    });
    let what = match e {
        StoreError::Conflict { .. } => "NOT SAVED (changed elsewhere)",
        _ => "NOT SAVED",
    };
    let still_open = app.open.as_ref().is_some_and(|v| v.id() == id);
    if still_open {
        app.status = Some((
            format!("{what}: {e} — your entry is kept; Ctrl-S retries"),
            true,
        ));
        return false;
    }
    // Leaving: back onto the case, and ask.
    app.open_case(*case, Access::ReadWrite, true);
    ask_leave(app, quit, &e.to_string());
    true
}

/// The changes a retried save must carry: those kept from failed saves of this case first.
pub fn take_unsaved(app: &mut App, case: &Case, changes: Vec<Change>) -> Vec<Change> {
    match app.drafts.unsaved.take() {
        Some(u) if u.case.id == case.id => {
            let mut all = u.changes;
            all.extend(changes);
            all
        }
        other => {
            app.drafts.unsaved = other;
            changes
        }
    }
}

/// The text of a kept change as it would be typed again.
fn text_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The drafts to keep: the value being typed (then the editor is reset, so that leaving
/// cannot commit a half-typed value), and the changes of failed saves.
pub fn collect(app: &mut App) -> Vec<Draft> {
    let mut drafts = Vec::new();
    if let Some(view) = app.open.as_mut()
        && view.editor_dirty()
    {
        // A typed value (the notes editor's text included), or a choice not yet committed:
        // either is kept as a draft, never committed by the leaving.
        let draft = match (&view.editor, &view.chooser) {
            (Some(ed), _) => Some((ed.path.clone(), ed.text())),
            (None, Some(c)) if c.error.is_none() => {
                Some((c.path.clone(), super::choice::name(&c.value)))
            }
            _ => None,
        };
        if let Some((path, text)) = draft {
            drafts.push(Draft { path, text });
        }
        view.start_editor();
    }
    if let Some(u) = &app.drafts.unsaved {
        for c in &u.changes {
            // Derived changes (a Frankel drop's mark, a wound check's stamp) follow from the
            // entry itself when it is committed again.
            let derived = c.path.ends_with(".new_or_worse") || c.path == "wound.checked_at";
            if !c.path.starts_with('(') && !derived && !drafts.iter().any(|d| d.path == c.path) {
                drafts.push(Draft {
                    path: c.path.clone(),
                    text: text_of(&c.new),
                });
            }
        }
    }
    drafts
}

/// Writes `drafts` into a case's `ui` key (beside where the screen was left).
pub fn put(case: &mut Case, drafts: &[Draft]) {
    if drafts.is_empty() {
        return;
    }
    let list: Vec<Value> = drafts
        .iter()
        .map(|d| json!({ "path": d.path, "text": d.text }))
        .collect();
    let ui = case
        .extra
        .entry(UI_KEY.to_string())
        .or_insert_with(|| json!({}));
    if !ui.is_object() {
        *ui = json!({});
    }
    if let Value::Object(m) = ui {
        m.insert(DRAFTS_KEY.into(), Value::Array(list));
    }
}

/// Leaves on a hang-up, SIGTERM or lost terminal: what is being typed becomes a draft, then
/// the case is left as `q` would (position saved, unlocked). The drafts ride on the leaving
/// save of the case, in its `ui` key.
pub fn shutdown_effects(app: &mut App) -> Vec<Effect> {
    app.drafts.prompt = None;
    let drafts = collect(app);
    let mut effects = super::update::shutdown(app);
    for e in &mut effects {
        if let Effect::Save { case, .. } = e {
            put(case, &drafts);
        }
    }
    effects
}

/// "Keep as draft" after a failed save: the drafts go into the case as it is on disk now
/// (its clinical content untouched), then the case is left. Returns the effects of leaving,
/// or stays with the reason when even the draft cannot be written.
pub fn keep_drafts(app: &mut App, store: &mut dyn Store, quit: bool) -> Vec<Effect> {
    let Some(id) = app.open.as_ref().map(|v| v.id()) else {
        return Vec::new();
    };
    let drafts = collect(app);
    let written = store.load(&id, app.now).and_then(|mut current| {
        put(&mut current, &drafts);
        carry(app, &mut current);
        let v = version_of(&current);
        store.save(&current, v, &[])
    });
    match written {
        Ok(_) => {
            app.drafts = DraftState::default();
            app.open = None;
            app.status = Some((
                format!(
                    "kept as a draft: {} (offered back at the next opening)",
                    drafts.len()
                ),
                false,
            ));
            vec![
                Effect::Close(id),
                if quit {
                    Effect::Quit
                } else {
                    Effect::LoadRounds
                },
            ]
        }
        Err(e) => {
            ask_leave(app, quit, &format!("cannot keep a draft either: {e}"));
            Vec::new()
        }
    }
}

/// Drafts of a case read from its `ui` key.
fn read(case: &Case) -> Vec<Draft> {
    case.extra
        .get(UI_KEY)
        .and_then(|u| u.get(DRAFTS_KEY))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|d| {
                    Some(Draft {
                        path: d.get("path")?.as_str()?.to_string(),
                        text: d.get("text")?.as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Puts the drafts found at opening and not restored back into the case about to be saved.
pub fn carry(app: &App, case: &mut Case) {
    let Some((id, kept)) = &app.drafts.kept else {
        return;
    };
    if case.id.as_deref() != Some(id.as_str()) {
        return;
    }
    let mut all = read(case);
    for d in kept {
        if !all.iter().any(|a| a.path == d.path) {
            all.push(d.clone());
        }
    }
    put(case, &all);
}

/// The case was given back: its kept drafts are in its file.
pub fn closed(app: &mut App, id: &str) {
    if app.drafts.kept.as_ref().is_some_and(|(k, _)| k == id) {
        app.drafts.kept = None;
    }
}

/// After a case opened: offers its first draft that has a typed field back in that field
/// (it is recorded only if committed); the others stay kept in its `ui` until offered.
pub fn offer(app: &mut App) {
    app.drafts.kept = None;
    let Some(view) = app.open.as_mut() else {
        return;
    };
    let drafts = read(&view.case);
    if drafts.is_empty() || view.read_only().is_some() {
        return;
    }
    // From here on they live in `kept` and are written back by `carry`.
    for ui in [view.case.extra.get_mut(UI_KEY), view.value.get_mut(UI_KEY)] {
        if let Some(Value::Object(m)) = ui {
            m.shift_remove(DRAFTS_KEY);
        }
    }
    let mut kept = drafts.clone();
    let mut said = None;
    for (i, d) in drafts.iter().enumerate() {
        view.go_to(&d.path);
        let label = match view.focused() {
            Some(Row::Field { path, label, .. }) if path == d.path => label.to_string(),
            _ => d.path.clone(),
        };
        if let Some(ed) = view.editor.as_mut().filter(|ed| ed.path == d.path) {
            ed.input = Input::new(d.text.clone());
            ed.fresh = false;
            if let Some(area) = &mut ed.area {
                *area = ratatui_textarea::TextArea::new(
                    d.text.split('\n').map(str::to_string).collect(),
                );
            }
            kept.remove(i);
            said = Some((
                format!(
                    "restored unsaved entry: {label} {} — Enter commits, Esc discards",
                    d.text
                ),
                false,
            ));
            break;
        }
        said.get_or_insert((
            format!(
                "an unsaved entry is kept: {label} {} — choose it again to record it",
                d.text
            ),
            true,
        ));
    }
    app.status = said;
    let id = view.id();
    if !kept.is_empty() {
        app.drafts.kept = Some((id, kept));
    }
}
