//! The ward server's schema: versioned migrations shipped inside the binary
//! (`migrations/NNN_*.sql`), applied in order by `spinewatch server init`, each in its own
//! transaction with the version row of `spinewatch.meta`. A database whose schema is newer
//! than this binary knows is refused, never altered.

use postgres::Client;

/// The migrations, oldest first: version N is `MIGRATIONS[N - 1]`.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("001_schema", include_str!("migrations/001_schema.sql"))];

/// The schema version this binary writes and reads.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// The schema version of the database: `None` when spinewatch was never set up there.
pub fn version(client: &mut Client) -> Result<Option<i64>, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('spinewatch.meta') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let row = client.query_opt(
        "SELECT value FROM spinewatch.meta WHERE key = 'schema_version'",
        &[],
    )?;
    Ok(row.and_then(|r| r.get::<_, String>(0).parse().ok()))
}

/// Why a database cannot be used as it is (not set up, or too new), in words.
pub fn unusable(version: Option<i64>) -> Option<String> {
    match version {
        None => Some(
            "spinewatch is not set up on this database; run `spinewatch server init` there first"
                .into(),
        ),
        Some(v) if v > CURRENT => Some(format!(
            "the database's spinewatch schema is version {v}, newer than this spinewatch knows ({CURRENT}); nothing was changed — use a newer spinewatch"
        )),
        Some(v) if v < CURRENT => Some(format!(
            "the database's spinewatch schema is version {v}; run `spinewatch server init` to upgrade it to {CURRENT}"
        )),
        Some(_) => None,
    }
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub from: Option<i64>,
    pub to: i64,
}

/// Creates or upgrades the schema; a second run changes nothing. Refuses a newer schema.
pub fn init(client: &mut Client) -> Result<Applied, String> {
    let sql = |e: postgres::Error| super::db_message(&e);
    // One init at a time, whoever runs it.
    client
        .execute("SELECT pg_advisory_lock(1397225472, 0)", &[])
        .map_err(sql)?;
    let result = (|| {
        let from = version(client).map_err(sql)?;
        if let Some(v) = from
            && v > CURRENT
        {
            return Err(unusable(from).unwrap_or_default());
        }
        let start = from.unwrap_or(0);
        for (i, (name, text)) in MIGRATIONS.iter().enumerate() {
            let n = i as i64 + 1;
            if n <= start {
                continue;
            }
            let mut tx = client.transaction().map_err(sql)?;
            tx.batch_execute(text)
                .map_err(|e| format!("migration {name}: {}", super::db_message(&e)))?;
            tx.execute(
                "INSERT INTO spinewatch.meta (key, value) VALUES ('schema_version', $1)
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&n.to_string()],
            )
            .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
        Ok(Applied { from, to: CURRENT })
    })();
    let _ = client.execute("SELECT pg_advisory_unlock(1397225472, 0)", &[]);
    result
}
