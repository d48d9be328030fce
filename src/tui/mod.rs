//! The ward TUI. Placeholder until the TUI issue lands.

use crate::cli::Failure;
use chrono::NaiveDateTime;
use std::path::Path;

/// The TUI on the rounds list of `data_dir`.
pub fn run(_data_dir: &Path, _now: Option<NaiveDateTime>) -> Result<(), Failure> {
    Err(Failure::other(
        "the ward TUI is not built yet: use `spinewatch evaluate FILE`",
    ))
}

/// The TUI on the seed's patient, dates shifted so that `now` is POD 5.
pub fn demo(_data_dir: Option<&Path>, _now: Option<NaiveDateTime>) -> Result<(), Failure> {
    Err(Failure::other("the ward TUI is not built yet"))
}
