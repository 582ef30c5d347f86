//! Where repository files come from: the work tree, or a git revision read without checking it out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::git::Git;

/// Files larger than this are refused before they are parsed.
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// Why a file could not be read.
#[derive(Debug, Clone)]
pub enum ReadError {
    TooLarge(u64),
    Symlink(String),
    Io(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::TooLarge(n) => write!(
                f,
                "file is {:.1} MiB; files over {} MiB are refused",
                *n as f64 / 1048576.0,
                MAX_FILE_BYTES / 1048576
            ),
            ReadError::Symlink(to) => {
                write!(f, "symbolic link to `{to}` outside the repository is not followed")
            }
            ReadError::Io(e) => write!(f, "cannot read: {e}"),
        }
    }
}

/// A read-only view of the repository's files, by `/`-separated path relative to its root.
pub trait Source {
    /// Every file under `dir`, recursively, sorted.
    fn list(&self, dir: &str) -> Vec<String>;
    /// Whether `path` is a file.
    fn exists(&self, path: &str) -> bool;
    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError>;
    /// Reads many files; sources that can read in parallel override this.
    fn read_all(&self, paths: &[String]) -> Vec<Result<Vec<u8>, ReadError>> {
        paths.iter().map(|p| self.read(p)).collect()
    }
    /// Human description for messages: "the work tree", "revision 1a2b3c4".
    fn describe(&self) -> String;
    /// Folders that [`Source::list`] met but did not enter (links leading outside the repository),
    /// each with why; they are reported, never silently skipped.
    fn refused_folders(&self) -> Vec<(String, ReadError)> {
        Vec::new()
    }
}

/// The checked-out files.
pub struct WorkTree {
    root: PathBuf,
    canonical_root: PathBuf,
    /// Folder links met by `list` that lead outside the repository.
    refused: std::sync::Mutex<Vec<(String, ReadError)>>,
}

impl WorkTree {
    pub fn new(root: &Path) -> WorkTree {
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        WorkTree { root: root.to_path_buf(), canonical_root, refused: Default::default() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Lists `dir`'s files into `out`. A link to a folder inside the repository is followed (once:
    /// `seen` holds the folders entered, so a link cycle ends); one leading outside is refused.
    fn walk(&self, dir: &Path, rel: &str, out: &mut Vec<String>, seen: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let rel = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                self.walk(&entry.path(), &rel, out, seen);
            } else if kind.is_symlink() && entry.path().is_dir() {
                match entry.path().canonicalize() {
                    Ok(target) if target.starts_with(&self.canonical_root) => {
                        if !seen.contains(&target) {
                            seen.push(target);
                            self.walk(&entry.path(), &rel, out, seen);
                        }
                    }
                    Ok(target) => self.refuse(rel, ReadError::Symlink(target.display().to_string())),
                    Err(e) => self.refuse(rel, ReadError::Io(e.to_string())),
                }
            } else {
                // Symlinks are listed so that reading them can refuse them with a clear message.
                out.push(rel);
            }
        }
    }
}

impl WorkTree {
    fn refuse(&self, rel: String, why: ReadError) {
        if let Ok(mut refused) = self.refused.lock()
            && !refused.iter().any(|(p, _)| *p == rel)
        {
            refused.push((rel, why));
        }
    }

    /// Whether a folder (after following links) is inside the repository.
    fn inside(&self, folder: &Path) -> Result<(), ReadError> {
        let target = self.root.join(folder).canonicalize().map_err(|e| ReadError::Io(e.to_string()))?;
        if target.starts_with(&self.canonical_root) {
            Ok(())
        } else {
            Err(ReadError::Symlink(target.display().to_string()))
        }
    }

