//! The intake screens in clinical order and the rows each shows for a case.

use super::fields::Kind;
use crate::case::*;
use crate::protocol::{Evaluation, Kind as ItemKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Patient,
    Imaging,
    Neuro,
    Pathology,
    Pain,
    Wound,
    Discharge,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Patient,
        Tab::Imaging,
        Tab::Neuro,
        Tab::Pathology,
        Tab::Pain,
        Tab::Wound,
        Tab::Discharge,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Tab::Patient => "Patient & surgery",
            Tab::Imaging => "Imaging & lesions",
            Tab::Neuro => "Neurology",
            Tab::Pathology => "Pathology & oncology",
            Tab::Pain => "Pain & medications",
            Tab::Wound => "Wound, stability & RT",
            Tab::Discharge => "Coordination & discharge",
        }
    }
    /// Short title for the tab bar at 80 columns.
    pub fn short(self) -> &'static str {
        match self {
            Tab::Patient => "Patient",
            Tab::Imaging => "Imaging",
            Tab::Neuro => "Neuro",
            Tab::Pathology => "Path/Onc",
            Tab::Pain => "Pain",
            Tab::Wound => "Wound/RT",
            Tab::Discharge => "MDT/D/C",
        }
    }
    /// Name kept in the case's `ui` note to reopen on the same screen.
    pub fn key(self) -> &'static str {
        match self {
            Tab::Patient => "patient",
            Tab::Imaging => "imaging",
            Tab::Neuro => "neurology",
            Tab::Pathology => "pathology",
            Tab::Pain => "pain",
            Tab::Wound => "wound",
            Tab::Discharge => "discharge",
        }
    }
    pub fn from_key(k: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.key() == k)
    }
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
    pub fn step(self, by: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
    /// The screen where a case field is recorded (by the first part of its path).
    pub fn of_path(path: &str) -> Tab {
        let head = path.split(['.', '[']).next().unwrap_or("");
        match head {
            "lesions" | "degenerative_stenosis" | "mri" => Tab::Imaging,
            "neuro_exams" => Tab::Neuro,
            "pathology"
            | "performance"
            | "tokuhashi"
            | "expected_survival_months"
            | "systemic"
            | "bone_health" => Tab::Pathology,
            "medications" => Tab::Pain,
            "wound" | "radiotherapy" | "complications" => Tab::Wound,
            "mdt" | "discharge" | "notes" | "archived" => Tab::Discharge,
            _ => Tab::Patient,
        }
    }
    /// How many "still to record" asks point at this screen.
    pub fn asks(self, eval: &Evaluation) -> usize {
        eval.items
            .iter()
            .filter(|i| i.kind == ItemKind::Ask)
            .filter(|i| i.field.as_deref().is_some_and(|f| Tab::of_path(f) == self))
            .count()
    }
}

/// The editable lists of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    Lesions,
    Stenosis,
    Exams,
    Mri,
}

impl List {
    pub fn path(self) -> &'static str {
        match self {
            List::Lesions => "lesions",
            List::Stenosis => "degenerative_stenosis",
            List::Exams => "neuro_exams",
            List::Mri => "mri",
        }
    }
    pub fn noun(self) -> &'static str {
        match self {
            List::Lesions => "lesion",
            List::Stenosis => "degenerative stenosis",
            List::Exams => "neuro exam",
            List::Mri => "MRI",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A heading between groups of fields.
    Section(String),
    /// A computed line (running totals, schedule), read from the evaluation.
    Note(String),
    Field {
        path: String,
        label: &'static str,
        kind: Kind,
    },
    /// A list's header (`index: None`: add a row here) or one row's header.
    List {
        list: List,
        index: Option<usize>,
        title: String,
    },
    /// The spine map of the imaging screen.
    SpineMap,
}

impl Row {
    pub fn focusable(&self) -> bool {
        matches!(self, Row::Field { .. } | Row::List { .. })
    }
    /// The path the focus is remembered by.
    pub fn path(&self) -> String {
        match self {
            Row::Field { path, .. } => path.clone(),
            Row::List {
                list,
                index: Some(i),
                ..
            } => format!("{}[{i}]", list.path()),
            Row::List { list, .. } => list.path().to_string(),
            _ => String::new(),
        }
    }
}

