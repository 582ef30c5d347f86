//! Files → model. Reads every file kind of §3 from a [`Source`], parses them in parallel, converts them
//! into [`crate::model`] types and checks them, collecting every problem instead of stopping at the first.

mod convert;
mod observed;
pub mod raw;
mod repair;
mod run;
pub mod schema;
pub mod source;
pub mod yaml;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Origin};
use crate::model::{Repository, Settings};
pub use source::{Revision, Source, WorkTree};

/// Whether `id` is a valid change id (also a safe folder name: no `/`, no `..`).
pub fn valid_change_id(id: &str) -> bool {
    convert::valid_id(id, true)
}

/// Whether `id` is a valid product id (lower-case; also a safe file name).
pub fn valid_product_id(id: &str) -> bool {
    convert::valid_id(id, false)
}

/// The outcome of loading: the model, every diagnostic, and the texts they point into.
pub struct Loaded {
    pub repo: Repository,
    pub diagnostics: Vec<Diagnostic>,
    pub texts: HashMap<String, String>,
    /// How many files were found (read or refused).
    pub files: usize,
    /// Where the files came from ("the work tree", "revision …").
    pub from: String,
    /// Files that could not be read or parsed at all, with the first problem of each.
    pub unparsed: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn text(&self, path: &str) -> Option<String> {
        self.texts.get(path).cloned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    System,
    Product,
    Policy,
    People,
    Request,
    Report,
    SignOff,
    Advisory,
    Observation,
    Run,
}

fn is_yaml(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml")
}

/// Loads a whole repository state.
pub fn load(source: &dyn Source) -> Loaded {
    let mut diagnostics = Vec::new();
    let mut texts = HashMap::new();

    let mut settings = read_settings(source, &mut diagnostics, &mut texts);
    settings.paths.advisories = advisories_dir(source, &settings);

    let files = discover(source, &settings);
    for (path, why) in source.refused_folders() {
        let mut d = *read_error(&path, why);
        d.hint = Some("copy the folder into the repository instead of linking to it".into());
        diagnostics.push(d);
    }
    let discovered = files.len() + usize::from(source.exists("lifecycle.yaml"));
    let paths: Vec<String> = files.iter().map(|(_, p)| p.clone()).collect();
    let blobs: Vec<(Kind, String, Result<Vec<u8>, source::ReadError>)> =
        files.into_iter().zip(source.read_all(&paths)).map(|((k, p), b)| (k, p, b)).collect();
    let mut loaded = build(settings, blobs, diagnostics, texts);
    loaded.files = discovered;
    loaded.from = source.describe();
    loaded
}

/// The advisories folder: the configured one (default `advisories`), or `inventory/advisories` when
/// the default is absent and that one holds files (repositories whose top level is fixed keep
/// advisories beside the inventory; see docs/decisions.md).
pub fn advisories_dir(source: &dyn Source, settings: &Settings) -> String {
    let configured = &settings.paths.advisories;
    if configured == "advisories"
        && source.list("advisories").is_empty()
        && !source.list("inventory/advisories").is_empty()
    {
        return "inventory/advisories".to_string();
    }
    configured.clone()
}

/// Reads `lifecycle.yaml` (or the defaults when there is none).
pub fn read_settings(
    source: &dyn Source,
    diagnostics: &mut Vec<Diagnostic>,
    texts: &mut HashMap<String, String>,
) -> Settings {
    if !source.exists("lifecycle.yaml") {
        return Settings::default();
    }
    match read_text(source, "lifecycle.yaml") {
        Ok(text) => {
            let settings = match yaml::parse::<raw::Settings>("lifecycle.yaml", &text) {
                Ok(raw) => convert::settings(raw, diagnostics),
                Err(d) => {
                    diagnostics.push(*d);
                    Settings::default()
                }
            };
            texts.insert("lifecycle.yaml".to_string(), text);
            settings
        }
        Err(d) => {
            diagnostics.push(*d);
            Settings::default()
        }
    }
}

/// Settings from the text of a `lifecycle.yaml` (defaults for what it does not set).
pub fn settings_from(text: &str, diagnostics: &mut Vec<Diagnostic>) -> Settings {
    match yaml::parse::<raw::Settings>("lifecycle.yaml", text) {
        Ok(raw) => convert::settings(raw, diagnostics),
        Err(d) => {
            diagnostics.push(*d);
            Settings::default()
        }
    }
}

/// Loads an explicit set of files (path, bytes), e.g. blobs of one commit that `verify` needs.
/// Paths the loader does not read are ignored.
pub fn load_blobs(settings: Settings, files: Vec<(String, Vec<u8>)>) -> Loaded {
    let blobs: Vec<_> =
        files.into_iter().filter_map(|(p, b)| classify(&settings, &p).map(|k| (k, p, Ok(b)))).collect();
    let count = blobs.len();
    let mut loaded = build(settings, blobs, Vec::new(), HashMap::new());
    loaded.files = count;
    loaded
}

fn build(
    settings: Settings,
    blobs: Vec<(Kind, String, Result<Vec<u8>, source::ReadError>)>,
    mut diagnostics: Vec<Diagnostic>,
    mut texts: HashMap<String, String>,
) -> Loaded {
    let policy_files_exist = blobs.iter().any(|(k, _, _)| *k == Kind::Policy);
    let mut read = Vec::with_capacity(blobs.len());
    let mut digests = HashMap::new();
    let mut unparsed = Vec::new();
    for (kind, path, bytes) in blobs {
        if let (Kind::Request | Kind::Report, Ok(b)) = (kind, &bytes) {
            // Sign-offs name the subject by the digest of its exact bytes.
            digests.insert(path.clone(), crate::model::statement::digest(b));
        }
        match bytes.map_err(|e| read_error(&path, e)).and_then(|b| text_from_bytes(&path, b)) {
            Ok(text) => read.push((kind, path, text)),
            Err(d) => {
                unparsed.push((*d).clone());
                diagnostics.push(*d);
            }
        }
    }

    let tz = settings.timezone;
    let parse_one = |(kind, path, text): (Kind, String, String)| {
        let parsed = parse(kind, &path, &text);
        (path, text, parsed)
    };
    // Small sets are parsed in place: spinning up the thread pool costs more than it saves.
    let parsed: Vec<(String, String, ParsedFile)> = if read.len() > 16 {
        read.into_par_iter().map(parse_one).collect()
    } else {
        read.into_iter().map(parse_one).collect()
    };

    let mut builder = convert::Builder::new(settings, tz);
    builder.policy_files_exist = policy_files_exist;
    builder.digests = digests;
    for (path, text, parsed) in parsed {
        match (parsed.value, parsed.diagnostics.is_empty()) {
            (Some(p), true) => builder.add(&path, p),
            // A file with errors never enters the model; its repaired value is checked apart, for
            // the problems of its own values (dates, ids…) that the errors would otherwise hide.
            (Some(p), false) => {
                let mut apart = convert::Builder::new(builder.settings().clone(), tz);
                apart.add(&path, p);
                diagnostics.extend(apart.into_diagnostics().into_iter().filter(|d| d.origin.path == path));
            }
            (None, _) => {}
        }
        if let Some(first) = parsed.diagnostics.iter().find(|d| d.is_error()) {
            unparsed.push(first.clone());
        }
        diagnostics.extend(parsed.diagnostics);
        texts.insert(path, text);
    }
    let (repo, mut more) = builder.finish();
    diagnostics.append(&mut more);
    diagnostics.sort_by(|a, b| (&a.origin, a.code).cmp(&(&b.origin, b.code)));
    Loaded { repo, diagnostics, texts, files: 0, from: String::new(), unparsed }
}

/// The kind of repository file at `path`, if the loader reads it.
fn classify(settings: &Settings, path: &str) -> Option<Kind> {
    let p = &settings.paths;
    let under = |dir: &str| path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')).is_some();
    if !is_yaml(path) {
        return None;
    }
    if path == p.people {
        return Some(Kind::People);
    }
    if under(&p.systems) {
        return Some(Kind::System);
    }
    if under(&p.products) {
        return Some(Kind::Product);
    }
    if under(&p.policies) {
        return Some(Kind::Policy);
    }
    if under(&p.advisories) {
        return Some(Kind::Advisory);
    }
    if under(&p.observed) {
        return Some(Kind::Observation);
    }
    if under(&p.discovery) {
        return Some(Kind::Run);
    }
    let rest = path.strip_prefix(&p.changes)?.strip_prefix('/')?;
    match rest.split_once('/')? {
        (_, "request.yaml") => Some(Kind::Request),
        (_, "report.yaml") => Some(Kind::Report),
        (_, file) if file.starts_with("approvals/") && !file["approvals/".len()..].contains('/') => {
            Some(Kind::SignOff)
        }
        _ => None,
    }
}

fn discover(source: &dyn Source, settings: &Settings) -> Vec<(Kind, String)> {
    let p = &settings.paths;
    let mut files: Vec<(Kind, String)> = Vec::new();
    let mut dirs =
        vec![&p.systems, &p.products, &p.policies, &p.changes, &p.advisories, &p.observed, &p.discovery];
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        files.extend(source.list(dir).into_iter().filter_map(|f| classify(settings, &f).map(|k| (k, f))));
    }
    // The people file may lie outside policies/.
    if source.exists(&p.people) && !files.iter().any(|(_, f)| *f == p.people) {
        files.push((Kind::People, p.people.clone()));
    }
    files.sort_by(|a, b| a.1.cmp(&b.1));
    files.dedup_by(|a, b| a.1 == b.1);
    files
}

