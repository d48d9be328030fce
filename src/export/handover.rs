//! The handover note: what a colleague needs to act on in 30 seconds, built once as blocks
//! and rendered as Markdown (for the chart) or plain text (80 columns).
//!
//! Everything comes from the case and its evaluation; no rule is decided here.

use super::words::{self, SECTIONS, section_title};
use crate::case::{Case, Grade4, PathologyStatus, Treated, fmt_num, format_date, format_time};
use crate::protocol::{Evaluation, Item, Kind, Protocol, Severity};
use std::collections::BTreeSet;

/// One block of the note; the renderers decide how it looks.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    /// `key: value` in the header.
    Fact(&'static str, String),
    Heading(String),
    Subheading(String),
    /// A rule's line: severity mark (pitfalls), ID and text.
    Rule {
        severity: Option<Severity>,
        id: String,
        text: String,
    },
    Bullet(String),
    Para(String),
    Separator,
}

/// The note as blocks, in reading order.
pub fn note(case: &Case, e: &Evaluation, protocol: &Protocol) -> Vec<Block> {
    let mut b = Vec::new();
    b.push(Block::Title(format!(
        "Handover: {} · {}",
        e.headline(case.label()),
        e.now.replace('T', " ")
    )));
    header(&mut b, case, e, protocol);
    discharge(&mut b, case);

    b.push(Block::Heading("Pitfalls".into()));
    let pitfalls: Vec<&Item> = e.pitfalls().collect();
    if pitfalls.is_empty() {
        b.push(Block::Para("None.".into()));
    }
    for i in pitfalls {
        b.push(rule(i, Some(i.severity)));
    }

    b.push(Block::Heading("Plan".into()));
    let plan: Vec<&Item> = e.items.iter().filter(|i| i.kind == Kind::Plan).collect();
    let mut sections: Vec<&str> = SECTIONS.iter().map(|(k, _)| *k).collect();
    for i in &plan {
        if !sections.contains(&i.section.as_str()) {
            sections.push(&i.section);
        }
    }
    for section in sections {
        let items: Vec<&&Item> = plan.iter().filter(|i| i.section == section).collect();
        if items.is_empty() {
            continue;
        }
        b.push(Block::Subheading(section_title(section)));
        for i in items {
            b.push(rule(i, None));
        }
    }

    let asks: Vec<&Item> = e.items.iter().filter(|i| i.kind == Kind::Ask).collect();
    if !asks.is_empty() {
        b.push(Block::Heading("Still to record".into()));
        for i in asks {
            b.push(Block::Rule {
                severity: None,
                id: i.id.clone(),
                text: match &i.field {
                    Some(f) => format!("{} (field: {f})", i.title),
                    None => i.title.clone(),
                },
            });
        }
    }

    b.push(Block::Heading("Scores".into()));
    scores(&mut b, e);

    if let Some(notes) = case
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        b.push(Block::Heading("Notes".into()));
        for line in notes.lines().map(str::trim).filter(|l| !l.is_empty()) {
            b.push(Block::Para(line.to_string()));
        }
    }

    footer(&mut b, e, protocol);
    b
}

fn rule(i: &Item, severity: Option<Severity>) -> Block {
    let mut text = format!("{}. {}", i.title, i.detail);
    if !i.sources.is_empty() {
        text.push_str(&format!(" {}", i.sources.join(" ")));
    }
    Block::Rule {
        severity,
        id: i.id.clone(),
        text,
    }
}

