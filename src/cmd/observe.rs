//! `lifecycle observe import`: what scanners saw (CycloneDX, SPDX, dpkg/rpm lists, CSV) into one
//! normalised file per system and host under `inventory/observed/` (§5.4), with a discovery run record.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, FixedOffset};

use super::Ctx;
use super::catalog::{expand, print_diagnostics, read_input};
use crate::cli::Exit;
use crate::diag::{Diagnostic, Origin, Text};
use crate::discovery::observe::{self, Format, Scan};
use crate::discovery::runs;
use crate::model::Settings;
use crate::model::run::{RunInput, RunKind, RunSource};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Import scans: CycloneDX JSON 1.4–1.6, SPDX 2.3 JSON, dpkg-query/rpm package lists, CSV
    #[command(after_help = "\
Examples:
  lifecycle observe import bom.json                          the system is the SBOM's subject (or observe.systems)
  lifecycle observe import bom.json --system member-center-web --host web-01
  dpkg-query -W -f='${Package} ${Version}\\n' > pkgs.txt
  lifecycle observe import pkgs.txt --system redis-session --host cache-03
  lifecycle observe import scans.csv                          header: system,host,product,version,collected_at")]
    Import(ImportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Files or folders (folders: their .json, .csv, .txt, .list and .lst files)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The system the inputs describe (needed for package lists; SBOMs may name it themselves)
    #[arg(long, value_name = "S")]
    pub system: Option<String>,
    /// The host the scan ran on (needed for package lists; SBOMs default to their subject's name)
    #[arg(long, value_name = "H")]
    pub host: Option<String>,
    /// When the scan ran (RFC 3339), for inputs that do not say; default: now
    #[arg(long, value_name = "TIME")]
    pub collected_at: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    match &args.command {
        Command::Import(a) => import(ctx, a, out),
    }
}

/// One observation file to write.
struct Planned {
    rel: String,
    text: String,
    from: String,
    components: usize,
    unchanged: bool,
}

/// Names what a scan describes, or says clearly why it cannot.
struct Namer<'a> {
    args: &'a ImportArgs,
    settings: &'a Settings,
    systems: &'a [String],
    now: DateTime<FixedOffset>,
}

impl Namer<'_> {
    fn system(&self, path: &str, format: Format, scan: &Scan) -> Result<String, Box<Diagnostic>> {
        let at = Origin::new(path, scan.line, 1, 1);
        if let Some(s) = scan.system.clone().or_else(|| self.args.system.clone()) {
            if !crate::load::valid_product_id(&s) {
                return Err(observe::bad(
                    at,
                    format!("`{s}` is not a system id"),
                    "system ids use lower-case letters, digits, `.`, `_` and `-`",
                    (Text::new("obs.bad_system", &[("id", &s)]), Text::new("obs.bad_system_hint", &[])),
                ));
            }
            return Ok(s);
        }
        let subject = scan.subject.as_deref();
        if let Some(mapped) = subject.and_then(|n| self.settings.observe_systems.get(n)) {
            return Ok(mapped.clone());
        }
        if let Some(n) = subject.filter(|n| self.systems.iter().any(|s| s == n)) {
            return Ok(n.to_string());
        }
        let words = match (format, subject) {
            (Format::Packages, _) => {
                (Text::new("obs.no_system_list", &[]), Text::new("obs.no_system_list_hint", &[]))
            }
            (_, Some(n)) => (
                Text::new("obs.no_system_subject", &[("subject", &n)]),
                Text::new("obs.no_system_subject_hint", &[("subject", &n)]),
            ),
            (_, None) => (Text::new("obs.no_system_none", &[]), Text::new("obs.no_system_none_hint", &[])),
        };
        let (message, hint) = match (format, subject) {
            (Format::Packages, _) => (
                "a package list does not say which system it is from".to_string(),
                "pass --system ID and --host NAME".to_string(),
            ),
            (_, Some(n)) => (
                format!(
                    "no system applies: no --system, and the SBOM's subject `{n}` is neither a system id nor mapped under `observe.systems` in lifecycle.yaml"
                ),
                format!(
                    "pass --system ID, or add to lifecycle.yaml:  observe: {{systems: {{\"{n}\": SYSTEM-ID}}}}"
                ),
            ),
            (_, None) => (
                "no system applies: no --system, and the SBOM names no subject (metadata component)"
                    .to_string(),
                "pass --system ID".to_string(),
            ),
        };
        Err(Box::new(
            Diagnostic::error("no-system", at, message).hint(hint).in_words(words.0).hint_words(words.1),
        ))
    }

    fn host(&self, path: &Path, format: Format, scan: &Scan, name: &str) -> Result<String, Box<Diagnostic>> {
        if let Some(h) = scan.host.clone().or_else(|| self.args.host.clone()) {
            return Ok(h);
        }
        if format == Format::Packages {
            return Err(Box::new(
                Diagnostic::error(
                    "no-system",
                    Origin::new(name, 1, 1, 1),
                    "a package list does not say which host it is from",
                )
                .hint("pass --host NAME (and --system ID)")
                .in_words(Text::new("obs.no_host", &[]))
                .hint_words(Text::new("obs.no_host_hint", &[])),
            ));
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("host");
        Ok(scan.subject.clone().unwrap_or_else(|| stem.to_string()))
    }

    fn collected_at(&self, scan: &Scan) -> Result<DateTime<FixedOffset>> {
        if let Some(text) = &self.args.collected_at {
            return crate::model::time::parse_timestamp(text, self.settings.timezone)
                .map_err(|m| anyhow::anyhow!("--collected-at: {m}"));
        }
        Ok(scan.collected_at.unwrap_or(self.now))
    }
}

