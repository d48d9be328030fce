//! The handover note: what a colleague needs to act on in 30 seconds, built once as blocks
//! and rendered as Markdown (for the chart) or plain text (80 columns).
//!
//! Everything comes from the case and its evaluation; no rule is decided here.
//!
//! Reading order: who (label and MRN, age, sex), what is due and by when, then the facts,
//! pitfalls, plan, what is still to record, scores, notes. Words, never field paths; one
//! time format ([`When`]: today's times by the clock, other days with their date).

use super::stable::stable;
use super::words::{self, SECTIONS, section_title};
use crate::case::deterioration::deterioration;
use crate::case::{Case, Grade4, PathologyStatus, Treated, fmt_num, format_date, parse_time};
use crate::protocol::clocks::{self, RtState};
use crate::protocol::{Evaluation, Item, Kind, Protocol, Severity};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

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
    /// One line of "actions due": a time-critical item with its deadline.
    Action {
        critical: bool,
        text: String,
    },
    Para(String),
    Separator,
}

/// The note's one way of writing a time: `16:00` on the note's own day, else
/// `2026-11-21 08:00`; dates as `2026-12-18`.
struct When {
    today: NaiveDate,
}

impl When {
    fn time(&self, t: NaiveDateTime) -> String {
        if t.date() == self.today {
            t.format("%H:%M").to_string()
        } else {
            t.format("%Y-%m-%d %H:%M").to_string()
        }
    }
    /// A time as the evaluation writes it (`2026-11-21T08:00`).
    fn text(&self, t: &str) -> String {
        parse_time(t).map_or_else(|| t.replace('T', " "), |t| self.time(t))
    }
}

/// Field paths in protocol words (`tokuhashi.extraspinal_bone_mets`, `lesions[].escc`).
static FIELD_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:(patient|surgery|lesions|degenerative_stenosis|neuro_exams|mri|pathology|performance|wound|radiotherapy|systemic|bone_health|mdt|medications|complications|discharge|tokuhashi)((?:\[[0-9]*\])(?:\.[a-z_]+)*|(?:\.[a-z_]+)+)|(expected_survival_months|medically_stable))(?-u:\b)",
    )
    .unwrap()
});

static DATE_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([0-9]{4}-[0-9]{2}-[0-9]{2}) ([0-9]{2}:[0-9]{2})(?-u:\b)").unwrap()
});
static ROW_INDEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[[0-9]*\]").unwrap());

/// `text` with every field path written as words: `tokuhashi.visceral_mets` → "Tokuhashi
/// visceral mets", `lesions[1].escc` → "lesion ESCC".
pub fn no_paths(text: &str) -> String {
    // A path has a `word.word`, a `[`, or is one of the bare names: most texts have none.
    let b = text.as_bytes();
    let dotted = b
        .windows(3)
        .any(|w| w[0].is_ascii_lowercase() && w[1] == b'.' && w[2].is_ascii_lowercase());
    if !dotted
        && !text.contains('[')
        && !text.contains("expected_survival_months")
        && !text.contains("medically_stable")
    {
        return text.to_string();
    }
    FIELD_PATH
        .replace_all(text, |c: &regex::Captures| {
            if let Some(bare) = c.get(3) {
                return bare.as_str().replace('_', " ");
            }
            let head = match &c[1] {
                "lesions" => "lesion",
                "neuro_exams" => "neuro exam",
                "mri" => "MRI",
                "mdt" => "MDT",
                "tokuhashi" => "Tokuhashi",
                other => other,
            };
            let tail = ROW_INDEX.replace_all(&c[2], "").replace('.', " ");
            let words = format!("{head}{tail}").replace('_', " ");
            words
                .replace(" escc", " ESCC")
                .replace(" sins", " SINS")
                .replace(" kps", " KPS")
                .replace(" ecog", " ECOG")
                .replace(" nsaid", " NSAID")
                .replace(" rt ", " RT ")
        })
        .into_owned()
}

