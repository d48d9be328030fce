//! `spinewatch import FILE`: validated, added, audited; refused with the reason otherwise,
//! and nothing is overwritten.

mod store_support;

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Output;
use store_support::*;

fn import(data: &Path, file: &Path) -> Output {
    bin()
        .arg("--data-dir")
        .arg(data)
        .args(["--now", "2026-12-01T08:00", "import"])
        .arg(file)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_valid_case_is_added_with_its_first_audit_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = write(tmp.path(), "bed12.json", DEMO);
    let out = import(&data, &file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved = fs::read_to_string(data.join("bed12-2026-11-20.json")).unwrap();
    let case = spinewatch::case::Case::from_json_str(&saved, now()).unwrap();
    assert_eq!(case.label(), "Bed 12");
    let entries = spinewatch::store::audit::read(&data, "bed12-2026-11-20").unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].path, "(import)");
    // The operating-system account of the process, not `$USER` (which `bin` sets to "ana"),
    // and the wall clock, not `--now`.
    let account = spinewatch::store::dirs::user_name();
    assert_eq!(entries[0].user, account);
    if account != "ana" {
        assert_ne!(entries[0].user, "ana");
    }
    assert_ne!(
        entries[0].at, "2026-12-01T08:00",
        "--now does not stamp the trail"
    );
    assert_eq!(entries[0].new["file"], "bed12.json");
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(DEMO.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(entries[0].new["sha256"], Value::from(digest));
}

#[test]
fn an_existing_id_is_refused_and_the_saved_case_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    assert!(
        import(&data, &write(tmp.path(), "a.json", DEMO))
            .status
            .success()
    );
    let before = fs::read(data.join("bed12-2026-11-20.json")).unwrap();
    let log_before = fs::read(data.join("bed12-2026-11-20.log.jsonl")).unwrap();
    let other = case_value("bed12-2026-11-20", "Someone else").to_string();
    let out = import(&data, &write(tmp.path(), "b.json", &other));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("b.json: not imported: a case \"bed12-2026-11-20\" exists already"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read(data.join("bed12-2026-11-20.json")).unwrap(),
        before
    );
    assert_eq!(
        fs::read(data.join("bed12-2026-11-20.log.jsonl")).unwrap(),
        log_before
    );
}

#[test]
fn invalid_files_are_refused_with_the_field_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut future = case_value("bed1", "Bed 1");
    future["schema"] = Value::from("spinewatch.case/3");
    let mut after_now = case_value("bed2", "Bed 2");
    after_now["surgery"]["date"] = Value::from("2026-12-05");
    let mut no_id = case_value("x", "Bed 3");
    no_id.as_object_mut().unwrap().shift_remove("id");
    let cases = [
        (
            "enum.json",
            DEMO.replace("\"severe\"", "\"smelly\""),
            "lesions[0].canal_stenosis",
        ),
        (
            "syntax.json",
            "{\"schema\": ".to_string(),
            "line 1 column 11",
        ),
        (
            "newer.json",
            future.to_string(),
            "spinewatch.case/3 is newer",
        ),
        (
            "future.json",
            after_now.to_string(),
            "surgery.date: \"2026-12-05\" is after today",
        ),
        ("noid.json", no_id.to_string(), "id: is missing"),
    ];
    for (name, text, reason) in cases {
        let out = import(&data, &write(tmp.path(), name, &text));
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(err.contains(&format!("{name}: not imported: ")), "{err}");
        assert!(err.contains(reason), "{name}: {err}");
    }
    let missing = import(&data, &tmp.path().join("nope.json"));
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        !data.exists() || names(&data).is_empty(),
        "{:?}",
        names(&data)
    );
}

#[test]
fn an_older_schema_is_migrated_on_import() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut v = case_value("bed4", "x");
    v["schema"] = Value::from("spinewatch.case/0");
    let p = v["patient"].as_object_mut().unwrap();
    p.shift_remove("label");
    p.insert("bed".into(), Value::from("Bed 4"));
    let out = import(&data, &write(tmp.path(), "old.json", &v.to_string()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("migrated from spinewatch.case/0"));
    let saved = fs::read_to_string(data.join("bed4.json")).unwrap();
    assert!(saved.contains("\"schema\": \"spinewatch.case/2\""));
    assert!(saved.contains("\"label\": \"Bed 4\""));
}

#[test]
fn a_frankel_drop_in_an_imported_file_is_marked_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut v: Value = serde_json::from_str(DEMO).unwrap();
    v["neuro_exams"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!(
            { "at": "2026-11-22T08:00", "frankel": "d", "motor": "impaired", "new_or_worse": false }
        ));
    let out = import(&data, &write(tmp.path(), "drop.json", &v.to_string()));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved = fs::read_to_string(data.join("bed12-2026-11-20.json")).unwrap();
    let case = spinewatch::case::Case::from_json_str(&saved, now()).unwrap();
    assert_eq!(case.neuro_exams[0].new_or_worse, Some(false));
    assert_eq!(case.neuro_exams[1].new_or_worse, Some(true));
    let entries = spinewatch::store::audit::read(&data, "bed12-2026-11-20").unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].path, "neuro_exams[1].new_or_worse");
    assert_eq!(
        (entries[1].old.clone(), entries[1].new.clone()),
        (Value::from(false), Value::from(true))
    );
}

#[test]
fn an_import_that_died_after_its_audit_entry_can_be_imported_again() {
    // What a kill between the audit entry and the case file leaves: the entry, no case.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = write(tmp.path(), "bed12.json", DEMO);
    assert_eq!(import(&data, &file).status.code(), Some(0));
    let id = "bed12-2026-11-20";
    fs::remove_file(data.join(format!("{id}.json"))).unwrap();
    let out = import(&data, &file);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let entries = spinewatch::store::audit::read(&data, id).unwrap();
    let paths: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["(import)", "(not applied)", "(import)"]);
    let verify = bin()
        .arg("--data-dir")
        .arg(&data)
        .args(["audit", id, "--verify"])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", stderr(&verify));

    // Another file under that id is refused: the id was used.
    let other = case_value(id, "Someone else");
    let other = write(tmp.path(), "other.json", &other.to_string());
    fs::remove_file(data.join(format!("{id}.json"))).unwrap();
    let out = import(&data, &other);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("never reused"), "{}", stderr(&out));
}
