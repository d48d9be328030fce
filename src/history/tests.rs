use super::*;
use serde_json::json;

fn t(s: &str) -> NaiveDateTime {
    parse_time(s).unwrap()
}

fn entry(seq: u64, at: &str, path: &str, old: Value, new: Value) -> Entry {
    Entry {
        seq,
        at: at.into(),
        user: if seq.is_multiple_of(2) { "ben" } else { "ana" }.into(),
        path: path.into(),
        old,
        new,
        prev: String::new(),
        hash: String::new(),
        case: None,
    }
}

/// Now: two exams, the second appended at 10:00 and its Frankel grade changed at 11:00;
/// wound status set at 09:00; the first lesion's ESCC changed at 12:00.
fn trail() -> (Value, Vec<Entry>) {
    let now = json!({
        "id": "bed12",
        "wound": { "status": "infection" },
        "lesions": [ { "level": "T12", "escc": "2" } ],
        "neuro_exams": [
            { "at": "2026-11-30T08:00", "frankel": "e" },
            { "at": "2026-12-01T10:00", "frankel": "c" }
        ]
    });
    let entries = vec![
        entry(
            1,
            "2026-11-30T07:00",
            "(import)",
            Value::Null,
            json!({"file": "bed12.json"}),
        ),
        entry(
            2,
            "2026-12-01T09:00",
            "wound.status",
            json!("healing"),
            json!("infection"),
        ),
        entry(
            3,
            "2026-12-01T10:00",
            "neuro_exams[1]",
            Value::Null,
            json!({ "at": "2026-12-01T10:00", "frankel": "d" }),
        ),
        entry(
            4,
            "2026-12-01T11:00",
            "neuro_exams[1].frankel",
            json!("d"),
            json!("c"),
        ),
        entry(
            5,
            "2026-12-01T12:00",
            "lesions[0].escc",
            json!("1b"),
            json!("2"),
        ),
    ];
    (now, entries)
}

#[test]
fn a_value_changed_after_the_time_shows_its_old_value() {
    let (now, entries) = trail();
    let then = as_of(&now, &entries, t("2026-12-01T11:30"))
        .unwrap()
        .unwrap();
    assert_eq!(then["lesions"][0]["escc"], "1b");
    // Changed before 11:30: as now.
    assert_eq!(then["neuro_exams"][1]["frankel"], "c");
    assert_eq!(then["wound"]["status"], "infection");
}

#[test]
fn a_field_of_a_row_goes_back_before_the_row_itself_is_removed() {
    let (now, entries) = trail();
    let then = as_of(&now, &entries, t("2026-12-01T10:30"))
        .unwrap()
        .unwrap();
    assert_eq!(then["neuro_exams"][1]["frankel"], "d");
    let before = as_of(&now, &entries, t("2026-12-01T09:59"))
        .unwrap()
        .unwrap();
    assert_eq!(before["neuro_exams"].as_array().unwrap().len(), 1);
    assert_eq!(before["neuro_exams"][0]["frankel"], "e");
    assert_eq!(before["wound"]["status"], "infection");
    assert_eq!(before["lesions"][0]["escc"], "1b");
}

#[test]
fn an_entry_at_exactly_the_time_counts_as_made() {
    let (now, entries) = trail();
    let then = as_of(&now, &entries, t("2026-12-01T09:00"))
        .unwrap()
        .unwrap();
    assert_eq!(then["wound"]["status"], "infection");
    let before = as_of(&now, &entries, t("2026-12-01T08:59"))
        .unwrap()
        .unwrap();
    assert_eq!(before["wound"]["status"], "healing");
    assert_eq!(made_by(&entries, t("2026-12-01T09:00")), 2);
    assert_eq!(after(&entries, t("2026-12-01T11:00")).len(), 1);
}

#[test]
fn before_the_import_there_was_no_case() {
    let (now, entries) = trail();
    assert_eq!(as_of(&now, &entries, t("2026-11-30T06:59")).unwrap(), None);
    assert!(
        as_of(&now, &entries, t("2026-11-30T07:00"))
            .unwrap()
            .is_some()
    );
}

#[test]
fn a_time_after_every_entry_gives_the_document_as_it_is() {
    let (now, entries) = trail();
    assert_eq!(
        as_of(&now, &entries, t("2026-12-02T00:00")).unwrap(),
        Some(now.clone())
    );
    // No trail at all (a case never edited): the document as it is.
    assert_eq!(as_of(&now, &[], t("2026-01-01T00:00")).unwrap(), Some(now));
}

#[test]
fn a_removed_row_comes_back_at_its_index() {
    let now = json!({ "mri": [ { "reason": "a" }, { "reason": "c" } ] });
    let entries = vec![entry(
        1,
        "2026-12-01T10:00",
        "mri[1]",
        json!({ "reason": "b" }),
        Value::Null,
    )];
    let then = as_of(&now, &entries, t("2026-12-01T09:00"))
        .unwrap()
        .unwrap();
    assert_eq!(
        then["mri"],
        json!([ { "reason": "a" }, { "reason": "b" }, { "reason": "c" } ])
    );
}

