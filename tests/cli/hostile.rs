//! Hostile input (the inventory comes from pull requests): every case gets a clear error naming the
//! file, never a panic, and nothing is written.

use crate::common::{TestEnv, tree};

/// A valid repository to add one hostile file to.
fn repo() -> TestEnv {
    let env = TestEnv::with_example();
    env.git_init();
    env.commit_all("example");
    env
}

/// Runs `validate` and returns the first diagnostic's code, asserting exit 2 and an untouched tree.
fn refused(env: &TestEnv, path: &str) -> String {
    let before = tree(env.dir.path());
    let out = env.run(&["validate", "--format", "json"]);
    assert_eq!(out.status, 2, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(tree(env.dir.path()), before, "validate wrote something");
    let doc = out.json();
    let d = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["origin"]["path"] == path && d["severity"] == "error");
    d.unwrap_or_else(|| panic!("no error for {path}: {doc:#}"))["code"].as_str().unwrap().to_string()
}

/// YAML nested a thousand levels deep is refused by the parser's depth budget, not by a stack overflow.
#[test]
fn deeply_nested_yaml_is_refused() {
    let env = repo();
    let text =
        format!("id: deep\nowner: x\ncriticality: low\ntags: {}{}\n", "[".repeat(1000), "]".repeat(1000));
    env.write("inventory/systems/deep.yaml", &text);
    let code = refused(&env, "inventory/systems/deep.yaml");
    assert!(code == "yaml-limit" || code == "yaml-syntax" || code == "bad-value", "{code}");
}

/// A 5 MB single line is reported with a snippet cut around the column, not echoed whole.
#[test]
fn an_extremely_long_line_gives_a_short_snippet() {
    let env = repo();
    let text = format!("id: long\nowner: x\ncriticality: low\nname: {}\nverson: 1\n", "x".repeat(5_000_000));
    env.write("inventory/systems/long.yaml", &text);
    let out = env.run(&["validate"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("unknown key `verson`"), "{}", &out.stderr[..out.stderr.len().min(500)]);
    assert!(out.stderr.len() < 10_000, "the snippet echoed the long line ({} bytes)", out.stderr.len());
}

/// A change folder or id that tries to climb out of `changes/` is refused.
#[test]
fn path_traversal_in_change_ids_is_refused() {
    let env = repo();
    let out = env.run(&[
        "--today",
        "2024-09-01",
        "change",
        "new",
        "--class",
        "replacement",
        "--id",
        "../../etc",
        "--target",
        "redis-session/redis=7.2.0",
        "--requested-by",
        "li.ming",
    ]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("not a valid change id"), "{}", out.stderr);
    assert!(!env.path("etc").exists() && !env.path("../etc/request.yaml").exists());

    env.write("changes/CHG-1/request.yaml", "id: ../../etc\ntitle: t\nclass: replacement\nrequested_by: li.ming\nrequested_at: 2024-09-01T10:00:00+08:00\n");
    let out = env.run(&["validate", "--format", "json"]);
    assert_eq!(out.status, 2);
    let codes: Vec<String> = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains(&"bad-id".to_string()) && codes.contains(&"id-mismatch".to_string()), "{codes:?}");
    let out = env.run(&["approve", "../../etc"]);
    assert_eq!(out.status, 2);
}

/// A mapping with the same key twice is refused (YAML would silently keep one).
#[test]
fn duplicate_keys_are_refused() {
    let env = repo();
    env.write("inventory/systems/dup.yaml", "id: dup\nowner: x\nowner: y\ncriticality: low\n");
    assert_eq!(refused(&env, "inventory/systems/dup.yaml"), "duplicate-key");
}

/// A sign-off file with a NUL byte, or with bytes that are not UTF-8, is refused with its name.
#[test]
fn binary_signoff_files_are_refused() {
    let env = repo();
    env.write("changes/CHG-1/request.yaml", "id: CHG-1\ntitle: t\nclass: replacement\nrequested_by: li.ming\nrequested_at: 2024-09-01T10:00:00+08:00\n");
    std::fs::create_dir_all(env.path("changes/CHG-1/approvals")).unwrap();
    std::fs::write(env.path("changes/CHG-1/approvals/01-applicant.yaml"), b"change: CHG-1\0\n").unwrap();
    assert_eq!(refused(&env, "changes/CHG-1/approvals/01-applicant.yaml"), "not-text");
    std::fs::write(env.path("changes/CHG-1/approvals/01-applicant.yaml"), b"change: \xff\xfe\n").unwrap();
    assert_eq!(refused(&env, "changes/CHG-1/approvals/01-applicant.yaml"), "not-utf8");
}

/// Garbage where a signature belongs is reported, never a panic.
#[test]
fn a_garbage_signature_is_invalid_not_a_panic() {
    let env = repo();
    env.write("changes/CHG-1/request.yaml", "id: CHG-1\ntitle: t\nclass: replacement\nrequested_by: li.ming\nrequested_at: 2024-09-01T10:00:00+08:00\n");
    env.write(
        "changes/CHG-1/approvals/01-applicant.yaml",
        "change: CHG-1\nstage: applicant\ndecision: approved\nby: li.ming\nat: \"2024-09-01T10:00:00+08:00\"\ncomment: \"\"\nsubject: request\nsubject_digest: \"sha256:00\"\nkey: \"SHA256:x\"\nsignature: |\n  -----BEGIN SSH SIGNATURE-----\n  AAAA\n  -----END SSH SIGNATURE-----\n",
    );
    let out = env.run(&["change", "show", "CHG-1", "--format", "json"]);
    assert_eq!(out.status, 0, "{}", out.stderr);
    let doc = out.json();
    assert_eq!(doc["signoffs"][0]["signature"], "invalid");
    assert_eq!(doc["state"], "in-review");
}
