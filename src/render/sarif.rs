//! SARIF 2.1.0 for `review` and `check`: the rules are generated from the one findings table
//! ([`CODES`], with severity and fix from docs/diagnostics.md), so every `ruleIndex` points at its
//! `ruleId` and a code cannot be missing from the rules.

use serde_json::{Value, json};

use crate::eval::findings::{CODES, documented, index};

const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");
const HELP_URI: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/diagnostics.md");

/// `unapproved-policy-change` → `UnapprovedPolicyChange` (SARIF's `name` is a readable identifier,
/// not the id again).
pub fn rule_name(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// One rule per code of the findings table, in its order.
pub fn rules() -> Vec<Value> {
    CODES
        .iter()
        .map(|(code, text)| {
            let doc = documented(code);
            let severity = doc.as_ref().map_or("error", |d| d.severity);
            let fix = doc.as_ref().map_or("", |d| d.fix);
            let anchor = doc.as_ref().map(|d| d.anchor.clone()).unwrap_or_default();
            json!({
                "id": code,
                "name": rule_name(code),
                "shortDescription": {"text": text},
                "fullDescription": {"text": format!("{}{}.", text[..1].to_uppercase(), &text[1..])},
                "help": {"text": plain(fix), "markdown": fix},
                "helpUri": format!("{HELP_URI}#{anchor}"),
                "defaultConfiguration": {"level": if severity == "warning" { "warning" } else { "error" }},
            })
        })
        .collect()
}

/// Markdown with its backquotes removed, for `help.text`.
fn plain(markdown: &str) -> String {
    markdown.replace('`', "")
}

/// Where a result points: a repository file and, when known, a line.
pub struct Location<'a> {
    pub path: &'a str,
    pub line: Option<u32>,
}

/// One result of rule `code`.
pub fn result(code: &str, level: &str, message: &str, at: Option<Location>) -> Value {
    debug_assert!(index(code).is_some(), "`{code}` is not in CODES");
    let mut result = json!({
        "ruleId": code,
        "ruleIndex": index(code).unwrap_or(0),
        "level": level,
        "message": {"text": message},
    });
    if let Some(at) = at {
        let mut location =
            json!({"physicalLocation": {"artifactLocation": {"uri": at.path, "uriBaseId": "%SRCROOT%"}}});
        if let Some(l) = at.line.filter(|l| *l > 0) {
            location["physicalLocation"]["region"] = json!({"startLine": l});
        }
        result["locations"] = json!([location]);
    }
    result
}

/// The SARIF log of one run. `revision` is the commit judged; `repository` its repository's URI,
/// when known (SARIF requires one for `versionControlProvenance`, which is left out otherwise).
pub fn log(results: Vec<Value>, revision: Option<String>, repository: Option<String>) -> Value {
    let mut run = json!({
        "tool": {"driver": {
            "name": "lifecycle",
            "version": env!("CARGO_PKG_VERSION"),
            "informationUri": INFORMATION_URI,
            "rules": rules(),
        }},
        "results": results,
    });
    if let Some(uri) = repository {
        let mut details = json!({"repositoryUri": uri});
        if let Some(rev) = revision {
            details["revisionId"] = json!(rev);
        }
        run["versionControlProvenance"] = json!([details]);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

/// The repository's URI, when known: GitHub Actions' `GITHUB_SERVER_URL`/`GITHUB_REPOSITORY`, else
/// the `origin` remote's URL with any user name or password removed (scp-like `git@host:path`
/// becomes `ssh://host/path`). A local path is not a repository URI anyone else can use.
pub fn repository_uri(remote: Option<&str>) -> Option<String> {
    repository_uri_from(&|k| std::env::var(k).ok(), remote)
}

fn repository_uri_from(var: &dyn Fn(&str) -> Option<String>, remote: Option<&str>) -> Option<String> {
    let var = |k: &str| var(k).filter(|v| !v.is_empty());
    if let (Some(server), Some(repo)) = (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY")) {
        return Some(format!("{}/{repo}", server.trim_end_matches('/')));
    }
    let url = remote?.trim();
    if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "https" | "http" | "ssh" | "git") {
            return None;
        }
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        return Some(format!("{scheme}://{host}/{path}"));
    }
    // scp-like `[user@]host:path`; a colon after a slash, or a one-letter drive, is a local path.
    let (host, path) = url.split_once(':')?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    (host.len() > 1 && !host.contains('/')).then(|| format!("ssh://{host}/{}", path.trim_start_matches('/')))
}

