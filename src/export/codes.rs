//! The code systems the export uses: HL7's and LOINC's where they hold the concept, and
//! spinewatch's own (scores without a LOINC code, the rules of the protocol) under https
//! URLs, published in every Bundle as `CodeSystem` resources so a receiver can resolve them.

use super::fhir::{CodeSystem, Concept, Identifier};
use super::words;
use crate::case::{
    Alignment, BoneLesion, Collapse, Escc, Frankel, Posterolateral, SinsLocation, SinsPain,
};
use crate::protocol::Protocol;

/// Where spinewatch's own code systems live. `.example` is reserved (RFC 2606), so these
/// URLs can never name someone else's; the two constants to change when the project has a
/// home (the tests find them by their `https://spinewatch.example/` prefix).
pub const SCORE_SYSTEM: &str = "https://spinewatch.example/fhir/CodeSystem/score";
pub const RULE_SYSTEM: &str = "https://spinewatch.example/fhir/CodeSystem/rule";

pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
pub const OBS_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";
pub const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub const CONDITION_VERIFICATION: &str =
    "http://terminology.hl7.org/CodeSystem/condition-ver-status";
pub const CONDITION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
pub const V2_0203: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";
pub const PROVENANCE_PARTICIPANT: &str =
    "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

/// The SINS components (as the evaluation names them) with their words.
pub const SINS_PARTS: &[(&str, &str)] = &[
    ("location", "SINS location"),
    ("pain", "SINS pain"),
    ("bone_lesion", "SINS bone lesion"),
    ("alignment", "SINS radiographic spinal alignment"),
    ("collapse", "SINS vertebral body collapse"),
    (
        "posterolateral",
        "SINS posterolateral involvement of spinal elements",
    ),
];

/// The revised Tokuhashi components (as the evaluation names them) with their words.
pub const TOKUHASHI_PARTS: &[(&str, &str)] = &[
    (
        "general_condition",
        "Tokuhashi general condition (performance status)",
    ),
    (
        "extraspinal_bone_mets",
        "Tokuhashi number of extraspinal bone metastases",
    ),
    (
        "vertebral_mets",
        "Tokuhashi number of metastases in the vertebral body",
    ),
    (
        "visceral_mets",
        "Tokuhashi metastases to the major internal organs",
    ),
    ("primary", "Tokuhashi primary site of the cancer"),
    ("palsy", "Tokuhashi palsy"),
];

/// Code of a component or answer: `sins-bone-lesion`, `sins-collapse-lt-50`.
pub fn code(parts: &[&str]) -> String {
    parts.join("-").replace('_', "-")
}

fn sins_values(part: &str) -> Vec<&'static str> {
    match part {
        "location" => SinsLocation::NAMES.to_vec(),
        "pain" => SinsPain::NAMES.to_vec(),
        "bone_lesion" => BoneLesion::NAMES.to_vec(),
        "alignment" => Alignment::NAMES.to_vec(),
        "collapse" => Collapse::NAMES.to_vec(),
        "posterolateral" => Posterolateral::NAMES.to_vec(),
        _ => Vec::new(),
    }
}

/// The display of a SINS answer code, as the code system publishes it.
pub fn sins_answer_display(part: &str, value: &str) -> String {
    let label = SINS_PARTS
        .iter()
        .find(|(p, _)| *p == part)
        .map_or(part, |(_, l)| l);
    format!("{label}: {}", words::sins_value(value))
}

pub fn escc_code(g: Escc) -> String {
    format!("escc-{}", g.as_str())
}

pub fn escc_display(g: Escc) -> String {
    format!("Bilsky ESCC grade {}: {}", g.as_str(), words::escc(g))
}

pub fn frankel_code(f: Frankel) -> String {
    format!("frankel-{}", f.as_str())
}

pub fn frankel_display(f: Frankel) -> String {
    format!(
        "Frankel grade {}: {}",
        f.as_str().to_uppercase(),
        words::frankel(f)
    )
}