#[test]
fn an_appended_row_written_with_plus_is_the_last_one() {
    let now = json!({ "mri": [ { "reason": "a" }, { "reason": "b" } ] });
    let entries = vec![entry(
        1,
        "2026-12-01T10:00",
        "mri[+]",
        Value::Null,
        json!({ "reason": "b" }),
    )];
    let then = as_of(&now, &entries, t("2026-12-01T09:00"))
        .unwrap()
        .unwrap();
    assert_eq!(then["mri"], json!([ { "reason": "a" } ]));
}

#[test]
fn a_field_first_set_after_the_time_was_unknown_then() {
    let now = json!({ "id": "x", "discharge": { "planned_date": "2026-12-03" } });
    let entries = vec![entry(
        1,
        "2026-12-01T10:00",
        "discharge.planned_date",
        Value::Null,
        json!("2026-12-03"),
    )];
    let then = as_of(&now, &entries, t("2026-12-01T09:00"))
        .unwrap()
        .unwrap();
    assert_eq!(then["discharge"]["planned_date"], Value::Null);
}

#[test]
fn a_trail_that_does_not_fit_the_document_names_the_entry() {
    let now = json!({ "lesions": [ { "escc": "2" } ] });
    let entries = vec![entry(
        7,
        "2026-12-01T10:00",
        "lesions[3].escc",
        json!("1b"),
        json!("2"),
    )];
    let err = as_of(&now, &entries, t("2026-12-01T09:00")).unwrap_err();
    assert_eq!(err.seq, 7);
    assert_eq!(
        err.to_string(),
        "audit entry #7 (lesions[3].escc) cannot be undone: row 3 is beyond the list's 1 rows"
    );
    let bad = vec![entry(
        2,
        "2026-12-01T10:00",
        "lesions[x]",
        Value::Null,
        json!(1),
    )];
    assert!(as_of(&now, &bad, t("2026-12-01T09:00")).is_err());
}

#[test]
fn clocks_out_of_order_never_mix_old_and_new() {
    // Entry 2 was stamped earlier than entry 1 (another workstation's clock): as of 09:30
    // only the run of entries from the start that are all by then counts, so both are undone.
    let now = json!({ "a": 2, "b": 2 });
    let entries = vec![
        entry(1, "2026-12-01T10:00", "a", json!(1), json!(2)),
        entry(2, "2026-12-01T09:00", "b", json!(1), json!(2)),
    ];
    let then = as_of(&now, &entries, t("2026-12-01T09:30"))
        .unwrap()
        .unwrap();
    assert_eq!(then, json!({ "a": 1, "b": 1 }));
}

#[test]
fn changed_since_lists_appeared_cleared_and_who_edited() {
    let (_, entries) = trail();
    let since = t("2026-12-01T09:30");
    let then = vec!["W-NEURO-DUE".to_string(), "P-RT-TIMING".to_string()];
    let now = vec!["W-NEURO-MRI".to_string(), "P-RT-TIMING".to_string()];
    let c = ChangedSince::new(since, Some(&then), &now, after(&entries, since));
    assert_eq!(c.appeared, ["W-NEURO-MRI"]);
    assert_eq!(c.cleared, ["W-NEURO-DUE"]);
    assert!(c.edited);
    assert_eq!(c.edited_by, ["ana", "ben"]);
    let quiet = ChangedSince::new(since, Some(&now), &now, &[]);
    assert!(quiet.appeared.is_empty() && quiet.cleared.is_empty() && !quiet.edited);
    // Imported since: everything appeared.
    let new = ChangedSince::new(since, None, &now, &entries);
    assert_eq!(new.appeared, now);
}

#[test]
fn changes_marked_not_applied_are_not_undone() {
    let now = json!({ "id": "bed12", "wound": { "status": "healing" } });
    let entries = vec![
        entry(
            1,
            "2026-12-01T08:00",
            "(import)",
            Value::Null,
            json!({ "file": "x" }),
        ),
        entry(
            2,
            "2026-12-01T09:00",
            "wound.status",
            Value::Null,
            json!("healing"),
        ),
        // An interrupted save: its change was audited but never reached the case.
        entry(
            3,
            "2026-12-01T10:00",
            "wound.status",
            json!("healing"),
            json!("infection"),
        ),
        entry(
            4,
            "2026-12-01T10:05",
            crate::store::audit::NOT_APPLIED,
            Value::Null,
            json!({ "from": 3, "to": 3 }),
        ),
        entry(5, "2026-12-01T11:00", "(save)", Value::Null, Value::Null),
    ];
    let then = as_of(&now, &entries, t("2026-12-01T09:30"))
        .unwrap()
        .unwrap();
    assert_eq!(then["wound"]["status"], json!("healing"));
    let before = as_of(&now, &entries, t("2026-12-01T08:30"))
        .unwrap()
        .unwrap();
    assert_eq!(before["wound"]["status"], Value::Null);
}
