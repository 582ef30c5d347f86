//! `lifecycle init`: a new repository that validates, checks and can sign; never overwrites a file.

use crate::common::{Output, TestEnv};

const TODAY: &str = "2024-09-01";

/// An ed25519 key in the test HOME, configured as git's SSH signing key of the repository.
fn configure_signing(env: &TestEnv) -> String {
    std::fs::create_dir_all(env.path("home/keys")).unwrap();
    let key = env.path("home/keys/me");
    let out = env
        .command("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "me@example.com", "-f"])
        .arg(&key)
        .output()
        .expect("run ssh-keygen");
    assert!(out.status.success(), "ssh-keygen: {}", String::from_utf8_lossy(&out.stderr));
    for (k, v) in [
        ("user.name", "Zhang Wei"),
        ("user.email", "zhang.wei@example.com"),
        ("gpg.format", "ssh"),
        ("user.signingKey", key.to_str().unwrap()),
    ] {
        env.git(&["config", k, v]);
    }
    env.read("home/keys/me.pub").trim().to_string()
}

fn assert_validates_and_checks(env: &TestEnv) {
    let validate = env.run(&["validate"]);
    validate.assert_status(0);
    assert!(validate.stderr.contains("no problems"), "{}", validate.snapshot());
    let check = env.run(&["--today", TODAY, "check", "--fail-on", "warn"]);
    check.assert_status(0);
    assert!(check.stdout.contains("example"), "{}", check.snapshot());
}

/// In an empty folder, init creates the git repository and every file; the result validates
/// without a warning and `check` runs.
#[test]
fn init_into_an_empty_folder_then_validate_passes() {
    let env = TestEnv::new();
    let out = env.run(&["init", "--template", "minimal"]);
    out.assert_status(0);
    assert!(env.path(".git").is_dir());
    for file in [
        "lifecycle.yaml",
        "policies/policy.yaml",
        "policies/people.yaml",
        "inventory/systems/example.yaml",
        "inventory/products/redis.yaml",
        ".github/workflows/lifecycle.yml",
        ".lifecycle/schemas/system.json",
    ] {
        assert!(env.path(file).is_file(), "{file} missing:\n{}", out.snapshot());
        assert!(out.stdout.contains(&format!("created {file}")), "{}", out.snapshot());
    }
    // Without a signing key the person is listed without one, and init says so.
    assert!(out.stdout.contains("no SSH signing key"), "{}", out.snapshot());
    assert_validates_and_checks(&env);
}

/// Every template, in an existing repository with SSH signing configured: the person is you, with
/// your public key and every role the policy names; the result validates and checks.
#[test]
fn every_template_validates_and_lists_you_with_your_key() {
    for template in ["ops04", "telecom", "minimal"] {
        let env = TestEnv::new();
        env.git_init();
        let public = configure_signing(&env);
        env.run(&["init", "--template", template]).assert_status(0);
        let people = env.read("policies/people.yaml");
        assert!(people.contains("id: zhang.wei"), "{template}: {people}");
        assert!(people.contains("name: \"Zhang Wei\""), "{template}: {people}");
        assert!(people.contains(&public), "{template}: the public key is not in {people}");
        if template == "ops04" {
            assert!(people.contains("cto") && people.contains("security-director"), "{people}");
        }
        assert_validates_and_checks(&env);
    }
}

/// The policy init writes is the example's file, with the schema modeline in front: init and the
/// examples cannot drift apart.
#[test]
fn templates_are_the_example_policies() {
    let root = std::path::Path::new(crate::common::PROJECT);
    for (template, written, example) in [
        ("ops04", "policies/ops04.yaml", "policies/ops04.yaml"),
        ("telecom", "policies/telecom.yaml", "examples/telecom/policy.yaml"),
        ("minimal", "policies/policy.yaml", "examples/minimal/policy.yaml"),
    ] {
        let env = TestEnv::new();
        env.run(&["init", "-q", "--template", template]).assert_status(0);
        let text = env.read(written);
        let example = std::fs::read_to_string(root.join(example)).unwrap();
        assert_eq!(
            text,
            format!("# yaml-language-server: $schema=../.lifecycle/schemas/policy.json\n{example}"),
            "{template}"
        );
    }
}

/// Every YAML file init writes starts with a modeline naming a schema that init wrote too.
#[test]
fn every_yaml_file_has_a_schema_modeline() {
    let env = TestEnv::new();
    env.run(&["init", "-q"]).assert_status(0);
    for file in [
        "lifecycle.yaml",
        "policies/ops04.yaml",
        "policies/people.yaml",
        "inventory/systems/example.yaml",
        "inventory/products/redis.yaml",
    ] {
        let text = env.read(file);
        let first = text.lines().next().unwrap();
        let schema = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{file} starts with {first:?}"));
        let target = env.path(file).parent().unwrap().join(schema);
        assert!(target.is_file(), "{file}: {} does not exist", target.display());
    }
}

/// An existing file is never overwritten, and init lists what it skipped; a repository that has a
/// policy gets no second one (it would define the same classes twice).
#[test]
fn init_never_overwrites() {
    let env = TestEnv::new();
    env.git_init();
    env.write("lifecycle.yaml", "timezone: Asia/Shanghai\n");
    env.write(
        "policies/mine.yaml",
        "eol: {plan_before: 12mo, finish_before: 6mo}\nclasses:\n  replacement: {chain: [approver]}\n",
    );
    let out: Output = env.run(&["init"]);
    out.assert_status(0);
    assert_eq!(env.read("lifecycle.yaml"), "timezone: Asia/Shanghai\n");
    assert!(out.stdout.contains("skipped lifecycle.yaml (exists; not overwritten)"), "{}", out.snapshot());
    assert!(out.stdout.contains("skipped policies/ops04.yaml"), "{}", out.snapshot());
    assert!(!env.path("policies/ops04.yaml").exists());
    // A second run skips everything and changes nothing.
    let before = crate::common::tree(env.root());
    let again = env.run(&["init", "-q"]);
    again.assert_status(0);
    assert!(!again.stdout.contains("created"), "{}", again.snapshot());
    assert_eq!(before, crate::common::tree(env.root()));
}

/// After init and a commit, you can open a change and sign it: the repository works end to end.
#[test]
fn init_then_change_and_approve() {
    let env = TestEnv::new();
    env.git_init();
    configure_signing(&env);
    env.run(&["init", "-q", "--template", "minimal"]).assert_status(0);
    env.commit_all("lifecycle init");
    env.run(&[
        "--today",
        TODAY,
        "change",
        "new",
        "--class",
        "replacement",
        "--target",
        "example/redis=8.0.0",
    ])
    .assert_status(0);
    env.commit_all("request");
    let out = env.run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "ok"]);
    out.assert_status(0);
    env.run(&["verify"]).assert_status(0);
}

