//! Adding and removing rows of the case's lists (lesions, stenosis levels, exams, MRIs).

use super::app::{App, Effect, Overlay, decode_at, needs_level, new_row};
use super::fields;
use super::form::List;
use super::update::{commit, save_effect};
use crate::store::Change;
use serde_json::Value;
use tui_input::Input;

pub fn list_of(path: &str) -> Option<List> {
    let head = path.split(['.', '[']).next()?;
    [List::Lesions, List::Stenosis, List::Exams, List::Mri]
        .into_iter()
        .find(|l| l.path() == head)
}

pub fn row_index(path: &str) -> Option<usize> {
    let open = path.find('[')?;
    let close = path[open..].find(']')? + open;
    path[open + 1..close].parse().ok()
}

pub fn start_add(app: &mut App, list: List) -> Vec<Effect> {
    let mut effects = commit(app);
    if let Some(holder) = app.open.as_ref().and_then(|v| v.read_only()) {
        app.status = Some((format!("read-only: {holder}"), true));
        return effects;
    }
    if needs_level(list) {
        app.overlay = Some(Overlay::NewRow {
            list,
            input: Input::default(),
            error: None,
        });
        return effects;
    }
    match add_row(app, list, None) {
        Ok(more) => effects.extend(more),
        Err(reason) => app.status = Some((reason, true)),
    }
    effects
}

/// Appends a row and focuses its first field.
pub fn add_row(app: &mut App, list: List, level: Option<&str>) -> Result<Vec<Effect>, String> {
    let (now, protocol) = (app.now, &app.protocol);
    let view = app.open.as_mut().expect("open");
    let mut rows = fields::get(&view.value, list.path())
        .as_array()
        .cloned()
        .unwrap_or_default();
    let index = rows.len();
    rows.push(new_row(list, level.filter(|l| !l.is_empty()), now));
    let row_path = format!("{}[{index}]", list.path());
    // Checked at the new row's path so a missing or bad level is refused with its reason.
    let mut probe = view.value.clone();
    fields::set(&mut probe, list.path(), Value::Array(rows.clone()));
    decode_at(&probe, &row_path, now)?;
    // The audit names the new row, not the whole list.
    let mut changes = view.apply(list.path(), Value::Array(rows), protocol, now)?;
    if let Some(first) = changes.first_mut() {
        *first = Change {
            path: row_path.clone(),
            old: Value::Null,
            new: fields::get(&first.new, &format!("[{index}]")).clone(),
        };
    }
    // Focus the first field still to fill: the level was asked for already.
    let first = match list {
        List::Exams => "frankel",
        List::Mri => "reason",
        List::Stenosis => "severity",
        _ => "finding",
    };
    let target = format!("{row_path}.{first}");
    view.focus = view
        .focusables()
        .iter()
        .position(|r| r.path() == target)
        .unwrap_or(view.focus);
    view.start_editor();
    app.status = Some((format!("{} added", list.noun()), false));
    Ok(save_effect(app, changes))
}

pub fn remove_row(app: &mut App, list: List, index: usize) -> Vec<Effect> {
    let (now, protocol) = (app.now, &app.protocol);
    let view = app.open.as_mut().expect("open");
    let mut rows = fields::get(&view.value, list.path())
        .as_array()
        .cloned()
        .unwrap_or_default();
    if index >= rows.len() {
        return Vec::new();
    }
    let removed = rows.remove(index);
    match view.apply(list.path(), Value::Array(rows), protocol, now) {
        Ok(mut changes) => {
            let change = Change {
                path: format!("{}[{index}]", list.path()),
                old: removed,
                new: Value::Null,
            };
            // The removed row stands for the list change; a drop it reveals follows.
            if changes.is_empty() {
                changes.push(change);
            } else {
                changes[0] = change;
            }
            view.focus = view.focus.min(view.focusables().len().saturating_sub(1));
            view.start_editor();
            app.status = Some((format!("{} {} removed", list.noun(), index + 1), false));
            save_effect(app, changes)
        }
        Err(reason) => {
            app.status = Some((reason, true));
            Vec::new()
        }
    }
}
