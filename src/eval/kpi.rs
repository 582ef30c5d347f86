//! The six KPIs of the evidence pack (SPEC §3.3 `kpis`, §8 item 7), measured from plain facts.
//!
//! Each function takes the population it measures and returns a [`Kpi`]: the value, how many were
//! counted over how many, and whether the policy's target is met. An empty population has no value
//! (`n/a`), never 100 %. The gathering of the facts from the repository lives in `crate::report`.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use crate::eval::status::Status;
use crate::model::{Comparison, KpiTarget, KpiUnit, Outcome, Severity};

/// The KPI names, in report order.
pub const NAMES: [&str; 6] = [
    "supported_coverage",
    "update_coverage",
    "update_success",
    "patch_timeliness",
    "critical_fix_time",
    "early_warning",
];

/// One measured KPI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    pub name: &'static str,
    /// `percent` or `hours`.
    pub unit: &'static str,
    /// Percent (0–100) or hours; `None` when the population is empty.
    pub value: Option<f64>,
    /// For ratios: the members that count.
    pub numerator: Option<usize>,
    /// The size of the population.
    pub population: usize,
    /// For times: the median (the value is the worst).
    pub median: Option<f64>,
    /// The policy's target as written (`>= 95%`), if it sets one.
    pub target: Option<String>,
    /// Whether the target is met; `None` without a target or a value.
    pub pass: Option<bool>,
    /// The members that do not count (ids), so a failure can be followed up. For times: those over
    /// the target.
    pub misses: Vec<String>,
    /// For times: each member's hours, to judge against the target.
    #[serde(skip)]
    hours: Vec<(f64, String)>,
}

impl Kpi {
    fn ratio(name: &'static str, hits: usize, population: usize, misses: Vec<String>) -> Kpi {
        let value = (population > 0).then(|| hits as f64 * 100.0 / population as f64);
        Kpi {
            name,
            unit: "percent",
            value,
            numerator: Some(hits),
            population,
            median: None,
            target: None,
            pass: None,
            misses,
            hours: Vec::new(),
        }
    }

    /// Sets the target (when the policy has one for this KPI) and judges the value against it.
    pub fn against(mut self, targets: &[KpiTarget]) -> Kpi {
        if let Some(t) = targets.iter().find(|t| t.name == self.name) {
            self.target = Some(t.text.clone());
            let unit_ok =
                matches!((t.unit, self.unit), (KpiUnit::Percent, "percent") | (KpiUnit::Hours, "hours"));
            self.pass = self.value.filter(|_| unit_ok).map(|v| {
                // Rounded to the precision shown, so 94.999… is not judged differently from its display.
                let v = (v * 100.0).round() / 100.0;
                match t.op {
                    Comparison::AtLeast => v >= t.value,
                    Comparison::AtMost => v <= t.value,
                }
            });
            if unit_ok && self.unit == "hours" {
                let over = |h: f64| match t.op {
                    Comparison::AtLeast => h < t.value,
                    Comparison::AtMost => h > t.value,
                };
                self.misses = self
                    .hours
                    .iter()
                    .filter(|(h, _)| over(*h))
                    .map(|(h, id)| format!("{id} ({h:.1} h)"))
                    .collect();
            }
        }
        self
    }
}

/// Supported coverage: components not `eol` and not `unknown` ÷ all components (status at the end of
/// the period). An `accepted` component is counted as covered: its risk is accepted under an approved
/// exception, and the exception register lists it.
pub fn supported_coverage(items: &[(String, Status)]) -> Kpi {
    let misses: Vec<String> = items
        .iter()
        .filter(|(_, s)| matches!(s, Status::Eol | Status::Unknown))
        .map(|(id, _)| id.clone())
        .collect();
    Kpi::ratio("supported_coverage", items.len() - misses.len(), items.len(), misses)
}

/// One component that needed an update: its end date's plan-by date fell on or before the period's
/// end, or its version changed within the period.
#[derive(Debug, Clone)]
pub struct Required {
    pub id: String,
    /// Updated in the period through an approved change, or covered by an approved change now.
    pub covered: bool,
}

/// Update coverage: components that needed an update and have it (done or approved) ÷ those needing one.
pub fn update_coverage(required: &[Required]) -> Kpi {
    let misses: Vec<String> = required.iter().filter(|r| !r.covered).map(|r| r.id.clone()).collect();
    Kpi::ratio("update_coverage", required.len() - misses.len(), required.len(), misses)
}

