//! The one place a store is opened. Everything above it (the commands, the TUI, the exports)
//! gets a `Box<dyn Store>` from here and never learns which store it is.
//!
//! Which store, first found wins: `--store URL` (or `SPINEWATCH_STORE`), then `--data-dir DIR`
//! (or `SPINEWATCH_DATA_DIR`, the file store's short form), then `store` in `site.json`, then
//! the platform data directory. A store URL is a data directory path or a `file:` URL (the
//! file store) or a `postgres://` / `postgresql://` URL (the ward server). Choice where the
//! spec is silent: a data directory named on the command line or in the environment beats the
//! site's `store`, as a command line beats a configuration file everywhere else.

use super::pg::target::is_server_url;
use super::{FileStore, PgStore, Store, StoreError, data_dir};
use crate::failure::Failure;
use crate::site::SiteConfig;
use std::path::{Path, PathBuf};

/// Which store a command works on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// The file store in this data directory.
    Files(PathBuf),
    /// The ward server at this URL (kept as given; shown masked).
    Server(String),
}

/// What the command line said about the store.
#[derive(Debug, Clone, Default)]
pub struct StoreArgs {
    /// `--store` / `SPINEWATCH_STORE`.
    pub store: Option<String>,
    /// `--data-dir` / `SPINEWATCH_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
}

/// A store URL or path: a `postgres://` URL, a `file:` URL, else a directory path.
pub fn parse_store_url(s: &str) -> StoreUrl {
    if is_server_url(s) {
        return StoreUrl::Server(s.to_string());
    }
    let path = s
        .strip_prefix("file://")
        .or_else(|| s.strip_prefix("file:"))
        .unwrap_or(s);
    StoreUrl::Files(PathBuf::from(path))
}

impl StoreArgs {
    /// The store these arguments and the site's configuration name.
    pub fn resolve(&self, site: &SiteConfig) -> StoreUrl {
        if let Some(s) = self.store.as_deref().filter(|s| !s.is_empty()) {
            return parse_store_url(s);
        }
        if let Some(dir) = &self.data_dir {
            return StoreUrl::Files(dir.clone());
        }
        if let Some(s) = site.store.as_deref().filter(|s| !s.is_empty()) {
            return parse_store_url(s);
        }
        StoreUrl::Files(data_dir(None))
    }

    /// The local data directory: the file store's, or for the ward server `--data-dir`, else
    /// the platform's (the FHIR export of a case file reads the installation's namespace
    /// there).
    pub fn local_dir(&self, site: &SiteConfig) -> PathBuf {
        match self.resolve(site) {
            StoreUrl::Files(dir) => dir,
            StoreUrl::Server(_) => data_dir(self.data_dir.as_deref()),
        }
    }

    /// Where the TUI writes exports: `exports/` of the file store's directory; for the ward
    /// server, of the local data directory (`--data-dir`, else the platform's).
    pub fn export_dir(&self, url: &StoreUrl) -> PathBuf {
        match url {
            StoreUrl::Files(dir) => dir.join("exports"),
            StoreUrl::Server(_) => data_dir(self.data_dir.as_deref()).join("exports"),
        }
    }
}

/// An opened store and where its exports go.
pub struct Opened {
    pub store: Box<dyn Store>,
    pub export_dir: PathBuf,
}

/// Opens the store named by the command line, the environment or `site.json`. An unreachable
/// server exits 1 naming the host (password masked); a bad URL exits 2.
pub fn open(args: &StoreArgs) -> Result<Opened, Failure> {
    let site = SiteConfig::load()?;
    let url = args.resolve(&site);
    let export_dir = args.export_dir(&url);
    let store = match &url {
        StoreUrl::Server(u) => {
            let mut server = open_server(u)?;
            server.set_default_ward(site.ward.clone());
            Box::new(server) as Box<dyn Store>
        }
        files => open_url(files)?,
    };
    Ok(Opened { store, export_dir })
}

/// Opens the store for reading one case (`export ID`): a data directory that does not exist
/// holds no case and is not created.
pub fn open_existing(args: &StoreArgs, id: &str) -> Result<Box<dyn Store>, Failure> {
    let site = SiteConfig::load()?;
    let url = args.resolve(&site);
    if let StoreUrl::Files(dir) = &url
        && !dir.is_dir()
    {
        return Err(Failure::input(format!(
            "case {id}: not found in {}",
            dir.display()
        )));
    }
    open_url(&url)
}

/// Opens one store by its URL.
pub fn open_url(url: &StoreUrl) -> Result<Box<dyn Store>, Failure> {
    match url {
        StoreUrl::Files(dir) => open_files(dir).map(|s| Box::new(s) as Box<dyn Store>),
        StoreUrl::Server(u) => open_server(u).map(|s| Box::new(s) as Box<dyn Store>),
    }
}

/// The file store of a directory (created 0700 when missing).
pub fn open_files(dir: &Path) -> Result<FileStore, Failure> {
    let mut store =
        FileStore::open(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
    store.set_zone(crate::site::site_zone()?);
    Ok(store)
}

/// The ward server of a URL.
pub fn open_server(url: &str) -> Result<PgStore, Failure> {
    let mut store = PgStore::connect(url).map_err(|e| match e {
        StoreError::Refused(m) => Failure::input(m),
        other => Failure::other(other.to_string()),
    })?;
    store.set_zone(crate::site::site_zone()?);
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls_pick_the_store() {
        assert_eq!(
            parse_store_url("postgresql://ana@db/ward"),
            StoreUrl::Server("postgresql://ana@db/ward".into())
        );
        assert_eq!(
            parse_store_url("file:///srv/cases"),
            StoreUrl::Files("/srv/cases".into())
        );
        assert_eq!(
            parse_store_url("file:cases"),
            StoreUrl::Files("cases".into())
        );
        assert_eq!(
            parse_store_url("/srv/cases"),
            StoreUrl::Files("/srv/cases".into())
        );
    }

    #[test]
    fn the_command_line_beats_the_site_file() {
        let site = SiteConfig {
            store: Some("postgres://db/ward".into()),
            ..SiteConfig::default()
        };
        let none = StoreArgs::default();
        assert_eq!(
            none.resolve(&site),
            StoreUrl::Server("postgres://db/ward".into())
        );
        let dir = StoreArgs {
            data_dir: Some("/tmp/x".into()),
            ..StoreArgs::default()
        };
        assert_eq!(dir.resolve(&site), StoreUrl::Files("/tmp/x".into()));
        let both = StoreArgs {
            store: Some("file:/tmp/y".into()),
            data_dir: Some("/tmp/x".into()),
        };
        assert_eq!(both.resolve(&site), StoreUrl::Files("/tmp/y".into()));
    }
}
