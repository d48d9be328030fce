//! Update logic without a terminal: key presses in, state and effects out.

use chrono::NaiveDateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};
use spinewatch::case::parse_time;
use spinewatch::store::memory::MemoryStore;
use spinewatch::store::{Access, Store};
use spinewatch::tui::app::{Overlay, Pane};
use spinewatch::tui::demo::demo_case;
use spinewatch::tui::form::Tab;
use spinewatch::tui::{App, Effect, perform, test_app, update};
use std::path::Path;

const DEMO_ID: &str = "bed12-2026-11-20";

fn now() -> NaiveDateTime {
    parse_time("2026-11-25T09:00").unwrap()
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
fn ch(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}
fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(app, ch(c))).collect()
}

/// The demo case open on the first screen, in a store in memory.
fn demo() -> (App, MemoryStore) {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("/nonexistent"),
        vec![Effect::LoadRounds, Effect::Open(DEMO_ID.into())],
    );
    (app, store)
}

/// A fresh instance with the demo case opened from `store`.
fn opened(store: &mut MemoryStore) -> App {
    let mut app = test_app(now());
    perform(
        &mut app,
        store,
        Path::new("."),
        vec![Effect::Open(DEMO_ID.into())],
    );
    app
}

fn goto(app: &mut App, tab: Tab, path: &str) {
    let view = app.open.as_mut().unwrap();
    view.tab = tab;
    view.focus = view
        .focusables()
        .iter()
        .position(|r| r.path() == path)
        .unwrap_or_else(|| panic!("{path} is not on {tab:?}"));
    view.start_editor();
}

fn saves(effects: &[Effect]) -> Vec<(String, Value, Value)> {
    effects
        .iter()
        .flat_map(|e| match e {
            Effect::Save { changes, .. } => changes
                .iter()
                .map(|c| (c.path.clone(), c.old.clone(), c.new.clone()))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

#[test]
fn rounds_enter_opens_the_selected_case_and_q_quits() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    assert_eq!(app.visible_rows().len(), 1);
    assert_eq!(
        update(&mut app, key(KeyCode::Enter)),
        vec![Effect::Open(DEMO_ID.into())]
    );
    assert_eq!(update(&mut app, ch('q')), vec![Effect::Quit]);
}

#[test]
fn filter_narrows_the_rounds_list_by_label() {
    let mut other = demo_case(now());
    other.id = Some("bed7".into());
    other.patient.label = Some("Bed 7".into());
    let mut store = MemoryStore::with_cases([demo_case(now()), other]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    assert_eq!(app.visible_rows().len(), 2);
    update(&mut app, ch('/'));
    typed(&mut app, "7");
    assert_eq!(app.visible_rows().len(), 1);
    assert_eq!(app.visible_rows()[0].label, "Bed 7");
    // q while filtering is part of the filter, not quit.
    assert!(update(&mut app, ch('q')).is_empty());
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.visible_rows().len(), 2);
}

#[test]
fn new_case_opens_with_the_label_focused_and_is_created_on_the_first_change() {
    let mut app = test_app(now());
    update(&mut app, ch('n'));
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.tab, Tab::Patient);
    assert_eq!(view.editor.as_ref().unwrap().path, "patient.label");
    assert!(
        typed(&mut app, "Bed 3 ünï").is_empty(),
        "typing alone saves nothing"
    );
    let effects = update(&mut app, key(KeyCode::Tab));
    assert!(matches!(effects[0], Effect::Create(_)), "{effects:?}");
    assert_eq!(
        saves(&effects),
        vec![("patient.label".into(), Value::Null, json!("Bed 3 ünï"))]
    );
    assert_eq!(
        app.open.as_ref().unwrap().editor.as_ref().unwrap().path,
        "patient.mrn"
    );
}

#[test]
fn a_refused_entry_stays_in_place_with_its_reason_and_what_was_typed() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Patient, "patient.age");
    update(&mut app, ctrl('u'));
    typed(&mut app, "200");
    let effects = update(&mut app, key(KeyCode::Tab));
    assert!(effects.is_empty());
    let ed = app.open.as_ref().unwrap().editor.as_ref().unwrap();
    assert_eq!(ed.path, "patient.age");
    assert_eq!(ed.input.value(), "200");
    assert_eq!(ed.error.as_deref(), Some("200 is out of range (0–120)"));
    // Esc undoes the typing and keeps the saved value.
    update(&mut app, key(KeyCode::Esc));
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.editor.as_ref().unwrap().input.value(), "64");
    assert_eq!(view.case.patient.age, Some(64));
}

