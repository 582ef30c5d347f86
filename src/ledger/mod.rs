//! The ledger (SPEC §4.5–§4.7): replays first-parent history commit by commit, with the settings,
//! policy, people and catalog in force at each parent, turns each commit into typed events (version and
//! identity moves, additions, removals, end-date moves, invalid files, policy edits, sign-offs,
//! executions) and judges each event against the approvals in force. `verify`, `review` and `report`
//! read the same walk.
//!
//! The walk is incremental: an index of the relevant paths → blob ids is kept and updated from each
//! commit's diff, and every parse and signature check is cached by blob id, so the cost follows what
//! changed, not the size of the repository.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use anyhow::Result;
use git2::Oid;

use crate::diag::Reason;
use crate::eval::approvals::{self, ChangeEval, Checked, CommitInfo};
use crate::eval::findings::Finding;
use crate::eval::rules::{self, Approval};
use crate::git::{ChangeKind, Git};
use crate::load;
use crate::model::statement::digest;
use crate::model::{
    ChangeRequest, ClassKind, Criticality, Person, Policy, Repository, Settings, SignOff, System, Target,
};

pub mod ahead;
pub mod cache;
mod catalog;
pub mod inventory;
mod judge;
mod pending;
use crate::sign::{self, GIT_NAMESPACE, Invalid, KeyId, Trust};

/// What one step (a commit, or a whole pull request from its merge-base) changed, and what covers it.
#[derive(Debug, Default)]
pub struct Step {
    pub deltas: Vec<crate::git::Change>,
    /// The last commit of the step (set by `review` for a whole pull request).
    pub head: Option<Oid>,
    pub versions: Vec<VersionMove>,
    /// Every inventory and catalog event of the step other than a plain version move.
    pub events: Vec<Event>,
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
    /// The keys a target may name: the old and the new (system, component).
    #[serde(skip)]
    pub keys: Vec<(String, String)>,
}

/// An inventory or catalog event of §4.5 besides a version move, with the change that covers it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Event {
    /// The finding code it raises when nothing covers it.
    pub code: &'static str,
    /// `renamed`, `replaced`, `file-moved`, `removed`, `added`, `eol-moved`.
    pub kind: &'static str,
    /// The system (the new id for a rename).
    pub system: String,
    pub component: Option<String>,
    /// What it was and what it became, in words of the data (ids, versions, dates).
    pub before: Option<String>,
    pub after: Option<String>,
    pub path: String,
    pub line: u32,
    pub approved_by: Option<String>,
    /// Needs no approval (an onboarding at `ok`): listed, never a finding.
    pub free: bool,
    /// For a catalog move: every `system/component` whose status it improves.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
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

/// The people in force and the keys they are trusted with.
type People = Rc<(Vec<Person>, Trust)>;
/// A commit, its time, and its signature with the signed data.
type CommitFacts = (Oid, chrono::DateTime<chrono::FixedOffset>, Option<(String, Vec<u8>)>);

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
    /// Products and policy by the blob ids of their files: what statuses are computed with.
    catalogs: HashMap<Vec<Oid>, Rc<Repository>>,
    /// Whether each blob read and parsed as the file kind of its path (None) or why not.
    validity: HashMap<(Oid, bool), Option<(Reason, u32)>>,
    /// The latest commit time seen on the line: the date of a commit is never before it (SPEC §4.6).
    clock: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// How many commits the walk has stepped: positions on the verified line.
    position: usize,
    /// Per change, the position where its chain became approved, and where its report first appeared.
    approved_at_position: HashMap<String, usize>,
    report_at_position: HashMap<String, (usize, Oid)>,
    /// Per change, the position and time of the commit that last wrote its request.
    request_time: HashMap<String, (usize, chrono::DateTime<chrono::FixedOffset>)>,
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
    /// In a commit that moves `paths.systems`: the old and the new folder.
    moved_folder: Option<(String, String)>,
    /// Trust and policy fixed for the whole walk (a review takes them from the base, SPEC §4.7).
    pinned: Option<(People, Rc<Policy>)>,
    /// Protected files whose newest state waits for approval (SPEC §4.8), by path.
    pending: BTreeMap<String, pending::Pending>,
}

