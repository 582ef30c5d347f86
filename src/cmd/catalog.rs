//! `lifecycle catalog import|sync`: endoflife.date data into `inventory/products/` (§7).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use super::Ctx;
use crate::cli::Exit;
use crate::diag::Diagnostic;
use crate::discovery::eol::{self, CatalogProduct, Changes};
use crate::discovery::http::{self, Client, NotFound};
use crate::discovery::runs;
use crate::i18n::Lang;
use crate::load::{self, WorkTree};
use crate::model::run::{RunInput, RunKind, RunSource};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Import endoflife.date product files (products/*.md), API v1 or API v0 JSON files or folders
    #[command(after_help = "\
Examples:
  lifecycle catalog import ../release-data/products/redis.md
  lifecycle catalog import ../endoflife-date/products/        every product file of a folder
  lifecycle catalog import redis.json                          an API v1 or v0 answer saved to a file")]
    Import(ImportArgs),
    /// Fetch the inventory's products (or those named) from the endoflife.date API and import them
    #[command(after_help = "\
Examples:
  lifecycle catalog sync                       every product the inventory uses
  lifecycle catalog sync --product redis --product nginx
  lifecycle catalog sync --url http://mirror.example/api/v1")]
    Sync(SyncArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Files or folders (folders: every .md and .json file in them)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct SyncArgs {
    /// Only this product (repeatable); default: every product the inventory uses
    #[arg(long = "product", value_name = "P")]
    pub products: Vec<String>,
    /// Base URL of the endoflife.date API v1
    #[arg(long, value_name = "BASE", default_value = "https://endoflife.date/api/v1")]
    pub url: String,
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

/// Files of the given paths, folders expanded (sorted), with `keep` deciding by name.
pub fn expand(lang: Lang, paths: &[PathBuf], keep: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = walk(p)?.into_iter().filter(|f| keep(f)).collect();
            // An import that finds nothing is a wrong path, not an empty success.
            if found.is_empty() {
                bail!("{}", lang.fmt("import.empty_folder", &[("path", &p.display())]));
            }
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            bail!("{}", lang.fmt("import.no_path", &[("path", &p.display())]));
        }
    }
    Ok(files)
}

fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.')) {
            continue;
        }
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    Ok(out)
}

/// Largest input file read by an import (the KEV catalog is about 1.3 MB, endoflife.date files are small).
const MAX_INPUT: u64 = 256 << 20;

/// Reads an input file as UTF-8 text, refusing huge files.
pub fn read_input(path: &Path, name: &str) -> Result<String, Box<Diagnostic>> {
    read_input_hashed(path, name).map(|(text, _)| text)
}

/// [`read_input`], with the SHA-256 of the bytes read (for the run record).
pub fn read_input_hashed(path: &Path, name: &str) -> Result<(String, String), Box<Diagnostic>> {
    // The system's own words in English; what kind of failure it is in other languages.
    let unreadable = |e: std::io::Error| {
        let key = match e.kind() {
            std::io::ErrorKind::NotFound => "imp.unreadable_missing",
            std::io::ErrorKind::PermissionDenied => "imp.unreadable_denied",
            _ => "imp.unreadable",
        };
        Box::new(
            Diagnostic::error("unreadable", crate::diag::Origin::file(name), e.to_string())
                .hint("check that the file exists and can be read")
                .in_words(crate::diag::Text::new(key, &[]))
                .hint_words(crate::diag::Text::new("imp.unreadable_hint", &[])),
        )
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.len() > MAX_INPUT {
        return Err(Box::new(
            Diagnostic::error(
                "file-too-large",
                crate::diag::Origin::file(name),
                format!("the file is {} MiB; imports read files up to 256 MiB", meta.len() >> 20),
            )
            .hint("split the file, or import the folder of single records instead")
            .in_words(crate::diag::Text::new("imp.too_large", &[("mib", &(meta.len() >> 20))]))
            .hint_words(crate::diag::Text::new("imp.too_large_hint", &[])),
        ));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    let sha256 = crate::model::run::sha256(&bytes);
    Ok((load::text_from_bytes(name, bytes)?, sha256))
}

/// What a run read, for its record (§8.1): written after the command's own files, never by a run
/// that was refused.
pub struct RunMeta {
    pub command: &'static str,
    pub source: RunSource,
    pub inputs: Vec<RunInput>,
    pub fetched_at: DateTime<Utc>,
}

/// The answers a sync read: each URL with the SHA-256 of its body, and the age of the oldest cached one.
#[derive(Default)]
pub struct Seen {
    pub inputs: Vec<RunInput>,
    pub oldest: Option<Duration>,
}

impl Seen {
    pub fn add(&mut self, url: &str, f: &http::Fetched) {
        self.inputs
            .push(RunInput { name: url.to_string(), sha256: crate::model::run::sha256(f.body.as_bytes()) });
        self.oldest = self.oldest.max(f.cached);
    }
}

impl RunMeta {
    /// An import of files, read now.
    pub fn files(ctx: &Ctx, command: &'static str, inputs: Vec<RunInput>) -> RunMeta {
        let source = RunSource { kind: "files".into(), ..Default::default() };
        RunMeta { command, source, inputs, fetched_at: ctx.now().with_timezone(&Utc) }
    }

    /// A sync of `source`: fetched when its oldest answer was (cached answers are older than now).
    pub fn sync(ctx: &Ctx, command: &'static str, source: RunSource, seen: Seen) -> RunMeta {
        let now = ctx.now().with_timezone(&Utc);
        let age = seen.oldest.and_then(|d| chrono::TimeDelta::from_std(d).ok()).unwrap_or_default();
        RunMeta { command, source, inputs: seen.inputs, fetched_at: now - age }
    }

    /// Writes the record with these counts and says where.
    pub fn record(
        &self,
        ctx: &Ctx,
        kind: RunKind,
        counts: &[(&str, usize)],
        out: &mut dyn Write,
    ) -> Result<()> {
        let settings =
            load::read_settings(&WorkTree::new(&ctx.root), &mut Vec::new(), &mut Default::default());
        let record = runs::Record {
            kind,
            command: self.command,
            source: &self.source,
            at: ctx.now().with_timezone(&Utc),
            fetched_at: self.fetched_at,
            counts,
            inputs: &self.inputs,
        };
        let rel = runs::write(&ctx.root, &settings.paths.discovery, &record)?;
        writeln!(out, "{}", ctx.lang.fmt("observe.run", &[("path", &rel)]))?;
        Ok(())
    }
}

/// Prints diagnostics with snippets from the given texts.
pub fn print_diagnostics(ctx: &Ctx, diags: &[Diagnostic], texts: &BTreeMap<String, String>) -> Result<()> {
    let mut err = std::io::stderr().lock();
    for d in diags {
        write!(err, "{}", crate::diag::render(d, &|p| texts.get(p).cloned(), ctx.diag_color, ctx.lang))?;
        writeln!(err)?;
    }
    Ok(())
}

fn import(ctx: &Ctx, args: &ImportArgs, out: &mut dyn Write) -> Result<Exit> {
    let files = expand(ctx.lang, &args.paths, &|p| {
        matches!(p.extension().and_then(|e| e.to_str()), Some("md" | "json"))
    })?;
    let mut texts = BTreeMap::new();
    let mut diags = Vec::new();
    let mut products = Vec::new();
    let mut inputs = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let text = match read_input_hashed(f, &name) {
            Ok((t, sha256)) => {
                inputs.push(RunInput { name: name.clone(), sha256 });
                t
            }
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        match eol::parse(&name, &text) {
            Ok((_, p)) => products.push((name.clone(), p)),
            Err(d) => diags.push(*d),
        }
        texts.insert(name, text);
    }
    if !diags.is_empty() {
        print_diagnostics(ctx, &diags, &texts)?;
        writeln!(
            std::io::stderr(),
            "{}",
            crate::diag::error_line(ctx.lang, &ctx.lang.fmt("catalog.failed", &[("errors", &diags.len())]))
        )?;
        return Ok(Exit::Invalid);
    }
    let source = format!("{{kind: endoflife.date, fetched_at: {}}}", now_text(ctx));
    write_products(ctx, products, &source, &RunMeta::files(ctx, "catalog import", inputs), out)
}

fn now_text(ctx: &Ctx) -> String {
    ctx.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Merges every product with its file, checks everything, then writes what changed and reports.
fn write_products(
    ctx: &Ctx,
    products: Vec<(String, CatalogProduct)>,
    source: &str,
    run: &RunMeta,
    out: &mut dyn Write,
) -> Result<Exit> {
    let settings = load::read_settings(&WorkTree::new(&ctx.root), &mut Vec::new(), &mut Default::default());
    let dir = ctx.root.join(&settings.paths.products);
    // The last file naming a product wins (a folder and a later API answer, say).
    let mut by_id: BTreeMap<String, (String, CatalogProduct)> = BTreeMap::new();
    for (from, p) in products {
        let id = p.id.clone();
        if let Some((first, _)) = by_id.insert(id.clone(), (from.clone(), p))
            && !ctx.quiet
        {
            writeln!(
                std::io::stderr(),
                "note: {}",
                ctx.lang.fmt("catalog.duplicate", &[("product", &id), ("first", &first), ("last", &from)])
            )?;
        }
    }
    let mut planned: Vec<(PathBuf, String, String, Changes)> = Vec::new();
    let mut diags = Vec::new();
    let mut texts = BTreeMap::new();
    for (id, (_, p)) in &by_id {
        let rel = format!("{}/{id}.yaml", settings.paths.products);
        let path = dir.join(format!("{id}.yaml"));
        let existing = match std::fs::read_to_string(&path) {
            Ok(text) => {
                texts.insert(rel.clone(), text.clone());
                match eol::read_existing(&rel, &text) {
                    Ok(e) => Some(e),
                    Err(d) => {
                        diags.push(*d);
                        continue;
                    }
                }
            }
            Err(_) => None,
        };
        let (merged, local, changes) = eol::merge(p, existing.as_ref());
        if changes.unchanged {
            planned.push((path, rel, String::new(), changes));
            continue;
        }
        planned.push((path, rel, eol::render(&merged, &local, source), changes));
    }
    if !diags.is_empty() {
        print_diagnostics(ctx, &diags, &texts)?;
        writeln!(
            std::io::stderr(),
            "{}",
            crate::diag::error_line(ctx.lang, &ctx.lang.fmt("catalog.failed", &[("errors", &diags.len())]))
        )?;
        return Ok(Exit::Invalid);
    }
    for (path, _, text, changes) in &planned {
        if !changes.unchanged {
            crate::store::write_atomic(path, text.as_bytes())?;
        }
    }
    let unchanged = print_changes(ctx, &planned, out)?;
    let written = planned.len() - unchanged;
    writeln!(
        out,
        "{}",
        ctx.lang.fmt(
            "catalog.summary",
            &[("products", &planned.len()), ("written", &written), ("unchanged", &unchanged)]
        )
    )?;
    let changes: Vec<&Changes> = planned.iter().map(|p| &p.3).collect();
    let sum = |f: &dyn Fn(&Changes) -> usize| changes.iter().map(|c| f(c)).sum::<usize>();
    let counts = [
        ("products", by_id.len()),
        ("cycles", by_id.values().map(|(_, p)| p.cycles.len()).sum()),
        ("created", sum(&|c| usize::from(c.created))),
        ("changed", sum(&|c| usize::from(!c.created && !c.unchanged))),
        ("unchanged", unchanged),
        ("cycles_added", sum(&|c| c.added.len())),
        ("cycles_removed", sum(&|c| c.removed.len())),
        ("cycles_updated", sum(&|c| c.updated.len())),
        ("eol_moved", sum(&|c| c.eol_moved.len())),
    ];
    run.record(ctx, RunKind::Catalog, &counts, out)?;
    Ok(Exit::Clean)
}

/// Says what changed in each product file; returns how many were unchanged.
fn print_changes(
    ctx: &Ctx,
    planned: &[(PathBuf, String, String, Changes)],
    out: &mut dyn Write,
) -> Result<usize> {
    let lang = ctx.lang;
    let mut unchanged = 0;
    for (_, rel, _, c) in planned {
        if c.unchanged {
            unchanged += 1;
            continue;
        }
        if c.created {
            writeln!(out, "{}", lang.fmt("catalog.created", &[("path", rel)]))?;
            continue;
        }
        let mut parts = Vec::new();
        if !c.added.is_empty() {
            parts.push(lang.fmt("catalog.added", &[("cycles", &c.added.join(", "))]));
        }
        if !c.removed.is_empty() {
            parts.push(lang.fmt("catalog.removed", &[("cycles", &c.removed.join(", "))]));
        }
        if !c.updated.is_empty() {
            parts.push(lang.fmt("catalog.updated", &[("cycles", &c.updated.join(", "))]));
        }
        writeln!(
            out,
            "{}: {}",
            rel,
            if parts.is_empty() { lang.t("catalog.source_only").to_string() } else { parts.join("; ") }
        )?;
        for (cycle, old, new, earlier) in &c.eol_moved {
            let key = if *earlier { "catalog.eol_earlier" } else { "catalog.eol_moved" };
            let line = lang.fmt(key, &[("cycle", cycle), ("old", old), ("new", new)]);
            if *earlier && ctx.color {
                writeln!(out, "  \x1b[1;31m{line}\x1b[0m")?;
            } else {
                writeln!(out, "  {line}")?;
            }
        }
    }
    Ok(unchanged)
}

/// A progress bar on stderr when it is a terminal and not `-q`; hidden otherwise.
pub fn progress(ctx: &Ctx, len: usize, what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if ctx.quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// Notes that a cached answer was used (always when stale or after a network failure).
pub fn note_cache(ctx: &Ctx, url: &str, f: &http::Fetched) -> Result<()> {
    let mut err = std::io::stderr().lock();
    if let Some(reason) = &f.fallback_reason {
        let age = f.cached.map(http::age_text).unwrap_or_default();
        writeln!(
            err,
            "{}",
            crate::diag::warning_line(
                ctx.lang,
                &ctx.lang.fmt("sync.fallback", &[("url", &url), ("reason", reason), ("age", &age)])
            )
        )?;
    } else if let Some(age) = f.cached
        && age > http::STALE
        && !ctx.quiet
    {
        writeln!(
            err,
            "{}",
            crate::diag::warning_line(
                ctx.lang,
                &ctx.lang.fmt("sync.stale", &[("url", &url), ("age", &http::age_text(age))])
            )
        )?;
    }
    Ok(())
}

fn sync(ctx: &Ctx, args: &SyncArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load(None)?;
    let repo = &loaded.repo;
    let explicit = !args.products.is_empty();
    let wanted: Vec<String> = if explicit {
        args.products.clone()
    } else {
        let mut ids: Vec<String> =
            repo.systems.iter().flat_map(|s| s.components.iter().map(|c| c.product.clone())).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    for id in &wanted {
        if !load::valid_product_id(id) {
            bail!("{}", ctx.lang.fmt("catalog.bad_product", &[("id", id)]));
        }
    }
    let client =
        Client::new(Duration::from_secs(args.timeout), http::default_cache_dir()).refresh(args.refresh);
    let base = args.url.trim_end_matches('/');
    let bar = progress(ctx, wanted.len(), "endoflife.date");
    let mut products = Vec::new();
    let mut missing = Vec::new();
    let mut seen = Seen::default();
    for id in &wanted {
        bar.inc(1);
        let url = format!("{base}/products/{id}");
        let fetched = match client.get(&url) {
            Ok(Ok(f)) => f,
            Ok(Err(NotFound::Missing)) => {
                missing.push(id.clone());
                continue;
            }
            Err(e) => {
                bar.finish_and_clear();
                let message = format!("{e:#}\n  = hint: {}", ctx.lang.t("sync.nothing_written"));
                writeln!(std::io::stderr(), "{}", crate::diag::error_line(ctx.lang, &message))?;
                return Ok(Exit::Invalid);
            }
        };
        note_cache(ctx, &url, &fetched)?;
        seen.add(&url, &fetched);
        match eol::parse(&format!("{id}.json"), &fetched.body) {
            Ok((_, mut p)) => {
                p.id = id.clone();
                products.push((url, p));
            }
            Err(d) => {
                bar.finish_and_clear();
                let message =
                    format!("{url}: {}\n  = hint: {}", d.message, ctx.lang.t("sync.nothing_written"));
                writeln!(std::io::stderr(), "{}", crate::diag::error_line(ctx.lang, &message))?;
                return Ok(Exit::Invalid);
            }
        }
    }
    bar.finish_and_clear();
    if explicit && !missing.is_empty() {
        let message = format!(
            "{}\n  = hint: {}",
            ctx.lang.fmt("sync.unknown_products", &[("products", &missing.join(", "))]),
            ctx.lang.t("sync.unknown_products_hint")
        );
        writeln!(std::io::stderr(), "{}", crate::diag::error_line(ctx.lang, &message))?;
        return Ok(Exit::Invalid);
    }
    if !missing.is_empty() && !ctx.quiet {
        writeln!(
            std::io::stderr(),
            "note: {}",
            ctx.lang.fmt("sync.not_on_eol", &[("products", &missing.join(", "))])
        )?;
    }
    let source = format!(
        "{{kind: endoflife.date, url: {}, fetched_at: {}}}",
        crate::store::scalar(base),
        now_text(ctx)
    );
    let from = RunSource { kind: "url".into(), url: Some(base.to_string()), kev_url: None };
    let run = RunMeta::sync(ctx, "catalog sync", from, seen);
    write_products(ctx, products, &source, &run, out)
}
