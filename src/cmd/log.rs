//! `lifecycle log SYSTEM`: the system's running record from the ledger (SPEC §6).

use std::io::Write;

use anyhow::{Result, anyhow};
use comfy_table::{ContentArrangement, Table, presets};

use super::Ctx;
use crate::cli::Exit;
use crate::i18n::Lang;
use crate::log::SystemLog;
use crate::render::words;

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle log redis-session
  lifecycle log redis-session --format json
  lifecycle log redis-session --format markdown > redis-session.md

Every version the system ran and the commit that recorded it, the change that authorised each move
(with its chain and execution), exceptions, end-date moves and findings, read from the same replay
of history as `verify`. Exits 1 when a finding about the system is an error.")]
pub struct Args {
    /// The system's id (any id it had: renames are followed)
    pub system: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let git = ctx.git.as_ref().ok_or_else(|| anyhow!("{}", ctx.needs_git("log")))?;
    let head = git.head().ok_or_else(|| anyhow!("{}", ctx.lang.t("cmd.no_commit")))?;
    let record = crate::log::log(git, head, &args.system, ctx.now())?;
    if record.entries.is_empty() && record.changes.is_empty() {
        let head = &head.to_string()[..10];
        return Err(anyhow!(
            "{}",
            ctx.lang.fmt("log.no_system", &[("system", &args.system), ("head", &head)])
        ));
    }
    match args.format {
        Format::Json => crate::render::json::write(out, &record)?,
        Format::Table | Format::Markdown => {
            // Roles and classes are named as the policy of the work tree names them; ids without one.
            let policy = ctx.load(None).map(|l| l.repo.policy).unwrap_or_default();
            write_text(ctx.lang, &policy, &record, args.format, out)?
        }
    }
    let errors = record.findings.iter().any(|f| f.severity == crate::eval::findings::Severity::Error);
    Ok(if errors { Exit::Findings } else { Exit::Clean })
}

/// One table of rows, as a terminal table or Markdown: the same words either way.
fn table(lang: Lang, header: &[&str], rows: Vec<Vec<String>>, format: Format) -> String {
    // Cells may hold several lines (a chain, one sign-off a line): Markdown breaks them with <br>.
    let header: Vec<&str> = header.iter().map(|k| lang.t(k)).collect();
    if format == Format::Markdown {
        let mut s = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
        for r in rows {
            s.push_str(&format!("| {} |\n", r.join(" | ").replace('\n', "<br>")));
        }
        return s;
    }
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled);
    t.set_header(header);
    for r in rows {
        t.add_row(r);
    }
    format!("{t}\n")
}

fn write_text(
    lang: Lang,
    policy: &crate::model::Policy,
    record: &SystemLog,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    let title = lang.fmt("log.title", &[("system", &record.system), ("head", &&record.head[..10])]);
    let heading = if format == Format::Markdown { "## " } else { "" };
    writeln!(out, "{}{title}\n", if format == Format::Markdown { "# " } else { "" })?;
    let rows = record
        .entries
        .iter()
        .map(|e| {
            let what = match (&e.before, &e.after) {
                (Some(b), Some(a)) => format!("{b} → {a}"),
                (None, Some(a)) => a.clone(),
                (Some(b), None) => b.clone(),
                _ => String::new(),
            };
            let change = match (&e.change, e.free) {
                (Some(c), _) => c.clone(),
                (None, true) => lang.t("log.free").to_string(),
                (None, false) => lang.t("log.unapproved").to_string(),
            };
            vec![
                e.at.format("%Y-%m-%d %H:%M").to_string(),
                e.commit[..10].to_string(),
                lang.t(&format!("log.kind.{}", e.kind)).to_string(),
                e.component.clone().unwrap_or_default(),
                what,
                change,
            ]
        })
        .collect();
    let header = [
        "log.col.at",
        "log.col.commit",
        "log.col.event",
        "log.col.component",
        "log.col.what",
        "log.col.change",
    ];
    writeln!(out, "{heading}{}", lang.t("log.history"))?;
    write!(out, "{}", table(lang, &header, rows, format))?;
    if !record.changes.is_empty() {
        let rows = record.changes.iter().map(|c| change_row(lang, policy, c)).collect();
        let header =
            ["log.col.change", "log.col.class", "log.col.state", "log.col.chain", "log.col.execution"];
        writeln!(out, "\n{heading}{}", lang.t("log.changes"))?;
        write!(out, "{}", table(lang, &header, rows, format))?;
    }
    if !record.findings.is_empty() {
        writeln!(out, "\n{heading}{}", lang.t("log.findings"))?;
        for f in &record.findings {
            let commit = f.commit.as_deref().map(|c| &c[..c.len().min(10)]).unwrap_or("");
            let (_, _, colon) = crate::diag::marks(lang);
            writeln!(
                out,
                "- {} `{}` {commit}{colon}{}",
                f.code,
                f.path.as_deref().unwrap_or(""),
                crate::render::words::finding(lang, f)
            )?;
        }
    }
    Ok(())
}

/// One change of the record: id, class, state, its chain one sign-off a line, and its execution.
fn change_row(lang: Lang, policy: &crate::model::Policy, c: &crate::log::ChangeRecord) -> Vec<String> {
    let chain: Vec<String> = c
        .chain
        .iter()
        .map(|s| {
            let standing = words::paren(lang, &words::standing(lang, s.standing));
            let stage = words::role_title(policy, &s.stage, lang);
            format!("{stage} {} {}{standing}", s.by, words::decision(lang, s.decision))
        })
        .collect();
    let done = match (&c.finished_at, &c.outcome) {
        (Some(f), Some(o)) => format!("{} {}", f.format("%Y-%m-%d"), words::outcome_word(lang, o)),
        (None, Some(o)) => words::outcome_word(lang, o),
        _ => c.until.map(|u| lang.fmt("log.until", &[("date", &u)])).unwrap_or_default(),
    };
    vec![
        c.id.clone(),
        words::class_title(policy, &c.class, lang),
        words::state_word(lang, c.state),
        chain.join("\n"),
        done,
    ]
}