/// The change id of a path that is a change's request (`<changes>/<id>/request.yaml`).
fn request_id<'p>(prefix: &str, path: &'p str) -> Option<&'p str> {
    let id = path.strip_prefix(prefix)?.strip_suffix("/request.yaml")?;
    (!id.contains('/')).then_some(id)
}

/// A sign-off's standing as a word: `valid`, `stale`, or the code of the rule it breaks.
pub fn standing_word(standing: &approvals::Standing) -> &'static str {
    match standing {
        approvals::Standing::Valid => "valid",
        approvals::Standing::Stale => "stale",
        approvals::Standing::Invalid(code) => code,
    }
}

fn short(id: Oid) -> String {
    id.to_string()
}

impl<'g> Walk<'g> {
    /// A walk positioned at `base` (its state accepted), with `settings` from the head.
    pub fn at(git: &'g Git, settings: Settings, base: Oid, products: bool) -> Result<Walk<'g>> {
        let mut walk = Walk::empty(git, settings, products);
        walk.fill_index(base)?;
        Ok(walk)
    }

    /// A walk with nothing indexed yet.
    fn empty(git: &'g Git, settings: Settings, products: bool) -> Walk<'g> {
        Walk {
            git,
            settings,
            products,
            index: BTreeMap::new(),
            people: HashMap::new(),
            policies: HashMap::new(),
            requests: HashMap::new(),
            signoffs: HashMap::new(),
            systems: HashMap::new(),
            catalogs: HashMap::new(),
            validity: HashMap::new(),
            clock: None,
            position: 0,
            approved_at_position: HashMap::new(),
            report_at_position: HashMap::new(),
            request_time: HashMap::new(),
            verified: HashMap::new(),
            report_commit: HashMap::new(),
            findings: Vec::new(),
            checked: 0,
            added_in: None,
            ids: None,
            pinned: None,
            moved_folder: None,
            pending: BTreeMap::new(),
        }
    }

    /// Judges every later step with the people and policy of `base` (SPEC §4.7): the base's policy and
    /// chains, and only the keys that both `base` and the walk's starting point trust.
    pub fn pin_to(&mut self, base: Oid) -> Result<()> {
        let mut at_base = Walk::at(self.git, self.settings.clone(), base, false)?;
        let (theirs, policy) = (at_base.trust(), at_base.policy());
        let ours = self.trust();
        let trust = theirs.1.intersect(&ours.1);
        self.pinned = Some((Rc::new((theirs.0.clone(), trust)), policy));
        Ok(())
    }

    /// What changed in the watched folders between two commits, as one diff (for showing a whole
    /// pull request's effect; the rules judge each commit on its own).
    pub fn net_deltas(&self, from: Oid, to: Oid) -> Result<Vec<crate::git::Change>> {
        let prefixes = self.prefixes();
        let refs: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        self.git.changed_paths(Some(from), to, &refs)
    }

    /// Indexes the watched files of `commit`'s tree.
    fn fill_index(&mut self, commit: Oid) -> Result<()> {
        let tree = self.git.raw().find_commit(commit)?.tree()?;
        for prefix in self.prefixes() {
            for (path, id, _) in self.git.list(commit, &prefix)? {
                self.index.insert(path, id);
            }
            // A single-file prefix (the people file, lifecycle.yaml).
            if let Ok(entry) = tree.get_path(std::path::Path::new(&prefix))
                && entry.kind() == Some(git2::ObjectType::Blob)
            {
                self.index.insert(prefix.clone(), entry.id());
            }
        }
        Ok(())
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
            p.products.clone(),
            "lifecycle.yaml".into(),
        ];
        if self.products {
            v.push(p.advisories.clone());
            // Discovery run records: the report lists when each was committed (SPEC §8.1).
            v.push(p.discovery.clone());
        }
        v.sort();
        v.dedup();
        v
    }

    /// A blob's bytes; empty when it cannot be read.
    pub fn blob(&self, id: Oid) -> Vec<u8> {
        self.git.blob(id).unwrap_or_default()
    }

    /// Loads files (path, blob id) through the normal loader.
    pub fn load(&self, files: Vec<(String, Oid)>) -> load::Loaded {
        let blobs = files.into_iter().map(|(p, id)| (p, self.blob(id))).collect();
        load::load_blobs(self.settings.clone(), blobs)
    }

    /// People and trust of the current index.
    fn trust(&mut self) -> Rc<(Vec<Person>, Trust)> {
        if let Some((trust, _)) = &self.pinned {
            return trust.clone();
        }
        let path = self.settings.paths.people.clone();
        let Some(id) = self.effective_blob(&path) else { return Rc::new((Vec::new(), Trust::default())) };
        if let Some(t) = self.people.get(&id) {
            return t.clone();
        }
        let people = self.load(vec![(path, id)]).repo.people;
        let trust = Trust::from_people(&people);
        let rc = Rc::new((people, trust));
        self.people.insert(id, rc.clone());
        rc
    }

    /// The policy files in force: the index's, with each waiting state replaced by the one in force.
    fn policy_paths(&self) -> Vec<(String, Oid)> {
        let prefix = format!("{}/", self.settings.paths.policies);
        let people = &self.settings.paths.people;
        let mut files: BTreeMap<String, Oid> = self
            .index
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter(|(p, _)| *p != people)
            .map(|(p, id)| (p.clone(), *id))
            .collect();
        for (path, p) in self.pending.iter().filter(|(p, _)| p.starts_with(&prefix) && *p != people) {
            match p.effective {
                Some(b) => files.insert(path.clone(), b),
                None => files.remove(path),
            };
        }
        files.into_iter().collect()
    }

    /// The policy of the current index.
    fn policy(&mut self) -> Rc<Policy> {
        if let Some((_, policy)) = &self.pinned {
            return policy.clone();
        }
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
        self.index
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter_map(|(p, _)| request_id(&prefix, p).map(str::to_string))
            .collect()
    }

    /// Keeps the cached change ids in step with a commit's added and removed requests (rescanning
    /// the index for each new request made a long history quadratic).
    fn update_change_ids(&mut self, deltas: &[crate::git::Change]) {
        let prefix = format!("{}/", self.settings.paths.changes);
        let moved = deltas.iter().filter(|d| d.kind != ChangeKind::Modified);
        let moved: Vec<(&str, bool)> = moved
            .filter_map(|d| Some((request_id(&prefix, &d.path)?, d.kind == ChangeKind::Added)))
            .collect();
        let Some(ids) = self.ids.as_mut().filter(|_| !moved.is_empty()) else { return };
        let ids = Rc::make_mut(ids);
        for (id, added) in moved {
            // Newest (highest) first.
            match (ids.binary_search_by(|probe| id.cmp(probe.as_str())), added) {
                (Err(at), true) => ids.insert(at, id.to_string()),
                (Ok(at), false) => {
                    ids.remove(at);
                }
                _ => {}
            }
        }
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

    /// The systems of a file blob, parsed once for the whole walk (the report reads them too).
    pub fn systems_in(&mut self, path: &str, id: Oid) -> Rc<Vec<System>> {
        if let Some(s) = self.systems.get(&id) {
            return s.clone();
        }
        let mut settings = self.settings.clone();
        if let Some((_, to)) = &self.moved_folder
            && path.starts_with(&format!("{to}/"))
        {
            settings.paths.systems = to.clone();
        }
        let blobs = vec![(path.to_string(), self.blob(id))];
        let systems = Rc::new(load::load_blobs(settings, blobs).repo.systems);
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
                let ids: Vec<&str> = change.targets.iter().filter_map(Target::system).collect();
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

    /// Applies the changes from `parent` to `commit`, judging them with the settings, trust, policy and
    /// catalog in force at `parent` (SPEC §4.5).
    pub fn step(&mut self, parent: Oid, commit: Oid) -> Result<Step> {
        let prefixes = self.prefixes();
        let refs: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        let mut deltas = self.git.changed_paths(Some(parent), commit, &refs)?;
        self.moved_folder = None;
        if deltas.iter().any(|d| d.path == "lifecycle.yaml") {
            // A commit that moves the systems folder is judged over both folders, so that moving the
            // files with it is a move and not a removal plus an addition.
            let next = crate::review::settings_at(self.git, commit)?;
            let (old, new) = (self.settings.paths.systems.clone(), next.paths.systems);
            if new != old && !new.starts_with(&format!("{old}/")) && !old.starts_with(&format!("{new}/")) {
                deltas.extend(self.git.changed_paths(Some(parent), commit, &[new.as_str()])?);
                self.moved_folder = Some((old, new));
            }
        }
        let cid = short(commit);
        let time = self.git.commit_time(commit)?;
        self.position += 1;
        self.judge_clock(time, &cid);
        let mut step = Step::default();
        if deltas.is_empty() {
            return Ok(step);
        }
        // Trust, policy and catalog in force before this commit.
        let before = self.trust();
        let policy = self.policy();
        // The catalog is needed only where statuses are compared: inventory or catalog edits.
        let (systems, products) =
            (format!("{}/", self.settings.paths.systems), format!("{}/", self.settings.paths.products));
        let inventory = deltas.iter().any(|d| d.path.starts_with(&systems) || d.path.starts_with(&products))
            || self.moved_folder.is_some();
        let catalog = if inventory { self.catalog() } else { Rc::new(Repository::default()) };
        self.judge_commit_signature(commit, &deltas, &policy, &before.1, &cid);
        let deltas = self.screen(deltas, &cid);
        self.update_change_ids(&deltas);
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
        let commit_sig = self.git.commit_signature(commit);
        self.judge_signoffs(&deltas, &policy, &before, (commit, time, commit_sig), &mut step);
        self.judge_edits(&deltas, &cid);
        self.judge_inventory(&deltas, &policy, &before, &catalog, &cid, &mut step);
        self.judge_catalog(&deltas, &policy, &before, &catalog, &cid, &mut step);
        self.judge_policy_files(&deltas, &policy, &before, &cid, &mut step);
        self.record_positions(&deltas, &policy, &before, commit);
        let promoted = self.promote();
        let settings_moved = deltas.iter().any(|d| d.path == "lifecycle.yaml");
        if (settings_moved && !self.pending.contains_key("lifecycle.yaml")) || promoted {
            self.reset_settings(commit)?;
        }
        step.deltas = deltas;
        Ok(step)
    }

    /// Sign-offs are append-only; each added one is verified against the parent's trust.
    fn judge_signoffs(
        &mut self,
        deltas: &[crate::git::Change],
        policy: &Policy,
        before: &(Vec<Person>, Trust),
        (commit, time, commit_sig): CommitFacts,
        step: &mut Step,
    ) {
        let cid = short(commit);
        let changes_prefix = format!("{}/", self.settings.paths.changes);
        let namespace = self.settings.signing_namespace.clone();
        let mut touched: Vec<String> = Vec::new();
        let mut added: Vec<String> = Vec::new();
        for d in deltas {
            let Some(rest) = d.path.strip_prefix(&changes_prefix) else { continue };
            let Some((change, file)) = rest.split_once('/') else { continue };
            if file == "report.yaml" {
                self.report_commit.insert(change.to_string(), commit);
            }
            if file == "request.yaml" && d.kind != ChangeKind::Deleted {
                self.request_time.insert(change.to_string(), (self.position, time));
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
                    .words(
                        if d.kind == ChangeKind::Deleted {
                            "ledger.signoff_deleted"
                        } else {
                            "ledger.signoff_modified"
                        },
                        &[("path", &d.path)],
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
                        .words("ledger.invalid_signoff", &[("path", &d.path)])
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
            self.judge_claims(change, &s, time, &cid);
            added.push(d.path.clone());
        }
        for change in &touched {
            let Some((_, eval, list)) = self.evaluate(change, policy, &before.0, &before.1) else {
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
                        standing: standing_word(standing),
                    });
                }
            }
            for f in eval.findings {
                if f.path.as_ref().is_some_and(|p| added.contains(p)) {
                    self.findings.push(f.commit(Some(&cid)));
                }
            }
        }
    }

    /// Settings, policy and people may change only through an approved `policy` change (§4.4).
    fn judge_policy_files(
        &mut self,
        deltas: &[crate::git::Change],
        policy: &Policy,
        before: &(Vec<Person>, Trust),
        cid: &str,
        step: &mut Step,
    ) {
        let cid = cid.to_string();
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
                let covered = self.approved_change(&ids, policy, before, &[ClassKind::Policy], |change| {
                     change.targets.iter().any(|t| matches!(t, Target::File { path, digest, .. } if *path == d.path && *digest == want))
                });
                step.policy_files.push(PolicyMove {
                    path: d.path.clone(),
                    digest: want.clone(),
                    approved_by: covered.clone(),
                });
                match covered {
                    // Approved before or with the edit: in force now.
                    Some(_) => {
                        self.pending.remove(&d.path);
                    }
                    // Waits for its approval; the state before stays in force (SPEC §4.8).
                    None => {
                        let old = (d.kind != ChangeKind::Added).then_some(d.old);
                        self.hold(&d.path, old, &want, &cid);
                    }
                }
            }
        }
    }

