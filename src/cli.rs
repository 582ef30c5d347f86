//! The command line: global flags, subcommands, and the one place exit codes are decided.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand, ValueEnum};

use crate::cmd::{self, Ctx};
use crate::i18n::Lang;

const EXAMPLES: &str = "\
Examples:
  lifecycle check                          status of every system, worst first
  lifecycle check --fail-on due            CI gate: exit 1 when anything is due or past EOL
  lifecycle check --today 2024-09-01 --format json
  lifecycle check --at v1.2 --system redis-session
  lifecycle validate                       every problem of every file, at once
  lifecycle change new --class replacement --target redis-session/redis=7.2.0
  lifecycle people add wang.qiang --name 王强 --role architect --key wang.pub
  lifecycle approve CHG-2024-003 -m \"技术方案可行\"   sign your stage (signed statement, signed commit)
  lifecycle review --base origin/main      what a pull request changes, needs and has
  lifecycle verify                         every sign-off and change in history, against its time's trust
  lifecycle log redis-session              a system's record: versions, changes, chains, findings
  lifecycle catalog sync                   refresh end-of-life data from endoflife.date
  lifecycle advisories sync                refresh security advisories from OSV and CISA KEV
  lifecycle init --template minimal        start a repository (never overwrites a file)
  lifecycle calendar -o deadlines.ics      every deadline for your calendar
  lifecycle schema system                  JSON Schema for editors
  lifecycle completions bash               shell completions
  lifecycle man --out-dir ~/.local/share/man/man1   man pages

Exit codes: 0 nothing at or above --fail-on; 1 findings; 2 invalid input or usage.";

/// End-of-life status, deadlines and signed approvals for a git-tracked IT inventory.
///
/// Reads `inventory/`, `policies/` and `changes/` from the repository, computes every system's
/// end-of-life status and the deadlines the update policy implies, and records approvals as signed
/// statements in signed commits.
#[derive(Parser, Debug)]
#[command(name = "lifecycle", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug)]
pub struct Global {
    /// Run in DIR instead of the current directory (the repository is found by walking up)
    #[arg(short = 'C', long = "repo", global = true, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Evaluate as of DATE (YYYY-MM-DD) instead of today, in the repository's time zone
    #[arg(long, global = true, env = "LIFECYCLE_TODAY", value_name = "DATE")]
    pub today: Option<String>,
    /// Language of human output [default: from LANG]
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,
    /// When to use colours (`auto` honours NO_COLOR, CLICOLOR_FORCE, CLICOLOR and TERM=dumb)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only results, no notes
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more detail (repeat for more)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show each system's end-of-life status, deadlines and next action
    Check(cmd::check::Args),
    /// Check every file of the repository and report every problem at once
    Validate(cmd::validate::Args),
    /// Open change requests and follow their approval chains
    Change(cmd::change::Args),
    /// Add, remove or re-key a person, opening the policy change that authorises it
    People(cmd::people::Args),
    /// Sign the next stage of a change's approval chain (a signed statement in a signed commit)
    Approve(cmd::approve::Args),
    /// Sign a rejection; the change stops until its request is edited
    Reject(cmd::reject::Args),
    /// Sign completion on a change's committed execution report
    Confirm(cmd::confirm::Args),
    /// Verify history: every sign-off, inventory version change and policy change
    Verify(cmd::verify::Args),
    /// A system's running record: versions over time, the changes behind them, findings
    Log(cmd::log::Args),
    /// Review a branch against its base: what it changes, what it needs, what it has
    Review(cmd::review::Args),
    /// The evidence pack: policy, inventory, discovery, every change with its signed chain, KPIs
    Report(cmd::report::Args),
    /// The KPI table alone: target, measured value, formula and population
    Kpi(cmd::report::KpiArgs),
    /// Import or fetch endoflife.date lifecycle data into inventory/products/
    Catalog(cmd::catalog::Args),
    /// Import or fetch security advisories (OSV, CISA KEV) into advisories/
    Advisories(cmd::advisories::Args),
    /// Import what scanners saw (SBOMs, package lists, CSV) into inventory/observed/
    Observe(cmd::observe::Args),
    /// Start a lifecycle repository: settings, policy, people, an example, CI, schemas
    Init(cmd::init::Args),
    /// Print the JSON Schema of a kind of file, for editors (yaml-language-server) and CI
    Schema(cmd::schema::Args),
    /// Write every deadline as an iCalendar (.ics) file
    Calendar(cmd::calendar::Args),
    /// Print a shell completion script
    Completions(cmd::completions::Args),
    /// Print the man page (roff), or write one per command
    Man(cmd::man::Args),
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing at or above the threshold.
    Clean,
    /// Findings at or above the threshold.
    Findings,
    /// Invalid input or usage; nothing was written.
    Invalid,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::Invalid => 2,
        })
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let env = |name: &str| std::env::var(name).ok();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `--help` speaks the language asked for, so the language is known before parsing.
    let help_lang = crate::help::lang_of_args(&args).unwrap_or_else(|| Lang::from_env(&env));
    let cli = match crate::help::localized(help_lang)
        .try_get_matches_from(&args)
        .and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let color = match cli.global.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => auto_color(&env, std::io::stdout().is_terminal()),
    };
    let lang = cli.global.lang.unwrap_or_else(|| Lang::from_env(&env));
    let result = Ctx::new(&cli.global, lang, color).and_then(|ctx| {
        // Block-buffered: stdout is line-buffered, and a large JSON document would cost a write per line.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let exit = match &cli.command {
            Command::Check(args) => cmd::check::run(&ctx, args, &mut out),
            Command::Validate(args) => cmd::validate::run(&ctx, args, &mut out),
            Command::Change(args) => cmd::change::run(&ctx, args, &mut out),
            Command::People(args) => cmd::people::run(&ctx, args, &mut out),
            Command::Approve(args) => cmd::approve::run(&ctx, args, &mut out),
            Command::Reject(args) => cmd::reject::run(&ctx, args, &mut out),
            Command::Confirm(args) => cmd::confirm::run(&ctx, args, &mut out),
            Command::Verify(args) => cmd::verify::run(&ctx, args, &mut out),
            Command::Log(args) => cmd::log::run(&ctx, args, &mut out),
            Command::Review(args) => cmd::review::run(&ctx, args, &mut out),
            Command::Report(args) => cmd::report::run(&ctx, args, &mut out),
            Command::Kpi(args) => cmd::report::run_kpi(&ctx, args, &mut out),
            Command::Catalog(args) => cmd::catalog::run(&ctx, args, &mut out),
            Command::Advisories(args) => cmd::advisories::run(&ctx, args, &mut out),
            Command::Observe(args) => cmd::observe::run(&ctx, args, &mut out),
            Command::Init(args) => cmd::init::run(&ctx, args, &mut out),
            Command::Schema(args) => cmd::schema::run(&ctx, args, &mut out),
            Command::Calendar(args) => cmd::calendar::run(&ctx, args, &mut out),
            Command::Completions(args) => cmd::completions::run(args, &mut out),
            Command::Man(args) => cmd::man::run(args, ctx.quiet, &mut out),
        };
        out.flush().map_err(anyhow::Error::from).and(exit)
    });
    crate::sign::pgp::cleanup();
    match result {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{}", crate::diag::error_line(lang, &error_text(lang, &e)));
            Exit::Invalid.into()
        }
    }
}

