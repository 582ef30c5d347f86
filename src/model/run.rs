//! Discovery run records (§8.1): when a catalog, an advisory feed or a scan was read, from where, and
//! what it held. Written by the import and sync commands, read by the loader, judged by
//! `eval::discovery`.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use crate::diag::Origin;

/// What a run read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RunKind {
    /// `catalog import` / `catalog sync`: endoflife.date data.
    Catalog,
    /// `advisories import` / `advisories sync`: OSV records and the CISA KEV catalog.
    Advisories,
    /// `observe import`: scanners' SBOMs and package lists.
    Observe,
}

impl RunKind {
    pub const ALL: [RunKind; 3] = [RunKind::Catalog, RunKind::Advisories, RunKind::Observe];

    /// The word in the file (`kind:`) and at the end of its name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Catalog => "catalog",
            RunKind::Advisories => "advisories",
            RunKind::Observe => "observe",
        }
    }

    pub fn parse(text: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl std::fmt::Display for RunKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a run read from: `files` (an import; the inputs name them) or `url` (a sync).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunSource {
    pub kind: String,
    /// The service's base address (`catalog sync --url`, `advisories sync --url`).
    pub url: Option<String>,
    /// The CISA KEV catalog's address (`advisories sync --kev-url`).
    pub kev_url: Option<String>,
}

/// One input of a run: a file (as named on the command line) or a URL, with the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunInput {
    pub name: String,
    /// Lower-case hex, without a prefix.
    pub sha256: String,
}

/// One run record, `inventory/discovery/<UTC timestamp>[-N]-<kind>.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The file, relative to the repository root.
    pub path: String,
    /// When the run happened: the timestamp of the file name (UTC, whole seconds).
    pub at: DateTime<FixedOffset>,
    pub kind: RunKind,
    pub source: RunSource,
    /// When what the run read was fetched: `at` for imports of files; for a sync answered from the
    /// cache, the time of the oldest cached answer used.
    pub fetched_at: DateTime<FixedOffset>,
    /// Named counts, as the command wrote them (`products`, `cycles`, `created`, …).
    pub counts: BTreeMap<String, u64>,
    /// `sha256:<hex>` of the lines `<sha256>  <name>\n` of every input, in the order read.
    pub digest: String,
    pub inputs: Vec<RunInput>,
    pub origin: Origin,
}

impl Run {
    /// Where the run read from, in one line: the URL(s) of a sync, else the inputs' names.
    pub fn source_text(&self) -> String {
        let urls: Vec<&str> =
            self.source.url.iter().chain(&self.source.kev_url).map(String::as_str).collect();
        if !urls.is_empty() {
            return urls.join(", ");
        }
        let names: Vec<&str> = self.inputs.iter().map(|i| i.name.as_str()).collect();
        if names.is_empty() { self.source.kind.clone() } else { names.join(", ") }
    }
}

/// The digest of a run: SHA-256 of `<sha256>  <name>\n` for every input in order (the lines
/// `sha256sum` prints, so anyone holding the inputs can recompute it).
pub fn digest(inputs: &[RunInput]) -> String {
    let mut manifest = String::new();
    for i in inputs {
        manifest.push_str(&format!("{}  {}\n", i.sha256, i.name));
    }
    super::statement::digest(manifest.as_bytes())
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_of_the_sha256sum_lines() {
        let inputs = vec![RunInput { name: "a.json".into(), sha256: sha256(b"a") }];
        let manifest = format!("{}  a.json\n", sha256(b"a"));
        assert_eq!(digest(&inputs), format!("sha256:{}", sha256(manifest.as_bytes())));
        assert_eq!(digest(&[]), format!("sha256:{}", sha256(b"")));
    }

    /// A sync names its service (and the KEV feed); an import its files; a record without inputs its kind.
    #[test]
    fn source_text_says_where_a_run_read_from() {
        let mut run = Run {
            path: "inventory/discovery/20240901T100000Z-advisories.yaml".into(),
            at: chrono::DateTime::parse_from_rfc3339("2024-09-01T10:00:00Z").unwrap(),
            kind: RunKind::Advisories,
            source: RunSource {
                kind: "url".into(),
                url: Some("https://api.osv.dev".into()),
                kev_url: Some("https://k".into()),
            },
            fetched_at: chrono::DateTime::parse_from_rfc3339("2024-09-01T10:00:00Z").unwrap(),
            counts: BTreeMap::new(),
            digest: digest(&[]),
            inputs: vec![RunInput { name: "https://api.osv.dev/v1/querybatch".into(), sha256: sha256(b"") }],
            origin: Origin::file("x"),
        };
        assert_eq!(run.source_text(), "https://api.osv.dev, https://k");
        run.source = RunSource { kind: "files".into(), ..Default::default() };
        run.inputs.push(RunInput { name: "kev.json".into(), sha256: sha256(b"") });
        assert_eq!(run.source_text(), "https://api.osv.dev/v1/querybatch, kev.json");
        run.inputs.clear();
        assert_eq!(run.source_text(), "files");
    }

    #[test]
    fn kinds_read_back() {
        for k in RunKind::ALL {
            assert_eq!(RunKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RunKind::parse("Catalog"), None);
    }
}
