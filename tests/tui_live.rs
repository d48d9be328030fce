//! The rounds list stays live: a change saved by another instance on the same data directory
//! (a second `FileStore` here, as another workstation would be), an import, a lock taken or
//! given back, all reach the list through the store's change feed without a key.

use chrono::NaiveDateTime;
use serde_json::json;
use spinewatch::case::{WoundStatus, parse_time};
use spinewatch::store::watch::ChangeFeed;
use spinewatch::store::{Change, FileStore, Store, version_of};
use spinewatch::tui::demo::demo_case;
use spinewatch::tui::{App, Effect, live_refresh, perform, test_app};
use std::path::Path;
use std::time::{Duration, Instant};

const ID: &str = "bed12-2026-11-20";

fn now() -> NaiveDateTime {
    parse_time("2026-11-25T09:00").unwrap()
}

/// Feeds changes to the app until `done` holds; notifications take a moment to arrive (the
/// deadline only keeps a broken watcher from hanging the test, it asserts nothing).
fn refresh_until(
    app: &mut App,
    store: &mut dyn Store,
    feed: &mut dyn ChangeFeed,
    done: impl Fn(&App) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done(app) && Instant::now() < deadline {
        live_refresh(app, store, feed);
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn row_of<'a>(app: &'a App, id: &str) -> Option<&'a spinewatch::tui::rounds::RoundsRow> {
    app.rounds.list.rows.iter().find(|r| r.id == id)
}

#[test]
fn another_instances_save_lock_and_import_reach_the_list_without_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let mut mine = FileStore::open(dir.path()).unwrap();
    mine.create(&demo_case(now()), &[], now()).unwrap();
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut mine,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let before = spinewatch::store::rounds::entry(&demo_case(now()), &app.protocol, now()).counts;
    let mut feed = mine.watch().expect("the file store watches its directory");

    // The other workstation opens the case: the held marker appears.
    let mut other = FileStore::open(dir.path()).unwrap();
    other.lock(ID, now()).unwrap();
    refresh_until(&mut app, &mut mine, feed.as_mut(), |a| {
        row_of(a, ID).is_some_and(|r| r.holder.is_some())
    });
    assert!(row_of(&app, ID).unwrap().holder.is_some(), "held marker");

    // It records a wound infection: a new critical pitfall on the list.
    let mut case = other.load(ID, now()).unwrap();
    case.wound.status = Some(WoundStatus::Infection);
    other
        .save(
            &case,
            version_of(&case),
            &[Change {
                path: "wound.status".into(),
                old: json!("healing"),
                new: json!("infection"),
            }],
        )
        .unwrap();
    let expected = spinewatch::store::rounds::entry(&case, &app.protocol, now()).counts;
    assert_ne!(expected, before, "the change matters");
    let shows = |a: &App| {
        row_of(a, ID)
            .is_some_and(|r| (r.critical, r.warning) == (expected.critical, expected.warning))
    };
    refresh_until(&mut app, &mut mine, feed.as_mut(), shows);
    assert!(shows(&app), "the change shows");

    // It gives the case back: the marker goes.
    other.unlock(ID);
    refresh_until(&mut app, &mut mine, feed.as_mut(), |a| {
        row_of(a, ID).is_some_and(|r| r.holder.is_none())
    });
    assert!(row_of(&app, ID).unwrap().holder.is_none(), "marker gone");

    // An import (a new case file) joins the list.
    let mut bed3 = demo_case(now());
    bed3.id = Some("bed3".into());
    bed3.patient.label = Some("Bed 3".into());
    other.create(&bed3, &[], now()).unwrap();
    refresh_until(&mut app, &mut mine, feed.as_mut(), |a| {
        row_of(a, "bed3").is_some()
    });
    assert_eq!(row_of(&app, "bed3").unwrap().label, "Bed 3");
}

#[test]
fn a_read_only_view_shows_what_the_holder_saves() {
    let dir = tempfile::tempdir().unwrap();
    let mut holder = FileStore::open(dir.path()).unwrap();
    holder.create(&demo_case(now()), &[], now()).unwrap();
    holder.lock(ID, now()).unwrap();

    let mut mine = FileStore::open(dir.path()).unwrap();
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut mine,
        Path::new("."),
        vec![Effect::LoadRounds, Effect::Open(ID.into())],
    );
    assert!(app.open.as_ref().unwrap().read_only().is_some());
    let mut feed = mine.watch().unwrap();

    let mut case = holder.load(ID, now()).unwrap();
    case.patient.age = Some(71);
    holder.save(&case, version_of(&case), &[]).unwrap();
    refresh_until(&mut app, &mut mine, feed.as_mut(), |a| {
        a.open.as_ref().unwrap().case.patient.age == Some(71)
    });
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.case.patient.age, Some(71), "refreshed");
    assert!(view.read_only().is_some(), "still read-only");
}

