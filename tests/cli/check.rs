//! `lifecycle check`: statuses, deadlines, filters, exit codes, `--at` and output formats (SPEC §5, §6, §6.1).

use serde_json::Value;

use crate::common::{BIN, Output, TestEnv, tree};

/// The policy of SPEC §3.3: plan 6 months and finish 3 months before the end date.
const SIX_THREE: &str = "{plan_before: 6mo, finish_before: 3mo}";

/// A repository with one product `foo` whose `cycles:` is `cycles` (flow YAML), the policy
/// `eol: <eol_policy>`, and one system `svc` (owner `team`) whose `components:` is `components`.
fn repo(cycles: &str, components: &str, eol_policy: &str) -> TestEnv {
    let env = TestEnv::new();
    env.write("policies/policy.yaml", format!("eol: {eol_policy}\n"));
    env.write("inventory/products/foo.yaml", format!("product: foo\ntitle: Foo\ncycles: {cycles}\n"));
    env.write(
        "inventory/systems/svc.yaml",
        format!("id: svc\nowner: team\ncriticality: high\ncomponents: {components}\n"),
    );
    env
}

/// One cycle `1` ending on `end`, one component `foo` at version 1.2, the 6mo/3mo policy.
fn ending(end: &str) -> TestEnv {
    repo(&format!(r#"[{{cycle: "1", eol: {end}}}]"#), r#"[{product: foo, version: "1.2"}]"#, SIX_THREE)
}

/// `check --today TODAY --format json ARGS…`, which must exit 0; its document.
fn check_json(env: &TestEnv, today: &str, args: &[&str]) -> Value {
    let mut all = vec!["check", "--today", today, "--format", "json"];
    all.extend_from_slice(args);
    let out = env.run(&all);
    out.assert_status(0);
    assert_eq!(out.stderr, "", "check wrote to stderr");
    out.json()
}

/// The single item of a document.
fn only_item(doc: &Value) -> &Value {
    let items = doc["items"].as_array().expect("items is an array");
    assert_eq!(items.len(), 1, "expected one item: {doc:#}");
    &items[0]
}

/// The item of `system`/`component`.
fn item<'a>(doc: &'a Value, system: &str, component: &str) -> &'a Value {
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["system"] == system && i["component"] == component)
        .unwrap_or_else(|| panic!("no item {system}/{component} in {doc:#}"))
}

fn systems_of(doc: &Value) -> Vec<String> {
    let mut ids: Vec<String> =
        doc["items"].as_array().unwrap().iter().map(|i| i["system"].as_str().unwrap().to_string()).collect();
    ids.dedup();
    ids
}

// ---- The example organisation -------------------------------------------------------------

/// The Redis 6.2.14 of the source documents is `warn` on 2024-09-01: plan by 2024-06-30 passed,
/// finish by 2024-09-30, no approved replacement, so a violation (SPEC §5.2, §6.1).
#[test]
fn redis_session_is_warn_on_2024_09_01() {
    let env = TestEnv::with_example();
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "json", "--system", "redis-session"]);
    out.assert_status(0);
    let doc = out.json();
    assert_eq!(doc["schema"], "lifecycle.check/v1");
    assert_eq!(doc["today"], "2024-09-01");
    let redis = item(&doc, "redis-session", "redis");
    assert_eq!(redis["product"], "redis");
    assert_eq!(redis["version"], "6.2.14");
    assert_eq!(redis["cycle"], "6.2");
    assert_eq!(redis["end"], "2024-12-31");
    assert_eq!(redis["plan_by"], "2024-06-30");
    assert_eq!(redis["finish_by"], "2024-09-30");
    assert_eq!(redis["status"], "warn");
    assert_eq!(redis["violation"], true);
    assert_eq!(redis["change"], Value::Null);
    assert_eq!(redis["exception"], Value::Null);
    assert!(doc["items"].as_array().unwrap().iter().all(|i| i["system"] == "redis-session"));
    insta::assert_snapshot!("redis_session_json", out.snapshot());
}

/// The whole example organisation as a table on 2024-09-01.
#[test]
fn example_table() {
    let env = TestEnv::with_example();
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "table"]);
    out.assert_status(0);
    insta::assert_snapshot!("example_table", out.snapshot());
}

/// The whole example organisation as `lifecycle.check/v1` JSON on 2024-09-01; its summary adds up.
#[test]
fn example_json() {
    let env = TestEnv::with_example();
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "json"]);
    out.assert_status(0);
    let doc = out.json();
    let items = doc["items"].as_array().unwrap();
    let s = &doc["summary"];
    assert_eq!(s["systems"], 45, "SPEC §10: 45 systems");
    assert_eq!(s["components"].as_u64().unwrap() as usize, items.len());
    let counted: u64 =
        ["ok", "warn", "due", "eol", "unknown", "accepted"].iter().map(|k| s[k].as_u64().unwrap()).sum();
    assert_eq!(counted as usize, items.len());
    let violations = items.iter().filter(|i| i["violation"] == true).count();
    assert_eq!(s["violations"].as_u64().unwrap() as usize, violations);
    // SPEC §6.1: sorted by system id, then component product.
    let keys: Vec<(String, String)> = items
        .iter()
        .map(|i| (i["system"].as_str().unwrap().to_string(), i["product"].as_str().unwrap().to_string()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    insta::assert_snapshot!("example_json", out.snapshot());
}

/// The whole example organisation as Markdown (for pull-request comments and reports).
#[test]
fn example_markdown() {
    let env = TestEnv::with_example();
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "markdown"]);
    out.assert_status(0);
    insta::assert_snapshot!("example_markdown", out.snapshot());
}

