//! The Observations of the export: age as recorded; SINS and ESCC per lesion; the Frankel
//! grade of every neuro exam; ECOG, KPS and the revised Tokuhashi score. Only what is
//! recorded, and scores only when complete.
//!
//! Times: a neuro exam's Frankel grade is effective at the exam's time; the computed and
//! recorded scores at the evaluation moment; every Observation is `issued` then.

use super::bundle::Ctx;
use super::codes::{self, LOINC, OBS_CATEGORY, SCORE_SYSTEM, UCUM};
use super::fhir::*;
use super::ids::{List, row_uid};
use super::{times, words};
use crate::case::deterioration::deterioration;

/// An Observation with what every one of them carries.
fn base(c: &Ctx, role: &str, category: Option<(&str, &str)>, code: CodeableConcept) -> Observation {
    Observation {
        id: c.naming.id(role),
        identifier: vec![c.naming.identifier(role)],
        status: "final",
        category: category
            .map(|(code, display)| CodeableConcept::code(OBS_CATEGORY, code, display))
            .into_iter()
            .collect(),
        code,
        subject: c.subject(),
        effective_date_time: None,
        issued: c.issued.clone(),
        value: None,
        interpretation: Vec::new(),
        note: Vec::new(),
        body_site: None,
        derived_from: Vec::new(),
        component: Vec::new(),
    }
}

fn score_code(code: &str, display: &str, text: &str) -> CodeableConcept {
    CodeableConcept::coded(Coding::new(SCORE_SYSTEM, code, Some(display)), text)
}

/// The observations of lesion `i`: SINS when complete, ESCC when recorded. Each comes with
/// its role (its identifier's tail).
pub(super) fn lesion(c: &Ctx, i: usize) -> Vec<(String, Observation)> {
    let Some(score) = c.eval.scores.lesions.get(i) else {
        return Vec::new();
    };
    let uid = row_uid(c.case, List::Lesions, i);
    let mut out = Vec::new();
    let site = score.level.map(|l| CodeableConcept::text(l.to_string()));
    if let Some(sins) = score.sins.as_ref().filter(|s| s.complete)
        && let (Some(total), Some(band)) = (sins.total, sins.band)
    {
        let role = format!("lesion/{uid}/sins");
        let mut o = base(
            c,
            &role,
            Some(("survey", "Survey")),
            score_code(
                "sins",
                "Spinal Instability Neoplastic Score (SINS)",
                "Spinal Instability Neoplastic Score (SINS)",
            ),
        );
        o.effective_date_time = Some(c.effective.clone());
        o.value = Some(Value::Integer(total));
        o.interpretation = vec![CodeableConcept::text(band)];
        o.body_site = site.clone();
        o.component = sins
            .components
            .iter()
            .filter_map(|comp| {
                let (_, label) = codes::SINS_PARTS.iter().find(|(p, _)| *p == comp.name)?;
                let value = comp.value.as_deref()?;
                let display = codes::sins_answer_display(comp.name, value);
                let mut text = words::sins_value(value);
                if comp.name == "location" && sins.location_derived {
                    text.push_str(" (from the level)");
                }
                Some(ObservationComponent {
                    code: score_code(&codes::code(&["sins", comp.name]), label, label),
                    value: Some(Value::CodeableConcept(CodeableConcept::coded(
                        Coding::new(
                            SCORE_SYSTEM,
                            &codes::code(&["sins", comp.name, value]),
                            Some(&display),
                        ),
                        text,
                    ))),
                })
            })
            .collect();
        if sins.location_derived {
            o.note = vec![Annotation {
                text: "SINS location not recorded: read from the lesion's level.".into(),
            }];
        }
        out.push((role, o));
    }
    if let Some(grade) = score.escc {
        let role = format!("lesion/{uid}/escc");
        let mut o = base(
            c,
            &role,
            Some(("imaging", "Imaging")),
            score_code(
                "escc",
                "Epidural spinal cord compression grade (Bilsky)",
                "Epidural spinal cord compression grade (Bilsky)",
            ),
        );
        o.effective_date_time = Some(c.effective.clone());
        o.value = Some(Value::CodeableConcept(CodeableConcept::coded(
            Coding::new(
                SCORE_SYSTEM,
                &codes::escc_code(grade),
                Some(&codes::escc_display(grade)),
            ),
            format!("ESCC {grade}: {}", words::escc(grade)),
        )));
        if score.escc_high_grade {
            o.interpretation = vec![CodeableConcept::text("high-grade compression")];
        }
        o.body_site = site;
        out.push((role, o));
    }
    out
}

