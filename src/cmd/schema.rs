//! `lifecycle schema`: JSON Schemas of the repository's YAML files, for editors and CI.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::Ctx;
use crate::cli::Exit;
use crate::load::schema::{Kind, schema};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle schema system > .lifecycle/schemas/system.json
  lifecycle schema --out-dir .lifecycle/schemas      every schema, one file per kind
  lifecycle schema                                   list the kinds

In a YAML file, a first-line comment tells yaml-language-server (VS Code's YAML extension) which
schema to use:
  # yaml-language-server: $schema=../../.lifecycle/schemas/system.json")]
pub struct Args {
    /// The kind of file whose schema to print
    #[arg(value_enum)]
    pub kind: Option<Kind>,
    /// Write every schema into DIR as <kind>.json (atomically) instead of printing one
    #[arg(long, value_name = "DIR", conflicts_with = "kind")]
    pub out_dir: Option<PathBuf>,
}

/// The text of a kind's schema as the tool writes it: pretty JSON and a final newline.
pub fn text(kind: Kind) -> String {
    let mut s = serde_json::to_string_pretty(&schema(kind)).unwrap_or_default();
    s.push('\n');
    s
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    if let Some(dir) = &args.out_dir {
        let dir = if dir.is_absolute() { dir.clone() } else { std::env::current_dir()?.join(dir) };
        for kind in Kind::ALL {
            let path = dir.join(format!("{}.json", kind.name()));
            crate::store::write_atomic(&path, text(kind).as_bytes())?;
            if !ctx.quiet {
                writeln!(out, "{}", ctx.lang.fmt("schema.wrote", &[("path", &path.display())]))?;
            }
        }
        return Ok(Exit::Clean);
    }
    match args.kind {
        Some(kind) => out.write_all(text(kind).as_bytes())?,
        None => {
            for kind in Kind::ALL {
                writeln!(out, "{:<10} {}", kind.name(), ctx.lang.t(&format!("schema.kind.{}", kind.name())))?;
            }
        }
    }
    Ok(Exit::Clean)
}
