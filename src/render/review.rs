//! `review` output: a Markdown pull-request comment, GitHub workflow commands, SARIF 2.1.0 and JSON.

use std::io::{self, Write};

use serde_json::json;

use super::check::md;
use crate::eval::findings::{CODES, Finding, Severity};
use crate::eval::status::Status;
use crate::review::Review;

fn short(id: git2::Oid) -> String {
    id.to_string()[..10].to_string()
}

fn status(s: Option<Status>) -> &'static str {
    s.map(Status::as_str).unwrap_or("—")
}

/// "2 systems leave EOL, 1 enters due": the net effect on statuses.
pub fn effect(r: &Review) -> String {
    let mut parts = Vec::new();
    let count =
        |pred: &dyn Fn(&crate::review::StatusMove) -> bool| r.statuses.iter().filter(|m| pred(m)).count();
    for (s, word) in [(Status::Eol, "EOL"), (Status::Due, "due"), (Status::Warn, "warn")] {
        let leave = count(&|m| m.before == Some(s) && m.after != Some(s));
        let enter = count(&|m| m.after == Some(s) && m.before != Some(s));
        if leave > 0 {
            parts.push(format!(
                "{leave} component{} leave{} {word}",
                if leave == 1 { "" } else { "s" },
                if leave == 1 { "s" } else { "" }
            ));
        }
        if enter > 0 {
            parts.push(format!(
                "{enter} component{} enter{} {word}",
                if enter == 1 { "" } else { "s" },
                if enter == 1 { "s" } else { "" }
            ));
        }
    }
    if !r.systems_added.is_empty() {
        parts.push(format!("systems added: {}", r.systems_added.join(", ")));
    }
    if !r.systems_removed.is_empty() {
        parts.push(format!("systems removed: {}", r.systems_removed.join(", ")));
    }
    if parts.is_empty() { "no status changes".into() } else { parts.join(" · ") }
}

fn mark(f: Option<&Finding>) -> &'static str {
    match f.map(|f| f.severity) {
        Some(Severity::Error) => "❌",
        Some(Severity::Warning) => "⚠️",
        None => "✅",
    }
}

