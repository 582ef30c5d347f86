//! `lifecycle schema`: the JSON Schemas accept every file of the example organisation and reject
//! known-bad documents, checked with an independent JSON Schema validator.

use std::path::Path;

use crate::common::{PROJECT, TestEnv};

fn validator(env: &TestEnv, kind: &str) -> jsonschema::Validator {
    let out = env.run(&["schema", kind]);
    out.assert_status(0);
    let schema: serde_json::Value = out.json();
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{kind}: not a valid schema: {e}"))
}

/// YAML as the editor sees it: a plain `3.10` is a number, `2024-12-31` a string.
fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

fn errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

const REQUEST: &str = r#"
id: CHG-2024-003
title: Redis 6.2.14 升级至 7.2.0
class: replacement
requested_by: li.ming
requested_at: 2024-09-05T10:00:00+08:00
reason: Redis 6.2 停止安全更新 (EOL 2024-12-31)
targets:
  - {system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}
  - {path: policies/people.yaml, digest: "sha256:00"}
advisories: []
risk: medium
plan: {gray_at: 2024-09-17T20:00:00+08:00, production_at: 2024-09-19T22:00:00+08:00,
       executor: liu.yang, supervisor: zhang.wei, backout: "…", tests: "…"}
budget: {amount: 45000, currency: CNY}
until: 2025-03-31
"#;

const REPORT: &str = r#"
started_at: 2024-09-15T20:00:00+08:00
finished_at: 2024-10-15T23:00:00+08:00
executed_by: liu.yang
supervised_by: zhang.wei
backup: {taken_at: 2024-09-15T19:30:00+08:00, ref: "rdb-snapshot-20240915"}
gray: {passed_at: 2024-09-17T22:00:00+08:00, result: pass, rollback_tested: true}
production_at: 2024-09-19T22:00:00+08:00
artifacts: [{name: redis-7.2.0.tar.gz, source: "https://download.redis.io/releases/", sha256: "ab"}]
notified_at: 2024-09-14T09:00:00+08:00
outcome: success
hosts: {total: 8, succeeded: 8}
downtime: 0m
metrics: [{name: latency, unit: ms, before: 2.8, after: 1.9, target: "< 2.5"}]
cost: {amount: 42800, currency: CNY}
"#;

const ADVISORY: &str = r#"
id: CVE-2024-0727
aliases: [GHSA-9v9h-cgj8-h64p]
summary: PKCS12 NULL dereference
severity: high
kev: false
published: 2024-01-26
detected_at: 2024-01-26T09:00:00+08:00
affected:
  - product: openssl
    ranges: [{introduced: "3.0.0", fixed: "3.0.13"}, {introduced: "1.1.1", fixed: "1.1.1x"}]
    versions: []
source: {kind: osv, id: CVE-2024-0727, fetched_at: 2024-01-26T09:00:00Z}
"#;

/// Every YAML file of the example organisation (inventory/ with its observations, policies/, examples/) and the SPEC's
/// request, report and advisory are valid under the schema of their kind.
#[test]
fn schemas_accept_the_example_organisation() {
    let env = TestEnv::new();
    let root = Path::new(PROJECT);
    let mut checked = 0;
    let mut check = |kind: &str, files: Vec<std::path::PathBuf>| {
        let v = validator(&env, kind);
        for file in files {
            let doc = yaml(&std::fs::read_to_string(&file).unwrap());
            let errs = errors(&v, &doc);
            assert!(errs.is_empty(), "{} is not a valid {kind}: {errs:#?}", file.display());
            checked += 1;
        }
    };
    check("system", yaml_files(&root.join("inventory/systems")));
    check("product", yaml_files(&root.join("inventory/products")));
    let (people, policies): (Vec<_>, Vec<_>) =
        yaml_files(&root.join("policies")).into_iter().partition(|p| p.ends_with("people.yaml"));
    check("people", people);
    let mut policies = policies;
    policies.push(root.join("examples/telecom/policy.yaml"));
    policies.push(root.join("examples/minimal/policy.yaml"));
    check("policy", policies);
    check("advisory", yaml_files(&root.join("inventory/advisories")));
    let observed: Vec<_> = ["redis-product-cache", "redis-session"]
        .iter()
        .flat_map(|s| yaml_files(&root.join("inventory/observed").join(s)))
        .collect();
    assert_eq!(observed.len(), 7);
    check("observation", observed);
    assert!(checked > 90, "only {checked} files");
    for (kind, text) in [("change", REQUEST), ("report", REPORT), ("advisory", ADVISORY)] {
        let errs = errors(&validator(&env, kind), &yaml(text));
        assert!(errs.is_empty(), "{kind}: {errs:#?}");
    }
    let settings =
        "timezone: Asia/Shanghai\npaths: {systems: inv/systems}\ngenesis: abc123\nsigning_namespace: x\n";
    assert!(errors(&validator(&env, "settings"), &yaml(settings)).is_empty());
    // A file holding `systems: [...]` is a system file too.
    let many = "systems:\n  - {id: a, owner: o, criticality: low}\n  - {id: b, owner: o, criticality: high, components: [{product: redis, version: 7.2}]}\n";
    assert!(errors(&validator(&env, "system"), &yaml(many)).is_empty());
}

