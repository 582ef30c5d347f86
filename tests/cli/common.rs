//! The test harness: a throwaway repository, the real binary run in a controlled environment, and git.
//!
//! Every command (ours and git's) runs with `env_clear()` and a fixed environment, so no test depends
//! on the machine's git configuration, locale, time zone or terminal. Outputs have the temporary
//! directory replaced by `[TEMP]` so snapshots are stable.

// The approvals and review modules use parts of this harness that check and validate do not.
#![allow(dead_code)]

use std::cell::Cell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_lifecycle");
/// The project root: the example organisation lives in its `inventory/` and `policies/`.
pub const PROJECT: &str = env!("CARGO_MANIFEST_DIR");

/// Author and committer of every commit the harness makes.
pub const GIT_NAME: &str = "Test User";
pub const GIT_EMAIL: &str = "test.user@example.com";
/// The date every process sees in `GIT_*_DATE`; `commit_all` moves forward one minute per commit.
pub const GIT_DATE: &str = "2024-09-01T10:00:00+00:00";

/// A temporary directory the binary runs in.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    /// The directory's path as the binary may print it (canonical: `/tmp` can be a symlink).
    canonical: PathBuf,
    commits: Cell<u32>,
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl TestEnv {
    /// An empty temporary directory (not a git repository).
    pub fn new() -> TestEnv {
        let dir = tempfile::Builder::new()
            .prefix("lifecycle-test-")
            .tempdir()
            .expect("create a temporary directory");
        let canonical = dir.path().canonicalize().expect("canonical temp dir");
        std::fs::create_dir_all(dir.path().join("home")).expect("create HOME");
        TestEnv { dir, canonical, commits: Cell::new(0) }
    }

    /// A copy of the project's example organisation (`inventory/` and `policies/`).
    pub fn with_example() -> TestEnv {
        let env = TestEnv::new();
        for folder in ["inventory", "policies"] {
            copy_dir(&Path::new(PROJECT).join(folder), &env.path(folder));
        }
        env
    }

    /// A copy of `tests/fixtures/<name>/`.
    pub fn with_fixture(name: &str) -> TestEnv {
        let env = TestEnv::new();
        let from = Path::new(PROJECT).join("tests/fixtures").join(name);
        assert!(from.is_dir(), "no fixture {}", from.display());
        copy_dir(&from, env.root());
        env
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The absolute path of `rel` (a `/`-separated path inside the directory).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `text` (or any bytes) to `rel`, creating parent folders.
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent folders");
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {rel}: {e}"));
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// Replaces `from` by `to` in the file `rel`, which must contain it.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, text.replace(from, to));
    }

    /// The controlled environment of every process the harness starts.
    pub fn vars(&self) -> Vec<(&'static str, OsString)> {
        let mut vars: Vec<(&'static str, OsString)> = vec![
            ("HOME", self.path("home").into()),
            ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("GIT_AUTHOR_NAME", GIT_NAME.into()),
            ("GIT_AUTHOR_EMAIL", GIT_EMAIL.into()),
            ("GIT_AUTHOR_DATE", GIT_DATE.into()),
            ("GIT_COMMITTER_NAME", GIT_NAME.into()),
            ("GIT_COMMITTER_EMAIL", GIT_EMAIL.into()),
            ("GIT_COMMITTER_DATE", GIT_DATE.into()),
            ("TZ", "UTC".into()),
            ("LANG", "C".into()),
            ("NO_COLOR", "1".into()),
        ];
        if let Some(parent) = self.canonical.parent() {
            // git must never find a repository above the test directory.
            vars.push(("GIT_CEILING_DIRECTORIES", parent.into()));
        }
        if let Some(path) = std::env::var_os("PATH") {
            vars.push(("PATH", path));
        }
        vars
    }

    /// `program` in the test directory with the controlled environment, not yet started.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.root()).env_clear();
        cmd.envs(self.vars());
        cmd
    }

    /// Runs `lifecycle ARGS…` in the test directory.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// Runs `lifecycle ARGS…` with extra (or overriding) environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.run_env_unset(args, env, &[])
    }

    /// [`TestEnv::run_env`] with the variables `unset` removed from the controlled environment (to
    /// let git find `~/.gitconfig`, say).
    pub fn run_env_unset(&self, args: &[&str], env: &[(&str, &str)], unset: &[&str]) -> Output {
        let mut cmd = self.command(BIN);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        for k in unset {
            cmd.env_remove(k);
        }
        let out = cmd.output().expect("run the lifecycle binary");
        let out = self.output(out);
        assert!(
            out.status != 101 && !out.stderr.contains("panicked at"),
            "lifecycle {args:?} panicked (a panic is a bug):\n{}",
            out.snapshot()
        );
        out
    }

    fn output(&self, out: std::process::Output) -> Output {
        let status = out.status.code().unwrap_or_else(|| {
            panic!("the process was killed by a signal: {:?}", out.status);
        });
        Output {
            status,
            stdout: self.normalise(&String::from_utf8_lossy(&out.stdout)),
            stderr: self.normalise(&String::from_utf8_lossy(&out.stderr)),
        }
    }

    /// Replaces the test directory's path (as given and canonical) by `[TEMP]`.
    pub fn normalise(&self, text: &str) -> String {
        let mut text = text.replace(&self.canonical.display().to_string(), "[TEMP]");
        let given = self.dir.path().display().to_string();
        if given != self.canonical.display().to_string() {
            text = text.replace(&given, "[TEMP]");
        }
        text
    }

    /// Runs the real `git ARGS…` in the test directory; asserts success and returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_env(args, &[])
    }

    pub fn git_env(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let mut cmd = self.command("git");
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `git init -b main`; `home/` (the test HOME) is excluded so it is never committed.
    pub fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
        let exclude = self.path(".git/info/exclude");
        let mut text = std::fs::read_to_string(&exclude).unwrap_or_default();
        text.push_str("/home/\n");
        std::fs::create_dir_all(exclude.parent().unwrap()).unwrap();
        std::fs::write(exclude, text).unwrap();
    }

    /// `git add -A && git commit -m MSG`, each commit one minute after the previous one; returns
    /// the new commit id.
    pub fn commit_all(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        let n = self.commits.get();
        self.commits.set(n + 1);
        let date = format!("2024-09-01T{:02}:{:02}:00+00:00", 10 + n / 60, n % 60);
        self.git_env(
            &["commit", "-q", "--no-verify", "-m", msg],
            &[("GIT_AUTHOR_DATE", &date), ("GIT_COMMITTER_DATE", &date)],
        );
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }
}

