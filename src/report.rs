//! The evidence pack (SPEC §8): every fact of `report` and `kpi`, gathered from the files and from
//! first-parent history, with nothing typed in by hand.
//!
//! One walk from the baseline (genesis or the first commit) to the head does it all: it checks every
//! sign-off against the trust of its time (as `verify` does), notes when each request, sign-off,
//! report, inventory version, end-of-life date and advisory entered the repository, and which commits
//! were the last before the period's start and end. The inventory is then evaluated as it stood at the
//! end of the period (and at its start, for the ends of support falling within it).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone};
use git2::Oid;
use serde::Serialize;

use crate::eval::approvals::{Standing, State};
use crate::eval::findings::{Finding, Severity as FindingSeverity};
use crate::eval::kpi::{self, Kpi};
use crate::eval::status::{self, Links, Reason, Status, Summary};
use crate::git::{ChangeKind, Git};
use crate::ledger::Walk;
use crate::load::{self, Revision};
use crate::model::statement::Decision;
use crate::model::{Basis, Chain as ChainSpec, Milestone, Repository, Target};

/// The reporting period, both days included, in the repository's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The last complete calendar quarter before `today`.
    pub fn last_quarter(today: NaiveDate) -> Period {
        let q = (today.month0() / 3) as i32; // 0..=3, the current quarter
        let (y, q) = if q == 0 { (today.year() - 1, 3) } else { (today.year(), q - 1) };
        let from = NaiveDate::from_ymd_opt(y, q as u32 * 3 + 1, 1).expect("valid quarter start");
        let next = if q == 3 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, q as u32 * 3 + 4, 1)
        }
        .expect("valid quarter end");
        Period { from, to: next.pred_opt().expect("a day before") }
    }

    /// `[from 00:00, to + 1 day 00:00)` in `tz`.
    pub fn bounds(&self, tz: chrono_tz::Tz) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
        let at = |d: NaiveDate| {
            let naive = d.and_hms_opt(0, 0, 0).expect("midnight");
            tz.from_local_datetime(&naive)
                .earliest()
                .map(|t| t.fixed_offset())
                .unwrap_or_else(|| chrono::Utc.from_utc_datetime(&naive).fixed_offset())
        };
        (at(self.from), at(self.to.succ_opt().unwrap_or(self.to)))
    }

    fn contains(
        &self,
        bounds: &(DateTime<FixedOffset>, DateTime<FixedOffset>),
        t: DateTime<FixedOffset>,
    ) -> bool {
        t >= bounds.0 && t < bounds.1
    }
}

/// Everything in the evidence pack (`lifecycle.report/v1`).
#[derive(Debug, Serialize)]
pub struct Evidence {
    pub schema: &'static str,
    pub period: Period,
    /// The date the report was made for (`--today`).
    pub today: NaiveDate,
    pub timezone: String,
    pub history: History,
    pub policy: PolicySection,
    pub inventory: InventorySection,
    /// Inventory accuracy (§5.4): only when the inventory at the period's end has observations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<crate::eval::accuracy::Accuracy>,
    pub discovery: Discovery,
    pub changes: Population,
    pub separation_of_duties: Vec<Finding>,
    pub emergencies: Vec<Emergency>,
    pub kpis: Vec<Kpi>,
    pub verification: Verification,
}

