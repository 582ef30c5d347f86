//! The one place that touches libgit2: finding the repository, reading trees at a revision.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

/// A git repository, opened once per command.
pub struct Git {
    repo: git2::Repository,
    /// Raw tree objects by id, for the history walk.
    trees: std::cell::RefCell<std::collections::HashMap<git2::Oid, std::rc::Rc<Vec<u8>>>>,
}

impl Git {
    /// Finds the repository containing `dir` (walking up), if there is one.
    pub fn discover(dir: &Path) -> Option<Git> {
        quiet_reads();
        git2::Repository::discover(dir).ok().map(|repo| Git { repo, trees: Default::default() })
    }

    pub fn open(dir: &Path) -> Result<Git> {
        quiet_reads();
        let repo = git2::Repository::open(dir)
            .with_context(|| format!("cannot open git repository {}", dir.display()))?;
        Ok(Git { repo, trees: Default::default() })
    }

    /// Creates a repository in `dir` (`git init`) whose first branch is `init.defaultBranch` from
    /// git's configuration, else `main`.
    pub fn init(dir: &Path) -> Result<Git> {
        quiet_reads();
        let branch = Config::read_in(dir).get("init.defaultBranch").unwrap_or_else(|| "main".to_string());
        let mut options = git2::RepositoryInitOptions::new();
        options.initial_head(&branch);
        let repo = git2::Repository::init_opts(dir, &options)
            .with_context(|| format!("cannot create a git repository in {}", dir.display()))?;
        Ok(Git { repo, trees: Default::default() })
    }

    /// The branch HEAD is on (also before the first commit), if it is on one.
    pub fn head_branch(&self) -> Option<String> {
        let head = self.repo.find_reference("HEAD").ok()?;
        let target = head.symbolic_target().ok()??.to_string();
        target.strip_prefix("refs/heads/").map(str::to_string)
    }

    pub fn workdir(&self) -> Option<PathBuf> {
        self.repo.workdir().map(Path::to_path_buf)
    }

    pub fn raw(&self) -> &git2::Repository {
        &self.repo
    }

    /// Resolves a revision (`HEAD~3`, a branch, a tag, a commit id) to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<git2::Oid> {
        let object = self
            .repo
            .revparse_single(rev)
            .map_err(|e| BadRevision { rev: rev.to_string(), why: Some(e.message().to_string()) })?;
        let commit = object.peel_to_commit().map_err(|_| BadRevision { rev: rev.to_string(), why: None })?;
        Ok(commit.id())
    }

    /// Files of the tree of `commit`, under `dir` (recursively), as `(path, blob id, is_symlink)`.
    pub fn list(&self, commit: git2::Oid, dir: &str) -> Result<Vec<(String, git2::Oid, bool)>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let sub = if dir.is_empty() {
            tree
        } else {
            match tree.get_path(Path::new(dir)) {
                Ok(entry) if entry.kind() == Some(git2::ObjectType::Tree) => {
                    self.repo.find_tree(entry.id())?
                }
                _ => return Ok(Vec::new()),
            }
        };
        let mut out = Vec::new();
        sub.walk(git2::TreeWalkMode::PreOrder, |root, entry| {
            if entry.kind() == Some(git2::ObjectType::Blob) {
                let name = entry.name().unwrap_or("");
                let path =
                    if dir.is_empty() { format!("{root}{name}") } else { format!("{dir}/{root}{name}") };
                out.push((path, entry.id(), entry.filemode() == 0o120000));
            }
            git2::TreeWalkResult::Ok
        })?;
        out.sort();
        Ok(out)
    }

    /// The URL of remote `name`, if there is one.
    pub fn remote_url(&self, name: &str) -> Option<String> {
        self.repo.find_remote(name).ok()?.url().ok().map(str::to_string)
    }

    pub fn blob_size(&self, id: git2::Oid) -> Result<usize> {
        let (size, _) = self.repo.odb()?.read_header(id)?;
        Ok(size)
    }

    pub fn blob(&self, id: git2::Oid) -> Result<Vec<u8>> {
        Ok(self.repo.find_blob(id)?.content().to_vec())
    }
}