#[test]
fn a_surgery_date_after_today_is_refused_by_the_case_rules() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Patient, "surgery.date");
    update(&mut app, ctrl('u'));
    typed(&mut app, "+2");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    let ed = app.open.as_ref().unwrap().editor.as_ref().unwrap();
    assert_eq!(
        ed.error.as_deref(),
        Some("\"2026-11-27\" is after today (2026-11-25)")
    );
}

#[test]
fn dates_typed_as_words_are_saved_as_dates_and_audited() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Discharge, "discharge.planned_date");
    typed(&mut app, "+3");
    let effects = update(&mut app, key(KeyCode::Tab));
    assert_eq!(
        saves(&effects),
        vec![(
            "discharge.planned_date".into(),
            Value::Null,
            json!("2026-11-28")
        )]
    );
}

#[test]
fn a_choice_is_saved_once_when_the_field_is_left() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Pain, "medications.nsaid_contraindicated");
    assert!(update(&mut app, ch('n')).is_empty(), "pending until Tab");
    let eval = &app.open.as_ref().unwrap().eval;
    assert!(
        eval.fired("A-NSAID-CI"),
        "a pending choice does not feed the plan"
    );
    let effects = update(&mut app, key(KeyCode::Tab));
    assert_eq!(
        saves(&effects),
        vec![(
            "medications.nsaid_contraindicated".into(),
            Value::Null,
            json!(false)
        )]
    );
    // The ask for it is gone from the live pane.
    let eval = &app.open.as_ref().unwrap().eval;
    assert!(!eval.fired("A-NSAID-CI"));
    update(&mut app, key(KeyCode::BackTab));
    assert!(update(&mut app, key(KeyCode::Right)).is_empty());
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(saves(&effects)[0].2, Value::Null, "after no comes unknown");
}

#[test]
fn type_ahead_m_then_o_reaches_moderate_with_one_audit_entry() {
    let (mut app, mut store) = demo();
    goto(&mut app, Tab::Imaging, "lesions[1].canal_stenosis");
    let mut effects = typed(&mut app, "mo");
    assert!(effects.is_empty(), "no save on each key");
    assert_eq!(
        app.open.as_ref().unwrap().chooser.as_ref().unwrap().value,
        json!("moderate")
    );
    effects.extend(update(&mut app, key(KeyCode::Tab)));
    assert_eq!(
        saves(&effects),
        vec![(
            "lesions[1].canal_stenosis".into(),
            json!("none"),
            json!("moderate")
        )]
    );
    perform(&mut app, &mut store, Path::new("."), effects);
    let trail = store.history(DEMO_ID).unwrap();
    let entries: Vec<_> = trail
        .iter()
        .filter(|e| e.path == "lesions[1].canal_stenosis")
        .collect();
    assert_eq!(entries.len(), 1, "one decision, one entry: {trail:?}");
    assert_eq!(entries[0].new, json!("moderate"));
    // Choosing the same value again writes nothing.
    update(&mut app, key(KeyCode::BackTab));
    typed(&mut app, "mo");
    assert!(saves(&update(&mut app, key(KeyCode::Tab))).is_empty());
}

#[test]
fn letters_inside_a_field_never_fire_commands() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Neuro, "neuro_exams[0].frankel");
    // `e` on the Frankel field chooses grade E; it does not export.
    update(&mut app, ch('c'));
    assert_eq!(update(&mut app, ch('e')), Vec::<Effect>::new());
    let effects = update(&mut app, key(KeyCode::Tab));
    assert!(!effects.contains(&Effect::Export));
    // `q` typed in a text field is text; the case stays open.
    goto(&mut app, Tab::Patient, "surgery.procedure");
    assert!(typed(&mut app, "q e y").is_empty());
    assert!(app.open.is_some());
    assert!(
        app.open
            .as_ref()
            .unwrap()
            .editor
            .as_ref()
            .unwrap()
            .text()
            .ends_with("q e y")
    );
}

#[test]
fn mdt_attendees_toggle_one_discipline_at_a_time() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Discharge, "mdt.attendees");
    // The first attendee row is hospitalist.
    assert!(update(&mut app, ch(' ')).is_empty());
    let effects = update(&mut app, key(KeyCode::Tab));
    assert_eq!(
        saves(&effects),
        vec![(
            "mdt.attendees".into(),
            json!(["spine_surgery"]),
            json!(["spine_surgery", "hospitalist"])
        )]
    );
}

#[test]
fn the_live_pane_follows_accepted_values_only() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Wound, "radiotherapy.total_dose_gy");
    typed(&mut app, "45");
    update(&mut app, key(KeyCode::Tab));
    typed(&mut app, "1.8");
    let view = app.open.as_ref().unwrap();
    assert_eq!(
        view.eval.scores.rt_schedule.fractions, None,
        "typing does not feed the plan"
    );
    update(&mut app, key(KeyCode::Tab));
    let view = app.open.as_ref().unwrap();
    assert_eq!(
        view.eval.scores.rt_schedule.fractions,
        Some(25),
        "committed"
    );
}

