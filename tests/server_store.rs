//! The ward server against a real PostgreSQL (spec/WARD_SERVER.md, "Tests"): stale saves,
//! a client killed mid-save, wards kept apart by the server, a trail no clinician can
//! rewrite, NOTIFY between instances, migrate-from, TLS verify-full, a server restart.

mod pg_support;

use pg_support::*;
use serde_json::{Value, json};
use spinewatch::store::{Access, Change, Store, StoreError, version_of};

fn change(path: &str, old: Value, new: Value) -> Change {
    Change {
        path: path.into(),
        old,
        new,
    }
}

fn import(store: &mut dyn Store, id: &str, ward: &str, label: &str) {
    let first = change(
        "(import)",
        Value::Null,
        json!({ "file": format!("{id}.json") }),
    );
    store
        .create(&case(id, ward, label), &[first], now())
        .unwrap_or_else(|e| panic!("{id}: {e}"));
}

/// The case with its notes set, as the TUI would save it.
fn with_notes(c: &spinewatch::case::Case, notes: &str) -> (spinewatch::case::Case, Change) {
    let mut next = c.clone();
    let old = json!(c.notes);
    next.notes = Some(notes.into());
    (next, change("notes", old, json!(notes)))
}

fn verified(store: &dyn Store, id: &str) -> String {
    let check = store.verify_trail(id).unwrap();
    check.result.unwrap_or_else(|e| panic!("{id}: {e}"))
}

#[test]
fn two_clients_edit_one_case_the_stale_save_is_refused_and_nothing_is_lost() {
    let Some(pg) = shared() else { return };
    let db = pg.database("stale");
    pg.ward(&db, "stale 4B", &["stale_ana", "stale_ben"]);
    let mut ana = pg.store("stale_ana", &db);
    let mut ben = pg.store("stale_ben", &db);
    import(&mut ana, "bed1", "stale 4B", "Bed 1");

    let a = ana.load("bed1", now()).unwrap();
    let b = ben.load("bed1", now()).unwrap();
    assert_eq!(version_of(&a), 1);
    let (a2, ca) = with_notes(&a, "ana: wound dry");
    let v2 = ana.save(&a2, version_of(&a), &[ca]).unwrap();
    assert_eq!(v2, 2);

    let (b2, cb) = with_notes(&b, "ben: wound oozing");
    match ben.save(&b2, version_of(&b), std::slice::from_ref(&cb)) {
        Err(StoreError::Conflict { by, message }) => {
            assert_eq!(by.as_deref(), Some("stale_ana"), "{message}");
            assert!(message.contains("stale_ana"), "{message}");
        }
        other => panic!("a stale save must be refused, got {other:?}"),
    }
    // Nothing of ben's reached the server; ana's save is there.
    let now_there = ben.load("bed1", now()).unwrap();
    assert_eq!(now_there.notes.as_deref(), Some("ana: wound dry"));
    assert_eq!(ben.history("bed1").unwrap().len(), 2);
    // Ben re-applies his entry on the current version: kept, not lost.
    let (b3, cb3) = with_notes(&now_there, "ben: wound oozing");
    assert_eq!(ben.save(&b3, version_of(&now_there), &[cb3]).unwrap(), 3);
    let trail = ben.history("bed1").unwrap();
    assert_eq!(
        trail.iter().map(|e| e.user.as_str()).collect::<Vec<_>>(),
        ["stale_ana", "stale_ana", "stale_ben"]
    );
    assert!(verified(&ben, "bed1").contains("chain intact, 3 entries"));
}

#[test]
fn open_for_editing_is_held_by_one_session_and_freed_when_it_ends() {
    let Some(pg) = shared() else { return };
    let db = pg.database("lock");
    pg.ward(&db, "lock 4B", &["lock_ana", "lock_ben"]);
    let mut ana = pg.store("lock_ana", &db);
    import(&mut ana, "bed2", "lock 4B", "Bed 2");
    assert_eq!(ana.lock("bed2", now()).unwrap(), Access::ReadWrite);
    let mut ben = pg.store("lock_ben", &db);
    match ben.lock("bed2", now()).unwrap() {
        Access::ReadOnly { holder } => assert!(holder.contains("lock_ana"), "{holder}"),
        other => panic!("{other:?}"),
    }
    assert!(ben.holders(&["bed2".into()])[0].is_some());
    // A read-only case cannot be saved by ben.
    let c = ben.load("bed2", now()).unwrap();
    let (c2, ch) = with_notes(&c, "ben");
    assert!(matches!(
        ben.save(&c2, version_of(&c), &[ch]),
        Err(StoreError::Refused(_))
    ));
    drop(ana); // the session ends as a killed client's would
    assert!(eventually(10, || ben.lock("bed2", now()).unwrap() == Access::ReadWrite));
}

