//! The rows of each intake screen for a case: which fields, in clinical order, and the
//! running totals (read from the evaluation) between them.

use super::fields::Kind;
use super::form::{List, Row, Tab};
use crate::case::*;
use crate::protocol::Evaluation;

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
        // A location left unknown is read from the level; say so, since the total counts it.
        let derived = sins
            .filter(|s| s.location_derived)
            .and_then(|s| s.components.first()?.value.clone())
            .map_or(String::new(), |l| format!(" · location {l} (from level)"));
        rows.push(Row::Note(match sins {
            Some(s) if s.complete => {
                format!(
                    "SINS {} of 18 · {}{derived}",
                    s.known_total,
                    s.band.unwrap_or("")
                )
            }
            Some(s) => format!(
                "SINS so far {} ({} of 6 known){derived}",
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
        let m = &case.mri[i];
        let when = match (m.status, m.at, m.requested_at) {
            (Some(MriStatus::Done), Some(at), _) => format!("done {}", format_time(&at)),
            (_, _, Some(r)) => format!("requested {}", format_time(&r)),
            _ => "status ?".into(),
        };
        rows.push(Row::List {
            list: List::Mri,
            index: Some(i),
            title: format!("MRI {} · {when}", i + 1),
        });
        rows.extend([
            f(
                format!("mri[{i}].status"),
                "Status",
                choice(MriStatus::NAMES),
            ),
            f(format!("mri[{i}].requested_at"), "Requested at", Kind::Time),
            f(format!("mri[{i}].at"), "Done at", Kind::Time),
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
    rows.push(Row::ExamTable);
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
