//! Monitoring (PROTOCOL §2): wound, medical and surgical complications.

use super::*;

pub(super) fn p_mon_wound(c: &Ctx, out: &mut Out) {
    let w = &c.case.wound;
    let text = match (w.status, w.checked_at) {
        (Some(s), Some(t)) => format!("{s} at {}", format_time(&t)),
        (Some(s), None) => s.to_string(),
        (None, _) => "not recorded".into(),
    };
    if w.status.is_none() {
        out.ask("A-WOUND", vec![], vec!["P-MON-WOUND: wound status".into()]);
    }
    out.fire(
        "P-MON-WOUND",
        vec![("wound", text.clone())],
        vec![b("wound", text)],
    );
}

pub(super) fn w_wound(c: &Ctx, out: &mut Out) {
    if let Some(s @ (WoundStatus::Infection | WoundStatus::Hematoma | WoundStatus::Dehiscence)) =
        c.case.wound.status
    {
        out.fire(
            "W-WOUND",
            vec![("status", s.to_string())],
            vec![b("wound.status", s)],
        );
    }
}

pub(super) fn p_mon_medical(c: &Ctx, out: &mut Out) {
    let _ = c;
    out.fire(
        "P-MON-MEDICAL",
        vec![],
        vec!["always, after spinal surgery".into()],
    );
}

pub(super) fn w_complication(c: &Ctx, out: &mut Out) {
    let present = c.case.complications.present();
    if present.is_empty() {
        return;
    }
    let names: Vec<&str> = present
        .iter()
        .map(|k| match *k {
            "vte" => "venous thromboembolism",
            "pulmonary" => "pulmonary event",
            "cardiac" => "cardiac event",
            "spinous_process_fracture" => "spinous process fracture",
            other => other,
        })
        .collect();
    out.fire(
        "W-COMPLICATION",
        vec![("names", names.join(", "))],
        present
            .iter()
            .map(|k| b(&format!("complications.{k}"), "true"))
            .collect(),
    );
}
