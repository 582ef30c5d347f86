//! The verified-commit cache (SPEC §9): the walk's state after the last commit it judged, kept under
//! `.git/lifecycle/`, keyed by the tool's version, the baseline and that commit. A commit's verdict
//! depends only on its ancestry, so a later `verify` whose first-parent line passes through that
//! commit resumes there and judges only what is new. The parsed files are not kept: they are read
//! again from their blobs when needed. `verify --no-cache` ignores it.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use git2::Oid;
use serde::{Deserialize, Serialize};

use super::{Verified, Walk};
use crate::eval::approvals::CommitInfo;
use crate::eval::findings::{Finding, Severity};
use crate::git::Git;
use crate::sign::{Invalid, KeyId};

/// The walk's state at `head`, as stored.
#[derive(Serialize, Deserialize)]
pub struct Snapshot {
    version: String,
    baseline: String,
    pub head: String,
    checked: usize,
    index: Vec<(String, String)>,
    clock: Option<DateTime<FixedOffset>>,
    position: usize,
    approved_at_position: Vec<(String, usize)>,
    report_at_position: Vec<(String, usize, String)>,
    request_time: Vec<(String, usize, DateTime<FixedOffset>)>,
    report_commit: Vec<(String, String)>,
    verified: Vec<SavedSignature>,
    findings: Vec<SavedFinding>,
    /// Protected files whose newest state waits for approval (SPEC §4.8).
    #[serde(default)]
    pending: Vec<(String, super::pending::Pending)>,
}

#[derive(Serialize, Deserialize)]
struct SavedSignature {
    blob: String,
    /// The key and its owner, or why the signature failed: (kind, detail).
    signer: Result<(String, String), (String, String)>,
    commit: Option<(String, DateTime<FixedOffset>, bool)>,
}

#[derive(Serialize, Deserialize)]
struct SavedFinding {
    code: String,
    error: bool,
    commit: Option<String>,
    path: Option<String>,
    line: Option<u32>,
    change: Option<String>,
    message: String,
    #[serde(default)]
    words: Option<crate::diag::Text>,
}

/// What a stored state means, besides the tool's version: bumped when the same version would store
/// something else, so that an older cache is ignored, not misread. 2: every finding keeps its words
/// (`invalid-file` ones had none, and read in English from a cache where a full run read Chinese).
const FORMAT: u32 = 2;

/// The tool's version and the cache's format, as the file name and the stored state carry them.
fn version() -> String {
    format!("{}+{FORMAT}", env!("CARGO_PKG_VERSION"))
}

fn file(git: &Git, baseline: Oid) -> PathBuf {
    git.raw().path().join("lifecycle").join(format!("verify-{}-{baseline}.json", version()))
}

fn oid(text: &str) -> Option<Oid> {
    Oid::from_str(text).ok()
}

/// The cached state for `baseline`, if there is one written by this version of the tool in this format.
pub fn load(git: &Git, baseline: Oid) -> Option<Snapshot> {
    let bytes = std::fs::read(file(git, baseline)).ok()?;
    let snapshot: Snapshot = serde_json::from_slice(&bytes).ok()?;
    (snapshot.version == version() && snapshot.baseline == baseline.to_string()).then_some(snapshot)
}

/// Stores the state; a cache that cannot be written is only slower next time. Renamed into place
/// but not synced: a cache torn by a crash does not parse, and is then ignored.
pub fn save(git: &Git, snapshot: &Snapshot) {
    let Some(b) = oid(&snapshot.baseline) else { return };
    let path = file(git, b);
    let Some(dir) = path.parent() else { return };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".verify-").tempfile_in(dir)?;
        serde_json::to_writer(std::io::BufWriter::new(tmp.as_file_mut()), snapshot)?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}

fn invalid_parts(i: &Invalid) -> (String, String) {
    match i {
        Invalid::Malformed(m) => ("malformed".into(), m.clone()),
        Invalid::UntrustedKey(k) => ("untrusted".into(), k.clone()),
        Invalid::WrongNamespace(n) => ("namespace".into(), n.clone()),
        Invalid::Mismatch => ("mismatch".into(), String::new()),
        Invalid::Unavailable(m) => ("unavailable".into(), m.clone()),
    }
}

fn invalid_from(kind: &str, detail: String) -> Invalid {
    match kind {
        "malformed" => Invalid::Malformed(detail),
        "untrusted" => Invalid::UntrustedKey(detail),
        "namespace" => Invalid::WrongNamespace(detail),
        "unavailable" => Invalid::Unavailable(detail),
        _ => Invalid::Mismatch,
    }
}

