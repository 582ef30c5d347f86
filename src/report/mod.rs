//! The evidence pack (SPEC §8): every fact of `report` and `kpi`, gathered from the files and from
//! first-parent history, with nothing typed in by hand.
//!
//! One walk from the baseline (genesis or the first commit) to the head does it all: it checks every
//! sign-off against the trust of its time (as `verify` does), notes when each request, sign-off,
//! report, inventory version, end-of-life date and advisory entered the repository, and which commits
//! were the last before the period's start and end. The inventory is then evaluated as it stood at the
//! end of the period (and at its start, for the ends of support falling within it).

mod chains;
mod changes;
mod discovery;
mod history;
mod inventory;
mod knowledge;
pub mod noncompliance;
mod policy;
pub use policy::word;

use std::collections::{BTreeMap, HashMap};

use anyhow::Result;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone};
use git2::Oid;
use serde::Serialize;

use crate::eval::findings::{Finding, Severity as FindingSeverity};
use crate::eval::kpi::{self, Kpi};
use crate::eval::status::{self, Status, Summary};
use crate::git::Git;
use crate::load::{self, Revision};
use crate::model::Repository;
use chains::Chains;
use history::Trail;

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
    pub timezone: String,
    pub history: History,
    /// Every deviation of the period or still open at its end, with its response (SPEC §8.1).
    pub noncompliance: Vec<noncompliance::Deviation>,
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
    /// The policy itself, for the renderers (role titles, durations, rules in words).
    #[serde(skip)]
    pub model: crate::model::Policy,
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
    /// The approved `policy` change covering this digest (SPEC §4.8); none: no approval record.
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<FixedOffset>>,
    /// Its valid sign-offs, in order.
    pub approval: Option<Vec<SignOffRow>>,
}

#[derive(Debug, Serialize)]
pub struct ClassRow {
    pub name: String,
    pub title: Option<String>,
    pub respond_within: Option<String>,
    pub deploy_within: Option<String>,
    /// Roles in order, or `criticality: roles; …` for a chain keyed by criticality.
    pub chain: String,
    /// Every role the chain names.
    pub roles: Vec<String>,
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
    /// Patch level: supported components with a known latest release, and how many run it.
    pub patch: PatchLevel,
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
    /// Patch level (§5.4): the cycle's latest release, whether the version is behind it, and, with
    /// `rules.patch_lag_max`, by when it was due and whether that has passed.
    pub latest: Option<String>,
    pub behind: Option<bool>,
    pub patch_by: Option<NaiveDate>,
    pub patch_behind: bool,
}

/// Patch level of the supported components (§5.4).
#[derive(Debug, Serialize)]
pub struct PatchLevel {
    /// Components whose cycle is still supported and whose latest release is known.
    pub known: usize,
    /// Of those, the ones on their cycle's latest release (or later).
    pub current: usize,
    /// `system/component` behind for longer than `rules.patch_lag_max`.
    pub overdue: Vec<String>,
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
    /// The discovery runs of the period (catalog, advisories, observe imports and syncs).
    pub runs: Vec<RunRow>,
    /// `rules.discovery_every`, when the policy sets it.
    pub every: Option<String>,
    /// Every interval of the period longer than `every` without a run of a kind (`discovery-missed`).
    pub missed: Vec<MissedRun>,
}