#[test]
fn a_refused_date_never_changes_the_pod() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Patient, "surgery.date");
    let pod = app.open.as_ref().unwrap().eval.pod;
    typed(&mut app, "2026-02-30");
    assert_eq!(app.open.as_ref().unwrap().eval.pod, pod, "while typing");
    assert!(update(&mut app, key(KeyCode::Tab)).is_empty());
    let view = app.open.as_ref().unwrap();
    assert!(view.editor.as_ref().unwrap().error.is_some(), "refused");
    assert_eq!(view.eval.pod, pod, "after the refusal");
    assert_eq!(view.focused().unwrap().path(), "surgery.date");
}

#[test]
fn add_an_exam_with_the_time_prefilled_to_now() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Neuro, "neuro_exams");
    let effects = update(&mut app, ctrl('a'));
    let changes = saves(&effects);
    assert_eq!(changes[0].0, "neuro_exams[1]");
    assert_eq!(changes[0].2["at"], json!("2026-11-25T09:00"));
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.focused().unwrap().path(), "neuro_exams[1].frankel");
    // Frankel by letter: a drop from E to D marks the exam worse and starts the MRI clock.
    update(&mut app, ch('d'));
    let effects = update(&mut app, key(KeyCode::Tab));
    // The drop is written into the case (new_or_worse) and audited beside the grade.
    assert_eq!(
        saves(&effects),
        vec![
            ("neuro_exams[1].frankel".into(), Value::Null, json!("d")),
            (
                "neuro_exams[1].new_or_worse".into(),
                Value::Null,
                json!(true)
            ),
        ]
    );
    assert_eq!(
        app.open.as_ref().unwrap().case.neuro_exams[1].new_or_worse,
        Some(true)
    );
    let eval = &app.open.as_ref().unwrap().eval;
    assert_eq!(eval.clocks.mri.as_ref().unwrap().minutes_left, 12 * 60);
}

#[test]
fn a_new_lesion_asks_its_level_first_and_refuses_a_bad_one() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Imaging, "lesions");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::NewRow { .. })));
    typed(&mut app, "T13");
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    match &app.overlay {
        Some(Overlay::NewRow { error, input, .. }) => {
            assert_eq!(input.value(), "T13");
            assert!(
                error.as_deref().unwrap().contains("is not a vertebra"),
                "{error:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    update(&mut app, key(KeyCode::Backspace));
    update(&mut app, key(KeyCode::Backspace));
    typed(&mut app, "8");
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(saves(&effects)[0].0, "lesions[2]");
    assert_eq!(app.open.as_ref().unwrap().case.lesions.len(), 3);
    assert!(app.overlay.is_none());
}

#[test]
fn removing_a_row_asks_first_and_is_audited() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Imaging, "lesions[1].finding");
    assert!(update(&mut app, ctrl('d')).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::ConfirmRemove(..))));
    // Anything but y keeps it.
    update(&mut app, ch('n'));
    assert_eq!(app.open.as_ref().unwrap().case.lesions.len(), 2);
    update(&mut app, ctrl('d'));
    let effects = update(&mut app, ch('y'));
    let changes = saves(&effects);
    assert_eq!(changes[0].0, "lesions[1]");
    assert_eq!(changes[0].1["level"], json!("T5"));
    assert_eq!(app.open.as_ref().unwrap().case.lesions.len(), 1);
}

#[test]
fn plan_item_enter_opens_its_basis() {
    let (mut app, _) = demo();
    update(&mut app, ctrl('p'));
    assert_eq!(app.open.as_ref().unwrap().pane, Pane::Plan);
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::Enter));
    let Some(Overlay::Basis(i)) = app.overlay else {
        panic!("{:?}", app.overlay)
    };
    let eval = &app.open.as_ref().unwrap().eval;
    // The second line of the pane is the second pitfall (warnings sorted by ID).
    assert_eq!(eval.items[i].id, "W-MDT-MISSING");
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
}

#[test]
fn help_opens_on_question_mark_except_while_typing() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Patient, "patient.sex");
    update(&mut app, ch('?'));
    assert!(matches!(app.overlay, Some(Overlay::Help)));
    update(&mut app, ch('x'));
    assert!(app.overlay.is_none());
    goto(&mut app, Tab::Patient, "patient.mrn");
    update(&mut app, ch('?'));
    assert!(app.overlay.is_none(), "typed into the MRN");
    update(&mut app, key(KeyCode::F(1)));
    assert!(matches!(app.overlay, Some(Overlay::Help)));
}

