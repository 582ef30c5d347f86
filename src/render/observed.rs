//! The observed state in `check` (§5.4): undeclared end-of-life packages first, then every drift, for
//! people (table and Markdown) and machines (JSON fields of `lifecycle.check/v1`).

use std::io::{self, Write};

use serde::Serialize;

use super::{Style, status_word};
use crate::eval::observed::{Drift, MatchedBy, Observations, ObservedState, Undeclared};
use crate::eval::status::{Item, Status};
use crate::i18n::Lang;

/// `items[].observed` of the check JSON.
#[derive(Serialize)]
pub struct ObservedJson {
    pub versions: Vec<String>,
    pub hosts: usize,
    pub scanned_hosts: usize,
    pub collected_at: String,
    pub drift: Drift,
    /// Hosts where a version other than the declared one was seen.
    pub drift_hosts: Vec<String>,
    pub stale: bool,
}

/// `undeclared[]` of the check JSON.
#[derive(Serialize)]
pub struct UndeclaredJson {
    pub system: String,
    pub product: String,
    pub name: String,
    pub versions: Vec<String>,
    pub hosts: usize,
    pub collected_at: String,
    pub matched_by: MatchedBy,
    pub cycle: Option<String>,
    pub end: Option<String>,
    pub status: &'static str,
    pub stale: bool,
}

/// `observations` of the check JSON: the counts behind the lines.
#[derive(Serialize)]
pub struct SummaryJson {
    pub systems: usize,
    pub stale_systems: usize,
    pub drifts: usize,
    pub undeclared: usize,
    pub undeclared_eol: usize,
    pub unmatched: usize,
}

fn ts(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The item's `observed` value: absent (None) when the repository has no observation at all, `null`
/// when its system has none.
pub fn item_json(obs: &Observations, i: &Item) -> Option<Option<ObservedJson>> {
    if !obs.any {
        return None;
    }
    let state = obs.items.get(&(i.system.id.clone(), i.component.name.clone()));
    Some(state.map(|s| ObservedJson {
        versions: s.versions.clone(),
        hosts: s.hosts,
        scanned_hosts: s.scanned,
        collected_at: ts(s.collected_at),
        drift: s.drift,
        drift_hosts: s.drift_hosts.clone(),
        stale: s.stale,
    }))
}

pub fn undeclared_json(u: &Undeclared) -> UndeclaredJson {
    UndeclaredJson {
        system: u.system.clone(),
        product: u.product.clone(),
        name: u.name.clone(),
        versions: u.versions.clone(),
        hosts: u.hosts,
        collected_at: ts(u.collected_at),
        matched_by: u.matched_by,
        cycle: u.verdict.cycle.clone(),
        end: u.verdict.end.map(|d| d.to_string()),
        status: u.verdict.status.as_str(),
        stale: u.stale,
    }
}

pub fn summary_json(obs: &Observations, undeclared: &[&Undeclared], drifts: usize) -> SummaryJson {
    SummaryJson {
        systems: obs.systems,
        stale_systems: obs.stale_systems,
        drifts,
        undeclared: undeclared.len(),
        undeclared_eol: undeclared.iter().filter(|u| u.verdict.status == Status::Eol).count(),
        unmatched: obs.unmatched,
    }
}

fn undeclared_line(lang: Lang, u: &Undeclared) -> String {
    let end = u.verdict.end.map(|d| lang.fmt("obs.end", &[("date", &d)])).unwrap_or_default();
    let key = if u.verdict.status == Status::Eol { "obs.undeclared_eol" } else { "obs.undeclared" };
    lang.fmt(
        key,
        &[
            ("system", &u.system),
            ("product", &u.product),
            ("versions", &super::words::list(lang, &u.versions)),
            ("hosts", &u.hosts),
            ("status", &status_word(lang, u.verdict.status)),
            ("end", &end),
        ],
    )
}

fn drift_line(lang: Lang, i: &Item, s: &ObservedState) -> String {
    let date = s.collected_at.date_naive();
    let mut line = match s.drift {
        Drift::Version => lang.fmt(
            "obs.version",
            &[
                ("system", &i.system.id),
                ("component", &i.component.name),
                ("declared", &i.component.version),
                ("versions", &super::words::list(lang, &s.versions)),
                ("hosts", &s.hosts),
                ("scanned", &s.scanned),
                ("date", &date),
                ("on", &super::words::list(lang, &s.drift_hosts)),
            ],
        ),
        _ => lang.fmt(
            "obs.missing",
            &[
                ("system", &i.system.id),
                ("component", &i.component.name),
                ("declared", &i.component.version),
                ("scanned", &s.scanned),
                ("date", &date),
            ],
        ),
    };
    if s.stale {
        line.push_str(&lang.fmt("obs.stale", &[("date", &date)]));
    }
    line
}

/// The lines of the section: undeclared end-of-life packages, drifts, other undeclared products.
fn lines(lang: Lang, obs: &Observations, items: &[Item], undeclared: &[&Undeclared]) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    for u in undeclared.iter().filter(|u| u.verdict.status == Status::Eol) {
        out.push((true, undeclared_line(lang, u)));
    }
    for i in items {
        if let Some(s) = obs.items.get(&(i.system.id.clone(), i.component.name.clone()))
            && s.drift != Drift::None
        {
            out.push((false, drift_line(lang, i, s)));
        }
    }
    for u in undeclared.iter().filter(|u| u.verdict.status != Status::Eol) {
        out.push((false, undeclared_line(lang, u)));
    }
    out
}

