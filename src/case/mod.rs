//! The case: model, decoding with field paths, validation.

pub mod decode;
pub mod deterioration;
pub mod file;
pub mod json;
pub mod level;
pub mod migrate;
pub mod model;
pub mod uid;
pub mod validate;
pub mod zone;

pub use decode::{FieldError, format_date, format_time, parse_date, parse_time};
pub use level::{Level, Segment, Span};
pub use model::*;
pub use validate::{CaseError, fmt_num};