#[test]
fn leaving_remembers_screen_and_field_and_reopening_returns_there() {
    let (mut app, mut store) = demo();
    goto(&mut app, Tab::Pathology, "performance.kps");
    let effects = update(&mut app, key(KeyCode::Esc));
    assert!(matches!(effects[0], Effect::Save { .. }));
    assert_eq!(
        effects[1..],
        [Effect::Close(DEMO_ID.into()), Effect::LoadRounds]
    );
    assert!(app.open.is_none());
    perform(&mut app, &mut store, Path::new("."), effects);
    let saved = store.load(DEMO_ID, now()).unwrap();
    assert_eq!(
        saved.extra["ui"],
        json!({"screen": "pathology", "field": "performance.kps"})
    );
    assert!(
        store.audit.get(DEMO_ID).is_none_or(Vec::is_empty),
        "no audit for a position"
    );
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::Open(DEMO_ID.into())],
    );
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.tab, Tab::Pathology);
    assert_eq!(view.focused().unwrap().path(), "performance.kps");
}

#[test]
fn ctrl_s_saves_and_says_saved_and_changes_reach_the_audit_trail() {
    let (mut app, mut store) = demo();
    goto(&mut app, Tab::Patient, "patient.mrn");
    typed(&mut app, "X1");
    let effects = update(&mut app, ctrl('s'));
    perform(&mut app, &mut store, Path::new("."), effects);
    assert_eq!(app.status, Some(("saved".into(), false)));
    assert_eq!(store.cases[DEMO_ID].patient.mrn.as_deref(), Some("X1"));
    let audit = &store.audit[DEMO_ID];
    assert_eq!(audit[0].1.path, "patient.mrn");
    assert_eq!(audit[0].1.new, json!("X1"));
}

#[test]
fn a_case_held_elsewhere_opens_read_only_and_refuses_changes() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    store.held_elsewhere.insert(
        DEMO_ID.into(),
        "in use by ana since 2026-11-25 08:12".into(),
    );
    let mut app = opened(&mut store);
    let view = app.open.as_ref().unwrap();
    assert_eq!(
        view.access,
        Access::ReadOnly {
            holder: "in use by ana since 2026-11-25 08:12".into()
        }
    );
    goto(&mut app, Tab::Patient, "patient.sex");
    update(&mut app, ch('m'));
    assert!(update(&mut app, key(KeyCode::Tab)).is_empty());
    let (msg, err) = app.status.clone().unwrap();
    assert!(err && msg.contains("in use by ana"), "{msg}");
    assert_eq!(store.saves, 0);
}

#[test]
fn a_failed_save_says_so_and_keeps_the_entry() {
    let (mut app, mut store) = demo();
    store.fail_saves = Some("disk full".into());
    goto(&mut app, Tab::Patient, "patient.sex");
    update(&mut app, ch('m'));
    let effects = update(&mut app, key(KeyCode::Tab));
    perform(&mut app, &mut store, Path::new("."), effects);
    let (msg, err) = app.status.clone().unwrap();
    assert!(err && msg.contains("NOT SAVED: disk full"), "{msg}");
    assert_eq!(
        app.open
            .as_ref()
            .unwrap()
            .case
            .patient
            .sex
            .map(|s| s.as_str()),
        Some("male")
    );
}

#[test]
fn tab_past_the_last_field_goes_on_to_the_next_screen() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Patient, "medically_stable");
    update(&mut app, key(KeyCode::Tab));
    assert_eq!(app.open.as_ref().unwrap().tab, Tab::Imaging);
    update(&mut app, key(KeyCode::BackTab));
    assert_eq!(app.open.as_ref().unwrap().tab, Tab::Patient);
    assert_eq!(
        app.open.as_ref().unwrap().focused().unwrap().path(),
        "medically_stable"
    );
}

#[test]
fn export_key_asks_the_loop_to_export() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Patient, "patient.sex");
    assert_eq!(update(&mut app, ctrl('e')), vec![Effect::Export]);
    goto(&mut app, Tab::Imaging, "lesions");
    assert_eq!(
        update(&mut app, ch('e')),
        vec![Effect::Export],
        "outside fields"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut store = MemoryStore::default();
    perform(
        &mut app,
        &mut store,
        &dir.path().join("exports"),
        vec![Effect::Export],
    );
    let path = dir.path().join("exports/bed12-2026-11-20-20261125T0900.md");
    assert!(path.exists(), "{:?}", app.status);
    assert!(app.status.as_ref().unwrap().0.contains("exports/bed12"));
}

