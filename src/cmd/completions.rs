//! `lifecycle completions`: shell completion scripts, generated from the command line's definition.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle completions bash > ~/.local/share/bash-completion/completions/lifecycle
  lifecycle completions zsh > \"${fpath[1]}/_lifecycle\"
  lifecycle completions fish > ~/.config/fish/completions/lifecycle.fish
  lifecycle completions powershell >> $PROFILE")]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<Exit> {
    // clap_complete panics when a write fails; written to memory first, a closed pipe is an
    // ordinary error (a quiet exit), whatever the script's size.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "lifecycle", &mut script);
    out.write_all(&script)?;
    Ok(Exit::Clean)
}
