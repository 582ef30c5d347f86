//! Durations, dates and timestamps (SPEC §3). Input lines: a duration, a date, a timestamp; the
//! fourth line's length picks the repository time zone. Then the deadline arithmetic `check` and
//! the execution rules do with them.
#![no_main]

use lifecycle::model::time::{Duration, days_between, last_day_of_month, parse_date, parse_timestamp};

const ZONES: [chrono_tz::Tz; 4] =
    [chrono_tz::UTC, chrono_tz::Asia::Shanghai, chrono_tz::America::New_York, chrono_tz::Pacific::Chatham];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(f) = lifecycle_fuzz::fields(data, 4) else { return };
    let tz = ZONES[f[3].len() % ZONES.len()];
    let duration = Duration::parse(f[0]);
    let date = parse_date(f[1]);
    let at = parse_timestamp(f[2], tz);
    if let Ok(d) = &duration {
        // What is accepted prints back as written (without surrounding blanks).
        assert_eq!(Duration::parse(&d.to_string()), Ok(*d));
        let _ = d.approx_hours();
    }
    if let Ok(date) = date {
        use chrono::Datelike;
        assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Ok(date), "dates round-trip");
        assert!(date.day() <= last_day_of_month(date.year(), date.month()));
        if let Ok(d) = &duration
            && let Some(back) = d.before(date)
        {
            assert!(back <= date, "{d} before {date} is {back}");
            let _ = days_between(back, date);
        }
    }
    if let (Ok(at), Ok(d)) = (at, &duration)
        && let Some(later) = d.after(at)
    {
        assert!(later >= at, "{d} after {at} is {later}");
    }
});
