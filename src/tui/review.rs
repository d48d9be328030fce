//! "Since your last rounds": when this operating-system user last reviewed the rounds list of
//! a store, kept in the user's own config directory (`rounds-review.json`, one time per
//! store), and the ▲/▼/✎ marks read from each case's audit trail against that time.

use super::App;
use super::rounds::Marks;
use crate::case::{format_time, parse_time};
use crate::store::Store;
use crate::store::audit::Entry;
use chrono::NaiveDateTime;
use serde_json::{Map, Value};
use std::path::PathBuf;

/// Who reviews, and since when the marks count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub since: NaiveDateTime,
    pub user: String,
}

fn file() -> Option<PathBuf> {
    crate::site::config_dir().map(|d| d.join("rounds-review.json"))
}

/// The last review of the store named `key` by this user.
pub fn last(key: &str) -> Option<NaiveDateTime> {
    let text = std::fs::read_to_string(file()?).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    parse_time(v.get(key)?.as_str()?)
}

/// Records a review of `key` at `at`. Best effort: a failure costs only the marks.
pub fn record(key: &str, at: NaiveDateTime) {
    let Some(path) = file() else { return };
    let mut map: Map<String, Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    map.insert(key.to_string(), Value::from(format_time(&at)));
    if let Some(dir) = path.parent() {
        let _ = crate::store::dirs::create_private_dir(dir);
    }
    let text = serde_json::to_string_pretty(&Value::Object(map)).unwrap_or_default();
    let tmp = path.with_extension("json.tmp");
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, &path);
    }
}

/// ✎: someone else changed the case after `since` (the trail's times are wall-clock times).
pub fn edited_since(history: &[Entry], review: &Review) -> bool {
    history
        .iter()
        .any(|e| e.user != review.user && parse_time(&e.at).is_some_and(|at| at > review.since))
}

/// The marks of one case from its audit trail.
pub fn marks(history: &[Entry], review: &Review) -> Marks {
    Marks {
        edited: edited_since(history, review),
        ..Marks::default()
    }
}

/// Reads the marks of `ids` (every case when `None`) from the store.
pub fn mark(app: &mut App, store: &dyn Store, ids: Option<&[String]>) {
    let Some(review) = app.review.clone() else {
        return;
    };
    let all: Vec<String>;
    let ids = match ids {
        Some(ids) => ids,
        None => {
            all = app.rounds.cache.entries.keys().cloned().collect();
            &all
        }
    };
    for id in ids {
        let history = store.history(id).unwrap_or_default();
        app.set_marks(id, marks(&history, &review));
    }
    app.relist();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: &str, user: &str) -> Entry {
        serde_json::from_value(serde_json::json!({
            "seq": 1, "at": at, "user": user, "path": "wound.status",
            "old": null, "new": "infection", "prev": ""
        }))
        .unwrap()
    }

    #[test]
    fn edited_by_someone_else_after_the_review_only() {
        let review = Review {
            since: parse_time("2026-11-25T08:00").unwrap(),
            user: "ana".into(),
        };
        assert!(!edited_since(&[entry("2026-11-25T09:00", "ana")], &review));
        assert!(!edited_since(&[entry("2026-11-25T07:00", "ben")], &review));
        assert!(edited_since(&[entry("2026-11-25T09:00", "ben")], &review));
    }
}