fn sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn import(ctx: &Ctx, args: &ImportArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load(None)?;
    let settings = &loaded.repo.settings;
    let systems: Vec<String> = loaded.repo.systems.iter().map(|s| s.id.clone()).collect();
    let namer = Namer { args, settings, systems: &systems, now: ctx.now() };
    // In folders, the files scanners write; a file named on the command line is always read.
    let files = expand(ctx.lang, &args.paths, &|p| {
        matches!(p.extension().and_then(|e| e.to_str()), Some("json" | "csv" | "txt" | "list" | "lst"))
    })?;
    let mut texts = BTreeMap::new();
    let mut diags = Vec::new();
    let mut planned: Vec<Planned> = Vec::new();
    let mut inputs = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let text = match read_input(f, &name) {
            Ok(t) => t,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        let file = f.file_name().and_then(|n| n.to_str()).unwrap_or("input").to_string();
        let digest = sha256(&text);
        match plan(&namer, f, &name, &file, &digest, &text, settings) {
            Ok(mut p) => planned.append(&mut p),
            Err(d) => diags.push(*d),
        }
        inputs.push((file, digest));
        texts.insert(name, text);
    }
    if !diags.is_empty() {
        print_diagnostics(ctx, &diags, &texts)?;
        writeln!(
            std::io::stderr(),
            "{}",
            crate::diag::error_line(ctx.lang, &ctx.lang.fmt("observe.failed", &[("errors", &diags.len())]))
        )?;
        return Ok(Exit::Invalid);
    }
    write_all(ctx, planned, &inputs, settings, &systems, out)
}

/// Every observation file one input gives.
fn plan(
    namer: &Namer,
    path: &Path,
    name: &str,
    file: &str,
    digest: &str,
    text: &str,
    settings: &Settings,
) -> Result<Vec<Planned>, Box<Diagnostic>> {
    let (format, scans) = observe::parse(name, text)?;
    let mut planned = Vec::new();
    for scan in &scans {
        let system = namer.system(name, format, scan)?;
        let host = namer.host(path, format, scan, name)?;
        let collected_at = namer.collected_at(scan).map_err(|e| {
            // Only `--collected-at` can be wrong here: a scan's own time was read with the scan.
            let value = namer.args.collected_at.as_deref().unwrap_or_default();
            Box::new(
                Diagnostic::error("bad-timestamp", Origin::file(name), format!("{e:#}"))
                    .hint("write it as RFC 3339")
                    .in_words(Text::new("obs.collected_at", &[("value", &value)]))
                    .hint_words(Text::new("obs.rfc3339_hint", &[])),
            )
        })?;
        let rel = format!("{}/{system}/{}.yaml", settings.paths.observed, observe::host_file(&host));
        let text = observe::render(&observe::Observation {
            system: &system,
            host: &host,
            format,
            file,
            digest: &format!("sha256:{digest}"),
            collected_at,
            components: &scan.components,
        });
        planned.push(Planned {
            rel,
            text,
            from: name.to_string(),
            components: scan.components.len(),
            unchanged: false,
        });
    }
    Ok(planned)
}

