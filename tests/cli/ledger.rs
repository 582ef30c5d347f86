//! The ledger (SPEC §4.5–§4.6) played as an attacker would: every way of changing what `check` reports
//! without an approval, through `review` on the pull request and through `verify` after it lands on
//! `main` (fast-forward, merge commit, squash), each next to the legitimate variant that stays green.
//! Real repositories, real ed25519 keys, real signatures.

use serde_json::Value;

use crate::common::{Org, Output};

/// Who signs each stage of the replacement chain, and when.
const REPLACEMENT: [(&str, &str); 5] = [
    ("li.ming", "2024-09-05T10:00:00+08:00"),
    ("wang.qiang", "2024-09-06T10:00:00+08:00"),
    ("zhang.wei", "2024-09-07T10:00:00+08:00"),
    ("liu.yang", "2024-09-08T10:00:00+08:00"),
    ("chen", "2024-09-09T10:00:00+08:00"),
];
const REQUESTED: &str = "2024-09-04T10:00:00+08:00";
const CHANGED: &str = "2024-09-10T10:00:00+08:00";
const LATER: &str = "2024-09-20T12:00:00+08:00";
const REDIS: &str = "inventory/systems/redis-session.yaml";

/// The organisation on `main`, with a branch `pr` checked out.
fn branch() -> Org {
    let org = Org::new();
    org.git(&["checkout", "-q", "-b", "pr"]);
    org
}

/// li.ming writes change `id` of `class` with the given YAML target lines, and commits it.
fn request(org: &Org, id: &str, class: &str, targets: &[&str]) {
    org.as_person("li.ming");
    let mut text = format!(
        "id: {id}\ntitle: {id}\nclass: {class}\nrequested_by: li.ming\nrequested_at: {REQUESTED}\nreason: test\ntargets:\n"
    );
    for t in targets {
        text.push_str(&format!("  - {t}\n"));
    }
    if class == "exception" {
        text.push_str("until: 2099-12-31\n");
    }
    org.write(&format!("changes/{id}/request.yaml"), text);
    org.commit(REQUESTED, &format!("{id}: request"));
}

/// Each of `signers` approves change `id` at their date.
fn approve(org: &Org, id: &str, signers: &[(&str, &str)]) {
    for (who, date) in signers {
        org.as_person(who);
        org.lc(date, &["approve", id, "-m", "同意"]).assert_status(0);
    }
}

/// A replacement change with the whole chain signed.
fn approved(org: &Org, id: &str, targets: &[&str]) {
    request(org, id, "replacement", targets);
    approve(org, id, &REPLACEMENT);
}

/// Rewrites `rel` with `f` and commits it as zhou.jie.
fn edit(org: &Org, rel: &str, f: impl Fn(String) -> String, msg: &str) {
    let text = f(org.read(rel));
    org.write(rel, text);
    org.as_person("zhou.jie");
    org.commit(CHANGED, msg);
}

fn codes(out: &Output) -> Vec<String> {
    let doc: Value = out.json();
    let mut v: Vec<String> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// `review --base main` of the branch, then `verify` after fast-forwarding `main` to it: the error
/// codes of each.
fn judge(org: &Org) -> (Vec<String>, Vec<String>) {
    let review = org.lc(LATER, &["review", "--base", "main", "--format", "json"]);
    org.git(&["checkout", "-q", "main"]);
    org.git(&["merge", "-q", "--ff-only", "pr"]);
    let verify = org.lc(LATER, &["verify", "--format", "json"]);
    (codes(&review), codes(&verify))
}

/// `verify`'s error codes after landing the branch on a copy of `main` by a merge commit and by a
/// squash (the fast-forward is [`judge`]'s).
fn landed(org: &Org, base: &str) -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    for how in ["--no-ff", "--squash"] {
        org.git(&["checkout", "-q", "-B", &format!("land{how}"), base]);
        // Merged after the branch's last commit, as a forge would.
        let date = [("GIT_COMMITTER_DATE", LATER), ("GIT_AUTHOR_DATE", LATER)];
        org.git_env(&["merge", "-q", how, "pr", "-m", "merge pr"], &date);
        if how == "--squash" {
            org.as_person("zhou.jie");
            org.commit(LATER, "squash pr");
        }
        out.push((how, codes(&org.lc(LATER, &["verify", "--format", "json"]))));
    }
    out
}