/// libgit2 re-hashes every object it reads by default; git itself leaves that to `git fsck`. The
/// walk of `verify` reads thousands of objects, so it is turned off (once, process-wide).
fn quiet_reads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::strict_hash_verification(false);
    });
}

/// A revision that names no commit: unknown to git (with git's reason), or naming a tree or a blob.
/// The command line prints it in the user's language.
#[derive(Debug)]
pub struct BadRevision {
    pub rev: String,
    pub why: Option<String>,
}

impl std::fmt::Display for BadRevision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.why {
            Some(why) => write!(f, "unknown revision `{}`: {why}", self.rev),
            None => write!(f, "revision `{}` does not name a commit", self.rev),
        }
    }
}

impl std::error::Error for BadRevision {}

/// A commit made by [`Git::commit_one_file`].
pub struct NewCommit {
    pub id: git2::Oid,
}

impl Git {
    /// HEAD's commit, if the repository has one.
    pub fn head(&self) -> Option<git2::Oid> {
        self.repo.head().ok().and_then(|h| h.peel_to_commit().ok()).map(|c| c.id())
    }

    /// The bytes of `path` in `commit`.
    pub fn read_at(&self, commit: git2::Oid, path: &str) -> Result<Option<Vec<u8>>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        match tree.get_path(Path::new(path)) {
            Ok(entry) if entry.kind() == Some(git2::ObjectType::Blob) => {
                Ok(Some(self.repo.find_blob(entry.id())?.content().to_vec()))
            }
            _ => Ok(None),
        }
    }

    /// Creates a commit on HEAD that adds `path` with `content` and nothing else (whatever else is
    /// staged stays staged), signed by `sign` over the commit buffer, and moves HEAD's branch to it.
    pub fn commit_one_file(
        &self,
        path: &str,
        content: &[u8],
        message: &str,
        sign: &dyn Fn(&str) -> Result<String>,
    ) -> Result<NewCommit> {
        let repo = &self.repo;
        let head = repo.head().context("the repository has no commit yet")?;
        let parent = head.peel_to_commit()?;
        let blob = repo.blob(content)?;
        let mut update = git2::build::TreeUpdateBuilder::new();
        update.upsert(path, blob, git2::FileMode::Blob);
        let tree_id = update.create_updated(repo, &parent.tree()?)?;
        let tree = repo.find_tree(tree_id)?;
        let author = self.identity("AUTHOR")?;
        let committer = self.identity("COMMITTER")?;
        let buffer = repo.commit_create_buffer(&author, &committer, message, &tree, &[&parent])?;
        let buffer = std::str::from_utf8(&buffer).context("the commit buffer is not UTF-8")?.to_string();
        let signature = sign(&buffer)?;
        let id = repo.commit_signed(&buffer, &signature, Some("gpgsig"))?;
        if head.is_branch() {
            let name = head.name().map_err(|_| anyhow!("HEAD's branch name is not UTF-8"))?.to_string();
            // Move the branch only if nobody moved it meanwhile.
            repo.reference_matching(&name, id, true, parent.id(), "lifecycle: signed sign-off")?;
        } else {
            repo.set_head_detached(id)?;
        }
        Ok(NewCommit { id })
    }

    /// The author or committer git would record: `GIT_<ROLE>_NAME/EMAIL/DATE` when set, as git does,
    /// else `user.name`/`user.email` and now.
    pub fn identity(&self, role: &str) -> Result<git2::Signature<'static>> {
        let env = |k: &str| std::env::var(format!("GIT_{role}_{k}")).ok().filter(|v| !v.is_empty());
        let config = Config::read(&self.repo)?;
        let name = env("NAME").or_else(|| config.get("user.name"));
        let email = env("EMAIL").or_else(|| config.get("user.email"));
        let (Some(name), Some(email)) = (name, email) else {
            bail!(
                "git needs your name and e-mail for the commit\n  = hint: git config user.name \"…\" && git config user.email …"
            );
        };
        match env("DATE") {
            None => Ok(git2::Signature::now(&name, &email)?),
            Some(date) => {
                let at = parse_git_date(&date)
                    .ok_or_else(|| anyhow!("GIT_{role}_DATE `{date}` is not a date git understands"))?;
                let time = git2::Time::new(at.timestamp(), at.offset().local_minus_utc() / 60);
                Ok(git2::Signature::new(&name, &email, &time)?)
            }
        }
    }

    /// Stages `path` from the work tree (after it was committed, so `git status` stays clean).
    pub fn stage(&self, path: &str) -> Result<()> {
        let mut index = self.repo.index()?;
        index.add_path(Path::new(path))?;
        index.write()?;
        Ok(())
    }

    /// First-parent history from `head` back to `stop` (exclusive) or the root, newest first.
    pub fn first_parent(&self, head: git2::Oid, stop: Option<git2::Oid>) -> Result<Vec<git2::Oid>> {
        let mut out = Vec::new();
        let mut at = Some(self.repo.find_commit(head)?);
        while let Some(c) = at {
            if Some(c.id()) == stop {
                break;
            }
            out.push(c.id());
            at = c.parents().next();
        }
        Ok(out)
    }

    /// Paths added, modified or deleted between two commits' trees (or from nothing, for a root
    /// commit), limited to the given path prefixes (folders or files). Subtrees with equal ids are
    /// skipped without being read, so the cost follows what changed.
    pub fn changed_paths(
        &self,
        parent: Option<git2::Oid>,
        commit: git2::Oid,
        prefixes: &[&str],
    ) -> Result<Vec<Change>> {
        let new = self.repo.find_commit(commit)?.tree_id();
        let old = match parent {
            Some(p) => Some(self.repo.find_commit(p)?.tree_id()),
            None => None,
        };
        // "changes/" and "changes" name the same folder.
        let prefixes: Vec<&str> = prefixes.iter().map(|p| p.trim_end_matches('/')).collect();
        let mut out = Vec::new();
        self.diff_trees(old, Some(new), "", &prefixes, &mut out)?;
        Ok(out)
    }

    /// A tree object's raw bytes, cached: a commit's new tree is the next commit's old one.
    fn tree_bytes(&self, id: git2::Oid) -> Result<std::rc::Rc<Vec<u8>>> {
        if let Some(data) = self.trees.borrow().get(&id) {
            return Ok(data.clone());
        }
        let data = std::rc::Rc::new(self.repo.odb()?.read(id)?.data().to_vec());
        let mut trees = self.trees.borrow_mut();
        if trees.len() > 256 {
            trees.clear();
        }
        trees.insert(id, data.clone());
        Ok(data)
    }

    fn diff_trees(
        &self,
        old: Option<git2::Oid>,
        new: Option<git2::Oid>,
        dir: &str,
        prefixes: &[&str],
        out: &mut Vec<Change>,
    ) -> Result<()> {
        if old == new {
            return Ok(());
        }
        let old_bytes = old.map(|id| self.tree_bytes(id)).transpose()?;
        let new_bytes = new.map(|id| self.tree_bytes(id)).transpose()?;
        let empty = Vec::new();
        let (a, b) =
            differing(old_bytes.as_deref().unwrap_or(&empty), new_bytes.as_deref().unwrap_or(&empty));
        let (mut i, mut j) = (0, 0);
        // Both sides are in git's tree order, so a merge-join pairs them.
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => git_order(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let (x, y) = match order {
                std::cmp::Ordering::Less => (a.get(i), None),
                std::cmp::Ordering::Greater => (None, b.get(j)),
                std::cmp::Ordering::Equal => (a.get(i), b.get(j)),
            };
            i += usize::from(x.is_some());
            j += usize::from(y.is_some());
            if let (Some(x), Some(y)) = (x, y)
                && x.id == y.id
                && x.tree == y.tree
                && x.link == y.link
            {
                continue;
            }
            let name = String::from_utf8_lossy(x.or(y).map(|e| e.name).unwrap_or_default());
            let path = if dir.is_empty() { name.into_owned() } else { format!("{dir}/{name}") };
            let inside = prefixes
                .iter()
                .any(|p| path == *p || path.strip_prefix(p).is_some_and(|r| r.starts_with('/')));
            let above =
                prefixes.iter().any(|p| p.strip_prefix(path.as_str()).is_some_and(|r| r.starts_with('/')));
            if !inside && !above {
                continue;
            }
            let oid = |e: &RawEntry| git2::Oid::from_bytes(e.id).ok();
            let tree = |e: Option<&RawEntry>| e.filter(|e| e.tree).and_then(oid);
            let blob = |e: Option<&RawEntry>| e.filter(|e| !e.tree).and_then(oid);
            self.diff_trees(tree(x), tree(y), &path, prefixes, out)?;
            if !inside {
                continue;
            }
            let zero = git2::Oid::ZERO_SHA1;
            let link = y.is_some_and(|e| e.link);
            let (kind, old, new) = match (blob(x), blob(y)) {
                (None, Some(n)) => (ChangeKind::Added, zero, n),
                (Some(o), None) => (ChangeKind::Deleted, o, zero),
                (Some(o), Some(n)) => (ChangeKind::Modified, o, n),
                (None, None) => continue,
            };
            out.push(Change { path, kind, old, new, link });
        }
        Ok(())
    }

    pub fn commit_time(&self, commit: git2::Oid) -> Result<chrono::DateTime<chrono::FixedOffset>> {
        to_chrono(self.repo.find_commit(commit)?.time())
            .ok_or_else(|| anyhow!("commit {commit} has an impossible time"))
    }

    /// The signature and signed content of a commit, if it is signed.
    pub fn commit_signature(&self, commit: git2::Oid) -> Option<(String, Vec<u8>)> {
        let (sig, data) = self.repo.extract_signature(&commit, None).ok()?;
        Some((String::from_utf8_lossy(&sig).into_owned(), data.to_vec()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// One path changed by a commit.
#[derive(Debug, Clone)]
pub struct Change {
    pub path: String,
    pub kind: ChangeKind,
    pub old: git2::Oid,
    pub new: git2::Oid,
    /// The new side is a symbolic link (whose blob is the link's target, not a file's content).
    pub link: bool,
}

/// Parses the date forms git accepts in `GIT_*_DATE` that matter here: RFC 3339 / ISO 8601, RFC 2822,
/// and git's internal `@<seconds> <+hhmm>` / `<seconds> <+hhmm>`.
pub fn parse_git_date(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let t = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(t) {
        return Some(at);
    }
    if let Ok(at) = chrono::DateTime::parse_from_rfc2822(t) {
        return Some(at);
    }
    if let Ok(at) = chrono::DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S %z") {
        return Some(at);
    }
    let (secs, zone) = t.trim_start_matches('@').split_once(' ')?;
    let secs: i64 = secs.parse().ok()?;
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits = zone.trim_start_matches(['+', '-']);
    let (h, m) = (digits.get(0..2)?.parse::<i32>().ok()?, digits.get(2..4)?.parse::<i32>().ok()?);
    let offset = chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))?;
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.with_timezone(&offset))
}