/// What a process printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout, then stderr under a `------- stderr -------` line when there is any, then
    /// `[exit status: N]` (jj's convention), for `insta::assert_snapshot!`.
    pub fn snapshot(&self) -> String {
        let mut s = self.stdout.clone();
        if !self.stderr.is_empty() {
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            s.push_str("------- stderr -------\n");
            s.push_str(&self.stderr);
        }
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str(&format!("[exit status: {}]\n", self.status));
        s
    }

    /// stdout parsed as JSON (panics with the output when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.snapshot()))
    }

    /// Asserts the exit status, showing the whole output when it differs.
    #[track_caller]
    pub fn assert_status(&self, status: i32) -> &Self {
        assert_eq!(self.status, status, "unexpected exit status:\n{}", self.snapshot());
        self
    }
}

/// Copies a folder recursively (files and folders; the example has no links).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("copy {}: {e}", entry.path().display()));
        }
    }
}

/// Every file under `dir` (outside `.git`) with its bytes, sorted: to prove a command wrote nothing.
pub fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let kind = entry.file_type().unwrap();
            if kind.is_dir() && entry.file_name() == ".git" {
                continue;
            } else if kind.is_dir() {
                walk(&entry.path(), out);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(entry.path()).unwrap();
                out.push((entry.path(), target.display().to_string().into_bytes()));
            } else {
                out.push((entry.path(), std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

impl TestEnv {
    /// Runs `program ARGS…` in the test directory with the controlled environment plus `env`, and
    /// returns how it ended without judging it (for commands expected to fail).
    pub fn program_output(&self, program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(program);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap_or_else(|e| panic!("run {program}: {e}"));
        self.output(out)
    }
}

// ---- Signed approvals: the example organisation with real keys ------------------------------

/// The people of the example organisation: id, name, title and role. The replacement chain is
/// applicant → architect → security-manager → ops-director → cto; `zhao.lei` and `sun.hao` hold the
/// roles the other classes' chains name (every chained role must be held, or the policy is invalid).
pub const PEOPLE: &[(&str, &str, &str, &str)] = &[
    ("li.ming", "李明", "高级系统工程师", "applicant"),
    ("wang.qiang", "王强", "技术架构师", "architect"),
    ("zhang.wei", "张伟", "信息安全经理", "security-manager"),
    ("liu.yang", "刘洋", "运维总监", "ops-director"),
    ("chen", "陈总", "首席技术官", "cto"),
    ("zhao.lei", "赵磊", "安全总监", "security-director"),
    ("sun.hao", "孙浩", "技术总监", "tech-director"),
    ("zhou.jie", "周杰", "运维工程师", "operator"),
];

/// The time zone of the organisation (`lifecycle.yaml`), so statements carry `+08:00` like the source
/// documents.
pub const ORG_TIMEZONE: &str = "Asia/Shanghai";

/// When the organisation's first commit is made.
pub const ORG_DATE: &str = "2024-09-01T09:00:00+08:00";

/// One entry of `policies/people.yaml`.
#[derive(Debug, Clone)]
pub struct PersonEntry {
    pub id: String,
    pub name: String,
    pub title: String,
    pub roles: Vec<String>,
    /// OpenSSH one-line keys or armored OpenPGP blocks.
    pub keys: Vec<String>,
}

/// A git repository holding the example organisation, whose people file lists freshly generated
/// ed25519 keys (private halves in `home/keys/<id>`, outside the repository's tracked files), and
/// which signs as one person at a time through repo-local git configuration, as a reviewer would.
pub struct Org {
    pub env: TestEnv,
    /// Whose identity commits and runs carry (set by [`Org::as_person`]).
    who: std::cell::RefCell<Option<String>>,
}

impl Default for Org {
    fn default() -> Self {
        Self::new()
    }
}

impl std::ops::Deref for Org {
    type Target = TestEnv;
    fn deref(&self) -> &TestEnv {
        &self.env
    }
}

impl Org {
    /// The example organisation with everyone of [`PEOPLE`] holding one role, committed.
    pub fn new() -> Org {
        Org::with_roles(&[])
    }

    /// Like [`Org::new`], with `extra` roles given to people: `(person, role)`.
    pub fn with_roles(extra: &[(&str, &str)]) -> Org {
        let org = Org { env: TestEnv::with_example(), who: std::cell::RefCell::new(None) };
        org.git_init();
        std::fs::create_dir_all(org.path("home/tmp")).unwrap();
        org.write("lifecycle.yaml", format!("timezone: {ORG_TIMEZONE}\n"));
        for (id, ..) in PEOPLE {
            org.generate_key(id);
        }
        let mut people = org.people();
        for (id, role) in extra {
            let p = people.iter_mut().find(|p| p.id == *id).unwrap_or_else(|| panic!("no person {id}"));
            p.roles.push(role.to_string());
        }
        org.write_people(&people);
        org.commit_as(None, ORG_DATE, "The example organisation and its reviewers");
        org
    }

    /// Generates an ed25519 key pair `home/keys/<name>` (no passphrase).
    pub fn generate_key(&self, name: &str) {
        std::fs::create_dir_all(self.path("home/keys")).unwrap();
        let key = self.key(name);
        let comment = format!("{name}@example.com");
        let out = self.program_output(
            "ssh-keygen",
            &["-q", "-t", "ed25519", "-N", "", "-C", &comment, "-f", key.to_str().unwrap()],
            &[],
        );
        assert_eq!(out.status, 0, "ssh-keygen failed:\n{}", out.snapshot());
    }

    /// The private key file of `name`.
    pub fn key(&self, name: &str) -> PathBuf {
        self.path("home/keys").join(name)
    }

    /// The OpenSSH public key line of `name` (`ssh-ed25519 AAAA… name@example.com`).
    pub fn public_key(&self, name: &str) -> String {
        let path = format!("home/keys/{name}.pub");
        self.read(&path).trim().to_string()
    }

    /// The `SHA256:…` fingerprint of `name`'s key, as `ssh-keygen -l` prints it.
    pub fn fingerprint(&self, name: &str) -> String {
        let pubkey = format!("{}.pub", self.key(name).display());
        let out = self.program_output("ssh-keygen", &["-l", "-f", &pubkey], &[]);
        assert_eq!(out.status, 0, "ssh-keygen -l failed:\n{}", out.snapshot());
        out.stdout.split_whitespace().nth(1).expect("a fingerprint").to_string()
    }

    /// Everyone of [`PEOPLE`] with their generated key.
    pub fn people(&self) -> Vec<PersonEntry> {
        PEOPLE
            .iter()
            .map(|(id, name, title, role)| PersonEntry {
                id: id.to_string(),
                name: name.to_string(),
                title: title.to_string(),
                roles: vec![role.to_string()],
                keys: vec![self.public_key(id)],
            })
            .collect()
    }

    /// Writes `policies/people.yaml` (not committed).
    pub fn write_people(&self, people: &[PersonEntry]) {
        let mut text = String::from("# Test people: keys generated per test.\npeople:\n");
        for p in people {
            text.push_str(&format!("  - id: {}\n    name: {}\n    title: {}\n", p.id, p.name, p.title));
            text.push_str(&format!("    roles: [{}]\n    email: {}@example.com\n", p.roles.join(", "), p.id));
            text.push_str("    keys:\n");
            for k in &p.keys {
                if k.contains('\n') {
                    text.push_str("      - |\n");
                    for line in k.trim().lines() {
                        text.push_str(&format!("        {line}\n"));
                    }
                } else {
                    text.push_str(&format!("      - \"{k}\"\n"));
                }
            }
        }
        self.write("policies/people.yaml", text);
    }

    /// From now on, sign and commit as `id`: repo-local `user.name`, `user.email`, `gpg.format ssh`
    /// and `user.signingKey` (the private key file), as a reviewer configures git.
    pub fn as_person(&self, id: &str) {
        let email = format!("{id}@example.com");
        let key = self.key(id).display().to_string();
        for (k, v) in [
            ("user.name", id),
            ("user.email", email.as_str()),
            ("gpg.format", "ssh"),
            ("user.signingKey", &key),
        ] {
            self.git(&["config", k, v]);
        }
        *self.who.borrow_mut() = Some(id.to_string());
    }

    /// The identity and dates every process run "as the current person at `date`" sees. The harness's
    /// fixed `GIT_AUTHOR_NAME`… would override `user.name`, so they are set to the person too. Temporary
    /// files go to `home/tmp`, so whatever a run leaves behind goes with the test directory.
    fn identity(&self, date: &str) -> Vec<(String, String)> {
        let who = self.who.borrow().clone();
        let (name, email) = match &who {
            Some(id) => (id.clone(), format!("{id}@example.com")),
            None => (GIT_NAME.to_string(), GIT_EMAIL.to_string()),
        };
        let mut vars = vec![("TMPDIR".to_string(), self.path("home/tmp").display().to_string())];
        for role in ["AUTHOR", "COMMITTER"] {
            vars.push((format!("GIT_{role}_NAME"), name.clone()));
            vars.push((format!("GIT_{role}_EMAIL"), email.clone()));
            vars.push((format!("GIT_{role}_DATE"), date.to_string()));
        }
        vars
    }

    /// Runs `lifecycle --today <date's day> ARGS…` as the current person at `date` (RFC 3339).
    pub fn lc(&self, date: &str, args: &[&str]) -> Output {
        self.lc_env(date, args, &[])
    }

    /// [`Org::lc`] with extra environment variables.
    pub fn lc_env(&self, date: &str, args: &[&str], extra: &[(&str, &str)]) -> Output {
        self.lc_env_unset(date, args, extra, &[])
    }

    /// [`Org::lc_env`] with the variables `unset` removed from the environment.
    pub fn lc_env_unset(&self, date: &str, args: &[&str], extra: &[(&str, &str)], unset: &[&str]) -> Output {
        let mut all = vec!["--today", &date[..10]];
        all.extend_from_slice(args);
        let vars = self.identity(date);
        let mut env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        env.extend_from_slice(extra);
        self.run_env_unset(&all, &env, unset)
    }

    /// `git add -A && git commit` (unsigned) as the current person at `date`; the new commit id.
    pub fn commit(&self, date: &str, msg: &str) -> String {
        let who = self.who.borrow().clone();
        self.commit_as(who.as_deref(), date, msg)
    }

    fn commit_as(&self, who: Option<&str>, date: &str, msg: &str) -> String {
        let saved = self.who.replace(who.map(str::to_string));
        let vars = self.identity(date);
        self.who.replace(saved);
        let env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.git(&["add", "-A"]);
        self.git_env(&["-c", "commit.gpgSign=false", "commit", "-q", "--no-verify", "-m", msg], &env);
        self.head()
    }

    /// HEAD's commit id.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }
}

/// The example organisation's Redis replacement (CHG-2024-003), as several test modules play it: who
/// signs each stage and when, a time after the chain, the system it upgrades, and an execution report
/// that breaks five rules (no backup; production on Monday 2024-09-16, outside the Thursday window and
/// before the gray test passed on 09-17; users notified 8h ahead, 12h asked; zhou.jie both executes and
/// supervises).
pub mod redis_change {
    pub const CHG: &str = "CHG-2024-003";
    pub const SIGNERS: [(&str, &str); 5] = [
        ("li.ming", "2024-09-05T10:00:00+08:00"),
        ("wang.qiang", "2024-09-07T16:00:00+08:00"),
        ("zhang.wei", "2024-09-08T11:00:00+08:00"),
        ("liu.yang", "2024-09-09T14:30:00+08:00"),
        ("chen", "2024-09-10T15:00:00+08:00"),
    ];
    pub const LATER: &str = "2024-09-20T12:00:00+08:00";
    pub const SYSTEM: &str = "inventory/systems/redis-session.yaml";
    pub const BAD_REPORT: &str = "\
started_at: 2024-09-15T20:00:00+08:00
finished_at: 2024-09-16T23:00:00+08:00
executed_by: zhou.jie
supervised_by: zhou.jie
gray: {passed_at: 2024-09-17T22:00:00+08:00, result: pass, rollback_tested: true}
production_at: 2024-09-16T22:00:00+08:00
notified_at: 2024-09-15T12:00:00+08:00
outcome: success
hosts: {total: 8, succeeded: 8}
";
}
