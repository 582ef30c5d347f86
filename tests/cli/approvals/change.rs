//! `change new`, `change list` and `change show` (SPEC §3.5, §6).

use super::*;

/// Ids are `CHG-<year of --today>-NNN`, one more than the highest of that year, committed or only on
/// disk; another year starts at 001.
#[test]
fn change_new_numbers_ids_by_year() {
    let org = Org::new();
    org.as_person("li.ming");
    let new = |date: &str, extra: &[&str]| {
        let mut args =
            vec!["change", "new", "--class", "replacement", "--target", "redis-session/redis=7.2.0"];
        args.extend_from_slice(extra);
        let out = org.lc(date, &args);
        out.assert_status(0);
        out.stdout.lines().next().unwrap_or("").to_string()
    };
    assert_eq!(new("2024-09-05T10:00:00+08:00", &[]), "wrote changes/CHG-2024-001/request.yaml");
    org.commit("2024-09-05T10:00:00+08:00", "one");
    assert_eq!(new("2024-09-05T11:00:00+08:00", &[]), "wrote changes/CHG-2024-002/request.yaml");
    assert_eq!(new("2024-09-05T12:00:00+08:00", &[]), "wrote changes/CHG-2024-003/request.yaml");
    assert_eq!(
        new("2024-09-05T13:00:00+08:00", &["--id", "CHG-2024-010"]),
        "wrote changes/CHG-2024-010/request.yaml"
    );
    assert_eq!(new("2024-09-05T14:00:00+08:00", &[]), "wrote changes/CHG-2024-011/request.yaml");
    assert_eq!(new("2025-01-10T10:00:00+08:00", &[]), "wrote changes/CHG-2025-001/request.yaml");
}

/// `change new` fills `from` from the inventory, the requester from the signing key's owner (or
/// `--requested-by`) and `requested_at` from the clock, and writes a request `validate` accepts.
#[test]
fn change_new_writes_a_valid_request_with_from_filled() {
    let org = Org::new();
    org.as_person("li.ming");
    org.lc(
        REQUESTED,
        &[
            "change",
            "new",
            "--class",
            "replacement",
            "--target",
            "redis-session/redis=7.2.0",
            "--target",
            "redis-session/centos=9",
        ],
    )
    .assert_status(0);
    let doc: Value = serde_saphyr::from_str(&org.read("changes/CHG-2024-001/request.yaml")).unwrap();
    assert_eq!(doc["id"], "CHG-2024-001");
    assert_eq!(doc["class"], "replacement");
    assert_eq!(doc["requested_by"], "li.ming");
    assert_eq!(doc["requested_at"], REQUESTED);
    assert_eq!(
        doc["targets"],
        serde_json::json!([
            {"system": "redis-session", "component": "redis", "from": "6.2.14", "to": "7.2.0"},
            {"system": "redis-session", "component": "centos", "from": "7.9.2009", "to": "9"},
        ])
    );
    org.lc(
        REQUESTED,
        &[
            "change",
            "new",
            "--class",
            "replacement",
            "--target",
            "redis-session/redis=7.2.0",
            "--requested-by",
            "zhou.jie",
        ],
    )
    .assert_status(0);
    let doc: Value = serde_saphyr::from_str(&org.read("changes/CHG-2024-002/request.yaml")).unwrap();
    assert_eq!(doc["requested_by"], "zhou.jie");
    let out = org.lc(REQUESTED, &["validate"]);
    out.assert_status(0);
    assert_eq!(show(&org, "CHG-2024-001")["state"], "draft");
}

