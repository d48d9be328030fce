//! The site's configuration: the config directory, the protocol with the site's parameter
//! overrides (`protocol.json`) and the site's other settings (`site.json`).
//!
//! Everything above the clinical core reads its site settings from here, once, at start.

use crate::failure::Failure;
use crate::protocol::Protocol;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config directory: `SPINEWATCH_CONFIG_DIR`, else the platform's.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SPINEWATCH_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "spinewatch").map(|d| d.config_dir().to_path_buf())
}

/// The built-in protocol with the site's `protocol.json` applied, if there is one.
pub fn load_protocol() -> Result<Protocol, Failure> {
    match config_dir() {
        Some(dir) => {
            Protocol::load_with_site_file(&dir.join("protocol.json")).map_err(Failure::input)
        }
        None => Ok(Protocol::builtin()),
    }
}

/// `site.json`: every key is optional; an unknown key is an error naming it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's IANA time zone (`Europe/Amsterdam`); default the machine's.
    pub timezone: Option<String>,
    /// The default store URL: a data directory path, `file:` URL or `postgres://` URL.
    pub store: Option<String>,
    /// The default ward of new cases.
    pub ward: Option<String>,
    /// The FHIR identifier systems (FHIR.md).
    pub fhir: Option<FhirSite>,
}

/// `site.json` `fhir`: the URLs that name the site's identifier systems.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FhirSite {
    /// System of spinewatch's own business identifiers, e.g. `https://hospital.example/fhir/spinewatch`.
    pub identifier_system: Option<String>,
    /// The hospital's MRN system, used for the Patient identifier when an MRN is recorded.
    pub mrn_system: Option<String>,
}

impl SiteConfig {
    /// `site.json` in the config directory; none there means every default.
    pub fn load() -> Result<SiteConfig, Failure> {
        match config_dir() {
            Some(dir) => SiteConfig::load_file(&dir.join("site.json")),
            None => Ok(SiteConfig::default()),
        }
    }

    /// Reads one `site.json`; a missing file is every default.
    pub fn load_file(path: &Path) -> Result<SiteConfig, Failure> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(SiteConfig::default());
            }
            Err(e) => {
                return Err(Failure::other(format!(
                    "{}: cannot read: {e}",
                    path.display()
                )));
            }
        };
        SiteConfig::from_json_str(&text)
            .map_err(|m| Failure::input(format!("{}: {m}", path.display())))
    }

    pub fn from_json_str(text: &str) -> Result<SiteConfig, String> {
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_named() {
        let e = SiteConfig::from_json_str(r#"{ "timezon": "Europe/Amsterdam" }"#).unwrap_err();
        assert!(e.contains("timezon"), "{e}");
        let ok = SiteConfig::from_json_str(
            r#"{ "timezone": "Europe/Amsterdam", "fhir": { "mrn_system": "urn:oid:1.2.3" } }"#,
        )
        .unwrap();
        assert_eq!(ok.timezone.as_deref(), Some("Europe/Amsterdam"));
    }
}
