//! Radiotherapy (PROTOCOL §2): adjuvant RT, its timing window, dose, field, consult, and
//! the RT pitfalls (closing, overdue, deferred, dose outside the protocol).

use super::*;

/// A course whose last fraction is past but has no end date: the window cannot say completed.
pub(super) fn ask_rt_end(c: &Ctx, out: &mut Out) {
    let Some(w) = c.window else { return };
    if let (RtState::Started, Some(k), Some(n), Some(end)) =
        (w.state, w.fraction, w.fractions, &w.expected_end)
        && k >= n
        && parse_date(end).is_some_and(|d| d < c.now.date())
    {
        out.ask(
            "A-RT-END",
            vec![("fractions", n.to_string()), ("expected_end", end.clone())],
            vec![
                b("radiotherapy.end", "not recorded"),
                format!("expected end {end}"),
            ],
        );
    }
}

/// `radiotherapy.start: not recorded`, or the date when it lies after now.
pub(super) fn start_because(c: &Ctx) -> String {
    match c.case.radiotherapy.start {
        Some(d) => b(
            "radiotherapy.start",
            format!("{} (after now)", format_date(&d)),
        ),
        None => b("radiotherapy.start", "not recorded"),
    }
}

pub(super) fn rt_not_started(c: &Ctx) -> bool {
    !clocks::rt_started(c.case, c.now) && !clocks::rt_completed(c.case, c.now)
}

pub(super) fn window_words(c: &Ctx) -> String {
    match (c.pod, c.window) {
        (Some(pod), Some(w)) => match w.days_to_deadline {
            Some(d) if d >= 0 => format!(
                "POD {pod}, {}, {} to the POD {} deadline",
                w.state.words(),
                days(d),
                fmt_num(c.p.rt_deadline)
            ),
            Some(d) => format!(
                "POD {pod}, {}, {} past the deadline",
                w.state.words(),
                days(-d)
            ),
            None => format!("POD {pod}, {}", w.state.words()),
        },
        _ => "POD unknown (record the surgery date)".to_string(),
    }
}

pub(super) fn p_rt_adjuvant(c: &Ctx, out: &mut Out) {
    let s = &c.case.surgery;
    let mut because = vec![b(
        "surgery",
        format!(
            "{} on {}",
            s.procedure.as_deref().unwrap_or("stabilization"),
            date_s(&s.date)
        ),
    )];
    let levels = scores::treated_levels(c.case);
    if !levels.is_empty() {
        because.push(b("lesions (treated)", levels_text(&levels)));
    }
    out.fire("P-RT-ADJUVANT", vec![], because);
}

pub(super) fn p_rt_timing(c: &Ctx, out: &mut Out) {
    if !rt_not_started(c) {
        ask_rt_end(c, out);
        return;
    }
    ask_surgery_date(c, out, "the radiotherapy window counts from surgery");
    let stable = c.case.medically_stable;
    let wound = c.case.wound.status;
    let mut because = vec![
        pod_because(c),
        start_because(c),
        b("medically_stable", opt(&stable)),
        b("wound.status", opt(&wound)),
    ];
    let wound_ok = matches!(wound, Some(WoundStatus::Healed | WoundStatus::Healing));
    let contraindication = c.case.radiotherapy.contraindication_recorded();
    if let Some(ci) = contraindication {
        because.push(b("radiotherapy.contraindication", ci));
    }
    let mut vars = vec![("window", window_words(c)), ("wound", opt(&wound))];
    let variant = if stable == Some(true) && wound_ok && contraindication.is_none() {
        "ready"
    } else {
        let mut blockers = Vec::new();
        if let Some(ci) = contraindication {
            blockers.push(format!("contraindication recorded (\"{ci}\")"));
        }
        if stable == Some(false) {
            blockers.push("not medically stable".to_string());
        }
        if let Some(w) = wound.filter(|_| !wound_ok) {
            blockers.push(format!("wound {w}"));
        }
        if blockers.is_empty() {
            let mut unknowns = Vec::new();
            if stable.is_none() {
                unknowns.push("medical stability");
                out.ask(
                    "A-STABLE",
                    vec![],
                    vec!["P-RT-TIMING: readiness for radiotherapy".into()],
                );
            }
            if wound.is_none() {
                unknowns.push("wound status");
                out.ask(
                    "A-WOUND",
                    vec![],
                    vec!["P-RT-TIMING: readiness for radiotherapy".into()],
                );
            }
            vars.push(("unknowns", unknowns.join(", ")));
            "unknown"
        } else {
            vars.push(("blockers", blockers.join("; ")));
            "wait"
        }
    };
    if c.case.wound.checked_at.is_some() {
        because.push(b(
            "wound.checked_at",
            c.case
                .wound
                .checked_at
                .as_ref()
                .map(format_time)
                .unwrap_or_default(),
        ));
    }
    out.fire_variant("P-RT-TIMING", variant, vars, because);
}

