//! `check` for people: a table grouped by system (worst first) and the same as Markdown.

use std::io::{self, Write};

use chrono::NaiveDate;
use comfy_table::{Attribute, Cell, Color, ColumnConstraint, ContentArrangement, Row, Table, Width, presets};

use super::{
    Style, action, next_deadline, patch_note, status_word, summary_line, version_cell, version_with_cycle,
};
use crate::eval::status::{Item, Status, Summary};
use crate::model::EolPolicy;

/// Items grouped by system: systems worst first (then by id), components worst first (then by name).
fn grouped<'a, 'b>(items: &'b [Item<'a>]) -> Vec<Vec<&'b Item<'a>>> {
    let mut groups: Vec<Vec<&Item>> = Vec::new();
    for item in items {
        match groups.last_mut() {
            Some(g) if g[0].system.id == item.system.id => g.push(item),
            _ => groups.push(vec![item]),
        }
    }
    for g in &mut groups {
        g.sort_by(|a, b| b.status.cmp(&a.status).then(a.component.name.cmp(&b.component.name)));
    }
    groups.sort_by(|a, b| worst(b).cmp(&worst(a)).then(a[0].system.id.cmp(&b[0].system.id)));
    groups
}

fn worst(group: &[&Item]) -> Status {
    group.iter().map(|i| i.status).max().unwrap_or(Status::Ok)
}

fn color_of(s: Status) -> Option<(Color, bool)> {
    match s {
        Status::Eol => Some((Color::Red, true)),
        Status::Due => Some((Color::Red, false)),
        Status::Warn => Some((Color::Yellow, false)),
        Status::Unknown => Some((Color::Magenta, false)),
        Status::Accepted => Some((Color::Cyan, false)),
        Status::Ok => Some((Color::Green, false)),
    }
}

pub fn table(
    out: &mut dyn Write,
    items: &[Item],
    summary: &Summary,
    policy: &EolPolicy,
    today: NaiveDate,
    style: Style,
    width: Option<u16>,
) -> io::Result<()> {
    let lang = style.lang;
    let title = lang.fmt("check.title", &[("date", &today)]);
    let policy_line = policy_line(lang, policy);
    if style.color {
        writeln!(out, "\x1b[1m{title}\x1b[0m  \x1b[2m{policy_line}\x1b[0m")?;
    } else {
        writeln!(out, "{title}  {policy_line}")?;
    }
    if items.is_empty() {
        writeln!(out, "{}", lang.t("summary.none"))?;
        return Ok(());
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
    let header =
        ["col.system", "col.component", "col.version", "col.ends", "col.status", "col.next", "col.action"];
    t.set_header(header.iter().map(|k| {
        let c = Cell::new(lang.t(k));
        if style.color { c.add_attribute(Attribute::Bold) } else { c }
    }));
    for group in grouped(items) {
        for (n, item) in group.iter().enumerate() {
            let system = if n == 0 { item.system.id.clone() } else { String::new() };
            let mut status = Cell::new(status_word(lang, item.status));
            if style.color
                && let Some((color, bold)) = color_of(item.status)
            {
                status = status.fg(color);
                if bold {
                    status = status.add_attribute(Attribute::Bold);
                }
            }
            let ends = item.end.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
            let mut version = Cell::new(version_cell(lang, item));
            if style.color && item.patch_behind {
                version = version.fg(Color::Yellow);
            }
            let mut action_cell = Cell::new(action(lang, item));
            if style.color && item.violation {
                action_cell = action_cell.add_attribute(Attribute::Bold);
            }
            let mut row = Row::from(vec![
                Cell::new(system),
                Cell::new(&item.component.name),
                version,
                Cell::new(ends),
                status,
                Cell::new(next_deadline(lang, item, today)),
                action_cell,
            ]);
            if width.is_some() {
                // On a terminal a row stays one line: long cells are cut with an ellipsis, not wrapped.
                row.max_height(1);
            }
            t.add_row(row);
        }
    }
    if let Some(w) = width {
        super::keep_short_columns(&mut t);
        // When the table does not fit, the versions keep the width they had before the patch notes
        // (they are never cut): the note after them is what gets cut.
        let widths = t.column_max_content_widths();
        let natural: usize = widths.iter().map(|c| *c as usize + 3).sum::<usize>() + 1;
        let plain =
            items.iter().map(|i| unicode_width::UnicodeWidthStr::width(version_with_cycle(i).as_str()));
        if natural > w as usize
            && let (Some(version), Some(column)) = (plain.max().filter(|v| *v <= 12), t.column_mut(2))
        {
            // The header too stays whole; the width includes the padding.
            let header = unicode_width::UnicodeWidthStr::width(lang.t("col.version"));
            column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(version.max(header) as u16 + 2)));
        }
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{}", summary_line(lang, summary))
}

const MARK: [(Status, &str); 6] = [
    (Status::Eol, "🔴"),
    (Status::Due, "🟠"),
    (Status::Warn, "🟡"),
    (Status::Unknown, "⚪"),
    (Status::Accepted, "🔵"),
    (Status::Ok, "🟢"),
];

pub fn mark(s: Status) -> &'static str {
    MARK.iter().find(|(k, _)| *k == s).map(|(_, m)| *m).unwrap_or("")
}

/// Escapes text for a Markdown table cell.
pub fn md(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(
    out: &mut dyn Write,
    items: &[Item],
    summary: &Summary,
    policy: &EolPolicy,
    today: NaiveDate,
    style: Style,
) -> io::Result<()> {
    let lang = style.lang;
    writeln!(out, "## {}\n", lang.fmt("check.title", &[("date", &today)]))?;
    writeln!(out, "{}\n", summary_line(lang, summary))?;
    writeln!(out, "_{}_\n", policy_line(lang, policy))?;
    if items.is_empty() {
        return Ok(());
    }
    let cols =
        ["col.system", "col.component", "col.version", "col.ends", "col.status", "col.next", "col.action"];
    let header: Vec<&str> = cols.iter().map(|k| lang.t(k)).collect();
    writeln!(out, "| | {} |", header.join(" | "))?;
    writeln!(out, "|---|{}", "---|".repeat(cols.len()))?;
    for group in grouped(items) {
        let system_status = worst(&group);
        for (n, item) in group.iter().enumerate() {
            let system = if n == 0 { format!("**{}**", md(&item.system.id)) } else { String::new() };
            let status = if item.violation {
                format!("**{}**", status_word(lang, item.status))
            } else {
                status_word(lang, item.status).to_string()
            };
            let version = match patch_note(lang, item) {
                Some(note) if item.patch_behind => {
                    format!("{} · **{}**", md(&item.component.version), md(&note))
                }
                Some(note) => format!("{} · {}", md(&item.component.version), md(&note)),
                None => md(&item.component.version),
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                if n == 0 { mark(system_status) } else { "" },
                system,
                md(&item.component.name),
                version,
                item.end.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
                status,
                md(&next_deadline(lang, item, today)),
                md(&action(lang, item)),
            )?;
        }
    }
    Ok(())
}

/// "policy: start replacing 6 months, finish 3 months before the end".
fn policy_line(lang: crate::i18n::Lang, policy: &crate::model::EolPolicy) -> String {
    let plan = super::words::duration(lang, policy.plan_before);
    let finish = super::words::duration(lang, policy.finish_before);
    lang.fmt("check.policy", &[("plan", &plan), ("finish", &finish)])
}