/// Reads a file as UTF-8 text, refusing oversized files, outside symlinks and invalid encodings.
pub fn read_text(source: &dyn Source, path: &str) -> Result<String, Box<Diagnostic>> {
    let bytes = source.read(path).map_err(|e| read_error(path, e))?;
    text_from_bytes(path, bytes)
}

fn read_error(path: &str, e: source::ReadError) -> Box<Diagnostic> {
    use crate::diag::Text;
    let (code, words, hint) = match &e {
        source::ReadError::TooLarge(n) => (
            "file-too-large",
            Text::new(
                "load.too_large",
                &[
                    ("mib", &format!("{:.1}", *n as f64 / 1048576.0)),
                    ("max", &(source::MAX_FILE_BYTES >> 20)),
                ],
            ),
            Text::new("load.too_large_hint", &[]),
        ),
        source::ReadError::Symlink(to) => (
            "symlink-outside",
            Text::new("load.symlink_outside", &[("to", to)]),
            Text::new("load.symlink_outside_hint", &[]),
        ),
        // The system's words stay in the English message; other languages say what failed.
        source::ReadError::Io(_) => {
            ("unreadable", Text::new("load.unreadable", &[]), Text::new("load.unreadable_hint", &[]))
        }
    };
    Box::new(Diagnostic::error(code, Origin::file(path), e.to_string()).in_words(words).hint_text(hint))
}

