//! Was discovery done often enough (§8.1, `rules.discovery_every`)? Pure functions of the run records,
//! a period or a day, and the policy's interval: [`missed`] for the report, [`latest`] for `check`.
//!
//! A run counts at its `fetched_at`: when what it read was fetched. That is the run's own time for an
//! import of files and for a sync that asked the service, and earlier for a sync answered from the
//! cache — a run that only re-read a two-month-old cached answer does not prove this month's check.

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

use crate::eval::findings::Finding;
use crate::model::run::{Run, RunKind};
use crate::model::{Duration, Repository};

/// An interval longer than `discovery_every` without a run of one kind: a `discovery-missed` finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub kind: RunKind,
    /// The run the interval follows (the last one at or before the period's start, or within the
    /// period), or the period's start when there was none.
    pub from: DateTime<FixedOffset>,
    /// `from` + `every`: when the next run was due.
    pub due: DateTime<FixedOffset>,
    /// The run that ended the interval, or the period's end when none did (`open`).
    pub to: DateTime<FixedOffset>,
    /// `from` is a run (false: no run of this kind at or before the period's start).
    pub after_run: bool,
    /// No run ended the interval within the period: still missing at its end.
    pub open: bool,
}

/// Every interval within `[from, to]` longer than `every` without a run of each kind in `kinds`
/// (in that order, then by time).
///
/// For each kind, the clock starts at the last run at or before `from` (so a gap that began before
/// the period and reaches into it is reported, from that run), else at `from` itself. Each later run
/// up to `to` ends an interval; an interval is a gap when the run came strictly later than the start
/// plus `every` (a run exactly `every` after the previous one is on time, one second more is not).
/// After the last run, the interval up to `to` is a gap (`open`) when `to` is strictly later than
/// that run plus `every`. Runs after `to` are not considered: the result depends only on the records
/// and the period, never on the clock. Months are calendar months (`1mo` after 31 January is
/// 29 February in a leap year). An empty or inverted period has no gap.
pub fn missed(
    runs: &[Run],
    from: DateTime<FixedOffset>,
    to: DateTime<FixedOffset>,
    every: Duration,
    kinds: &[RunKind],
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    if to <= from {
        return gaps;
    }
    for &kind in kinds {
        let mut times: Vec<DateTime<FixedOffset>> =
            runs.iter().filter(|r| r.kind == kind && r.fetched_at <= to).map(|r| r.fetched_at).collect();
        times.sort();
        // The clock starts at the period's start, or at the last run at or before it.
        let (mut start, mut after_run) = (from, false);
        for t in times {
            if t <= from {
                (start, after_run) = (t, true);
                continue;
            }
            if let Some(due) = every.after(start)
                && t > due
            {
                gaps.push(Gap { kind, from: start, due, to: t, after_run, open: false });
            }
            (start, after_run) = (t, true);
        }
        if let Some(due) = every.after(start)
            && to > due
        {
            gaps.push(Gap { kind, from: start, due, to, after_run, open: true });
        }
    }
    gaps
}

/// The `discovery-missed` finding (a warning) of a gap, its message naming the interval in RFC 3339.
pub fn finding(g: &Gap, every: Duration) -> Finding {
    let when = |t: DateTime<FixedOffset>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let since = if g.after_run {
        format!("the run of {}", when(g.from))
    } else {
        format!("the period's start ({}; no earlier run)", when(g.from))
    };
    let until = if g.open {
        format!("none by the period's end ({})", when(g.to))
    } else {
        format!("the next ran {}", when(g.to))
    };
    let message = format!("no {} run within {every} after {since}: due {}, {until}", g.kind, when(g.due));
    Finding::warning("discovery-missed", message)
}

/// The kinds of run the policy's interval applies to in this repository: the catalog and the
/// advisories always; observations only when the repository has any (an organisation without
/// scanners has nothing to import).
pub fn judged_kinds(repo: &Repository) -> Vec<RunKind> {
    let mut kinds = vec![RunKind::Catalog, RunKind::Advisories];
    if !repo.observations.is_empty() {
        kinds.push(RunKind::Observe);
    }
    kinds
}

/// One kind's latest run as of a day (`check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub kind: RunKind,
    /// The latest run's `fetched_at`, if any run is known on that day.
    pub last: Option<DateTime<FixedOffset>>,
    /// When the next run is due: `last` + `every` (none without a run).
    pub due: Option<DateTime<FixedOffset>>,
    /// No run at all, or the due time's whole day (in the repository's time zone) is over.
    pub missed: bool,
}

