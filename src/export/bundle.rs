//! The case and its evaluation as an HL7 FHIR R4 Bundle (type `collection`).
//!
//! Only what the case holds goes in: no invented demographics, no observation for a score
//! that is incomplete. Ids are UUID v5 over the case id and the resource's role, so the same
//! case exports to the same ids and a re-export updates rather than duplicates.
//!
//! Times: the case records local times without an offset, and a FHIR `dateTime` with a time
//! must carry one. Rather than guess the ward's offset, every date and time is written as a
//! FHIR date (`2026-11-21`); the exact local times stay in the texts.

use super::fhir::*;
use super::observations;
use super::words;
use crate::case::{Case, Sex, Treated, format_date};
use crate::protocol::{Evaluation, Item, Kind, Protocol, clocks::RtState};
use uuid::Uuid;

/// The namespace of every spinewatch resource id: UUID v5 of `urn:spinewatch` in the URL
/// namespace, fixed so ids never change between versions.
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"urn:spinewatch")
}

/// The local code system of rule IDs (our URI; no public system holds them).
pub const RULE_SYSTEM: &str = "urn:spinewatch:rule";
/// The identifier system of spinewatch case ids.
pub const CASE_SYSTEM: &str = "urn:spinewatch:case";
const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// Resource ids for one case.
pub(super) struct Ids<'a> {
    case_key: &'a str,
}

impl Ids<'_> {
    pub(super) fn uuid(&self, role: &str) -> String {
        let name = format!("{}/{role}", self.case_key);
        Uuid::new_v5(&namespace(), name.as_bytes()).to_string()
    }
}

pub(super) fn full_url(id: &str) -> String {
    format!("urn:uuid:{id}")
}

