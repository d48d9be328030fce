//! Case times as FHIR times: the case records local wall-clock times of the site's zone;
//! FHIR wants a `dateTime` with its offset and an `instant` with seconds.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The moment a local time of `zone` names: the earlier of an autumn repeat; a time in the
/// spring-forward gap (only `--now` can hold one; case input refuses it) is read an hour on.
pub fn moment(zone: Tz, t: NaiveDateTime) -> DateTime<Tz> {
    zone.from_local_datetime(&t)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(t + Duration::hours(1)))
                .earliest()
        })
        .unwrap_or_else(|| zone.from_utc_datetime(&t))
}

/// FHIR `dateTime` with seconds and the zone's offset: `2026-11-21T08:00:00+01:00`.
pub fn date_time(zone: Tz, t: NaiveDateTime) -> String {
    moment(zone, t).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// FHIR `instant` in UTC: `2026-12-01T07:00:00Z`.
pub fn instant_utc(zone: Tz, t: NaiveDateTime) -> String {
    moment(zone, t)
        .with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// FHIR `date`: `2026-11-20` (where the case holds a date and no time).
pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::parse_time;

    #[test]
    fn local_times_carry_the_offset_of_their_day() {
        let ams = chrono_tz::Europe::Amsterdam;
        let winter = parse_time("2026-12-01T08:00").unwrap();
        let summer = parse_time("2026-07-01T08:00").unwrap();
        assert_eq!(date_time(ams, winter), "2026-12-01T08:00:00+01:00");
        assert_eq!(date_time(ams, summer), "2026-07-01T08:00:00+02:00");
        assert_eq!(instant_utc(ams, winter), "2026-12-01T07:00:00Z");
        // 02:30 on 2026-10-25 happens twice in Amsterdam: the earlier (summer time).
        let twice = parse_time("2026-10-25T02:30").unwrap();
        assert_eq!(date_time(ams, twice), "2026-10-25T02:30:00+02:00");
        // 02:30 on 2026-03-29 does not exist.
        let gap = parse_time("2026-03-29T02:30").unwrap();
        assert_eq!(date_time(ams, gap), "2026-03-29T03:30:00+02:00");
    }
}
