//! The case and its evaluation as an HL7 FHIR R4 Bundle: by default a `transaction` of
//! conditional updates (`PUT Type?identifier=SYSTEM|VALUE`) a hospital's FHIR server can load
//! again and again without duplicating anything (FHIR.md).
//!
//! Only what the case holds goes in: no invented demographics, no observation for a score
//! that is incomplete. Names (identifier values, `fullUrl`s) come from the case id and the
//! rows' `uid`s under the installation's namespace, never from the label ([`Naming`]).
//!
//! Choices where the spec is silent (also in the README notes):
//! - Provenance has no `identifier` in R4: it is matched by a `meta.tag` carrying the same
//!   system and value (`PUT Provenance?_tag=SYSTEM|VALUE`).
//! - A lesion's Condition is `confirmed` once pathology is final only for the lesion(s) the
//!   surgery treated (the biopsied mass; with none marked treated, every destructive mass);
//!   other lesions stay `provisional`: one biopsy does not confirm another lesion. A
//!   degenerative stenosis is an imaging diagnosis: `confirmed`.
//! - A DetectedIssue implicates the Conditions at the levels its words name, else the
//!   lesion(s) the surgery treated.
//! - Deletions: rows removed from the case (their `uid` is in the audit trail but no longer
//!   in the case) and any resource an earlier export sent that this one no longer gives
//!   (a score no longer complete) are sent as `DELETE Type?identifier=…`.

use super::codes::{
    self, CONDITION_CATEGORY, CONDITION_CLINICAL, CONDITION_VERIFICATION, RULE_SYSTEM, V2_0203,
};
use super::fhir::*;
use super::ids::{self, List, Naming, conditional, full_url, row_uid};
use super::stable::stable;
use super::{BundleType, FhirContext, observations, times, words};
use crate::case::{Case, Finding, PathologyStatus, Sex, Treated, parse_time};
use crate::protocol::{Evaluation, Item, Kind, Protocol, Severity, clocks::RtState};
use crate::store::FhirSent;
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// What every part of the bundle reads.
pub(super) struct Ctx<'a> {
    pub case: &'a Case,
    pub eval: &'a Evaluation,
    pub protocol: &'a Protocol,
    pub naming: Naming,
    pub zone: Tz,
    pub now: NaiveDateTime,
    /// `instant` of the evaluation, with the site's offset.
    pub issued: String,
    /// `dateTime` of the evaluation (the effective time of computed scores).
    pub effective: String,
    patient_url: String,
}

impl Ctx<'_> {
    pub fn subject(&self) -> Reference {
        Reference::to(&self.patient_url)
    }
    fn stable(&self, text: &str) -> String {
        stable(text, self.case, self.eval, self.protocol.params.rt_deadline)
    }
}

/// The entries as they are gathered: each resource with its conditional URL and, for the
/// record of what was sent, its role.
struct Entries {
    puts: Vec<(Resource, String, Option<String>)>,
}

impl Entries {
    fn put(&mut self, resource: Resource, url: String, role: Option<String>) {
        self.puts.push((resource, url, role));
    }
}

