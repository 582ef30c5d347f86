//! Hostile input (the inventory comes from pull requests): every case gets a clear error naming the
//! file, never a panic, and nothing is written.

use crate::common::{Org, Output, TestEnv, tree};

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

// ---- Located refusals: every case names the file, and the line and column where there is one ----

/// Runs `validate --format json` and returns the first error diagnostic of `path`, asserting exit 2,
/// an untouched tree, a message and a hint.
fn refusal(env: &TestEnv, path: &str) -> serde_json::Value {
    let before = tree(env.dir.path());
    let out = env.run(&["validate", "--format", "json"]);
    assert_eq!(out.status, 2, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(tree(env.dir.path()), before, "validate wrote something");
    let doc = out.json();
    let d = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["origin"]["path"] == path && d["severity"] == "error")
        .cloned()
        .unwrap_or_else(|| panic!("no error for {path}: {doc:#}"));
    assert!(!d["message"].as_str().unwrap().is_empty(), "{d:#}");
    assert!(!d["hint"].as_str().unwrap_or("").is_empty(), "no hint: {d:#}");
    d
}

/// `(code, line, column)` of a diagnostic.
fn place(d: &serde_json::Value) -> (String, u64, u64) {
    (
        d["code"].as_str().unwrap().to_string(),
        d["origin"]["line"].as_u64().unwrap(),
        d["origin"]["col"].as_u64().unwrap(),
    )
}

/// The human rendering of `validate` names `path:line:col` and shows the snippet line.
fn human_names(env: &TestEnv, located: &str) {
    let out = env.run(&["validate"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains(&format!("--> {located}")), "{located} not named:\n{}", out.stderr);
}

/// Aliases are budgeted: 1,001 aliases in a list of tags are refused at the alias past the budget,
/// with its line and column; a billion-laughs bomb is refused before it expands (here at the first
/// anchored list, which is not a tag), quickly. `check` refuses both, naming the file.
#[test]
fn alias_bombs_are_refused_with_a_place() {
    let env = repo();
    let mut text = String::from("id: bomb\nowner: x\ncriticality: low\ntags:\n  - &t x\n");
    for _ in 0..1_001 {
        text.push_str("  - *t\n");
    }
    env.write("inventory/systems/bomb.yaml", &text);
    let d = refusal(&env, "inventory/systems/bomb.yaml");
    let (code, line, col) = place(&d);
    assert_eq!(code, "yaml-limit", "{d:#}");
    assert!(line > 1_000 && col >= 1, "{d:#}");
    human_names(&env, &format!("inventory/systems/bomb.yaml:{line}:{col}"));

    let mut text =
        String::from("id: bomb\nowner: x\ncriticality: low\ntags:\n  - &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!("  - &a{i} [{}]\n", vec![format!("*a{p}"); 10].join(", ")));
    }
    env.write("inventory/systems/bomb.yaml", &text);
    let started = std::time::Instant::now();
    let d = refusal(&env, "inventory/systems/bomb.yaml");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    let (code, line, _) = place(&d);
    assert!(code == "yaml-limit" || code == "bad-value", "{d:#}");
    assert_eq!(line, 5, "{d:#}");
    let out = env.run(&["check"]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("inventory/systems/bomb.yaml:5:"), "{}", out.stderr);
}

/// A 100 MB file is refused by its size before it is read (the test file is sparse, so this is fast),
/// in the work tree and, just over the 10 MiB limit, in a committed revision read with `--at`.
#[test]
fn a_100_mb_file_is_refused_unread() {
    let env = repo();
    let path = env.path("inventory/products/huge.yaml");
    std::fs::File::create(&path).unwrap().set_len(100 * 1024 * 1024).unwrap();
    let started = std::time::Instant::now();
    let d = refusal(&env, "inventory/products/huge.yaml");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "reading it took {:?}",
        started.elapsed()
    );
    assert_eq!(d["code"], "file-too-large", "{d:#}");
    assert!(d["message"].as_str().unwrap().contains("100.0 MiB"), "{d:#}");

    std::fs::File::create(&path).unwrap().set_len(10 * 1024 * 1024 + 1).unwrap();
    env.commit_all("a large file");
    std::fs::remove_file(&path).unwrap();
    let out = env.run(&["validate", "--at", "HEAD", "--format", "json"]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    let doc = out.json();
    let codes: Vec<_> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["origin"]["path"] == "inventory/products/huge.yaml")
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["file-too-large"], "{doc:#}");
}

