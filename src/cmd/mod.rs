//! One module per subcommand, each with its clap `Args` and a `run` function.

pub mod advisories;
pub mod approve;
pub mod calendar;
pub mod catalog;
pub mod change;
pub mod check;
pub mod completions;
pub mod confirm;
pub mod init;
pub mod log;
pub mod man;
pub mod observe;
pub mod people;
pub mod reject;
pub mod report;
pub mod review;
pub mod schema;
pub mod validate;
pub mod verify;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Result, bail};
use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::cli::{ColorChoice, Global};
use crate::diag::{self, Diagnostic};
use crate::git::Git;
use crate::i18n::Lang;
use crate::load::{self, Loaded, Revision, WorkTree};
use crate::render::Style;

/// What every command needs: where the repository is, the date, and how to print.
pub struct Ctx {
    pub root: PathBuf,
    pub git: Option<Git>,
    today: Option<NaiveDate>,
    pub lang: Lang,
    pub color: bool,
    /// Colour for diagnostics on stderr (decided on stderr's own terminal under `auto`).
    pub diag_color: bool,
    pub quiet: bool,
    pub verbose: u8,
}

impl Ctx {
    pub fn new(g: &Global, lang: Lang, color: bool) -> Result<Ctx> {
        let start = match &g.repo {
            Some(dir) => dir.clone(),
            None => std::env::current_dir()?,
        };
        if !start.is_dir() {
            bail!("{}", lang.fmt("cmd.not_dir", &[("path", &start.display())]));
        }
        let git = Git::discover(&start);
        let root = git.as_ref().and_then(Git::workdir).unwrap_or_else(|| start.clone());
        let today = match &g.today {
            Some(text) => Some(crate::model::time::parse_date(text).map_err(|m| {
                bad_date(
                    lang,
                    format!("--today / LIFECYCLE_TODAY: {m}"),
                    "`--today` / `LIFECYCLE_TODAY`",
                    text,
                )
            })?),
            None => None,
        };
        let diag_color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                crate::cli::auto_color(&|k| std::env::var(k).ok(), std::io::stderr().is_terminal())
            }
        };
        Ok(Ctx { root, git, today, lang, color, diag_color, quiet: g.quiet, verbose: g.verbose })
    }

    /// Today in the repository's time zone, or the pinned `--today`. The only clock read.
    pub fn today(&self, tz: Tz) -> NaiveDate {
        self.today.unwrap_or_else(|| chrono::Utc::now().with_timezone(&tz).date_naive())
    }

    /// The day pinned by `--today` or `LIFECYCLE_TODAY`, if any.
    pub fn pinned_today(&self) -> Option<NaiveDate> {
        self.today
    }

    /// The current instant: `GIT_COMMITTER_DATE` when set (as git records it in commits), else the clock.
    pub fn now(&self) -> chrono::DateTime<chrono::FixedOffset> {
        std::env::var("GIT_COMMITTER_DATE")
            .ok()
            .and_then(|d| crate::git::parse_git_date(&d))
            .unwrap_or_else(|| chrono::Utc::now().fixed_offset())
    }

    pub fn style(&self) -> Style {
        Style { lang: self.lang, color: self.color }
    }

    /// Loads the work tree, or the tree of `at` without touching the work tree.
    pub fn load(&self, at: Option<&str>) -> Result<Loaded> {
        match at {
            None => Ok(load::load(&WorkTree::new(&self.root))),
            Some(rev) => {
                let Some(git) = &self.git else {
                    bail!("{}", self.needs_git("--at"));
                };
                let commit = git.resolve(rev)?;
                Ok(load::load(&Revision::new(git, commit)?))
            }
        }
    }

    /// [`Ctx::load`], refusing a place that holds no inventory at all (no `lifecycle.yaml`, no file
    /// in any configured folder): a gate pointed at the wrong folder must fail, not pass on nothing.
    pub fn load_inventory(&self, at: Option<&str>) -> Result<Loaded> {
        let loaded = self.load(at)?;
        if loaded.files > 0 || loaded.texts.contains_key("lifecycle.yaml") {
            return Ok(loaded);
        }
        let p = &loaded.repo.settings.paths;
        let folders = [&p.systems, &p.products, &p.policies, &p.changes]
            .iter()
            .map(|f| format!("{f}/"))
            .collect::<Vec<_>>()
            .join(", ");
        let place = match at {
            None => self.root.display().to_string(),
            Some(rev) => self.lang.fmt("load.revision", &[("rev", &rev)]),
        };
        let lang = self.lang;
        bail!(
            "{}\n  = hint: {}",
            lang.fmt("load.no_inventory", &[("place", &place), ("folders", &folders)]),
            lang.t("load.no_inventory_hint")
        );
    }

    /// Refuses a commit that holds no inventory (no `lifecycle.yaml`, no file in a configured folder):
    /// `verify`, `review` and `report` pointed at the wrong repository must fail, not pass on nothing.
    pub fn require_inventory_at(&self, git: &Git, commit: git2::Oid) -> Result<()> {
        if git.read_at(commit, "lifecycle.yaml")?.is_some() {
            return Ok(());
        }
        let p = crate::review::settings_at(git, commit)?.paths;
        for dir in [&p.systems, &p.products, &p.policies, &p.changes] {
            if !git.list(commit, dir)?.is_empty() {
                return Ok(());
            }
        }
        let folders = [&p.systems, &p.products, &p.policies, &p.changes].map(|f| format!("{f}/")).join(", ");
        let short = commit.to_string();
        let root = self.root.display().to_string();
        let commit = &short[..short.len().min(12)];
        let place =
            self.lang.fmt("load.at_commit", &[("root", &root.trim_end_matches('/')), ("commit", &commit)]);
        let lang = self.lang;
        bail!(
            "{}\n  = hint: {}",
            lang.fmt("load.no_inventory", &[("place", &place), ("folders", &folders)]),
            lang.t("load.no_inventory_hint")
        );
    }

    /// "`log` needs a git repository; DIR is not in one", in the reader's language.
    pub fn needs_git(&self, command: &str) -> String {
        self.lang.fmt("cmd.needs_git", &[("command", &command), ("path", &self.root.display())])
    }

    /// Prints diagnostics to stderr (errors always; warnings unless `quiet`).
    pub fn report(&self, loaded: &Loaded, warnings: bool) -> Result<()> {
        let color = self.diag_color;
        let mut err = std::io::stderr().lock();
        for d in loaded.diagnostics.iter().filter(|d| d.is_error() || (warnings && !self.quiet)) {
            write!(err, "{}", diag::render(d, &|p| loaded.text(p), color, self.lang))?;
            writeln!(err)?;
        }
        Ok(())
    }

    /// When loading found errors, prints them and says the command cannot go on.
    pub fn refuse_errors(&self, loaded: &Loaded) -> Result<bool> {
        if !loaded.has_errors() {
            return Ok(false);
        }
        self.report(loaded, false)?;
        let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        let mut err = std::io::stderr().lock();
        let message = format!(
            "{}\n  = hint: {}",
            self.lang.fmt("load.failed", &[("errors", &errors)]),
            self.lang.t("load.failed_hint")
        );
        writeln!(err, "{}", diag::error_line(self.lang, &message))?;
        Ok(true)
    }
}

/// Counts for diagnostics.
/// A date option that does not parse. English keeps the parser's detailed `english`; other languages
/// name the `option` (as written in the message, code-quoted) and `value`, and say how to write a date.
pub fn bad_date(lang: Lang, english: String, option: &str, value: &str) -> anyhow::Error {
    match lang {
        Lang::En => anyhow::anyhow!(english),
        _ => anyhow::anyhow!("{}", lang.fmt("cmd.bad_date", &[("option", &option), ("value", &value)])),
    }
}

pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    (errors, diags.len() - errors)
}

/// The terminal width when stdout is a terminal.
pub fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).or_else(|| comfy_table::Table::new().width())
}

/// A progress bar on stderr for long walks, labelled with the i18n key `message`: only on a
/// terminal, never with `-q`. Short walks finish before the first draw, so it appears only when
/// there is a wait.
pub(crate) fn progress_bar(ctx: &Ctx, message: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if ctx.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} ({eta})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(ctx.lang.t(message));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// Feeds a progress bar now and then: updating it costs more than a commit's work.
pub(crate) fn tick(bar: &Option<indicatif::ProgressBar>, done: usize, total: usize) {
    if let Some(bar) = bar
        && (done <= 1 || done.is_multiple_of(64) || done == total)
    {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}
