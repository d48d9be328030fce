//! "Since your last rounds": when this operating-system user last reviewed the rounds list of
//! a store, kept in the user's own config directory (`rounds-review.json`, one time per
//! store), and the ▲/▼/✎ marks read from each case's audit trail against that time.

use super::App;
use super::rounds::Marks;
use crate::case::{format_time, parse_time};
use crate::history::ChangedSince;
use crate::protocol::Protocol;
use crate::store::Store;
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

/// The marks of one case: what `spinewatch rounds --since` says changed (the case rebuilt as
/// it stood at the review from its audit trail, evaluated then, against now), and whether
/// someone other than this user edited it.
/// ▲ and ▼ count pitfalls only (a plan item that appears is not a new pitfall); ✎ an edit
/// by someone other than this user.
pub fn marks_of(changed: &ChangedSince, review: &Review, protocol: &Protocol) -> Marks {
    let pitfall = |id: &String| {
        protocol
            .texts
            .rules
            .get(id.as_str())
            .is_some_and(|r| r.kind == "pitfall")
    };
    Marks {
        new_pitfall: changed.appeared.iter().any(pitfall),
        cleared: changed.cleared.iter().any(pitfall),
        edited: changed.edited_by.iter().any(|u| *u != review.user),
    }
}

/// Reads the marks of `ids` (every case when `None`) from the store.
pub fn mark(app: &mut App, store: &dyn Store, ids: Option<&[String]>) {
    let Some(review) = app.review.clone() else {
        return;
    };
    let some = ids.is_some();
    let all: Vec<String>;
    let ids = match ids {
        Some(ids) => ids,
        None => {
            all = app.rounds.cache.entries.keys().cloned().collect();
            &all
        }
    };
    for id in ids {
        let Some(case) = app
            .listing
            .cases
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
        else {
            continue;
        };
        let line =
            crate::store::rounds::entry_since(store, case, &app.protocol, app.now, review.since);
        let marks = match &line.changed_since {
            Some(c) => marks_of(c, &review, &app.protocol),
            None => Marks::default(),
        };
        app.set_marks(id, marks);
        if some {
            app.relist_one(id);
        }
    }
    if !some {
        app.relist();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_from_what_changed_and_who_edited() {
        let protocol = Protocol::builtin();
        let review = Review {
            since: parse_time("2026-11-25T08:00").unwrap(),
            user: "ana".into(),
        };
        let mut c = ChangedSince {
            since: "2026-11-25T08:00".into(),
            appeared: vec!["W-WOUND".into(), "P-L45-SURGICAL".into()],
            cleared: vec![],
            edited: true,
            edited_by: vec!["ana".into()],
            unknown: None,
        };
        assert_eq!(
            marks_of(&c, &review, &protocol),
            Marks {
                new_pitfall: true,
                cleared: false,
                edited: false
            },
            "her own edit is not marked"
        );
        // A plan item that cleared is not a cleared pitfall.
        c.cleared.push("P-MDT".into());
        assert!(!marks_of(&c, &review, &protocol).cleared);
        c.appeared.retain(|id| id.starts_with("P-"));
        assert!(
            !marks_of(&c, &review, &protocol).new_pitfall,
            "a plan item is no ▲"
        );
        c.appeared.push("W-WOUND".into());
        c.edited_by.push("ben".into());
        c.cleared.push("W-MDT-MISSING".into());
        assert_eq!(
            marks_of(&c, &review, &protocol),
            Marks {
                new_pitfall: true,
                cleared: true,
                edited: true
            }
        );
    }
}
