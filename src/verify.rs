//! `verify`: the ledger (crate::ledger) over first-parent history from a baseline (genesis, `--from`,
//! or the root) to HEAD, every commit judged against its parent (SPEC §4.4–§4.6).

use anyhow::Result;
use git2::Oid;

use crate::eval::findings::Finding;
use crate::git::Git;
use crate::ledger::Walk;
use crate::load;
use crate::model::Settings;

/// What `verify` found.
pub struct Outcome {
    pub head: Oid,
    /// The commit whose state was accepted as given.
    pub baseline: Oid,
    /// Commits walked after the baseline.
    pub commits: usize,
    /// Sign-offs checked.
    pub signoffs: usize,
    pub findings: Vec<Finding>,
}

/// Verifies history from `baseline` (exclusive; its state is accepted) to `head`.
pub fn verify(
    git: &Git,
    head: Oid,
    baseline: Option<Oid>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Outcome> {
    verify_with_progress(git, head, baseline, now, &|_, _| {})
}

/// [`verify`], calling `progress(done, total)` as commits are checked (for a progress bar).
pub fn verify_with_progress(
    git: &Git,
    head: Oid,
    baseline: Option<Oid>,
    now: chrono::DateTime<chrono::FixedOffset>,
    progress: &dyn Fn(usize, usize),
) -> Result<Outcome> {
    let settings = match git.read_at(head, "lifecycle.yaml")? {
        Some(bytes) => load::settings_from(&String::from_utf8_lossy(&bytes), &mut Vec::new()),
        None => Settings::default(),
    };
    let genesis = match (baseline, &settings.genesis) {
        (Some(b), _) => Some(b),
        (None, Some(g)) => Some(git.resolve(g)?),
        (None, None) => None,
    };
    // Oldest first; the baseline itself is not checked.
    let mut commits = git.first_parent(head, genesis)?;
    commits.reverse();
    let base = match genesis {
        Some(g) => g,
        None => commits.remove(0),
    };
    // Each commit is judged with the settings of its parent, from the baseline's on (SPEC §4.5).
    let settings = crate::review::settings_at(git, base)?;
    let mut walk = Walk::at(git, settings, base, false)?;
    let mut parent = base;
    for (n, &commit) in commits.iter().enumerate() {
        walk.step(parent, commit)?;
        parent = commit;
        progress(n + 1, commits.len());
    }
    walk.reports(now);
    Ok(Outcome {
        head,
        baseline: base,
        commits: commits.len(),
        signoffs: walk.checked(),
        findings: walk.findings,
    })
}
