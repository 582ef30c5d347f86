//! Pull-request review: what a branch changes against its merge-base with the base, the status before
//! and after, which approvals each change needs under the base's policy and which it has, verified with
//! the keys trusted at the base (SPEC §4.4, §6).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use chrono::NaiveDate;
use git2::Oid;

use crate::eval::findings::{Finding, Severity};
use crate::eval::status::{self, Links, Status};
use crate::git::{ChangeKind, Git};
use crate::ledger::{Step, Walk};
use crate::model::{Milestone, Product, Repository, Settings};

/// Repository files as (path, blob id).
type Files = Vec<(String, Oid)>;

/// A component whose status the change moves.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatusMove {
    pub system: String,
    pub component: String,
    pub version_before: Option<String>,
    pub version_after: Option<String>,
    pub before: Option<Status>,
    pub after: Option<Status>,
}

/// A product whose catalog entry changed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProductMove {
    pub product: String,
    pub path: String,
    pub cycles_added: Vec<String>,
    pub cycles_removed: Vec<String>,
    /// (cycle, field, before, after, moved earlier)
    pub dates: Vec<DateMove>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DateMove {
    pub cycle: String,
    pub field: &'static str,
    pub before: String,
    pub after: String,
    pub earlier: bool,
}

pub struct Review {
    pub base: Oid,
    pub head: Oid,
    pub merge_base: Oid,
    pub commits: usize,
    pub step: Step,
    pub findings: Vec<Finding>,
    pub statuses: Vec<StatusMove>,
    pub systems_added: Vec<String>,
    pub systems_removed: Vec<String>,
    pub products: Vec<ProductMove>,
    pub signoffs_checked: usize,
}

impl Review {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
}

/// The settings of a commit's `lifecycle.yaml` (defaults without one).
pub fn settings_at(git: &Git, commit: Oid) -> Result<Settings> {
    let mut settings = match git.read_at(commit, "lifecycle.yaml")? {
        Some(bytes) => crate::load::settings_from(&String::from_utf8_lossy(&bytes), &mut Vec::new()),
        None => Settings::default(),
    };
    let source = crate::load::source::Revision::new(git, commit)?;
    settings.paths.advisories = crate::load::advisories_dir(&source, &settings);
    Ok(settings)
}

/// The policy at a commit, read from its policy files alone (to name roles; no inventory is read).
pub fn policy_at(git: &Git, commit: Oid) -> Result<crate::model::Policy> {
    let settings = settings_at(git, commit)?;
    let mut files = Vec::new();
    for (path, id, link) in git.list(commit, &settings.paths.policies)? {
        if !link {
            files.push((path, git.blob(id)?));
        }
    }
    Ok(crate::load::load_blobs(settings, files).repo.policy)
}

pub fn review(
    git: &Git,
    base: Oid,
    head: Oid,
    today: NaiveDate,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Review> {
    let merge_base = git.raw().merge_base(base, head)?;
    let mut commits = git.first_parent(head, Some(merge_base))?;
    commits.reverse();
    // The base's settings, people and policy judge the pull request (SPEC §4.7).
    let settings = settings_at(git, base)?;
    let paths = settings.paths.clone();
    let mut walk = Walk::at(git, settings, merge_base, true)?;
    walk.pin_to(base)?;

    let products_before = walk.files_under(&paths.products);
    let policy_before = walk.files_under(&paths.policies);
    // The pull request's own commits, in order (SPEC §4.6): each judged against its parent.
    let mut step = Step::default();
    let mut parent = merge_base;
    for &commit in &commits {
        let one = walk.step(parent, commit)?;
        step.versions.extend(one.versions);
        step.events.extend(one.events);
        step.policy_files.extend(one.policy_files);
        step.signoffs.extend(one.signoffs);
        parent = commit;
    }
    step.deltas = walk.net_deltas(merge_base, head)?;
    step.head = Some(head);
    walk.restate(&mut step.signoffs);
    step.versions.sort_by(|a, b| (&a.system, &a.component).cmp(&(&b.system, &b.component)));
    let products_after = walk.files_under(&paths.products);
    let policy_after = walk.files_under(&paths.policies);
    let touched: BTreeSet<String> = step
        .deltas
        .iter()
        .filter_map(|d| {
            d.path
                .strip_prefix(&format!("{}/", paths.changes))
                .and_then(|r| r.split('/').next())
                .map(str::to_string)
        })
        .collect();
    walk.pending_at_head();
    walk.reports_for(&touched, now);

    // Statuses before and after, of the systems the change touches (all systems when the catalog changed).
    let systems_prefix = format!("{}/", paths.systems);
    let products_prefix = format!("{}/", paths.products);
    let catalog_changed = step.deltas.iter().any(|d| d.path.starts_with(&products_prefix));
    let (sys_before, sys_after): (Files, Files) = if catalog_changed {
        let after = walk.files_under(&paths.systems);
        let mut before: BTreeMap<String, Oid> = after.iter().cloned().collect();
        for d in step.deltas.iter().filter(|d| d.path.starts_with(&systems_prefix)) {
            match d.kind {
                ChangeKind::Added => drop(before.remove(&d.path)),
                _ => drop(before.insert(d.path.clone(), d.old)),
            }
        }
        (before.into_iter().collect(), after)
    } else {
        let changed = step.deltas.iter().filter(|d| d.path.starts_with(&systems_prefix));
        let before = changed
            .clone()
            .filter(|d| d.kind != ChangeKind::Added)
            .map(|d| (d.path.clone(), d.old))
            .collect();
        let after =
            changed.filter(|d| d.kind != ChangeKind::Deleted).map(|d| (d.path.clone(), d.new)).collect();
        (before, after)
    };
    let before = walk.load([products_before.clone(), policy_before, sys_before].concat()).repo;
    // The changed files of other kinds (requests, reports, advisories, the people file) are loaded
    // with the state after, so that their loader errors become findings.
    let others: Files = step
        .deltas
        .iter()
        .filter(|d| d.kind != ChangeKind::Deleted && !d.path.starts_with(&systems_prefix))
        .filter(|d| {
            !d.path.starts_with(&products_prefix) && !d.path.starts_with(&format!("{}/", paths.policies))
        })
        .map(|d| (d.path.clone(), d.new))
        .collect();
    let after_loaded = walk.load([products_after.clone(), policy_after, sys_after, others].concat());
    let mut findings = std::mem::take(&mut walk.findings);
    loader_errors(&after_loaded, &step, &mut findings);
    let after = after_loaded.repo;
    let statuses = status_moves(&before, &after, today);
    let ids = |r: &Repository| r.systems.iter().map(|s| s.id.clone()).collect::<BTreeSet<_>>();
    let (ids_before, ids_after) = (ids(&before), ids(&after));
    let systems_added = ids_after.difference(&ids_before).cloned().collect();
    let systems_removed = ids_before.difference(&ids_after).cloned().collect();
    let products = product_moves(&before, &after, &step);

    Ok(Review {
        base,
        head,
        merge_base,
        commits: commits.len(),
        signoffs_checked: walk.checked(),
        findings,
        step,
        statuses,
        systems_added,
        systems_removed,
        products,
    })
}

/// Every loader error in a file the pull request changes is an error finding (`invalid-file`): a PR
/// made of files the tool refuses must not pass.
fn loader_errors(loaded: &crate::load::Loaded, step: &Step, findings: &mut Vec<Finding>) {
    let changed: BTreeSet<&str> =
        step.deltas.iter().filter(|d| d.kind != ChangeKind::Deleted).map(|d| d.path.as_str()).collect();
    let flagged: BTreeSet<String> =
        findings.iter().filter(|f| f.code == "invalid-file").filter_map(|f| f.path.clone()).collect();
    let head = step.head.map(|h| h.to_string());
    for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
        let path = d.origin.path.as_str();
        if changed.contains(path) && !flagged.contains(path) {
            findings.push(
                Finding::invalid_file(path, crate::eval::findings::refused(d))
                    .at(path, Some(d.origin.line))
                    .commit(head.as_deref()),
            );
        }
    }
}

