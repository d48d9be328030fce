//! The words the exports print for case values and clocks (presentation only, no rules).

use crate::case::{Escc, Frankel, Indication, fmt_num};
use crate::protocol::{Evaluation, Protocol, clocks::RtState};

/// A case enumeration value as words: `destructive_mass` → `destructive mass`.
pub fn plain(value: &str) -> String {
    value.replace('_', " ")
}

/// A SINS component value as the score's own words.
pub fn sins_value(value: &str) -> String {
    match value {
        "gt_50" => "> 50 % collapse".into(),
        "lt_50" => "< 50 % collapse".into(),
        "involved_gt_50" => "no collapse, > 50 % of the body involved".into(),
        "none" => "none".into(),
        other => plain(other),
    }
}

pub fn escc(g: Escc) -> &'static str {
    match g {
        Escc::G0 => "bone only",
        Escc::G1a => "epidural impingement, no thecal sac deformation",
        Escc::G1b => "thecal sac deformation, no cord abutment",
        Escc::G1c => "thecal sac deformation with cord abutment, no compression",
        Escc::G2 => "cord compression, CSF visible",
        Escc::G3 => "cord compression, no CSF visible",
    }
}

pub fn frankel(f: Frankel) -> &'static str {
    match f {
        Frankel::A => "complete",
        Frankel::B => "sensory only",
        Frankel::C => "motor useless",
        Frankel::D => "motor useful",
        Frankel::E => "normal",
    }
}

pub fn indication(i: Indication) -> &'static str {
    match i {
        Indication::Instability => "spinal instability",
        Indication::NeuroDeficit => "neurological deficit",
        Indication::IntractablePain => "intractable pain",
        Indication::Other => "other indication",
    }
}

/// The radiotherapy window in one line: state and days left, or fraction k of n.
pub fn rt_status(e: &Evaluation, protocol: &Protocol) -> String {
    let Some(w) = &e.rt_window else {
        return "window unknown (no surgery date)".into();
    };
    let deadline = fmt_num(protocol.params.rt_deadline);
    let mut s = w.state.words().to_string();
    if let Some(d) = w.days_to_deadline {
        s.push_str(&match d {
            0 => format!(", deadline today (POD {deadline})"),
            1 => format!(", 1 day left to the POD {deadline} deadline"),
            d if d > 0 => format!(", {d} days left to the POD {deadline} deadline"),
            d => format!(", {} days past the POD {deadline} deadline", -d),
        });
    }
    match (w.fraction, w.fractions) {
        (Some(k), Some(n)) => s.push_str(&format!(", fraction {k} of {n}")),
        _ if w.state == RtState::Started => {
            s.push_str(", fractions unknown (record the planned dose)")
        }
        _ => {}
    }
    if let Some(end) = &w.expected_end
        && w.state == RtState::Started
    {
        s.push_str(&format!(", expected end {end}"));
    }
    s
}

/// Section names of the plan, in the order the note prints them.
pub const SECTIONS: &[(&str, &str)] = &[
    ("radiotherapy", "Radiotherapy"),
    ("systemic", "Systemic therapy"),
    ("mdt", "MDT"),
    ("pain", "Pain"),
    ("monitoring", "Monitoring"),
    ("l45", "Degenerative stenosis"),
    ("prognosis", "Prognosis"),
    ("discharge", "Discharge"),
];

pub fn section_title(key: &str) -> String {
    SECTIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or_else(|| plain(key), |(_, t)| t.to_string())
}