/// One entry of a raw tree object, borrowing its bytes.
struct RawEntry<'a> {
    name: &'a [u8],
    id: &'a [u8],
    tree: bool,
    /// A symbolic link (mode 120000).
    link: bool,
}

/// Parses a raw tree object (`<mode> <name>\0<id>` repeated). Malformed tails are ignored.
fn parse_tree(data: &[u8]) -> Vec<RawEntry<'_>> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((entry, len)) = next_entry(rest) {
        out.push(entry);
        rest = &rest[len..];
    }
    out
}

/// The first entry of a raw tree's bytes and its length, if it is whole.
fn next_entry(data: &[u8]) -> Option<(RawEntry<'_>, usize)> {
    let space = memchr::memchr(b' ', data)?;
    let mode = &data[..space];
    let after = &data[space + 1..];
    let nul = memchr::memchr(0, after)?;
    let id = after.get(nul + 1..nul + 21)?;
    let entry = RawEntry { name: &after[..nul], id, tree: mode == b"40000", link: mode == b"120000" };
    Some((entry, space + 1 + nul + 21))
}

/// How many leading items two sequences of length `len` share, given whether the `n` items from
/// `k` on are equal: compared in blocks (which the compiler turns into wide compares), then one by one.
fn shared(len: usize, same: impl Fn(usize, usize) -> bool) -> usize {
    const BLOCK: usize = 256;
    let mut k = 0;
    while k + BLOCK <= len && same(k, BLOCK) {
        k += BLOCK;
    }
    while k < len && same(k, 1) {
        k += 1;
    }
    k
}