pub fn markdown(out: &mut dyn Write, r: &Review, base_name: &str) -> io::Result<()> {
    let errors = r.errors();
    let warnings = r.findings.len() - errors;
    let verdict = if errors == 0 {
        "✅ every change has the approvals it needs".to_string()
    } else {
        format!("❌ {errors} problem{} to fix", if errors == 1 { "" } else { "s" })
    };
    writeln!(out, "### lifecycle review — {verdict}\n")?;
    writeln!(
        out,
        "`{}` (merge-base `{}`) → `{}` · {} commit{} · trust, people and policy from the base{}\n",
        md(base_name),
        short(r.merge_base),
        short(r.head),
        r.commits,
        if r.commits == 1 { "" } else { "s" },
        if warnings > 0 {
            format!(" · {warnings} warning{}", if warnings == 1 { "" } else { "s" })
        } else {
            String::new()
        }
    )?;
    writeln!(out, "**Effect:** {}\n", effect(r))?;

    let step = &r.step;
    let nothing = step.versions.is_empty()
        && step.policy_files.is_empty()
        && step.signoffs.is_empty()
        && r.products.is_empty();
    if nothing && r.statuses.is_empty() {
        writeln!(out, "No inventory, policy or approval changes.")?;
    } else {
        writeln!(out, "| | Change | Status | Needs | Has |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for v in &step.versions {
            let moved = r.statuses.iter().find(|m| m.system == v.system && m.component == v.component);
            let st = moved.map(|m| format!("{} → {}", status(m.before), status(m.after))).unwrap_or_default();
            let finding = r.findings.iter().find(|f| {
                f.code == "unapproved-version-change"
                    && f.path.as_deref() == Some(&v.path)
                    && f.line == Some(v.line)
            });
            writeln!(
                out,
                "| {} | `{}/{}` {} → {} ([{}:{}]({})) | {} | approved change targeting {}/{} {} → {} | {} |",
                mark(finding),
                md(&v.system),
                md(&v.component),
                md(&v.from),
                md(&v.to),
                md(&v.path),
                v.line,
                md(&v.path),
                st,
                md(&v.system),
                md(&v.component),
                md(&v.from),
                md(&v.to),
                v.approved_by.as_deref().map(|c| format!("{c} (approved)")).unwrap_or_else(|| "—".into())
            )?;
        }
        for p in &step.policy_files {
            let finding = r
                .findings
                .iter()
                .find(|f| f.code == "unapproved-policy-change" && f.path.as_deref() == Some(&p.path));
            writeln!(
                out,
                "| {} | `{}` | | approved `policy` change listing `{}…` | {} |",
                mark(finding),
                md(&p.path),
                &p.digest[..p.digest.len().min(19)],
                p.approved_by.as_deref().map(|c| format!("{c} (approved)")).unwrap_or_else(|| "—".into())
            )?;
        }
        for s in &step.signoffs {
            let finding = r.findings.iter().find(|f| f.path.as_deref() == Some(&s.path));
            writeln!(
                out,
                "| {} | sign-off {} `{}` {} by {} | {} | signature by a key trusted at the base, in chain order | {} |",
                mark(finding),
                md(&s.change),
                md(&s.stage),
                s.decision,
                md(&s.by),
                s.standing,
                if s.standing == "valid" { "✔ verified" } else { s.standing }
            )?;
        }
        for p in &r.products {
            let earlier = p.dates.iter().any(|d| d.earlier);
            let mut what = Vec::new();
            if !p.cycles_added.is_empty() {
                what.push(format!("cycles added: {}", p.cycles_added.join(", ")));
            }
            if !p.cycles_removed.is_empty() {
                what.push(format!("cycles removed: {}", p.cycles_removed.join(", ")));
            }
            for d in &p.dates {
                what.push(format!(
                    "{} {} {} → {}{}",
                    d.cycle,
                    d.field,
                    d.before,
                    d.after,
                    if d.earlier { " **(earlier)**" } else { "" }
                ));
            }
            writeln!(
                out,
                "| {} | product `{}` | {} | review the dates against the vendor's notice | |",
                if earlier { "⚠️" } else { "ℹ️" },
                md(&p.product),
                md(&what.join("; "))
            )?;
        }
        let shown: Vec<&crate::review::StatusMove> = r
            .statuses
            .iter()
            .filter(|m| !step.versions.iter().any(|v| v.system == m.system && v.component == m.component))
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
            writeln!(out, "| | … and {} more status changes | | | |", shown.len() - 50)?;
        }
    }
    if !r.findings.is_empty() {
        writeln!(
            out,
            "\n<details{}><summary>Findings ({})</summary>\n",
            if errors > 0 { " open" } else { "" },
            r.findings.len()
        )?;
        for f in &r.findings {
            let at = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!(" `{p}:{l}`"),
                (Some(p), None) => format!(" `{p}`"),
                _ => String::new(),
            };
            writeln!(out, "- {} **`{}`**{} — {}", mark(Some(f)), f.code, at, md(&f.message))?;
        }
        writeln!(out, "\n</details>")?;
    }
    if errors > 0 {
        writeln!(
            out,
            "\nApprovers sign on this branch (`lifecycle approve <ID>`) and push; `lifecycle change show <ID>` says who signs next."
        )?;
    }
    Ok(())
}

/// Escapes data for a GitHub workflow command.
fn gh(text: &str, property: bool) -> String {
    let t = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property { t.replace(':', "%3A").replace(',', "%2C") } else { t }
}

/// GitHub Actions workflow commands: an annotation per finding at its file and line.
pub fn github(out: &mut dyn Write, r: &Review) -> io::Result<()> {
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
        writeln!(out, "::{level} {}::{}", props.join(","), gh(&f.message, false))?;
    }
    let errors = r.errors();
    writeln!(
        out,
        "lifecycle review: {} — {}",
        if errors == 0 { "ok" } else { "changes need approval" },
        effect(r)
    )
}

/// SARIF 2.1.0: one rule per finding code, results located at file and line.
pub fn sarif(r: &Review) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = CODES
        .iter()
        .map(|(code, text)| {
            json!({
                "id": code,
                "name": code,
                "shortDescription": {"text": text},
                "helpUri": "https://github.com/lifecycle-tool/lifecycle/blob/main/docs/diagnostics.md#finding-codes-approvals-verify",
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": CODES.iter().position(|(c, _)| *c == f.code).unwrap_or(0),
                "level": if f.severity == Severity::Error { "error" } else { "warning" },
                "message": {"text": f.message},
            });
            if let Some(p) = &f.path {
                let mut location =
                    json!({"physicalLocation": {"artifactLocation": {"uri": p, "uriBaseId": "%SRCROOT%"}}});
                if let Some(l) = f.line {
                    location["physicalLocation"]["region"] = json!({"startLine": l});
                }
                result["locations"] = json!([location]);
            }
            if let Some(c) = &f.commit {
                result["properties"] = json!({"commit": c, "change": f.change});
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "lifecycle",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/lifecycle-tool/lifecycle",
                "rules": rules,
            }},
            "versionControlProvenance": [{"repositoryUri": "file:///", "revisionId": r.head.to_string()}],
            "results": results,
        }],
    })
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
        "effect": effect(r),
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
