//! The non-compliance register (SPEC §8.1): every deviation of the period, or still open at its end,
//! with the management response that answers it (a change or an exception), or none.
//!
//! One component is listed once per deviation that is its own: an approval that came after
//! `plan_by`, a completion after `finish_by`, an end of life reached unaddressed. While a component
//! is still open at the period's end, only its furthest deviation is listed (an end-of-life component
//! is `eol-unaddressed`, not also late in approval and completion).

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::chains::Chains;
use super::history::Trail;
use super::{ChangeEntry, Period};
use crate::eval::advisories::SecurityItem;
use crate::eval::status::{self, Status};
use crate::model::{Outcome, Repository};

/// One deviation.
#[derive(Debug, Clone, Serialize)]
pub struct Deviation {
    pub code: &'static str,
    pub system: Option<String>,
    pub component: Option<String>,
    pub change: Option<String>,
    pub advisory: Option<String>,
    /// The deadline: a date, or an instant for security deadlines (RFC 3339).
    pub due: Option<String>,
    /// When it was met at last; none while it is still open at the period's end.
    pub actual: Option<String>,
    /// Days from `due` to `actual`, or to the period's last day while open.
    pub days_late: Option<i64>,
    /// The change or exception answering it; none: no response recorded.
    pub response: Option<String>,
    /// For a finding on history: the file and line it points at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The finding's own words (English, like every message of `verify`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Deviation {
    fn new(code: &'static str) -> Deviation {
        Deviation {
            code,
            system: None,
            component: None,
            change: None,
            advisory: None,
            due: None,
            actual: None,
            days_late: None,
            response: None,
            at: None,
            detail: None,
        }
    }

    fn on(mut self, i: &status::Item) -> Deviation {
        self.system = Some(i.system.id.clone());
        self.component = Some(i.component.name.clone());
        self
    }

    /// Due on `due`, met on `actual` (or open at `last`).
    fn dated(mut self, due: NaiveDate, actual: Option<NaiveDate>, last: NaiveDate) -> Deviation {
        self.due = Some(due.to_string());
        self.actual = actual.map(|a| a.to_string());
        self.days_late = Some((actual.unwrap_or(last) - due).num_days());
        self
    }
}

/// The codes of the execution and approval rules (§3.3, §4.5) listed as deviations of the period.
const RULES: &[&str] = &[
    "no-backup",
    "gray-not-passed",
    "late-notice",
    "outside-window",
    "executor-is-supervisor",
    "self-approval",
    "executed-before-approval",
    "late-retroactive-approval",
    "exception-too-long",
];

/// The ledger's findings on history (§4.5) that a commit of the period raised.
const LEDGER: &[&str] = &[
    "unapproved-version-change",
    "unapproved-inventory-change",
    "unapproved-removal",
    "unapproved-addition",
    "unapproved-eol-move",
    "unapproved-policy-change",
    "invalid-file",
];

pub struct Inputs<'a> {
    pub trail: &'a Trail<'a>,
    pub chains: &'a Chains,
    pub repo: &'a Repository,
    pub period: Period,
    pub end: &'a [status::Item<'a>],
    pub start: &'a [status::Item<'a>],
    pub security: &'a [SecurityItem],
    pub requests: &'a [ChangeEntry],
    pub missed: &'a [super::MissedRun],
    /// (system, component, version) → when the line first moved the component off that version.
    pub moved_off: std::collections::HashMap<(String, String, String), DateTime<FixedOffset>>,
}

/// The first move of each component off each version, from the walk's version moves.
pub fn moved_off(
    trail: &Trail,
) -> std::collections::HashMap<(String, String, String), DateTime<FixedOffset>> {
    let mut out = std::collections::HashMap::new();
    for m in &trail.moves {
        out.entry((m.system.clone(), m.component.clone(), m.from.clone())).or_insert(m.at);
    }
    out
}

