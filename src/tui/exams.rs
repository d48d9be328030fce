//! The neurology screen's exam table: newest first, each component with its trend against
//! the exam before it (↑ better, ↓ worse, = the same), Frankel A (worst) to E.

use super::theme::Theme;
use crate::case::{Case, Frankel, Function, NeuroExam};
use crate::protocol::Severity;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::cmp::Ordering;

/// ↑ better, ↓ worse, = same, blank: nothing earlier to compare with.
fn arrow(now: Option<u8>, before: Option<u8>) -> (char, bool) {
    match (now, before) {
        (Some(a), Some(b)) => match a.cmp(&b) {
            Ordering::Greater => ('↑', false),
            Ordering::Less => ('↓', true),
            Ordering::Equal => ('=', false),
        },
        _ => (' ', false),
    }
}

fn frankel_rank(f: Option<Frankel>) -> Option<u8> {
    f.map(|g| g.as_str().as_bytes()[0])
}

fn function_rank(f: Option<Function>) -> Option<u8> {
    f.map(|x| u8::from(x == Function::Normal))
}

/// The exams in time order, newest first (untimed ones last, in entry order).
pub fn newest_first(case: &Case) -> Vec<&NeuroExam> {
    let mut exams: Vec<&NeuroExam> = case.neuro_exams.iter().collect();
    exams.sort_by(|a, b| match (a.at, b.at) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
    exams
}

/// The last earlier value of one component (exams older than `i` in `exams`, newest first).
fn before<T: Copy>(
    exams: &[&NeuroExam],
    i: usize,
    get: impl Fn(&NeuroExam) -> Option<T>,
) -> Option<T> {
    exams[i + 1..].iter().find_map(|e| get(e))
}

/// The table's lines for a form `width` wide.
pub fn lines(case: &Case, width: usize, t: &Theme) -> Vec<Line<'static>> {
    let exams = newest_first(case);
    if exams.is_empty() {
        return vec![Line::styled("No neuro exam recorded yet", t.dim())];
    }
    let wide = width >= 60;
    let cell = if wide { 10 } else { 6 };
    let (motor, sens, sph) = if wide {
        ("MOTOR", "SENSATION", "SPHINCTER")
    } else {
        ("MOTOR", "SENS", "SPHIN")
    };
    let mut out = vec![Line::styled(
        format!(
            "{:<12}{:<8}{:<c$}{:<c$}{:<c$}{}",
            "EXAM",
            "FRANKEL",
            motor,
            sens,
            sph,
            "NEW",
            c = cell
        ),
        t.heading(),
    )];
    for (i, e) in exams.iter().enumerate() {
        let at = e.at.map_or("time ?".to_string(), |a| {
            a.format("%m-%d %H:%M").to_string()
        });
        let mut spans = vec![Span::styled(format!("{at:<12}"), t.dim())];
        let (fa, fworse) = arrow(
            frankel_rank(e.frankel),
            frankel_rank(before(&exams, i, |x| x.frankel)),
        );
        let grade = e
            .frankel
            .map_or("?".to_string(), |g| g.as_str().to_uppercase());
        spans.push(Span::styled(
            format!("{:<8}", format!("{grade} {fa}")),
            if fworse {
                t.severity(Severity::Critical)
            } else {
                Style::new()
            },
        ));
        for get in [
            (|x: &NeuroExam| x.motor) as fn(&NeuroExam) -> Option<Function>,
            |x: &NeuroExam| x.sensation,
            |x: &NeuroExam| x.sphincter,
        ] {
            let (a, worse) = arrow(function_rank(get(e)), function_rank(before(&exams, i, get)));
            let word = match (get(e), wide) {
                (Some(Function::Normal), true) => "normal",
                (Some(Function::Impaired), true) => "impaired",
                (Some(Function::Normal), false) => "norm",
                (Some(Function::Impaired), false) => "imp",
                (None, _) => "?",
            };
            spans.push(Span::styled(
                format!("{:<c$}", format!("{word}{a}"), c = cell),
                if worse {
                    t.severity(Severity::Critical)
                } else {
                    Style::new()
                },
            ));
        }
        spans.push(Span::raw(match e.new_or_worse {
            Some(true) => "new",
            Some(false) => "—",
            None => "?",
        }));
        out.push(Line::from(spans));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::parse_time;

    fn exam(at: &str, f: Frankel, motor: Function) -> NeuroExam {
        NeuroExam {
            at: parse_time(at),
            frankel: Some(f),
            motor: Some(motor),
            ..Default::default()
        }
    }

    #[test]
    fn newest_first_with_a_drop_arrowed_down() {
        let mut case = Case::new("x");
        case.neuro_exams = vec![
            exam("2026-11-21T08:00", Frankel::E, Function::Normal),
            exam("2026-11-25T06:00", Frankel::D, Function::Impaired),
            exam("2026-11-23T08:00", Frankel::E, Function::Normal),
        ];
        let text: Vec<String> = lines(&case, 40, &Theme { color: false })
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(text[1].starts_with("11-25 06:00 D ↓"), "{text:?}");
        assert!(text[1].contains("imp↓"), "{text:?}");
        assert!(text[2].starts_with("11-23 08:00 E ="), "{text:?}");
        assert!(text[3].starts_with("11-21 08:00 E  "), "{text:?}");
    }
}
