//! Keys in, state changes and effects out. Pure: tests drive it without a terminal.

use super::app::{App, Effect, Overlay, Pane, toggle_member};
use super::fields::Kind;
use super::form::Row;
use super::keys::{self, Action};
use super::lists::{add_row, list_of, remove_row, row_index, start_add};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

/// Handles one key press.
pub fn update(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    app.status = None;
    if app.overlay.is_some() {
        return overlay_key(app, key);
    }
    if app.open.is_some() {
        case_key(app, key)
    } else {
        rounds_key(app, key)
    }
}

fn rounds_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.rounds.filtering {
        match keys::lookup(keys::FILTER, &key) {
            Some(Action::Open) => app.rounds.filtering = false,
            Some(Action::Back) => {
                app.rounds.filtering = false;
                app.rounds.filter.reset();
            }
            Some(Action::Quit) => return vec![Effect::Quit],
            _ => {
                edit_input(&mut app.rounds.filter, &key);
                app.rounds.selected = 0;
            }
        }
        return Vec::new();
    }
    let n = app.visible_rows().len();
    match keys::lookup(keys::ROUNDS, &key) {
        Some(Action::Up) => app.rounds.selected = app.rounds.selected.saturating_sub(1),
        Some(Action::Down) => {
            app.rounds.selected = (app.rounds.selected + 1).min(n.saturating_sub(1))
        }
        Some(Action::Open) => {
            if let Some(row) = app.visible_rows().get(app.rounds.selected) {
                return vec![Effect::Open(row.id.clone())];
            }
        }
        Some(Action::New) if app.simulated => {
            app.status = Some((
                "simulated time (--now): read-only, no new case".into(),
                true,
            ))
        }
        Some(Action::New) => app.new_case(),
        Some(Action::Quick(q)) => {
            if let Some(row) = app.visible_rows().get(app.rounds.selected) {
                let id = row.id.clone();
                app.goto = Some(q.field().to_string());
                return vec![Effect::Open(id)];
            }
        }
        Some(Action::Filter) => app.rounds.filtering = true,
        Some(Action::ToggleArchived) => {
            app.rounds.show_archived = !app.rounds.show_archived;
            app.relist();
        }
        Some(Action::Reload) => return vec![Effect::LoadRounds],
        Some(Action::History) => {
            if let Some(row) = app.visible_rows().get(app.rounds.selected) {
                return vec![Effect::LoadHistory(row.id.clone())];
            }
        }
        Some(Action::Back) => app.rounds.filter.reset(),
        Some(Action::Help) => app.overlay = Some(Overlay::Help),
        Some(Action::Quit) => return vec![Effect::Quit],
        _ => {}
    }
    Vec::new()
}

fn overlay_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(overlay) = app.overlay.take() else {
        return Vec::new();
    };
    match overlay {
        Overlay::Help | Overlay::Basis(_) => {
            // Arrows scroll a long text; any other key closes: the overlay only reads.
            let by: i32 = match key.code {
                KeyCode::Up | KeyCode::Char('k') => -1,
                KeyCode::Down | KeyCode::Char('j') => 1,
                KeyCode::PageUp => -10,
                KeyCode::PageDown => 10,
                _ => {
                    app.overlay_scroll = 0;
                    return Vec::new();
                }
            };
            app.overlay_scroll = (app.overlay_scroll as i32 + by).clamp(0, 500) as u16;
            app.overlay = Some(overlay);
            Vec::new()
        }
        Overlay::Mri(entry) => super::mri::key(app, entry, key),
        Overlay::History(mut h) => {
            if super::history::key(&mut h, &key) {
                app.overlay = Some(Overlay::History(h));
            }
            Vec::new()
        }
        Overlay::ConfirmArchive => confirm_archive(
            app,
            matches!(key.code, KeyCode::Char('y' | 'Y'))
                && key.modifiers.difference(KeyModifiers::SHIFT).is_empty(),
        ),
        Overlay::ConfirmRemove(list, index) => {
            if matches!(key.code, KeyCode::Char('y' | 'Y')) {
                remove_row(app, list, index)
            } else {
                app.status = Some(("nothing removed".into(), false));
                Vec::new()
            }
        }
        Overlay::NewRow {
            list,
            mut input,
            error,
        } => match key.code {
            KeyCode::Esc => Vec::new(),
            KeyCode::Enter => {
                let level = input.value().trim().to_string();
                match add_row(app, list, Some(&level)) {
                    Ok(effects) => effects,
                    Err(reason) => {
                        app.overlay = Some(Overlay::NewRow {
                            list,
                            input,
                            error: Some(reason),
                        });
                        Vec::new()
                    }
                }
            }
            _ => {
                edit_input(&mut input, &key);
                app.overlay = Some(Overlay::NewRow { list, input, error });
                Vec::new()
            }
        },
    }
}

