//! Recording an MRI as rounds do: requested or done, then its time. Nothing is stamped "now"
//! on its own: the time is typed (`now` is a word that may be typed).

use super::app::{App, Effect, Overlay};
use super::fields::{self, Kind};
use super::form::Tab;
use super::update::save_effect;
use crate::case::MriStatus;
use crate::store::Change;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use tui_input::Input;

/// The two questions of the MRI entry.
#[derive(Debug, Clone)]
pub enum MriEntry {
    /// "requested or done?"
    Status,
    /// The time it was requested / done.
    Time {
        status: MriStatus,
        input: Input,
        error: Option<String>,
    },
}

/// Opens the MRI entry on the open case (refused when it is read-only).
pub fn start(app: &mut App) -> Vec<Effect> {
    let effects = super::update::commit(app);
    let Some(view) = app.open.as_mut() else {
        return effects;
    };
    if let Some(holder) = view.read_only() {
        app.status = Some((format!("read-only, no MRI recorded: {holder}"), true));
        return effects;
    }
    view.go_to("mri");
    app.overlay = Some(Overlay::Mri(MriEntry::Status));
    effects
}

/// A key in the MRI entry. Esc cancels at any step.
pub fn key(app: &mut App, entry: MriEntry, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Esc {
        app.status = Some(("no MRI recorded".into(), false));
        return Vec::new();
    }
    let plain = key.modifiers.difference(KeyModifiers::SHIFT).is_empty();
    match entry {
        MriEntry::Status => {
            let status = match key.code {
                KeyCode::Char('r' | 'R') if plain => Some(MriStatus::Requested),
                KeyCode::Char('d' | 'D') if plain => Some(MriStatus::Done),
                _ => None,
            };
            app.overlay = Some(Overlay::Mri(match status {
                Some(status) => MriEntry::Time {
                    status,
                    input: Input::default(),
                    error: None,
                },
                None => MriEntry::Status,
            }));
            Vec::new()
        }
        MriEntry::Time {
            status, mut input, ..
        } => {
            if key.code == KeyCode::Enter {
                return match record(app, status, input.value()) {
                    Ok(effects) => effects,
                    Err(reason) => {
                        app.overlay = Some(Overlay::Mri(MriEntry::Time {
                            status,
                            input,
                            error: Some(reason),
                        }));
                        Vec::new()
                    }
                };
            }
            super::update::edit_line(&mut input, &key);
            app.overlay = Some(Overlay::Mri(MriEntry::Time {
                status,
                input,
                error: None,
            }));
            Vec::new()
        }
    }
}

/// Appends the MRI row: `requested_at` for a request, `at` for one done.
fn record(app: &mut App, status: MriStatus, text: &str) -> Result<Vec<Effect>, String> {
    if text.trim().is_empty() {
        return Err("type the time (08:30, 2026-11-20T08:30, or the word now)".into());
    }
    let (now, protocol) = (app.now, &app.protocol);
    let at = Kind::Time.parse(text, now, protocol.zone)?;
    let view = app.open.as_mut().ok_or("no case is open")?;
    let mut rows = fields::get(&view.value, "mri")
        .as_array()
        .cloned()
        .unwrap_or_default();
    let index = rows.len();
    let row = match status {
        MriStatus::Requested => json!({
            "uid": crate::case::uid::random(), "status": "requested",
            "requested_at": at, "at": null, "reason": null
        }),
        MriStatus::Done => json!({
            "uid": crate::case::uid::random(), "status": "done",
            "requested_at": null, "at": at, "reason": null
        }),
    };
    rows.push(row.clone());
    let mut changes = view.apply("mri", Value::Array(rows), protocol, now)?;
    if let Some(first) = changes.first_mut() {
        *first = Change {
            path: format!("mri[{index}]"),
            old: Value::Null,
            new: fields::get(&view.value, &format!("mri[{index}]")).clone(),
        };
    }
    view.tab = Tab::Imaging;
    view.go_to(&format!("mri[{index}].reason"));
    let what = match status {
        MriStatus::Requested => "requested",
        MriStatus::Done => "done",
    };
    app.status = Some((
        format!(
            "MRI {what} {} recorded",
            at.as_str().unwrap_or_default().replace('T', " ")
        ),
        false,
    ));
    Ok(save_effect(app, changes))
}