/// One reportable result of `check`: a component breaking the policy, or a security deadline.
pub struct CheckResult {
    pub code: &'static str,
    pub level: &'static str,
    pub message: String,
    pub path: String,
    pub line: u32,
}

impl CheckResult {
    /// A result at a place of a file.
    fn at(code: &'static str, level: &'static str, message: String, at: &crate::diag::Origin) -> CheckResult {
        CheckResult { code, level, message, path: at.path.clone(), line: at.line }
    }
}

/// What `check --format sarif|github` reports: violations, unknown components, patches overdue, and
/// open or overdue advisories (in `lang`), each at the line of the component's `version:`.
pub fn check_results(
    repo: &crate::model::Repository,
    items: &[crate::eval::status::Item],
    security: &[crate::eval::advisories::SecurityItem],
    lang: crate::i18n::Lang,
) -> Vec<CheckResult> {
    use crate::eval::advisories::AdvisoryStatus;
    use crate::eval::status::Status;
    let mut out = Vec::new();
    for i in items {
        let (code, level) = match i.status {
            Status::Eol if i.violation => ("component-eol", "error"),
            Status::Due if i.violation => ("component-due", "error"),
            Status::Warn if i.violation => ("component-warn", "warning"),
            Status::Unknown => ("component-unknown", "warning"),
            _ => continue,
        };
        let c = i.component;
        let message = format!(
            "{}/{} {} {}: {} — {}",
            i.system.id,
            c.name,
            c.product,
            c.version,
            super::reason(lang, i),
            super::action(lang, i)
        );
        out.push(CheckResult::at(code, level, message, &c.version_origin));
    }
    out.extend(patch_results(repo, items, lang));
    for a in security {
        let (code, level) = match a.status {
            AdvisoryStatus::Overdue => ("advisory-overdue", "error"),
            AdvisoryStatus::Open => ("advisory-open", "warning"),
            _ => continue,
        };
        let Some(c) =
            repo.system(&a.system).and_then(|s| s.components.iter().find(|c| c.name == a.component))
        else {
            continue;
        };
        let deadline = |t: Option<chrono::DateTime<chrono::FixedOffset>>| {
            t.map(|t| t.format("%Y-%m-%d %H:%M %:z").to_string()).unwrap_or_else(|| "—".into())
        };
        let message = format!(
            "{} ({}) affects {}/{} {} {}: {} — respond by {}, deploy by {}",
            a.advisory,
            a.severity.as_str(),
            a.system,
            a.component,
            a.product,
            a.version,
            super::security::status_word(lang, a.status),
            deadline(a.respond_by),
            deadline(a.deploy_by)
        );
        out.push(CheckResult::at(code, level, message, &c.version_origin));
    }
    out
}

/// `patch-behind` warnings (SPEC §5.4): components behind their cycle's `latest` for longer than
/// `rules.patch_lag_max`, at the line of the component's `version:`.
fn patch_results(
    repo: &crate::model::Repository,
    items: &[crate::eval::status::Item],
    lang: crate::i18n::Lang,
) -> Vec<CheckResult> {
    let text = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let lag = repo.policy.rules.patch_lag_max.map(|l| l.to_string()).unwrap_or_default();
    items
        .iter()
        .filter(|i| i.patch_behind)
        .map(|i| {
            let c = i.component;
            let detail = lang.fmt(
                "check.patch_behind_detail",
                &[
                    ("latest", &i.latest.as_deref().unwrap_or("?")),
                    ("date", &text(i.latest_date)),
                    ("lag", &lag),
                    ("by", &text(i.patch_by)),
                ],
            );
            let message = format!("{}/{} {} {}: {detail}", i.system.id, c.name, c.product, c.version);
            CheckResult::at("patch-behind", "warning", message, &c.version_origin)
        })
        .collect()
}