fn case_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let view = app.open.as_mut().expect("a case is open");
    if view.pane == Pane::Plan {
        return plan_key(app, key);
    }
    // Inside a field, letters are text (or type-ahead on a choice): no single-letter
    // command fires there. Ctrl- keys keep working everywhere.
    let free_text = view.focused().is_some_and(|r| {
        matches!(
            r,
            Row::Field {
                kind: Kind::Text { .. },
                ..
            }
        )
    });
    let jump = matches!(key.code, KeyCode::Char(']' | '[' | '}' | '{')) && !free_text;
    if let Some(ed) = &mut view.editor
        && is_typing(&key, ed.area.is_some())
        && !jump
    {
        let plain_char = matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL);
        if std::mem::take(&mut ed.fresh) && plain_char {
            ed.input = Input::default();
        }
        match &mut ed.area {
            Some(area) => notes_key(area, &key),
            None => edit_input(&mut ed.input, &key),
        }
        ed.error = None;
        return Vec::new();
    }
    if let Some(c) = &mut view.chooser
        && choosing(c, &key)
    {
        return Vec::new();
    }
    let focused = view.focused();
    let action = keys::lookup(keys::FORM, &key);
    match action {
        Some(Action::NextField) => {
            if key.code == KeyCode::Enter
                && let Some(Row::List {
                    list, index: None, ..
                }) = &focused
            {
                return start_add(app, *list);
            }
            move_focus(app, 1)
        }
        Some(Action::PrevField) => move_focus(app, -1),
        Some(Action::NextTab) => switch_tab(app, 1),
        Some(Action::PrevTab) => switch_tab(app, -1),
        Some(Action::ChoosePrev | Action::ChooseNext) => {
            app.status = Some(("this field is typed, not chosen".into(), false));
            Vec::new()
        }
        Some(Action::NextUnknown) => jump_unknown(app, 1),
        Some(Action::PrevUnknown) => jump_unknown(app, -1),
        Some(Action::NextSection) => jump_section(app, 1),
        Some(Action::PrevSection) => jump_section(app, -1),
        Some(Action::History) => {
            let mut effects = commit(app);
            let view = app.open.as_ref().expect("open");
            effects.push(Effect::LoadHistory(view.id()));
            effects
        }
        Some(Action::AddRow)
            if focused
                .as_ref()
                .is_some_and(|r| list_of(&r.path()) == Some(super::form::List::Mri)) =>
        {
            super::mri::start(app)
        }
        Some(Action::AddRow) => match focused {
            Some(Row::List { list, .. }) => start_add(app, list),
            Some(Row::Field { path, .. }) => match list_of(&path) {
                Some(list) => start_add(app, list),
                None => {
                    app.status = Some(("no list here to add to".into(), true));
                    Vec::new()
                }
            },
            _ => Vec::new(),
        },
        Some(Action::RemoveRow) => {
            let path = focused.map(|r| r.path()).unwrap_or_default();
            match (list_of(&path), row_index(&path)) {
                (Some(list), Some(i)) => app.overlay = Some(Overlay::ConfirmRemove(list, i)),
                _ => app.status = Some(("move to a row of a list to remove it".into(), true)),
            }
            Vec::new()
        }
        Some(Action::TogglePane) => {
            let effects = commit(app);
            let view = app.open.as_mut().expect("open");
            if !view.refused() && app.overlay.is_none() {
                view.pane = Pane::Plan;
            }
            effects
        }
        Some(Action::Save) => {
            let mut effects = commit(app);
            if !effects.iter().any(|e| matches!(e, Effect::Save { .. })) {
                effects.extend(save_effect(app, Vec::new()));
            }
            if effects.is_empty() && app.status.is_none() {
                app.status = Some(("nothing to save yet: type a value first".into(), false));
            }
            effects
        }
        Some(Action::Export) if app.simulated => {
            app.status = Some(("simulated time (--now): nothing is written".into(), true));
            Vec::new()
        }
        Some(Action::Export) => {
            let mut effects = commit(app);
            effects.push(Effect::Export);
            effects
        }
        Some(Action::Help) => {
            app.overlay = Some(Overlay::Help);
            Vec::new()
        }
        Some(Action::Back) => {
            let view = app.open.as_mut().expect("open");
            if view.editor_dirty() {
                view.start_editor();
                app.status = Some(("typing undone".into(), false));
                return Vec::new();
            }
            close_case(app, false)
        }
        Some(Action::Quit) => close_case(app, true),
        _ => Vec::new(),
    }
}

