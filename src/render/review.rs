//! `review` output: a Markdown pull-request comment, GitHub workflow commands, SARIF 2.1.0 and JSON.

use std::io::{self, Write};

use serde_json::json;

use super::check::md;
use super::words;
use crate::eval::findings::{Finding, Severity};
use crate::eval::status::Status;
use crate::i18n::Lang;
use crate::review::Review;

fn short(id: git2::Oid) -> String {
    id.to_string()[..10].to_string()
}

/// "1 commit", "3 warnings": a count with its noun, from a `_one` / `_many` pair of keys.
fn counted(lang: Lang, key: &str, n: usize) -> String {
    if n == 1 {
        lang.t(&format!("{key}_one")).to_string()
    } else {
        lang.fmt(&format!("{key}_many"), &[("n", &n)])
    }
}

/// "2 components leave EOL · 1 component enters due": the net effect on statuses.
pub fn effect(r: &Review, lang: Lang) -> String {
    let mut parts = Vec::new();
    let count =
        |pred: &dyn Fn(&crate::review::StatusMove) -> bool| r.statuses.iter().filter(|m| pred(m)).count();
    for s in [Status::Eol, Status::Due, Status::Warn] {
        let word = super::status_word(lang, s);
        let leave = count(&|m| m.before == Some(s) && m.after != Some(s));
        let enter = count(&|m| m.after == Some(s) && m.before != Some(s));
        if leave > 0 {
            parts.push(counted(lang, "review.leave", leave).replace("{status}", word));
        }
        if enter > 0 {
            parts.push(counted(lang, "review.enter", enter).replace("{status}", word));
        }
    }
    if !r.systems_added.is_empty() {
        parts.push(lang.fmt("review.systems_added", &[("list", &words::list(lang, &r.systems_added))]));
    }
    if !r.systems_removed.is_empty() {
        parts.push(lang.fmt("review.systems_removed", &[("list", &words::list(lang, &r.systems_removed))]));
    }
    if parts.is_empty() { lang.t("review.no_status_changes").into() } else { parts.join(" · ") }
}

fn mark(f: Option<&Finding>) -> &'static str {
    match f.map(|f| f.severity) {
        Some(Severity::Error) => "❌",
        Some(Severity::Warning) => "⚠️",
        None => "✅",
    }
}

/// `policy` names the roles (the base's, whose trust the review uses).
pub fn markdown(
    out: &mut dyn Write,
    r: &Review,
    base_name: &str,
    lang: Lang,
    policy: &crate::model::Policy,
) -> io::Result<()> {
    let errors = r.errors();
    heading(out, r, base_name, lang, errors)?;
    let step = &r.step;
    let nothing = step.versions.is_empty()
        && step.policy_files.is_empty()
        && step.signoffs.is_empty()
        && r.products.is_empty();
    if nothing && r.statuses.is_empty() {
        writeln!(out, "{}", lang.t("review.nothing"))?;
    } else {
        writeln!(out, "{}", lang.t("review.header"))?;
        writeln!(out, "|---|---|---|---|---|")?;
        version_rows(out, r, lang)?;
        policy_rows(out, r, lang)?;
        signoff_rows(out, r, lang, policy)?;
        product_rows(out, r, lang)?;
        status_rows(out, r, lang)?;
    }
    findings(out, r, lang, errors)?;
    if errors > 0 {
        writeln!(out, "\n{}", lang.t("review.approvers"))?;
    }
    Ok(())
}

/// The verdict, the range reviewed and its effect.
fn heading(out: &mut dyn Write, r: &Review, base_name: &str, lang: Lang, errors: usize) -> io::Result<()> {
    let warnings = r.findings.len() - errors;
    let verdict = if errors == 0 {
        lang.t("review.verdict_ok").to_string()
    } else {
        counted(lang, "review.verdict", errors)
    };
    writeln!(out, "{}\n", lang.fmt("review.title", &[("verdict", &verdict)]))?;
    let warnings = if warnings > 0 { counted(lang, "review.warnings", warnings) } else { String::new() };
    writeln!(
        out,
        "{}\n",
        lang.fmt(
            "review.range",
            &[
                ("base", &md(base_name)),
                ("merge_base", &short(r.merge_base)),
                ("head", &short(r.head)),
                ("commits", &counted(lang, "review.commits", r.commits)),
                ("warnings", &warnings),
            ]
        )
    )?;
    writeln!(out, "{}\n", lang.fmt("review.effect", &[("effect", &effect(r, lang))]))
}