/// The entries of two raw trees that can differ: those between the longest run of whole entries
/// the two share at the start and the longest they share at the end. A commit changes a few files of
/// a folder of thousands, so the shared runs are found by comparing bytes, and only the few entries
/// between them are parsed. Boundaries are found by parsing forward from the start, never guessed
/// from the bytes, so a shared byte run inside an entry is never taken for shared entries. Trees that
/// do not parse whole are parsed as before, entry by entry to the first malformed one.
fn differing<'a>(a: &'a [u8], b: &'a [u8]) -> (Vec<RawEntry<'a>>, Vec<RawEntry<'a>>) {
    let prefix = shared(a.len().min(b.len()), |k, n| a[k..k + n] == b[k..k + n]);
    let suffix = shared(a.len().min(b.len()), |k, n| {
        a[a.len() - k - n..a.len() - k] == b[b.len() - k - n..b.len() - k]
    });
    // Whole entries inside the shared prefix: the same bytes, so the same entries on both sides.
    let mut start = 0;
    while let Some((_, len)) = next_entry(&a[start..]) {
        if start + len > prefix {
            break;
        }
        start += len;
    }
    let (mut i, mut j) = (start, start);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    // Parse each side until both stand at a boundary with the same tail, inside the shared suffix:
    // the tails are then the same bytes, so the same entries.
    loop {
        let (ta, tb) = (a.len() - i, b.len() - j);
        if ta == tb && ta <= suffix {
            return (left, right);
        }
        let (side, data, at) = if ta >= tb { (&mut left, a, &mut i) } else { (&mut right, b, &mut j) };
        match next_entry(&data[*at..]) {
            Some((entry, len)) => {
                side.push(entry);
                *at += len;
            }
            None => return (parse_tree(a), parse_tree(b)),
        }
    }
}

