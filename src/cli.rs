//! The command line: argument parsing and dispatch. The only place the real clock is read.

use crate::case::parse_date;
use crate::export::BundleType;
use crate::failure::Failure;
use crate::site::load_protocol;
use chrono::{NaiveDateTime, Timelike};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "spinewatch",
    version,
    about = "Ward assistant after spinal stabilization for a destructive spinal mass (decision support — verify against local protocol)"
)]
pub struct Cli {
    /// Data directory holding the cases (default: the platform data directory).
    #[arg(long, global = true, env = "SPINEWATCH_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The store: a data directory, a file: URL, or the ward server's postgres:// URL
    /// (default: site.json's `store`, else the data directory).
    #[arg(long, global = true, env = "SPINEWATCH_STORE", value_name = "URL")]
    pub store: Option<String>,

    /// Evaluate at this moment instead of now: YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time).
    #[arg(long, global = true, value_name = "WHEN", value_parser = parse_now)]
    pub now: Option<NaiveDateTime>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate a case (a file, or an id in the data directory) and print the plan,
    /// pitfalls, clocks and scores.
    Evaluate {
        /// A case file (spinewatch.case JSON), or a case id in the data directory.
        #[arg(value_name = "FILE|ID")]
        target: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The case as it stood at this time (rebuilt from its audit trail; a case id only),
        /// evaluated at that time: YYYY-MM-DD or YYYY-MM-DDTHH:MM.
        #[arg(long, value_name = "TIME", value_parser = parse_now)]
        as_of: Option<NaiveDateTime>,
    },
    /// Print the rounds list: active cases, most urgent first.
    Rounds {
        #[arg(long, value_enum, default_value_t = RoundsFormat::Text)]
        format: RoundsFormat,
        /// Also show what changed since this time (rules that appeared or cleared, edits):
        /// YYYY-MM-DD or YYYY-MM-DDTHH:MM.
        #[arg(long, value_name = "TIME", value_parser = parse_now)]
        since: Option<NaiveDateTime>,
        /// Include archived cases.
        #[arg(long)]
        archived: bool,
    },
    /// Validate a case file and add it to the store (never overwrites).
    Import {
        file: PathBuf,
        /// The ward of the new case (default: site.json's `ward`, else the ward the file
        /// names, else your only ward).
        #[arg(long, value_name = "NAME")]
        ward: Option<String>,
    },
    /// Print a case's audit trail; --verify checks its hash chain.
    Audit {
        id: String,
        #[arg(long)]
        verify: bool,
    },
    /// Export a case (by id or file): handover note or HL7 FHIR R4 Bundle.
    Export {
        /// A case id in the data directory, or a case file.
        target: String,
        #[arg(long, value_enum, default_value_t = ExportFormat::Markdown)]
        format: ExportFormat,
        /// FHIR only: how the resources travel (a transaction of conditional updates, the
        /// same as a batch, or a collection document for archiving).
        #[arg(long, value_enum, default_value_t = BundleType::Transaction)]
        bundle: BundleType,
        /// Write the export to FILE (0600, atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Open the TUI on the seed's patient (dates shifted so that now is POD 5).
    Demo,
    /// Record values from a script, exactly as the TUI would (one audited save for all).
    Set {
        /// The case id.
        id: String,
        /// PATH=VALUE, e.g. wound.status=healing, radiotherapy.start=today,
        /// neuro_exams[+]='{"at":"08:30","frankel":"d"}'.
        #[arg(required = true, value_name = "PATH=VALUE",
              value_parser = crate::commands::set::parse_assignment)]
        assignments: Vec<crate::commands::set::Assignment>,
        /// Write nothing (exit 3) when the case is no longer this version.
        #[arg(long, value_name = "N")]
        expect_version: Option<u64>,
    },
    /// The ward server: set up, wards, grants, copy a file store in.
    #[command(subcommand)]
    Server(Server),
}

#[derive(Debug, Subcommand)]
pub enum Server {
    /// Create or upgrade schema `spinewatch` (running it again changes nothing).
    Init,
    /// Print the schema version, the wards and the connected instances.
    Status,
    /// Add a ward and its role.
    AddWard { name: String },
    /// Let a database role work on a ward's cases, or read every ward (--all-wards).
    Grant {
        role: String,
        #[arg(required_unless_present = "all_wards", conflicts_with = "all_wards")]
        ward: Option<String>,
        #[arg(long)]
        all_wards: bool,
    },
    /// Copy a file store in, every trail verified and kept.
    MigrateFrom {
        dir: PathBuf,
        #[arg(long, value_name = "NAME")]
        ward: String,
        /// Copy cases whose trail does not verify too, each with an entry saying so.
        #[arg(long)]
        accept_broken: bool,
    },
}

pub use crate::commands::cases::RoundsFormat;
pub use crate::commands::{ExportFormat, Format};

