//! Refusals of `approve`, `reject` and `confirm` (SPEC §4, §6): exit status 2, the reason, and nothing
//! written — no commit, no file, no staged change.

use super::*;

/// A signing key that is not in people.yaml cannot approve, even for a stage that is next.
#[test]
fn approve_refuses_a_key_not_in_the_people_file() {
    let org = requested();
    org.generate_key("mallory");
    org.as_person("mallory");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[0].1, &["approve", CHG]);
    before.assert_refused(
        &org,
        &out,
        &format!("your signing key {} is not in policies/people.yaml", org.fingerprint("mallory")),
    );
}

/// Someone who holds no pending stage is told who must sign next (zhang.wei before the applicant).
#[test]
fn approve_refuses_a_signer_without_the_next_stage() {
    let org = requested();
    org.as_person("zhang.wei");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[2].1, &["approve", CHG]);
    before.assert_refused(
        &org,
        &out,
        &format!("{CHG} needs Applicant next (li.ming); you (zhang.wei) hold Information security manager"),
    );
}

/// `--stage cto` is refused while the architect has not signed: stages are signed in chain order.
#[test]
fn approve_refuses_a_stage_before_its_turn() {
    let org = requested();
    approve_stages(&org, 1);
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[4].1, &["approve", CHG, "--stage", "cto"]);
    before.assert_refused(
        &org,
        &out,
        &format!("stage `cto` is not next: {CHG} needs Technical architect first (wang.qiang)"),
    );
    let out = org.lc(SIGNERS[4].1, &["approve", CHG, "--stage", "ceo"]);
    before.assert_refused(&org, &out, &format!("the chain of {CHG} has no stage `ceo`"));
}

/// A sign-off deleted from the work tree (or any uncommitted change under approvals/) blocks signing:
/// the new statement must chain to what HEAD holds.
#[test]
fn approve_refuses_when_the_approvals_folder_differs_from_head() {
    let org = requested();
    approve_stages(&org, 1);
    std::fs::remove_file(org.path(&format!("{APPROVALS}/01-applicant.yaml"))).unwrap();
    org.as_person("wang.qiang");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[1].1, &["approve", CHG]);
    before.assert_refused(&org, &out, &format!("{APPROVALS} differs from HEAD"));
}

/// Separation of duties: wang.qiang, who holds architect and security-manager, signs only one stage.
#[test]
fn approve_refuses_one_person_signing_two_stages() {
    let org = Org::with_roles(&[("wang.qiang", "security-manager")]);
    request(&org, CHG, "redis-session/redis=7.2.0", TITLE);
    approve_stages(&org, 2);
    org.as_person("wang.qiang");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[2].1, &["approve", CHG]);
    before.assert_refused(
        &org,
        &out,
        &format!(
            "separation of duties: you (wang.qiang) already signed the Technical architect stage of {CHG}"
        ),
    );
}

/// Separation of duties: the requester signs only the `applicant` stage — here wang.qiang requested the
/// change, li.ming applied, and wang.qiang may not sign `architect`.
#[test]
fn approve_refuses_the_requester_beyond_applicant() {
    let org = requested_by("wang.qiang");
    approve_stages(&org, 1);
    org.as_person("wang.qiang");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[1].1, &["approve", CHG]);
    before.assert_refused(
        &org,
        &out,
        &format!("separation of duties: you requested {CHG}, so you may sign only its Applicant stage"),
    );
}

/// A request that was never committed cannot be signed: what is signed must be what others see.
#[test]
fn approve_refuses_an_uncommitted_request() {
    let org = Org::new();
    org.as_person("li.ming");
    org.lc(
        REQUESTED,
        &["change", "new", "--id", CHG, "--class", "replacement", "--target", "redis-session/redis=7.2.0"],
    )
    .assert_status(0);
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[0].1, &["approve", CHG]);
    before.assert_refused(&org, &out, &format!("{REQUEST} is not committed"));
}

/// A request edited after its commit cannot be signed until the edit is committed.
#[test]
fn approve_refuses_a_request_modified_after_commit() {
    let org = requested();
    approve_stages(&org, 1);
    org.write(REQUEST, org.read(REQUEST) + "# one more thought\n");
    org.as_person("wang.qiang");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[1].1, &["approve", CHG]);
    before.assert_refused(&org, &out, &format!("{REQUEST} has uncommitted changes"));
}

/// An uncommitted edit of the trust root (people.yaml) blocks signing.
#[test]
fn approve_refuses_an_uncommitted_people_file() {
    let org = requested();
    org.edit("policies/people.yaml", "title: 首席技术官", "title: 首席执行官");
    org.as_person("li.ming");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[0].1, &["approve", CHG]);
    before.assert_refused(&org, &out, "policies/people.yaml has uncommitted changes");
}

/// When git's signing key cannot be read, `approve` refuses and says how to configure git signing.
#[test]
fn approve_refuses_when_the_signing_key_is_missing() {
    let org = requested();
    org.as_person("li.ming");
    let missing = org.path("home/keys/nobody").display().to_string();
    org.git(&["config", "user.signingKey", &missing]);
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[0].1, &["approve", CHG]);
    before.assert_refused(&org, &out, "cannot read the public key of user.signingKey");
    assert!(out.stderr.contains("git config gpg.format ssh"), "no hint on git signing:\n{}", out.snapshot());
    assert!(out.stderr.contains("git config user.signingKey"), "no hint on git signing:\n{}", out.snapshot());
}