/// Review, and verify after a fast-forward, a merge commit and a squash, all fail with exactly
/// `expected` (sorted).
fn assert_fails(org: &Org, expected: &[&str]) {
    let base = org.git(&["rev-parse", "main"]).trim().to_string();
    let (review, verify) = judge(org);
    assert_eq!(review, expected, "review");
    assert_eq!(verify, expected, "verify after a fast-forward");
    for (how, codes) in landed(org, &base) {
        assert_eq!(codes, expected, "verify after merge {how}");
    }
}

/// Review and verify pass, however the branch lands.
fn assert_passes(org: &Org) {
    let base = org.git(&["rev-parse", "main"]).trim().to_string();
    let (review, verify) = judge(org);
    assert!(review.is_empty(), "review: {review:?}");
    assert!(verify.is_empty(), "verify: {verify:?}");
    for (how, codes) in landed(org, &base) {
        assert!(codes.is_empty(), "verify after merge {how}: {codes:?}");
    }
}

fn bump_redis(text: String) -> String {
    text.replace("version: \"6.2.14\"", "version: \"7.2.0\"")
}

// ---- 1. Renames ---------------------------------------------------------------------------------

/// Renaming the system while bumping its version is an identity move and a version move.
#[test]
fn renaming_a_system_while_bumping_it_fails() {
    let org = branch();
    let text = bump_redis(org.read(REDIS)).replace("id: redis-session", "id: session-cache");
    std::fs::remove_file(org.path(REDIS)).unwrap();
    org.write("inventory/systems/session-cache.yaml", text);
    org.as_person("zhou.jie");
    org.commit(CHANGED, "rename");
    assert_fails(&org, &["unapproved-inventory-change", "unapproved-version-change"]);
}

/// The same rename, approved with a target naming the old system and the bump, passes.
#[test]
fn an_approved_rename_passes() {
    let org = branch();
    approved(
        &org,
        "CHG-2024-010",
        &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}", "{system: redis-session}"],
    );
    let text = bump_redis(org.read(REDIS)).replace("id: redis-session", "id: session-cache");
    std::fs::remove_file(org.path(REDIS)).unwrap();
    org.write("inventory/systems/session-cache.yaml", text);
    org.as_person("zhou.jie");
    org.commit(CHANGED, "rename");
    assert_passes(&org);
}

/// Swapping the product (redis 6.2.14 → valkey 8.0.1) is an identity move.
#[test]
fn swapping_the_product_fails() {
    let org = branch();
    edit(
        &org,
        REDIS,
        |t| t.replace("product: redis", "product: valkey").replace("\"6.2.14\"", "\"8.0.1\""),
        "valkey",
    );
    assert_fails(&org, &["unapproved-inventory-change"]);
}

/// Giving the component a `name:` while bumping it is a rename and a version move.
#[test]
fn naming_a_component_while_bumping_it_fails() {
    let org = branch();
    edit(
        &org,
        REDIS,
        |t| bump_redis(t).replace("  - product: redis\n", "  - product: redis\n    name: cache\n"),
        "name",
    );
    assert_fails(&org, &["unapproved-inventory-change", "unapproved-version-change"]);
}

// ---- 2. Additions and removals ------------------------------------------------------------------

/// A new system already past its end of life needs a change.
#[test]
fn adding_an_end_of_life_system_fails() {
    let org = branch();
    org.write(
        "inventory/systems/legacy.yaml",
        "id: legacy\nname: 旧系统\nowner: ops\ncriticality: low\ncomponents:\n  - product: centos\n    version: \"7.9.2009\"\n",
    );
    org.as_person("zhou.jie");
    org.commit(CHANGED, "legacy");
    assert_fails(&org, &["unapproved-addition"]);
}

