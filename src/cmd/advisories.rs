//! `lifecycle advisories import|sync`: OSV records and the CISA KEV catalog into `advisories/` (§3.7, §7).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::Ctx;
use super::catalog::{RunMeta, Seen, expand, note_cache, print_diagnostics, progress, read_input_hashed};
use crate::cli::Exit;
use crate::diag::{Diagnostic, Origin};
use crate::discovery::http::{self, Client, NotFound};
use crate::discovery::osv::{self, KevEntry, Normalised};
use crate::load::{self, WorkTree};
use crate::model::run::{RunInput, RunKind, RunSource};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Import OSV JSON (records, arrays, query answers, folders) and the CISA KEV catalog
    #[command(after_help = "\
Examples:
  lifecycle advisories import GHSA-xxxx.json CVE-2024-0727.json
  lifecycle advisories import osv-records/ known_exploited_vulnerabilities.json")]
    Import(ImportArgs),
    /// Ask OSV about every component with a purl, fetch the CISA KEV catalog, and import both
    #[command(after_help = "\
Examples:
  lifecycle advisories sync
  lifecycle advisories sync --url http://osv-mirror.example --kev-url http://mirror.example/kev.json")]
    Sync(SyncArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Files or folders (folders: every .json file in them)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// Base URL of the OSV API (`/v1/querybatch`, `/v1/vulns/{id}` below it)
    #[arg(long, value_name = "BASE", default_value = "https://api.osv.dev")]
    pub url: String,
    /// URL of the CISA KEV catalog JSON
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
    )]
    pub kev_url: String,
    /// Seconds to wait for each answer
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Ask the service even when a cached answer is less than 12 hours old
    #[arg(long)]
    pub refresh: bool,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    match &args.command {
        Command::Import(a) => import(ctx, a, out),
        Command::Sync(a) => sync(ctx, a, out),
    }
}

/// Where advisories live: the configured folder (see `load::advisories_dir`).
fn folder(ctx: &Ctx) -> String {
    let source = WorkTree::new(&ctx.root);
    let settings = load::read_settings(&source, &mut Vec::new(), &mut Default::default());
    load::advisories_dir(&source, &settings)
}

/// What the inputs held, parsed.
#[derive(Default)]
struct Inputs {
    records: Vec<(String, Normalised)>,
    kev: Vec<KevEntry>,
    rejected: Vec<Diagnostic>,
    stubs: usize,
}

fn import(ctx: &Ctx, args: &ImportArgs, out: &mut dyn Write) -> Result<Exit> {
    let files = expand(ctx.lang, &args.paths, &|p| p.extension().and_then(|e| e.to_str()) == Some("json"))?;
    let mut texts = BTreeMap::new();
    let mut errors = Vec::new();
    let mut inputs = Inputs::default();
    let mut read = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let text = match read_input_hashed(f, &name) {
            Ok((t, sha256)) => {
                read.push(RunInput { name: name.clone(), sha256 });
                t
            }
            Err(d) => {
                errors.push(*d);
                continue;
            }
        };
        match osv::parse(&name, &text) {
            Ok(p) => add(&mut inputs, &name, p),
            Err(d) => errors.push(*d),
        }
        texts.insert(name, text);
    }
    if !errors.is_empty() {
        return refuse(ctx, &errors, &texts);
    }
    apply(ctx, inputs, None, &RunMeta::files(ctx, "advisories import", read), out, &texts)
}

fn add(inputs: &mut Inputs, name: &str, p: osv::Parsed) {
    inputs.records.extend(p.records.into_iter().map(|r| (name.to_string(), r)));
    inputs.kev.extend(p.kev);
    inputs.rejected.extend(p.rejected.into_iter().map(|r| r.0));
    inputs.stubs += p.stubs.len();
}

