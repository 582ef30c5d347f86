//! Section 1: the policy in force at the period's end, and each policy file's approval record
//! (SPEC §4.8): the approved `policy` change that covers its digest, with its chain, or none.

use anyhow::Result;
use git2::Oid;

use super::chains::Chains;
use super::history::Trail;
use super::{ClassRow, PolicyFile, PolicySection, SignOffRow};
use crate::git::Git;
use crate::model::{AppliesTo, Basis, Chain as ChainSpec, ClassKind, Repository, Target};

/// The lowercase word serde gives a unit enum (`high`, `rolled_back`).
pub fn word<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn applies_to(a: &AppliesTo) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !a.severity.is_empty() {
        parts.push(format!("severity: {}", a.severity.iter().map(word).collect::<Vec<_>>().join(", ")));
    }
    if let Some(k) = a.kev {
        parts.push(format!("kev: {k}"));
    }
    parts.join("; ")
}

fn chain(c: &ChainSpec) -> String {
    match c {
        ChainSpec::Roles(r) => r.join(" → "),
        ChainSpec::ByCriticality { by, default } => {
            let mut parts: Vec<String> =
                by.iter().map(|(k, r)| format!("{}: {}", word(k), r.join(" → "))).collect();
            if let Some(d) = default {
                parts.push(format!("default: {}", d.join(" → ")));
            }
            parts.join("; ")
        }
    }
}

fn classes(repo: &Repository) -> Vec<ClassRow> {
    repo.policy
        .classes
        .values()
        .map(|c| ClassRow {
            name: c.name.clone(),
            title: c.title.clone(),
            respond_within: c.respond_within.map(|d| d.to_string()),
            deploy_within: c.deploy_within.map(|d| d.to_string()),
            chain: chain(&c.chain),
            roles: c.chain.all_roles().into_iter().cloned().collect(),
            confirm: c.confirm.clone(),
            retroactive_within: c.retroactive_within.map(|d| d.to_string()),
            max_duration: c.max_duration.map(|d| d.to_string()),
            applies_to: c.applies_to.as_ref().map(applies_to),
        })
        .collect()
}

fn rules(repo: &Repository) -> Vec<(String, String)> {
    let r = &repo.policy.rules;
    let mut rules = vec![
        ("separation_of_duties".to_string(), r.separation_of_duties.to_string()),
        ("require_gray_before_production".to_string(), r.require_gray_before_production.to_string()),
        ("require_backup".to_string(), r.require_backup.to_string()),
        ("require_signed_commits".to_string(), r.require_signed_commits.to_string()),
    ];
    if let Some(n) = r.notify_before {
        rules.push(("notify_before".into(), n.to_string()));
    }
    for (env, days) in &r.windows {
        let days: Vec<String> = days.iter().map(|d| d.to_string().to_lowercase()).collect();
        rules.push((format!("windows.{env}"), days.join(", ")));
    }
    if let Some(m) = r.observation_max_age {
        rules.push(("observation_max_age".into(), m.to_string()));
    }
    rules
}

/// The approved `policy` change (before the period's end) whose targets name `path` at `digest`;
/// the latest approved when several do.
fn covering<'c>(
    chains: &'c Chains,
    repo: &Repository,
    path: &str,
    digest: &str,
    trail: &Trail,
) -> Option<&'c str> {
    chains
        .map
        .iter()
        .filter(|(id, _)| chains.kind(repo, id) == Some(ClassKind::Policy))
        .filter(|(id, _)| chains.approved_at(id).is_some_and(|t| t < trail.bounds.1))
        .filter(|(_, c)| {
            c.change
                .targets
                .iter()
                .any(|t| matches!(t, Target::File { path: p, digest: d, .. } if p == path && d == digest))
        })
        .max_by_key(|(id, _)| chains.approved_at(id))
        .map(|(id, _)| id.as_str())
}

fn file(
    git: &Git,
    trail: &Trail,
    chains: &Chains,
    repo: &Repository,
    at: Option<Oid>,
    path: &str,
) -> Option<PolicyFile> {
    let bytes = at.and_then(|c| git.read_at(c, path).ok().flatten())?;
    let digest = crate::model::statement::digest(&bytes);
    let changed = trail.policy_changed.get(path);
    let approved_by = covering(chains, repo, path, &digest, trail).map(str::to_string);
    let approval: Option<Vec<SignOffRow>> = approved_by
        .as_deref()
        .and_then(|id| chains.get(id))
        .map(|c| super::changes::rows(c).into_iter().filter(|r| r.standing == "valid").collect());
    Some(PolicyFile {
        path: path.to_string(),
        digest,
        changed_in: changed.map(|c| c.0.clone()),
        changed_at: changed.map(|c| c.1),
        approved_at: approved_by.as_deref().and_then(|id| chains.approved_at(id)),
        approved_by,
        approval,
    })
}

/// The policy in force at the period's end (`repo`, the state at commit `at`).
pub fn section(
    git: &Git,
    trail: &Trail,
    chains: &Chains,
    repo: &Repository,
    at: Option<Oid>,
) -> Result<PolicySection> {
    let policy = &repo.policy;
    let mut paths: Vec<String> = policy.files.clone();
    paths.push(repo.settings.paths.people.clone());
    paths.push("lifecycle.yaml".to_string());
    paths.sort();
    paths.dedup();
    let files = paths.iter().filter_map(|p| file(git, trail, chains, repo, at, p)).collect();
    Ok(PolicySection {
        model: repo.policy.clone(),
        files,
        basis: match policy.eol.basis {
            Basis::Eol => "eol",
            Basis::Extended => "extended",
        },
        plan_before: policy.eol.plan_before.to_string(),
        finish_before: policy.eol.finish_before.to_string(),
        classes: classes(repo),
        rules: rules(repo),
        kpi_targets: policy.kpis.iter().map(|k| (k.name.clone(), k.text.clone())).collect(),
    })
}
