//! `lifecycle validate`: load every file and report every problem at once; writes nothing.

use std::io::Write;

use anyhow::Result;

use super::{Ctx, counts};
use crate::cli::Exit;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle validate
  lifecycle validate --format json     machine-readable diagnostics for editors and CI
  lifecycle validate --at HEAD~1")]
pub struct Args {
    /// Validate the files of this git revision instead of the work tree
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
    /// Output format (human diagnostics go to stderr; JSON to stdout)
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(serde::Serialize)]
struct Doc<'a> {
    schema: &'static str,
    files: usize,
    errors: usize,
    warnings: usize,
    diagnostics: &'a [crate::diag::Diagnostic],
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load_inventory(args.at.as_deref())?;
    let (errors, warnings) = counts(&loaded.diagnostics);
    let files = loaded.files;
    match args.format {
        Format::Json => {
            let doc = Doc {
                schema: "lifecycle.validate/v1",
                files,
                errors,
                warnings,
                diagnostics: &loaded.diagnostics,
            };
            crate::render::json::write(out, &doc)?;
        }
        Format::Human => {
            ctx.report(&loaded, true)?;
            let lang = ctx.lang;
            let line = match (errors, warnings) {
                (0, 0) => lang.fmt(
                    "validate.ok",
                    &[("files", &crate::render::words::count(lang, files, "count.file"))],
                ),
                (0, w) => lang.fmt(
                    "validate.warnings",
                    &[("files", &crate::render::words::count(lang, files, "count.file")), ("warnings", &w)],
                ),
                (e, w) => {
                    let files = crate::render::words::count(lang, files, "count.file");
                    lang.fmt("validate.errors", &[("files", &files), ("errors", &e), ("warnings", &w)])
                }
            };
            if !ctx.quiet || errors > 0 {
                writeln!(std::io::stderr(), "{line}")?;
            }
        }
    }
    Ok(if errors > 0 { Exit::Invalid } else { Exit::Clean })
}
