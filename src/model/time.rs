//! Dates, timestamps and durations: calendar-month arithmetic (clamped) and strict parsing.

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// A policy duration: `30m`, `2h`, `24h`, `15d`, `1w`, `1mo`, `6mo`, `1y`.
/// Months and years are calendar arithmetic; the rest are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: u32,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    Minutes,
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

impl Duration {
    pub fn parse(text: &str) -> Result<Duration, String> {
        let text = text.trim();
        let digits = text.bytes().take_while(|c| c.is_ascii_digit()).count();
        let (number, suffix) = text.split_at(digits);
        if number.is_empty() {
            return Err(format!("`{text}` is not a duration"));
        }
        let amount: u32 = number
            .parse()
            .ok()
            .filter(|n| *n <= 100_000)
            .ok_or_else(|| format!("`{text}` is too large a duration"))?;
        let unit = match suffix {
            "m" | "min" => Unit::Minutes,
            "h" => Unit::Hours,
            "d" => Unit::Days,
            "w" => Unit::Weeks,
            "mo" => Unit::Months,
            "y" => Unit::Years,
            _ => return Err(format!("`{text}` has an unknown unit `{}`", suffix.trim())),
        };
        Ok(Duration { amount, unit })
    }

    /// Whole calendar months, if the duration is expressed in months or years.
    fn months(&self) -> Option<u32> {
        match self.unit {
            Unit::Months => Some(self.amount),
            Unit::Years => Some(self.amount * 12),
            _ => None,
        }
    }

    /// Exact length in minutes for units that have one.
    fn minutes(&self) -> Option<i64> {
        let a = self.amount as i64;
        match self.unit {
            Unit::Minutes => Some(a),
            Unit::Hours => Some(a * 60),
            Unit::Days => Some(a * 1440),
            Unit::Weeks => Some(a * 7 * 1440),
            Unit::Months | Unit::Years => None,
        }
    }

    /// `date − self`. Months keep the day of month, clamped to the month's last day
    /// (2024-08-31 − 6mo = 2024-02-29). Sub-day durations round up to a whole day, so a deadline is
    /// never later than the policy allows.
    pub fn before(&self, date: NaiveDate) -> Option<NaiveDate> {
        match self.months() {
            Some(m) => date.checked_sub_months(Months::new(m)),
            None => {
                let days = (self.minutes()? + 1439) / 1440;
                date.checked_sub_days(Days::new(days as u64))
            }
        }
    }

    /// `date + self`. Months keep the day of month, clamped (2024-01-31 + 1mo = 2024-02-29). Sub-day
    /// durations round down to whole days, so a deadline is never later than the policy allows.
    pub fn after_date(&self, date: NaiveDate) -> Option<NaiveDate> {
        match self.months() {
            Some(m) => date.checked_add_months(Months::new(m)),
            None => date.checked_add_days(Days::new((self.minutes()? / 1440) as u64)),
        }
    }

    /// `instant + self`, months in the instant's own calendar.
    pub fn after(&self, at: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        match self.months() {
            Some(m) => at.checked_add_months(Months::new(m)),
            None => at.checked_add_signed(chrono::TimeDelta::minutes(self.minutes()?)),
        }
    }

    /// An upper bound of the length in hours (a month counts 31 days), for comparisons with measured hours.
    pub fn approx_hours(&self) -> f64 {
        match self.months() {
            Some(m) => m as f64 * 31.0 * 24.0,
            None => self.minutes().unwrap_or(0) as f64 / 60.0,
        }
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match self.unit {
            Unit::Minutes => "m",
            Unit::Hours => "h",
            Unit::Days => "d",
            Unit::Weeks => "w",
            Unit::Months => "mo",
            Unit::Years => "y",
        };
        write!(f, "{}{unit}", self.amount)
    }
}

/// Parses `YYYY-MM-DD` strictly, explaining impossible dates such as 2024-02-30.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let b = t.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(format!("`{t}` is not a date in the form YYYY-MM-DD"));
    }
    let (y, m, d): (i32, u32, u32) =
        (t[0..4].parse().unwrap_or(0), t[5..7].parse().unwrap_or(0), t[8..10].parse().unwrap_or(0));
    if !(1..=12).contains(&m) {
        return Err(format!("`{t}` has month {m}; months run from 01 to 12"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        let last = last_day_of_month(y, m);
        format!("`{t}` is not a calendar date: {y}-{m:02} has {last} days")
    })
}

pub fn last_day_of_month(y: i32, m: u32) -> u32 {
    let first_next =
        if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) };
    first_next.and_then(|d| d.pred_opt()).map(|d| d.day()).unwrap_or(31)
}

/// Parses an RFC 3339 timestamp; one without an offset is read in the repository time zone.
/// A space instead of `T` is accepted, as YAML writers often produce it.
pub fn parse_timestamp(text: &str, tz: Tz) -> Result<DateTime<FixedOffset>, String> {
    let t = text.trim();
    let normalised = match (t.get(..10), t.get(11..)) {
        (Some(date), Some(time)) if t.as_bytes()[10] == b' ' => format!("{date}T{}", time.trim_start()),
        _ => t.to_string(),
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(&normalised) {
        return Ok(at);
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(&normalised, format) {
            return tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|at| at.fixed_offset())
                .ok_or_else(|| format!("`{t}` does not exist in time zone {tz} (a daylight-saving gap)"));
        }
    }
    if let Some(date) = normalised.get(..10) {
        parse_date(date)?;
    }
    Err(format!("`{t}` is not an RFC 3339 timestamp such as 2024-09-05T10:00:00+08:00"))
}

