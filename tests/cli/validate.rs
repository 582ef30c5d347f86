//! `lifecycle validate`: every problem of every file in one run, located and explained (SPEC §3, §6, §9).

use serde_json::Value;

use crate::common::{TestEnv, tree};

/// Every error code the `broken` fixture holds, one file each (tests/fixtures/broken/README.md).
const BROKEN_CODES: [(&str, &str); 14] = [
    ("bad-timezone", "lifecycle.yaml"),
    ("unknown-key", "inventory/systems/typo-key.yaml"),
    ("bad-value", "inventory/systems/criticality.yaml"),
    ("yaml-syntax", "inventory/systems/syntax.yaml"),
    ("duplicate-id", "inventory/systems/dup-b.yaml"),
    ("unknown-cycle", "inventory/systems/no-cycle.yaml"),
    ("bad-date", "inventory/products/baddate.yaml"),
    ("duplicate-key", "inventory/products/dupkey.yaml"),
    ("id-mismatch", "inventory/products/wrong-name.yaml"),
    ("bad-duration", "policies/eol.yaml"),
    ("role-not-held", "policies/classes.yaml"),
    ("bad-key", "policies/people.yaml"),
    ("unknown-class", "changes/CHG-2024-001/request.yaml"),
    ("unknown-person", "changes/CHG-2024-002/request.yaml"),
];

/// `validate --format json`'s diagnostics.
fn diagnostics(env: &TestEnv) -> Vec<Value> {
    let out = env.run(&["validate", "--format", "json"]);
    out.json()["diagnostics"].as_array().unwrap().clone()
}

fn codes(diags: &[Value]) -> Vec<(String, String)> {
    diags
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["origin"]["path"].as_str().unwrap().to_string()))
        .collect()
}

/// The diagnostic with `code`, which must be the only error.
fn only_error(env: &TestEnv, code: &str) -> Value {
    let errors: Vec<Value> = diagnostics(env).into_iter().filter(|d| d["severity"] == "error").collect();
    assert_eq!(errors.len(), 1, "expected one error: {errors:#?}");
    assert_eq!(errors[0]["code"], code, "{:#}", errors[0]);
    errors[0].clone()
}

/// The first diagnostic of human output (up to the blank line after it).
fn first_block(stderr: &str) -> &str {
    stderr.split("\n\n").next().unwrap()
}

/// A valid repository (one product, one system, a policy) to add one bad file to.
fn valid_repo() -> TestEnv {
    let env = TestEnv::new();
    env.write("policies/policy.yaml", "eol: {plan_before: 6mo, finish_before: 3mo}\n");
    env.write("inventory/products/foo.yaml", "product: foo\ncycles:\n  - {cycle: \"1\", eol: 2030-01-01}\n");
    env.write(
        "inventory/systems/svc.yaml",
        "id: svc\nowner: team\ncriticality: high\ncomponents:\n  - {product: foo, version: \"1.2\"}\n",
    );
    let out = env.run(&["validate"]);
    out.assert_status(0);
    env
}

/// The `broken` fixture: all fourteen problems are reported in one run, each at its file, with a
/// hint; exit 2; nothing written.
#[test]
fn broken_fixture_reports_every_problem_at_once() {
    let env = TestEnv::with_fixture("broken");
    let before = tree(env.root());
    let out = env.run(&["validate"]);
    out.assert_status(2);
    assert_eq!(out.stdout, "", "human diagnostics go to stderr");
    for (code, path) in BROKEN_CODES {
        let header = format!("error[{code}]");
        let at = format!("--> {path}");
        assert!(
            out.stderr.split("\n\n").any(|block| block.starts_with(&header) && block.contains(&at)),
            "no {code} for {path} in:\n{}",
            out.stderr
        );
    }
    assert!(out.stderr.ends_with("17 files checked: errors: 14, warnings: 0\n"), "{}", out.stderr);
    assert_eq!(tree(env.root()), before, "validate wrote something");
    insta::assert_snapshot!("broken_human", out.snapshot());
}