/// Onboarding a healthy system is free.
#[test]
fn onboarding_a_healthy_system_passes() {
    let org = branch();
    org.write(
        "inventory/systems/fresh.yaml",
        "id: fresh\nname: 新系统\nowner: ops\ncriticality: low\ncomponents:\n  - product: redis\n    version: \"7.4.1\"\n",
    );
    org.as_person("zhou.jie");
    org.commit(CHANGED, "fresh");
    assert_passes(&org);
}

/// Deleting a system file takes the system out of every figure: it needs `to: removed`.
#[test]
fn deleting_a_system_fails() {
    let org = branch();
    std::fs::remove_file(org.path(REDIS)).unwrap();
    org.as_person("zhou.jie");
    org.commit(CHANGED, "gone");
    assert_fails(&org, &["unapproved-removal"]);
}

/// An approved decommission passes.
#[test]
fn an_approved_decommission_passes() {
    let org = branch();
    approved(&org, "CHG-2024-011", &["{system: redis-session, to: removed}"]);
    std::fs::remove_file(org.path(REDIS)).unwrap();
    org.as_person("zhou.jie");
    org.commit(CHANGED, "gone");
    assert_passes(&org);
}

/// Removing one component of a system needs a target for that component.
#[test]
fn removing_a_component_fails() {
    let org = branch();
    edit(&org, REDIS, |t| t.replace("  - product: centos\n    version: \"7.9.2009\"\n", ""), "drop centos");
    assert_fails(&org, &["unapproved-removal"]);
}

// ---- 3. End dates -------------------------------------------------------------------------------

/// Moving a catalog cycle's end date later turns end-of-life components `ok`: it needs a change.
#[test]
fn moving_a_catalog_end_date_fails() {
    let org = branch();
    edit(
        &org,
        "inventory/products/centos.yaml",
        |t| t.replace("eol: 2024-06-30", "eol: 2099-12-31"),
        "centos 7 extended",
    );
    assert_fails(&org, &["unapproved-eol-move"]);
}

/// Deleting the cycle (the component becomes `unknown`) hides the same status: also a move.
#[test]
fn deleting_a_catalog_cycle_in_use_fails() {
    let org = branch();
    let text = org.read("inventory/products/centos.yaml");
    // The whole entry, up to the next cycle's.
    let start = text.find("  - cycle: \"7\"").unwrap();
    let end = start + text[start..].find("\n  - cycle: ").unwrap() + 1;
    org.write("inventory/products/centos.yaml", format!("{}{}", &text[..start], &text[end..]));
    org.as_person("zhou.jie");
    org.commit(CHANGED, "centos 7 gone");
    assert_fails(&org, &["unapproved-eol-move"]);
}

/// A catalog sync that extends a cycle nobody uses, or one whose users stay `ok`, is free.
#[test]
fn extending_an_unused_cycle_passes() {
    let org = branch();
    edit(
        &org,
        "inventory/products/redis.yaml",
        |t| t.replace("eol: 2022-05-31", "eol: 2025-05-31").replace("eol: 2026-02-28", "eol: 2027-02-28"),
        "catalog sync",
    );
    assert_passes(&org);
}

/// A component's own `eol:` moved later needs a change with the new date; with it, it passes.
#[test]
fn moving_a_component_end_date_fails_unless_approved() {
    let org = branch();
    edit(&org, REDIS, |t| t.replace("eol: 2024-12-31", "eol: 2099-12-31"), "contract");
    assert_fails(&org, &["unapproved-eol-move"]);

    let org = branch();
    approved(&org, "CHG-2024-012", &["{system: redis-session, component: redis, eol: 2099-12-31}"]);
    edit(&org, REDIS, |t| t.replace("eol: 2024-12-31", "eol: 2099-12-31"), "contract");
    assert_passes(&org);
}

// ---- 4. Files the walk cannot read ----------------------------------------------------------------

/// A system file replaced by a symbolic link is an error, and the version edited through it is still
/// judged when the file comes back.
#[cfg(unix)]
#[test]
fn a_symlinked_system_file_fails() {
    let org = branch();
    let text = org.read(REDIS);
    org.write("elsewhere/redis.yaml", bump_redis(text));
    std::fs::remove_file(org.path(REDIS)).unwrap();
    std::os::unix::fs::symlink("../../elsewhere/redis.yaml", org.path(REDIS)).unwrap();
    org.as_person("zhou.jie");
    org.commit(CHANGED, "link");
    assert_fails(&org, &["invalid-file"]);
}

