//! The report's one walk: the ledger's steps from the baseline to the head, and what the evidence
//! pack keeps of each (when a request entered, the version moves of the period, the policy moves,
//! when each end date and advisory became known, the discovery runs), with the commits that were
//! the last before the period's start and end.

use std::collections::HashMap;

use anyhow::{Result, bail};
use chrono::{DateTime, FixedOffset};
use git2::Oid;

use super::knowledge::Knowledge;
use super::{Period, VersionChange};
use crate::git::{ChangeKind, Git};
use crate::ledger::{Chain, Walk};
use crate::model::Settings;

/// When a file entered history: the commit and its time.
pub type Entered = (String, DateTime<FixedOffset>);

/// Everything the walk established, for the sections to read.
pub struct Trail<'g> {
    pub walk: Walk<'g>,
    pub settings: Settings,
    pub bounds: (DateTime<FixedOffset>, DateTime<FixedOffset>),
    pub base: Oid,
    pub base_time: DateTime<FixedOffset>,
    pub head: Oid,
    pub head_time: DateTime<FixedOffset>,
    /// Commits stepped after the baseline.
    pub commits: usize,
    pub at_start: Option<Oid>,
    pub at_end: Option<Oid>,
    pub known: Knowledge,
    /// Per change id, the commit that added its request.
    pub requested_in: HashMap<String, Entered>,
    /// Every version move on the line, with its commit and time (the period's are reported).
    pub moves: Vec<VersionChange>,
    /// Per policy file, the last commit that changed it (and the change that covered it).
    pub policy_changed: HashMap<String, (String, DateTime<FixedOffset>, Option<String>)>,
    /// Per file under `paths.discovery`, the commit that added it.
    pub runs_added: HashMap<String, Entered>,
    /// Parallel to the walk's findings: the time of the commit whose step raised each.
    pub found_at: Vec<DateTime<FixedOffset>>,
}

/// The first-parent line from the baseline to `head`, and where the period falls on it: known
/// before the walk, so that the states at the period's ends can be loaded while it runs.
pub struct Line {
    pub settings: Settings,
    /// The commits after the baseline, oldest first, with their times.
    pub commits: Vec<(Oid, DateTime<FixedOffset>)>,
    pub base: Oid,
    pub base_time: DateTime<FixedOffset>,
    pub bounds: (DateTime<FixedOffset>, DateTime<FixedOffset>),
    /// The last commits before the period's start and end (times are claims: the line's order decides).
    pub at_start: Option<Oid>,
    pub at_end: Option<Oid>,
}

pub fn line(git: &Git, head: Oid, period: Period) -> Result<Line> {
    let settings = crate::review::settings_at(git, head)?;
    let genesis = settings.genesis.as_deref().map(|g| git.resolve(g)).transpose()?;
    let mut commits = git.first_parent(head, genesis)?;
    commits.reverse();
    let base = match genesis {
        Some(g) => g,
        None => commits.remove(0),
    };
    let bounds = period.bounds(settings.timezone);
    let base_time = git.commit_time(base)?;
    if base_time >= bounds.1 {
        bail!(super::TooEarly { period, first: base_time.with_timezone(&settings.timezone).date_naive() });
    }
    let commits: Vec<(Oid, DateTime<FixedOffset>)> =
        commits.into_iter().map(|c| Ok((c, git.commit_time(c)?))).collect::<Result<_>>()?;
    let last_before =
        |t: DateTime<FixedOffset>| commits.iter().rev().find(|(_, time)| *time < t).map(|(c, _)| *c);
    let at_start = last_before(bounds.0).or((base_time < bounds.0).then_some(base));
    let at_end = last_before(bounds.1).or(Some(base));
    Ok(Line { settings, commits, base, base_time, bounds, at_start, at_end })
}

/// Walks the line (SPEC §4.5), keeping what the report reads.
pub fn walk<'g>(git: &'g Git, head: Oid, line: Line, progress: &dyn Fn(usize, usize)) -> Result<Trail<'g>> {
    let Line { settings, commits, base, base_time, bounds, at_start, at_end } = line;
    let walk = Walk::at(git, settings.clone(), base, true)?;
    let found_at = vec![base_time; walk.findings.len()];
    let mut trail = Trail {
        walk,
        settings,
        bounds,
        base,
        base_time,
        head,
        head_time: git.commit_time(head)?,
        commits: commits.len(),
        at_start,
        at_end,
        known: Knowledge::default(),
        requested_in: HashMap::new(),
        moves: Vec::new(),
        policy_changed: HashMap::new(),
        runs_added: HashMap::new(),
        found_at,
    };
    trail.absorb_baseline();
    let mut parent = base;
    for (n, &(commit, time)) in commits.iter().enumerate() {
        progress(n, commits.len());
        trail.step(parent, commit, time)?;
        parent = commit;
    }
    Ok(trail)
}

impl<'g> Trail<'g> {
    fn watched(&self) -> [String; 3] {
        let p = &self.settings.paths;
        [format!("{}/", p.products), format!("{}/", p.systems), format!("{}/", p.advisories)]
    }

    fn absorb_baseline(&mut self) {
        let p = &self.settings.paths;
        let initial: Vec<(String, Oid)> =
            [&p.products, &p.systems, &p.advisories].iter().flat_map(|d| self.walk.files_under(d)).collect();
        let discovery: Vec<(String, Oid)> = self.walk.files_under(&p.discovery);
        let entered = (self.base.to_string(), self.base_time);
        for (path, _) in discovery {
            self.runs_added.entry(path).or_insert_with(|| entered.clone());
        }
        self.known.absorb_baseline(&mut self.walk, initial, self.base_time, &entered.0);
    }

    /// One commit of the line: the ledger's step, then what the report keeps of it.
    fn step(&mut self, parent: Oid, commit: Oid, time: DateTime<FixedOffset>) -> Result<()> {
        let step = self.walk.step(parent, commit)?;
        self.found_at.resize(self.walk.findings.len(), time);
        let cid = commit.to_string();
        let changes = format!("{}/", self.settings.paths.changes);
        let discovery = format!("{}/", self.settings.paths.discovery);
        let watched = self.watched();
        let mut touched: Vec<(String, Oid)> = Vec::new();
        for d in step.deltas.iter().filter(|d| d.kind != ChangeKind::Deleted) {
            if let Some(id) = d.path.strip_prefix(&changes).and_then(|r| r.strip_suffix("/request.yaml"))
                && d.kind == ChangeKind::Added
            {
                self.requested_in.entry(id.to_string()).or_insert((cid.clone(), time));
            }
            if d.path.starts_with(&discovery) {
                self.runs_added.entry(d.path.clone()).or_insert((cid.clone(), time));
            }
            if watched.iter().any(|w| d.path.starts_with(w.as_str())) {
                touched.push((d.path.clone(), d.new));
            }
        }
        self.known.absorb(&mut self.walk, touched, time, &cid);
        self.moves.extend(step.versions.into_iter().map(|v| VersionChange {
            commit: cid.clone(),
            at: time,
            system: v.system,
            component: v.component,
            from: v.from,
            to: v.to,
            approved_by: v.approved_by,
        }));
        for p in step.policy_files {
            self.policy_changed.insert(p.path.clone(), (cid.clone(), time, p.approved_by));
        }
        Ok(())
    }

    /// The chains of every change at the head, by id.
    pub fn chains(&mut self) -> std::collections::BTreeMap<String, Chain> {
        self.walk
            .changes_now()
            .into_iter()
            .filter_map(|id| Some((id.clone(), self.walk.chain(&id)?)))
            .collect()
    }
}
