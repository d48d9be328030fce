//! No typed value is dropped or half-committed: a failed save keeps the entry and leaving
//! asks (retry, keep as draft, discard); a hang-up keeps the value being typed as a draft,
//! never as the clinical value, offered back at the next opening. Driven without a terminal
//! through the loop's own key handling.

use chrono::NaiveDateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use spinewatch::case::parse_time;
use spinewatch::store::Store;
use spinewatch::store::memory::MemoryStore;
use spinewatch::tui::demo::demo_case;
use spinewatch::tui::{App, Effect, handle_key, leave_now, perform, test_app};
use std::path::Path;

const ID: &str = "bed12-2026-11-20";

fn now() -> NaiveDateTime {
    parse_time("2026-11-25T09:00").unwrap()
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Presses keys as the loop does; true when the session ended.
fn press(app: &mut App, store: &mut MemoryStore, keys: &[KeyEvent]) -> bool {
    keys.iter()
        .any(|k| handle_key(app, store, Path::new("."), *k).is_some())
}

fn chars(s: &str) -> Vec<KeyEvent> {
    s.chars().map(|c| key(KeyCode::Char(c))).collect()
}

/// A fresh instance with the case opened as from the rounds list.
fn open(store: &mut MemoryStore) -> App {
    let mut app = test_app(now());
    perform(
        &mut app,
        store,
        Path::new("."),
        vec![Effect::Open(ID.into())],
    );
    app
}

/// The demo case open on its age field.
fn open_at_age() -> (App, MemoryStore) {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = open(&mut store);
    app.open.as_mut().unwrap().go_to("patient.age");
    (app, store)
}

fn status(app: &App) -> String {
    app.status.clone().map(|s| s.0).unwrap_or_default()
}

#[test]
fn a_hang_up_while_typing_keeps_a_draft_never_the_half_typed_value() {
    let (mut app, mut store) = open_at_age();
    assert_eq!(store.cases[ID].patient.age, Some(64));
    // Typing 71 over 64, cut off after the 7.
    press(&mut app, &mut store, &chars("7"));
    leave_now(&mut app, &mut store, Path::new(".")).unwrap();
    let saved = &store.cases[ID];
    assert_eq!(saved.patient.age, Some(64), "7 was never committed");
    assert_eq!(
        saved.extra["ui"]["drafts"],
        json!([{"path": "patient.age", "text": "7"}])
    );
    assert!(store.locked.is_empty(), "the case is given back");
    assert!(
        store.audit.get(ID).is_none_or(Vec::is_empty),
        "no audit for a draft"
    );

    // Reopened: offered back in its field.
    let mut app = open(&mut store);
    assert_eq!(
        status(&app),
        "restored unsaved entry: Age 7 — Enter commits, Esc discards"
    );
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.editor.as_ref().unwrap().input.value(), "7");
    // Finishing the value and Enter records it, audited; the draft is gone.
    press(&mut app, &mut store, &chars("1"));
    press(&mut app, &mut store, &[key(KeyCode::Enter)]);
    assert_eq!(store.cases[ID].patient.age, Some(71));
    assert_eq!(store.audit[ID][0].1.path, "patient.age");
    assert!(store.cases[ID].extra["ui"].get("drafts").is_none());
}

#[test]
fn a_restored_draft_is_discarded_by_esc() {
    let (mut app, mut store) = open_at_age();
    press(&mut app, &mut store, &chars("71"));
    leave_now(&mut app, &mut store, Path::new(".")).unwrap();
    let mut app = open(&mut store);
    press(
        &mut app,
        &mut store,
        &[key(KeyCode::Esc), key(KeyCode::Esc)],
    );
    assert_eq!(store.cases[ID].patient.age, Some(64));
    assert!(store.cases[ID].extra["ui"].get("drafts").is_none());
}

#[test]
fn a_failed_save_keeps_the_entry_and_leaving_asks() {
    let (mut app, mut store) = open_at_age();
    store.fail_saves = Some("No space left on device".into());
    press(&mut app, &mut store, &chars("71"));
    press(&mut app, &mut store, &[key(KeyCode::Enter)]);
    assert!(status(&app).contains("NOT SAVED"), "{}", status(&app));
    assert!(
        status(&app).contains("your entry is kept"),
        "{}",
        status(&app)
    );
    // Leaving does not leave: it asks.
    let ended = press(&mut app, &mut store, &[key(KeyCode::Esc)]);
    assert!(!ended, "leaving with an unsaved entry asks first");
    assert!(app.open.is_some());
    assert!(
        status(&app).contains("r retry · d keep as draft · x discard"),
        "{}",
        status(&app)
    );
    assert!(store.locked.contains(ID), "still held while asking");
    // Keep as draft cannot be written either on this disk: it stays and says so.
    press(&mut app, &mut store, &chars("d"));
    assert!(app.open.is_some());
    assert!(
        status(&app).contains("cannot keep a draft either"),
        "{}",
        status(&app)
    );
    // The disk has room again: retry records the value with its audit entry.
    store.fail_saves = None;
    press(&mut app, &mut store, &chars("r"));
    assert!(app.open.is_none(), "retry then leaves as asked");
    assert_eq!(store.cases[ID].patient.age, Some(71));
    assert_eq!(store.audit[ID][0].1.path, "patient.age");
    assert_eq!(store.audit[ID][0].1.new, json!(71));
}