/// The table in Chinese with `--lang zh-CN`.
#[test]
fn example_table_zh_cn() {
    let env = TestEnv::with_example();
    let out = env.run(&["check", "--today", "2024-09-01", "--lang", "zh-CN"]);
    out.assert_status(0);
    insta::assert_snapshot!("example_table_zh_cn", out.snapshot());
}

/// Without `--lang`, a Chinese `LANG` gives the Chinese table, identical to `--lang zh-CN`.
#[test]
fn lang_from_environment() {
    let env = TestEnv::with_example();
    let args = ["check", "--today", "2024-09-01", "--system", "redis-session"];
    let by_env = env.run_env(&args, &[("LANG", "zh_CN.UTF-8")]);
    let mut with_flag = args.to_vec();
    with_flag.extend(["--lang", "zh-CN"]);
    assert_eq!(by_env, env.run(&with_flag));
    assert!(by_env.stdout.contains("预警"), "{}", by_env.stdout);
}

// ---- Status rules (SPEC §5.2) ---------------------------------------------------------------

/// Each boundary of plan_by, finish_by and the end date flips the status on that very day:
/// end 2024-12-31, plan_by 2024-06-30, finish_by 2024-09-30.
#[test]
fn status_boundaries() {
    let env = ending("2024-12-31");
    let cases = [
        ("2024-06-29", "ok", false),
        ("2024-06-30", "warn", true),
        ("2024-09-29", "warn", true),
        ("2024-09-30", "due", true),
        ("2024-12-30", "due", true),
        ("2024-12-31", "eol", true),
    ];
    for (today, status, violation) in cases {
        let doc = check_json(&env, today, &[]);
        let i = only_item(&doc);
        assert_eq!(i["status"], status, "on {today}: {i:#}");
        assert_eq!(i["violation"], violation, "on {today}: {i:#}");
        assert_eq!(i["end"], "2024-12-31");
        assert_eq!(i["plan_by"], "2024-06-30");
        assert_eq!(i["finish_by"], "2024-09-30");
    }
}

/// Six months before 2024-08-31 is 2024-02-29 (clamped, leap year), three months before is 2024-05-31.
#[test]
fn month_arithmetic_clamps_in_a_leap_year() {
    let doc = check_json(&ending("2024-08-31"), "2024-01-01", &[]);
    let i = only_item(&doc);
    assert_eq!(i["plan_by"], "2024-02-29");
    assert_eq!(i["finish_by"], "2024-05-31");
    assert_eq!(i["status"], "ok");
    let on_plan_by = check_json(&ending("2024-08-31"), "2024-02-29", &[]);
    assert_eq!(only_item(&on_plan_by)["status"], "warn");
}

/// Six months before 2023-08-31 is 2023-02-28 (clamped, common year).
#[test]
fn month_arithmetic_clamps_in_a_common_year() {
    let env = ending("2023-08-31");
    let doc = check_json(&env, "2023-01-01", &[]);
    let i = only_item(&doc);
    assert_eq!(i["plan_by"], "2023-02-28");
    assert_eq!(i["finish_by"], "2023-05-31");
    assert_eq!(only_item(&check_json(&env, "2023-02-27", &[]))["status"], "ok");
    assert_eq!(only_item(&check_json(&env, "2023-02-28", &[]))["status"], "warn");
}

