//! `lifecycle review` (SPEC §4.4, §6) on real repositories: a pull-request branch compared with `main`,
//! trust from the base, every output format; and `verify` after a squash merge.

use serde_json::Value;

use crate::common::redis_change::{CHG, LATER, SIGNERS, SYSTEM};
use crate::common::{Org, Output};

/// The organisation on `main`, with a branch `pr` checked out.
fn branch() -> Org {
    let org = Org::new();
    org.git(&["checkout", "-q", "-b", "pr"]);
    org
}

/// li.ming requests CHG-2024-003 (Redis 6.2.14 → 7.2.0) on the current branch and commits it.
fn request(org: &Org) {
    org.as_person("li.ming");
    org.lc(
        SIGNERS[0].1,
        &[
            "change",
            "new",
            "--id",
            CHG,
            "--class",
            "replacement",
            "--target",
            "redis-session/redis=7.2.0",
            "-q",
        ],
    )
    .assert_status(0);
    org.commit(SIGNERS[0].1, "CHG-2024-003: request");
}

/// The five stages sign, each as its own signer.
fn approve_all(org: &Org) {
    for (who, date) in SIGNERS {
        org.as_person(who);
        org.lc(date, &["approve", CHG, "-m", "ok"]).assert_status(0);
    }
}

/// zhou.jie bumps Redis to 7.2.0 in the inventory (dropping the 6.2 support-contract date) and commits it.
fn bump(org: &Org) {
    let text: String = org
        .read(SYSTEM)
        .replace("version: \"6.2.14\"", "version: \"7.2.0\"")
        .lines()
        .filter(|l| !l.contains("eol: 2024-12-31") && !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    org.write(SYSTEM, text);
    org.as_person("zhou.jie");
    org.commit("2024-09-19T23:00:00+08:00", "redis-session: Redis 7.2.0");
}

fn review(org: &Org, format: &str) -> Output {
    org.lc(LATER, &["review", "--base", "main", "--format", format])
}

fn findings(doc: &Value) -> Vec<(String, String, Option<u64>)> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64(),
            )
        })
        .collect()
}

/// The line of `version: "…"` of the redis component in the system file.
fn version_line(org: &Org) -> u64 {
    org.read(SYSTEM).lines().position(|l| l.contains("version: \"7.2.0\"")).unwrap() as u64 + 1
}

/// An inventory version bump without an approved change fails, pointing at the exact YAML line.
#[test]
fn an_unapproved_version_bump_fails_at_its_line() {
    let org = branch();
    bump(&org);
    let out = review(&org, "json");
    out.assert_status(1);
    // Keys in the document's own order, like every other JSON document (issue 14), not alphabetical.
    assert!(
        out.stdout.starts_with("{\n  \"schema\": \"lifecycle.review/v1\",\n  \"base\": "),
        "{}",
        out.stdout
    );
    let doc = out.json();
    assert_eq!(doc["ok"], false);
    assert_eq!(
        findings(&doc),
        vec![("unapproved-version-change".into(), SYSTEM.into(), Some(version_line(&org)))]
    );
    let v = &doc["versions"][0];
    assert_eq!(
        (v["system"].as_str(), v["from"].as_str(), v["to"].as_str()),
        (Some("redis-session"), Some("6.2.14"), Some("7.2.0"))
    );
    assert!(v["approved_by"].is_null());
    // The status moves, under the base's catalog and policy: Redis 6.2 ends 2024-12-31 on this component
    // (plan by 06-30, finish by 09-30), so 2024-09-20 is `warn`; 7.2 runs to 2029.
    let s = doc["statuses"].as_array().unwrap().iter().find(|s| s["component"] == "redis").unwrap();
    assert_eq!((s["before"].as_str(), s["after"].as_str()), (Some("warn"), Some("ok")));
}