/// Every concept of the score code system, in a fixed order.
pub fn score_concepts() -> Vec<Concept> {
    let c = |code: String, display: String| Concept { code, display };
    let mut out = vec![c(
        "sins".into(),
        "Spinal Instability Neoplastic Score (SINS)".into(),
    )];
    for (part, label) in SINS_PARTS {
        out.push(c(code(&["sins", part]), label.to_string()));
        for value in sins_values(part) {
            out.push(c(
                code(&["sins", part, value]),
                sins_answer_display(part, value),
            ));
        }
    }
    out.push(c(
        "escc".into(),
        "Epidural spinal cord compression grade (Bilsky)".into(),
    ));
    out.extend(Escc::ALL.iter().map(|&g| c(escc_code(g), escc_display(g))));
    out.push(c(
        "tokuhashi-revised".into(),
        "Revised Tokuhashi score".into(),
    ));
    for (part, label) in TOKUHASHI_PARTS {
        out.push(c(code(&["tokuhashi", part]), label.to_string()));
    }
    out.push(c("frankel".into(), "Frankel grade".into()));
    out.extend(
        Frankel::ALL
            .iter()
            .map(|&f| c(frankel_code(f), frankel_display(f))),
    );
    out
}

/// A rule's display in the rule code system: its title with the case's values left out.
pub fn rule_display(protocol: &Protocol, id: &str) -> String {
    let title = protocol
        .texts
        .rules
        .get(id)
        .map_or(id, |r| r.title.as_str());
    let mut out = String::new();
    let mut depth = 0;
    for ch in title.chars() {
        match ch {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push('…');
                }
            }
            '}' => depth = (depth - 1_i32).max(0),
            _ if depth == 0 => out.push(ch),
            _ => {}
        }
    }
    out
}

/// The two code systems, as resources; `ids` names them.
pub fn code_systems(
    protocol: &Protocol,
    version: &str,
    id_of: impl Fn(&str) -> String,
) -> Vec<CodeSystem> {
    let identifier = |url: &str| Identifier {
        system: Some("urn:ietf:rfc:3986".into()),
        value: url.to_string(),
        ..Identifier::default()
    };
    let scores = score_concepts();
    let rules: Vec<Concept> = protocol
        .texts
        .rules
        .keys()
        .map(|id| Concept {
            code: id.clone(),
            display: rule_display(protocol, id),
        })
        .collect();
    vec![
        CodeSystem {
            id: id_of(SCORE_SYSTEM),
            url: SCORE_SYSTEM.into(),
            identifier: vec![identifier(SCORE_SYSTEM)],
            version: version.to_string(),
            name: "SpinewatchScore".into(),
            title: "spinewatch scores and grades".into(),
            status: "active",
            publisher: "spinewatch",
            description: "Scores and grades spinewatch computes or records after spinal \
                stabilization for a destructive spinal mass, for which LOINC holds no code: \
                SINS with its components and answers, the Bilsky ESCC grade, the revised \
                Tokuhashi score with its components, and the Frankel grade."
                .into(),
            case_sensitive: true,
            content: "complete",
            count: scores.len(),
            concept: scores,
        },
        CodeSystem {
            id: id_of(RULE_SYSTEM),
            url: RULE_SYSTEM.into(),
            identifier: vec![identifier(RULE_SYSTEM)],
            version: protocol.version.clone(),
            name: "SpinewatchRule".into(),
            title: format!("spinewatch protocol rules ({})", protocol.name),
            status: "active",
            publisher: "spinewatch",
            description: format!(
                "The rules of the spinewatch protocol \"{}\" version {}: plan items and \
                 pitfalls, by rule ID.",
                protocol.name, protocol.version
            ),
            case_sensitive: true,
            content: "complete",
            count: rules.len(),
            concept: rules,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_rule_displays_hold_no_placeholder() {
        let p = Protocol::builtin();
        for cs in code_systems(&p, "0", |u| u.to_string()) {
            let mut codes: Vec<&str> = cs.concept.iter().map(|c| c.code.as_str()).collect();
            codes.sort_unstable();
            let n = codes.len();
            codes.dedup();
            assert_eq!(codes.len(), n, "{}", cs.url);
            assert!(cs.concept.iter().all(|c| !c.display.contains('{')));
        }
        assert_eq!(
            rule_display(&p, "W-NEURO-MRI"),
            "New or worse neuro exam: MRI …"
        );
    }
}
