//! Systemic therapy and bone health (PROTOCOL §2): pathology first, haematological vs solid
//! histology, bisphosphonates, no chemotherapy before final pathology.

use super::*;

pub(super) fn p_sys_await_path(c: &Ctx, out: &mut Out) {
    match c.case.pathology.status {
        Some(PathologyStatus::Final) => {}
        Some(PathologyStatus::Pending) => {
            let days = c.clocks.pathology_pending_days;
            let pending = days.map_or(String::new(), |d| format!(" (pending {d} days)"));
            let mut because = vec![b("pathology.status", "pending")];
            if let Some(d) = c.case.pathology.biopsy_date {
                because.push(b("pathology.biopsy_date", format_date(&d)));
            }
            out.fire("P-SYS-AWAIT-PATH", vec![("pending", pending)], because);
        }
        None => out.ask(
            "A-PATHOLOGY",
            vec![],
            vec!["P-SYS-AWAIT-PATH: pathology status".into()],
        ),
    }
}

pub(super) fn final_histology(case: &Case) -> Option<Option<Histology>> {
    (case.pathology.status == Some(PathologyStatus::Final)).then_some(case.pathology.histology)
}

pub(super) fn is_heme(h: Histology) -> bool {
    matches!(h, Histology::Myeloma | Histology::Lymphoma)
}

pub(super) fn p_sys_heme(c: &Ctx, out: &mut Out) {
    if let Some(Some(h)) = final_histology(c.case)
        && is_heme(h)
    {
        out.fire(
            "P-SYS-HEME",
            vec![("histology", capitalise(h.as_str()))],
            vec![b("pathology.status", "final"), b("pathology.histology", h)],
        );
    }
}

pub(super) fn p_sys_solid(c: &Ctx, out: &mut Out) {
    match final_histology(c.case) {
        None => {}
        Some(None) => out.ask(
            "A-HISTOLOGY",
            vec![],
            vec!["P-SYS-HEME / P-SYS-SOLID: final pathology without histology".into()],
        ),
        Some(Some(h)) if is_heme(h) => {}
        Some(Some(h)) => {
            let mut missing = Vec::new();
            let markers = c
                .case
                .pathology
                .markers
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty());
            if markers.is_none() {
                missing.push("molecular markers");
                out.ask(
                    "A-MARKERS",
                    vec![],
                    vec!["P-SYS-SOLID: systemic therapy selection".into()],
                );
            }
            let perf = &c.case.performance;
            if perf.ecog.is_none() && perf.kps.is_none() {
                missing.push("performance status (ECOG or KPS)");
                out.ask(
                    "A-PERFORMANCE",
                    vec![],
                    vec!["P-SYS-SOLID: systemic therapy selection".into()],
                );
            }
            let missing = if missing.is_empty() {
                String::new()
            } else {
                format!(" Still to record: {}.", missing.join(", "))
            };
            out.fire(
                "P-SYS-SOLID",
                vec![
                    ("histology", h.as_str().replace('_', " ")),
                    ("missing", missing),
                ],
                vec![
                    b("pathology.histology", h),
                    b("pathology.markers", markers.unwrap_or("unknown")),
                    b(
                        "performance",
                        format!("ECOG {}, KPS {}", opt(&perf.ecog), opt(&perf.kps)),
                    ),
                ],
            );
        }
    }
}

pub(super) fn p_bone_bisphos(c: &Ctx, out: &mut Out) {
    let bh = &c.case.bone_health;
    let mut reasons = Vec::new();
    if bh.osteoporosis == Some(true) {
        reasons.push("osteoporosis confirmed");
    }
    if bh.threatening_fracture == Some(true) {
        reasons.push("threatening fracture");
    }
    if reasons.is_empty() {
        if bh.osteoporosis.is_none() || bh.threatening_fracture.is_none() {
            out.ask(
                "A-BONE-HEALTH",
                vec![],
                vec!["P-BONE-BISPHOS: osteoporosis / threatening fracture".into()],
            );
        }
        return;
    }
    match bh.bisphosphonate {
        Some(true) => {}
        Some(false) => out.fire(
            "P-BONE-BISPHOS",
            vec![("reason", reasons.join(", "))],
            vec![
                b("bone_health.osteoporosis", opt(&bh.osteoporosis)),
                b(
                    "bone_health.threatening_fracture",
                    opt(&bh.threatening_fracture),
                ),
                b("bone_health.bisphosphonate", "false"),
            ],
        ),
        None => out.ask(
            "A-BONE-HEALTH",
            vec![],
            vec!["P-BONE-BISPHOS: bisphosphonate given?".into()],
        ),
    }
}

pub(super) fn w_chemo_no_path(c: &Ctx, out: &mut Out) {
    let status = c.case.systemic.status;
    let path = c.case.pathology.status;
    match status {
        Some(s @ (SystemicStatus::Planned | SystemicStatus::Started))
            if path != Some(PathologyStatus::Final) =>
        {
            let mut because = vec![b("systemic.status", s), b("pathology.status", opt(&path))];
            if let Some(agent) = c
                .case
                .systemic
                .agent
                .as_deref()
                .filter(|a| !a.trim().is_empty())
            {
                because.push(b("systemic.agent", agent));
            }
            out.fire(
                "W-CHEMO-NO-PATH",
                vec![("status", s.to_string()), ("pathology", opt(&path))],
                because,
            );
        }
        None if path != Some(PathologyStatus::Final) => {
            out.ask(
                "A-SYSTEMIC",
                vec![],
                vec!["W-CHEMO-NO-PATH: systemic therapy before final pathology".into()],
            );
        }
        _ => {}
    }
}
