//! Security deadlines for people (§5.3): a table after `check`'s status table, and the same as Markdown.

use std::io::{self, Write};

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};

use super::Style;
use super::check::md;
use crate::eval::advisories::{AdvisoryStatus, Counts, SecurityItem};
use crate::i18n::Lang;

pub fn status_word(lang: Lang, s: AdvisoryStatus) -> &'static str {
    lang.t(&format!("adv.{}", s.as_str()))
}

/// A deadline in the repository's time zone, to the minute.
fn at(t: Option<DateTime<FixedOffset>>, tz: Tz) -> String {
    t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "—".into())
}

fn class(lang: Lang, i: &SecurityItem) -> String {
    let mut c = i.class.clone().unwrap_or_else(|| lang.t("adv.no_class").to_string());
    if i.kev {
        c.push_str(&super::words::paren(lang, "KEV"));
    }
    c
}

/// The advisory with its severity in words: "CVE-2024-0727 (high)", "CVE-2024-0727（高危）".
fn advisory(lang: Lang, i: &SecurityItem, id: &str) -> String {
    format!("{id}{}", super::words::paren(lang, super::words::risk(lang, i.severity)))
}

/// Worst first: overdue, open, responded, resolved; then by deploy deadline and id.
fn ordered(items: &[SecurityItem]) -> Vec<&SecurityItem> {
    let mut v: Vec<&SecurityItem> = items.iter().collect();
    v.sort_by(|a, b| {
        b.status
            .cmp(&a.status)
            .then(a.deploy_by.is_none().cmp(&b.deploy_by.is_none()))
            .then(a.deploy_by.cmp(&b.deploy_by))
            .then((&a.advisory, &a.system, &a.component).cmp(&(&b.advisory, &b.system, &b.component)))
    });
    v
}

pub fn summary_line(lang: Lang, c: &Counts) -> String {
    lang.fmt(
        "sec.summary",
        &[
            ("items", &(c.open + c.responded + c.resolved + c.overdue)),
            ("overdue", &c.overdue),
            ("open", &c.open),
            ("responded", &c.responded),
            ("resolved", &c.resolved),
        ],
    )
}

const COLS: [&str; 9] = [
    "col.advisory",
    "col.system",
    "col.component",
    "col.version",
    "col.class",
    "col.respond_by",
    "col.deploy_by",
    "col.status",
    "col.change",
];

pub fn table(
    out: &mut dyn Write,
    items: &[SecurityItem],
    tz: Tz,
    style: Style,
    width: Option<u16>,
) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let lang = style.lang;
    let title = lang.t("sec.title");
    if style.color {
        writeln!(out, "\n\x1b[1m{title}\x1b[0m")?;
    } else {
        writeln!(out, "\n{title}")?;
    }
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED);
    if style.color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    match width {
        Some(w) => {
            t.set_content_arrangement(ContentArrangement::Dynamic);
            t.set_width(w);
        }
        None => {
            t.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    t.set_header(COLS.iter().map(|k| {
        let c = Cell::new(lang.t(k));
        if style.color { c.add_attribute(Attribute::Bold) } else { c }
    }));
    for i in ordered(items) {
        let mut status = Cell::new(status_word(lang, i.status));
        if style.color {
            status = match i.status {
                AdvisoryStatus::Overdue => status.fg(Color::Red).add_attribute(Attribute::Bold),
                AdvisoryStatus::Open => status.fg(Color::Yellow),
                AdvisoryStatus::Responded => status.fg(Color::Cyan),
                AdvisoryStatus::Resolved => status.fg(Color::Green),
            };
        }
        t.add_row(vec![
            Cell::new(advisory(lang, i, &i.advisory)),
            Cell::new(&i.system),
            Cell::new(&i.component),
            Cell::new(&i.version),
            Cell::new(class(lang, i)),
            Cell::new(at(i.respond_by, tz)),
            Cell::new(at(i.deploy_by, tz)),
            status,
            Cell::new(i.change.as_deref().unwrap_or("—")),
        ]);
    }
    if width.is_some() {
        super::keep_short_columns(&mut t);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{}", summary_line(lang, &Counts::of(items)))
}

pub fn markdown(out: &mut dyn Write, items: &[SecurityItem], tz: Tz, style: Style) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let lang = style.lang;
    writeln!(out, "\n### {}\n", lang.t("sec.title"))?;
    writeln!(out, "{}\n", summary_line(lang, &Counts::of(items)))?;
    let header: Vec<&str> = COLS.iter().map(|k| lang.t(k)).collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(COLS.len()))?;
    for i in ordered(items) {
        let status = match i.status {
            AdvisoryStatus::Overdue => format!("**{}**", status_word(lang, i.status)),
            s => status_word(lang, s).to_string(),
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            advisory(lang, i, &md(&i.advisory)),
            md(&i.system),
            md(&i.component),
            md(&i.version),
            md(&class(lang, i)),
            at(i.respond_by, tz),
            at(i.deploy_by, tz),
            status,
            md(i.change.as_deref().unwrap_or("—")),
        )?;
    }
    Ok(())
}