pub fn text_from_bytes(path: &str, bytes: Vec<u8>) -> Result<String, Box<Diagnostic>> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let (line, col) = end_of(&String::from_utf8_lossy(valid));
        Box::new(
            Diagnostic::error("not-utf8", Origin::new(path, line, col, 1), "the file is not valid UTF-8")
                .hint("save the file as UTF-8 (GBK/GB18030 files must be converted, e.g. `iconv -f GB18030 -t UTF-8`)")
                .in_words(crate::diag::Text::new("load.not_utf8", &[]))
                .hint_words(crate::diag::Text::new("load.not_utf8_hint", &[])),
        )
    })?;
    Ok(lone_cr_to_lf(text))
}

/// YAML breaks lines at LF, CR LF and a lone CR (old Mac files, or hostile ones); `str::lines`, which
/// cuts snippets, only at the first two. A lone CR becomes an LF — the same YAML — so the line a
/// diagnostic names is the line its snippet shows. (Digests are taken from the bytes, before this.)
fn lone_cr_to_lf(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(if c == '\r' && chars.peek() != Some(&'\n') { '\n' } else { c });
    }
    out
}

/// The 1-based line and column just after `before`, counting line breaks as YAML does.
fn end_of(before: &str) -> (u32, u32) {
    let before = lone_cr_to_lf(before.to_string());
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
    (line, col)
}

/// A file parsed: the value, and every structural problem. With problems, the value (if any) comes
/// from the repaired text ([`repair`]) and serves only to find more problems in the same file.
struct ParsedFile {
    value: Option<convert::Parsed>,
    diagnostics: Vec<Diagnostic>,
}

/// A sign-off file's statement and signature as the loader reads them, or `None` where it does not
/// parse cleanly (for checking signatures ahead of the ledger's walk, which reads it again in full).
pub fn signoff_file(path: &str, bytes: Vec<u8>) -> Option<crate::model::statement::SignOffFile> {
    let text = text_from_bytes(path, bytes).ok()?;
    match parse(Kind::SignOff, path, &text) {
        ParsedFile { value: Some(convert::Parsed::SignOff(f)), diagnostics } if diagnostics.is_empty() => {
            Some(*f)
        }
        _ => None,
    }
}

