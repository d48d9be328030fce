//! The Observations of the export: SINS and ESCC per lesion; Tokuhashi, ECOG, KPS and the
//! latest Frankel grade for the patient. Only scores that are recorded and complete.

use super::bundle::Ids;
use super::fhir::*;
use super::words;
use crate::case::Frankel;
use crate::protocol::Evaluation;
use crate::protocol::scores::LesionScore;

/// Local code systems (URIs are ours; no public code system is sure for these concepts).
pub const SCORE_SYSTEM: &str = "urn:spinewatch:score";
pub const FRANKEL_SYSTEM: &str = "urn:spinewatch:frankel";
/// LOINC only where the code is certain: ECOG 89247-1, Karnofsky 89243-0.
const LOINC: &str = "http://loinc.org";
const OBS_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// A lesion's SINS (when complete) and ESCC grade (when recorded); `role` keys their ids.
pub(super) fn lesion(
    score: &LesionScore,
    role: &str,
    ids: &Ids<'_>,
    subject: &Reference,
) -> Vec<Observation> {
    let mut out = Vec::new();
    let site = score.level.map(|l| CodeableConcept::text(l.to_string()));
    if let Some(sins) = score.sins.as_ref().filter(|s| s.complete)
        && let (Some(total), Some(band)) = (sins.total, sins.band)
    {
        let id = ids.uuid(&format!("{role}/sins"));
        out.push(Observation {
            id,
            status: "final",
            category: vec![category("imaging", "Imaging")],
            code: CodeableConcept::coded(
                Coding::new(SCORE_SYSTEM, "sins", Some("SINS")),
                "Spinal Instability Neoplastic Score (SINS)",
            ),
            subject: subject.clone(),
            effective_date_time: None,
            value: Some(Value::Integer(total)),
            interpretation: vec![CodeableConcept::text(band)],
            note: Vec::new(),
            body_site: site.clone(),
            component: sins
                .components
                .iter()
                .map(|c| ObservationComponent {
                    code: CodeableConcept::text(match &c.value {
                        Some(v) if c.name == "location" && sins.location_derived => {
                            format!("SINS location: {} (from the level)", words::plain(v))
                        }
                        Some(v) => {
                            format!("SINS {}: {}", words::plain(c.name), words::sins_value(v))
                        }
                        None => format!("SINS {}", words::plain(c.name)),
                    }),
                    value: c.points.map(Value::Integer),
                })
                .collect(),
        });
    }
    if let Some(grade) = score.escc {
        let id = ids.uuid(&format!("{role}/escc"));
        out.push(Observation {
            id,
            status: "final",
            category: vec![category("imaging", "Imaging")],
            code: CodeableConcept::coded(
                Coding::new(SCORE_SYSTEM, "escc", Some("Bilsky ESCC grade")),
                "Epidural spinal cord compression grade (Bilsky)",
            ),
            subject: subject.clone(),
            effective_date_time: None,
            value: Some(Value::CodeableConcept(CodeableConcept::text(format!(
                "ESCC {grade}: {}",
                words::escc(grade)
            )))),
            interpretation: if score.escc_high_grade {
                vec![CodeableConcept::text("high-grade compression")]
            } else {
                Vec::new()
            },
            note: Vec::new(),
            body_site: site.clone(),
            component: Vec::new(),
        });
    }
    out
}

/// Tokuhashi, ECOG, KPS and the latest Frankel grade: only those recorded and complete.
pub(super) fn patient(eval: &Evaluation, ids: &Ids<'_>, subject: &Reference) -> Vec<Observation> {
    let base = |role: &str, category_code: (&str, &str), code: CodeableConcept| Observation {
        id: ids.uuid(role),
        status: "final",
        category: vec![category(category_code.0, category_code.1)],
        code,
        subject: subject.clone(),
        effective_date_time: None,
        value: None,
        interpretation: Vec::new(),
        note: Vec::new(),
        body_site: None,
        component: Vec::new(),
    };
    let mut out = Vec::new();
    let t = &eval.scores.tokuhashi;
    if let (true, Some(total), Some(band)) = (t.complete, t.total, t.band) {
        let mut o = base(
            "observation/tokuhashi",
            ("survey", "Survey"),
            CodeableConcept::coded(
                Coding::new(
                    SCORE_SYSTEM,
                    "tokuhashi-revised",
                    Some("Revised Tokuhashi score"),
                ),
                "Revised Tokuhashi score",
            ),
        );
        o.value = Some(Value::Integer(total));
        o.interpretation = vec![CodeableConcept::text(format!("predicted survival {band}"))];
        o.component = t
            .components
            .iter()
            .map(|c| ObservationComponent {
                code: CodeableConcept::text(match &c.from {
                    Some(from) => format!("Tokuhashi {}: {from}", words::plain(c.name)),
                    None => format!("Tokuhashi {}", words::plain(c.name)),
                }),
                value: c.points.map(Value::Integer),
            })
            .collect();
        out.push(o);
    }
    let perf = &eval.scores.performance;
    if let Some(ecog) = perf.ecog {
        let mut o = base(
            "observation/ecog",
            ("survey", "Survey"),
            CodeableConcept::coded(
                Coding::new(LOINC, "89247-1", Some("ECOG Performance Status score")),
                "ECOG performance status",
            ),
        );
        o.value = Some(Value::Integer(ecog));
        out.push(o);
    }
    if let Some(kps) = perf.kps {
        let mut o = base(
            "observation/kps",
            ("survey", "Survey"),
            CodeableConcept::coded(
                Coding::new(LOINC, "89243-0", Some("Karnofsky Performance Status score")),
                "Karnofsky performance status",
            ),
        );
        o.value = Some(Value::Integer(kps));
        out.push(o);
    }
    if let Some(grade) = eval.scores.frankel.latest {
        let mut o = base(
            "observation/frankel",
            ("exam", "Exam"),
            CodeableConcept::coded(
                Coding::new(SCORE_SYSTEM, "frankel", Some("Frankel grade")),
                "Frankel grade (latest neurological exam)",
            ),
        );
        let letter = grade.as_str().to_uppercase();
        o.value = Some(Value::CodeableConcept(CodeableConcept::coded(
            Coding::new(FRANKEL_SYSTEM, &letter, Some(frankel_words(grade))),
            format!("Frankel {letter}: {}", frankel_words(grade)),
        )));
        // The exam's local time has no offset: the date alone is a valid FHIR dateTime.
        o.effective_date_time = eval
            .scores
            .frankel
            .latest_at
            .as_deref()
            .map(|t| t.chars().take(10).collect());
        if !eval.scores.frankel.drops.is_empty() {
            o.note = vec![Annotation {
                text: format!("Grade dropped at {}", eval.scores.frankel.drops.join(", ")),
            }];
        }
        out.push(o);
    }
    out
}

fn frankel_words(f: Frankel) -> &'static str {
    words::frankel(f)
}

fn category(code: &str, display: &str) -> CodeableConcept {
    CodeableConcept {
        coding: vec![Coding::new(OBS_CATEGORY, code, Some(display))],
        text: None,
    }
}
