//! `lifecycle people add|remove|rotate`, `change new --class policy --adopt` and `init --person`
//! (SPEC §4.8; issue 14, defect 2): the path from "add your reviewers" to a history `verify` accepts.

use sha2::Digest;

use crate::common::{TestEnv, tree};

const TODAY: &str = "2024-09-01";

/// An ed25519 key pair `home/keys/<name>`; the public key line.
fn keygen(env: &TestEnv, name: &str) -> String {
    std::fs::create_dir_all(env.path("home/keys")).unwrap();
    let key = env.path(&format!("home/keys/{name}"));
    let comment = format!("{name}@example.com");
    let out = env.program_output(
        "ssh-keygen",
        &["-q", "-t", "ed25519", "-N", "", "-C", &comment, "-f", key.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status, 0, "ssh-keygen:\n{}", out.snapshot());
    env.read(&format!("home/keys/{name}.pub")).trim().to_string()
}

/// From now on, the repository's git signs as `name` with `home/keys/<key>`.
fn sign_as(env: &TestEnv, name: &str, key: &str) {
    let path = env.path(&format!("home/keys/{key}")).display().to_string();
    let email = format!("{key}@example.com");
    for (k, v) in
        [("user.name", name), ("user.email", &email), ("gpg.format", "ssh"), ("user.signingKey", &path)]
    {
        env.git(&["config", k, v]);
    }
}

/// `sha256:` and the hex SHA-256 of a file of the test directory.
fn digest_of(env: &TestEnv, rel: &str) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(std::fs::read(env.path(rel)).unwrap())))
}

/// Commits only `paths` (the rest of the work tree stays as it is).
fn commit_only(env: &TestEnv, paths: &[&str], msg: &str) {
    let mut add = vec!["add", "--"];
    add.extend_from_slice(paths);
    env.git(&add);
    env.git(&["commit", "-q", "--no-verify", "-m", msg]);
}

/// `init --template minimal` signed by zhang.wei (the only approver), committed.
fn minimal() -> TestEnv {
    let env = TestEnv::new();
    env.git_init();
    keygen(&env, "zhang.wei");
    sign_as(&env, "Zhang Wei", "zhang.wei");
    env.run(&["init", "-q", "--template", "minimal"]).assert_status(0);
    env.commit_all("lifecycle init");
    env
}

/// `people add` edits the people file and writes the policy change listing its new digest; with the
/// request committed alone, the current approver approves while the new file waits in the work tree;
/// once the file is committed, `verify` accepts the history and the new person can sign.
#[test]
fn people_add_opens_the_policy_change_and_verify_accepts_it() {
    let env = minimal();
    let wang = keygen(&env, "wang.qiang");
    let out = env.run(&[
        "--today",
        TODAY,
        "people",
        "add",
        "wang.qiang",
        "--name",
        "Wang Qiang",
        "--role",
        "approver",
        "--key",
        "home/keys/wang.qiang.pub",
    ]);
    out.assert_status(0);
    let request = "changes/CHG-2024-001/request.yaml";
    assert!(
        out.stdout.contains("wrote policies/people.yaml (add wang.qiang (approver))"),
        "{}",
        out.snapshot()
    );
    assert!(out.stdout.contains(&format!("wrote {request}")), "{}", out.snapshot());
    assert!(out.stdout.contains("next: commit the request alone"), "{}", out.snapshot());
    let people = env.read("policies/people.yaml");
    assert!(
        people.starts_with("# yaml-language-server: $schema=../.lifecycle/schemas/people.json\n"),
        "{people}"
    );
    assert!(
        people.contains("  - id: wang.qiang\n    name: \"Wang Qiang\"\n    roles: [approver]\n"),
        "{people}"
    );
    assert!(people.contains(&wang), "{people}");
    let text = env.read(request);
    assert!(text.contains("class: policy\n"), "{text}");
    let target =
        format!("{{path: policies/people.yaml, digest: \"{}\"}}", digest_of(&env, "policies/people.yaml"));
    assert!(text.contains(&target), "{text}");
    env.run(&["validate"]).assert_status(0);

    commit_only(&env, &[request], "CHG-2024-001: add wang.qiang");
    let out = env.run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "ok"]);
    out.assert_status(0);
    assert!(out.stdout.contains("next: commit policies/people.yaml"), "{}", out.snapshot());
    env.commit_all("people: add wang.qiang (CHG-2024-001)");
    let verify = env.run(&["verify"]);
    verify.assert_status(0);

    // The new key signs.
    sign_as(&env, "Wang Qiang", "wang.qiang");
    let new =
        ["--today", TODAY, "change", "new", "--class", "replacement", "--target", "example/redis=8.0.0"];
    env.run(&new).assert_status(0);
    env.commit_all("CHG-2024-002: request");
    env.run(&["--today", TODAY, "approve", "CHG-2024-002", "-m", "ok"]).assert_status(0);
    env.run(&["verify"]).assert_status(0);
}

