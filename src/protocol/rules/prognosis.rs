//! Prognosis (PROTOCOL §2): multiple lesions, expected outcome, expected survival.

use super::*;

pub(super) fn p_prog_multi(c: &Ctx, out: &mut Out) {
    if c.levels.len() >= 2 {
        out.fire(
            "P-PROG-MULTI",
            vec![("levels", c.levels_text.clone())],
            vec![b("lesions", &c.levels_text)],
        );
    }
}

pub(super) fn p_prog_outcome(_c: &Ctx, out: &mut Out) {
    out.fire("P-PROG-OUTCOME", vec![], vec!["always".into()]);
}

pub(super) fn w_survival(c: &Ctx, out: &mut Out) {
    match c.case.expected_survival_months {
        Some(m) if m < c.p.survival_min_months => out.fire(
            "W-SURVIVAL",
            vec![("months", fmt_num(m))],
            vec![b("expected_survival_months", fmt_num(m))],
        ),
        Some(_) => {}
        None => {
            let t = &c.scores.tokuhashi;
            let estimate = match (t.total, t.band) {
                (Some(total), Some(band)) => {
                    format!(" Revised Tokuhashi estimate: {total}/15, {band}.")
                }
                _ => String::new(),
            };
            out.ask(
                "A-SURVIVAL",
                vec![("estimate", estimate)],
                vec!["W-SURVIVAL: expected survival".into()],
            );
        }
    }
}

/// W-PERF-CONFLICT: ECOG and KPS both recorded and outside the customary mapping (§3).
pub(super) fn w_perf_conflict(c: &Ctx, out: &mut Out) {
    let p = &c.case.performance;
    let (Some(ecog), Some(kps)) = (p.ecog, p.kps) else {
        return;
    };
    if scores::ecog_from_kps(kps) == ecog {
        return;
    }
    out.fire(
        "W-PERF-CONFLICT",
        vec![
            ("ecog", ecog.to_string()),
            ("kps", kps.to_string()),
            ("range", scores::kps_range_from_ecog(ecog).to_string()),
        ],
        vec![
            b("performance.ecog", ecog),
            b("performance.kps", kps),
            format!(
                "customary mapping: ECOG {ecog} ≈ KPS {}",
                scores::kps_range_from_ecog(ecog)
            ),
        ],
    );
}
