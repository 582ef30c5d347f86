//! `lifecycle man`: the man pages, generated from the command line's definition.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::{Cli, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle man | man -l -
  lifecycle man --out-dir /usr/local/share/man/man1     lifecycle.1 and one page per command")]
pub struct Args {
    /// Write lifecycle.1 and lifecycle-<command>.1 for every command into DIR
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

pub fn run(args: &Args, quiet: bool, out: &mut dyn Write) -> Result<Exit> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    match &args.out_dir {
        None => out.write_all(&page(cmd)?)?,
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let mut pages = Vec::new();
            collect(cmd, &mut pages)?;
            for (name, bytes) in pages {
                let path = dir.join(&name);
                crate::store::write_atomic(&path, &bytes)?;
                if !quiet {
                    writeln!(out, "wrote {}", path.display())?;
                }
            }
        }
    }
    Ok(Exit::Clean)
}

/// Every page (`lifecycle.1`, `lifecycle-check.1`, …) as clap_mangen names them, subcommands first.
fn collect(cmd: clap::Command, pages: &mut Vec<(String, Vec<u8>)>) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
        collect(sub, pages)?;
    }
    let name = clap_mangen::Man::new(cmd.clone()).get_filename();
    pages.push((name, page(cmd)?));
    Ok(())
}

/// One page in roff that any groff reads the same: a coding tag for man-db's preconv, and every
/// non-ASCII character written as a groff Unicode escape (`\[u738B]`), so neither a Latin-1 default
/// nor a missing preconv garbles the Chinese examples.
fn page(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut roff)?;
    let text = String::from_utf8(roff).context("the man page is not UTF-8")?;
    let mut out = String::from("'\\\" -*- coding: us-ascii -*-\n");
    // A terminal without the glyph (LANG=C: groff -Tascii) shows `?` instead of nothing.
    let mut used: Vec<char> = text.chars().filter(|c| !c.is_ascii()).collect();
    used.sort_unstable();
    used.dedup();
    for c in used {
        let u = c as u32;
        out.push_str(&format!(".if !c\\[u{u:04X}] .char \\[u{u:04X}] ?\n"));
    }
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    Ok(out.into_bytes())
}
