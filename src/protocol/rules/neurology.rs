//! Neurology (PROTOCOL §1–§2): serial neuro exams, the 12-hour MRI clock after a new or
//! worse exam, exams overdue.

use super::*;

pub(super) fn last_exam_words(c: &Ctx) -> String {
    match (&c.clocks.last_neuro_exam, c.clocks.neuro_exam_age_minutes) {
        (Some(at), Some(min)) => format!("{at}, {} h ago", min.div_euclid(60)),
        _ => "none recorded".into(),
    }
}

pub(super) fn p_mon_neuro(c: &Ctx, out: &mut Out) {
    let last = last_exam_words(c);
    out.fire(
        "P-MON-NEURO",
        vec![("last", last.clone())],
        vec![b("neuro_exams: last", last)],
    );
}

pub(super) fn w_neuro_due(c: &Ctx, out: &mut Out) {
    let max_min = (c.p.neuro_exam_max_h * 60.0).round() as i64;
    let last = last_exam_words(c);
    let due = match c.clocks.neuro_exam_age_minutes {
        None => {
            out.ask(
                "A-NEURO",
                vec![],
                vec!["W-NEURO-DUE: no neuro exam recorded".into()],
            );
            true
        }
        Some(age) => age > max_min,
    };
    if due {
        let because = match (&c.clocks.last_neuro_exam, c.clocks.neuro_exam_age_minutes) {
            (Some(at), Some(min)) => {
                format!("neuro_exams: last {at} ({} h ago)", min.div_euclid(60))
            }
            _ => "neuro_exams: none recorded".into(),
        };
        out.fire("W-NEURO-DUE", vec![("last", last)], vec![because]);
    }
}

pub(super) fn w_neuro_mri(c: &Ctx, out: &mut Out) {
    if let Some(m) = &c.clocks.mri {
        let last_mri = c.case.mri.iter().filter_map(|m| m.at).max();
        out.fire(
            "W-NEURO-MRI",
            vec![("clock", m.display.clone()), ("exam_at", m.exam_at.clone())],
            vec![
                b("neuro_exams", format!("new or worse at {}", m.exam_at)),
                b(
                    "mri: last",
                    last_mri.map_or("none".into(), |t| format_time(&t)),
                ),
                b("MRI due by", format!("{} ({})", m.due_at, m.display)),
            ],
        );
    }
}
