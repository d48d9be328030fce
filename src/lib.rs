//! spinewatch: a ward assistant after spinal stabilization for a destructive spinal mass.
//!
//! The clinical core (`case`, `protocol`) is pure: no clock, no I/O, no terminal.

pub mod case;
pub mod chart;
pub mod cli;
pub mod commands;
pub mod entry;
pub mod export;
pub mod failure;
pub mod history;
pub mod output;
pub mod protocol;
pub mod site;
pub mod store;
pub mod tui;