/// The Bundle for `case` as evaluated in `eval`, and the record of what it sends.
pub fn bundle(
    case: &Case,
    eval: &Evaluation,
    protocol: &Protocol,
    fx: &FhirContext,
) -> (Bundle, FhirSent) {
    let naming = Naming::new(case, fx.namespace, fx.identifier_system.as_deref());
    let now = parse_time(&eval.now).unwrap_or_default();
    let patient_url = full_url(&naming.id("patient"));
    let c = Ctx {
        case,
        eval,
        protocol,
        zone: fx.zone,
        now,
        issued: times::date_time(fx.zone, now),
        effective: times::date_time(fx.zone, now),
        patient_url,
        naming,
    };
    let n = &c.naming;
    let mut e = Entries { puts: Vec::new() };

    // The code systems and spinewatch itself: the same for every case of the installation.
    for cs in codes::code_systems(protocol, env!("CARGO_PKG_VERSION"), |url| {
        n.id_of_value(url)
    }) {
        // Our own constant https URL: nothing in it needs escaping.
        let url = format!("CodeSystem?url={}", cs.url);
        e.put(Resource::CodeSystem(cs), url, None);
    }
    let device = device(&c);
    let device_url = full_url(&device.id);
    let device_request = conditional(
        "Device",
        "identifier",
        n.system(),
        &n.installation_value("device/spinewatch"),
    );
    e.put(Resource::Device(device), device_request, None);

    let (patient, patient_request) = patient(&c, fx);
    e.put(
        Resource::Patient(patient),
        patient_request,
        Some("patient".into()),
    );

    // Conditions: lesions, then degenerative stenoses, each by its row uid.
    let confirmed = confirmed_lesions(case);
    let mut lesion_urls: Vec<(usize, String)> = Vec::new();
    let mut conditions: Vec<(String, Condition)> = Vec::new();
    for (i, lesion) in case.lesions.iter().enumerate() {
        let role = format!("lesion/{}", row_uid(case, List::Lesions, i));
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
        let condition = Condition {
            id: n.id(&role),
            identifier: vec![n.identifier(&role)],
            clinical_status: CodeableConcept::code(CONDITION_CLINICAL, "active", "Active"),
            verification_status: if confirmed.contains(&i) {
                CodeableConcept::code(CONDITION_VERIFICATION, "confirmed", "Confirmed")
            } else {
                CodeableConcept::code(CONDITION_VERIFICATION, "provisional", "Provisional")
            },
            category: vec![problem_list_item()],
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
            subject: c.subject(),
            evidence: Vec::new(),
            note,
        };
        lesion_urls.push((i, full_url(&condition.id)));
        conditions.push((role, condition));
    }
    let mut stenosis_urls: Vec<(usize, String)> = Vec::new();
    for (i, st) in case.degenerative_stenosis.iter().enumerate() {
        let role = format!("stenosis/{}", row_uid(case, List::Stenoses, i));
        let facts: Vec<&str> = [
            (
                st.attributable_symptoms,
                "symptoms attributable to this level",
            ),
            (st.conservative_failed, "conservative treatment failed"),
            (st.functionally_limiting, "functionally limiting"),
        ]
        .into_iter()
        .filter(|(v, _)| *v == Some(true))
        .map(|(_, w)| w)
        .collect();
        let condition = Condition {
            id: n.id(&role),
            identifier: vec![n.identifier(&role)],
            clinical_status: CodeableConcept::code(CONDITION_CLINICAL, "active", "Active"),
            verification_status: CodeableConcept::code(
                CONDITION_VERIFICATION,
                "confirmed",
                "Confirmed",
            ),
            category: vec![problem_list_item()],
            code: Some(CodeableConcept::text(match st.severity {
                Some(s) => format!("degenerative spinal stenosis ({s})"),
                None => "degenerative spinal stenosis".to_string(),
            })),
            body_site: st
                .level
                .map(|l| CodeableConcept::text(l.to_string()))
                .into_iter()
                .collect(),
            subject: c.subject(),
            evidence: Vec::new(),
            note: if facts.is_empty() {
                Vec::new()
            } else {
                vec![Annotation {
                    text: facts.join("; "),
                }]
            },
        };
        stenosis_urls.push((i, full_url(&condition.id)));
        conditions.push((role, condition));
    }

    let procedure = procedure(&c, &lesion_urls);
    let procedure_url = procedure.as_ref().map(|p| full_url(&p.id));

    // Observations, with each lesion's scores linked from its Condition as evidence.
    let mut observations: Vec<(String, Observation)> = Vec::new();
    observations.extend(observations::age(&c));
    for (i, (_, condition)) in conditions.iter_mut().enumerate().take(case.lesions.len()) {
        let found = observations::lesion(&c, i);
        let evidence: Vec<Reference> = found
            .iter()
            .map(|(_, o)| Reference::to(&full_url(&o.id)))
            .collect();
        observations.extend(found);
        if !evidence.is_empty() {
            condition
                .evidence
                .push(ConditionEvidence { detail: evidence });
        }
    }
    let exams = observations::frankel_exams(&c);
    let latest_frankel = exams.last().map(|(_, _, o)| full_url(&o.id));
    observations.extend(exams.into_iter().map(|(_, role, o)| (role, o)));
    observations.extend(observations::performance_and_prognosis(
        &c,
        latest_frankel.as_deref(),
    ));

    let care_plan = care_plan(
        &c,
        lesion_urls
            .iter()
            .chain(&stenosis_urls)
            .map(|(_, u)| Reference::to(u))
            .collect(),
        procedure_url
            .iter()
            .map(|u| Reference::to(u))
            .chain(
                observations
                    .iter()
                    .map(|(_, o)| Reference::to(&full_url(&o.id))),
            )
            .collect(),
    );

    let condition_levels: Vec<(String, String)> = case
        .lesions
        .iter()
        .map(|l| l.level.map(|x| x.to_string()))
        .zip(lesion_urls.iter().map(|(_, u)| u.clone()))
        .chain(
            case.degenerative_stenosis
                .iter()
                .map(|s| s.level.map(|x| x.to_string()))
                .zip(stenosis_urls.iter().map(|(_, u)| u.clone())),
        )
        .filter_map(|(level, url)| level.map(|l| (l, url)))
        .collect();
    let treated_urls: Vec<String> = lesion_urls
        .iter()
        .filter(|(i, _)| case.lesions[*i].treated == Some(Treated::Surgery))
        .map(|(_, u)| u.clone())
        .collect();

    for (role, cond) in conditions {
        e.put(
            Resource::Condition(cond),
            n.conditional("Condition", &role),
            Some(role),
        );
    }
    if let Some(p) = procedure {
        let role = "procedure/stabilization".to_string();
        e.put(
            Resource::Procedure(p),
            n.conditional("Procedure", &role),
            Some(role),
        );
    }
    for (role, o) in observations {
        e.put(
            Resource::Observation(o),
            n.conditional("Observation", &role),
            Some(role),
        );
    }
    e.put(
        Resource::CarePlan(care_plan),
        n.conditional("CarePlan", "careplan"),
        Some("careplan".into()),
    );

    // Pitfalls now, then those sent before that have cleared since (cancelled).
    let mut pitfalls: BTreeSet<String> = fx.sent.pitfalls.clone();
    for item in eval.pitfalls() {
        pitfalls.insert(item.id.clone());
        let implicated = implicated(item, &condition_levels, &treated_urls);
        let issue = detected_issue(&c, &item.id, Some(item), implicated);
        let role = format!("issue/{}", item.id);
        e.put(
            Resource::DetectedIssue(issue),
            n.conditional("DetectedIssue", &role),
            Some(role),
        );
    }
    for id in &fx.sent.pitfalls {
        if eval.fired(id) {
            continue;
        }
        let issue = detected_issue(&c, id, None, Vec::new());
        let role = format!("issue/{id}");
        e.put(
            Resource::DetectedIssue(issue),
            n.conditional("DetectedIssue", &role),
            Some(role),
        );
    }

    // Provenance of everything above bar the code systems and spinewatch itself.
    let targets: Vec<Reference> = e
        .puts
        .iter()
        .filter(|(r, _, _)| !matches!(r, Resource::CodeSystem(_) | Resource::Device(_)))
        .map(|(r, _, _)| Reference::to(&full_url(r.id())))
        .collect();
    let provenance = provenance(&c, fx, targets, &device_url);
    let provenance_request = conditional("Provenance", "_tag", n.system(), &n.value("provenance"));
    e.put(Resource::Provenance(provenance), provenance_request, None);

    // What this export gives, for the record and to find what it no longer gives.
    let given: BTreeSet<String> = e
        .puts
        .iter()
        .filter_map(|(r, _, role)| {
            role.as_ref()
                .map(|role| format!("{}|{role}", r.type_name()))
        })
        .collect();
    let mut deletes: BTreeSet<String> = fx
        .sent
        .resources
        .iter()
        .filter(|k| !k.starts_with("DetectedIssue|"))
        .cloned()
        .collect();
    deletes.extend(removed_rows(case, &fx.history));
    deletes.retain(|k| !given.contains(k));
    let sent = FhirSent {
        pitfalls,
        resources: fx.sent.resources.union(&given).cloned().collect(),
    };

    // A transaction or batch sends its resources without `id`: a conditional update that
    // matches a resource the server named itself refuses a body whose id differs (R4 http,
    // conditional update), so the second load would fail on servers that choose their own
    // ids. Without one, the first load creates and every later one updates. The `fullUrl`s
    // still tie the references together; the collection (an archive) keeps its ids.
    let with_request = fx.bundle != BundleType::Collection;
    let mut entries: Vec<Entry> = e
        .puts
        .into_iter()
        .map(|(mut resource, url, _)| {
            let full_url = full_url(resource.id());
            if with_request {
                resource.clear_id();
            }
            Entry {
                full_url: Some(full_url),
                resource: Some(resource),
                request: with_request.then_some(Request { method: "PUT", url }),
            }
        })
        .collect();
    if with_request {
        entries.extend(deletes.iter().filter_map(|k| {
            let (kind, role) = k.split_once('|')?;
            Some(Entry {
                full_url: None,
                resource: None,
                request: Some(Request {
                    method: "DELETE",
                    url: n.conditional(kind, role),
                }),
            })
        }));
    }
    (
        Bundle {
            resource_type: "Bundle",
            id: n.id(&format!("bundle/{}", fx.bundle.as_str())),
            kind: fx.bundle.as_str(),
            timestamp: times::instant_utc(fx.zone, now),
            entry: entries,
        },
        sent,
    )
}

