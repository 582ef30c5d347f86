//! Discovery runs in `check` (§8.1, `rules.discovery_every`): each judged kind's latest run and whether
//! the next one is overdue (`discovery-missed`), for people (table, Markdown) and machines (JSON).

use std::io::{self, Write};

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use serde::Serialize;

use super::Style;
use crate::eval::discovery::Latest;
use crate::i18n::Lang;
use crate::model::Duration;
use crate::model::run::RunKind;

/// `discovery` of the check JSON (only when the policy sets `rules.discovery_every`).
#[derive(Serialize)]
pub struct DiscoveryJson {
    pub every: String,
    pub kinds: Vec<KindJson>,
    /// How many kinds are overdue.
    pub missed: usize,
}

#[derive(Serialize)]
pub struct KindJson {
    pub kind: &'static str,
    /// RFC 3339; `null` without a run.
    pub last: Option<String>,
    pub due: Option<String>,
    pub missed: bool,
}

fn rfc3339(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn json(latest: &[Latest], every: Duration) -> DiscoveryJson {
    DiscoveryJson {
        every: every.to_string(),
        kinds: latest
            .iter()
            .map(|l| KindJson {
                kind: l.kind.as_str(),
                last: l.last.map(rfc3339),
                due: l.due.map(rfc3339),
                missed: l.missed,
            })
            .collect(),
        missed: latest.iter().filter(|l| l.missed).count(),
    }
}

/// The command that records a run of this kind.
pub fn command(kind: RunKind) -> &'static str {
    match kind {
        RunKind::Catalog => "catalog sync",
        RunKind::Advisories => "advisories sync",
        RunKind::Observe => "observe import",
    }
}

/// One line per kind, `true` for an overdue one.
fn lines(lang: Lang, latest: &[Latest], tz: Tz) -> Vec<(bool, String)> {
    let when = |t: DateTime<FixedOffset>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    latest
        .iter()
        .map(|l| {
            let kind = lang.t(&format!("disc.kind.{}", l.kind));
            let cmd = command(l.kind);
            let line = match l.last {
                None => lang.fmt("disc.never", &[("kind", &kind), ("command", &cmd)]),
                Some(last) => {
                    let due = l.due.map(when).unwrap_or_else(|| "—".into());
                    let key = if l.missed { "disc.missed" } else { "disc.ok" };
                    lang.fmt(key, &[("kind", &kind), ("last", &when(last)), ("due", &due), ("command", &cmd)])
                }
            };
            (l.missed, line)
        })
        .collect()
}

pub fn table(
    out: &mut dyn Write,
    latest: &[Latest],
    every: Duration,
    tz: Tz,
    style: Style,
) -> io::Result<()> {
    let lang = style.lang;
    writeln!(out)?;
    let title = lang.fmt("disc.title", &[("every", &every)]);
    if style.color {
        writeln!(out, "\x1b[1m{title}\x1b[0m")?;
    } else {
        writeln!(out, "{title}")?;
    }
    for (missed, line) in lines(lang, latest, tz) {
        if missed && style.color {
            writeln!(out, "  \x1b[33m{line}\x1b[0m")?;
        } else {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

pub fn markdown(
    out: &mut dyn Write,
    latest: &[Latest],
    every: Duration,
    tz: Tz,
    style: Style,
) -> io::Result<()> {
    let lang = style.lang;
    writeln!(out)?;
    writeln!(out, "### {}", lang.fmt("disc.title", &[("every", &every)]))?;
    writeln!(out)?;
    for (missed, line) in lines(lang, latest, tz) {
        if missed {
            writeln!(out, "- **{line}**")?;
        } else {
            writeln!(out, "- {line}")?;
        }
    }
    Ok(())
}
