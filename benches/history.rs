//! Synthetic signed history for the `verify` benchmark: change requests, each through a five-stage
//! chain of real sign-offs (keys made by `ssh-keygen`, statements and commits signed in-process with
//! the same formats `lifecycle approve` writes), then the approved version bump.

use std::path::Path;
use std::process::Command;

use git2::{Repository, Signature, Time};
use lifecycle::model::statement::{Decision, SignOffFile, Statement, Subject, digest};
use ssh_key::{HashAlg, LineEnding, PrivateKey};

pub const ROLES: [(&str, &str); 5] = [
    ("li.ming", "applicant"),
    ("wang.qiang", "architect"),
    ("zhang.wei", "security-manager"),
    ("liu.yang", "ops-director"),
    ("chen", "cto"),
];

/// Five people with fresh ed25519 keys: the people file's text and the private keys.
pub fn people(keys_dir: &Path) -> (String, Vec<PrivateKey>) {
    let mut yaml = String::from("people:\n");
    let mut keys = Vec::new();
    for (id, role) in ROLES {
        let file = keys_dir.join(id);
        let ok = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", &format!("{id}@example.com"), "-f"])
            .arg(&file)
            .status()
            .expect("ssh-keygen runs")
            .success();
        assert!(ok, "ssh-keygen");
        let public = std::fs::read_to_string(format!("{}.pub", file.display())).unwrap();
        yaml.push_str(&format!(
            "  - {{id: {id}, name: {id}, email: {id}@example.com, roles: [{role}], keys: [\"{}\"]}}\n",
            public.trim()
        ));
        keys.push(PrivateKey::from_openssh(std::fs::read_to_string(&file).unwrap()).unwrap());
    }
    (yaml, keys)
}

pub const POLICY: &str = "eol: {basis: eol, plan_before: 6mo, finish_before: 3mo}\nclasses:\n  replacement: {title: Replacement, chain: [applicant, architect, security-manager, ops-director, cto]}\n  policy: {title: Policy, chain: [cto]}\nrules: {separation_of_duties: true}\n";

struct Writer<'r> {
    repo: &'r Repository,
    time: i64,
}

impl Writer<'_> {
    /// The time the next commit will have, as a statement writes it (RFC 3339, +08:00).
    fn next_time(&self) -> String {
        let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
        let at = chrono::DateTime::from_timestamp(self.time + 60, 0).unwrap().with_timezone(&offset);
        at.to_rfc3339()
    }

    /// Commits `files` on HEAD, signed with `key` when given (as `lifecycle approve` does).
    fn commit(&mut self, files: &[(&str, &[u8])], message: &str, key: Option<&PrivateKey>) {
        let repo = self.repo;
        let parent = repo.head().unwrap().peel_to_commit().unwrap();
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (path, content) in files {
            update.upsert(*path, repo.blob(content).unwrap(), git2::FileMode::Blob);
        }
        let tree = repo.find_tree(update.create_updated(repo, &parent.tree().unwrap()).unwrap()).unwrap();
        self.time += 60;
        let who = Signature::new("bench", "bench@example.com", &Time::new(self.time, 480)).unwrap();
        let id = match key {
            Some(key) => {
                let buffer = repo.commit_create_buffer(&who, &who, message, &tree, &[&parent]).unwrap();
                let buffer = std::str::from_utf8(&buffer).unwrap().to_string();
                let sig = key
                    .sign("git", HashAlg::Sha512, buffer.as_bytes())
                    .unwrap()
                    .to_pem(LineEnding::LF)
                    .unwrap();
                repo.commit_signed(&buffer, &sig, Some("gpgsig")).unwrap()
            }
            None => repo.commit(None, &who, &who, message, &tree, &[&parent]).unwrap(),
        };
        // Under heavy load the ref lock can be briefly held by the previous update's rename; retry.
        for attempt in 0.. {
            match repo.reference("refs/heads/main", id, true, "bench") {
                Ok(_) => break,
                Err(e) if e.code() == git2::ErrorCode::Locked && attempt < 50 => {
                    std::thread::sleep(std::time::Duration::from_millis(20))
                }
                Err(e) => panic!("cannot move main: {e}"),
            }
        }
    }
}