/// The Bundle for `case` as evaluated in `eval`.
pub fn bundle(case: &Case, eval: &Evaluation, protocol: &Protocol) -> Bundle {
    // A case file without an id still exports deterministically, keyed by its label.
    let case_key = case.id.as_deref().unwrap_or_else(|| case.label());
    let ids = Ids { case_key };
    let mut entries: Vec<Entry> = Vec::new();

    let patient_id = ids.uuid("patient");
    let patient_url = full_url(&patient_id);
    entries.push(entry(Resource::Patient(patient(case, patient_id))));
    let subject = || Reference::to(&patient_url);

    // Conditions first: the procedure, the observations and the plan point at them.
    let mut lesion_urls: Vec<(usize, String)> = Vec::new();
    let mut conditions: Vec<Condition> = Vec::new();
    for (i, lesion) in case.lesions.iter().enumerate() {
        let id = ids.uuid(&lesion_role(case, i));
        lesion_urls.push((i, full_url(&id)));
        let mut note = Vec::new();
        let facts: Vec<String> = [
            lesion
                .canal_stenosis
                .map(|x| format!("canal stenosis: {}", words::plain(x.as_str()))),
            lesion
                .treated
                .map(|x| format!("treated: {}", words::plain(x.as_str()))),
            lesion
                .management
                .map(|x| format!("management: {}", words::plain(x.as_str()))),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !facts.is_empty() {
            note.push(Annotation {
                text: facts.join("; "),
            });
        }
        conditions.push(Condition {
            id,
            code: Some(CodeableConcept::text(
                lesion
                    .finding
                    .map_or("spinal lesion (finding not recorded)".to_string(), |f| {
                        format!("spinal {}", words::plain(f.as_str()))
                    }),
            )),
            body_site: lesion
                .level
                .map(|l| CodeableConcept::text(l.to_string()))
                .into_iter()
                .collect(),
            subject: subject(),
            evidence: Vec::new(),
            note,
        });
    }
    let mut stenosis_urls = Vec::new();
    for (i, st) in case.degenerative_stenosis.iter().enumerate() {
        let role = match st.level {
            Some(seg) => format!("condition/stenosis/{seg}"),
            None => format!("condition/stenosis/#{i}"),
        };
        let id = ids.uuid(&role);
        stenosis_urls.push(full_url(&id));
        conditions.push(Condition {
            id,
            code: Some(CodeableConcept::text(match st.severity {
                Some(s) => format!("degenerative spinal stenosis ({s})"),
                None => "degenerative spinal stenosis".to_string(),
            })),
            body_site: st
                .level
                .map(|l| CodeableConcept::text(l.to_string()))
                .into_iter()
                .collect(),
            subject: subject(),
            evidence: Vec::new(),
            note: Vec::new(),
        });
    }

    let procedure = procedure(case, &ids, subject(), &lesion_urls);
    let procedure_url = procedure.as_ref().map(|p| full_url(&p.id));

    // Observations, with each lesion's scores linked from its Condition as evidence.
    let mut observations: Vec<Observation> = Vec::new();
    for (i, score) in eval.scores.lesions.iter().enumerate() {
        let role = lesion_role(case, i);
        let found = observations::lesion(score, &role, &ids, &subject());
        let evidence: Vec<Reference> = found
            .iter()
            .map(|o| Reference::to(&full_url(&o.id)))
            .collect();
        observations.extend(found);
        if !evidence.is_empty()
            && let Some(c) = conditions.get_mut(i)
        {
            c.evidence.push(ConditionEvidence { detail: evidence });
        }
    }
    observations.extend(observations::patient(eval, &ids, &subject()));

    // The plan: one activity per plan item; pitfalls as notes flagged by severity (critical
    // first), then what is still to record.
    let addresses: Vec<Reference> = lesion_urls
        .iter()
        .map(|(_, u)| u)
        .chain(&stenosis_urls)
        .map(|u| Reference::to(u))
        .collect();
    let supporting_info: Vec<Reference> = procedure_url
        .iter()
        .map(|u| Reference::to(u))
        .chain(observations.iter().map(|o| Reference::to(&full_url(&o.id))))
        .collect();
    let care_plan = CarePlan {
        id: ids.uuid("careplan"),
        // The case id as a business identifier, so a receiving system can match a re-export
        // even where it assigns its own resource ids.
        identifier: case
            .id
            .iter()
            .map(|id| Identifier {
                kind: None,
                system: Some(CASE_SYSTEM.into()),
                value: id.clone(),
            })
            .collect(),
        status: "active",
        intent: "plan",
        title: Some(format!(
            "Post-operative plan after spinal stabilization: {}",
            case.label()
        )),
        description: Some(format!(
            "Decision support from spinewatch ({} {}), evaluated at {}{}; verify against local protocol. Radiotherapy: {}.",
            protocol.name,
            protocol.version,
            eval.now,
            eval.pod.map_or(String::new(), |p| format!(" (POD {p})")),
            words::rt_status(eval, protocol)
        )),
        subject: subject(),
        addresses,
        supporting_info,
        activity: eval
            .items
            .iter()
            .filter(|i| i.kind == Kind::Plan)
            .map(|i| activity(i, case, eval))
            .collect(),
        note: eval
            .pitfalls()
            .map(|i| Annotation {
                text: format!(
                    "{} pitfall [{}] {}: {}",
                    i.severity.as_str().to_uppercase(),
                    i.id,
                    i.title,
                    i.detail
                ),
            })
            .chain(
                eval.items
                    .iter()
                    .filter(|i| i.kind == Kind::Ask)
                    .map(|i| Annotation {
                        text: match &i.field {
                            Some(f) => {
                                format!("STILL TO RECORD [{}] {} (field: {f})", i.id, i.title)
                            }
                            None => format!("STILL TO RECORD [{}] {}", i.id, i.title),
                        },
                    }),
            )
            .collect(),
    };

    for c in conditions {
        entries.push(entry(Resource::Condition(c)));
    }
    if let Some(p) = procedure {
        entries.push(entry(Resource::Procedure(p)));
    }
    for o in observations {
        entries.push(entry(Resource::Observation(o)));
    }
    entries.push(entry(Resource::CarePlan(care_plan)));
    Bundle {
        resource_type: "Bundle",
        id: ids.uuid("bundle"),
        kind: "collection",
        entry: entries,
    }
}

fn entry(resource: Resource) -> Entry {
    Entry {
        full_url: full_url(resource.id()),
        resource,
    }
}

/// A lesion's role, by level (stable when lesions are reordered); a repeated or missing
/// level falls back to its position.
fn lesion_role(case: &Case, i: usize) -> String {
    let level = case.lesions[i].level;
    let repeated = case
        .lesions
        .iter()
        .take(i)
        .any(|l| l.level.is_some() && l.level == level);
    match level {
        Some(l) if !repeated => format!("condition/lesion/{l}"),
        _ => format!("condition/lesion/#{i}"),
    }
}

fn patient(case: &Case, id: String) -> Patient {
    let p = &case.patient;
    Patient {
        id,
        identifier: p
            .mrn
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|mrn| Identifier {
                kind: Some(CodeableConcept::coded(
                    Coding::new(V2_0203, "MR", Some("Medical record number")),
                    "MRN",
                )),
                system: None,
                value: mrn.to_string(),
            })
            .into_iter()
            .collect(),
        name: p
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| HumanName {
                text: l.to_string(),
            })
            .into_iter()
            .collect(),
        gender: p.sex.map(|s| match s {
            Sex::Female => "female",
            Sex::Male => "male",
            Sex::Other => "other",
        }),
    }
}