fn problem_list_item() -> CodeableConcept {
    CodeableConcept::code(CONDITION_CATEGORY, "problem-list-item", "Problem List Item")
}

/// The lesions whose diagnosis a final pathology confirms: those the surgery treated (the
/// biopsied mass), else, with none marked treated, every destructive mass.
fn confirmed_lesions(case: &Case) -> BTreeSet<usize> {
    if case.pathology.status != Some(PathologyStatus::Final) {
        return BTreeSet::new();
    }
    let treated: BTreeSet<usize> = (0..case.lesions.len())
        .filter(|&i| case.lesions[i].treated == Some(Treated::Surgery))
        .collect();
    if !treated.is_empty() {
        return treated;
    }
    (0..case.lesions.len())
        .filter(|&i| case.lesions[i].finding == Some(Finding::DestructiveMass))
        .collect()
}

/// The Patient: the spinewatch identifier and, when recorded, the MRN (under the site's MRN
/// system); matched by the MRN when the site names its system, else by spinewatch's own.
/// No name (the label is a bed, not a name), no birth date (age is an Observation).
fn patient(c: &Ctx, fx: &FhirContext) -> (Patient, String) {
    let n = &c.naming;
    let p = &c.case.patient;
    let mrn = p.mrn.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let mrn_system = fx
        .mrn_system
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut identifier = vec![n.identifier("patient")];
    if let Some(mrn) = mrn {
        identifier.push(Identifier {
            usage: Some("usual"),
            kind: Some(CodeableConcept::code(
                V2_0203,
                "MR",
                "Medical record number",
            )),
            system: mrn_system.map(str::to_string),
            value: mrn.to_string(),
        });
    }
    let request = match (mrn, mrn_system) {
        (Some(mrn), Some(system)) => conditional("Patient", "identifier", system, mrn),
        _ => n.conditional("Patient", "patient"),
    };
    (
        Patient {
            id: n.id("patient"),
            identifier,
            gender: p.sex.map(|s| match s {
                Sex::Female => "female",
                Sex::Male => "male",
                Sex::Other => "other",
            }),
        },
        request,
    )
}