    /// Reads a file whose folder was checked; a file that is itself a link must also stay inside.
    fn read_in(&self, path: &str, folder: Result<(), ReadError>) -> Result<Vec<u8>, ReadError> {
        folder?;
        let full = self.root.join(path);
        let io = |e: std::io::Error| ReadError::Io(e.to_string());
        if std::fs::symlink_metadata(&full).map_err(io)?.file_type().is_symlink() {
            let target = full.canonicalize().map_err(io)?;
            if !target.starts_with(&self.canonical_root) {
                return Err(ReadError::Symlink(target.display().to_string()));
            }
        }
        let mut file = std::fs::File::open(&full).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(len));
        }
        let mut bytes = Vec::with_capacity(len as usize);
        // `take` guards against a file that grows between the size check and the read.
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, MAX_FILE_BYTES + 1), &mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(bytes.len() as u64));
        }
        Ok(bytes)
    }
}

impl Source for WorkTree {
    fn list(&self, dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        let start = self.root.join(dir);
        let mut seen = start.canonicalize().into_iter().collect();
        self.walk(&start, dir, &mut out, &mut seen);
        out.sort();
        out.dedup();
        out
    }

    fn refused_folders(&self) -> Vec<(String, ReadError)> {
        let mut v = self.refused.lock().map(|r| r.clone()).unwrap_or_default();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn exists(&self, path: &str) -> bool {
        self.root.join(path).is_file()
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let parent = Path::new(path).parent().unwrap_or(Path::new(""));
        self.read_in(path, self.inside(parent))
    }

    fn read_all(&self, paths: &[String]) -> Vec<Result<Vec<u8>, ReadError>> {
        use rayon::prelude::*;
        // Folders are resolved once each (a folder may itself be a link), files in parallel.
        let mut folders: HashMap<&Path, Result<(), ReadError>> = HashMap::new();
        for p in paths {
            let parent = Path::new(p).parent().unwrap_or(Path::new(""));
            folders.entry(parent).or_insert_with(|| self.inside(parent));
        }
        paths
            .par_iter()
            .map(|p| {
                let parent = Path::new(p).parent().unwrap_or(Path::new(""));
                self.read_in(p, folders[parent].clone())
            })
            .collect()
    }

    fn describe(&self) -> String {
        "the work tree".into()
    }
}

/// The tree of one commit, indexed once: every path → (blob id, is symlink).
pub struct Revision<'a> {
    git: &'a Git,
    commit: git2::Oid,
    files: std::collections::BTreeMap<String, (git2::Oid, bool)>,
}

impl<'a> Revision<'a> {
    pub fn new(git: &'a Git, commit: git2::Oid) -> anyhow::Result<Self> {
        let files = git.list(commit, "")?.into_iter().map(|(path, id, link)| (path, (id, link))).collect();
        Ok(Revision { git, commit, files })
    }

    pub fn commit(&self) -> git2::Oid {
        self.commit
    }
}

impl Source for Revision<'_> {
    fn list(&self, dir: &str) -> Vec<String> {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.files
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .map(|(p, _)| p.clone())
            .collect()
    }

    fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let err = |e: anyhow::Error| ReadError::Io(e.to_string());
        let &(id, symlink) =
            self.files.get(path).ok_or_else(|| ReadError::Io("not in this revision".into()))?;
        let id = if symlink {
            // Follow one link that stays inside the tree, as the work tree does.
            let target = String::from_utf8_lossy(&self.git.blob(id).map_err(err)?).into_owned();
            let base = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            let resolved = resolve_inside(base, &target).ok_or_else(|| ReadError::Symlink(target.clone()))?;
            match self.files.get(&resolved) {
                Some(&(id, false)) => id,
                _ => return Err(ReadError::Symlink(target)),
            }
        } else {
            id
        };
        let size = self.git.blob_size(id).map_err(err)? as u64;
        if size > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(size));
        }
        self.git.blob(id).map_err(err)
    }

    fn describe(&self) -> String {
        format!("revision {}", &self.commit.to_string()[..10])
    }
}

/// Joins a relative link target to its folder, refusing absolute targets and any that climb out.
fn resolve_inside(base: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::resolve_inside;

    #[test]
    fn link_targets_stay_inside() {
        assert_eq!(
            resolve_inside("inventory/systems", "../shared/a.yaml").as_deref(),
            Some("inventory/shared/a.yaml")
        );
        assert_eq!(resolve_inside("inventory", "../../etc/passwd"), None);
        assert_eq!(resolve_inside("a", "/etc/passwd"), None);
    }
}
