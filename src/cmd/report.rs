//! `lifecycle report` (the evidence pack, SPEC §8) and `lifecycle kpi` (its KPI table alone).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;

use super::Ctx;
use crate::cli::Exit;
use crate::i18n::Lang;
use crate::report::{self, Evidence, Period};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle report                                    the last complete quarter, Markdown
  lifecycle report --from 2024-07-01 --to 2024-09-30 --format html -o evidence-2024Q3.html
  lifecycle --lang zh-CN report --format html -o 证据包.html
  lifecycle report --format json | jq '.kpis'

Every fact comes from the repository's files and first-parent history: when each request, sign-off,
report, end-of-life date and advisory entered it. Signatures are checked against the people file
trusted when each sign-off was added, as `lifecycle verify` does. The period includes both days, in
the repository's time zone; without --to it ends with --from's quarter. --format pdf prints the
HTML to an A4 PDF through a headless Chromium ($CHROME, or chromium on PATH) and needs -o FILE.")]
pub struct Args {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
    /// Write to this file (atomically) instead of standard output
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct PeriodArgs {
    /// First day of the period (default: the first day of the last complete quarter)
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day of the period, included (default: the last day of --from's quarter, or of the last
    /// complete quarter)
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Markdown,
    Html,
    Json,
    Pdf,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle kpi
  lifecycle kpi --from 2024-01-01 --to 2024-12-31
  lifecycle kpi --format json

The same figures as section 7 of `lifecycle report`, each with its target, formula and population.
An empty population shows n/a, never 100%.")]
pub struct KpiArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = KpiFormat::Table)]
    pub format: KpiFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KpiFormat {
    Table,
    Json,
}

fn date(lang: Lang, flag: &str, text: &str) -> Result<NaiveDate> {
    crate::model::time::parse_date(text)
        .map_err(|m| super::bad_date(lang, format!("--{flag} {text}: {m}"), &format!("`--{flag}`"), text))
}

/// The end of the calendar quarter containing `d`.
fn quarter_end(d: NaiveDate) -> NaiveDate {
    let q = chrono::Datelike::month0(&d) / 3;
    let year = chrono::Datelike::year(&d);
    let next = if q == 3 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, q * 3 + 4, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(d)
}

fn period(lang: Lang, args: &PeriodArgs, today: NaiveDate) -> Result<Period> {
    let from = args.from.as_deref().map(|t| date(lang, "from", t)).transpose()?;
    let to = args.to.as_deref().map(|t| date(lang, "to", t)).transpose()?;
    let p = match (from, to) {
        (None, None) => Period::last_quarter(today),
        (Some(from), None) => Period { from, to: quarter_end(from) },
        (None, Some(to)) => {
            let q = chrono::Datelike::month0(&to) / 3;
            let from = NaiveDate::from_ymd_opt(chrono::Datelike::year(&to), q * 3 + 1, 1).unwrap_or(to);
            Period { from, to }
        }
        (Some(from), Some(to)) => Period { from, to },
    };
    if p.from > p.to {
        bail!("{}", lang.fmt("report.period_empty", &[("from", &p.from), ("to", &p.to)]));
    }
    Ok(p)
}

fn evidence(ctx: &Ctx, args: &PeriodArgs, what: &str) -> Result<Option<Evidence>> {
    let git = ctx.git.as_ref().ok_or_else(|| anyhow!("{}", ctx.needs_git(what)))?;
    let head = git.head().ok_or_else(|| anyhow!("{}", ctx.lang.t("cmd.no_commit")))?;
    ctx.require_inventory_at(git, head)?;
    let tz = crate::review::settings_at(git, head)?.timezone;
    let today = ctx.today(tz);
    let mut period = period(ctx.lang, args, today)?;
    // A period cannot end in the future: what is not yet history is not evidence. Clipping it to
    // today keeps every figure a function of the repository and the (printed) period.
    period.to = period.to.min(today.max(period.from));
    let bar = super::progress_bar(ctx, "report.progress");
    // The head loads beside the walk; its errors refuse the report.
    let gathered =
        report::gather_with_progress(git, head, period, &|done, total| super::tick(&bar, done, total));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let gathered = gathered?;
    if ctx.refuse_errors(&gathered.head)? {
        return Ok(None);
    }
    match gathered.evidence {
        Err(e) => match e.downcast_ref::<report::TooEarly>() {
            Some(early) => {
                let args: [(&str, &dyn std::fmt::Display); 3] =
                    [("from", &early.period.from), ("to", &early.period.to), ("first", &early.first)];
                let (message, hint) =
                    (ctx.lang.fmt("report.too_early", &args), ctx.lang.fmt("report.too_early_hint", &args));
                // The error line words the hint's label in the user's language.
                let text = format!("{message}\n  = hint: {hint}");
                writeln!(std::io::stderr().lock(), "{}", crate::diag::error_line(ctx.lang, &text))?;
                Ok(None)
            }
            None => Err(e),
        },
        Ok(ev) => Ok(Some(ev)),
    }
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    // A PDF is a file: refuse before walking history when there is nowhere to write it, or no
    // browser to print it with.
    let printer = match (args.format, &args.output) {
        (Format::Pdf, None) => bail!("{}", ctx.lang.t("report.pdf_needs_output")),
        (Format::Pdf, Some(_)) => Some(crate::render::report::pdf::browser(&|k| std::env::var(k).ok())?),
        _ => None,
    };
    let Some(ev) = evidence(ctx, &args.period, "report")? else { return Ok(Exit::Invalid) };
    let text = match args.format {
        Format::Markdown => crate::render::report::markdown(&ev, ctx.lang),
        Format::Html | Format::Pdf => crate::render::report::html(&ev, ctx.lang),
        Format::Json => serde_json::to_string_pretty(&ev)? + "\n",
    };
    match &args.output {
        Some(path) => {
            let path = if path.is_absolute() { path.clone() } else { std::env::current_dir()?.join(path) };
            match &printer {
                Some(browser) => crate::render::report::pdf::print(browser, &text, &path)?,
                None => crate::store::write_atomic(&path, text.as_bytes())?,
            }
            if !ctx.quiet {
                writeln!(
                    std::io::stderr(),
                    "{}",
                    ctx.lang.fmt("report.written", &[("path", &path.display())])
                )?;
            }
        }
        None => out.write_all(text.as_bytes())?,
    }
    Ok(Exit::Clean)
}

#[derive(serde::Serialize)]
struct KpiDoc<'a> {
    schema: &'static str,
    period: Period,
    head: &'a str,
    kpis: &'a [crate::eval::kpi::Kpi],
}

