//! Any sequence of keys, at any size: the TUI never panics and every saved case still reads
//! back valid (nothing the form lets through is refused by the case rules later).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use spinewatch::case::{Case, parse_time};
use spinewatch::store::memory::MemoryStore;
use spinewatch::tui::demo::demo_case;
use spinewatch::tui::{Effect, perform, test_app, update, view};
use std::path::Path;

fn key_strategy() -> impl Strategy<Value = KeyEvent> {
    let plain = prop_oneof![
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Enter),
        Just(KeyCode::Esc),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Backspace),
        Just(KeyCode::F(1)),
        Just(KeyCode::Char(' ')),
        prop::sample::select(vec![
            'a', 'd', 'e', 'g', 'm', 'n', 'q', 's', 'x', 'y', '?', '/', '-', '3', '0', 'T', 'é'
        ])
        .prop_map(KeyCode::Char),
    ]
    .prop_map(|c| KeyEvent::new(c, KeyModifiers::NONE));
    let ctrl = prop::sample::select(vec!['a', 'd', 'p', 's', 'u'])
        .prop_map(|c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    prop_oneof![9 => plain, 1 => ctrl]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn keys_never_panic_and_saved_cases_stay_valid(
        keys in prop::collection::vec(key_strategy(), 1..120),
        w in 1u16..170,
        h in 1u16..50,
    ) {
        let now = parse_time("2026-11-25T09:00").unwrap();
        let mut store = MemoryStore::with_cases([demo_case(now)]);
        let mut app = test_app(now);
        perform(&mut app, &mut store, Path::new("."), vec![Effect::LoadRounds, Effect::Open("bed12-2026-11-20".into())]);
        // Exports (`e`) go to a temporary directory, never into the working tree.
        let dir = tempfile::tempdir().unwrap();
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for k in keys {
            let effects = update(&mut app, k);
            if perform(&mut app, &mut store, dir.path(), effects) {
                break;
            }
            term.draw(|f| view::draw(f, &app)).unwrap();
        }
        for case in store.cases.values() {
            let text = case.to_json_pretty();
            let back = Case::from_json_str(&text, now);
            prop_assert!(back.is_ok(), "{:?}\n{text}", back.err());
        }
    }
}
