//! git's configuration as git itself reads it (issue 14, defect 1): every stage of the five-stage
//! chain signs with a key named by a different mechanism — repository config, `GIT_CONFIG_GLOBAL`,
//! `~/.gitconfig`, `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n` and `git -c` (`GIT_CONFIG_PARAMETERS`) —
//! each time with a decoy key at a level git ranks lower, so reading the wrong level signs with the
//! wrong key and fails.

use super::*;

/// `[gpg] format = ssh` and `[user] signingKey = <who's private key>`, as a git config file.
fn signing_file(org: &Org, who: &str) -> String {
    format!("[gpg]\n\tformat = ssh\n[user]\n\tsigningKey = {}\n", org.key(who).display())
}

/// Removes the repository's own signing configuration, which [`Org::as_person`] sets.
fn drop_repo_signing(org: &Org) {
    org.git(&["config", "--unset", "user.signingKey"]);
    org.git(&["config", "--unset", "gpg.format"]);
}

/// Approves CHG-2024-003 as stage `n` (0-based) of [`SIGNERS`] with `env` and `unset`; must succeed
/// and say the stage was approved by its signer.
fn approve_with(org: &Org, n: usize, env: &[(&str, &str)], unset: &[&str]) {
    let (who, date, comment) = SIGNERS[n];
    let out = org.lc_env_unset(date, &["approve", CHG, "-m", comment], env, unset);
    out.assert_status(0);
    let said = format!("{CHG}: {who} ({}) approved (stage {} of 5)", TITLES[n], n + 1);
    assert!(out.stdout.starts_with(&said), "{}", out.snapshot());
}

/// Each mechanism git reads configuration from reaches a verified sign-off, and the change ends
/// approved with every signature verified under its signer's key; `verify` accepts the history.
#[test]
fn every_place_git_reads_signing_configuration_from_signs() {
    let org = requested();

    // 1. Repository config (.git/config), with a decoy in GIT_CONFIG_GLOBAL's place… which ranks lower.
    org.write("home/decoy.gitconfig", signing_file(&org, "chen"));
    org.as_person("li.ming");
    approve_with(&org, 0, &[("GIT_CONFIG_GLOBAL", org.path("home/decoy.gitconfig").to_str().unwrap())], &[]);

    // 2. GIT_CONFIG_GLOBAL names the file; ~/.gitconfig holds a decoy git does not read then.
    org.as_person("wang.qiang");
    drop_repo_signing(&org);
    org.write("home/.gitconfig", signing_file(&org, "chen"));
    org.write("home/work.gitconfig", signing_file(&org, "wang.qiang"));
    approve_with(&org, 1, &[("GIT_CONFIG_GLOBAL", org.path("home/work.gitconfig").to_str().unwrap())], &[]);

    // 3. ~/.gitconfig (HOME), with GIT_CONFIG_GLOBAL unset.
    org.as_person("zhang.wei");
    drop_repo_signing(&org);
    org.write("home/.gitconfig", signing_file(&org, "zhang.wei"));
    approve_with(&org, 2, &[], &["GIT_CONFIG_GLOBAL"]);

    // 4. GIT_CONFIG_COUNT/KEY_n/VALUE_n over a repository config naming a decoy.
    org.as_person("li.ming");
    let key = org.key("liu.yang").display().to_string();
    let count = [
        ("GIT_CONFIG_COUNT", "2"),
        ("GIT_CONFIG_KEY_0", "gpg.format"),
        ("GIT_CONFIG_VALUE_0", "ssh"),
        ("GIT_CONFIG_KEY_1", "user.signingKey"),
        ("GIT_CONFIG_VALUE_1", key.as_str()),
    ];
    approve_with(&org, 3, &count, &[]);

    // 5. `git -c user.signingKey=… lifecycle …` (git passes GIT_CONFIG_PARAMETERS), over a decoy.
    org.as_person("li.ming");
    let params = format!("'gpg.format'='ssh' 'user.signingkey'='{}'", org.key("chen").display());
    approve_with(&org, 4, &[("GIT_CONFIG_PARAMETERS", params.as_str())], &[]);

    let doc = show(&org, CHG);
    assert_eq!(doc["state"], "approved", "{doc:#}");
    for (s, (who, ..)) in signoffs(&doc).iter().zip(SIGNERS) {
        assert_eq!(s["by"], who);
        assert_eq!(s["key"], org.fingerprint(who));
        assert_eq!(s["signature"], "verified");
        assert_eq!(s["standing"], "valid");
    }
    org.lc(LATER, &["verify"]).assert_status(0);
}
