//! Exports of a case: the handover note (Markdown / plain text) and an HL7 FHIR R4 Bundle.
//! Placeholder until the export issue lands; the signatures are the contract the TUI and the
//! command line call.

use crate::case::Case;
use crate::protocol::{Evaluation, Protocol};

/// The handover note in Markdown for the chart.
pub fn handover_markdown(case: &Case, eval: &Evaluation, protocol: &Protocol) -> String {
    crate::chart::evaluation_text(case, eval, protocol)
}