/// git's order of tree entries: by name, a folder's name compared as if it ended in `/`.
fn git_order(x: &RawEntry, y: &RawEntry) -> std::cmp::Ordering {
    let slash = |e: &RawEntry| if e.tree { Some(b'/') } else { None };
    let ax = x.name.iter().copied().chain(slash(x));
    let ay = y.name.iter().copied().chain(slash(y));
    let common = x.name.len().min(y.name.len());
    match x.name[..common].cmp(&y.name[..common]) {
        std::cmp::Ordering::Equal => ax.cmp(ay),
        other => other,
    }
}

/// A git time (seconds and minutes of offset) as a chrono timestamp in its own offset.
pub fn to_chrono(t: git2::Time) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let offset = chrono::FixedOffset::east_opt(t.offset_minutes() * 60)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc));
    chrono::DateTime::from_timestamp(t.seconds(), 0).map(|d| d.with_timezone(&offset))
}

/// git's configuration exactly as the `git` program reads it in this shell: system, global
/// (`GIT_CONFIG_GLOBAL`, `GIT_CONFIG_SYSTEM`, `GIT_CONFIG_NOSYSTEM`, `~/.gitconfig`, XDG), the
/// repository's, includes, `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n` and `git -c`
/// (`GIT_CONFIG_PARAMETERS`). libgit2 honours only part of these when a repository is opened from a
/// path, so the values come from `git config --list` itself (decisions.md, "git's configuration").
#[derive(Debug, Default, Clone)]
pub struct Config {
    /// Canonical key (section and name lower-case, subsection as written) → its last value.
    values: std::collections::HashMap<String, String>,
}