/// The note as blocks, in reading order.
pub fn note(case: &Case, e: &Evaluation, protocol: &Protocol) -> Vec<Block> {
    let now = parse_time(&e.now).unwrap_or_default();
    let when = When { today: now.date() };
    let today = now.format("%Y-%m-%d").to_string();
    // Protocol words in the note's one time format: today's times by the clock alone.
    let words_of = |t: &str| {
        let s = no_paths(&stable(t, case, e, protocol.params.rt_deadline));
        if !s.contains(today.as_str()) {
            return s;
        }
        DATE_TIME
            .replace_all(&s, |c: &regex::Captures| {
                if c[1] == today {
                    c[2].to_string()
                } else {
                    c[0].to_string()
                }
            })
            .into_owned()
    };
    let mut b = Vec::new();
    b.push(Block::Title(format!(
        "{}Handover: {} · {}",
        if case.is_archived() {
            "ARCHIVED · "
        } else {
            ""
        },
        e.headline(case.label()),
        now.format("%Y-%m-%d %H:%M")
    )));
    identity(&mut b, case);

    b.push(Block::Heading("Actions due".into()));
    let actions = actions_due(case, e, protocol, &when);
    if actions.is_empty() {
        b.push(Block::Para("Nothing time-critical.".into()));
    }
    b.extend(actions);

    b.push(Block::Heading("Case".into()));
    header(&mut b, case, e, protocol, &when);
    discharge(&mut b, case);

    b.push(Block::Heading("Pitfalls".into()));
    let pitfalls: Vec<&Item> = e.pitfalls().collect();
    if pitfalls.is_empty() {
        b.push(Block::Para("None.".into()));
    }
    for i in pitfalls {
        b.push(rule(i, Some(i.severity), &words_of));
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
            b.push(rule(i, None, &words_of));
        }
    }

    let asks: Vec<&Item> = e.items.iter().filter(|i| i.kind == Kind::Ask).collect();
    if !asks.is_empty() {
        b.push(Block::Heading("Still to record".into()));
        for i in asks {
            b.push(Block::Rule {
                severity: None,
                id: i.id.clone(),
                text: words_of(&i.title),
            });
        }
    }

    b.push(Block::Heading("Scores".into()));
    scores(&mut b, case, e, protocol, &when);

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

    footer(&mut b, e, protocol, now);
    b
}

/// Who the patient is: the label and the MRN (two identifiers), age and sex as recorded.
fn identity(b: &mut Vec<Block>, case: &Case) {
    let p = &case.patient;
    let label = p
        .label
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .unwrap_or("no label");
    let mrn = p
        .mrn
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map_or("MRN not recorded".to_string(), |m| format!("MRN {m}"));
    let age = p
        .age
        .map_or("age not recorded".to_string(), |a| format!("{a} years"));
    let sex = p
        .sex
        .map_or("sex not recorded".to_string(), |s| s.to_string());
    b.push(Block::Fact(
        "Patient",
        format!("{label} · {mrn} · {age} · {sex}"),
    ));
    let ward = case
        .ward
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| format!("ward {w}"));
    match (&case.id, ward) {
        (Some(id), Some(w)) => b.push(Block::Fact("Case", format!("{id}, {w}"))),
        (Some(id), None) => b.push(Block::Fact("Case", id.clone())),
        (None, Some(w)) => b.push(Block::Fact("Case", w)),
        (None, None) => {}
    }
    if case.is_archived() {
        b.push(Block::Fact(
            "Status",
            "ARCHIVED: discharged or closed; not on the rounds list".into(),
        ));
    }
}

/// Every time-critical item with its deadline, the most urgent kind first: the MRI clock,
/// critical pitfalls, the radiotherapy deadline, the neuro exam, the MDT, a discharge.
fn actions_due(case: &Case, e: &Evaluation, protocol: &Protocol, when: &When) -> Vec<Block> {
    let p = &protocol.params;
    let now = parse_time(&e.now).unwrap_or_default();
    let pod_date = |pod: f64| {
        case.surgery
            .date
            .map(|d| d + Duration::days(pod.round() as i64))
    };
    let mut out = Vec::new();
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    let mut push = |critical: bool, text: String| out.push(Block::Action { critical, text });

    if let Some(m) = &e.clocks.mri {
        covered.insert("W-NEURO-MRI");
        let due = when.text(&m.due_at);
        push(
            true,
            if m.minutes_left >= 0 {
                format!(
                    "MRI by {due} (new or worse neuro exam at {})",
                    when.text(&m.exam_at)
                )
            } else {
                format!(
                    "MRI overdue since {due} (new or worse neuro exam at {})",
                    when.text(&m.exam_at)
                )
            },
        );
    }
    if e.fired("W-DISCHARGE-NO-RT") {
        covered.insert("W-DISCHARGE-NO-RT");
        let date = case
            .discharge
            .planned_date
            .map_or("the planned discharge".to_string(), |d| {
                format!("discharge on {}", format_date(&d))
            });
        push(true, format!("RT consult and follow-up before {date}"));
    }
    for i in e.pitfalls().filter(|i| i.severity == Severity::Critical) {
        if !covered.contains(i.id.as_str()) && !matches!(i.id.as_str(), "W-RT-OVERDUE") {
            push(
                true,
                format!(
                    "Now: {}",
                    no_paths(&stable(&i.title, case, e, p.rt_deadline))
                ),
            );
        }
    }
    let deadline = fmt_num(p.rt_deadline);
    match (
        e.rt_window.as_ref().map(|w| w.state),
        pod_date(p.rt_deadline),
    ) {
        (Some(RtState::NotStartedEarly | RtState::Target | RtState::Closing), Some(d)) => {
            let from = pod_date(p.rt_target_from).map_or(String::new(), |f| {
                format!(
                    "; target window from {} (POD {})",
                    format_date(&f),
                    fmt_num(p.rt_target_from)
                )
            });
            push(
                false,
                format!("RT by {} (POD {deadline}){from}", format_date(&d)),
            );
        }
        (Some(RtState::Overdue), Some(d)) => push(
            true,
            format!("RT overdue since {} (POD {deadline})", format_date(&d)),
        ),
        (Some(RtState::Deferred), Some(d)) => push(
            false,
            format!(
                "RT deferred past {} (POD {deadline}): re-review daily",
                format_date(&d)
            ),
        ),
        _ => {}
    }
    let every = Duration::minutes((p.neuro_exam_max_h * 60.0).round() as i64);
    match e.clocks.last_neuro_exam.as_deref().and_then(parse_time) {
        Some(last) if !case.is_archived() => {
            let due = clocks::after_minutes(last, every.num_minutes(), protocol.zone);
            let text = if due < now {
                format!("Neuro exam overdue since {}", when.time(due))
            } else {
                format!("Neuro exam by {}", when.time(due))
            };
            push(
                false,
                format!(
                    "{text} (every {} h; last {})",
                    fmt_num(p.neuro_exam_max_h),
                    when.time(last)
                ),
            );
        }
        None if !case.is_archived() && case.surgery.date.is_some() => {
            push(false, "Neuro exam now (none recorded)".into());
        }
        _ => {}
    }
    if !clocks::mdt_held(case, now)
        && let Some(d) = pod_date(p.mdt_due_pod)
        && !case.is_archived()
    {
        let pod = fmt_num(p.mdt_due_pod);
        push(
            false,
            if d < now.date() {
                format!("MDT overdue since {} (POD {pod})", format_date(&d))
            } else {
                format!("MDT by {} (POD {pod})", format_date(&d))
            },
        );
    }
    out
}

