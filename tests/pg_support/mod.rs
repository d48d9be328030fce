//! A throwaway PostgreSQL for the ward server tests, started from the installed binaries
//! (`initdb`, `pg_ctl`) in a temporary directory with a Unix socket, a free port on
//! 127.0.0.1 and TLS on (a test CA made with the `openssl` command line, the server's
//! certificate for `localhost` only). As root, the server runs as the `postgres` system user.
//! `SPINEWATCH_TEST_PG` (an admin URL) names an existing server instead (TLS tests then
//! still start their own). A watchdog stops the server when the test process ends.
//!
//! Under CI (`CI=true`) a server that cannot be had fails the test; elsewhere the test says
//! so and returns.
#![allow(dead_code)]

use spinewatch::store::PgStore;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
    pub socket: PathBuf,
    pub ca: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    /// An admin URL (superuser) for databases on this server.
    admin: String,
    own: bool,
}

/// A URL with its database replaced.
fn with_db(url: &str, db: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let query = url.find('?').unwrap_or(url.len());
    let path = url[start..query].find('/').map_or(query, |i| start + i);
    format!("{}/{db}{}", &url[..path], &url[query..])
}

fn find_bin() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
            return Some(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Cluster {
    fn pg(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    /// Starts a new cluster in a temporary directory.
    pub fn start() -> Result<Cluster, String> {
        let bin = find_bin().ok_or("no initdb/pg_ctl found (PATH, /usr/lib/postgresql/*/bin)")?;
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("spinewatch-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        let socket = dir.join("sock");
        std::fs::create_dir_all(&socket).map_err(|e| e.to_string())?;
        let ca = make_certs(&dir)?;
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let port = free_port();
        let cluster = Cluster {
            dir: dir.clone(),
            port,
            socket: socket.clone(),
            ca,
            bin,
            as_postgres,
            admin: format!("postgres://postgres@127.0.0.1:{port}/postgres?sslmode=disable"),
            own: true,
        };
        run(cluster
            .pg("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(dir.join("data")))?;
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
             fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n\
             ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
            socket.display(),
            dir.join("server.crt").display(),
            dir.join("server.key").display()
        );
        let conf_path = dir.join("data/postgresql.auto.conf");
        let mut existing = std::fs::read_to_string(&conf_path).unwrap_or_default();
        existing.push_str(&conf);
        std::fs::write(&conf_path, existing).map_err(|e| e.to_string())?;
        if as_postgres {
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&conf_path))?;
        }
        cluster.pg_start()?;
        watchdog(&cluster);
        Ok(cluster)
    }

    pub fn pg_start(&self) -> Result<(), String> {
        run(self
            .pg("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(self.dir.join("data"))
            .arg("-l")
            .arg(self.dir.join("log"))
            .arg("start"))
        .map(|_| ())
    }

    pub fn pg_stop(&self) -> Result<(), String> {
        run(self
            .pg("pg_ctl")
            .args(["-w", "-D"])
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "stop"]))
        .map(|_| ())
    }

    /// The superuser's URL of database `db`.
    pub fn admin_url(&self, db: &str) -> String {
        with_db(&self.admin, db)
    }

    /// The ward server store of the superuser (for `migrate-from`).
    pub fn admin_store(&self, db: &str) -> PgStore {
        PgStore::connect(&self.admin_url(db)).unwrap()
    }

    /// A clinician's URL of database `db` over TCP (TLS off; the TLS test turns it on).
    pub fn url(&self, role: &str, db: &str) -> String {
        let (host, port) = self.host_port();
        format!("postgres://{role}@{host}:{port}/{db}?sslmode=disable")
    }

    pub fn host_port(&self) -> (String, u16) {
        if self.own {
            return ("127.0.0.1".into(), self.port);
        }
        let t = spinewatch::store::pg::target::Target::parse(&self.admin).expect("admin URL");
        let (h, p) = t.host.rsplit_once(':').unwrap_or((&t.host, "5432"));
        (h.to_string(), p.parse().unwrap_or(5432))
    }

    /// Runs SQL as the superuser on `db`.
    pub fn sql(&self, db: &str, text: &str) {
        let mut c = spinewatch::store::pg::target::Target::parse(&self.admin_url(db))
            .unwrap()
            .connect()
            .unwrap();
        c.batch_execute(text)
            .unwrap_or_else(|e| panic!("{text}: {e:?}"));
    }

    /// A fresh database with spinewatch set up (as `server init` does).
    pub fn database(&self, name: &str) -> String {
        let db = format!("t_{name}");
        self.sql(
            "postgres",
            &format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
        );
        self.sql("postgres", &format!("CREATE DATABASE {db}"));
        static INIT: Mutex<()> = Mutex::new(());
        let _one = INIT.lock().unwrap_or_else(|p| p.into_inner());
        let mut c = spinewatch::store::pg::target::Target::parse(&self.admin_url(&db))
            .unwrap()
            .connect()
            .unwrap();
        spinewatch::store::pg::migrate::init(&mut c).unwrap();
        db
    }

    /// A login role (dropped first if a previous run left it).
    pub fn role(&self, name: &str) {
        self.sql(
            "postgres",
            &format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{name}') \
                 THEN CREATE ROLE {name} LOGIN; END IF; END $$;"
            ),
        );
    }

    /// Adds ward `ward` and grants it to `role` (as `server add-ward`/`grant` do).
    pub fn ward(&self, db: &str, ward: &str, roles: &[&str]) {
        let mut c = spinewatch::store::pg::target::Target::parse(&self.admin_url(db))
            .unwrap()
            .connect()
            .unwrap();
        spinewatch::store::pg::admin::add_ward(&mut c, ward).unwrap();
        for r in roles {
            self.role(r);
            spinewatch::store::pg::admin::grant(&mut c, r, Some(ward)).unwrap();
        }
    }

    pub fn store(&self, role: &str, db: &str) -> PgStore {
        PgStore::connect(&self.url(role, db)).unwrap_or_else(|e| panic!("{role}: {e}"))
    }
}