#[test]
fn rounds_quick_entry_opens_the_case_at_what_rounds_record() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let effects = update(&mut app, ch('x'));
    assert_eq!(effects, vec![Effect::Open(DEMO_ID.into())]);
    perform(&mut app, &mut store, Path::new("."), effects);
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.tab, Tab::Neuro);
    assert_eq!(view.focused().unwrap().path(), "neuro_exams");
    // Enter on the list adds an exam at the time now.
    let effects = update(&mut app, key(KeyCode::Enter));
    assert_eq!(saves(&effects)[0].2["at"], json!("2026-11-25T09:00"));
}

#[test]
fn still_to_record_leads_to_the_unknown_field() {
    let (mut app, _) = demo();
    update(&mut app, ctrl('p'));
    let view = app.open.as_ref().unwrap();
    let pos = App::plan_order(&view.eval)
        .iter()
        .position(|&i| view.eval.items[i].id == "A-ESCC")
        .unwrap();
    app.open.as_mut().unwrap().plan_sel = pos;
    update(&mut app, ch('g'));
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.pane, Pane::Form);
    assert_eq!(view.tab, Tab::Imaging);
    // T12 has its ESCC; the ask is about T5, the second lesion.
    assert_eq!(view.focused().unwrap().path(), "lesions[1].escc");
}

#[test]
fn a_termination_signal_keeps_valid_typing_saves_and_quits() {
    let (mut app, mut store) = demo();
    goto(&mut app, Tab::Patient, "patient.mrn");
    typed(&mut app, "Z9");
    let effects = spinewatch::tui::update::shutdown(&mut app);
    assert_eq!(effects.last(), Some(&Effect::Quit));
    perform(&mut app, &mut store, Path::new("."), effects);
    assert_eq!(store.cases[DEMO_ID].patient.mrn.as_deref(), Some("Z9"));
    assert!(store.locked.is_empty(), "the case is given back");
}

#[test]
fn a_new_case_never_takes_an_id_already_used() {
    // Another instance created a case with the same timestamp id after our list was read.
    let mut taken = demo_case(now());
    taken.id = Some("case-20261125-0900".into());
    let mut store = MemoryStore::with_cases([taken]);
    let mut app = test_app(now());
    update(&mut app, ch('n'));
    typed(&mut app, "Bed 4");
    let effects = update(&mut app, key(KeyCode::Tab));
    perform(&mut app, &mut store, Path::new("."), effects);
    assert_eq!(
        store.cases["case-20261125-0900"].label(),
        "Bed 12",
        "untouched"
    );
    assert_eq!(store.cases["case-20261125-0900-2"].label(), "Bed 4");
    assert_eq!(
        store.audit["case-20261125-0900-2"][0].1.path,
        "patient.label"
    );
    assert_eq!(app.open.as_ref().unwrap().id(), "case-20261125-0900-2");
}

#[test]
fn a_read_only_case_can_always_be_left() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    store
        .held_elsewhere
        .insert(DEMO_ID.into(), "in use by ana".into());
    let mut app = opened(&mut store);
    // The label field is focused with its text; leaving must not try to save it.
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        vec![Effect::Close(DEMO_ID.into()), Effect::LoadRounds]
    );
    assert!(app.open.is_none());
}

#[test]
fn recording_a_wound_status_stamps_the_check_time() {
    let (mut app, _store) = demo();
    goto(&mut app, Tab::Wound, "wound.status");
    // "i" chooses infection by its first letter; leaving the field records it.
    update(&mut app, ch('i'));
    let effects = update(&mut app, key(KeyCode::Tab));
    let changes = saves(&effects);
    assert_eq!(
        changes[0],
        ("wound.status".into(), json!("healing"), json!("infection"))
    );
    // The demo was last checked on POD 2; the new status is stamped now.
    assert_eq!(
        changes[1],
        (
            "wound.checked_at".into(),
            json!("2026-11-22T09:00"),
            json!("2026-11-25T09:00")
        )
    );
    assert_eq!(
        app.open.as_ref().unwrap().case.wound.checked_at,
        Some(now())
    );
}

