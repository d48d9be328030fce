//! Lesions (PROTOCOL §2): further lesions needing a decision, degenerative stenosis (L4–L5).

use super::*;

pub(super) fn stenosis_name(s: &DegenerativeStenosis) -> String {
    let level = s
        .level
        .map_or("level unknown".to_string(), |l| l.to_string());
    match s.severity {
        Some(sev) => format!("{level} ({sev})"),
        None => level,
    }
}

pub(super) fn surgical_candidate(s: &DegenerativeStenosis) -> bool {
    s.attributable_symptoms == Some(true)
        && s.conservative_failed == Some(true)
        && s.functionally_limiting == Some(true)
}

pub(super) fn p_l45_conservative(c: &Ctx, out: &mut Out) {
    let list = &c.case.degenerative_stenosis;
    if list.is_empty() {
        return;
    }
    let names: Vec<String> = list.iter().map(stenosis_name).collect();
    for (i, s) in list.iter().enumerate() {
        if s.attributable_symptoms.is_none() {
            let row = stenosis_name(s);
            out.ask_row(
                "A-L45",
                format!("degenerative_stenosis[{i}].attributable_symptoms"),
                vec![("row", row.clone())],
                vec![format!("P-L45-SURGICAL: attributable symptoms at {row}")],
            );
        }
    }
    out.fire(
        "P-L45-CONSERVATIVE",
        vec![("levels", names.join(", "))],
        list.iter()
            .map(|s| {
                b(
                    "degenerative_stenosis",
                    format!(
                        "{}, attributable symptoms {}",
                        stenosis_name(s),
                        opt(&s.attributable_symptoms)
                    ),
                )
            })
            .collect(),
    );
}

pub(super) fn p_l45_surgical(c: &Ctx, out: &mut Out) {
    let cands: Vec<&DegenerativeStenosis> = c
        .case
        .degenerative_stenosis
        .iter()
        .filter(|s| surgical_candidate(s))
        .collect();
    if cands.is_empty() {
        return;
    }
    let names: Vec<String> = cands.iter().map(|s| stenosis_name(s)).collect();
    out.fire(
        "P-L45-SURGICAL",
        vec![("levels", names.join(", "))],
        names
            .iter()
            .map(|n| {
                b(
                    "degenerative_stenosis",
                    format!(
                        "{n}: attributable symptoms, conservative failed, functionally limiting"
                    ),
                )
            })
            .collect(),
    );
}

pub(super) fn w_lesion_unplanned(c: &Ctx, out: &mut Out) {
    let undecided: Vec<&Lesion> = further_lesions(c.case)
        .filter(|l| l.management.is_none())
        .collect();
    if undecided.is_empty() {
        return;
    }
    let levels: Vec<Level> = undecided.iter().filter_map(|l| l.level).collect();
    out.fire(
        "W-LESION-UNPLANNED",
        vec![("levels", levels_text(&levels))],
        undecided
            .iter()
            .map(|l| {
                b(
                    "lesions",
                    format!(
                        "{} {}: management undecided",
                        opt(&l.level),
                        opt(&l.finding)
                    ),
                )
            })
            .collect(),
    );
}