/// Unknown systems, components and classes are refused with a suggestion, and nothing is written.
#[test]
fn change_new_refuses_unknown_names_with_a_suggestion() {
    let org = Org::new();
    org.as_person("li.ming");
    let before = Untouched::of(&org);
    let cases: [(&str, &str, &str); 3] = [
        (
            "replacement",
            "redis-sesion/redis=7.2.0",
            "no system `redis-sesion` in the inventory; did you mean `redis-session`?",
        ),
        ("replacement", "redis-session/rediss=7.2.0", "system `redis-session` has no component `rediss`"),
        ("replacment", "redis-session/redis=7.2.0", "did you mean `replacement`?"),
    ];
    for (class, target, reason) in cases {
        let out = org.lc(REQUESTED, &["change", "new", "--class", class, "--target", target]);
        before.assert_refused(&org, &out, reason);
    }
    let out = org.lc(
        REQUESTED,
        &["change", "new", "--class", "replacement", "--target", "redis-session/rediss=7.2.0"],
    );
    assert!(out.stderr.contains("its components: redis, centos"), "{}", out.snapshot());
}

/// An exception (a class with `max_duration: 6mo`) needs `--until`, at most six months after today.
#[test]
fn change_new_exception_needs_until_within_max_duration() {
    let org = Org::new();
    org.as_person("zhang.wei");
    let before = Untouched::of(&org);
    let new = |extra: &[&str]| {
        let mut args =
            vec!["change", "new", "--class", "exception", "--target", "redis-session/redis=6.2.14"];
        args.extend_from_slice(extra);
        org.lc("2024-09-01T10:00:00+08:00", &args)
    };
    before.assert_refused(&org, &new(&[]), "class `exception` accepts a risk for a time: give --until DATE");
    before.assert_refused(
        &org,
        &new(&["--until", "2025-03-02"]),
        "--until 2025-03-02 is more than 6 months away",
    );
    new(&["--until", "2025-03-01"]).assert_status(0);
    let doc: Value = serde_saphyr::from_str(&org.read("changes/CHG-2024-001/request.yaml")).unwrap();
    assert_eq!(doc["until"], "2025-03-01");
    org.lc("2024-09-01T10:00:00+08:00", &["validate"]).assert_status(0);
}

/// `change new --id` never replaces an existing request.
#[test]
fn change_new_refuses_an_id_in_use() {
    let org = requested();
    let before = Untouched::of(&org);
    let out = org.lc(
        REQUESTED,
        &["change", "new", "--id", CHG, "--class", "replacement", "--target", "redis-session/centos=9"],
    );
    before.assert_refused(&org, &out, &format!("cannot create [TEMP]/{REQUEST}"));
}

/// `--requested-by` must name someone in people.yaml.
#[test]
fn change_new_refuses_an_unknown_requester() {
    let org = Org::new();
    org.as_person("li.ming");
    let before = Untouched::of(&org);
    let out = org.lc(
        REQUESTED,
        &[
            "change",
            "new",
            "--class",
            "replacement",
            "--target",
            "redis-session/redis=7.2.0",
            "--requested-by",
            "li.mng",
        ],
    );
    before.assert_refused(&org, &out, "`li.mng` is not in policies/people.yaml");
}

// ---- 7. Human output ----------------------------------------------------------------------------

/// Snapshots `out` with abbreviated commit ids (which depend on the generated keys) as `[COMMITID]`,
/// beside the other snapshots of the test binary.
macro_rules! snapshot_without_commits {
    ($out:expr) => {
        insta::with_settings!({
            snapshot_path => "../snapshots",
            filters => vec![(r"\b[0-9a-f]{10}\b", "[COMMITID]")],
        }, {
            insta::assert_snapshot!($out.snapshot());
        })
    };
}