impl Inputs<'_> {
    fn day(&self, t: DateTime<FixedOffset>) -> NaiveDate {
        t.with_timezone(&self.trail.settings.timezone).date_naive()
    }

    fn in_period(&self, t: DateTime<FixedOffset>) -> bool {
        self.period.contains(&self.trail.bounds, t)
    }

    fn before_end(&self, t: DateTime<FixedOffset>) -> bool {
        t < self.trail.bounds.1
    }

    /// When the component left `version` by its covering change: the report's finish when it
    /// succeeded, else the commit that moved the inventory.
    fn completed(&self, i: &status::Item, change: Option<&str>) -> Option<DateTime<FixedOffset>> {
        let report = change.and_then(|id| self.chains.get(id)).and_then(|c| c.change.report.as_ref());
        let finished = report.filter(|r| r.outcome == Outcome::Success).and_then(|r| r.finished_at);
        let key = (i.system.id.clone(), i.component.name.clone(), i.component.version.clone());
        let moved = self.moved_off.get(&key).copied();
        finished.or(moved).filter(|t| self.before_end(*t))
    }

    /// The exception answering a component, if any was approved.
    fn exception(&self, i: &status::Item) -> Option<String> {
        i.exception
            .as_ref()
            .map(|e| e.change.clone())
            .or_else(|| self.chains.exception(self.repo, &i.system.id, &i.component.name))
    }
}

/// Late approval and late completion of one component (its state at the period's start or end).
fn deadlines(x: &Inputs, i: &status::Item, out: &mut Vec<Deviation>) {
    let last = x.period.to;
    let change = x.chains.covering(x.repo, &i.system.id, &i.component.name, &i.component.version);
    let approved = change.as_deref().and_then(|id| x.chains.approved_at(id)).filter(|t| x.before_end(*t));
    let completed = x.completed(i, change.as_deref());
    let open_eol = completed.is_none() && i.date_status == Status::Eol;
    if let Some(plan_by) = i.plan_by.filter(|p| *p <= last) {
        let late = match approved {
            Some(a) => x.in_period(a) && x.day(a) > plan_by,
            // Still open: listed as late in approval until its completion is late too.
            None => !open_eol && completed.is_none() && i.finish_by.is_none_or(|f| f > last),
        };
        if late {
            let mut d =
                Deviation::new("late-approval").on(i).dated(plan_by, approved.map(|a| x.day(a)), last);
            d.change = change.clone().filter(|_| approved.is_some());
            d.response = d.change.clone().or_else(|| x.exception(i));
            out.push(d);
        }
    }
    if let Some(finish_by) = i.finish_by.filter(|f| *f <= last) {
        let late = match completed {
            Some(c) => x.in_period(c) && x.day(c) > finish_by,
            None => !open_eol,
        };
        if late {
            let mut d =
                Deviation::new("late-completion").on(i).dated(finish_by, completed.map(|c| x.day(c)), last);
            d.change = change.clone();
            d.response = change.or_else(|| x.exception(i));
            out.push(d);
        }
    }
}

/// End-of-life components at the period's end with neither a complete change nor an exception.
fn unaddressed(x: &Inputs, i: &status::Item) -> Option<Deviation> {
    if i.date_status != Status::Eol || i.status == Status::Accepted {
        return None;
    }
    let change = x.chains.covering(x.repo, &i.system.id, &i.component.name, &i.component.version);
    if x.completed(i, change.as_deref()).is_some() {
        return None;
    }
    let mut d = Deviation::new("eol-unaddressed").on(i);
    if let Some(end) = i.end {
        d = d.dated(end, None, x.period.to);
    }
    d.change = change.clone();
    d.response = change.or_else(|| x.exception(i));
    Some(d)
}

/// Components whose exception ended by the period's end and which are still not compliant.
fn expired(x: &Inputs, i: &status::Item) -> Option<Deviation> {
    if i.status == Status::Accepted || !matches!(i.date_status, Status::Eol | Status::Due | Status::Warn) {
        return None;
    }
    let id = x.chains.exception(x.repo, &i.system.id, &i.component.name)?;
    let until = x.chains.get(&id)?.change.until?;
    let mut d = Deviation::new("exception-expired").on(i).dated(until, None, x.period.to);
    d.change = Some(id);
    Some(d)
}