/// The stabilization, when the case records anything of it.
fn procedure(c: &Ctx, lesion_urls: &[(usize, String)]) -> Option<Procedure> {
    let s = &c.case.surgery;
    let procedure_text = s
        .procedure
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if s.date.is_none() && procedure_text.is_none() && s.span.is_none() {
        return None;
    }
    let role = "procedure/stabilization";
    Some(Procedure {
        id: c.naming.id(role),
        identifier: vec![c.naming.identifier(role)],
        status: "completed",
        code: Some(CodeableConcept::text(
            procedure_text.unwrap_or("Spinal stabilization"),
        )),
        subject: c.subject(),
        // The case holds the day of surgery, not its hour.
        performed_date_time: s.date.map(times::date),
        reason_code: s
            .indication
            .map(|i| CodeableConcept::text(words::indication(i)))
            .into_iter()
            .collect(),
        reason_reference: lesion_urls
            .iter()
            .filter(|(i, _)| c.case.lesions[*i].treated == Some(Treated::Surgery))
            .map(|(_, u)| Reference::to(u))
            .collect(),
        body_site: s
            .span
            .map(|sp| CodeableConcept::text(format!("instrumented {sp}")))
            .into_iter()
            .collect(),
    })
}

fn care_plan(c: &Ctx, addresses: Vec<Reference>, supporting_info: Vec<Reference>) -> CarePlan {
    let n = &c.naming;
    let p = c.protocol;
    CarePlan {
        id: n.id("careplan"),
        identifier: vec![n.identifier("careplan")],
        status: if c.case.is_archived() {
            "completed"
        } else {
            "active"
        },
        intent: "plan",
        title: Some("Post-operative plan after spinal stabilization".into()),
        description: Some(format!(
            "Decision support from spinewatch (protocol {} version {}); verify against local protocol.",
            p.name, p.version
        )),
        subject: c.subject(),
        period: c.case.surgery.date.map(|d| Period {
            start: Some(times::date(d)),
            end: None,
        }),
        addresses,
        supporting_info,
        activity: c
            .eval
            .items
            .iter()
            .filter(|i| i.kind == Kind::Plan)
            .map(|i| activity(c, i))
            .collect(),
        note: c
            .eval
            .items
            .iter()
            .filter(|i| i.kind == Kind::Ask)
            .map(|i| Annotation {
                text: format!("Still to record: {}", c.stable(&i.title)),
            })
            .collect(),
    }
}