/// `eol: true` (ended, date not published) is `eol` with no end date and no deadlines.
#[test]
fn eol_true_is_eol_without_a_date() {
    let env = repo(r#"[{cycle: "1", eol: true}]"#, r#"[{product: foo, version: "1.2"}]"#, SIX_THREE);
    let doc = check_json(&env, "2024-09-01", &[]);
    let i = only_item(&doc);
    assert_eq!(i["status"], "eol");
    assert_eq!(i["violation"], true);
    assert_eq!(i["cycle"], "1");
    assert_eq!(i["end"], Value::Null);
    assert_eq!(i["plan_by"], Value::Null);
    assert_eq!(i["finish_by"], Value::Null);
    assert_eq!(i["reason"], "cycle 1 has ended (date not published)");
}

/// `eol: false` (not announced) is `ok` with no end date and no deadlines, even far in the future.
#[test]
fn eol_false_is_ok_without_deadlines() {
    let env = repo(r#"[{cycle: "1", eol: false}]"#, r#"[{product: foo, version: "1.2"}]"#, SIX_THREE);
    let doc = check_json(&env, "2099-12-31", &[]);
    let i = only_item(&doc);
    assert_eq!(i["status"], "ok");
    assert_eq!(i["violation"], false);
    assert_eq!(i["end"], Value::Null);
    assert_eq!(i["plan_by"], Value::Null);
    assert_eq!(i["finish_by"], Value::Null);
    assert_eq!(i["reason"], "no end date announced for cycle 1");
}

/// A product missing from the catalog gives `unknown` with a reason, not a violation.
#[test]
fn unknown_product_is_unknown_with_a_reason() {
    let env = repo(
        r#"[{cycle: "1", eol: 2030-01-01}]"#,
        r#"[{product: acme-engine, version: "4.2.1"}]"#,
        SIX_THREE,
    );
    let doc = check_json(&env, "2024-09-01", &[]);
    let i = only_item(&doc);
    assert_eq!(i["status"], "unknown");
    assert_eq!(i["violation"], false);
    assert_eq!(i["cycle"], Value::Null);
    assert_eq!(i["end"], Value::Null);
    let reason = i["reason"].as_str().unwrap();
    assert!(reason.contains("acme-engine") && reason.contains("not in the catalog"), "{reason}");
    assert_eq!(doc["summary"]["unknown"], 1);
}

/// A version that matches no cycle gives `unknown` naming the version.
#[test]
fn version_without_a_cycle_is_unknown() {
    let env = repo(
        r#"[{cycle: "1", eol: 2030-01-01}, {cycle: "2", eol: 2031-01-01}]"#,
        r#"[{product: foo, version: "9.1"}]"#,
        SIX_THREE,
    );
    let doc = check_json(&env, "2024-09-01", &[]);
    let i = only_item(&doc);
    assert_eq!(i["status"], "unknown");
    assert_eq!(i["cycle"], Value::Null);
    assert_eq!(i["reason"], "version 9.1 matches no cycle of `foo`");
}

/// Versions are text (an unquoted 3.10 stays "3.10") and match the longest cycle on whole
/// segments: 3.10.12 is cycle 3.10, never 3.1; 1.1.1w is cycle 1.1.1; a leading `v` is dropped (SPEC §5.1).
#[test]
fn versions_are_text_and_match_whole_segments() {
    let env = repo(
        r#"[{cycle: "3.1", eol: 2012-04-09}, {cycle: "3.10", eol: 2026-10-31}, {cycle: "1.1", eol: 2019-09-11}, {cycle: "1.1.1", eol: 2023-09-11}]"#,
        r#"[{name: a, product: foo, version: 3.10}, {name: b, product: foo, version: v3.10.12}, {name: c, product: foo, version: 3.1.4}, {name: d, product: foo, version: 1.1.1w}]"#,
        SIX_THREE,
    );
    let doc = check_json(&env, "2024-09-01", &[]);
    let a = item(&doc, "svc", "a");
    assert_eq!((&a["version"], &a["cycle"]), (&"3.10".into(), &"3.10".into()));
    assert_eq!(item(&doc, "svc", "b")["cycle"], "3.10");
    assert_eq!(item(&doc, "svc", "c")["cycle"], "3.1");
    assert_eq!(item(&doc, "svc", "d")["cycle"], "1.1.1");
}

/// A component's own `eol:` overrides the catalog date (the Redis support contract of the example).
#[test]
fn component_eol_overrides_the_catalog() {
    let env = repo(
        r#"[{cycle: "1", eol: 2030-01-01}]"#,
        r#"[{product: foo, version: "1.2", eol: 2024-12-31}]"#,
        SIX_THREE,
    );
    let doc = check_json(&env, "2024-09-01", &[]);
    let i = only_item(&doc);
    assert_eq!(i["end"], "2024-12-31");
    assert_eq!(i["status"], "warn");
    assert_eq!(i["reason"], "end date 2024-12-31 set on the component");
}

/// `support: extended` uses the cycle's extended_support_end; a component without it keeps `eol`.
#[test]
fn support_extended_uses_extended_support_end() {
    let env = repo(
        r#"[{cycle: "1", eol: 2024-12-31, extended_support_end: 2027-12-31}]"#,
        r#"[{name: paid, product: foo, version: "1.2", support: extended}, {name: plain, product: foo, version: "1.2"}]"#,
        SIX_THREE,
    );
    let doc = check_json(&env, "2024-09-01", &[]);
    let paid = item(&doc, "svc", "paid");
    assert_eq!(paid["end"], "2027-12-31");
    assert_eq!(paid["plan_by"], "2027-06-30");
    assert_eq!(paid["finish_by"], "2027-09-30");
    assert_eq!(paid["status"], "ok");
    assert_eq!(paid["reason"], "cycle 1 extended support ends 2027-12-31");
    let plain = item(&doc, "svc", "plain");
    assert_eq!(plain["end"], "2024-12-31");
    assert_eq!(plain["status"], "warn");
}

/// `support: extended` on a cycle with no extended support falls back to `eol` and says so.
#[test]
fn support_extended_without_extended_date_falls_back() {
    let env = repo(
        r#"[{cycle: "1", eol: 2024-12-31}]"#,
        r#"[{product: foo, version: "1.2", support: extended}]"#,
        SIX_THREE,
    );
    let doc = check_json(&env, "2024-09-01", &[]);
    let i = only_item(&doc);
    assert_eq!(i["end"], "2024-12-31");
    assert_eq!(i["status"], "warn");
    assert_eq!(i["reason"], "cycle 1 has no extended support; security support ends 2024-12-31");
}

/// Policy `basis: extended` uses extended_support_end wherever a cycle has one, `eol` elsewhere.
#[test]
fn policy_basis_extended() {
    let env = repo(
        r#"[{cycle: "1", eol: 2024-12-31, extended_support_end: 2027-12-31}, {cycle: "2", eol: 2024-12-31}]"#,
        r#"[{name: one, product: foo, version: "1.2"}, {name: two, product: foo, version: "2.0"}]"#,
        "{basis: extended, plan_before: 6mo, finish_before: 3mo}",
    );
    let doc = check_json(&env, "2024-09-01", &[]);
    let one = item(&doc, "svc", "one");
    assert_eq!(one["end"], "2027-12-31");
    assert_eq!(one["status"], "ok");
    let two = item(&doc, "svc", "two");
    assert_eq!(two["end"], "2024-12-31");
    assert_eq!(two["status"], "warn");
}

/// Other policy durations move the deadlines: plan 1y and finish 30d before 2025-03-01.
#[test]
fn policy_durations_move_deadlines() {
    let env = repo(
        r#"[{cycle: "1", eol: 2025-03-01}]"#,
        r#"[{product: foo, version: "1.2"}]"#,
        "{plan_before: 1y, finish_before: 30d}",
    );
    let i = check_json(&env, "2024-09-01", &[]);
    let i = only_item(&i);
    assert_eq!(i["plan_by"], "2024-03-01");
    assert_eq!(i["finish_by"], "2025-01-30");
    assert_eq!(i["status"], "warn");
}

// ---- Exit codes (SPEC §6) -------------------------------------------------------------------

/// `check` is informational by default: exit 0 even with EOL violations.
#[test]
fn exit_0_by_default_with_eol_items() {
    let env = ending("2020-01-01");
    let out = env.run(&["check", "--today", "2024-09-01"]);
    out.assert_status(0);
    assert!(out.stdout.contains("EOL"), "{}", out.stdout);
}

/// `--fail-on eol` exits 1 when an EOL violation exists, 0 when the worst is `due`.
#[test]
fn fail_on_eol() {
    let env = ending("2024-12-31");
    let args = |today| ["check", "--today", today, "--fail-on", "eol"];
    env.run(&args("2024-12-31")).assert_status(1);
    env.run(&args("2024-12-30")).assert_status(0);
}

/// `--fail-on due` exits 1 on `due` and `eol`, 0 on `warn`.
#[test]
fn fail_on_due() {
    let env = ending("2024-12-31");
    let args = |today| ["check", "--today", today, "--fail-on", "due"];
    env.run(&args("2024-09-29")).assert_status(0);
    env.run(&args("2024-09-30")).assert_status(1);
    env.run(&args("2025-01-01")).assert_status(1);
}

/// `--fail-on warn` exits 0 when everything is `ok` (or unknown), 1 from `warn` on.
#[test]
fn fail_on_warn() {
    let env = repo(
        r#"[{cycle: "1", eol: 2024-12-31}]"#,
        r#"[{product: foo, version: "1.2"}, {product: unlisted, version: "1"}]"#,
        SIX_THREE,
    );
    let args = |today| ["check", "--today", today, "--fail-on", "warn"];
    env.run(&args("2024-06-29")).assert_status(0);
    env.run(&args("2024-06-30")).assert_status(1);
}

/// `--fail-on never` exits 0 whatever the statuses.
#[test]
fn fail_on_never() {
    let env = ending("2020-01-01");
    env.run(&["check", "--today", "2024-09-01", "--fail-on", "never"]).assert_status(0);
}

/// A repository with a broken file exits 2, lists the errors and says nothing was evaluated.
#[test]
fn broken_repository_exits_2() {
    let env = ending("2024-12-31");
    env.write(
        "inventory/systems/bad.yaml",
        "id: bad\nowner: team\ncriticality: high\ncomponents:\n  - product: foo\n    verson: \"1.2\"\n",
    );
    let out = env.run(&["check", "--today", "2024-09-01", "--fail-on", "eol"]);
    out.assert_status(2);
    assert_eq!(out.stdout, "", "nothing is evaluated");
    insta::assert_snapshot!("broken_repository", out.snapshot());
}

/// An unknown `--system` id exits 2 and suggests the close one.
#[test]
fn unknown_system_exits_2_and_suggests() {
    let env = TestEnv::with_example();
    let out = env.run(&["check", "--today", "2024-09-01", "--system", "redis-sesion"]);
    out.assert_status(2);
    assert_eq!(out.stdout, "");
    insta::assert_snapshot!(out.snapshot(), @r"
    ------- stderr -------
    error: no system `redis-sesion` in the work tree; did you mean `redis-session`?
    [exit status: 2]
    ");
}

/// An impossible `--today` exits 2 and explains why.
#[test]
fn bad_today_exits_2() {
    let env = ending("2024-12-31");
    let out = env.run(&["check", "--today", "2024-02-30"]);
    out.assert_status(2);
    insta::assert_snapshot!(out.snapshot(), @r"
    ------- stderr -------
    error: --today / LIFECYCLE_TODAY: `2024-02-30` is not a calendar date: 2024-02 has 29 days
    [exit status: 2]
    ");
    let out = env.run_env(&["check"], &[("LIFECYCLE_TODAY", "01/09/2024")]);
    out.assert_status(2);
    assert!(out.stderr.contains("YYYY-MM-DD"), "{}", out.stderr);
}

/// An unknown `--format` is a usage error: exit 2.
#[test]
fn unknown_format_exits_2() {
    let env = ending("2024-12-31");
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "yaml"]);
    out.assert_status(2);
    assert!(out.stderr.contains("yaml"), "{}", out.stderr);
}

// ---- Filters and the date --------------------------------------------------------------------

/// A small estate: two systems of two owners with components in every status on 2024-09-01.
fn estate() -> TestEnv {
    let env = repo(
        r#"[{cycle: "1", eol: 2020-01-01}, {cycle: "2", eol: 2024-12-31}, {cycle: "3", eol: 2030-01-01}]"#,
        r#"[{name: old, product: foo, version: "1.0"}, {name: mid, product: foo, version: "2.0"}]"#,
        SIX_THREE,
    );
    env.write(
        "inventory/systems/web.yaml",
        "id: web\nowner: web-team\ncriticality: low\ncomponents:\n  - {name: new, product: foo, version: \"3.0\"}\n  - {name: gone, product: foo, version: \"1.5\"}\n",
    );
    env.write(
        "inventory/systems/api.yaml",
        "id: api\nowner: team\ncriticality: low\ncomponents:\n  - {name: new, product: foo, version: \"3.1\"}\n",
    );
    env
}

/// `--status eol` keeps only EOL components, and the summary counts only them.
#[test]
fn status_filter() {
    let doc = check_json(&estate(), "2024-09-01", &["--status", "eol"]);
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["status"] == "eol"), "{doc:#}");
    assert_eq!(doc["summary"]["components"], 2);
    assert_eq!(doc["summary"]["systems"], 2);
    assert_eq!(doc["summary"]["eol"], 2);
    assert_eq!(doc["summary"]["ok"], 0);
    let both = check_json(&estate(), "2024-09-01", &["--status", "eol", "--status", "warn"]);
    assert_eq!(both["items"].as_array().unwrap().len(), 3);
}

