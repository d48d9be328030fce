//! The ward TUI: state → view (pure render of `&App`) ← keys → update (returns effects).
//! One loop here performs the effects through the store and draws only on change.

pub mod app;
pub mod choice;
pub mod demo;
pub mod drafts;
pub mod exams;
pub mod fields;
pub mod form;
pub mod history;
pub mod keys;
pub mod lists;
pub mod live;
pub mod mri;
pub mod points;
pub mod popup;
pub mod review;
pub mod rounds;
pub mod screens;
pub mod spine;
pub mod theme;
pub mod update;
pub mod view;

pub use app::{App, Effect};
pub use update::{paste, update};

use crate::failure::Failure;
use crate::protocol::{Protocol, evaluate};
use crate::store::watch::{ChangeFeed, Changed};
use crate::store::{Access, Store};
use chrono::{NaiveDateTime, Timelike};
use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// The TUI on the rounds list of the store the command line opened.
pub fn run(opened: crate::store::open::Opened, now: Option<NaiveDateTime>) -> Result<(), Failure> {
    let crate::store::open::Opened {
        mut store,
        export_dir,
    } = opened;
    let protocol = crate::site::load_protocol()?;
    let _ = SITE_ZONE.set(protocol.zone);
    let mut app = App::new(
        protocol,
        now.unwrap_or_else(clock),
        theme::Theme::from_env(),
    );
    if now.is_some() {
        app.wall_clock = Some(clock);
        app.simulated = true;
    }
    let start = vec![Effect::LoadRounds];
    session(&mut app, store.as_mut(), &export_dir, now.is_none(), start)
}

/// The TUI on the seed's patient, dates shifted so that `now` is POD 5.
pub fn demo(data_dir: Option<&Path>, now: Option<NaiveDateTime>) -> Result<(), Failure> {
    let _ = SITE_ZONE.set(crate::site::site_zone()?);
    let at = now.unwrap_or_else(clock);
    let case = demo::demo_case(at);
    let temp;
    let dir: PathBuf = match data_dir {
        Some(d) => d.to_path_buf(),
        None => {
            temp = tempfile::tempdir()
                .map_err(|e| Failure::other(format!("cannot make a temporary directory: {e}")))?;
            temp.path().to_path_buf()
        }
    };
    let mut store = crate::store::open::open_files(&dir)?;
    let id = case.id.clone().unwrap_or_default();
    // A demo case already in the directory is opened as it was left, not replaced.
    if store.load(&id, at).is_err() {
        store
            .create(&case, &[], at)
            .map_err(|e| Failure::other(format!("cannot write the demo case: {e}")))?;
    }
    let protocol = crate::site::load_protocol()?;
    let mut app = App::new(protocol, at, theme::Theme::from_env());
    if now.is_some() {
        app.wall_clock = Some(clock);
        app.simulated = true;
    }
    let start = vec![Effect::LoadRounds, Effect::Open(id)];
    session(
        &mut app,
        &mut store,
        &dir.join("exports"),
        now.is_none(),
        start,
    )
}

/// The site's time zone (set once at start): the TUI's clock reads the wall clock in it, as
/// the command line does, so POD and the MRI clock agree with `spinewatch rounds`.
static SITE_ZONE: std::sync::OnceLock<chrono_tz::Tz> = std::sync::OnceLock::new();

fn clock() -> NaiveDateTime {
    let zone = SITE_ZONE
        .get()
        .copied()
        .unwrap_or_else(crate::site::machine_zone);
    let t = chrono::Utc::now().with_timezone(&zone).naive_local();
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// Runs the terminal session; the terminal is restored on every way out (panics included,
/// through ratatui's hook).
fn session(
    app: &mut App,
    store: &mut dyn Store,
    export_dir: &Path,
    live_clock: bool,
    start: Vec<Effect>,
) -> Result<(), Failure> {
    // SIGTERM/SIGHUP (ssh dropped, terminal closed) set a flag the loop polls.
    let shutdown = crate::store::signals::install();
    let jobs = crate::store::signals::JobControl::install();
    let mut terminal = ratatui::init();
    // A paste arrives as one text event, never as keys that could move or archive.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let inputs = Inputs {
        shutdown,
        jobs,
        events: spawn_event_reader(),
        changes: std::cell::RefCell::new(store.watch()),
    };
    // "Since your last rounds": the marks count from this user's previous session here.
    let review_key = store.location();
    let started = app.wall_now();
    app.review = review::last(&review_key).map(|since| review::Review {
        since,
        user: crate::store::dirs::user_name(),
    });
    let result = event_loop(
        &mut terminal,
        app,
        store,
        export_dir,
        live_clock,
        start,
        &inputs,
    );
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    if !app.simulated {
        review::record(&review_key, started);
    }
    result
}