/// A file made unparsable for one commit and restored at a new version leaves both traces.
#[test]
fn a_move_across_an_unparsable_state_is_still_a_move() {
    let org = branch();
    edit(&org, REDIS, |t| t.replace("components:", "components: [\n"), "broken");
    edit(&org, REDIS, |t| bump_redis(t.replace("components: [\n", "components:")), "restored");
    // (A squash would land only the final state: the bump alone.)
    let (review, verify) = judge(&org);
    assert_eq!(review, ["invalid-file", "unapproved-version-change"]);
    assert_eq!(verify, ["invalid-file", "unapproved-version-change"]);
}

// ---- 5. Order, not clocks -------------------------------------------------------------------------

/// The report committed before the chain completes is executed before approval, even when the
/// approvals' commits are back-dated before the report.
#[test]
fn a_report_before_the_approval_on_the_line_fails_whatever_the_dates() {
    let org = branch();
    request(
        &org,
        "CHG-2024-013",
        "replacement",
        &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}"],
    );
    org.write(
        "changes/CHG-2024-013/report.yaml",
        "started_at: 2024-09-12T20:00:00+08:00\nfinished_at: 2024-09-12T23:00:00+08:00\nexecuted_by: zhou.jie\nsupervised_by: liu.yang\nbackup: {taken_at: 2024-09-12T19:00:00+08:00, ref: snap}\noutcome: success\n",
    );
    org.as_person("zhou.jie");
    org.commit("2024-09-13T10:00:00+08:00", "report");
    // The chain, signed with clocks set before the report.
    approve(&org, "CHG-2024-013", &REPLACEMENT);
    let review = org.lc(LATER, &["review", "--base", "main", "--format", "json"]);
    assert!(codes(&review).contains(&"executed-before-approval".to_string()), "{}", review.stdout);
    let (_, verify) = judge(&org);
    assert!(verify.contains(&"executed-before-approval".to_string()), "{verify:?}");
    // The back-dated commits are warnings.
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    let warned: Vec<Value> = out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "time-regression")
        .cloned()
        .collect();
    assert!(!warned.is_empty(), "{}", out.stdout);
}

// ---- 8. Class shopping ----------------------------------------------------------------------------

/// A one-signature `policy` change does not cover a version move.
#[test]
fn a_policy_class_change_does_not_cover_a_version_move() {
    let org = branch();
    request(
        &org,
        "CHG-2024-014",
        "policy",
        &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}"],
    );
    approve(&org, "CHG-2024-014", &[("chen", "2024-09-05T10:00:00+08:00")]);
    edit(&org, REDIS, bump_redis, "bump");
    assert_fails(&org, &["unapproved-version-change"]);
}

// ---- 11. Editing an approved request --------------------------------------------------------------

/// Editing an approved request names the commit that did it and every sign-off it made stale.
#[test]
fn editing_an_approved_request_names_the_commit_and_each_stale_sign_off() {
    let org = branch();
    approved(&org, "CHG-2024-015", &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}"]);
    edit(&org, "changes/CHG-2024-015/request.yaml", |t| t.replace("reason: test", "reason: edited"), "edit");
    let edit_commit = org.head();
    let (review, _) = judge(&org);
    assert!(review.contains(&"stale-signoff".to_string()), "{review:?}");
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    let stale: Vec<Value> = out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "stale-signoff" && f["commit"] == edit_commit.as_str())
        .cloned()
        .collect();
    assert_eq!(stale.len(), 5, "{}", out.stdout);
}

// ---- Merges ---------------------------------------------------------------------------------------

/// `verify` judges a merge commit's first-parent step as one, and a squash the same way.
#[test]
fn a_merge_commit_and_a_squash_are_judged_like_a_fast_forward() {
    for how in ["--no-ff", "--squash"] {
        let org = branch();
        edit(&org, REDIS, |t| t.replace("eol: 2024-12-31", "eol: 2099-12-31"), "contract");
        org.git(&["checkout", "-q", "main"]);
        org.git(&["merge", "-q", how, "pr", "-m", "merge"]);
        if how == "--squash" {
            org.commit(LATER, "squash");
        }
        let out = org.lc(LATER, &["verify", "--format", "json"]);
        out.assert_status(1);
        assert_eq!(codes(&out), ["unapproved-eol-move"], "{how}");
    }
}

