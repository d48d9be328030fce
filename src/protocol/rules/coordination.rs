//! Coordination (PROTOCOL §2): the multidisciplinary consultation and discharge.

use super::*;

pub(super) const MDT_CORE: [Discipline; 4] = [
    Discipline::Hospitalist,
    Discipline::Oncology,
    Discipline::RadiationOncology,
    Discipline::SpineSurgery,
];

/// `mdt.held_at: not recorded`, or its time when it lies after now (not counted yet).
fn mdt_held_because(c: &Ctx) -> String {
    match c.case.mdt.held_at {
        Some(t) => b("mdt.held_at", format!("{} (after now)", format_time(&t))),
        None => b("mdt.held_at", "not recorded"),
    }
}

pub(super) fn p_mdt(c: &Ctx, out: &mut Out) {
    let mdt = &c.case.mdt;
    if clocks::mdt_held(c.case, c.cutoff) {
        return;
    }
    let attendees = mdt.attendees.clone().unwrap_or_default();
    let missing: Vec<String> = MDT_CORE
        .iter()
        .filter(|d| !attendees.contains(d))
        .map(|d| d.as_str().replace('_', " "))
        .collect();
    let missing_text = if missing.is_empty() {
        "All four disciplines are listed.".to_string()
    } else {
        format!("Still missing: {}.", missing.join(", "))
    };
    let further: Vec<Level> = further_lesions(c.case).filter_map(|l| l.level).collect();
    let further_text = if further.is_empty() {
        "any further lesion".to_string()
    } else {
        format!("the further lesion {}", levels_text(&further))
    };
    let listed: Vec<&str> = attendees.iter().map(|d| d.as_str()).collect();
    out.fire(
        "P-MDT",
        vec![("missing", missing_text), ("further_lesions", further_text)],
        vec![
            mdt_held_because(c),
            b(
                "mdt.attendees",
                if listed.is_empty() {
                    "none".to_string()
                } else {
                    listed.join(", ")
                },
            ),
        ],
    );
}

pub(super) fn w_mdt_missing(c: &Ctx, out: &mut Out) {
    if clocks::mdt_held(c.case, c.cutoff) {
        return;
    }
    if let Some(pod) = c.pod
        && pod as f64 >= c.p.mdt_due_pod
    {
        out.fire(
            "W-MDT-MISSING",
            vec![("pod", pod.to_string())],
            vec![pod_because(c), mdt_held_because(c)],
        );
    }
}

pub(super) fn w_discharge_no_rt(c: &Ctx, out: &mut Out) {
    let Some(date) = c.case.discharge.planned_date else {
        return;
    };
    let rt = &c.case.radiotherapy;
    let mut missing = Vec::new();
    if rt.consult != Some(Consult::Seen) {
        missing.push(format!(
            "radiation oncology consult {}",
            rt.consult
                .map_or("not recorded".to_string(), |x| x.to_string())
        ));
    }
    if rt.followup_scheduled != Some(true) {
        if rt.followup_scheduled.is_none() {
            out.ask(
                "A-RT-FOLLOWUP",
                vec![],
                vec!["W-DISCHARGE-NO-RT: discharge planned".into()],
            );
        }
        missing.push("radiotherapy follow-up not scheduled".to_string());
    }
    if !missing.is_empty() {
        let variant = if rt.consult == Some(Consult::Seen) {
            "followup"
        } else {
            "consult"
        };
        out.fire_variant(
            "W-DISCHARGE-NO-RT",
            variant,
            vec![("missing", missing.join("; "))],
            vec![
                b("discharge.planned_date", format_date(&date)),
                b("radiotherapy.consult", opt(&rt.consult)),
                b(
                    "radiotherapy.followup_scheduled",
                    opt(&rt.followup_scheduled),
                ),
            ],
        );
    }
}

/// W-MDT-INCOMPLETE: the MDT was held without one of the seed's four disciplines (attendees
/// not recorded count as none: the pitfall warns rather than stays quiet, and A-MDT asks).
pub(super) fn w_mdt_incomplete(c: &Ctx, out: &mut Out) {
    if !clocks::mdt_held(c.case, c.cutoff) {
        return;
    }
    let mdt = &c.case.mdt;
    if mdt.attendees.is_none() {
        out.ask(
            "A-MDT",
            vec![],
            vec!["W-MDT-INCOMPLETE: MDT held, attendees not recorded".into()],
        );
    }
    let attendees = mdt.attendees.clone().unwrap_or_default();
    let missing: Vec<String> = MDT_CORE
        .iter()
        .filter(|d| !attendees.contains(d))
        .map(|d| d.as_str().replace('_', " "))
        .collect();
    if missing.is_empty() {
        return;
    }
    let listed: Vec<&str> = attendees.iter().map(|d| d.as_str()).collect();
    out.fire(
        "W-MDT-INCOMPLETE",
        vec![
            ("missing", missing.join(", ")),
            ("count", missing.len().to_string()),
        ],
        vec![
            b(
                "mdt.held_at",
                mdt.held_at.as_ref().map(format_time).unwrap_or_default(),
            ),
            b(
                "mdt.attendees",
                if mdt.attendees.is_none() {
                    "not recorded".to_string()
                } else if listed.is_empty() {
                    "none".to_string()
                } else {
                    listed.join(", ")
                },
            ),
        ],
    );
}