/// The same as `lifecycle.validate/v1` JSON on stdout: every diagnostic with code, place, message, hint.
#[test]
fn broken_fixture_json() {
    let env = TestEnv::with_fixture("broken");
    let out = env.run(&["validate", "--format", "json"]);
    out.assert_status(2);
    assert_eq!(out.stderr, "");
    let doc = out.json();
    assert_eq!(doc["schema"], "lifecycle.validate/v1");
    assert_eq!(doc["errors"], 14);
    assert_eq!(doc["warnings"], 0);
    let diags = doc["diagnostics"].as_array().unwrap();
    let mut found = codes(diags);
    found.sort();
    let mut expected: Vec<(String, String)> =
        BROKEN_CODES.iter().map(|(c, p)| (c.to_string(), p.to_string())).collect();
    expected.sort();
    assert_eq!(found, expected);
    for d in diags {
        assert!(d["hint"].is_string(), "every error has a hint: {d:#}");
    }
    insta::assert_snapshot!("broken_json", out.snapshot());
}

/// `check` refuses the `broken` fixture with the same errors and exit 2.
#[test]
fn check_refuses_the_broken_fixture() {
    let env = TestEnv::with_fixture("broken");
    let out = env.run(&["check", "--today", "2024-09-01"]);
    out.assert_status(2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.ends_with(
            "error: the repository has errors (14); nothing was evaluated\n  = hint: fix them, or run `lifecycle validate` for the full list\n"
        ),
        "{}",
        out.stderr
    );
}

/// The example organisation validates: exit 0, one warning (the in-house acme-billing-engine).
#[test]
fn example_organisation_validates() {
    let env = TestEnv::with_example();
    let out = env.run(&["validate"]);
    out.assert_status(0);
    assert_eq!(out.stderr.matches("warning[").count(), 1, "{}", out.stderr);
    assert!(!out.stderr.contains("error["), "{}", out.stderr);
    insta::assert_snapshot!("example", out.snapshot());
    let diags = diagnostics(&env);
    assert_eq!(
        codes(&diags),
        [("unknown-product".to_string(), "inventory/systems/billing.yaml".to_string())]
    );
    assert!(diags[0]["message"].as_str().unwrap().contains("acme-billing-engine"));
}

/// `-q` keeps errors but drops warnings and the summary line when there are no errors.
#[test]
fn quiet_drops_warnings() {
    let env = TestEnv::with_example();
    let out = env.run(&["validate", "-q"]);
    out.assert_status(0);
    assert_eq!(out.stderr, "");
}

/// A billion-laughs alias bomb is refused quickly with a clear message instead of being expanded.
#[test]
fn alias_bomb_is_refused() {
    let env = valid_repo();
    // A chain is parsed without a fixed shape (list or map), so its value would be expanded in full.
    // A chain takes strings, so nested-list bombs fail as a type error before expansion; this one
    // stays well-typed and must be stopped by the alias budget instead.
    let bomb = format!("classes:\n  bomb:\n    chain: [&r cto, {}]\n", vec!["*r"; 1500].join(", "));
    env.write("policies/bomb.yaml", &bomb);
    let started = std::time::Instant::now();
    let out = env.run(&["validate"]);
    out.assert_status(2);
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "took {:?}", started.elapsed());
    let d = only_error(&env, "yaml-limit");
    assert_eq!(d["origin"]["path"], "policies/bomb.yaml");
    assert!(d["origin"]["line"].as_u64().unwrap() > 0, "{d:#}");
    assert!(d["message"].as_str().unwrap().starts_with("refused"), "{d:#}");
    assert!(
        out.stderr.contains("error[yaml-limit]") && out.stderr.contains("anchors/aliases"),
        "{}",
        out.stderr
    );
}

/// The alias bomb as a whole system file is refused too, at its first key.
#[test]
fn alias_bomb_as_a_system_file_is_refused() {
    let env = valid_repo();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    env.write("inventory/systems/bomb.yaml", &bomb);
    env.run(&["validate"]).assert_status(2);
    let d = only_error(&env, "unknown-key");
    assert_eq!(d["origin"]["path"], "inventory/systems/bomb.yaml");
}