fn summary(lang: Lang, obs: &Observations, undeclared: &[&Undeclared], drifts: usize) -> String {
    let s = summary_json(obs, undeclared, drifts);
    lang.fmt(
        "obs.summary",
        &[
            ("drifts", &s.drifts),
            ("undeclared", &s.undeclared),
            ("eol", &s.undeclared_eol),
            ("stale", &s.stale_systems),
            ("unmatched", &s.unmatched),
        ],
    )
}

/// `text` cut at spaces into lines of at most `width` characters (a longer word stays whole); later
/// lines are indented by `indent` spaces.
fn wrap(text: &str, width: Option<u16>, indent: usize) -> Vec<String> {
    let Some(width) = width.map(usize::from).filter(|w| *w > indent + 20) else {
        return vec![text.to_string()];
    };
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut fresh = true;
    for word in text.split(' ') {
        if !fresh && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::replace(&mut line, " ".repeat(indent)));
            fresh = true;
        }
        if !fresh {
            line.push(' ');
        }
        line.push_str(word);
        fresh = false;
    }
    lines.push(line);
    lines
}

/// The section after the status table; nothing when the repository has no observation. On a terminal
/// (`width`), long lines wrap.
pub fn table(
    out: &mut dyn Write,
    obs: &Observations,
    items: &[Item],
    undeclared: &[&Undeclared],
    drifts: usize,
    style: Style,
    width: Option<u16>,
) -> io::Result<()> {
    if !obs.any {
        return Ok(());
    }
    let lang = style.lang;
    writeln!(out)?;
    let title = lang
        .fmt("obs.title", &[("systems", &crate::render::words::count(lang, obs.systems, "count.system"))]);
    if style.color {
        writeln!(out, "\x1b[1m{title}\x1b[0m")?;
    } else {
        writeln!(out, "{title}")?;
    }
    for (important, line) in lines(lang, obs, items, undeclared) {
        for part in wrap(&format!("  {line}"), width, 4) {
            if important && style.color {
                writeln!(out, "\x1b[1;31m{part}\x1b[0m")?;
            } else {
                writeln!(out, "{part}")?;
            }
        }
    }
    for part in wrap(&summary(lang, obs, undeclared, drifts), width, 2) {
        writeln!(out, "{part}")?;
    }
    Ok(())
}

pub fn markdown(
    out: &mut dyn Write,
    obs: &Observations,
    items: &[Item],
    undeclared: &[&Undeclared],
    drifts: usize,
    style: Style,
) -> io::Result<()> {
    if !obs.any {
        return Ok(());
    }
    let lang = style.lang;
    writeln!(
        out,
        "\n### {}\n",
        lang.fmt(
            "obs.title",
            &[("systems", &crate::render::words::count(lang, obs.systems, "count.system"))]
        )
    )?;
    for (important, line) in lines(lang, obs, items, undeclared) {
        let line = super::check::md(&line);
        if important {
            writeln!(out, "- **{line}**")?;
        } else {
            writeln!(out, "- {line}")?;
        }
    }
    writeln!(out, "\n{}", summary(lang, obs, undeclared, drifts))
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_lines_wrap_at_spaces() {
        let lines = super::wrap(
            "  version drift: a / b is declared 7.2.4, observed 6.2.14 on 1 of 6 hosts",
            Some(30),
            4,
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(lines[0], "  version drift: a / b is");
        assert!(lines[1].starts_with("    declared"), "{lines:?}");
        assert_eq!(super::wrap("short", None, 4), ["short"]);
    }
}