/// `change list`: each change's class, state, signed stages and who signs next.
#[test]
fn change_list_table() {
    let org = requested();
    approve_stages(&org, 2);
    request(&org, "CHG-2024-004", "redis-session/centos=9", "CentOS 7 → 9");
    org.lc(
        "2024-09-06T10:00:00+08:00",
        &[
            "change",
            "new",
            "--id",
            "CHG-2024-005",
            "--class",
            "exception",
            "--target",
            "redis-session/redis=6.2.14",
            "--until",
            "2025-03-01",
            "--title",
            "Redis 6.2 风险接受",
        ],
    )
    .assert_status(0);
    org.commit("2024-09-06T10:00:00+08:00", "CHG-2024-005: request");
    org.as_person("zhang.wei");
    org.lc("2024-09-06T11:00:00+08:00", &["reject", "CHG-2024-005", "-m", "应尽快升级"]).assert_status(0);
    let out = org.lc(LATER, &["change", "list"]);
    snapshot_without_commits!(out);
}

/// `change show`: the chain with each stage's signer, title, date and status, stale sign-offs, and
/// who signs next; the signed stage shows the commit that added it.
#[test]
fn change_show_table() {
    let org = requested();
    approve_stages(&org, 2);
    org.as_person("li.ming");
    org.edit(REQUEST, "amount: 45000", "amount: 52000");
    org.commit("2024-09-07T18:00:00+08:00", "CHG-2024-003: budget");
    approve(&org, "li.ming", "2024-09-08T09:00:00+08:00", "预算已更新");
    let out = org.lc(LATER, &["change", "show", CHG]);
    snapshot_without_commits!(out);
}

/// `change show` of a change whose request was edited after two sign-offs: no stage filled, the stale
/// sign-offs named, the applicant next, and a rejection explained.
#[test]
fn change_show_table_with_stale_and_rejected_sign_offs() {
    let org = requested();
    approve_stages(&org, 2);
    org.as_person("li.ming");
    org.edit(REQUEST, "amount: 45000", "amount: 52000");
    org.commit("2024-09-07T18:00:00+08:00", "CHG-2024-003: budget");
    let out = org.lc(LATER, &["change", "show", CHG]);
    snapshot_without_commits!(out);

    approve(&org, "li.ming", "2024-09-08T09:00:00+08:00", "预算已更新");
    org.as_person("wang.qiang");
    org.lc("2024-09-08T10:00:00+08:00", &["reject", CHG, "-m", "回退方案不完整"]).assert_status(0);
    let out = org.lc(LATER, &["change", "show", CHG]);
    let tail: String =
        out.stdout.lines().skip_while(|l| !l.starts_with('└')).skip(1).map(|l| format!("{l}\n")).collect();
    assert_eq!(
        tail,
        format!(
            "stale: {APPROVALS}/01-applicant.yaml (Applicant, li.ming) signed an earlier version of request.yaml\n\
             stale: {APPROVALS}/02-architect.yaml (Technical architect, wang.qiang) signed an earlier version of request.yaml\n\
             rejected by wang.qiang (Technical architect): 回退方案不完整\n"
        )
    );
    assert!(out.stdout.contains("state: rejected"), "{}", out.snapshot());
}

/// `change show`, `change list` and `approve` in Chinese: headers, states, decisions, next steps.
#[test]
fn change_show_and_list_in_chinese() {
    let org = requested();
    approve_stages(&org, 2);
    org.as_person("li.ming");
    org.edit(REQUEST, "amount: 45000", "amount: 52000");
    org.commit("2024-09-07T18:00:00+08:00", "CHG-2024-003: budget");
    org.as_person("li.ming");
    let signed =
        org.lc("2024-09-08T09:00:00+08:00", &["--lang", "zh-CN", "approve", CHG, "-m", "预算已更新"]);
    signed.assert_status(0);
    assert!(signed.stdout.contains("批准（第 1 个环节，共 5 个）"), "{}", signed.snapshot());
    assert!(signed.stdout.contains("下一步：由技术架构师（wang.qiang）"), "{}", signed.snapshot());
    let out = org.lc(LATER, &["--lang", "zh-CN", "change", "show", CHG]);
    snapshot_without_commits!(out);
    let out = org.lc(LATER, &["--lang", "zh-CN", "change", "list"]);
    snapshot_without_commits!(out);
}