// ---- 6. Review takes its trust from the base --------------------------------------------------------

/// A pull request branched before the CTO's key was revoked on `main` does not pass with that key.
#[test]
fn a_key_revoked_on_the_base_after_the_branch_point_does_not_count() {
    let org = branch();
    approved(&org, "CHG-2024-016", &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}"]);
    edit(&org, REDIS, bump_redis, "bump");
    org.git(&["checkout", "-q", "main"]);
    let people = org.read("policies/people.yaml");
    let chen = org.public_key("chen");
    assert!(people.contains(&chen));
    org.write("policies/people.yaml", people.replace(&format!("      - \"{chen}\"\n"), ""));
    org.commit(CHANGED, "revoke chen's key");
    org.git(&["checkout", "-q", "pr"]);
    let out = org.lc(LATER, &["review", "--base", "main", "--format", "json"]);
    out.assert_status(1);
    let found = codes(&out);
    assert!(found.contains(&"unapproved-version-change".to_string()), "{found:?}");
    assert!(found.contains(&"untrusted-key".to_string()), "{found:?}");
}

// ---- 7. Later settings do not blind verify to the past ------------------------------------------------

/// An unapproved bump stays a finding after an approved move of `paths.systems`; the move itself,
/// approved, raises nothing.
#[test]
fn moving_the_systems_folder_later_does_not_hide_an_earlier_bump() {
    use sha2::Digest;
    let org = Org::new();
    edit(&org, REDIS, bump_redis, "bump");
    let settings = format!("{}paths: {{systems: inventory/hosts}}\n", org.read("lifecycle.yaml"));
    let digest = format!("sha256:{}", hex(&sha2::Sha256::digest(settings.as_bytes())));
    request(&org, "CHG-2024-017", "policy", &[&format!("{{path: lifecycle.yaml, digest: \"{digest}\"}}")]);
    approve(&org, "CHG-2024-017", &[("chen", "2024-09-05T10:00:00+08:00")]);
    org.write("lifecycle.yaml", settings);
    org.git(&["mv", "inventory/systems", "inventory/hosts"]);
    org.as_person("zhou.jie");
    org.commit(LATER, "move the systems folder");
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    out.assert_status(1);
    assert_eq!(codes(&out), ["unapproved-version-change"], "{}", out.stdout);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

// ---- 9. Exceptions beyond their limit ---------------------------------------------------------------

/// `until: 2099-12-31` on a class with `max_duration: 6mo` counts only until the approval plus six
/// months in `check`, and is `exception-too-long` in `verify`.
#[test]
fn an_exception_beyond_its_max_duration_is_capped_and_reported() {
    let org = Org::new();
    request(&org, "CHG-2024-018", "exception", &["{system: redis-session, component: redis}"]);
    approve(&org, "CHG-2024-018", &[REPLACEMENT[2], REPLACEMENT[4]]);
    let item = |today: &str| {
        let out = org.run(&["--today", today, "check", "--format", "json", "--system", "redis-session"]);
        let doc = out.json();
        doc["items"].as_array().unwrap().iter().find(|i| i["component"] == "redis").unwrap().clone()
    };
    // Approved 2024-09-09: accepted until 2025-03-09, not 2099.
    assert_eq!(item("2025-03-01")["status"], "accepted");
    assert_eq!(item("2025-03-10")["status"], "eol");
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    out.assert_status(1);
    assert_eq!(codes(&out), ["exception-too-long"], "{}", out.stdout);
}

// ---- require_signed_commits ---------------------------------------------------------------------------

/// With `rules.require_signed_commits`, an unsigned commit changing the inventory is an error, a
/// commit signed by a trusted key is not.
#[test]
fn required_commit_signatures() {
    use sha2::Digest;
    let org = Org::new();
    let path = "policies/ops04.yaml";
    let policy = org.read(path).replace("rules:\n", "rules:\n  require_signed_commits: true\n");
    let digest = format!("sha256:{}", hex(&sha2::Sha256::digest(policy.as_bytes())));
    request(&org, "CHG-2024-019", "policy", &[&format!("{{path: {path}, digest: \"{digest}\"}}")]);
    approve(&org, "CHG-2024-019", &[("chen", "2024-09-05T10:00:00+08:00")]);
    org.write(path, policy);
    org.as_person("chen");
    org.git(&["add", "-A"]);
    org.git(&["commit", "-q", "-S", "-m", "policy: signed commits"]);
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    assert!(codes(&out).is_empty(), "{}", out.stdout);
    // An unsigned edit of the inventory (an onboarding that is otherwise free).
    org.write(
        "inventory/systems/fresh.yaml",
        "id: fresh\nname: 新系统\nowner: ops\ncriticality: low\ncomponents:\n  - product: redis\n    version: \"7.4.1\"\n",
    );
    org.commit(LATER, "fresh");
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    assert_eq!(codes(&out), ["unsigned-commit"], "{}", out.stdout);
}

// ---- 10. Files the tool refuses -------------------------------------------------------------------------

/// A pull request made only of a file the loader refuses (an alias bomb) fails review with
/// `invalid-file`; so does a file that parses but whose values are wrong (a date out of range).
#[test]
fn a_pull_request_of_refused_files_fails_review() {
    let org = branch();
    let bomb = format!("classes:\n  bomb:\n    chain: [&r cto, {}]\n", vec!["*r"; 1500].join(", "));
    org.write("policies/bomb.yaml", bomb);
    org.as_person("zhou.jie");
    org.commit(CHANGED, "bomb");
    let out = org.lc(LATER, &["review", "--base", "main", "--format", "json"]);
    out.assert_status(1);
    assert!(codes(&out).contains(&"invalid-file".to_string()), "{}", out.stdout);

    let org = branch();
    edit(&org, REDIS, |t| t.replace("eol: 2024-12-31", "eol: 2024-12-32"), "bad date");
    let out = org.lc(LATER, &["review", "--base", "main", "--format", "json"]);
    out.assert_status(1);
    assert_eq!(codes(&out), ["invalid-file"], "{}", out.stdout);
}

// ---- The fourth reader: lifecycle log ----------------------------------------------------------------

/// `log` reads the same events: the baseline version, the approved move with its change and chain, a
/// rename followed to the new id, and an unapproved move with its finding.
#[test]
fn log_is_the_systems_record_from_the_same_events() {
    let org = Org::new();
    approved(
        &org,
        "CHG-2024-020",
        &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}", "{system: redis-session}"],
    );
    edit(&org, REDIS, bump_redis, "bump");
    let text = org.read(REDIS).replace("id: redis-session", "id: session-cache");
    std::fs::remove_file(org.path(REDIS)).unwrap();
    org.write("inventory/systems/session-cache.yaml", text);
    org.as_person("zhou.jie");
    org.commit(CHANGED, "rename");
    edit(&org, "inventory/systems/session-cache.yaml", |t| t.replace("\"7.2.0\"", "\"7.2.4\""), "unapproved");

    let out = org.lc(LATER, &["log", "redis-session", "--format", "json"]);
    out.assert_status(1);
    let doc = out.json();
    assert_eq!(doc["schema"], "lifecycle.log/v1");
    let entries: Vec<(String, String, String, String)> = doc["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["component"] == "redis")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (s("kind"), s("before"), s("after"), s("change"))
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("baseline".into(), "".into(), "redis 6.2.14".into(), "".into()),
            ("version".into(), "6.2.14".into(), "7.2.0".into(), "CHG-2024-020".into()),
            (
                "renamed".into(),
                "redis-session/redis".into(),
                "session-cache/redis".into(),
                "CHG-2024-020".into()
            ),
            ("version".into(), "7.2.0".into(), "7.2.4".into(), "".into()),
        ]
    );
    let change = &doc["changes"][0];
    assert_eq!((change["id"].as_str(), change["state"].as_str()), (Some("CHG-2024-020"), Some("approved")));
    assert_eq!(change["chain"].as_array().unwrap().len(), 5);
    let codes: Vec<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["unapproved-version-change"]);

    for lang in ["en", "zh-CN"] {
        for format in ["table", "markdown"] {
            let out = org.lc(LATER, &["--lang", lang, "log", "session-cache", "--format", format]);
            out.assert_status(1);
            assert!(out.stdout.contains("CHG-2024-020"), "{}", out.stdout);
        }
    }
    let out = org.lc(LATER, &["log", "no-such-system"]);
    out.assert_status(2);
}

