//! The site's configuration: the config directory, the protocol with the site's parameter
//! overrides (`protocol.json`) and the site's other settings (`site.json`).
//!
//! Everything above the clinical core reads its site settings from here, once, at start.

use crate::failure::Failure;
use crate::protocol::Protocol;
use chrono_tz::Tz;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config directory: `SPINEWATCH_CONFIG_DIR`, else the platform's.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("SPINEWATCH_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "spinewatch").map(|d| d.config_dir().to_path_buf())
}

/// The built-in protocol with the site's `protocol.json` applied, if there is one, in the
/// site's time zone ([`site_zone`]).
pub fn load_protocol() -> Result<Protocol, Failure> {
    let protocol = match config_dir() {
        Some(dir) => {
            Protocol::load_with_site_file(&dir.join("protocol.json")).map_err(Failure::input)?
        }
        None => Protocol::builtin(),
    };
    Ok(protocol.with_zone(site_zone()?))
}

/// The site's time zone: `site.json` `timezone`, else the machine's ([`machine_zone`]).
/// An unknown IANA name in `site.json` is an error naming it.
pub fn site_zone() -> Result<Tz, Failure> {
    let config = SiteConfig::load()?;
    match config.timezone.as_deref() {
        Some(name) => parse_zone(name).map_err(|m| {
            let file = config_dir().map_or_else(
                || "site.json".to_string(),
                |d| d.join("site.json").display().to_string(),
            );
            Failure::input(format!("{file}: {m}"))
        }),
        None => Ok(machine_zone()),
    }
}

/// An IANA time zone name (`Europe/Amsterdam`), or an error naming it.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!("timezone: {name:?} is not an IANA time zone name (e.g. \"Europe/Amsterdam\")")
    })
}

/// The machine's zone: the `TZ` variable when it names an IANA zone (`Europe/Amsterdam`,
/// `:Europe/Amsterdam`, or a path ending in `zoneinfo/Europe/Amsterdam`), else the system
/// setting, else UTC.
pub fn machine_zone() -> Tz {
    let tz = std::env::var("TZ").ok();
    let system = iana_time_zone::get_timezone().ok();
    zone_from(tz.as_deref(), system.as_deref())
}

/// [`machine_zone`] from the values of `TZ` and the system setting.
pub fn zone_from(tz_var: Option<&str>, system: Option<&str>) -> Tz {
    let from_tz = tz_var.and_then(|t| {
        let t = t.trim().trim_start_matches(':');
        let t = t.rsplit_once("zoneinfo/").map_or(t, |(_, name)| name);
        t.parse::<Tz>().ok()
    });
    from_tz
        .or_else(|| system.and_then(|s| s.trim().parse::<Tz>().ok()))
        .unwrap_or(chrono_tz::UTC)
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

    #[test]
    fn zones_come_from_site_then_tz_then_system() {
        assert_eq!(
            parse_zone("Europe/Amsterdam"),
            Ok(chrono_tz::Europe::Amsterdam)
        );
        let e = parse_zone("Europe/Amsterdm").unwrap_err();
        assert!(e.contains("\"Europe/Amsterdm\""), "{e}");
        let ams = chrono_tz::Europe::Amsterdam;
        assert_eq!(zone_from(Some("Europe/Amsterdam"), Some("Asia/Tokyo")), ams);
        assert_eq!(zone_from(Some(":Europe/Amsterdam"), None), ams);
        assert_eq!(
            zone_from(Some("/usr/share/zoneinfo/Europe/Amsterdam"), None),
            ams
        );
        assert_eq!(
            zone_from(Some("CET-1CEST"), Some("Asia/Tokyo")),
            chrono_tz::Asia::Tokyo
        );
        assert_eq!(zone_from(None, None), chrono_tz::UTC);
    }
}
