//! Whole-screen snapshots (TestBackend + insta) at 80×24 and 160×48 with a fixed now, and
//! exact Buffer checks where colour carries meaning.

use chrono::{Duration, NaiveDateTime};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use spinewatch::case::{Case, parse_time};
use spinewatch::store::Store;
use spinewatch::store::memory::MemoryStore;
use spinewatch::tui::demo::demo_case;
use spinewatch::tui::form::Tab;
use spinewatch::tui::theme::Theme;
use spinewatch::tui::{App, Effect, perform, test_app, update, view};
use std::path::Path;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn now() -> NaiveDateTime {
    parse_time("2026-11-25T09:00").unwrap()
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn shifted(case: &Case, id: &str, label: &str, days: i64) -> Case {
    let mut v = serde_json::to_value(case).unwrap();
    spinewatch::tui::demo::shift_dates(&mut v, days);
    let mut c = Case::from_value(&v, now()).unwrap();
    c.id = Some(id.into());
    c.patient.label = Some(label.into());
    c
}

/// Three cases: the demo (POD 5), one overdue for RT (POD 31), one with the MRI clock running.
fn ward() -> MemoryStore {
    let demo = demo_case(now());
    let overdue = shifted(&demo, "bed3", "Bed 3", -26);
    let mut mri = shifted(&demo, "bed7", "Bed 7", -10);
    mri.neuro_exams.push(spinewatch::case::NeuroExam {
        at: Some(now() - Duration::hours(3)),
        frankel: Some(spinewatch::case::Frankel::D),
        ..Default::default()
    });
    MemoryStore::with_cases([demo, overdue, mri])
}

fn demo_app() -> App {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds, Effect::Open("bed12-2026-11-20".into())],
    );
    app
}

fn screen(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t
}

fn snap(name: &str, app: &App) {
    for (w, h) in SIZES {
        let t = screen(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
    }
}

#[test]
fn rounds_list_most_urgent_first() {
    let mut store = ward();
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let labels: Vec<&str> = app
        .visible_rows()
        .iter()
        .map(|r| r.label.as_str())
        .collect();
    // The order of `spinewatch rounds`: a running MRI clock first, then critical count.
    assert_eq!(labels, ["Bed 7", "Bed 3", "Bed 12"]);
    // Each row says what is critical, in a few words.
    let text = format!("{}", screen(&app, 80, 24).backend());
    let bed7 = text.lines().find(|l| l.contains("Bed 7")).unwrap();
    let top = spinewatch::store::rounds_list(
        &store.load_all(now()).unwrap(),
        &app.protocol,
        now(),
        false,
    )
    .cases
    .into_iter()
    .find(|e| e.label == "Bed 7")
    .and_then(|e| e.top)
    .expect("Bed 7 has a top pitfall");
    assert!(bed7.contains(&top.short), "{bed7} lacks {:?}", top.short);
    snap("rounds", &app);
}

#[test]
fn empty_data_dir_says_how_to_start() {
    let mut store = MemoryStore::default();
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let t = screen(&app, 80, 24);
    let text = format!("{}", t.backend());
    assert!(text.contains("No cases in this data directory yet."));
    assert!(text.contains("spinewatch demo"));
    snap("empty", &app);
}

#[test]
fn each_intake_screen_with_the_demo_case() {
    let mut app = demo_app();
    for tab in Tab::ALL {
        let view = app.open.as_mut().unwrap();
        view.tab = tab;
        view.focus = 0;
        view.start_editor();
        snap(&format!("screen_{}", tab.key()), &app);
    }
}

#[test]
fn live_pane_header_reads_like_the_ward_says_it() {
    let app = demo_app();
    let text = format!("{}", screen(&app, 80, 24).backend());
    assert!(text.contains("Bed 12 · POD 5 · T12"), "{text}");
    assert_eq!(text.matches("decision support").count(), 1, "said once");
}

#[test]
fn basis_popup() {
    let mut app = demo_app();
    update(
        &mut app,
        KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL),
    );
    update(&mut app, key(KeyCode::Enter));
    let text = format!("{}", screen(&app, 160, 48).backend());
    assert!(text.contains("[W-LESION-UNPLANNED]"), "{text}");
    assert!(text.contains("Basis (protocol text)"));
    snap("basis", &app);
}

#[test]
fn help_overlay_lists_every_key_of_the_screen() {
    let mut app = demo_app();
    update(&mut app, key(KeyCode::F(1)));
    let text = format!("{}", screen(&app, 160, 48).backend());
    for k in ["Ctrl-A", "Ctrl-D", "Ctrl-S", "PgDn", "Esc", "Ctrl-P"] {
        assert!(text.contains(k), "{k} missing from help");
    }
    snap("help", &app);
}

#[test]
fn too_small_says_so_and_never_panics() {
    let app = demo_app();
    let t = screen(&app, 79, 24);
    insta::assert_snapshot!("too_small_79x24", t.backend());
    let t = screen(&app, 60, 10);
    insta::assert_snapshot!("too_small_60x10", t.backend());
    for w in 1..=81 {
        for h in 1..=25 {
            screen(&app, w, h);
        }
    }
}