/// The same bump, with the full chain signed on the branch, passes.
#[test]
fn the_same_bump_with_a_full_chain_passes() {
    let org = branch();
    request(&org);
    approve_all(&org);
    bump(&org);
    let out = review(&org, "json");
    out.assert_status(0);
    let doc = out.json();
    assert_eq!(doc["ok"], true, "{doc:#}");
    assert_eq!(doc["versions"][0]["approved_by"], CHG);
    let standings: Vec<&str> =
        doc["signoffs_added"].as_array().unwrap().iter().map(|s| s["standing"].as_str().unwrap()).collect();
    assert_eq!(standings, ["valid"; 5]);
    // Every approval commit on the branch is signed by its signer: no warnings either.
    assert!(findings(&doc).is_empty(), "{:?}", findings(&doc));
}

/// A branch that puts an attacker's key in people.yaml and approves with it fails: trust comes from
/// the base, and the people file itself changed without an approved policy change.
#[test]
fn an_attacker_key_added_in_the_branch_does_not_count() {
    let org = branch();
    request(&org);
    approve_all_but_cto(&org);
    // mallory replaces chen's key with her own, commits, and signs the cto stage as chen.
    org.generate_key("mallory");
    let mut people = org.people();
    let chen = people.iter_mut().find(|p| p.id == "chen").unwrap();
    chen.keys = vec![org.public_key("mallory")];
    org.write_people(&people);
    org.commit("2024-09-10T09:00:00+08:00", "people: rotate chen's key");
    org.git(&["config", "user.signingKey", org.key("mallory").to_str().unwrap()]);
    org.lc_env(SIGNERS[4].1, &["approve", CHG, "-m", "ok"], &[]).assert_status(0);
    bump(&org);
    let out = review(&org, "json");
    out.assert_status(1);
    let codes: Vec<String> = findings(&out.json()).into_iter().map(|f| f.0).collect();
    assert!(codes.contains(&"untrusted-key".to_string()), "{codes:?}");
    assert!(codes.contains(&"unapproved-policy-change".to_string()), "{codes:?}");
    assert!(codes.contains(&"unapproved-version-change".to_string()), "{codes:?}");
}

fn approve_all_but_cto(org: &Org) {
    for (who, date) in &SIGNERS[..4] {
        org.as_person(who);
        org.lc(date, &["approve", CHG, "-m", "ok"]).assert_status(0);
    }
}

/// A request edited after its approval makes the sign-offs stale, and the bump is unapproved.
#[test]
fn a_request_edited_after_approval_reports_stale_signoffs() {
    let org = branch();
    request(&org);
    approve_all(&org);
    let path = format!("changes/{CHG}/request.yaml");
    let text = org.read(&path).replace(
        "to: \"7.2.0\"",
        "to: \"7.2.0\"}\n  - {system: redis-product-cache, component: redis, from: \"7.2.4\", to: \"7.4.0\"",
    );
    org.write(&path, text);
    org.commit("2024-09-11T10:00:00+08:00", "CHG-2024-003: also redis-product-cache");
    bump(&org);
    let out = review(&org, "json");
    out.assert_status(1);
    let doc = out.json();
    let stale: Vec<&str> = doc["signoffs_added"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["standing"] == "stale")
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stale, ["applicant", "architect", "security-manager", "ops-director", "cto"]);
    let codes: Vec<String> = findings(&doc).into_iter().map(|f| f.0).collect();
    assert_eq!(codes.iter().filter(|c| *c == "stale-signoff").count(), 5, "{codes:?}");
    assert!(codes.contains(&"unapproved-version-change".to_string()));
}

/// Squash-merging an approved branch into main keeps every statement verifiable: `verify` passes,
/// noting that the approval commits were replaced.
#[test]
fn squash_merging_an_approved_branch_still_verifies() {
    let org = branch();
    request(&org);
    approve_all(&org);
    bump(&org);
    org.git(&["checkout", "-q", "main"]);
    org.git(&["merge", "-q", "--squash", "pr"]);
    org.as_person("zhou.jie");
    org.commit("2024-09-20T10:00:00+08:00", "Redis 7.2.0 (#1)");
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    out.assert_status(0);
    let doc = out.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["signoffs"], 5);
    let codes: Vec<String> = findings(&doc).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, vec!["unsigned-commit"; 5]);
}