/// Colour under `--color auto`, as the terminal conventions say (and anstream decides for clap):
/// `NO_COLOR` (non-empty) never; else `CLICOLOR_FORCE` (non-empty, not `0`) always; else `CLICOLOR=0`
/// never; else on a terminal unless `TERM=dumb`.
pub fn auto_color(env: &dyn Fn(&str) -> Option<String>, terminal: bool) -> bool {
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    if set("NO_COLOR").is_some() {
        return false;
    }
    if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
        return true;
    }
    if set("CLICOLOR").is_some_and(|v| v == "0") {
        return false;
    }
    terminal && env("TERM").is_none_or(|t| t != "dumb")
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// An error as the user reads it: the errors the tool knows in every language, the rest as they come.
fn error_text(lang: Lang, e: &anyhow::Error) -> String {
    match e.downcast_ref::<crate::git::BadRevision>() {
        Some(crate::git::BadRevision { rev, why: Some(why) }) => {
            lang.fmt("cmd.unknown_revision", &[("rev", rev), ("why", why)])
        }
        Some(crate::git::BadRevision { rev, why: None }) => lang.fmt("cmd.not_a_commit", &[("rev", rev)]),
        None => format!("{e:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::auto_color;

    #[test]
    fn colour_follows_the_terminal_conventions() {
        let with = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        assert!(auto_color(&with(&[]), true));
        assert!(!auto_color(&with(&[]), false));
        assert!(!auto_color(&with(&[("TERM", "dumb")]), true));
        assert!(auto_color(&with(&[("CLICOLOR_FORCE", "1")]), false));
        assert!(auto_color(&with(&[("CLICOLOR_FORCE", "1"), ("TERM", "dumb")]), false));
        assert!(!auto_color(&with(&[("CLICOLOR_FORCE", "0")]), false));
        assert!(!auto_color(&with(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), true));
        assert!(!auto_color(&with(&[("CLICOLOR", "0")]), true));
        assert!(auto_color(&with(&[("NO_COLOR", "")]), true));
    }
}
