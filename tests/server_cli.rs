//! The command line on the ward server: `server init|status|add-ward|grant|migrate-from`,
//! and `import`, `rounds`, `export`, `audit --verify` through `--store postgres://…`.

mod pg_support;

use pg_support::*;
use std::process::Output;

fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"));
    c.env_remove("SPINEWATCH_DATA_DIR")
        .env_remove("SPINEWATCH_STORE")
        .env_remove("PGPASSWORD")
        .env("SPINEWATCH_CONFIG_DIR", "/nonexistent-spinewatch-config")
        .env("USER", "ana")
        .args(["--now", "2026-12-01T08:00"]);
    c
}

fn run(store: &str, args: &[&str]) -> Output {
    bin().arg("--store").arg(store).args(args).output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ok(o: Output) -> String {
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "stdout: {out}\nstderr: {err}");
    out
}

#[test]
fn an_unreachable_server_exits_1_naming_the_host_and_never_the_password() {
    let o = run(
        "postgres://ana:s3cret-pw@127.0.0.1:1/ward?connect_timeout=2",
        &["rounds"],
    );
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(err.contains("127.0.0.1:1"), "{err}");
    assert!(
        err.contains("postgres://ana:****@127.0.0.1:1/ward"),
        "{err}"
    );
    assert!(!err.contains("s3cret") && !out.contains("s3cret"), "{err}");
    // A bad sslmode is bad input, named.
    let o = run(
        "postgres://ana:s3cret-pw@db/ward?sslmode=sometimes",
        &["rounds"],
    );
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("sometimes") && !err.contains("s3cret"),
        "{err}"
    );
}