/// What wakes the loop: the hang-up/terminate flag, job control, terminal events, and
/// changes made elsewhere to the store.
struct Inputs {
    shutdown: crate::store::signals::Shutdown,
    jobs: crate::store::signals::JobControl,
    events: Receiver<std::io::Result<Event>>,
    changes: std::cell::RefCell<Option<Box<dyn ChangeFeed>>>,
}

/// Terminal events arrive from their own thread. On a hung-up terminal crossterm can keep
/// reading end-of-file inside `poll` without returning, which would keep the loop from ever
/// seeing the hang-up signal; with the reader apart, the loop stays responsive and saves.
fn spawn_event_reader() -> Receiver<std::io::Result<Event>> {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("terminal-events".into())
        .spawn(move || {
            loop {
                let event = event::read();
                let failed = event.is_err();
                if tx.send(event).is_err() || failed {
                    break;
                }
            }
        });
    if let Err(e) = spawned {
        // Without a reader the loop sees a disconnected channel and leaves cleanly.
        let _ = e;
    }
    rx
}

/// Whether the terminal is gone without a signal saying so: the tty reports a hang-up or an
/// error (checked without reading, beside the event thread).
fn terminal_lost() -> bool {
    #[cfg(unix)]
    {
        use std::io::IsTerminal;
        let fd = if std::io::stdin().is_terminal() {
            0
        } else {
            return false;
        };
        let mut p = libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no timeout.
        let n = unsafe { libc::poll(&mut p, 1, 0) };
        n > 0 && p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Back into raw mode and the alternate screen after a stop, then a full redraw.
fn reenter(terminal: &mut ratatui::DefaultTerminal) {
    let _ = crossterm::terminal::enable_raw_mode();
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::cursor::Hide,
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
        crossterm::event::EnableBracketedPaste
    );
    // `Terminal::clear` asks the terminal for the cursor position, whose answer the event
    // thread would take: instead, empty the buffer the next frame is compared with, so the
    // next draw writes every cell.
    terminal.swap_buffers();
}

/// Ctrl-Z or SIGTSTP: the terminal restored, the process stopped; on `fg` (SIGCONT) it
/// re-enters and redraws.
fn suspend(terminal: &mut ratatui::DefaultTerminal, inputs: &Inputs) {
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    crate::store::signals::JobControl::stop_self();
    // Stopping ourselves may have passed through our own SIGTSTP flag.
    inputs.jobs.suspend.store(false, Ordering::SeqCst);
    inputs.jobs.resumed.store(false, Ordering::SeqCst);
    reenter(terminal);
}

/// Leaves on a signal or a lost terminal: what is being typed kept as a draft, the case
/// given back. An entry that could not be saved even now is said on stderr.
pub fn leave_now(app: &mut App, store: &mut dyn Store, export_dir: &Path) -> Result<(), Failure> {
    let effects = drafts::shutdown_effects(app);
    perform(app, store, export_dir, effects);
    match &app.drafts.unsaved {
        Some(_) => Err(Failure::other(app.status.as_ref().map_or_else(
            || "an entry could not be saved".to_string(),
            |s| s.0.clone(),
        ))),
        None => Ok(()),
    }
}

fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    store: &mut dyn Store,
    export_dir: &Path,
    live_clock: bool,
    start: Vec<Effect>,
    inputs: &Inputs,
) -> Result<(), Failure> {
    if perform(app, store, export_dir, start) {
        return Ok(());
    }
    let mut dirty = true;
    loop {
        if inputs.shutdown.requested() || terminal_lost() {
            return leave_now(app, store, export_dir);
        }
        if inputs.jobs.suspend.swap(false, Ordering::SeqCst) {
            suspend(terminal, inputs);
            dirty = true;
        }
        if inputs.jobs.resumed.swap(false, Ordering::SeqCst) {
            // Continued after a stop we did not see coming (SIGSTOP): the shell may have
            // reset the terminal.
            reenter(terminal);
            dirty = true;
        }
        let input = match step(terminal, app, &mut dirty, &inputs.events) {
            Ok(input) => input,
            Err(e) => {
                // The terminal is gone (read error, end of input): keep what can be kept.
                let left = leave_now(app, store, export_dir);
                return left.and(Err(Failure::other(format!("terminal: {e}"))));
            }
        };
        if let Some(feed) = inputs.changes.borrow_mut().as_mut()
            && live_refresh(app, store, feed.as_mut())
        {
            dirty = true;
        }
        if refresh(app, store, export_dir) {
            dirty = true;
        }
        if live_clock {
            // Counters move once a minute; changes elsewhere redraw too (`live_refresh`).
            let now = clock();
            if now != app.now {
                app.set_now(now);
                dirty = true;
            }
        }
        let key = match input {
            None => continue,
            Some(Input::Paste(text)) => {
                dirty = true;
                let effects = update::paste(app, &text);
                if perform(app, store, export_dir, effects) {
                    return Ok(());
                }
                continue;
            }
            Some(Input::Key(key)) => key,
        };
        dirty = true;
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('z') {
            suspend(terminal, inputs);
            continue;
        }
        if let Some(end) = handle_key(app, store, export_dir, key) {
            return end;
        }
    }
}

