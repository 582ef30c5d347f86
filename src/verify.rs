//! History verification: walks first-parent history from a baseline (genesis, `--from`, or the root)
//! to HEAD and checks every commit that adds a sign-off, changes an inventory version, or changes the
//! policy, each against the trust root of its parent (SPEC §4.4).
//!
//! The walk is incremental: an index of the relevant paths → blob ids is kept and updated from each
//! commit's diff, and every parse and signature check is cached by blob id, so the cost follows what
//! changed, not the size of the repository.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use anyhow::Result;
use git2::Oid;

use crate::eval::approvals::{self, ChangeEval, Checked, CommitInfo};
use crate::eval::findings::Finding;
use crate::eval::rules::{self, Approval};
use crate::git::{ChangeKind, Git};
use crate::load;
use crate::model::statement::digest;
use crate::model::{ChangeRequest, Criticality, Person, Policy, Settings, SignOff, System, Target};
use crate::sign::{self, GIT_NAMESPACE, Invalid, KeyId, Trust};

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

/// What one step (a commit, or a whole pull request from its merge-base) changed, and what covers it.
#[derive(Debug, Default)]
pub struct Step {
    pub deltas: Vec<crate::git::Change>,
    pub versions: Vec<VersionMove>,
    pub policy_files: Vec<PolicyMove>,
    pub signoffs: Vec<AddedSignOff>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct VersionMove {
    pub system: String,
    pub component: String,
    pub from: String,
    pub to: String,
    pub path: String,
    pub line: u32,
    /// The approved change whose target matches, if any.
    pub approved_by: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PolicyMove {
    pub path: String,
    /// `sha256:…` of the new content, or `deleted`.
    pub digest: String,
    pub approved_by: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AddedSignOff {
    pub path: String,
    pub change: String,
    pub stage: String,
    pub by: String,
    pub decision: &'static str,
    /// `valid`, `stale`, or the code of the rule it breaks.
    pub standing: &'static str,
}

/// A signature's outcome (signing key and its owner) and the commit that added the sign-off.
pub type Verified = (Result<(KeyId, String), Invalid>, Option<CommitInfo>);

/// A change's chain as the walk sees it (see [`Walk::chain`]).
pub struct Chain {
    pub change: Rc<ChangeRequest>,
    pub eval: ChangeEval,
    /// In sequence order, parallel to `eval.standing` and `verified`.
    pub signoffs: Vec<Rc<SignOff>>,
    pub verified: Vec<Verified>,
    /// The commit that last changed the execution report.
    pub report_commit: Option<String>,
    /// The people in force, for names and titles.
    pub people: Vec<Person>,
}

pub struct Walk<'g> {
    git: &'g Git,
    settings: Settings,
    /// Also follow the product catalog and the advisories (for `review` and `report`).
    products: bool,
    /// Relevant paths → blob ids, at the commit being processed.
    index: BTreeMap<String, Oid>,
    people: HashMap<Oid, Rc<(Vec<Person>, Trust)>>,
    policies: HashMap<Vec<Oid>, Rc<Policy>>,
    requests: HashMap<(Oid, Option<Oid>), Option<Rc<ChangeRequest>>>,
    signoffs: HashMap<(String, Oid), Option<Rc<SignOff>>>,
    systems: HashMap<Oid, Rc<Vec<System>>>,
    /// Signature outcome of each sign-off blob, under the trust of the parent of the commit that added it.
    verified: HashMap<Oid, Verified>,
    /// The commit that last changed each report, for attributing execution findings.
    report_commit: HashMap<String, Oid>,
    pub findings: Vec<Finding>,
    checked: usize,
    /// For a step spanning several commits (a review), the commit that really added each sign-off.
    pub added_in: Option<HashMap<String, CommitInfo>>,
    /// Cached change ids of the index (see `change_ids`).
    ids: Option<Rc<Vec<String>>>,
}

fn short(id: Oid) -> String {
    id.to_string()
}

impl<'g> Walk<'g> {
    /// A walk positioned at `base` (its state accepted), with `settings` from the head.
    pub fn at(git: &'g Git, settings: Settings, base: Oid, products: bool) -> Result<Walk<'g>> {
        let mut walk = Walk {
            git,
            settings,
            products,
            index: BTreeMap::new(),
            people: HashMap::new(),
            policies: HashMap::new(),
            requests: HashMap::new(),
            signoffs: HashMap::new(),
            systems: HashMap::new(),
            verified: HashMap::new(),
            report_commit: HashMap::new(),
            findings: Vec::new(),
            checked: 0,
            added_in: None,
            ids: None,
        };
        let tree = git.raw().find_commit(base)?.tree()?;
        for prefix in walk.prefixes() {
            for (path, id, _) in git.list(base, &prefix)? {
                walk.index.insert(path, id);
            }
            // A single-file prefix (the people file, lifecycle.yaml).
            if let Ok(entry) = tree.get_path(std::path::Path::new(&prefix))
                && entry.kind() == Some(git2::ObjectType::Blob)
            {
                walk.index.insert(prefix.clone(), entry.id());
            }
        }
        Ok(walk)
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The files of the current index under `dir`, with their blob ids.
    pub fn files_under(&self, dir: &str) -> Vec<(String, Oid)> {
        let prefix = format!("{dir}/");
        self.index
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, id)| (p.clone(), *id))
            .collect()
    }

    /// The trust root of the current index.
    pub fn trust_now(&mut self) -> Trust {
        self.trust().1.clone()
    }

    /// Sign-offs checked so far.
    pub fn checked(&self) -> usize {
        self.checked
    }

    fn prefixes(&self) -> Vec<String> {
        let p = &self.settings.paths;
        let mut v = vec![
            p.systems.clone(),
            p.policies.clone(),
            p.changes.clone(),
            p.people.clone(),
            "lifecycle.yaml".into(),
        ];
        if self.products {
            v.push(p.products.clone());
            v.push(p.advisories.clone());
        }
        v.sort();
        v.dedup();
        v
    }

    fn blob(&self, id: Oid) -> Vec<u8> {
        self.git.blob(id).unwrap_or_default()
    }

    /// Loads files (path, blob id) through the normal loader.
    pub fn load(&self, files: Vec<(String, Oid)>) -> load::Loaded {
        let blobs = files.into_iter().map(|(p, id)| (p, self.blob(id))).collect();
        load::load_blobs(self.settings.clone(), blobs)
    }

    /// People and trust of the current index.
    fn trust(&mut self) -> Rc<(Vec<Person>, Trust)> {
        let path = self.settings.paths.people.clone();
        let Some(&id) = self.index.get(&path) else { return Rc::new((Vec::new(), Trust::default())) };
        if let Some(t) = self.people.get(&id) {
            return t.clone();
        }
        let people = self.load(vec![(path, id)]).repo.people;
        let trust = Trust::from_people(&people);
        let rc = Rc::new((people, trust));
        self.people.insert(id, rc.clone());
        rc
    }

    fn policy_paths(&self) -> Vec<(String, Oid)> {
        let prefix = format!("{}/", self.settings.paths.policies);
        let people = &self.settings.paths.people;
        self.index
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| *p != people)
            .map(|(p, id)| (p.clone(), *id))
            .collect()
    }

    /// The policy of the current index.
    fn policy(&mut self) -> Rc<Policy> {
        let files = self.policy_paths();
        let key: Vec<Oid> = files.iter().map(|(_, id)| *id).collect();
        if let Some(p) = self.policies.get(&key) {
            return p.clone();
        }
        let policy = Rc::new(self.load(files).repo.policy);
        self.policies.insert(key, policy.clone());
        policy
    }

    /// Change ids of the current index, newest (highest id) first: the change that approves a commit
    /// is usually a recent one. Cached until a request is added or removed.
    fn change_ids(&mut self) -> Rc<Vec<String>> {
        if let Some(ids) = &self.ids {
            return ids.clone();
        }
        let mut ids = self.scan_change_ids();
        ids.reverse();
        let ids = Rc::new(ids);
        self.ids = Some(ids.clone());
        ids
    }

    fn scan_change_ids(&self) -> Vec<String> {
        let prefix = format!("{}/", self.settings.paths.changes);
        let mut ids: Vec<String> = self
            .index
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter_map(|(p, _)| p[prefix.len()..].strip_suffix("/request.yaml").map(str::to_string))
            .filter(|id| !id.contains('/'))
            .collect();
        ids.dedup();
        ids
    }

    /// A change request (with its report) in the current index.
    fn request(&mut self, id: &str) -> Option<Rc<ChangeRequest>> {
        let dir = format!("{}/{id}", self.settings.paths.changes);
        let req = *self.index.get(&format!("{dir}/request.yaml"))?;
        let rep = self.index.get(&format!("{dir}/report.yaml")).copied();
        if let Some(r) = self.requests.get(&(req, rep)) {
            return r.clone();
        }
        let mut files = vec![(format!("{dir}/request.yaml"), req)];
        if let Some(rep) = rep {
            files.push((format!("{dir}/report.yaml"), rep));
        }
        let loaded = self.load(files);
        let change = loaded.repo.changes.into_iter().next().map(Rc::new);
        self.requests.insert((req, rep), change.clone());
        change
    }

    fn signoff(&mut self, path: &str, id: Oid) -> Option<Rc<SignOff>> {
        let key = (path.to_string(), id);
        if let Some(s) = self.signoffs.get(&key) {
            return s.clone();
        }
        let s = self.load(vec![(path.to_string(), id)]).repo.signoffs.into_iter().next().map(Rc::new);
        self.signoffs.insert(key, s.clone());
        s
    }

    /// The sign-offs of a change in the current index, in sequence order, with their blob ids.
    fn signoffs_of(&mut self, change: &str) -> Vec<(Oid, Rc<SignOff>)> {
        let prefix = format!("{}/{change}/approvals/", self.settings.paths.changes);
        let paths: Vec<(String, Oid)> = self
            .index
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, id)| (p.clone(), *id))
            .collect();
        let mut out: Vec<(Oid, Rc<SignOff>)> =
            paths.into_iter().filter_map(|(p, id)| self.signoff(&p, id).map(|s| (id, s))).collect();
        out.sort_by_key(|(_, s)| s.seq);
        out
    }

    fn systems_in(&mut self, path: &str, id: Oid) -> Rc<Vec<System>> {
        if let Some(s) = self.systems.get(&id) {
            return s.clone();
        }
        let systems = Rc::new(self.load(vec![(path.to_string(), id)]).repo.systems);
        self.systems.insert(id, systems.clone());
        systems
    }

    /// Criticality of the given systems in the current index (only needed by chains keyed by it).
    fn criticality(&mut self, ids: &[&str]) -> Option<Criticality> {
        let prefix = format!("{}/", self.settings.paths.systems);
        let files: Vec<(String, Oid)> = self
            .index
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, id)| (p.clone(), *id))
            .collect();
        let mut best = None;
        for (p, id) in files {
            for s in self.systems_in(&p, id).iter() {
                if ids.contains(&s.id.as_str()) {
                    best = best.max(Some(s.criticality));
                }
            }
        }
        best
    }

    /// Evaluates a change's chain in the current index, with the policy and people in force `before`.
    fn evaluate(
        &mut self,
        id: &str,
        policy: &Policy,
        people: &[Person],
        trust: &Trust,
    ) -> Option<(Rc<ChangeRequest>, ChangeEval, Vec<Rc<SignOff>>)> {
        let change = self.request(id)?;
        let list = self.signoffs_of(id);
        let namespace = self.settings.signing_namespace.clone();
        for (blob, s) in &list {
            // Sign-offs already in the baseline are checked under the baseline's trust.
            self.verified
                .entry(*blob)
                .or_insert_with(|| (crate::approvals::signer(trust, s, &namespace), None));
        }
        let class = policy.classes.get(&change.class);
        let strictest = match class.map(|c| &c.chain) {
            Some(crate::model::Chain::ByCriticality { .. }) => {
                let ids: Vec<&str> = change
                    .targets
                    .iter()
                    .filter_map(|t| match t {
                        Target::Version { system, .. } => Some(system.as_str()),
                        Target::File { .. } => None,
                    })
                    .collect();
                self.criticality(&ids)
            }
            _ => None,
        };
        let roles = approvals::roles(class, strictest);
        let checked: Vec<Checked> = list
            .iter()
            .map(|(blob, s)| {
                let (signer, commit) =
                    self.verified.get(blob).cloned().unwrap_or((Err(Invalid::Mismatch), None));
                Checked { signoff: s, signer, commit }
            })
            .collect();
        let eval = approvals::evaluate(&change, class, roles, &checked, people, &policy.rules);
        let signoffs = list.into_iter().map(|(_, s)| s).collect();
        Some((change, eval, signoffs))
    }

    /// Applies the changes from `parent` to `commit`, checking them against `parent`'s trust and policy.
    pub fn step(&mut self, parent: Oid, commit: Oid) -> Result<Step> {
        let prefixes = self.prefixes();
        let refs: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        let deltas = self.git.changed_paths(Some(parent), commit, &refs)?;
        let mut step = Step::default();
        if deltas.is_empty() {
            return Ok(step);
        }
        // Trust and policy in force before this commit.
        let before = self.trust();
        let policy = self.policy();
        if deltas.iter().any(|d| d.kind != ChangeKind::Modified && d.path.ends_with("/request.yaml")) {
            self.ids = None;
        }
        for d in &deltas {
            match d.kind {
                ChangeKind::Deleted => {
                    self.index.remove(&d.path);
                }
                _ => {
                    self.index.insert(d.path.clone(), d.new);
                }
            }
        }
        let cid = short(commit);
        let time = self.git.commit_time(commit)?;
        let commit_sig = self.git.commit_signature(commit);
        let changes_prefix = format!("{}/", self.settings.paths.changes);
        let namespace = self.settings.signing_namespace.clone();

        // 1. Sign-offs: append-only; each added one is verified against the parent's trust.
        let mut touched: Vec<String> = Vec::new();
        let mut added: Vec<String> = Vec::new();
        for d in &deltas {
            let Some(rest) = d.path.strip_prefix(&changes_prefix) else { continue };
            let Some((change, file)) = rest.split_once('/') else { continue };
            if file == "report.yaml" {
                self.report_commit.insert(change.to_string(), commit);
            }
            if !touched.iter().any(|c| c == change) {
                touched.push(change.to_string());
            }
            if !file.starts_with("approvals/") {
                continue;
            }
            if d.kind != ChangeKind::Added {
                let what = if d.kind == ChangeKind::Deleted { "deleted" } else { "modified" };
                self.findings.push(
                    Finding::error(
                        "signoff-altered",
                        format!("{} was {what}; sign-offs are append-only", d.path),
                    )
                    .at(&d.path, None)
                    .change(change)
                    .commit(Some(&cid)),
                );
                continue;
            }
            let Some(s) = self.signoff(&d.path, d.new) else {
                self.findings.push(
                    Finding::error("invalid-file", format!("{} is not a valid sign-off file", d.path))
                        .at(&d.path, None)
                        .change(change)
                        .commit(Some(&cid)),
                );
                continue;
            };
            self.checked += 1;
            let signer = crate::approvals::signer(&before.1, &s, &namespace);
            let info = match self.added_in.as_ref().and_then(|m| m.get(&d.path)) {
                Some(info) => info.clone(),
                None => {
                    let signed_by_signer = commit_sig.as_ref().is_some_and(|(sig, data)| {
                        sign::verify(&before.1, data, sig, GIT_NAMESPACE)
                            .is_ok_and(|k| k.0 == s.file.statement.key)
                    });
                    CommitInfo { id: cid.clone(), time, signed_by_signer }
                }
            };
            self.verified.insert(d.new, (signer, Some(info)));
            added.push(d.path.clone());
        }
        for change in &touched {
            let Some((_, eval, list)) = self.evaluate(change, &policy, &before.0, &before.1) else {
                continue;
            };
            for (s, standing) in list.iter().zip(&eval.standing) {
                if added.contains(&s.path) {
                    let st = &s.file.statement;
                    step.signoffs.push(AddedSignOff {
                        path: s.path.clone(),
                        change: change.clone(),
                        stage: st.stage.clone(),
                        by: st.by.clone(),
                        decision: st.decision.as_str(),
                        standing: match standing {
                            approvals::Standing::Valid => "valid",
                            approvals::Standing::Stale => "stale",
                            approvals::Standing::Invalid(code) => code,
                        },
                    });
                }
            }
            for f in eval.findings {
                if f.path.as_ref().is_some_and(|p| added.contains(p)) {
                    self.findings.push(f.commit(Some(&cid)));
                }
            }
        }

        // 2. Inventory versions: every change of a component's version needs an approved change.
        let systems_prefix = format!("{}/", self.settings.paths.systems);
        let mut old_versions: HashMap<(String, String), String> = HashMap::new();
        let mut new_versions: HashMap<(String, String), (String, String, u32)> = HashMap::new();
        for d in deltas.iter().filter(|d| d.path.starts_with(&systems_prefix)) {
            if d.kind != ChangeKind::Added {
                for s in self.systems_in(&d.path, d.old).iter() {
                    for c in &s.components {
                        old_versions.insert((s.id.clone(), c.name.clone()), c.version.clone());
                    }
                }
            }
            if d.kind != ChangeKind::Deleted {
                for s in self.systems_in(&d.path, d.new).iter() {
                    for c in &s.components {
                        new_versions.insert(
                            (s.id.clone(), c.name.clone()),
                            (c.version.clone(), d.path.clone(), c.version_origin.line),
                        );
                    }
                }
            }
        }
        let mut moves: Vec<(String, String, String, String, String, u32)> = new_versions
            .into_iter()
            .filter_map(|(k, (to, path, line))| {
                let from = old_versions.get(&k)?;
                (*from != to).then(|| (k.0, k.1, from.clone(), to, path, line))
            })
            .collect();
        moves.sort();
        if !moves.is_empty() {
            let ids = self.change_ids();
            for (system, component, from, to, path, line) in moves {
                let covered = self.approved_change(&ids, &policy, &before, |change| {
                    change.targets.iter().any(|t| {
                        matches!(t, Target::Version { system: s, component: c, from: f, to: t, .. }
                            if *s == system && *c == component && f.as_deref() == Some(from.as_str()) && t.as_deref() == Some(to.as_str()))
                    })
                });
                step.versions.push(VersionMove {
                    system: system.clone(),
                    component: component.clone(),
                    from: from.clone(),
                    to: to.clone(),
                    path: path.clone(),
                    line,
                    approved_by: covered.clone(),
                });
                if covered.is_none() {
                    self.findings.push(
                        Finding::error(
                            "unapproved-version-change",
                            format!("{system}/{component} changed {from} → {to} without an approved change whose target matches"),
                        )
                        .at(&path, Some(line))
                        .commit(Some(&cid)),
                    );
                }
            }
        }

        // 3. Policy files (people included) and lifecycle.yaml: only through an approved `policy` change.
        let policies_prefix = format!("{}/", self.settings.paths.policies);
        let protected: Vec<&crate::git::Change> = deltas
            .iter()
            .filter(|d| {
                d.path.starts_with(&policies_prefix)
                    || d.path == self.settings.paths.people
                    || d.path == "lifecycle.yaml"
            })
            .collect();
        if !protected.is_empty() {
            let ids = self.change_ids();
            for d in protected {
                let want = if d.kind == ChangeKind::Deleted {
                    "deleted".to_string()
                } else {
                    digest(&self.blob(d.new))
                };
                let covered = self.approved_change(&ids, &policy, &before, |change| {
                    change.class == "policy"
                        && change.targets.iter().any(|t| matches!(t, Target::File { path, digest, .. } if *path == d.path && *digest == want))
                });
                step.policy_files.push(PolicyMove {
                    path: d.path.clone(),
                    digest: want.clone(),
                    approved_by: covered.clone(),
                });
                if covered.is_none() {
                    self.findings.push(
                        Finding::error(
                            "unapproved-policy-change",
                            format!(
                                "{} changed without an approved `policy` change listing its new digest {want}; open a policy change: {}",
                                d.path,
                                policy_hint(&d.path, &self.settings.paths.people)
                            ),
                        )
                        .at(&d.path, None)
                        .commit(Some(&cid)),
                    );
                }
            }
        }
        step.deltas = deltas;
        Ok(step)
    }

    /// The first of `ids` that `wanted` accepts and whose chain is approved (under `policy` and the
    /// people and trust of `before`).
    fn approved_change(
        &mut self,
        ids: &[String],
        policy: &Policy,
        before: &(Vec<Person>, Trust),
        wanted: impl Fn(&ChangeRequest) -> bool,
    ) -> Option<String> {
        for id in ids {
            let Some(change) = self.request(id) else { continue };
            if wanted(&change)
                && self.evaluate(id, policy, &before.0, &before.1).is_some_and(|(_, e, _)| e.is_approved())
            {
                return Some(id.clone());
            }
        }
        None
    }

    /// A change's chain in the current index, evaluated with the current policy and people, with each
    /// sign-off's signature outcome (checked under the trust of its time) and commit.
    pub fn chain(&mut self, id: &str) -> Option<Chain> {
        let before = self.trust();
        let policy = self.policy();
        let (change, eval, signoffs) = self.evaluate(id, &policy, &before.0, &before.1)?;
        let blobs = self.signoffs_of(id);
        let verified = blobs
            .iter()
            .map(|(blob, _)| self.verified.get(blob).cloned().unwrap_or((Err(Invalid::Mismatch), None)))
            .collect();
        let report_commit = self.report_commit.get(id).map(|c| short(*c));
        Some(Chain { change, eval, signoffs, verified, report_commit, people: before.0.clone() })
    }

    /// The change ids of the current index, in id order.
    pub fn changes_now(&self) -> Vec<String> {
        self.scan_change_ids()
    }

    /// Execution rules on every report of the final state.
    pub fn reports(&mut self, now: chrono::DateTime<chrono::FixedOffset>) {
        let ids: std::collections::BTreeSet<String> = self.change_ids().iter().cloned().collect();
        self.reports_for(&ids, now);
    }

    /// Execution rules on the reports of the given changes, in the final state.
    pub fn reports_for(
        &mut self,
        ids: &std::collections::BTreeSet<String>,
        now: chrono::DateTime<chrono::FixedOffset>,
    ) {
        let before = self.trust();
        let policy = self.policy();
        for id in ids
            .iter()
            .filter(|id| {
                self.index.contains_key(&format!("{}/{id}/request.yaml", self.settings.paths.changes))
            })
            .cloned()
            .collect::<Vec<_>>()
        {
            let Some((change, eval, _)) = self.evaluate(&id, &policy, &before.0, &before.1) else { continue };
            if change.report.is_none() {
                continue;
            }
            let at = eval.approved.as_ref().and_then(|(_, t)| *t);
            let class = policy.classes.get(&change.class);
            let commit = self.report_commit.get(&id).map(|c| short(*c));
            for f in rules::execution(
                &change,
                class,
                &policy.rules,
                Approval { approved: eval.is_approved(), at },
                self.settings.timezone,
                now,
            ) {
                self.findings.push(f.commit(commit.as_deref()));
            }
        }
    }
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
        signoffs: walk.checked,
        findings: walk.findings,
    })
}

/// The command that opens the `policy` change a policy file, the people file or `lifecycle.yaml`
/// needs (the hint of `unapproved-policy-change`).
fn policy_hint(path: &str, people: &str) -> String {
    let file = format!("lifecycle change new --class policy --file {path}");
    if path == people { format!("lifecycle people add|remove|rotate …, or {file}") } else { file }
}
