//! The one place that touches libgit2: finding the repository, reading trees at a revision.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};

/// A git repository, opened once per command.
pub struct Git {
    repo: git2::Repository,
}

impl Git {
    /// Finds the repository containing `dir` (walking up), if there is one.
    pub fn discover(dir: &Path) -> Option<Git> {
        git2::Repository::discover(dir).ok().map(|repo| Git { repo })
    }

    pub fn open(dir: &Path) -> Result<Git> {
        let repo = git2::Repository::open(dir)
            .with_context(|| format!("cannot open git repository {}", dir.display()))?;
        Ok(Git { repo })
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
            .map_err(|e| anyhow!("unknown revision `{rev}`: {}", e.message()))?;
        let commit =
            object.peel_to_commit().map_err(|_| anyhow!("revision `{rev}` does not name a commit"))?;
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

    pub fn blob_size(&self, id: git2::Oid) -> Result<usize> {
        let (size, _) = self.repo.odb()?.read_header(id)?;
        Ok(size)
    }

    pub fn blob(&self, id: git2::Oid) -> Result<Vec<u8>> {
        Ok(self.repo.find_blob(id)?.content().to_vec())
    }
}
