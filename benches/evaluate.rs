//! `evaluate` on the demo case, and on a heavy case (10 lesions, 200 neuro exams).
//! Budget: median under 20 µs for the demo case.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use spinewatch::case::{Case, Level, parse_time};
use spinewatch::protocol::{Protocol, evaluate};
use std::hint::black_box;

// The allocator of the `spinewatch` binary (src/main.rs): measured as the program runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEMO: &str = include_str!("../assets/demo-case.json");

fn heavy_case() -> Case {
    let mut v: serde_json::Value = serde_json::from_str(DEMO).unwrap();
    v["lesions"] = (0..10u8)
        .map(|i| {
            let level = Level::from_index(3 + i * 2).unwrap().to_string();
            json!({ "level": level, "finding": "lucency", "escc": "1b", "treated": if i == 0 { "surgery" } else { "none" },
                    "management": null,
                    "sins": { "pain": "occasional", "bone_lesion": "mixed", "alignment": "normal", "collapse": "none", "posterolateral": "unilateral" } })
        })
        .collect();
    let start = parse_time("2026-11-20T12:00").unwrap();
    v["neuro_exams"] = (0..200i64)
        .map(|i| {
            let at = start + chrono::Duration::minutes(i * 90);
            let f = ["e", "e", "d", "e"][(i % 4) as usize];
            json!({ "at": spinewatch::case::format_time(&at), "frankel": f, "motor": "normal", "new_or_worse": false })
        })
        .collect();
    Case::from_value(&v, parse_time("2027-01-01T00:00").unwrap()).unwrap()
}

fn bench(c: &mut Criterion) {
    let protocol = Protocol::builtin();
    let now = parse_time("2026-12-01T08:00").unwrap();
    let demo = Case::from_json_str(DEMO, now).unwrap();
    c.bench_function("evaluate demo case", |b| {
        b.iter(|| evaluate(black_box(&demo), &protocol, now))
    });
    let heavy = heavy_case();
    let later = parse_time("2027-01-01T00:00").unwrap();
    c.bench_function("evaluate 10 lesions + 200 exams", |b| {
        b.iter(|| evaluate(black_box(&heavy), &protocol, later))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