/// One plan item as a CarePlan activity, its status taken from the facts of the case.
fn activity(c: &Ctx, item: &Item) -> Activity {
    let (status, scheduled_period, reason) = activity_status(c, item);
    let title = c.stable(&item.title);
    let mut description = format!("{title}. {}", c.stable(&item.detail));
    if !item.sources.is_empty() {
        description.push_str(&format!(" Source: {}.", item.sources.join(", ")));
    }
    Activity {
        detail: ActivityDetail {
            code: Some(CodeableConcept::coded(
                Coding::new(
                    RULE_SYSTEM,
                    &item.id,
                    Some(&codes::rule_display(c.protocol, &item.id)),
                ),
                title,
            )),
            status,
            status_reason: reason.map(CodeableConcept::text),
            scheduled_period,
            description: Some(description),
        },
    }
}

/// `detail.status` from the facts: a drug being given or a course under way in-progress,
/// radiotherapy deferred on-hold, done completed, a planned date scheduled, else not-started.
fn activity_status(c: &Ctx, item: &Item) -> (&'static str, Option<Period>, Option<String>) {
    use crate::case::{Consult, Dexamethasone, Opioid, SystemicStatus};
    let case = c.case;
    let rt = &case.radiotherapy;
    let on = |yes: bool| if yes { "in-progress" } else { "not-started" };
    let status = match item.id.as_str() {
        "P-RT-ADJUVANT" | "P-RT-TIMING" => match c.eval.rt_window.as_ref().map(|w| w.state) {
            Some(RtState::Completed) => "completed",
            Some(RtState::Started) => "in-progress",
            Some(RtState::Deferred) => {
                return (
                    "on-hold",
                    None,
                    rt.contraindication_recorded()
                        .map(|ci| format!("deferred: {ci}")),
                );
            }
            _ if rt.contraindication_recorded().is_some() => {
                return (
                    "on-hold",
                    None,
                    rt.contraindication_recorded()
                        .map(|ci| format!("deferred: {ci}")),
                );
            }
            _ => match rt.planned_start {
                Some(d) => {
                    return (
                        "scheduled",
                        Some(Period {
                            start: Some(times::date(d)),
                            end: None,
                        }),
                        None,
                    );
                }
                None => "not-started",
            },
        },
        "P-RT-CONSULT" => match rt.consult {
            Some(Consult::Seen) => "completed",
            Some(Consult::Requested) => "in-progress",
            _ => "not-started",
        },
        "P-MDT" if crate::protocol::clocks::mdt_held(case, c.now) => "completed",
        "P-PAIN-DEXA" | "B-DEXA-DOSE" => on(matches!(
            case.medications.dexamethasone,
            Some(Dexamethasone::Iv | Dexamethasone::Oral)
        )),
        "P-PAIN-NSAID" => on(case.medications.nsaid == Some(true)),
        "P-PAIN-OPIOID" => on(matches!(
            case.medications.opioid,
            Some(Opioid::ShortActing | Opioid::LongActing)
        )),
        "P-PAIN-GABA" => on(case.medications.gabapentinoid == Some(true)),
        "P-BONE-BISPHOS" => on(case.bone_health.bisphosphonate == Some(true)),
        "P-SYS-HEME" | "P-SYS-SOLID" => match case.systemic.status {
            Some(SystemicStatus::Started) => "in-progress",
            Some(SystemicStatus::Planned) => "scheduled",
            _ => "not-started",
        },
        "P-MON-NEURO" => on(case
            .neuro_exams
            .iter()
            .any(|e| e.at.is_some_and(|t| t <= c.now))),
        "P-MON-WOUND" => on(case.wound.checked_at.is_some_and(|t| t <= c.now)),
        _ => "not-started",
    };
    (status, None, None)
}

