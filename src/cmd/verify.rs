//! `lifecycle verify`: walk history and check every sign-off, inventory version change and policy
//! change against the trust of its time.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, anyhow};
use comfy_table::{Cell, ContentArrangement, Table, presets};

use super::Ctx;
use crate::cli::Exit;
use crate::eval::findings::Severity;
use crate::load::{self, Revision};
use crate::sign::Trust;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle verify
  lifecycle verify --format json
  lifecycle verify --from v1.0               accept v1.0's state, check what came after
  lifecycle verify --write-allowed-signers allowed_signers
  git -c gpg.ssh.allowedSignersFile=allowed_signers log --show-signature

Walks first-parent history from `genesis` (lifecycle.yaml), --from, or the first commit, to HEAD.
Each sign-off is checked against the people file of the parent of the commit that added it.
Exits 1 on any error finding.")]
pub struct Args {
    /// Accept this revision's state and verify only the commits after it
    #[arg(long, value_name = "REV")]
    pub from: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Re-check every commit instead of resuming after the last verified one (cached under
    /// .git/lifecycle/)
    #[arg(long)]
    pub no_cache: bool,
    /// Also write an SSH allowed-signers file of HEAD's people, for `git verify-commit`
    #[arg(long, value_name = "FILE")]
    pub write_allowed_signers: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    schema: &'static str,
    head: String,
    baseline: String,
    commits: usize,
    signoffs: usize,
    ok: bool,
    findings: &'a [crate::eval::findings::Finding],
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let git = ctx.git.as_ref().ok_or_else(|| anyhow!("{}", ctx.needs_git("verify")))?;
    let head = git.head().ok_or_else(|| anyhow!("{}", ctx.lang.t("cmd.no_commit")))?;
    ctx.require_inventory_at(git, head)?;
    let from = args.from.as_deref().map(|r| git.resolve(r)).transpose()?;
    let bar = super::progress_bar(ctx, "verify.progress");
    let started = std::time::Instant::now();
    let outcome =
        crate::verify::verify_with_progress(git, head, from, ctx.now(), !args.no_cache, &|done, total| {
            super::tick(&bar, done, total)
        })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if ctx.verbose > 0 {
        let elapsed = format!("{:.2?}", started.elapsed());
        let args: [(&str, &dyn std::fmt::Display); 4] = [
            ("commits", &outcome.commits),
            ("signoffs", &outcome.signoffs),
            ("elapsed", &elapsed),
            ("cached", &crate::render::words::count(ctx.lang, outcome.cached, "count.commit")),
        ];
        writeln!(std::io::stderr(), "{}", ctx.lang.fmt("verify.timing", &args))?;
    }

    if let Some(file) = &args.write_allowed_signers {
        let loaded = load::load(&Revision::new(git, head)?);
        let trust = Trust::from_people(&loaded.repo.people);
        let namespace = &loaded.repo.settings.signing_namespace;
        let mut lines: Vec<String> = trust
            .iter()
            .filter_map(|(_, owner, key)| {
                let principal = loaded
                    .repo
                    .person(owner)
                    .and_then(|p| p.email.clone())
                    .unwrap_or_else(|| owner.to_string());
                key.openssh().map(|k| format!("{principal} namespaces=\"git,{namespace}\" {k}"))
            })
            .collect();
        lines.sort();
        crate::store::write_atomic(file, format!("{}\n", lines.join("\n")).as_bytes())?;
    }

    let errors = outcome.findings.iter().filter(|f| f.severity == Severity::Error).count();
    match args.format {
        Format::Json => {
            let doc = Doc {
                schema: "lifecycle.verify/v1",
                head: head.to_string(),
                baseline: outcome.baseline.to_string(),
                commits: outcome.commits,
                signoffs: outcome.signoffs,
                ok: errors == 0,
                findings: &outcome.findings,
            };
            crate::render::json::write(out, &doc)?;
        }
        Format::Table => {
            if !outcome.findings.is_empty() {
                let mut t = Table::new();
                t.load_style(presets::UTF8_FULL_CONDENSED)
                    .force_no_tty()
                    .set_content_arrangement(ContentArrangement::Disabled);
                let lang = ctx.lang;
                t.set_header(
                    [
                        "verify.col.severity",
                        "verify.col.code",
                        "verify.col.commit",
                        "verify.col.where",
                        "verify.col.finding",
                    ]
                    .map(|k| lang.t(k)),
                );
                for f in &outcome.findings {
                    let severity = crate::render::words::severity(lang, f.severity);
                    let at = match (&f.path, f.line) {
                        (Some(p), Some(l)) => format!("{p}:{l}"),
                        (Some(p), None) => p.clone(),
                        _ => String::new(),
                    };
                    let commit = f.commit.as_deref().map(|c| &c[..c.len().min(10)]).unwrap_or("");
                    t.add_row(vec![
                        Cell::new(severity),
                        Cell::new(f.code),
                        Cell::new(commit),
                        Cell::new(at),
                        Cell::new(crate::render::words::finding(lang, f)),
                    ]);
                }
                crate::render::fit(&mut t, super::terminal_width());
                writeln!(out, "{t}")?;
            }
            let warnings = outcome.findings.len() - errors;
            let lang = ctx.lang;
            let verdict = lang.t(if errors == 0 { "verify.ok" } else { "verify.failed" });
            writeln!(
                out,
                "{}",
                lang.fmt(
                    "verify.summary",
                    &[
                        ("verdict", &verdict),
                        ("commits", &outcome.commits),
                        ("baseline", &&outcome.baseline.to_string()[..10]),
                        ("signoffs", &outcome.signoffs),
                        ("errors", &errors),
                        ("warnings", &warnings),
                        ("head", &&head.to_string()[..10]),
                    ]
                )
            )?;
        }
    }
    Ok(if errors > 0 { Exit::Findings } else { Exit::Clean })
}
