//! The commands' faces: what `rounds`, `import`, `audit` and `export` do, called by `cli.rs`
//! after it has parsed the arguments. Nothing below this layer knows the command line.

pub mod cases;
pub mod export;
pub mod server;
pub mod set;

pub use export::{ExportRequest, export};

/// `--format` of `evaluate`, `rounds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Text,
}

/// `--format` of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Markdown,
    Text,
    Fhir,
}
