//! Overlays: help, the basis of a plan item, remove-row confirmation, new-row level prompt.

use super::app::{App, Overlay};
use super::theme::severity_mark;
use super::view::help_lines;
use crate::protocol::Kind;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn boxed(frame: &mut Frame, rect: Rect, title: &str, lines: Vec<Line<'static>>, app: &App) {
    scrolled(frame, rect, title, lines, app, 0);
}

/// A popup scrolled by `scroll` lines; says so at the bottom when more is below.
fn scrolled(
    frame: &mut Frame,
    rect: Rect,
    title: &str,
    lines: Vec<Line<'static>>,
    app: &App,
    scroll: u16,
) {
    frame.render_widget(Clear, rect);
    let inner_w = rect.width.saturating_sub(2).max(1) as usize;
    let total: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum();
    let room = rect.height.saturating_sub(2) as usize;
    let scroll = scroll.min(total.saturating_sub(room) as u16);
    let mut block = Block::bordered().title(Span::styled(format!(" {title} "), app.theme.title()));
    if total > room {
        block = block.title_bottom(Span::styled(
            format!(
                " ↑↓ PgUp PgDn scroll · {}/{} ",
                scroll as usize + room.min(total),
                total
            ),
            app.theme.key(),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        rect,
    );
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, overlay: &Overlay) {
    let t = &app.theme;
    match overlay {
        Overlay::Help => {
            let mut lines: Vec<Line> = help_lines(app)
                .into_iter()
                .map(|(k, h)| {
                    Line::from(vec![
                        Span::styled(format!("{k:<22}"), t.key()),
                        Span::raw(h),
                    ])
                })
                .collect();
            let notes = super::view::screen_notes(app);
            if !notes.is_empty() {
                let title = app.open.as_ref().map_or("", |v| v.tab.title());
                lines.push(Line::raw(""));
                lines.push(Line::styled(title.to_string(), t.heading()));
                lines.extend(notes.into_iter().map(Line::raw));
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "Every change is saved as you go. ↑↓ scroll; any other key closes.",
                t.dim(),
            ));
            lines.push(Line::styled(
                "? beside a field: a still-to-record item asks for it.",
                t.dim(),
            ));
            let h = lines.len() as u16 + 2;
            let rect = centered(area, 76, h);
            scrolled(frame, rect, "Keys", lines, app, app.overlay_scroll);
        }
        Overlay::Basis(i) => {
            let Some(view) = &app.open else { return };
            let Some(item) = view.eval.items.get(*i) else {
                return;
            };
            let mut lines = vec![
                Line::from(vec![
                    Span::styled(
                        format!(
                            "{} ",
                            if item.kind == Kind::Ask {
                                "?"
                            } else {
                                severity_mark(item.severity)
                            }
                        ),
                        t.severity(item.severity),
                    ),
                    Span::styled(format!("[{}] ", item.id), t.key()),
                    Span::styled(item.title.clone(), t.title()),
                ]),
                Line::raw(item.detail.clone()),
                Line::raw(""),
                Line::styled("Because (the inputs that fired it)", t.heading()),
            ];
            for b in &item.because {
                lines.push(Line::raw(format!("  • {b}")));
            }
            if item.kind == Kind::Ask {
                if let Some(f) = &item.field {
                    lines.push(Line::raw(""));
                    lines.push(Line::raw(format!("Record: {f}")));
                }
            } else if let Some(rule) = app.protocol.texts.rules.get(&item.id) {
                lines.push(Line::raw(""));
                lines.push(Line::styled("Basis (protocol text)", t.heading()));
                lines.push(Line::raw(rule.basis.clone()));
            }
            if !item.sources.is_empty() {
                lines.push(Line::raw(""));
                lines.push(Line::styled("Sources", t.heading()));
                for s in &item.sources {
                    let text = app
                        .protocol
                        .texts
                        .references
                        .get(s)
                        .map_or("(no reference text)", String::as_str);
                    lines.push(Line::raw(format!("{s} {text}")));
                }
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled("↑↓ scroll · any other key closes", t.dim()));
            let w = area.width.saturating_sub(6).min(100);
            // As tall as the wrapped text, never taller than the screen.
            let inner = w.saturating_sub(2).max(1) as usize;
            let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
            let h = (rows as u16 + 3).min(area.height.saturating_sub(2));
            let rect = centered(area, w, h);
            scrolled(frame, rect, "Basis", lines, app, app.overlay_scroll);
        }
        Overlay::History(h) => super::history::render(frame, area, app, h),
        Overlay::Mri(entry) => {
            let label = app.open.as_ref().map_or("", |v| v.case.label());
            let mut lines = vec![];
            let mut cursor = None;
            match entry {
                super::mri::MriEntry::Status => {
                    lines.push(Line::styled(format!("MRI for {label}:"), t.title()));
                    lines.push(Line::styled(
                        "r = requested · d = done · Esc = cancel",
                        t.key(),
                    ));
                }
                super::mri::MriEntry::Time {
                    status,
                    input,
                    error,
                } => {
                    let what = match status {
                        crate::case::MriStatus::Requested => "requested",
                        crate::case::MriStatus::Done => "done",
                    };
                    lines.push(Line::styled(
                        format!("MRI {what} at (08:30 = today, 2026-11-20T08:30, now):"),
                        t.title(),
                    ));
                    lines.push(Line::styled(format!("{:<30}", input.value()), t.focus()));
                    cursor = Some(input.visual_cursor());
                    match error {
                        Some(e) => lines.push(Line::styled(format!("✗ {e}"), t.error())),
                        None => lines.push(Line::styled("Enter = record · Esc = cancel", t.dim())),
                    }
                }
            }
            let rect = centered(area, 64, lines.len() as u16 + 2);
            boxed(frame, rect, "Record MRI", lines, app);
            if let Some(c) = cursor {
                frame.set_cursor_position(Position::new(rect.x + 1 + c.min(60) as u16, rect.y + 2));
            }
        }
        Overlay::ConfirmArchive => {
            let label = app.open.as_ref().map_or("this case", |v| v.case.label());
            let lines = vec![
                Line::styled(format!("Archive {label}? y/N"), t.title()),
                Line::raw("It leaves the rounds list (kept on disk; a shows archived)."),
                Line::styled("y = archive · any other key = keep it active", t.key()),
            ];
            boxed(frame, centered(area, 64, 5), "Archive", lines, app);
        }
        Overlay::ConfirmRemove(list, index) => {
            let lines = vec![
                Line::raw(format!("Remove {} {}?", list.noun(), index + 1)),
                Line::raw("The removal is kept in the audit trail."),
                Line::styled("y = remove · any other key = keep", t.key()),
            ];
            boxed(frame, centered(area, 50, 5), "Remove row", lines, app);
        }
        Overlay::NewRow { list, input, error } => {
            let example = if *list == super::form::List::Lesions {
                "vertebra, e.g. T5"
            } else {
                "segment, e.g. L4-L5"
            };
            let mut lines = vec![
                Line::raw(format!("Level of the new {} ({example}):", list.noun())),
                Line::styled(format!("{:<30}", input.value()), t.focus()),
            ];
            match error {
                Some(e) => lines.push(Line::styled(format!("✗ {e}"), t.error())),
                None => lines.push(Line::styled("Enter = add · Esc = cancel", t.dim())),
            }
            let rect = centered(area, 60, 5);
            boxed(frame, rect, "Add row", lines, app);
            frame.set_cursor_position(Position::new(
                rect.x + 1 + input.visual_cursor().min(58) as u16,
                rect.y + 2,
            ));
        }
    }
}