const fn choice(names: &'static [&'static str]) -> Kind {
    Kind::Choice {
        names,
        numeric: false,
    }
}

const fn text(max: usize) -> Kind {
    Kind::Text { max }
}

const fn int(min: u32, max: u32) -> Kind {
    Kind::Int { min, max, step: 1 }
}

fn f(path: impl Into<String>, label: &'static str, kind: Kind) -> Row {
    Row::Field {
        path: path.into(),
        label,
        kind,
    }
}

fn section(s: &str) -> Row {
    Row::Section(s.to_string())
}

/// The rows of one screen for this case; running totals come from the evaluation.
pub fn rows(tab: Tab, case: &Case, eval: &Evaluation) -> Vec<Row> {
    match tab {
        Tab::Patient => vec![
            section("Patient"),
            f("patient.label", "Label (bed)", text(80)),
            f("patient.mrn", "MRN", text(40)),
            f("patient.age", "Age", int(0, 120)),
            f("patient.sex", "Sex", choice(Sex::NAMES)),
            section("Surgery"),
            f("surgery.date", "Date", Kind::Date),
            f("surgery.procedure", "Procedure", text(200)),
            f("surgery.span", "Span (T10-L2)", text(9)),
            f(
                "surgery.indication",
                "Indication",
                choice(Indication::NAMES),
            ),
            f("medically_stable", "Medically stable", Kind::Bool),
        ],
        Tab::Imaging => imaging(case, eval),
        Tab::Neuro => neuro(case, eval),
        Tab::Pathology => pathology(eval),
        Tab::Pain => {
            let m = "medications";
            vec![
                section("Pain & medications"),
                f(
                    format!("{m}.dexamethasone"),
                    "Dexamethasone",
                    choice(Dexamethasone::NAMES),
                ),
                f(format!("{m}.nsaid"), "NSAID", Kind::Bool),
                f(
                    format!("{m}.nsaid_contraindicated"),
                    "NSAID contraind.",
                    Kind::Bool,
                ),
                f(format!("{m}.opioid"), "Opioid", choice(Opioid::NAMES)),
                f(
                    format!("{m}.opioid_taper_plan"),
                    "Opioid taper plan",
                    Kind::Bool,
                ),
                f(format!("{m}.gabapentinoid"), "Gabapentinoid", Kind::Bool),
                f(
                    format!("{m}.neuropathic_pain"),
                    "Neuropathic pain",
                    Kind::Bool,
                ),
                f(
                    format!("{m}.benzodiazepine"),
                    "Benzodiazepine",
                    choice(Benzodiazepine::NAMES),
                ),
            ]
        }
        Tab::Wound => wound(eval),
        Tab::Discharge => {
            let mut rows = vec![section("MDT"), f("mdt.held_at", "Held at", Kind::Time)];
            for (name, label) in [
                ("hospitalist", "  hospitalist"),
                ("oncology", "  oncology"),
                ("radiation_oncology", "  radiation onc."),
                ("spine_surgery", "  spine surgery"),
                ("other", "  other"),
            ] {
                rows.push(f("mdt.attendees", label, Kind::Member { name }));
            }
            rows.extend([
                section("Discharge"),
                f("discharge.planned_date", "Planned date", Kind::Date),
                f(
                    "radiotherapy.followup_scheduled",
                    "RT follow-up booked",
                    Kind::Bool,
                ),
                f("notes", "Notes", text(4000)),
                f("archived", "Archived", Kind::Bool),
            ]);
            rows
        }
    }
}