    /// The first of `ids` that `wanted` accepts and whose chain is approved (under `policy` and the
    /// people and trust of `before`).
    fn approved_change(
        &mut self,
        ids: &[String],
        policy: &Policy,
        before: &(Vec<Person>, Trust),
        kinds: &[ClassKind],
        wanted: impl Fn(&ChangeRequest) -> bool,
    ) -> Option<String> {
        for id in ids {
            let Some(change) = self.request(id) else { continue };
            let kind = policy.classes.get(&change.class).map(|c| c.kind);
            if kind.is_some_and(|k| kinds.contains(&k))
                && wanted(&change)
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

    /// Brings the standing of sign-offs added earlier in the walk up to date: one signed early in a pull
    /// request may be stale at its head.
    pub fn restate(&mut self, added: &mut [AddedSignOff]) {
        for a in added {
            if let Some(chain) = self.chain(&a.change)
                && let Some(i) = chain.signoffs.iter().position(|s| s.path == a.path)
            {
                a.standing = standing_word(&chain.eval.standing[i]);
            }
        }
    }

    /// The kind of a class of the policy in force.
    pub fn class_kind(&mut self, class: &str) -> Option<ClassKind> {
        self.policy().classes.get(class).map(|c| c.kind)
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
            // Only reports and exceptions have rules here: skip evaluating the chains of the others.
            let Some(request) = self.request(&id) else { continue };
            let kind = policy.classes.get(&request.class).map(|c| c.kind);
            if request.report.is_none() && kind != Some(ClassKind::Exception) {
                continue;
            }
            let Some((change, eval, _)) = self.evaluate(&id, &policy, &before.0, &before.1) else { continue };
            self.judge_exception(&change, &eval, &policy);
            if change.report.is_none() {
                continue;
            }
            let at = eval.approved.as_ref().and_then(|(_, t)| *t);
            let class = policy.classes.get(&change.class);
            let commit = self.report_commit.get(&id).map(|c| short(*c));
            let after_report = match (self.report_at_position.get(&id), self.approved_at_position.get(&id)) {
                (Some((reported, _)), Some(approved)) => approved > reported,
                _ => false,
            };
            for f in rules::execution(
                &change,
                class,
                &policy.rules,
                Approval { approved: eval.is_approved(), at, after_report },
                self.settings.timezone,
                now,
            ) {
                self.findings.push(f.commit(commit.as_deref()));
            }
        }
    }
}

/// The command that opens the `policy` change a policy file, the people file or `lifecycle.yaml`
/// needs (the hint of `unapproved-policy-change`).
fn policy_hint(path: &str, people: &str) -> String {
    let file = format!("lifecycle change new --class policy --file {path}");
    if path == people { format!("lifecycle people add|remove|rotate …, or {file}") } else { file }
}
