//! Discovery run records (§8.1) → [`Run`]: the file name gives the time and kind, the file the rest;
//! every problem is located (file, line, column) with a hint.

use chrono_tz::Tz;

use super::raw;
use super::yaml::origin;
use crate::diag::{Diagnostic, Origin, Text};
use crate::discovery::runs::parse_file_name;
use crate::model::run::{Run, RunInput, RunKind, RunSource, digest};
use crate::model::time::parse_timestamp;

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A problem with the record's file name or its `kind:`, which must agree.
fn name_problem(
    path: &str,
    name: &str,
    named: Option<RunKind>,
    kind: &raw::S,
    at_kind: &Origin,
) -> Option<Diagnostic> {
    // The English message and hint, and both as words for other languages.
    let problem = |at: Origin, message: String, hint: &str, words: (Text, Text)| {
        Some(Diagnostic::error("bad-value", at, message).hint(hint).in_words(words.0).hint_words(words.1))
    };
    match (named, RunKind::parse(&kind.value)) {
        (None, _) => problem(
            Origin::file(path),
            format!("`{name}` is not the name of a run record"),
            "run records are named <UTC timestamp>-<kind>.yaml, e.g. 20240830T030000Z-catalog.yaml, and are written only by the import and sync commands",
            (Text::new("run.bad_name", &[("name", &name)]), Text::new("run.bad_name_hint", &[])),
        ),
        (_, None) => problem(
            at_kind.clone(),
            format!("`{}` is not a kind of run", kind.value),
            "write one of: catalog, advisories, observe",
            (Text::new("run.bad_kind", &[("value", &kind.value)]), Text::new("run.bad_kind_hint", &[])),
        ),
        (Some(k), Some(kind)) if k != kind => problem(
            at_kind.clone(),
            format!("the file says `{kind}`, its name `{k}`"),
            "a run record's name ends with its kind; restore the file from history",
            (
                Text::new("run.kind_mismatch", &[("kind", &kind), ("named", &k)]),
                Text::new("run.kind_mismatch_hint", &[]),
            ),
        ),
        _ => None,
    }
}

/// The run, or `None` after pushing a diagnostic for each problem.
pub(super) fn convert(path: &str, r: raw::Run, tz: Tz, diags: &mut Vec<Diagnostic>) -> Option<Run> {
    let at_kind = origin(path, &r.kind.referenced);
    let name = path.rsplit('/').next().unwrap_or(path);
    let named = parse_file_name(name);
    let mut problems: Vec<Diagnostic> =
        name_problem(path, name, named.map(|n| n.1), &r.kind, &at_kind).into_iter().collect();
    // The English message and hint, and both as words for other languages.
    let mut error = |code, at: Origin, message: String, hint: &str, words: (Text, Text)| {
        problems.push(Diagnostic::error(code, at, message).hint(hint).in_words(words.0).hint_words(words.1));
    };
    let fetched_at = parse_timestamp(&r.fetched_at.value, tz)
        .map_err(|m| {
            error(
                "bad-timestamp",
                origin(path, &r.fetched_at.referenced),
                m,
                "write fetched_at as RFC 3339, e.g. 2024-08-30T03:00:00Z",
                (
                    Text::new("diag.bad_timestamp", &[("value", &r.fetched_at.value)]),
                    Text::new("run.fetched_at_hint", &[]),
                ),
            )
        })
        .ok();
    let mut inputs = Vec::new();
    let mut inputs_ok = true;
    for input in &r.inputs {
        let i = &input.value;
        let name = match (&i.file, &i.url) {
            (Some(n), None) | (None, Some(n)) => n.clone(),
            _ => {
                error(
                    "bad-value",
                    origin(path, &input.referenced),
                    "an input names either a `file` or a `url`".into(),
                    "write {file: NAME, sha256: HEX} or {url: URL, sha256: HEX}",
                    (Text::new("run.input_shape", &[]), Text::new("run.input_shape_hint", &[])),
                );
                inputs_ok = false;
                continue;
            }
        };
        if !is_hex64(&i.sha256.value) {
            inputs_ok = false;
            error(
                "bad-value",
                origin(path, &i.sha256.referenced),
                format!("`{}` is not a SHA-256 (64 lower-case hex digits)", i.sha256.value),
                "restore the file from history; run records are written by the tool",
                (Text::new("run.bad_sha", &[("value", &i.sha256.value)]), Text::new("run.restore_hint", &[])),
            );
        }
        inputs.push(RunInput { name, sha256: i.sha256.value.clone() });
    }
    let at_digest = origin(path, &r.digest.referenced);
    let shaped = r.digest.value.strip_prefix("sha256:").is_some_and(is_hex64);
    if !shaped {
        error(
            "bad-value",
            at_digest.clone(),
            format!("`{}` is not a digest", r.digest.value),
            "a digest is `sha256:` and 64 lower-case hex digits",
            (
                Text::new("run.bad_digest", &[("value", &r.digest.value)]),
                Text::new("run.bad_digest_hint", &[]),
            ),
        );
    } else if !inputs.is_empty() && inputs_ok && r.digest.value != digest(&inputs) {
        error(
            "bad-value",
            at_digest,
            "the digest does not match the inputs' sha256 lines".into(),
            "the record was edited after it was written; restore it from history",
            (Text::new("run.digest_mismatch", &[]), Text::new("run.digest_mismatch_hint", &[])),
        );
    }
    if !problems.is_empty() {
        diags.append(&mut problems);
        return None;
    }
    let (at, kind) = named?;
    Some(Run {
        path: path.to_string(),
        at: at.fixed_offset(),
        kind,
        source: RunSource { kind: r.source.kind, url: r.source.url, kev_url: r.source.kev_url },
        fetched_at: fetched_at?,
        counts: r.counts,
        digest: r.digest.value,
        inputs,
        origin: at_kind,
    })
}

