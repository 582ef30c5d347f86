//! The SVG lifecycle timeline of the evidence pack (HTML and PDF).

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::doc::esc;
use crate::i18n::Lang;
use crate::report::{Evidence, RegisterRow};

fn color(status: &str) -> &'static str {
    match status {
        "ok" => "#1a7f37",
        "warn" => "#9a6700",
        "due" => "#bc4c00",
        "eol" => "#cf222e",
        "accepted" => "#8250df",
        _ => "#57606a",
    }
}

/// The SVG timeline: one row per component that needs attention (or changed in the period), with its
/// end date, plan-by and finish-by marks, the period, and the change executions.
pub fn timeline(ev: &Evidence, lang: Lang) -> String {
    const MAX_ROWS: usize = 60;
    let inv = &ev.inventory;
    let executed: Vec<(String, NaiveDate, Option<NaiveDate>, String)> = ev
        .changes
        .requests
        .iter()
        .filter_map(|r| {
            let x = r.execution.as_ref()?;
            let tz: chrono_tz::Tz = ev.timezone.parse().unwrap_or(chrono_tz::UTC);
            Some((
                r.id.clone(),
                x.started_at.with_timezone(&tz).date_naive(),
                x.finished_at.map(|f| f.with_timezone(&tz).date_naive()),
                r.targets.join(" "),
            ))
        })
        .collect();
    let changed: Vec<String> =
        ev.changes.version_changes.iter().map(|v| format!("{}/{}", v.system, v.component)).collect();
    let mut rows: Vec<&RegisterRow> = inv
        .items
        .iter()
        .filter(|r| r.end.is_some())
        .filter(|r| {
            r.status != "ok"
                || changed.contains(&format!("{}/{}", r.system, r.component))
                || executed.iter().any(|e| e.3.contains(&format!("{}/{} ", r.system, r.component)))
        })
        .collect();
    rows.sort_by_key(|r| (r.end, r.system.clone(), r.component.clone()));
    let p = ev.period;
    let start = p.from.checked_sub_months(chrono::Months::new(6)).unwrap_or(p.from);
    // Ends long before the window are in the register; the timeline shows what is coming.
    let before = rows.iter().filter(|r| r.end.is_some_and(|e| e < start)).count();
    rows.retain(|r| r.end.is_some_and(|e| e >= start));
    let hidden = rows.len().saturating_sub(MAX_ROWS);
    rows.truncate(MAX_ROWS);
    let end = p.to.checked_add_months(chrono::Months::new(18)).unwrap_or(p.to);
    let days = (end - start).num_days().max(1) as f64;
    let (left, width, row_h, top) = (230.0, 900.0, 20.0, 34.0);
    let x = |d: NaiveDate| left + ((d - start).num_days().clamp(0, days as i64) as f64 / days) * width;
    let height = top + row_h * rows.len().max(1) as f64 + 16.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {height}" role="img" aria-label="{}">"#,
        left + width + 20.0,
        esc(lang.t("report.timeline"))
    );
    // Month grid with year/quarter labels.
    let mut m = NaiveDate::from_ymd_opt(start.year_ce().1 as i32, start.month0() + 1, 1).unwrap_or(start);
    use chrono::Datelike;
    while m <= end {
        let xm = x(m);
        let strong = m.month0().is_multiple_of(3);
        let _ = write!(
            s,
            r##"<line x1="{xm:.1}" y1="{}" x2="{xm:.1}" y2="{}" stroke="{}" stroke-width="1"/>"##,
            top - 6.0,
            height - 10.0,
            if strong { "#d0d7de" } else { "#eef1f4" }
        );
        if strong {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{}" font-size="10" fill="#57606a">{}</text>"##,
                xm + 2.0,
                top - 10.0,
                m.format("%Y-%m")
            );
        }
        m = m.checked_add_months(chrono::Months::new(1)).unwrap_or(end.succ_opt().unwrap_or(end));
        if m == end {
            break;
        }
    }
    // The period.
    let _ = write!(
        s,
        r##"<rect x="{:.1}" y="{}" width="{:.1}" height="{}" fill="#0969da" fill-opacity="0.07"/>"##,
        x(p.from),
        top - 6.0,
        (x(p.to) - x(p.from)).max(1.0),
        height - top - 4.0
    );
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="12" font-size="10" fill="#0969da">{}</text>"##,
        x(p.from) + 2.0,
        esc(&lang.fmt("report.timeline_period", &[("from", &p.from), ("to", &p.to)]))
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let mid = y + row_h / 2.0;
        let _ = write!(
            s,
            r##"<text x="4" y="{:.1}" font-size="11" fill="#1f2328">{}</text>"##,
            mid + 4.0,
            esc(&format!("{} · {} {}", r.system, r.component, r.version))
        );
        let c = color(r.status);
        if let (Some(pb), Some(e)) = (r.plan_by, r.end) {
            let _ = write!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="6" fill="{c}" fill-opacity="0.25"/>"#,
                x(pb),
                mid - 3.0,
                (x(e) - x(pb)).max(0.5)
            );
            let _ = write!(
                s,
                r#"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="{c}" stroke-width="1.5"><title>{3}</title></line>"#,
                x(pb),
                mid - 6.0,
                mid + 6.0,
                esc(&format!("{} {pb}", lang.t("report.col.plan_by")))
            );
        }
        if let Some(fb) = r.finish_by {
            let _ = write!(
                s,
                r#"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="{c}" stroke-width="1.5" stroke-dasharray="2,1"><title>{3}</title></line>"#,
                x(fb),
                mid - 6.0,
                mid + 6.0,
                esc(&format!("{} {fb}", lang.t("report.col.finish_by")))
            );
        }
        if let Some(e) = r.end {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{mid:.1}" r="5" fill="{c}"><title>{}</title></circle>"#,
                x(e),
                esc(&format!("{} {e} · {}", lang.t("col.ends"), lang.t(&format!("status.{}", r.status))))
            );
        }
        for (id, from, to, targets) in &executed {
            if targets.contains(&format!("{}/{} ", r.system, r.component)) {
                let to = to.unwrap_or(*from);
                let _ = write!(
                    s,
                    r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="4" fill="#0969da"><title>{}</title></rect>"##,
                    x(*from),
                    mid + 5.0,
                    (x(to) - x(*from)).max(2.0),
                    esc(&format!("{id} {from} – {to}"))
                );
            }
        }
    }
    if rows.is_empty() {
        let _ = write!(
            s,
            r##"<text x="{left}" y="{:.1}" font-size="11" fill="#57606a">{}</text>"##,
            top + 12.0,
            esc(lang.t("report.timeline_empty"))
        );
    }
    s.push_str("</svg>");
    let legend = ["ok", "warn", "due", "eol", "accepted"]
        .iter()
        .map(|st| {
            format!(
                r#"<span><i style="background:{}"></i>{}</span>"#,
                color(st),
                esc(lang.t(&format!("status.{st}")))
            )
        })
        .collect::<Vec<_>>()
        .join("");
    let mut notes = Vec::new();
    if before > 0 {
        notes.push(lang.fmt("report.timeline_before", &[("n", &before), ("date", &start)]));
    }
    if hidden > 0 {
        notes.push(lang.fmt("report.timeline_hidden", &[("n", &hidden)]));
    }
    let more = notes.iter().map(|n| format!("<p>{}</p>", esc(n))).collect::<String>();
    format!(
        r#"<figure>{s}<figcaption class="legend">{legend}<span>{}</span></figcaption>{more}</figure>"#,
        esc(lang.t("report.timeline_legend"))
    )
}