/// Merges the inputs with the folder's advisories, checks everything, writes what changed.
fn apply(
    ctx: &Ctx,
    inputs: Inputs,
    fetched_at: Option<String>,
    run: &RunMeta,
    out: &mut dyn Write,
    texts: &BTreeMap<String, String>,
) -> Result<Exit> {
    let lang = ctx.lang;
    let read = inputs.records.len();
    let dir_rel = folder(ctx);
    let dir = ctx.root.join(&dir_rel);
    let now = ctx.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);

    // The folder as it is: (file name, text, advisory).
    let (existing, mut errors, existing_texts) = read_folder(&dir_rel, &dir)?;
    if !errors.is_empty() {
        return refuse(ctx, &errors, &existing_texts);
    }

    let mut current: Vec<Normalised> = existing.iter().map(|(_, _, a)| a.clone()).collect();
    let known = current.len();
    let mut duplicates = 0;
    for (_, mut r) in inputs.records {
        r.detected_at = Some(now.clone());
        if let Some(src) = &mut r.source {
            src.2 = fetched_at.clone();
        }
        match current.iter_mut().position(|c| r.ids().any(|id| c.known_as(id))) {
            Some(i) => {
                if i >= known {
                    duplicates += 1;
                }
                current[i].absorb(r);
            }
            None => current.push(r),
        }
    }
    // New advisories take their CVE id when one of their ids is a CVE.
    for a in current.iter_mut().skip(known) {
        if let Some(id) = osv::preferred_id(a.ids()).cloned()
            && id != a.id
        {
            let old = std::mem::replace(&mut a.id, id.clone());
            a.aliases.remove(&id);
            a.aliases.insert(old);
        }
    }
    let mut kev_matched = 0;
    for k in &inputs.kev {
        for a in current.iter_mut().filter(|a| a.known_as(&k.cve)) {
            kev_matched += 1;
            a.kev = true;
            if k.due.is_some() {
                a.kev_due = k.due;
            }
        }
    }

    let plan = plan_writes(&current, &existing, &dir_rel, &dir, &mut errors);
    if !errors.is_empty() {
        return refuse(ctx, &errors, &existing_texts);
    }
    for (path, text, _) in &plan {
        crate::store::write_atomic(path, text.as_bytes())?;
    }
    let created = plan.iter().filter(|p| p.2 == "advisories.created").count();
    let counts = [
        ("records", read),
        ("kev", inputs.kev.len()),
        ("created", created),
        ("updated", plan.len() - created),
        ("unchanged", current.len() - plan.len()),
        ("duplicates", duplicates),
        ("kev_matched", kev_matched),
        ("rejected", inputs.rejected.len()),
        ("stubs", inputs.stubs),
    ];
    summarise(ctx, &plan, &counts, out)?;
    // The run happened and wrote what it could, even when some records were rejected.
    run.record(ctx, RunKind::Advisories, &counts, out)?;
    if !inputs.rejected.is_empty() {
        print_diagnostics(ctx, &inputs.rejected, texts)?;
        writeln!(
            std::io::stderr(),
            "{}",
            crate::diag::error_line(
                ctx.lang,
                &lang.fmt("advisories.rejected", &[("n", &inputs.rejected.len())])
            )
        )?;
        return Ok(Exit::Invalid);
    }
    Ok(Exit::Clean)
}

/// Prints the folder's problems and refuses: nothing is written.
fn refuse(ctx: &Ctx, errors: &[Diagnostic], texts: &BTreeMap<String, String>) -> Result<Exit> {
    print_diagnostics(ctx, errors, texts)?;
    let message = ctx.lang.fmt("advisories.failed", &[("errors", &errors.len())]);
    writeln!(std::io::stderr(), "{}", crate::diag::error_line(ctx.lang, &message))?;
    Ok(Exit::Invalid)
}

