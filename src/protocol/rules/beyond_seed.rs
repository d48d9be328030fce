//! Rules beyond the seed (PROTOCOL §2b): guideline RT schedules, early RT, SINS, ESCC,
//! dexamethasone dose, Tokuhashi, whole-spine MRI.

use super::*;

pub(super) fn b_rt_schedule(c: &Ctx, out: &mut Out) {
    let multi = if c.levels.len() >= 2 {
        format!(
            " {} lesions ({}): complete the myeloma / staging work-up before choosing a plasmacytoma regimen.",
            c.levels.len(),
            c.levels_text
        )
    } else {
        String::new()
    };
    let lesions = if c.levels.is_empty() {
        "none recorded"
    } else {
        &c.levels_text
    };
    out.fire(
        "B-RT-SCHEDULE",
        vec![
            ("schedules", c.protocol.schedules_text.clone()),
            ("multi", multi),
        ],
        vec![format!("beside P-RT-DOSE; lesions: {lesions}")],
    );
}

pub(super) fn b_rt_early(c: &Ctx, out: &mut Out) {
    let (Some(planned), Some(surgery)) = (c.case.radiotherapy.planned_start, c.case.surgery.date)
    else {
        return;
    };
    if !rt_not_started(c) {
        return;
    }
    let planned_pod = (planned - surgery).num_days();
    if (planned_pod as f64) < c.p.rt_target_from {
        out.fire(
            "B-RT-EARLY",
            vec![
                ("planned", format_date(&planned)),
                ("planned_pod", planned_pod.to_string()),
            ],
            vec![
                b(
                    "radiotherapy.planned_start",
                    format!("{} (POD {planned_pod})", format_date(&planned)),
                ),
                b("surgery.date", format_date(&surgery)),
            ],
        );
    }
}

pub(super) fn b_sins_consult(c: &Ctx, out: &mut Out) {
    let threshold = c.p.sins_consult_from as u32;
    let mut hits = Vec::new();
    let mut unknown = Vec::new();
    for (i, (lesion, score)) in c.case.lesions.iter().zip(&c.scores.lesions).enumerate() {
        if lesion.treated == Some(Treated::Surgery) {
            continue;
        }
        let level = opt(&lesion.level);
        match &score.sins {
            Some(s) if s.known_total >= threshold => {
                let total = if s.complete {
                    format!("{}", s.known_total)
                } else {
                    format!("≥ {} so far", s.known_total)
                };
                hits.push((level, total));
            }
            Some(s) if s.complete => {}
            _ => unknown.push((i, lesion_name(lesion, i))),
        }
    }
    for (i, row) in unknown {
        out.ask_row(
            "A-SINS",
            format!("lesions[{i}].sins"),
            vec![("row", row.clone())],
            vec![format!(
                "B-SINS-CONSULT: SINS of {row} (untreated) not complete"
            )],
        );
    }
    if !hits.is_empty() {
        let levels: Vec<&str> = hits.iter().map(|(l, _)| l.as_str()).collect();
        let scores_text: Vec<String> = hits.iter().map(|(l, t)| format!("{l} SINS {t}")).collect();
        out.fire(
            "B-SINS-CONSULT",
            vec![
                ("levels", levels.join(", ")),
                ("scores", scores_text.join(", ")),
            ],
            scores_text.iter().map(|s| b("lesions", s)).collect(),
        );
    }
}

pub(super) fn b_escc_high(c: &Ctx, out: &mut Out) {
    let histology = c.case.pathology.histology;
    if histology.is_some_and(is_heme) && c.case.pathology.status == Some(PathologyStatus::Final) {
        return;
    }
    let mut hits = Vec::new();
    let mut unknown = Vec::new();
    for (i, lesion) in c.case.lesions.iter().enumerate() {
        if lesion.treated == Some(Treated::Surgery) {
            continue;
        }
        match lesion.escc {
            Some(g @ (Escc::G2 | Escc::G3)) => hits.push((opt(&lesion.level), g)),
            Some(_) => {}
            None => unknown.push((i, lesion_name(lesion, i))),
        }
    }
    for (i, row) in unknown {
        out.ask_row(
            "A-ESCC",
            format!("lesions[{i}].escc"),
            vec![("row", row.clone())],
            vec![format!(
                "B-ESCC-HIGH: ESCC of {row} (untreated) not recorded"
            )],
        );
    }
    if !hits.is_empty() {
        let levels: Vec<&str> = hits.iter().map(|(l, _)| l.as_str()).collect();
        let grades: Vec<String> = hits.iter().map(|(l, g)| format!("{g} at {l}")).collect();
        let mut because: Vec<String> = hits
            .iter()
            .map(|(l, g)| b("lesions", format!("{l} ESCC {g}, untreated")))
            .collect();
        because.push(b("pathology.histology", opt(&histology)));
        out.fire(
            "B-ESCC-HIGH",
            vec![
                ("levels", levels.join(", ")),
                ("grades", grades.join(", ")),
                ("histology", opt(&histology)),
            ],
            because,
        );
    }
}

pub(super) fn b_dexa_dose(c: &Ctx, out: &mut Out) {
    if let Some(route @ (Dexamethasone::Iv | Dexamethasone::Oral)) =
        c.case.medications.dexamethasone
    {
        out.fire(
            "B-DEXA-DOSE",
            vec![("route", route.as_str().to_uppercase())],
            vec![b("medications.dexamethasone", route)],
        );
    }
}

pub(super) fn b_tokuhashi(c: &Ctx, out: &mut Out) {
    let t = &c.scores.tokuhashi;
    match (t.total, t.band) {
        (Some(total), Some(band)) => {
            let parts: Vec<String> = t
                .components
                .iter()
                .map(|x| {
                    format!(
                        "{} {}",
                        x.from.clone().unwrap_or_default(),
                        x.points.unwrap_or(0)
                    )
                })
                .collect();
            out.fire(
                "B-TOKUHASHI",
                vec![
                    ("total", total.to_string()),
                    ("band", band.to_string()),
                    ("components", parts.join(", ")),
                ],
                t.components
                    .iter()
                    .map(|x| b(x.name, x.from.clone().unwrap_or_default()))
                    .collect(),
            );
        }
        _ => {
            let missing: Vec<&str> = t.missing.to_vec();
            out.ask(
                "A-TOKUHASHI",
                vec![("missing", missing.join(", "))],
                vec![format!(
                    "B-TOKUHASHI: {} of 6 components known",
                    6 - missing.len()
                )],
            );
        }
    }
}

pub(super) fn b_mri_whole_spine(c: &Ctx, out: &mut Out) {
    if c.levels.len() >= 2 {
        out.fire(
            "B-MRI-WHOLE-SPINE",
            vec![("levels", c.levels_text.clone())],
            vec![b("lesions", &c.levels_text)],
        );
    }
}