/// `--owner` keeps only the systems of that owner.
#[test]
fn owner_filter() {
    let env = estate();
    let doc = check_json(&env, "2024-09-01", &["--owner", "team"]);
    assert_eq!(systems_of(&doc), ["api", "svc"]);
    let doc = check_json(&env, "2024-09-01", &["--owner", "web-team"]);
    assert_eq!(systems_of(&doc), ["web"]);
    let doc = check_json(&env, "2024-09-01", &["--owner", "nobody"]);
    assert_eq!(doc["items"], serde_json::json!([]));
    assert_eq!(doc["summary"]["systems"], 0);
}

/// `--owner` on the example organisation: platform's systems, not finance-it's billing.
#[test]
fn owner_filter_on_the_example() {
    let doc = check_json(&TestEnv::with_example(), "2024-09-01", &["--owner", "platform"]);
    let systems = systems_of(&doc);
    assert!(systems.contains(&"redis-session".to_string()), "{systems:?}");
    assert!(!systems.contains(&"billing".to_string()), "{systems:?}");
}

/// `--system` (repeatable) keeps only those systems.
#[test]
fn system_filter() {
    let env = estate();
    let doc = check_json(&env, "2024-09-01", &["--system", "web"]);
    assert_eq!(systems_of(&doc), ["web"]);
    assert_eq!(doc["items"].as_array().unwrap().len(), 2);
    let doc = check_json(&env, "2024-09-01", &["--system", "web", "--system", "api"]);
    assert_eq!(systems_of(&doc), ["api", "web"]);
}

