//! `verify`: the ledger (crate::ledger) over first-parent history from a baseline (genesis, `--from`,
//! or the root) to HEAD, every commit judged against its parent (SPEC §4.4–§4.6).

use anyhow::Result;
use git2::Oid;

use crate::eval::findings::Finding;
use crate::git::Git;
use crate::ledger::{Walk, cache};
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
    /// Commits taken from the cache of an earlier run instead of being judged again.
    pub cached: usize,
    pub findings: Vec<Finding>,
}

/// Verifies history from `baseline` (exclusive; its state is accepted) to `head`.
pub fn verify(
    git: &Git,
    head: Oid,
    baseline: Option<Oid>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Outcome> {
    verify_with_progress(git, head, baseline, now, false, &|_, _| {})
}

/// [`verify`], calling `progress(done, total)` as commits are checked (for a progress bar).
pub fn verify_with_progress(
    git: &Git,
    head: Oid,
    baseline: Option<Oid>,
    now: chrono::DateTime<chrono::FixedOffset>,
    use_cache: bool,
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
    // Resume after the last commit a previous run judged, when it lies on this line.
    let cached = use_cache
        .then(|| cache::load(git, base))
        .flatten()
        .and_then(|s| commits.iter().position(|c| c.to_string() == s.head).map(|i| (s, i + 1)));
    let (mut walk, start) = match cached {
        Some((snapshot, start)) => (Walk::restore(git, snapshot)?, start),
        // Each commit is judged with the settings of its parent, from the baseline's on (SPEC §4.5).
        None => (Walk::at(git, crate::review::settings_at(git, base)?, base, false)?, 0),
    };
    let mut parent = if start == 0 { base } else { commits[start - 1] };
    let line: Vec<Oid> = std::iter::once(parent).chain(commits[start..].iter().copied()).collect();
    crate::ledger::ahead::beside(git, &line, &settings, |pace| -> Result<()> {
        for (n, &commit) in commits.iter().enumerate().skip(start) {
            pace.at(n - start);
            walk.step(parent, commit)?;
            parent = commit;
            progress(n + 1, commits.len());
        }
        Ok(())
    })?;
    if use_cache && start < commits.len() {
        cache::save(git, &walk.snapshot(base, parent));
    }
    walk.pending_at_head();
    walk.reports(now);
    Ok(Outcome {
        head,
        baseline: base,
        commits: commits.len(),
        signoffs: walk.checked(),
        cached: start,
        findings: walk.findings,
    })
}