/// Deep nesting in block style (mappings inside mappings) is refused at the place the depth budget is
/// exceeded, with its line and column.
#[test]
fn deeply_nested_block_mappings_are_refused_with_a_place() {
    let env = repo();
    let mut text = String::from("id: deep\nowner: x\ncriticality: low\ntags:\n");
    for depth in 0..200 {
        text.push_str(&format!("{}k{depth}:\n", "  ".repeat(depth + 1)));
    }
    env.write("inventory/systems/deep.yaml", &text);
    let d = refusal(&env, "inventory/systems/deep.yaml");
    let (code, line, col) = place(&d);
    assert!(code == "yaml-limit" || code == "bad-value", "{d:#}");
    assert!(line >= 4 && col >= 1, "{d:#}");
    human_names(&env, &format!("inventory/systems/deep.yaml:{line}:{col}"));
}

/// A file saved as GBK (not UTF-8) is refused at the first invalid byte: line 2, column 7.
#[test]
fn non_utf8_bytes_are_refused_at_their_place() {
    let env = repo();
    // `name: 会话` in GBK.
    let mut bytes = b"id: gbk\nname: ".to_vec();
    bytes.extend_from_slice(&[0xBB, 0xE1, 0xBB, 0xB0]);
    bytes.extend_from_slice(b"\nowner: x\ncriticality: low\n");
    env.write("inventory/systems/gbk.yaml", &bytes);
    let d = refusal(&env, "inventory/systems/gbk.yaml");
    assert_eq!(place(&d), ("not-utf8".into(), 2, 7), "{d:#}");
    assert!(d["hint"].as_str().unwrap().contains("iconv"), "{d:#}");
    human_names(&env, "inventory/systems/gbk.yaml:2:7");
}

/// A NUL byte in a system file is refused at its place (line 3, column 8), as is a file of zeros.
#[test]
fn nul_bytes_are_refused_at_their_place() {
    let env = repo();
    env.write("inventory/systems/nul.yaml", b"id: nul\nowner: x\ncritic\0ality: low\n");
    let d = refusal(&env, "inventory/systems/nul.yaml");
    assert_eq!(place(&d), ("not-text".into(), 3, 7), "{d:#}");
    human_names(&env, "inventory/systems/nul.yaml:3:7");
    env.write("inventory/systems/nul.yaml", [0u8; 4096]);
    assert_eq!(place(&refusal(&env, "inventory/systems/nul.yaml")), ("not-text".into(), 1, 1));
}

/// Symbolic links in `inventory/` that lead outside the repository — a file linking to an absolute
/// path, a folder linking outside — are refused by name and never read; a link that stays inside is
/// followed. A committed link out of the tree is refused by `--at` as well.
#[cfg(unix)]
#[test]
fn symlinks_out_of_the_repository_are_refused() {
    use std::os::unix::fs::symlink;
    let env = repo();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "product: secret\ncycles: []\n").unwrap();
    symlink(outside.path().join("secret.yaml"), env.path("inventory/products/secret.yaml")).unwrap();
    let d = refusal(&env, "inventory/products/secret.yaml");
    assert_eq!(d["code"], "symlink-outside", "{d:#}");
    assert!(d["message"].as_str().unwrap().contains("outside the repository"), "{d:#}");
    std::fs::remove_file(env.path("inventory/products/secret.yaml")).unwrap();

    // A folder linking outside is not read (see the ignored test below for the missing error).
    symlink(outside.path(), env.path("inventory/products/elsewhere")).unwrap();
    let out = env.run(&["--today", "2024-09-01", "check", "--format", "json"]);
    assert!(!out.stdout.contains("secret") && !out.stderr.contains("secret"), "{}", out.snapshot());
    std::fs::remove_file(env.path("inventory/products/elsewhere")).unwrap();

    // Control: a link inside the repository is read.
    symlink("redis.yaml", env.path("inventory/products/redis-alias.yaml")).unwrap();
    let out = env.run(&["validate", "--format", "json"]);
    let doc = out.json();
    assert!(
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["origin"]["path"] != "inventory/products/redis-alias.yaml"
                || d["code"] != "symlink-outside"),
        "{doc:#}"
    );
    std::fs::remove_file(env.path("inventory/products/redis-alias.yaml")).unwrap();

    symlink("../../../../../../../../etc/passwd", env.path("inventory/systems/passwd.yaml")).unwrap();
    env.commit_all("a link out of the tree");
    let out = env.run(&["validate", "--at", "HEAD", "--format", "json"]);
    assert_eq!(out.status, 2, "{}", out.stderr);
    let doc = out.json();
    let d = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["origin"]["path"] == "inventory/systems/passwd.yaml")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(d["code"], "symlink-outside", "{d:#}");
    assert!(!out.stdout.contains("root:"), "the linked file was read");
}