/// Commits `files` on HEAD a minute after it, unsigned (and leaves the index matching).
pub fn append(root: &Path, files: &[(&str, &[u8])], message: &str) {
    let repo = Repository::open(root).unwrap();
    let time = repo.head().unwrap().peel_to_commit().unwrap().time().seconds();
    Writer { repo: &repo, time }.commit(files, message, None);
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let mut index = repo.index().unwrap();
    index.read_tree(&head.tree().unwrap()).unwrap();
    index.write().unwrap();
}

/// Adds `changes` approved changes (5 sign-off commits each) and their version bumps on top of HEAD.
/// Returns the number of commits added.
/// `upgrade(c)` names change `c`'s target: (system file, component, from, to).
pub fn signed_history(
    root: &Path,
    keys: &[PrivateKey],
    changes: usize,
    upgrade: impl Fn(usize) -> (String, String, String, String),
) -> usize {
    let repo = Repository::open(root).unwrap();
    let start = repo.head().unwrap().peel_to_commit().unwrap().time().seconds();
    let mut w = Writer { repo: &repo, time: start };
    let mut commits = 0;
    for c in 0..changes {
        let id = format!("CHG-2025-{c:04}");
        let (system_file, component, from, to) = upgrade(c);
        let system = format!("system-{c:05}");
        // Every statement claims the time of the commit that records it, as `lifecycle approve` writes.
        let requested_at = w.next_time();
        let request = format!(
            "id: {id}\ntitle: upgrade {system}\nclass: replacement\nrequested_by: li.ming\nrequested_at: {requested_at}\ntargets:\n  - {{system: {system}, component: {component}, from: \"{from}\", to: \"{to}\"}}\n"
        );
        let req_path = format!("changes/{id}/request.yaml");
        w.commit(&[(&req_path, request.as_bytes())], &format!("{id}: request"), None);
        let subject_digest = digest(request.as_bytes());
        let mut previous: Option<String> = None;
        for (n, ((person, role), key)) in ROLES.iter().zip(keys).enumerate() {
            let statement = Statement {
                change: id.clone(),
                stage: role.to_string(),
                decision: Decision::Approved,
                by: person.to_string(),
                at: w.next_time(),
                comment: "ok".into(),
                subject: Subject::Request,
                subject_digest: subject_digest.clone(),
                previous_digest: previous.clone(),
                key: key.public_key().fingerprint(HashAlg::Sha256).to_string(),
            };
            let signature = key
                .sign("lifecycle-signoff", HashAlg::Sha512, &statement.payload())
                .unwrap()
                .to_pem(LineEnding::LF)
                .unwrap();
            previous = Some(statement.digest());
            let file = SignOffFile { statement, signature };
            let path = format!("changes/{id}/approvals/{:02}-{role}.yaml", n + 1);
            w.commit(
                &[(&path, file.to_yaml().as_bytes())],
                &format!("approve({id}): {role} {person} approved"),
                Some(key),
            );
        }
        // The approved upgrade itself.
        let old = std::fs::read_to_string(root.join(&system_file)).unwrap();
        let new = old.replacen(&format!("version: \"{from}\""), &format!("version: \"{to}\""), 1);
        std::fs::write(root.join(&system_file), &new).unwrap();
        w.commit(&[(&system_file, new.as_bytes())], &format!("{system}: upgrade ({id})"), None);
        commits += 7;
    }
    // Leave the work tree and index matching HEAD.
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    repo.checkout_tree(head.as_object(), Some(git2::build::CheckoutBuilder::new().force())).unwrap();
    // The work tree already holds the new files, so the checkout leaves the index as it was.
    let mut index = repo.index().unwrap();
    index.read_tree(&head.tree().unwrap()).unwrap();
    index.write().unwrap();
    commits
}