/// A user whose identity and signing key live in the file `GIT_CONFIG_GLOBAL` names (CI runners,
/// dev containers, several identities) gets that identity and key in people.yaml — not the one of
/// `~/.gitconfig` — and signs with it (issue 14, defect 1).
#[test]
fn init_and_approve_read_the_file_git_config_global_names() {
    let env = TestEnv::new();
    env.git_init();
    let public = configure_signing(&env);
    for key in ["user.name", "user.email", "gpg.format", "user.signingKey"] {
        env.git(&["config", "--unset", key]);
    }
    let key = env.path("home/keys/me");
    env.write(
        "home/work.gitconfig",
        format!(
            "[user]\n\tname = Zhang Wei\n\temail = zhang.wei@example.com\n\tsigningKey = {}\n[gpg]\n\tformat = ssh\n",
            key.display()
        ),
    );
    env.write("home/.gitconfig", "[user]\n\tname = Home Identity\n\temail = home@example.com\n");
    let global = env.path("home/work.gitconfig");
    let vars = [("GIT_CONFIG_GLOBAL", global.to_str().unwrap())];
    env.run_env(&["init", "-q", "--template", "minimal"], &vars).assert_status(0);
    let people = env.read("policies/people.yaml");
    assert!(people.contains("id: zhang.wei") && people.contains("name: \"Zhang Wei\""), "{people}");
    assert!(people.contains(&public), "the key of GIT_CONFIG_GLOBAL is listed:\n{people}");
    env.commit_all("lifecycle init");
    let new =
        ["--today", TODAY, "change", "new", "--class", "replacement", "--target", "example/redis=8.0.0"];
    env.run_env(&new, &vars).assert_status(0);
    env.commit_all("request");
    env.run_env(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "ok"], &vars).assert_status(0);
    env.run(&["verify"]).assert_status(0);
}