fn imaging(case: &Case, eval: &Evaluation) -> Vec<Row> {
    let mut rows = vec![
        Row::SpineMap,
        Row::List {
            list: List::Lesions,
            index: None,
            title: format!("Lesions ({})", case.lesions.len()),
        },
    ];
    for (i, lesion) in case.lesions.iter().enumerate() {
        let level = lesion.level.map_or("?".into(), |l| l.to_string());
        rows.push(Row::List {
            list: List::Lesions,
            index: Some(i),
            title: format!("Lesion {} · {level}", i + 1),
        });
        let p = format!("lesions[{i}]");
        rows.extend([
            f(format!("{p}.level"), "Level", text(3)),
            f(format!("{p}.finding"), "Finding", choice(Finding::NAMES)),
            f(
                format!("{p}.canal_stenosis"),
                "Canal stenosis",
                choice(Grade4::NAMES),
            ),
            f(format!("{p}.escc"), "ESCC (Bilsky)", choice(Escc::NAMES)),
            f(format!("{p}.treated"), "Treated", choice(Treated::NAMES)),
            f(
                format!("{p}.management"),
                "Management",
                choice(Management::NAMES),
            ),
        ]);
        let sins = eval.scores.lesions.get(i).and_then(|s| s.sins.as_ref());
        rows.push(Row::Note(match sins {
            Some(s) if s.complete => {
                format!("SINS {} of 18 · {}", s.known_total, s.band.unwrap_or(""))
            }
            Some(s) => format!(
                "SINS so far {} ({} of 6 known)",
                s.known_total,
                s.components.iter().filter(|c| c.points.is_some()).count()
            ),
            None => "SINS not recorded".into(),
        }));
        rows.extend([
            f(
                format!("{p}.sins.location"),
                "SINS location",
                choice(SinsLocation::NAMES),
            ),
            f(
                format!("{p}.sins.pain"),
                "SINS pain",
                choice(SinsPain::NAMES),
            ),
            f(
                format!("{p}.sins.bone_lesion"),
                "SINS bone lesion",
                choice(BoneLesion::NAMES),
            ),
            f(
                format!("{p}.sins.alignment"),
                "SINS alignment",
                choice(Alignment::NAMES),
            ),
            f(
                format!("{p}.sins.collapse"),
                "SINS collapse",
                choice(Collapse::NAMES),
            ),
            f(
                format!("{p}.sins.posterolateral"),
                "SINS posterolat.",
                choice(Posterolateral::NAMES),
            ),
        ]);
    }
    rows.push(Row::List {
        list: List::Stenosis,
        index: None,
        title: format!(
            "Degenerative stenosis ({})",
            case.degenerative_stenosis.len()
        ),
    });
    for (i, s) in case.degenerative_stenosis.iter().enumerate() {
        let level = s.level.map_or("?".into(), |l| l.to_string());
        rows.push(Row::List {
            list: List::Stenosis,
            index: Some(i),
            title: format!("Stenosis {} · {level}", i + 1),
        });
        let p = format!("degenerative_stenosis[{i}]");
        rows.extend([
            f(format!("{p}.level"), "Segment (L4-L5)", text(7)),
            f(
                format!("{p}.severity"),
                "Severity",
                choice(Severity3::NAMES),
            ),
            f(
                format!("{p}.attributable_symptoms"),
                "Attributable sympt.",
                Kind::Bool,
            ),
            f(
                format!("{p}.conservative_failed"),
                "Conservative failed",
                Kind::Bool,
            ),
            f(
                format!("{p}.functionally_limiting"),
                "Functionally limit.",
                Kind::Bool,
            ),
        ]);
    }
    rows.push(Row::List {
        list: List::Mri,
        index: None,
        title: format!("MRI ({})", case.mri.len()),
    });
    for i in 0..case.mri.len() {
        rows.push(Row::List {
            list: List::Mri,
            index: Some(i),
            title: format!("MRI {}", i + 1),
        });
        rows.extend([
            f(format!("mri[{i}].at"), "At", Kind::Time),
            f(format!("mri[{i}].reason"), "Reason", text(200)),
        ]);
    }
    rows
}

