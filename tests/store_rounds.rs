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
        top: None,
        changed_since: None,
        mri_untimed: false,
        holder: None,
    }
}

/// A line with a running (or overdue) MRI clock.
fn mri(label: &str, critical: usize, minutes_left: i64) -> RoundsEntry {
    RoundsEntry {
        mri_minutes_left: Some(minutes_left),
        ..line(label, critical, 0, None)
    }
}

/// A line whose new deficit has no exam time: W-NEURO-MRI with no clock.
fn untimed(label: &str) -> RoundsEntry {
    RoundsEntry {
        mri_untimed: true,
        ..line(label, 1, 0, None)
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
            "read_only",
            "top"
        ]
    );
    assert_eq!(keys(&c["top"]), ["id", "severity", "short"]);
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

#[test]
fn mri_clock_cases_come_first_untimed_then_overdue_then_fewest_minutes_left() {
    let entries = vec![
        line("Bed 1", 5, 9, Some(-3)),
        mri("Bed 2", 1, 600),
        mri("Bed 3", 1, 0),
        mri("Bed 4", 1, -1),
        untimed("Bed 5"),
        mri("Bed 6", 1, 1),
        mri("Bed 7", 1, -90),
        line("Bed 8", 0, 0, None),
    ];
    let list = RoundsList::new(now(), entries, Vec::new());
    let order: Vec<&str> = list.cases.iter().map(|e| e.label.as_str()).collect();
    // The case with five criticals and an overdue RT window still comes after every MRI clock.
    assert_eq!(
        order,
        [
            "Bed 5", "Bed 7", "Bed 4", "Bed 3", "Bed 6", "Bed 2", "Bed 1", "Bed 8"
        ]
    );
}

#[test]
fn equal_mri_clocks_fall_back_to_criticals_warnings_deadline_label() {
    let mut a = mri("Bed 1", 1, 60);
    a.counts.warning = 2;
    let mut b = mri("Bed 2", 1, 60);
    b.counts.warning = 3;
    let c = mri("Bed 3", 2, 60);
    let list = RoundsList::new(now(), vec![a, b, c], Vec::new());
    let order: Vec<&str> = list.cases.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(order, ["Bed 3", "Bed 2", "Bed 1"]);
}

#[test]
fn replace_puts_a_changed_case_in_its_place_and_keeps_the_order() {
    let entries = vec![
        line("Bed 1", 0, 1, None),
        line("Bed 2", 0, 2, None),
        line("Bed 3", 0, 3, None),
    ];
    let mut list = RoundsList::new(now(), entries, Vec::new());
    // Bed 1 gets a new deficit: to the top, and nothing else moves.
    assert_eq!(list.replace(mri("Bed 1", 1, 700)), 0);
    let order: Vec<&str> = list.cases.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(order, ["Bed 1", "Bed 3", "Bed 2"]);
    // Its MRI is done: below Bed 3 (3 warnings), above Bed 2 (as many, label after).
    assert_eq!(list.replace(line("Bed 1", 0, 2, None)), 1);
    let order: Vec<&str> = list.cases.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(order, ["Bed 3", "Bed 1", "Bed 2"]);
    // A new id is inserted; remove takes one off.
    list.replace(line("Bed 4", 0, 9, None));
    assert_eq!(list.cases[0].label, "Bed 4");
    assert_eq!(list.remove("bed-3").map(|e| e.label), Some("Bed 3".into()));
    assert_eq!(list.cases.len(), 3);
    assert_eq!(list.remove("bed-3"), None);
}

/// Bed 9: the demo with a worse exam at 06:00 and no MRI since (the 12-hour clock runs).
fn worse(id: &str, label: &str) -> spinewatch::case::Case {
    let mut c = case(id, label);
    let mut exam = c.neuro_exams[0].clone();
    exam.at = spinewatch::case::parse_time("2026-12-01T06:00");
    exam.frankel = spinewatch::case::Frankel::parse("c");
    c.neuro_exams.push(exam);
    c
}

