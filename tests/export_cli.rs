//! `spinewatch export ID|FILE --format markdown|text|fhir`: stdout holds the export and
//! nothing else; bad input exits 2 naming the case, with stdout empty.

use std::path::Path;
use std::process::{Command, Output};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo-case.json");

fn run(args: &[&str], data_dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args(args)
        .env("SPINEWATCH_DATA_DIR", data_dir)
        // No site protocol from the machine running the tests.
        .env("SPINEWATCH_CONFIG_DIR", data_dir.join("no-config"))
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn export_of_a_file_prints_the_note_and_only_the_note() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "export",
            DEMO,
            "--format",
            "text",
            "--now",
            "2026-12-01T08:00",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let out = stdout(&o);
    assert!(out.starts_with("Handover: Bed 12 · POD 11 · T12 · 2026-12-01 08:00\n"));
    assert!(out.ends_with("local protocol.\n"));
    // Markdown is the default format.
    let md = run(&["export", DEMO, "--now", "2026-12-01T08:00"], dir.path());
    assert!(stdout(&md).starts_with("# Handover: Bed 12"));
}

#[test]
fn fhir_export_is_one_json_document_and_stable() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "export",
        DEMO,
        "--format",
        "fhir",
        "--now",
        "2026-12-01T08:00",
    ];
    let a = run(&args, dir.path());
    assert!(a.status.success(), "{}", stderr(&a));
    let v: serde_json::Value = serde_json::from_str(&stdout(&a)).expect("stdout is only JSON");
    assert_eq!(v["resourceType"], "Bundle");
    assert_eq!(stdout(&a), stdout(&run(&args, dir.path())));
}

#[test]
fn export_by_id_reads_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(DEMO, dir.path().join("bed12-2026-11-20.json")).unwrap();
    let o = run(
        &[
            "export",
            "bed12-2026-11-20",
            "--format",
            "markdown",
            "--now",
            "2026-12-01T08:00",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("# Handover: Bed 12 · POD 11"));
    // --data-dir wins over the environment.
    let other = tempfile::tempdir().unwrap();
    let o = run(
        &[
            "export",
            "bed12-2026-11-20",
            "--data-dir",
            other.path().to_str().unwrap(),
            "--now",
            "2026-12-01T08:00",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn an_unknown_case_id_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &["export", "bed99-2026-11-20", "--now", "2026-12-01"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("case bed99-2026-11-20: not found"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn an_invalid_case_file_exits_2_naming_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(DEMO)
        .unwrap()
        .replace(r#""escc": "2""#, r#""escc": "4""#);
    let file = dir.path().join("bad.json");
    std::fs::write(&file, text).unwrap();
    let o = run(
        &[
            "export",
            file.to_str().unwrap(),
            "--format",
            "fhir",
            "--now",
            "2026-12-01",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(
        err.contains("bad.json") && err.contains("lesions[0].escc"),
        "{err}"
    );

    // The same file stored under an id: the message names the case.
    std::fs::rename(&file, dir.path().join("bed7.json")).unwrap();
    let o = run(&["export", "bed7", "--now", "2026-12-01"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("case bed7:"), "{}", stderr(&o));
}

#[test]
fn a_missing_file_and_a_bad_target_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        &["export", "no-such-file.json", "--now", "2026-12-01"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-file.json"));
    let o = run(&["export", "Bed 12!", "--now", "2026-12-01"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"Bed 12!\""), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
}
