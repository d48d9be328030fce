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

/// `spinewatch export DEMO --format F --now 2026-12-01T08:00` and `extra`.
fn export_demo(format: &str, extra: &[&str], data_dir: &Path) -> Output {
    let mut args = vec![
        "export",
        DEMO,
        "--format",
        format,
        "--now",
        "2026-12-01T08:00",
    ];
    args.extend_from_slice(extra);
    run(&args, data_dir)
}

/// The file is readable and writable by its owner only (0600).
fn assert_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    #[cfg(not(unix))]
    let _ = path;
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

#[test]
fn out_writes_the_export_0600_atomically_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    for (format, name) in [
        ("fhir", "bundle.json"),
        ("markdown", "note.md"),
        ("text", "note.txt"),
    ] {
        let out = dir.path().join(name);
        std::fs::write(&out, "an older export").unwrap();
        let o = export_demo(format, &["--out", out.to_str().unwrap()], dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), "", "nothing on stdout with --out");
        let written = std::fs::read_to_string(&out).unwrap();
        let printed = stdout(&export_demo(format, &[], dir.path()));
        assert_eq!(
            written, printed,
            "{format}: the file holds what stdout would"
        );
        assert_private(&out);
    }
    // No temporary file is left beside them.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[cfg(unix)]
#[test]
fn out_never_writes_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("precious.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.path().join("export.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = export_demo("fhir", &["--out", link.to_str().unwrap()], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("symbolic link"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
}

#[test]
fn bundle_types_and_the_installation_namespace_of_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(DEMO, data.join("bed12-2026-11-20.json")).unwrap();
    let export = |extra: &[&str]| {
        let mut args = vec![
            "export",
            "bed12-2026-11-20",
            "--format",
            "fhir",
            "--now",
            "2026-12-01T08:00",
        ];
        args.extend_from_slice(extra);
        let o = Command::new(env!("CARGO_BIN_EXE_spinewatch"))
            .args(&args)
            .env("SPINEWATCH_DATA_DIR", &data)
            .env("SPINEWATCH_CONFIG_DIR", dir.path().join("no-config"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let t = export(&[]);
    assert_eq!(t["type"], "transaction");
    assert_eq!(export(&["--bundle", "batch"])["type"], "batch");
    let c = export(&["--bundle", "collection"]);
    assert_eq!(c["type"], "collection");
    assert!(
        c["entry"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e.get("request").is_none())
    );
    // The store made its namespace once (0600) and keeps it: the same names every time.
    let ns = std::fs::read_to_string(data.join("installation.uuid")).unwrap();
    let ns = uuid::Uuid::parse_str(ns.trim()).expect("a UUID");
    assert_eq!(ns.get_version_num(), 4, "random");
    assert_private(&data.join("installation.uuid"));
    let again = export(&[]);
    assert_eq!(t["entry"], again["entry"]);
    let system = &t["entry"][3]["resource"]["identifier"][0]["system"];
    assert_eq!(
        system,
        &serde_json::json!(format!("urn:uuid:{ns}")),
        "{}",
        t["entry"][3]
    );
    // A what-if export (--now) records nothing of what it sent; a real one does (0600), so
    // the next export can cancel a pitfall that cleared. (Only its shape is checked here:
    // what fires depends on the moment.)
    let sent = data.join("bed12-2026-11-20.fhir-sent");
    assert!(!sent.exists());
    let o = Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args(["export", "bed12-2026-11-20", "--format", "fhir"])
        .env("SPINEWATCH_DATA_DIR", &data)
        .env("SPINEWATCH_CONFIG_DIR", dir.path().join("no-config"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sent).unwrap()).unwrap();
    assert!(
        record["pitfalls"].is_array() && record["resources"].is_array(),
        "{record}"
    );
    assert_private(&sent);
    // The case file itself, exported with the same data directory, names the same resources.
    let file = export_demo("fhir", &["--data-dir", data.to_str().unwrap()], dir.path());
    let file: serde_json::Value = serde_json::from_str(&stdout(&file)).unwrap();
    assert_eq!(file["entry"], t["entry"]);
}

#[test]
fn the_site_identifier_and_mrn_systems_come_from_site_json() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(
        config.join("site.json"),
        r#"{ "timezone": "Europe/Amsterdam",
             "fhir": { "identifier_system": "https://hospital.example/fhir/spinewatch",
                       "mrn_system": "urn:oid:2.16.840.1.113883.2.4.6.3" } }"#,
    )
    .unwrap();
    let text = std::fs::read_to_string(DEMO)
        .unwrap()
        .replace(r#""mrn": null"#, r#""mrn": "TEST-0007""#);
    let file = dir.path().join("bed12.json");
    std::fs::write(&file, text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_spinewatch"))
        .args([
            "export",
            file.to_str().unwrap(),
            "--format",
            "fhir",
            "--now",
            "2026-12-01T08:00",
        ])
        .env("SPINEWATCH_DATA_DIR", dir.path().join("no-data"))
        .env("SPINEWATCH_CONFIG_DIR", &config)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let b: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(b["timestamp"], "2026-12-01T07:00:00Z", "08:00 in Amsterdam");
    let patient = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["resourceType"] == "Patient")
        .unwrap();
    assert_eq!(
        patient["request"]["url"],
        "Patient?identifier=urn:oid:2.16.840.1.113883.2.4.6.3|TEST-0007"
    );
    let ours = &patient["resource"]["identifier"][0];
    assert_eq!(ours["system"], "https://hospital.example/fhir/spinewatch");
    assert!(
        !dir.path().join("no-data").exists(),
        "a file export creates no data directory"
    );
}