#[test]
fn a_failed_save_kept_as_a_draft_or_discarded() {
    for answer in ['d', 'x'] {
        let (mut app, mut store) = open_at_age();
        store.fail_saves = Some("No space left on device".into());
        press(&mut app, &mut store, &chars("71"));
        press(&mut app, &mut store, &[key(KeyCode::Enter)]);
        press(&mut app, &mut store, &[key(KeyCode::Esc)]);
        store.fail_saves = None;
        press(&mut app, &mut store, &[key(KeyCode::Char(answer))]);
        assert!(app.open.is_none(), "{answer}: left");
        let saved = &store.cases[ID];
        assert_eq!(
            saved.patient.age,
            Some(64),
            "{answer}: never the clinical value"
        );
        let drafts = saved.extra.get("ui").and_then(|u| u.get("drafts")).cloned();
        if answer == 'd' {
            assert_eq!(drafts, Some(json!([{"path": "patient.age", "text": "71"}])));
        } else {
            assert_eq!(drafts, None);
        }
        assert!(store.locked.is_empty(), "{answer}: given back");
    }
}

#[test]
fn ctrl_c_asks_when_something_is_pending_and_leaves_otherwise() {
    let (mut app, mut store) = open_at_age();
    press(&mut app, &mut store, &chars("7"));
    let ended = press(&mut app, &mut store, &[ctrl('c')]);
    assert!(!ended);
    assert!(status(&app).starts_with("Leave?"), "{}", status(&app));
    press(&mut app, &mut store, &chars("n"));
    assert!(app.open.is_some());
    let ended = press(&mut app, &mut store, &[ctrl('c'), key(KeyCode::Char('y'))]);
    assert!(ended);
    assert_eq!(store.cases[ID].patient.age, Some(64));
    assert_eq!(
        store.cases[ID].extra["ui"]["drafts"][0]["text"],
        Value::from("7")
    );

    let (mut app, mut store) = open_at_age();
    assert!(
        press(&mut app, &mut store, &[ctrl('c')]),
        "nothing pending: leaves"
    );
}

#[test]
fn a_case_changed_elsewhere_is_not_overwritten_and_the_entry_is_kept_as_a_draft() {
    let (mut app, mut store) = open_at_age();
    // Another workstation saved meanwhile (the lock was lost): the stored case moved on.
    let mut theirs = store.cases[ID].clone();
    theirs.notes = Some("their change".into());
    let v = spinewatch::store::version_of(&theirs);
    store.save(&theirs, v, &[]).unwrap();
    press(&mut app, &mut store, &chars("71"));
    press(&mut app, &mut store, &[key(KeyCode::Enter)]);
    assert!(
        status(&app).contains("NOT SAVED (changed elsewhere)"),
        "{}",
        status(&app)
    );
    assert_eq!(store.cases[ID].notes.as_deref(), Some("their change"));
    assert_eq!(store.cases[ID].patient.age, Some(64));
    // Leaving asks; kept as a draft on top of their version, which stays as they left it.
    press(&mut app, &mut store, &[key(KeyCode::Esc)]);
    press(&mut app, &mut store, &chars("d"));
    assert!(app.open.is_none());
    let saved = &store.cases[ID];
    assert_eq!(saved.notes.as_deref(), Some("their change"));
    assert_eq!(saved.patient.age, Some(64));
    assert_eq!(saved.extra["ui"]["drafts"][0]["text"], "71");
}

#[test]
fn drafts_not_restored_yet_are_never_lost_on_the_way() {
    let mut case = demo_case(now());
    case.extra.insert(
        "ui".into(),
        json!({"drafts": [
            {"path": "radiotherapy.consult", "text": "seen"},
            {"path": "patient.age", "text": "71"},
            {"path": "patient.mrn", "text": "X1"}
        ]}),
    );
    let mut store = MemoryStore::with_cases([case]);
    let mut app = open(&mut store);
    // The first with a typed field is restored; the choice is said, not restored.
    assert_eq!(
        status(&app),
        "restored unsaved entry: Age 71 — Enter commits, Esc discards"
    );
    // Leaving without committing: the other two are still kept in the case.
    press(
        &mut app,
        &mut store,
        &[key(KeyCode::Esc), key(KeyCode::Esc)],
    );
    assert!(app.open.is_none());
    let drafts = &store.cases[ID].extra["ui"]["drafts"];
    assert_eq!(
        drafts,
        &json!([
            {"path": "radiotherapy.consult", "text": "seen"},
            {"path": "patient.mrn", "text": "X1"}
        ])
    );
    assert_eq!(store.cases[ID].patient.age, Some(64));
    // Next opening: the MRN is offered.
    let app = open(&mut store);
    assert!(
        status(&app).contains("Mrn") || status(&app).contains("MRN"),
        "{}",
        status(&app)
    );
}
