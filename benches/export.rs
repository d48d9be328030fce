//! The exports of the demo case: handover note (Markdown, text) and the FHIR transaction
//! Bundle as JSON text. The `e` key in the TUI runs the Markdown export; both formats should
//! stay under 1 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use spinewatch::case::{Case, parse_time};
use spinewatch::export::{FhirContext, fhir_json, handover_markdown, handover_text};
use spinewatch::protocol::{Protocol, evaluate};
use std::hint::black_box;

// The allocator of the `spinewatch` binary (src/main.rs): measured as the program runs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEMO: &str = include_str!("../assets/demo-case.json");

fn bench(c: &mut Criterion) {
    let protocol = Protocol::builtin();
    let now = parse_time("2026-12-01T08:00").unwrap();
    let case = Case::from_json_str(DEMO, now).unwrap();
    let eval = evaluate(&case, &protocol, now);
    let ctx = FhirContext::new(uuid::Uuid::nil(), chrono_tz::Europe::Amsterdam);
    c.bench_function("handover markdown, demo case", |b| {
        b.iter(|| handover_markdown(black_box(&case), &eval, &protocol))
    });
    c.bench_function("handover text, demo case", |b| {
        b.iter(|| handover_text(black_box(&case), &eval, &protocol))
    });
    c.bench_function("FHIR transaction to JSON text, demo case", |b| {
        b.iter(|| fhir_json(black_box(&case), &eval, &protocol, &ctx).0)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
