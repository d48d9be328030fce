//! The evaluation as plain text for the chart (`spinewatch evaluate --format text`).

use crate::case::{Case, fmt_num};
use crate::protocol::rules::window_summary;
use crate::protocol::{Evaluation, Kind, Protocol, Severity};
use std::fmt::Write;

pub fn severity_mark(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "!! CRITICAL",
        Severity::Warning => "!  WARNING",
        Severity::Info => "   info",
    }
}

pub fn evaluation_text(case: &Case, e: &Evaluation, protocol: &Protocol) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", e.headline(case.label()));
    let _ = writeln!(
        s,
        "Evaluated at {} (decision support — verify against local protocol)",
        e.now
    );
    let _ = writeln!(s, "Radiotherapy window: {}", window_summary(e));
    if e.clocks.mri_exam_time_unknown {
        let _ = writeln!(s, "MRI clock: time of exam unknown: MRI now");
    }
    if let Some(m) = &e.clocks.mri {
        let requested = m
            .requested
            .as_ref()
            .map_or(String::new(), |r| format!("; {r}"));
        let _ = writeln!(
            s,
            "MRI clock: {} (exam {}, due {}{requested})",
            m.display, m.exam_at, m.due_at
        );
    }
    if let Some(d) = e.clocks.pathology_pending_days {
        let _ = writeln!(s, "Pathology pending: {d} days");
    }
    if let Some(age) = &e.clocks.neuro_exam_age {
        let _ = writeln!(
            s,
            "Last neuro exam: {} ({age})",
            e.clocks.last_neuro_exam.as_deref().unwrap_or("?")
        );
    }
    let groups = [
        ("PITFALLS", Kind::Pitfall),
        ("PLAN", Kind::Plan),
        ("STILL TO RECORD", Kind::Ask),
    ];
    for (heading, kind) in groups {
        let items: Vec<_> = e.items.iter().filter(|i| i.kind == kind).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{heading}");
        for i in items {
            let mark = if kind == Kind::Ask {
                "   ?"
            } else {
                severity_mark(i.severity)
            };
            let _ = writeln!(s, "{mark} [{}] {}", i.id, i.title);
            let _ = writeln!(s, "      {}", i.detail);
            if !i.because.is_empty() {
                let _ = writeln!(s, "      because: {}", i.because.join("; "));
            }
            if !i.sources.is_empty() {
                let _ = writeln!(s, "      source: {}", i.sources.join(", "));
            }
        }
    }
    let _ = writeln!(s, "\nSCORES");
    for l in &e.scores.lesions {
        let level = l.level.map_or("?".into(), |x| x.to_string());
        let sins = match &l.sins {
            Some(x) if x.complete => format!("SINS {} ({})", x.known_total, x.band.unwrap_or("")),
            Some(x) => format!("SINS incomplete ({} so far)", x.known_total),
            None => "SINS not recorded".into(),
        };
        let escc = l
            .escc
            .map_or("ESCC not recorded".into(), |g| format!("ESCC {g}"));
        let _ = writeln!(s, "  {level}: {sins}; {escc}");
    }
    let t = &e.scores.tokuhashi;
    match (t.total, t.band) {
        (Some(total), Some(band)) => {
            let _ = writeln!(
                s,
                "  Revised Tokuhashi: {total}/15, predicted survival {band}"
            );
        }
        _ => {
            let _ = writeln!(
                s,
                "  Revised Tokuhashi: incomplete ({} so far; missing {})",
                t.known_total,
                t.missing.join(", ")
            );
        }
    }
    let perf = &e.scores.performance;
    if perf.ecog.is_some() || perf.kps.is_some() {
        let _ = writeln!(
            s,
            "  Performance: ECOG {} / KPS {} (mapping approximate)",
            perf.ecog.map_or_else(
                || perf.ecog_from_kps.map_or("?".into(), |x| format!("≈{x}")),
                |x| x.to_string()
            ),
            perf.kps.map_or_else(
                || perf.kps_from_ecog.map_or("?".into(), |x| format!("≈{x}")),
                |x| x.to_string()
            )
        );
    }
    if let Some(f) = e.scores.frankel.latest {
        let _ = writeln!(
            s,
            "  Frankel: {} (latest){}",
            f.as_str().to_uppercase(),
            if e.scores.frankel.drops.is_empty() {
                String::new()
            } else {
                format!("; drop at {}", e.scores.frankel.drops.join(", "))
            }
        );
    }
    let r = &e.scores.rt_schedule;
    if let (Some(n), Some(w)) = (r.fractions, r.weeks) {
        let _ = writeln!(
            s,
            "  RT schedule: {n} fractions, {} weeks; EQD2 {} Gy tumour, {} Gy cord",
            fmt_num(w),
            fmt_num(r.eqd2_tumour.unwrap_or(0.0)),
            fmt_num(r.eqd2_cord.unwrap_or(0.0))
        );
    }
    for f in &e.scores.rt_field {
        let _ = writeln!(s, "  RT field: {}", f.text);
    }
    let params: Vec<String> = protocol
        .params
        .entries()
        .iter()
        .map(|(k, v)| format!("{k}={}", fmt_num(*v)))
        .collect();
    let _ = writeln!(s, "\nProtocol ({}): {}", protocol.origin, params.join(", "));
    s
}