/// Filters combine: `--system web --status eol` is web's EOL component alone.
#[test]
fn filters_combine() {
    let doc = check_json(&estate(), "2024-09-01", &["--system", "web", "--status", "eol"]);
    let i = only_item(&doc);
    assert_eq!((&i["system"], &i["component"]), (&"web".into(), &"gone".into()));
}

/// `LIFECYCLE_TODAY` works like `--today`, and `--today` wins over it.
#[test]
fn lifecycle_today_env() {
    let env = ending("2024-12-31");
    let by_flag = env.run(&["check", "--today", "2024-09-30", "--format", "json"]);
    let by_env = env.run_env(&["check", "--format", "json"], &[("LIFECYCLE_TODAY", "2024-09-30")]);
    by_flag.assert_status(0);
    assert_eq!(by_env, by_flag);
    assert_eq!(by_env.json()["today"], "2024-09-30");
    assert_eq!(only_item(&by_env.json())["status"], "due");
    let both = env.run_env(
        &["check", "--today", "2024-06-29", "--format", "json"],
        &[("LIFECYCLE_TODAY", "2024-09-30")],
    );
    assert_eq!(both.json()["today"], "2024-06-29");
}

/// The table says the date, the policy, each deadline with its distance, and the summary.
#[test]
fn table_of_a_small_estate() {
    let out = estate().run(&["check", "--today", "2024-09-01"]);
    out.assert_status(0);
    insta::assert_snapshot!("estate_table", out.snapshot());
}

// ---- --at (SPEC §6: reads the inventory at a revision without checking it out) ---------------

fn redis_version(out: &Output) -> String {
    out.assert_status(0);
    let doc = out.json();
    item(&doc, "redis-session", "redis")["version"].as_str().unwrap().to_string()
}

/// `--at REV` reads the committed inventory of REV; plain `check` reads the work tree; neither
/// touches the work tree, the index or HEAD.
#[test]
fn at_reads_a_revision_without_touching_the_work_tree() {
    let env = TestEnv::with_example();
    env.git_init();
    let first = env.commit_all("Inventory with Redis 6.2.14");
    let file = "inventory/systems/redis-session.yaml";
    env.edit(file, "version: \"6.2.14\"", "version: \"7.2.0\"");
    let second = env.commit_all("Upgrade Redis to 7.2.0");
    env.edit(file, "version: \"7.2.0\"", "version: \"7.2.4\"");

    let files_before = tree(env.root());
    let status_before = env.git(&["status", "--porcelain"]);
    assert_eq!(status_before, format!(" M {file}\n"));

    let check = |at: Option<&str>| {
        let mut args =
            vec!["check", "--today", "2024-09-01", "--format", "json", "--system", "redis-session"];
        if let Some(rev) = at {
            args.extend(["--at", rev]);
        }
        env.run(&args)
    };
    assert_eq!(redis_version(&check(Some("HEAD~1"))), "6.2.14");
    assert_eq!(redis_version(&check(Some(&first))), "6.2.14");
    assert_eq!(redis_version(&check(Some(&first[..10]))), "6.2.14");
    assert_eq!(redis_version(&check(Some("HEAD"))), "7.2.0");
    assert_eq!(redis_version(&check(Some("main"))), "7.2.0");
    assert_eq!(redis_version(&check(None)), "7.2.4");

    // The older revision is evaluated fully, not just read: same status as when it was checked out.
    let old = check(Some("HEAD~1")).json();
    assert_eq!(item(&old, "redis-session", "redis")["status"], "warn");
    assert_eq!(item(&old, "redis-session", "redis")["cycle"], "6.2");

    assert_eq!(tree(env.root()), files_before, "--at changed the work tree");
    assert_eq!(env.git(&["status", "--porcelain"]), status_before);
    assert_eq!(env.git(&["rev-parse", "HEAD"]).trim(), second);
    assert_eq!(env.git(&["stash", "list"]), "");
}