/// Duplicate keys deep inside a change request are refused at the second key's line and column.
#[test]
fn duplicate_nested_keys_are_refused_at_the_second_key() {
    let env = repo();
    env.write(
        "changes/CHG-1/request.yaml",
        "id: CHG-1\ntitle: t\nclass: replacement\nrequested_by: li.ming\nrequested_at: 2024-09-01T10:00:00+08:00\n\
         targets:\n  - {system: redis-session, component: redis, to: 7.2.0, to: 7.4.0}\n",
    );
    let d = refusal(&env, "changes/CHG-1/request.yaml");
    let (code, line, col) = place(&d);
    assert_eq!((code.as_str(), line), ("duplicate-key", 7), "{d:#}");
    assert!(col > 40, "the column of the second `to`: {d:#}");
    human_names(&env, &format!("changes/CHG-1/request.yaml:7:{col}"));
}

/// A 5 MB line followed by an error is located exactly (line 5, column 1) in the JSON report.
#[test]
fn an_error_after_an_extremely_long_line_is_located() {
    let env = repo();
    let text = format!("id: long\nowner: x\ncriticality: low\nname: {}\nverson: 1\n", "é".repeat(2_500_000));
    env.write("inventory/systems/long.yaml", &text);
    let d = refusal(&env, "inventory/systems/long.yaml");
    assert_eq!(place(&d), ("unknown-key".into(), 5, 1), "{d:#}");
    // A bad value that is itself 5 MB long is located at its start, and not echoed whole.
    env.write(
        "inventory/systems/long.yaml",
        format!("id: long\nowner: x\ncriticality: {}\n", "x".repeat(5_000_000)),
    );
    let d = refusal(&env, "inventory/systems/long.yaml");
    assert_eq!(place(&d), ("bad-value".into(), 3, 14), "{}", &d.to_string()[..300]);
    let out = env.run(&["validate"]);
    assert!(out.stderr.len() < 10_000, "the value was echoed whole ({} bytes)", out.stderr.len());
}

// ---- Hostile sign-offs: real keys, real signed commits (the `Org` harness) ----------------------

const CHG: &str = "CHG-2024-003";
const ARCHITECT: &str = "changes/CHG-2024-003/approvals/02-architect.yaml";

/// CHG-2024-003 requested by li.ming, then signed by the applicant and the architect with
/// `lifecycle approve` (each a signed commit).
fn two_sign_offs() -> Org {
    let org = Org::new();
    org.as_person("li.ming");
    let args =
        ["change", "new", "--id", CHG, "--class", "replacement", "--target", "redis-session/redis=7.2.0"];
    org.lc("2024-09-05T09:30:00+08:00", &args).assert_status(0);
    org.commit("2024-09-05T09:30:00+08:00", "CHG-2024-003: request");
    for (who, at) in [("li.ming", "2024-09-05T10:00:00+08:00"), ("wang.qiang", "2024-09-07T16:00:00+08:00")] {
        org.as_person(who);
        org.lc(at, &["approve", CHG, "-m", "ok"]).assert_status(0);
    }
    org
}

