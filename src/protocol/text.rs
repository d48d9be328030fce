//! The words of the protocol: rule titles, details, basis text and sources, from assets.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
pub struct RuleText {
    pub id: String,
    pub kind: String,
    pub severity: String,
    pub section: String,
    pub title: String,
    pub detail: String,
    /// The protocol text the rule stands on (shown with its reference on demand).
    pub basis: String,
    pub sources: Vec<String>,
    /// Alternative wordings a rule chooses between (e.g. continue / review).
    #[serde(default)]
    pub variants: BTreeMap<String, VariantText>,
    /// Pitfalls: a few words that fit a rounds row ("MRI due 16:00"), at most 28 characters
    /// once filled in.
    #[serde(default)]
    pub short: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct VariantText {
    pub title: String,
    pub detail: String,
    /// The rounds-row words of this variant, when they differ from the rule's.
    #[serde(default)]
    pub short: Option<String>,
    /// The severity of this variant, when it differs from the rule's (W-FUTURE-DATED is
    /// critical when the fact it names is a new or worse neuro exam).
    #[serde(default)]
    pub severity: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AskText {
    pub id: String,
    /// The case field to record (a path).
    pub field: String,
    pub title: String,
    pub detail: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RtScheduleText {
    pub name: String,
    pub total_gy: f64,
    pub fractions: u32,
}

/// Fills `{name}` placeholders from `vars`; an unknown name is left as written.
pub fn fill(template: &str, vars: &[(&str, String)]) -> String {
    if !template.contains('{') {
        return template.to_string();
    }
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match vars.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Rule and ask texts keyed by ID.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    pub rules: BTreeMap<String, RuleText>,
    pub asks: BTreeMap<String, AskText>,
    pub references: BTreeMap<String, String>,
    pub rt_schedules: Vec<RtScheduleText>,
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn fill_replaces_known_and_keeps_unknown() {
        let v = [("a", "1".to_string()), ("bb", "two".to_string())];
        assert_eq!(fill("x{a}y{bb}z{c}", &v), "x1ytwoz{c}");
        assert_eq!(fill("open { brace", &v), "open { brace");
    }
}