/// Colour carries meaning here: a critical pitfall is red and bold and says "!! CRIT"; with
/// NO_COLOR the words remain and no colour is used.
#[test]
fn critical_is_red_and_worded_and_reads_without_colour() {
    for color in [true, false] {
        let mut store = ward();
        let mut app = App::new(
            spinewatch::protocol::Protocol::builtin(),
            now(),
            Theme { color },
        );
        perform(
            &mut app,
            &mut store,
            Path::new("."),
            vec![Effect::LoadRounds],
        );
        let t = screen(&app, 80, 24);
        let buf = t.backend().buffer();
        // Row 3 is the first case (after the title, the disclaimer and the column heads).
        let row: String = (0..80).map(|x| buf[(x, 3)].symbol().to_string()).collect();
        assert!(row.starts_with("!! CRIT"), "{row}");
        for x in 0..7 {
            let cell = &buf[(x, 3)];
            if color {
                assert_eq!(cell.fg, Color::Red, "x={x}");
            } else {
                assert_eq!(cell.fg, Color::Reset, "x={x}");
            }
            assert!(cell.modifier.contains(Modifier::BOLD));
        }
        // The selected row is marked by reversing, not by colour.
        assert!(buf[(10, 3)].modifier.contains(Modifier::REVERSED));
    }
}

#[test]
fn rt_gauge_cells_mark_elapsed_band_and_deadline() {
    let mut app = demo_app();
    app.theme = Theme { color: true };
    let t = screen(&app, 80, 24);
    let buf = t.backend().buffer();
    // The live pane starts at x=43; find the gauge row by its deadline marker.
    let (y, row) = (0..24)
        .map(|y| {
            (
                y,
                (43..80)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>(),
            )
        })
        .find(|(_, r)| r.contains('┃'))
        .expect("a gauge row");
    let cells: Vec<char> = row.chars().collect();
    let elapsed = cells.iter().filter(|c| **c == '█').count();
    let band = cells.iter().filter(|c| **c == '▒').count();
    assert!((5..=7).contains(&elapsed), "POD 5 of 32 days: {row}");
    assert!(band >= 14, "the 14–28 band: {row}");
    let x_of = |ch: char| 43 + row.chars().position(|c| c == ch).unwrap() as u16;
    assert_eq!(buf[(x_of('┃'), y)].fg, Color::Red, "deadline");
    assert_eq!(buf[(x_of('▒'), y)].fg, Color::Green, "target band");
    assert_eq!(
        buf[(x_of('█'), y)].fg,
        Color::Reset,
        "elapsed, before the band"
    );
}

#[test]
fn a_case_held_elsewhere_shows_a_read_only_banner_naming_the_holder() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    store.held_elsewhere.insert(
        "bed12-2026-11-20".into(),
        "in use by ana since 2026-11-25 08:12".into(),
    );
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::Open("bed12-2026-11-20".into())],
    );
    let t = screen(&app, 80, 24);
    let text = format!("{}", t.backend());
    assert!(
        text.contains("READ-ONLY: in use by ana since 2026-11-25 08:12"),
        "{text}"
    );
    insta::assert_snapshot!("read_only_80x24", t.backend());
}

#[test]
fn damaged_files_are_listed_with_their_reason() {
    let mut app = test_app(now());
    app.set_listing(spinewatch::store::Listing {
        cases: vec![demo_case(now())],
        damaged: vec![spinewatch::store::Damaged {
            file: "bed7.json".into(),
            reason: "line 3 column 5: expected value".into(),
        }],
    });
    let text = format!("{}", screen(&app, 80, 24).backend());
    assert!(
        text.contains("DAMAGED (not loaded, never overwritten)"),
        "{text}"
    );
    assert!(
        text.contains("bed7.json: line 3 column 5: expected value"),
        "{text}"
    );
    assert!(
        text.contains("Bed 12"),
        "the other cases still load: {text}"
    );
}

/// Radiotherapy under way: the computed schedule and fraction k of n on the wound/RT screen,
/// and the window line in the live pane.
#[test]
fn radiotherapy_started_shows_schedule_and_fraction() {
    let mut case = demo_case(now());
    case.radiotherapy.total_dose_gy = Some(45.0);
    case.radiotherapy.dose_per_fraction_gy = Some(1.8);
    case.radiotherapy.start = spinewatch::case::parse_date("2026-11-23");
    let mut store = MemoryStore::with_cases([case]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::Open("bed12-2026-11-20".into())],
    );
    let view = app.open.as_mut().unwrap();
    view.tab = Tab::Wound;
    view.focus = 0;
    view.start_editor();
    let text = format!("{}", screen(&app, 160, 48).backend());
    assert!(text.contains("25 fractions · 5 weeks"), "{text}");
    assert!(text.contains("fraction 3 of 25"), "{text}");
    snap("rt_started", &app);
}

