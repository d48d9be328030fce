//! How the export names things: business identifiers (system + value), `fullUrl`s (UUID v5
//! under the installation's namespace), conditional request URLs, and the rows' `uid`s.

use super::fhir::Identifier;
use crate::case::Case;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Names the resources of one case.
#[derive(Debug, Clone)]
pub struct Naming {
    namespace: Uuid,
    /// The case id (a case file without one: `anonymous-` and a hash of its content).
    case_key: String,
    system: String,
    /// Under the site's own system the value also names the installation, so two
    /// installations exporting the same case id to one hospital never meet.
    prefix: String,
}

impl Naming {
    pub fn new(case: &Case, namespace: Uuid, site_system: Option<&str>) -> Naming {
        let case_key = case.id.clone().unwrap_or_else(|| anonymous_key(case));
        let site_system = site_system.map(str::trim).filter(|s| !s.is_empty());
        Naming {
            namespace,
            case_key,
            system: site_system.map_or_else(|| format!("urn:uuid:{namespace}"), str::to_string),
            prefix: site_system.map_or(String::new(), |_| format!("{namespace}/")),
        }
    }

    /// The identifier system of every spinewatch resource.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The identifier value of a resource of this case: `bed12-2026-11-20/lesion/3f…`.
    pub fn value(&self, role: &str) -> String {
        format!("{}{}/{role}", self.prefix, self.case_key)
    }

    /// A value not tied to the case (the spinewatch Device).
    pub fn installation_value(&self, role: &str) -> String {
        format!("{}{role}", self.prefix)
    }

    pub fn identifier(&self, role: &str) -> Identifier {
        Identifier {
            usage: Some("official"),
            system: Some(self.system.clone()),
            value: self.value(role),
            ..Identifier::default()
        }
    }

    /// The resource id: UUID v5 of the identifier value under the installation namespace.
    pub fn id(&self, role: &str) -> String {
        self.id_of_value(&self.value(role))
    }

    pub fn id_of_value(&self, value: &str) -> String {
        Uuid::new_v5(&self.namespace, value.as_bytes()).to_string()
    }

    /// `Condition?identifier=SYSTEM|VALUE` for a resource of this case.
    pub fn conditional(&self, kind: &str, role: &str) -> String {
        conditional(kind, "identifier", &self.system, &self.value(role))
    }
}

pub fn full_url(id: &str) -> String {
    format!("urn:uuid:{id}")
}

/// `Type?param=SYSTEM|VALUE`, each part escaped for a FHIR token search (`\`, `,`, `|`, `$`
/// take a backslash) and then percent-encoded, so an MRN or a site URL holding `&`, `#`,
/// `|` or spaces cannot change the search.
pub fn conditional(kind: &str, param: &str, system: &str, value: &str) -> String {
    format!(
        "{kind}?{param}={}|{}",
        encode(&fhir_escape(system)),
        encode(&fhir_escape(value))
    )
}

fn fhir_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | ',' | '|' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Percent-encodes all but the unreserved characters and `:` and `/` (which a query allows
/// and which keep URLs and URNs readable).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A case without an id (a file from another tool): keyed by its clinical content, so the
/// same file names the same resources.
fn anonymous_key(case: &Case) -> String {
    let json = serde_json::to_string(case).unwrap_or_default();
    let digest = Sha256::digest(json.as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("anonymous-{hex}")
}

/// The lists whose rows carry a `uid` (CASE_FORMAT `spinewatch.case/2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum List {
    Lesions,
    Stenoses,
    Exams,
    Mri,
}

impl List {
    pub const ALL: [List; 4] = [List::Lesions, List::Stenoses, List::Exams, List::Mri];

    /// The list's name in the case format (and in audit paths).
    pub fn name(self) -> &'static str {
        match self {
            List::Lesions => "lesions",
            List::Stenoses => "degenerative_stenosis",
            List::Exams => "neuro_exams",
            List::Mri => "mri",
        }
    }

    fn len(self, case: &Case) -> usize {
        match self {
            List::Lesions => case.lesions.len(),
            List::Stenoses => case.degenerative_stenosis.len(),
            List::Exams => case.neuro_exams.len(),
            List::Mri => case.mri.len(),
        }
    }
}

/// The `uid` of row `index` of `list` (always there after decoding; a row built in code
/// without one gets the uid decoding would give it).
pub fn row_uid(case: &Case, list: List, index: usize) -> String {
    let uid = match list {
        List::Lesions => case.lesions.get(index).and_then(|r| r.uid.clone()),
        List::Stenoses => case
            .degenerative_stenosis
            .get(index)
            .and_then(|r| r.uid.clone()),
        List::Exams => case.neuro_exams.get(index).and_then(|r| r.uid.clone()),
        List::Mri => case.mri.get(index).and_then(|r| r.uid.clone()),
    };
    uid.unwrap_or_else(|| {
        crate::case::uid::derived(case.id.as_deref().unwrap_or_default(), list.name(), index)
    })
}

/// Every row uid the case holds now, with its list.
pub fn current_uids(case: &Case) -> Vec<(List, String)> {
    List::ALL
        .iter()
        .flat_map(|&l| (0..l.len(case)).map(move |i| (l, row_uid(case, l, i))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conditional_url_cannot_be_bent_by_its_value() {
        assert_eq!(
            conditional("Patient", "identifier", "urn:oid:1.2.3", "A&B|C, D#1"),
            "Patient?identifier=urn:oid:1.2.3|A%26B%5C%7CC%5C%2C%20D%231"
        );
        assert_eq!(
            conditional(
                "Condition",
                "identifier",
                "https://hospital.example/fhir/spinewatch",
                "bed12/lesion/0a1b"
            ),
            "Condition?identifier=https://hospital.example/fhir/spinewatch|bed12/lesion/0a1b"
        );
    }
}