/// "approved by CHG-…", or a dash.
fn approved(lang: Lang, change: Option<&str>) -> String {
    change.map(|c| lang.fmt("review.has_approved", &[("change", &c)])).unwrap_or_else(|| "—".into())
}

/// One row per version move: its status move, what it needs and what approves it.
fn version_rows(out: &mut dyn Write, r: &Review, lang: Lang) -> io::Result<()> {
    let status = |s: Option<Status>| words::status(lang, s);
    for v in &r.step.versions {
        let moved = r.statuses.iter().find(|m| m.system == v.system && m.component == v.component);
        let st = moved.map(|m| format!("{} → {}", status(m.before), status(m.after))).unwrap_or_default();
        let finding = r.findings.iter().find(|f| {
            f.code == "unapproved-version-change"
                && f.path.as_deref() == Some(&v.path)
                && f.line == Some(v.line)
        });
        let needs = lang.fmt(
            "review.needs_version",
            &[
                ("target", &format!("{}/{}", md(&v.system), md(&v.component))),
                ("from", &md(&v.from)),
                ("to", &md(&v.to)),
            ],
        );
        let (open, close) = if lang == Lang::En { (" (", ")") } else { ("（", "）") };
        writeln!(
            out,
            "| {} | `{}/{}` {} → {}{open}[{}:{}]({}){close} | {} | {} | {} |",
            mark(finding),
            md(&v.system),
            md(&v.component),
            md(&v.from),
            md(&v.to),
            md(&v.path),
            v.line,
            md(&v.path),
            st,
            needs,
            approved(lang, v.approved_by.as_deref())
        )?;
    }
    Ok(())
}

/// One row per policy file changed.
fn policy_rows(out: &mut dyn Write, r: &Review, lang: Lang) -> io::Result<()> {
    for p in &r.step.policy_files {
        let finding = r
            .findings
            .iter()
            .find(|f| f.code == "unapproved-policy-change" && f.path.as_deref() == Some(&p.path));
        writeln!(
            out,
            "| {} | `{}` | | {} | {} |",
            mark(finding),
            md(&p.path),
            lang.fmt("review.needs_policy", &[("digest", &&p.digest[..p.digest.len().min(19)])]),
            approved(lang, p.approved_by.as_deref())
        )?;
    }
    Ok(())
}

/// One row per sign-off added, with its standing.
fn signoff_rows(
    out: &mut dyn Write,
    r: &Review,
    lang: Lang,
    policy: &crate::model::Policy,
) -> io::Result<()> {
    for s in &r.step.signoffs {
        let finding = r.findings.iter().find(|f| f.path.as_deref() == Some(&s.path));
        let signoff = lang.fmt(
            "review.signoff",
            &[
                ("change", &md(&s.change)),
                ("stage", &md(&words::role_title(policy, &s.stage, lang))),
                ("decision", &words::decision(lang, s.decision)),
                ("by", &md(&s.by)),
            ],
        );
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            mark(finding),
            signoff,
            words::standing(lang, s.standing),
            lang.t("review.needs_signoff"),
            if s.standing == "valid" {
                lang.t("change.verified").to_string()
            } else {
                words::standing(lang, s.standing)
            }
        )?;
    }
    Ok(())
}

/// One row per catalog product changed (cycles added or removed, dates moved).
fn product_rows(out: &mut dyn Write, r: &Review, lang: Lang) -> io::Result<()> {
    for p in &r.products {
        let earlier = p.dates.iter().any(|d| d.earlier);
        let mut what = Vec::new();
        if !p.cycles_added.is_empty() {
            what.push(lang.fmt("review.cycles_added", &[("list", &words::list(lang, &p.cycles_added))]));
        }
        if !p.cycles_removed.is_empty() {
            what.push(lang.fmt("review.cycles_removed", &[("list", &words::list(lang, &p.cycles_removed))]));
        }
        for d in &p.dates {
            what.push(format!(
                "{} {} {} → {}{}",
                d.cycle,
                d.field,
                d.before,
                d.after,
                if d.earlier { lang.t("review.earlier") } else { "" }
            ));
        }
        writeln!(
            out,
            "| {} | {} | {} | {} | |",
            if earlier { "⚠️" } else { "ℹ️" },
            lang.fmt("review.product", &[("product", &md(&p.product))]),
            md(&what.join("; ")),
            lang.t("review.needs_product")
        )?;
    }
    Ok(())
}

