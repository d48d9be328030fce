//! The command line: argument parsing and dispatch. The only place the real clock is read.

use crate::case::file::read_case_file;
use crate::case::{parse_date, parse_time};
use crate::export::BundleType;
use crate::failure::Failure;
use crate::protocol::evaluate;
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

    /// Evaluate at this moment instead of now: YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time).
    #[arg(long, global = true, value_name = "WHEN", value_parser = parse_now)]
    pub now: Option<NaiveDateTime>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate one case file and print the plan, pitfalls, clocks and scores.
    Evaluate {
        /// The case file (spinewatch.case/1 JSON).
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the rounds list: active cases, most urgent first.
    Rounds {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Include archived cases.
        #[arg(long)]
        archived: bool,
    },
    /// Validate a case file and add it to the data directory (never overwrites).
    Import { file: PathBuf },
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
}

pub use crate::commands::{ExportFormat, Format};

/// `--now`: a date (midnight, local) or a local time.
pub fn parse_now(s: &str) -> Result<NaiveDateTime, String> {
    parse_time(s)
        .or_else(|| parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)))
        .ok_or_else(|| format!("{s:?} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM"))
}

pub fn run(cli: Cli) -> Result<(), Failure> {
    // The ward works in minutes: seconds would only make outputs differ between two runs.
    let now = cli
        .now
        .unwrap_or_else(|| chrono::Local::now().naive_local())
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .expect("zero seconds is a valid time");
    match cli.command {
        Some(Command::Evaluate { file, format }) => {
            let protocol = load_protocol()?;
            let case = read_case_file(&file, now)?;
            let eval = evaluate(&case, &protocol, now);
            let out = match format {
                Format::Json => {
                    serde_json::to_string_pretty(&eval).expect("an evaluation always serialises")
                }
                Format::Text => crate::chart::evaluation_text(&case, &eval, &protocol),
            };
            println!("{out}");
            Ok(())
        }
        Some(Command::Rounds { format, archived }) => {
            crate::commands::cases::rounds(cli.data_dir.as_deref(), now, format, archived)
        }
        Some(Command::Import { file }) => {
            crate::commands::cases::import(cli.data_dir.as_deref(), &file, now)
        }
        Some(Command::Audit { id, verify }) => {
            crate::commands::cases::audit(cli.data_dir.as_deref(), &id, verify)
        }
        Some(Command::Export {
            target,
            format,
            bundle,
            out,
        }) => {
            let protocol = load_protocol()?;
            let site = crate::site::SiteConfig::load()?;
            let request = crate::commands::ExportRequest {
                format,
                bundle,
                zone: crate::commands::export::site_zone(&site)?,
                site: &site,
                record: cli.now.is_none(),
            };
            let text = crate::commands::export(
                &target,
                &request,
                cli.data_dir.as_deref(),
                &protocol,
                now,
            )?;
            match out {
                Some(path) => crate::export::out::write_out(&path, &text),
                // A closed pipe (`| head`) is not worth a panic.
                None => std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())
                    .map_err(|e| Failure::other(format!("cannot write the export: {e}"))),
            }
        }
        Some(Command::Demo) => crate::tui::demo(cli.data_dir.as_deref(), cli.now),
        None => crate::tui::run(&crate::store::data_dir(cli.data_dir.as_deref()), cli.now),
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("spinewatch: {}", f.message.replace('\n', "\nspinewatch: "));
            ExitCode::from(f.code)
        }
    }
}