/// What a command that could write must leave as it was.
struct Untouched {
    head: String,
    files: Vec<(std::path::PathBuf, Vec<u8>)>,
    status: String,
}

impl Untouched {
    fn of(org: &Org) -> Untouched {
        Untouched {
            head: org.head(),
            files: tree(org.root()),
            status: org.git(&["status", "--porcelain", "--untracked-files=all"]),
        }
    }

    #[track_caller]
    fn assert_same(&self, org: &Org, out: &Output) {
        assert_eq!(org.head(), self.head, "a commit was made:\n{}", out.snapshot());
        assert!(tree(org.root()) == self.files, "the work tree changed:\n{}", out.snapshot());
        assert_eq!(
            org.git(&["status", "--porcelain", "--untracked-files=all"]),
            self.status,
            "the index or work tree changed:\n{}",
            out.snapshot()
        );
    }
}

/// Replaces the architect's statement with `text` and commits it (as an attacker would, unsigned).
fn tamper(org: &Org, text: String) {
    org.write(ARCHITECT, text);
    org.commit("2024-09-07T17:00:00+08:00", "tamper with a sign-off");
}

/// The hostile architect statement is named with its code by `change show` and by `verify` (which
/// exits 1), and its stage is open again: zhang.wei (security-manager, next after the architect) is
/// refused with nothing written.
fn assert_named_and_nothing_written(org: &Org, code: &str) {
    let later = "2024-09-08T11:00:00+08:00";
    let out = org.lc(later, &["change", "show", CHG, "--format", "json"]);
    out.assert_status(0);
    let doc = out.json();
    let s = doc["signoffs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"].as_str().is_some_and(|p| p.ends_with("02-architect.yaml")))
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!((&s["signature"], &s["standing"]), (&"invalid".into(), &code.into()), "{doc:#}");
    assert_eq!(doc["next"], "architect", "{doc:#}");
    let human = org.lc(later, &["change", "show", CHG]);
    assert!(human.stdout.contains("02-architect.yaml"), "{}", human.snapshot());

    // `verify` walks history: the statement was modified after it was added (append-only).
    let out = org.lc(later, &["verify"]);
    out.assert_status(1);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("signoff-altered") && all.contains(ARCHITECT), "{}", out.snapshot());

    org.as_person("zhang.wei");
    let before = Untouched::of(org);
    let out = org.lc(later, &["approve", CHG, "-m", "ok"]);
    out.assert_status(2);
    assert!(out.stderr.contains("architect"), "{}", out.snapshot());
    before.assert_same(org, &out);
}

/// A statement with a valid signature whose fields were edited afterwards (`by`, `comment`, `decision`
/// each in turn) is `bad-signature`: named by file, counted for nothing, and nobody can build on it.
#[test]
fn a_signed_statement_with_altered_fields_is_refused() {
    let org = two_sign_offs();
    let original = org.read(ARCHITECT);
    for (from, to) in [
        ("comment: \"ok\"", "comment: \"ok, unconditionally\""),
        ("at: \"2024-09-07T16:00:00+08:00\"", "at: \"2024-09-01T16:00:00+08:00\""),
        ("stage: \"architect\"\ndecision: approved", "stage: \"architect\"\ndecision: rejected"),
    ] {
        assert!(original.contains(from), "{from:?} not in:\n{original}");
        tamper(&org, original.replace(from, to));
        assert_named_and_nothing_written(&org, "bad-signature");
    }
}

/// The SSH signature of a signed approval commit (namespace `git`), replayed as the statement's
/// signature, is `wrong-namespace`: a commit signature never counts as a sign-off.
#[test]
fn a_commit_signature_replayed_as_a_sign_off_is_refused() {
    let org = two_sign_offs();
    let commit = org.git(&["cat-file", "commit", "HEAD"]);
    let mut signature = String::new();
    let mut inside = false;
    for line in commit.lines() {
        if let Some(first) = line.strip_prefix("gpgsig ") {
            inside = true;
            signature.push_str(first);
            signature.push('\n');
        } else if inside && line.starts_with(' ') {
            signature.push_str(&line[1..]);
            signature.push('\n');
        } else {
            inside = false;
        }
    }
    assert!(signature.starts_with("-----BEGIN SSH SIGNATURE-----"), "{commit}");
    let text = org.read(ARCHITECT);
    let at = text.find("signature: |\n").unwrap();
    let mut replayed = text[..at].to_string() + "signature: |\n";
    for line in signature.trim().lines() {
        replayed.push_str(&format!("  {line}\n"));
    }
    tamper(&org, replayed);
    assert_named_and_nothing_written(&org, "wrong-namespace");
}

