//! SIGTERM, SIGHUP (a closed terminal, a dropped ssh session), SIGINT and SIGQUIT ask a
//! running instance to leave cleanly. The handler only sets a flag; the TUI loop polls it
//! between events, keeps what is being typed as a draft, saves where the case was left,
//! restores the terminal and returns. SIGKILL cannot be caught: every committed value is
//! already saved (with its audit entry) the moment it is committed.
//!
//! Catching SIGHUP replaces its default action (terminate). So that an instance whose terminal
//! is gone can never linger — spinning on a hung-up tty and keeping its cases locked for
//! everyone — a watchdog ends the process [`GRACE`] after a signal if it has not exited by
//! itself. A save takes milliseconds; the grace is generous.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Time a signalled process has to save and exit before the watchdog ends it (the promise is
/// 5 seconds; a save takes milliseconds).
pub const GRACE: Duration = Duration::from_secs(4);
/// Exit code when the watchdog had to end the process ("other failure").
pub const WATCHDOG_EXIT: i32 = 1;

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
    /// This does not start the watchdog: only a signal does.
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Installs the handlers: SIGTERM, SIGHUP, SIGINT and SIGQUIT on Unix (in raw mode Ctrl-C
/// arrives as a key; these come from `kill` or while the terminal is cooked), SIGTERM on
/// Windows; and the watchdog with [`GRACE`]. An error means the OS refused a handler; the
/// program still runs (committed values are saved as they are committed).
pub fn try_install() -> std::io::Result<Shutdown> {
    try_install_with_grace(GRACE)
}

/// [`try_install`] with another grace period (tests).
pub fn try_install_with_grace(grace: Duration) -> std::io::Result<Shutdown> {
    let shutdown = Shutdown::default();
    // A second flag only signals set, so `request()` never arms the watchdog.
    let signalled = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    let signals = [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGQUIT,
    ];
    #[cfg(not(unix))]
    let signals = [signal_hook::consts::SIGTERM];
    for signal in signals {
        signal_hook::flag::register(signal, shutdown.flag())?;
        signal_hook::flag::register(signal, Arc::clone(&signalled))?;
    }
    std::thread::Builder::new()
        .name("shutdown-watchdog".into())
        .spawn(move || {
            while !signalled.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
            }
            std::thread::sleep(grace);
            // Still here: the loop did not get to exit. The OS releases the locks.
            std::process::exit(WATCHDOG_EXIT);
        })?;
    Ok(shutdown)
}

/// [`try_install`], falling back to a flag that is only set by [`Shutdown::request`].
pub fn install() -> Shutdown {
    try_install().unwrap_or_default()
}

/// Job control for the TUI: flags set by SIGTSTP (suspend asked from outside: restore the
/// terminal, then stop) and SIGCONT (continued: re-enter and redraw).
#[derive(Debug, Clone, Default)]
pub struct JobControl {
    pub suspend: Arc<AtomicBool>,
    pub resumed: Arc<AtomicBool>,
}

impl JobControl {
    /// Installs the SIGTSTP/SIGCONT flags (Unix); without them the flags stay unset.
    pub fn install() -> JobControl {
        let jobs = JobControl::default();
        #[cfg(unix)]
        {
            let _ = signal_hook::flag::register(
                signal_hook::consts::SIGTSTP,
                Arc::clone(&jobs.suspend),
            );
            let _ = signal_hook::flag::register(
                signal_hook::consts::SIGCONT,
                Arc::clone(&jobs.resumed),
            );
        }
        jobs
    }

    /// Stops the process as SIGTSTP's default action would; returns once continued.
    pub fn stop_self() {
        #[cfg(unix)]
        {
            let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP);
        }
    }
}

/// Core dumps would write patient data to disk: disabled for the whole process at start
/// (`RLIMIT_CORE` 0, and on Linux not dumpable, which also keeps other processes of the same
/// user from attaching to read its memory). Failures are ignored: nothing depends on it.
pub fn disable_core_dumps() {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: plain system calls with a valid argument.
        unsafe {
            libc::setrlimit(libc::RLIMIT_CORE, &zero);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        unsafe {
            libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
    }
}