#[test]
fn typing_over_a_number_replaces_it_but_text_is_appended_to() {
    let (mut app, _store) = demo();
    goto(&mut app, Tab::Patient, "patient.age");
    typed(&mut app, "65");
    let changes = saves(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(changes[0], ("patient.age".into(), json!(64), json!(65)));
    // A cursor key first means "edit what is there".
    goto(&mut app, Tab::Patient, "patient.age");
    update(&mut app, key(KeyCode::End));
    typed(&mut app, "0");
    let ed = app.open.as_ref().unwrap().editor.as_ref().unwrap();
    assert_eq!(ed.input.value(), "650");
    // Free text keeps what is there.
    goto(&mut app, Tab::Patient, "patient.label");
    typed(&mut app, " b");
    let changes = saves(&update(&mut app, key(KeyCode::Enter)));
    assert_eq!(
        changes[0],
        ("patient.label".into(), json!("Bed 12"), json!("Bed 12 b"))
    );
}

#[test]
fn a_pasted_newline_never_leaves_the_field_and_never_archives() {
    let (mut app, mut store) = demo();
    goto(&mut app, Tab::Discharge, "notes");
    // The paste that once archived a patient: text, a newline, then `y`.
    assert!(spinewatch::tui::paste(&mut app, "Seen by physio\ry").is_empty());
    let view = app.open.as_ref().unwrap();
    assert_eq!(
        view.focused().unwrap().path(),
        "notes",
        "still in the notes"
    );
    let text = view.editor.as_ref().unwrap().text();
    assert!(text.ends_with("to meet.Seen by physio\ny"), "{text}");
    assert!(app.overlay.is_none());
    let effects = update(&mut app, key(KeyCode::Tab));
    let changes = saves(&effects);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].0, "notes");
    assert!(changes[0].2.as_str().unwrap().ends_with("physio\ny"));
    perform(&mut app, &mut store, Path::new("."), effects);
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.case.archived, Some(false), "not archived");
    assert_eq!(view.focused().unwrap().path(), "archived");

    // In a one-line field, CRLF and LF become spaces; the text stays in the field.
    goto(&mut app, Tab::Patient, "surgery.procedure");
    update(&mut app, ctrl('u'));
    spinewatch::tui::paste(&mut app, "Posterior\r\nstabilization\nT10-L2");
    let view = app.open.as_ref().unwrap();
    assert_eq!(
        view.editor.as_ref().unwrap().text(),
        "Posterior stabilization T10-L2"
    );
    assert_eq!(view.focused().unwrap().path(), "surgery.procedure");
    // A terminal that turned CRLF into CR CR still gives one space.
    update(&mut app, ctrl('u'));
    spinewatch::tui::paste(&mut app, "Posterior\r\rstabilization");
    assert_eq!(
        app.open.as_ref().unwrap().editor.as_ref().unwrap().text(),
        "Posterior stabilization"
    );
    // Enter in a one-line field commits and moves on; in the notes it is a new line.
    goto(&mut app, Tab::Discharge, "notes");
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(
        app.open.as_ref().unwrap().focused().unwrap().path(),
        "notes"
    );
}

#[test]
fn archiving_asks_naming_the_case_and_only_y_archives() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Discharge, "archived");
    update(&mut app, ch('y'));
    assert!(update(&mut app, key(KeyCode::Tab)).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::ConfirmArchive)));
    let text = {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
        t.draw(|f| spinewatch::tui::view::draw(f, &app)).unwrap();
        format!("{}", t.backend())
    };
    assert!(text.contains("Archive Bed 12? y/N"), "{text}");
    // Any other key keeps the case active.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert_eq!(app.open.as_ref().unwrap().case.archived, Some(false));
    assert!(app.status.as_ref().unwrap().0.contains("not archived"));
    // Asked again, `y` archives: saved and audited once.
    update(&mut app, ch('y'));
    update(&mut app, key(KeyCode::Tab));
    let effects = update(&mut app, ch('y'));
    assert_eq!(
        saves(&effects),
        vec![("archived".into(), json!(false), json!(true))]
    );
}

#[test]
fn under_simulated_time_nothing_is_written() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = test_app(now());
    app.simulated = true;
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds, Effect::Open(DEMO_ID.into())],
    );
    assert!(app.open.as_ref().unwrap().read_only().is_some());
    goto(&mut app, Tab::Patient, "patient.age");
    typed(&mut app, "70");
    let mut effects = update(&mut app, key(KeyCode::Tab));
    effects.extend(update(&mut app, key(KeyCode::Esc)));
    perform(&mut app, &mut store, Path::new("."), effects);
    assert_eq!(store.saves, 0, "no save");
    assert!(store.history(DEMO_ID).unwrap().is_empty(), "no audit entry");
    update(&mut app, ch('n'));
    assert!(app.open.is_none(), "no new case");
}

#[test]
fn i_on_the_rounds_list_records_an_mri_with_the_time_typed() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let effects = update(&mut app, ch('i'));
    assert_eq!(effects, vec![Effect::Open(DEMO_ID.into())]);
    perform(&mut app, &mut store, Path::new("."), effects);
    assert!(matches!(app.overlay, Some(Overlay::Mri(_))), "asks first");
    update(&mut app, ch('r'));
    // Enter with no time typed records nothing: never "now" on its own.
    assert!(update(&mut app, key(KeyCode::Enter)).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::Mri(_))), "still asking");
    assert_eq!(app.open.as_ref().unwrap().case.mri.len(), 1);
    typed(&mut app, "08:30");
    let effects = update(&mut app, key(KeyCode::Enter));
    let changes = saves(&effects);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].0, "mri[1]");
    assert_eq!(changes[0].2["status"], json!("requested"));
    assert_eq!(changes[0].2["requested_at"], json!("2026-11-25T08:30"));
    assert_eq!(changes[0].2["at"], Value::Null);
    assert!(app.overlay.is_none());
}

