//! `spinewatch rounds --format json` over 1,000 and 10,000 generated cases (about 3 KB each),
//! against `cat` of the same files (the I/O floor) and `jq -c .id` over them (a program that
//! only parses them), plus peak memory of the real binary; and a live refresh: one case
//! changed, read again, evaluated and put in its place in a 10,000-case list.
//! Budget (issue 10): at 10,000 cases wall time ≤ 1.5× `cat`, CPU ≤ `jq -c .id`'s, peak
//! memory under 100 MB; the refresh ≤ 5 ms.

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

fn jq(dir: &Path) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", "jq -c .id \"$0\"/*.json"])
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

/// One run under GNU time: (wall s, CPU s = user + sys, peak resident MB).
fn timed(c: &Command) -> Option<(f64, f64, f64)> {
    let mut t = Command::new("/usr/bin/time");
    t.args(["-f", "%e %U %S %M"])
        .arg(c.get_program())
        .args(c.get_args());
    for (k, v) in c.get_envs() {
        if let Some(v) = v {
            t.env(k, v);
        }
    }
    let out = t.stdout(Stdio::null()).output().ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let f: Vec<f64> = err
        .lines()
        .last()?
        .split_whitespace()
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    Some((f[0], f[1] + f[2], f[3] / 1024.0))
}

/// Medians of 7 runs: wall, CPU and peak memory.
fn medians(c: impl Fn() -> Command) -> Option<(f64, f64, f64)> {
    let runs: Vec<(f64, f64, f64)> = (0..7).map(|_| timed(&c())).collect::<Option<_>>()?;
    let median = |i: usize| {
        let mut v: Vec<f64> = runs.iter().map(|r| [r.0, r.1, r.2][i]).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    Some((median(0), median(1), median(2)))
}

fn bench(c: &mut Criterion) {
    let mut summary = Vec::new();
    let has_jq = Command::new("jq").arg("--version").output().is_ok();
    for n in [1_000, 10_000] {
        let tmp = tempfile::tempdir().unwrap();
        generate(tmp.path(), n);
        let dir = tmp.path();
        let mut group = c.benchmark_group(format!("rounds_{n}"));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(3));
        group.bench_function("spinewatch rounds --format json", |b| {
            b.iter(|| run(rounds(dir)))
        });
        group.bench_function("cat", |b| b.iter(|| run(cat(dir))));
        group.finish();
        let r = median(|| rounds(dir), 7);
        let k = median(|| cat(dir), 7);
        let mut line = format!(
            "{n:>6} cases: wall rounds {:>6.1} ms, cat {:>6.1} ms = {:.2}× cat",
            r.as_secs_f64() * 1e3,
            k.as_secs_f64() * 1e3,
            r.as_secs_f64() / k.as_secs_f64(),
        );
        // CPU time (user + sys) depends much less on what else the machine is doing.
        if let (Some(rt), Some(kt)) = (medians(|| rounds(dir)), medians(|| cat(dir))) {
            line.push_str(&format!(
                "; CPU rounds {:.0} ms, cat {:.0} ms",
                rt.1 * 1e3,
                kt.1 * 1e3
            ));
            if has_jq && let Some(jt) = medians(|| jq(dir)) {
                line.push_str(&format!(
                    ", jq -c .id {:.0} ms = {:.2}× jq",
                    jt.1 * 1e3,
                    rt.1 / jt.1
                ));
            }
            line.push_str(&format!("; peak memory {:.1} MB", rt.2));
        }
        summary.push(line);
        if n == 10_000 {
            summary.push(refresh(c, dir));
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into());
    println!(
        "\nSummary (median of 7 runs each, warm page cache, {cores} cores, load average {load}):"
    );
    for line in summary {
        println!("  {line}");
    }
}

/// The TUI's live refresh after one case changed on disk: read that case, evaluate it, put
/// its line in place in the list of all 10,000 (`RoundsList::replace`).
fn refresh(c: &mut Criterion, dir: &Path) -> String {
    use spinewatch::protocol::Protocol;
    use spinewatch::store::{FileStore, Store, rounds, rounds_list};
    let now = spinewatch::cli::parse_now(NOW).unwrap();
    let store = FileStore::open(dir).unwrap();
    let protocol = Protocol::builtin();
    let mut list = rounds_list(&store.load_all(now).unwrap(), &protocol, now, false);
    assert_eq!(list.cases.len(), 10_000);
    let id = "bed4321-2026-11";
    let mut one = || {
        let case = store.load(id, now).unwrap();
        list.replace(rounds::entry(&case, &protocol, now))
    };
    let mut group = c.benchmark_group("refresh_10000");
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(2));
    group.bench_function("one case changed", |b| b.iter(&mut one));
    group.finish();
    let mut times: Vec<Duration> = (0..101)
        .map(|_| {
            let t = Instant::now();
            one();
            t.elapsed()
        })
        .collect();
    times.sort();
    format!(
        "refresh after one case changed, 10,000 cases: median {:.0} µs, worst of 101 {:.0} µs",
        times[50].as_secs_f64() * 1e6,
        times[100].as_secs_f64() * 1e6
    )
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
