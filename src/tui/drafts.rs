//! What the TUI keeps when it cannot save: a failed save keeps the entry on screen and says
//! so; leaving then asks. Values being typed when the terminal goes away are kept as drafts
//! under the case's `ui` key (never as clinical values) and offered back at the next opening.

use super::app::App;
use crate::store::StoreError;

/// A save failed: the entry stays on the screen, the reason is said, and leaving asks.
pub fn save_failed(app: &mut App, e: &StoreError) {
    let what = match e {
        StoreError::Conflict { .. } => "NOT SAVED (changed elsewhere)",
        _ => "NOT SAVED",
    };
    app.status = Some((
        format!("{what}: {e} — your entry is kept; Ctrl-S retries"),
        true,
    ));
}
