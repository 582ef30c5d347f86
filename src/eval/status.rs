//! End-of-life status of every component (SPEC §5.2): end date, plan_by/finish_by, status,
//! violation, and the action the owner should take next.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::model::time::{Duration, days_between};
use crate::model::{Basis, Component, Cycle, Milestone, Product, Repository, Support, System, version};

/// Component status, worst last so that `max()` gives a system's roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Accepted,
    Unknown,
    Warn,
    Due,
    Eol,
}

impl Status {
    pub const ALL: [Status; 6] =
        [Status::Eol, Status::Due, Status::Warn, Status::Unknown, Status::Accepted, Status::Ok];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Accepted => "accepted",
            Status::Unknown => "unknown",
            Status::Warn => "warn",
            Status::Due => "due",
            Status::Eol => "eol",
        }
    }
}

/// A change that covers a component: an approved replacement or upgrade targeting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub change: String,
    /// Executed and confirmed.
    pub complete: bool,
}

/// An approved exception accepting a component's risk until a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    pub change: String,
    pub until: NaiveDate,
}

/// What approvals say about components, keyed by `(system id, component name)`. Built from the
/// change requests and their verified sign-offs; empty when nothing is approved.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub coverage: HashMap<(String, String), Coverage>,
    pub exceptions: HashMap<(String, String), Exception>,
}

/// Where the end date came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndSource {
    /// The component's own `eol:`.
    Override,
    /// The cycle's `eol`.
    Eol,
    /// The cycle's `extended_support_end`.
    Extended,
}

/// Why the status is what it is, for people (rendered per language) and for JSON (English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    UnknownProduct,
    NoMatchingCycle {
        version: String,
    },
    UnknownCycle {
        cycle: String,
    },
    NotAnnounced,
    EndedDateUnknown,
    Ends {
        end: NaiveDate,
        source: EndSource,
    },
    /// `support: extended` was asked for but the cycle has no extended support date.
    NoExtendedSupport {
        end: NaiveDate,
    },
}

/// What to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Nothing due yet; plan the replacement by this date.
    PlanBy { date: NaiveDate, days: i64 },
    /// No replacement approved and plan_by passed.
    StartReplacement { plan_by: NaiveDate, overdue: i64 },
    /// A replacement is approved; finish it by this date.
    FinishBy { change: String, date: NaiveDate, days: i64 },
    /// finish_by passed and the component still runs the cycle.
    FinishReplacement { finish_by: NaiveDate, overdue: i64 },
    /// The end date passed.
    ReplaceNow { end: Option<NaiveDate>, ago: Option<i64> },
    /// Covered by an approved exception.
    RiskAccepted { change: String, until: NaiveDate },
    /// The status cannot be computed: fix the catalog or the version.
    FixCatalog,
    /// No end date announced: nothing to do.
    Nothing,
}

/// The evaluation of one component.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub system: &'a System,
    pub component: &'a Component,
    pub product: Option<&'a Product>,
    pub cycle: Option<String>,
    pub end: Option<NaiveDate>,
    pub plan_by: Option<NaiveDate>,
    pub finish_by: Option<NaiveDate>,
    /// The status shown: `accepted` when an exception covers it.
    pub status: Status,
    /// The status the dates alone give (differs from `status` only when accepted).
    pub date_status: Status,
    pub violation: bool,
    pub change: Option<String>,
    pub exception: Option<Exception>,
    pub reason: Reason,
    pub action: Action,
    /// The next date that matters, with what it is.
    pub next: Option<(Deadline, NaiveDate)>,
    /// When the cycle was found through the build line of its `latest` (no cycle name matched):
    /// that `latest` version.
    pub build_line: Option<String>,
    /// The cycle's latest release (§5.4), and when it came out, when the catalog says.
    pub latest: Option<String>,
    pub latest_date: Option<NaiveDate>,
    /// Whether the version orders before `latest`; `None` without a cycle or a `latest`.
    pub behind: Option<bool>,
    /// When behind: the last day the policy's `patch_lag_max` allows (`latest_date` + lag); `None`
    /// when not behind, or the lag or the date is unknown.
    pub patch_by: Option<NaiveDate>,
    /// Behind for longer than `patch_lag_max` on a cycle still supported: the finding `patch-behind`.
    pub patch_behind: bool,
}

/// A component's patch level (§5.4): the fields of [`Item`] from `latest` on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatchLevel {
    pub latest: Option<String>,
    pub latest_date: Option<NaiveDate>,
    pub behind: Option<bool>,
    pub patch_by: Option<NaiveDate>,
    pub patch_behind: bool,
}

