//! The listening connection: its own session on the ward server, `LISTEN spinewatch`, on its
//! own thread. Every commit's `NOTIFY` (ward, case id, version) arrives here and is handed to
//! the store's [`super::PgStore`] through a channel the TUI loop polls. When the server goes
//! away the thread says so and reconnects with backoff (at most 2 s between tries, so a
//! server that is back is seen within a few seconds).

use super::target::Target;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// The channel every commit notifies.
pub const CHANNEL: &str = "spinewatch";

/// What the listener saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// A commit: the case and its new version.
    Changed { id: String, version: i64 },
    /// The connection to the server is gone; retrying.
    Lost(String),
    /// Connected again (notifications may have been missed meanwhile).
    Back,
}

pub struct Listener {
    pub events: Receiver<Heard>,
    stop: Arc<AtomicBool>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts listening and waits (up to 3 s) until the listening connection is up, so nothing
/// committed after the caller's first read is missed; a failure is reported as
/// [`Heard::Lost`] and retried on the thread.
pub fn start(target: Target) -> Listener {
    let (tx, rx) = mpsc::channel();
    let (ready_tx, ready) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let _ = std::thread::Builder::new()
        .name("ward-server-listen".into())
        .spawn(move || run(target, tx, flag, ready_tx));
    let _ = ready.recv_timeout(Duration::from_secs(3));
    Listener { events: rx, stop }
}

fn run(target: Target, tx: Sender<Heard>, stop: Arc<AtomicBool>, ready: Sender<()>) {
    let mut backoff = Duration::from_millis(100);
    let mut first = true;
    let mut lost = false;
    while !stop.load(Ordering::Relaxed) {
        let mut client = match target.connect().and_then(|mut c| {
            c.batch_execute("LISTEN spinewatch")
                .map(|()| c)
                .map_err(|e| e.to_string())
        }) {
            Ok(c) => c,
            Err(e) => {
                if !lost && tx.send(Heard::Lost(e)).is_err() {
                    return;
                }
                lost = true;
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(Duration::from_secs(2));
                continue;
            }
        };
        backoff = Duration::from_millis(100);
        let _ = ready.send(());
        if (lost || !first) && tx.send(Heard::Back).is_err() {
            return;
        }
        first = false;
        loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let broken = {
                let mut notes = client.notifications();
                let mut iter = notes.timeout_iter(Duration::from_millis(250));
                let mut broken = None;
                loop {
                    match postgres::fallible_iterator::FallibleIterator::next(&mut iter) {
                        Ok(Some(n)) => {
                            if let Some(heard) = parse(n.payload())
                                && tx.send(heard).is_err()
                            {
                                return;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            broken = Some(e.to_string());
                            break;
                        }
                    }
                }
                broken
            };
            let broken = broken.or_else(|| {
                client
                    .is_closed()
                    .then(|| "the connection closed".to_string())
            });
            if let Some(e) = broken {
                if tx.send(Heard::Lost(e)).is_err() {
                    return;
                }
                lost = true;
                break;
            }
        }
    }
}

fn parse(payload: &str) -> Option<Heard> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    Some(Heard::Changed {
        id: v.get("id")?.as_str()?.to_string(),
        version: v.get("version")?.as_i64()?,
    })
}