#[cfg(test)]
mod tests {
    use crate::load::load_blobs;
    use crate::model::Settings;

    const GOOD: &str = "kind: catalog\nsource: {kind: files}\nfetched_at: 2024-08-30T03:00:00Z\ncounts: {products: 1}\ndigest: sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\ninputs: []\n";

    fn load(name: &str, text: &str) -> crate::load::Loaded {
        load_blobs(
            Settings::default(),
            vec![(format!("inventory/discovery/{name}"), text.as_bytes().to_vec())],
        )
    }

    fn problems(name: &str, text: &str) -> Vec<(&'static str, u32, u32)> {
        let l = load(name, text);
        l.diagnostics
            .iter()
            .filter(|d| d.code != "no-policy")
            .map(|d| (d.code, d.origin.line, d.origin.col))
            .collect()
    }

    #[test]
    fn a_good_record_loads() {
        let l = load("20240830T030000Z-2-catalog.yaml", GOOD);
        assert!(l.diagnostics.iter().all(|d| d.code == "no-policy"), "{:?}", l.diagnostics);
        let r = &l.repo.runs[0];
        assert_eq!((r.kind.as_str(), r.at.to_rfc3339().as_str()), ("catalog", "2024-08-30T03:00:00+00:00"));
        assert_eq!(r.counts["products"], 1);
        assert_eq!(r.path, "inventory/discovery/20240830T030000Z-2-catalog.yaml");
    }

    #[test]
    fn problems_are_located() {
        let name = "20240830T030000Z-catalog.yaml";
        assert_eq!(problems("x.yaml", GOOD), [("bad-value", 0, 0)]);
        assert_eq!(problems(name, &GOOD.replace("kind: catalog", "kind: scan")), [("bad-value", 1, 7)]);
        assert_eq!(problems(name, &GOOD.replace("kind: catalog", "kind: observe")), [("bad-value", 1, 7)]);
        assert_eq!(problems(name, &GOOD.replace("T03:00:00Z\n", "T25:00:00Z\n")), [("bad-timestamp", 3, 13)]);
        assert_eq!(problems(name, &GOOD.replace("sha256:e3", "sha1:e3")), [("bad-value", 5, 9)]);
        assert_eq!(problems(name, &GOOD.replace("products: 1", "products: -1")).len(), 1);
        assert_eq!(problems(name, &GOOD.replace("counts:", "count:"))[0].0, "unknown-key");
        let input = "inputs:\n  - {file: a.json, sha256: 0000000000000000000000000000000000000000000000000000000000000000}\n";
        let edited = GOOD.replace("inputs: []\n", input);
        assert_eq!(problems(name, &edited), [("bad-value", 5, 9)], "the digest no longer matches");
        let short = GOOD.replace("inputs: []\n", "inputs:\n  - {file: a.json, sha256: 00}\n");
        assert_eq!(problems(name, &short), [("bad-value", 7, 28)]);
        let both = GOOD.replace("inputs: []\n", "inputs:\n  - {file: a, url: b, sha256: 00}\n");
        assert_eq!(problems(name, &both), [("bad-value", 7, 5)]);
    }
}