/// The patch level of `version` on `cycle` at `today`: behind when it orders before the cycle's
/// `latest`; late (`patch_behind`) when still behind after `lag` from `latest_date`, unless the
/// cycle has ended (`status` eol: a replacement is due, not a patch).
pub fn patch_level(
    cycle: Option<&Cycle>,
    version: &str,
    lag: Option<Duration>,
    status: Status,
    today: NaiveDate,
) -> PatchLevel {
    let Some(cycle) = cycle else { return PatchLevel::default() };
    let latest = cycle.latest.as_deref().map(str::trim).filter(|l| !l.is_empty());
    // Some catalogs annotate `latest` ("7 (2009)", "13.0.6500.1 GDR"): its first word is the
    // version. One that is no version at all ("Update 5", "N/A") tells nothing.
    let behind = latest
        .and_then(|l| l.split_whitespace().next())
        .filter(|l| l.trim_start_matches(['v', 'V']).starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| version::compare(version, l) == std::cmp::Ordering::Less);
    let patch_by = match (behind, lag, cycle.latest_date) {
        (Some(true), Some(lag), Some(date)) => lag.after_date(date),
        _ => None,
    };
    PatchLevel {
        latest: latest.map(str::to_string),
        latest_date: cycle.latest_date.filter(|_| latest.is_some()),
        behind,
        patch_by,
        patch_behind: status != Status::Eol && patch_by.is_some_and(|by| today > by),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    PlanBy,
    FinishBy,
    End,
    ExceptionEnds,
}

/// Evaluates every component of every system, sorted by system id then component.
pub fn evaluate<'a>(repo: &'a Repository, today: NaiveDate, links: &Links) -> Vec<Item<'a>> {
    let mut items: Vec<Item<'a>> = repo
        .systems
        .iter()
        .flat_map(|s| s.components.iter().map(move |c| (s, c)))
        .map(|(s, c)| evaluate_one(repo, s, c, today, links))
        .collect();
    items.sort_by(|a, b| {
        (&a.system.id, &a.component.product, &a.component.name).cmp(&(
            &b.system.id,
            &b.component.product,
            &b.component.name,
        ))
    });
    items
}

/// The cycle of a version of `p` (§5.1, then the build line of the cycles' `latest`), with the
/// `latest` version it matched through when it was the build-line rule.
pub fn resolve_cycle(p: &Product, version: &str) -> Option<(usize, Option<String>)> {
    let cycles = p.cycles.iter().map(|x| (x.name.as_str(), x.latest.as_deref()));
    version::resolve_with_latest(version, cycles).map(|(i, rule)| match rule {
        version::Rule::Name => (i, None),
        version::Rule::BuildLine => (i, p.cycles[i].latest.clone()),
    })
}

/// What a version of a product would be at `today` with no approvals: the status of an observed
/// package the inventory does not declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub cycle: Option<String>,
    pub end: Option<NaiveDate>,
    pub build_line: Option<String>,
}

pub fn verdict(repo: &Repository, system: &System, component: &Component, today: NaiveDate) -> Verdict {
    let item = evaluate_one(repo, system, component, today, &Links::default());
    Verdict { status: item.date_status, cycle: item.cycle, end: item.end, build_line: item.build_line }
}

fn end_of<'a>(
    repo: &'a Repository,
    c: &Component,
) -> (Option<&'a Product>, Option<String>, Result<Milestone, Reason>, Option<EndSource>) {
    let product = repo.products.get(&c.product);
    let cycle = product.and_then(|p| match &c.cycle {
        Some(name) => p.cycles.iter().find(|x| &x.name == name),
        None => resolve_cycle(p, &c.version).map(|(i, _)| &p.cycles[i]),
    });
    let cycle_name = cycle.map(|x| x.name.clone());
    if let Some(e) = c.eol {
        return (product, cycle_name, Ok(Milestone::Date(e)), Some(EndSource::Override));
    }
    let Some(p) = product else {
        return (None, None, Err(Reason::UnknownProduct), None);
    };
    let Some(cycle) = cycle else {
        let reason = match &c.cycle {
            Some(name) => Reason::UnknownCycle { cycle: name.clone() },
            None => Reason::NoMatchingCycle { version: c.version.clone() },
        };
        return (Some(p), None, Err(reason), None);
    };
    let wants_extended = c.support == Support::Extended || repo.policy.eol.basis == Basis::Extended;
    if wants_extended && cycle.extended_support_end != Milestone::None {
        return (Some(p), cycle_name, Ok(cycle.extended_support_end), Some(EndSource::Extended));
    }
    (Some(p), cycle_name, Ok(cycle.eol), Some(EndSource::Eol))
}

/// A component's end and date status on `today` without approvals: what the ledger compares before
/// and after a commit (SPEC §4.5). The end is `None` when the status is `unknown`.
pub fn standing(repo: &Repository, system: &System, component: &Component, today: NaiveDate) -> Standing {
    let item = evaluate_one(repo, system, component, today, &Links::default());
    let end = match item.reason {
        Reason::UnknownProduct | Reason::NoMatchingCycle { .. } | Reason::UnknownCycle { .. } => None,
        Reason::NotAnnounced => Some(Milestone::None),
        Reason::EndedDateUnknown => Some(Milestone::Passed),
        Reason::Ends { end, .. } | Reason::NoExtendedSupport { end } => Some(Milestone::Date(end)),
    };
    Standing { end, status: item.date_status, cycle: item.cycle }
}