/// Writes what changed (the later input wins for one system and host), then the run record.
fn write_all(
    ctx: &Ctx,
    planned: Vec<Planned>,
    inputs: &[(String, String)],
    settings: &Settings,
    systems: &[String],
    out: &mut dyn Write,
) -> Result<Exit> {
    let mut by_path: BTreeMap<String, Planned> = BTreeMap::new();
    for mut p in planned {
        let existing = std::fs::read_to_string(ctx.root.join(&p.rel)).ok();
        p.unchanged = existing.as_deref() == Some(p.text.as_str());
        if let Some(first) = by_path.get(&p.rel)
            && !ctx.quiet
        {
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("path", &p.rel), ("first", &first.from), ("last", &p.from)];
            writeln!(std::io::stderr(), "note: {}", ctx.lang.fmt("observe.duplicate", &args))?;
        }
        by_path.insert(p.rel.clone(), p);
    }
    for p in by_path.values().filter(|p| !p.unchanged) {
        crate::store::write_atomic(&ctx.root.join(&p.rel), p.text.as_bytes())?;
    }
    let lang = ctx.lang;
    for p in by_path.values() {
        let system = p.rel.trim_start_matches(&format!("{}/", settings.paths.observed));
        let system = system.split('/').next().unwrap_or("");
        if !systems.iter().any(|s| s == system) && !ctx.quiet {
            writeln!(
                std::io::stderr(),
                "{}",
                crate::diag::warning_line(
                    ctx.lang,
                    &lang.fmt("observe.unknown_system", &[("system", &system)])
                )
            )?;
        }
        if p.unchanged {
            writeln!(out, "{}", lang.fmt("observe.unchanged", &[("path", &p.rel)]))?;
        } else {
            writeln!(
                out,
                "{}",
                lang.fmt(
                    "observe.written",
                    &[
                        ("path", &p.rel),
                        ("components", &crate::render::words::count(lang, p.components, "count.component"))
                    ]
                )
            )?;
        }
    }
    let written = by_path.values().filter(|p| !p.unchanged).count();
    let unchanged = by_path.len() - written;
    writeln!(
        out,
        "{}",
        lang.fmt(
            "observe.summary",
            &[
                ("observations", &crate::render::words::count(lang, by_path.len(), "count.observation")),
                ("written", &written),
                ("unchanged", &unchanged)
            ]
        )
    )?;
    if written == 0 {
        writeln!(out, "{}", lang.t("observe.no_run"))?;
        return Ok(Exit::Clean);
    }
    let now = ctx.now().with_timezone(&chrono::Utc);
    let inputs: Vec<RunInput> =
        inputs.iter().map(|(name, sha256)| RunInput { name: name.clone(), sha256: sha256.clone() }).collect();
    let record = runs::Record {
        kind: RunKind::Observe,
        command: "observe import",
        source: &RunSource { kind: "files".into(), ..Default::default() },
        at: now,
        fetched_at: now,
        counts: &[
            ("files", inputs.len()),
            ("observations", by_path.len()),
            ("components", by_path.values().map(|p| p.components).sum()),
            ("written", written),
            ("unchanged", unchanged),
        ],
        inputs: &inputs,
    };
    let rel = runs::write(&ctx.root, &settings.paths.discovery, &record)?;
    writeln!(out, "{}", lang.fmt("observe.run", &[("path", &rel)]))?;
    Ok(Exit::Clean)
}