#[test]
fn ctrl_a_on_the_mri_list_asks_requested_or_done_and_esc_records_nothing() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Imaging, "mri");
    assert!(update(&mut app, ctrl('a')).is_empty());
    assert!(matches!(app.overlay, Some(Overlay::Mri(_))));
    assert_eq!(app.open.as_ref().unwrap().case.mri.len(), 1, "nothing yet");
    update(&mut app, ch('d'));
    typed(&mut app, "2026-11-25T07:10");
    let effects = update(&mut app, key(KeyCode::Enter));
    let changes = saves(&effects);
    assert_eq!(changes[0].2["status"], json!("done"));
    assert_eq!(changes[0].2["at"], json!("2026-11-25T07:10"));
    // Again, and Esc: nothing recorded.
    goto(&mut app, Tab::Imaging, "mri");
    update(&mut app, ctrl('a'));
    assert!(update(&mut app, key(KeyCode::Esc)).is_empty());
    assert!(app.overlay.is_none());
    assert_eq!(app.open.as_ref().unwrap().case.mri.len(), 2);
}

#[test]
fn h_shows_the_history_newest_first_and_slash_filters() {
    let (mut app, mut store) = demo();
    goto(&mut app, Tab::Patient, "patient.age");
    typed(&mut app, "65");
    let mut effects = update(&mut app, key(KeyCode::Tab));
    update(&mut app, ch('m'));
    effects.extend(update(&mut app, key(KeyCode::Tab)));
    perform(&mut app, &mut store, Path::new("."), effects);
    let effects = update(&mut app, ctrl('o'));
    assert_eq!(effects, vec![Effect::LoadHistory(DEMO_ID.into())]);
    perform(&mut app, &mut store, Path::new("."), effects);
    let Some(Overlay::History(h)) = &app.overlay else {
        panic!("history shown: {:?}", app.overlay)
    };
    let paths: Vec<&str> = h.shown().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["patient.sex", "patient.age"], "newest first");
    update(&mut app, ch('/'));
    typed(&mut app, "age");
    let Some(Overlay::History(h)) = &app.overlay else {
        panic!()
    };
    assert_eq!(h.shown().len(), 1);
    assert_eq!(h.shown()[0].new, json!(65));
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
}

#[test]
fn g_on_record_sins_for_t5_goes_to_t5_not_t12() {
    let (mut app, _) = demo();
    update(&mut app, ctrl('p'));
    let view = app.open.as_ref().unwrap();
    let pos = App::plan_order(&view.eval)
        .iter()
        .position(|&i| view.eval.items[i].id == "A-SINS")
        .unwrap();
    assert_eq!(
        view.eval.items[App::plan_order(&view.eval)[pos]]
            .field
            .as_deref(),
        Some("lesions[1].sins")
    );
    app.open.as_mut().unwrap().plan_sel = pos;
    update(&mut app, ch('g'));
    let view = app.open.as_ref().unwrap();
    // T12's SINS location is unknown too (read from its level): the ask names T5's row.
    assert_eq!(view.focused().unwrap().path(), "lesions[1].sins.location");
}

#[test]
fn bracket_jumps_to_the_next_unknown_field_across_screens() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Patient, "patient.age");
    update(&mut app, ch(']'));
    update(&mut app, ch('['));
    assert_eq!(
        app.open.as_ref().unwrap().focused().unwrap().path(),
        "patient.mrn"
    );
    // In a free-text field `]` is text.
    update(&mut app, ch(']'));
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.focused().unwrap().path(), "patient.mrn");
    assert_eq!(view.editor.as_ref().unwrap().text(), "]");
}

#[test]
fn help_differs_per_screen_and_the_imaging_help_explains_the_spine_map() {
    let (mut app, _) = demo();
    let text = |app: &App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
        t.draw(|f| spinewatch::tui::view::draw(f, app)).unwrap();
        format!("{}", t.backend())
    };
    goto(&mut app, Tab::Imaging, "lesions");
    update(&mut app, key(KeyCode::F(1)));
    let imaging = text(&app);
    assert!(imaging.contains("Spine map: C T L S regions"), "{imaging}");
    update(&mut app, key(KeyCode::Esc));
    goto(&mut app, Tab::Neuro, "neuro_exams");
    update(&mut app, key(KeyCode::F(1)));
    let neuro = text(&app);
    assert!(neuro.contains("↓ worse"), "{neuro}");
    assert!(!neuro.contains("Spine map"), "{neuro}");
}