fn parse(kind: Kind, path: &str, text: &str) -> ParsedFile {
    if text.contains('\0') {
        let (line, col) = end_of(&text[..text.find('\0').unwrap_or(0)]);
        let d =
            Diagnostic::error("not-text", Origin::new(path, line, col, 1), "the file contains a NUL byte")
                .hint("inventory files are text; this looks like a binary file")
                .in_words(crate::diag::Text::new("load.not_text", &[]))
                .hint_words(crate::diag::Text::new("load.not_text_hint", &[]));
        return ParsedFile { value: None, diagnostics: vec![d] };
    }
    fn all<T: serde::de::DeserializeOwned>(
        path: &str,
        text: &str,
        wrap: impl FnOnce(T) -> convert::Parsed,
    ) -> ParsedFile {
        let all = repair::parse_all::<T>(path, text);
        ParsedFile { value: all.value.map(wrap), diagnostics: all.diagnostics }
    }
    use convert::Parsed;
    match kind {
        // One system per file, or a file holding `systems: [...]`.
        Kind::System if text.lines().any(|l| l.starts_with("systems:")) => {
            all(path, text, |f: raw::SystemsFile| Parsed::Systems(f.systems))
        }
        Kind::System => all(path, text, |one| Parsed::Systems(vec![one])),
        Kind::Product => all(path, text, |p| Parsed::Product(Box::new(p))),
        Kind::Policy => all(path, text, |p| Parsed::Policy(Box::new(p))),
        Kind::People => all(path, text, Parsed::People),
        Kind::Request => all(path, text, |r| Parsed::Request(Box::new(r))),
        Kind::Report => all(path, text, |r| Parsed::Report(Box::new(r))),
        Kind::SignOff => all(path, text, |f| Parsed::SignOff(Box::new(f))),
        Kind::Advisory => all(path, text, |a| Parsed::Advisory(Box::new(a))),
        Kind::Observation => match observed::fast(path, text) {
            Some(o) => ParsedFile { value: Some(Parsed::Observed(Box::new(o))), diagnostics: Vec::new() },
            None => all(path, text, |o| Parsed::Observation(Box::new(o))),
        },
        Kind::Run => all(path, text, |r| Parsed::Run(Box::new(r))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every diagnostic of `path` names a line that exists, and its snippet shows `shown`.
    fn located(path: &str, bytes: &[u8], shown: &str) {
        let loaded = load_blobs(Settings::default(), vec![(path.to_string(), bytes.to_vec())]);
        let text = loaded.text(path).expect("the text is kept");
        let mine: Vec<_> = loaded.diagnostics.iter().filter(|d| d.origin.path == path).collect();
        assert!(!mine.is_empty(), "no diagnostic for {path}");
        for d in mine {
            assert!(d.origin.line as usize <= text.lines().count(), "{d:?} is past the end");
            let out = crate::diag::render(d, &|p| loaded.text(p), false, crate::i18n::Lang::En);
            assert!(out.contains(shown), "the snippet does not show {shown:?}:\n{out}");
        }
    }

    /// Found by fuzzing (`load_policy`, tests/fuzz/load_policy-lone-cr.yaml): YAML breaks lines at a
    /// lone CR, `str::lines` does not, so the error was reported at line 88 of a 15-line file with no
    /// snippet. Lone CRs now read as LFs.
    #[test]
    fn lone_carriage_returns_break_lines_as_yaml_does() {
        located(
            "inventory/systems/mac.yaml",
            b"id: mac\rowner: x\rcriticality: low\rverson: 1\r",
            "verson: 1",
        );
        located(
            "inventory/systems/mixed.yaml",
            b"id: mix\r\nowner: x\r\rcriticality: hgh\n",
            "criticality: hgh",
        );
        let crash = include_bytes!("../../tests/fuzz/load_policy-lone-cr.yaml");
        let loaded = load_blobs(Settings::default(), vec![("policies/p.yaml".to_string(), crash.to_vec())]);
        let text = loaded.text("policies/p.yaml").unwrap();
        for d in &loaded.diagnostics {
            assert!(d.origin.line as usize <= text.lines().count() + 1, "{d:?}");
        }
    }

    /// NUL and invalid UTF-8 are located counting lone CRs as line breaks too.
    #[test]
    fn binary_bytes_are_located_after_lone_carriage_returns() {
        let loaded =
            load_blobs(Settings::default(), vec![("policies/a.yaml".into(), b"a: 1\rb: \xff\n".to_vec())]);
        assert_eq!((loaded.diagnostics[0].origin.line, loaded.diagnostics[0].origin.col), (2, 4));
        let loaded =
            load_blobs(Settings::default(), vec![("policies/a.yaml".into(), b"a: 1\r\nb:\r \0".to_vec())]);
        assert_eq!((loaded.diagnostics[0].origin.line, loaded.diagnostics[0].origin.col), (3, 2));
    }

    /// A sign-off's subject digest is of the file's bytes, not of the normalised text.
    #[test]
    fn digests_are_of_the_bytes() {
        let bytes = b"id: CHG-1\rtitle: t\rclass: replacement\rrequested_by: li.ming\rrequested_at: 2024-09-01T10:00:00+08:00\r".to_vec();
        let loaded =
            load_blobs(Settings::default(), vec![("changes/CHG-1/request.yaml".into(), bytes.clone())]);
        let change = loaded.repo.changes.first().expect("the request is read");
        assert_eq!(change.digest, crate::model::statement::digest(&bytes));
    }

    /// An observation file reads into the model; a bad timestamp is located; an observation of a
    /// system the inventory lacks is a warning, not an error (it is evidence).
    #[test]
    fn observation_files_load() {
        let good = b"system: web\nhost: h1\nsource: {kind: csv}\ncollected_at: 2024-09-01T00:00:00Z\ncomponents:\n  - {product: redis, version: 6.2.14, raw: \"6.2.14-1\", purl: pkg:generic/redis}\n";
        let loaded =
            load_blobs(Settings::default(), vec![("inventory/observed/web/h1.yaml".into(), good.to_vec())]);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        assert_eq!(loaded.diagnostics[0].code, "unknown-system");
        let o = &loaded.repo.observations[0];
        assert_eq!((o.system.as_str(), o.host.as_str(), o.source.as_str()), ("web", "h1", "csv"));
        assert_eq!(o.components[0].shown(), "6.2.14-1");
        let bad = b"system: web\nhost: h1\nsource: {kind: csv}\ncollected_at: yesterday\n";
        let loaded =
            load_blobs(Settings::default(), vec![("inventory/observed/web/h1.yaml".into(), bad.to_vec())]);
        let d = &loaded.diagnostics[0];
        assert_eq!((d.code, d.origin.line), ("bad-timestamp", 4));
        assert!(loaded.repo.observations.is_empty());
    }

    /// `roles:` titles each role; a second title for a role is `duplicate-id`; once roles are titled,
    /// a chain role without a title is the warning `untitled-role`, once.
    #[test]
    fn roles_have_titles() {
        let a = "classes:\n  policy: {chain: [cto, ciso]}\n  exception: {chain: [ciso], max_duration: 6mo}\n\
                 roles:\n  cto: {title: 首席技术官, title_en: Chief technology officer}\n";
        let b = "roles:\n  cto: {title: CTO}\n";
        let loaded = load_blobs(
            Settings::default(),
            vec![
                ("policies/a.yaml".into(), a.as_bytes().to_vec()),
                ("policies/b.yaml".into(), b.as_bytes().to_vec()),
            ],
        );
        let cto = &loaded.repo.policy.roles["cto"];
        assert_eq!(cto.title.as_deref(), Some("首席技术官"));
        assert_eq!(cto.title_en.as_deref(), Some("Chief technology officer"));
        let codes: Vec<(&str, &str)> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.code, d.origin.path.as_str()))
            .filter(|(c, _)| *c != "role-not-held")
            .collect();
        assert!(codes.contains(&("duplicate-id", "policies/b.yaml")), "{codes:?}");
        let untitled: Vec<_> = loaded.diagnostics.iter().filter(|d| d.code == "untitled-role").collect();
        assert_eq!(untitled.len(), 1, "{untitled:?}");
        assert_eq!(untitled[0].message, "the role `ciso` has no title");
        let zh = crate::diag::render(untitled[0], &|p| loaded.text(p), false, crate::i18n::Lang::ZhCn);
        assert!(zh.starts_with("警告［untitled-role］：角色 `ciso` 没有名称"), "{zh}");
    }
}