pub fn run_kpi(ctx: &Ctx, args: &KpiArgs, out: &mut dyn Write) -> Result<Exit> {
    let Some(ev) = evidence(ctx, &args.period, "kpi")? else { return Ok(Exit::Invalid) };
    match args.format {
        KpiFormat::Table => {
            let text = crate::render::report::kpi_table(&ev, ctx.lang, ctx.color, super::terminal_width());
            out.write_all(text.as_bytes())?;
        }
        KpiFormat::Json => {
            let doc = KpiDoc {
                schema: "lifecycle.kpi/v1",
                period: ev.period,
                head: &ev.history.head,
                kpis: &ev.kpis,
            };
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn args(from: Option<&str>, to: Option<&str>) -> PeriodArgs {
        PeriodArgs { from: from.map(str::to_string), to: to.map(str::to_string) }
    }

    #[test]
    fn periods() {
        let today = d("2024-11-22");
        assert_eq!(
            period(Lang::En, &args(None, None), today).unwrap(),
            Period { from: d("2024-07-01"), to: d("2024-09-30") }
        );
        assert_eq!(
            period(Lang::En, &args(Some("2024-08-15"), None), today).unwrap(),
            Period { from: d("2024-08-15"), to: d("2024-09-30") }
        );
        assert_eq!(
            period(Lang::En, &args(None, Some("2024-12-31")), today).unwrap(),
            Period { from: d("2024-10-01"), to: d("2024-12-31") }
        );
        assert!(period(Lang::En, &args(Some("2024-10-01"), Some("2024-09-30")), today).is_err());
        assert!(period(Lang::En, &args(Some("2024-02-30"), None), today).is_err());
    }
}
