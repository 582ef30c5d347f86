//! What must not count (SPEC §4.4): stale, rejected, edited, copied, replayed, truncated, misowned,
//! out-of-role, reordered and self-approving sign-offs. Forgeries are assembled by hand.

use super::*;

/// Editing the request after two sign-offs makes both stale: `change show` names them, the change is
/// back to its first stage, and a new round of sign-offs counts.
#[test]
fn editing_the_request_makes_earlier_sign_offs_stale() {
    let org = requested();
    approve_stages(&org, 2);
    org.as_person("li.ming");
    org.edit(REQUEST, "amount: 45000", "amount: 52000");
    org.commit("2024-09-07T18:00:00+08:00", "CHG-2024-003: budget");

    let doc = show(&org, CHG);
    assert_eq!(
        standings(&doc),
        [("01-applicant.yaml".into(), "stale".into()), ("02-architect.yaml".into(), "stale".into())]
    );
    assert_eq!(
        findings(&doc),
        [
            ("stale-signoff".into(), "01-applicant.yaml".into()),
            ("stale-signoff".into(), "02-architect.yaml".into())
        ]
    );
    assert_eq!(doc["state"], "in-review");
    assert_eq!(doc["next"], "applicant");
    let table = org.lc(LATER, &["change", "show", CHG]);
    table.assert_status(0);
    for line in [
        format!(
            "stale: {APPROVALS}/01-applicant.yaml (Applicant, li.ming) signed an earlier version of request.yaml"
        ),
        format!(
            "stale: {APPROVALS}/02-architect.yaml (Technical architect, wang.qiang) signed an earlier version of request.yaml"
        ),
        format!("next: Applicant (li.ming) — lifecycle approve {CHG}"),
    ] {
        assert!(table.stdout.contains(&line), "missing {line:?}:\n{}", table.snapshot());
    }

    // Signing again: wang.qiang's stale architect sign-off does not stop him signing that stage anew.
    approve(&org, "li.ming", "2024-09-08T09:00:00+08:00", "预算已更新");
    approve(&org, "wang.qiang", "2024-09-08T10:00:00+08:00", "技术方案可行");
    let doc = show(&org, CHG);
    assert_eq!(doc["next"], "security-manager");
    assert_eq!(valid_count(&doc), 2);
    assert_eq!(signoff(&doc, "04-architect.yaml")["standing"], "valid");
}

/// A rejection by the architect makes the change `rejected`; nobody can approve it until the request is
/// edited and committed, which starts a new round.
#[test]
fn a_rejection_ends_the_change_until_the_request_is_edited() {
    let org = requested();
    approve_stages(&org, 1);
    org.as_person("wang.qiang");
    let out = org.lc(SIGNERS[1].1, &["reject", CHG, "-m", "回退方案不完整"]);
    out.assert_status(0);
    assert!(out.stdout.contains(&format!("{CHG} is rejected.")), "{}", out.snapshot());
    let doc = show(&org, CHG);
    assert_eq!(doc["state"], "rejected");
    assert_eq!(doc["next"], Value::Null);
    let r = signoff(&doc, "02-architect.yaml");
    assert_eq!((&r["decision"], &r["standing"]), (&"rejected".into(), &"valid".into()));

    for who in ["wang.qiang", "zhang.wei"] {
        org.as_person(who);
        let before = Untouched::of(&org);
        let out = org.lc(SIGNERS[2].1, &["approve", CHG]);
        before.assert_refused(&org, &out, &format!("{CHG} was rejected; edit and commit its request"));
    }

    org.as_person("li.ming");
    org.edit(
        REQUEST,
        "backout: \"回滚至 rdb-snapshot-20240915\"",
        "backout: \"回滚至 rdb-snapshot-20240915，含演练\"",
    );
    org.commit("2024-09-08T09:00:00+08:00", "CHG-2024-003: complete the backout plan");
    assert_eq!(show(&org, CHG)["state"], "in-review");
    approve(&org, "li.ming", "2024-09-08T10:00:00+08:00", "补充回退方案");
    let doc = show(&org, CHG);
    assert_eq!(doc["next"], "architect");
    assert_eq!(valid_count(&doc), 1);
}