/// The child of the kill -9 test: saves the case again and again until killed.
#[test]
#[ignore]
fn child_saves_until_killed() {
    let Ok(url) = std::env::var("SPINEWATCH_PG_CHILD") else {
        return;
    };
    let mut store = spinewatch::store::PgStore::connect(&url).unwrap();
    for i in 0.. {
        let c = store.load("bed3", now()).unwrap();
        let (c2, ch) = with_notes(&c, &format!("save {i}"));
        let more = change("wound.status", json!(c.wound.status), json!(c.wound.status));
        store.save(&c2, version_of(&c), &[ch, more]).unwrap();
    }
}

#[test]
fn kill_9_of_a_client_in_the_middle_of_a_save_leaves_case_and_trail_agreeing() {
    let Some(pg) = shared() else { return };
    let db = pg.database("kill");
    pg.ward(&db, "kill 4B", &["kill_ana"]);
    let mut ana = pg.store("kill_ana", &db);
    import(&mut ana, "bed3", "kill 4B", "Bed 3");
    for round in 0..3 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_saves_until_killed",
                "--ignored",
                "--nocapture",
            ])
            .env("SPINEWATCH_PG_CHILD", pg.url("kill_ana", &db))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = version_of(&ana.load("bed3", now()).unwrap());
        assert!(eventually(30, || version_of(
            &ana.load("bed3", now()).unwrap()
        ) > start + 5 + round));
        // SIGKILL: no chance to finish, roll back or say goodbye.
        child.kill().unwrap();
        child.wait().unwrap();
        let c = ana.load("bed3", now()).unwrap();
        let trail = ana.history("bed3").unwrap();
        // One import entry, then two entries per save: the version counts the saves.
        assert_eq!(trail.len() as u64, 1 + 2 * (version_of(&c) - 1));
        assert_eq!(
            trail.last().unwrap().new,
            json!(c.wound.status),
            "the newest entry is the case's last save"
        );
        let notes = trail.iter().rev().find(|e| e.path == "notes").unwrap();
        assert_eq!(notes.new, json!(c.notes));
        assert!(verified(&ana, "bed3").contains("matches the newest entry"));
    }
}

#[test]
fn a_ward_a_role_cannot_read_list_open_audit_or_change_a_ward_b_case() {
    let Some(pg) = shared() else { return };
    let db = pg.database("rls");
    pg.ward(&db, "rls A", &["rls_ana"]);
    pg.ward(&db, "rls B", &["rls_bob"]);
    pg.role("rls_coord");
    {
        let mut c = spinewatch::store::pg::target::Target::parse(&pg.admin_url(&db))
            .unwrap()
            .connect()
            .unwrap();
        spinewatch::store::pg::admin::grant(&mut c, "rls_coord", None).unwrap();
    }
    let mut ana = pg.store("rls_ana", &db);
    let mut bob = pg.store("rls_bob", &db);
    import(&mut ana, "a1", "rls A", "Bed A1");
    import(&mut bob, "b1", "rls B", "Bed B1");
    let b_case = bob.load("b1", now()).unwrap();

    // list
    let ids: Vec<_> = ana
        .load_all(now())
        .unwrap()
        .cases
        .iter()
        .map(|c| c.id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["a1"]);
    // read
    assert!(matches!(
        ana.load("b1", now()),
        Err(StoreError::NotFound(_))
    ));
    // open
    assert!(matches!(
        ana.lock("b1", now()),
        Err(StoreError::NotFound(_))
    ));
    // audit
    assert!(ana.history("b1").unwrap().is_empty());
    assert!(matches!(
        ana.verify_trail("b1"),
        Err(StoreError::NotFound(_))
    ));
    // change, through the save function with a forged version
    let (forged, ch) = with_notes(&b_case, "ana was here");
    assert!(ana.save(&forged, version_of(&b_case), &[ch]).is_err());
    // create a case in ward B
    let first = change("(import)", Value::Null, json!({}));
    assert!(
        ana.create(&case("b2", "rls B", "Bed B2"), &[first], now())
            .is_err()
    );
    // and with psql: the tables themselves refuse
    let mut raw = spinewatch::store::pg::target::Target::parse(&pg.url("rls_ana", &db))
        .unwrap()
        .connect()
        .unwrap();
    let rows = raw.query("SELECT id FROM spinewatch.cases", &[]).unwrap();
    assert_eq!(rows.len(), 1);
    let rows = raw
        .query("SELECT seq FROM spinewatch.audit WHERE case_id = 'b1'", &[])
        .unwrap();
    assert!(rows.is_empty());
    for sql in [
        "UPDATE spinewatch.cases SET doc = '{}' WHERE id = 'b1'",
        "UPDATE spinewatch.cases SET ward = 'rls A' WHERE id = 'b1'",
        "DELETE FROM spinewatch.cases WHERE id = 'b1'",
        "INSERT INTO spinewatch.cases (id, ward, doc, version) VALUES ('b9', 'rls B', '{}', 1)",
    ] {
        let e = raw.batch_execute(sql).unwrap_err();
        assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e:?}");
    }
    assert_eq!(
        bob.load("b1", now()).unwrap(),
        b_case,
        "ward B's case is untouched"
    );
    // The coordinator reads both wards and changes neither.
    let mut coord = pg.store("rls_coord", &db);
    assert_eq!(coord.load_all(now()).unwrap().cases.len(), 2);
    let (c2, ch) = with_notes(&b_case, "coordinator");
    assert!(coord.save(&c2, version_of(&b_case), &[ch]).is_err());
    assert!(coord.wards().unwrap().is_empty());
}