// ---- The verified-commit cache ----------------------------------------------------------------------

/// A repeated `verify` resumes after the last verified commit (cached under `.git/lifecycle/`) and
/// says exactly what a full run says, after new commits and after history is rewritten.
#[test]
fn the_cache_gives_the_same_verdict_as_a_full_run() {
    let org = Org::new();
    approved(&org, "CHG-2024-021", &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}"]);
    edit(&org, REDIS, |t| t.replace("eol: 2024-12-31", "eol: 2099-12-31"), "contract");
    let same = |org: &Org| {
        let cached = org.lc(LATER, &["verify", "--format", "json"]);
        let full = org.lc(LATER, &["verify", "--format", "json", "--no-cache"]);
        assert_eq!(cached.stdout, full.stdout);
        assert_eq!(cached.status, full.status);
        cached
    };
    let first = same(&org);
    assert_eq!(codes(&first), ["unapproved-eol-move"]);
    let cache = org.path(".git/lifecycle");
    assert!(std::fs::read_dir(&cache).unwrap().count() == 1, "one cache file");

    // One new commit: the approved bump. The cached run judges only that one.
    edit(&org, REDIS, bump_redis, "bump");
    let total = first.json()["commits"].as_u64().unwrap() + 1;
    let verbose = org.lc(LATER, &["-v", "verify", "-q"]);
    assert!(
        verbose.stderr.contains(&format!("verify: commits: {total},"))
            && verbose.stderr.contains(&format!("({} commits from the cache)", total - 1)),
        "{}",
        verbose.stderr
    );
    let second = same(&org);
    assert_eq!(second.json()["commits"], total);

    // History rewritten under the cached head: the cache is not on the line and is not used.
    org.git(&["reset", "-q", "--hard", "HEAD~2"]);
    edit(&org, REDIS, |t| t.replace("\"6.2.14\"", "\"6.2.15\""), "other bump");
    let third = same(&org);
    assert_eq!(codes(&third), ["unapproved-version-change"]);
}