/// A key on a focused choice: type-ahead letters, Backspace, arrows and Space change the
/// pending choice. False: not a choosing key (Tab, Enter, Ctrl- keys, `?` go on).
fn choosing(c: &mut super::choice::Chooser, key: &KeyEvent) -> bool {
    if !key.modifiers.difference(KeyModifiers::SHIFT).is_empty() {
        return false;
    }
    match key.code {
        KeyCode::Char(' ') | KeyCode::Right => c.cycle(1),
        KeyCode::Left => c.cycle(-1),
        KeyCode::Backspace => c.backspace(),
        KeyCode::Char('?' | ']' | '[' | '}' | '{') => return false,
        KeyCode::Char(ch) => c.type_char(ch),
        _ => return false,
    }
    true
}

fn plan_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let view = app.open.as_mut().expect("open");
    let n = App::plan_order(&view.eval).len();
    match keys::lookup(keys::PLAN, &key) {
        Some(Action::Up) => view.plan_sel = view.plan_sel.saturating_sub(1),
        Some(Action::Down) => view.plan_sel = (view.plan_sel + 1).min(n.saturating_sub(1)),
        Some(Action::Basis) => {
            if let Some(&i) = App::plan_order(&view.eval).get(view.plan_sel) {
                app.overlay = Some(Overlay::Basis(i));
            }
        }
        Some(Action::TogglePane | Action::Back) => view.pane = Pane::Form,
        Some(Action::GoToField) => {
            let field = App::plan_order(&view.eval)
                .get(view.plan_sel)
                .and_then(|&i| view.eval.items[i].field.clone());
            match field {
                Some(f) => view.go_to(&f),
                None => {
                    app.status =
                        Some(("only a \"still to record\" item names a field".into(), true))
                }
            }
        }
        Some(Action::NextTab) => return switch_tab(app, 1),
        Some(Action::PrevTab) => return switch_tab(app, -1),
        Some(Action::Save) => return save_effect(app, Vec::new()),
        Some(Action::Export) => return vec![Effect::Export],
        Some(Action::Help) => app.overlay = Some(Overlay::Help),
        Some(Action::Quit) => return close_case(app, true),
        _ => {}
    }
    Vec::new()
}

/// Keys the text editor takes: printable characters and in-line editing keys; in the
/// multi-line notes editor also Enter (a new line) and ↑↓ (between lines).
fn is_typing(key: &KeyEvent, multiline: bool) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Char(_) => !ctrl || matches!(key.code, KeyCode::Char('u' | 'w' | 'k')),
        KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right => true,
        KeyCode::Home | KeyCode::End => true,
        KeyCode::Enter | KeyCode::Up | KeyCode::Down => multiline && !ctrl,
        _ => false,
    }
}