fn header(b: &mut Vec<Block>, case: &Case, e: &Evaluation, protocol: &Protocol) {
    let s = &case.surgery;
    let mut surgery = Vec::new();
    if let Some(p) = s
        .procedure
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        surgery.push(p.to_string());
    }
    if let Some(d) = s.date {
        surgery.push(format!("on {}", format_date(&d)));
    }
    if let Some(span) = s.span {
        surgery.push(format!("instrumented {span}"));
    }
    if let Some(i) = s.indication {
        surgery.push(format!("for {}", words::indication(i)));
    }
    b.push(Block::Fact(
        "Surgery",
        if surgery.is_empty() {
            "not recorded".into()
        } else {
            surgery.join(", ")
        },
    ));

    let lesions: Vec<String> = case
        .lesions
        .iter()
        .map(|l| {
            let mut parts = vec![format!(
                "{} {}",
                l.level.map_or("level ?".into(), |x| x.to_string()),
                l.finding
                    .map_or("finding ?".into(), |f| words::plain(f.as_str()))
            )];
            match l.canal_stenosis {
                Some(Grade4::None) => parts.push("no canal stenosis".into()),
                Some(c) => parts.push(format!("{c} canal stenosis")),
                None => {}
            }
            match l.treated {
                Some(Treated::Surgery) => parts.push("treated by surgery".into()),
                Some(Treated::None) => parts.push("not treated".into()),
                None => {}
            }
            parts.push(match l.management {
                Some(m) => format!("plan: {m}"),
                None => "management undecided".into(),
            });
            parts.join(", ")
        })
        .collect();
    b.push(Block::Fact(
        "Lesions",
        if lesions.is_empty() {
            "none recorded".into()
        } else {
            lesions.join("; ")
        },
    ));
    for d in &case.degenerative_stenosis {
        let level = d.level.map_or("level ?".into(), |l| l.to_string());
        let severity = d.severity.map_or(String::new(), |s| format!(" {s}"));
        b.push(Block::Fact(
            "Stenosis",
            format!("{level}{severity} degenerative stenosis"),
        ));
    }

    let rt = &case.radiotherapy;
    let mut rt_line = words::rt_status(e, protocol);
    if let Some(c) = rt.consult {
        rt_line.push_str(&format!("; consult {c}"));
    }
    for (what, date) in [
        ("planned start", rt.planned_start),
        ("started", rt.start),
        ("ended", rt.end),
    ] {
        if let Some(d) = date {
            rt_line.push_str(&format!("; {what} {}", format_date(&d)));
        }
    }
    if let Some(ci) = rt.contraindication_recorded() {
        rt_line.push_str(&format!("; contraindication: {ci}"));
    }
    b.push(Block::Fact("Radiotherapy", rt_line));

    if let Some(m) = &e.clocks.mri {
        b.push(Block::Fact(
            "MRI clock",
            format!(
                "{}: due {} after the new or worse neuro exam at {}",
                m.display, m.due_at, m.exam_at
            ),
        ));
    }

    let p = &case.pathology;
    let pathology = match (p.status, e.clocks.pathology_pending_days) {
        (Some(PathologyStatus::Pending), Some(days)) => format!(
            "pending {days} {} (biopsy {})",
            if days == 1 { "day" } else { "days" },
            p.biopsy_date.map_or("?".into(), |d| format_date(&d))
        ),
        (Some(PathologyStatus::Pending), None) => "pending (biopsy date not recorded)".into(),
        (Some(PathologyStatus::Final), _) => {
            let mut s = format!(
                "final: {}",
                p.histology
                    .map_or("histology not recorded".into(), |h| words::plain(
                        h.as_str()
                    ))
            );
            if let Some(m) = p
                .markers
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
            {
                s.push_str(&format!("; markers: {m}"));
            }
            s
        }
        (None, _) => "not recorded".into(),
    };
    b.push(Block::Fact("Pathology", pathology));

    let neuro = match (&e.clocks.last_neuro_exam, &e.clocks.neuro_exam_age) {
        (Some(at), Some(age)) => {
            let mut s = format!("last exam {at} ({age})");
            if let Some(f) = e.scores.frankel.latest {
                s.push_str(&format!(
                    ", Frankel {} ({})",
                    f.as_str().to_uppercase(),
                    words::frankel(f)
                ));
            }
            s
        }
        _ => "no exam recorded".into(),
    };
    b.push(Block::Fact("Neuro", neuro));

    let w = &case.wound;
    if w.status.is_some() || w.checked_at.is_some() {
        let mut s = w.status.map_or("status ?".into(), |x| x.to_string());
        if let Some(t) = w.checked_at {
            s.push_str(&format!(", checked {}", format_time(&t)));
        }
        b.push(Block::Fact("Wound", s));
    }
}

fn discharge(b: &mut Vec<Block>, case: &Case) {
    if let Some(d) = case.discharge.planned_date {
        b.push(Block::Fact(
            "Discharge",
            format!("planned {}", format_date(&d)),
        ));
    }
}