/// A statement whose field was edited after signing (and committed) no longer verifies: it is
/// `bad-signature` and its stage is open again.
#[test]
fn an_edited_statement_is_a_bad_signature() {
    let org = requested();
    approve_stages(&org, 2);
    let rel = format!("{APPROVALS}/02-architect.yaml");
    org.edit(&rel, "comment: \"技术方案可行\"", "comment: \"技术方案可行，无条件\"");
    org.commit("2024-09-07T17:00:00+08:00", "tweak a comment");
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"invalid".into(), &"bad-signature".into()), "{doc:#}");
    assert!(findings(&doc).contains(&("bad-signature".into(), "02-architect.yaml".into())));
    assert_eq!(doc["next"], "architect");
    assert_eq!(valid_count(&doc), 1);
}

/// A hand-assembled statement signed correctly counts: the control for the forgeries below, which
/// each differ from it in one respect.
#[test]
fn a_hand_assembled_statement_counts_when_everything_is_right() {
    let org = requested();
    approve_stages(&org, 1);
    place(&org, &next_statement(&org, "architect", "wang.qiang", "wang.qiang"), "wang.qiang", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"valid".into()), "{doc:#}");
    assert_eq!(doc["next"], "security-manager");
    assert_eq!(valid_count(&doc), 2);
}

/// `change show` names the commit that added each sign-off, its time, and whether the signer's key
/// signed it: a commit made by `approve` is signed; a statement committed with plain git is not, which
/// is only an `unsigned-commit` warning since the statement's own signature carries it (SPEC §4.3,
/// §6.1).
#[test]
fn change_show_names_the_commit_of_each_sign_off() {
    let org = requested();
    approve_stages(&org, 1);
    let signed = org.head();
    place(&org, &next_statement(&org, "architect", "wang.qiang", "wang.qiang"), "wang.qiang", NAMESPACE);
    let plain = org.head();
    let doc = show(&org, CHG);
    let first = signoff(&doc, "01-applicant.yaml");
    assert_eq!(first["commit"], signed, "{doc:#}");
    assert_eq!(first["commit_time"], SIGNERS[0].1);
    assert_eq!(first["commit_signed"], true);
    let second = signoff(&doc, "02-architect.yaml");
    assert_eq!(second["commit"], plain, "{doc:#}");
    assert_eq!(second["commit_signed"], false);
    assert_eq!(second["standing"], "valid");
    assert_eq!(findings(&doc), [("unsigned-commit".into(), "02-architect.yaml".into())]);
    assert_eq!(doc["findings"][0]["severity"], "warning");
    assert_eq!(doc["findings"][0]["commit"], plain);
}

/// Editing the report after the CTO confirmed it makes the confirmation stale: the change is back to
/// `executing` and needs the CTO again, whose new confirmation completes it.
#[test]
fn editing_the_report_after_confirmation_makes_it_stale() {
    let org = approved();
    commit_report(&org, GOOD_REPORT);
    org.as_person("chen");
    org.lc(CONFIRMED, &["confirm", CHG, "-m", "确认完成"]).assert_status(0);
    assert_eq!(show(&org, CHG)["state"], "complete");

    org.as_person("zhou.jie");
    org.edit(REPORT, "downtime: 0m", "downtime: 5m");
    org.commit("2024-10-17T09:00:00+08:00", "CHG-2024-003: downtime was 5 minutes");
    let doc = show(&org, CHG);
    assert_eq!(signoff(&doc, "06-cto.yaml")["standing"], "stale");
    assert!(findings(&doc).contains(&("stale-signoff".into(), "06-cto.yaml".into())), "{doc:#}");
    assert_eq!(doc["state"], "executing");
    assert_eq!(doc["next"], "cto");
    assert_eq!(valid_count(&doc), 5, "the approvals signed the request, which did not change");

    org.as_person("chen");
    org.lc("2024-10-17T10:00:00+08:00", &["confirm", CHG, "-m", "确认完成"]).assert_status(0);
    let doc = show(&org, CHG);
    assert_eq!(doc["state"], "complete");
    assert_eq!(signoff(&doc, "07-cto.yaml")["standing"], "valid");
}

