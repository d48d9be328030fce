//! Drawing: a pure function of `&App`. Small `render_*` functions per pane.

use super::app::{App, CaseView, Pane, field_text};
use super::form::{Row, Tab};
use super::keys::{self, Binding};
use super::rounds::RoundsRow;
use super::theme::Theme;
use super::{live, popup, spine};
use crate::protocol::clocks::{RtState, hours_minutes};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return too_small(frame, area);
    }
    let [banner, body, bar] = Layout::vertical([
        Constraint::Length(u16::from(app.simulated)),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    if app.simulated {
        // Reverse video whatever the colours: nobody mistakes a what-if for now.
        let text = format!(
            " SIMULATED TIME {} · what-if view: read-only, nothing is saved",
            app.now.format("%Y-%m-%d %H:%M")
        );
        frame.render_widget(
            Paragraph::new(live::fit(&text, banner.width as usize)).style(
                Style::new().add_modifier(
                    ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD,
                ),
            ),
            banner,
        );
    }
    match &app.open {
        Some(view) => render_case(frame, body, app, view),
        None => render_rounds(frame, body, app),
    }
    render_bar(frame, bar, app);
    if let Some(overlay) = &app.overlay {
        popup::render(frame, area, app, overlay);
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = "enlarge the terminal (needs 80×24)";
    let lines = (text.chars().count() as u16).div_ceil(area.width.max(1));
    let y = area.y + area.height.saturating_sub(lines) / 2;
    let h = lines.min(area.height.saturating_sub(y - area.y));
    let rect = Rect::new(area.x, y, area.width, h.max(1).min(area.height));
    frame.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .alignment(ratatui::layout::Alignment::Center),
        rect,
    );
}

/// The bindings of what has the keys now.
pub fn current_bindings(app: &App) -> &'static [Binding] {
    if matches!(app.overlay, Some(super::app::Overlay::History(_))) {
        return keys::HISTORY;
    }
    match &app.open {
        Some(v) if v.pane == Pane::Plan => keys::PLAN,
        Some(_) => keys::FORM,
        None if app.rounds.filtering => keys::FILTER,
        None => keys::ROUNDS,
    }
}