/// `--at` a revision that does not exist exits 2 and names it.
#[test]
fn at_unknown_revision_exits_2() {
    let env = ending("2024-12-31");
    env.git_init();
    env.commit_all("Initial inventory");
    let out = env.run(&["check", "--today", "2024-09-01", "--at", "nosuchrev"]);
    out.assert_status(2);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("error: unknown revision `nosuchrev`"), "{}", out.stderr);
}

/// `--at` outside a git repository exits 2 and says why.
#[test]
fn at_outside_git_exits_2() {
    let env = ending("2024-12-31");
    let out = env.run(&["check", "--today", "2024-09-01", "--at", "HEAD"]);
    out.assert_status(2);
    assert!(out.stderr.contains("--at needs a git repository"), "{}", out.stderr);
}

/// `--at HEAD` on a clean tree sees what the work tree shows, also for a committed symlink whose
/// target is inside the repository (the work tree follows it).
#[cfg(unix)]
#[test]
fn at_head_agrees_with_a_clean_work_tree_on_inside_symlinks() {
    let env = ending("2030-01-01");
    env.write(
        "shared/other.yaml",
        "id: other\nowner: team\ncriticality: low\ncomponents: [{product: foo, version: \"1.2\"}]\n",
    );
    std::os::unix::fs::symlink("../../shared/other.yaml", env.path("inventory/systems/other.yaml")).unwrap();
    env.git_init();
    env.commit_all("A system kept in shared/ and linked into the inventory");
    let work_tree = env.run(&["check", "--today", "2024-09-01", "--format", "json"]);
    work_tree.assert_status(0);
    let at_head = env.run(&["check", "--today", "2024-09-01", "--format", "json", "--at", "HEAD"]);
    assert_eq!(at_head, work_tree);
}

/// The repository is found from a subfolder (walking up to the git work tree root) and from `-C`.
#[test]
fn repository_is_found_from_a_subfolder_and_with_dash_c() {
    let env = ending("2024-12-31");
    env.git_init();
    let expected = env.run(&["check", "--today", "2024-09-01", "--format", "json"]);
    expected.assert_status(0);
    let mut sub = env.command(BIN);
    sub.current_dir(env.path("inventory/systems")).args([
        "check",
        "--today",
        "2024-09-01",
        "--format",
        "json",
    ]);
    let out = sub.output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected.stdout);
    let home = env.path("home");
    let mut dash_c = env.command(BIN);
    dash_c.current_dir(&home).args([
        "-C",
        env.path("policies").to_str().unwrap(),
        "check",
        "--today",
        "2024-09-01",
        "--format",
        "json",
    ]);
    let out = dash_c.output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected.stdout);
}

// ---- Colour --------------------------------------------------------------------------------

/// `--color always` colours the table (even with NO_COLOR set: the flag is explicit).
#[test]
fn color_always_emits_ansi() {
    let env = ending("2024-12-31");
    let out = env.run(&["check", "--today", "2024-09-01", "--color", "always"]);
    out.assert_status(0);
    assert!(out.stdout.contains("\x1b["), "{}", out.stdout);
}

/// Piped output has no ANSI escapes by default, with or without NO_COLOR, and with `--color never`.
#[test]
fn piped_output_has_no_ansi() {
    let env = ending("2024-12-31");
    let args = ["check", "--today", "2024-09-01"];
    // An empty NO_COLOR counts as unset.
    for out in [
        env.run_env(&args, &[("NO_COLOR", "")]),
        env.run(&args),
        env.run(&["check", "--today", "2024-09-01", "--color", "never"]),
    ] {
        out.assert_status(0);
        assert!(!out.stdout.contains('\x1b'), "{}", out.stdout);
    }
}

/// JSON and Markdown are never coloured, even with `--color always`.
#[test]
fn machine_formats_are_never_coloured() {
    let env = ending("2024-12-31");
    for format in ["json", "markdown"] {
        let out = env.run(&["check", "--today", "2024-09-01", "--color", "always", "--format", format]);
        out.assert_status(0);
        assert!(!out.stdout.contains('\x1b'), "{format}: {}", out.stdout);
    }
}

/// A gate pointed at the wrong place fails closed (issue 14, defect 3): in an empty folder, `check
/// --fail-on warn`, `validate` and `calendar` exit 2 and name the fixes (`lifecycle init`, `-C`), in
/// both languages; so does `-C` naming a folder that does not exist, or one without an inventory.
#[test]
fn no_inventory_fails_closed_and_names_the_fix() {
    let env = TestEnv::new();
    env.write("elsewhere/README.md", "not an inventory\n");
    for args in [
        &["check", "--today", "2024-09-01", "--fail-on", "warn"][..],
        &["check", "--format", "json"],
        &["validate"],
        &["validate", "--format", "json"],
        &["calendar"],
        &["-C", "elsewhere", "check"],
    ] {
        let out = env.run(args);
        out.assert_status(2);
        assert!(out.stderr.contains("no inventory in "), "{args:?}:\n{}", out.snapshot());
        assert!(out.stderr.contains("lifecycle init") && out.stderr.contains("-C"), "{}", out.snapshot());
        assert_eq!(out.stdout, "", "{args:?} printed a result:\n{}", out.snapshot());
    }
    let out = env.run(&["-C", "no/such/folder", "validate"]);
    out.assert_status(2);
    assert!(out.stderr.contains("is not a directory") && out.stderr.contains("-C"), "{}", out.snapshot());
    let out = env.run(&["--lang", "zh-CN", "check"]);
    out.assert_status(2);
    assert!(out.stderr.contains("lifecycle init"), "{}", out.snapshot());
    // The history gates too: a repository whose HEAD holds no inventory fails verify, review, report.
    env.git_init();
    env.commit_all("not an inventory");
    for args in
        [&["verify"][..], &["review", "--base", "HEAD"], &["--today", "2024-09-01", "report"], &["kpi"]]
    {
        let out = env.run(args);
        out.assert_status(2);
        assert!(out.stderr.contains("no inventory in [TEMP] (commit "), "{args:?}:\n{}", out.snapshot());
        assert!(out.stderr.contains("lifecycle init"), "{}", out.snapshot());
    }
    // A lifecycle.yaml alone is an inventory (just initialised, nothing listed yet).
    env.write("lifecycle.yaml", "timezone: UTC\n");
    env.run(&["validate"]).assert_status(0);
}