/// Sign-off files copied from another change's folder name that change, not this one: `wrong-change`,
/// and they fill no stage here.
#[test]
fn sign_offs_copied_from_another_change_do_not_count() {
    let org = requested();
    approve_stages(&org, 2);
    request(&org, "CHG-2024-004", "redis-session/redis=7.4.0", "Redis 6.2.14 升级至 7.4.0");
    for f in ["01-applicant.yaml", "02-architect.yaml"] {
        org.write(&format!("changes/CHG-2024-004/approvals/{f}"), org.read(&format!("{APPROVALS}/{f}")));
    }
    org.commit("2024-09-07T17:00:00+08:00", "copy sign-offs");
    let doc = show(&org, "CHG-2024-004");
    assert_eq!(
        standings(&doc),
        [
            ("01-applicant.yaml".into(), "wrong-change".into()),
            ("02-architect.yaml".into(), "wrong-change".into())
        ]
    );
    assert_eq!(doc["next"], "applicant");
    assert_eq!(valid_count(&doc), 0);
    assert_eq!(valid_count(&show(&org, CHG)), 2, "the originals still count where they belong");
}

/// An SSH signature by the right person over the right payload, but made in namespace `git` (as a
/// commit signature is), is `wrong-namespace` and fills no stage.
#[test]
fn a_signature_in_the_git_namespace_is_not_a_sign_off() {
    let org = requested();
    approve_stages(&org, 1);
    place(&org, &next_statement(&org, "architect", "wang.qiang", "wang.qiang"), "wang.qiang", "git");
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"invalid".into(), &"wrong-namespace".into()), "{doc:#}");
    assert!(findings(&doc).contains(&("wrong-namespace".into(), "02-architect.yaml".into())));
    assert_eq!(doc["next"], "architect");
}

/// A truncated signature is invalid (`bad-signature`), and no command panics on it.
#[test]
fn a_truncated_signature_is_invalid() {
    let org = requested();
    approve_stages(&org, 2);
    let rel = format!("{APPROVALS}/02-architect.yaml");
    let text = org.read(&rel);
    // Keep the armour lines and the first half of the first line of the body.
    let mut body = 0;
    let truncated: String = text
        .lines()
        .filter_map(|l| match l.strip_prefix("  ") {
            Some(armour) if armour.starts_with("-----") => Some(format!("{l}\n")),
            Some(b64) => {
                body += 1;
                (body == 1).then(|| format!("  {}\n", &b64[..b64.len() / 2]))
            }
            None => Some(format!("{l}\n")),
        })
        .collect();
    org.write(&rel, truncated);
    org.commit("2024-09-07T17:00:00+08:00", "truncate");
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"invalid".into(), &"bad-signature".into()), "{doc:#}");
    assert_eq!(doc["next"], "architect");
    org.lc(LATER, &["change", "show", CHG]).assert_status(0);
    org.lc(LATER, &["change", "list"]).assert_status(0);
}

/// zhang.wei's key signing a statement that claims `by: wang.qiang` is `key-not-owned`.
#[test]
fn a_key_used_for_someone_else_is_not_owned() {
    let org = requested();
    approve_stages(&org, 1);
    place(&org, &next_statement(&org, "architect", "wang.qiang", "zhang.wei"), "zhang.wei", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"key-not-owned".into()), "{doc:#}");
    assert_eq!(doc["next"], "architect");
}