/// Update success: executed changes with outcome `success` ÷ executed changes (with a report).
pub fn update_success(executed: &[(String, Outcome)]) -> Kpi {
    let misses: Vec<String> =
        executed.iter().filter(|(_, o)| *o != Outcome::Success).map(|(id, _)| id.clone()).collect();
    Kpi::ratio("update_success", executed.len() - misses.len(), executed.len(), misses)
}

/// One advisory on one component, with its deadline and when the fix was deployed.
#[derive(Debug, Clone)]
pub struct Patch {
    /// `ADVISORY system/component`.
    pub id: String,
    pub severity: Severity,
    pub detected_at: DateTime<FixedOffset>,
    pub deploy_by: Option<DateTime<FixedOffset>>,
    /// When the component stopped being affected; `None` while it still is.
    pub deployed_at: Option<DateTime<FixedOffset>>,
}

/// Patch timeliness: deployments within `deploy_within` ÷ deployments due. A patch is due in the
/// period when its deadline falls in it or it was deployed in it; an undeployed patch whose deadline
/// passed counts as late.
pub fn patch_timeliness(patches: &[Patch], from: DateTime<FixedOffset>, until: DateTime<FixedOffset>) -> Kpi {
    let in_period = |t: DateTime<FixedOffset>| t >= from && t < until;
    let due: Vec<&Patch> = patches
        .iter()
        .filter(|p| p.deploy_by.is_some())
        .filter(|p| {
            // Carried over: due before the period and still not deployed at its end.
            let carried = p.deploy_by.is_some_and(|by| by < from) && p.deployed_at.is_none();
            p.deploy_by.is_some_and(in_period) || p.deployed_at.is_some_and(in_period) || carried
        })
        .collect();
    let misses: Vec<String> = due
        .iter()
        .filter(|p| match (p.deployed_at, p.deploy_by) {
            (Some(at), Some(by)) => at > by,
            _ => true,
        })
        .map(|p| p.id.clone())
        .collect();
    Kpi::ratio("patch_timeliness", due.len() - misses.len(), due.len(), misses)
}

/// Critical fix time: hours from `detected_at` to deployment for `high` and `critical` advisories
/// deployed in the period, and for those still open at its end (counted with their age then, a lower
/// bound, so an unfixed one cannot flatter the figure). The value is the worst; the median is shown.
pub fn critical_fix_time(
    patches: &[Patch],
    from: DateTime<FixedOffset>,
    until: DateTime<FixedOffset>,
) -> Kpi {
    let mut hours: Vec<(f64, String)> = Vec::new();
    for p in patches.iter().filter(|p| matches!(p.severity, Severity::High | Severity::Critical)) {
        let end = match p.deployed_at {
            Some(at) if at >= from && at < until => at,
            Some(_) => continue,
            None if p.detected_at < until => until,
            None => continue,
        };
        hours.push(((end - p.detected_at).num_minutes() as f64 / 60.0, p.id.clone()));
    }
    hours.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = hours.len();
    let median = match n {
        0 => None,
        n if n % 2 == 1 => Some(hours[n / 2].0),
        n => Some((hours[n / 2 - 1].0 + hours[n / 2].0) / 2.0),
    };
    Kpi {
        name: "critical_fix_time",
        unit: "hours",
        value: hours.last().map(|h| h.0),
        numerator: None,
        population: n,
        median,
        target: None,
        pass: None,
        misses: Vec::new(),
        hours,
    }
}

/// One end of support falling in the period.
#[derive(Debug, Clone)]
pub struct EolEvent {
    /// `system/component`.
    pub id: String,
    pub end: NaiveDate,
    pub plan_by: NaiveDate,
    /// When the replacement (or exception) was approved, in the repository's time zone.
    pub approved_on: Option<NaiveDate>,
    /// When the repository first knew this end date.
    pub known_on: Option<NaiveDate>,
}