/// The status moves the version rows do not show (the first 50).
fn status_rows(out: &mut dyn Write, r: &Review, lang: Lang) -> io::Result<()> {
    let status = |s: Option<Status>| words::status(lang, s);
    let shown: Vec<&crate::review::StatusMove> = r
        .statuses
        .iter()
        .filter(|m| !r.step.versions.iter().any(|v| v.system == m.system && v.component == m.component))
        .collect();
    for m in shown.iter().take(50) {
        writeln!(
            out,
            "| ℹ️ | `{}/{}` {} | {} → {} | | |",
            md(&m.system),
            md(&m.component),
            md(m.version_after.as_deref().or(m.version_before.as_deref()).unwrap_or("")),
            status(m.before),
            status(m.after)
        )?;
    }
    if shown.len() > 50 {
        writeln!(out, "| | {} | | | |", lang.fmt("review.more", &[("n", &(shown.len() - 50))]))?;
    }
    Ok(())
}

/// Every finding, in a fold that is open when there are errors.
fn findings(out: &mut dyn Write, r: &Review, lang: Lang, errors: usize) -> io::Result<()> {
    if !r.findings.is_empty() {
        writeln!(
            out,
            "\n<details{}><summary>{}</summary>\n",
            if errors > 0 { " open" } else { "" },
            lang.fmt("review.findings", &[("n", &r.findings.len())])
        )?;
        for f in &r.findings {
            let at = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!(" `{p}:{l}`"),
                (Some(p), None) => format!(" `{p}`"),
                _ => String::new(),
            };
            let dash = if lang == Lang::En { " — " } else { "：" };
            writeln!(
                out,
                "- {} **`{}`**{}{dash}{}",
                mark(Some(f)),
                f.code,
                at,
                md(&words::finding(lang, f))
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

/// Escapes data for a GitHub workflow command.
pub(crate) fn gh(text: &str, property: bool) -> String {
    let t = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property { t.replace(':', "%3A").replace(',', "%2C") } else { t }
}

/// GitHub Actions workflow commands: an annotation per finding at its file and line.
pub fn github(out: &mut dyn Write, r: &Review, lang: Lang) -> io::Result<()> {
    for f in &r.findings {
        let level = if f.severity == Severity::Error { "error" } else { "warning" };
        let mut props = Vec::new();
        if let Some(p) = &f.path {
            props.push(format!("file={}", gh(p, true)));
        }
        if let Some(l) = f.line {
            props.push(format!("line={l}"));
        }
        props.push(format!("title={}", gh(&format!("lifecycle {}", f.code), true)));
        writeln!(out, "::{level} {}::{}", props.join(","), gh(&words::finding(lang, f), false))?;
    }
    let errors = r.errors();
    let verdict = lang.t(if errors == 0 { "review.gh_ok" } else { "review.gh_needs" });
    writeln!(out, "{}", lang.fmt("review.gh_line", &[("verdict", &verdict), ("effect", &effect(r, lang))]))
}

/// SARIF 2.1.0: one rule per finding code, results located at file and line. `repository` is the
/// repository's URI when known ([`super::sarif::repository_uri`]).
pub fn sarif(r: &Review, repository: Option<String>) -> serde_json::Value {
    use super::sarif::{Location, log, result};
    let results: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            let level = if f.severity == Severity::Error { "error" } else { "warning" };
            let at = f.path.as_deref().map(|path| Location { path, line: f.line });
            let mut result = result(f.code, level, &f.message, at);
            if let Some(c) = &f.commit {
                result["properties"] = json!({"commit": c, "change": f.change});
            }
            result
        })
        .collect();
    log(results, Some(r.head.to_string()), repository)
}

pub fn json(r: &Review, base_name: &str) -> serde_json::Value {
    json!({
        "schema": "lifecycle.review/v1",
        "base": base_name,
        "base_commit": r.base.to_string(),
        "merge_base": r.merge_base.to_string(),
        "head": r.head.to_string(),
        "commits": r.commits,
        "signoffs": r.signoffs_checked,
        "ok": r.errors() == 0,
        "effect": effect(r, Lang::En),
        "versions": r.step.versions,
        "policy_files": r.step.policy_files,
        "signoffs_added": r.step.signoffs,
        "statuses": r.statuses,
        "systems_added": r.systems_added,
        "systems_removed": r.systems_removed,
        "products": r.products,
        "findings": r.findings,
    })
}
