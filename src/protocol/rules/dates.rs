//! Facts dated after now (PROTOCOL §1, W-FUTURE-DATED): not counted at now, and named so a
//! mistyped date cannot silently hide a fact (above all a new deficit).

use super::*;

/// W-FUTURE-DATED: every time more than `future_tolerance_min` after now (exam, MRI done or
/// requested, MDT, wound check) and every date after today (RT start or end, biopsy). Planned
/// dates are meant to lie ahead and are exempt. Critical when it hides a new or worse exam.
pub(super) fn w_future_dated(c: &Ctx, out: &mut Out) {
    let late = |t: &Option<NaiveDateTime>| t.filter(|t| *t > c.cutoff);
    let mut named: Vec<(String, String)> = Vec::new();
    let mut hides_worse = false;
    for &(i, worse) in &c.neuro.future {
        if let Some(t) = c.case.neuro_exams[i].at {
            hides_worse |= worse;
            let what = if worse { " (new or worse)" } else { "" };
            named.push((
                format!("neuro_exams[{i}].at"),
                format!("{}{what}", format_time(&t)),
            ));
        }
    }
    for (i, m) in c.case.mri.iter().enumerate() {
        if let Some(t) = late(&m.at) {
            named.push((format!("mri[{i}].at"), format_time(&t)));
        }
        if let Some(t) = late(&m.requested_at) {
            named.push((format!("mri[{i}].requested_at"), format_time(&t)));
        }
    }
    if let Some(t) = late(&c.case.mdt.held_at) {
        named.push(("mdt.held_at".into(), format_time(&t)));
    }
    if let Some(t) = late(&c.case.wound.checked_at) {
        named.push(("wound.checked_at".into(), format_time(&t)));
    }
    let today = c.now.date();
    for (field, d) in [
        ("radiotherapy.start", c.case.radiotherapy.start),
        ("radiotherapy.end", c.case.radiotherapy.end),
        ("pathology.biopsy_date", c.case.pathology.biopsy_date),
    ] {
        if let Some(d) = d.filter(|d| *d > today) {
            named.push((field.into(), format_date(&d)));
        }
    }
    if named.is_empty() {
        return;
    }
    let list: Vec<String> = named.iter().map(|(f, v)| format!("{f} {v}")).collect();
    out.fire_variant(
        "W-FUTURE-DATED",
        if hides_worse { "worse" } else { "plain" },
        vec![
            ("fields", list.join(", ")),
            ("count", named.len().to_string()),
        ],
        named
            .iter()
            .map(|(f, v)| b(f, format!("{v}, after now")))
            .collect(),
    );
}
