//! Signed approvals (SPEC §3.3–§3.6, §4, §6): `change new|list|show`, `approve`, `reject` and
//! `confirm` on real repositories with real ed25519 and OpenPGP keys. Forged statements are assembled
//! here from the SPEC (§4.1, §4.2), never with the crate's own code, and signed with `ssh-keygen`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use sha2::Digest;

use crate::common::redis_change::BAD_REPORT;
use crate::common::{Org, Output, tree};

mod change;
mod gitconfig;
mod openpgp;
mod pitfalls;
mod refusals;

const CHG: &str = "CHG-2024-003";
const TITLE: &str = "Redis 6.2.14 升级至 7.2.0";
const REQUEST: &str = "changes/CHG-2024-003/request.yaml";
const REPORT: &str = "changes/CHG-2024-003/report.yaml";
const APPROVALS: &str = "changes/CHG-2024-003/approvals";
const CHAIN: [&str; 5] = ["applicant", "architect", "security-manager", "ops-director", "cto"];
/// The English titles policies/ops04.yaml gives the roles of [`CHAIN`].
const TITLES: [&str; 5] = [
    "Applicant",
    "Technical architect",
    "Information security manager",
    "Operations director",
    "Chief technology officer",
];
const NAMESPACE: &str = "lifecycle-signoff";

/// When li.ming writes and commits the request.
const REQUESTED: &str = "2024-09-05T09:30:00+08:00";
/// Who signs each stage of the chain, when, and why (the dates of the source document).
const SIGNERS: [(&str, &str, &str); 5] = [
    ("li.ming", "2024-09-05T10:00:00+08:00", "申请批准执行"),
    ("wang.qiang", "2024-09-07T16:00:00+08:00", "技术方案可行"),
    ("zhang.wei", "2024-09-08T11:00:00+08:00", "符合安全政策"),
    ("liu.yang", "2024-09-09T14:30:00+08:00", "同意实施方案"),
    ("chen", "2024-09-10T15:00:00+08:00", "正式批准执行"),
];
/// When the execution report is committed, and when it is confirmed.
const REPORTED: &str = "2024-10-15T23:30:00+08:00";
const CONFIRMED: &str = "2024-10-16T10:00:00+08:00";
/// When read-only commands run.
const LATER: &str = "2024-10-20T12:00:00+08:00";