/// What was written, the summary line, and the KEV and stub notes.
fn summarise(
    ctx: &Ctx,
    plan: &[(PathBuf, String, &'static str)],
    counts: &[(&str, usize)],
    out: &mut dyn Write,
) -> Result<()> {
    let lang = ctx.lang;
    let count = |k: &str| counts.iter().find(|(n, _)| *n == k).map(|(_, v)| *v).unwrap_or(0);
    warn_unscored(ctx, plan)?;
    for (path, _, key) in plan {
        let rel = path.strip_prefix(&ctx.root).unwrap_or(path).display().to_string();
        writeln!(out, "{}", lang.fmt(key, &[("path", &rel)]))?;
    }
    writeln!(
        out,
        "{}",
        lang.fmt(
            "advisories.summary",
            &[
                ("created", &count("created")),
                ("updated", &count("updated")),
                ("unchanged", &count("unchanged")),
                ("duplicates", &count("duplicates")),
            ]
        )
    )?;
    if count("kev") > 0 {
        writeln!(
            out,
            "{}",
            lang.fmt("advisories.kev", &[("entries", &count("kev")), ("matched", &count("kev_matched"))])
        )?;
    }
    if count("stubs") > 0 {
        writeln!(out, "{}", lang.fmt("advisories.stubs", &[("n", &count("stubs"))]))?;
    }
    Ok(())
}

/// An existing advisory file: (file name, text, advisory).
type Existing = Vec<(String, String, Normalised)>;

/// The advisories folder as it is, the files that could not be read, and every text (for snippets).
fn read_folder(dir_rel: &str, dir: &Path) -> Result<(Existing, Vec<Diagnostic>, BTreeMap<String, String>)> {
    let mut existing = Vec::new();
    let mut errors = Vec::new();
    let mut texts = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| !n.starts_with('.') && (n.ends_with(".yaml") || n.ends_with(".yml")))
            .collect();
        names.sort();
        for n in names {
            let rel = format!("{dir_rel}/{n}");
            let text = std::fs::read_to_string(dir.join(&n))?;
            match osv::read_existing(&rel, &text) {
                Ok(a) => existing.push((n, text.clone(), a)),
                Err(d) => errors.push(*d),
            }
            texts.insert(rel, text);
        }
    }
    Ok((existing, errors, texts))
}

/// The files to write (path, text, message key): the advisories whose text changed and the new ones.
/// Two different advisories must not share a file.
fn plan_writes(
    current: &[Normalised],
    existing: &Existing,
    dir_rel: &str,
    dir: &Path,
    errors: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, String, &'static str)> {
    let mut plan: Vec<(PathBuf, String, &'static str)> = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (i, a) in current.iter().enumerate() {
        let (name, old_text) = match existing.get(i) {
            Some((n, t, _)) => (n.clone(), Some(t.as_str())),
            None => (osv::file_name(&a.id), None),
        };
        if let Some(other) = names.insert(name.clone(), a.id.clone()) {
            errors.push(
                Diagnostic::error(
                    "duplicate-id",
                    Origin::file(format!("{dir_rel}/{name}")),
                    format!("advisories `{other}` and `{}` would share the file {name}", a.id),
                )
                .hint("rename one of the files in the advisories folder")
                .in_words(crate::diag::Text::new(
                    "imp.same_file",
                    &[("a", &other), ("b", &a.id), ("name", &name)],
                ))
                .hint_words(crate::diag::Text::new("imp.same_file_hint", &[])),
            );
            continue;
        }
        let text = osv::render(a);
        match old_text {
            Some(t) if t == text => {}
            Some(_) => plan.push((dir.join(&name), text, "advisories.updated")),
            None => {
                if dir.join(&name).exists() {
                    errors.push(
                        Diagnostic::error(
                            "duplicate-id",
                            Origin::file(format!("{dir_rel}/{name}")),
                            format!("{name} exists but could not be read as advisory `{}`", a.id),
                        )
                        .in_words(crate::diag::Text::new(
                            "imp.unreadable_advisory",
                            &[("name", &name), ("id", &a.id)],
                        )),
                    );
                    continue;
                }
                plan.push((dir.join(&name), text, "advisories.created"))
            }
        }
    }
    plan
}