/// The README's old path — a plain commit of an edited people file — is `unapproved-policy-change`,
/// and the finding says which command opens the policy change; `approve` refuses such an edit with
/// the same advice.
#[test]
fn a_plain_edit_of_the_people_file_says_how_to_open_the_policy_change() {
    let env = minimal();
    let wang = keygen(&env, "wang.qiang");
    let text = env.read("policies/people.yaml")
        + &format!("  - id: wang.qiang\n    name: Wang\n    roles: [approver]\n    keys: [\"{wang}\"]\n");
    env.write("policies/people.yaml", text);
    let new =
        ["--today", TODAY, "change", "new", "--class", "replacement", "--target", "example/redis=8.0.0"];
    env.run(&new).assert_status(0);
    commit_only(&env, &["changes"], "request");
    let out = env.run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "ok"]);
    out.assert_status(2);
    assert!(out.stderr.contains("lifecycle people add|remove|rotate"), "{}", out.snapshot());
    env.commit_all("add wang.qiang");
    let out = env.run(&["verify"]);
    out.assert_status(1);
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("unapproved-policy-change"), "{}", out.snapshot());
    assert!(all.contains("open a policy change: lifecycle people add|remove|rotate"), "{}", out.snapshot());
}

/// `people rotate` replaces the keys; `people remove` removes; every refusal exits 2 and writes
/// nothing: an unknown person, a duplicate id, a private key given as the key, a key another person
/// holds, and removing the last holder of a role a chain needs.
#[test]
fn rotate_remove_and_refusals() {
    let env = minimal();
    keygen(&env, "wang.qiang");
    let new_key = keygen(&env, "wang.qiang.2025");
    let add = [
        "--today",
        TODAY,
        "people",
        "add",
        "wang.qiang",
        "--name",
        "W",
        "--role",
        "approver",
        "--key",
        "home/keys/wang.qiang.pub",
        "-q",
    ];
    env.run(&add).assert_status(0);
    env.commit_all("wang");

    // A role nobody names is allowed, with a warning (usually a typo).
    keygen(&env, "sun.hao");
    let out = env.run(&[
        "--today",
        TODAY,
        "people",
        "add",
        "sun.hao",
        "--name",
        "S",
        "--role",
        "aprover",
        "--key",
        "home/keys/sun.hao.pub",
        "--change-id",
        "CHG-SUN",
    ]);
    out.assert_status(0);
    assert!(out.stderr.contains("the role `aprover`; did you mean `approver`?"), "{}", out.snapshot());
    env.git(&["checkout", "--", "policies/people.yaml"]);
    std::fs::remove_dir_all(env.path("changes/CHG-SUN")).unwrap();

    let before = tree(env.root());
    for (args, reason) in [
        (&add[..], "`wang.qiang` is in policies/people.yaml already"),
        (&["people", "remove", "wang.qiamg"][..], "did you mean `wang.qiang`?"),
        (
            &["people", "rotate", "wang.qiang", "--key", "home/keys/wang.qiang.2025"][..],
            "holds a private key",
        ),
        (&["people", "rotate", "wang.qiang", "--key", "home/keys/zhang.wei.pub"][..], "would belong to both"),
    ] {
        let out = env.run(args);
        out.assert_status(2);
        assert!(out.stderr.contains(reason), "{args:?}: expected {reason:?}:\n{}", out.snapshot());
        assert!(tree(env.root()) == before, "{args:?} wrote files");
    }

    let out = env.run(&[
        "--today",
        TODAY,
        "people",
        "rotate",
        "wang.qiang",
        "--key",
        "home/keys/wang.qiang.2025.pub",
        "--change-id",
        "CHG-KEYS",
    ]);
    out.assert_status(0);
    let people = env.read("policies/people.yaml");
    assert!(people.contains(&new_key) && !people.contains("wang.qiang@example.com\""), "{people}");
    let request = env.read("changes/CHG-KEYS/request.yaml");
    assert!(request.contains("title: \"people: rotate the keys of wang.qiang\""), "{request}");
    env.commit_all("rotate");

    let out = env.run(&["--today", TODAY, "people", "remove", "wang.qiang"]);
    out.assert_status(0);
    assert!(!env.read("policies/people.yaml").contains("wang.qiang"));
    env.commit_all("remove");
    let before = tree(env.root());
    let out = env.run(&["people", "remove", "zhang.wei"]);
    out.assert_status(2);
    assert!(out.stderr.contains("nobody would hold the role `approver`"), "{}", out.snapshot());
    assert!(tree(env.root()) == before);
}