impl Config {
    /// The configuration git would use in `dir` outside any repository (system, global, the
    /// environment), for `init`; empty when git cannot say.
    pub fn read_in(dir: &Path) -> Config {
        match Config::run(dir) {
            Ok(Some(c)) => c,
            _ => git2::Config::open_default().map(|c| Config::from_git2(&c)).unwrap_or_default(),
        }
    }

    /// Reads the configuration git would use in `repo` (its work tree, else its git folder).
    pub fn read(repo: &git2::Repository) -> Result<Config> {
        let dir = repo.workdir().unwrap_or_else(|| repo.path());
        match Config::run(dir)? {
            Some(config) => Ok(config),
            // Without the git program, libgit2's reading is the best there is.
            None => Ok(repo.config().map(|c| Config::from_git2(&c)).unwrap_or_default()),
        }
    }

    /// `git config --list -z` in `dir`; `None` when there is no git program.
    fn run(dir: &Path) -> Result<Option<Config>> {
        let out = match std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["config", "--list", "-z"])
            .stdin(std::process::Stdio::null())
            .output()
        {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).context("cannot run `git config`"),
        };
        // A configuration git cannot read stops git too; say what git said.
        let why = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() && !why.trim().is_empty() {
            bail!("git cannot read its configuration: {}", why.trim());
        }
        Ok(Some(Config::parse(&out.stdout)))
    }

    /// Parses `git config --list -z` output: `key\nvalue\0` per entry (`key\0` for a bare key).
    fn parse(bytes: &[u8]) -> Config {
        let mut values = std::collections::HashMap::new();
        for entry in bytes.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let (key, value) = entry.split_once('\n').unwrap_or((&entry, "true"));
            values.insert(canonical(key), value.to_string());
        }
        Config { values }
    }

    fn from_git2(config: &git2::Config) -> Config {
        let mut values = std::collections::HashMap::new();
        if let Ok(mut entries) = config.entries(None) {
            while let Some(Ok(entry)) = entries.next() {
                if let (Ok(k), Ok(v)) = (entry.name(), entry.value()) {
                    values.insert(canonical(k), v.to_string());
                }
            }
        }
        Config { values }
    }

    /// The value of `key` (any case for section and name), trimmed, if set and not empty.
    pub fn get(&self, key: &str) -> Option<String> {
        self.values.get(&canonical(key)).map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
    }
}

/// `Section.Sub.Name` → `section.Sub.name`: git compares section and name without case.
fn canonical(key: &str) -> String {
    let (Some(first), Some(last)) = (key.find('.'), key.rfind('.')) else {
        return key.to_lowercase();
    };
    format!("{}{}{}", key[..first].to_lowercase(), &key[first..last], key[last..].to_lowercase())
}

#[cfg(test)]
mod config_tests {
    use super::*;