fn status_moves(before: &Repository, after: &Repository, today: NaiveDate) -> Vec<StatusMove> {
    let links = Links::default();
    let index = |r: &Repository| -> BTreeMap<(String, String), (String, Status)> {
        status::evaluate(r, today, &links)
            .into_iter()
            .map(|i| {
                (
                    (i.system.id.clone(), i.component.name.clone()),
                    (i.component.version.clone(), i.date_status),
                )
            })
            .collect()
    };
    let (b, a) = (index(before), index(after));
    let keys: BTreeSet<&(String, String)> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (b.get(k), a.get(k));
            if x == y {
                return None;
            }
            Some(StatusMove {
                system: k.0.clone(),
                component: k.1.clone(),
                version_before: x.map(|v| v.0.clone()),
                version_after: y.map(|v| v.0.clone()),
                before: x.map(|v| v.1),
                after: y.map(|v| v.1),
            })
        })
        .collect()
}

fn milestone(m: Milestone) -> String {
    match m {
        Milestone::None => "none".into(),
        Milestone::Passed => "passed".into(),
        Milestone::Date(d) => d.to_string(),
    }
}

fn product_moves(before: &Repository, after: &Repository, step: &Step) -> Vec<ProductMove> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = before.products.keys().chain(after.products.keys()).collect();
    for name in names {
        let (b, a): (Option<&Product>, Option<&Product>) =
            (before.products.get(name), after.products.get(name));
        let path = a.or(b).map(|p| p.origin.path.clone()).unwrap_or_default();
        if !step.deltas.iter().any(|d| d.path == path) {
            continue;
        }
        let cycles = |p: Option<&Product>| {
            p.map(|p| p.cycles.iter().map(|c| (c.name.clone(), c.clone())).collect::<BTreeMap<_, _>>())
                .unwrap_or_default()
        };
        let (cb, ca) = (cycles(b), cycles(a));
        let mut dates = Vec::new();
        for (name, old) in &cb {
            let Some(new) = ca.get(name) else { continue };
            for (field, x, y) in [
                ("eol", old.eol, new.eol),
                ("extended_support_end", old.extended_support_end, new.extended_support_end),
                ("active_support_end", old.active_support_end, new.active_support_end),
            ] {
                if x != y {
                    let earlier = match (x, y) {
                        (Milestone::Date(x), Milestone::Date(y)) => y < x,
                        (Milestone::None, _) | (_, Milestone::Passed) => true,
                        _ => false,
                    };
                    dates.push(DateMove {
                        cycle: name.clone(),
                        field,
                        before: milestone(x),
                        after: milestone(y),
                        earlier,
                    });
                }
            }
        }
        out.push(ProductMove {
            product: name.clone(),
            path,
            cycles_added: ca.keys().filter(|k| !cb.contains_key(*k)).cloned().collect(),
            cycles_removed: cb.keys().filter(|k| !ca.contains_key(*k)).cloned().collect(),
            dates,
        });
    }
    out
}