/// The Conditions a pitfall concerns: those at the levels its words name, else the lesions
/// the surgery treated.
fn implicated(item: &Item, levels: &[(String, String)], treated: &[String]) -> Vec<Reference> {
    let text = format!("{} {} {}", item.title, item.detail, item.because.join(" "));
    let tokens: BTreeSet<&str> = text
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
        .collect();
    let mut urls: Vec<&String> = levels
        .iter()
        .filter(|(level, _)| tokens.contains(level.as_str()))
        .map(|(_, u)| u)
        .collect();
    urls.dedup();
    if urls.is_empty() {
        urls = treated.iter().collect();
    }
    urls.into_iter().map(|u| Reference::to(u)).collect()
}

/// A pitfall as a DetectedIssue; `item` is `None` for one that has cleared (cancelled).
fn detected_issue(
    c: &Ctx,
    id: &str,
    item: Option<&Item>,
    implicated: Vec<Reference>,
) -> DetectedIssue {
    let n = &c.naming;
    let role = format!("issue/{id}");
    let display = codes::rule_display(c.protocol, id);
    let severity = item.map(|i| i.severity).or_else(|| {
        c.protocol
            .texts
            .rules
            .get(id)
            .map(|r| match r.severity.as_str() {
                "critical" => Severity::Critical,
                "warning" => Severity::Warning,
                _ => Severity::Info,
            })
    });
    DetectedIssue {
        id: n.id(&role),
        identifier: vec![n.identifier(&role)],
        status: if item.is_some() { "final" } else { "cancelled" },
        code: Some(CodeableConcept::coded(
            Coding::new(RULE_SYSTEM, id, Some(&display)),
            item.map_or(display.clone(), |i| c.stable(&i.title)),
        )),
        severity: severity.map(|s| match s {
            Severity::Critical => "high",
            Severity::Warning => "moderate",
            Severity::Info => "low",
        }),
        patient: Some(c.subject()),
        identified_date_time: item.map(|_| c.effective.clone()),
        implicated,
        detail: Some(match item {
            Some(i) => format!("{}. {}", c.stable(&i.title), c.stable(&i.detail)),
            None => format!("{display}: cleared (no longer found by the protocol)."),
        }),
    }
}

fn device(c: &Ctx) -> Device {
    let n = &c.naming;
    let value = n.installation_value("device/spinewatch");
    Device {
        id: n.id_of_value(&value),
        identifier: vec![Identifier {
            usage: Some("official"),
            system: Some(n.system().to_string()),
            value,
            ..Identifier::default()
        }],
        status: "active",
        device_name: vec![DeviceName {
            name: "spinewatch".into(),
            kind: "user-friendly-name",
        }],
        version: vec![
            DeviceVersion {
                kind: CodeableConcept::text("spinewatch"),
                value: env!("CARGO_PKG_VERSION").into(),
            },
            DeviceVersion {
                kind: CodeableConcept::text(format!("protocol {}", c.protocol.name)),
                value: c.protocol.version.clone(),
            },
        ],
    }
}

