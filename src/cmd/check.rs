//! `lifecycle check`: end-of-life status, deadlines and the next action for every component.

use std::io::Write;

use anyhow::{Result, bail};

use super::Ctx;
use crate::cli::Exit;
use crate::diag::suggest;
use crate::eval::advisories;
use crate::eval::status::{self, Status, Summary};
use crate::render::{self, json};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle check
  lifecycle check --status eol --status due --owner platform
  lifecycle check --today 2024-09-01 --format json
  lifecycle check --format sarif > lifecycle-check.sarif      for code scanning
  lifecycle check --format github --fail-on due               annotations in a GitHub workflow
  lifecycle check --at origin/main --fail-on warn")]
pub struct Args {
    /// Read the repository at this git revision (commit, branch, tag) without checking it out
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
    /// Only this system (repeatable)
    #[arg(long = "system", value_name = "ID")]
    pub systems: Vec<String>,
    /// Only systems of this owner
    #[arg(long, value_name = "OWNER")]
    pub owner: Option<String>,
    /// Only components with this status (repeatable)
    #[arg(long = "status", value_enum, value_name = "STATUS")]
    pub statuses: Vec<StatusArg>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Exit 1 when a violation at or above this status exists (eol > due > warn), or a security
    /// deadline is overdue; `drift` also fails on inventory drift (declared vs observed)
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Markdown,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// GitHub Actions annotations
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Eol,
    Due,
    Warn,
    // Everything `warn` fails on, and inventory drift (`inventory-drift`).
    Drift,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatusArg {
    Ok,
    Warn,
    Due,
    Eol,
    Unknown,
    Accepted,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Status {
        match s {
            StatusArg::Ok => Status::Ok,
            StatusArg::Warn => Status::Warn,
            StatusArg::Due => Status::Due,
            StatusArg::Eol => Status::Eol,
            StatusArg::Unknown => Status::Unknown,
            StatusArg::Accepted => Status::Accepted,
        }
    }
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load_inventory(args.at.as_deref())?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    let repo = &loaded.repo;
    for id in &args.systems {
        if repo.system(id).is_none() {
            let hint = suggest(id, repo.systems.iter().map(|s| s.id.as_str()))
                .map(|s| ctx.lang.fmt("check.did_you_mean", &[("near", &s)]))
                .unwrap_or_default();
            let missing = match &args.at {
                Some(rev) => ctx.lang.fmt("check.no_system_rev", &[("id", id), ("commit", rev)]),
                None => ctx.lang.fmt("check.no_system_tree", &[("id", id)]),
            };
            bail!("{missing}{hint}");
        }
    }
    let today = ctx.today(repo.settings.timezone);
    // Approved changes cover their targets; approved exceptions accept a risk until a date.
    let (links, approved_at) = crate::approvals::links_now(repo);
    let statuses: Vec<Status> = args.statuses.iter().map(|s| (*s).into()).collect();
    let items: Vec<_> = status::evaluate(repo, today, &links)
        .into_iter()
        .filter(|i| args.systems.is_empty() || args.systems.contains(&i.system.id))
        .filter(|i| args.owner.as_ref().is_none_or(|o| &i.system.owner == o))
        .filter(|i| statuses.is_empty() || statuses.contains(&i.status))
        .collect();
    let shown = |system: &str| {
        (args.systems.is_empty() || args.systems.iter().any(|s| s == system))
            && args.owner.as_ref().is_none_or(|o| repo.system(system).is_some_and(|s| &s.owner == o))
    };
    let security: Vec<_> =
        advisories::evaluate(repo, today, &approved_at).into_iter().filter(|i| shown(&i.system)).collect();
    let counts = advisories::Counts::of(&security);
    let mut summary = Summary::of(&items);
    summary.advisories = security.len();
    summary.advisories_overdue = counts.overdue;
    let observed = crate::eval::observed::evaluate(repo, today);
    let undeclared: Vec<_> = observed.undeclared.iter().filter(|u| shown(&u.system)).collect();
    let drifts = undeclared.len()
        + items
            .iter()
            .filter_map(|i| observed.items.get(&(i.system.id.clone(), i.component.name.clone())))
            .filter(|s| s.drift != crate::eval::observed::Drift::None)
            .count();
    let tz = repo.settings.timezone;
    let every = repo.policy.rules.discovery_every;
    let kinds = crate::eval::discovery::judged_kinds(repo);
    let discovery = every.map(|e| crate::eval::discovery::latest(&repo.runs, today, tz, e, &kinds));
    let discovery_missed = discovery.iter().flatten().filter(|l| l.missed).count();
    let style = ctx.style();
    match args.format {
        Format::Table => {
            render::check::table(
                out,
                &items,
                &summary,
                &repo.policy.eol,
                today,
                style,
                super::terminal_width(),
            )?;
            render::observed::table(
                out,
                &observed,
                &items,
                &undeclared,
                drifts,
                style,
                super::terminal_width(),
            )?;
            let security = titled(&security, &repo.policy, style.lang);
            render::security::table(out, &security, tz, style, super::terminal_width())?;
            if let (Some(latest), Some(every)) = (&discovery, every) {
                render::discovery::table(out, latest, every, tz, style)?;
            }
        }
        Format::Markdown => {
            let security = titled(&security, &repo.policy, style.lang);
            render::check::markdown(out, &items, &summary, &repo.policy.eol, today, style)?;
            render::observed::markdown(out, &observed, &items, &undeclared, drifts, style)?;
            render::security::markdown(out, &security, tz, style)?;
            if let (Some(latest), Some(every)) = (&discovery, every) {
                render::discovery::markdown(out, latest, every, tz, style)?;
            }
        }
        Format::Json => {
            let doc = json::CheckDoc {
                schema: "lifecycle.check/v1",
                today: today.format("%Y-%m-%d").to_string(),
                summary: &summary,
                items: items
                    .iter()
                    .map(|i| json::CheckItem {
                        observed: render::observed::item_json(&observed, i),
                        ..json::check_item(i)
                    })
                    .collect(),
                advisories: security.iter().map(json::advisory_item).collect(),
                undeclared: observed
                    .any
                    .then(|| undeclared.iter().map(|u| render::observed::undeclared_json(u)).collect()),
                observations: observed
                    .any
                    .then(|| render::observed::summary_json(&observed, &undeclared, drifts)),
                discovery: discovery.as_deref().zip(every).map(|(l, e)| render::discovery::json(l, e)),
            };
            json::write(out, &doc)?
        }
        Format::Sarif | Format::Github => {
            let lang = if args.format == Format::Sarif { crate::i18n::Lang::En } else { ctx.lang };
            let mut results = render::sarif::check_results(repo, &items, &security, lang);
            results.extend(render::sarif::drift_results(repo, &items, &observed, &undeclared));
            if args.format == Format::Github {
                render::sarif::check_github(out, &results)?;
            } else {
                let revision = ctx.git.as_ref().and_then(|g| match args.at.as_deref() {
                    Some(rev) => g.resolve(rev).ok(),
                    None => g.head(),
                });
                let remote = ctx.git.as_ref().and_then(|g| g.remote_url("origin"));
                let uri = render::sarif::repository_uri(remote.as_deref());
                json::write(out, &render::sarif::check_log(&results, revision.map(|r| r.to_string()), uri))?;
            }
        }
    }
    let threshold = match args.fail_on {
        FailOn::Never => return Ok(Exit::Clean),
        FailOn::Warn | FailOn::Drift => Status::Warn,
        FailOn::Due => Status::Due,
        FailOn::Eol => Status::Eol,
    };
    // An overdue security deadline fails every threshold: it is past its policy's own limit. A missed
    // discovery is a warning: `warn` and `drift` fail on it.
    let failing = items.iter().any(|i| i.violation && i.date_status >= threshold)
        || counts.overdue > 0
        || (threshold == Status::Warn && discovery_missed > 0)
        || (args.fail_on == FailOn::Drift && drifts > 0);
    Ok(if failing { Exit::Findings } else { Exit::Clean })
}

/// The security items with each class named as people read it (its title in Chinese), for the
/// human formats; JSON keeps the ids.
fn titled(
    items: &[crate::eval::advisories::SecurityItem],
    policy: &crate::model::Policy,
    lang: crate::i18n::Lang,
) -> Vec<crate::eval::advisories::SecurityItem> {
    let mut items = items.to_vec();
    for i in &mut items {
        i.class = i.class.as_ref().map(|c| render::words::class_title(policy, c, lang));
    }
    items
}
