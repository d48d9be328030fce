//! `spinewatch set ID PATH=VALUE… [--expect-version N]`: values from a script, recorded
//! exactly as the TUI records them — the form's field kinds parse the text (`today`, `-3`,
//! `08:30`, option names), the open case applies and checks each value (a Frankel drop marks
//! its exam, a wound status stamps its check), and one audited save takes them all. With
//! `--expect-version`, a case changed since that version is left untouched (exit 3).

use super::cases::store_failure;
use crate::entry;
use crate::failure::Failure;
use crate::output::print_text;
use crate::store::file::is_case_id;
use crate::store::{Access, Change, Store, version_of};
use crate::tui::App;
use crate::tui::app::{CaseView, new_row};
use crate::tui::form::{Row, Tab};
use crate::tui::lists::list_of;
use chrono::NaiveDateTime;
use serde_json::Value;

/// One `PATH=VALUE` of the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub path: String,
    pub value: String,
}

/// `PATH=VALUE`, split at the first `=`.
pub fn parse_assignment(s: &str) -> Result<Assignment, String> {
    match s.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() => Ok(Assignment {
            path: path.trim().to_string(),
            value: value.to_string(),
        }),
        _ => Err(format!(
            "{s:?} is not PATH=VALUE (e.g. wound.status=healing)"
        )),
    }
}

/// The kind of the form field at `path` (any screen), as the TUI would edit it.
fn kind_of(app: &mut App, path: &str) -> Option<entry::Kind> {
    let view = app.open.as_mut()?;
    let keep = view.tab;
    let mut found = None;
    for tab in Tab::ALL {
        view.tab = tab;
        found = view.rows().into_iter().find_map(|r| match r {
            Row::Field { path: p, kind, .. } if p == path => Some(kind),
            _ => None,
        });
        if found.is_some() {
            break;
        }
    }
    view.tab = keep;
    found
}

/// Applies one assignment to the open case; the audit changes, or the reason it is refused.
fn apply(app: &mut App, a: &Assignment) -> Result<Vec<Change>, String> {
    let (now, protocol) = (app.now, app.protocol.clone());
    if let Some(list_path) = a.path.strip_suffix("[+]") {
        return append_row(app, list_path, &a.value);
    }
    let new = match kind_of(app, &a.path) {
        Some(kind) => kind.parse_named(&a.value, now, protocol.zone)?,
        // A field the form edits as a whole list (MDT attendees) or that has no form field:
        // a JSON value, checked like any other.
        None => {
            let known = entry::get(&app.open.as_ref().expect("open").value, &a.path);
            let json: Value = serde_json::from_str(&a.value).map_err(|_| {
                "is not a field of the form; give a JSON value for it, or check the path"
                    .to_string()
            })?;
            if known.is_null() && !a.path.contains('.') && !a.path.contains('[') {
                return Err("is not a field of the case".into());
            }
            json
        }
    };
    let view = app.open.as_mut().expect("open");
    view.apply(&a.path, new, &protocol, now)
}

/// `neuro_exams[+]={"at": …, "frankel": "d"}`: a row appended, audited under its own path.
fn append_row(app: &mut App, list_path: &str, json: &str) -> Result<Vec<Change>, String> {
    let (now, protocol) = (app.now, app.protocol.clone());
    if list_of(list_path).is_none_or(|l| l.path() != list_path) {
        return Err("[+] appends to neuro_exams, mri, lesions or degenerative_stenosis".into());
    }
    let mut row: Value = serde_json::from_str(json)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| "[+] takes a JSON object (the new row)".to_string())?;
    let view = app.open.as_mut().expect("open");
    let mut rows = entry::get(&view.value, list_path)
        .as_array()
        .cloned()
        .unwrap_or_default();
    let index = rows.len();
    typed_in_row(view, list_path, index, &mut row, &protocol, now)?;
    // A new row gets a random uid, as in the TUI (a positional one could repeat a removed
    // row's).
    if let Some(map) = row.as_object_mut()
        && map.get("uid").is_none_or(Value::is_null)
    {
        map.insert("uid".into(), Value::from(crate::case::uid::random()));
    }
    rows.push(row);
    let mut changes = view.apply(list_path, Value::Array(rows), &protocol, now)?;
    if let Some(first) = changes.first_mut() {
        *first = Change {
            path: format!("{list_path}[{index}]"),
            old: Value::Null,
            new: entry::get(&first.new, &format!("[{index}]")).clone(),
        };
    }
    Ok(changes)
}

