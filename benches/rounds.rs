//! `spinewatch rounds --format json` over 1,000 and 10,000 generated cases (about 3 KB each),
//! against `cat` of the same files (the I/O floor), plus peak memory of the real binary.
//! Budget: 10,000 cases under 1 s, within 3× `cat`, peak memory under 100 MB.

use criterion::{Criterion, criterion_group};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEMO: &str = include_str!("../assets/demo-case.json");
const BIN: &str = env!("CARGO_BIN_EXE_spinewatch");
const NOW: &str = "2026-12-01T08:00";

/// `n` cases like the demo's, with their own ids, labels, dates and notes (≈3 KB each).
fn generate(dir: &Path, n: usize) {
    let base: Value = serde_json::from_str(DEMO).unwrap();
    for i in 0..n {
        let mut v = base.clone();
        let id = format!("bed{i}-2026-11");
        v["id"] = Value::from(id.clone());
        v["patient"]["label"] = Value::from(format!("Bed {i}"));
        v["surgery"]["date"] = Value::from(format!("2026-11-{:02}", 1 + i % 28));
        v["pathology"]["biopsy_date"] = Value::from(format!("2026-10-{:02}", 1 + i % 28));
        v["neuro_exams"][0]["frankel"] = Value::from(["e", "d", "c"][i % 3]);
        v["notes"] = Value::from(format!("case {i}: ward round notes"));
        let text = serde_json::to_string_pretty(&v).unwrap();
        let path = dir.join(format!("{id}.json"));
        std::fs::write(&path, text).unwrap();
        // As the store writes them, so the permission check finds nothing to fix.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }
}

fn rounds(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.args(["--now", NOW, "rounds", "--format", "json"])
        .env("SPINEWATCH_DATA_DIR", dir)
        .env("SPINEWATCH_CONFIG_DIR", "/nonexistent-spinewatch-config")
        .stdout(Stdio::null());
    c
}

fn cat(dir: &Path) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", "cat \"$0\"/*.json"])
        .arg(dir)
        .stdout(Stdio::null());
    c
}

fn run(mut c: Command) {
    let status = c.status().unwrap();
    assert!(status.success(), "{c:?}: {status}");
}

fn median(mut c: impl FnMut() -> Command, runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let cmd = c();
            let t = Instant::now();
            run(cmd);
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Peak resident memory of one `rounds` run, from GNU time, in MB.
fn peak_mb(dir: &Path) -> Option<f64> {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(BIN)
        .args(["--now", NOW, "rounds", "--format", "json"])
        .env("SPINEWATCH_DATA_DIR", dir)
        .env("SPINEWATCH_CONFIG_DIR", "/nonexistent-spinewatch-config")
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let kb: f64 = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })?
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn bench(c: &mut Criterion) {
    let mut summary = Vec::new();
    for n in [1_000, 10_000] {
        let tmp = tempfile::tempdir().unwrap();
        generate(tmp.path(), n);
        let dir = tmp.path();
        let mut group = c.benchmark_group(format!("rounds_{n}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(8));
        group.bench_function("spinewatch rounds --format json", |b| {
            b.iter(|| run(rounds(dir)))
        });
        group.bench_function("cat", |b| b.iter(|| run(cat(dir))));
        group.finish();
        let r = median(|| rounds(dir), 7);
        let k = median(|| cat(dir), 7);
        summary.push(format!(
            "{n:>6} cases: rounds {:>7.1} ms, cat {:>6.1} ms, ratio {:.2}×, peak memory {}",
            r.as_secs_f64() * 1e3,
            k.as_secs_f64() * 1e3,
            r.as_secs_f64() / k.as_secs_f64(),
            peak_mb(dir).map_or("unknown (no /usr/bin/time)".into(), |m| format!(
                "{m:.1} MB"
            ))
        ));
    }
    println!("\nSummary (median of 7 runs each, warm page cache):");
    for line in summary {
        println!("  {line}");
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
