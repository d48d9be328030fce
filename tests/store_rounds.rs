//! The rounds list: most urgent first, archived hidden, damaged last, JSON as specified.

mod store_support;

use serde_json::Value;
use spinewatch::protocol::clocks::RtState;
use spinewatch::protocol::{Kind, Protocol, Severity, evaluate};
use spinewatch::store::rounds::{Counts, RoundsEntry, RtWindowBrief, rounds_list};
use spinewatch::store::{Damaged, Listing, RoundsList};
use store_support::*;

fn line(label: &str, critical: usize, warning: usize, days: Option<i64>) -> RoundsEntry {
    RoundsEntry {
        id: label.to_lowercase().replace(' ', "-"),
        label: label.into(),
        pod: Some(10),
        rt_window: Some(RtWindowBrief {
            state: RtState::Target,
            days_to_deadline: days,
        }),
        counts: Counts {
            critical,
            warning,
            info: 0,
            ask: 0,
        },
        mri_minutes_left: None,
        pathology_pending_days: None,
        read_only: false,
        holder: None,
    }
}

#[test]
fn most_urgent_first_critical_then_warning_then_deadline_then_label() {
    let entries = vec![
        line("Bed 1", 0, 0, None),
        line("Bed 2", 0, 5, Some(20)),
        line("Bed 3", 1, 0, Some(25)),
        line("Bed 4", 0, 5, Some(3)),
        line("Bed 5", 0, 5, None),
        line("Bed 6", 0, 5, Some(-2)),
        line("Bed 0", 0, 0, None),
        line("Bed 7", 2, 0, None),
    ];
    let list = RoundsList::new(now(), entries, Vec::new());
    let order: Vec<&str> = list.cases.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        order,
        [
            "Bed 7", "Bed 3", "Bed 6", "Bed 4", "Bed 2", "Bed 5", "Bed 0", "Bed 1"
        ]
    );
}

#[test]
fn counts_split_asks_from_info_and_match_the_evaluation() {
    let protocol = Protocol::builtin();
    let c = case("bed12", "Bed 12");
    let list = rounds_list(
        &Listing {
            cases: vec![c.clone()],
            damaged: Vec::new(),
        },
        &protocol,
        now(),
        false,
    );
    let e = evaluate(&c, &protocol, now());
    let counts = list.cases[0].counts;
    assert_eq!(
        counts.ask,
        e.items.iter().filter(|i| i.kind == Kind::Ask).count()
    );
    assert!(counts.ask > 0);
    assert_eq!(counts.warning, e.count(Severity::Warning, None));
    assert_eq!(
        counts.critical + counts.warning + counts.info + counts.ask,
        e.items.len()
    );
    assert_eq!(list.cases[0].pod, Some(11));
    assert_eq!(list.cases[0].pathology_pending_days, Some(12));
}

#[test]
fn archived_cases_only_when_asked_and_damaged_files_last() {
    let protocol = Protocol::builtin();
    let mut archived = case("bed1", "Bed 1");
    archived.archived = Some(true);
    let mut worse = case("bed9", "Bed 9");
    // A new deficit with no MRI since: the MRI clock runs.
    let mut exam = worse.neuro_exams[0].clone();
    exam.at = spinewatch::case::parse_time("2026-12-01T06:00");
    exam.frankel = spinewatch::case::Frankel::parse("c");
    worse.neuro_exams.push(exam);
    let listing = Listing {
        cases: vec![archived, case("bed12", "Bed 12"), worse],
        damaged: vec![
            Damaged {
                file: "zz.json".into(),
                reason: "b".into(),
            },
            Damaged {
                file: "bed7.json".into(),
                reason: "line 3 column 5: expected value".into(),
            },
        ],
    };
    let list = rounds_list(&listing, &protocol, now(), false);
    let ids: Vec<&str> = list.cases.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["bed9", "bed12"]);
    assert!(list.cases[0].counts.critical > 0);
    assert_eq!(list.cases[0].mri_minutes_left.map(|m| m > 0), Some(true));
    assert_eq!(list.damaged[0].file, "bed7.json");
    let with_archived = rounds_list(&listing, &protocol, now(), true);
    assert_eq!(with_archived.cases.len(), 3);

    let text = list.text();
    let bed9 = text.find("Bed 9").unwrap();
    let bed12 = text.find("Bed 12").unwrap();
    let damaged = text
        .find("bed7.json: line 3 column 5: expected value")
        .unwrap();
    assert!(bed9 < bed12 && bed12 < damaged, "{text}");
}

#[test]
fn the_json_has_exactly_the_documented_shape() {
    let protocol = Protocol::builtin();
    let listing = Listing {
        cases: vec![case("bed12-2026-11-20", "Bed 12")],
        damaged: vec![Damaged {
            file: "bed7.json".into(),
            reason: "r".into(),
        }],
    };
    let v: Value =
        serde_json::from_str(&rounds_list(&listing, &protocol, now(), false).to_json_pretty())
            .unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&v), ["now", "cases", "damaged"]);
    assert_eq!(v["now"], "2026-12-01T08:00");
    let c = &v["cases"][0];
    assert_eq!(
        keys(c),
        [
            "id",
            "label",
            "pod",
            "rt_window",
            "counts",
            "mri_minutes_left",
            "pathology_pending_days",
            "read_only"
        ]
    );
    assert_eq!(
        c["rt_window"],
        serde_json::json!({"state": "not_started_early", "days_to_deadline": 17})
    );
    assert_eq!(keys(&c["counts"]), ["critical", "warning", "info", "ask"]);
    assert_eq!(keys(&v["damaged"][0]), ["file", "reason"]);
}

#[test]
fn the_command_lists_the_data_dir_and_marks_held_cases_read_only() {
    use spinewatch::store::Store;
    let tmp = tempfile::tempdir().unwrap();
    let mut store = open_store(tmp.path());
    save(&mut store, &case("bed12", "Bed 12"));
    save(&mut store, &case("bed14", "Bed 14"));
    write(
        tmp.path(),
        "bed7.json",
        "{\n  \"schema\": \"spinewatch.case/1\",\n    x",
    );
    store.lock("bed14", now()).unwrap();
    let out = bin()
        .env("SPINEWATCH_DATA_DIR", tmp.path())
        .args(["--now", "2026-12-01T08:00", "rounds", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let flags: Vec<(String, bool)> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["read_only"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [("bed12".to_string(), false), ("bed14".to_string(), true)]
    );
    assert_eq!(v["damaged"][0]["file"], "bed7.json");
    assert_eq!(
        v["damaged"][0]["reason"],
        "line 3 column 5: key must be a string"
    );
    let text = bin()
        .env("SPINEWATCH_DATA_DIR", tmp.path())
        .args(["--now", "2026-12-01T08:00", "rounds"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("read-only: in use by"), "{text}");
}