/// The OASIS SARIF 2.1.0 schema (tests/fixtures/sarif), with its known `run.language` erratum fixed.
pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sarif/sarif-schema-2.1.0.json"
    ))
    .unwrap();
    let text = text.replace(r#"^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$"#, r#"^[a-zA-Z]{2}(-[a-zA-Z]{2})?$"#);
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// Every rule has a PascalCase `name` (not its id), a full description and help; every result's
/// `ruleIndex` points at the rule of its `ruleId` (issue 14, defect 5).
pub fn assert_sarif_rules(sarif: &Value) {
    let errors: Vec<String> =
        sarif_validator().iter_errors(sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in rules {
        let (id, name) = (r["id"].as_str().unwrap(), r["name"].as_str().unwrap());
        assert_ne!(id, name);
        assert!(name.chars().next().unwrap().is_ascii_uppercase() && !name.contains('-'), "{name}");
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty(), "{id}");
        assert!(r["help"]["text"].as_str().unwrap().len() > 10, "{id}");
    }
    for id in ["signoff-altered", "invalid-file", "component-eol", "advisory-overdue"] {
        assert!(rules.iter().any(|r| r["id"] == id), "no rule {id}");
    }
    for result in run["results"].as_array().unwrap() {
        let i = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], result["ruleId"], "{result:#}");
    }
    if let Some(vcp) = run.get("versionControlProvenance") {
        let uri = vcp[0]["repositoryUri"].as_str().unwrap();
        assert!(!uri.starts_with("file:"), "{uri}");
    }
}

/// `check --format sarif` passes the OASIS schema: components past their dates and overdue
/// advisories are results at the line of their `version:`; without a remote there is no
/// `versionControlProvenance`; with one, its URI (without credentials) and HEAD. `--format github`
/// gives an annotation per result. (Issue 14, defect 5.)
#[test]
fn check_sarif_and_github_formats() {
    let env = TestEnv::with_example();
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "sarif"]);
    out.assert_status(0);
    let sarif = out.json();
    assert_sarif_rules(&sarif);
    let run = &sarif["runs"][0];
    assert!(run.get("versionControlProvenance").is_none(), "{run:#}");
    let results = run["results"].as_array().unwrap();
    let eol = results
        .iter()
        .find(|r| {
            r["ruleId"] == "component-eol"
                && r["message"]["text"].as_str().unwrap().starts_with("portal-www/centos")
        })
        .unwrap_or_else(|| panic!("no component-eol for portal-www/centos: {results:#?}"));
    assert_eq!(eol["level"], "error");
    let loc = &eol["locations"][0]["physicalLocation"];
    let path = loc["artifactLocation"]["uri"].as_str().unwrap();
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    let text = env.read(path);
    assert!(text.lines().nth(line - 1).unwrap().contains("7.9.2009"), "{path}:{line}");
    assert!(results.iter().any(|r| r["ruleId"] == "component-warn" && r["level"] == "warning"));
    assert!(results.iter().any(|r| r["ruleId"].as_str().unwrap().starts_with("advisory-")));
    // Inventory drift (SPEC §5.4): the example's scans saw a Redis host on 6.2.14 and an undeclared
    // end-of-life OpenSSL; both are `inventory-drift` warnings, the first at the `version:` line.
    let drift: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "inventory-drift").collect();
    assert!(drift.iter().all(|r| r["level"] == "warning"), "{drift:#?}");
    assert!(
        drift.iter().any(|r| r["message"]["text"].as_str().unwrap().contains("observed 6.2.14")),
        "{drift:#?}"
    );
    assert!(
        drift.iter().any(|r| r["message"]["text"].as_str().unwrap().contains("does not declare")),
        "{drift:#?}"
    );
    // `--fail-on` decides the exit code as with every format.
    env.run(&["check", "--today", "2024-09-01", "--format", "sarif", "--fail-on", "eol"]).assert_status(1);

    env.git_init();
    env.git(&["remote", "add", "origin", "https://ci:secret@git.example.com/org/inventory.git"]);
    let head = env.commit_all("inventory");
    let sarif = env.run(&["check", "--today", "2024-09-01", "--format", "sarif"]).json();
    assert_sarif_rules(&sarif);
    let vcp = &sarif["runs"][0]["versionControlProvenance"][0];
    assert_eq!(vcp["repositoryUri"], "https://git.example.com/org/inventory.git");
    assert_eq!(vcp["revisionId"], head);

    let gh = env.run(&["check", "--today", "2024-09-01", "--format", "github"]);
    gh.assert_status(0);
    let first = gh.stdout.lines().find(|l| l.contains("portal-www/centos")).unwrap_or_default();
    assert!(
        first.starts_with(&format!("::error file={path},line={line},title=lifecycle component-eol::")),
        "{}",
        gh.stdout
    );
}