fn notes_key(area: &mut ratatui_textarea::TextArea<'static>, key: &KeyEvent) {
    use ratatui_textarea::CursorMove;
    let to = match key.code {
        KeyCode::Left => CursorMove::Back,
        KeyCode::Right => CursorMove::Forward,
        KeyCode::Up => CursorMove::Up,
        KeyCode::Down => CursorMove::Down,
        KeyCode::Home => CursorMove::Head,
        KeyCode::End => CursorMove::End,
        _ => {
            area.input_without_shortcuts(*key);
            return;
        }
    };
    area.move_cursor(to);
}

pub(super) fn edit_line(input: &mut Input, key: &KeyEvent) {
    edit_input(input, key)
}

fn edit_input(input: &mut Input, key: &KeyEvent) {
    let event = crossterm::event::Event::Key(*key);
    if let Some(req) = to_input_request(&event) {
        input.handle(req);
    } else if let KeyCode::Char(c) = key.code {
        input.handle(InputRequest::InsertChar(c));
    }
}

/// Commits the focused field: the typed text or the pending choice. A refusal stays in
/// place with its reason; a value that did not change writes nothing. Archiving is asked
/// first ("Archive Bed 9? y/N") and committed by [`confirm_archive`].
pub(super) fn commit(app: &mut App) -> Vec<Effect> {
    let (now, protocol) = (app.now, &app.protocol);
    let Some(view) = app.open.as_mut() else {
        return Vec::new();
    };
    if let Some(holder) = view.read_only().map(str::to_string) {
        // Nothing here can be saved: say so and put the field back, never trap the focus.
        if view.editor_dirty() {
            app.status = Some((format!("read-only, not saved: {holder}"), true));
            view.start_editor();
        }
        return Vec::new();
    }
    if let Some(c) = view.chooser.clone() {
        if c.error.is_some() || c.value == view.saved_choice(&c) {
            return Vec::new();
        }
        if c.path == "archived" && c.value == Value::Bool(true) && view.read_only().is_none() {
            app.overlay = Some(Overlay::ConfirmArchive);
            return Vec::new();
        }
        return commit_choice(app, &c);
    }
    let Some(Row::Field { path, kind, .. }) = view.focused() else {
        return Vec::new();
    };
    let Some(ed) = &view.editor else {
        return Vec::new();
    };
    let text = ed.text();
    let result = kind
        .parse(&text, now, protocol.zone)
        .and_then(|new| view.apply(&path, new, protocol, now));
    match result {
        Ok(changes) if changes.is_empty() => {
            view.start_editor();
            Vec::new()
        }
        Ok(changes) => {
            view.start_editor();
            save_effect(app, changes)
        }
        Err(reason) => {
            if let Some(ed) = &mut view.editor {
                ed.error = Some(reason);
            }
            Vec::new()
        }
    }
}

fn commit_choice(app: &mut App, c: &super::choice::Chooser) -> Vec<Effect> {
    let (now, protocol) = (app.now, &app.protocol);
    let view = app.open.as_mut().expect("open");
    let new = match c.kind {
        Kind::Member { name } => {
            toggle_member(&view.value, &c.path, name, c.value == Value::Bool(true))
        }
        _ => c.value.clone(),
    };
    match view.apply(&c.path, new, protocol, now) {
        Ok(changes) => {
            view.start_editor();
            if changes.is_empty() {
                Vec::new()
            } else {
                save_effect(app, changes)
            }
        }
        Err(reason) => {
            if let Some(ch) = &mut view.chooser {
                ch.error = Some(reason);
            }
            Vec::new()
        }
    }
}