/// The latest run of each kind as of `today`, and whether the next one is overdue. Runs fetched
/// after `today` are not known on that day. A deadline passes when its whole day is over, as for
/// every date-based deadline of `check`.
pub fn latest(runs: &[Run], today: NaiveDate, tz: Tz, every: Duration, kinds: &[RunKind]) -> Vec<Latest> {
    let day = |t: DateTime<FixedOffset>| t.with_timezone(&tz).date_naive();
    kinds
        .iter()
        .map(|&kind| {
            let last = runs
                .iter()
                .filter(|r| r.kind == kind && day(r.fetched_at) <= today)
                .map(|r| r.fetched_at)
                .max();
            let due = last.and_then(|l| every.after(l));
            let missed = match (last, due) {
                (None, _) => true,
                (Some(_), Some(due)) => day(due) < today,
                (Some(_), None) => false,
            };
            Latest { kind, last, due, missed }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::run::RunSource;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn run(kind: RunKind, at: &str) -> Run {
        Run {
            path: format!("inventory/discovery/{at}-{kind}.yaml"),
            at: t(at),
            kind,
            source: RunSource::default(),
            fetched_at: t(at),
            counts: Default::default(),
            digest: String::new(),
            inputs: Vec::new(),
            origin: crate::diag::Origin::file("x"),
        }
    }

    const MONTH: Duration = Duration { amount: 1, unit: crate::model::time::Unit::Months };
    const CATALOG: &[RunKind] = &[RunKind::Catalog];

    fn period() -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
        (t("2024-07-01T00:00:00Z"), t("2024-10-01T00:00:00Z"))
    }

    fn gaps(runs: &[Run]) -> Vec<(String, String, String, bool, bool)> {
        let (from, to) = period();
        missed(runs, from, to, MONTH, CATALOG)
            .into_iter()
            .map(|g| (g.from.to_rfc3339(), g.due.to_rfc3339(), g.to.to_rfc3339(), g.after_run, g.open))
            .collect()
    }

    fn g(
        from: &str,
        due: &str,
        to: &str,
        after_run: bool,
        open: bool,
    ) -> (String, String, String, bool, bool) {
        let z = |s: &str| t(s).to_rfc3339();
        (z(from), z(due), z(to), after_run, open)
    }

    /// Monthly runs exactly one month apart are on time, up to the period's end.
    #[test]
    fn runs_exactly_at_the_boundary_are_on_time() {
        let runs: Vec<Run> = ["2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z", "2024-09-01T00:00:00Z"]
            .iter()
            .map(|a| run(RunKind::Catalog, a))
            .collect();
        assert_eq!(gaps(&runs), []);
    }

    /// One second over the interval is a gap, between the two runs.
    #[test]
    fn one_second_over_is_a_gap() {
        let runs = [
            run(RunKind::Catalog, "2024-07-01T00:00:00Z"),
            run(RunKind::Catalog, "2024-08-01T00:00:01Z"),
            run(RunKind::Catalog, "2024-09-01T00:00:01Z"),
        ];
        assert_eq!(
            gaps(&runs),
            [g("2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z", "2024-08-01T00:00:01Z", true, false)]
        );
    }

    /// Without any run, the whole period is one open gap from its start.
    #[test]
    fn no_runs_at_all() {
        assert_eq!(
            gaps(&[]),
            [g("2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z", "2024-10-01T00:00:00Z", false, true)]
        );
        let (from, to) = period();
        let both = missed(&[], from, to, MONTH, &[RunKind::Catalog, RunKind::Advisories]);
        assert_eq!(both.iter().map(|g| g.kind).collect::<Vec<_>>(), [RunKind::Catalog, RunKind::Advisories]);
    }

    /// The clock starts at the last run before the period; earlier runs and later ones do not count.
    #[test]
    fn runs_before_the_period() {
        let runs = [
            run(RunKind::Catalog, "2024-05-01T00:00:00Z"),
            run(RunKind::Catalog, "2024-06-15T00:00:00Z"),
            run(RunKind::Catalog, "2024-08-01T00:00:00Z"),
            run(RunKind::Catalog, "2024-09-10T00:00:00Z"),
            run(RunKind::Catalog, "2024-10-20T00:00:00Z"),
            run(RunKind::Advisories, "2024-07-20T00:00:00Z"),
        ];
        assert_eq!(
            gaps(&runs),
            [
                g("2024-06-15T00:00:00Z", "2024-07-15T00:00:00Z", "2024-08-01T00:00:00Z", true, false),
                g("2024-08-01T00:00:00Z", "2024-09-01T00:00:00Z", "2024-09-10T00:00:00Z", true, false),
            ]
        );
        // A run in time before the period start, and one at the start itself, keep it on time.
        let on_time =
            [run(RunKind::Catalog, "2024-06-10T00:00:00Z"), run(RunKind::Catalog, "2024-07-01T00:00:00Z")];
        let last = gaps(&on_time);
        assert_eq!(
            last,
            [g("2024-07-01T00:00:00Z", "2024-08-01T00:00:00Z", "2024-10-01T00:00:00Z", true, true)]
        );
    }

    /// The period's end is judged as a run would be: exactly `every` after the last run is on time.
    #[test]
    fn the_period_end_is_a_boundary_too() {
        let (from, _) = period();
        let runs = [run(RunKind::Catalog, "2024-08-01T00:00:00Z")];
        assert_eq!(missed(&runs, from, t("2024-09-01T00:00:00Z"), MONTH, CATALOG), []);
        let over = missed(&runs, from, t("2024-09-01T00:00:01Z"), MONTH, CATALOG);
        assert_eq!(over.len(), 1);
        assert!(over[0].open && over[0].after_run);
        assert_eq!(missed(&runs, from, from, MONTH, CATALOG), [], "an empty period");
        assert_eq!(missed(&[], t("2024-09-01T00:00:00Z"), from, MONTH, CATALOG), [], "an inverted one");
    }

    /// A sync that re-read an old cached answer counts when its data was fetched, not when it ran.
    #[test]
    fn runs_count_when_their_data_was_fetched() {
        let mut stale = run(RunKind::Catalog, "2024-08-01T00:00:00Z");
        stale.fetched_at = t("2024-06-01T00:00:00Z");
        assert_eq!(
            gaps(&[stale]),
            [g("2024-06-01T00:00:00Z", "2024-07-01T00:00:00Z", "2024-10-01T00:00:00Z", true, true)]
        );
    }

    #[test]
    fn findings_name_the_interval() {
        let runs = [
            run(RunKind::Advisories, "2024-08-01T00:00:00Z"),
            run(RunKind::Advisories, "2024-09-10T00:00:00Z"),
        ];
        let (from, to) = period();
        let found: Vec<Finding> = missed(&runs, from, to, MONTH, &[RunKind::Advisories])
            .iter()
            .map(|g| finding(g, MONTH))
            .collect();
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        // The second run is on time at the period's end (due 2024-10-10): one finding.
        assert_eq!(
            messages,
            [
                "no advisories run within 1mo after the run of 2024-08-01T00:00:00Z: due 2024-09-01T00:00:00Z, the next ran 2024-09-10T00:00:00Z"
            ]
        );
        let none = missed(&[], from, to, MONTH, &[RunKind::Catalog]);
        let f = finding(&none[0], MONTH);
        assert_eq!((f.code, f.severity), ("discovery-missed", crate::eval::findings::Severity::Warning));
        assert_eq!(
            f.message,
            "no catalog run within 1mo after the period's start (2024-07-01T00:00:00Z; no earlier run): due 2024-08-01T00:00:00Z, none by the period's end (2024-10-01T00:00:00Z)"
        );
    }

    #[test]
    fn latest_runs_as_of_a_day() {
        let runs = [
            run(RunKind::Catalog, "2024-08-01T10:00:00Z"),
            run(RunKind::Catalog, "2024-07-01T10:00:00Z"),
            run(RunKind::Advisories, "2024-09-05T00:00:00Z"),
        ];
        let day = |d: &str| crate::model::time::parse_date(d).unwrap();
        let kinds = [RunKind::Catalog, RunKind::Advisories];
        let on = |d: &str| latest(&runs, day(d), chrono_tz::UTC, MONTH, &kinds);
        let sept1 = on("2024-09-01");
        assert_eq!(sept1[0].last, Some(t("2024-08-01T10:00:00Z")));
        assert_eq!(sept1[0].due, Some(t("2024-09-01T10:00:00Z")));
        assert!(!sept1[0].missed, "due today: the day is not over");
        assert!(sept1[1].missed && sept1[1].last.is_none(), "the advisory run is not known yet");
        let sept2 = on("2024-09-02");
        assert!(sept2[0].missed, "due yesterday");
        assert!(sept2[1].missed && sept2[1].last.is_none(), "runs after today are unknown");
        let sept5 = on("2024-09-05");
        assert_eq!(sept5[1].last, Some(t("2024-09-05T00:00:00Z")));
        assert!(!sept5[1].missed);
        // A run at 20:00 UTC on 1 August is on 2 August in Shanghai: due on 2 September there.
        let late = [run(RunKind::Catalog, "2024-08-01T20:00:00Z")];
        let at = |tz| latest(&late, day("2024-09-02"), tz, MONTH, &kinds[..1])[0].missed;
        assert!(at(chrono_tz::UTC));
        assert!(!at(chrono_tz::Asia::Shanghai));
    }

    #[test]
    fn observations_are_judged_only_where_there_are_any() {
        let mut repo = Repository::default();
        assert_eq!(judged_kinds(&repo), [RunKind::Catalog, RunKind::Advisories]);
        repo.observations.push(crate::model::observed::Observation {
            system: "web".into(),
            host: "h".into(),
            source: "csv".into(),
            collected_at: t("2024-08-01T00:00:00Z"),
            components: Vec::new(),
            origin: crate::diag::Origin::file("x"),
        });
        assert_eq!(judged_kinds(&repo), RunKind::ALL);
    }
}
