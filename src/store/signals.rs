//! SIGTERM and SIGHUP (a closed terminal, a dropped ssh session) ask a running instance to
//! save and exit cleanly. The handler only sets a flag; the TUI loop polls it between events,
//! saves, restores the terminal and returns. SIGKILL cannot be caught: the periodic autosave
//! covers it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a termination signal arrived; poll with [`Shutdown::requested`].
#[derive(Debug, Clone, Default)]
pub struct Shutdown(Arc<AtomicBool>);

impl Shutdown {
    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
    /// The underlying flag, for loops that already poll an `AtomicBool`.
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.0)
    }
    /// Asks for shutdown from inside the program (tests, a quit path sharing the save code).
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Installs the handlers: SIGTERM and SIGHUP on Unix (SIGINT is left alone: in raw mode
/// Ctrl-C arrives as a key), SIGTERM on Windows. An error means the OS refused a handler;
/// the program still runs, covered by autosave.
pub fn try_install() -> std::io::Result<Shutdown> {
    let shutdown = Shutdown::default();
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, shutdown.flag())?;
    }
    #[cfg(not(unix))]
    signal_hook::flag::register(signal_hook::consts::SIGTERM, shutdown.flag())?;
    Ok(shutdown)
}

/// [`try_install`], falling back to a flag that is only set by [`Shutdown::request`].
pub fn install() -> Shutdown {
    try_install().unwrap_or_default()
}