pub(super) fn p_rt_dose(c: &Ctx, out: &mut Out) {
    let rt = &c.case.radiotherapy;
    let sched = &c.scores.rt_schedule;
    let mut because = vec![
        b(
            "radiotherapy.total_dose_gy",
            rt.total_dose_gy.map_or("unknown".into(), fmt_num),
        ),
        b(
            "radiotherapy.dose_per_fraction_gy",
            rt.dose_per_fraction_gy.map_or("unknown".into(), fmt_num),
        ),
    ];
    let schedule = match (rt.total_dose_gy, rt.dose_per_fraction_gy, sched.fractions) {
        (Some(t), Some(d), Some(n)) => {
            because.push(b(
                "fractions",
                format!("{} ÷ {} = {n}", fmt_num(t), fmt_num(d)),
            ));
            format!(
                "Planned {} Gy in {} Gy: {n} fractions over {} weeks ({} a week); EQD2 {} Gy tumour (α/β {}), {} Gy spinal cord (α/β {}); BED {} / {} Gy.",
                fmt_num(t),
                fmt_num(d),
                fmt_num(sched.weeks.unwrap_or(0.0)),
                fmt_num(c.p.fractions_per_week),
                fmt_num(sched.eqd2_tumour.unwrap_or(0.0)),
                fmt_num(c.p.alpha_beta_tumour),
                fmt_num(sched.eqd2_cord.unwrap_or(0.0)),
                fmt_num(c.p.alpha_beta_cord),
                fmt_num(sched.bed_tumour.unwrap_or(0.0)),
                fmt_num(sched.bed_cord.unwrap_or(0.0)),
            )
        }
        _ => {
            if !clocks::rt_completed(c.case, c.now) {
                out.ask(
                    "A-RT-DOSE",
                    vec![],
                    vec!["P-RT-DOSE: fractions, weeks and EQD2".into()],
                );
            }
            "Record the planned total and dose per fraction to compute fractions, weeks and EQD2."
                .to_string()
        }
    };
    out.fire("P-RT-DOSE", vec![("schedule", schedule)], because);
}