/// The Frankel grade of every neuro exam counted now that records one, in the protocol's
/// order, with its row index; a drop from the exam before is noted as from → to.
pub(super) fn frankel_exams(c: &Ctx) -> Vec<(usize, String, Observation)> {
    let cutoff = crate::protocol::clocks::cutoff(c.now, &c.protocol.params);
    let mut out = Vec::new();
    for step in deterioration(&c.case.neuro_exams, Some(cutoff)) {
        let i = step.index;
        let Some(grade) = c.case.neuro_exams[i].frankel else {
            continue;
        };
        let role = format!("neuro-exam/{}/frankel", row_uid(c.case, List::Exams, i));
        let mut o = base(
            c,
            &role,
            Some(("exam", "Exam")),
            score_code("frankel", "Frankel grade", "Frankel grade"),
        );
        o.effective_date_time = step.at.map(|t| times::date_time(c.zone, t));
        let letter = grade.as_str().to_uppercase();
        o.value = Some(Value::CodeableConcept(CodeableConcept::coded(
            Coding::new(
                SCORE_SYSTEM,
                &codes::frankel_code(grade),
                Some(&codes::frankel_display(grade)),
            ),
            format!("Frankel {letter}: {}", words::frankel(grade)),
        )));
        if let Some(drop) = step.changes.iter().find(|w| w.starts_with("Frankel ")) {
            o.note = vec![Annotation {
                text: format!("Grade dropped since the exam before: {drop}."),
            }];
        }
        out.push((i, role, o));
    }
    out
}

/// Age as recorded (LOINC 30525-0, in years); no birth date is made up from it.
pub(super) fn age(c: &Ctx) -> Option<(String, Observation)> {
    let years = c.case.patient.age?;
    let role = "age".to_string();
    let mut o = base(
        c,
        &role,
        None,
        CodeableConcept::coded(Coding::new(LOINC, "30525-0", Some("Age")), "Age"),
    );
    o.value = Some(Value::Quantity(Quantity {
        value: years,
        unit: "years",
        system: UCUM,
        code: "a",
    }));
    Some((role, o))
}

/// ECOG and KPS as recorded (LOINC), and the revised Tokuhashi score when complete,
/// derived from the KPS (or ECOG) and the Frankel observations it reads.
pub(super) fn performance_and_prognosis(
    c: &Ctx,
    latest_frankel: Option<&str>,
) -> Vec<(String, Observation)> {
    let mut out: Vec<(String, Observation)> = Vec::new();
    let perf = &c.eval.scores.performance;
    if let Some(ecog) = perf.ecog {
        let mut o = base(
            c,
            "ecog",
            Some(("survey", "Survey")),
            CodeableConcept::coded(
                Coding::new(LOINC, "89247-1", Some("ECOG Performance Status score")),
                "ECOG performance status",
            ),
        );
        o.effective_date_time = Some(c.effective.clone());
        o.value = Some(Value::Integer(ecog));
        out.push(("ecog".into(), o));
    }
    if let Some(kps) = perf.kps {
        let mut o = base(
            c,
            "kps",
            Some(("survey", "Survey")),
            CodeableConcept::coded(
                Coding::new(LOINC, "89243-0", Some("Karnofsky Performance Status score")),
                "Karnofsky performance status",
            ),
        );
        o.effective_date_time = Some(c.effective.clone());
        o.value = Some(Value::Integer(kps));
        out.push(("kps".into(), o));
    }
    let t = &c.eval.scores.tokuhashi;
    if let (true, Some(total), Some(band)) = (t.complete, t.total, t.band) {
        let mut o = base(
            c,
            "tokuhashi",
            Some(("survey", "Survey")),
            score_code(
                "tokuhashi-revised",
                "Revised Tokuhashi score",
                "Revised Tokuhashi score",
            ),
        );
        o.effective_date_time = Some(c.effective.clone());
        o.value = Some(Value::Integer(total));
        o.interpretation = vec![CodeableConcept::text(format!("predicted survival {band}"))];
        // General condition reads the KPS (else the ECOG), palsy the latest Frankel grade.
        let performance = if perf.kps.is_some() {
            out.iter().find(|(r, _)| r == "kps")
        } else {
            out.iter().find(|(r, _)| r == "ecog")
        };
        o.derived_from = performance
            .map(|(_, p)| full_url(&p.id))
            .into_iter()
            .chain(latest_frankel.map(str::to_string))
            .map(|u| Reference::to(&u))
            .collect();
        o.component = t
            .components
            .iter()
            .filter_map(|comp| {
                let (_, label) = codes::TOKUHASHI_PARTS
                    .iter()
                    .find(|(p, _)| *p == comp.name)?;
                Some(ObservationComponent {
                    code: score_code(&codes::code(&["tokuhashi", comp.name]), label, label),
                    value: comp.points.map(Value::Integer),
                })
            })
            .collect();
        out.push(("tokuhashi".into(), o));
    }
    out
}

fn full_url(id: &str) -> String {
    super::ids::full_url(id)
}
