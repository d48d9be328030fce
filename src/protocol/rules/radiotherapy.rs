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
            vec![
                ("fractions", fractions_words(n)),
                ("expected_end", end.clone()),
            ],
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

/// P-RT-ADJUVANT: always; its words follow the course (not started: plan it urgently;
/// under way: fraction k of n; completed on DATE).
pub(super) fn p_rt_adjuvant(c: &Ctx, out: &mut Out) {
    let s = &c.case.surgery;
    let rt = &c.case.radiotherapy;
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
    let mut vars: Vars = Vec::new();
    let variant = if clocks::rt_completed(c.case, c.now) {
        let end = date_s(&rt.end);
        because.push(b("radiotherapy.end", &end));
        vars.push(("end", end));
        "completed"
    } else if clocks::rt_started(c.case, c.now) {
        let start = date_s(&rt.start);
        because.push(b("radiotherapy.start", &start));
        vars.push(("start", start));
        match c
            .window
            .map(|w| (w.fraction, w.fractions, w.expected_end.clone()))
        {
            Some((Some(k), Some(n), Some(end))) => {
                vars.push(("k", k.to_string()));
                vars.push(("n", n.to_string()));
                vars.push(("expected_end", end));
                "started"
            }
            _ => "started_unknown",
        }
    } else {
        "not_started"
    };
    out.fire_variant("P-RT-ADJUVANT", variant, vars, because);
}

/// `target from 2026-12-04, deadline 2026-12-18, 17 days left`: the window with its dates.
fn window_dates(c: &Ctx) -> String {
    let Some(surgery) = c.case.surgery.date else {
        return "record the surgery date to date the window".to_string();
    };
    let on = |pod: f64| {
        surgery
            .checked_add_signed(chrono::Duration::days(pod as i64))
            .map_or_else(|| "?".to_string(), |d| format_date(&d))
    };
    let left = match c.window.and_then(|w| w.days_to_deadline) {
        Some(d) if d >= 0 => format!("{} left", days(d)),
        Some(d) => format!("{} past", days(-d)),
        None => String::new(),
    };
    let mut s = format!(
        "target from {}, deadline {}",
        on(c.p.rt_target_from),
        on(c.p.rt_deadline)
    );
    if !left.is_empty() {
        s.push_str(", ");
        s.push_str(&left);
    }
    s
}

/// P-RT-TIMING: while RT has not started. Ready to schedule only when stable, wound
/// healed/healing, no contraindication, no new deficit awaiting MRI and no planned start;
/// with a planned start it says when.
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
    let mri_waiting = c.clocks.mri.is_some() || c.clocks.mri_exam_time_unknown;
    if mri_waiting {
        because.push("W-NEURO-MRI: a new deficit awaits MRI".to_string());
    }
    let mut vars = vec![
        ("window", window_words(c)),
        ("dates", window_dates(c)),
        ("wound", opt(&wound)),
    ];
    let mut blockers = Vec::new();
    if mri_waiting {
        blockers.push("image the new deficit first".to_string());
    }
    if let Some(ci) = contraindication {
        blockers.push(format!("contraindication recorded (\"{ci}\")"));
    }
    if stable == Some(false) {
        blockers.push("not medically stable".to_string());
    }
    if let Some(w) = wound.filter(|_| !wound_ok) {
        blockers.push(format!("wound {w}"));
    }
    let mut unknowns = Vec::new();
    if blockers.is_empty() {
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
    }
    let planned = c.case.radiotherapy.planned_start;
    let variant = if let Some(d) = planned {
        because.push(b("radiotherapy.planned_start", format_date(&d)));
        vars.push(("planned", format_date(&d)));
        vars.push((
            "planned_pod",
            c.case
                .surgery
                .date
                .map_or("?".to_string(), |s| (d - s).num_days().to_string()),
        ));
        vars.push((
            "before",
            if blockers.is_empty() {
                String::new()
            } else {
                format!(" Before it: {}.", blockers.join("; "))
            },
        ));
        "planned"
    } else if !blockers.is_empty() {
        vars.push(("blockers", blockers.join("; ")));
        "wait"
    } else if !unknowns.is_empty() {
        vars.push(("unknowns", unknowns.join(", ")));
        "unknown"
    } else {
        "ready"
    };
    if let Some(t) = c.case.wound.checked_at {
        because.push(b("wound.checked_at", format_time(&t)));
    }
    out.fire_variant("P-RT-TIMING", variant, vars, because);
}

/// `1 fraction`, `25 fractions`.
pub(super) fn fractions_words(n: u32) -> String {
    if n == 1 {
        "1 fraction".to_string()
    } else {
        format!("{n} fractions")
    }
}

/// P-RT-DOSE: the protocol's range; with a planned total and dose per fraction, the number
/// of fractions (exact division, rounded up), the dose those deliver, weeks and the BED/EQD2
/// of the delivered dose, and whether it is exactly a guideline schedule.
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
                format!("{} ÷ {} = {n} (rounded up)", fmt_num(t), fmt_num(d)),
            ));
            let delivered = sched.delivered_gy.unwrap_or(t);
            let delivered_text = if mgy(delivered) != mgy(t) {
                because.push(b(
                    "delivered",
                    format!("{n} × {} = {} Gy", fmt_num(d), fmt_num(delivered)),
                ));
                format!(
                    " Delivered {n} × {} Gy = {} Gy (planned {} Gy).",
                    fmt_num(d),
                    fmt_num(delivered),
                    fmt_num(t)
                )
            } else {
                String::new()
            };
            let guideline = sched.guideline.as_ref().map_or(String::new(), |g| {
                because.push(b("guideline schedule", g));
                format!(" It matches the guideline schedule {g} for spinal metastases.")
            });
            format!(
                "Planned {} Gy in {} Gy: {} over {} weeks ({} a week).{delivered_text} Delivered dose: EQD2 {} Gy tumour (α/β {}), {} Gy spinal cord (α/β {}); BED {} / {} Gy.{guideline}",
                fmt_num(t),
                fmt_num(d),
                fractions_words(n),
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
        // The row to mark: the destructive mass when there is one, else the first lesion.
        let row = c
            .case
            .lesions
            .iter()
            .position(|l| l.level.is_some() && l.finding == Some(Finding::DestructiveMass))
            .or_else(|| c.case.lesions.iter().position(|l| l.level.is_some()));
        if let Some(i) = row {
            let name = lesion_name(&c.case.lesions[i], i);
            out.ask_row(
                "A-LESION-LEVEL",
                format!("lesions[{i}].treated"),
                vec![("row", name.clone())],
                vec![format!(
                    "P-RT-FIELD: no lesion marked treated (surgery) or for radiotherapy (e.g. {name})"
                )],
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
        .map(|f| {
            if f.includes.is_empty() {
                f.text.clone()
            } else {
                format!("{} (includes {})", f.text, levels_text(&f.includes))
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let includes: Vec<Level> = fields
        .iter()
        .flat_map(|f| f.includes.iter().copied())
        .collect();
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
        {
            let mut because = vec![b(
                "lesions (treated or for radiotherapy)",
                levels_text(&lesions),
            )];
            if !includes.is_empty() {
                because.push(b(
                    "lesions in the margin (join the involved span)",
                    levels_text(&includes),
                ));
            }
            because
        },
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
    // A guideline schedule of B-RT-SCHEDULE is not a deviation to justify.
    if c.scores.rt_schedule.guideline.is_some() {
        return;
    }
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