/// `change new --class policy --adopt` lists every policy file, the people file and lifecycle.yaml
/// with their current digests; approved, it is the policy's approval record and `verify` is clean.
/// `--adopt` is only for the `policy` class.
#[test]
fn adopt_approves_the_policy_as_it_stands() {
    let env = minimal();
    let out = env.run(&["--today", TODAY, "change", "new", "--class", "policy", "--adopt"]);
    out.assert_status(0);
    let request = env.read("changes/CHG-2024-001/request.yaml");
    for path in ["lifecycle.yaml", "policies/people.yaml", "policies/policy.yaml"] {
        let target = format!("  - {{path: {path}, digest: \"{}\"}}\n", digest_of(&env, path));
        assert!(request.contains(&target), "{target} missing:\n{request}");
    }
    assert_eq!(request.matches("{path: ").count(), 3, "{request}");
    assert!(request.contains("title: \"Policy change — adopt the policy as it stands\""), "{request}");
    env.commit_all("CHG-2024-001: adopt the policy");
    env.run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "adopted"]).assert_status(0);
    let show = env.run(&["change", "show", "CHG-2024-001", "--format", "json"]);
    assert_eq!(show.json()["state"], "approved", "{}", show.snapshot());
    env.run(&["verify"]).assert_status(0);
    let out = env.run(&["change", "new", "--class", "replacement", "--adopt"]);
    out.assert_status(2);
    assert!(out.stderr.contains("--adopt records the policy as it stands"), "{}", out.snapshot());
}

/// A fresh user following the README (issue 14, "done when"): signing configured in the file
/// `GIT_CONFIG_GLOBAL` names, `init --template ops04` with the four reviewers given by `--person`,
/// one commit, a request, five sign-offs by five people, and `verify` accepts the history.
#[test]
fn init_with_reviewers_reaches_a_verified_five_stage_approval() {
    let env = TestEnv::new();
    env.git_init();
    keygen(&env, "li.ming");
    let reviewers = [
        ("wang.qiang", "architect"),
        ("zhang.wei", "security-manager"),
        ("liu.yang", "ops-director"),
        ("chen", "cto,security-director,tech-director"),
    ];
    let mut args = vec!["init".to_string(), "-q".into()];
    for (id, roles) in reviewers {
        keygen(&env, id);
        args.push("--person".into());
        args.push(format!("{id}:{roles}:home/keys/{id}.pub:{id}"));
    }
    let global = env.path("home/work.gitconfig");
    env.write(
        "home/work.gitconfig",
        format!("[user]\n\tname = Li Ming\n\temail = li.ming@example.com\n\tsigningKey = {}\n[gpg]\n\tformat = ssh\n", env.path("home/keys/li.ming").display()),
    );
    let vars = [("GIT_CONFIG_GLOBAL", global.to_str().unwrap())];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    env.run_env(&args, &vars).assert_status(0);
    let people = env.read("policies/people.yaml");
    assert!(people.contains("  - id: li.ming\n"), "{people}");
    assert!(
        people.contains("roles: [applicant, operator]") || people.contains("roles: [applicant]"),
        "{people}"
    );
    assert!(
        people.contains("  - id: chen\n    name: chen\n    roles: [cto, security-director, tech-director]\n"),
        "{people}"
    );
    env.run(&["validate"]).assert_status(0);
    env.commit_all("lifecycle init");

    let new =
        ["--today", TODAY, "change", "new", "--class", "replacement", "--target", "example/redis=8.0.0"];
    env.run_env(&new, &vars).assert_status(0);
    env.commit_all("CHG-2024-001: request");
    env.run_env(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "申请"], &vars).assert_status(0);
    for (id, _) in reviewers {
        sign_as(&env, id, id);
        env.run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "ok"]).assert_status(0);
    }
    let show = env.run(&["change", "show", "CHG-2024-001", "--format", "json"]);
    assert_eq!(show.json()["state"], "approved", "{}", show.snapshot());
    env.run(&["verify"]).assert_status(0);
}

/// `people add wang.qiang` committed together with its policy change, nothing approved yet.
fn pending_addition() -> TestEnv {
    let env = minimal();
    keygen(&env, "wang.qiang");
    let add = ["--today", TODAY, "people", "add", "wang.qiang", "--name", "Wang Qiang", "--role", "approver"];
    let key = ["--key", "home/keys/wang.qiang.pub"];
    env.run(&[&add[..], &key[..]].concat()).assert_status(0);
    env.commit_all("people: add wang.qiang, with its policy change");
    env
}