/// A product `foo` whose cycle 7.2 has `latest` 7.2.16 of 2026-08-17, a cycle 6.2 without `latest`,
/// and four components: behind, current, on a cycle without `latest`, and on no cycle; the policy
/// allows `patch_lag_max` 3mo.
fn patch_repo() -> TestEnv {
    let env = repo(
        r#"[{cycle: "7.2", eol: 2029-12-01, latest: "7.2.16", latest_date: 2026-08-17}, {cycle: "6.2", eol: 2029-12-01}]"#,
        r#"[{name: old, product: foo, version: "7.2.0"}, {name: current, product: foo, version: "7.2.16"},
            {name: undated, product: foo, version: "6.2.1"}, {name: stray, product: foo, version: "9.9"}]"#,
        SIX_THREE,
    );
    env.write("policies/policy.yaml", format!("eol: {SIX_THREE}\nrules:\n  patch_lag_max: 3mo\n"));
    env
}

/// JSON items carry the cycle's `latest` and its date, `behind` (true, false, or null when nothing
/// is known), `patch_by` and `patch_behind`; the status is unchanged (SPEC §5.4, §6.1).
#[test]
fn check_json_carries_the_patch_level() {
    let env = patch_repo();
    let doc = check_json(&env, "2026-11-17", &[]);
    let old = item(&doc, "svc", "old");
    assert_eq!(old["status"], "ok");
    assert_eq!(old["latest"], "7.2.16");
    assert_eq!(old["latest_date"], "2026-08-17");
    assert_eq!(old["behind"], true);
    assert_eq!(old["patch_by"], "2026-11-17");
    assert_eq!(old["patch_behind"], false, "exactly at the lag is still in time");
    let current = item(&doc, "svc", "current");
    assert_eq!((&current["behind"], &current["patch_by"]), (&Value::Bool(false), &Value::Null));
    for name in ["undated", "stray"] {
        let i = item(&doc, "svc", name);
        assert_eq!(
            (&i["latest"], &i["behind"], &i["patch_behind"]),
            (&Value::Null, &Value::Null, &Value::Bool(false))
        );
    }
    let doc = check_json(&env, "2026-11-18", &[]);
    assert_eq!(item(&doc, "svc", "old")["patch_behind"], true, "one day over the lag");
    assert_eq!(item(&doc, "svc", "old")["status"], "ok");
}

/// `patch-behind` is a warning of SARIF and GitHub annotations at the component's `version:` line,
/// from the day after `latest_date` + `patch_lag_max`; it does not fail `--fail-on warn` (the
/// status is unchanged).
#[test]
fn patch_behind_is_a_check_finding() {
    let env = patch_repo();
    let patch_results = |today: &str| -> Vec<Value> {
        let out = env.run(&["check", "--today", today, "--format", "sarif"]);
        out.assert_status(0);
        let sarif = out.json();
        assert_sarif_rules(&sarif);
        let results = sarif["runs"][0]["results"].as_array().unwrap().clone();
        results.into_iter().filter(|r| r["ruleId"] == "patch-behind").collect()
    };
    assert!(patch_results("2026-11-17").is_empty(), "exactly at the lag");
    let results = patch_results("2026-11-18");
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["level"], "warning");
    assert_eq!(
        results[0]["message"]["text"],
        "svc/old foo 7.2.0: behind 7.2.16 (released 2026-08-17) for longer than patch_lag_max 3mo: patch by 2026-11-17"
    );
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "inventory/systems/svc.yaml");
    let line = loc["region"]["startLine"].as_u64().unwrap() as usize;
    assert!(env.read("inventory/systems/svc.yaml").lines().nth(line - 1).unwrap().contains("7.2.0"));

    let out = env.run(&["check", "--today", "2026-11-18", "--format", "github", "--fail-on", "warn"]);
    out.assert_status(0);
    let annotation = format!(
        "::warning file=inventory/systems/svc.yaml,line={line},title=lifecycle patch-behind::svc/old foo 7.2.0: behind 7.2.16"
    );
    assert!(out.stdout.contains(&annotation), "{}", out.stdout);
    let zh = env.run(&["--lang", "zh-CN", "check", "--today", "2026-11-18", "--format", "github"]);
    assert!(zh.stdout.contains("落后于 7.2.16（2026-08-17 发布）已超过 patch_lag_max 3mo"), "{}", zh.stdout);
}

/// The table and Markdown mark a component behind its cycle's `latest`, and say when the patch is
/// overdue, in English and Chinese.
#[test]
fn check_table_marks_components_behind() {
    let env = patch_repo();
    let table = env.run(&["check", "--today", "2026-11-17", "--color", "never"]);
    assert!(table.stdout.contains("7.2.0 · behind 7.2.16 "), "{}", table.stdout);
    assert!(!table.stdout.contains("7.2.16 · behind"), "{}", table.stdout);
    let late = env.run(&["check", "--today", "2026-11-18", "--color", "never"]);
    assert!(late.stdout.contains("7.2.0 · behind 7.2.16, patch overdue"), "{}", late.stdout);
    let md = env.run(&["check", "--today", "2026-11-18", "--format", "markdown"]);
    assert!(md.stdout.contains("| 7.2.0 · **behind 7.2.16, patch overdue** |"), "{}", md.stdout);
    let zh = env.run(&["--lang", "zh-CN", "check", "--today", "2026-11-18", "--color", "never"]);
    assert!(zh.stdout.contains("7.2.0 · 落后于 7.2.16，补丁已超期"), "{}", zh.stdout);
    let zh = env.run(&["--lang", "zh-CN", "check", "--today", "2026-11-17", "--format", "markdown"]);
    assert!(zh.stdout.contains("| 7.2.0 · 落后于 7.2.16 |"), "{}", zh.stdout);
}
