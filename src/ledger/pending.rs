//! Pending policy states (SPEC §4.8): a new state of a policy file, the people file or
//! `lifecycle.yaml` takes effect only once an approved `policy` change covers its digest. Until then
//! trust, chains and settings come from the last approved state, so the sign-offs that approve it are
//! judged by the old trust. A pending state is the warning `pending-policy-change`; replaced while
//! still unapproved, or still unapproved at the head judged, it is `unapproved-policy-change`.

use git2::Oid;
use serde::{Deserialize, Serialize};

use super::{Walk, policy_hint};
use crate::eval::findings::Finding;
use crate::model::{ClassKind, Target};

/// A protected file whose newest state waits for approval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    /// The blob in force (the last approved state; none when the file did not exist then).
    #[serde(with = "opt_oid")]
    pub effective: Option<Oid>,
    /// `sha256:…` of the waiting state, or `deleted`.
    pub digest: String,
    /// The commit that wrote it.
    pub commit: String,
}

mod opt_oid {
    use git2::Oid;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(o: &Option<Oid>, s: S) -> Result<S::Ok, S::Error> {
        match o {
            Some(o) => s.serialize_some(&o.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Oid>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| Oid::from_str(&t).map_err(serde::de::Error::custom)).transpose()
    }
}

impl Walk<'_> {
    /// The blob in force for `path`: its last approved state while a newer one waits, else the index.
    pub(super) fn effective_blob(&self, path: &str) -> Option<Oid> {
        match self.pending.get(path) {
            Some(p) => p.effective,
            None => self.index.get(path).copied(),
        }
    }

    /// A protected file changed in `cid` without approval: its new state waits, and a state that was
    /// already waiting is replaced unapproved.
    pub(super) fn hold(&mut self, path: &str, old: Option<Oid>, digest: &str, cid: &str) {
        let hint = policy_hint(path, &self.settings.paths.people);
        let effective = match self.pending.remove(path) {
            Some(earlier) => {
                self.findings.push(
                    Finding::error(
                        "unapproved-policy-change",
                        format!(
                            "{path}: the state written in {} ({}) was replaced before any approved `policy` change covered it; open a policy change: {hint}",
                            earlier.commit, earlier.digest
                        ),
                    )
                    .words(
                        "ledger.policy_replaced",
                        &[("path", &path), ("commit", &earlier.commit), ("digest", &earlier.digest), ("hint", &hint)],
                    )
                    .at(path, None)
                    .commit(Some(cid)),
                );
                earlier.effective
            }
            None => old,
        };
        self.findings.push(
            Finding::warning(
                "pending-policy-change",
                format!(
                    "{path} changed ({digest}) without an approved `policy` change yet; the previous state stays in force until one covers it: {hint}"
                ),
            )
            .words("ledger.pending_policy", &[("path", &path), ("digest", &digest), ("hint", &hint)])
            .at(path, None)
            .commit(Some(cid)),
        );
        let pending = Pending { effective, digest: digest.to_string(), commit: cid.to_string() };
        self.pending.insert(path.to_string(), pending);
    }

    /// After a step: every waiting state that an approved `policy` change (judged with the trust and
    /// policy still in force) now covers takes effect. Returns whether `lifecycle.yaml` did.
    pub(super) fn promote(&mut self) -> bool {
        if self.pending.is_empty() {
            return false;
        }
        let before = self.trust();
        let policy = self.policy();
        let ids = self.change_ids();
        let waiting: Vec<(String, String)> =
            self.pending.iter().map(|(p, w)| (p.clone(), w.digest.clone())).collect();
        let mut settings = false;
        for (path, want) in waiting {
            let covered = self.approved_change(&ids, &policy, &before, &[ClassKind::Policy], |change| {
                change.targets.iter().any(
                    |t| matches!(t, Target::File { path: p, digest, .. } if *p == path && *digest == want),
                )
            });
            if covered.is_some() {
                self.pending.remove(&path);
                settings |= path == "lifecycle.yaml";
            }
        }
        settings
    }

    /// At the head judged: every state still waiting is unapproved.
    pub fn pending_at_head(&mut self) {
        let waiting: Vec<(String, Pending)> = std::mem::take(&mut self.pending).into_iter().collect();
        for (path, p) in waiting {
            let hint = policy_hint(&path, &self.settings.paths.people);
            self.findings.push(
                Finding::error(
                    "unapproved-policy-change",
                    format!(
                        "{path}: the state written in {} ({}) is still not covered by an approved `policy` change; open a policy change: {hint}",
                        p.commit, p.digest
                    ),
                )
                .words(
                    "ledger.policy_still_pending",
                    &[("path", &path), ("commit", &p.commit), ("digest", &p.digest), ("hint", &hint)],
                )
                .at(&path, None)
                .commit(Some(&p.commit)),
            );
        }
    }
}
