//! The protocol: parameters and words (assets), clocks, scores, rules and `evaluate`.

pub mod brief;
pub mod clocks;
pub mod evaluation;
pub mod params;
pub mod rules;
pub mod scores;
pub mod text;

pub use evaluation::{Evaluation, Item, Kind, Severity, evaluate};
pub use params::Params;

use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::Path;
use text::{AskText, RtScheduleText, RuleText, Texts};

/// The protocol as compiled in from `assets/protocol.json`.
pub const BUILTIN_JSON: &str = include_str!("../../assets/protocol.json");

#[derive(Debug, Clone)]
pub struct Protocol {
    pub name: String,
    pub version: String,
    pub params: Params,
    pub parameter_notes: Map<String, Value>,
    pub texts: Texts,
    /// Where the parameters came from: "built-in", or the site file that overrode them.
    pub origin: String,
    /// The parameters as template values (`rt_deadline` → "28"), kept in step with `params`.
    pub param_text: Vec<(&'static str, String)>,
    /// The parameters as the evaluation output states them, kept in step with `params`.
    pub params_json: Map<String, Value>,
    /// The guideline RT schedules with their EQD2 (B-RT-SCHEDULE), kept in step with `params`.
    pub schedules_text: String,
    /// Rule and ask wording with the parameters already filled in, by ID: evaluation then
    /// fills only the values a rule computed. Kept in step with `params`.
    pub wording: std::collections::BTreeMap<String, Wording>,
    /// The site's time zone: local times are wall-clock times there (default UTC; the site
    /// configuration sets it, see `site::load_protocol`).
    pub zone: chrono_tz::Tz,
}

/// Title and detail templates of one rule or ask, parameters filled in.
#[derive(Debug, Clone, Default)]
pub struct Wording {
    pub title: String,
    pub detail: String,
    pub short: Option<String>,
    pub variants: std::collections::BTreeMap<String, VariantWording>,
}

/// One variant's wording; `short` and `severity` fall back to the rule's.
#[derive(Debug, Clone, Default)]
pub struct VariantWording {
    pub title: String,
    pub detail: String,
    pub short: Option<String>,
    pub severity: Option<String>,
}

impl Wording {
    /// The title and detail for a variant, or the rule's own when there is none.
    pub fn pick(&self, variant: Option<&str>) -> (&str, &str) {
        match variant.and_then(|v| self.variants.get(v)) {
            Some(v) => (&v.title, &v.detail),
            None => (&self.title, &self.detail),
        }
    }

    /// The rounds-row words for a variant (the rule's own when the variant has none).
    pub fn short(&self, variant: Option<&str>) -> Option<&str> {
        variant
            .and_then(|v| self.variants.get(v))
            .and_then(|v| v.short.as_deref())
            .or(self.short.as_deref())
    }

    /// The severity a variant sets instead of the rule's, if any.
    pub fn severity(&self, variant: Option<&str>) -> Option<&str> {
        variant
            .and_then(|v| self.variants.get(v))
            .and_then(|v| v.severity.as_deref())
    }
}

#[derive(Deserialize)]
struct ProtocolFile {
    name: String,
    version: String,
    parameters: Map<String, Value>,
    #[serde(default)]
    parameter_notes: Map<String, Value>,
    references: std::collections::BTreeMap<String, String>,
    rt_schedules: Vec<RtScheduleText>,
    rules: Vec<RuleText>,
    asks: Vec<AskText>,
}

impl Protocol {
    /// The built-in protocol. The asset is part of the binary and checked by tests, so a
    /// failure here is a build defect, not bad input.
    pub fn builtin() -> Protocol {
        Protocol::from_json(BUILTIN_JSON, "assets/protocol.json")
            .expect("assets/protocol.json is valid (checked by tests)")
    }

    fn from_json(text: &str, origin: &str) -> Result<Protocol, String> {
        let file: ProtocolFile =
            serde_json::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        let mut params = Params {
            rt_target_from: 0.0,
            rt_warn_from: 0.0,
            rt_deadline: 0.0,
            mri_clock_h: 0.0,
            neuro_exam_max_h: 0.0,
            mdt_due_pod: 0.0,
            dexa_review_pod: 0.0,
            rt_total_min_gy: 0.0,
            rt_total_max_gy: 0.0,
            rt_fraction_min_gy: 0.0,
            rt_fraction_max_gy: 0.0,
            survival_min_months: 0.0,
            fractions_per_week: 0.0,
            alpha_beta_tumour: 0.0,
            alpha_beta_cord: 0.0,
            sins_consult_from: 0.0,
            future_tolerance_min: 0.0,
        };
        for name in Params::NAMES {
            if !file.parameters.contains_key(*name) {
                return Err(format!("{origin}: parameters.{name}: is missing"));
            }
        }
        params.apply(&file.parameters, origin)?;
        let texts = Texts {
            rules: file.rules.into_iter().map(|r| (r.id.clone(), r)).collect(),
            asks: file.asks.into_iter().map(|a| (a.id.clone(), a)).collect(),
            references: file.references,
            rt_schedules: file.rt_schedules,
        };
        let mut protocol = Protocol {
            name: file.name,
            version: file.version,
            params,
            parameter_notes: file.parameter_notes,
            texts,
            origin: "built-in".into(),
            param_text: Vec::new(),
            params_json: Map::new(),
            schedules_text: String::new(),
            wording: Default::default(),
            zone: chrono_tz::UTC,
        };
        protocol.derive_param_views();
        Ok(protocol)
    }