/// Who recorded (every clinician of the audit trail, as the store names them, first come
/// first) and what assembled (spinewatch) the bundle's resources.
fn provenance(c: &Ctx, fx: &FhirContext, target: Vec<Reference>, device_url: &str) -> Provenance {
    let n = &c.naming;
    let participant = |code: &str, display: &str| {
        CodeableConcept::code(codes::PROVENANCE_PARTICIPANT, code, display)
    };
    let mut users: Vec<&str> = Vec::new();
    for entry in &fx.history {
        let user = entry.user.trim();
        if !user.is_empty() && !users.contains(&user) {
            users.push(user);
        }
    }
    let mut agent: Vec<ProvenanceAgent> = users
        .into_iter()
        .map(|user| ProvenanceAgent {
            kind: participant("author", "Author"),
            who: Reference {
                reference: None,
                identifier: Some(Identifier {
                    system: Some(n.system().to_string()),
                    value: n.installation_value(&format!("user/{user}")),
                    ..Identifier::default()
                }),
                display: Some(user.to_string()),
            },
        })
        .collect();
    agent.push(ProvenanceAgent {
        kind: participant("assembler", "Assembler"),
        who: Reference::to(device_url),
    });
    Provenance {
        id: n.id("provenance"),
        meta: Meta {
            tag: vec![Coding::new(n.system(), &n.value("provenance"), None)],
        },
        target,
        recorded: c.issued.clone(),
        agent,
    }
}

/// Resources of rows removed from the case: a `uid` the audit trail holds under a list's
/// path that the case no longer has. As `Type|role`.
fn removed_rows(case: &Case, history: &[crate::store::audit::Entry]) -> BTreeSet<String> {
    let current: BTreeSet<(List, String)> = ids::current_uids(case).into_iter().collect();
    let mut seen: BTreeSet<(List, String)> = BTreeSet::new();
    for entry in history {
        let Some(list) = List::ALL
            .into_iter()
            .find(|l| entry.path == l.name() || entry.path.starts_with(&format!("{}[", l.name())))
        else {
            continue;
        };
        for v in [&entry.old, &entry.new] {
            collect_uids(v, &mut |uid| {
                seen.insert((list, uid.to_string()));
            });
        }
    }
    let mut out = BTreeSet::new();
    for (list, uid) in seen.difference(&current) {
        match list {
            List::Lesions => {
                out.insert(format!("Condition|lesion/{uid}"));
                out.insert(format!("Observation|lesion/{uid}/sins"));
                out.insert(format!("Observation|lesion/{uid}/escc"));
            }
            List::Stenoses => {
                out.insert(format!("Condition|stenosis/{uid}"));
            }
            List::Exams => {
                out.insert(format!("Observation|neuro-exam/{uid}/frankel"));
            }
            List::Mri => {}
        }
    }
    out
}

/// Every `uid` string of the rows in an audit value (a row, a list of rows, or a field).
fn collect_uids(v: &serde_json::Value, f: &mut impl FnMut(&str)) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(uid) = m.get("uid").and_then(|u| u.as_str()) {
                f(uid);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_uids(x, f)),
        _ => {}
    }
}

/// For a batch: every `reference` to an entry's `fullUrl` becomes that entry's conditional
/// URL (`Patient?identifier=…`), since a batch resolves no `urn:uuid` between entries.
pub(super) fn conditional_references(bundle: &mut serde_json::Value) {
    use serde_json::Value;
    let map: std::collections::BTreeMap<String, String> = bundle["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            Some((
                e["fullUrl"].as_str()?.to_string(),
                e["request"]["url"].as_str()?.to_string(),
            ))
        })
        .collect();
    fn walk(v: &mut Value, map: &std::collections::BTreeMap<String, String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "reference"
                        && let Some(to) = x.as_str().and_then(|s| map.get(s))
                    {
                        *x = Value::String(to.clone());
                    } else {
                        walk(x, map);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, map)),
            _ => {}
        }
    }
    if let Some(entries) = bundle.get_mut("entry").and_then(Value::as_array_mut) {
        for e in entries {
            if let Some(r) = e.get_mut("resource") {
                walk(r, &map);
            }
        }
    }
}