/// The part of the request `change new` leaves to the requester.
const PLAN: &str = "\
risk: medium
plan: {gray_at: 2024-09-17T20:00:00+08:00, production_at: 2024-09-19T22:00:00+08:00,
       executor: zhou.jie, supervisor: liu.yang, backout: \"回滚至 rdb-snapshot-20240915\", tests: \"功能、性能、兼容性、回滚测试\"}
budget: {amount: 45000, currency: CNY}
";

/// An execution report that satisfies every rule of the policy (the demo's).
const GOOD_REPORT: &str = "\
started_at: 2024-09-15T20:00:00+08:00
finished_at: 2024-10-15T23:00:00+08:00
executed_by: zhou.jie
supervised_by: liu.yang
backup: {taken_at: 2024-09-15T19:30:00+08:00, ref: \"rdb-snapshot-20240915\"}
gray: {passed_at: 2024-09-17T22:00:00+08:00, result: pass, rollback_tested: true}
production_at: 2024-09-19T22:00:00+08:00
artifacts: [{name: redis-7.2.0.tar.gz, source: \"https://download.redis.io/releases/\", sha256: \"4ef3d6d8e2fa8a4fc36b10e6b3a1b8b8b4f3a5c1b8f5e4a1c2d3e4f5a6b7c8d9\"}]
notified_at: 2024-09-14T09:00:00+08:00
outcome: success
hosts: {total: 8, succeeded: 8}
downtime: 0m
metrics:
  - {name: latency, unit: ms, before: 2.8, after: 1.9, target: \"< 2.5\"}
cost: {amount: 42800, currency: CNY}
";

// ---- Building blocks -------------------------------------------------------------------------

/// The organisation with CHG-2024-003 (Redis 6.2.14 → 7.2.0) requested and committed by li.ming.
fn requested() -> Org {
    let org = Org::new();
    request(&org, CHG, "redis-session/redis=7.2.0", TITLE);
    org
}

/// The organisation with CHG-2024-003 requested by `who` (written by li.ming with `--requested-by`) and
/// committed.
fn requested_by(who: &str) -> Org {
    let org = Org::new();
    org.as_person("li.ming");
    let target = "redis-session/redis=7.2.0";
    let args =
        ["change", "new", "--id", CHG, "--class", "replacement", "--target", target, "--requested-by", who];
    org.lc(REQUESTED, &args).assert_status(0);
    org.commit(REQUESTED, "CHG-2024-003: request");
    org
}

/// li.ming writes the replacement `id` of `target` with `change new`, adds the plan, and commits it.
fn request(org: &Org, id: &str, target: &str, title: &str) {
    org.as_person("li.ming");
    org.lc(
        REQUESTED,
        &["change", "new", "--id", id, "--class", "replacement", "--target", target, "--title", title, "-q"],
    )
    .assert_status(0);
    let path = format!("changes/{id}/request.yaml");
    let text = org.read(&path) + PLAN;
    org.write(&path, text);
    org.commit(REQUESTED, &format!("{id}: request"));
}

/// The first `n` stages of CHG-2024-003, each approved by its signer at its date.
fn approve_stages(org: &Org, n: usize) {
    for (who, date, comment) in &SIGNERS[..n] {
        approve(org, who, date, comment);
    }
}

/// `who` approves CHG-2024-003 at `date`, which must succeed; the output.
fn approve(org: &Org, who: &str, date: &str, comment: &str) -> Output {
    org.as_person(who);
    let out = org.lc(date, &["approve", CHG, "-m", comment]);
    out.assert_status(0);
    out
}

/// The organisation with CHG-2024-003 approved by all five stages.
fn approved() -> Org {
    let org = requested();
    approve_stages(&org, 5);
    org
}

/// zhou.jie commits `text` as the report of CHG-2024-003.
fn commit_report(org: &Org, text: &str) {
    org.as_person("zhou.jie");
    org.write(REPORT, text);
    org.commit(REPORTED, "CHG-2024-003: execution report");
}

/// `change show ID --format json`, which must succeed.
fn show(org: &Org, id: &str) -> Value {
    let out = org.lc(LATER, &["change", "show", id, "--format", "json"]);
    out.assert_status(0);
    out.json()
}

/// The sign-offs of a `change show` document.
fn signoffs(doc: &Value) -> &Vec<Value> {
    doc["signoffs"].as_array().expect("signoffs is an array")
}

/// The sign-off of a `change show` document whose path ends with `file`.
fn signoff<'a>(doc: &'a Value, file: &str) -> &'a Value {
    signoffs(doc)
        .iter()
        .find(|s| s["path"].as_str().unwrap().ends_with(&format!("/{file}")))
        .unwrap_or_else(|| panic!("no sign-off {file} in {doc:#}"))
}

/// `(file name, standing)` of every sign-off, in order.
fn standings(doc: &Value) -> Vec<(String, String)> {
    signoffs(doc)
        .iter()
        .map(|s| {
            let path = s["path"].as_str().unwrap();
            (path.rsplit('/').next().unwrap().to_string(), s["standing"].as_str().unwrap().to_string())
        })
        .collect()
}

/// `(code, file name)` of every finding of a `change show` document.
fn findings(doc: &Value) -> Vec<(String, String)> {
    doc["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("");
            (f["code"].as_str().unwrap().to_string(), path.rsplit('/').next().unwrap().to_string())
        })
        .collect()
}

/// How many stages a `change show` document counts as filled by valid approvals.
fn valid_count(doc: &Value) -> usize {
    signoffs(doc).iter().filter(|s| s["standing"] == "valid" && s["decision"] == "approved").count()
}

/// `sha256:` and the hex SHA-256 of `bytes`.
fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

/// The files of an approvals folder, sorted.
fn files_in(org: &Org, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(org.path(dir))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// What a refused command must leave as it was: HEAD, every file, and `git status`.
struct Untouched {
    head: String,
    files: Vec<(PathBuf, Vec<u8>)>,
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

    /// The command exited 2 saying `reason`, and wrote nothing: no commit, no file, no staged change.
    #[track_caller]
    fn assert_refused(&self, org: &Org, out: &Output, reason: &str) {
        out.assert_status(2);
        assert!(out.stderr.contains(reason), "expected {reason:?} in:\n{}", out.snapshot());
        assert_eq!(org.head(), self.head, "a refused command made a commit");
        assert!(
            tree(org.root()) == self.files,
            "a refused command changed the work tree:\n{}",
            out.snapshot()
        );
        assert_eq!(
            org.git(&["status", "--porcelain", "--untracked-files=all"]),
            self.status,
            "a refused command changed the index or the work tree"
        );
    }
}

// ---- Statements, rebuilt from the SPEC ---------------------------------------------------------

/// The fields of a sign-off statement in payload order (SPEC §4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Statement {
    change: String,
    stage: String,
    decision: String,
    by: String,
    at: String,
    comment: String,
    subject: String,
    subject_digest: String,
    previous_digest: Option<String>,
    key: String,
}

/// SPEC §4.2: one line per field, so a value's backslashes and line breaks are escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\r', "\\r").replace('\n', "\\n")
}

impl Statement {
    /// Reads a statement file: its fields and its signature.
    fn read(org: &Org, rel: &str) -> (Statement, String) {
        let text = org.read(rel);
        let mut f: BTreeMap<String, String> =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not a statement: {e}\n{text}"));
        let mut take = |k: &str| f.remove(k).unwrap_or_else(|| panic!("{rel} has no `{k}`"));
        let st = Statement {
            change: take("change"),
            stage: take("stage"),
            decision: take("decision"),
            by: take("by"),
            at: take("at"),
            comment: take("comment"),
            subject: take("subject"),
            subject_digest: take("subject_digest"),
            previous_digest: None,
            key: take("key"),
        };
        let signature = take("signature");
        let previous_digest = f.remove("previous_digest");
        assert!(f.is_empty(), "{rel} has unexpected fields {:?}", f.keys());
        (Statement { previous_digest, ..st }, signature)
    }

    /// The signed bytes (SPEC §4.2).
    fn payload(&self) -> String {
        let mut p = String::from("lifecycle-signoff-v1\n");
        for (k, v) in [
            ("change", self.change.as_str()),
            ("stage", &self.stage),
            ("decision", &self.decision),
            ("by", &self.by),
            ("at", &self.at),
            ("comment", &self.comment),
            ("subject", &self.subject),
            ("subject_digest", &self.subject_digest),
            ("previous_digest", self.previous_digest.as_deref().unwrap_or("")),
            ("key", &self.key),
        ] {
            p.push_str(&format!("{k}: {}\n", escape(v)));
        }
        p
    }

    /// What the next sign-off's `previous_digest` names.
    fn digest(&self) -> String {
        sha256(self.payload().as_bytes())
    }

    /// The file as `lifecycle` writes it: a header comment, JSON-quoted values, the signature as a
    /// literal block.
    fn to_yaml(&self, signature: &str) -> String {
        let q = |v: &str| serde_json::to_string(v).unwrap();
        let mut out = String::from(
            "# Signed sign-off written by `lifecycle`. Do not edit: any change breaks the signature.\n",
        );
        out.push_str(&format!("change: {}\nstage: {}\n", q(&self.change), q(&self.stage)));
        out.push_str(&format!("decision: {}\nby: {}\n", self.decision, q(&self.by)));
        out.push_str(&format!("at: {}\ncomment: {}\n", q(&self.at), q(&self.comment)));
        out.push_str(&format!("subject: {}\nsubject_digest: {}\n", self.subject, q(&self.subject_digest)));
        if let Some(p) = &self.previous_digest {
            out.push_str(&format!("previous_digest: {}\n", q(p)));
        }
        out.push_str(&format!("key: {}\nsignature: |\n", q(&self.key)));
        for line in signature.trim().lines() {
            out.push_str(&format!("  {line}\n"));
        }
        out
    }
}

/// A statement approving `stage` of CHG-2024-003 as `by`, naming `key_of`'s key, as a correct signer
/// would write it next: the request's digest now, linked to the last file in the approvals folder.
fn next_statement(org: &Org, stage: &str, by: &str, key_of: &str) -> Statement {
    let previous_digest =
        files_in(org, APPROVALS).last().map(|f| Statement::read(org, &format!("{APPROVALS}/{f}")).0.digest());
    Statement {
        change: CHG.into(),
        stage: stage.into(),
        decision: "approved".into(),
        by: by.into(),
        at: "2024-09-07T16:00:00+08:00".into(),
        comment: "written by hand".into(),
        subject: "request".into(),
        subject_digest: sha256(org.read(REQUEST).as_bytes()),
        previous_digest,
        key: org.fingerprint(key_of),
    }
}

/// An SSH signature (`ssh-keygen -Y sign`) by `signer`'s key over `data` in `namespace`.
fn ssh_sign(org: &Org, signer: &str, namespace: &str, data: &[u8]) -> String {
    let dir = org.path("home/signing");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("payload");
    std::fs::write(&file, data).unwrap();
    let key = org.key(signer);
    let out = org.program_output(
        "ssh-keygen",
        &["-Y", "sign", "-n", namespace, "-f", key.to_str().unwrap(), file.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status, 0, "ssh-keygen -Y sign failed:\n{}", out.snapshot());
    let sig = std::fs::read_to_string(dir.join("payload.sig")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    sig
}

/// `ssh-keygen -Y verify`: whether `signature` is `who`'s signature over `data` in `namespace`.
fn ssh_verify(org: &Org, who: &str, namespace: &str, data: &[u8], signature: &str) -> Output {
    let dir = org.path("home/verifying");
    std::fs::create_dir_all(&dir).unwrap();
    let allowed = dir.join("allowed_signers");
    std::fs::write(&allowed, format!("{who}@example.com {}\n", org.public_key(who))).unwrap();
    std::fs::write(dir.join("payload"), data).unwrap();
    std::fs::write(dir.join("payload.sig"), signature).unwrap();
    let mut cmd = org.command("ssh-keygen");
    let principal = format!("{who}@example.com");
    cmd.args(["-Y", "verify", "-f", allowed.to_str().unwrap(), "-I", &principal, "-n", namespace, "-s"])
        .arg(dir.join("payload.sig"))
        .stdin(std::fs::File::open(dir.join("payload")).unwrap());
    let out = cmd.output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    Output {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Signs `st` with `signer`'s key in `namespace`, writes it as the next approvals file of
/// CHG-2024-003 (`NN-<stage>.yaml`) and commits it with plain git; the file's path.
fn place(org: &Org, st: &Statement, signer: &str, namespace: &str) -> String {
    let signature = ssh_sign(org, signer, namespace, st.payload().as_bytes());
    let seq = files_in(org, APPROVALS).len() + 1;
    let path = format!("{APPROVALS}/{seq:02}-{}.yaml", st.stage);
    org.write(&path, st.to_yaml(&signature));
    org.commit("2024-09-07T16:30:00+08:00", "a hand-made sign-off");
    path
}

/// An allowed-signers file for `git verify-commit` listing everyone's key for namespace `git`.
fn allowed_signers(org: &Org) -> String {
    let text: String = crate::common::PEOPLE
        .iter()
        .map(|(id, ..)| format!("{id}@example.com namespaces=\"git\" {}\n", org.public_key(id)))
        .collect();
    org.write("home/allowed_signers", text);
    org.path("home/allowed_signers").display().to_string()
}

// ---- 1. The five-stage chain ------------------------------------------------------------------

/// The replacement chain signed in order by the holder of each role makes CHG-2024-003 approved: five
/// verified, valid sign-offs in chain order in `01-applicant.yaml` … `05-cto.yaml`, nobody left to
/// sign; each `approve` says who is next until the last says the change is approved.
#[test]
fn five_sign_offs_in_chain_order_approve_the_change() {
    let org = requested();
    assert_eq!(show(&org, CHG)["state"], "draft");
    for (n, (who, date, comment)) in SIGNERS.iter().enumerate() {
        let out = approve(&org, who, date, comment);
        let file = format!("{APPROVALS}/{:02}-{}.yaml", n + 1, CHAIN[n]);
        let first = out.stdout.lines().next().unwrap_or("");
        assert!(
            first.starts_with(&format!(
                "{CHG}: {who} ({}) approved (stage {} of 5) — {file}, commit ",
                TITLES[n],
                n + 1
            )),
            "{}",
            out.snapshot()
        );
        let second = out.stdout.lines().nth(1).unwrap_or("");
        match SIGNERS.get(n + 1) {
            Some((next, ..)) => assert_eq!(
                second,
                format!("next: {} ({next}): lifecycle approve {CHG}", TITLES[n + 1]),
                "{}",
                out.snapshot()
            ),
            None => {
                assert_eq!(second, format!("{CHG} is approved."), "{}", out.snapshot());
                // What comes next (issue 14): carry it out, the report, the confirming role.
                let third = out.stdout.lines().nth(2).unwrap_or("");
                let want = format!(
                    "next: carry it out (commit the new versions in the inventory), write {REPORT} (the execution report), commit it, then the Chief technology officer runs `lifecycle confirm {CHG}`"
                );
                assert_eq!(third, want, "{}", out.snapshot());
            }
        }
        let doc = show(&org, CHG);
        let state = if n == 4 { "approved" } else { "in-review" };
        assert_eq!(doc["state"], state, "after stage {}: {doc:#}", n + 1);
    }

    let doc = show(&org, CHG);
    assert_eq!(doc["schema"], "lifecycle.change/v1");
    assert_eq!(doc["state"], "approved");
    assert_eq!(doc["chain"], serde_json::json!(CHAIN));
    assert_eq!(doc["next"], Value::Null, "the class confirms only once a report exists");
    assert_eq!(doc["findings"], serde_json::json!([]));
    let list = signoffs(&doc);
    assert_eq!(list.len(), 5);
    for (n, (s, (who, date, comment))) in list.iter().zip(SIGNERS).enumerate() {
        assert_eq!(s["path"], format!("{APPROVALS}/{:02}-{}.yaml", n + 1, CHAIN[n]));
        assert_eq!(s["stage"], CHAIN[n]);
        assert_eq!(s["by"], who);
        assert_eq!(s["decision"], "approved");
        assert_eq!(s["at"], date, "`at` is the committer date in the organisation's zone");
        assert_eq!(s["comment"], comment);
        assert_eq!(s["key"], org.fingerprint(who));
        assert_eq!(s["signature"], "verified");
        assert_eq!(s["standing"], "valid");
    }
    assert_eq!(
        files_in(&org, APPROVALS),
        [
            "01-applicant.yaml",
            "02-architect.yaml",
            "03-security-manager.yaml",
            "04-ops-director.yaml",
            "05-cto.yaml"
        ]
    );
    assert_eq!(org.git(&["status", "--porcelain"]), "", "approve leaves a clean work tree");
}

/// Each approval is exactly one commit on top of the previous HEAD that adds only its statement file,
/// with the subject and trailers of SPEC §4.3, signed by the signer's own key: `git verify-commit`
/// accepts it and names the signer (and rejects the unsigned request commit, so the check has teeth).
#[test]
fn each_approval_is_one_signed_commit_of_one_file_with_trailers() {
    let org = requested();
    let allowed = allowed_signers(&org);
    let verify = |rev: &str| {
        org.program_output(
            "git",
            &["-c", &format!("gpg.ssh.allowedSignersFile={allowed}"), "verify-commit", rev],
            &[],
        )
    };
    let request_commit = org.head();
    let unsigned = verify(&request_commit);
    assert_ne!(unsigned.status, 0, "an unsigned commit must not verify:\n{}", unsigned.snapshot());
    let digest = sha256(org.read(REQUEST).as_bytes());

    for (n, (who, date, comment)) in SIGNERS.iter().enumerate() {
        let before = org.head();
        let count = org.git(&["rev-list", "--count", "HEAD"]);
        approve(&org, who, date, comment);
        let after = org.head();
        let path = format!("{APPROVALS}/{:02}-{}.yaml", n + 1, CHAIN[n]);

        let added: u32 = org.git(&["rev-list", "--count", "HEAD"]).trim().parse().unwrap();
        assert_eq!(added, count.trim().parse::<u32>().unwrap() + 1, "stage {} made one commit", n + 1);
        assert_eq!(org.git(&["rev-parse", &format!("{after}^")]).trim(), before);
        assert_eq!(org.git(&["show", "--name-only", "--format=", &after]), format!("{path}\n"));
        assert_eq!(
            org.git(&["diff-tree", "--no-commit-id", "--name-status", "-r", &after]),
            format!("A\t{path}\n")
        );
        assert_eq!(
            org.git(&["log", "-1", "--format=%s", &after]).trim(),
            format!("approve({CHG}): {} {who} approved", CHAIN[n])
        );
        assert_eq!(org.git(&["log", "-1", "--format=%b", &after]).lines().next(), Some(*comment));
        assert_eq!(
            org.git(&["log", "-1", "--format=%(trailers:only,unfold)", &after]),
            format!(
                "Lifecycle-Change: {CHG}\nLifecycle-Stage: {}\nLifecycle-Decision: approved\nLifecycle-Subject-Digest: {digest}\n\n",
                CHAIN[n]
            )
        );
        assert_eq!(org.git(&["log", "-1", "--format=%an <%ae> %cI", &after]).trim(), {
            let at = chrono::DateTime::parse_from_rfc3339(date).unwrap();
            format!("{who} <{who}@example.com> {}", at.to_rfc3339())
        });
        let v = verify(&after);
        assert_eq!(v.status, 0, "git verify-commit rejects stage {}:\n{}", n + 1, v.snapshot());
        assert!(
            v.stderr.contains(&format!("Good \"git\" signature for {who}@example.com")),
            "the commit is not signed by {who}'s key:\n{}",
            v.snapshot()
        );
    }
}

/// The approval commit holds the statement and nothing else, even when the signer has other changes
/// staged and unstaged: those stay as they were, still staged or still unstaged.
#[test]
fn approving_leaves_other_staged_and_unstaged_changes_alone() {
    let org = requested();
    org.edit("inventory/systems/redis-session.yaml", "hosts: 8", "hosts: 9");
    org.git(&["add", "inventory/systems/redis-session.yaml"]);
    org.write("notes.txt", "not for the approval\n");
    let status = org.git(&["status", "--porcelain"]);
    approve_stages(&org, 1);
    assert_eq!(
        org.git(&["show", "--name-only", "--format=", "HEAD"]),
        format!("{APPROVALS}/01-applicant.yaml\n")
    );
    assert_eq!(org.git(&["status", "--porcelain"]), status, "the other changes moved");
    assert_eq!(org.git(&["diff", "--cached", "--name-only"]), "inventory/systems/redis-session.yaml\n");
}

/// A comment with line breaks and backslashes is escaped in the payload (SPEC §4.2), so it cannot
/// forge payload lines: `ssh-keygen` accepts the signature over the escaped payload only, and the
/// comment reads back unchanged.
#[test]
fn a_multi_line_comment_is_escaped_in_the_payload() {
    let org = requested();
    let comment = "同意\nby: mallory\\n and a backslash \\";
    approve(&org, "li.ming", SIGNERS[0].1, comment);
    let (st, signature) = Statement::read(&org, &format!("{APPROVALS}/01-applicant.yaml"));
    assert_eq!(st.comment, comment);
    let payload = st.payload();
    assert!(payload.contains("\ncomment: 同意\\nby: mallory\\\\n and a backslash \\\\\n"), "{payload}");
    let ok = ssh_verify(&org, "li.ming", NAMESPACE, payload.as_bytes(), &signature);
    assert_eq!(ok.status, 0, "ssh-keygen rejects the escaped payload:\n{}", ok.snapshot());
    let raw = payload.replace("同意\\nby: mallory\\\\n and a backslash \\\\", comment);
    assert_ne!(raw, payload);
    let bad = ssh_verify(&org, "li.ming", NAMESPACE, raw.as_bytes(), &signature);
    assert_ne!(bad.status, 0, "the signature covers an unescaped payload:\n{}", bad.snapshot());
    assert_eq!(signoff(&show(&org, CHG), "01-applicant.yaml")["comment"], comment);
}

/// Every statement's `signature` is a standard SSHSIG in namespace `lifecycle-signoff` over the payload
/// of SPEC §4.2 rebuilt from the file's fields: `ssh-keygen -Y verify` accepts it for the signer (and
/// not in namespace `git`). The fields chain: `subject_digest` is the request's SHA-256,
/// `previous_digest` the previous payload's, `key` the signer's fingerprint; the file is laid out
/// exactly as the hand-made statements of the later tests are.
#[test]
fn statement_signatures_are_standard_sshsig_over_the_spec_payload() {
    let org = approved();
    let request_digest = sha256(org.read(REQUEST).as_bytes());
    let mut previous: Option<String> = None;
    for (n, (who, date, comment)) in SIGNERS.iter().enumerate() {
        let rel = format!("{APPROVALS}/{:02}-{}.yaml", n + 1, CHAIN[n]);
        let (st, signature) = Statement::read(&org, &rel);
        assert_eq!(
            st,
            Statement {
                change: CHG.into(),
                stage: CHAIN[n].into(),
                decision: "approved".into(),
                by: who.to_string(),
                at: date.to_string(),
                comment: comment.to_string(),
                subject: "request".into(),
                subject_digest: request_digest.clone(),
                previous_digest: previous.clone(),
                key: org.fingerprint(who),
            }
        );
        assert!(signature.starts_with("-----BEGIN SSH SIGNATURE-----\n"), "{signature}");
        assert_eq!(org.read(&rel), st.to_yaml(&signature), "{rel} is not laid out as expected");

        let ok = ssh_verify(&org, who, NAMESPACE, st.payload().as_bytes(), &signature);
        assert_eq!(ok.status, 0, "ssh-keygen rejects {rel}:\n{}", ok.snapshot());
        let replay = ssh_verify(&org, who, "git", st.payload().as_bytes(), &signature);
        assert_ne!(replay.status, 0, "{rel} verifies in namespace `git`:\n{}", replay.snapshot());
        let mut altered = st.clone();
        altered.comment.push('!');
        let bad = ssh_verify(&org, who, NAMESPACE, altered.payload().as_bytes(), &signature);
        assert_ne!(bad.status, 0, "{rel} verifies over another payload:\n{}", bad.snapshot());
        previous = Some(st.digest());
    }
}

// ---- 2. Report and confirmation ---------------------------------------------------------------

/// With a report that keeps every rule, the CTO's `confirm` signs `report.yaml` and completes the
/// change; `check` then links Redis 6.2.14 (still in the inventory, still `warn`) to CHG-2024-003 and no
/// longer calls it a violation — which it does while the chain misses its last stage.
#[test]
fn confirming_a_clean_report_completes_the_change_and_check_counts_it() {
    let org = requested();
    approve_stages(&org, 4);
    let check = |org: &Org| {
        let out = org
            .lc(LATER, &["check", "--today", "2024-09-01", "--format", "json", "--system", "redis-session"]);
        out.assert_status(0);
        let doc = out.json();
        doc["items"].as_array().unwrap().iter().find(|i| i["component"] == "redis").cloned().unwrap()
    };
    let before = check(&org);
    assert_eq!((&before["change"], &before["violation"]), (&Value::Null, &Value::Bool(true)), "{before:#}");

    let (cto, date, comment) = SIGNERS[4];
    approve(&org, cto, date, comment);
    commit_report(&org, GOOD_REPORT);
    let doc = show(&org, CHG);
    assert_eq!(doc["state"], "executing");
    assert_eq!(doc["next"], "cto");

    org.as_person("chen");
    let out = org.lc(CONFIRMED, &["confirm", CHG, "-m", "确认完成"]);
    out.assert_status(0);
    assert!(out.stdout.contains(&format!(
        "{CHG}: chen (Chief technology officer) confirmed completion — {APPROVALS}/06-cto.yaml"
    )));
    assert!(out.stdout.contains(&format!("{CHG} is complete.")), "{}", out.snapshot());

    let doc = show(&org, CHG);
    assert_eq!(doc["state"], "complete");
    assert_eq!(doc["next"], Value::Null);
    let last = signoff(&doc, "06-cto.yaml");
    assert_eq!(
        (&last["decision"], &last["standing"], &last["by"]),
        (&"confirmed".into(), &"valid".into(), &"chen".into())
    );
    let (st, _) = Statement::read(&org, &format!("{APPROVALS}/06-cto.yaml"));
    assert_eq!(st.subject, "report");
    assert_eq!(st.subject_digest, sha256(org.read(REPORT).as_bytes()));
    assert_eq!(
        org.git(&["log", "-1", "--format=%(trailers:key=Lifecycle-Decision,valueonly)"]).trim(),
        "confirmed"
    );

    let redis = check(&org);
    assert_eq!(redis["version"], "6.2.14");
    assert_eq!(redis["change"], CHG, "{redis:#}");
    assert_eq!(redis["violation"], false, "{redis:#}");
}