/// The history walked.
#[derive(Debug, Serialize)]
pub struct History {
    pub head: String,
    pub head_time: DateTime<FixedOffset>,
    /// The commit whose state was accepted as given (genesis, or the first commit).
    pub baseline: String,
    pub baseline_time: DateTime<FixedOffset>,
    /// Commits walked after the baseline.
    pub commits: usize,
    /// The last commit before the period's start (none when the repository is younger).
    pub at_start: Option<String>,
    /// The last commit before the period's end: the state the inventory section describes.
    pub at_end: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PolicySection {
    pub files: Vec<PolicyFile>,
    pub basis: &'static str,
    pub plan_before: String,
    pub finish_before: String,
    pub classes: Vec<ClassRow>,
    pub rules: Vec<(String, String)>,
    pub kpi_targets: Vec<(String, String)>,
}

#[derive(Debug, Serialize)]
pub struct PolicyFile {
    pub path: String,
    pub digest: String,
    /// The last commit that changed it, and the approved change that covered it.
    pub changed_in: Option<String>,
    pub changed_at: Option<DateTime<FixedOffset>>,
    pub approved_by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ClassRow {
    pub name: String,
    pub title: Option<String>,
    pub respond_within: Option<String>,
    pub deploy_within: Option<String>,
    /// Roles in order, or `criticality: roles; …` for a chain keyed by criticality.
    pub chain: String,
    pub confirm: Option<String>,
    pub retroactive_within: Option<String>,
    pub max_duration: Option<String>,
    pub applies_to: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct InventorySection {
    /// The day the statuses are computed for: the period's last day (or `today` when earlier).
    pub as_of: NaiveDate,
    pub commit: Option<String>,
    pub summary: Summary,
    /// Components past their end, or ending within 3 or 6 months of `as_of`.
    pub register: Vec<RegisterRow>,
    pub exceptions: Vec<ExceptionRow>,
    /// Every component's status, for the timeline.
    pub items: Vec<RegisterRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegisterRow {
    pub system: String,
    pub system_name: String,
    pub component: String,
    pub product: String,
    pub version: String,
    pub cycle: Option<String>,
    pub end: Option<NaiveDate>,
    pub plan_by: Option<NaiveDate>,
    pub finish_by: Option<NaiveDate>,
    pub status: &'static str,
    /// `past`, `within_3mo`, `within_6mo`, or `later`.
    pub bucket: &'static str,
    pub change: Option<String>,
    pub exception: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ExceptionRow {
    pub system: String,
    pub component: String,
    pub change: String,
    pub until: NaiveDate,
    pub reason: Option<String>,
    /// Who accepted the risk: the approvers of the exception, in chain order.
    pub accepted_by: Vec<Person>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Discovery {
    pub eol: Vec<EolKnown>,
    pub advisories: Vec<AdvisoryKnown>,
}

#[derive(Debug, Serialize)]
pub struct EolKnown {
    pub system: String,
    pub component: String,
    pub product: String,
    pub cycle: Option<String>,
    pub version: String,
    pub end: NaiveDate,
    pub plan_by: Option<NaiveDate>,
    /// When this end date first entered the repository, and in which commit.
    pub known_at: Option<DateTime<FixedOffset>>,
    pub known_in: Option<String>,
    /// Days between `known_at` and the end.
    pub lead_days: Option<i64>,
    pub action: Option<Action>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub change: String,
    pub requested_at: Option<DateTime<FixedOffset>>,
    pub approved_at: Option<DateTime<FixedOffset>>,
    pub state: &'static str,
}

#[derive(Debug, Serialize)]
pub struct AdvisoryKnown {
    pub id: String,
    pub severity: &'static str,
    pub kev: bool,
    pub published: Option<NaiveDate>,
    pub detected_at: DateTime<FixedOffset>,
    pub known_at: Option<DateTime<FixedOffset>>,
    pub known_in: Option<String>,
    pub actions: Vec<Action>,
}

/// The change population of the period.
#[derive(Debug, Serialize)]
pub struct Population {
    pub requests: Vec<ChangeEntry>,
    /// Every inventory version change committed in the period, approved or not.
    pub version_changes: Vec<VersionChange>,
    /// Version changes without an approved change: listed, never dropped.
    pub unapproved: usize,
}

#[derive(Debug, Serialize)]
pub struct VersionChange {
    pub commit: String,
    pub at: DateTime<FixedOffset>,
    pub system: String,
    pub component: String,
    pub from: String,
    pub to: String,
    pub approved_by: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ChangeEntry {
    pub id: String,
    pub title: String,
    pub class: String,
    pub class_title: Option<String>,
    pub state: &'static str,
    pub requested_by: Person,
    pub requested_at: DateTime<FixedOffset>,
    /// The commit that added the request.
    pub requested_in: Option<String>,
    pub reason: Option<String>,
    pub targets: Vec<String>,
    pub advisories: Vec<String>,
    pub budget: Option<Money>,
    /// Why it is in the period's population.
    pub included_for: Vec<&'static str>,
    pub chain: Vec<SignOffRow>,
    pub approved_at: Option<DateTime<FixedOffset>>,
    pub execution: Option<Execution>,
    pub confirmation: Option<SignOffRow>,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignOffRow {
    pub seq: u32,
    pub stage: String,
    pub by: Person,
    /// When it was signed: the signer's own commit, or the claimed time capped by its commit.
    pub at: Option<DateTime<FixedOffset>>,
    pub decision: &'static str,
    pub comment: String,
    /// The signing key's fingerprint, as verified (or as claimed when it did not verify).
    pub key: String,
    /// The signature verified against a key trusted when it was added.
    pub verified: bool,
    /// `valid`, `stale`, or the rule it breaks.
    pub standing: &'static str,
    pub commit: Option<String>,
    /// The commit is signed by the same key (false after a squash merge).
    pub commit_signed: bool,
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct Execution {
    pub started_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    pub executed_by: Person,
    pub supervised_by: Option<Person>,
    pub outcome: &'static str,
    pub hosts: Option<(u32, u32)>,
    pub downtime: Option<String>,
    pub downtime_target: Option<String>,
    pub downtime_met: Option<bool>,
    pub cost: Option<Money>,
    pub budget: Option<Money>,
    pub cost_met: Option<bool>,
    pub metrics: Vec<MetricRow>,
    pub backup_at: Option<DateTime<FixedOffset>>,
    pub gray_passed_at: Option<DateTime<FixedOffset>>,
    pub production_at: Option<DateTime<FixedOffset>>,
    pub artifacts: Vec<String>,
    pub commit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MetricRow {
    pub name: String,
    pub unit: Option<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub target: Option<String>,
    pub met: Option<bool>,
    /// Relative change from before to after, in percent.
    pub change_pct: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Emergency {
    pub change: String,
    pub class: String,
    pub started_at: Option<DateTime<FixedOffset>>,
    pub approved_at: Option<DateTime<FixedOffset>>,
    /// `started_at + retroactive_within`.
    pub deadline: Option<DateTime<FixedOffset>>,
    pub within: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct Verification {
    /// Error findings over the whole history walked (as `lifecycle verify` reports them).
    pub errors: usize,
    pub warnings: usize,
    pub signoffs_checked: usize,
    pub commands: Vec<String>,
}

/// An end-of-life fact's history: each value and when it entered the repository.
type Timeline<T> = Vec<(T, DateTime<FixedOffset>, String)>;

/// When each end date and advisory entered the repository.
#[derive(Default)]
struct Knowledge {
    /// (product, cycle) → (eol, extended_support_end) over time.
    cycles: HashMap<(String, String), Timeline<(Milestone, Milestone)>>,
    /// (system, component) → the component's own `eol:` over time.
    overrides: HashMap<(String, String), Timeline<Option<NaiveDate>>>,
    /// Advisory id (and aliases) → first seen.
    advisories: HashMap<String, (DateTime<FixedOffset>, String)>,
    /// Blob ids already read.
    seen: BTreeSet<Oid>,
}

fn push<T: PartialEq>(line: &mut Timeline<T>, value: T, at: DateTime<FixedOffset>, commit: &str) {
    if line.last().is_none_or(|(v, _, _)| *v != value) {
        line.push((value, at, commit.to_string()));
    }
}

impl Knowledge {
    fn absorb(&mut self, walk: &Walk, files: Vec<(String, Oid)>, at: DateTime<FixedOffset>, commit: &str) {
        let files: Vec<(String, Oid)> = files.into_iter().filter(|(_, id)| self.seen.insert(*id)).collect();
        if files.is_empty() {
            return;
        }
        let repo = walk.load(files).repo;
        for (name, p) in &repo.products {
            for c in &p.cycles {
                let line = self.cycles.entry((name.clone(), c.name.clone())).or_default();
                push(line, (c.eol, c.extended_support_end), at, commit);
            }
        }
        for s in &repo.systems {
            for c in &s.components {
                let line = self.overrides.entry((s.id.clone(), c.name.clone())).or_default();
                push(line, c.eol, at, commit);
            }
        }
        for a in &repo.advisories {
            for id in std::iter::once(&a.id).chain(&a.aliases) {
                self.advisories.entry(id.clone()).or_insert((at, commit.to_string()));
            }
        }
    }

    /// When the end date an item reports was first known, as of `at`.
    fn known(
        &self,
        item: &status::Item,
        at: DateTime<FixedOffset>,
    ) -> Option<(DateTime<FixedOffset>, String)> {
        let Reason::Ends { end, source } = &item.reason else { return None };
        let run = |line: Option<&Timeline<Option<NaiveDate>>>| {
            let (v, t, c) = line?.iter().rev().find(|(_, t, _)| *t <= at)?;
            (*v == Some(*end)).then(|| (*t, c.clone()))
        };
        match source {
            status::EndSource::Override => {
                run(self.overrides.get(&(item.system.id.clone(), item.component.name.clone())))
            }
            status::EndSource::Eol | status::EndSource::Extended => {
                let cycle = item.cycle.clone()?;
                let line = self.cycles.get(&(item.component.product.clone(), cycle))?;
                let field = |m: &(Milestone, Milestone)| match source {
                    status::EndSource::Extended => m.1,
                    _ => m.0,
                };
                // The start of the run of entries whose relevant field equals the end, up to `at`.
                let mut found: Option<(DateTime<FixedOffset>, String)> = None;
                for (v, t, c) in line.iter().filter(|(_, t, _)| *t <= at) {
                    if field(v) == Milestone::Date(*end) {
                        if found.is_none() {
                            found = Some((*t, c.clone()));
                        }
                    } else {
                        found = None;
                    }
                }
                found
            }
        }
    }
}

fn person(repo_people: &[crate::model::Person], id: &str) -> Person {
    match repo_people.iter().find(|p| p.id == id) {
        Some(p) => Person { id: p.id.clone(), name: p.name.clone(), title: p.title.clone() },
        None => Person { id: id.to_string(), name: id.to_string(), title: None },
    }
}

fn money(m: &crate::model::Money) -> Money {
    Money { amount: m.amount, currency: m.currency.clone() }
}

/// The lowercase word serde gives a unit enum (`high`, `rolled_back`).
fn word<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn outcome_str(o: crate::model::Outcome) -> &'static str {
    use crate::model::Outcome::*;
    match o {
        Success => "success",
        Partial => "partial",
        Failed => "failed",
        RolledBack => "rolled_back",
    }
}

fn applies_to(a: &crate::model::AppliesTo) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !a.severity.is_empty() {
        parts.push(format!("severity: {}", a.severity.iter().map(word).collect::<Vec<_>>().join(", ")));
    }
    if let Some(k) = a.kev {
        parts.push(format!("kev: {k}"));
    }
    parts.join("; ")
}

/// Whether `value` meets a metric target written as `< 2.5`, `>= 80000`, `= 0`.
pub fn metric_met(target: &str, value: f64) -> Option<bool> {
    let t = target.trim();
    let (op, rest) = ["<=", ">=", "==", "<", ">", "=", "≤", "≥"]
        .iter()
        .find_map(|op| t.strip_prefix(op).map(|r| (*op, r)))?;
    let n: f64 = rest.trim().trim_end_matches('%').replace(',', "").trim().parse().ok()?;
    Some(match op {
        "<" => value < n,
        "<=" | "≤" => value <= n,
        ">" => value > n,
        ">=" | "≥" => value >= n,
        _ => (value - n).abs() < f64::EPSILON,
    })
}

/// Gathers the evidence for `period` from history up to `head`.
pub fn gather(
    git: &Git,
    head: Oid,
    period: Period,
    today: NaiveDate,
    now: DateTime<FixedOffset>,
) -> Result<Evidence> {
    gather_with_progress(git, head, period, today, now, &|_, _| {})
}

/// [`gather`], telling `progress(done, total)` how far the history walk is.
pub fn gather_with_progress(
    git: &Git,
    head: Oid,
    period: Period,
    today: NaiveDate,
    now: DateTime<FixedOffset>,
    progress: &dyn Fn(usize, usize),
) -> Result<Evidence> {
    let settings = crate::review::settings_at(git, head)?;
    let tz = settings.timezone;
    let genesis = settings.genesis.as_deref().map(|g| git.resolve(g)).transpose()?;
    let mut commits = git.first_parent(head, genesis)?;
    commits.reverse();
    let base = match genesis {
        Some(g) => g,
        None => commits.remove(0),
    };
    let bounds = period.bounds(tz);
    let base_time = git.commit_time(base)?;
    let mut at_start = (base_time < bounds.0).then_some(base);
    let mut at_end = (base_time < bounds.1).then_some(base);

    let mut walk = Walk::at(git, settings.clone(), base, true)?;
    let paths = settings.paths.clone();
    let watched = |p: &str| {
        [&paths.products, &paths.systems, &paths.advisories].iter().any(|d| p.starts_with(&format!("{d}/")))
    };
    let mut known = Knowledge::default();
    let initial: Vec<(String, Oid)> = [&paths.products, &paths.systems, &paths.advisories]
        .iter()
        .flat_map(|d| walk.files_under(d))
        .collect();
    let base_id = base.to_string();
    known.absorb(&walk, initial, base_time, &base_id);

    let changes_prefix = format!("{}/", paths.changes);
    let mut requested_in: HashMap<String, (String, DateTime<FixedOffset>)> = HashMap::new();
    let mut version_changes: Vec<VersionChange> = Vec::new();
    let mut policy_changed: HashMap<String, (String, DateTime<FixedOffset>, Option<String>)> = HashMap::new();
    let mut parent = base;
    for (n, &commit) in commits.iter().enumerate() {
        progress(n, commits.len());
        let time = git.commit_time(commit)?;
        let step = walk.step(parent, commit)?;
        let cid = commit.to_string();
        for d in &step.deltas {
            if d.kind == ChangeKind::Added
                && let Some(id) =
                    d.path.strip_prefix(&changes_prefix).and_then(|r| r.strip_suffix("/request.yaml"))
            {
                requested_in.entry(id.to_string()).or_insert((cid.clone(), time));
            }
        }
        let touched: Vec<(String, Oid)> = step
            .deltas
            .iter()
            .filter(|d| d.kind != ChangeKind::Deleted && watched(&d.path))
            .map(|d| (d.path.clone(), d.new))
            .collect();
        known.absorb(&walk, touched, time, &cid);
        for v in step.versions {
            if period.contains(&bounds, time) {
                version_changes.push(VersionChange {
                    commit: cid.clone(),
                    at: time,
                    system: v.system,
                    component: v.component,
                    from: v.from,
                    to: v.to,
                    approved_by: v.approved_by,
                });
            }
        }
        for p in step.policy_files {
            policy_changed.insert(p.path.clone(), (cid.clone(), time, p.approved_by));
        }
        if time < bounds.0 {
            at_start = Some(commit);
        }
        if time < bounds.1 {
            at_end = Some(commit);
        }
        parent = commit;
    }
    walk.reports(now);
    let head_time = git.commit_time(head)?;

    // The chains of every change at the head.
    let ids = walk.changes_now();
    let mut chains = BTreeMap::new();
    for id in &ids {
        if let Some(c) = walk.chain(id) {
            chains.insert(id.clone(), c);
        }
    }
    let approved_at = |id: &str| chains.get(id).and_then(|c| c.eval.approved.as_ref().and_then(|(_, t)| *t));
    let action = |id: &str| -> Option<Action> {
        let c = chains.get(id)?;
        Some(Action {
            change: id.to_string(),
            requested_at: requested_in.get(id).map(|r| r.1).or(Some(c.change.requested_at)),
            approved_at: approved_at(id),
            state: c.eval.state.as_str(),
        })
    };

    // The inventory at the end (and start) of the period.
    let as_of = period.to.min(today);
    let end_repo = match at_end {
        Some(c) => load::load(&Revision::new(git, c)?).repo,
        None => Repository::default(),
    };
    let start_repo = match at_start {
        Some(c) if Some(c) != at_end => Some(load::load(&Revision::new(git, c)?).repo),
        Some(_) => None,
        None => None,
    };
    let links_of = |repo: &Repository| -> Links { crate::approvals::links_now(repo).0 };
    let end_links = links_of(&end_repo);
    let items = status::evaluate(&end_repo, as_of, &end_links);
    let summary = Summary::of(&items);
    let accuracy = crate::eval::accuracy::evaluate(&end_repo, as_of);
    let months = |n: u32| as_of.checked_add_months(chrono::Months::new(n)).unwrap_or(as_of);
    let row = |i: &status::Item| -> RegisterRow {
        let bucket = match i.end {
            Some(e) if e <= as_of => "past",
            Some(e) if e <= months(3) => "within_3mo",
            Some(e) if e <= months(6) => "within_6mo",
            _ if i.status == Status::Eol => "past",
            _ => "later",
        };
        RegisterRow {
            system: i.system.id.clone(),
            system_name: i.system.name.clone(),
            component: i.component.name.clone(),
            product: i.component.product.clone(),
            version: i.component.version.clone(),
            cycle: i.cycle.clone(),
            end: i.end,
            plan_by: i.plan_by,
            finish_by: i.finish_by,
            status: i.status.as_str(),
            bucket,
            change: i.change.clone(),
            exception: i.exception.as_ref().map(|e| e.change.clone()),
        }
    };
    let all_rows: Vec<RegisterRow> = items.iter().map(row).collect();
    let register: Vec<RegisterRow> = all_rows.iter().filter(|r| r.bucket != "later").cloned().collect();
    let exceptions: Vec<ExceptionRow> = items
        .iter()
        .filter_map(|i| {
            let e = i.exception.as_ref()?;
            let c = chains.get(&e.change);
            let accepted_by = c
                .map(|c| {
                    c.signoffs
                        .iter()
                        .zip(&c.eval.standing)
                        .filter(|(s, st)| {
                            **st == Standing::Valid && s.file.statement.decision == Decision::Approved
                        })
                        .map(|(s, _)| person(&c.people, &s.file.statement.by))
                        .collect()
                })
                .unwrap_or_default();
            Some(ExceptionRow {
                system: i.system.id.clone(),
                component: i.component.name.clone(),
                change: e.change.clone(),
                until: e.until,
                reason: c.and_then(|c| c.change.reason.clone()),
                accepted_by,
            })
        })
        .collect();

    // Discovery: the end dates in the register and those falling in the period, and the advisories.
    let end_instant = bounds.1.min(now.max(bounds.0));
    let approved_on = |id: &str| approved_at(id).map(|t| t.with_timezone(&tz).date_naive());
    let covering = |system: &str, component: &str, version: &str| -> Option<String> {
        chains
            .iter()
            .filter(|(_, c)| c.eval.is_approved())
            .find(|(_, c)| {
                c.change.targets.iter().any(|t| {
                    matches!(t, Target::Version { system: s, component: k, from, .. }
                        if s == system && k == component && from.as_deref().is_none_or(|f| f == version))
                })
            })
            .map(|(id, _)| id.clone())
    };
    let mut eol_known: Vec<EolKnown> = Vec::new();
    let mut events: Vec<kpi::EolEvent> = Vec::new();
    let mut seen_events: BTreeSet<(String, String, NaiveDate)> = BTreeSet::new();
    let start_links = start_repo.as_ref().map(links_of);
    let start_items = match (&start_repo, &start_links) {
        (Some(r), Some(l)) => status::evaluate(r, period.from, l),
        _ => Vec::new(),
    };
    for (i, at) in items.iter().map(|i| (i, end_instant)).chain(start_items.iter().map(|i| (i, bounds.0))) {
        let Some(end) = i.end else { continue };
        let in_period = end >= period.from && end <= period.to;
        let in_register = at == end_instant && end >= period.from && end <= months(6);
        // A component replaced in the period: its old end date was acted on.
        let replaced = at == bounds.0
            && version_changes.iter().any(|v| v.system == i.system.id && v.component == i.component.name);
        if !in_period && !in_register && !replaced {
            continue;
        }
        let key = (i.system.id.clone(), i.component.name.clone(), end);
        if !seen_events.insert(key) {
            continue;
        }
        let k = known.known(i, at);
        let change = i
            .change
            .clone()
            .or_else(|| i.exception.as_ref().map(|e| e.change.clone()))
            .or_else(|| covering(&i.system.id, &i.component.name, &i.component.version));
        let known_on = k.as_ref().map(|(t, _)| t.with_timezone(&tz).date_naive());
        if in_period && let Some(plan_by) = i.plan_by {
            let replaced_by = covering(&i.system.id, &i.component.name, &i.component.version).filter(|id| {
                chains.get(id).is_some_and(|c| !crate::approvals::is_exception(&end_repo, &c.change))
            });
            events.push(kpi::EolEvent {
                id: format!("{}/{}", i.system.id, i.component.name),
                end,
                plan_by,
                approved_on: replaced_by.as_deref().and_then(approved_on),
                known_on,
            });
        }
        eol_known.push(EolKnown {
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
            action: change.as_deref().and_then(action),
        });
    }
    eol_known.sort_by(|a, b| (a.end, &a.system, &a.component).cmp(&(b.end, &b.system, &b.component)));
    let mut advisories: Vec<AdvisoryKnown> = end_repo
        .advisories
        .iter()
        .map(|a| {
            let first = std::iter::once(&a.id)
                .chain(&a.aliases)
                .filter_map(|id| known.advisories.get(id))
                .min_by_key(|(t, _)| *t);
            let actions = chains
                .iter()
                .filter(|(_, c)| c.change.advisories.iter().any(|x| *x == a.id || a.aliases.contains(x)))
                .filter_map(|(id, _)| action(id))
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
    advisories.sort_by(|a, b| (a.detected_at, &a.id).cmp(&(b.detected_at, &b.id)));

    // The change population.
    let mut requests: Vec<ChangeEntry> = Vec::new();
    let mut executed: Vec<(String, crate::model::Outcome)> = Vec::new();
    for (id, c) in &chains {
        let mut why: Vec<&'static str> = Vec::new();
        let req_time = requested_in.get(id).map(|r| r.1);
        if req_time.is_some_and(|t| period.contains(&bounds, t)) {
            why.push("requested");
        }
        let rows: Vec<SignOffRow> = c
            .signoffs
            .iter()
            .zip(&c.eval.standing)
            .zip(&c.verified)
            .map(|((s, standing), (signer, commit))| {
                let st = &s.file.statement;
                let at = crate::eval::approvals::signed_time(s, commit.as_ref());
                SignOffRow {
                    seq: s.seq,
                    stage: st.stage.clone(),
                    by: person(&c.people, &st.by),
                    at,
                    decision: st.decision.as_str(),
                    comment: st.comment.clone(),
                    key: match signer {
                        Ok((k, _)) => k.to_string(),
                        Err(_) => st.key.clone(),
                    },
                    verified: signer.is_ok(),
                    standing: match standing {
                        Standing::Valid => "valid",
                        Standing::Stale => "stale",
                        Standing::Invalid(code) => code,
                    },
                    commit: commit.as_ref().map(|c| c.id.clone()),
                    commit_signed: commit.as_ref().is_some_and(|c| c.signed_by_signer),
                    path: s.path.clone(),
                }
            })
            .collect();
        if rows.iter().any(|r| r.at.is_some_and(|t| period.contains(&bounds, t))) {
            why.push("signed");
        }
        if let Some(r) = &c.change.report {
            let executed_in = period.contains(&bounds, r.started_at)
                || r.finished_at.is_some_and(|t| period.contains(&bounds, t))
                || (r.started_at < bounds.0 && r.finished_at.is_none_or(|t| t >= bounds.1));
            if executed_in {
                why.push("executed");
            }
        }
        if why.is_empty() {
            continue;
        }
        let (chain, confirmation): (Vec<SignOffRow>, Vec<SignOffRow>) =
            rows.into_iter().partition(|r| r.decision != "confirmed");
        let confirmation = confirmation.into_iter().rev().find(|r| r.standing == "valid");
        let class = end_repo.policy.classes.get(&c.change.class);
        let execution = c.change.report.as_ref().map(|r| {
            if c.eval.state != State::Rejected {
                executed.push((id.clone(), r.outcome));
            }
            let budget = c.change.budget.as_ref().map(money);
            let cost = r.cost.as_ref().map(money);
            let downtime_target = c.change.plan.as_ref().and_then(|p| p.downtime);
            Execution {
                started_at: r.started_at,
                finished_at: r.finished_at,
                executed_by: person(&c.people, &r.executed_by),
                supervised_by: r.supervised_by.as_deref().map(|p| person(&c.people, p)),
                outcome: outcome_str(r.outcome),
                hosts: r.hosts.map(|h| (h.succeeded, h.total)),
                downtime: r.downtime.map(|d| d.to_string()),
                downtime_target: downtime_target.map(|d| d.to_string()),
                downtime_met: match (r.downtime, downtime_target) {
                    (Some(d), Some(t)) => Some(d.approx_hours() <= t.approx_hours()),
                    _ => None,
                },
                cost_met: match (&cost, &budget) {
                    (Some(c), Some(b)) if c.currency == b.currency => Some(c.amount <= b.amount),
                    _ => None,
                },
                cost,
                budget,
                metrics: r
                    .metrics
                    .iter()
                    .map(|m| MetricRow {
                        name: m.name.clone(),
                        unit: m.unit.clone(),
                        before: m.before,
                        after: m.after,
                        target: m.target.clone(),
                        met: match (&m.target, m.after) {
                            (Some(t), Some(a)) => metric_met(t, a),
                            _ => None,
                        },
                        change_pct: match (m.before, m.after) {
                            (Some(b), Some(a)) if b != 0.0 => Some((a - b) / b * 100.0),
                            _ => None,
                        },
                    })
                    .collect(),
                backup_at: r.backup.as_ref().map(|b| b.taken_at),
                gray_passed_at: r.gray.as_ref().and_then(|g| g.passed_at),
                production_at: r.production_at,
                artifacts: r.artifacts.iter().map(|a| a.name.clone()).collect(),
                commit: c.report_commit.clone(),
            }
        });
        let mut findings: Vec<Finding> =
            walk.findings.iter().filter(|f| f.change.as_deref() == Some(id.as_str())).cloned().collect();
        findings.sort_by(|a, b| (&a.commit, a.code).cmp(&(&b.commit, b.code)));
        findings.dedup();
        requests.push(ChangeEntry {
            id: id.clone(),
            title: c.change.title.clone(),
            class: c.change.class.clone(),
            class_title: class.and_then(|k| k.title.clone()),
            state: c.eval.state.as_str(),
            requested_by: person(&c.people, &c.change.requested_by),
            requested_at: c.change.requested_at,
            requested_in: requested_in.get(id).map(|r| r.0.clone()),
            reason: c.change.reason.clone(),
            targets: c.change.targets.iter().map(Target::describe).collect(),
            advisories: c.change.advisories.clone(),
            budget: c.change.budget.as_ref().map(money),
            included_for: why,
            chain,
            approved_at: approved_at(id),
            execution,
            confirmation,
            findings,
        });
    }
    let unapproved = version_changes.iter().filter(|v| v.approved_by.is_none()).count();

    let separation_of_duties: Vec<Finding> = walk
        .findings
        .iter()
        .filter(|f| matches!(f.code, "self-approval" | "executor-is-supervisor"))
        .filter(|f| f.change.as_ref().is_some_and(|c| requests.iter().any(|r| r.id == *c)))
        .cloned()
        .collect();
    let emergencies: Vec<Emergency> = requests
        .iter()
        .filter_map(|r| {
            let within = end_repo.policy.classes.get(&r.class).and_then(|k| k.retroactive_within)?;
            let started = r.execution.as_ref().map(|e| e.started_at);
            let deadline = started.and_then(|s| within.after(s));
            Some(Emergency {
                change: r.id.clone(),
                class: r.class.clone(),
                started_at: started,
                approved_at: r.approved_at,
                deadline,
                within: match (r.approved_at, deadline, started) {
                    (Some(a), _, Some(s)) if a <= s => Some(true),
                    (Some(a), Some(d), _) => Some(a <= d),
                    (None, Some(d), _) if d < now => Some(false),
                    _ => None,
                },
            })
        })
        .collect();

    // KPIs.
    let supported: Vec<(String, Status)> =
        items.iter().map(|i| (format!("{}/{}", i.system.id, i.component.name), i.status)).collect();
    let mut required: BTreeMap<String, bool> = BTreeMap::new();
    for i in &items {
        if i.plan_by.is_some_and(|p| p <= as_of) || i.status == Status::Eol {
            let covered = i.change.is_some() || i.exception.is_some();
            required.insert(format!("{}/{}", i.system.id, i.component.name), covered);
        }
    }
    for v in &version_changes {
        let id = format!("{}/{}", v.system, v.component);
        let ok = v.approved_by.is_some();
        let entry = required.entry(id).or_insert(ok);
        *entry = *entry || ok;
    }
    let required: Vec<kpi::Required> =
        required.into_iter().map(|(id, covered)| kpi::Required { id, covered }).collect();
    // Every advisory on every component it affected, with when the fix was deployed.
    let approved_map: HashMap<String, DateTime<FixedOffset>> =
        chains.keys().filter_map(|id| Some((id.clone(), approved_at(id)?))).collect();
    let patches: Vec<kpi::Patch> = crate::eval::advisories::evaluate(&end_repo, as_of, &approved_map)
        .into_iter()
        .filter(|s| s.affected || s.resolved_at.is_some())
        .map(|s| kpi::Patch {
            id: format!("{} {}/{}", s.advisory, s.system, s.component),
            severity: s.severity,
            detected_at: s.detected_at,
            deploy_by: s.deploy_by,
            deployed_at: s.resolved_at,
        })
        .collect();
    let targets = &end_repo.policy.kpis;
    let kpis = vec![
        kpi::supported_coverage(&supported).against(targets),
        kpi::update_coverage(&required).against(targets),
        kpi::update_success(&executed).against(targets),
        kpi::patch_timeliness(&patches, bounds.0, bounds.1).against(targets),
        kpi::critical_fix_time(&patches, bounds.0, end_instant).against(targets),
        kpi::early_warning(&events).against(targets),
    ];

    // The policy in force at the period's end.
    let policy = &end_repo.policy;
    let files = policy
        .files
        .iter()
        .chain(std::iter::once(&paths.people))
        .map(|path| {
            let digest = match at_end.map(|c| git.read_at(c, path)) {
                Some(Ok(Some(bytes))) => crate::model::statement::digest(&bytes),
                _ => "—".into(),
            };
            let changed = policy_changed.get(path);
            PolicyFile {
                path: path.clone(),
                digest,
                changed_in: changed.map(|c| c.0.clone()),
                changed_at: changed.map(|c| c.1),
                approved_by: changed.and_then(|c| c.2.clone()),
            }
        })
        .collect();
    let classes = policy
        .classes
        .values()
        .map(|c| ClassRow {
            name: c.name.clone(),
            title: c.title.clone(),
            respond_within: c.respond_within.map(|d| d.to_string()),
            deploy_within: c.deploy_within.map(|d| d.to_string()),
            chain: match &c.chain {
                ChainSpec::Roles(r) => r.join(" → "),
                ChainSpec::ByCriticality { by, default } => {
                    let mut parts: Vec<String> =
                        by.iter().map(|(k, r)| format!("{}: {}", word(k), r.join(" → "))).collect();
                    if let Some(d) = default {
                        parts.push(format!("default: {}", d.join(" → ")));
                    }
                    parts.join("; ")
                }
            },
            confirm: c.confirm.clone(),
            retroactive_within: c.retroactive_within.map(|d| d.to_string()),
            max_duration: c.max_duration.map(|d| d.to_string()),
            applies_to: c.applies_to.as_ref().map(applies_to),
        })
        .collect();
    let r = &policy.rules;
    let mut rules = vec![
        ("separation_of_duties".to_string(), r.separation_of_duties.to_string()),
        ("require_gray_before_production".to_string(), r.require_gray_before_production.to_string()),
        ("require_backup".to_string(), r.require_backup.to_string()),
    ];
    if let Some(n) = r.notify_before {
        rules.push(("notify_before".into(), n.to_string()));
    }
    for (env, days) in &r.windows {
        let days: Vec<String> = days.iter().map(|d| d.to_string().to_lowercase()).collect();
        rules.push((format!("windows.{env}"), days.join(", ")));
    }
    let policy_section = PolicySection {
        files,
        basis: match policy.eol.basis {
            Basis::Eol => "eol",
            Basis::Extended => "extended",
        },
        plan_before: policy.eol.plan_before.to_string(),
        finish_before: policy.eol.finish_before.to_string(),
        classes,
        rules,
        kpi_targets: policy.kpis.iter().map(|k| (k.name.clone(), k.text.clone())).collect(),
    };

    let errors = walk.findings.iter().filter(|f| f.severity == FindingSeverity::Error).count();
    let warnings = walk.findings.len() - errors;
    let head_id = head.to_string();
    let verification = Verification {
        errors,
        warnings,
        signoffs_checked: walk.checked(),
        commands: vec![
            "git clone <repository> && cd <repository>".into(),
            format!("git checkout --detach {head_id}"),
            "lifecycle verify".into(),
            "lifecycle verify --write-allowed-signers allowed_signers".into(),
            format!(
                "git -c gpg.ssh.allowedSignersFile=allowed_signers log --show-signature {}..{}",
                &base.to_string(),
                head_id
            ),
            format!(
                "lifecycle --today {today} report --from {} --to {} --format json",
                period.from, period.to
            ),
        ],
    };

    Ok(Evidence {
        schema: "lifecycle.report/v1",
        period,
        today,
        timezone: tz.name().to_string(),
        history: History {
            head: head_id,
            head_time,
            baseline: base.to_string(),
            baseline_time: base_time,
            commits: commits.len(),
            at_start: at_start.map(|c| c.to_string()),
            at_end: at_end.map(|c| c.to_string()),
        },
        policy: policy_section,
        inventory: InventorySection {
            as_of,
            commit: at_end.map(|c| c.to_string()),
            summary,
            register,
            exceptions,
            items: all_rows,
        },
        accuracy,
        discovery: Discovery { eol: eol_known, advisories },
        changes: Population { requests, version_changes, unapproved },
        separation_of_duties,
        emergencies,
        kpis,
        verification,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn last_quarter_is_the_previous_complete_one() {
        assert_eq!(Period::last_quarter(d(2024, 11, 22)), Period { from: d(2024, 7, 1), to: d(2024, 9, 30) });
        assert_eq!(Period::last_quarter(d(2024, 1, 1)), Period { from: d(2023, 10, 1), to: d(2023, 12, 31) });
        assert_eq!(Period::last_quarter(d(2024, 4, 1)), Period { from: d(2024, 1, 1), to: d(2024, 3, 31) });
        assert_eq!(Period::last_quarter(d(2024, 9, 30)), Period { from: d(2024, 4, 1), to: d(2024, 6, 30) });
    }

    #[test]
    fn metric_targets() {
        assert_eq!(metric_met("< 2.5", 1.9), Some(true));
        assert_eq!(metric_met("<2.5", 2.5), Some(false));
        assert_eq!(metric_met(">= 80,000", 89000.0), Some(true));
        assert_eq!(metric_met("≤ 70%", 62.0), Some(true));
        assert_eq!(metric_met("= 0", 0.0), Some(true));
        assert_eq!(metric_met("fast", 1.0), None);
    }
}