#[test]
fn a_clinician_cannot_update_delete_insert_or_truncate_the_trail() {
    let Some(pg) = shared() else { return };
    let db = pg.database("trail");
    pg.ward(&db, "trail 4B", &["trail_ana"]);
    let mut ana = pg.store("trail_ana", &db);
    import(&mut ana, "bed4", "trail 4B", "Bed 4");
    let mut raw = spinewatch::store::pg::target::Target::parse(&pg.url("trail_ana", &db))
        .unwrap()
        .connect()
        .unwrap();
    for sql in [
        "UPDATE spinewatch.audit SET new = '\"forged\"' WHERE case_id = 'bed4'",
        "UPDATE spinewatch.audit SET \"user\" = 'someone' WHERE case_id = 'bed4'",
        "DELETE FROM spinewatch.audit WHERE case_id = 'bed4'",
        "TRUNCATE spinewatch.audit",
        "INSERT INTO spinewatch.audit (case_id, seq, at, \"user\", path, old, new, prev_hash, hash) \
         VALUES ('bed4', 9, 'x', 'x', 'x', 'null', 'null', 'x', 'x')",
        "SELECT spinewatch.append_entries('bed4', '[{\"path\":\"x\",\"old\":null,\"new\":1}]', NULL)",
    ] {
        let e = raw.batch_execute(sql).unwrap_err();
        assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e:?}");
    }
    // Nor slip a document under another case's id through the save function.
    let e = raw
        .batch_execute(
            "SELECT spinewatch.save_case('bed4', 'trail 4B', '{\"id\":\"other\"}', 1, \
             '[{\"path\":\"x\",\"old\":null,\"new\":1}]', NULL)",
        )
        .unwrap_err();
    assert_eq!(e.code().map(|c| c.code()), Some("SW400"), "{e:?}");
    let trail = ana.history("bed4").unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].user, "trail_ana");
    verified(&ana, "bed4");
    // The server, not the client, stamps who and when.
    let rows = ana.trail("bed4").unwrap();
    assert_eq!(rows[0].recorded_by, "trail_ana");
}

#[test]
fn an_entry_edited_on_the_server_by_its_owner_is_found_by_verify() {
    let Some(pg) = shared() else { return };
    let db = pg.database("tamper");
    pg.ward(&db, "tamper 4B", &["tamper_ana"]);
    let mut ana = pg.store("tamper_ana", &db);
    import(&mut ana, "bed5", "tamper 4B", "Bed 5");
    let c = ana.load("bed5", now()).unwrap();
    let (c2, ch) = with_notes(&c, "first");
    ana.save(&c2, 1, &[ch]).unwrap();
    // Even the schema owner editing behind the functions leaves a trace.
    pg.sql(
        &db,
        "UPDATE spinewatch.audit SET new = '\"second\"' WHERE case_id = 'bed5' AND seq = 2",
    );
    let e = ana.verify_trail("bed5").unwrap().result.unwrap_err();
    assert!(e.contains("entry 2"), "{e}");
    pg.sql(
        &db,
        "UPDATE spinewatch.audit SET new = '\"first\"' WHERE case_id = 'bed5' AND seq = 2",
    );
    verified(&ana, "bed5");
    pg.sql(&db, "UPDATE spinewatch.cases SET doc = jsonb_set(doc, '{notes}', '\"edited\"') WHERE id = 'bed5'");
    let e = ana.verify_trail("bed5").unwrap().result.unwrap_err();
    assert!(e.contains("does not match"), "{e}");
}

