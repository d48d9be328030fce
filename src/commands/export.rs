//! `spinewatch export ID|FILE --format markdown|text|fhir [--bundle …] [--out FILE]`.

use super::ExportFormat;
use crate::case::Case;
use crate::case::file::read_case_file_in;
use crate::export::{
    BundleType, FhirContext, fallback_namespace, fhir_json, handover_markdown, handover_text,
};
use crate::failure::Failure;
use crate::protocol::{Protocol, evaluate};
use crate::site::SiteConfig;
use crate::store::file::is_case_id;
use crate::store::{Store, StoreError, installation};
use chrono::NaiveDateTime;
use std::path::Path;

/// What `export` is asked for besides the case.
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    pub format: ExportFormat,
    pub bundle: BundleType,
    pub site: &'a SiteConfig,
    /// Whether this export happens now (no `--now`): only then does the store record what a
    /// FHIR export sent (a what-if export at another moment must not make the next real one
    /// cancel pitfalls that never were).
    pub record: bool,
}

/// `spinewatch export TARGET`: makes the export and hands its text to `emit` (print or write
/// it). Only once `emit` succeeded does the store record what a FHIR export sent: an export
/// that never left must not make the next one cancel or delete what was never sent.
pub fn export(
    target: &str,
    req: &ExportRequest,
    opener: &dyn Fn() -> Result<Box<dyn Store>, Failure>,
    local_dir: &Path,
    protocol: &Protocol,
    now: NaiveDateTime,
    emit: impl FnOnce(&str) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let fhir_site = req.site.fhir.clone().unwrap_or_default();
    let mut ctx = FhirContext::new(fallback_namespace(None), protocol.zone);
    ctx.identifier_system = fhir_site.identifier_system;
    ctx.mrn_system = fhir_site.mrn_system;
    ctx.bundle = req.bundle;
    let fhir = req.format == ExportFormat::Fhir;
    let (case, mut store) = match find_target(target, opener, now, protocol.zone)? {
        Target::File(case) => {
            // A case file: the default data directory's namespace when it has one (so a
            // file and its stored case name the same resources), else the fallback.
            ctx.namespace = match installation::read_namespace(local_dir) {
                Ok(Some(ns)) => ns,
                _ => fallback_namespace(ctx.identifier_system.as_deref()),
            };
            (case, None)
        }
        Target::Stored(case, mut store, id) => {
            if fhir {
                let fail = |e: StoreError| Failure::other(format!("case {id}: {e}"));
                ctx.namespace = store.installation_namespace().map_err(fail)?;
                ctx.history = store.history(&id).map_err(fail)?;
                ctx.sent = store.fhir_sent(&id).map_err(fail)?;
            }
            (case, Some((store, id)))
        }
    };
    let eval = evaluate(&case, protocol, now);
    match req.format {
        ExportFormat::Markdown => emit(&handover_markdown(&case, &eval, protocol)),
        ExportFormat::Text => emit(&handover_text(&case, &eval, protocol)),
        ExportFormat::Fhir => {
            let (text, sent) = fhir_json(&case, &eval, protocol, &ctx);
            emit(&text)?;
            if let (true, Some((store, id))) = (req.record, store.as_mut()) {
                store.record_fhir_sent(id, &sent).map_err(|e| {
                    Failure::other(format!(
                        "case {id}: exported, but what it sent could not be recorded: {e}; \
                         the next export cannot cancel a pitfall that clears before it"
                    ))
                })?;
            }
            Ok(())
        }
    }
}

enum Target {
    File(Case),
    Stored(Case, Box<dyn Store>, String),
}

/// A case file (an existing path, or anything ending in `.json`), else a case id in the store
/// (`store` opens it; it refuses a data directory that does not exist, which holds no case:
/// an export never creates one).
pub(crate) fn load_target(
    target: &str,
    store: &dyn Fn() -> Result<Box<dyn Store>, Failure>,
    now: NaiveDateTime,
    zone: chrono_tz::Tz,
) -> Result<Case, Failure> {
    Ok(match find_target(target, store, now, zone)? {
        Target::File(case) | Target::Stored(case, _, _) => case,
    })
}

/// The case to export and, when it is stored, its store (for the FHIR export's namespace,
/// history and record).
fn find_target(
    target: &str,
    store: &dyn Fn() -> Result<Box<dyn Store>, Failure>,
    now: NaiveDateTime,
    zone: chrono_tz::Tz,
) -> Result<Target, Failure> {
    let path = Path::new(target);
    if path.is_file() || target.ends_with(".json") {
        // Its times are wall-clock times of the site zone.
        return read_case_file_in(path, now, zone).map(Target::File);
    }
    if !is_case_id(target) {
        return Err(Failure::input(format!(
            "{target:?}: is neither a case file nor a case id (a-z, 0-9 and -, up to 64)"
        )));
    }
    let not_found = |place: &str| Failure::input(format!("case {target}: not found in {place}"));
    let store = store()?;
    let case = store.load(target, now).map_err(|e| match e {
        StoreError::NotFound(_) => not_found(&store.location()),
        StoreError::Refused(m) => Failure::input(format!("case {target}: {m}")),
        other => Failure::other(format!("case {target}: {other}")),
    })?;
    Ok(Target::Stored(case, store, target.to_string()))
}