/// A file over 10 MiB is refused before it is parsed, naming its size.
#[test]
fn oversized_file_is_refused() {
    let env = valid_repo();
    let mut text = String::from("id: big\nowner: team\ncriticality: low\ndescription: ");
    text.push_str(&"x".repeat(10 * 1024 * 1024));
    text.push('\n');
    env.write("inventory/systems/big.yaml", &text);
    let out = env.run(&["validate"]);
    out.assert_status(2);
    let d = only_error(&env, "file-too-large");
    assert_eq!(d["origin"]["path"], "inventory/systems/big.yaml");
    assert!(d["message"].as_str().unwrap().contains("files over 10 MiB are refused"), "{d:#}");
    insta::assert_snapshot!(first_block(&out.stderr), @r"
    error[file-too-large]: file is 10.0 MiB; files over 10 MiB are refused
      --> inventory/systems/big.yaml
      = hint: split the file; inventory files are small text files
    ");
}

/// A file of exactly 10 MiB is still read (the limit is "over 10 MiB").
#[test]
fn file_of_exactly_10_mib_is_read() {
    let env = valid_repo();
    let head = "id: big\nowner: team\ncriticality: low\ndescription: ";
    let mut text = String::from(head);
    text.push_str(&"x".repeat(10 * 1024 * 1024 - head.len() - 1));
    text.push('\n');
    assert_eq!(text.len(), 10 * 1024 * 1024);
    env.write("inventory/systems/big.yaml", &text);
    env.run(&["validate"]).assert_status(0);
}

/// Non-UTF-8 bytes (a Latin-1 é) are refused at their line and column with a conversion hint.
#[test]
fn non_utf8_file_is_refused() {
    let env = valid_repo();
    env.write("inventory/systems/latin1.yaml", b"id: latin\nowner: team\nname: caf\xe9\ncriticality: low\n");
    let out = env.run(&["validate"]);
    out.assert_status(2);
    let d = only_error(&env, "not-utf8");
    assert_eq!((&d["origin"]["line"], &d["origin"]["col"]), (&3.into(), &10.into()));
    insta::assert_snapshot!(first_block(&out.stderr), @r"
    error[not-utf8]: the file is not valid UTF-8
      --> inventory/systems/latin1.yaml:3:10
      = hint: save the file as UTF-8 (GBK/GB18030 files must be converted, e.g. `iconv -f GB18030 -t UTF-8`)
    ");
}

/// A UTF-8 byte-order mark is accepted.
#[test]
fn utf8_bom_is_accepted() {
    let env = valid_repo();
    env.write("inventory/systems/bom.yaml", "\u{feff}id: bom\nowner: team\ncriticality: low\n");
    env.run(&["validate"]).assert_status(0);
}

/// A NUL byte marks a binary file: refused at its place.
#[test]
fn nul_byte_is_refused() {
    let env = valid_repo();
    env.write("inventory/systems/nul.yaml", b"id: nul\nowner: te\x00am\ncriticality: low\n");
    env.run(&["validate"]).assert_status(2);
    let d = only_error(&env, "not-text");
    assert_eq!(d["origin"]["path"], "inventory/systems/nul.yaml");
    assert_eq!((&d["origin"]["line"], &d["origin"]["col"]), (&2.into(), &10.into()));
}

/// A symlink in inventory/systems pointing outside the repository is refused, and not read.
#[cfg(unix)]
#[test]
fn symlink_outside_the_repository_is_refused() {
    let env = valid_repo();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.yaml");
    std::fs::write(&target, "id: outside\nowner: team\ncriticality: low\n").unwrap();
    std::os::unix::fs::symlink(&target, env.path("inventory/systems/link.yaml")).unwrap();
    let out = env.run(&["validate"]);
    out.assert_status(2);
    let d = only_error(&env, "symlink-outside");
    assert_eq!(d["origin"]["path"], "inventory/systems/link.yaml");
    assert!(out.stderr.contains("outside the repository"), "{}", out.stderr);
    // The outside system was not loaded: `check` refuses rather than showing it.
    let check = env.run(&["check", "--today", "2024-09-01", "--format", "json"]);
    check.assert_status(2);
    assert!(!check.stdout.contains("outside"));
}

/// A symlink to a file inside the repository is followed like the file itself.
#[cfg(unix)]
#[test]
fn symlink_inside_the_repository_is_followed() {
    let env = valid_repo();
    env.write(
        "shared/other.yaml",
        "id: other\nowner: team\ncriticality: low\ncomponents:\n  - {product: foo, version: \"1.2\"}\n",
    );
    std::os::unix::fs::symlink(env.path("shared/other.yaml"), env.path("inventory/systems/other.yaml"))
        .unwrap();
    env.run(&["validate"]).assert_status(0);
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "json"]);
    out.assert_status(0);
    assert_eq!(out.json()["summary"]["systems"], 2);
}