pub(super) fn p_rt_field(c: &Ctx, out: &mut Out) {
    let fields = &c.scores.rt_field;
    if fields.is_empty() {
        if c.case.lesions.iter().any(|l| l.level.is_some()) {
            out.ask(
                "A-LESION-LEVEL",
                vec![],
                vec!["P-RT-FIELD: no lesion marked treated (surgery) or for radiotherapy".into()],
            );
        } else {
            out.ask(
                "A-LESIONS",
                vec![],
                vec!["P-RT-FIELD: no lesion level recorded".into()],
            );
        }
        return;
    }
    let lesions: Vec<Level> = fields
        .iter()
        .flat_map(|f| f.lesions.iter().copied())
        .collect();
    let notes: Vec<&str> = fields.iter().filter_map(|f| f.note.as_deref()).collect();
    let field_text = fields
        .iter()
        .map(|f| f.text.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let ends = if notes.is_empty() {
        String::new()
    } else {
        format!(" {}.", notes.join("; "))
    };
    out.fire(
        "P-RT-FIELD",
        vec![
            ("field", field_text),
            ("levels", levels_text(&lesions)),
            ("ends", ends),
        ],
        vec![b(
            "lesions (treated or for radiotherapy)",
            levels_text(&lesions),
        )],
    );
}

pub(super) fn p_rt_consult(c: &Ctx, out: &mut Out) {
    let consult = c.case.radiotherapy.consult;
    let action = match consult {
        Some(Consult::Seen) => return,
        Some(Consult::Requested) => "confirm (requested)",
        Some(Consult::None) => "request it",
        None => {
            out.ask(
                "A-RT-CONSULT",
                vec![],
                vec!["P-RT-CONSULT: consult status".into()],
            );
            "request or record it"
        }
    };
    out.fire(
        "P-RT-CONSULT",
        vec![("action", action.into()), ("consult", opt(&consult))],
        vec![b("radiotherapy.consult", opt(&consult))],
    );
}

pub(super) fn window_state(c: &Ctx) -> Option<RtState> {
    c.window.map(|w| w.state)
}

pub(super) fn w_rt_closing(c: &Ctx, out: &mut Out) {
    if window_state(c) == Some(RtState::Closing) {
        let days = c.window.and_then(|w| w.days_to_deadline).unwrap_or(0);
        out.fire(
            "W-RT-CLOSING",
            vec![("days_left", self::days(days)), ("pod", opt(&c.pod))],
            vec![pod_because(c), start_because(c)],
        );
    }
}

pub(super) fn w_rt_overdue(c: &Ctx, out: &mut Out) {
    if window_state(c) == Some(RtState::Overdue) {
        let days = c.window.and_then(|w| w.days_to_deadline).unwrap_or(0);
        out.fire(
            "W-RT-OVERDUE",
            vec![("days_over", self::days(-days)), ("pod", opt(&c.pod))],
            vec![
                pod_because(c),
                start_because(c),
                b("radiotherapy.contraindication", "none recorded"),
            ],
        );
    }
}

pub(super) fn w_rt_deferred(c: &Ctx, out: &mut Out) {
    if window_state(c) == Some(RtState::Deferred) {
        let reason = c
            .case
            .radiotherapy
            .contraindication_recorded()
            .unwrap_or_default()
            .to_string();
        out.fire(
            "W-RT-DEFERRED",
            vec![("reason", reason.clone()), ("pod", opt(&c.pod))],
            vec![pod_because(c), b("radiotherapy.contraindication", reason)],
        );
    }
}

pub(super) fn w_rt_dose(c: &Ctx, out: &mut Out) {
    let rt = &c.case.radiotherapy;
    let mut outside = Vec::new();
    let mut because = Vec::new();
    if let Some(t) = rt.total_dose_gy
        && (mgy(t) < mgy(c.p.rt_total_min_gy) || mgy(t) > mgy(c.p.rt_total_max_gy))
    {
        outside.push(format!(
            "total {} Gy is outside {}–{} Gy",
            fmt_num(t),
            fmt_num(c.p.rt_total_min_gy),
            fmt_num(c.p.rt_total_max_gy)
        ));
        because.push(b("radiotherapy.total_dose_gy", fmt_num(t)));
    }
    if let Some(d) = rt.dose_per_fraction_gy
        && (mgy(d) < mgy(c.p.rt_fraction_min_gy) || mgy(d) > mgy(c.p.rt_fraction_max_gy))
    {
        outside.push(format!(
            "{} Gy per fraction is outside {}–{} Gy",
            fmt_num(d),
            fmt_num(c.p.rt_fraction_min_gy),
            fmt_num(c.p.rt_fraction_max_gy)
        ));
        because.push(b("radiotherapy.dose_per_fraction_gy", fmt_num(d)));
    }
    if !outside.is_empty() {
        out.fire(
            "W-RT-DOSE",
            vec![("outside", capitalise(&outside.join("; ")))],
            because,
        );
    }
}