fn scores(b: &mut Vec<Block>, e: &Evaluation) {
    for l in &e.scores.lesions {
        let level = l.level.map_or("level ?".into(), |x| x.to_string());
        let sins = match &l.sins {
            Some(x) if x.complete => {
                format!("SINS {}/18 {}", x.known_total, x.band.unwrap_or_default())
            }
            Some(x) => {
                let missing: Vec<String> = x
                    .components
                    .iter()
                    .filter(|c| c.points.is_none())
                    .map(|c| words::plain(c.name))
                    .collect();
                format!(
                    "SINS incomplete ({} so far; missing {})",
                    x.known_total,
                    missing.join(", ")
                )
            }
            None => "SINS not recorded".into(),
        };
        let escc = match l.escc {
            Some(g) if l.escc_high_grade => format!("ESCC {g} (high-grade)"),
            Some(g) => format!("ESCC {g}"),
            None => "ESCC not recorded".into(),
        };
        b.push(Block::Bullet(format!("{level}: {sins}; {escc}")));
    }
    let t = &e.scores.tokuhashi;
    b.push(Block::Bullet(match (t.total, t.band) {
        (Some(total), Some(band)) => {
            format!("Revised Tokuhashi: {total}/15, predicted survival {band}")
        }
        _ => format!(
            "Revised Tokuhashi: incomplete ({} so far; missing {})",
            t.known_total,
            t.missing.join(", ")
        ),
    }));
    let perf = &e.scores.performance;
    let mut ps = Vec::new();
    if let Some(ecog) = perf.ecog {
        ps.push(format!("ECOG {ecog}"));
    }
    if let Some(kps) = perf.kps {
        ps.push(format!("KPS {kps}"));
    }
    match (perf.ecog, perf.kps, perf.ecog_from_kps, perf.kps_from_ecog) {
        (None, Some(_), Some(ecog), _) => ps.push(format!("(≈ ECOG {ecog})")),
        (Some(_), None, _, Some(kps)) => ps.push(format!("(≈ KPS {kps})")),
        _ => {}
    }
    b.push(Block::Bullet(if ps.is_empty() {
        "Performance status: not recorded".into()
    } else {
        format!("Performance status: {}", ps.join(" "))
    }));
    if let Some(f) = e.scores.frankel.latest {
        let mut s = format!(
            "Frankel: {} ({})",
            f.as_str().to_uppercase(),
            words::frankel(f)
        );
        if let Some(at) = &e.scores.frankel.latest_at {
            s.push_str(&format!(" at {at}"));
        }
        if !e.scores.frankel.drops.is_empty() {
            s.push_str(&format!(
                "; grade dropped at {}",
                e.scores.frankel.drops.join(", ")
            ));
        }
        b.push(Block::Bullet(s));
    }
    let r = &e.scores.rt_schedule;
    if let (Some(n), Some(w)) = (r.fractions, r.weeks) {
        let mut s = format!("RT schedule: {n} fractions over {} weeks", fmt_num(w));
        if let (Some(t), Some(c)) = (r.eqd2_tumour, r.eqd2_cord) {
            s.push_str(&format!(
                "; EQD2 {} Gy tumour, {} Gy cord",
                fmt_num(t),
                fmt_num(c)
            ));
        }
        b.push(Block::Bullet(s));
    }
    for f in &e.scores.rt_field {
        b.push(Block::Bullet(format!("RT field: {}", f.text)));
    }
}

fn footer(b: &mut Vec<Block>, e: &Evaluation, protocol: &Protocol) {
    b.push(Block::Separator);
    let params: Vec<String> = e.protocol.iter().map(|(k, v)| format!("{k}={v}")).collect();
    b.push(Block::Para(format!(
        "Protocol: {}, version {} ({}). Parameters used: {}.",
        protocol.name,
        protocol.version,
        protocol.origin,
        params.join(", ")
    )));
    // The references cited by the items above, in their numeric order.
    let cited: BTreeSet<(u32, &str)> = e
        .items
        .iter()
        .flat_map(|i| i.sources.iter())
        .map(|s| {
            let n = s
                .trim_matches(|c| c == '[' || c == ']')
                .parse()
                .unwrap_or(u32::MAX);
            (n, s.as_str())
        })
        .collect();
    if !cited.is_empty() {
        b.push(Block::Subheading("Sources".into()));
        for (_, s) in cited {
            let text = protocol
                .texts
                .references
                .get(s)
                .map_or("(reference text missing from the protocol)", String::as_str);
            b.push(Block::Bullet(format!("{s} {text}")));
        }
    }
    b.push(Block::Para(format!(
        "Exported by spinewatch at {}. Decision support — verify against local protocol.",
        e.now
    )));
}
