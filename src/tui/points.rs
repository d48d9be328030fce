//! Points beside score choices (SINS, Tokuhashi), as a calculator shows them. Read from the
//! protocol's own scoring, never from a table of our own: the choice is put into a copy of
//! the case and scored there.

use super::app::CaseView;
use super::fields;
use crate::protocol::scores;
use chrono::NaiveDateTime;
use serde_json::{Value, json};

/// `lesions[1].sins.pain` → (1, "pain"); `tokuhashi.primary` → the Tokuhashi component.
enum Scored<'a> {
    Sins(usize, &'a str),
    Tokuhashi(&'a str),
}

fn scored(path: &str) -> Option<Scored<'_>> {
    if let Some(name) = path.strip_prefix("tokuhashi.") {
        return Some(Scored::Tokuhashi(name));
    }
    let rest = path.strip_prefix("lesions[")?;
    let (i, rest) = rest.split_once(']')?;
    let name = rest.strip_prefix(".sins.")?;
    Some(Scored::Sins(i.parse().ok()?, name))
}

/// The points of the value the case holds at `path` (from its evaluation).
pub fn current(view: &CaseView, path: &str) -> Option<u32> {
    match scored(path)? {
        Scored::Sins(i, name) => view
            .eval
            .scores
            .lesions
            .get(i)?
            .sins
            .as_ref()?
            .components
            .iter()
            .find(|c| c.name == name)?
            .points
            .filter(|_| !fields::get(&view.value, path).is_null()),
        Scored::Tokuhashi(name) => {
            view.eval
                .scores
                .tokuhashi
                .components
                .iter()
                .find(|c| c.name == name)?
                .points
        }
    }
}

/// The points `value` would give at `path` (a choice being made). A component's points
/// depend on its own value only, so it is scored alone (SINS location excepted: unknown is
/// read from the level, and then shows no points of its own).
pub fn of_choice(path: &str, value: &Value, now: NaiveDateTime) -> Option<u32> {
    use crate::case::decode::{Decode, Problems};
    let which = scored(path)?;
    if value.is_null() {
        return None;
    }
    let mut p = Problems::default();
    match which {
        Scored::Sins(_, name) => {
            let sins = crate::case::Sins::decode(&json!({ name: value }), "", &mut p)?;
            scores::sins(&sins, None)
                .components
                .into_iter()
                .find(|c| c.name == name)?
                .points
        }
        Scored::Tokuhashi(name) => {
            let mut case = crate::case::Case::new("points");
            case.tokuhashi = crate::case::Tokuhashi::decode(&json!({ name: value }), "", &mut p)?;
            scores::tokuhashi(&case, now)
                .components
                .into_iter()
                .find(|c| c.name == name)?
                .points
        }
    }
}

/// Every option of a score field with its points: `mechanical +3 · occasional +1 · none +0`.
pub fn options_line(path: &str, options: &[Value], now: NaiveDateTime) -> Option<String> {
    scored(path)?;
    let parts: Vec<String> = options
        .iter()
        .filter(|o| !o.is_null())
        .filter_map(|o| of_choice(path, o, now).map(|p| format!("{} +{p}", super::choice::name(o))))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_of_scored_fields() {
        assert!(matches!(
            scored("lesions[1].sins.pain"),
            Some(Scored::Sins(1, "pain"))
        ));
        assert!(matches!(
            scored("tokuhashi.primary"),
            Some(Scored::Tokuhashi("primary"))
        ));
        assert!(scored("lesions[1].escc").is_none());
    }

    #[test]
    fn points_come_from_the_protocols_scoring() {
        let now = crate::case::parse_time("2026-11-25T09:00").unwrap();
        let p = |path, v: Value| of_choice(path, &v, now);
        assert_eq!(p("lesions[0].sins.pain", json!("mechanical")), Some(3));
        assert_eq!(
            p("lesions[0].sins.alignment", json!("subluxation")),
            Some(4)
        );
        assert_eq!(p("tokuhashi.primary", json!("breast")), Some(5));
        assert_eq!(p("tokuhashi.extraspinal_bone_mets", json!(3)), Some(0));
        let line = options_line(
            "lesions[0].sins.pain",
            &[
                Value::Null,
                json!("mechanical"),
                json!("occasional"),
                json!("none"),
            ],
            now,
        );
        assert_eq!(
            line.as_deref(),
            Some("mechanical +3 · occasional +1 · none +0")
        );
    }
}