#[test]
fn a_ward_is_set_up_from_the_command_line_and_every_command_works_on_it() {
    let Some(pg) = shared() else { return };
    let db = "t_cli";
    pg.sql(
        "postgres",
        &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
    );
    pg.sql("postgres", &format!("CREATE DATABASE {db}"));
    let admin = pg.admin_url(db);
    assert!(ok(run(&admin, &["server", "init"])).contains("created at version 1"));
    assert!(ok(run(&admin, &["server", "init"])).contains("nothing changed"));
    ok(run(&admin, &["server", "add-ward", "cli 4B"]));
    ok(run(&admin, &["server", "add-ward", "cli 5C"]));
    assert!(ok(run(&admin, &["server", "add-ward", "cli 4B"])).contains("exists already"));
    pg.role("cli_ana");
    pg.role("cli_coord");
    ok(run(&admin, &["server", "grant", "cli_ana", "cli 4B"]));
    ok(run(&admin, &["server", "grant", "cli_ana", "cli 5C"]));
    ok(run(
        &admin,
        &["server", "grant", "cli_coord", "--all-wards"],
    ));
    let o = run(&admin, &["server", "grant", "nobody_here", "cli 4B"]);
    assert_eq!(o.status.code(), Some(2));

    let ana = pg.url("cli_ana", db);
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bed12.json");
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../assets/demo-case.json")).unwrap();
    v["id"] = "bed12".into();
    if let Some(m) = v.as_object_mut() {
        m.remove("ward");
    }
    std::fs::write(&file, v.to_string()).unwrap();
    let f = file.to_str().unwrap();
    // Two wards and none named: refused, listing them.
    let o = run(&ana, &["import", f]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cli 4B") && err.contains("cli 5C"), "{err}");
    assert!(ok(run(&ana, &["import", f, "--ward", "cli 5C"])).contains("imported bed12"));
    // The same id again is refused, nothing overwritten.
    assert_eq!(
        run(&ana, &["import", f, "--ward", "cli 4B"]).status.code(),
        Some(2)
    );

    let rounds = ok(run(&ana, &["rounds", "--format", "json"]));
    let list: serde_json::Value = serde_json::from_str(&rounds).unwrap();
    assert_eq!(list["cases"][0]["id"], "bed12");
    let coord = pg.url("cli_coord", db);
    assert!(ok(run(&coord, &["rounds"])).contains("Bed 12"));
    let note = ok(run(&ana, &["export", "bed12", "--format", "markdown"]));
    assert!(note.contains("Bed 12"), "{note}");
    let fhir = ok(run(&ana, &["export", "bed12", "--format", "fhir"]));
    let bundle: serde_json::Value = serde_json::from_str(&fhir).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    let again = ok(run(&coord, &["export", "bed12", "--format", "fhir"]));
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(
        bundle["entry"][0]["fullUrl"], again["entry"][0]["fullUrl"],
        "every workstation names the same resources"
    );
    let o = run(&ana, &["export", "bed99", "--format", "markdown"]);
    assert_eq!(o.status.code(), Some(2));

    let audit = ok(run(&ana, &["audit", "bed12"]));
    assert!(
        audit.contains("(import)") && audit.contains("cli_ana"),
        "{audit}"
    );
    let verify = ok(run(&ana, &["audit", "bed12", "--verify"]));
    assert!(verify.contains("role cli_ana"), "{verify}");
    assert!(verify.contains("recorded_by cli_ana"), "{verify}");
    assert!(verify.contains("chain intact, 1 entry"), "{verify}");
    assert_eq!(
        run(&ana, &["audit", "nope", "--verify"]).status.code(),
        Some(2)
    );

    // `set` through the server's save function, compare-and-swap on the version.
    let set = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_spinewatch"));
        c.env_remove("SPINEWATCH_DATA_DIR")
            .env("SPINEWATCH_CONFIG_DIR", "/nonexistent-spinewatch-config")
            .arg("--store")
            .arg(&ana)
            .arg("set")
            .args(args);
        c.output().unwrap()
    };
    let said = ok(set(&["bed12", "notes=drain out", "--expect-version", "1"]));
    assert!(said.contains("version 2"), "{said}");
    let o = set(&["bed12", "notes=second try", "--expect-version", "1"]);
    assert_eq!(o.status.code(), Some(3), "{:?}", text(&o));
    let audit = ok(run(&ana, &["audit", "bed12"]));
    assert!(
        audit.contains("drain out") && !audit.contains("second try"),
        "{audit}"
    );

    // evaluate ID (with its version for the next --expect-version), as of a time, and
    // rounds --since, all read from the server.
    let eval = ok(run(&ana, &["evaluate", "bed12", "--format", "json"]));
    let eval: serde_json::Value = serde_json::from_str(&eval).unwrap();
    assert_eq!(eval["version"], 2);
    let o = run(&ana, &["evaluate", "bed12", "--as-of", "2000-01-01"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "before its import: {err}");
    ok(run(
        &ana,
        &["evaluate", "bed12", "--as-of", "2099-01-01T08:00"],
    ));
    ok(run(&ana, &["rounds", "--since", "2026-11-01"]));

    let status = ok(run(&admin, &["server", "status"]));
    assert!(status.contains("version 1"), "{status}");
    assert!(
        status.contains("cli 5C") && status.contains("1 cases"),
        "{status}"
    );
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let Some(pg) = shared() else { return };
    let db = pg.database("newer");
    pg.ward(&db, "newer 4B", &["newer_ana"]);
    pg.sql(
        &db,
        "UPDATE spinewatch.meta SET value = '99' WHERE key = 'schema_version'",
    );
    let o = run(&pg.url("newer_ana", &db), &["rounds"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("version 99") && err.contains("newer"), "{err}");
    let o = run(&pg.admin_url(&db), &["server", "init"]);
    let (_, err) = text(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    let mut c = spinewatch::store::pg::target::Target::parse(&pg.admin_url(&db))
        .unwrap()
        .connect()
        .unwrap();
    let v: String = c
        .query_one(
            "SELECT value FROM spinewatch.meta WHERE key = 'schema_version'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(v, "99");
}

#[test]
fn migrate_from_exits_2_listing_a_broken_trail() {
    let Some(pg) = shared() else { return };
    let db = pg.database("mcli");
    pg.ward(&db, "mcli 4B", &["mcli_ana"]);
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    for id in ["one", "two"] {
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../assets/demo-case.json")).unwrap();
        v["id"] = id.into();
        let f = tmp.path().join(format!("{id}.json"));
        std::fs::write(&f, v.to_string()).unwrap();
        let o = bin()
            .arg("--data-dir")
            .arg(&data)
            .arg("import")
            .arg(&f)
            .output()
            .unwrap();
        assert!(o.status.success(), "{:?}", text(&o));
    }
    let log = data.join("two.log.jsonl");
    let t = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, t.replacen("(import)", "(imported)", 1)).unwrap();
    let admin = pg.admin_url(&db);
    let d = data.to_str().unwrap();
    let o = run(&admin, &["server", "migrate-from", d, "--ward", "mcli 4B"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(err.contains("two: entry 1"), "{err}");
    assert!(out.contains("copied 1 case"), "{out}");
    let again = ok(run(
        &admin,
        &[
            "server",
            "migrate-from",
            d,
            "--ward",
            "mcli 4B",
            "--accept-broken",
        ],
    ));
    assert!(
        again.contains("copied 1 case") && again.contains("1 already"),
        "{again}"
    );
    let rounds = ok(run(
        &pg.url("mcli_ana", &db),
        &["rounds", "--format", "json"],
    ));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&rounds).unwrap()["cases"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