/// What another instance changed (the ward server's NOTIFY, the file store's watcher) is read
/// again: the rounds list, and the open case when it is read-only here (the screen and field
/// stay). A store in trouble (server unreachable) keeps saying so in the status line. True
/// when something is to be redrawn.
fn refresh(app: &mut App, store: &mut dyn Store, export_dir: &Path) -> bool {
    let changed = store.changes();
    let mut dirty = false;
    let shown = app.status.as_ref().map(|(m, _)| m.clone());
    match store.trouble() {
        Some(t) if shown.as_deref() != Some(t.as_str()) => {
            app.status = Some((t, true));
            dirty = true;
        }
        None if shown.as_deref() == Some(crate::store::pg::UNREACHABLE) => {
            app.status = Some(("ward server connected again".into(), false));
            dirty = true;
        }
        _ => {}
    }
    if changed.is_empty() {
        return dirty;
    }
    perform(app, store, export_dir, vec![Effect::LoadRounds]);
    let stale = app.open.as_ref().and_then(|v| {
        let id = v.id();
        let hit = changed.iter().any(|c| *c == id || c == "*");
        (v.read_only().is_some() && hit).then(|| (id, v.access.clone(), v.tab, v.focus))
    });
    if let Some((id, access, tab, focus)) = stale
        && let Ok(case) = store.load(&id, app.now)
    {
        app.open_case(case, access, false);
        if let Some(v) = &mut app.open {
            v.tab = tab;
            v.focus = focus;
        }
    }
    true
}

/// One key through the draft logic (prompts, Ctrl-C with something pending), then the
/// screen's own update; its effects performed. `Some` when the session ends.
pub fn handle_key(
    app: &mut App,
    store: &mut dyn Store,
    export_dir: &Path,
    key: KeyEvent,
) -> Option<Result<(), Failure>> {
    let effects = match drafts::intercept(app, &key) {
        None => update(app, key),
        Some(drafts::Outcome::Effects(effects)) => effects,
        Some(drafts::Outcome::KeepDrafts { quit }) => drafts::keep_drafts(app, store, quit),
        Some(drafts::Outcome::Leave) => return Some(leave_now(app, store, export_dir)),
    };
    perform(app, store, export_dir, effects).then_some(Ok(()))
}

