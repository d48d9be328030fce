//! A case's history: its audit trail as a table (when, who, field, old → new), newest first,
//! filtered by `/`. Read-only: it shows what the store keeps.

use super::app::App;
use super::live::fit;
use crate::store::audit::Entry;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use serde_json::Value;
use tui_input::Input;

#[derive(Debug, Clone)]
pub struct History {
    pub id: String,
    pub label: String,
    /// Newest first.
    pub entries: Vec<Entry>,
    pub filter: Input,
    pub filtering: bool,
    pub scroll: usize,
}

impl History {
    pub fn new(id: String, label: String, mut entries: Vec<Entry>) -> History {
        entries.reverse();
        History {
            id,
            label,
            entries,
            filter: Input::default(),
            filtering: false,
            scroll: 0,
        }
    }

    /// The entries the filter keeps: it matches the field, the user, the time or a value.
    pub fn shown(&self) -> Vec<&Entry> {
        let f = self.filter.value().trim().to_lowercase();
        self.entries
            .iter()
            .filter(|e| {
                f.is_empty()
                    || e.path.to_lowercase().contains(&f)
                    || e.user.to_lowercase().contains(&f)
                    || e.at.contains(&f)
                    || value_text(&e.old).to_lowercase().contains(&f)
                    || value_text(&e.new).to_lowercase().contains(&f)
            })
            .collect()
    }
}

/// The store's own entries (a case created, imported, migrated, a save without a listed field,
/// a save that never reached the case) in words, not as "unknown → unknown".
fn marker_words(e: &crate::store::audit::Entry) -> Option<String> {
    let file = || e.new.get("file").and_then(Value::as_str).map(escaped);
    Some(match e.path.as_str() {
        "(create)" => "case created".into(),
        "(import)" => match file() {
            Some(f) => format!("imported from {f}"),
            None => "imported".into(),
        },
        "(migration)" => format!("migrated {} → {}", value_text(&e.old), value_text(&e.new)),
        "(save)" => "saved (no field listed)".into(),
        crate::store::audit::NOT_APPLIED => match (e.new.get("from"), e.new.get("to")) {
            (Some(a), Some(b)) => format!("entries #{a}–#{b} never reached the case"),
            _ => "an interrupted save never reached the case".into(),
        },
        _ => return None,
    })
}

/// A value as one line: strings bare, unknown as `unknown`, rows as compact JSON.
/// Control characters from a hostile file are shown escaped, never sent to the terminal.
pub fn value_text(v: &Value) -> String {
    let text = match v {
        Value::Null => return "unknown".into(),
        Value::String(s) if s.is_empty() => return "\"\"".into(),
        Value::String(s) => s.replace('\n', "⏎"),
        other => other.to_string(),
    };
    escaped(&text)
}

fn escaped(s: &str) -> String {
    crate::output::escape(s).into_owned()
}

/// Keys of the history view. False: it closes.
pub fn key(h: &mut History, key: &KeyEvent) -> bool {
    if h.filtering {
        match key.code {
            KeyCode::Enter => h.filtering = false,
            KeyCode::Esc => {
                h.filtering = false;
                h.filter.reset();
            }
            _ => {
                super::update::edit_line(&mut h.filter, key);
                h.scroll = 0;
            }
        }
        return true;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code != KeyCode::Char('c') {
        return true;
    }
    let n = h.shown().len();
    match key.code {
        KeyCode::Char('/') => h.filtering = true,
        KeyCode::Up | KeyCode::Char('k') => h.scroll = h.scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => h.scroll = (h.scroll + 1).min(n.saturating_sub(1)),
        KeyCode::PageUp => h.scroll = h.scroll.saturating_sub(10),
        KeyCode::PageDown => h.scroll = (h.scroll + 10).min(n.saturating_sub(1)),
        KeyCode::Home => h.scroll = 0,
        KeyCode::Esc if !h.filter.value().is_empty() => h.filter.reset(),
        KeyCode::Esc | KeyCode::Char('q' | 'h') | KeyCode::Char('c') => return false,
        _ => {}
    }
    true
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, h: &History) {
    let t = &app.theme;
    let rect = Rect::new(
        area.x + 1,
        area.y + 1,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let block = Block::bordered().title(Span::styled(
        format!(" History · {} · newest first ", h.label),
        t.title(),
    ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let w = inner.width as usize;
    let user_w = if w >= 120 { 12 } else { 8 };
    let field_w = if w >= 120 { 34 } else { 22 };
    let rest = w.saturating_sub(16 + 1 + user_w + 1 + field_w + 1);
    let mut lines = vec![];
    let filter = h.filter.value();
    lines.push(if h.filtering || !filter.is_empty() {
        Line::from(vec![
            Span::styled("/ filter: ", t.key()),
            Span::raw(filter.to_string()),
        ])
    } else {
        Line::styled("↑↓ scroll · / filter · Esc close", t.dim())
    });
    lines.push(Line::styled(
        format!(
            "{:<16} {:<uw$} {:<fw$} {}",
            "WHEN",
            "WHO",
            "FIELD",
            "OLD → NEW",
            uw = user_w,
            fw = field_w
        ),
        t.dim(),
    ));
    let shown = h.shown();
    if shown.is_empty() {
        lines.push(Line::styled(
            if h.entries.is_empty() {
                "no changes recorded yet"
            } else {
                "no entry matches the filter"
            },
            t.dim(),
        ));
    }
    let room = (inner.height as usize).saturating_sub(lines.len());
    for e in shown.iter().skip(h.scroll).take(room) {
        let change = marker_words(e)
            .unwrap_or_else(|| format!("{} → {}", value_text(&e.old), value_text(&e.new)));
        lines.push(Line::from(vec![
            Span::styled(format!("{:<16} ", e.at.replace('T', " ")), t.dim()),
            Span::raw(format!(
                "{:<uw$} ",
                fit(&escaped(&e.user), user_w),
                uw = user_w
            )),
            Span::styled(
                format!("{:<fw$} ", fit(&escaped(&e.path), field_w), fw = field_w),
                t.heading(),
            ),
            Span::raw(fit(&change, rest)),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::Entry;
    use serde_json::json;

    fn entry(path: &str, old: Value, new: Value) -> Entry {
        Entry {
            seq: 1,
            at: "2026-12-01T08:00".into(),
            user: "ana".into(),
            path: path.into(),
            old,
            new,
            prev: String::new(),
            hash: String::new(),
            case: None,
        }
    }

    #[test]
    fn the_stores_own_entries_read_as_words() {
        let e = entry("(create)", Value::Null, Value::Null);
        assert_eq!(marker_words(&e).as_deref(), Some("case created"));
        let e = entry("(import)", Value::Null, json!({ "file": "bed12.json" }));
        assert_eq!(
            marker_words(&e).as_deref(),
            Some("imported from bed12.json")
        );
        let e = entry(
            crate::store::audit::NOT_APPLIED,
            Value::Null,
            json!({ "from": 3, "to": 4 }),
        );
        assert_eq!(
            marker_words(&e).as_deref(),
            Some("entries #3–#4 never reached the case")
        );
        // A field change keeps its old → new.
        let e = entry("wound.status", json!("healing"), json!("infection"));
        assert_eq!(marker_words(&e), None);
    }
}