fn neuro(case: &Case, eval: &Evaluation) -> Vec<Row> {
    let mut rows = Vec::new();
    if let Some(m) = &eval.clocks.mri {
        rows.push(Row::Note(format!(
            "MRI clock: {} (exam {}, due {})",
            m.display, m.exam_at, m.due_at
        )));
    }
    if let Some(g) = eval.scores.frankel.latest {
        rows.push(Row::Note(format!(
            "Latest Frankel {}{}",
            g.as_str().to_uppercase(),
            eval.clocks
                .neuro_exam_age
                .as_ref()
                .map_or(String::new(), |a| format!(" · last exam {a}"))
        )));
    }
    rows.push(Row::List {
        list: List::Exams,
        index: None,
        title: format!("Neuro exams ({})", case.neuro_exams.len()),
    });
    for (i, e) in case.neuro_exams.iter().enumerate() {
        let at = e.at.map_or("time ?".into(), |t| format_time(&t));
        rows.push(Row::List {
            list: List::Exams,
            index: Some(i),
            title: format!("Exam {} · {at}", i + 1),
        });
        let p = format!("neuro_exams[{i}]");
        rows.extend([
            f(format!("{p}.at"), "At", Kind::Time),
            f(
                format!("{p}.frankel"),
                "Frankel (a–e)",
                choice(Frankel::NAMES),
            ),
            f(format!("{p}.motor"), "Motor", choice(Function::NAMES)),
            f(
                format!("{p}.sensation"),
                "Sensation",
                choice(Function::NAMES),
            ),
            f(
                format!("{p}.sphincter"),
                "Sphincter",
                choice(Function::NAMES),
            ),
            f(format!("{p}.new_or_worse"), "New or worse", Kind::Bool),
        ]);
    }
    rows
}

fn pathology(eval: &Evaluation) -> Vec<Row> {
    let mut rows = vec![
        section("Pathology"),
        f("pathology.biopsy_date", "Biopsy date", Kind::Date),
        f("pathology.status", "Status", choice(PathologyStatus::NAMES)),
        f("pathology.histology", "Histology", choice(Histology::NAMES)),
        f("pathology.markers", "Markers", text(200)),
        section("Performance"),
        f("performance.ecog", "ECOG (0–5)", int(0, 5)),
        f(
            "performance.kps",
            "KPS (0–100)",
            Kind::Int {
                min: 0,
                max: 100,
                step: 10,
            },
        ),
    ];
    let perf = &eval.scores.performance;
    if let Some(e) = perf.ecog_from_kps.filter(|_| perf.ecog.is_none()) {
        rows.push(Row::Note(format!("KPS maps to ECOG ≈{e} (approximate)")));
    }
    if let Some(k) = perf.kps_from_ecog.filter(|_| perf.kps.is_none()) {
        rows.push(Row::Note(format!("ECOG maps to KPS ≈{k} (approximate)")));
    }
    rows.push(f(
        "expected_survival_months",
        "Exp. survival (mo)",
        int(0, 600),
    ));
    let t = &eval.scores.tokuhashi;
    rows.push(section("Revised Tokuhashi"));
    rows.push(Row::Note(match (t.total, t.band) {
        (Some(total), Some(band)) => format!("Tokuhashi {total} of 15 · survival {band}"),
        _ => format!(
            "Tokuhashi so far {} ({} of 6 known)",
            t.known_total,
            t.components.iter().filter(|c| c.points.is_some()).count()
        ),
    }));
    for c in &t.components {
        if c.name == "general_condition" || c.name == "palsy" {
            rows.push(Row::Note(format!(
                "  {}: {}",
                c.name.replace('_', " "),
                match (&c.from, c.points) {
                    (Some(from), Some(p)) => format!("{from} → {p}"),
                    _ => "unknown".into(),
                }
            )));
        }
    }
    rows.extend([
        f(
            "tokuhashi.extraspinal_bone_mets",
            "Extraspinal bone",
            Kind::Choice {
                names: &["0", "1", "3"],
                numeric: true,
            },
        ),
        f(
            "tokuhashi.vertebral_mets",
            "Vertebral mets",
            Kind::Choice {
                names: &["1", "2", "3"],
                numeric: true,
            },
        ),
        f(
            "tokuhashi.visceral_mets",
            "Visceral mets",
            choice(VisceralMets::NAMES),
        ),
        f("tokuhashi.primary", "Primary", choice(Primary::NAMES)),
        section("Systemic & bone health"),
        f(
            "systemic.status",
            "Systemic therapy",
            choice(SystemicStatus::NAMES),
        ),
        f("systemic.agent", "Agent", text(200)),
        f("bone_health.osteoporosis", "Osteoporosis", Kind::Bool),
        f(
            "bone_health.threatening_fracture",
            "Threatening fract.",
            Kind::Bool,
        ),
        f("bone_health.bisphosphonate", "Bisphosphonate", Kind::Bool),
    ]);
    rows
}