/// A signature cut short — the last body lines and the END armor line gone, or the body cut in the
/// middle of a base64 group — is `bad-signature`, never a panic.
#[test]
fn a_truncated_signature_is_refused() {
    let org = two_sign_offs();
    let text = org.read(ARCHITECT);
    let lines: Vec<&str> = text.lines().collect();
    let begin = lines.iter().position(|l| l.contains("-----BEGIN SSH SIGNATURE-----")).unwrap();
    let cut_armor = lines[..begin + 3].join("\n") + "\n";
    tamper(&org, cut_armor);
    assert_named_and_nothing_written(&org, "bad-signature");
    let mut cut_body: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let len = cut_body[begin + 1].len();
    cut_body[begin + 1].truncate(len - 3);
    tamper(&org, cut_body.join("\n") + "\n");
    assert_named_and_nothing_written(&org, "bad-signature");
}

/// Change ids that climb out of `changes/` are refused by every command that takes one, by a real
/// signer in a real repository, and nothing is written: no commit, no file, nothing staged.
#[test]
fn path_traversal_in_change_ids_writes_nothing() {
    let org = two_sign_offs();
    org.as_person("zhang.wei");
    let at = "2024-09-08T11:00:00+08:00";
    for id in ["../../etc", "..", "CHG-1/../../x", "/etc/passwd", "CHG-2024-003/approvals"] {
        for args in [
            vec!["approve", id, "-m", "ok"],
            vec!["reject", id, "-m", "no"],
            vec!["confirm", id, "-m", "done"],
            vec!["change", "show", id],
        ] {
            let before = Untouched::of(&org);
            let out = org.lc(at, &args);
            out.assert_status(2);
            assert!(out.stderr.contains(id), "{args:?}: the id is not named:\n{}", out.snapshot());
            before.assert_same(&org, &out);
        }
    }
    assert!(!org.path("etc").exists() && !org.root().parent().unwrap().join("etc/request.yaml").exists());
}

/// A folder in `inventory/` that links outside the repository is refused by name, with a hint, and
/// nothing under it is read.
#[cfg(unix)]
#[test]
fn a_folder_linking_outside_is_refused_by_name() {
    let env = repo();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.yaml"), "product: secret\ncycles: []\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), env.path("inventory/products/elsewhere")).unwrap();
    let d = refusal(&env, "inventory/products/elsewhere");
    assert_eq!(d["code"], "symlink-outside", "{d:#}");
}

/// A folder link that stays inside the repository is followed, as a file link inside is; a link
/// cycle ends instead of recursing forever.
#[cfg(unix)]
#[test]
fn a_folder_linking_inside_is_followed_and_cycles_end() {
    let env = repo();
    let before = env.run(&["validate", "--format", "json"]).json()["files"].as_u64().unwrap();
    std::fs::create_dir_all(env.path("shared/products")).unwrap();
    std::fs::write(
        env.path("shared/products/inhouse.yaml"),
        "product: inhouse\ncycles:\n  - {cycle: \"1\", eol: 2030-01-01}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(env.path("shared/products"), env.path("inventory/products/shared")).unwrap();
    std::os::unix::fs::symlink(env.path("inventory/products"), env.path("inventory/products/loop")).unwrap();
    let out = env.run(&["validate", "--format", "json"]);
    out.assert_status(0);
    assert_eq!(out.json()["files"].as_u64().unwrap(), before + 1, "the linked folder's file is read once");
    let check = env.run(&["--today", "2024-09-01", "check", "--format", "json"]);
    assert_eq!(check.status, 0, "{}", check.stderr);
}
