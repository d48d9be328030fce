//! A full intake of the seed patient from the rounds list, counted key by key: the facts the
//! seed gives (PROTOCOL §4), typed as a ward doctor would with type-ahead, relative dates,
//! Ctrl-A for a second lesion and `}` to the next section. The count goes in the note.

use chrono::NaiveDateTime;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use spinewatch::case::parse_time;
use spinewatch::store::Store;
use spinewatch::store::memory::MemoryStore;
use spinewatch::tui::{App, Effect, perform, test_app, update};
use std::path::Path;

fn now() -> NaiveDateTime {
    parse_time("2026-11-25T09:00").unwrap()
}

struct Hands {
    app: App,
    store: MemoryStore,
    keys: usize,
}

impl Hands {
    fn press(&mut self, key: KeyEvent) {
        self.keys += 1;
        let effects = update(&mut self.app, key);
        perform(&mut self.app, &mut self.store, Path::new("."), effects);
    }
    fn code(&mut self, code: KeyCode) {
        self.press(KeyEvent::new(code, KeyModifiers::NONE));
    }
    fn tab(&mut self) {
        self.code(KeyCode::Tab);
    }
    fn enter(&mut self) {
        self.code(KeyCode::Enter);
    }
    fn ctrl(&mut self, c: char) {
        self.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }
    fn text(&mut self, s: &str) {
        for c in s.chars() {
            self.code(KeyCode::Char(c));
        }
    }
    /// Type a value and leave the field.
    fn field(&mut self, s: &str) {
        self.text(s);
        self.tab();
    }
    fn focused(&self) -> String {
        let v = self.app.open.as_ref().expect("a case is open");
        v.focused().map(|r| r.path()).unwrap_or_default()
    }
}

#[test]
fn the_seed_patient_is_taken_in_within_110_keys() {
    let mut h = Hands {
        app: test_app(now()),
        store: MemoryStore::default(),
        keys: 0,
    };
    perform(
        &mut h.app,
        &mut h.store,
        Path::new("."),
        vec![Effect::LoadRounds],
    );

    // Patient & surgery.
    h.text("n");
    h.field("Bed 12");
    h.tab(); // MRN not known
    h.field("64");
    h.field("f");
    h.field("-5"); // surgery 5 days ago
    h.tab(); // procedure: free text, left for later
    h.field("T10-L2");
    h.field("i"); // instability
    h.field("y"); // medically stable
    assert_eq!(h.focused(), "lesions", "on to imaging");

    // Imaging: the T12 mass with its SINS, the T5 lucency, the L4-L5 stenosis.
    h.enter();
    h.text("T12");
    h.enter();
    h.field("d"); // destructive mass
    h.field("s"); // severe canal stenosis
    h.field("2"); // ESCC 2
    h.field("s"); // treated by surgery
    h.field("r"); // radiotherapy
    h.tab(); // SINS location: read from the level
    h.field("m"); // mechanical pain
    h.field("l"); // lytic
    h.field("n"); // normal alignment
    h.field("l"); // collapse < 50 %
    h.text("b"); // bilateral
    h.ctrl('a'); // the next lesion (commits bilateral)
    h.text("T5");
    h.enter();
    h.field("l"); // lucency
    h.field("n"); // no canal stenosis
    h.tab(); // ESCC unknown
    h.field("n"); // not treated
    h.text("}"); // to the degenerative stenoses
    h.enter();
    h.text("L4-L5");
    h.enter();
    h.field("mo"); // moderate
    h.field("n");
    h.field("n");
    h.field("n");

    // Pathology: biopsy yesterday-but-five, pending.
    h.code(KeyCode::PageDown); // neurology
    h.code(KeyCode::PageDown); // pathology
    h.field("-6");
    h.field("p");
    // Pain: on IV dexamethasone.
    h.code(KeyCode::PageDown);
    h.field("i");
    h.code(KeyCode::Esc);
    assert!(h.app.open.is_none(), "back on the rounds list");

    let id = "case-20261125-0900";
    let case = h.store.load(id, now()).unwrap();
    let v = serde_json::to_value(&case).unwrap();
    assert_eq!(
        v["patient"],
        json!({"label": "Bed 12", "mrn": null, "age": 64, "sex": "female"})
    );
    assert_eq!(v["surgery"]["date"], json!("2026-11-20"));
    assert_eq!(v["surgery"]["span"], json!("T10-L2"));
    assert_eq!(v["surgery"]["indication"], json!("instability"));
    assert_eq!(v["medically_stable"], json!(true));
    let l = &v["lesions"];
    assert_eq!(l[0]["level"], json!("T12"));
    assert_eq!(l[0]["finding"], json!("destructive_mass"));
    assert_eq!(l[0]["canal_stenosis"], json!("severe"));
    assert_eq!(l[0]["escc"], json!("2"));
    assert_eq!(l[0]["management"], json!("radiotherapy"));
    assert_eq!(
        l[0]["sins"],
        json!({"location": null, "pain": "mechanical", "bone_lesion": "lytic",
               "alignment": "normal", "collapse": "lt_50", "posterolateral": "bilateral"})
    );
    assert_eq!(l[1]["level"], json!("T5"));
    assert_eq!(l[1]["finding"], json!("lucency"));
    assert_eq!(l[1]["treated"], json!("none"));
    let s = &v["degenerative_stenosis"][0];
    assert_eq!(s["level"], json!("L4-L5"));
    assert_eq!(s["severity"], json!("moderate"));
    assert_eq!(s["functionally_limiting"], json!(false));
    assert_eq!(v["pathology"]["biopsy_date"], json!("2026-11-19"));
    assert_eq!(v["pathology"]["status"], json!("pending"));
    assert_eq!(v["medications"]["dexamethasone"], json!("iv"));
    // One audit entry per decision: no keystroke left a trace of its own.
    let trail = h.store.history(id).unwrap();
    assert!(
        trail.iter().all(|e| e.old != e.new),
        "no entry for a value that did not change"
    );
    println!("keys for the seed intake: {}", h.keys);
    assert!(h.keys <= 110, "{} keys", h.keys);
}