/// The answer to "Archive Bed 9? y/N": `y` archives (saved and audited), anything else keeps
/// the case active and puts the field back.
fn confirm_archive(app: &mut App, yes: bool) -> Vec<Effect> {
    let Some(view) = app.open.as_mut() else {
        return Vec::new();
    };
    let Some(c) = view.chooser.clone() else {
        return Vec::new();
    };
    let label = view.case.label().to_string();
    if !yes {
        view.start_editor();
        app.status = Some((format!("{label} not archived"), false));
        return Vec::new();
    }
    let effects = commit_choice(app, &c);
    if !effects.is_empty() {
        app.status = Some((
            format!("{label} archived: it leaves the rounds list (a shows archived)"),
            false,
        ));
    }
    effects
}

/// Save (or create, for a new case's first change) unless read-only.
pub(super) fn save_effect(app: &mut App, changes: Vec<Change>) -> Vec<Effect> {
    let Some(view) = app.open.as_mut() else {
        return Vec::new();
    };
    if let Some(holder) = view.read_only() {
        app.status = Some((format!("read-only, not saved: {holder}"), true));
        return Vec::new();
    }
    let case = Box::new(view.case.clone());
    if !view.created {
        if changes.is_empty() {
            return Vec::new();
        }
        view.created = true;
        return vec![Effect::Create(case.clone()), Effect::Save { case, changes }];
    }
    vec![Effect::Save { case, changes }]
}

use crate::store::Change;

fn move_focus(app: &mut App, by: isize) -> Vec<Effect> {
    let effects = commit(app);
    let view = app.open.as_mut().expect("open");
    if view.refused() || app.overlay.is_some() {
        return effects;
    }
    let n = view.focusables().len() as isize;
    let next = view.focus as isize + by;
    if next >= n {
        // Past the last field: on to the next screen, in clinical order.
        let mut effects = effects;
        effects.extend(switch_tab(app, 1));
        return effects;
    }
    if next < 0 {
        let mut effects = effects;
        effects.extend(switch_tab(app, -1));
        let view = app.open.as_mut().expect("open");
        view.focus = view.focusables().len().saturating_sub(1);
        view.start_editor();
        return effects;
    }
    view.focus = next as usize;
    view.start_editor();
    effects
}

/// `]` / `[`: commit, then on to the next field that is unknown or asked for.
fn jump_unknown(app: &mut App, by: isize) -> Vec<Effect> {
    let effects = commit(app);
    let view = app.open.as_mut().expect("open");
    if view.refused() || app.overlay.is_some() {
        return effects;
    }
    match view.next_unknown(by) {
        Some((tab, i)) => {
            view.tab = tab;
            view.focus = i;
            view.start_editor();
        }
        None => app.status = Some(("every field is recorded".into(), false)),
    }
    effects
}

/// `}` / `{`: commit, then to the next list or row heading of the screen (a lesion, the
/// stenoses, the MRIs), or the first field after a section title.
fn jump_section(app: &mut App, by: isize) -> Vec<Effect> {
    let effects = commit(app);
    let view = app.open.as_mut().expect("open");
    if view.refused() || app.overlay.is_some() {
        return effects;
    }
    let rows = view.rows();
    // Focus index of each focusable row, and whether a section starts there.
    let mut starts = Vec::new();
    let mut k = 0;
    let mut after_title = false;
    for row in &rows {
        match row {
            Row::Section(_) => after_title = true,
            r if r.focusable() => {
                if after_title || matches!(r, Row::List { .. }) {
                    starts.push(k);
                }
                after_title = false;
                k += 1;
            }
            _ => {}
        }
    }
    let target = if by > 0 {
        starts.iter().copied().find(|&s| s > view.focus)
    } else {
        starts.iter().rev().copied().find(|&s| s < view.focus)
    };
    if let Some(t) = target {
        view.focus = t;
        view.start_editor();
    }
    effects
}

fn switch_tab(app: &mut App, by: isize) -> Vec<Effect> {
    let effects = commit(app);
    let view = app.open.as_mut().expect("open");
    if view.refused() || app.overlay.is_some() {
        return effects;
    }
    view.tab = view.tab.step(by);
    view.focus = 0;
    view.start_editor();
    effects
}