    #[test]
    fn keys_compare_like_git() {
        assert_eq!(canonical("User.SigningKey"), "user.signingkey");
        assert_eq!(canonical("GPG.SSH.Program"), "gpg.SSH.program");
        let c = Config::parse(b"user.signingkey\n/a\0user.signingkey\n/b\0gpg.format\nssh\0core.bare\0");
        assert_eq!(c.get("user.signingKey").as_deref(), Some("/b"));
        assert_eq!(c.get("GPG.format").as_deref(), Some("ssh"));
        assert_eq!(c.get("core.bare").as_deref(), Some("true"));
        assert_eq!(c.get("user.name"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A raw tree of the given (name, id, mode) entries, sorted as git sorts them.
    fn tree(entries: &[(String, [u8; 20], bool)]) -> Vec<u8> {
        let mut sorted: Vec<&(String, [u8; 20], bool)> = entries.iter().collect();
        sorted.sort_by(|x, y| {
            let e = |t: &(String, [u8; 20], bool)| format!("{}{}", t.0, if t.2 { "/" } else { "" });
            e(x).cmp(&e(y))
        });
        sorted.dedup_by(|x, y| x.0 == y.0);
        let mut out = Vec::new();
        for (name, id, folder) in sorted {
            out.extend_from_slice(if *folder { b"40000 " } else { b"100644 " });
            out.extend_from_slice(name.as_bytes());
            out.push(0);
            out.extend_from_slice(id);
        }
        out
    }

    /// An entry as owned values: name, id, folder, link.
    type Key = (Vec<u8>, Vec<u8>, bool, bool);

    fn key(e: &RawEntry) -> Key {
        (e.name.to_vec(), e.id.to_vec(), e.tree, e.link)
    }

    /// What differs between two trees, entry by entry over the whole of both.
    fn naive(a: &[u8], b: &[u8]) -> (Vec<Key>, Vec<Key>) {
        let (x, y): (Vec<_>, Vec<_>) =
            (parse_tree(a).iter().map(key).collect(), parse_tree(b).iter().map(key).collect());
        (
            x.iter().filter(|e| !y.contains(e)).cloned().collect(),
            y.iter().filter(|e| !x.contains(e)).cloned().collect(),
        )
    }

    fn entries() -> impl Strategy<Value = Vec<(String, [u8; 20], bool)>> {
        // Names share long prefixes and ids are drawn from few bytes (zero and space among them), so
        // byte runs shared across entry boundaries are common.
        let name = "[a ]{0,3}(system-000)?[0-9]{1,2}(\\.yaml)?";
        let id = proptest::array::uniform20(prop_oneof![Just(0u8), Just(b' '), Just(b'1'), any::<u8>()]);
        proptest::collection::vec((name, id, any::<bool>()), 0..40)
    }

    proptest! {
        /// Every entry that differs lies in the parsed middles, and the middles hold nothing the
        /// full comparison would not also pair up.
        #[test]
        fn the_shared_runs_hide_no_change(a in entries(), edits in proptest::collection::vec((any::<usize>(), 0u8..4, any::<[u8; 20]>()), 0..6)) {
            let mut b = a.clone();
            for (at, what, id) in edits {
                match (what, b.len()) {
                    (0, n) if n > 0 => { b[at % n].1 = id; }
                    (1, n) if n > 0 => { b.remove(at % n); }
                    // Only the id's last byte: the shared prefix ends one byte before the entry's end.
                    (2, n) if n > 0 => { b[at % n].1[19] ^= 1; }
                    _ => b.push((format!("new{}", at % 50), id, at % 2 == 0)),
                }
            }
            let (ta, tb) = (tree(&a), tree(&b));
            let (left, right) = differing(&ta, &tb);
            let (left, right): (Vec<_>, Vec<_>) = (left.iter().map(key).collect(), right.iter().map(key).collect());
            let (only_a, only_b) = naive(&ta, &tb);
            for e in &only_a {
                prop_assert!(left.contains(e), "{e:?} differs but is outside the middle");
            }
            for e in &only_b {
                prop_assert!(right.contains(e), "{e:?} differs but is outside the middle");
            }
            if ta == tb {
                prop_assert!(left.is_empty() && right.is_empty());
            }
        }
    }

    #[test]
    fn one_changed_id_parses_one_entry_per_side() {
        let mut a: Vec<(String, [u8; 20], bool)> =
            (0..1000).map(|n| (format!("system-{n:05}.yaml"), [n as u8; 20], false)).collect();
        let ta = tree(&a);
        a[500].1 = [0; 20];
        let tb = tree(&a);
        let (left, right) = differing(&ta, &tb);
        assert_eq!((left.len(), right.len()), (1, 1));
        assert_eq!(left[0].name, b"system-00500.yaml");
    }

    #[test]
    fn malformed_trees_are_read_to_their_first_bad_entry() {
        let good = tree(&[("a".into(), [1; 20], false), ("b".into(), [2; 20], false)]);
        let mut bad = good.clone();
        bad.truncate(bad.len() - 3);
        let (left, right) = differing(&good, &bad);
        assert_eq!(left.len(), 2);
        assert_eq!(right.len(), 1);
    }
}