/// A warning for each written advisory that no CVSS vector or label scored: it is `unknown`, and the
/// policy's strictest class applies to it unless a class names `unknown`.
fn warn_unscored(ctx: &Ctx, plan: &[(PathBuf, String, &'static str)]) -> Result<()> {
    if ctx.quiet {
        return Ok(());
    }
    let warnings: Vec<Diagnostic> = plan
        .iter()
        .filter(|(_, text, _)| text.contains("\nseverity: unknown\n"))
        .map(|(path, _, _)| {
            let rel = path.strip_prefix(&ctx.root).unwrap_or(path).display().to_string();
            Diagnostic::warning(
                "unscored-advisory",
                Origin::file(rel),
                "no usable CVSS score (v2, v3.0, v3.1, v4.0) or severity label: severity is `unknown`, and the policy's strictest class applies",
            )
            .hint("check the advisory and set `severity:` by hand, or name `unknown` in a class's `applies_to.severity`")
            .in_words(crate::diag::Text::new("imp.unscored", &[]))
            .hint_words(crate::diag::Text::new("imp.unscored_hint", &[]))
        })
        .collect();
    if !warnings.is_empty() {
        print_diagnostics(ctx, &warnings, &BTreeMap::new())?;
    }
    Ok(())
}

fn sync(ctx: &Ctx, args: &SyncArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load(None)?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    let repo = &loaded.repo;
    // One query per (purl, version); the purl without a version (OSV refuses both).
    let mut queries: Vec<(String, String)> = repo
        .systems
        .iter()
        .flat_map(|s| s.components.iter())
        .filter_map(|c| {
            let purl = c.purl.as_deref()?;
            let base = match purl.rfind('@') {
                Some(at) if at > purl.rfind('/').unwrap_or(0) => &purl[..at],
                _ => purl,
            };
            Some((base.to_string(), c.version.clone()))
        })
        .collect();
    queries.sort();
    queries.dedup();
    let client =
        Client::new(Duration::from_secs(args.timeout), http::default_cache_dir()).refresh(args.refresh);
    let base = args.url.trim_end_matches('/');
    let fail = |e: anyhow::Error| -> Result<Exit> {
        // A 404 is an answer: waiting will not change it, the address or the id is wrong.
        let key = if format!("{e}").contains("404") { "sync.not_found_hint" } else { "sync.nothing_written" };
        let message = format!("{e:#}\n  = hint: {}", ctx.lang.t(key));
        writeln!(std::io::stderr(), "{}", crate::diag::error_line(ctx.lang, &message))?;
        Ok(Exit::Invalid)
    };
    let mut seen = Seen::default();
    let mut ids = match query(ctx, &client, base, &queries, &mut seen) {
        Ok(ids) => ids,
        Err(e) => return fail(e),
    };
    ids.sort();
    ids.dedup();
    let bar = progress(ctx, ids.len() + 1, "OSV");
    let mut inputs = Inputs::default();
    let mut texts = BTreeMap::new();
    for id in &ids {
        bar.inc(1);
        let url = format!("{base}/v1/vulns/{id}");
        let fetched = match client.get(&url) {
            Ok(Ok(f)) => f,
            Ok(Err(NotFound::Missing)) => {
                bar.finish_and_clear();
                return fail(anyhow::anyhow!("{url}: HTTP 404, OSV does not know `{id}`"));
            }
            Err(e) => {
                bar.finish_and_clear();
                return fail(e);
            }
        };
        note_cache(ctx, &url, &fetched)?;
        seen.add(&url, &fetched);
        match osv::parse(&url, &fetched.body) {
            Ok(p) => add(&mut inputs, &url, p),
            Err(d) => {
                bar.finish_and_clear();
                return fail(anyhow::anyhow!("{}", d.message).context(url));
            }
        }
        texts.insert(url, fetched.body);
    }
    bar.inc(1);
    let fetched = match client.get(&args.kev_url) {
        Ok(Ok(f)) => f,
        Ok(Err(NotFound::Missing)) => {
            bar.finish_and_clear();
            return fail(anyhow::anyhow!("{}: HTTP 404", args.kev_url));
        }
        Err(e) => {
            bar.finish_and_clear();
            return fail(e);
        }
    };
    bar.finish_and_clear();
    note_cache(ctx, &args.kev_url, &fetched)?;
    seen.add(&args.kev_url, &fetched);
    match osv::parse(&args.kev_url, &fetched.body) {
        Ok(p) if !p.kev.is_empty() || p.records.is_empty() => add(&mut inputs, &args.kev_url, p),
        Ok(_) => return fail(anyhow::anyhow!("{}: not the KEV catalog", args.kev_url)),
        Err(d) => return fail(anyhow::anyhow!("{}: {}", args.kev_url, d.message)),
    }
    if !ctx.quiet {
        writeln!(
            std::io::stderr(),
            "{}",
            ctx.lang.fmt("advisories.queried", &[("queries", &queries.len()), ("ids", &ids.len())])
        )?;
    }
    let fetched_at = ctx.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let from =
        RunSource { kind: "url".into(), url: Some(base.to_string()), kev_url: Some(args.kev_url.clone()) };
    let run = RunMeta::sync(ctx, "advisories sync", from, seen);
    apply(ctx, inputs, Some(fetched_at), &run, out, &texts)
}

/// Asks OSV's querybatch about every (purl, version); returns the advisory ids it names.
fn query(
    ctx: &Ctx,
    client: &Client,
    base: &str,
    queries: &[(String, String)],
    seen: &mut Seen,
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    // (purl, version, page token): OSV pages a query's answer with `next_page_token`; follow a few pages.
    let mut pending: Vec<(String, String, Option<String>)> =
        queries.iter().map(|(p, v)| (p.clone(), v.clone(), None)).collect();
    let url = format!("{base}/v1/querybatch");
    for _round in 0..10 {
        if pending.is_empty() {
            break;
        }
        let mut next = Vec::new();
        for chunk in pending.chunks(500) {
            let body = serde_json::json!({
                "queries": chunk
                    .iter()
                    .map(|(p, v, token)| match token {
                        Some(t) => serde_json::json!({"package": {"purl": p}, "version": v, "page_token": t}),
                        None => serde_json::json!({"package": {"purl": p}, "version": v}),
                    })
                    .collect::<Vec<_>>()
            })
            .to_string();
            let fetched = match client.post_json(&url, &body) {
                Ok(Ok(f)) => f,
                Ok(Err(NotFound::Missing)) => {
                    anyhow::bail!("{url} answered HTTP 404 (is --url the OSV API?)");
                }
                Err(e) => return Err(e),
            };
            note_cache(ctx, &url, &fetched)?;
            seen.add(&url, &fetched);
            let answer: serde_json::Value = match serde_json::from_str(&fetched.body) {
                Ok(v) => v,
                Err(e) => anyhow::bail!("{url}: not JSON ({e})"),
            };
            let results = answer.get("results").and_then(|r| r.as_array()).cloned().unwrap_or_default();
            for (q, r) in chunk.iter().zip(&results) {
                for v in r.get("vulns").and_then(|v| v.as_array()).into_iter().flatten() {
                    if let Some(id) = v.get("id").and_then(|i| i.as_str()) {
                        ids.push(id.to_string());
                    }
                }
                if let Some(t) = r.get("next_page_token").and_then(|t| t.as_str()) {
                    next.push((q.0.clone(), q.1.clone(), Some(t.to_string())));
                }
            }
        }
        pending = next;
    }
    Ok(ids)
}