/// `check --format sarif`.
pub fn check_log(results: &[CheckResult], revision: Option<String>, repository: Option<String>) -> Value {
    let results = results
        .iter()
        .map(|r| result(r.code, r.level, &r.message, Some(Location { path: &r.path, line: Some(r.line) })))
        .collect();
    log(results, revision, repository)
}

/// `check --format sarif|github`: inventory drift (SPEC §5.4) as `inventory-drift` warnings, each
/// declared component that scanners saw at another version or did not see, at its `version:` line,
/// and each undeclared product, at its system's `id:`.
pub fn drift_results(
    repo: &crate::model::Repository,
    items: &[crate::eval::status::Item],
    observed: &crate::eval::observed::Observations,
    undeclared: &[&crate::eval::observed::Undeclared],
) -> Vec<CheckResult> {
    use crate::eval::observed::Drift;
    let mut out = Vec::new();
    for i in items {
        let Some(o) = observed.items.get(&(i.system.id.clone(), i.component.name.clone())) else { continue };
        let what = match o.drift {
            Drift::None => continue,
            Drift::Version => format!("observed {} on {}", o.versions.join(", "), o.drift_hosts.join(", ")),
            Drift::Missing => format!("not observed on the {} scanned hosts", o.scanned),
        };
        let c = i.component;
        let stale = if o.stale { " (stale observation)" } else { "" };
        let message =
            format!("{}/{} declared {} {}: {what}{stale}", i.system.id, c.name, c.product, c.version);
        out.push(CheckResult::at("inventory-drift", "warning", message, &c.version_origin));
    }
    for u in undeclared {
        let Some(system) = repo.system(&u.system) else { continue };
        let message = format!(
            "{} runs {} {} ({} hosts), which the inventory does not declare",
            u.system,
            u.product,
            u.versions.join(", "),
            u.hosts
        );
        out.push(CheckResult::at("inventory-drift", "warning", message, &system.origin));
    }
    out
}

/// `check --format github`: a GitHub Actions annotation per result.
pub fn check_github(out: &mut dyn std::io::Write, results: &[CheckResult]) -> std::io::Result<()> {
    use super::review::gh;
    for r in results {
        let mut props = vec![format!("file={}", gh(&r.path, true))];
        if r.line > 0 {
            props.push(format!("line={}", r.line));
        }
        props.push(format!("title={}", gh(&format!("lifecycle {}", r.code), true)));
        writeln!(out, "::{} {}::{}", r.level, props.join(","), gh(&r.message, false))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(rule_name("unapproved-policy-change"), "UnapprovedPolicyChange");
        assert_eq!(rule_name("component-eol"), "ComponentEol");
    }

    #[test]
    fn every_rule_index_matches_its_rule() {
        let rules = rules();
        assert_eq!(rules.len(), CODES.len());
        for (code, _) in CODES {
            let r = result(code, "error", "m", None);
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], *code);
            assert!(!rules[i]["help"]["text"].as_str().unwrap().is_empty(), "{code}");
        }
    }

    #[test]
    fn repository_uris_hide_credentials() {
        let none = |_: &str| None;
        let uri = |r: &str| repository_uri_from(&none, Some(r));
        assert_eq!(
            uri("https://user:token@example.com/o/r.git").as_deref(),
            Some("https://example.com/o/r.git")
        );
        assert_eq!(uri("git@github.com:o/r.git").as_deref(), Some("ssh://github.com/o/r.git"));
        assert_eq!(uri("ssh://git@host/o/r").as_deref(), Some("ssh://host/o/r"));
        assert_eq!(uri("/srv/git/r.git"), None);
        assert_eq!(uri("file:///srv/git/r.git"), None);
        assert_eq!(repository_uri_from(&none, None), None);
        let github = |k: &str| match k {
            "GITHUB_SERVER_URL" => Some("https://github.com".to_string()),
            "GITHUB_REPOSITORY" => Some("o/r".to_string()),
            _ => None,
        };
        assert_eq!(repository_uri_from(&github, None).as_deref(), Some("https://github.com/o/r"));
    }
}