/// See [`standing`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub end: Option<Milestone>,
    pub status: Status,
    pub cycle: Option<String>,
}

impl Standing {
    /// Whether `after` is the same component with a later (or withdrawn) end date that improves its
    /// status, or a lost end date that hides a status past `ok`: an end-date move (SPEC §4.5).
    pub fn improved_by(&self, after: &Standing) -> bool {
        let rank = |m: Milestone| match m {
            Milestone::Passed => (0, None),
            Milestone::Date(d) => (1, Some(d)),
            Milestone::None => (2, None),
        };
        match (self.end, after.end) {
            (Some(old), Some(new)) => rank(new) > rank(old) && after.status < self.status,
            (Some(_), None) => self.status > Status::Ok,
            _ => false,
        }
    }
}

/// The status the end date alone gives at `today`, with the end date and the reason.
fn date_status(
    end: Result<Milestone, Reason>,
    source: Option<EndSource>,
    component: &Component,
    eol: &crate::model::EolPolicy,
    today: NaiveDate,
) -> (Status, Option<NaiveDate>, Reason) {
    match end {
        Err(reason) => (Status::Unknown, None, reason),
        Ok(Milestone::None) => (Status::Ok, None, Reason::NotAnnounced),
        Ok(Milestone::Passed) => (Status::Eol, None, Reason::EndedDateUnknown),
        Ok(Milestone::Date(e)) => {
            let plan_by = eol.plan_before.before(e).unwrap_or(e);
            let finish_by = eol.finish_before.before(e).unwrap_or(e);
            let status = if today >= e {
                Status::Eol
            } else if today >= finish_by {
                Status::Due
            } else if today >= plan_by {
                Status::Warn
            } else {
                Status::Ok
            };
            let source = source.unwrap_or(EndSource::Eol);
            let reason = if component.support == Support::Extended
                && source == EndSource::Eol
                && component.eol.is_none()
            {
                Reason::NoExtendedSupport { end: e }
            } else {
                Reason::Ends { end: e, source }
            };
            (status, Some(e), reason)
        }
    }
}

fn evaluate_one<'a>(
    repo: &'a Repository,
    system: &'a System,
    component: &'a Component,
    today: NaiveDate,
    links: &Links,
) -> Item<'a> {
    let key = (system.id.clone(), component.name.clone());
    let coverage = links.coverage.get(&key);
    let exception = links.exceptions.get(&key).filter(|e| e.until >= today).cloned();
    let (product, cycle, end, source) = end_of(repo, component);
    let eol = &repo.policy.eol;

    let (date_status, end_date, reason) = date_status(end, source, component, eol, today);
    let plan_by = end_date.and_then(|e| eol.plan_before.before(e));
    let finish_by = end_date.and_then(|e| eol.finish_before.before(e));

    let accepted = exception.is_some() && date_status != Status::Ok;
    let status = if accepted { Status::Accepted } else { date_status };
    let violation = match date_status {
        Status::Warn => coverage.is_none() && !accepted,
        Status::Due => !coverage.is_some_and(|c| c.complete) && !accepted,
        Status::Eol => !accepted,
        _ => false,
    };

    let days = |d: NaiveDate| days_between(today, d);
    let (action, next) = match (date_status, &exception) {
        (Status::Unknown, _) => (Action::FixCatalog, None),
        (Status::Ok, _) => match plan_by {
            Some(p) => (Action::PlanBy { date: p, days: days(p) }, Some((Deadline::PlanBy, p))),
            None => (Action::Nothing, None),
        },
        (_, Some(ex)) if accepted => (
            Action::RiskAccepted { change: ex.change.clone(), until: ex.until },
            Some((Deadline::ExceptionEnds, ex.until)),
        ),
        (Status::Warn, _) => {
            let f = finish_by.unwrap_or(today);
            match coverage {
                Some(c) => (
                    Action::FinishBy { change: c.change.clone(), date: f, days: days(f) },
                    Some((Deadline::FinishBy, f)),
                ),
                None => {
                    let p = plan_by.unwrap_or(today);
                    (
                        Action::StartReplacement { plan_by: p, overdue: -days(p) },
                        Some((Deadline::FinishBy, f)),
                    )
                }
            }
        }
        (Status::Due, _) => {
            let f = finish_by.unwrap_or(today);
            let e = end_date.unwrap_or(today);
            match coverage {
                Some(c) if !c.complete => (
                    Action::FinishBy { change: c.change.clone(), date: e, days: days(e) },
                    Some((Deadline::End, e)),
                ),
                _ => {
                    (Action::FinishReplacement { finish_by: f, overdue: -days(f) }, Some((Deadline::End, e)))
                }
            }
        }
        _ => (Action::ReplaceNow { end: end_date, ago: end_date.map(|e| -days(e)) }, None),
    };

    let cycle_of = product.and_then(|p| p.cycles.iter().find(|x| Some(&x.name) == cycle.as_ref()));
    let patch =
        patch_level(cycle_of, &component.version, repo.policy.rules.patch_lag_max, date_status, today);
    Item {
        system,
        component,
        product,
        cycle,
        end: end_date,
        plan_by,
        finish_by,
        status,
        date_status,
        violation,
        change: coverage.map(|c| c.change.clone()),
        exception,
        reason,
        action,
        next,
        build_line: product
            .filter(|_| component.cycle.is_none())
            .and_then(|p| resolve_cycle(p, &component.version))
            .and_then(|(_, latest)| latest),
        latest: patch.latest,
        latest_date: patch.latest_date,
        behind: patch.behind,
        patch_by: patch.patch_by,
        patch_behind: patch.patch_behind,
    }
}