fn wound(eval: &Evaluation) -> Vec<Row> {
    let mut rows = vec![
        section("Wound"),
        f("wound.status", "Status", choice(WoundStatus::NAMES)),
        f("wound.checked_at", "Checked at", Kind::Time),
        section("Complications"),
    ];
    for (name, label) in [
        ("vte", "VTE"),
        ("pulmonary", "Pulmonary"),
        ("cardiac", "Cardiac"),
        ("spinous_process_fracture", "Spinous proc. fract."),
        ("hematoma", "Hematoma"),
        ("infection", "Infection"),
    ] {
        rows.push(f(format!("complications.{name}"), label, Kind::Bool));
    }
    let r = "radiotherapy";
    rows.extend([
        section("Radiotherapy"),
        f(format!("{r}.consult"), "Consult", choice(Consult::NAMES)),
        f(
            format!("{r}.contraindication"),
            "Contraindication",
            text(200),
        ),
        f(format!("{r}.planned_start"), "Planned start", Kind::Date),
        f(format!("{r}.start"), "Started", Kind::Date),
        f(format!("{r}.end"), "Ended", Kind::Date),
        f(
            format!("{r}.total_dose_gy"),
            "Total dose (Gy)",
            Kind::Dose { max: 80.0 },
        ),
        f(
            format!("{r}.dose_per_fraction_gy"),
            "Per fraction (Gy)",
            Kind::Dose { max: 30.0 },
        ),
    ]);
    let s = &eval.scores.rt_schedule;
    if let (Some(n), Some(w)) = (s.fractions, s.weeks) {
        rows.push(Row::Note(format!(
            "{n} fractions · {} weeks · EQD2 {} Gy tumour / {} Gy cord",
            fmt_num(w),
            fmt_num(s.eqd2_tumour.unwrap_or(0.0)),
            fmt_num(s.eqd2_cord.unwrap_or(0.0))
        )));
    }
    if let Some(w) = &eval.rt_window
        && let (Some(k), Some(n)) = (w.fraction, w.fractions)
    {
        rows.push(Row::Note(format!(
            "fraction {k} of {n}{}",
            w.expected_end
                .as_ref()
                .map_or(String::new(), |e| format!(" · ends {e}"))
        )));
    }
    rows.push(f(
        format!("{r}.followup_scheduled"),
        "Follow-up booked",
        Kind::Bool,
    ));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ask_field_points_at_a_screen_that_records_it() {
        // Asks name paths like `lesions[].sins` or `performance`; the screen must hold a
        // field under that path so "still to record" leads somewhere.
        let protocol = crate::protocol::Protocol::builtin();
        let now = parse_time("2026-11-25T09:00").unwrap();
        let demo = Case::from_json_str(include_str!("../../assets/demo-case.json"), now).unwrap();
        let eval = crate::protocol::evaluate(&demo, &protocol, now);
        for ask in protocol.texts.asks.values() {
            let tab = Tab::of_path(&ask.field);
            let prefix = ask.field.replace("[]", "[0]");
            let found = rows(tab, &demo, &eval).iter().any(|r| {
                let p = r.path();
                !p.is_empty() && (p.starts_with(&prefix) || prefix.starts_with(&p))
            });
            assert!(
                found,
                "{} ({}) has no field on {:?}",
                ask.id, ask.field, tab
            );
        }
    }
}