/// A valid signature by zhang.wei (security-manager) on the `architect` stage is `signer-not-in-role`.
#[test]
fn a_signer_outside_the_role_does_not_count() {
    let org = requested();
    approve_stages(&org, 1);
    place(&org, &next_statement(&org, "architect", "zhang.wei", "zhang.wei"), "zhang.wei", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!(
        (&s["signature"], &s["standing"]),
        (&"verified".into(), &"signer-not-in-role".into()),
        "{doc:#}"
    );
    assert_eq!(doc["next"], "architect");
}

/// Swapping the numbers of the architect's and the security manager's files breaks the
/// `previous_digest` links: both are `out-of-order` and only the applicant counts.
#[test]
fn reordered_sign_off_files_are_out_of_order() {
    let org = requested();
    approve_stages(&org, 3);
    let dir = org.path(APPROVALS);
    std::fs::rename(dir.join("02-architect.yaml"), dir.join("03-architect.yaml")).unwrap();
    std::fs::rename(dir.join("03-security-manager.yaml"), dir.join("02-security-manager.yaml")).unwrap();
    org.commit("2024-09-08T12:00:00+08:00", "reorder");
    let doc = show(&org, CHG);
    assert_eq!(
        standings(&doc),
        [
            ("01-applicant.yaml".into(), "valid".into()),
            ("02-security-manager.yaml".into(), "out-of-order".into()),
            ("03-architect.yaml".into(), "out-of-order".into()),
        ]
    );
    assert_eq!(doc["next"], "architect");
}

/// A statement whose `previous_digest` skips the sign-off before it is `out-of-order`.
#[test]
fn a_forged_previous_digest_is_out_of_order() {
    let org = requested();
    approve_stages(&org, 2);
    let mut st = next_statement(&org, "security-manager", "zhang.wei", "zhang.wei");
    st.previous_digest = Some(Statement::read(&org, &format!("{APPROVALS}/01-applicant.yaml")).0.digest());
    place(&org, &st, "zhang.wei", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "03-security-manager.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"out-of-order".into()), "{doc:#}");
    assert_eq!(doc["next"], "security-manager");
}

/// A correctly linked statement for a stage whose turn has not come (security-manager before the
/// architect) is `out-of-order`.
#[test]
fn a_stage_signed_before_its_turn_is_out_of_order() {
    let org = requested();
    approve_stages(&org, 1);
    place(&org, &next_statement(&org, "security-manager", "zhang.wei", "zhang.wei"), "zhang.wei", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-security-manager.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"out-of-order".into()), "{doc:#}");
    assert_eq!(doc["next"], "architect");
}

/// A person holding two roles who signs a second stage by hand is `self-approval`: the chain rule, not
/// only `approve`, enforces separation of duties.
#[test]
fn a_second_stage_by_the_same_person_is_self_approval() {
    let org = Org::with_roles(&[("wang.qiang", "security-manager")]);
    request(&org, CHG, "redis-session/redis=7.2.0", TITLE);
    approve_stages(&org, 2);
    place(
        &org,
        &next_statement(&org, "security-manager", "wang.qiang", "wang.qiang"),
        "wang.qiang",
        NAMESPACE,
    );
    let doc = show(&org, CHG);
    let s = signoff(&doc, "03-security-manager.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"self-approval".into()), "{doc:#}");
    assert_eq!(doc["next"], "security-manager");
}

/// The requester signing a stage other than `applicant` by hand is `self-approval`: wang.qiang
/// requested the change, so his architect sign-off does not count.
#[test]
fn the_requester_signing_beyond_applicant_is_self_approval() {
    let org = requested_by("wang.qiang");
    approve_stages(&org, 1);
    place(&org, &next_statement(&org, "architect", "wang.qiang", "wang.qiang"), "wang.qiang", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"self-approval".into()), "{doc:#}");
    assert_eq!(doc["next"], "architect");
}

/// A statement signed by a key that is not in people.yaml is `untrusted-key`, even when it claims to
/// be by the right person.
#[test]
fn a_key_not_in_the_people_file_is_untrusted() {
    let org = requested();
    approve_stages(&org, 1);
    org.generate_key("mallory");
    place(&org, &next_statement(&org, "architect", "wang.qiang", "mallory"), "mallory", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"invalid".into(), &"untrusted-key".into()), "{doc:#}");
    assert_eq!(doc["next"], "architect");
}

/// A statement whose `key` names another key than the one that made its signature is `bad-signature`:
/// wang.qiang signs, but the statement names zhang.wei's key.
#[test]
fn a_statement_naming_another_key_is_a_bad_signature() {
    let org = requested();
    approve_stages(&org, 1);
    place(&org, &next_statement(&org, "architect", "wang.qiang", "zhang.wei"), "wang.qiang", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "02-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"bad-signature".into()), "{doc:#}");
    assert_eq!(doc["next"], "architect");
}

/// A rejection of a stage that already holds a valid approval (wang.qiang rejecting, by hand, the
/// architect stage he approved) is `out-of-order` and does not reject the change.
#[test]
fn a_rejection_of_a_signed_stage_is_out_of_order() {
    let org = requested();
    approve_stages(&org, 2);
    let mut st = next_statement(&org, "architect", "wang.qiang", "wang.qiang");
    st.decision = "rejected".into();
    place(&org, &st, "wang.qiang", NAMESPACE);
    let doc = show(&org, CHG);
    let s = signoff(&doc, "03-architect.yaml");
    assert_eq!((&s["signature"], &s["standing"]), (&"verified".into(), &"out-of-order".into()), "{doc:#}");
    assert_eq!(doc["state"], "in-review");
    assert_eq!(doc["next"], "security-manager");
}

/// The codes of `verify`'s findings.
fn verify_codes(org: &Org) -> Vec<String> {
    let out = org.lc(LATER, &["verify", "--format", "json"]);
    out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A sign-off whose claimed time precedes its request is `signed-before-request` (SPEC §4.6), however
/// valid its signature.
#[test]
fn a_sign_off_dated_before_its_request_is_a_finding() {
    let org = requested();
    let mut st = next_statement(&org, "applicant", "li.ming", "li.ming");
    st.at = "2024-06-01T10:00:00+08:00".into();
    place(&org, &st, "li.ming", NAMESPACE);
    let codes = verify_codes(&org);
    assert!(codes.contains(&"signed-before-request".to_string()), "{codes:?}");
    // Dated after the request, the same hand-made statement passes that rule.
    let org = requested();
    let st = next_statement(&org, "applicant", "li.ming", "li.ming");
    place(&org, &st, "li.ming", NAMESPACE);
    assert!(!verify_codes(&org).contains(&"signed-before-request".to_string()));
}

/// A confirmation claiming a time before the execution finished is `confirmed-before-finished`; a
/// real `confirm` refuses a report that has not finished or whose times lie in the future.
#[test]
fn a_confirmation_before_the_execution_finished_is_a_finding() {
    let org = approved();
    commit_report(&org, GOOD_REPORT);
    let mut st = next_statement(&org, "cto", "chen", "chen");
    st.decision = "confirmed".into();
    st.subject = "report".into();
    st.subject_digest = sha256(org.read(REPORT).as_bytes());
    st.at = "2024-10-01T10:00:00+08:00".into(); // finished_at is 2024-10-15T23:00
    place(&org, &st, "chen", NAMESPACE);
    let codes = verify_codes(&org);
    assert!(codes.contains(&"confirmed-before-finished".to_string()), "{codes:?}");

    let org = approved();
    commit_report(&org, &GOOD_REPORT.replace("finished_at: 2024-10-15T23:00:00+08:00\n", ""));
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG, "-m", "完成"]);
    before.assert_refused(&org, &out, "has not finished");

    let org = approved();
    commit_report(&org, &GOOD_REPORT.replace("2024-10-15T23:00:00+08:00", "2024-12-15T23:00:00+08:00"));
    org.as_person("chen");
    let before = Untouched::of(&org);
    let out = org.lc(CONFIRMED, &["confirm", CHG, "-m", "完成"]);
    before.assert_refused(&org, &out, "in the future");
}
