//! TUI speed. Budgets: a full intake frame with the live pane at 160×48 under 1 ms median;
//! keypress → evaluate → render under 5 ms; a live refresh after one case changed among
//! 10,000 under 5 ms (that case alone is evaluated); startup to the first frame with 1,000 cases in
//! the data directory under 150 ms (in memory, and from real files through the file store).

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use spinewatch::case::parse_time;
use spinewatch::store::Store;
use spinewatch::store::memory::MemoryStore;
use spinewatch::tui::demo::demo_case;
use spinewatch::tui::form::Tab;
use spinewatch::tui::{App, Effect, perform, test_app, update, view};
use std::hint::black_box;
use std::path::Path;

// The allocator of the `spinewatch` binary (src/main.rs): measured as the program runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn now() -> chrono::NaiveDateTime {
    parse_time("2026-11-25T09:00").unwrap()
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
    let v = app.open.as_mut().unwrap();
    v.tab = Tab::Imaging;
    app
}

fn frame(c: &mut Criterion) {
    let app = demo_app();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    c.bench_function("tui frame: imaging + live pane, 160x48", |b| {
        b.iter(|| {
            term.draw(|f| view::draw(f, black_box(&app))).unwrap();
        })
    });
}

fn keypress(c: &mut Criterion) {
    let mut app = demo_app();
    {
        let v = app.open.as_mut().unwrap();
        v.tab = Tab::Pain;
        v.focus = 0; // dexamethasone: a choice
        v.start_editor();
    }
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    // A choice is committed when the field is left: → picks, Enter commits (evaluates the
    // case and moves on), Shift-Tab comes back; then the frame.
    c.bench_function("tui keypress -> evaluate -> render, 160x48", |b| {
        b.iter(|| {
            black_box(update(&mut app, key(KeyCode::Right)));
            black_box(update(&mut app, key(KeyCode::Enter)));
            black_box(update(&mut app, key(KeyCode::BackTab)));
            term.draw(|f| view::draw(f, &app)).unwrap();
        })
    });
}

/// The live rounds list at 10,000 cases: another instance changed one case; only that case
/// is evaluated again, the rows re-sorted, and the list drawn.
fn live_refresh(c: &mut Criterion) {
    let cases: Vec<_> = (0..10_000)
        .map(|i| {
            let mut case = demo_case(now());
            case.id = Some(format!("case-{i:05}"));
            case.patient.label = Some(format!("Bed {i}"));
            case
        })
        .collect();
    let mut app = test_app(now());
    app.set_listing(spinewatch::store::Listing {
        cases: cases.clone(),
        damaged: Vec::new(),
    });
    let mut changed = cases[4321].clone();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let mut flip = false;
    c.bench_function("tui live refresh of one changed case, 10000 cases", |b| {
        b.iter(|| {
            flip = !flip;
            changed.patient.age = Some(if flip { 65 } else { 64 });
            app.case_changed("case-04321", Some(changed.clone()));
            term.draw(|f| view::draw(f, &app)).unwrap();
        })
    });
}

/// 1,000 cases: load them all, build the rounds list (evaluates each), draw the first frame.
fn startup(c: &mut Criterion) {
    let cases = (0..1000).map(|i| {
        let mut case = demo_case(now());
        case.id = Some(format!("case-{i:04}"));
        case.patient.label = Some(format!("Bed {i}"));
        case
    });
    let store = MemoryStore::with_cases(cases);
    c.bench_function(
        "tui startup to first frame, 1000 cases (MemoryStore)",
        |b| {
            b.iter(|| {
                let mut app = test_app(now());
                app.set_listing(store.load_all(now()).unwrap());
                let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
                term.draw(|f| view::draw(f, &app)).unwrap();
            })
        },
    );
}

/// The same from files: open the data directory, read 1,000 case files, rounds list, frame.
fn startup_files(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = spinewatch::store::FileStore::open(dir.path()).unwrap();
        for i in 0..1000 {
            let mut case = demo_case(now());
            case.id = Some(format!("case-{i:04}"));
            case.patient.label = Some(format!("Bed {i}"));
            store.create(&case, &[], now()).unwrap();
        }
    }
    c.bench_function(
        "tui startup to first frame, 1000 case files (FileStore)",
        |b| {
            b.iter(|| {
                let store = spinewatch::store::open::open_files(dir.path()).unwrap();
                let mut app = test_app(now());
                app.set_listing(store.load_all(now()).unwrap());
                app.mark_held(|id| store.holder(id));
                let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
                term.draw(|f| view::draw(f, &app)).unwrap();
            })
        },
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = frame, keypress, live_refresh, startup, startup_files
}
criterion_main!(benches);