    /// The same protocol in the site time zone `zone`.
    pub fn with_zone(mut self, zone: chrono_tz::Tz) -> Protocol {
        self.zone = zone;
        self
    }

    /// Applies a site override file: `{"parameters": {"rt_deadline": 30, …}}`. Any other
    /// top-level key, unknown parameter or bad value is an error naming the key.
    pub fn with_site_overrides(mut self, text: &str, origin: &str) -> Result<Protocol, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("{origin}: {e}"))?;
        let Value::Object(obj) = v else {
            return Err(format!("{origin}: is not a JSON object"));
        };
        for (key, val) in &obj {
            match (key.as_str(), val) {
                ("parameters", Value::Object(map)) => self.params.apply(map, origin)?,
                ("parameters", other) => {
                    return Err(format!("{origin}: parameters: {other} is not an object"));
                }
                ("comment" | "_comment", _) => {}
                _ => {
                    return Err(format!(
                        "{origin}: {key}: is not a key of a site protocol file (only \"parameters\")"
                    ));
                }
            }
        }
        self.origin = origin.to_string();
        self.derive_param_views();
        Ok(self)
    }

    /// The built-in protocol with the site file at `path` applied when it exists.
    pub fn load_with_site_file(path: &Path) -> Result<Protocol, String> {
        let base = Protocol::builtin();
        match std::fs::read_to_string(path) {
            Ok(text) => base.with_site_overrides(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(base),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn rule(&self, id: &str) -> &RuleText {
        self.texts
            .rules
            .get(id)
            .unwrap_or_else(|| panic!("rule {id} has no text in assets/protocol.json"))
    }

    /// The wording of a rule or ask with the parameters filled in.
    pub fn wording(&self, id: &str) -> &Wording {
        self.wording
            .get(id)
            .unwrap_or_else(|| panic!("{id} has no text in assets/protocol.json"))
    }

    pub fn ask(&self, id: &str) -> &AskText {
        self.texts
            .asks
            .get(id)
            .unwrap_or_else(|| panic!("ask {id} has no text in assets/protocol.json"))
    }

    /// Recomputes the views of the parameters that every evaluation reads, once per change.
    fn derive_param_views(&mut self) {
        let entries = self.params.entries();
        self.param_text = entries
            .iter()
            .map(|(k, v)| (*k, param_words(k, *v)))
            .collect();
        self.params_json = entries
            .iter()
            .map(|(k, v)| (k.to_string(), number(*v)))
            .collect();
        let p = &self.params;
        let list: Vec<String> = self
            .texts
            .rt_schedules
            .iter()
            .map(|s| {
                let d = s.total_gy / s.fractions as f64;
                let (_, et) = scores::bed_eqd2_exact(s.fractions, d, p.alpha_beta_tumour);
                let (_, ec) = scores::bed_eqd2_exact(s.fractions, d, p.alpha_beta_cord);
                format!(
                    "{} (EQD2 {} / {} Gy)",
                    s.name,
                    crate::case::fmt_num(et),
                    crate::case::fmt_num(ec)
                )
            })
            .collect();
        self.schedules_text = list.join(", ");
        let vars = self.param_text.as_slice();
        let mut wording = std::collections::BTreeMap::new();
        for (id, r) in &self.texts.rules {
            let variants = r
                .variants
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        VariantWording {
                            title: text::fill(&v.title, vars),
                            detail: text::fill(&v.detail, vars),
                            short: v.short.as_ref().map(|s| text::fill(s, vars)),
                            severity: v.severity.clone(),
                        },
                    )
                })
                .collect();
            let w = Wording {
                title: text::fill(&r.title, vars),
                detail: text::fill(&r.detail, vars),
                short: r.short.as_ref().map(|s| text::fill(s, vars)),
                variants,
            };
            wording.insert(id.clone(), w);
        }
        for (id, a) in &self.texts.asks {
            let w = Wording {
                title: text::fill(&a.title, vars),
                detail: text::fill(&a.detail, vars),
                short: None,
                variants: Default::default(),
            };
            wording.insert(id.clone(), w);
        }
        self.wording = wording;
    }
}

/// A parameter as the protocol writes it: doses per fraction with one decimal ("2.0 Gy").
fn param_words(name: &str, x: f64) -> String {
    if name.starts_with("rt_fraction_") {
        format!("{x:.1}")
    } else {
        crate::case::fmt_num(x)
    }
}

/// A parameter as JSON: integers without a fraction.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}