/// Advisories overdue at the period's end (carried over ones included), and those fixed late in it.
fn advisories(x: &Inputs) -> Vec<Deviation> {
    x.security
        .iter()
        .filter_map(|s| {
            let due = s.deploy_by.or(s.respond_by)?;
            let late_fix = !s.affected && s.resolved_at.is_some_and(|r| x.in_period(r) && r > due);
            let open = s.affected && s.status == crate::eval::advisories::AdvisoryStatus::Overdue;
            if !(late_fix || open) {
                return None;
            }
            let end = s.resolved_at.unwrap_or(x.trail.bounds.1);
            let mut d = Deviation::new("advisory-overdue");
            d.system = Some(s.system.clone());
            d.component = Some(s.component.clone());
            d.advisory = Some(s.advisory.clone());
            d.due = Some(due.to_rfc3339());
            d.actual = s.resolved_at.map(|r| r.to_rfc3339());
            d.days_late = Some((end - due).num_days());
            d.change = s.change.clone();
            d.response = s.change.clone();
            Some(d)
        })
        .collect()
}

/// The rule findings of the population's changes, and the ledger's findings raised in the period.
fn findings(x: &Inputs) -> Vec<Deviation> {
    let population: BTreeSet<&str> = x.requests.iter().map(|r| r.id.as_str()).collect();
    x.trail
        .walk
        .findings
        .iter()
        .enumerate()
        .filter(|(n, f)| {
            let rule = RULES.contains(&f.code) && f.change.as_deref().is_some_and(|c| population.contains(c));
            let ledger =
                LEDGER.contains(&f.code) && x.trail.found_at.get(*n).is_some_and(|t| x.in_period(*t));
            rule || ledger
        })
        .map(|(_, f)| {
            let mut d = Deviation::new(f.code);
            d.change = f.change.clone();
            d.response = f.change.clone().filter(|_| LEDGER.contains(&f.code));
            d.at = f.path.as_ref().map(|p| match f.line {
                Some(l) => format!("{p}:{l}"),
                None => p.clone(),
            });
            d.detail = Some(f.message.clone());
            d
        })
        .collect()
}

/// The register, in the order of SPEC §8.1's list, each kind by system, component and deadline.
pub fn register(x: &Inputs) -> Vec<Deviation> {
    let mut out: Vec<Deviation> = Vec::new();
    let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
    // The end state first: a component open at both ends is judged as it stands at the end.
    for i in x.end.iter().chain(x.start) {
        if seen.insert((i.system.id.clone(), i.component.name.clone(), i.component.version.clone())) {
            deadlines(x, i, &mut out);
        }
    }
    out.extend(x.end.iter().filter_map(|i| unaddressed(x, i)));
    out.extend(advisories(x));
    out.extend(findings(x));
    out.extend(x.end.iter().filter_map(|i| expired(x, i)));
    out.extend(x.end.iter().filter(|i| i.patch_behind).filter_map(|i| {
        let by = i.patch_by?;
        let mut d = Deviation::new("patch-behind").on(i).dated(by, None, x.period.to);
        d.detail = i.latest.clone();
        Some(d)
    }));
    out.extend(x.missed.iter().map(|g| {
        let mut d = Deviation::new("discovery-missed");
        d.detail = Some(g.kind.to_string());
        d.due = Some(g.due.to_rfc3339());
        d.actual = (!g.open).then(|| g.to.to_rfc3339());
        d.days_late = Some((g.to - g.due).num_days());
        d
    }));
    let order = |code: &str| {
        ["late-approval", "late-completion", "eol-unaddressed", "advisory-overdue"]
            .iter()
            .position(|c| *c == code)
            .unwrap_or(4)
    };
    out.sort_by(|a, b| {
        (order(a.code), a.code, &a.system, &a.component, &a.due, &a.advisory, &a.change, &a.detail).cmp(&(
            order(b.code),
            b.code,
            &b.system,
            &b.component,
            &b.due,
            &b.advisory,
            &b.change,
            &b.detail,
        ))
    });
    out.dedup_by(|a, b| {
        a.code == b.code
            && a.system == b.system
            && a.component == b.component
            && a.due == b.due
            && a.detail == b.detail
    });
    out
}
