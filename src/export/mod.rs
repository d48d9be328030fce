//! Exports of a case: the handover note (Markdown / plain text) and an HL7 FHIR R4 Bundle.
//!
//! All of them read the case and its evaluation only; nothing here decides a rule.

pub mod bundle;
pub mod codes;
pub mod fhir;
pub mod handover;
pub mod ids;
pub mod observations;
pub mod out;
pub mod render;
pub mod stable;
pub mod times;
pub mod words;

use crate::case::Case;
use crate::protocol::{Evaluation, Protocol};
use crate::store::FhirSent;
use crate::store::audit::Entry;
use chrono_tz::Tz;
use uuid::Uuid;

/// The handover note in Markdown for the chart.
pub fn handover_markdown(case: &Case, eval: &Evaluation, protocol: &Protocol) -> String {
    render::markdown(&handover::note(case, eval, protocol))
}

/// The handover note as plain text, no line wider than 80 columns (bar a single long word).
pub fn handover_text(case: &Case, eval: &Evaluation, protocol: &Protocol) -> String {
    render::text(&handover::note(case, eval, protocol))
}

/// `--bundle`: how the resources travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BundleType {
    /// Conditional updates by business identifier, all or nothing (the default).
    #[default]
    Transaction,
    /// The same entries, each on its own (for servers that cap transactions); references
    /// are conditional (`Patient?identifier=…`) since a batch does not resolve `urn:uuid`s.
    Batch,
    /// The resources as one document, for archiving (no requests, no deletions).
    Collection,
}

impl BundleType {
    pub fn as_str(self) -> &'static str {
        match self {
            BundleType::Transaction => "transaction",
            BundleType::Batch => "batch",
            BundleType::Collection => "collection",
        }
    }
}

/// What the FHIR export needs besides the case: the site's identifier systems, the
/// installation's namespace, the site's zone, and what the store knows of the case's past.
#[derive(Debug, Clone)]
pub struct FhirContext {
    /// The installation namespace (kept in the store): every `fullUrl` is a v5 UUID under it.
    pub namespace: Uuid,
    /// `site.json` `fhir.identifier_system`; `None` → `urn:uuid:<namespace>`.
    pub identifier_system: Option<String>,
    /// `site.json` `fhir.mrn_system`: the hospital's MRN system.
    pub mrn_system: Option<String>,
    pub bundle: BundleType,
    /// The site's zone: case times are wall-clock times there.
    pub zone: Tz,
    /// The case's audit trail (`Store::history`): removed rows, the clinicians.
    pub history: Vec<Entry>,
    /// What earlier exports sent (`Store::fhir_sent`).
    pub sent: FhirSent,
}

impl FhirContext {
    /// A context with no site settings, no history and nothing sent before.
    pub fn new(namespace: Uuid, zone: Tz) -> FhirContext {
        FhirContext {
            namespace,
            identifier_system: None,
            mrn_system: None,
            bundle: BundleType::Transaction,
            zone,
            history: Vec::new(),
            sent: FhirSent::default(),
        }
    }
}

/// The namespace of an export that has no store (a case file, and no data directory holding
/// an installation namespace): v5 of the site's identifier system when it sets one (so one
/// site's file exports agree), else v5 of `urn:spinewatch:no-installation`. Such exports only
/// meet each other, never a store's.
pub fn fallback_namespace(identifier_system: Option<&str>) -> Uuid {
    let name = identifier_system
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("urn:spinewatch:no-installation");
    Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes())
}

/// The FHIR export: the typed Bundle, and the record of what it sent (for the store).
pub fn fhir_resources(
    case: &Case,
    eval: &Evaluation,
    protocol: &Protocol,
    ctx: &FhirContext,
) -> (fhir::Bundle, FhirSent) {
    bundle::bundle(case, eval, protocol, ctx)
}

/// The FHIR export as JSON, and the record of what it sent.
pub fn fhir_bundle(
    case: &Case,
    eval: &Evaluation,
    protocol: &Protocol,
    ctx: &FhirContext,
) -> (serde_json::Value, FhirSent) {
    let (b, sent) = fhir_resources(case, eval, protocol, ctx);
    let mut v = serde_json::to_value(b).expect("the FHIR structs always serialise");
    if ctx.bundle == BundleType::Batch {
        bundle::conditional_references(&mut v);
    }
    (v, sent)
}

/// The FHIR export as pretty JSON text (what `export --format fhir` prints), and the record
/// of what it sent. The same text as [`fhir_bundle`]'s value, without building the value
/// first (a batch, whose references are rewritten, goes through it).
pub fn fhir_json(
    case: &Case,
    eval: &Evaluation,
    protocol: &Protocol,
    ctx: &FhirContext,
) -> (String, FhirSent) {
    let (text, sent) = if ctx.bundle == BundleType::Batch {
        let (v, sent) = fhir_bundle(case, eval, protocol, ctx);
        (serde_json::to_string_pretty(&v), sent)
    } else {
        let (b, sent) = fhir_resources(case, eval, protocol, ctx);
        (serde_json::to_string_pretty(&b), sent)
    };
    let mut text = text.expect("the FHIR structs always serialise");
    text.push('\n');
    (text, sent)
}
