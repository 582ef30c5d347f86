//! `lifecycle calendar`: every deadline as an iCalendar (RFC 5545) file for calendar applications.

use crate::render::words;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use super::Ctx;
use crate::cli::Exit;
use crate::eval::advisories::{self, SecurityItem};
use crate::eval::calendar::{self, Event};
use crate::eval::status::{self, Item};
use crate::model::{ChangeRequest, Target};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle calendar -o deadlines.ics           import into any calendar application
  lifecycle calendar --lang zh-CN > 期限.ics
  lifecycle calendar --today 2024-09-01 --at origin/main

Events: the end of support, finish_by and plan_by of every component with an end date, the expiry
of approved exceptions, the respond_by and deploy_by of every advisory on every component it affects,
and the planned gray and production releases of change requests. Each
event's UID comes from what it is (kind and subject), so re-importing updates events instead of
duplicating them; DTSTAMP is --today (or LIFECYCLE_TODAY), so the file depends on nothing else.")]
pub struct Args {
    /// Write to FILE (atomically) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read the repository at this git revision without checking it out
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load_inventory(args.at.as_deref())?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    let repo = &loaded.repo;
    let today = ctx.today(repo.settings.timezone);
    let (links, approved_at) = crate::approvals::links_now(repo);
    let items = status::evaluate(repo, today, &links);
    let lang = ctx.lang;
    let describe_item = |item: &Item| {
        let s = item.system;
        let mut lines = vec![
            lang.fmt("calendar.system", &[("name", &s.name), ("id", &s.id), ("owner", &s.owner)]),
            lang.fmt(
                "calendar.component",
                &[
                    ("component", &item.component.name),
                    ("version", &item.component.version),
                    ("reason", &crate::render::reason(lang, item)),
                ],
            ),
        ];
        if let Some(change) = &item.change {
            lines.push(lang.fmt("calendar.covered", &[("change", change)]));
        }
        lines
    };
    let describe_change = |c: &ChangeRequest| {
        let mut lines = vec![lang.fmt(
            "calendar.change",
            &[
                ("id", &c.id),
                ("title", &c.title),
                ("class", &words::class_title(&repo.policy, &c.class, lang)),
            ],
        )];
        for t in &c.targets {
            if let Target::Version { system, component, from, to, .. } = t {
                lines.push(lang.fmt(
                    "calendar.target",
                    &[
                        ("target", &format!("{system}/{component}")),
                        ("from", &from.as_deref().unwrap_or("?")),
                        ("to", &to.as_deref().unwrap_or("?")),
                    ],
                ));
            }
        }
        if let Some(plan) = &c.plan {
            let who = |p: &Option<String>| p.clone().unwrap_or_else(|| "—".into());
            lines.push(lang.fmt(
                "calendar.people",
                &[("executor", &who(&plan.executor)), ("supervisor", &who(&plan.supervisor))],
            ));
        }
        lines
    };
    let describe_advisory = |a: &SecurityItem| {
        let system = repo.systems.iter().find(|s| s.id == a.system);
        let mut lines = vec![
            lang.fmt(
                "calendar.advisory",
                &[
                    ("id", &a.advisory),
                    ("severity", &words::risk(lang, a.severity)),
                    ("kev", &if a.kev { " KEV" } else { "" }),
                    (
                        "class",
                        &a.class
                            .as_deref()
                            .map(|c| words::class_title(&repo.policy, c, lang))
                            .unwrap_or("—".into()),
                    ),
                ],
            ),
        ];
        if let Some(s) = system {
            lines.push(lang.fmt("calendar.system", &[("name", &s.name), ("id", &s.id), ("owner", &s.owner)]));
        }
        if let Some(change) = &a.change {
            lines.push(lang.fmt("calendar.covered", &[("change", change)]));
        }
        lines
    };
    // Every source of deadlines adds its events here.
    let security = advisories::evaluate(repo, today, &approved_at);
    let mut events: Vec<Event> = Vec::new();
    events.extend(calendar::lifecycle_events(&items, &describe_item));
    events.extend(calendar::advisory_events(&security, &describe_advisory));
    events.extend(calendar::change_events(repo, &describe_change));
    calendar::sort(&mut events);
    match &args.output {
        None => crate::render::calendar::write(out, &events, lang, today)?,
        Some(path) => {
            let mut bytes = Vec::new();
            crate::render::calendar::write(&mut bytes, &events, lang, today)?;
            crate::store::write_atomic(path, &bytes)?;
            if !ctx.quiet {
                writeln!(
                    out,
                    "{}",
                    lang.fmt(
                        "calendar.wrote",
                        &[
                            ("events", &crate::render::words::count(lang, events.len(), "count.event")),
                            ("path", &path.display())
                        ]
                    )
                )?;
            }
        }
    }
    Ok(Exit::Clean)
}