/// When the signing program fails (`gpg.ssh.program = false`), nothing is written and the hint says how
/// to configure git signing.
#[test]
fn approve_refuses_when_signing_fails() {
    let org = requested();
    org.as_person("li.ming");
    org.git(&["config", "gpg.ssh.program", "false"]);
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[0].1, &["approve", CHG]);
    before.assert_refused(&org, &out, "false could not sign");
    assert!(out.stderr.contains("git config gpg.format ssh"), "no hint on git signing:\n{}", out.snapshot());
}

/// An approved change takes no further approval.
#[test]
fn approve_refuses_a_change_already_approved() {
    let org = approved();
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(LATER, &["approve", CHG]);
    before.assert_refused(&org, &out, &format!("{CHG} is already approved (every stage is signed)"));
}

/// A rejection needs a reason that is not blank.
#[test]
fn reject_refuses_a_blank_reason() {
    let org = requested();
    approve_stages(&org, 1);
    org.as_person("wang.qiang");
    let before = Untouched::of(&org);
    let out = org.lc(SIGNERS[1].1, &["reject", CHG, "-m", "  "]);
    before.assert_refused(&org, &out, "a rejection needs a reason");
    let out = org.lc(SIGNERS[1].1, &["reject", CHG]);
    before.assert_refused(&org, &out, "--message <TEXT>");
}

/// Only the class's `confirm` role (cto) confirms completion.
#[test]
fn confirm_refuses_someone_without_the_confirm_role() {
    let org = approved();
    commit_report(&org, GOOD_REPORT);
    org.as_person("liu.yang");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG]);
    before.assert_refused(
        &org,
        &out,
        &format!("{CHG} needs Chief technology officer next (chen); you (liu.yang) hold Operations director"),
    );
}

/// A report edited after its commit cannot be confirmed, and a completed change cannot be confirmed
/// twice.
#[test]
fn confirm_refuses_an_uncommitted_report_and_a_second_confirmation() {
    let org = approved();
    commit_report(&org, GOOD_REPORT);
    org.as_person("chen");
    let committed = org.read(REPORT);
    org.edit(REPORT, "downtime: 0m", "downtime: 5m");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG]);
    before.assert_refused(&org, &out, &format!("{REPORT} has uncommitted changes"));

    org.write(REPORT, committed);
    org.lc(CONFIRMED, &["confirm", CHG]).assert_status(0);
    let before = Untouched::of(&org);
    let out = org.lc(LATER, &["confirm", CHG]);
    before.assert_refused(&org, &out, &format!("{CHG} is already confirmed complete"));
}

/// `confirm` needs an execution report.
#[test]
fn confirm_refuses_without_a_report() {
    let org = approved();
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG]);
    before.assert_refused(&org, &out, &format!("{CHG} has no report.yaml yet"));
}

/// `confirm` needs an approved change, even when a report exists.
#[test]
fn confirm_refuses_a_change_not_yet_approved() {
    let org = requested();
    approve_stages(&org, 2);
    commit_report(&org, GOOD_REPORT);
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG]);
    before.assert_refused(
        &org,
        &out,
        &format!("{CHG} is in-review, not approved: it cannot be confirmed complete yet"),
    );
}

/// A report breaking five rules is refused with every finding code listed; `--accept-findings` needs a
/// comment; with one, the confirmation is signed and the change is complete.
#[test]
fn confirm_lists_broken_rules_and_accepts_them_only_with_a_comment() {
    let org = approved();
    commit_report(&org, BAD_REPORT);
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG, "-m", "确认完成"]);
    before.assert_refused(&org, &out, "the execution report breaks the policy's rules");
    let codes = ["no-backup", "gray-not-passed", "late-notice", "outside-window", "executor-is-supervisor"];
    for code in codes {
        assert!(out.stderr.contains(&format!("  {code}: ")), "{code} is not listed:\n{}", out.snapshot());
    }
    assert!(
        !out.stderr.contains("executed-before-approval"),
        "approved 09-10, started 09-15:\n{}",
        out.snapshot()
    );

    let out = org.lc(CONFIRMED, &["confirm", CHG, "--accept-findings"]);
    before.assert_refused(&org, &out, "--accept-findings needs a comment (-m)");
    for code in codes {
        assert!(out.stderr.contains(code), "{code} is not listed:\n{}", out.snapshot());
    }

    let out = org.lc(CONFIRMED, &["confirm", CHG, "--accept-findings", "-m", "业务方书面同意"]);
    out.assert_status(0);
    let doc = show(&org, CHG);
    assert_eq!(doc["state"], "complete");
    assert_eq!(signoff(&doc, "06-cto.yaml")["comment"], "业务方书面同意");
}

/// A report satisfying the rules except for starting before the approval commit is refused as
/// `executed-before-approval`: approval time is the last approval's commit time.
#[test]
fn confirm_refuses_a_change_executed_before_its_approval() {
    let org = approved();
    let early = GOOD_REPORT
        .replace("started_at: 2024-09-15T20:00:00+08:00", "started_at: 2024-09-10T14:00:00+08:00")
        .replace("taken_at: 2024-09-15T19:30:00+08:00", "taken_at: 2024-09-10T13:30:00+08:00")
        .replace("notified_at: 2024-09-14T09:00:00+08:00", "notified_at: 2024-09-09T09:00:00+08:00");
    commit_report(&org, &early);
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG]);
    before.assert_refused(&org, &out, "  executed-before-approval: ");
    for code in ["no-backup", "gray-not-passed", "late-notice", "outside-window", "executor-is-supervisor"] {
        assert!(!out.stderr.contains(code), "{code} is listed:\n{}", out.snapshot());
    }
}
