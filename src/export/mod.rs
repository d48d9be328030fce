//! Exports of a case: the handover note (Markdown / plain text) and an HL7 FHIR R4 Bundle.
//!
//! All three read the case and its evaluation only; nothing here decides a rule.

pub mod bundle;
pub mod fhir;
pub mod handover;
pub mod observations;
pub mod render;
pub mod words;

use crate::case::Case;
use crate::protocol::{Evaluation, Protocol};

/// The handover note in Markdown for the chart.
pub fn handover_markdown(case: &Case, eval: &Evaluation, protocol: &Protocol) -> String {
    render::markdown(&handover::note(case, eval, protocol))
}

/// The handover note as plain text, no line longer than 80 columns (bar a single long word).
pub fn handover_text(case: &Case, eval: &Evaluation, protocol: &Protocol) -> String {
    render::text(&handover::note(case, eval, protocol))
}

/// The HL7 FHIR R4 Bundle (type `collection`) as typed resources.
pub fn fhir_resources(case: &Case, eval: &Evaluation, protocol: &Protocol) -> fhir::Bundle {
    bundle::bundle(case, eval, protocol)
}

/// The HL7 FHIR R4 Bundle as JSON.
pub fn fhir_bundle(case: &Case, eval: &Evaluation, protocol: &Protocol) -> serde_json::Value {
    serde_json::to_value(fhir_resources(case, eval, protocol))
        .expect("the FHIR structs always serialise")
}