/// `--now`: a date (midnight, local) or a local time of the site zone; a time with an offset
/// is converted into the site zone.
pub fn parse_now(s: &str) -> Result<NaiveDateTime, String> {
    parse_now_in(s, now_zone())
}

/// [`parse_now`] in `zone`.
pub fn parse_now_in(s: &str, zone: chrono_tz::Tz) -> Result<NaiveDateTime, String> {
    use crate::case::zone::{TimeError, parse_time_in};
    match parse_time_in(s, zone) {
        Ok(t) => Ok(t),
        Err(TimeError::Gap(_)) => Err(format!("{s:?} {}", TimeError::Gap(zone).reason())),
        Err(TimeError::Format) => parse_date(s)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| format!("{s:?} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM")),
    }
}

/// The zone of `--now` and of the clock: the site's; a broken `site.json` is reported by
/// the command that reads it, so here it falls back to the machine's zone.
fn now_zone() -> chrono_tz::Tz {
    crate::site::site_zone().unwrap_or_else(|_| crate::site::machine_zone())
}

/// The time to the minute.
fn minute(t: NaiveDateTime) -> NaiveDateTime {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("zero seconds is a valid time")
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    // The ward works in minutes: seconds would only make outputs differ between two runs.
    let now = minute(
        cli.now
            .unwrap_or_else(|| chrono::Utc::now().with_timezone(&now_zone()).naive_local()),
    );
    let store_args = crate::store::open::StoreArgs {
        store: cli.store.clone(),
        data_dir: cli.data_dir.clone(),
    };
    let open = || crate::store::open::open(&store_args);
    match cli.command {
        Some(Command::Evaluate {
            target,
            format,
            as_of,
        }) => {
            let existing = || crate::store::open::open_existing(&store_args, &target);
            crate::commands::cases::evaluate(&existing, &target, format, now, as_of.map(minute))
        }
        Some(Command::Rounds {
            format,
            since,
            archived,
        }) => crate::commands::cases::rounds(
            &*open()?.store,
            now,
            format,
            since.map(minute),
            archived,
        ),
        Some(Command::Import { file, ward }) => {
            let site = crate::site::SiteConfig::load()?;
            crate::commands::cases::import(
                &mut *open()?.store,
                &file,
                ward.as_deref(),
                site.ward.as_deref(),
                now,
            )
        }
        Some(Command::Audit { id, verify }) => {
            crate::commands::cases::audit(&*open()?.store, &id, verify)
        }
        Some(Command::Export {
            target,
            format,
            bundle,
            out,
        }) => {
            let protocol = load_protocol()?;
            let site = crate::site::SiteConfig::load()?;
            let existing = || crate::store::open::open_existing(&store_args, &target);
            let request = crate::commands::ExportRequest {
                format,
                bundle,
                site: &site,
                record: cli.now.is_none(),
            };
            crate::commands::export(
                &target,
                &request,
                &existing,
                &store_args.local_dir(&site),
                &protocol,
                now,
                |text| match (&out, format) {
                    // A JSON file holds the characters as they are (a valid JSON string);
                    // text and Markdown are escaped as on the terminal: they are read with cat.
                    (Some(path), ExportFormat::Fhir) => crate::export::out::write_out(path, text),
                    (Some(path), _) => {
                        crate::export::out::write_out(path, &crate::output::escape(text))
                    }
                    (None, ExportFormat::Fhir) => {
                        crate::output::print_json(text);
                        Ok(())
                    }
                    (None, ExportFormat::Markdown | ExportFormat::Text) => {
                        crate::output::print_text(text);
                        Ok(())
                    }
                },
            )
        }
        Some(Command::Server(command)) => {
            use crate::commands::server::ServerCommand as S;
            let command = match command {
                Server::Init => S::Init,
                Server::Status => S::Status,
                Server::AddWard { name } => S::AddWard(name),
                Server::Grant { role, ward, .. } => S::Grant(role, ward),
                Server::MigrateFrom {
                    dir,
                    ward,
                    accept_broken,
                } => S::MigrateFrom {
                    dir,
                    ward,
                    accept_broken,
                },
            };
            crate::commands::server::run(&store_args, command, now)
        }
        Some(Command::Demo) => crate::tui::demo(cli.data_dir.as_deref(), cli.now),
        Some(Command::Set {
            id,
            assignments,
            expect_version,
        }) => {
            if cli.now.is_some() {
                return Err(Failure::input(
                    "set records what happens now; --now is for what-if views, which write \
                     nothing",
                ));
            }
            crate::commands::set::set(&mut *open()?.store, &id, &assignments, expect_version, now)
        }
        None => crate::tui::run(open()?, cli.now),
    }
}

pub fn main() -> ExitCode {
    // Core dumps would put patient data on disk.
    crate::store::signals::disable_core_dumps();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            crate::output::eprint_text(&format!(
                "spinewatch: {}\n",
                f.message.replace('\n', "\nspinewatch: ")
            ));
            ExitCode::from(f.code)
        }
    }
}