#[test]
fn notify_refreshes_a_second_instances_rounds_list() {
    let Some(pg) = shared() else { return };
    let db = pg.database("notify");
    pg.ward(&db, "notify 4B", &["notify_ana", "notify_ben"]);
    let mut ana = pg.store("notify_ana", &db);
    let mut ben = pg.store("notify_ben", &db);
    assert!(ben.load_all(now()).unwrap().cases.is_empty());
    // Both listeners are connected once the stores are open.
    assert!(pg_listening(pg, &db) >= 2);
    import(&mut ana, "bed6", "notify 4B", "Bed 6");
    let mut seen = Vec::new();
    assert!(
        eventually(10, || {
            seen.extend(ben.changes());
            seen.iter().any(|id| id == "bed6")
        }),
        "ben never heard of bed6: {seen:?}"
    );
    let listing = ben.load_all(now()).unwrap();
    assert_eq!(listing.cases.len(), 1);
    assert_eq!(listing.cases[0].label(), "Bed 6");
    // Ben's own save is not news to ben.
    let c = ben.load("bed6", now()).unwrap();
    let (c2, ch) = with_notes(&c, "ben");
    ben.save(&c2, version_of(&c), &[ch]).unwrap();
    let mut heard = Vec::new();
    assert!(eventually(10, || {
        heard.extend(ana.changes());
        heard.iter().any(|id| id == "bed6")
    }));
    assert!(ben.changes().iter().all(|id| id != "bed6"));
}

fn pg_listening(pg: &Cluster, db: &str) -> i64 {
    let mut c = spinewatch::store::pg::target::Target::parse(&pg.admin_url(db))
        .unwrap()
        .connect()
        .unwrap();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%'",
            &[&db],
        )
        .unwrap()
        .get(0);
    n
}

#[test]
fn migrate_from_a_file_store_of_1000_cases_keeps_every_trail_verified() {
    let Some(pg) = shared() else { return };
    let db = pg.database("migrate");
    pg.ward(&db, "migrate 4B", &["migrate_ana"]);
    // In memory where the machine has it: the file store syncs every write.
    let tmp = shm_tempdir();
    let mut files = spinewatch::store::FileStore::open(tmp.path()).unwrap();
    for i in 0..1000 {
        let id = format!("bed{i:04}");
        let first = change(
            "(import)",
            Value::Null,
            json!({ "file": format!("{id}.json") }),
        );
        let mut c = case(&id, "", &format!("Bed {i}"));
        c.ward = None;
        files.create(&c, &[first], now()).unwrap();
        if i % 10 == 0 {
            let c = files.load(&id, now()).unwrap();
            let (c2, ch) = with_notes(&c, "file store note");
            files.save(&c2, version_of(&c), &[ch]).unwrap();
        }
    }
    let file_trail = files.history("bed0010").unwrap();
    drop(files);
    let admin = pg.admin_store(&db);
    let done =
        spinewatch::store::pg::admin::migrate_from(&admin, tmp.path(), "migrate 4B", false, now())
            .unwrap();
    assert_eq!((done.copied, done.present), (1000, 0));
    assert!(done.broken.is_empty(), "{:?}", done.broken);

    let ana = pg.store("migrate_ana", &db);
    let listing = ana.load_all(now()).unwrap();
    assert_eq!(listing.cases.len(), 1000);
    assert!(listing.damaged.is_empty());
    for c in &listing.cases {
        let id = c.id.as_deref().unwrap();
        let line = verified(&ana, id);
        assert!(line.contains("matches the newest entry"), "{id}: {line}");
        assert_eq!(pg_support_ward(c), Some("migrate 4B".into()));
    }
    // Times, users, values and hashes kept; one more entry says the ward.
    let trail = ana.history("bed0010").unwrap();
    assert_eq!(&trail[..file_trail.len()], &file_trail[..]);
    let last = trail.last().unwrap();
    assert_eq!(
        (last.path.as_str(), &last.new),
        ("ward", &json!("migrate 4B"))
    );
    let rows = ana.trail("bed0010").unwrap();
    assert!(rows.iter().all(|r| r.recorded_by == "postgres"));

    // Again: nothing is copied twice.
    let again =
        spinewatch::store::pg::admin::migrate_from(&admin, tmp.path(), "migrate 4B", false, now())
            .unwrap();
    assert_eq!((again.copied, again.present), (0, 1000));
    assert_eq!(ana.history("bed0010").unwrap().len(), trail.len());
}