/// A repository with nothing but `lifecycle.yaml` validates with a warning that no policy was found.
/// (A folder without even `lifecycle.yaml` is no inventory and exits 2: issue 14, defect 3, tested in
/// `check::no_inventory_fails_closed_and_names_the_fix`.)
#[test]
fn empty_repository() {
    let env = TestEnv::new();
    env.write("lifecycle.yaml", "timezone: UTC\n");
    let out = env.run(&["validate"]);
    out.assert_status(0);
    assert!(out.stderr.contains("warning[no-policy]"), "{}", out.stderr);
}

// ---- Known defects (src/ is not ours to change here; each is described in the hand-over) ------

/// SPEC §9: every error names file, line and column. A chain role nobody holds is reported without
/// a line: the role's span is lost because `chain` is parsed through an untagged enum.
#[test]
fn role_not_held_has_a_line_and_column() {
    let env = TestEnv::with_fixture("broken");
    let d = diagnostics(&env).into_iter().find(|d| d["code"] == "role-not-held").unwrap();
    // policies/classes.yaml line 4: `    chain: [architect, ciso]`, `ciso` at column 24.
    assert_eq!((&d["origin"]["line"], &d["origin"]["col"]), (&4.into(), &24.into()), "{d:#}");
}

/// An unknown class or requester points at the offending value, not at line 1 of the request.
#[test]
fn change_request_references_point_at_their_value() {
    let env = TestEnv::with_fixture("broken");
    let diags = diagnostics(&env);
    let at = |code: &str| {
        let d = diags.iter().find(|d| d["code"] == code).unwrap();
        (d["origin"]["line"].as_u64().unwrap(), d["origin"]["col"].as_u64().unwrap())
    };
    assert_eq!(at("unknown-class"), (3, 8));
    assert_eq!(at("unknown-person"), (4, 15));
}

/// A YAML budget message is not cut in the middle of a parenthesis.
#[test]
fn yaml_limit_message_is_whole() {
    let env = valid_repo();
    // A chain takes strings, so nested-list bombs fail as a type error before expansion; this one
    // stays well-typed and must be stopped by the alias budget instead.
    let bomb = format!("classes:\n  bomb:\n    chain: [&r cto, {}]\n", vec!["*r"; 1500].join(", "));
    env.write("policies/bomb.yaml", &bomb);
    let d = only_error(&env, "yaml-limit");
    let message = d["message"].as_str().unwrap();
    assert_eq!(message.matches('(').count(), message.matches(')').count(), "{message}");
}

/// `--color always` colours the diagnostics on stderr too, as it does the table on stdout.
#[test]
fn color_always_colours_diagnostics() {
    let env = TestEnv::with_fixture("broken");
    let out = env.run(&["validate", "--color", "always"]);
    out.assert_status(2);
    assert!(out.stderr.contains("\x1b["), "{}", out.stderr);
}

/// A policy file that fails to parse is reported as broken, not also as missing (`no-policy`).
#[test]
fn broken_policy_is_not_reported_missing() {
    let env = valid_repo();
    env.write("policies/policy.yaml", "eol: {plan_before: 6mo, finsh_before: 3mo}\n");
    let codes: Vec<String> =
        diagnostics(&env).iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    assert_eq!(codes, ["unknown-key"]);
}