// ---- A key rotation, approved --------------------------------------------------------------------------

/// The CTO's key rotated through an approved policy change (signed with the old key) is trusted from
/// the next commit on: a later pull request signed with the new key passes review and verify.
#[test]
fn an_approved_key_rotation_passes() {
    use sha2::Digest;
    let org = Org::new();
    org.generate_key("chen-2026");
    let people =
        org.read("policies/people.yaml").replace(&org.public_key("chen"), &org.public_key("chen-2026"));
    let digest = format!("sha256:{}", hex(&sha2::Sha256::digest(people.as_bytes())));
    request(
        &org,
        "CHG-2024-022",
        "policy",
        &[&format!("{{path: policies/people.yaml, digest: \"{digest}\"}}")],
    );
    approve(&org, "CHG-2024-022", &[("chen", "2024-09-05T10:00:00+08:00")]);
    org.write("policies/people.yaml", people);
    org.as_person("chen");
    org.commit("2024-09-05T11:00:00+08:00", "rotate chen's key");
    // From now on chen signs with the new key.
    for ext in ["", ".pub"] {
        let from = org.path(&format!("home/keys/chen-2026{ext}"));
        std::fs::copy(from, org.path(&format!("home/keys/chen{ext}"))).unwrap();
    }
    org.git(&["checkout", "-q", "-b", "pr"]);
    approved(&org, "CHG-2024-023", &["{system: redis-session, component: redis, from: 6.2.14, to: 7.2.0}"]);
    edit(&org, REDIS, bump_redis, "bump");
    assert_passes(&org);
}
