//! The live pane: header, RT window gauge, pitfalls, plan by section, still to record.
//! Everything here is read from the `Evaluation`; nothing is decided in the view.

use super::app::{App, CaseView, PLAN_SECTIONS, Pane};
use super::theme::{Theme, severity_mark};
use crate::protocol::clocks::RtState;
use crate::protocol::{Evaluation, Kind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

/// `Bed 12 · POD 5 · T12`: label, POD and the treated levels.
pub fn header_text(view: &CaseView) -> String {
    view.eval.headline(view.case.label())
}

/// Days shown on the gauge: 0 to 28 and a little beyond ("28+").
const GAUGE_DAYS: i64 = 32;

/// Three lines: today marker, the bar (elapsed █, target band ▒, deadline ┃), the scale.
pub fn gauge(
    e: &Evaluation,
    width: u16,
    target_from: i64,
    deadline: i64,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let w = width.max(10) as i64;
    let col = |day: i64| (day.clamp(0, GAUGE_DAYS) * (w - 1) / GAUGE_DAYS) as usize;
    let pod = e.pod;
    let running = matches!(
        e.rt_window.as_ref().map(|x| x.state),
        Some(RtState::Started | RtState::Completed)
    );
    let mut marker = vec![' '; w as usize];
    if let Some(p) = pod {
        let c = col(p);
        marker[c] = if p > GAUGE_DAYS { '▶' } else { '▼' };
    }
    let mut spans = Vec::new();
    for c in 0..w as usize {
        // The first day this column stands for.
        let day = (c as i64 * GAUGE_DAYS + w - 2) / (w - 1);
        let (ch, st) = if c == col(deadline) {
            ('┃', theme.past_deadline())
        } else if pod.is_some_and(|p| day <= p) {
            (
                '█',
                if day > deadline {
                    theme.past_deadline()
                } else if day >= target_from {
                    theme.band()
                } else {
                    Style::new()
                },
            )
        } else if (target_from..=deadline).contains(&day) {
            ('▒', theme.band())
        } else if day > deadline {
            ('─', theme.past_deadline())
        } else {
            ('─', theme.dim())
        };
        spans.push(Span::styled(ch.to_string(), st));
    }
    let mut scale = vec![' '; w as usize + 3];
    for (day, text) in [
        (0, "0".to_string()),
        (target_from, target_from.to_string()),
        (deadline, format!("{deadline}+")),
    ] {
        let c = col(day).min(scale.len().saturating_sub(text.len()));
        for (k, ch) in text.chars().enumerate() {
            scale[c + k] = ch;
        }
    }
    let today = match pod {
        Some(p) if running => format!(
            "POD {p} · RT {}",
            e.rt_window.as_ref().map_or("", |x| x.state.words())
        ),
        Some(p) => format!("POD {p}"),
        None => "POD ? (no surgery date)".into(),
    };
    let marker: String = marker.into_iter().collect();
    let marker_line = match pod {
        Some(p) => {
            let c = col(p);
            // The words sit beside the marker, on whichever side has room.
            let text = if c + today.len() + 2 <= w as usize {
                format!("{}▼ {today}", " ".repeat(c))
            } else {
                format!("{}{today} ▼", " ".repeat(c.saturating_sub(today.len() + 1)))
            };
            Line::styled(text, theme.title())
        }
        None => Line::styled(marker, theme.dim()),
    };
    vec![
        marker_line,
        Line::from(spans),
        Line::styled(scale.into_iter().collect::<String>(), theme.dim()),
    ]
}

fn fixed_header(app: &App, view: &CaseView, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let e = &view.eval;
    let p = &app.protocol.params;
    let mut lines = vec![Line::styled(header_text(view), t.title())];
    let surgery = view.case.surgery.date.map_or("surgery date ?".into(), |d| {
        format!("op {}", crate::case::format_date(&d))
    });
    let quiet = format!("{surgery} · decision support — verify against local protocol");
    // Wrapped by hand so the header keeps a known height at any width.
    for chunk in wrap(&quiet, width as usize) {
        lines.push(Line::styled(chunk, t.dim()));
    }
    let window_style = match e.rt_window.as_ref().map(|w| w.state) {
        Some(RtState::Overdue) => t.severity(crate::protocol::Severity::Critical),
        Some(RtState::Closing) => t.severity(crate::protocol::Severity::Warning),
        _ => Style::new(),
    };
    for (k, part) in wrap(&format!("RT {}", window_words(e)), width as usize)
        .into_iter()
        .enumerate()
    {
        lines.push(match part.strip_prefix("RT ").filter(|_| k == 0) {
            Some(rest) => Line::from(vec![
                Span::styled("RT ", t.heading()),
                Span::styled(rest.to_string(), window_style),
            ]),
            None => Line::styled(part, window_style),
        });
    }
    lines.extend(gauge(
        e,
        width.saturating_sub(3),
        p.rt_target_from as i64,
        p.rt_deadline as i64,
        t,
    ));
    let mut clocks = Vec::new();
    match &e.clocks.mri {
        Some(m) => clocks.push(format!("MRI clock {}", m.display)),
        None => clocks.push("MRI clock —".into()),
    }
    if let Some(d) = e.clocks.pathology_pending_days {
        clocks.push(format!("pathology pending {d} d"));
    }
    let mri_style = match &e.clocks.mri {
        Some(m) if m.minutes_left < 0 => t.severity(crate::protocol::Severity::Critical),
        Some(_) => t.severity(crate::protocol::Severity::Warning),
        None => t.dim(),
    };
    for part in wrap(&clocks.join(" · "), width as usize) {
        lines.push(Line::styled(part, mri_style));
    }
    lines
}

/// The selectable lines: headings are `None`, items carry their index in `plan_order`.
pub fn item_lines(app: &App, view: &CaseView, width: usize) -> Vec<(Option<usize>, Line<'static>)> {
    let t = &app.theme;
    let e = &view.eval;
    let order = App::plan_order(e);
    let mut out: Vec<(Option<usize>, Line<'static>)> = Vec::new();
    let mut last_group = String::new();
    for (pos, &i) in order.iter().enumerate() {
        let item = &e.items[i];
        let count = |k: Kind| e.items.iter().filter(|i| i.kind == k).count();
        let group = match item.kind {
            Kind::Pitfall => format!("PITFALLS ({})", count(Kind::Pitfall)),
            Kind::Ask => format!("STILL TO RECORD ({})", count(Kind::Ask)),
            Kind::Plan => format!("PLAN · {}", section_name(&item.section)),
        };
        if group != last_group {
            out.push((None, Line::styled(group.clone(), t.heading())));
            last_group = group;
        }
        let mark = match item.kind {
            Kind::Ask => "?".to_string(),
            Kind::Plan if item.severity == crate::protocol::Severity::Info => "·".into(),
            _ => severity_mark(item.severity).to_string(),
        };
        let selected = view.pane == Pane::Plan && view.plan_sel == pos;
        let mut st = t.severity(item.severity);
        if selected {
            st = st.patch(t.focus());
        }
        let room = width.saturating_sub(mark.chars().count() + 1);
        if item.kind == Kind::Pitfall {
            // A pitfall wraps rather than being cut: a clock's time left is never hidden.
            let indent = " ".repeat(mark.chars().count() + 1);
            for (n, part) in wrap(&item.title, room).into_iter().enumerate() {
                let lead = if n == 0 {
                    Span::styled(format!("{mark} "), t.severity(item.severity))
                } else {
                    Span::raw(indent.clone())
                };
                out.push((Some(pos), Line::from(vec![lead, Span::styled(part, st)])));
            }
        } else {
            out.push((
                Some(pos),
                Line::from(vec![
                    Span::styled(format!("{mark} "), t.severity(item.severity)),
                    Span::styled(fit(&item.title, room), st),
                ]),
            ));
        }
    }
    if order.is_empty() {
        out.push((None, Line::styled("nothing to show yet", t.dim())));
    }
    out
}

/// `not started, early · 23 d left`, `started · fraction 3 of 25 · ends 2026-12-20`.
fn window_words(e: &Evaluation) -> String {
    let Some(w) = &e.rt_window else {
        return "window unknown (no surgery date)".into();
    };
    let mut s = w.state.words().to_string();
    if let Some(d) = w.days_to_deadline {
        s.push_str(&if d >= 0 {
            format!(" · {d} d left")
        } else {
            format!(" · {} d past deadline", -d)
        });
    }
    if let (Some(k), Some(n)) = (w.fraction, w.fractions) {
        s.push_str(&format!(" · fraction {k} of {n}"));
    }
    if let Some(end) = &w.expected_end {
        s.push_str(&format!(" · ends {end}"));
    }
    s
}

/// Text cut to `width` characters, with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Splits text at spaces into lines of at most `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let extra = usize::from(!line.is_empty());
        if !line.is_empty() && line.chars().count() + extra + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

fn section_name(s: &str) -> &str {
    match s {
        "l45" => "L4–L5",
        "mdt" => "MDT",
        other if PLAN_SECTIONS.contains(&other) => other,
        other => other,
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, view: &CaseView) {
    let t = &app.theme;
    let focused = view.pane == Pane::Plan;
    let block = Block::default()
        .borders(Borders::LEFT)
        .border_style(if focused { t.heading() } else { t.dim() });
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let header = fixed_header(app, view, inner.width);
    let header_h = (header.len() as u16).min(inner.height);
    let [top, rest] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(header_h),
        ratatui::layout::Constraint::Min(0),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(header), top);
    let items = item_lines(app, view, rest.width as usize);
    let h = rest.height as usize;
    let sel_line = items
        .iter()
        .position(|(p, _)| *p == Some(view.plan_sel))
        .unwrap_or(0);
    let offset = if focused {
        (sel_line + 2).saturating_sub(h)
    } else {
        0
    };
    let lines: Vec<Line> = items
        .into_iter()
        .skip(offset)
        .take(h)
        .map(|(_, l)| l)
        .collect();
    frame.render_widget(Paragraph::new(lines), rest);
}
