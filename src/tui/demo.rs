//! `spinewatch demo`: the seed's patient with every date moved so that `now` is POD 5.

use crate::case::{Case, format_date, format_time, parse_date, parse_time};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::Value;

pub const DEMO_JSON: &str = include_str!("../../assets/demo-case.json");
/// The demo's POD at `now`.
pub const DEMO_POD: i64 = 5;

/// Moves every date and time in the case by `days`; other text is left alone.
pub fn shift_dates(v: &mut Value, days: i64) {
    match v {
        Value::String(s) => {
            let d = Duration::days(days);
            if s.len() == 10
                && let Some(date) = parse_date(s)
            {
                *s = format_date(&(date + d));
            } else if s.len() >= 16
                && s.as_bytes().get(10) == Some(&b'T')
                && let Some(t) = parse_time(s)
            {
                *s = format_time(&(t + d));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| shift_dates(x, days)),
        Value::Object(m) => m.values_mut().for_each(|x| shift_dates(x, days)),
        _ => {}
    }
}

/// The demo case at `now`: surgery `DEMO_POD` days before, every offset kept.
pub fn demo_case(now: NaiveDateTime) -> Case {
    let mut v: Value = serde_json::from_str(DEMO_JSON).expect("assets/demo-case.json is JSON");
    let surgery = v
        .pointer("/surgery/date")
        .and_then(Value::as_str)
        .and_then(parse_date)
        .unwrap_or(NaiveDate::MIN);
    let days = (now.date() - Duration::days(DEMO_POD) - surgery).num_days();
    shift_dates(&mut v, days);
    // Times after `now` (an exam on POD 1 when now is early on POD 5 is fine; nothing in the
    // seed lies after POD 2), so the shifted case validates.
    Case::from_value(&v, now).expect("the shifted demo case is valid (checked by tests)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Protocol, evaluate};

    #[test]
    fn demo_is_pod_5_with_offsets_kept() {
        let now = parse_time("2027-03-10T07:30").unwrap();
        let case = demo_case(now);
        let e = evaluate(&case, &Protocol::builtin(), now);
        assert_eq!(e.pod, Some(5));
        assert_eq!(case.surgery.date, parse_date("2027-03-05"));
        // The first exam was the morning after surgery; the biopsy the day before.
        assert_eq!(case.neuro_exams[0].at, parse_time("2027-03-06T08:00"));
        assert_eq!(case.pathology.biopsy_date, parse_date("2027-03-04"));
        // The id is not a date and is left alone.
        assert_eq!(case.id.as_deref(), Some("bed12-2026-11-20"));
    }
}
