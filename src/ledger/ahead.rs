//! Signatures checked ahead of the walk, on another core.
//!
//! Checking a signature's match with its data is much of a long history's cost, and it depends on
//! those bytes alone. While the walk steps from the oldest commit, a second thread runs just ahead
//! of it: each commit's own signature and the sign-offs it adds are checked and the matches
//! remembered ([`sign::check_ahead`]), so the walk finds them done. The second thread does less per
//! commit than the walk, so it stays ahead; when it falls behind (it started late, or was starved),
//! it jumps past the walk. The walk still judges every signature (namespace, trust, order) itself;
//! a miss only costs time.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use git2::Oid;

use crate::git::{ChangeKind, Git};
use crate::model::Settings;
use crate::sign;

/// Below this many commits, a second thread costs more than it saves.
const WORTH_IT: usize = 64;

/// Where the walk is, for the thread checking ahead of it.
#[derive(Default)]
pub struct Pace {
    /// The index (in the line's commits, oldest first) of the commit the walk is judging.
    at: AtomicUsize,
    done: AtomicBool,
}

impl Pace {
    /// The walk is judging the `n`-th commit of the line (0 for the first after the baseline).
    pub fn at(&self, n: usize) {
        self.at.store(n, Ordering::Relaxed);
    }

    /// The walk is done (or failed): whatever is left is no longer worth checking.
    pub fn done(&self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

/// Checks the signatures of `line` (each commit after its parent, the first being the parent of
/// the second) just ahead of the walk, until it is done.
pub fn check(path: &std::path::Path, line: &[Oid], settings: &Settings, pace: &Pace) {
    if line.len() <= WORTH_IT {
        return;
    }
    let Ok(git) = Git::open(path) else { return };
    let mut next = 0;
    while next + 1 < line.len() && !pace.done.load(Ordering::Relaxed) {
        // The commit the walk judges, and those before it, are no longer worth checking.
        next = next.max(pace.at.load(Ordering::Relaxed) + 1);
        if let (Some(&parent), Some(&commit)) = (line.get(next), line.get(next + 1)) {
            commit_signatures(&git, parent, commit, settings);
        }
        next += 1;
    }
}

/// Checks one commit's own signature and those of the sign-offs it adds.
fn commit_signatures(git: &Git, parent: Oid, commit: Oid, settings: &Settings) {
    if let Some((sig, data)) = git.commit_signature(commit) {
        sign::check_ahead(&data, &sig, sign::GIT_NAMESPACE);
    }
    let Ok(deltas) = git.changed_paths(Some(parent), commit, &[settings.paths.changes.as_str()]) else {
        return;
    };
    for d in deltas.iter().filter(|d| d.kind == ChangeKind::Added && d.path.contains("/approvals/")) {
        let Ok(bytes) = git.blob(d.new) else { continue };
        if let Some(file) = crate::load::signoff_file(&d.path, bytes) {
            sign::check_ahead(&file.statement.payload(), &file.signature, &settings.signing_namespace);
        }
    }
}

/// Runs `work` with every core but one: the walk's.
pub fn aside<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    match rayon::ThreadPoolBuilder::new().num_threads(cores.saturating_sub(1).max(1)).build() {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// Runs `walk` (which reports its position to the [`Pace`]) while [`check`] goes over `line` on
/// another thread, and stops that thread when the walk is done (or fails).
pub fn beside<T>(git: &Git, line: &[Oid], settings: &Settings, walk: impl FnOnce(&Pace) -> T) -> T {
    let pace = Pace::default();
    let path = git.raw().path().to_path_buf();
    std::thread::scope(|s| {
        s.spawn(|| check(&path, line, settings, &pace));
        let out = walk(&pace);
        pace.done();
        out
    })
}