#[test]
fn a_changed_case_keeps_the_cursor_on_the_same_patient() {
    let dir = tempfile::tempdir().unwrap();
    let mut mine = FileStore::open(dir.path()).unwrap();
    let mut bed3 = demo_case(now());
    bed3.id = Some("bed3".into());
    bed3.patient.label = Some("Bed 3".into());
    mine.create(&demo_case(now()), &[], now()).unwrap();
    mine.create(&bed3, &[], now()).unwrap();
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut mine,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let selected = app.visible_rows()[app.rounds.selected].id.clone();
    let other_id = if selected == "bed3" { ID } else { "bed3" };
    let mut feed = mine.watch().unwrap();
    // The other case turns critical and moves to the top of the list.
    let mut other = FileStore::open(dir.path()).unwrap();
    other.lock(other_id, now()).unwrap();
    let mut case = other.load(other_id, now()).unwrap();
    case.wound.status = Some(WoundStatus::Infection);
    other.save(&case, version_of(&case), &[]).unwrap();
    refresh_until(&mut app, &mut mine, feed.as_mut(), |a| {
        a.rounds.list.rows.first().is_some_and(|r| r.id == other_id)
    });
    assert_eq!(app.rounds.list.rows[0].id, other_id, "reordered");
    assert_eq!(
        app.visible_rows()[app.rounds.selected].id,
        selected,
        "the cursor stayed on the same patient"
    );
}

#[test]
fn rows_mark_what_changed_since_this_users_last_review() {
    let dir = tempfile::tempdir().unwrap();
    let mut mine = FileStore::open(dir.path()).unwrap();
    mine.create(&demo_case(now()), &[], now()).unwrap();
    let mut app = test_app(now());
    // The last review was long before the case came in, by another account than the one
    // that wrote it: the case is new (▲) and edited by someone else (✎).
    app.review = Some(spinewatch::tui::review::Review {
        since: parse_time("2000-01-01T08:00").unwrap(),
        user: "reviewer-elsewhere".into(),
    });
    perform(
        &mut app,
        &mut mine,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let marks = row_of(&app, ID).unwrap().marks;
    assert!(marks.new_pitfall && marks.edited, "{marks:?}");
    assert!(!marks.cleared);
    // The same review by the account that wrote the trail: not marked as someone else's.
    let me = mine.history(ID).unwrap()[0].user.clone();
    app.review.as_mut().unwrap().user = me;
    perform(
        &mut app,
        &mut mine,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    assert!(!row_of(&app, ID).unwrap().marks.edited);
    // The marks are drawn at the start of the row, beside the severity.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| spinewatch::tui::view::draw(f, &app)).unwrap();
    let text = format!("{}", t.backend());
    assert!(text.contains("! WARN ▲   Bed 12"), "{text}");
}

/// The live refresh moves one row; the list must be the one a full reload would give.
#[test]
fn a_one_case_refresh_gives_the_same_list_as_a_full_reload() {
    let mut cases = Vec::new();
    for (i, days) in [0i64, -26, -10, -3].into_iter().enumerate() {
        let mut v = serde_json::to_value(demo_case(now())).unwrap();
        spinewatch::tui::demo::shift_dates(&mut v, days);
        let mut c = spinewatch::case::Case::from_value(&v, now()).unwrap();
        c.id = Some(format!("bed{i}"));
        c.patient.label = Some(format!("Bed {i}"));
        cases.push(c);
    }
    let mut app = test_app(now());
    app.set_listing(spinewatch::store::Listing {
        cases: cases.clone(),
        damaged: Vec::new(),
    });
    for (id, change) in [("bed0", 0), ("bed2", 1), ("bed3", 2)] {
        let mut c = cases
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .unwrap()
            .clone();
        match change {
            0 => c.wound.status = Some(WoundStatus::Infection),
            1 => c.archived = Some(true),
            _ => c.patient.label = Some("Aa first by label".into()),
        }
        app.case_changed(id, Some(c));
        let incremental = app.rounds.list.rows.clone();
        app.relist();
        assert_eq!(incremental, app.rounds.list.rows, "after changing {id}");
    }
    app.case_changed("bed1", None);
    assert!(row_of(&app, "bed1").is_none(), "gone");
}
