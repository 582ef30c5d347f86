//! `lifecycle man` (hidden): the man pages, generated from the command line's definition.

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

pub fn run(args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let cmd = Cli::command();
    match &args.out_dir {
        None => clap_mangen::Man::new(cmd).render(out)?,
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("cannot write in {}", dir.display()))?;
        }
    }
    Ok(Exit::Clean)
}
