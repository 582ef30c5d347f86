//! `lifecycle log SYSTEM`: a system's running record, read from the ledger's events (the fourth
//! reader beside verify, review and report): every version it ran and when that was recorded, the
//! change behind each move with its chain and execution, exceptions, end-date moves, and findings.

use std::collections::BTreeSet;

use anyhow::Result;
use chrono::{DateTime, FixedOffset};
use git2::Oid;
use serde::Serialize;

use crate::eval::findings::Finding;
use crate::git::Git;
use crate::ledger::{Step, Walk};
use crate::model::{ClassKind, Target};

/// One line of the record, in the order of the verified line.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub commit: String,
    /// The commit's own date (a claim; the order is the line's).
    pub at: DateTime<FixedOffset>,
    /// `baseline`, `version`, `added`, `removed`, `renamed`, `replaced`, `file-moved`, `eol-moved`.
    pub kind: &'static str,
    pub component: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The approved change that covers it (None: unapproved, or free).
    pub change: Option<String>,
    /// Needs no approval (onboarding at `ok`).
    pub free: bool,
}

/// A change that targets the system, with its chain and execution.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeRecord {
    pub id: String,
    pub class: String,
    pub kind: Option<ClassKind>,
    pub state: &'static str,
    /// Each sign-off: stage, person, decision, standing, commit.
    pub chain: Vec<SignOffRecord>,
    pub started_at: Option<DateTime<FixedOffset>>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    pub outcome: Option<String>,
    /// For an exception: until when the risk is accepted.
    pub until: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignOffRecord {
    pub stage: String,
    pub by: String,
    pub decision: &'static str,
    pub standing: &'static str,
    pub commit: Option<String>,
}

/// The whole record.
#[derive(Debug, Clone, Serialize)]
pub struct SystemLog {
    pub schema: &'static str,
    pub system: String,
    pub head: String,
    pub entries: Vec<Entry>,
    pub changes: Vec<ChangeRecord>,
    pub findings: Vec<Finding>,
}

/// The names a system had over the line (a rename adds the new one).
struct Names(BTreeSet<String>);

impl Names {
    fn has(&self, s: &str) -> bool {
        self.0.contains(s)
    }
}

/// Builds the record of `system` from the first commit (or `genesis`) to `head`.
pub fn log(git: &Git, head: Oid, system: &str, now: DateTime<FixedOffset>) -> Result<SystemLog> {
    let mut commits = git.first_parent(head, None)?;
    commits.reverse();
    let base = commits.remove(0);
    let settings = crate::review::settings_at(git, base)?;
    let mut walk = Walk::at(git, settings, base, false)?;
    let mut names = Names(BTreeSet::from([system.to_string()]));
    let mut entries = baseline(&walk, git, base, system)?;
    let mut paths: BTreeSet<String> = BTreeSet::new();
    let mut parent = base;
    for &commit in &commits {
        let step = walk.step(parent, commit)?;
        let at = git.commit_time(commit)?;
        entries.extend(read_step(&step, &commit.to_string(), at, &mut names, &mut paths));
        parent = commit;
    }
    walk.pending_at_head();
    walk.reports(now);
    let changes = changes_of(&mut walk, &names);
    let ids: BTreeSet<&str> = changes.iter().map(|c| c.id.as_str()).collect();
    let findings = walk
        .findings
        .iter()
        .filter(|f| {
            f.change.as_deref().is_some_and(|c| ids.contains(c))
                || f.path.as_ref().is_some_and(|p| paths.contains(p))
        })
        .cloned()
        .collect();
    Ok(SystemLog {
        schema: "lifecycle.log/v1",
        system: system.to_string(),
        head: head.to_string(),
        entries,
        changes,
        findings,
    })
}

/// The system's components at the baseline, as the record's first lines.
fn baseline(walk: &Walk, git: &Git, base: Oid, system: &str) -> Result<Vec<Entry>> {
    let files = walk.files_under(&walk.settings().paths.systems);
    let repo = walk.load(files).repo;
    let at = git.commit_time(base)?;
    Ok(repo
        .system(system)
        .map(|s| {
            s.components
                .iter()
                .map(|c| Entry {
                    commit: base.to_string(),
                    at,
                    kind: "baseline",
                    component: Some(c.name.clone()),
                    before: None,
                    after: Some(format!("{} {}", c.product, c.version)),
                    change: None,
                    free: true,
                })
                .collect()
        })
        .unwrap_or_default())
}

/// The entries of one step that concern the system (under any of its names).
fn read_step(
    step: &Step,
    commit: &str,
    at: DateTime<FixedOffset>,
    names: &mut Names,
    paths: &mut BTreeSet<String>,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for v in &step.versions {
        if v.keys.iter().any(|(s, _)| names.has(s)) || names.has(&v.system) {
            names.0.insert(v.system.clone());
            paths.insert(v.path.clone());
            out.push(Entry {
                commit: commit.to_string(),
                at,
                kind: "version",
                component: Some(v.component.clone()),
                before: Some(v.from.clone()),
                after: Some(v.to.clone()),
                change: v.approved_by.clone(),
                free: false,
            });
        }
    }
    for e in &step.events {
        let renamed_from =
            e.before.as_deref().filter(|_| e.kind == "renamed").and_then(|b| b.split_once('/'));
        let mine = names.has(&e.system)
            || renamed_from.is_some_and(|(s, _)| names.has(s))
            || e.users.iter().any(|u| u.split_once('/').is_some_and(|(s, _)| names.has(s)));
        if !mine {
            continue;
        }
        if e.kind == "renamed" {
            names.0.insert(e.system.clone());
        }
        if e.users.is_empty() {
            paths.insert(e.path.clone());
        }
        out.push(Entry {
            commit: commit.to_string(),
            at,
            kind: e.kind,
            component: e.component.clone(),
            before: e.before.clone(),
            after: e.after.clone(),
            change: e.approved_by.clone(),
            free: e.free,
        });
    }
    out
}

/// Every change whose targets name the system, with its chain and execution, in id order.
fn changes_of(walk: &mut Walk, names: &Names) -> Vec<ChangeRecord> {
    let mut out = Vec::new();
    for id in walk.changes_now() {
        let Some(chain) = walk.chain(&id) else { continue };
        let change = &chain.change;
        let targets = change.targets.iter().any(|t| match t {
            Target::Version { system, .. } | Target::System { system, .. } => names.has(system),
            _ => false,
        });
        if !targets {
            continue;
        }
        let signoffs = chain
            .signoffs
            .iter()
            .zip(&chain.eval.standing)
            .zip(&chain.verified)
            .map(|((s, standing), (_, commit))| SignOffRecord {
                stage: s.file.statement.stage.clone(),
                by: s.file.statement.by.clone(),
                decision: s.file.statement.decision.as_str(),
                standing: crate::ledger::standing_word(standing),
                commit: commit.as_ref().map(|c| c.id.clone()),
            })
            .collect();
        let report = change.report.as_ref();
        out.push(ChangeRecord {
            id: change.id.clone(),
            class: change.class.clone(),
            kind: walk.class_kind(&change.class),
            state: chain.eval.state.as_str(),
            chain: signoffs,
            started_at: report.map(|r| r.started_at),
            finished_at: report.and_then(|r| r.finished_at),
            outcome: report.and_then(|r| serde_json::to_value(r.outcome).ok()?.as_str().map(str::to_string)),
            until: change.until,
        });
    }
    out
}
