//! The ward server's numbers (spec/WARD_SERVER.md, "Performance"), short:
//! - `spinewatch rounds` over 10,000 cases from the server (a clinician role over TCP on
//!   loopback) against the file store holding the same cases: warm, median of 3 after one
//!   warm-up, the whole command as a clinician runs it;
//! - a save (case update + audit + notify) from a connected store: median of 200;
//! - NOTIFY → seen by a second instance's `Store::changes()`: median of 50.
//!
//! Starts its own PostgreSQL like the tests (tests/pg_support). `cargo bench --bench server`.

#[path = "../tests/pg_support/mod.rs"]
mod pg_support;

use pg_support::*;
use serde_json::json;
use spinewatch::store::{Change, Store, version_of};
use std::time::{Duration, Instant};

const CASES: usize = 10_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn rounds_once(store: &str) -> Duration {
    let t = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .env_remove("SPINEWATCH_DATA_DIR")
        .env("SPINEWATCH_CONFIG_DIR", "/nonexistent-spinewatch-config")
        .args(["--now", "2026-12-01T08:00", "--store", store, "rounds"])
        .output()
        .unwrap();
    let took = t.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.len() > CASES * 20, "every case listed");
    took
}

fn rounds_median(store: &str) -> Duration {
    rounds_once(store);
    median((0..3).map(|_| rounds_once(store)).collect())
}

/// Saves `c` with new notes; returns when the save started and how long it took.
fn save_note(
    store: &mut dyn Store,
    c: &mut spinewatch::case::Case,
    text: String,
) -> (Instant, Duration) {
    let mut next = c.clone();
    next.notes = Some(text);
    let change = Change {
        path: "notes".into(),
        old: json!(c.notes),
        new: json!(next.notes),
    };
    let t = Instant::now();
    let v = store.save(&next, version_of(c), &[change]).unwrap();
    let took = t.elapsed();
    spinewatch::store::set_version(&mut next, v);
    *c = next;
    (t, took)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(pg) = own() else { return };
    let db = pg.database("bench");
    pg.ward(&db, "bench 4B", &["bench_ana", "bench_ben"]);

    // The same 10,000 cases in a file store and on the server.
    let files = tempfile::tempdir_in("/dev/shm").unwrap_or_else(|_| tempfile::tempdir().unwrap());
    let mut rows = Vec::with_capacity(CASES);
    for i in 0..CASES {
        let id = format!("bed{i:05}");
        let c = case(&id, "bench 4B", &format!("Bed {i}"));
        let text = c.to_json_pretty();
        std::fs::write(files.path().join(format!("{id}.json")), &text).unwrap();
        rows.push(
            json!({ "id": id, "doc": serde_json::from_str::<serde_json::Value>(&text).unwrap() }),
        );
    }
    let mut admin = spinewatch::store::pg::target::Target::parse(&pg.admin_url(&db))
        .unwrap()
        .connect()
        .unwrap();
    for chunk in rows.chunks(1000) {
        let batch = serde_json::to_string(chunk).unwrap();
        admin
            .execute(
                "INSERT INTO spinewatch.cases (id, ward, doc, version)
                 SELECT e->>'id', 'bench 4B', e->'doc', 1 FROM jsonb_array_elements($1::text::jsonb) e",
                &[&batch],
            )
            .unwrap();
    }
    admin
        .batch_execute("VACUUM ANALYZE spinewatch.cases")
        .unwrap();

    let file_url = format!("file:{}", files.path().display());
    let server_url = pg.url("bench_ana", &db);
    let file_t = rounds_median(&file_url);
    let server_t = rounds_median(&server_url);
    println!(
        "rounds over {CASES} cases: file store {file_t:?}, ward server {server_t:?} ({:.2}× the file store)",
        server_t.as_secs_f64() / file_t.as_secs_f64()
    );

    // Save latency.
    let mut ana = pg.store("bench_ana", &db);
    let mut ben = pg.store("bench_ben", &db);
    let mut c = ana.load("bed00001", now()).unwrap();
    let mut saves = Vec::new();
    for i in 0..200 {
        saves.push(save_note(&mut ana, &mut c, format!("save {i}")).1);
    }
    println!(
        "save (case + audit + notify), median of 200: {:?}",
        median(saves)
    );

    // NOTIFY → seen by the other instance.
    std::thread::sleep(Duration::from_millis(300));
    ben.changes();
    let mut seen = Vec::new();
    for i in 0..50 {
        let (t, _) = save_note(&mut ana, &mut c, format!("notify {i}"));
        loop {
            if ben.changes().iter().any(|id| id == "bed00001") {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(5), "never seen");
            std::thread::sleep(Duration::from_micros(200));
        }
        seen.push(t.elapsed());
    }
    println!(
        "commit → NOTIFY seen by another instance, median of 50: {:?}",
        median(seen)
    );
}