/// The new row's text values read as the TUI reads them in the row's fields (`"at": "08:30"`
/// is today at 08:30, `"-3"` three days ago): the kinds come from the form's rows of a probe
/// with the row added as the TUI would add it.
fn typed_in_row(
    view: &CaseView,
    list_path: &str,
    index: usize,
    row: &mut Value,
    protocol: &crate::protocol::Protocol,
    now: NaiveDateTime,
) -> Result<(), String> {
    let Some(list) = list_of(list_path) else {
        return Ok(());
    };
    let level = row.get("level").and_then(Value::as_str);
    let mut probe = view.clone();
    let mut rows = entry::get(&probe.value, list_path)
        .as_array()
        .cloned()
        .unwrap_or_default();
    rows.push(new_row(list, level, now));
    if probe
        .apply(list_path, Value::Array(rows), protocol, now)
        .is_err()
    {
        // The row is refused with its reason when applied for real.
        return Ok(());
    }
    let prefix = format!("{list_path}[{index}].");
    let mut kinds = Vec::new();
    for tab in Tab::ALL {
        probe.tab = tab;
        for r in probe.rows() {
            if let Row::Field { path, kind, .. } = r
                && let Some(key) = path.strip_prefix(&prefix)
                && kind.is_typed()
                && !matches!(kind, entry::Kind::Text { .. })
            {
                kinds.push((key.to_string(), kind));
            }
        }
    }
    let Value::Object(fields) = row else {
        return Ok(());
    };
    for (key, kind) in kinds {
        if let Some(Value::String(text)) = fields.get(&key) {
            let parsed = kind
                .parse(text, now, protocol.zone)
                .map_err(|reason| format!("{key}: {reason}"))?;
            fields.insert(key, parsed);
        }
    }
    Ok(())
}

/// `spinewatch set`. `now` is the wall clock (a what-if `--now` records nothing).
pub fn set(
    store: &mut dyn Store,
    id: &str,
    assignments: &[Assignment],
    expect_version: Option<u64>,
    now: NaiveDateTime,
) -> Result<(), Failure> {
    if !is_case_id(id) {
        return Err(Failure::input(format!(
            "{id:?}: not a case id (a-z, 0-9 and -, up to 64)"
        )));
    }
    if assignments.is_empty() {
        return Err(Failure::input("nothing to set: give PATH=VALUE"));
    }
    if let Access::ReadOnly { holder } = store.lock(id, now).map_err(store_failure)? {
        return Err(Failure::other(format!(
            "{id}: read-only, nothing written: {holder}"
        )));
    }
    let case = store.load(id, now).map_err(store_failure)?;
    let version = version_of(&case);
    if let Some(expected) = expect_version
        && expected != version
    {
        let by = store
            .history(id)
            .ok()
            .and_then(|h| {
                h.last()
                    .map(|e| format!(" (last by {} at {})", e.user, e.at))
            })
            .unwrap_or_default();
        return Err(Failure {
            code: 3,
            message: format!(
                "{id} changed since version {expected}: it is version {version}{by}; nothing \
                 was written"
            ),
        });
    }
    let protocol = crate::site::load_protocol()?;
    let mut app = App::new(protocol, now, crate::tui::theme::Theme { color: false });
    app.open_case(case, Access::ReadWrite, true);
    let mut changes = Vec::new();
    for a in assignments {
        let made = apply(&mut app, a)
            .map_err(|reason| Failure::input(format!("{id}: {}: {reason}", a.path)))?;
        changes.extend(made);
    }
    if changes.is_empty() {
        print_text(&format!("{id}: nothing changed (version {version})\n"));
        return Ok(());
    }
    let view = app.open.as_ref().expect("open");
    let saved = store
        .save(&view.case, version, &changes)
        .map_err(store_failure)?;
    let n = changes.len();
    print_text(&format!(
        "{id}: {n} {} recorded (version {saved})\n",
        if n == 1 { "change" } else { "changes" }
    ));
    Ok(())
}