fn rule(i: &Item, severity: Option<Severity>, words_of: &dyn Fn(&str) -> String) -> Block {
    let mut text = format!("{}. {}", words_of(&i.title), words_of(&i.detail));
    if !i.sources.is_empty() {
        text.push_str(&format!(" {}", i.sources.join(" ")));
    }
    Block::Rule {
        severity,
        id: i.id.clone(),
        text,
    }
}

fn header(b: &mut Vec<Block>, case: &Case, e: &Evaluation, protocol: &Protocol, when: &When) {
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
    if let (Some(d), false) = (case.surgery.date, rt.start.is_some()) {
        let at = |pod: f64| format_date(&(d + Duration::days(pod.round() as i64)));
        let p = &protocol.params;
        rt_line.push_str(&format!(
            "; window {} to {} (POD {}–{})",
            at(p.rt_target_from),
            at(p.rt_deadline),
            fmt_num(p.rt_target_from),
            fmt_num(p.rt_deadline)
        ));
    }
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
                m.display,
                when.text(&m.due_at),
                when.text(&m.exam_at)
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

    let neuro = match &e.clocks.last_neuro_exam {
        Some(at) => {
            let mut s = format!("last exam {}", when.text(at));
            if let Some(f) = e.scores.frankel.latest {
                s.push_str(&format!(
                    ", Frankel {} ({})",
                    f.as_str().to_uppercase(),
                    words::frankel(f)
                ));
            }
            for drop in frankel_drops(case, e, when, protocol) {
                s.push_str(&format!("; {drop}"));
            }
            s
        }
        None => "no exam recorded".into(),
    };
    b.push(Block::Fact("Neuro", neuro));

    let w = &case.wound;
    if w.status.is_some() || w.checked_at.is_some() {
        let mut s = w.status.map_or("status ?".into(), |x| x.to_string());
        if let Some(t) = w.checked_at {
            s.push_str(&format!(", checked {}", when.time(t)));
        }
        b.push(Block::Fact("Wound", s));
    }
}

/// Every drop of the Frankel grade, from → to, with the exam's time.
fn frankel_drops(case: &Case, e: &Evaluation, when: &When, protocol: &Protocol) -> Vec<String> {
    let now = parse_time(&e.now).unwrap_or_default();
    let cutoff = clocks::cutoff(now, &protocol.params);
    deterioration(&case.neuro_exams, Some(cutoff))
        .into_iter()
        .filter(|s| s.frankel_drop)
        .filter_map(|s| {
            let change = s.changes.iter().find(|c| c.starts_with("Frankel "))?;
            let grades = change.trim_start_matches("Frankel ");
            Some(match s.at {
                Some(at) => format!("Frankel dropped {grades} at {}", when.time(at)),
                None => format!("Frankel dropped {grades} (exam time not recorded)"),
            })
        })
        .collect()
}

fn discharge(b: &mut Vec<Block>, case: &Case) {
    if let Some(d) = case.discharge.planned_date {
        b.push(Block::Fact(
            "Discharge",
            format!("planned {}", format_date(&d)),
        ));
    }
}

fn scores(b: &mut Vec<Block>, case: &Case, e: &Evaluation, protocol: &Protocol, when: &When) {
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
            t.missing
                .iter()
                .map(|m| no_paths(m))
                .collect::<Vec<_>>()
                .join(", ")
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
            s.push_str(&format!(" at {}", when.text(at)));
        }
        for drop in frankel_drops(case, e, when, protocol) {
            s.push_str(&format!("; {drop}"));
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

fn footer(b: &mut Vec<Block>, e: &Evaluation, protocol: &Protocol, now: NaiveDateTime) {
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
        now.format("%Y-%m-%d %H:%M")
    )));
}