/// Known-bad documents are rejected: an unknown key, a misspelt enum, a bad date, a bad duration, a
/// missing required key, a wrong type.
#[test]
fn schemas_reject_bad_documents() {
    let env = TestEnv::new();
    let system = validator(&env, "system");
    let good = "id: a\nowner: o\ncriticality: high\ncomponents: [{product: redis, version: \"7.2\"}]\n";
    assert!(errors(&system, &yaml(good)).is_empty());
    for bad in [
        "id: a\nowner: o\ncriticality: high\ncomponets: []\n", // unknown key
        "id: a\nowner: o\ncriticality: urgent\n",              // not a criticality
        "id: a\ncriticality: high\n",                          // no owner
        "id: a\nowner: o\ncriticality: high\nhosts: many\n",   // not a number
        "id: a\nowner: o\ncriticality: high\ncomponents: [{product: redis, version: \"7\", eol: 31/12/2024}]\n",
        "id: a\nowner: o\ncriticality: high\ncomponents: [{product: redis, version: \"7\", support: premium}]\n",
    ] {
        assert!(!errors(&system, &yaml(bad)).is_empty(), "accepted:\n{bad}");
    }
    let policy = validator(&env, "policy");
    for bad in [
        "eol: {plan_before: six months}\n",
        "eol: {basis: contract}\n",
        "classes:\n  feature: {deploy_within: 1 month, chain: [tech-director]}\n",
        "classes:\n  feature: {chain: [a], approvers: [b]}\n",
        "classes:\n  feature: {chain: {urgent: [a]}}\n",
        "rules: {separation_of_duties: maybe}\n",
    ] {
        assert!(!errors(&policy, &yaml(bad)).is_empty(), "accepted:\n{bad}");
    }
    let product = validator(&env, "product");
    assert!(!errors(&product, &yaml("product: x\ncycles: [{cycle: \"1\", eol: soon}]\n")).is_empty());
    assert!(
        errors(
            &product,
            &yaml("product: x\ncycles: [{cycle: 1.1, eol: true}, {cycle: \"2\", eol: 2030-01-01}]\n")
        )
        .is_empty()
    );
    let report = validator(&env, "report");
    assert!(
        !errors(&report, &yaml("started_at: 2024-09-15T20:00:00+08:00\nexecuted_by: a\noutcome: done\n"))
            .is_empty()
    );
    let people = validator(&env, "people");
    assert!(!errors(&people, &yaml("people: [{id: a, roles: [cto]}]\n")).is_empty(), "a person needs a name");
}

/// `schema --out-dir` writes every kind; the files are what `schema KIND` prints; without a kind,
/// the kinds are listed.
#[test]
fn schema_out_dir_and_list() {
    let env = TestEnv::new();
    env.run(&["schema", "-q", "--out-dir", "schemas"]).assert_status(0);
    for kind in
        ["system", "product", "policy", "people", "change", "report", "advisory", "settings", "observation"]
    {
        assert_eq!(env.read(&format!("schemas/{kind}.json")), env.run(&["schema", kind]).stdout, "{kind}");
    }
    let list = env.run(&["schema"]);
    list.assert_status(0);
    assert!(list.stdout.starts_with("system "), "{}", list.snapshot());
    let bad = env.run(&["schema", "sytem"]);
    bad.assert_status(2);
}
