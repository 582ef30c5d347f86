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
        let mut cmd = self.command(BIN);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
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