/// Without the chain, the same squash merge fails `verify` at the version line.
#[test]
fn verify_fails_an_unapproved_bump_on_main() {
    let org = Org::new();
    bump(&org);
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    out.assert_status(1);
    assert_eq!(
        findings(&out.json()),
        vec![("unapproved-version-change".into(), SYSTEM.into(), Some(version_line(&org)))]
    );
}

/// Markdown, GitHub and SARIF outputs of an unapproved bump next to an approved one, as snapshots.
#[test]
fn review_outputs() {
    let org = branch();
    request(&org);
    approve_all(&org);
    bump(&org);
    let web = "inventory/systems/web-frontends.yaml";
    let text = org.read(web).replacen("version: \"1.12.4\"", "version: \"3.7.0\"", 1);
    org.write(web, text);
    org.commit("2024-09-19T23:30:00+08:00", "portal-www: jQuery 3.7.0");
    let hide = |text: String| -> String {
        let mut out = text;
        for (i, c) in [org.git(&["rev-parse", "main"]), org.head()].iter().enumerate() {
            out = out
                .replace(c.trim(), &format!("[commit-{i}]"))
                .replace(&c.trim()[..10], &format!("[commit-{i}]"));
        }
        out
    };
    let md = review(&org, "markdown");
    md.assert_status(1);
    insta::assert_snapshot!("review_markdown", hide(md.snapshot()));
    let gh = review(&org, "github");
    insta::assert_snapshot!("review_github", hide(gh.snapshot()));
    let sarif = review(&org, "sarif");
    insta::assert_snapshot!("review_sarif", hide(sarif.stdout.clone()));
    // The same in Chinese; SARIF and JSON stay English.
    let zh =
        |format: &str| org.lc(LATER, &["--lang", "zh-CN", "review", "--base", "main", "--format", format]);
    let md = zh("markdown");
    md.assert_status(1);
    insta::assert_snapshot!("review_markdown_zh_cn", hide(md.snapshot()));
    insta::assert_snapshot!("review_github_zh_cn", hide(zh("github").snapshot()));
    assert_eq!(hide(zh("sarif").stdout), hide(sarif.stdout));
    let verify = org.lc(LATER, &["--lang", "zh-CN", "verify"]);
    assert!(verify.stdout.contains("验证未通过：已检查"), "{}", verify.snapshot());
    assert!(verify.stdout.contains("│ 错误 "), "{}", verify.snapshot());
}

/// The SARIF output validates against the OASIS SARIF 2.1.0 schema, with one rule per finding code
/// and results located at file and line.
#[test]
fn sarif_validates_against_the_schema() {
    let org = branch();
    bump(&org);
    let out = review(&org, "sarif");
    out.assert_status(1);
    let sarif: Value = serde_json::from_str(&out.stdout).unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sarif/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    // The published schema's `run.language` pattern has a stray `]` (a known erratum) that the
    // validator's own meta-check rejects; it does not concern any field we write.
    let text = text.replace(r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#, r#"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"#);
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"unapproved-version-change") && rules.contains(&"stale-signoff"));
    crate::check::assert_sarif_rules(&sarif);
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "unapproved-version-change");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], SYSTEM);
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], version_line(&org));
}

/// `--format github` appends the Markdown to $GITHUB_STEP_SUMMARY.
#[test]
fn github_format_writes_the_step_summary() {
    let org = branch();
    bump(&org);
    let summary = org.path("home/summary.md");
    let out = org.lc_env(
        LATER,
        &["review", "--base", "main", "--format", "github"],
        &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
    );
    out.assert_status(1);
    assert!(
        out.stdout.starts_with("::error file=inventory/systems/redis-session.yaml,line="),
        "{}",
        out.stdout
    );
    let text = std::fs::read_to_string(summary).unwrap();
    assert!(text.contains("### lifecycle review — ❌ 1 problem to fix"), "{text}");
}

/// A branch without inventory, policy or approval changes passes with a one-line summary.
#[test]
fn a_branch_without_relevant_changes_passes() {
    let org = branch();
    org.write("README.md", "notes\n");
    org.commit(LATER, "docs");
    let out = review(&org, "markdown");
    out.assert_status(0);
    assert!(out.stdout.contains("No inventory, policy or approval changes."), "{}", out.stdout);
}
