//! Where the ward server is: a libpq-style URL (`postgres://USER:PASSWORD@HOST:PORT/DB?…`,
//! `postgresql://` too, a Unix socket as `postgres:///DB?host=/var/run/postgresql`) turned
//! into a connection configuration and a TLS connector.
//!
//! `sslmode` (`disable`, `prefer` — the default, as libpq's —, `require`, `verify-ca`,
//! `verify-full`) and `sslrootcert` are read here (the driver knows only the first three).
//! Passwords come from the URL, `PGPASSWORD` or `~/.pgpass` (libpq's rules) and are never
//! shown: [`mask`] is what every message prints.

use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use postgres::config::{Host, SslMode};
use postgres_openssl::MakeTlsConnector;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How much the server's certificate is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl Tls {
    fn parse(s: &str) -> Result<Tls, String> {
        Ok(match s {
            "disable" => Tls::Disable,
            "allow" | "prefer" => Tls::Prefer,
            "require" => Tls::Require,
            "verify-ca" => Tls::VerifyCa,
            "verify-full" => Tls::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode {other:?} is not disable, prefer, require, verify-ca or verify-full"
                ));
            }
        })
    }
}

/// A parsed store URL, ready to connect (again and again: reconnecting uses the same).
#[derive(Clone)]
pub struct Target {
    pub config: postgres::Config,
    pub tls: Tls,
    root_cert: Option<PathBuf>,
    /// The URL as shown in messages: the password masked.
    pub shown: String,
    /// `HOST:PORT` (or the socket directory) for "cannot reach …".
    pub host: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// Whether a store string names the ward server.
pub fn is_server_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The URL with any password replaced by `****` (in the user-info part and in a `password=`
/// parameter).
pub fn mask(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                out.replace_range(start..rest_start + at, "****");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let masked: Vec<String> = query
            .split('&')
            .map(|kv| {
                if kv.to_ascii_lowercase().starts_with("password=") {
                    "password=****".to_string()
                } else {
                    kv.to_string()
                }
            })
            .collect();
        out = format!("{head}{}", masked.join("&"));
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The operating-system account and the machine, for `application_name`.
pub fn os_user_at_host() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into());
    format!("{}@{host}", crate::store::dirs::user_name())
}

impl Target {
    /// Parses `url`; the message of an error shows the URL masked.
    pub fn parse(url: &str) -> Result<Target, String> {
        let shown = mask(url);
        let bad = |m: String| format!("{shown}: {m}");
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, q),
            None => (url, ""),
        };
        let mut tls = Tls::Prefer;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            match k {
                "sslmode" => tls = Tls::parse(&percent_decode(v)).map_err(bad)?,
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(v))),
                _ => kept.push(kv),
            }
        }
        let rebuilt = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config: postgres::Config = rebuilt
            .parse()
            .map_err(|e: postgres::Error| bad(e.to_string()))?;
        if config.get_hosts().is_empty() {
            let host = std::env::var("PGHOST").unwrap_or_else(|_| "/var/run/postgresql".into());
            if host.starts_with('/') {
                config.host_path(&host);
            } else {
                config.host(&host);
            }
        }
        if config.get_ports().is_empty() {
            let port = std::env::var("PGPORT")
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(5432);
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER").unwrap_or_else(|_| crate::store::dirs::user_name());
            config.user(&user);
        }
        if config.get_dbname().is_none() {
            if let Ok(db) = std::env::var("PGDATABASE") {
                config.dbname(&db);
            } else {
                let user = config.get_user().unwrap_or_default().to_string();
                config.dbname(&user);
            }
        }
        let host = match (config.get_hosts().first(), config.get_ports().first()) {
            (Some(Host::Tcp(h)), Some(p)) => format!("{h}:{p}"),
            #[cfg(unix)]
            (Some(Host::Unix(path)), Some(p)) => format!("{}/.s.PGSQL.{p}", path.display()),
            (Some(Host::Tcp(h)), None) => h.clone(),
            _ => "the ward server".into(),
        };
        if config.get_password().is_none() {
            if let Ok(p) = std::env::var("PGPASSWORD") {
                config.password(p);
            } else if let Some(p) = pgpass(&config) {
                config.password(p);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        config.keepalives_idle(Duration::from_secs(30));
        config.application_name(&format!("spinewatch {}", os_user_at_host()));
        config.ssl_mode(match tls {
            Tls::Disable => SslMode::Disable,
            Tls::Prefer => SslMode::Prefer,
            _ => SslMode::Require,
        });
        if matches!(tls, Tls::VerifyCa | Tls::VerifyFull) && root_cert.is_none() {
            let default = home().map(|h| h.join(".postgresql/root.crt"));
            match default.filter(|p| p.is_file()) {
                Some(p) => root_cert = Some(p),
                None => {
                    return Err(bad(
                        "sslmode verify-ca/verify-full needs sslrootcert=FILE (the CA that signed the server's certificate)".into(),
                    ));
                }
            }
        }
        Ok(Target {
            config,
            tls,
            root_cert,
            shown,
            host,
        })
    }

    /// The TLS connector for this target's `sslmode`.
    pub fn connector(&self) -> Result<MakeTlsConnector, String> {
        let fail = |e: openssl::error::ErrorStack| format!("{}: TLS setup: {e}", self.shown);
        let mut builder = SslConnector::builder(SslMethod::tls()).map_err(fail)?;
        match self.tls {
            Tls::VerifyCa | Tls::VerifyFull => {
                let root = self.root_cert.as_deref().unwrap_or(Path::new(""));
                builder
                    .set_ca_file(root)
                    .map_err(|e| format!("{}: sslrootcert {}: {e}", self.shown, root.display()))?;
                builder.set_verify(SslVerifyMode::PEER);
            }
            _ => builder.set_verify(SslVerifyMode::NONE),
        }
        let mut connector = MakeTlsConnector::new(builder.build());
        if self.tls != Tls::VerifyFull {
            connector.set_callback(|config, _| {
                config.set_verify_hostname(false);
                Ok(())
            });
        }
        Ok(connector)
    }

    /// Connects once; the error names the host, the password masked.
    pub fn connect(&self) -> Result<postgres::Client, String> {
        let connector = self.connector()?;
        self.config.connect(connector).map_err(|e| {
            let detail = mask_text(&e.to_string(), self.config.get_password());
            let source = std::error::Error::source(&e)
                .map(|s| {
                    format!(
                        ": {}",
                        mask_text(&s.to_string(), self.config.get_password())
                    )
                })
                .unwrap_or_default();
            format!(
                "cannot reach the ward server at {} ({}): {detail}{source}",
                self.host, self.shown
            )
        })
    }
}