/// A bad duration's message quotes the unit it did not understand without the separating space.
#[test]
fn bad_duration_message_quotes_the_unit() {
    let env = valid_repo();
    env.write("policies/policy.yaml", "eol: {plan_before: 6 months, finish_before: 3mo}\n");
    let d = only_error(&env, "bad-duration");
    let message = d["message"].as_str().unwrap();
    assert!(!message.contains("` months`"), "{message}");
}

/// A `rules.patch_lag_max` that is not a duration is `bad-duration` at its file, line and column,
/// with the hint listing the units, shown with its snippet; `validate` exits 2.
#[test]
fn bad_patch_lag_max_is_located_with_a_hint() {
    let env = valid_repo();
    env.write(
        "policies/policy.yaml",
        "eol: {plan_before: 6mo, finish_before: 3mo}\nrules:\n  require_backup: true\n  patch_lag_max: 3 months\n",
    );
    let d = only_error(&env, "bad-duration");
    assert_eq!(d["origin"]["path"], "policies/policy.yaml");
    assert_eq!((&d["origin"]["line"], &d["origin"]["col"]), (&4.into(), &18.into()), "{d:#}");
    assert!(d["hint"].as_str().unwrap().contains("6mo"), "{d:#}");
    let out = env.run(&["validate"]);
    out.assert_status(2);
    let block = first_block(&out.stderr);
    assert!(block.contains("policies/policy.yaml:4:18"), "{block}");
    assert!(block.contains("patch_lag_max: 3 months"), "{block}");
    assert!(block.contains("hint"), "{block}");
}

/// SPEC §9 / the `symlink-outside` rule: a linked *folder* leading outside the repository is
/// refused like a linked file, not read through.
#[cfg(unix)]
#[test]
fn symlinked_folder_outside_the_repository_is_refused() {
    let env = valid_repo();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "id: outside\nowner: team\ncriticality: low\n")
        .unwrap();
    std::fs::remove_dir_all(env.path("inventory/systems")).unwrap();
    std::os::unix::fs::symlink(outside.path(), env.path("inventory/systems")).unwrap();
    env.run(&["validate"]).assert_status(2);
}

/// Every structural problem of a file at once (issue 14, defect 7; SPEC §6): a bad enum value, a
/// word where a whole number belongs, a misspelt key and a bad date in one system file are four
/// errors, each at its line and column; the misspelt key is read as the key it was meant to be (no
/// "missing key" follows). "invalid u32" reads "is not a whole number".
#[test]
fn every_structural_problem_of_a_file_at_once() {
    let env = valid_repo();
    env.write(
        "inventory/systems/broken.yaml",
        "id: broken\nowner: team\ncriticality: urgent\nhosts: two\ncomponents:\n  - product: redis\n    verison: \"7.2.4\"\n    eol: 2027/01/01\n",
    );
    let out = env.run(&["validate"]);
    out.assert_status(2);
    let got: Vec<(String, u64, u64)> = diagnostics(&env)
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            let o = &d["origin"];
            (d["code"].as_str().unwrap().to_string(), o["line"].as_u64().unwrap(), o["col"].as_u64().unwrap())
        })
        .collect();
    let want = [("bad-value", 3, 14), ("bad-value", 4, 8), ("unknown-key", 7, 5), ("bad-date", 8, 10)];
    let want: Vec<(String, u64, u64)> = want.iter().map(|(c, l, k)| (c.to_string(), *l, *k)).collect();
    assert_eq!(got, want, "{}", out.snapshot());
    assert!(out.stderr.contains("`two` is not a whole number"), "{}", out.snapshot());
    assert!(out.stderr.contains("did you mean `version`?"), "{}", out.snapshot());
    assert!(!out.stderr.contains("u32"), "{}", out.snapshot());
    // A file with errors never counts: check refuses, naming them.
    env.run(&["check", "--today", "2024-09-01"]).assert_status(2);
}