/// Counts of a set of items, as in `check`'s summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub systems: usize,
    pub components: usize,
    pub ok: usize,
    pub warn: usize,
    pub due: usize,
    pub eol: usize,
    pub unknown: usize,
    pub accepted: usize,
    pub violations: usize,
    /// Security deadlines shown (§5.3), and how many of them are overdue.
    pub advisories: usize,
    pub advisories_overdue: usize,
}

impl Summary {
    pub fn of(items: &[Item]) -> Summary {
        let mut s = Summary { components: items.len(), ..Summary::default() };
        let mut systems: Vec<&str> = items.iter().map(|i| i.system.id.as_str()).collect();
        systems.dedup();
        s.systems = systems.len();
        for i in items {
            *match i.status {
                Status::Ok => &mut s.ok,
                Status::Warn => &mut s.warn,
                Status::Due => &mut s.due,
                Status::Eol => &mut s.eol,
                Status::Unknown => &mut s.unknown,
                Status::Accepted => &mut s.accepted,
            } += 1;
            s.violations += i.violation as usize;
        }
        s
    }

    pub fn count(&self, status: Status) -> usize {
        match status {
            Status::Ok => self.ok,
            Status::Warn => self.warn,
            Status::Due => self.due,
            Status::Eol => self.eol,
            Status::Unknown => self.unknown,
            Status::Accepted => self.accepted,
        }
    }
}