fn shm_tempdir() -> tempfile::TempDir {
    tempfile::tempdir_in("/dev/shm").unwrap_or_else(|_| tempfile::tempdir().unwrap())
}

fn pg_support_ward(c: &spinewatch::case::Case) -> Option<String> {
    spinewatch::store::pg::ward_of(c)
}

#[test]
fn migrate_from_lists_a_broken_trail_and_copies_it_only_when_accepted() {
    let Some(pg) = shared() else { return };
    let db = pg.database("broken");
    pg.ward(&db, "broken 4B", &["broken_ana"]);
    let tmp = tempfile::tempdir().unwrap();
    let mut files = spinewatch::store::FileStore::open(tmp.path()).unwrap();
    for id in ["good", "bad"] {
        let first = change("(import)", Value::Null, json!({ "file": id }));
        let mut c = case(id, "", id);
        c.ward = None;
        files.create(&c, &[first], now()).unwrap();
        let c = files.load(id, now()).unwrap();
        let (c2, ch) = with_notes(&c, "note");
        files.save(&c2, version_of(&c), &[ch]).unwrap();
    }
    drop(files);
    let log = tmp.path().join("bad.log.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("\"note\"", "\"forged\"", 1)).unwrap();
    let admin = pg.admin_store(&db);
    let done =
        spinewatch::store::pg::admin::migrate_from(&admin, tmp.path(), "broken 4B", false, now())
            .unwrap();
    assert_eq!(done.copied, 1);
    assert_eq!(done.broken.len(), 1);
    assert!(
        done.broken[0].starts_with("bad: entry 2"),
        "{:?}",
        done.broken
    );
    let ana = pg.store("broken_ana", &db);
    assert!(matches!(
        ana.load("bad", now()),
        Err(StoreError::NotFound(_))
    ));
    let done =
        spinewatch::store::pg::admin::migrate_from(&admin, tmp.path(), "broken 4B", true, now())
            .unwrap();
    assert_eq!((done.copied, done.present, done.copied_broken), (1, 1, 1));
    let trail = ana.history("bad").unwrap();
    assert!(trail.iter().any(|e| e.path == "(trail not verified)"));
}

#[test]
fn verify_full_tls_connects_with_the_test_ca_and_refuses_a_wrong_host_name() {
    let Some(pg) = own() else { return };
    let db = pg.database("tls");
    pg.ward(&db, "tls 4B", &["tls_ana"]);
    let ca = pg.ca.display().to_string();
    let good = format!(
        "postgres://tls_ana@localhost:{}/{db}?sslmode=verify-full&sslrootcert={ca}",
        pg.port
    );
    let store = spinewatch::store::PgStore::connect(&good).unwrap();
    let mut raw = store.target().connect().unwrap();
    let ssl: bool = raw
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ssl, "the session is encrypted");
    // The certificate names localhost, not 127.0.0.1: verify-full refuses, verify-ca accepts.
    let wrong = format!(
        "postgres://tls_ana@127.0.0.1:{}/{db}?sslmode=verify-full&sslrootcert={ca}",
        pg.port
    );
    let e = spinewatch::store::PgStore::connect(&wrong)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("127.0.0.1"), "{e}");
    assert!(
        e.to_lowercase().contains("certificate")
            || e.contains("hostname")
            || e.contains("IP address"),
        "{e}"
    );
    let ca_only = wrong.replace("verify-full", "verify-ca");
    assert!(spinewatch::store::PgStore::connect(&ca_only).is_ok());
    // A CA that did not sign the server's certificate is refused even for verify-ca.
    let other = tempfile::tempdir().unwrap();
    let stranger_ca = self_signed_ca(other.path(), "other", "other").unwrap();
    let stranger = good.replace(&ca, &stranger_ca.display().to_string());
    assert!(spinewatch::store::PgStore::connect(&stranger).is_err());
}