/// A finding code as the `'static` string findings carry: the known ones from the table.
fn code(text: &str) -> &'static str {
    crate::eval::findings::CODES
        .iter()
        .map(|(c, _)| *c)
        .chain(["invalid-file", "signoff-altered"])
        .find(|c| *c == text)
        .unwrap_or_else(|| Box::leak(text.to_string().into_boxed_str()))
}

impl<'g> Walk<'g> {
    /// The state to store after judging `head` (before the final pass over execution reports, which
    /// depends on the clock).
    pub fn snapshot(&self, baseline: Oid, head: Oid) -> Snapshot {
        let hex = |o: &Oid| o.to_string();
        Snapshot {
            version: version(),
            baseline: baseline.to_string(),
            head: head.to_string(),
            checked: self.checked,
            index: self.index.iter().map(|(p, o)| (p.clone(), hex(o))).collect(),
            clock: self.clock,
            position: self.position,
            approved_at_position: self.approved_at_position.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            report_at_position: self
                .report_at_position
                .iter()
                .map(|(k, (p, c))| (k.clone(), *p, hex(c)))
                .collect(),
            request_time: self.request_time.iter().map(|(k, (p, t))| (k.clone(), *p, *t)).collect(),
            report_commit: self.report_commit.iter().map(|(k, v)| (k.clone(), hex(v))).collect(),
            verified: self
                .verified
                .iter()
                .map(|(blob, (signer, commit))| SavedSignature {
                    blob: hex(blob),
                    signer: signer.as_ref().map(|(k, o)| (k.0.clone(), o.clone())).map_err(invalid_parts),
                    commit: commit.as_ref().map(|c| (c.id.clone(), c.time, c.signed_by_signer)),
                })
                .collect(),
            findings: self
                .findings
                .iter()
                .map(|f| SavedFinding {
                    code: f.code.to_string(),
                    error: f.severity == Severity::Error,
                    commit: f.commit.clone(),
                    path: f.path.clone(),
                    line: f.line,
                    change: f.change.clone(),
                    message: f.message.clone(),
                    words: f.words.clone(),
                })
                .collect(),
            pending: self.pending.iter().map(|(p, w)| (p.clone(), w.clone())).collect(),
        }
    }

    /// A walk resumed from a stored state; its settings are those of the stored head.
    pub fn restore(git: &'g Git, s: Snapshot) -> anyhow::Result<Walk<'g>> {
        let head = oid(&s.head).ok_or_else(|| anyhow::anyhow!("bad cache"))?;
        // The settings in force: those of a waiting lifecycle.yaml's last approved state.
        let settings = match s.pending.iter().find(|(p, _)| p == "lifecycle.yaml") {
            Some((_, w)) => match w.effective.and_then(|b| git.blob(b).ok()) {
                Some(bytes) => crate::load::settings_from(&String::from_utf8_lossy(&bytes), &mut Vec::new()),
                None => crate::model::Settings::default(),
            },
            None => crate::review::settings_at(git, head)?,
        };
        let mut walk = Walk::empty(git, settings, false);
        walk.pending = s.pending.iter().cloned().collect();
        let pairs = |v: Vec<(String, String)>| -> HashMap<String, Oid> {
            v.into_iter().filter_map(|(k, o)| Some((k, oid(&o)?))).collect()
        };
        walk.index = pairs(s.index).into_iter().collect();
        walk.checked = s.checked;
        walk.clock = s.clock;
        walk.position = s.position;
        walk.approved_at_position = s.approved_at_position.into_iter().collect();
        walk.report_at_position =
            s.report_at_position.into_iter().filter_map(|(k, p, c)| Some((k, (p, oid(&c)?)))).collect();
        walk.request_time = s.request_time.into_iter().map(|(k, p, t)| (k, (p, t))).collect();
        walk.report_commit = pairs(s.report_commit);
        walk.verified = s
            .verified
            .into_iter()
            .filter_map(|v| {
                let signer = v.signer.map(|(k, o)| (KeyId(k), o)).map_err(|(k, d)| invalid_from(&k, d));
                let commit =
                    v.commit.map(|(id, time, signed_by_signer)| CommitInfo { id, time, signed_by_signer });
                let verified: Verified = (signer, commit);
                Some((oid(&v.blob)?, verified))
            })
            .collect();
        walk.findings = s
            .findings
            .into_iter()
            .map(|f| Finding {
                code: code(&f.code),
                severity: if f.error { Severity::Error } else { Severity::Warning },
                commit: f.commit,
                path: f.path,
                line: f.line,
                change: f.change,
                message: f.message,
                words: f.words,
            })
            .collect();
        Ok(walk)
    }
}
