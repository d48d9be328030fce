//! Field types of the intake form: they live in [`crate::entry`], shared with `spinewatch
//! set`, so that a script records values through exactly the TUI's parsing.

pub use crate::entry::{Kind, get, parse_day, parse_moment, set};