#[test]
fn top_is_the_first_pitfall_in_a_few_words() {
    let protocol = Protocol::builtin();
    let listing = Listing {
        cases: vec![case("bed12", "Bed 12"), worse("bed9", "Bed 9")],
        damaged: Vec::new(),
    };
    let list = rounds_list(&listing, &protocol, now(), false);
    let bed9 = &list.cases[0];
    assert_eq!(bed9.id, "bed9");
    let top = bed9.top.as_ref().unwrap();
    assert_eq!(
        (top.id.as_str(), top.severity, top.short.as_str()),
        ("W-NEURO-MRI", Severity::Critical, "MRI due 18:00")
    );
    // The demo: four warnings, the first by ID is the unplanned T5 lesion.
    let bed12 = &list.cases[1];
    let e = evaluate(&case("bed12", "Bed 12"), &protocol, now());
    let first = e.pitfalls().next().unwrap();
    let top = bed12.top.as_ref().unwrap();
    assert_eq!(top.id, first.id);
    assert_eq!(top.short, "Lesion T5 undecided");
    assert!(top.short.chars().count() <= spinewatch::store::rounds::SHORT_MAX);
    let v: Value = serde_json::from_str(&list.to_json_pretty()).unwrap();
    assert_eq!(
        v["cases"][0]["top"],
        serde_json::json!({"id": "W-NEURO-MRI", "severity": "critical", "short": "MRI due 18:00"})
    );
    // No pitfall: null.
    let v: Value = serde_json::from_str(
        &RoundsList::new(now(), vec![line("Bed 1", 0, 0, None)], Vec::new()).to_json_pretty(),
    )
    .unwrap();
    assert_eq!(v["cases"][0]["top"], Value::Null);
}

#[test]
fn a_long_title_is_cut_at_a_word_or_clause() {
    use spinewatch::store::rounds::cut_at_word;
    assert_eq!(
        cut_at_word("RT overdue: POD 30, past the 4-week deadline", 28),
        "RT overdue: POD 30…"
    );
    assert_eq!(
        cut_at_word("Opioid without a tapering plan", 28),
        "Opioid without a tapering…"
    );
    assert_eq!(
        cut_at_word("Long-term benzodiazepine", 28),
        "Long-term benzodiazepine"
    );
}

#[test]
fn the_brief_evaluation_agrees_with_evaluate() {
    use spinewatch::protocol::brief::evaluate_brief;
    let protocol = Protocol::builtin();
    let mut archived = case("bed1", "Bed 1");
    archived.radiotherapy.start = None;
    let mut discharge = case("bed2", "Bed 2");
    discharge.discharge.planned_date = spinewatch::case::parse_date("2026-12-02");
    discharge.radiotherapy.consult = None;
    for c in [
        case("bed12", "Bed 12"),
        worse("bed9", "Bed 9"),
        discharge,
        archived,
    ] {
        for at in [
            "2026-11-20T08:00",
            "2026-12-01T08:00",
            "2026-12-01T19:00",
            "2026-12-30T08:00",
        ] {
            let at = spinewatch::case::parse_time(at).unwrap();
            let full = evaluate(&c, &protocol, at);
            let brief = evaluate_brief(&c, &protocol, at);
            let brief_items: Vec<(&str, Kind, Severity)> = brief
                .items
                .iter()
                .map(|i| (i.id, i.kind, i.severity))
                .collect();
            let full_items: Vec<(&str, Kind, Severity)> = full
                .items
                .iter()
                .map(|i| (i.id.as_str(), i.kind, i.severity))
                .collect();
            assert_eq!(brief_items, full_items);
            let top = full.pitfalls().next();
            assert_eq!(brief.top.as_ref().map(|t| t.id), top.map(|t| t.id.as_str()));
            assert_eq!(
                brief.top.as_ref().map(|t| t.title.as_str()),
                top.map(|t| t.title.as_str())
            );
            assert_eq!(brief.clocks, full.clocks);
            assert_eq!(brief.pod, full.pod);
        }
    }
}

