//! Neurology (PROTOCOL §1–§2): serial neuro exams, the 12-hour MRI clock after a new or
//! worse exam, exams overdue, a grade that contradicts its own findings; the asks for an
//! exam or MRI row that cannot be read (no time, no findings, no status).

use super::*;

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `22nd`.
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How a row of `neuro_exams` is named in words: "the exam of 2026-11-27 08:00", or
/// "the 3rd exam in the list (no time)".
pub(super) fn exam_name(case: &Case, i: usize) -> String {
    match case.neuro_exams.get(i).and_then(|e| e.at) {
        Some(t) => format!("the exam of {}", t.format("%Y-%m-%d %H:%M")),
        None => format!("the {} exam in the list (no time)", ordinal(i + 1)),
    }
}

/// How a row of `mri` is named: "the MRI of 2026-11-27 10:05", "the MRI requested
/// 2026-11-27 09:00", or "the 2nd MRI entry".
pub(super) fn mri_name(case: &Case, i: usize) -> String {
    let m = &case.mri[i];
    match (m.at, m.requested_at) {
        (Some(t), _) => format!("the MRI of {}", t.format("%Y-%m-%d %H:%M")),
        (None, Some(t)) => format!("the MRI requested {}", t.format("%Y-%m-%d %H:%M")),
        (None, None) => format!("the {} MRI entry", ordinal(i + 1)),
    }
}

