//! Output: tables, JSON and Markdown. The only place that formats what people or machines read.

pub mod calendar;
pub mod check;
pub mod discovery;
pub mod json;
pub mod observed;
pub mod report;
pub mod review;
pub mod sarif;
pub mod security;
pub mod words;

use crate::eval::status::{Action, Deadline, EndSource, Item, Reason, Status, Summary};
use crate::i18n::Lang;

/// How to print: language and colour.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub lang: Lang,
    pub color: bool,
}

pub fn status_word(lang: Lang, s: Status) -> &'static str {
    lang.t(&format!("status.{}", s.as_str()))
}

fn when(lang: Lang, days: i64) -> String {
    match days {
        0 => lang.t("when.today").to_string(),
        d if d > 0 => words::count(lang, d as usize, "when.in"),
        d => words::count(lang, d.unsigned_abs() as usize, "when.overdue"),
    }
}

pub fn reason(lang: Lang, item: &Item) -> String {
    let text = reason_text(lang, item);
    match &item.build_line {
        Some(latest) => format!("{text} {}", lang.fmt("reason.build_line", &[("latest", latest)])),
        None => text,
    }
}

fn reason_text(lang: Lang, item: &Item) -> String {
    let product = &item.component.product;
    let cycle = item.cycle.as_deref().unwrap_or("?");
    match &item.reason {
        Reason::UnknownProduct => lang.fmt("reason.unknown_product", &[("product", product)]),
        Reason::NoMatchingCycle { version } => {
            lang.fmt("reason.no_cycle", &[("version", version), ("product", product)])
        }
        Reason::UnknownCycle { cycle } => {
            lang.fmt("reason.unknown_cycle", &[("cycle", cycle), ("product", product)])
        }
        Reason::NotAnnounced => lang.fmt("reason.not_announced", &[("cycle", &cycle)]),
        Reason::EndedDateUnknown => lang.fmt("reason.ended_undated", &[("cycle", &cycle)]),
        Reason::Ends { end, source } => {
            let key = match source {
                EndSource::Override => "reason.ends_override",
                EndSource::Eol => "reason.ends_eol",
                EndSource::Extended => "reason.ends_extended",
            };
            lang.fmt(key, &[("cycle", &cycle), ("date", end)])
        }
        Reason::NoExtendedSupport { end } => {
            lang.fmt("reason.no_extended", &[("cycle", &cycle), ("date", end)])
        }
    }
}

/// "behind 7.2.16" (and "patch overdue" past `patch_lag_max`) when the component is behind its
/// cycle's `latest` (§5.4); `None` otherwise.
pub fn patch_note(lang: Lang, item: &Item) -> Option<String> {
    let latest = item.latest.as_deref().filter(|_| item.behind == Some(true))?;
    let key = if item.patch_behind { "check.patch_behind" } else { "check.behind" };
    Some(lang.fmt(key, &[("latest", &latest)]))
}

/// The version with the cycle when the version does not start with it: `13.0.6300.2 (13.0-sp3)`.
pub fn version_with_cycle(item: &Item) -> String {
    match &item.cycle {
        Some(c) if !item.component.version.starts_with(c.as_str()) => {
            format!("{} ({c})", item.component.version)
        }
        _ => item.component.version.clone(),
    }
}

/// The version as `check` shows it: with the cycle (see [`version_with_cycle`]) and the patch note.
pub fn version_cell(lang: Lang, item: &Item) -> String {
    let version = version_with_cycle(item);
    match patch_note(lang, item) {
        Some(note) => format!("{version} · {note}"),
        None => version,
    }
}

pub fn action(lang: Lang, item: &Item) -> String {
    match &item.action {
        Action::PlanBy { .. } => lang.t("action.plan_by").to_string(),
        Action::StartReplacement { plan_by, overdue } => {
            lang.fmt("action.start", &[("date", plan_by), ("when", &when(lang, -overdue))])
        }
        Action::FinishBy { change, date, days } => {
            lang.fmt("action.finish_by", &[("change", change), ("date", date), ("when", &when(lang, *days))])
        }
        Action::FinishReplacement { finish_by, overdue } => {
            lang.fmt("action.finish", &[("date", finish_by), ("when", &when(lang, -overdue))])
        }
        Action::ReplaceNow { end: Some(end), ago: Some(ago) } => {
            let ago = if *ago == 0 {
                lang.t("when.today").to_string()
            } else {
                words::count(lang, *ago as usize, "when.ago")
            };
            lang.fmt("action.replace_now", &[("date", end), ("when", &ago)])
        }
        Action::ReplaceNow { .. } => lang.t("action.replace_now_undated").to_string(),
        Action::RiskAccepted { change, until } => {
            lang.fmt("action.accepted", &[("change", change), ("date", until)])
        }
        Action::FixCatalog => reason(lang, item),
        Action::Nothing => lang.t("action.nothing").to_string(),
    }
}

pub fn next_deadline(lang: Lang, item: &Item, today: chrono::NaiveDate) -> String {
    let Some((kind, date)) = item.next else {
        return String::new();
    };
    let key = match kind {
        Deadline::PlanBy => "deadline.plan_by",
        Deadline::FinishBy => "deadline.finish_by",
        Deadline::End => "deadline.end",
        Deadline::ExceptionEnds => "deadline.exception_ends",
    };
    let when = when(lang, (date - today).num_days());
    format!("{}{}", lang.fmt(key, &[("date", &date)]), words::paren(lang, &when))
}

/// "45 systems, 120 components: 12 EOL · 5 due … — 25 violations"
pub fn summary_line(lang: Lang, s: &Summary) -> String {
    let counts: Vec<String> = Status::ALL
        .iter()
        .filter(|st| s.count(**st) > 0)
        .map(|st| lang.fmt("summary.count", &[("n", &s.count(*st)), ("status", &status_word(lang, *st))]))
        .collect();
    let counts = if counts.is_empty() { lang.t("summary.none").to_string() } else { counts.join(" · ") };
    lang.fmt(
        "summary.line",
        &[
            ("systems", &s.systems),
            ("components", &s.components),
            ("counts", &counts),
            ("violations", &s.violations),
        ],
    )
}

/// Fits a filled table to a terminal `width` (rows stay one line; long cells end in an ellipsis),
/// or leaves it at its natural width when there is no terminal (`None`): pipes and files get
/// everything.
/// On a terminal, short columns — dates, versions, statuses — are never cut ("2024-06-…" says
/// nothing): the long text columns give up the width. Call it once the rows are in.
pub fn keep_short_columns(t: &mut comfy_table::Table) {
    let widths = t.column_max_content_widths();
    for (i, width) in widths.into_iter().enumerate() {
        if width <= 12
            && let Some(column) = t.column_mut(i)
        {
            column.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
        }
    }
}

pub fn fit(t: &mut comfy_table::Table, width: Option<u16>) {
    match width {
        Some(w) => {
            t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
            t.set_width(w);
            keep_short_columns(t);
            for row in t.row_iter_mut() {
                row.max_height(1);
            }
        }
        None => {
            t.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
        }
    }
}