/// A self-signed CA in `dir`: `NAME.crt` and `NAME.key`; returns the certificate.
pub fn self_signed_ca(dir: &Path, cn: &str, name: &str) -> Result<PathBuf, String> {
    let (key, crt) = (format!("{name}.key"), format!("{name}.crt"));
    run(Command::new("openssl").current_dir(dir).args([
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        &format!("/CN={cn}"),
        "-keyout",
        &key,
        "-out",
        &crt,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]))?;
    Ok(dir.join(crt))
}

/// The test CA and a certificate for `localhost` (DNS only) signed by it; returns the CA.
fn make_certs(dir: &Path) -> Result<PathBuf, String> {
    let o = |args: &[&str]| run(Command::new("openssl").current_dir(dir).args(args));
    self_signed_ca(dir, "spinewatch test CA", "ca")?;
    o(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ])?;
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=DNS:localhost\n")
        .map_err(|e| e.to_string())?;
    o(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.crt",
    ])?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(
            dir.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        );
    }
    Ok(dir.join("ca.crt"))
}

/// Stops the server and removes its directory once this test process is gone.
fn watchdog(c: &Cluster) {
    let stop = format!(
        "{} {} -D '{}' -m immediate stop >/dev/null 2>&1; rm -rf '{}'",
        if c.as_postgres {
            "runuser -u postgres --"
        } else {
            ""
        },
        c.bin.join("pg_ctl").display(),
        c.dir.join("data").display(),
        c.dir.display()
    );
    let script = format!(
        "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop}",
        std::process::id()
    );
    let _ = Command::new("sh")
        .args(["-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

fn unavailable(why: &str) -> Option<&'static Cluster> {
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("no PostgreSQL for the ward server tests under CI: {why}");
    }
    eprintln!("SKIPPED: no PostgreSQL for the ward server tests: {why}");
    None
}

/// The shared server of this test process (started once), or `None` (test skipped) when
/// none can be had outside CI.
pub fn shared() -> Option<&'static Cluster> {
    static SHARED: OnceLock<Result<Cluster, String>> = OnceLock::new();
    let got = SHARED.get_or_init(|| match std::env::var("SPINEWATCH_TEST_PG") {
        Ok(admin) if !admin.is_empty() => Ok(Cluster {
            dir: PathBuf::new(),
            port: 0,
            socket: PathBuf::new(),
            ca: PathBuf::new(),
            bin: PathBuf::new(),
            as_postgres: false,
            admin: with_db(&admin, "postgres"),
            own: false,
        }),
        _ => Cluster::start(),
    });
    match got {
        Ok(c) => Some(c),
        Err(e) => unavailable(e),
    }
}

/// A server of the test's own (for restarts and TLS), or `None` outside CI.
pub fn own() -> Option<Cluster> {
    match Cluster::start() {
        Ok(c) => Some(c),
        Err(e) => {
            unavailable(&e);
            None
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.own {
            let _ = self
                .pg("pg_ctl")
                .args(["-w", "-D"])
                .arg(self.dir.join("data"))
                .args(["-m", "immediate", "stop"])
                .output();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// The case file every test imports: the demo case with an id and a ward.
pub fn case(id: &str, ward: &str, label: &str) -> spinewatch::case::Case {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../assets/demo-case.json")).unwrap();
    v["id"] = serde_json::Value::from(id);
    v["ward"] = serde_json::Value::from(ward);
    v["patient"]["label"] = serde_json::Value::from(label);
    spinewatch::case::Case::from_value(&v, chrono::NaiveDateTime::MAX).unwrap()
}

pub fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap()
}

/// Waits for `f` to hold, up to `secs` seconds (a bound, not a timing assertion).
pub fn eventually(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    f()
}