/// Changes saved elsewhere (another instance, an import) reach the rounds list, the held
/// markers and a read-only view without a key. Only the cases named are re-read and
/// re-evaluated; something unreadable (a damaged file) reloads the whole list. True: redraw.
pub fn live_refresh(app: &mut App, store: &mut dyn Store, feed: &mut dyn ChangeFeed) -> bool {
    let changes = feed.changes();
    if changes.is_empty() {
        return false;
    }
    let mut cases = Vec::new();
    for change in changes {
        match change {
            Changed::Case(id) => match store.load(&id, app.now) {
                Ok(case) => {
                    app.case_changed(&id, Some(case));
                    cases.push(id);
                }
                Err(crate::store::StoreError::NotFound(_)) => app.case_changed(&id, None),
                Err(_) => {
                    perform(app, store, Path::new(""), vec![Effect::LoadRounds]);
                    return true;
                }
            },
            Changed::Lock(id) => app.set_holder(&id, store.holder(&id)),
        }
    }
    review::mark(app, store, Some(&cases));
    true
}

/// What a terminal event brings the loop: a key press, or a paste (text, never keys).
enum Input {
    Key(KeyEvent),
    Paste(String),
}

/// Draws when something changed, then waits briefly for a key press or a paste.
fn step(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    dirty: &mut bool,
    events: &Receiver<std::io::Result<Event>>,
) -> std::io::Result<Option<Input>> {
    if *dirty {
        terminal.draw(|f| view::draw(f, app))?;
        *dirty = false;
    }
    match events.recv_timeout(Duration::from_millis(250)) {
        Ok(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => Ok(Some(Input::Key(k))),
        Ok(Ok(Event::Paste(text))) => Ok(Some(Input::Paste(text))),
        Ok(Ok(Event::Resize(..))) => {
            *dirty = true;
            Ok(None)
        }
        Ok(Ok(_)) | Err(RecvTimeoutError::Timeout) => Ok(None),
        Ok(Err(e)) => Err(e),
        Err(RecvTimeoutError::Disconnected) => Err(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "the terminal closed",
        )),
    }
}

