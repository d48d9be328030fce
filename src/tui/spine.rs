//! The spine map of the imaging screen: C1–S5 in a row, lesions marked with ESCC/SINS, the
//! stabilized span underneath and the computed RT field as a bracket.

use super::theme::Theme;
use crate::case::{Case, Level, Treated};
use crate::protocol::Evaluation;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Column of a vertebra: one cell each, a space between regions.
fn col(l: Level) -> usize {
    let i = l.index() as usize;
    i + usize::from(i >= 7) + usize::from(i >= 19) + usize::from(i >= 24)
}

const WIDTH: usize = 32;
const LABEL: usize = 5;

fn row(label: &str, cells: Vec<(char, Style)>, tail: String, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{label:<LABEL$}"), theme.dim())];
    for (ch, st) in cells {
        spans.push(Span::styled(ch.to_string(), st));
    }
    if !tail.is_empty() {
        spans.push(Span::styled(format!(" {tail}"), theme.dim()));
    }
    Line::from(spans)
}

/// Six lines: regions, vertebrae with lesions, span, RT field, legend, lesion scores.
pub fn lines(case: &Case, eval: &Evaluation, theme: &Theme) -> Vec<Line<'static>> {
    let blank = || vec![(' ', Style::new()); WIDTH];
    let mut regions = blank();
    for (i, ch) in [(0u8, 'C'), (7, 'T'), (19, 'L'), (24, 'S')] {
        regions[col(Level::from_index(i).expect("in the column"))] = (ch, theme.dim());
    }
    let mut verts = blank();
    for l in Level::all() {
        verts[col(l)] = ('·', theme.dim());
    }
    for lesion in &case.lesions {
        if let Some(l) = lesion.level {
            let treated = lesion.treated == Some(Treated::Surgery);
            verts[col(l)] = (if treated { '●' } else { '○' }, theme.title());
        }
    }
    let mut span = blank();
    let span_tail = match case.surgery.span {
        Some(s) => {
            for l in Level::all().filter(|l| s.contains(*l)) {
                span[col(l)] = ('═', theme.ok());
            }
            format!("fixed {s}")
        }
        None => "fixed span ?".into(),
    };
    let mut field = blank();
    let mut texts = Vec::new();
    for f in &eval.scores.rt_field {
        let (a, b) = (col(f.from), col(f.to));
        for (c, cell) in field.iter_mut().enumerate().take(b + 1).skip(a) {
            *cell = (
                if c == a && c == b {
                    '┴'
                } else if c == a {
                    '└'
                } else if c == b {
                    '┘'
                } else {
                    '─'
                },
                theme.heading(),
            );
        }
        texts.push(f.text.clone());
    }
    let field_tail = if texts.is_empty() {
        "—".into()
    } else {
        texts.join(", ")
    };
    let legend: Vec<String> = eval
        .scores
        .lesions
        .iter()
        .map(|s| {
            let level = s.level.map_or("?".into(), |l| l.to_string());
            let escc = s.escc.map_or("?".into(), |e| e.as_str().to_string());
            let sins = match &s.sins {
                Some(x) if x.complete => x.known_total.to_string(),
                Some(x) => format!("{}+?", x.known_total),
                None => "?".into(),
            };
            format!("{level} ESCC {escc} SINS {sins}")
        })
        .collect();
    // The lesions' levels written under their vertebrae (a later one that would overlap
    // an earlier label is left to the legend below).
    let mut labels = blank();
    let mut free_from = 0;
    let mut levels: Vec<Level> = case.lesions.iter().filter_map(|l| l.level).collect();
    levels.sort_by_key(|l| l.index());
    for l in levels {
        let c = col(l);
        let text = l.to_string();
        if c >= free_from && c + text.len() <= WIDTH {
            for (k, ch) in text.chars().enumerate() {
                labels[c + k] = (ch, theme.title());
            }
            free_from = c + text.len() + 1;
        }
    }
    vec![
        row("", regions, String::new(), theme),
        row("", verts, String::new(), theme),
        row("", labels, String::new(), theme),
        row("span", span, String::new(), theme),
        row("RT", field, String::new(), theme),
        Line::styled(
            format!("{span_tail} · RT {field_tail} · ● op ○ other"),
            theme.dim(),
        ),
        Line::styled(
            if legend.is_empty() {
                "no lesions recorded".to_string()
            } else {
                legend.join(" · ")
            },
            theme.dim(),
        ),
    ]
}
