//! Discovery run records (§8.1): the proof that a catalog, an advisory feed or a scan was read. Every
//! `catalog import|sync`, `advisories import|sync` and `observe import` that gets as far as writing
//! records one, even when nothing else changed. The text is rendered here; `write` hands it to
//! `store`, which never replaces a file.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::model::run::{RunInput, RunKind, RunSource, digest};
use crate::store::quoted;

/// Length of the file name's timestamp, `20240830T030000Z`.
const STAMP: usize = 16;

/// A run about to be recorded.
pub struct Record<'a> {
    pub kind: RunKind,
    /// The command, for the file's header comment (`catalog sync`).
    pub command: &'a str,
    pub source: &'a RunSource,
    /// When the run happened (the file name's timestamp).
    pub at: DateTime<Utc>,
    /// When what it read was fetched (older than `at` when a sync used cached answers).
    pub fetched_at: DateTime<Utc>,
    /// Counts in the order they are written.
    pub counts: &'a [(&'a str, usize)],
    pub inputs: &'a [RunInput],
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The record's text: fixed header and key order.
pub fn render(r: &Record) -> String {
    let mut out = format!(
        "# Discovery run recorded by `lifecycle {}` (§8.1); commit it with its results.\n",
        r.command
    );
    out.push_str(&format!("kind: {}\n", r.kind));
    let mut source = vec![format!("kind: {}", r.source.kind)];
    if let Some(url) = &r.source.url {
        source.push(format!("url: {}", quoted(url)));
    }
    if let Some(url) = &r.source.kev_url {
        source.push(format!("kev_url: {}", quoted(url)));
    }
    out.push_str(&format!("source: {{{}}}\n", source.join(", ")));
    out.push_str(&format!("fetched_at: {}\n", time(r.fetched_at)));
    let counts: Vec<String> = r.counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    out.push_str(&format!("counts: {{{}}}\n", counts.join(", ")));
    out.push_str(&format!("digest: {}\n", digest(r.inputs)));
    if r.inputs.is_empty() {
        out.push_str("inputs: []\n");
        return out;
    }
    out.push_str("inputs:\n");
    let key = if r.source.kind == "url" { "url" } else { "file" };
    for i in r.inputs {
        out.push_str(&format!("  - {{{key}: {}, sha256: {}}}\n", quoted(&i.name), i.sha256));
    }
    out
}

/// The `n`th candidate file name of a run at `at`: `<stamp>-<kind>.yaml`, then `<stamp>-2-<kind>.yaml`, …
pub fn file_name(at: DateTime<Utc>, kind: RunKind, n: u32) -> String {
    let stamp = at.format("%Y%m%dT%H%M%SZ");
    if n <= 1 { format!("{stamp}-{kind}.yaml") } else { format!("{stamp}-{n}-{kind}.yaml") }
}

/// The time and kind a run file's name says, when it is named as [`file_name`] names them.
pub fn parse_file_name(name: &str) -> Option<(DateTime<Utc>, RunKind)> {
    let base = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml"))?;
    let (head, kind) = base.rsplit_once('-')?;
    let kind = RunKind::parse(kind)?;
    let stamp = head.get(..STAMP)?;
    let rest = &head[STAMP..];
    if !rest.is_empty() {
        let n = rest.strip_prefix('-')?;
        if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let at = NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").ok()?;
    Some((at.and_utc(), kind))
}

/// Writes the record under `dir` (relative to `root`) with the first free name; returns its path
/// relative to the root. Two runs in the same second both survive.
pub fn write(root: &Path, dir: &str, r: &Record) -> Result<String> {
    let text = render(r);
    let file =
        crate::store::create_first_free(&root.join(dir), &|n| file_name(r.at, r.kind, n), text.as_bytes())?;
    Ok(format!("{dir}/{file}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn file_names_read_back() {
        let t = at("2024-08-30T03:00:00Z");
        for kind in RunKind::ALL {
            for n in [1, 2, 10] {
                assert_eq!(parse_file_name(&file_name(t, kind, n)), Some((t, kind)), "{kind} {n}");
            }
        }
        assert_eq!(file_name(t, RunKind::Catalog, 2), "20240830T030000Z-2-catalog.yaml");
        assert_eq!(parse_file_name("20240830T030000Z-observe.yml"), Some((t, RunKind::Observe)));
        for bad in [
            "20240830T030000Z-scan.yaml",
            "20240830T030000Z-catalog.json",
            "20240830T030000-catalog.yaml",
            "20241330T030000Z-catalog.yaml",
            "20240830T030000Z-01-catalog.yaml",
            "20240830T030000Z--catalog.yaml",
            "20240830T030000Zx-catalog.yaml",
            "20240830T030000Z-2a-catalog.yaml",
            "catalog.yaml",
            "é-catalog.yaml",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn records_render_in_a_fixed_shape() {
        let source = RunSource { kind: "url".into(), url: Some("https://osv.dev".into()), kev_url: None };
        let inputs = vec![RunInput { name: "https://osv.dev/v1/vulns/X".into(), sha256: "ab".into() }];
        let text = render(&Record {
            kind: RunKind::Advisories,
            command: "advisories sync",
            source: &source,
            at: at("2024-08-30T03:00:05Z"),
            fetched_at: at("2024-08-30T03:00:00Z"),
            counts: &[("read", 1), ("created", 0)],
            inputs: &inputs,
        });
        assert_eq!(
            text,
            format!(
                "# Discovery run recorded by `lifecycle advisories sync` (§8.1); commit it with its results.\nkind: advisories\nsource: {{kind: url, url: \"https://osv.dev\"}}\nfetched_at: 2024-08-30T03:00:00Z\ncounts: {{read: 1, created: 0}}\ndigest: {}\ninputs:\n  - {{url: \"https://osv.dev/v1/vulns/X\", sha256: ab}}\n",
                digest(&inputs)
            )
        );
    }
}