#[test]
fn markdown_is_a_table_with_pipes_escaped() {
    let protocol = Protocol::builtin();
    let listing = Listing {
        cases: vec![case("bed3", "Bed 3 | left"), worse("bed9", "Bed 9")],
        damaged: vec![Damaged {
            file: "bed7.json".into(),
            reason: "line 3 column 5: expected value".into(),
        }],
    };
    let md = rounds_list(&listing, &protocol, now(), false).markdown();
    let lines: Vec<&str> = md.lines().collect();
    assert_eq!(lines[0], "# Rounds 2026-12-01 08:00 · 2 cases");
    let header = lines
        .iter()
        .position(|l| l.starts_with("| Case |"))
        .unwrap();
    assert_eq!(
        lines[header],
        "| Case | POD | RT window | MRI clock | Path | Crit | Warn | Info | Ask | Top |"
    );
    assert!(lines[header + 1].starts_with("|---|"));
    assert!(
        lines[header + 2]
            .starts_with("| Bed 9 | 11 | not started, early · 17 d left | 10:00 left | 12 d | 1 |"),
        "{md}"
    );
    assert!(lines[header + 2].ends_with("| !! MRI due 18:00 |"), "{md}");
    // Every row has the header's cell count: the label's pipe is escaped.
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    assert!(lines[header + 3].starts_with("| Bed 3 \\| left |"), "{md}");
    assert_eq!(cells(lines[header + 3]), cells(lines[header]));
    assert!(
        md.contains("- bed7.json: line 3 column 5: expected value"),
        "{md}"
    );
}

fn at(s: &str) -> chrono::NaiveDateTime {
    spinewatch::case::parse_time(s).unwrap()
}

fn at_0600() -> chrono::NaiveDateTime {
    at("2026-12-01T06:00")
}
fn at_0900() -> chrono::NaiveDateTime {
    at("2026-12-01T09:00")
}
fn at_0930() -> chrono::NaiveDateTime {
    at("2026-12-01T09:30")
}

/// A data directory where Bed 12 was imported at 06:00, had a worse exam appended at 09:00
/// (by ana) and its wound changed from healing to infection at 09:30 (by ben); Bed 14 was
/// imported at 06:00 and left alone. (The store stamps its wall clock; the test sets it.)
fn edited_store() -> tempfile::TempDir {
    use spinewatch::store::{Change, FileStore, Store, version_of};
    let tmp = tempfile::tempdir().unwrap();
    let mut store = FileStore::open(tmp.path()).unwrap();
    store.set_user("ana");
    store.set_clock(at_0600);
    let import = |id: &str| Change {
        path: "(import)".into(),
        old: Value::Null,
        new: serde_json::json!({"file": format!("{id}.json")}),
    };
    for (id, label) in [("bed12", "Bed 12"), ("bed14", "Bed 14")] {
        store
            .create(&case(id, label), &[import(id)], now())
            .unwrap();
    }
    let mut c = store.load("bed12", now()).unwrap();
    let mut exam = c.neuro_exams[0].clone();
    exam.at = Some(at("2026-12-01T09:00"));
    exam.frankel = spinewatch::case::Frankel::parse("c");
    exam.uid = Some("exam0900".into());
    c.neuro_exams.push(exam.clone());
    let row = Change {
        path: "neuro_exams[1]".into(),
        old: Value::Null,
        new: serde_json::to_value(&exam).unwrap(),
    };
    store.set_clock(at_0900);
    store.save(&c, version_of(&c), &[row]).unwrap();
    let mut c = store.load("bed12", now()).unwrap();
    store.set_user("ben");
    store.set_clock(at_0930);
    c.wound.status = spinewatch::case::WoundStatus::parse("infection");
    let wound = Change {
        path: "wound.status".into(),
        old: Value::from("healing"),
        new: Value::from("infection"),
    };
    store.save(&c, version_of(&c), &[wound]).unwrap();
    tmp
}

fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    bin()
        .env("SPINEWATCH_DATA_DIR", dir)
        .args(["--now", "2026-12-01T10:00"])
        .args(args)
        .output()
        .unwrap()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn since_lists_the_rules_that_appeared_and_cleared_and_who_edited() {
    let tmp = edited_store();
    let out = run(
        tmp.path(),
        &["rounds", "--format", "json", "--since", "2026-12-01T08:00"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bed12 = &v["cases"][0];
    assert_eq!(bed12["id"], "bed12");
    let since = &bed12["changed_since"];
    assert_eq!(since["since"], "2026-12-01T08:00");
    let appeared = ids(&since["appeared"]);
    assert!(appeared.contains(&"W-NEURO-MRI".to_string()), "{since}");
    assert!(appeared.contains(&"W-WOUND".to_string()), "{since}");
    // The exam at 09:00 answered the overdue neuro exam.
    assert_eq!(ids(&since["cleared"]), ["W-NEURO-DUE"], "{since}");
    assert_eq!(since["edited"], true);
    assert_eq!(ids(&since["edited_by"]), ["ana", "ben"]);

    let bed14 = &v["cases"][1];
    assert_eq!(bed14["changed_since"]["edited"], false);
    assert!(ids(&bed14["changed_since"]["edited_by"]).is_empty());
    assert!(
        ids(&bed14["changed_since"]["appeared"]).is_empty(),
        "{bed14}"
    );

    // Since 09:15: the exam was there already; only the wound changed.
    let out = run(
        tmp.path(),
        &["rounds", "--format", "json", "--since", "2026-12-01T09:15"],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let since = &v["cases"][0]["changed_since"];
    assert_eq!(ids(&since["appeared"]), ["W-WOUND"], "{since}");
    assert_eq!(ids(&since["edited_by"]), ["ben"]);

    // Without --since there is no changed_since key; the text shows the marks.
    let out = run(tmp.path(), &["rounds", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["cases"][0].get("changed_since").is_none());
    let out = run(tmp.path(), &["rounds", "--since", "2026-12-01T09:15"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("since 2026-12-01 09:15: ▲ W-WOUND · ✎ ben"),
        "{text}"
    );
}

#[test]
fn as_of_rebuilds_the_case_from_its_trail_and_evaluates_it_then() {
    let tmp = edited_store();
    let eval = |time: &str| {
        let out = run(
            tmp.path(),
            &["evaluate", "bed12", "--as-of", time, "--format", "json"],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let items: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect();
        (v, items)
    };
    // 08:30: the exam appended at 09:00 is absent, the wound is still healing.
    let (v, items) = eval("2026-12-01T08:30");
    assert_eq!(v["now"], "2026-12-01T08:30");
    assert!(!items.contains(&"W-NEURO-MRI".to_string()), "{items:?}");
    assert!(items.contains(&"W-NEURO-DUE".to_string()), "{items:?}");
    assert!(!items.contains(&"W-WOUND".to_string()), "{items:?}");
    // 09:15: the exam is there and its clock runs from 09:00, evaluated at 09:15.
    let (v, items) = eval("2026-12-01T09:15");
    assert!(items.contains(&"W-NEURO-MRI".to_string()), "{items:?}");
    assert!(!items.contains(&"W-WOUND".to_string()), "{items:?}");
    assert_eq!(v["clocks"]["mri"]["minutes_left"], 12 * 60 - 15);
    // 09:30: the wound entry counts as made at its own minute.
    let (_, items) = eval("2026-12-01T09:30");
    assert!(items.contains(&"W-WOUND".to_string()), "{items:?}");
    // Evaluating the id without --as-of reads the case as it is now.
    let out = run(tmp.path(), &["evaluate", "bed12", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["now"], "2026-12-01T10:00");
    assert_eq!(v["clocks"]["mri"]["minutes_left"], 11 * 60);
}

#[test]
fn as_of_refuses_a_time_before_the_import_and_a_file() {
    let tmp = edited_store();
    let out = run(
        tmp.path(),
        &["evaluate", "bed12", "--as-of", "2026-12-01T05:59"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("case bed12: was not in the data directory yet at 2026-12-01T05:59"),
        "{err}"
    );
    let file = tmp.path().join("bed14.json");
    let out = run(
        tmp.path(),
        &[
            "evaluate",
            file.to_str().unwrap(),
            "--as-of",
            "2026-12-01T08:00",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--as-of needs a case id"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        tmp.path(),
        &["evaluate", "bed99", "--as-of", "2026-12-01T08:00"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_command_prints_markdown() {
    let tmp = edited_store();
    let out = run(tmp.path(), &["rounds", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("# Rounds 2026-12-01 10:00 · 2 cases\n"),
        "{md}"
    );
    assert!(md.contains("\n| Bed 12 | 11 |"), "{md}");
    assert!(md.contains("| !! MRI due 21:00 |"), "{md}");
}

#[test]
fn an_untimed_new_deficit_comes_before_every_running_clock() {
    let protocol = Protocol::builtin();
    let mut untimed = case("bed5", "Bed 5");
    let mut exam = untimed.neuro_exams[0].clone();
    exam.at = None;
    exam.frankel = spinewatch::case::Frankel::parse("d");
    exam.new_or_worse = Some(true);
    exam.uid = Some(spinewatch::case::uid::random());
    untimed.neuro_exams.push(exam);
    // Worse at 18:00 yesterday: due 06:00, two hours overdue at 08:00.
    let mut overdue = case("bed7", "Bed 7");
    let mut exam = overdue.neuro_exams[0].clone();
    exam.at = spinewatch::case::parse_time("2026-11-30T18:00");
    exam.frankel = spinewatch::case::Frankel::parse("c");
    exam.uid = Some(spinewatch::case::uid::random());
    overdue.neuro_exams.push(exam);
    let listing = Listing {
        cases: vec![
            case("bed12", "Bed 12"),
            worse("bed9", "Bed 9"),
            overdue,
            untimed,
        ],
        damaged: Vec::new(),
    };
    let list = rounds_list(&listing, &protocol, now(), false);
    let order: Vec<(&str, Option<i64>, bool)> = list
        .cases
        .iter()
        .map(|e| (e.id.as_str(), e.mri_minutes_left, e.mri_untimed))
        .collect();
    assert_eq!(
        order,
        [
            ("bed5", None, true),
            ("bed7", Some(-120), false),
            ("bed9", Some(600), false),
            ("bed12", None, false)
        ]
    );
    let top = list.cases[0].top.as_ref().unwrap();
    assert_eq!(top.id, "W-NEURO-MRI");
    assert!(list.text().contains("exam time unknown"), "{}", list.text());
}

#[test]
fn a_save_interrupted_before_the_case_was_replaced_is_not_undone() {
    use spinewatch::store::audit::Entry;
    let c = case("bed12", "Bed 12");
    let hash = spinewatch::store::clinical_hash(&serde_json::to_value(&c).unwrap());
    let entry = |seq, at: &str, path: &str, new: Value, case: &str| Entry {
        seq,
        at: at.into(),
        user: "ana".into(),
        path: path.into(),
        old: Value::Null,
        new,
        prev: String::new(),
        case: Some(case.into()),
        hash: String::new(),
    };
    // The exam row was entered in the trail at 10:00, but the case file never got it (the
    // store has not marked it "not applied" yet): the case has one exam.
    let entries = vec![
        entry(
            1,
            "2026-12-01T06:00",
            "(import)",
            serde_json::json!({}),
            &hash,
        ),
        entry(
            2,
            "2026-12-01T10:00",
            "neuro_exams[1]",
            serde_json::json!({"at": "2026-12-01T10:00", "frankel": "d"}),
            "another-hash",
        ),
    ];
    let then = spinewatch::history::case_as_of(&c, &entries, at("2026-12-01T09:00"))
        .unwrap()
        .unwrap();
    assert_eq!(then.neuro_exams.len(), 1);
}