/// Performs effects in order; true when the session should end.
pub fn perform(
    app: &mut App,
    store: &mut dyn Store,
    export_dir: &Path,
    effects: Vec<Effect>,
) -> bool {
    let mut renamed: Option<(String, String)> = None;
    // The version each case was saved at in this batch (the effects carry copies taken
    // before their saves).
    let mut versions: std::collections::BTreeMap<String, u64> = Default::default();
    let mut effects = effects.into_iter().peekable();
    while let Some(effect) = effects.next() {
        match effect {
            Effect::Quit => return true,
            Effect::LoadRounds => match store.load_all(app.now) {
                Ok(listing) => {
                    app.set_listing(listing);
                    app.mark_held(|id| store.holder(id));
                    review::mark(app, store, None);
                }
                Err(e) => app.status = Some((format!("cannot list cases: {e}"), true)),
            },
            Effect::Open(id) => {
                // Simulated time writes nothing, not even a lock.
                let locked = if app.simulated {
                    Ok(Access::ReadWrite)
                } else {
                    store.lock(&id, app.wall_now())
                };
                let access = match locked {
                    Ok(a) => a,
                    Err(e) => {
                        app.goto = None;
                        app.status = Some((format!("cannot open {id}: {e}"), true));
                        continue;
                    }
                };
                match store.load(&id, app.now) {
                    Ok(case) => {
                        app.open_case(case, access, true);
                        drafts::offer(app);
                    }
                    Err(e) => {
                        app.goto = None;
                        store.unlock(&id);
                        app.status = Some((format!("cannot open {id}: {e}"), true));
                    }
                }
            }
            Effect::Create(mut case) => {
                // The first change of a new case is created with it, in one audited step.
                let changes = match effects.peek() {
                    Some(Effect::Save { case: c, .. }) if c.id == case.id => match effects.next() {
                        Some(Effect::Save { case: c, changes }) => {
                            case = c;
                            changes
                        }
                        _ => Vec::new(),
                    },
                    _ => Vec::new(),
                };
                // An id used before (a file or audit trail left behind) is never reused:
                // the new case takes the next free suffix.
                let base = case.id.clone().unwrap_or_default();
                let mut result = Err(crate::store::StoreError::Refused(String::new()));
                for n in 1..=20 {
                    let id = if n == 1 {
                        base.clone()
                    } else {
                        format!("{base}-{n}")
                    };
                    case.id = Some(id.clone());
                    result = store.create(&case, &changes, app.now);
                    if !matches!(result, Err(crate::store::StoreError::Refused(_))) {
                        break;
                    }
                }
                let id = case.id.clone().unwrap_or_default();
                match result.and_then(|v| store.lock(&id, app.wall_now()).map(|_| v)) {
                    Ok(version) => {
                        versions.insert(id.clone(), version);
                        if id != base {
                            renamed = Some((base, id.clone()));
                            if let Some(v) = &mut app.open {
                                v.case.id = Some(id.clone());
                                v.value["id"] = serde_json::Value::from(id.clone());
                            }
                        }
                        saved(app, &id, version);
                    }
                    Err(e) => {
                        app.status = Some((format!("NOT SAVED: {e}"), true));
                        if let Some(v) = &mut app.open {
                            v.created = false;
                        }
                        return false;
                    }
                }
            }
            Effect::Save { mut case, changes } => {
                if let Some((old, new)) = &renamed
                    && case.id.as_deref() == Some(old.as_str())
                {
                    case.id = Some(new.clone());
                }
                let id = case.id.clone().unwrap_or_default();
                let expected = versions
                    .get(&id)
                    .copied()
                    .unwrap_or_else(|| crate::store::version_of(&case));
                // Changes of a save that failed earlier go with this one.
                let changes = drafts::take_unsaved(app, &case, changes);
                // Drafts offered at opening but not restored stay in the case's `ui`.
                drafts::carry(app, &mut case);
                match store.save(&case, expected, &changes) {
                    Ok(version) => {
                        versions.insert(id.clone(), version);
                        saved(app, &id, version);
                    }
                    Err(e) => {
                        let quit = effects.any(|e| matches!(e, Effect::Quit));
                        if drafts::save_failed(app, case, changes, &e, quit) {
                            // It was part of leaving: the case is back on the screen and
                            // leaving asks; it stays locked.
                            return false;
                        }
                    }
                }
            }
            Effect::Close(id) => {
                drafts::closed(app, &id);
                store.unlock(&id);
            }
            Effect::Export => export(app, export_dir),
            Effect::LoadHistory(id) => match store.history(&id) {
                Ok(entries) => app.show_history(&id, entries),
                Err(e) => app.status = Some((format!("cannot read the history: {e}"), true)),
            },
        }
    }
    false
}

/// A save went through: the open case (if it is this one) carries the new version, so its
/// next save compares against it.
fn saved(app: &mut App, id: &str, version: u64) {
    if let Some(v) = &mut app.open
        && v.case.id.as_deref() == Some(id)
    {
        crate::store::set_version(&mut v.case, version);
        if let serde_json::Value::Object(m) = &mut v.value {
            m.insert(
                crate::store::STORE_KEY.into(),
                serde_json::json!({ "version": version }),
            );
        }
    }
    if app.status.is_none() {
        app.status = Some(("saved".into(), false));
    }
}

/// Writes the handover note to `<export_dir>/<id>-<now>.md` (0600 in a 0700 directory,
/// whatever the umask; a link there is refused, never followed) and says where.
fn export(app: &mut App, export_dir: &Path) {
    let Some(view) = &app.open else {
        app.status = Some(("open a case to export it".into(), true));
        return;
    };
    let eval = evaluate(&view.case, &app.protocol, app.now);
    let text = crate::export::handover_markdown(&view.case, &eval, &app.protocol);
    let name = format!("{}-{}.md", view.id(), app.now.format("%Y%m%dT%H%M"));
    let result = crate::store::files::write_private_atomic(export_dir, &name, text.as_bytes());
    app.status = Some(match result {
        Ok(path) => (format!("exported to {}", path.display()), false),
        Err(e) => (format!("export failed: {e}"), true),
    });
}

/// Used by benches and tests: a protocol and an app at a fixed moment without colour.
pub fn test_app(now: NaiveDateTime) -> App {
    App::new(Protocol::builtin(), now, theme::Theme { color: false })
}