/// Early warning: ends of support in the period whose replacement was approved by `plan_by`, or that
/// were first known at least `plan_before` ahead (on or before `plan_by`) ÷ ends in the period.
pub fn early_warning(events: &[EolEvent]) -> Kpi {
    let misses: Vec<String> = events
        .iter()
        .filter(|e| {
            !(e.approved_on.is_some_and(|d| d <= e.plan_by) || e.known_on.is_some_and(|d| d <= e.plan_by))
        })
        .map(|e| e.id.clone())
        .collect();
    Kpi::ratio("early_warning", events.len() - misses.len(), events.len(), misses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(d: u32, h: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600).unwrap().with_ymd_and_hms(2024, 7, d, h, 0, 0).unwrap()
    }

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, d).unwrap()
    }

    fn targets() -> Vec<KpiTarget> {
        let mk = |name: &str, op, value, unit, text: &str| KpiTarget {
            name: name.into(),
            op,
            value,
            unit,
            text: text.into(),
        };
        vec![
            mk("supported_coverage", Comparison::AtLeast, 95.0, KpiUnit::Percent, ">= 95%"),
            mk("update_success", Comparison::AtLeast, 98.0, KpiUnit::Percent, ">= 98%"),
            mk("critical_fix_time", Comparison::AtMost, 72.0, KpiUnit::Hours, "<= 72h"),
            mk("early_warning", Comparison::AtLeast, 100.0, KpiUnit::Percent, ">= 100%"),
        ]
    }

    #[test]
    fn supported_coverage_counts_eol_and_unknown_as_misses() {
        let items: Vec<(String, Status)> = [
            Status::Ok,
            Status::Warn,
            Status::Due,
            Status::Accepted,
            Status::Eol,
            Status::Unknown,
            Status::Ok,
            Status::Ok,
        ]
        .into_iter()
        .enumerate()
        .map(|(i, s)| (format!("s{i}/c"), s))
        .collect();
        // 6 of 8 = 75 %, below 95 %.
        let k = supported_coverage(&items).against(&targets());
        assert_eq!(k.value, Some(75.0));
        assert_eq!((k.numerator, k.population), (Some(6), 8));
        assert_eq!(k.misses, vec!["s4/c", "s5/c"]);
        assert_eq!(k.pass, Some(false));
        assert_eq!(k.target.as_deref(), Some(">= 95%"));
    }

    #[test]
    fn empty_populations_are_not_applicable_never_100_percent() {
        let empty = [
            supported_coverage(&[]),
            update_coverage(&[]),
            update_success(&[]),
            patch_timeliness(&[], t(1, 0), t(31, 0)),
            critical_fix_time(&[], t(1, 0), t(31, 0)),
            early_warning(&[]),
        ];
        for k in empty {
            let k = k.against(&targets());
            assert_eq!(k.value, None, "{}", k.name);
            assert_eq!(k.pass, None, "{}", k.name);
            assert_eq!(k.population, 0, "{}", k.name);
        }
    }

    #[test]
    fn update_coverage_and_success() {
        let req = |id: &str, covered| Required { id: id.into(), covered };
        let k = update_coverage(&[req("a/x", true), req("b/y", false), req("c/z", true)]);
        assert_eq!((k.numerator, k.population), (Some(2), 3));
        assert!((k.value.unwrap() - 66.666).abs() < 0.01);
        assert_eq!(k.misses, vec!["b/y"]);

        let k = update_success(&[
            ("CHG-1".into(), Outcome::Success),
            ("CHG-2".into(), Outcome::Success),
            ("CHG-3".into(), Outcome::RolledBack),
            ("CHG-4".into(), Outcome::Success),
        ])
        .against(&targets());
        assert_eq!(k.value, Some(75.0));
        assert_eq!(k.pass, Some(false));
        let k = update_success(&[("CHG-1".into(), Outcome::Success)]).against(&targets());
        assert_eq!((k.value, k.pass), (Some(100.0), Some(true)));
    }

    fn patch(
        id: &str,
        sev: Severity,
        detected: (u32, u32),
        by: Option<(u32, u32)>,
        at: Option<(u32, u32)>,
    ) -> Patch {
        Patch {
            id: id.into(),
            severity: sev,
            detected_at: t(detected.0, detected.1),
            deploy_by: by.map(|(d, h)| t(d, h)),
            deployed_at: at.map(|(d, h)| t(d, h)),
        }
    }

    #[test]
    fn patch_timeliness_counts_due_and_late() {
        // Period: July 2 00:00 to July 20 00:00.
        let ps = [
            // On time: due 4th, deployed 3rd.
            patch("A", Severity::High, (1, 0), Some((4, 0)), Some((3, 0))),
            // Late: due 5th, deployed 6th.
            patch("B", Severity::High, (2, 0), Some((5, 0)), Some((6, 0))),
            // Due in the period, never deployed: late.
            patch("C", Severity::Critical, (10, 0), Some((11, 0)), None),
            // Due after the period, not deployed yet: not due.
            patch("D", Severity::Medium, (19, 0), Some((25, 0)), None),
            // Deadline before the period, deployed in it (late): due and late.
            patch("E", Severity::Low, (1, 0), Some((1, 12)), Some((2, 6))),
            // Deployed and due before the period: outside.
            patch("F", Severity::High, (1, 0), Some((1, 10)), Some((1, 5))),
            // No deadline (no class applies): not counted.
            patch("G", Severity::Low, (3, 0), None, Some((4, 0))),
            // Carried over: due before the period, still not deployed at its end: due and late.
            patch("H", Severity::High, (1, 0), Some((1, 23)), None),
            // Due exactly at the period's start, not deployed: in the period, late.
            patch("I", Severity::High, (1, 0), Some((2, 0)), None),
            // Deployed exactly at its deadline: on time.
            patch("J", Severity::High, (5, 0), Some((8, 0)), Some((8, 0))),
            // Due after the period, deployed exactly at its end: outside (the end is excluded).
            patch("K", Severity::High, (15, 0), Some((25, 0)), Some((20, 0))),
        ];
        let k = patch_timeliness(&ps, t(2, 0), t(20, 0));
        // Due: A, B, C, E, H, I, J = 7; on time: A, J = 2.
        assert_eq!((k.numerator, k.population), (Some(2), 7));
        assert_eq!(k.misses, vec!["B", "C", "E", "H", "I"]);
    }

    #[test]
    fn critical_fix_time_is_worst_and_median_hours() {
        let ps = [
            // 48 h.
            patch("A", Severity::High, (1, 0), None, Some((3, 0))),
            // 12 h.
            patch("B", Severity::Critical, (3, 0), None, Some((3, 12))),
            // Medium: not counted.
            patch("C", Severity::Medium, (1, 0), None, Some((10, 0))),
            // Still open at the period's end (July 10 00:00): 24 h so far.
            patch("D", Severity::High, (9, 0), None, None),
            // Deployed before the period: not counted.
            patch("E", Severity::High, (1, 0), None, Some((1, 1))),
        ];
        let k = critical_fix_time(&ps, t(2, 0), t(10, 0)).against(&targets());
        assert_eq!(k.population, 3);
        // Hours 12, 24, 48: worst 48, median 24.
        assert_eq!(k.value, Some(48.0));
        assert_eq!(k.median, Some(24.0));
        assert_eq!(k.pass, Some(true));
        let k = critical_fix_time(&ps[..2], t(1, 0), t(10, 0));
        // 12 and 48: median 30.
        assert_eq!(k.median, Some(30.0));
        // A patch open for 5 days breaks a 72 h target.
        let k = critical_fix_time(&[patch("X", Severity::Critical, (1, 0), None, None)], t(1, 0), t(6, 0))
            .against(&targets());
        assert_eq!((k.value, k.pass), (Some(120.0), Some(false)));
        assert_eq!(k.misses, vec!["X (120.0 h)"]);
    }

    #[test]
    fn early_warning_passes_on_approval_or_knowledge_by_plan_by() {
        let ev = |id: &str, approved: Option<NaiveDate>, known: Option<NaiveDate>| EolEvent {
            id: id.into(),
            end: date(12, 31),
            plan_by: date(6, 30),
            approved_on: approved,
            known_on: known,
        };
        let k = early_warning(&[
            // Known in March: warned 9 months ahead.
            ev("a/x", None, Some(date(3, 1))),
            // Approved on plan_by.
            ev("b/y", Some(date(6, 30)), Some(date(9, 1))),
            // Known and approved late.
            ev("c/z", Some(date(9, 10)), Some(date(9, 1))),
            // Never known ahead (date unknown until it passed).
            ev("d/w", None, None),
        ])
        .against(&targets());
        assert_eq!((k.numerator, k.population), (Some(2), 4));
        assert_eq!(k.value, Some(50.0));
        assert_eq!(k.misses, vec!["c/z", "d/w"]);
        assert_eq!(k.pass, Some(false));
    }

    #[test]
    fn targets_in_other_units_are_not_judged() {
        let wrong = vec![KpiTarget {
            name: "update_success".into(),
            op: Comparison::AtLeast,
            value: 1.0,
            unit: KpiUnit::Hours,
            text: ">= 1h".into(),
        }];
        let k = update_success(&[("C".into(), Outcome::Success)]).against(&wrong);
        assert_eq!(k.pass, None);
    }
}