/// The people file and its policy change committed together (SPEC §4.8): the new state waits
/// (`pending-policy-change`, a warning) while the old trust stays in force; the current approver's
/// sign-off makes it take effect, and from then on the new person signs. `verify` is clean of errors.
#[test]
fn a_pending_people_file_takes_effect_once_approved() {
    let env = pending_addition();
    let out = env.run(&["verify", "--format", "json"]);
    let v = out.json();
    let codes: Vec<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"unapproved-policy-change"), "unapproved at the head: {codes:?}");
    assert!(codes.contains(&"pending-policy-change"), "{codes:?}");
    // The approver in force approves; the state takes effect.
    let out = env.run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "ok"]);
    out.assert_status(0);
    let out = env.run(&["verify", "--format", "json"]);
    let v = out.json();
    let errors: Vec<&serde_json::Value> =
        v["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "error").collect();
    assert!(errors.is_empty(), "{errors:?}");
    let pending = v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "pending-policy-change");
    assert!(pending, "the wait is on record as a warning");
    // The new key now signs a change.
    sign_as(&env, "Wang Qiang", "wang.qiang");
    let new =
        ["--today", TODAY, "change", "new", "--class", "replacement", "--target", "example/redis=8.0.0"];
    env.run(&new).assert_status(0);
    env.commit_all("CHG-2024-002: request");
    env.run(&["--today", TODAY, "approve", "CHG-2024-002", "-m", "ok"]).assert_status(0);
    env.run(&["verify"]).assert_status(0);
}

/// A person cannot approve their own addition: while the new people file waits, trust is the old
/// file's, so the new key's sign-off does not count and the state is still unapproved at the head.
/// A second unapproved edit replacing a waiting one is an error of its own.
#[test]
fn a_pending_people_file_cannot_approve_itself_nor_be_replaced() {
    let env = pending_addition();
    sign_as(&env, "Wang Qiang", "wang.qiang");
    // `approve` accepts the key (the work tree lists it); history, judged with the trust in force, does not.
    let approve = env.run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "I approve myself"]);
    approve.assert_status(0);
    assert!(
        env.path("changes/CHG-2024-001/approvals/01-approver.yaml").exists(),
        "a real, committed sign-off"
    );
    let out = env.run(&["verify", "--format", "json"]);
    out.assert_status(1);
    let v = out.json();
    let still = v["findings"].as_array().unwrap().iter().any(|f| {
        f["code"] == "unapproved-policy-change"
            && f["message"].as_str().unwrap().contains("still not covered")
    });
    assert!(still, "{}", out.stdout);

    // Replaced while waiting: an error naming the replaced state.
    let env = minimal();
    keygen(&env, "li.na");
    let text = env.read("policies/people.yaml") + "# first edit\n";
    env.write("policies/people.yaml", text);
    env.commit_all("edit 1");
    let text = env.read("policies/people.yaml") + "# second edit\n";
    env.write("policies/people.yaml", text);
    env.commit_all("edit 2");
    let out = env.run(&["verify", "--format", "json"]);
    out.assert_status(1);
    let replaced = out.json()["findings"].as_array().unwrap().iter().any(|f| {
        f["code"] == "unapproved-policy-change" && f["message"].as_str().unwrap().contains("was replaced")
    });
    assert!(replaced, "{}", out.stdout);
}

/// Evasions of the waiting rule: a new policy file, and the people file deleted, each unapproved, are
/// held (the state before stays in force) and unapproved at the head; beside them the legitimate
/// path, a policy change approved by the approver in force, is clean (`a_pending_people_file_…`).
#[test]
fn a_new_policy_file_or_a_deleted_people_file_waits_too() {
    for (what, edit) in [("new file", 0), ("deleted people file", 1)] {
        let env = minimal();
        if edit == 0 {
            env.write("policies/extra.yaml", "rules: {separation_of_duties: false}\n");
        } else {
            std::fs::remove_file(env.path("policies/people.yaml")).unwrap();
        }
        env.commit_all(what);
        let out = env.run(&["verify", "--format", "json"]);
        out.assert_status(1);
        let codes: Vec<String> = out.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        assert!(codes.iter().any(|c| c == "pending-policy-change"), "{what}: {codes:?}");
        assert!(codes.iter().any(|c| c == "unapproved-policy-change"), "{what}: {codes:?}");
    }
}
