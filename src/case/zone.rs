//! Times in the site's time zone: reading a time with or without an offset, and turning a
//! local wall-clock time into an instant (for real elapsed hours across a DST change).
//!
//! Case times are local wall-clock times in the site zone (`Protocol::zone`). A time written
//! with an offset (`13:30:00Z`, `08:30+01:00`) is converted into that zone, never read as if
//! it were local. A local time in the spring-forward gap does not exist and is refused; one
//! that occurs twice (autumn) is the earlier.

use chrono::offset::LocalResult;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;

/// Why a text is not a time of the site zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// Not `YYYY-MM-DDTHH:MM` (with optional seconds and offset).
    Format,
    /// A local time the clocks skip in this zone (the spring-forward gap).
    Gap(Tz),
}

impl TimeError {
    /// The reason, phrased to follow the value.
    pub fn reason(self) -> String {
        match self {
            TimeError::Format => "is not a time (YYYY-MM-DDTHH:MM)".into(),
            TimeError::Gap(zone) => format!(
                "does not exist in {} (the clocks skip it when summer time starts)",
                zone.name()
            ),
        }
    }
}

const LOCAL_FORMATS: [&str; 3] = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
];
const OFFSET_FORMATS: [&str; 6] = [
    "%Y-%m-%dT%H:%M%:z",
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
];

/// A time of the case format in `zone`: local, or with an offset converted into `zone`.
/// Seconds are accepted and dropped.
pub fn parse_time_in(s: &str, zone: Tz) -> Result<NaiveDateTime, TimeError> {
    let s = s.trim();
    for fmt in LOCAL_FORMATS {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            let t = to_minute(t);
            return match zone.from_local_datetime(&t) {
                LocalResult::None => Err(TimeError::Gap(zone)),
                _ => Ok(t),
            };
        }
    }
    with_offset(s)
        .map(|t| to_minute(t.with_timezone(&zone).naive_local()))
        .ok_or(TimeError::Format)
}

/// A time written with an offset (`Z` or `±HH:MM`, with or without seconds).
fn with_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    let zulu;
    let s = match s.strip_suffix(['Z', 'z']) {
        Some(rest) => {
            zulu = format!("{rest}+00:00");
            zulu.as_str()
        }
        None => s,
    };
    OFFSET_FORMATS
        .iter()
        .find_map(|fmt| DateTime::parse_from_str(s, fmt).ok())
}

fn to_minute(t: NaiveDateTime) -> NaiveDateTime {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

/// The instant of a local time in `zone`: the earlier when it occurs twice; a time in the
/// spring-forward gap (refused on input, but a `now` may fall there) is read with the offset
/// in force before the gap.
pub fn instant(t: NaiveDateTime, zone: Tz) -> DateTime<Tz> {
    match zone.from_local_datetime(&t) {
        LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x,
        LocalResult::None => {
            // Checked arithmetic: a time at the end of the calendar is kept, never a panic.
            let early = t
                .checked_sub_signed(chrono::Duration::hours(12))
                .unwrap_or(t);
            let before = zone.offset_from_utc_datetime(&early).fix();
            let utc = t
                .checked_sub_signed(chrono::Duration::seconds(i64::from(
                    before.local_minus_utc(),
                )))
                .unwrap_or(t);
            zone.from_utc_datetime(&utc)
        }
    }
}

/// Real elapsed minutes from `from` to `to`, both local times in `zone`.
pub fn elapsed_minutes(from: NaiveDateTime, to: NaiveDateTime, zone: Tz) -> i64 {
    (instant(to, zone) - instant(from, zone)).num_minutes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Amsterdam;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn gap_and_fold_in_amsterdam() {
        assert_eq!(
            parse_time_in("2026-03-29T02:30", Amsterdam),
            Err(TimeError::Gap(Amsterdam))
        );
        assert_eq!(
            parse_time_in("2026-10-25T02:30", Amsterdam),
            Ok(t("2026-10-25T02:30"))
        );
        // 02:30 in the fold is the earlier (CEST): 01:30 → 02:30 (second time) is 2 h.
        assert_eq!(
            elapsed_minutes(t("2026-10-25T01:30"), t("2026-10-25T03:30"), Amsterdam),
            180
        );
        assert_eq!(
            elapsed_minutes(t("2026-03-29T01:30"), t("2026-03-29T03:30"), Amsterdam),
            60
        );
        // A `now` in the gap reads with the winter offset: 02:30 CET = 03:30 CEST.
        assert_eq!(
            elapsed_minutes(t("2026-03-29T02:30"), t("2026-03-29T03:30"), Amsterdam),
            0
        );
    }

    #[test]
    fn offsets_are_converted_and_seconds_dropped() {
        let ams = |s| parse_time_in(s, Amsterdam);
        assert_eq!(ams("2026-12-01T13:30:00Z"), Ok(t("2026-12-01T14:30")));
        assert_eq!(ams("2026-12-01T13:30Z"), Ok(t("2026-12-01T14:30")));
        assert_eq!(ams("2026-07-01T13:30+00:00"), Ok(t("2026-07-01T15:30")));
        assert_eq!(ams("2026-07-01T08:30:45+01:00"), Ok(t("2026-07-01T09:30")));
        assert_eq!(ams("2026-07-01T08:30:45"), Ok(t("2026-07-01T08:30")));
        assert_eq!(ams("2026-07-01 08:30"), Err(TimeError::Format));
        assert_eq!(ams("2026-07-01T25:30"), Err(TimeError::Format));
    }
}
