//! Approvals of a repository state: every sign-off's signature checked against a trust root, optional
//! commit facts from history, each change's chain evaluated, and what that means for `check`.

use std::collections::HashMap;

use anyhow::Result;
use rayon::prelude::*;

use crate::eval::approvals::{self, ChangeEval, Checked, CommitInfo};
use crate::eval::status::{Coverage, Exception, Links};
use crate::git::{ChangeKind, Git};
use crate::model::{ChangeRequest, Repository, SignOff, Target};
use crate::sign::{self, GIT_NAMESPACE, KeyId, Trust};

/// Checks every sign-off's signature (in parallel) and attaches the commit that added it, if known.
pub fn check<'a>(
    repo: &'a Repository,
    trust: &Trust,
    added: Option<&HashMap<String, CommitInfo>>,
) -> Vec<Checked<'a>> {
    let namespace = repo.settings.signing_namespace.as_str();
    repo.signoffs
        .par_iter()
        .map(|s| Checked {
            signoff: s,
            signer: signer(trust, s, namespace),
            commit: added.and_then(|a| a.get(&s.path).cloned()),
        })
        .collect()
}

/// Verifies one sign-off's statement signature; returns the key and its owner.
pub fn signer(trust: &Trust, s: &SignOff, namespace: &str) -> Result<(KeyId, String), sign::Invalid> {
    let payload = s.file.statement.payload();
    let key = sign::verify(trust, &payload, &s.file.signature, namespace)?;
    let owner = trust.get(&key).map(|(p, _)| p.to_string()).unwrap_or_default();
    Ok((key, owner))
}

/// Evaluates every change of the repository.
pub fn evaluate(repo: &Repository, checked: &[Checked]) -> Vec<ChangeEval> {
    repo.changes
        .iter()
        .map(|change| {
            let mine: Vec<Checked> =
                checked.iter().filter(|c| c.signoff.change == change.id).cloned().collect();
            evaluate_one(repo, change, &mine)
        })
        .collect()
}

pub fn evaluate_one(repo: &Repository, change: &ChangeRequest, checked: &[Checked]) -> ChangeEval {
    let class = repo.policy.classes.get(&change.class);
    let roles = approvals::roles(class, approvals::strictest(repo, change));
    approvals::evaluate(change, class, roles, checked, &repo.people, &repo.policy.rules)
}

/// Whether a change accepts a risk: its class has `max_duration` (the engine knows classes by their keys).
pub fn is_exception(repo: &Repository, change: &ChangeRequest) -> bool {
    repo.policy.classes.get(&change.class).is_some_and(|c| c.max_duration.is_some())
}

/// The work tree's approvals as `check` and `calendar` use them: what approved changes cover, and
/// when each change was approved (verified with the people file of the same state).
pub fn links_now(repo: &Repository) -> (Links, HashMap<String, chrono::DateTime<chrono::FixedOffset>>) {
    if repo.changes.is_empty() {
        return (Links::default(), HashMap::new());
    }
    let trust = Trust::from_people(&repo.people);
    let checked = check(repo, &trust, None);
    let evals = evaluate(repo, &checked);
    let approved_at = evals.iter().filter_map(|e| Some((e.id.clone(), e.approved.as_ref()?.1?))).collect();
    (links(repo, &evals), approved_at)
}

/// What approved changes mean for `check`: coverage of version targets, accepted exceptions.
pub fn links(repo: &Repository, evals: &[ChangeEval]) -> Links {
    links_of(repo, repo.changes.iter().zip(evals))
}

/// [`links`] over any set of changes with their evaluations (the report's, as of a period's end).
pub fn links_of<'a>(
    repo: &Repository,
    changes: impl IntoIterator<Item = (&'a ChangeRequest, &'a ChangeEval)>,
) -> Links {
    let mut links = Links::default();
    for (change, eval) in changes {
        if !eval.is_approved() {
            continue;
        }
        for t in &change.targets {
            let Target::Version { system, component, .. } = t else { continue };
            let key = (system.clone(), component.clone());
            if is_exception(repo, change) {
                if let Some(until) = change.until {
                    // An exception never accepts beyond its class's max_duration from its approval.
                    let class = repo.policy.classes.get(&change.class);
                    let bound = approvals::exception_bound(class, eval, repo.settings.timezone);
                    let until = bound.map_or(until, |b| until.min(b));
                    let keep = links.exceptions.get(&key).is_none_or(|e: &Exception| e.until < until);
                    if keep {
                        links.exceptions.insert(key, Exception { change: change.id.clone(), until });
                    }
                }
            } else {
                let complete = eval.state == approvals::State::Complete;
                let keep = links.coverage.get(&key).is_none_or(|c: &Coverage| !c.complete && complete);
                if keep {
                    links.coverage.insert(key, Coverage { change: change.id.clone(), complete });
                }
            }
        }
    }
    links
}

/// For each sign-off path, the first-parent commit that added it, with whether that commit is signed
/// by the sign-off's own key.
pub fn added_in(
    git: &Git,
    head: git2::Oid,
    repo: &Repository,
    trust: &Trust,
) -> Result<HashMap<String, CommitInfo>> {
    let prefix = format!("{}/", repo.settings.paths.changes);
    let wanted: HashMap<&str, &SignOff> = repo.signoffs.iter().map(|s| (s.path.as_str(), s)).collect();
    let mut out = HashMap::new();
    let commits = git.first_parent(head, None)?;
    for (i, &commit) in commits.iter().enumerate() {
        if out.len() == wanted.len() {
            break;
        }
        let parent = commits.get(i + 1).copied();
        for ch in git.changed_paths(parent, commit, &[prefix.as_str()])? {
            if ch.kind != ChangeKind::Added {
                continue;
            }
            let Some(s) = wanted.get(ch.path.as_str()) else { continue };
            // Walking newest first: the first addition seen produced the current content.
            if out.contains_key(&ch.path) {
                continue;
            }
            let signed_by_signer = git
                .commit_signature(commit)
                .map(|(sig, data)| {
                    sign::verify(trust, &data, &sig, GIT_NAMESPACE).is_ok_and(|k| k.0 == s.file.statement.key)
                })
                .unwrap_or(false);
            out.insert(
                ch.path.clone(),
                CommitInfo { id: commit.to_string(), time: git.commit_time(commit)?, signed_by_signer },
            );
        }
    }
    Ok(out)
}