pub(super) fn last_exam_words(c: &Ctx) -> String {
    match (&c.clocks.last_neuro_exam, c.clocks.neuro_exam_age_minutes) {
        (Some(at), Some(min)) => format!("{at}, {} h ago", min.div_euclid(60)),
        _ if !c.neuro.steps.is_empty() => "none with a time".into(),
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

/// W-NEURO-DUE: no exam *with findings* in the last `neuro_exam_max_h`; an empty row never
/// counts and asks A-NEURO-FINDINGS.
pub(super) fn w_neuro_due(c: &Ctx, out: &mut Out) {
    for &i in &c.neuro.empty_rows {
        let row = exam_name(c.case, i);
        out.ask_row(
            "A-NEURO-FINDINGS",
            format!("neuro_exams[{i}].frankel"),
            vec![("row", row.clone())],
            vec![format!(
                "neuro_exams[{i}]: {row} has no findings (not counted as an exam)"
            )],
        );
    }
    let max_min = (c.p.neuro_exam_max_h * 60.0).round() as i64;
    let last = last_exam_words(c);
    let due = match c.clocks.neuro_exam_age_minutes {
        None => {
            if c.neuro.steps.is_empty() {
                out.ask(
                    "A-NEURO",
                    vec![],
                    vec!["W-NEURO-DUE: no neuro exam with findings recorded".into()],
                );
            }
            true
        }
        Some(age) => age > max_min,
    };
    if due {
        let because = match (&c.clocks.last_neuro_exam, c.clocks.neuro_exam_age_minutes) {
            (Some(at), Some(min)) => {
                format!("neuro_exams: last {at} ({} h ago)", min.div_euclid(60))
            }
            _ if !c.neuro.steps.is_empty() => {
                "neuro_exams: no exam with findings has a time".into()
            }
            _ => "neuro_exams: none with findings recorded".into(),
        };
        out.fire("W-NEURO-DUE", vec![("last", last)], vec![because]);
    }
}

/// `Frankel E → D` or `flagged new or worse`, for one step.
fn what_got_worse(s: &crate::case::deterioration::Step) -> String {
    if s.changes.is_empty() {
        "flagged new or worse".to_string()
    } else {
        s.changes.join(", ")
    }
}

/// `16:00` on the day of now, else `02 Dec 04:00`: fits a rounds row.
fn short_clock_time(t: NaiveDateTime, now: NaiveDateTime) -> String {
    if t.date() == now.date() {
        t.format("%H:%M").to_string()
    } else {
        t.format("%d %b %H:%M").to_string()
    }
}

/// W-NEURO-MRI: a new or worse exam with no done MRI since. A timed one runs the 12-hour
/// clock; an untimed one cannot, so it says "time of exam unknown: MRI now" whatever MRIs
/// are recorded. Also the asks for exam and MRI rows the clock cannot read.
pub(super) fn w_neuro_mri(c: &Ctx, out: &mut Out) {
    for s in c.neuro.steps.iter().filter(|s| s.at.is_none()) {
        let row = exam_name(c.case, s.index);
        out.ask_row(
            "A-EXAM-TIME",
            format!("neuro_exams[{}].at", s.index),
            vec![("row", row.clone())],
            vec![format!(
                "neuro_exams[{}]: {row}, time not recorded",
                s.index
            )],
        );
    }
    for (i, m) in c.case.mri.iter().enumerate() {
        match m.status {
            None => out.ask_row(
                "A-MRI-STATUS",
                format!("mri[{i}].status"),
                vec![("row", mri_name(c.case, i))],
                vec![format!(
                    "mri[{i}]: status unknown (a requested MRI does not stop the clock)"
                )],
            ),
            Some(MriStatus::Done) if m.at.is_none() => out.ask_row(
                "A-MRI-TIME",
                format!("mri[{i}].at"),
                vec![("row", mri_name(c.case, i))],
                vec![format!(
                    "mri[{i}]: done, time not recorded (stops no clock)"
                )],
            ),
            _ => {}
        }
    }
    let untimed: Vec<&crate::case::deterioration::Step> = c.neuro.untimed_worse().collect();
    let clock = c.clocks.mri.as_ref();
    if untimed.is_empty() && clock.is_none() {
        return;
    }
    let mut because = Vec::new();
    for s in &untimed {
        because.push(format!(
            "neuro_exams[{}]: new or worse, time not recorded ({})",
            s.index,
            what_got_worse(s)
        ));
    }
    let last_done = clocks::last_done_mri(c.case, c.now);
    let mut vars: Vars = Vec::new();
    if let Some(m) = clock {
        let start = c
            .neuro
            .steps
            .iter()
            .find(|s| s.at.map(|t| format_time(&t)).as_deref() == Some(m.exam_at.as_str()));
        let row = start.map_or(String::new(), |s| format!("[{}]", s.index));
        because.push(format!(
            "neuro_exams{row}: new or worse at {} ({})",
            m.exam_at,
            m.changes.join(", ")
        ));
        if !m.further.is_empty() {
            because.push(b(
                "neuro_exams: further deterioration",
                m.further.join("; "),
            ));
        }
        because.push(b("MRI due by", format!("{} ({})", m.due_at, m.display)));
        let due = parse_time(&m.due_at).unwrap_or(c.now);
        vars.push(("clock", m.display.clone()));
        vars.push(("exam_at", m.exam_at.clone()));
        vars.push(("changes", m.changes.join(", ")));
        vars.push(("due", short_clock_time(due, c.now)));
        vars.push(("over", clocks::hours_minutes(-m.minutes_left.min(0))));
        vars.push((
            "further",
            if m.further.is_empty() {
                String::new()
            } else {
                format!(" Further deterioration {}.", m.further.join("; "))
            },
        ));
        vars.push((
            "requested",
            m.requested
                .as_ref()
                .map_or(String::new(), |r| format!(" {r}.")),
        ));
    }
    if clock.is_none() {
        vars.push((
            "requested",
            clocks::mri_requested(c.case, c.now, c.cutoff).map_or(String::new(), |r| {
                because.push(b("mri", &r));
                format!(" {r}.")
            }),
        ));
        vars.push(("further", String::new()));
    }
    because.push(b(
        "mri: last done at or before now",
        last_done.map_or("none".into(), |t| format_time(&t)),
    ));
    if let Some(r) = clock.and_then(|m| m.requested.as_ref()) {
        because.push(b("mri", r));
    }
    let variant = if !untimed.is_empty() {
        let rows: Vec<String> = untimed
            .iter()
            .map(|s| format!("{}: {}", exam_name(c.case, s.index), what_got_worse(s)))
            .collect();
        vars.push(("untimed", rows.join("; ")));
        vars.push((
            "also",
            clock.map_or(String::new(), |m| {
                format!(
                    " The exam at {} also runs the {}-hour clock: {}.",
                    m.exam_at,
                    fmt_num(c.p.mri_clock_h),
                    m.display
                )
            }),
        ));
        "untimed"
    } else if clock.is_some_and(|m| m.minutes_left < 0) {
        "overdue"
    } else {
        "running"
    };
    out.fire_variant("W-NEURO-MRI", variant, vars, because);
}

/// W-NEURO-INCONSISTENT: the latest exam's grade contradicts its own findings (E with motor
/// or sensation impaired; A–D with motor normal). Sphincter is not part of the grade.
pub(super) fn w_neuro_inconsistent(c: &Ctx, out: &mut Out) {
    let Some(last) = c.neuro.steps.last() else {
        return;
    };
    let e = &c.case.neuro_exams[last.index];
    let Some(grade) = e.frankel else { return };
    let impaired = |f: Option<Function>| f == Some(Function::Impaired);
    let findings = if grade == Frankel::E {
        let mut f = Vec::new();
        if impaired(e.motor) {
            f.push("motor impaired");
        }
        if impaired(e.sensation) {
            f.push("sensation impaired");
        }
        f
    } else if e.motor == Some(Function::Normal) {
        vec!["motor normal"]
    } else {
        Vec::new()
    };
    if findings.is_empty() {
        return;
    }
    let g = grade.as_str().to_uppercase();
    let row = exam_name(c.case, last.index);
    out.fire(
        "W-NEURO-INCONSISTENT",
        vec![
            ("grade", g.clone()),
            ("findings", findings.join(", ")),
            ("row", row.clone()),
        ],
        vec![
            b(&format!("neuro_exams[{}].frankel", last.index), &g),
            b(
                &format!("neuro_exams[{}]", last.index),
                format!("{row}: {}", findings.join(", ")),
            ),
        ],
    );
}