#[test]
fn the_server_restarted_while_a_client_is_open_it_reconnects_and_nothing_is_lost() {
    let Some(pg) = own() else { return };
    let db = pg.database("restart");
    pg.ward(&db, "restart 4B", &["restart_ana", "restart_ben"]);
    let mut ana = pg.store("restart_ana", &db);
    import(&mut ana, "bed7", "restart 4B", "Bed 7");
    assert_eq!(ana.lock("bed7", now()).unwrap(), Access::ReadWrite);
    let c = ana.load("bed7", now()).unwrap();
    let (typed, ch) = with_notes(&c, "typed while the server was down");

    pg.pg_stop().unwrap();
    let e = ana
        .save(&typed, version_of(&c), std::slice::from_ref(&ch))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("ward server unreachable — retrying (entry kept)"),
        "{e}"
    );
    assert!(eventually(10, || {
        ana.changes();
        ana.trouble().is_some()
    }));
    pg.pg_start().unwrap();
    // Within 10 s of the server being back the instance is connected again.
    let mut back = false;
    assert!(eventually(10, || {
        back |= ana.changes().iter().any(|id| id == "*");
        back
    }));
    assert_eq!(ana.trouble(), None);
    // The entry kept by the caller saves now, against the version it was typed on.
    assert_eq!(ana.save(&typed, version_of(&c), &[ch]).unwrap(), 2);
    // The case is held again: another instance opens it read-only.
    let mut ben = pg.store("restart_ben", &db);
    assert!(matches!(
        ben.lock("bed7", now()).unwrap(),
        Access::ReadOnly { .. }
    ));
    assert_eq!(
        ben.load("bed7", now()).unwrap().notes.as_deref(),
        Some("typed while the server was down")
    );
    verified(&ben, "bed7");

    // The same through the TUI's loop: a save while the server is down keeps the entry on
    // screen and says so; once the server is back the same save goes through.
    drop(ben);
    drop(ana);
    let mut tui = pg.store("restart_ana", &db);
    let mut app = spinewatch::tui::test_app(now());
    let export = tempfile::tempdir().unwrap();
    use spinewatch::tui::{Effect, perform};
    perform(
        &mut app,
        &mut tui,
        export.path(),
        vec![Effect::LoadRounds, Effect::Open("bed7".into())],
    );
    let open = app.open.as_ref().expect("bed7 is open").case.clone();
    let (typed, ch) = with_notes(&open, "typed in the TUI");
    pg.pg_stop().unwrap();
    let save = || Effect::Save {
        case: Box::new(typed.clone()),
        changes: vec![ch.clone()],
    };
    perform(&mut app, &mut tui, export.path(), vec![save()]);
    let (status, alarm) = app.status.clone().unwrap();
    assert!(
        alarm && status.contains("NOT SAVED") && status.contains("entry kept"),
        "{status}"
    );
    assert!(app.open.is_some(), "the case stays open");
    pg.pg_start().unwrap();
    assert!(eventually(10, || tui.changes().iter().any(|id| id == "*")));
    app.status = None;
    perform(&mut app, &mut tui, export.path(), vec![save()]);
    assert_eq!(app.status.as_ref().map(|s| s.0.as_str()), Some("saved"));
    let other = pg.store("restart_ben", &db);
    assert_eq!(
        other.load("bed7", now()).unwrap().notes.as_deref(),
        Some("typed in the TUI")
    );
    verified(&other, "bed7");
}

#[test]
fn a_new_case_naming_no_ward_goes_to_the_site_ward_else_the_only_one_else_is_refused() {
    let Some(pg) = shared() else { return };
    let db = pg.database("newward");
    pg.ward(&db, "newward 4B", &["newward_ana"]);
    pg.ward(&db, "newward 5C", &["newward_ana", "newward_ben"]);
    let first = || vec![change("(create)", Value::Null, Value::Null)];
    let nameless = |id: &str| {
        let mut c = case(id, "", id);
        c.ward = None;
        c
    };
    // Ben is on one ward: his new case goes there.
    let mut ben = pg.store("newward_ben", &db);
    ben.create(&nameless("b1"), &first(), now()).unwrap();
    assert_eq!(
        ben.load("b1", now()).unwrap().ward.as_deref(),
        Some("newward 5C")
    );
    // Ana is on two: refused, naming both, unless the site names one.
    let mut ana = pg.store("newward_ana", &db);
    let e = ana
        .create(&nameless("a1"), &first(), now())
        .unwrap_err()
        .to_string();
    assert!(e.contains("newward 4B") && e.contains("newward 5C"), "{e}");
    ana.set_default_ward(Some("newward 4B".into()));
    ana.create(&nameless("a1"), &first(), now()).unwrap();
    assert_eq!(
        ana.load("a1", now()).unwrap().ward.as_deref(),
        Some("newward 4B")
    );
}