fn render_bar(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut spans = Vec::new();
    if let Some((msg, err)) = &app.status {
        spans.push(Span::styled(
            format!(" {msg} "),
            if *err { t.error() } else { t.ok() },
        ));
        spans.push(Span::raw("│"));
    }
    for b in current_bindings(app).iter().filter(|b| !b.bar.is_empty()) {
        spans.push(Span::styled(format!(" {}", b.shown), t.key()));
        spans.push(Span::raw(format!(" {}", b.bar)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

// ---------- rounds list ----------

fn render_rounds(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled("spinewatch · rounds", t.title()),
        Span::styled(format!(" · {}", app.now.format("%Y-%m-%d %H:%M")), t.dim()),
        Span::styled(
            " · decision support — verify against local protocol",
            t.dim(),
        ),
    ])];
    if area.width < 90 {
        // Said once, quietly: on its own line when the title line is too short for it.
        lines[0].spans.pop();
        lines.push(Line::styled(
            "decision support — verify against local protocol",
            t.dim(),
        ));
    }
    let filter = app.rounds.filter.value();
    if app.rounds.filtering || !filter.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("/ filter: ", t.key()),
            Span::raw(filter.to_string()),
        ]));
    }
    if app.rounds.show_archived {
        lines.push(Line::styled("showing archived cases too", t.dim()));
    }
    let rows = app.visible_rows();
    let archived = app.archived_count();
    if app.rounds.list.rows.is_empty() && archived > 0 {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("No active cases · {archived} archived ({} shows them)", "a"),
            t.title(),
        ));
        lines.push(Line::raw("  n                  start a new case"));
    } else if app.rounds.list.rows.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            "No cases in this data directory yet.",
            t.title(),
        ));
        lines.push(Line::raw(
            "  n                  start a new case (the label is asked first)",
        ));
        lines.push(Line::raw(
            "  spinewatch demo    try it on the demo patient (from the shell)",
        ));
    } else {
        lines.push(Line::styled(
            rounds_header(RowLayout::for_width(area.width)),
            t.dim(),
        ));
        if rows.is_empty() {
            lines.push(Line::styled("no case matches the filter", t.dim()));
        }
    }
    let header_h = lines.len();
    let avail = (area.height as usize).saturating_sub(
        header_h
            + app.rounds.list.damaged.len().min(3)
            + usize::from(!app.rounds.list.damaged.is_empty()),
    );
    let offset = app.rounds.selected.saturating_sub(avail.saturating_sub(1));
    for (i, row) in rows.iter().enumerate().skip(offset).take(avail) {
        lines.push(rounds_line(
            row,
            i == app.rounds.selected,
            t,
            RowLayout::for_width(area.width),
        ));
    }
    if !app.rounds.list.damaged.is_empty() {
        lines.push(Line::styled(
            "DAMAGED (not loaded, never overwritten)",
            t.error(),
        ));
        for d in app.rounds.list.damaged.iter().take(3) {
            lines.push(Line::styled(
                format!("  {}: {}", d.file, d.reason),
                t.error(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Eight cells over days 0–28: elapsed filled, the target band coloured.
fn mini_gauge(row: &RoundsRow, t: &Theme) -> Vec<Span<'static>> {
    (0..8)
        .map(|c| {
            let day = c * 28 / 8;
            let filled = row.pod.is_some_and(|p| p >= day);
            let st = if day >= 14 { t.band() } else { Style::new() };
            Span::styled(if filled { "■" } else { "□" }, st)
        })
        .collect()
}

/// The rounds columns for a terminal width: at 80 the essentials and the top pitfall; wider
/// terminals add the RT gauge, longer labels, info counts and who holds a case.
#[derive(Debug, Clone, Copy)]
struct RowLayout {
    width: usize,
    label: usize,
    gauge: bool,
    holder: bool,
}

impl RowLayout {
    fn for_width(w: u16) -> RowLayout {
        let w = w as usize;
        RowLayout {
            width: w,
            label: if w >= 120 { 16 } else { 12 },
            gauge: w >= 120,
            holder: w >= 150,
        }
    }
    /// Width of everything before the top pitfall.
    fn fixed(self) -> usize {
        // sev 7 + marks 3 + label + POD 4 + window 12 + MRI 7 + path 5 + counts 10
        7 + 3 + 1 + self.label + 4 + 12 + 7 + 5 + 10 + if self.gauge { 9 } else { 0 }
    }
    fn holder_w(self) -> usize {
        if self.holder { 24 } else { 0 }
    }
    fn top_w(self) -> usize {
        self.width
            .saturating_sub(self.fixed() + self.holder_w() + 1)
            .max(8)
    }
}

fn rounds_header(l: RowLayout) -> String {
    let mut s = format!(
        "{:<7}{:<3} {:<lw$} {:>3} ",
        "",
        "",
        "LABEL",
        "POD",
        lw = l.label
    );
    if l.gauge {
        s.push_str(&format!("{:<9}", "0─RT─28"));
    }
    s.push_str(&format!(
        "{:<12}{:<7}{:<5}{:<10}{:<tw$}",
        "RT WINDOW",
        "MRI",
        "PATH",
        "ITEMS",
        "TOP PITFALL",
        tw = l.top_w() + 1
    ));
    if l.holder {
        s.push_str("HELD BY");
    }
    s
}

fn rounds_line(row: &RoundsRow, selected: bool, t: &Theme, l: RowLayout) -> Line<'static> {
    use crate::protocol::Severity;
    let (mark, sev) = if row.critical > 0 {
        ("!! CRIT", Some(Severity::Critical))
    } else if row.warning > 0 {
        ("! WARN", Some(Severity::Warning))
    } else {
        ("  ok", None)
    };
    let mut label: String = row.label.chars().take(l.label).collect();
    if row.holder.is_some() && !l.holder {
        // Held by another instance: it opens read-only.
        label = format!(
            "{} (ro)",
            label.chars().take(l.label - 5).collect::<String>()
        );
    }
    let window = match (row.rt_state, row.days_to_deadline) {
        (Some(RtState::Overdue), Some(d)) => format!("overdue {}d", -d),
        (Some(RtState::Deferred), _) => "deferred".into(),
        (Some(RtState::Started), _) => "RT started".into(),
        (Some(RtState::Completed), _) => "RT done".into(),
        (Some(_), Some(d)) => format!("{d}d left"),
        _ => "—".into(),
    };
    let mri = row.mri_minutes_left.map_or("—".into(), |m| {
        if m < 0 {
            format!("-{}", hours_minutes(-m))
        } else {
            hours_minutes(m)
        }
    });
    let path = row
        .pathology_pending_days
        .map_or("—".into(), |d| format!("{d}d"));
    let base = if selected { t.focus() } else { Style::new() };
    let mut spans = vec![
        Span::styled(
            format!("{mark:<7}"),
            sev.map_or(Style::new(), |s| t.severity(s)).patch(base),
        ),
        Span::styled(row.marks.text(), t.title().patch(base)),
        Span::styled(
            format!(
                " {:<lw$} {:>3} ",
                label,
                row.pod.map_or("?".into(), |p| p.to_string()),
                lw = l.label
            ),
            base,
        ),
    ];
    if l.gauge {
        spans.extend(mini_gauge(row, t));
        spans.push(Span::styled(" ", base));
    }
    spans.push(Span::styled(
        format!("{:<12}", live::fit(&window, 11)),
        base,
    ));
    spans.push(Span::styled(
        format!("{:<7}", live::fit(&mri, 6)),
        if row.mri_minutes_left.is_some() {
            t.severity(Severity::Warning).patch(base)
        } else {
            base
        },
    ));
    spans.push(Span::styled(format!("{:<5}", live::fit(&path, 4)), base));
    spans.push(Span::styled(
        // Ten columns: "1!! 3! 7?" and a space before the top pitfall.
        format!(
            "{:<10}",
            format!("{}!! {}! {}?", row.critical, row.warning, row.ask)
        ),
        base,
    ));
    let top = match (&row.top, row.archived) {
        (_, true) => "archived".to_string(),
        (Some(top), false) => top.clone(),
        (None, false) => String::new(),
    };
    spans.push(Span::styled(
        format!("{:<w$}", live::fit(&top, l.top_w()), w = l.top_w() + 1),
        sev.map_or(Style::new(), |s| t.severity(s)).patch(base),
    ));
    if l.holder {
        let h = row.holder.as_deref().unwrap_or("");
        spans.push(Span::styled(
            live::fit(h, l.holder_w()),
            t.dim().patch(base),
        ));
    }
    Line::from(spans)
}

// ---------- case screens ----------

fn render_case(frame: &mut Frame, area: Rect, app: &App, view: &CaseView) {
    let t = &app.theme;
    let mut constraints = vec![Constraint::Length(1)];
    if view.read_only().is_some() {
        constraints.push(Constraint::Length(1));
    }
    constraints.push(Constraint::Min(0));
    let parts = Layout::vertical(constraints).split(area);
    render_tabs(frame, parts[0], app, view);
    if let Some(holder) = view.read_only() {
        frame.render_widget(
            Paragraph::new(format!(" READ-ONLY: {holder} — changes are not saved"))
                .style(t.banner()),
            parts[1],
        );
    }
    let body = parts[parts.len() - 1];
    let form_w = if body.width >= 120 {
        body.width / 2
    } else {
        42
    };
    let [form, plan] =
        Layout::horizontal([Constraint::Length(form_w), Constraint::Min(0)]).areas(body);
    render_form(frame, form, app, view);
    live::render(frame, plan, app, view);
}

fn render_tabs(frame: &mut Frame, area: Rect, app: &App, view: &CaseView) {
    let t = &app.theme;
    let wide = area.width >= 150;
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", t.dim()));
        }
        let asks = tab.asks(&view.eval);
        let name = if wide { tab.title() } else { tab.short() };
        let text = if asks > 0 {
            // Narrow: no space before the count so seven tabs fit in 80 columns.
            format!(" {name}{}?{asks} ", if wide { " " } else { "" })
        } else {
            format!(" {name} ")
        };
        let st = if tab == view.tab {
            t.focus().patch(t.title())
        } else if asks > 0 {
            Style::new()
        } else {
            t.dim()
        };
        spans.push(Span::styled(text, st));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

const LABEL_W: usize = 21;

fn render_form(frame: &mut Frame, area: Rect, app: &App, view: &CaseView) {
    let t = &app.theme;
    let block = Block::default().title(Span::styled(format!(" {} ", view.tab.title()), t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = view.rows();
    let mut sticky: Vec<Line> = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_line = 0;
    let mut cursor: Option<(usize, usize)> = None;
    let mut k = 0;
    let value_w = (inner.width as usize).saturating_sub(LABEL_W + 1).max(4);
    for row in &rows {
        // The form keeps its scroll while the plan pane has the keys.
        if row.focusable() && k == view.focus {
            focus_line = lines.len();
        }
        let is_focus = row.focusable() && k == view.focus && view.pane == Pane::Form;
        match row {
            Row::Section(s) => lines.push(Line::styled(s.clone(), t.heading())),
            Row::Note(s) => {
                for part in live::wrap(s, (inner.width as usize).saturating_sub(2)) {
                    lines.push(Line::styled(format!("  {part}"), t.dim()));
                }
            }
            // The map stays in view above the scrolling rows while a lesion is edited.
            Row::SpineMap => sticky.extend(spine::lines(&view.case, &view.eval, t)),
            Row::ExamTable => {
                lines.extend(super::exams::lines(&view.case, inner.width as usize, t))
            }
            Row::List { title, index, .. } => {
                let text = match index {
                    None => format!("{title}  + Ctrl-A add"),
                    Some(_) => format!("{title}  (Ctrl-D remove)"),
                };
                let st = if is_focus { t.focus() } else { t.heading() };
                lines.push(Line::styled(text, st));
            }
            Row::Field { path, label, kind } => {
                // `?` marks a field a "still to record" item asks for.
                let mark = if view.asked(path) { '?' } else { ' ' };
                let label: String = format!("{label:<w$}", w = LABEL_W - 1);
                let label_span = Span::styled(
                    format!("{label}{mark} "),
                    if is_focus { t.title() } else { Style::new() },
                );
                let editing = is_focus && view.editor.as_ref().is_some_and(|e| &e.path == path);
                let choosing = is_focus && view.chooser.as_ref().is_some_and(|c| &c.path == path);
                if editing && view.editor.as_ref().is_some_and(|e| e.area.is_some()) {
                    let ed = view.editor.as_ref().expect("editing");
                    let area = ed.area.as_ref().expect("notes");
                    lines.push(Line::from(vec![
                        label_span,
                        Span::styled("Enter new line · Tab done", t.dim()),
                    ]));
                    let (crow, ccol) = (area.cursor().0, area.cursor().1);
                    let width = (inner.width as usize).saturating_sub(3).max(4);
                    for (r, text) in area.lines().iter().enumerate() {
                        let chars: Vec<char> = text.chars().collect();
                        // Long lines wrap by characters so the cursor can be placed exactly.
                        let chunks: Vec<String> = if chars.is_empty() {
                            vec![String::new()]
                        } else {
                            chars.chunks(width).map(|c| c.iter().collect()).collect()
                        };
                        for (n, chunk) in chunks.iter().enumerate() {
                            if r == crow && (ccol / width == n) {
                                cursor = Some((lines.len(), 2 + ccol % width));
                            }
                            let pad = width.saturating_sub(chunk.chars().count());
                            lines.push(Line::from(vec![
                                Span::raw("  "),
                                Span::styled(format!("{chunk}{}", " ".repeat(pad)), t.focus()),
                            ]));
                        }
                        if r == crow
                            && ccol > 0
                            && ccol % width == 0
                            && ccol / width == chunks.len()
                        {
                            cursor = Some((lines.len() - 1, 2 + width.min(ccol)));
                        }
                    }
                    if let Some(err) = &ed.error {
                        lines.extend(refusal(err, inner.width as usize, t));
                    }
                } else if editing {
                    let ed = view.editor.as_ref().expect("editing");
                    let scroll = ed.input.visual_scroll(value_w.saturating_sub(1));
                    let shown: String = ed
                        .input
                        .value()
                        .chars()
                        .skip(scroll)
                        .take(value_w)
                        .collect();
                    cursor = Some((
                        lines.len(),
                        LABEL_W + 1 + ed.input.visual_cursor().saturating_sub(scroll),
                    ));
                    let st = if ed.error.is_some() {
                        t.error()
                    } else {
                        t.focus()
                    };
                    let pad = value_w.saturating_sub(shown.chars().count());
                    lines.push(Line::from(vec![
                        label_span,
                        Span::styled(format!("{shown}{}", " ".repeat(pad)), st),
                    ]));
                    if let Some(hint) = format_hint(*kind).filter(|_| ed.error.is_none()) {
                        lines.push(Line::styled(format!("  {hint}"), t.dim()));
                    }
                    if let Some(err) = &ed.error {
                        lines.extend(refusal(err, inner.width as usize, t));
                    }
                } else if choosing {
                    let c = view.chooser.as_ref().expect("choosing");
                    let shown = match c.kind {
                        super::fields::Kind::Member { .. } => super::choice::name(&c.value),
                        _ => c.kind.show(&c.value).unwrap_or_else(|| "unknown".into()),
                    };
                    let pending = c.value != view.saved_choice(c);
                    let pts = super::points::of_choice(path, &c.value, app.now)
                        .map_or(String::new(), |p| format!(" +{p}"));
                    let mut text = format!("‹ {shown}{pts} ›");
                    if pending {
                        text.push_str(" Tab saves");
                    }
                    let text: String = text.chars().take(value_w).collect();
                    lines.push(Line::from(vec![label_span, Span::styled(text, t.focus())]));
                    let options = super::points::options_line(path, &c.kind.options(), app.now);
                    if let Some(o) = options.filter(|_| c.error.is_none()) {
                        for part in live::wrap(&o, (inner.width as usize).saturating_sub(2)) {
                            lines.push(Line::styled(format!("  {part}"), t.dim()));
                        }
                    }
                    if let Some(err) = &c.error {
                        lines.extend(refusal(err, inner.width as usize, t));
                    }
                } else {
                    let shown = field_text(&view.value, path, *kind);
                    let pts = super::points::current(view, path)
                        .map_or(String::new(), |p| format!(" +{p}"));
                    let (text, st) = match shown {
                        Some(s) => (s + &pts, Style::new()),
                        None => ("unknown".into(), t.unknown()),
                    };
                    // Notes show their first line here; the editor shows them whole.
                    let text = text.lines().next().unwrap_or("").to_string()
                        + if text.contains('\n') { " …" } else { "" };
                    let text: String = text.chars().take(value_w).collect();
                    lines.push(Line::from(vec![
                        label_span,
                        Span::styled(text, if is_focus { st.patch(t.focus()) } else { st }),
                    ]));
                }
            }
        }
        if row.focusable() {
            k += 1;
        }
    }
    let sticky_h = (sticky.len() as u16).min(inner.height / 2);
    let [top, inner] =
        Layout::vertical([Constraint::Length(sticky_h), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(sticky), top);
    let h = inner.height as usize;
    let offset = (focus_line + 3).saturating_sub(h);
    let shown: Vec<Line> = lines.into_iter().skip(offset).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if let Some((line, col)) = cursor
        && line >= offset
        && line - offset < h
        && app.overlay.is_none()
    {
        frame.set_cursor_position(Position::new(
            inner.x + col.min((inner.width as usize).saturating_sub(1)) as u16,
            inner.y + (line - offset) as u16,
        ));
    }
}

/// A refusal's whole reason under its field, wrapped: a cut-off refusal does not say why.
fn refusal(err: &str, width: usize, t: &Theme) -> Vec<Line<'static>> {
    live::wrap(err, width.saturating_sub(4))
        .into_iter()
        .enumerate()
        .map(|(n, part)| {
            let mark = if n == 0 { "✗" } else { " " };
            Line::styled(format!("  {mark} {part}"), t.error())
        })
        .collect()
}

/// The format a focused date or time field takes, shown under it while typing.
fn format_hint(kind: super::fields::Kind) -> Option<&'static str> {
    match kind {
        super::fields::Kind::Date => Some("e.g. 2026-11-20, today, -3"),
        super::fields::Kind::Time => Some("e.g. 08:30, 2026-11-20T08:30, now"),
        _ => None,
    }
}

/// What the current screen shows that needs a word: the spine map's marks, the exam
/// table's arrows, the score points.
pub fn screen_notes(app: &App) -> Vec<&'static str> {
    let Some(view) = app.open.as_ref().filter(|v| v.pane == Pane::Form) else {
        return Vec::new();
    };
    match view.tab {
        Tab::Patient => vec![
            "Dates: 2026-11-20, today, yesterday, -3 (days ago). Span as T10-L2.",
            "Choices: type the first letters (i instability, n neuro deficit).",
        ],
        Tab::Imaging => vec![
            "Spine map: C T L S regions; · a vertebra; ● lesion treated by surgery;",
            "  ○ other lesion; ═ the fixed span; └─┘ the computed RT field.",
            "Ctrl-A on a lesion adds the next one (level first); } { between sections.",
            "SINS and ESCC choices show their points (+N) as a calculator does.",
            "Ctrl-A on the MRI list asks requested or done, then its time.",
        ],
        Tab::Neuro => vec![
            "Exam table, newest first: ↑ better, ↓ worse, = same as the exam before.",
            "A Frankel drop or a component becoming impaired marks the exam new or worse.",
        ],
        Tab::Pathology => vec![
            "Tokuhashi choices show their points; general condition comes from KPS,",
            "  palsy from the latest Frankel grade. KPS in steps of 10.",
        ],
        Tab::Pain => vec!["Unknown is not no: an unknown contraindication is asked for."],
        Tab::Wound => {
            vec!["A wound status recorded stamps the check time. Doses in Gy (1,8 or 1.8)."]
        }
        Tab::Discharge => {
            vec!["Notes: Enter is a new line, Tab leaves. Archiving asks first (y/N)."]
        }
    }
}

/// The overlay help lines of the current screen.
pub fn help_lines(app: &App) -> Vec<(String, String)> {
    current_bindings(app)
        .iter()
        .filter(|b| !b.help.is_empty())
        .map(|b| {
            let keys: Vec<String> = b.keys.iter().map(key_name).collect();
            let all = if keys.is_empty() {
                b.shown.to_string()
            } else {
                keys.join(" ")
            };
            (all, b.help.to_string())
        })
        .collect()
}

fn key_name(k: &keys::Key) -> String {
    use crossterm::event::KeyCode;
    match k {
        keys::Key::Char(' ') => "Space".into(),
        keys::Key::Char(c) => c.to_string(),
        keys::Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
        keys::Key::BackTab => "Shift-Tab".into(),
        keys::Key::Code(c) => match c {
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        },
    }
}