/// The stabilization, when the case records anything of it.
fn procedure(
    case: &Case,
    ids: &Ids,
    subject: Reference,
    lesion_urls: &[(usize, String)],
) -> Option<Procedure> {
    let s = &case.surgery;
    let procedure_text = s
        .procedure
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if s.date.is_none() && procedure_text.is_none() && s.span.is_none() {
        return None;
    }
    Some(Procedure {
        id: ids.uuid("procedure/stabilization"),
        status: "completed",
        code: Some(CodeableConcept::text(
            procedure_text.unwrap_or("Spinal stabilization"),
        )),
        subject,
        performed_date_time: s.date.map(|d| format_date(&d)),
        reason_code: s
            .indication
            .map(|i| CodeableConcept::text(words::indication(i)))
            .into_iter()
            .collect(),
        reason_reference: lesion_urls
            .iter()
            .filter(|(i, _)| case.lesions[*i].treated == Some(Treated::Surgery))
            .map(|(_, u)| Reference::to(u))
            .collect(),
        body_site: s
            .span
            .map(|sp| CodeableConcept::text(format!("instrumented {sp}")))
            .into_iter()
            .collect(),
        note: Vec::new(),
    })
}

/// One plan item as a CarePlan activity.
///
/// Status: the adjuvant radiotherapy follows the RT window (started → in-progress,
/// completed → completed, a planned start → scheduled); standing monitoring runs from the
/// operation (in-progress); everything else is still to do (not-started).
fn activity(item: &Item, case: &Case, eval: &Evaluation) -> Activity {
    let rt_state = eval.rt_window.as_ref().map(|w| w.state);
    let planned = case.radiotherapy.planned_start;
    let (status, scheduled_period) = match (item.kind, item.section.as_str()) {
        (Kind::Plan, _) if item.id == "P-RT-ADJUVANT" => match (rt_state, planned) {
            (Some(RtState::Completed), _) => ("completed", None),
            (Some(RtState::Started), _) => ("in-progress", None),
            (_, Some(d)) => (
                "scheduled",
                Some(Period {
                    start: Some(format_date(&d)),
                    end: None,
                }),
            ),
            _ => ("not-started", None),
        },
        (Kind::Plan, "monitoring") => ("in-progress", None),
        _ => ("not-started", None),
    };
    let mut description = format!("{}. {}", item.title, item.detail);
    if !item.sources.is_empty() {
        description.push_str(&format!(" Source: {}.", item.sources.join(", ")));
    }
    Activity {
        detail: ActivityDetail {
            code: Some(CodeableConcept::coded(
                Coding::new(RULE_SYSTEM, &item.id, Some(&item.title)),
                item.title.clone(),
            )),
            reason_reference: Vec::new(),
            status,
            scheduled_period,
            description: Some(description),
        },
    }
}