/// A system's status: its worst component's.
pub fn roll_up(items: &[Item]) -> Status {
    items.iter().map(|i| i.status).max().unwrap_or(Status::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_blobs;
    use crate::model::Settings;

    fn d(s: &str) -> NaiveDate {
        crate::model::time::parse_date(s).unwrap()
    }

    fn cycle(latest: Option<&str>, latest_date: Option<&str>) -> Cycle {
        Cycle {
            name: "7.2".into(),
            released: None,
            active_support_end: Milestone::None,
            eol: Milestone::None,
            extended_support_end: Milestone::None,
            lts: false,
            latest: latest.map(str::to_string),
            latest_date: latest_date.map(d),
            origin: crate::diag::Origin::file("inventory/products/redis.yaml"),
        }
    }

    fn behind(version: &str, latest: &str) -> Option<bool> {
        let c = cycle(Some(latest), None);
        patch_level(Some(&c), version, None, Status::Ok, d("2024-09-01")).behind
    }

    /// `behind` is the version ordering of SPEC §5.4: before `latest` is behind; equal (however
    /// written) or after is not; pre-releases order before their release; build numbers compare
    /// numerically.
    #[test]
    fn behind_follows_version_order() {
        assert_eq!(behind("7.2.0", "7.2.16"), Some(true));
        assert_eq!(behind("7.2.9", "7.2.16"), Some(true), "numbers, not text");
        assert_eq!(behind("7.2.16", "7.2.16"), Some(false));
        assert_eq!(behind("v7.2.16", "7.2.16"), Some(false), "a leading v is dropped");
        assert_eq!(behind("7.2.16+build.5", "7.2.16"), Some(false), "build metadata does not order");
        assert_eq!(behind("7.2.17", "7.2.16"), Some(false), "ahead of the catalog");
        assert_eq!(behind("7.2.16-rc1", "7.2.16"), Some(true), "a pre-release is before its release");
        assert_eq!(behind("7.2.16", "7.2.16-rc2"), Some(false));
        assert_eq!(behind("8u202", "8u501"), Some(true));
        assert_eq!(behind("3.0.2", "3.0.21"), Some(true));
        assert_eq!(behind("1.1.1k", "1.1.1w"), Some(true), "OpenSSL letter releases");
        assert_eq!(behind("1.1.1w", "1.1.1w"), Some(false));
        assert_eq!(behind("10.0.17763.5458", "10.0.17763.6893"), Some(true), "a build line");
        assert_eq!(behind("10.0.17763.6893", "10.0.17763.6893"), Some(false));
        assert_eq!(behind("10.0.17763.7000", "10.0.17763.6893"), Some(false));
        // endoflife.date's annotated `latest` values compare by their first word.
        assert_eq!(behind("7.9.2009", "7 (2009)"), Some(false), "CentOS 7's latest is 7.9.2009");
        assert_eq!(behind("13.0.6300.2", "13.0.6500.1 GDR"), Some(true));
        assert_eq!(behind("15.0.4480.2", "15.0.4480.2 CU32+GDR"), Some(false));
        assert_eq!(behind("7.0", "Update 5"), None, "not a version: nothing known");
        assert_eq!(behind("7.0", "N/A"), None);
        assert_eq!(behind("1.0", "v2.0"), Some(true));
    }

    /// Without a cycle, or a cycle without `latest` (or an empty one), nothing is known.
    #[test]
    fn no_cycle_or_no_latest_is_unknown() {
        let today = d("2024-09-01");
        let lag = Duration::parse("3mo").ok();
        assert_eq!(patch_level(None, "7.2.0", lag, Status::Unknown, today), PatchLevel::default());
        let none = patch_level(Some(&cycle(None, Some("2024-01-01"))), "7.2.0", lag, Status::Ok, today);
        assert_eq!(none, PatchLevel::default(), "no latest: no date, no judgement either");
        let empty = patch_level(Some(&cycle(Some(" "), None)), "7.2.0", lag, Status::Ok, today);
        assert_eq!(empty.behind, None);
    }

    /// `patch-behind` starts the day after `latest_date` + `patch_lag_max`: exactly at the lag is
    /// still in time, one day over is late.
    #[test]
    fn patch_behind_boundary() {
        let c = cycle(Some("7.2.7"), Some("2024-10-02"));
        let lag = Duration::parse("3mo").ok();
        let at = |today: &str| patch_level(Some(&c), "7.2.0", lag, Status::Ok, d(today));
        let on_time = at("2025-01-02");
        assert_eq!(
            on_time,
            PatchLevel {
                latest: Some("7.2.7".into()),
                latest_date: Some(d("2024-10-02")),
                behind: Some(true),
                patch_by: Some(d("2025-01-02")),
                patch_behind: false,
            }
        );
        assert!(at("2025-01-03").patch_behind, "one day over the lag");
        assert!(!at("2024-09-01").patch_behind, "before the latest release itself");
        let days = Duration::parse("15d").ok();
        assert!(patch_level(Some(&c), "7.2.0", days, Status::Warn, d("2024-10-18")).patch_behind);
        assert!(!patch_level(Some(&c), "7.2.0", days, Status::Due, d("2024-10-17")).patch_behind);
    }

    /// Not behind, no lag in the policy, no release date, or a cycle that has ended: never late.
    #[test]
    fn patch_behind_needs_lag_date_and_a_supported_cycle() {
        let today = d("2026-01-01");
        let lag = Duration::parse("1w").ok();
        let c = cycle(Some("7.2.7"), Some("2024-10-02"));
        let current = patch_level(Some(&c), "7.2.7", lag, Status::Ok, today);
        assert_eq!((current.behind, current.patch_by, current.patch_behind), (Some(false), None, false));
        let no_lag = patch_level(Some(&c), "7.2.0", None, Status::Ok, today);
        assert_eq!((no_lag.behind, no_lag.patch_by, no_lag.patch_behind), (Some(true), None, false));
        let undated = cycle(Some("7.2.7"), None);
        let no_date = patch_level(Some(&undated), "7.2.0", lag, Status::Ok, today);
        assert_eq!((no_date.behind, no_date.patch_by, no_date.patch_behind), (Some(true), None, false));
        let ended = patch_level(Some(&c), "7.2.0", lag, Status::Eol, today);
        assert_eq!((ended.patch_by, ended.patch_behind), (Some(d("2024-10-09")), false));
        for s in [Status::Ok, Status::Warn, Status::Due, Status::Accepted] {
            assert!(patch_level(Some(&c), "7.2.0", lag, s, today).patch_behind, "{s:?}");
        }
    }

    const PRODUCT: &str = "product: redis\ncycles:\n  - {cycle: \"7.2\", eol: 2029-12-01, latest: \"7.2.16\", latest_date: 2026-08-17}\n  - {cycle: \"6.2\", eol: 2027-04-01, latest: \"6.2.20\"}\nlocal:\n  - {cycle: \"6.2\", latest: \"6.2.21\", latest_date: 2026-09-01}\n";

    fn repo(system: &str, policy: &str) -> crate::load::Loaded {
        let files = vec![
            ("inventory/products/redis.yaml".to_string(), PRODUCT.as_bytes().to_vec()),
            ("inventory/systems/s.yaml".to_string(), system.as_bytes().to_vec()),
            ("policies/p.yaml".to_string(), policy.as_bytes().to_vec()),
        ];
        let loaded = load_blobs(Settings::default(), files);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded
    }

    /// Through the loader: the cycle's `latest` and `latest_date` (a `local:` entry's replacing
    /// the catalog's), the component's cycle override, an `eol` override that keeps the cycle,
    /// and a component without a cycle.
    #[test]
    fn items_carry_the_patch_level_of_their_cycle() {
        // Sorted by product, then name: nginx first.
        let system = "id: s\nowner: o\ncriticality: low\ncomponents:\n  - {name: a, product: redis, version: 7.2.4}\n  - {name: b, product: redis, version: 6.2.14, eol: 2024-12-31}\n  - {name: c, product: redis, version: 8.0.1, cycle: \"7.2\"}\n  - {name: d, product: redis, version: 5.0.1}\n  - {name: e, product: nginx, version: 1.0.0}\n";
        let loaded = repo(system, "rules:\n  patch_lag_max: 10d\n");
        let items = evaluate(&loaded.repo, d("2026-08-28"), &Links::default());
        let got: Vec<_> = items
            .iter()
            .map(|i| {
                (i.component.name.as_str(), i.latest.as_deref(), i.latest_date, i.behind, i.patch_behind)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("e", None, None, None, false),
                ("a", Some("7.2.16"), Some(d("2026-08-17")), Some(true), true),
                ("b", Some("6.2.21"), Some(d("2026-09-01")), Some(true), false),
                ("c", Some("7.2.16"), Some(d("2026-08-17")), Some(false), false),
                ("d", None, None, None, false),
            ]
        );
        assert_eq!(items[1].patch_by, Some(d("2026-08-27")));
        assert_eq!(items[2].status, Status::Eol, "the override ended it: a replacement, not a patch");
    }

    /// A `patch_lag_max` that is not a duration is an error at its place, with a hint.
    #[test]
    fn a_bad_patch_lag_max_is_located() {
        let files = vec![(
            "policies/p.yaml".to_string(),
            b"rules:\n  require_backup: true\n  patch_lag_max: 3 months\n".to_vec(),
        )];
        let loaded = load_blobs(Settings::default(), files);
        let d = &loaded.diagnostics[0];
        assert_eq!(
            (d.code, d.origin.path.as_str(), d.origin.line, d.origin.col),
            ("bad-duration", "policies/p.yaml", 3, 18)
        );
        assert!(d.hint.as_deref().is_some_and(|h| h.contains("3mo") || h.contains("6mo")), "{:?}", d.hint);
        assert!(loaded.repo.policy.rules.patch_lag_max.is_none());
    }

    /// The words of the statuses in files and JSON.
    #[test]
    fn statuses_have_their_json_words() {
        let words: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(words, ["eol", "due", "warn", "unknown", "accepted", "ok"]);
    }

    /// The extended support date is used when the component asks for it or the policy's basis is
    /// `extended`, and only when the cycle has one (SPEC §5.2).
    #[test]
    fn extended_support_needs_asking_and_a_date() {
        let product = "product: foo\ncycles:\n  - {cycle: \"1\", eol: 2025-01-01, extended_support_end: 2028-01-01}\n  - {cycle: \"2\", eol: 2026-01-01}\n";
        let system = "id: s\nowner: o\ncriticality: low\ncomponents:\n  - {name: a, product: foo, version: \"1.1\"}\n  - {name: b, product: foo, version: \"1.1\", support: extended}\n  - {name: c, product: foo, version: \"2.1\", support: extended}\n";
        let ends = |policy: &str| -> Vec<Option<NaiveDate>> {
            let files = vec![
                ("inventory/products/foo.yaml".to_string(), product.as_bytes().to_vec()),
                ("inventory/systems/s.yaml".to_string(), system.as_bytes().to_vec()),
                ("policies/p.yaml".to_string(), policy.as_bytes().to_vec()),
            ];
            let loaded = load_blobs(Settings::default(), files);
            assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
            evaluate(&loaded.repo, d("2024-09-01"), &Links::default()).iter().map(|i| i.end).collect()
        };
        let (eol1, ext1, eol2) = (Some(d("2025-01-01")), Some(d("2028-01-01")), Some(d("2026-01-01")));
        assert_eq!(ends("eol: {basis: eol}\n"), [eol1, ext1, eol2]);
        assert_eq!(ends("eol: {basis: extended}\n"), [ext1, ext1, eol2]);
    }

    /// An end-date move (SPEC §4.5): a later or withdrawn end that improves the status, or a lost
    /// end that hides a status past `ok`.
    #[test]
    fn improvements_are_later_ends_with_better_statuses() {
        let at = |end: Option<Milestone>, status: Status| Standing { end, status, cycle: None };
        let date = |s: &str| Some(Milestone::Date(d(s)));
        let warn = at(date("2024-12-31"), Status::Warn);
        assert!(warn.improved_by(&at(date("2027-12-31"), Status::Ok)));
        assert!(warn.improved_by(&at(Some(Milestone::None), Status::Ok)), "withdrawn");
        assert!(!warn.improved_by(&at(date("2025-01-31"), Status::Warn)), "later, same status");
        assert!(!warn.improved_by(&at(date("2024-10-31"), Status::Ok)), "earlier");
        assert!(!warn.improved_by(&at(date("2024-12-31"), Status::Ok)), "the same end: a policy change");
        assert!(at(Some(Milestone::Passed), Status::Eol).improved_by(&at(date("2030-01-01"), Status::Ok)));
        assert!(warn.improved_by(&at(None, Status::Unknown)), "the end lost");
        assert!(!at(date("2030-01-01"), Status::Ok).improved_by(&at(None, Status::Unknown)));
        assert!(!at(None, Status::Unknown).improved_by(&at(date("2030-01-01"), Status::Ok)));
    }

    /// Items of one system `s` over product `foo` (`cycles` and `components` in flow YAML) under
    /// the 6mo/3mo policy, at `today`, with `links`.
    fn foo_items(cycles: &str, components: &str, today: &str, links: &Links) -> Vec<(String, Item<'static>)> {
        let files = vec![
            (
                "inventory/products/foo.yaml".to_string(),
                format!("product: foo\ncycles: {cycles}\n").into_bytes(),
            ),
            (
                "inventory/systems/s.yaml".to_string(),
                format!("id: s\nowner: o\ncriticality: low\ncomponents: {components}\n").into_bytes(),
            ),
            ("policies/p.yaml".to_string(), b"eol: {plan_before: 6mo, finish_before: 3mo}\n".to_vec()),
        ];
        let loaded = load_blobs(Settings::default(), files);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let repo: &'static Repository = Box::leak(Box::new(loaded.repo));
        evaluate(repo, d(today), links).into_iter().map(|i| (i.component.name.clone(), i)).collect()
    }

    /// SPEC §5.2's table at its boundaries: plan_by and finish_by start `warn` and `due` on the day,
    /// the end date is `eol` on the day; `eol: true` is `eol` without a date; no date is `ok`.
    #[test]
    fn statuses_change_on_their_days() {
        let cycles = r#"[{cycle: "1", eol: 2025-03-01}, {cycle: "2", eol: true}, {cycle: "3", eol: false}]"#;
        let one = r#"[{name: a, product: foo, version: "1.0"}]"#;
        let status = |today: &str| foo_items(cycles, one, today, &Links::default())[0].1.date_status;
        let days = [
            ("2024-08-31", Status::Ok),
            ("2024-09-01", Status::Warn),
            ("2024-11-30", Status::Warn),
            ("2024-12-01", Status::Due),
            ("2025-02-28", Status::Due),
            ("2025-03-01", Status::Eol),
        ];
        for (today, expected) in days {
            assert_eq!(status(today), expected, "{today}");
        }
        let items = foo_items(
            cycles,
            r#"[{name: a, product: foo, version: "1.0"}, {name: b, product: foo, version: "2.0"}, {name: c, product: foo, version: "3.0"},
                {name: u, product: foo, version: "9.0"}]"#,
            "2024-09-01",
            &Links::default(),
        );
        assert_eq!(
            (items[1].1.status, &items[1].1.reason, items[1].1.end),
            (Status::Eol, &Reason::EndedDateUnknown, None)
        );
        assert_eq!(
            (items[2].1.status, &items[2].1.reason, &items[2].1.action),
            (Status::Ok, &Reason::NotAnnounced, &Action::Nothing)
        );
        let u = &items[3].1;
        assert_eq!((u.status, &u.action, u.next), (Status::Unknown, &Action::FixCatalog, None));
        let a = &items[0].1;
        assert_eq!(
            (a.plan_by, a.finish_by, a.end),
            (Some(d("2024-09-01")), Some(d("2024-12-01")), Some(d("2025-03-01")))
        );
    }

    /// Where the end date came from: the cycle, the component's override, or the cycle's `eol`
    /// when `support: extended` finds no extended date (said in the reason).
    #[test]
    fn reasons_name_the_source_of_the_end() {
        let cycles = r#"[{cycle: "1", eol: 2025-03-01}]"#;
        let components = r#"[{name: a, product: foo, version: "1.0"}, {name: b, product: foo, version: "1.0", support: extended},
            {name: c, product: foo, version: "1.0", eol: 2026-01-01}, {name: d, product: foo, version: "1.0", support: extended, eol: 2026-01-01}]"#;
        let items = foo_items(cycles, components, "2024-01-01", &Links::default());
        let reasons: Vec<&Reason> = items.iter().map(|(_, i)| &i.reason).collect();
        let (e, o) = (d("2025-03-01"), d("2026-01-01"));
        assert_eq!(
            reasons,
            [
                &Reason::Ends { end: e, source: EndSource::Eol },
                &Reason::NoExtendedSupport { end: e },
                &Reason::Ends { end: o, source: EndSource::Override },
                &Reason::Ends { end: o, source: EndSource::Override },
            ]
        );
    }

    fn links(coverage: &[(&str, bool)], exceptions: &[(&str, &str)]) -> Links {
        let key = |c: &str| ("s".to_string(), c.to_string());
        Links {
            coverage: coverage
                .iter()
                .map(|(c, complete)| (key(c), Coverage { change: format!("CHG-{c}"), complete: *complete }))
                .collect(),
            exceptions: exceptions
                .iter()
                .map(|(c, until)| (key(c), Exception { change: format!("EXC-{c}"), until: d(until) }))
                .collect(),
        }
    }

    /// Violations, acceptance and the next action (SPEC §5.2): `warn` is a violation without an
    /// approved replacement, `due` without a complete one, `eol` unless accepted; an exception
    /// accepts until its last day and never turns `ok` into `accepted`.
    #[test]
    fn violations_exceptions_and_actions() {
        let cycles = r#"[{cycle: "1", eol: 2025-03-01}]"#;
        let components = r#"[{name: a, product: foo, version: "1.0"}, {name: b, product: foo, version: "1.0"},
            {name: c, product: foo, version: "1.0"}, {name: d, product: foo, version: "1.0"}]"#;
        let at = |today: &str, l: &Links| -> Vec<(Status, bool, Action)> {
            foo_items(cycles, components, today, l)
                .into_iter()
                .map(|(_, i)| (i.status, i.violation, i.action))
                .collect()
        };
        // warn (2024-10-01): a has nothing, b an approved replacement, c an exception.
        let l = links(&[("b", false)], &[("c", "2024-10-01")]);
        let (p, f) = (d("2024-09-01"), d("2024-12-01"));
        assert_eq!(
            at("2024-10-01", &l),
            [
                (Status::Warn, true, Action::StartReplacement { plan_by: p, overdue: 30 }),
                (Status::Warn, false, Action::FinishBy { change: "CHG-b".into(), date: f, days: 61 }),
                (
                    Status::Accepted,
                    false,
                    Action::RiskAccepted { change: "EXC-c".into(), until: d("2024-10-01") }
                ),
                (Status::Warn, true, Action::StartReplacement { plan_by: p, overdue: 30 }),
            ]
        );
        assert_eq!(at("2024-10-02", &l)[2].0, Status::Warn, "the exception ended the day before");
        // due (2024-12-11): a has nothing, b an unfinished replacement, c a complete one, d an exception.
        let l = links(&[("b", false), ("c", true)], &[("d", "2025-01-01")]);
        let e = d("2025-03-01");
        assert_eq!(
            at("2024-12-11", &l),
            [
                (Status::Due, true, Action::FinishReplacement { finish_by: f, overdue: 10 }),
                (Status::Due, true, Action::FinishBy { change: "CHG-b".into(), date: e, days: 80 }),
                (Status::Due, false, Action::FinishReplacement { finish_by: f, overdue: 10 }),
                (
                    Status::Accepted,
                    false,
                    Action::RiskAccepted { change: "EXC-d".into(), until: d("2025-01-01") }
                ),
            ]
        );
        // eol (2025-03-11): covered or not, a violation unless accepted.
        let l = links(&[("a", true)], &[("b", "2025-06-01")]);
        let got = at("2025-03-11", &l);
        assert_eq!(got[0], (Status::Eol, true, Action::ReplaceNow { end: Some(e), ago: Some(10) }));
        assert_eq!((got[1].0, got[1].1), (Status::Accepted, false));
        // ok (2024-06-01): an exception does not make it accepted; the action is to plan.
        let l = links(&[], &[("a", "2025-06-01")]);
        let got = at("2024-06-01", &l);
        assert_eq!(got[0], (Status::Ok, false, Action::PlanBy { date: p, days: 92 }));
    }

    /// The summary counts systems once, every status and every violation.
    #[test]
    fn summaries_count_statuses_and_violations() {
        let cycles = r#"[{cycle: "1", eol: 2025-03-01}, {cycle: "2", eol: true}]"#;
        let components = r#"[{name: a, product: foo, version: "1.0"}, {name: b, product: foo, version: "2.0"},
            {name: c, product: foo, version: "2.0"}, {name: d, product: foo, version: "9.0"}]"#;
        let l = links(&[], &[("c", "2025-01-01")]);
        let items: Vec<Item> =
            foo_items(cycles, components, "2024-10-01", &l).into_iter().map(|(_, i)| i).collect();
        let s = Summary::of(&items);
        let expected = Summary {
            systems: 1,
            components: 4,
            warn: 1,
            eol: 1,
            accepted: 1,
            unknown: 1,
            violations: 2,
            ..Summary::default()
        };
        assert_eq!(s, expected);
        let counts: Vec<usize> = Status::ALL.iter().map(|st| s.count(*st)).collect();
        assert_eq!(counts, [1, 0, 1, 1, 1, 0]);
        assert_eq!(roll_up(&items), Status::Eol);
        assert_eq!(Summary::of(&items[..1]).count(Status::Warn), 1);
        assert_eq!(Summary::of(&[]).count(Status::Ok), 0);
    }
}