#[test]
fn the_basis_popup_scrolls_and_other_keys_close_it() {
    let (mut app, _) = demo();
    update(&mut app, ctrl('p'));
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.overlay, Some(Overlay::Basis(_))));
    update(&mut app, key(KeyCode::Down));
    update(&mut app, key(KeyCode::PageDown));
    assert!(matches!(app.overlay, Some(Overlay::Basis(_))), "still open");
    assert_eq!(app.overlay_scroll, 11);
    update(&mut app, key(KeyCode::Esc));
    assert!(app.overlay.is_none());
    assert_eq!(app.overlay_scroll, 0);
}

#[test]
fn a_hang_up_keeps_a_pending_choice_and_notes_as_drafts_never_committed() {
    let (mut app, mut store) = demo();
    goto(&mut app, Tab::Wound, "wound.status");
    update(&mut app, ch('i')); // infection, not yet left
    spinewatch::tui::leave_now(&mut app, &mut store, Path::new(".")).unwrap();
    let saved = &store.cases[DEMO_ID];
    assert_eq!(
        saved.wound.status.map(|s| s.as_str()),
        Some("healing"),
        "the pending choice was not committed"
    );
    assert_eq!(
        saved.extra["ui"]["drafts"],
        json!([{"path": "wound.status", "text": "infection"}])
    );
    assert!(store.audit.get(DEMO_ID).is_none_or(Vec::is_empty));

    // Notes being written when the line drops: kept whole, newlines and all.
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = opened(&mut store);
    goto(&mut app, Tab::Discharge, "notes");
    spinewatch::tui::paste(&mut app, "\nSeen by physio\nwalks 20 m");
    spinewatch::tui::leave_now(&mut app, &mut store, Path::new(".")).unwrap();
    let drafts = &store.cases[DEMO_ID].extra["ui"]["drafts"];
    let text = drafts[0]["text"].as_str().unwrap();
    assert!(
        text.ends_with("to meet.\nSeen by physio\nwalks 20 m"),
        "{text}"
    );
    // Offered back in the notes editor on reopening.
    let app = opened(&mut store);
    let view = app.open.as_ref().unwrap();
    assert_eq!(view.focused().unwrap().path(), "notes");
    assert!(view.editor.as_ref().unwrap().text().ends_with("walks 20 m"));
}

#[test]
fn a_choice_that_would_break_another_field_is_refused_with_that_fields_reason() {
    let (mut app, _) = demo();
    goto(&mut app, Tab::Imaging, "mri[0].status");
    update(&mut app, ch('r')); // requested, while the MRI keeps its done time
    assert!(
        update(&mut app, key(KeyCode::Tab)).is_empty(),
        "nothing saved"
    );
    let view = app.open.as_ref().unwrap();
    let err = view.chooser.as_ref().unwrap().error.clone().unwrap();
    assert!(err.starts_with("mri[0].at:"), "{err}");
    assert_eq!(view.focused().unwrap().path(), "mri[0].status", "stays");
    assert_eq!(view.case.mri[0].status.map(|s| s.as_str()), Some("done"));
    // Esc puts the field back.
    update(&mut app, key(KeyCode::Esc));
    assert!(
        app.open
            .as_ref()
            .unwrap()
            .chooser
            .as_ref()
            .unwrap()
            .error
            .is_none()
    );
}

#[test]
fn a_value_that_breaks_another_field_is_refused_naming_that_field() {
    // Status "requested" on the demo's MRI, which has the time it was done: the case would
    // no longer load (an MRI time only goes with status done), so the change is refused.
    let case = demo_case(now());
    let mut v = serde_json::to_value(&case).unwrap();
    v["mri"][0]["status"] = json!("requested");
    let err = spinewatch::tui::app::decode_at(&v, "mri[0].status", now()).unwrap_err();
    assert!(err.starts_with("mri[0].at:"), "{err}");
    v["mri"][0]["status"] = json!("done");
    assert!(spinewatch::tui::app::decode_at(&v, "mri[0].status", now()).is_ok());
}

#[test]
fn a_new_row_carries_a_random_uid_never_a_positional_one() {
    use spinewatch::tui::form::List;
    let a = spinewatch::tui::app::new_row(List::Exams, None, now());
    let b = spinewatch::tui::app::new_row(List::Exams, None, now());
    let (ua, ub) = (a["uid"].as_str().unwrap(), b["uid"].as_str().unwrap());
    assert!(spinewatch::case::uid::is_valid(ua), "{ua}");
    assert_ne!(ua, ub);
    // An MRI row records no time before requested or done is answered.
    let mri = spinewatch::tui::app::new_row(List::Mri, None, now());
    assert_eq!(mri["at"], Value::Null);
}
