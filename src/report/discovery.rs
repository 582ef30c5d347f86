//! Section 3: when each end of life and advisory became known to the repository, and when it was
//! acted on; the early-warning events; and the discovery runs of the period (SPEC §8.1).

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::chains::Chains;
use super::history::Trail;
use super::inventory::months;
use super::{AdvisoryKnown, EolKnown, MissedRun, Period, RunRow, VersionChange};
use crate::eval::kpi;
use crate::eval::status;
use crate::model::{ClassKind, Repository};

/// The states the section reads: the inventory at the period's end and at its start.
pub struct States<'a> {
    pub end_repo: &'a Repository,
    pub end: &'a [status::Item<'a>],
    pub start: &'a [status::Item<'a>],
}

/// The end dates in the register and those falling in the period, with the early-warning events.
pub fn eol(
    trail: &Trail,
    chains: &Chains,
    states: &States,
    period: Period,
    moved: &[VersionChange],
) -> (Vec<EolKnown>, Vec<kpi::EolEvent>) {
    let (start_at, end_at) = trail.bounds;
    let tz = trail.settings.timezone;
    let as_of = period.to;
    let repo = states.end_repo;
    let mut known_list: Vec<EolKnown> = Vec::new();
    let mut events: Vec<kpi::EolEvent> = Vec::new();
    let mut seen: BTreeSet<(String, String, NaiveDate)> = BTreeSet::new();
    let both = states.end.iter().map(|i| (i, end_at)).chain(states.start.iter().map(|i| (i, start_at)));
    for (i, at) in both {
        let Some(end) = i.end else { continue };
        let in_period = end >= period.from && end <= period.to;
        let in_register = at == end_at && end >= period.from && end <= months(as_of, 6);
        // A component replaced in the period: its old end date was acted on.
        let replaced = at == start_at
            && moved.iter().any(|v| v.system == i.system.id && v.component == i.component.name);
        if !(in_period || in_register || replaced) {
            continue;
        }
        if !seen.insert((i.system.id.clone(), i.component.name.clone(), end)) {
            continue;
        }
        let k = trail.known.known(i, at);
        let covering = chains.covering(repo, &i.system.id, &i.component.name, &i.component.version);
        let change =
            i.change.clone().or_else(|| i.exception.as_ref().map(|e| e.change.clone())).or(covering.clone());
        let known_on = k.as_ref().map(|(t, _)| t.with_timezone(&tz).date_naive());
        if in_period && let Some(plan_by) = i.plan_by {
            events.push(kpi::EolEvent {
                id: format!("{}/{}", i.system.id, i.component.name),
                end,
                plan_by,
                approved_on: covering
                    .as_deref()
                    .and_then(|id| chains.approved_at(id))
                    .map(|t| t.with_timezone(&tz).date_naive()),
                known_on,
            });
        }
        known_list.push(EolKnown {
            system: i.system.id.clone(),
            component: i.component.name.clone(),
            product: i.component.product.clone(),
            cycle: i.cycle.clone(),
            version: i.component.version.clone(),
            end,
            plan_by: i.plan_by,
            known_at: k.as_ref().map(|(t, _)| *t),
            known_in: k.map(|(_, c)| c),
            lead_days: known_on.map(|d| (end - d).num_days()),
            action: change.as_deref().and_then(|id| chains.action(id)),
        });
    }
    known_list.sort_by(|a, b| (a.end, &a.system, &a.component).cmp(&(b.end, &b.system, &b.component)));
    (known_list, events)
}

/// Every advisory of the period's end state: when it was known and what answered it.
pub fn advisories(trail: &Trail, chains: &Chains, repo: &Repository) -> Vec<AdvisoryKnown> {
    let mut list: Vec<AdvisoryKnown> = repo
        .advisories
        .iter()
        .map(|a| {
            let first: Option<&(DateTime<FixedOffset>, String)> = std::iter::once(&a.id)
                .chain(&a.aliases)
                .filter_map(|id| trail.known.advisories.get(id))
                .min_by_key(|(t, _)| *t);
            let actions = chains
                .map
                .iter()
                .filter(|(_, c)| c.change.advisories.iter().any(|x| *x == a.id || a.aliases.contains(x)))
                .filter(|(id, _)| chains.kind(repo, id) != Some(ClassKind::Policy))
                .filter_map(|(id, _)| chains.action(id))
                .collect();
            AdvisoryKnown {
                id: a.id.clone(),
                severity: a.severity.as_str(),
                kev: a.kev,
                published: a.published,
                detected_at: a.detected_at,
                known_at: first.map(|f| f.0),
                known_in: first.map(|f| f.1.clone()),
                actions,
            }
        })
        .collect();
    list.sort_by(|a, b| (a.detected_at, &a.id).cmp(&(b.detected_at, &b.id)));
    list
}

/// The discovery runs recorded in the period, with the commit that added each record.
pub fn runs(trail: &Trail, repo: &Repository) -> Vec<RunRow> {
    let (from, to) = trail.bounds;
    repo.runs
        .iter()
        .filter(|r| r.at >= from && r.at < to)
        .map(|r| RunRow {
            at: r.at,
            kind: r.kind.as_str(),
            source: r.source_text(),
            counts: r.counts.clone(),
            digest: r.digest.clone(),
            commit: trail.runs_added.get(&r.path).map(|e| e.0.clone()),
        })
        .collect()
}

/// With `rules.discovery_every`, every interval of the period without a run of a judged kind.
pub fn missed(trail: &Trail, repo: &Repository) -> Vec<MissedRun> {
    let Some(every) = repo.policy.rules.discovery_every else { return Vec::new() };
    let kinds = crate::eval::discovery::judged_kinds(repo);
    crate::eval::discovery::missed(&repo.runs, trail.bounds.0, trail.bounds.1, every, &kinds)
        .into_iter()
        .map(|g| MissedRun { kind: g.kind.as_str(), from: g.from, due: g.due, to: g.to, open: g.open })
        .collect()
}