/// Leaves the case: commit typing, remember the position, save it, unlock; then the
/// rounds list (or quit).
fn close_case(app: &mut App, quit: bool) -> Vec<Effect> {
    // Read-only: nothing typed can be kept, so it never holds the clinician on the screen.
    let read_only = app.open.as_ref().is_some_and(|v| v.read_only().is_some());
    let mut effects = if read_only { Vec::new() } else { commit(app) };
    if quit && matches!(app.overlay, Some(Overlay::ConfirmArchive)) {
        // Leaving in a hurry never archives: the question was not answered.
        app.overlay = None;
    }
    let view = app.open.as_mut().expect("open");
    if (view.refused() || app.overlay.is_some()) && !quit {
        return effects;
    }
    let id = view.id();
    if view.created && view.read_only().is_none() {
        view.remember_position();
        let latest = Box::new(view.case.clone());
        let mut saved = false;
        for e in &mut effects {
            if let Effect::Save { case, .. } = e {
                *case = latest.clone();
                saved = true;
            }
        }
        if !saved {
            effects.push(Effect::Save {
                case: latest,
                changes: Vec::new(),
            });
        }
    }
    if view.created {
        effects.push(Effect::Close(id));
    }
    app.open = None;
    if quit {
        effects.push(Effect::Quit);
    } else {
        effects.push(Effect::LoadRounds);
    }
    effects
}

/// SIGTERM/SIGHUP: keep what was typed when it is valid, save where the case was left, give
/// it back and end the session.
pub fn shutdown(app: &mut App) -> Vec<Effect> {
    app.overlay = None;
    if app.open.is_some() {
        close_case(app, true)
    } else {
        vec![Effect::Quit]
    }
}

/// A bracketed paste: text for the focused field, never keys. Newlines (CR, LF, CRLF) stay in
/// the notes editor and become spaces in a one-line field; other control characters are
/// dropped (they could never be saved, and must not reach the terminal).
pub fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    app.status = None;
    let multi = text.replace("\r\n", "\n").replace('\r', "\n");
    let clean = |keep_newlines: bool| -> String {
        let mut out = String::with_capacity(multi.len());
        let mut after_break = false;
        for c in multi.chars() {
            match c {
                '\n' if keep_newlines => out.push('\n'),
                // A line break (or several: some terminals send CR CR for CRLF) is one space.
                '\n' if after_break => continue,
                '\n' => out.push(' '),
                '\t' => out.push(' '),
                c if c.is_control() || crate::output::is_unsafe(c) => {}
                c => out.push(c),
            }
            after_break = c == '\n';
        }
        out
    };
    let line = clean(false);
    match &mut app.overlay {
        Some(Overlay::NewRow { input, .. }) => {
            insert_text(input, line.trim());
            return Vec::new();
        }
        Some(_) => {
            app.status = Some(("paste ignored: answer the question first".into(), true));
            return Vec::new();
        }
        None => {}
    }
    let Some(view) = app.open.as_mut() else {
        if app.rounds.filtering {
            insert_text(&mut app.rounds.filter, line.trim());
            app.rounds.selected = 0;
        } else {
            app.status = Some((
                "paste ignored: press / to filter, Enter to open".into(),
                true,
            ));
        }
        return Vec::new();
    };
    if view.pane == Pane::Plan {
        app.status = Some(("paste ignored: the plan is read-only".into(), true));
        return Vec::new();
    }
    if let Some(ed) = &mut view.editor {
        if std::mem::take(&mut ed.fresh) {
            ed.input = Input::default();
        }
        match &mut ed.area {
            Some(area) => {
                area.insert_str(clean(true));
            }
            None => insert_text(&mut ed.input, &line),
        }
        ed.error = None;
    } else if let Some(c) = &mut view.chooser {
        c.type_text(&line);
    } else {
        app.status = Some(("paste ignored: move to a field first".into(), true));
    }
    Vec::new()
}

fn insert_text(input: &mut Input, text: &str) {
    for c in text.chars() {
        input.handle(InputRequest::InsertChar(c));
    }
}