#[test]
fn a_refusal_is_shown_whole_at_80_columns() {
    let mut app = demo_app();
    {
        let view = app.open.as_mut().unwrap();
        view.tab = Tab::Patient;
        view.focus = view
            .focusables()
            .iter()
            .position(|r| r.path() == "surgery.date")
            .unwrap();
        view.start_editor();
    }
    update(
        &mut app,
        KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
    );
    for c in "2026-12-05".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    update(&mut app, key(KeyCode::Enter));
    let t = screen(&app, 80, 24);
    let text: String = t
        .backend()
        .buffer()
        .content()
        .chunks(80)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n")
        .collect();
    // The form column is 42 wide here: the reason wraps rather than losing its end.
    assert!(text.contains("✗ \"2026-12-05\" is after today"), "{text}");
    assert!(text.contains("(2026-11-25)"), "{text}");
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// The history of a case: when, who, field, old → new, newest first.
#[test]
fn history_view() {
    let mut store = MemoryStore::with_cases([demo_case(now())]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds, Effect::Open("bed12-2026-11-20".into())],
    );
    let changes = |path: &str, old: serde_json::Value, new: serde_json::Value| {
        vec![spinewatch::store::Change {
            path: path.into(),
            old,
            new,
        }]
    };
    use spinewatch::store::{Store, version_of};
    let mut case = store.load("bed12-2026-11-20", now()).unwrap();
    case.wound.status = Some(spinewatch::case::WoundStatus::Infection);
    let v = store
        .save(
            &case,
            version_of(&case),
            &changes("wound.status", "healing".into(), "infection".into()),
        )
        .unwrap();
    case.patient.age = Some(65);
    spinewatch::store::set_version(&mut case, v);
    store
        .save(&case, v, &changes("patient.age", 64.into(), 65.into()))
        .unwrap();
    let effects = update(&mut app, ctrl('o'));
    perform(&mut app, &mut store, Path::new("."), effects);
    let text = format!("{}", screen(&app, 80, 24).backend());
    assert!(text.contains("History · Bed 12 · newest first"), "{text}");
    let age = text.find("patient.age").unwrap();
    let wound = text.find("wound.status").unwrap();
    assert!(age < wound, "newest first: {text}");
    assert!(text.contains("healing → infection"), "{text}");
    snap("history", &app);
}

/// The neurology screen's exam table, newest first, a Frankel drop arrowed down.
#[test]
fn exam_table_newest_first_with_trends() {
    let mut case = demo_case(now());
    case.neuro_exams.push(spinewatch::case::NeuroExam {
        at: Some(now() - Duration::hours(3)),
        frankel: Some(spinewatch::case::Frankel::D),
        motor: Some(spinewatch::case::Function::Impaired),
        sensation: Some(spinewatch::case::Function::Normal),
        sphincter: Some(spinewatch::case::Function::Normal),
        new_or_worse: Some(true),
        ..Default::default()
    });
    let mut store = MemoryStore::with_cases([case]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::Open("bed12-2026-11-20".into())],
    );
    let view = app.open.as_mut().unwrap();
    view.tab = Tab::Neuro;
    view.focus = 0;
    view.start_editor();
    let text = format!("{}", screen(&app, 80, 24).backend());
    assert!(text.contains("11-25 06:00 D ↓"), "{text}");
    snap("exam_table", &app);
}

#[test]
fn archive_prompt_names_the_case() {
    let mut app = demo_app();
    let view = app.open.as_mut().unwrap();
    view.tab = Tab::Discharge;
    view.focus = view
        .focusables()
        .iter()
        .position(|r| r.path() == "archived")
        .unwrap();
    view.start_editor();
    update(&mut app, key(KeyCode::Char('y')));
    update(&mut app, key(KeyCode::Tab));
    let text = format!("{}", screen(&app, 80, 24).backend());
    assert!(text.contains("Archive Bed 12? y/N"), "{text}");
    snap("archive_prompt", &app);
}

#[test]
fn simulated_time_banner_on_every_screen() {
    let mut store = ward();
    let mut app = test_app(now());
    app.simulated = true;
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let rounds = format!("{}", screen(&app, 80, 24).backend());
    insta::assert_snapshot!("simulated_rounds_80x24", screen(&app, 80, 24).backend());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::Open("bed12-2026-11-20".into())],
    );
    snap("simulated_case", &app);
    for text in [rounds, format!("{}", screen(&app, 80, 24).backend())] {
        let first = text.lines().next().unwrap_or_default().to_string();
        assert!(first.contains("SIMULATED TIME 2026-11-25 09:00"), "{text}");
    }
    // Reverse video on the top line, whatever the colours.
    let t = screen(&app, 80, 24);
    assert!(
        t.backend().buffer()[(2, 0)]
            .modifier
            .contains(Modifier::REVERSED)
    );
}

#[test]
fn an_empty_list_says_how_many_are_archived() {
    let mut case = demo_case(now());
    case.archived = Some(true);
    let mut store = MemoryStore::with_cases([case]);
    let mut app = test_app(now());
    perform(
        &mut app,
        &mut store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );
    let text = format!("{}", screen(&app, 80, 24).backend());
    assert!(
        text.contains("No active cases · 1 archived (a shows them)"),
        "{text}"
    );
    insta::assert_snapshot!("empty_but_archived_80x24", screen(&app, 80, 24).backend());
}