/// One discovery run: when, what kind, from where, what it counted, and the commit that recorded it.
#[derive(Debug, Serialize)]
pub struct RunRow {
    pub at: DateTime<FixedOffset>,
    pub kind: &'static str,
    pub source: String,
    pub counts: BTreeMap<String, u64>,
    pub digest: String,
    pub commit: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct MissedRun {
    pub kind: &'static str,
    /// The run the interval follows, or the period's start.
    pub from: DateTime<FixedOffset>,
    pub due: DateTime<FixedOffset>,
    /// The run that ended it, or the period's end when still missing (`open`).
    pub to: DateTime<FixedOffset>,
    pub open: bool,
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

#[derive(Debug, Clone, Serialize)]
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
    /// Where it is also recorded (ticket, CAB minutes).
    pub links: Vec<Link>,
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
    pub backup_ref: Option<String>,
    pub gray_passed_at: Option<DateTime<FixedOffset>>,
    /// The gray run tested the rollback.
    pub rollback_tested: Option<bool>,
    pub production_at: Option<DateTime<FixedOffset>>,
    pub notice: Option<Notice>,
    /// The gray and production days against the policy's windows.
    pub windows: Vec<Window>,
    /// The request's backout plan and tests.
    pub backout: Option<String>,
    pub tests: Option<String>,
    pub artifacts: Vec<Artifact>,
    pub commit: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// Notice given ahead of `started_at`, against `rules.notify_before`.
#[derive(Debug, Serialize)]
pub struct Notice {
    pub notified_at: Option<DateTime<FixedOffset>>,
    pub hours_ahead: Option<f64>,
    pub required: Option<String>,
    pub met: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct Window {
    pub environment: &'static str,
    pub at: DateTime<FixedOffset>,
    pub weekday: String,
    pub allowed: Vec<String>,
    pub met: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct Artifact {
    pub name: String,
    pub source: Option<String>,
    pub sha256: Option<String>,
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

fn person(repo_people: &[crate::model::Person], id: &str) -> Person {
    match repo_people.iter().find(|p| p.id == id) {
        Some(p) => Person { id: p.id.clone(), name: p.name.clone(), title: p.title.clone() },
        None => Person { id: id.to_string(), name: id.to_string(), title: None },
    }
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

/// A period that ends before the history starts has nothing to show (SPEC §8.1).
#[derive(Debug)]
pub struct TooEarly {
    pub period: Period,
    pub first: NaiveDate,
}

impl std::fmt::Display for TooEarly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the period {} to {} ends before the history starts: its first commit is dated {}",
            self.period.from, self.period.to, self.first
        )
    }
}

impl std::error::Error for TooEarly {}

/// Gathers the evidence for `period` from history up to `head` (whether or not the head loads
/// cleanly: [`gather_with_progress`] says).
pub fn gather(git: &Git, head: Oid, period: Period) -> Result<Evidence> {
    gather_with_progress(git, head, period, &|_, _| {})?.evidence
}

/// The evidence for a period, and the head as it loads: a report over broken files would be
/// evidence of nothing, so the head's errors refuse it.
pub struct Gathered {
    pub head: load::Loaded,
    pub evidence: Result<Evidence>,
}

/// [`gather`], telling `progress(done, total)` how far the history walk is. Every figure is a
/// function of the repository (up to `head`) and the period: nothing reads the clock.
pub fn gather_with_progress(
    git: &Git,
    head: Oid,
    period: Period,
    progress: &dyn Fn(usize, usize),
) -> Result<Gathered> {
    let line = match history::line(git, head, period) {
        Ok(line) => line,
        Err(e) => return Ok(Gathered { head: load::load(&Revision::new(git, head)?), evidence: Err(e) }),
    };
    // The walk has a core of its own. On the others, the head and the states at the period's ends
    // load (from their own handle on the repository), then the line's signatures are checked ahead
    // of the walk until it is done.
    let (at_start, at_end) = (line.at_start, line.at_end);
    let path = git.raw().path().to_path_buf();
    let ahead: Vec<Oid> = std::iter::once(line.base).chain(line.commits.iter().map(|(c, _)| *c)).collect();
    let settings = line.settings.clone();
    let pace = crate::ledger::ahead::Pace::default();
    let (trail, states) = std::thread::scope(|s| {
        let states = s.spawn(|| {
            let states = crate::ledger::ahead::aside(|| States::load(&path, head, at_start, at_end));
            crate::ledger::ahead::check(&path, &ahead, &settings, &pace);
            states
        });
        let trail = history::walk(git, head, line, &|done, total| {
            pace.at(done);
            progress(done, total);
        });
        pace.done();
        (trail, states.join())
    });
    let states = states.map_err(|_| anyhow::anyhow!("loading the period's states failed"))??;
    let evidence = trail.and_then(|trail| assemble(git, trail, &states, period));
    Ok(Gathered { head: states.head, evidence })
}

/// The repository as of the head and of the period's ends.
struct States {
    head: load::Loaded,
    /// The period's end, where it is not the head.
    end: Option<Repository>,
    /// The period's start, where it is neither the end nor before the history.
    start: Option<Repository>,
}

impl States {
    fn load(path: &std::path::Path, head: Oid, at_start: Option<Oid>, at_end: Option<Oid>) -> Result<States> {
        let git = Git::open(path)?;
        let at = |c: Oid| -> Result<Repository> { Ok(load::load(&Revision::new(&git, c)?).repo) };
        let end = match at_end {
            Some(c) if c == head => None,
            Some(c) => Some(at(c)?),
            None => Some(Repository::default()),
        };
        let start = match at_start {
            Some(c) if Some(c) != at_end => Some(at(c)?),
            _ => None,
        };
        Ok(States { head: load::load(&Revision::new(&git, head)?), end, start })
    }

    fn end(&self) -> &Repository {
        self.end.as_ref().unwrap_or(&self.head.repo)
    }
}

/// The evidence from the walk's trail and the states it read.
fn assemble(git: &Git, mut trail: Trail, states: &States, period: Period) -> Result<Evidence> {
    let (end_repo, start_repo) = (states.end(), states.start.as_ref());
    // Execution rules over the whole line are judged as of the head (a fact of the repository).
    trail.walk.pending_at_head();
    trail.walk.reports(trail.head_time);
    let chains = Chains::new(trail.chains(), std::mem::take(&mut trail.requested_in), trail.bounds.1);
    trail.requested_in = chains.requested_in.clone();
    let end_links = chains.links(end_repo);
    let items = status::evaluate(end_repo, period.to, &end_links);
    let start_items = match start_repo {
        Some(r) => status::evaluate(r, period.from, &chains.links(r)),
        None => Vec::new(),
    };
    let states = discovery::States { end_repo, end: &items, start: &start_items };
    let moved: Vec<VersionChange> =
        trail.moves.iter().filter(|v| period.contains(&trail.bounds, v.at)).cloned().collect();
    let (eol_known, events) = discovery::eol(&trail, &chains, &states, period, &moved);
    let requests = changes::population(&trail, &chains, end_repo, &period);
    let approved_map: HashMap<String, DateTime<FixedOffset>> = chains
        .map
        .keys()
        .filter_map(|id| Some((id.clone(), chains.approved_at(id).filter(|t| *t < trail.bounds.1)?)))
        .collect();
    let security = crate::eval::advisories::evaluate(end_repo, period.to, &approved_map);
    let missed = discovery::missed(&trail, end_repo);
    let noncompliance = noncompliance::register(&noncompliance::Inputs {
        trail: &trail,
        chains: &chains,
        repo: end_repo,
        period,
        end: &items,
        start: &start_items,
        security: &security,
        requests: &requests,
        missed: &missed,
        moved_off: noncompliance::moved_off(&trail),
    });
    let kpis = kpis(&trail, period, &chains, &items, &moved, &requests, &security, &events, end_repo);
    Ok(Evidence {
        schema: "lifecycle.report/v1",
        period,
        timezone: trail.settings.timezone.name().to_string(),
        history: history_section(&trail),
        noncompliance,
        policy: policy::section(git, &trail, &chains, end_repo, trail.at_end)?,
        inventory: inventory::section(&items, period.to, trail.at_end.map(|c| c.to_string()), &chains),
        accuracy: crate::eval::accuracy::evaluate(end_repo, period.to),
        discovery: Discovery {
            eol: eol_known,
            advisories: discovery::advisories(&trail, &chains, end_repo),
            runs: discovery::runs(&trail, end_repo),
            every: end_repo.policy.rules.discovery_every.map(|d| d.to_string()),
            missed,
        },
        separation_of_duties: changes::duties(&trail, &requests),
        emergencies: changes::emergencies(&requests, end_repo, trail.bounds.1),
        changes: Population {
            unapproved: moved.iter().filter(|v| v.approved_by.is_none()).count(),
            requests,
            version_changes: moved,
        },
        kpis,
        verification: verification(&trail, period),
    })
}

/// The inventory at the period's end, and at its start when that differs.
fn history_section(trail: &Trail) -> History {
    History {
        head: trail.head.to_string(),
        head_time: trail.head_time,
        baseline: trail.base.to_string(),
        baseline_time: trail.base_time,
        commits: trail.commits,
        at_start: trail.at_start.map(|c| c.to_string()),
        at_end: trail.at_end.map(|c| c.to_string()),
    }
}

/// The six KPIs of §8, each over its population as of the period's end.
#[allow(clippy::too_many_arguments)]
fn kpis(
    trail: &Trail,
    period: Period,
    chains: &Chains,
    items: &[status::Item],
    moved: &[VersionChange],
    requests: &[ChangeEntry],
    security: &[crate::eval::advisories::SecurityItem],
    events: &[kpi::EolEvent],
    repo: &Repository,
) -> Vec<Kpi> {
    let last_day = period.to;
    let supported: Vec<(String, Status)> =
        items.iter().map(|i| (format!("{}/{}", i.system.id, i.component.name), i.status)).collect();
    let mut required: BTreeMap<String, bool> = BTreeMap::new();
    for i in items {
        if i.plan_by.is_some_and(|p| p <= last_day) || i.status == Status::Eol {
            required.insert(
                format!("{}/{}", i.system.id, i.component.name),
                i.change.is_some() || i.exception.is_some(),
            );
        }
    }
    for v in moved {
        let ok = v.approved_by.is_some();
        let entry = required.entry(format!("{}/{}", v.system, v.component)).or_insert(ok);
        *entry = *entry || ok;
    }
    let required: Vec<kpi::Required> =
        required.into_iter().map(|(id, covered)| kpi::Required { id, covered }).collect();
    let executed: Vec<(String, crate::model::Outcome)> = requests
        .iter()
        .filter(|r| r.state != crate::eval::approvals::State::Rejected.as_str() && r.execution.is_some())
        .filter_map(|r| Some((r.id.clone(), chains.get(&r.id)?.change.report.as_ref()?.outcome)))
        .collect();
    let patches: Vec<kpi::Patch> = security
        .iter()
        .filter(|s| s.affected || s.resolved_at.is_some())
        .map(|s| kpi::Patch {
            id: format!("{} {}/{}", s.advisory, s.system, s.component),
            severity: s.severity,
            detected_at: s.detected_at,
            deploy_by: s.deploy_by,
            deployed_at: s.resolved_at,
        })
        .collect();
    let (from, to) = trail.bounds;
    let targets = &repo.policy.kpis;
    vec![
        kpi::supported_coverage(&supported).against(targets),
        kpi::update_coverage(&required).against(targets),
        kpi::update_success(&executed).against(targets),
        kpi::patch_timeliness(&patches, from, to).against(targets),
        kpi::critical_fix_time(&patches, from, to).against(targets),
        kpi::early_warning(events).against(targets),
    ]
}

fn verification(trail: &Trail, period: Period) -> Verification {
    let errors = trail.walk.findings.iter().filter(|f| f.severity == FindingSeverity::Error).count();
    let head = trail.head.to_string();
    Verification {
        errors,
        warnings: trail.walk.findings.len() - errors,
        signoffs_checked: trail.walk.checked(),
        commands: vec![
            "git clone <repository> && cd <repository>".into(),
            format!("git checkout --detach {head}"),
            "lifecycle verify".into(),
            "lifecycle verify --write-allowed-signers allowed_signers".into(),
            format!(
                "git -c gpg.ssh.allowedSignersFile=allowed_signers log --show-signature {}..{head}",
                trail.base
            ),
            format!("lifecycle report --from {} --to {} --format json", period.from, period.to),
        ],
    }
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