/// Every other way git is configured reaches the same verified approval (issue 14, defect 1):
/// `~/.gitconfig` (no `GIT_CONFIG_GLOBAL`), `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n`, and `git -c`
/// (`GIT_CONFIG_PARAMETERS`, as git passes it to the programs it runs).
#[test]
fn signing_configured_every_way_git_reads_reaches_a_verified_approval() {
    for how in ["home", "count", "parameters"] {
        let env = TestEnv::new();
        env.git_init();
        let public = configure_signing(&env);
        for key in ["user.name", "user.email", "gpg.format", "user.signingKey"] {
            env.git(&["config", "--unset", key]);
        }
        let key = env.path("home/keys/me").display().to_string();
        let settings = [
            ("user.name", "Zhang Wei"),
            ("user.email", "zhang.wei@example.com"),
            ("gpg.format", "ssh"),
            ("user.signingkey", key.as_str()),
        ];
        let mut vars: Vec<(String, String)> = Vec::new();
        let mut unset: Vec<&str> = Vec::new();
        match how {
            "home" => {
                let text: String = settings
                    .iter()
                    .map(|(k, v)| {
                        let (section, name) = k.split_once('.').unwrap();
                        format!("[{section}]\n\t{name} = {v}\n")
                    })
                    .collect();
                env.write("home/.gitconfig", text);
                unset.push("GIT_CONFIG_GLOBAL");
            }
            "count" => {
                vars.push(("GIT_CONFIG_COUNT".into(), settings.len().to_string()));
                for (i, (k, v)) in settings.iter().enumerate() {
                    vars.push((format!("GIT_CONFIG_KEY_{i}"), k.to_string()));
                    vars.push((format!("GIT_CONFIG_VALUE_{i}"), v.to_string()));
                }
            }
            _ => {
                let params: Vec<String> = settings.iter().map(|(k, v)| format!("'{k}'='{v}'")).collect();
                vars.push(("GIT_CONFIG_PARAMETERS".into(), params.join(" ")));
            }
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let run = |args: &[&str]| env.run_env_unset(args, &vars, &unset);
        run(&["init", "-q", "--template", "minimal"]).assert_status(0);
        let people = env.read("policies/people.yaml");
        assert!(people.contains("id: zhang.wei") && people.contains(&public), "{how}: {people}");
        env.commit_all("lifecycle init");
        run(&[
            "--today",
            TODAY,
            "change",
            "new",
            "--class",
            "replacement",
            "--target",
            "example/redis=8.0.0",
        ])
        .assert_status(0);
        env.commit_all("request");
        let out = run(&["--today", TODAY, "approve", "CHG-2024-001", "-m", "ok"]);
        assert_eq!(out.status, 0, "{how}:\n{}", out.snapshot());
        env.run(&["verify"]).assert_status(0);
    }
}

/// init in Chinese.
#[test]
fn init_in_chinese() {
    let env = TestEnv::new();
    let out = env.run(&["--lang", "zh-CN", "init", "--template", "minimal"]);
    out.assert_status(0);
    insta::assert_snapshot!(out.snapshot());
}

/// Written files honour the umask, as git's do (issue 14, defect 6): under umask 022 `init`,
/// `schema --out-dir`, `calendar -o` and `report -o` write 0644 files, under 077 0600 files; a
/// replaced file keeps its mode.
#[cfg(unix)]
#[test]
fn written_files_honour_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |env: &TestEnv, rel: &str| std::fs::metadata(env.path(rel)).unwrap().permissions().mode() & 0o777;
    for (umask, want) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        let env = TestEnv::new();
        env.git_init();
        let run = |args: &str| {
            let script = format!("umask {umask} && exec \"$0\" {args}");
            let out = env.program_output("sh", &["-c", &script, crate::common::BIN], &[]);
            assert_eq!(out.status, 0, "{args}:\n{}", out.snapshot());
        };
        run("init -q --template minimal");
        env.commit_all("init");
        run("schema --out-dir schemas");
        run("--today 2024-09-01 calendar -o deadlines.ics");
        run("--today 2024-09-01 report --from 2024-09-01 -o report.md");
        for rel in [
            "lifecycle.yaml",
            "policies/people.yaml",
            ".lifecycle/schemas/system.json",
            "schemas/system.json",
            "deadlines.ics",
            "report.md",
        ] {
            assert_eq!(mode(&env, rel), want, "{rel} under umask {umask}");
        }
        std::fs::set_permissions(env.path("report.md"), std::fs::Permissions::from_mode(0o640)).unwrap();
        run("--today 2024-09-01 report --from 2024-09-01 -o report.md");
        assert_eq!(mode(&env, "report.md"), 0o640, "a replaced file keeps its mode");
    }
}

/// The generated workflow triggers on the repository's own branch (issue 14, defect 8): a new
/// repository starts on `init.defaultBranch` (else `main`), an existing one keeps its branch.
#[test]
fn the_workflow_triggers_on_the_repository_branch() {
    let branch = |env: &TestEnv| env.git(&["symbolic-ref", "--short", "HEAD"]).trim().to_string();
    let env = TestEnv::new();
    env.run(&["init", "-q"]).assert_status(0);
    assert_eq!(branch(&env), "main");
    assert!(env.read(".github/workflows/lifecycle.yml").contains("branches: [main]"));

    let env = TestEnv::new();
    let vars = [
        ("GIT_CONFIG_COUNT", "1"),
        ("GIT_CONFIG_KEY_0", "init.defaultBranch"),
        ("GIT_CONFIG_VALUE_0", "trunk"),
    ];
    env.run_env(&["init", "-q"], &vars).assert_status(0);
    assert_eq!(branch(&env), "trunk");
    assert!(env.read(".github/workflows/lifecycle.yml").contains("branches: [trunk]"));

    let env = TestEnv::new();
    env.git(&["init", "-q", "-b", "master"]);
    env.run(&["init", "-q"]).assert_status(0);
    let workflow = env.read(".github/workflows/lifecycle.yml");
    assert!(workflow.contains("branches: [master]") && !workflow.contains("branches: [main]"), "{workflow}");
}
