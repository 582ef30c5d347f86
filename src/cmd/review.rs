//! `lifecycle review`: review a branch against its base, for people (Markdown) and CI (GitHub, SARIF).

use std::io::Write;

use anyhow::{Result, anyhow};

use super::Ctx;
use crate::cli::Exit;
use crate::render::review as render;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle review --base origin/main
  lifecycle review --base origin/main --format github      # annotations; Markdown to $GITHUB_STEP_SUMMARY
  lifecycle review --base main --head feature --format sarif > lifecycle.sarif

Compares HEAD (or --head) with its merge-base with --base. Every inventory version change needs an
approved change whose target matches; every change to policies/ an approved `policy` change listing the
new digest; every sign-off must verify with the keys trusted at the base. Exits 1 when anything
required is missing or invalid.")]
pub struct Args {
    /// The branch the change goes into (e.g. origin/main)
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The change's head
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Json,
    Github,
    Sarif,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let git = ctx.git.as_ref().ok_or_else(|| anyhow!("{}", ctx.needs_git("review")))?;
    let base = git.resolve(&args.base)?;
    let head = git.resolve(&args.head)?;
    ctx.require_inventory_at(git, head)?;
    let tz = crate::review::settings_at(git, base)?.timezone;
    let review = crate::review::review(git, base, head, ctx.today(tz), ctx.now())?;
    // Roles are named as the base's policy names them (ids where it has no titles): its policy
    // files are all that is read of the base for that.
    let policy = || crate::review::policy_at(git, base).unwrap_or_default();
    match args.format {
        Format::Markdown => render::markdown(out, &review, &args.base, ctx.lang, &policy())?,
        Format::Json => crate::render::json::write(out, &render::json(&review, &args.base))?,
        Format::Sarif => {
            let remote = remote_url(ctx);
            crate::render::json::write(
                out,
                &render::sarif(&review, crate::render::sarif::repository_uri(remote.as_deref())),
            )?
        }
        Format::Github => {
            render::github(out, &review, ctx.lang)?;
            if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                let mut text = Vec::new();
                render::markdown(&mut text, &review, &args.base, ctx.lang, &policy())?;
                let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&summary)?;
                file.write_all(&text)?;
            }
        }
    }
    Ok(if review.errors() > 0 { Exit::Findings } else { Exit::Clean })
}

/// The `origin` remote's URL, if the repository has one.
pub(super) fn remote_url(ctx: &Ctx) -> Option<String> {
    ctx.git.as_ref()?.remote_url("origin")
}
