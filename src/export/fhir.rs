//! The HL7 FHIR R4 (4.0.1) resources the export writes, as serde structs.
//!
//! Only the elements spinewatch fills are declared; element names and cardinalities follow
//! the R4 specification (a `Vec` is `0..*`, an `Option` is `0..1`, a bare field is `1..1`).
//! Empty lists and absent values are left out of the JSON, as FHIR requires (no empty arrays,
//! no nulls).

use serde::Serialize;

/// `Bundle`: `transaction`, `batch` or `collection`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub resource_type: &'static str,
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `instant`, in UTC: the evaluation moment.
    pub timestamp: String,
    pub entry: Vec<Entry>,
}

/// `Bundle.entry`: every entry carries its `fullUrl` (`urn:uuid:…`); a DELETE has no
/// resource (bdl-5 allows that only for a DELETE).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub full_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Resource>,
    /// Required in a transaction or batch (bdl-3), absent in a collection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Request>,
}

/// `Bundle.entry.request`: `method` and `url` are required.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    /// `PUT` (conditional update) or `DELETE` (conditional delete).
    pub method: &'static str,
    pub url: String,
}

/// The resources of the bundle, tagged with `resourceType`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "resourceType")]
pub enum Resource {
    Patient(Patient),
    Procedure(Procedure),
    Condition(Condition),
    Observation(Observation),
    CarePlan(CarePlan),
    DetectedIssue(DetectedIssue),
    Device(Device),
    Provenance(Provenance),
    CodeSystem(CodeSystem),
}

impl Resource {
    pub fn id(&self) -> &str {
        match self {
            Resource::Patient(r) => &r.id,
            Resource::Procedure(r) => &r.id,
            Resource::Condition(r) => &r.id,
            Resource::Observation(r) => &r.id,
            Resource::CarePlan(r) => &r.id,
            Resource::DetectedIssue(r) => &r.id,
            Resource::Device(r) => &r.id,
            Resource::Provenance(r) => &r.id,
            Resource::CodeSystem(r) => &r.id,
        }
    }