/// Removes a password from a driver message, should it ever appear there.
fn mask_text(text: &str, password: Option<&[u8]>) -> String {
    match password.map(String::from_utf8_lossy) {
        Some(p) if !p.is_empty() => text.replace(p.as_ref(), "****"),
        _ => text.to_string(),
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// The password of `~/.pgpass` (or `PGPASSFILE`) for this host, port, database and user;
/// ignored, as by libpq, unless the file is private (0600 or stricter).
fn pgpass(config: &postgres::Config) -> Option<Vec<u8>> {
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first()? {
        Host::Tcp(h) => h.clone(),
        #[cfg(unix)]
        Host::Unix(_) => "localhost".into(),
    };
    let port = config.get_ports().first()?.to_string();
    let db = config.get_dbname()?.to_string();
    let user = config.get_user()?.to_string();
    let wanted = [host, port, db, user];
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|line| {
            let fields = split_pgpass(line);
            if fields.len() != 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(&wanted)
                .all(|(f, w)| f == "*" || f == w);
            matches.then(|| fields[4].clone().into_bytes())
        })
}

/// One `.pgpass` line into its fields (`:` separates, `\` escapes).
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().expect("never empty").push(n);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("never empty").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_is_masked_wherever_it_is_written() {
        assert_eq!(
            mask("postgres://ana:s3cret@db.example:5432/ward?sslmode=verify-full"),
            "postgres://ana:****@db.example:5432/ward?sslmode=verify-full"
        );
        assert_eq!(
            mask("postgresql://db/ward?user=ana&password=s3cret"),
            "postgresql://db/ward?user=ana&password=****"
        );
        assert_eq!(mask("postgres://ana@db/ward"), "postgres://ana@db/ward");
    }

    #[test]
    fn sslmode_and_sslrootcert_are_read_and_a_bad_mode_named() {
        let t = Target::parse("postgres://ana:pw@db.example:6543/ward?sslmode=require").unwrap();
        assert_eq!(t.tls, Tls::Require);
        assert_eq!(t.host, "db.example:6543");
        let e = Target::parse("postgres://ana:pw@db/ward?sslmode=maybe").unwrap_err();
        assert!(e.contains("\"maybe\"") && !e.contains("pw@"), "{e}");
        let e = Target::parse(
            "postgres://ana:pw@db/ward?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt",
        );
        assert!(e.is_ok(), "the file is read when connecting");
        let t = Target::parse("postgres:///ward?host=/tmp/sock&user=ana").unwrap();
        assert!(t.host.starts_with("/tmp/sock/.s.PGSQL."), "{}", t.host);
    }

    #[test]
    fn pgpass_fields_unescape() {
        assert_eq!(
            split_pgpass(r"db:5432:*:ana:pa\:ss"),
            vec!["db", "5432", "*", "ana", "pa:ss"]
        );
    }
}
