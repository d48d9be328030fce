//! `spinewatch server init|status|add-ward|grant|migrate-from`: the ward server's
//! administration (spec/WARD_SERVER.md), on the server `--store` names.

use crate::failure::Failure;
use crate::store::open::{StoreArgs, StoreUrl};
use crate::store::pg::target::Target;
use crate::store::pg::{admin, migrate};
use chrono::NaiveDateTime;
use std::path::Path;

/// What `server` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerCommand {
    Init,
    Status,
    AddWard(String),
    /// A role and a ward; no ward: every ward, read-only.
    Grant(String, Option<String>),
    MigrateFrom {
        dir: std::path::PathBuf,
        ward: String,
        accept_broken: bool,
    },
}

fn server_url(args: &StoreArgs) -> Result<String, Failure> {
    let site = crate::site::SiteConfig::load()?;
    match args.resolve(&site) {
        StoreUrl::Server(u) => Ok(u),
        StoreUrl::Files(dir) => Err(Failure::input(format!(
            "`spinewatch server` works on the ward server: give --store postgres://… (the store is now the data directory {})",
            dir.display()
        ))),
    }
}

/// A session for administration: connected, the schema not required to exist yet.
fn admin_session(url: &str) -> Result<postgres::Client, Failure> {
    let target = Target::parse(url).map_err(Failure::input)?;
    target.connect().map_err(Failure::other)
}

pub fn run(args: &StoreArgs, command: ServerCommand, now: NaiveDateTime) -> Result<(), Failure> {
    let url = server_url(args)?;
    match command {
        ServerCommand::Init => {
            let mut client = admin_session(&url)?;
            let applied = migrate::init(&mut client).map_err(Failure::other)?;
            match applied.from {
                Some(v) if v == applied.to => {
                    println!("schema spinewatch is at version {v}; nothing changed")
                }
                Some(v) => println!(
                    "schema spinewatch upgraded from version {v} to {}",
                    applied.to
                ),
                None => println!("schema spinewatch created at version {}", applied.to),
            }
            Ok(())
        }
        ServerCommand::Status => {
            let mut client = admin_session(&url)?;
            let text = admin::status(&mut client).map_err(Failure::other)?;
            print!("{text}");
            Ok(())
        }
        ServerCommand::AddWard(ward) => {
            let mut client = ready_session(&url)?;
            let said = admin::add_ward(&mut client, &ward).map_err(Failure::input)?;
            println!("{said}");
            Ok(())
        }
        ServerCommand::Grant(role, ward) => {
            let mut client = ready_session(&url)?;
            let said = admin::grant(&mut client, &role, ward.as_deref()).map_err(Failure::input)?;
            println!("{said}");
            Ok(())
        }
        ServerCommand::MigrateFrom {
            dir,
            ward,
            accept_broken,
        } => migrate_from(&url, &dir, &ward, accept_broken, now),
    }
}

/// A session on a database whose schema is this binary's.
fn ready_session(url: &str) -> Result<postgres::Client, Failure> {
    let mut client = admin_session(url)?;
    let version = migrate::version(&mut client)
        .map_err(|e| Failure::other(crate::store::pg::db_message(&e)))?;
    match migrate::unusable(version) {
        Some(why) => Err(Failure::input(why)),
        None => Ok(client),
    }
}

fn migrate_from(
    url: &str,
    dir: &Path,
    ward: &str,
    accept_broken: bool,
    now: NaiveDateTime,
) -> Result<(), Failure> {
    let store = crate::store::open::open_server(url)?;
    let done =
        admin::migrate_from(&store, dir, ward, accept_broken, now).map_err(Failure::other)?;
    println!(
        "copied {} {} into ward {ward:?}; {} already on the server",
        done.copied,
        if done.copied == 1 { "case" } else { "cases" },
        done.present
    );
    if done.broken.is_empty() {
        return Ok(());
    }
    for b in &done.broken {
        eprintln!("spinewatch: trail does not verify: {b}");
    }
    if accept_broken {
        println!(
            "{} with a trail that does not verify copied anyway (--accept-broken), each with an entry saying so",
            done.copied_broken
        );
        Ok(())
    } else {
        Err(Failure::input(format!(
            "{} {} not copied because {} trail does not verify (listed above); --accept-broken copies {} with an entry saying so",
            done.broken.len(),
            if done.broken.len() == 1 {
                "case was"
            } else {
                "cases were"
            },
            if done.broken.len() == 1 {
                "its"
            } else {
                "their"
            },
            if done.broken.len() == 1 { "it" } else { "them" },
        )))
    }
}