    /// Leaves the resource without `id` (a transaction or batch entry).
    pub fn clear_id(&mut self) {
        match self {
            Resource::Patient(r) => r.id.clear(),
            Resource::Procedure(r) => r.id.clear(),
            Resource::Condition(r) => r.id.clear(),
            Resource::Observation(r) => r.id.clear(),
            Resource::CarePlan(r) => r.id.clear(),
            Resource::DetectedIssue(r) => r.id.clear(),
            Resource::Device(r) => r.id.clear(),
            Resource::Provenance(r) => r.id.clear(),
            Resource::CodeSystem(r) => r.id.clear(),
        }
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Resource::Patient(_) => "Patient",
            Resource::Procedure(_) => "Procedure",
            Resource::Condition(_) => "Condition",
            Resource::Observation(_) => "Observation",
            Resource::CarePlan(_) => "CarePlan",
            Resource::DetectedIssue(_) => "DetectedIssue",
            Resource::Device(_) => "Device",
            Resource::Provenance(_) => "Provenance",
            Resource::CodeSystem(_) => "CodeSystem",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Coding {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Coding {
    pub fn new(system: &str, code: &str, display: Option<&str>) -> Coding {
        Coding {
            system: Some(system.into()),
            code: Some(code.into()),
            display: display.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct CodeableConcept {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CodeableConcept {
    /// A concept known only by its words (no code system is sure for it).
    pub fn text(text: impl Into<String>) -> CodeableConcept {
        CodeableConcept {
            coding: Vec::new(),
            text: Some(text.into()),
        }
    }
    pub fn coded(coding: Coding, text: impl Into<String>) -> CodeableConcept {
        CodeableConcept {
            coding: vec![coding],
            text: Some(text.into()),
        }
    }
    /// A coding alone, for required bindings (statuses, categories).
    pub fn code(system: &str, code: &str, display: &str) -> CodeableConcept {
        CodeableConcept {
            coding: vec![Coding::new(system, code, Some(display))],
            text: None,
        }
    }
}

/// `Reference`: a `reference` to a `fullUrl` in the bundle, or (for the clinician, who has
/// no resource here) an `identifier` with a `display`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Reference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

impl Reference {
    pub fn to(full_url: &str) -> Reference {
        Reference {
            reference: Some(full_url.to_string()),
            ..Reference::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Identifier {
    /// `usual | official | temp | secondary | old`.
    #[serde(rename = "use", skip_serializing_if = "Option::is_none")]
    pub usage: Option<&'static str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    pub value: String,
}

/// `Annotation`: `text` is required (1..1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Annotation {
    pub text: String,
}

/// `Period`: `start` / `end` are FHIR `dateTime`s (a date where the case holds a date).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
}

/// `Quantity` with a UCUM unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantity {
    pub value: u32,
    pub unit: &'static str,
    pub system: &'static str,
    pub code: &'static str,
}

/// `Meta`: only `tag` (the Provenance's match key; Provenance has no `identifier`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    pub tag: Vec<Coding>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Patient {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub identifier: Vec<Identifier>,
    /// `male | female | other | unknown` (AdministrativeGender).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Procedure {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub identifier: Vec<Identifier>,
    /// Required: `completed` for the stabilization that was done.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    /// Required.
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performed_date_time: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reason_code: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reason_reference: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub body_site: Vec<CodeableConcept>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionEvidence {
    /// Reference(Any); with `code` absent, `detail` must be present (con-2).
    pub detail: Vec<Reference>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub identifier: Vec<Identifier>,
    /// condition-clinical: `active`.
    pub clinical_status: CodeableConcept,
    /// condition-ver-status: `provisional` / `confirmed`.
    pub verification_status: CodeableConcept,
    /// condition-category: `problem-list-item`.
    pub category: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub body_site: Vec<CodeableConcept>,
    /// Required.
    pub subject: Reference,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<ConditionEvidence>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
}

/// `Observation.value[x]`: the one choice spinewatch uses per observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    #[serde(rename = "valueInteger")]
    Integer(u32),
    #[serde(rename = "valueCodeableConcept")]
    CodeableConcept(CodeableConcept),
    #[serde(rename = "valueQuantity")]
    Quantity(Quantity),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObservationComponent {
    /// Required.
    pub code: CodeableConcept,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub identifier: Vec<Identifier>,
    /// Required: `final`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<CodeableConcept>,
    /// Required.
    pub code: CodeableConcept,
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_date_time: Option<String>,
    /// `instant`: when this version was made (the evaluation moment).
    pub issued: String,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub interpretation: Vec<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_site: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derived_from: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub component: Vec<ObservationComponent>,
}

/// `CarePlan.activity.detail`: `status` is required; `code` and `description` say what.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityDetail {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    /// `not-started | scheduled | in-progress | on-hold | completed | cancelled | stopped |
    /// unknown | entered-in-error`.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<CodeableConcept>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_period: Option<Period>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activity {
    pub detail: ActivityDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CarePlan {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub identifier: Vec<Identifier>,
    /// Required: `active`, or `completed` for an archived case.
    pub status: &'static str,
    /// Required: `plan`.
    pub intent: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Required.
    pub subject: Reference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supporting_info: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<Activity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub note: Vec<Annotation>,
}

/// `DetectedIssue`: one per pitfall.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DetectedIssue {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub identifier: Vec<Identifier>,
    /// Required (ObservationStatus): `final`, or `cancelled` once the pitfall cleared.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<CodeableConcept>,
    /// `high | moderate | low`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patient: Option<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identified_date_time: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implicated: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceName {
    pub name: String,
    /// Required (DeviceNameType).
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceVersion {
    #[serde(rename = "type")]
    pub kind: CodeableConcept,
    /// Required.
    pub value: String,
}

/// `Device`: spinewatch itself, the software that assembled the bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub identifier: Vec<Identifier>,
    pub status: &'static str,
    pub device_name: Vec<DeviceName>,
    pub version: Vec<DeviceVersion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvenanceAgent {
    #[serde(rename = "type")]
    pub kind: CodeableConcept,
    /// Required.
    pub who: Reference,
}

/// `Provenance`: who recorded and what assembled the bundle's resources.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub meta: Meta,
    /// Required (1..*).
    pub target: Vec<Reference>,
    /// Required `instant`.
    pub recorded: String,
    /// Required (1..*).
    pub agent: Vec<ProvenanceAgent>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concept {
    pub code: String,
    pub display: String,
}

/// `CodeSystem`: spinewatch's own codes, published in the bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CodeSystem {
    /// Absent in a transaction or batch (matched by identifier, see `bundle`).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub url: String,
    pub identifier: Vec<Identifier>,
    pub version: String,
    pub name: String,
    pub title: String,
    /// Required: `active`.
    pub status: &'static str,
    pub publisher: &'static str,
    pub description: String,
    pub case_sensitive: bool,
    /// Required: `complete`.
    pub content: &'static str,
    pub count: usize,
    pub concept: Vec<Concept>,
}
