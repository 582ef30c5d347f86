//! Where repository files come from: the work tree, or a git revision read without checking it out.

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
            ReadError::Symlink(to) => write!(
                f,
                "symbolic link to `{to}` outside the repository is not followed"
            ),
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
    /// Human description for messages: "the work tree", "revision 1a2b3c4".
    fn describe(&self) -> String;
}

/// The checked-out files.
pub struct WorkTree {
    root: PathBuf,
    canonical_root: PathBuf,
}

impl WorkTree {
    pub fn new(root: &Path) -> WorkTree {
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        WorkTree {
            root: root.to_path_buf(),
            canonical_root,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn walk(&self, dir: &Path, rel: &str, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                self.walk(&entry.path(), &rel, out);
            } else {
                // Symlinks are listed so that reading them can refuse them with a clear message.
                out.push(rel);
            }
        }
    }
}

impl Source for WorkTree {
    fn list(&self, dir: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.walk(&self.root.join(dir), dir, &mut out);
        out.sort();
        out
    }

    fn exists(&self, path: &str) -> bool {
        self.root.join(path).is_file()
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let full = self.root.join(path);
        let meta = std::fs::symlink_metadata(&full).map_err(|e| ReadError::Io(e.to_string()))?;
        if meta.file_type().is_symlink() {
            let target = full
                .canonicalize()
                .map_err(|e| ReadError::Io(e.to_string()))?;
            if !target.starts_with(&self.canonical_root) {
                return Err(ReadError::Symlink(target.display().to_string()));
            }
        }
        let len = std::fs::metadata(&full)
            .map_err(|e| ReadError::Io(e.to_string()))?
            .len();
        if len > MAX_FILE_BYTES {
            return Err(ReadError::TooLarge(len));
        }
        std::fs::read(&full).map_err(|e| ReadError::Io(e.to_string()))
    }

    fn describe(&self) -> String {
        "the work tree".into()
    }
}

/// The tree of one commit.
pub struct Revision<'a> {
    git: &'a Git,
    commit: git2::Oid,
}

impl<'a> Revision<'a> {
    pub fn new(git: &'a Git, commit: git2::Oid) -> Self {
        Revision { git, commit }
    }

    pub fn commit(&self) -> git2::Oid {
        self.commit
    }
}

impl Source for Revision<'_> {
    fn list(&self, dir: &str) -> Vec<String> {
        self.git
            .list(self.commit, dir)
            .map(|v| v.into_iter().map(|(p, _, _)| p).collect())
            .unwrap_or_default()
    }

    fn exists(&self, path: &str) -> bool {
        matches!(self.git.blob_at(self.commit, path), Ok(Some(_)))
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, ReadError> {
        let err = |e: anyhow::Error| ReadError::Io(e.to_string());
        let (id, symlink) = self
            .git
            .blob_at(self.commit, path)
            .map_err(err)?
            .ok_or_else(|| ReadError::Io("not in this revision".into()))?;
        if symlink {
            let target = String::from_utf8_lossy(&self.git.blob(id).map_err(err)?).into_owned();
            return Err(ReadError::Symlink(target));
        }
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
