//! Texts that do not change between two exports of the same plan.
//!
//! The evaluation's words are written for a screen read now: "240 h ago", "3:05 left",
//! "17 days to the POD 28 deadline", "pending 12 days", "POD 11". A record written into a
//! hospital's system must read the same tomorrow, so the export rewrites such phrases into
//! the absolute moments they stand for (or drops them where the absolute time is already
//! there) and writes times in one format (`2026-11-21 08:00`).

use crate::case::Case;
use crate::protocol::Evaluation;
use chrono::Duration;
use regex::Regex;
use std::sync::LazyLock;

static ISO_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}:[0-9]{2})(?-u:\b)").unwrap()
});
const AGO: &str = r"(?:[0-9]+ d [0-9]+ h|[0-9]+ h(?: [0-9]+ min)?|[0-9]+ min) ago";
static AGO_COMMA: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r", {AGO}")).unwrap());
static AGO_PAREN: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r" ?\({AGO}\)")).unwrap());
static AGO_BARE: LazyLock<Regex> = LazyLock::new(|| Regex::new(AGO).unwrap());
/// "10:00 left, due 18:00" / "overdue by 1:30, due 18:00": the due time says it already.
static CLOCK_LEFT_DUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)[0-9]+:[0-9]{2} left, due(?-u:\b)").unwrap());
static CLOCK_OVER_DUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)overdue by [0-9]+:[0-9]{2}, due(?-u:\b)").unwrap());
static CLOCK_LEFT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(?:due in )?[0-9]+:[0-9]{2} left").unwrap());
static CLOCK_OVER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)overdue by [0-9]+:[0-9]{2}").unwrap());
static DAYS_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]+ days? to the (POD [0-9]+|4-week) deadline").unwrap()
});
static DAYS_PAST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]+ days? past (?:the (?:POD [0-9]+ )?deadline|POD [0-9]+)").unwrap()
});
static DAYS_LEFT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)[0-9]+ days? left").unwrap());
/// "deadline 2026-12-18, 17 days left": the date says it already.
static DAYS_LEFT_AFTER_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9]{4}-[0-9]{2}-[0-9]{2}), [0-9]+ days? (?:left|past)").unwrap()
});
static PENDING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)pending [0-9]+ days?").unwrap());

/// Anything [`stable`] rewrites: what a test looks for in an export.
pub static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)ago(?-u:\b)|[0-9]+:[0-9]{2} left|overdue by [0-9]|[0-9]+ days? (?:left|to the|past)|pending [0-9]+ day",
    )
    .unwrap()
});

/// Replaces in place, allocating only when `re` matched.
fn rewrite(s: &mut String, re: &Regex, with: &str) {
    if let std::borrow::Cow::Owned(new) = re.replace_all(s, with) {
        *s = new;
    }
}

/// `text` with its relative phrases made absolute for `case` as evaluated in `e`. Each
/// rewrite runs only when a cheap look finds its trigger (the export reads ~60 texts, and
/// most hold none of these phrases).
pub fn stable(text: &str, case: &Case, e: &Evaluation, rt_deadline: f64) -> String {
    let mut s = text.to_string();
    // Every phrase rewritten below holds a digit.
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return s;
    }
    if s.contains('T') {
        rewrite(&mut s, &ISO_TIME, "$1 $2");
    }
    if s.contains(" ago") {
        rewrite(&mut s, &AGO_COMMA, "");
        rewrite(&mut s, &AGO_PAREN, "");
        rewrite(&mut s, &AGO_BARE, "earlier");
    }
    if s.contains(" left") || s.contains("overdue by") {
        rewrite(&mut s, &CLOCK_LEFT_DUE, "due");
        rewrite(&mut s, &CLOCK_OVER_DUE, "overdue since");
        if let Some(m) = &e.clocks.mri {
            let due = m.due_at.replace('T', " ");
            rewrite(&mut s, &CLOCK_LEFT, &format!("due {due}"));
            rewrite(&mut s, &CLOCK_OVER, &format!("overdue since {due}"));
        }
    }
    if s.contains(" day") {
        let deadline = case
            .surgery
            .date
            .map(|d| d + Duration::days(rt_deadline.round() as i64));
        let deadline_words = match deadline {
            Some(d) => format!("deadline {} (POD {})", d.format("%Y-%m-%d"), rt_deadline),
            None => format!("deadline POD {rt_deadline}"),
        };
        rewrite(&mut s, &DAYS_TO, &deadline_words);
        rewrite(&mut s, &DAYS_PAST, &format!("past the {deadline_words}"));
        rewrite(&mut s, &DAYS_LEFT_AFTER_DATE, "$1");
        rewrite(&mut s, &DAYS_LEFT, &deadline_words);
        if s.contains("pending ") {
            let pending = match case.pathology.biopsy_date {
                Some(d) => format!("pending since the biopsy on {}", d.format("%Y-%m-%d")),
                None => "pending".to_string(),
            };
            rewrite(&mut s, &PENDING, &pending);
        }
    }
    if let Some(pod) = e.pod
        && s.contains(&format!("POD {pod}"))
    {
        // Today's POD: the date the text is about is the export's own moment.
        for (from, to) in [
            (format!("(POD {pod}, "), "("),
            (format!(" (POD {pod})"), ""),
            (format!(": POD {pod}, "), ": "),
            (format!("POD {pod}, "), ""),
            (format!(", POD {pod})"), ")"),
        ] {
            if s.contains(&from) {
                s = s.replace(&from, to);
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::parse_time;
    use crate::protocol::{Protocol, evaluate};

    #[test]
    fn relative_phrases_become_absolute() {
        let now = parse_time("2026-12-01T08:00").unwrap();
        let case = Case::from_json_str(include_str!("../../assets/demo-case.json"), now).unwrap();
        let e = evaluate(&case, &Protocol::builtin(), now);
        let s = |t: &str| stable(t, &case, &e, 28.0);
        assert_eq!(
            s("Neuro exam due (2026-11-21T08:00, 240 h ago)"),
            "Neuro exam due (2026-11-21 08:00)"
        );
        assert_eq!(
            s("ready to schedule (POD 11, not started, early, 17 days to the POD 28 deadline)"),
            "ready to schedule (not started, early, deadline 2026-12-18 (POD 28))"
        );
        assert_eq!(
            s("awaits final pathology of the IR-guided biopsy (pending 12 days); planning"),
            "awaits final pathology of the IR-guided biopsy (pending since the biopsy on 2026-11-19); planning"
        );
        assert_eq!(
            s("Review dexamethasone (POD 11, past POD 7)"),
            "Review dexamethasone (past POD 7)"
        );
        assert_eq!(s("MDT not held by POD 2"), "MDT not held by POD 2");
        assert_eq!(
            s("exam at 06:00: 10:00 left, due 18:00."),
            "exam at 06:00: due 18:00."
        );
        assert_eq!(s("overdue by 1:30, due 18:00."), "overdue since 18:00.");
        assert_eq!(
            s("1 day past POD 28; no contraindication"),
            "past the deadline 2026-12-18 (POD 28); no contraindication"
        );
        assert_eq!(
            s("Window: target from 2026-12-04, deadline 2026-12-18, 17 days left."),
            "Window: target from 2026-12-04, deadline 2026-12-18."
        );
        for t in ["5 h 10 min ago", "3 d 2 h ago", "17 days left"] {
            assert!(!RELATIVE.is_match(&s(t)), "{t} → {}", s(t));
        }
    }
}