/// Signed whole days from `a` to `b`.
pub fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn months_clamp_to_month_end() {
        let six = Duration::parse("6mo").unwrap();
        assert_eq!(six.before(d("2024-08-31")), Some(d("2024-02-29")));
        assert_eq!(six.before(d("2023-08-31")), Some(d("2023-02-28")));
        assert_eq!(six.before(d("2024-12-31")), Some(d("2024-06-30")));
        assert_eq!(Duration::parse("3mo").unwrap().before(d("2024-12-31")), Some(d("2024-09-30")));
        assert_eq!(Duration::parse("1y").unwrap().before(d("2024-02-29")), Some(d("2023-02-28")));
    }

    #[test]
    fn sub_day_durations_round_up() {
        assert_eq!(Duration::parse("2h").unwrap().before(d("2024-03-01")), Some(d("2024-02-29")));
        assert_eq!(Duration::parse("2w").unwrap().before(d("2024-03-01")), Some(d("2024-02-16")));
    }

    /// Adding to a date: months clamp to the month's end, weeks and days are exact, sub-day
    /// durations round down (a deadline is never later than the policy allows).
    #[test]
    fn durations_after_a_date() {
        let after = |t: &str, s: &str| Duration::parse(t).unwrap().after_date(d(s));
        assert_eq!(after("3mo", "2024-11-30"), Some(d("2025-02-28")));
        assert_eq!(after("1y", "2024-02-29"), Some(d("2025-02-28")));
        assert_eq!(after("15d", "2024-02-20"), Some(d("2024-03-06")));
        assert_eq!(after("2w", "2024-02-16"), Some(d("2024-03-01")));
        assert_eq!(after("47h", "2024-03-01"), Some(d("2024-03-02")));
        assert_eq!(after("48h", "2024-03-01"), Some(d("2024-03-03")));
        assert_eq!(after("30m", "2024-03-01"), Some(d("2024-03-01")));
        assert_eq!(Duration { amount: 1, unit: Unit::Days }.after_date(NaiveDate::MAX), None);
    }

    #[test]
    fn durations_parse_and_reject() {
        for ok in ["30m", "2h", "24h", "15d", "1w", "1mo", "6mo", "1y"] {
            assert_eq!(Duration::parse(ok).unwrap().to_string(), ok);
        }
        for bad in ["", "h", "6 months", "-1d", "1.5h", "3x", "99999999999d"] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn impossible_dates_are_explained() {
        assert!(parse_date("2024-02-30").unwrap_err().contains("has 29 days"));
        assert!(parse_date("2023-02-29").unwrap_err().contains("has 28 days"));
        assert!(parse_date("2024-13-01").unwrap_err().contains("months run"));
        assert!(parse_date("2024-2-1").is_err());
        assert_eq!(parse_date("2024-02-29").unwrap(), NaiveDate::from_ymd_opt(2024, 2, 29).unwrap());
    }

    #[test]
    fn timestamps_without_offset_use_repository_zone() {
        let at = parse_timestamp("2024-09-05T10:00:00", chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(at.to_rfc3339(), "2024-09-05T10:00:00+08:00");
        let at = parse_timestamp("2024-09-05 10:00:00+02:00", chrono_tz::UTC).unwrap();
        assert_eq!(at.to_rfc3339(), "2024-09-05T10:00:00+02:00");
        assert!(parse_timestamp("2024-02-30T10:00:00Z", chrono_tz::UTC).unwrap_err().contains("29 days"));
        // Non-ASCII text across the date/time boundary is an error, not a panic.
        assert!(parse_timestamp("2024-09-0éé", chrono_tz::UTC).is_err());
        assert!(parse_timestamp("2024-09-05é10:00", chrono_tz::UTC).is_err());
    }

    proptest! {
        /// Subtracting months never lands after the original date's day and always stays in range.
        #[test]
        fn month_subtraction_clamps(y in 1990i32..2100, m in 1u32..=12, day in 1u32..=31, n in 0u32..60) {
            let day = day.min(last_day_of_month(y, m));
            let date = NaiveDate::from_ymd_opt(y, m, day).unwrap();
            let back = Duration { amount: n, unit: Unit::Months }.before(date).unwrap();
            let months = (y * 12 + m as i32 - 1) - (back.year() * 12 + back.month() as i32 - 1);
            prop_assert_eq!(months, n as i32);
            prop_assert_eq!(back.day(), day.min(last_day_of_month(back.year(), back.month())));
        }

        /// Every valid date round-trips through the strict parser.
        #[test]
        fn dates_round_trip(days in 0i64..60000) {
            let date = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::TimeDelta::days(days);
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()).unwrap(), date);
        }
    }
}
