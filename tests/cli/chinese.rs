//! Chinese as a Chinese CTO writes it (SPEC §8.1): the `--lang zh-CN` output of every command but
//! `report`, on the example organisation and on a real signed repository, holds no English word outside
//! identifiers, commands, code, paths, ids, hashes, product names and versions. And English counts
//! take their plural properly.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::redis_change::{BAD_REPORT, CHG, LATER, SIGNERS, SYSTEM};
use crate::common::{Org, Output, PEOPLE, PROJECT, TestEnv};
use crate::discovery::REDIS_V1;

/// Words that are names, not English prose: acronyms and the names of tools and formats.
pub(crate) const NAMES: &[&str] = &[
    "lifecycle",
    "git",
    "HEAD",
    "IANA",
    "KEV",
    "OSV",
    "CISA",
    "CycloneDX",
    "SPDX",
    "CSV",
    "RFC",
    "CVE",
    "SSH",
    "OpenPGP",
    "JSON",
    "YAML",
    "CTO",
    "ID",
    "KPI",
    "SBOM",
];

/// The tokens of the data that may appear as they are: system, component and product ids, cycles,
/// advisories and changes (from `check --format json`), person ids, and every finding and
/// diagnostic code (from docs/diagnostics.md).
fn allowed(env: &TestEnv) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = NAMES.iter().map(|s| s.to_string()).collect();
    let out = env.run(&["check", "--format", "json", "--today", "2024-09-20"]);
    let doc: Value = serde_json::from_str(&out.stdout).expect("check JSON");
    for item in doc["items"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(doc["advisories"].as_array().into_iter().flatten())
    {
        for key in ["system", "component", "product", "cycle", "change", "exception", "advisory", "id"] {
            if let Some(s) = item[key].as_str() {
                set.insert(s.to_string());
            }
        }
        // A cycle's latest release as the catalog names it ("13.0.6500.1 GDR"): data, word by word.
        if let Some(s) = item["latest"].as_str() {
            set.extend(s.split_whitespace().map(String::from));
        }
    }
    set.extend(PEOPLE.iter().map(|p| p.0.to_string()));
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md")).unwrap();
    for line in docs.lines().filter(|l| l.starts_with("| ") || l.starts_with("### ")) {
        if let Some(code) = line.split('`').nth(1) {
            set.insert(code.to_string());
        }
    }
    set
}

/// The English words of `text`: what is left once code spans (`…`), options (`--x`), paths, ids with
/// digits or dots (versions, hashes, dates, person ids) and the `allowed` tokens are taken out.
pub(crate) fn english_words(text: &str, allowed: &BTreeSet<String>) -> Vec<String> {
    let prose: Vec<&str> = text.split('`').step_by(2).collect();
    let mut words = Vec::new();
    for part in prose {
        for token in part.split(|c: char| !(c.is_ascii_alphanumeric() || "-_./:@+<>".contains(c))) {
            if token.starts_with("--") || token.contains(['/', '@', '<', '>']) {
                continue;
            }
            let t = token.trim_matches(|c: char| ".:-_+".contains(c));
            if t.chars().filter(char::is_ascii_alphabetic).count() < 2
                || t.chars().any(|c| c.is_ascii_digit())
                || t.contains('.')
                || allowed.contains(t)
            {
                continue;
            }
            words.push(t.to_string());
        }
    }
    words
}

/// Every output of `outputs` is free of English, or the test fails naming each word in its line.
fn assert_chinese(allowed: &BTreeSet<String>, outputs: &[(&str, &Output)]) {
    let mut problems = Vec::new();
    for (name, out) in outputs {
        for line in out.stdout.lines().chain(out.stderr.lines()) {
            // A diagnostic's snippet quotes the file (`  13 |     eol: …`); a GitHub annotation starts
            // with its command syntax (`::error file=…,line=…::`).
            let quoted = line
                .trim_start()
                .split_once(" |")
                .is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()));
            if quoted || line.trim_start().starts_with('|') && !line.contains(" | ") {
                continue;
            }
            let line = match line.strip_prefix("::").and_then(|rest| rest.split_once("::")) {
                Some((_, message)) => message,
                None => line,
            };
            let words = english_words(line, allowed);
            if !words.is_empty() {
                problems.push(format!("{name}: {words:?} in {line}"));
            }
        }
    }
    assert!(problems.is_empty(), "English in the Chinese output:\n{}", problems.join("\n"));
}

/// li.ming requests CHG-2024-003 (Redis 6.2.14 → 7.2.0) on the current branch and commits it.
fn request(org: &Org) {
    org.as_person("li.ming");
    let args =
        ["change", "new", "--id", CHG, "--class", "replacement", "--target", "redis-session/redis=7.2.0"];
    org.lc(SIGNERS[0].1, &[&args[..], &["-q"]].concat()).assert_status(0);
    org.commit(SIGNERS[0].1, "CHG-2024-003: request");
}

/// zhou.jie bumps Redis to 7.2.0 in the inventory and commits it.
fn bump(org: &Org) {
    let text = org.read(SYSTEM).replace("version: \"6.2.14\"", "version: \"7.2.0\"");
    org.write(SYSTEM, text);
    org.as_person("zhou.jie");
    org.commit("2024-09-19T23:00:00+08:00", "redis-session: Redis 7.2.0");
}

/// `check` (table and Markdown) and `validate` with errors on the example organisation.
#[test]
fn check_and_validate_speak_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    let zh = |args: &[&str]| env.run(&[&["--lang", "zh-CN", "--today", "2025-06-01"], args].concat());
    let table = zh(&["check"]);
    let markdown = zh(&["check", "--format", "markdown"]);
    assert!(table.stdout.contains("6 个月"), "{}", table.snapshot());
    // Errors a person makes: an impossible date, a key that does not exist, a duration without a unit,
    // a change request naming nobody known; and a role the policy does not title.
    env.edit(SYSTEM, "eol: 2024-12-31", "eol: 2024-12-32");
    env.edit("inventory/systems/api-gateway.yaml", "name:", "nmae:");
    env.edit("policies/ops04.yaml", "notify_before: 12h", "notify_before: 12");
    env.edit("policies/ops04.yaml", "chain: [tech-director]", "chain: [tech-director, architect, ciso]");
    env.edit("policies/ops04.yaml", "production: [thu]", "production: [thur]");
    env.edit("policies/ops04.yaml", "    chain: [cto]\n", "    chain: []\n");
    env.write(
        "changes/CHG-2024-009/request.yaml",
        "id: CHG-2024-009\ntitle: 测试\nclass: feature\nrequested_by: nobody\nrequested_at: 2024-09-05T09:30:00+08:00\n\
         targets: [{system: redis-session, component: redis, from: \"6.2.14\", to: \"7.2.0\"}]\n",
    );
    let validate = zh(&["validate"]);
    validate.assert_status(2);
    for code in [
        "bad-date",
        "unknown-key",
        "bad-duration",
        "unknown-person",
        "role-not-held",
        "untitled-role",
        "bad-value",
        "empty-chain",
    ] {
        assert!(validate.stderr.contains(code), "{code} missing:\n{}", validate.snapshot());
    }
    let refused = zh(&["check"]);
    refused.assert_status(2);
    assert_chinese(
        &allowed,
        &[
            ("check", &table),
            ("check markdown", &markdown),
            ("validate", &validate),
            ("check refused", &refused),
        ],
    );
}

/// The loader's other errors read in Chinese too: a time zone, a path, a KPI name, unit and target, a
/// product in the wrong file, an id, a class kind, a commit id and a key; an advisory defined twice and
/// an observation of a system the inventory does not have.
#[test]
fn loader_errors_speak_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    env.write("lifecycle.yaml", "timezone: Asia/Shangai\ngenesis: nothex\npaths: {changes: /abs}\n");
    env.edit(
        "policies/ops04.yaml",
        "supported_coverage: \">= 95%\"",
        "supported_coverage: \"<= 72h\"\n  suported: \">= 1%\"",
    );
    env.edit("policies/ops04.yaml", "update_success: \">= 98%\"", "update_success: \"about 98\"");
    env.edit("policies/ops04.yaml", "    chain: [cto]\n", "    chain: [cto]\n    kind: rule\n");
    std::fs::copy(env.path("inventory/products/redis.yaml"), env.path("inventory/products/redis-copy.yaml"))
        .unwrap();
    let advisory = "inventory/advisories/CVE-2024-4577.yaml";
    std::fs::copy(env.path(advisory), env.path("inventory/advisories/CVE-2024-4577-copy.yaml")).unwrap();
    env.edit(
        "inventory/observed/redis-session/redis-s-01.yaml",
        "system: redis-session",
        "system: redis-sesion",
    );
    let validate = env.run(&["--lang", "zh-CN", "validate"]);
    validate.assert_status(2);
    for code in [
        "bad-timezone",
        "bad-path",
        "unknown-key",
        "bad-value",
        "id-mismatch",
        "duplicate-id",
        "unknown-system",
    ] {
        assert!(validate.stderr.contains(code), "{code} missing:\n{}", validate.snapshot());
    }
    assert!(validate.stderr.contains("安全公告 `CVE-2024-4577` 被定义了两次"), "{}", validate.snapshot());
    assert_chinese(&allowed, &[("validate", &validate)]);
}

/// Broken discovery run records read in Chinese in `validate`: a kind that does not exist, a time that
/// does not, an input whose hash is cut short, a kind its name contradicts, a digest edited after the
/// record was written, and a record under a name that is no run record's.
#[test]
fn broken_run_records_speak_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    let first = "inventory/discovery/20240830T030000Z-observe.yaml";
    let second = "inventory/discovery/20240830T030001Z-observe.yaml";
    std::fs::copy(env.path(first), env.path("inventory/discovery/latest.yaml")).unwrap();
    env.edit(first, "kind: observe", "kind: scan");
    env.edit(first, "fetched_at: 2024-08-30T03:00:00Z", "fetched_at: 2024-08-30T27:00:00Z");
    env.edit(
        first,
        "sha256: d2c8d7158d639ff0ad516bca9ef389b59d288152b65f0854f4f2b00f0a30bcda",
        "sha256: d2c8",
    );
    env.edit(second, "kind: observe", "kind: catalog");
    env.edit(second, "digest: sha256:b4c8", "digest: sha256:04c8");
    let validate = env.run(&["--lang", "zh-CN", "validate"]);
    validate.assert_status(2);
    for code in ["bad-value", "bad-timestamp"] {
        assert!(validate.stderr.contains(code), "{code} missing:\n{}", validate.snapshot());
    }
    for words in
        ["`scan` 不是发现记录的类型", "`latest.yaml` 不是发现记录的文件名", "摘要与各输入的 sha256 不符"]
    {
        assert!(validate.stderr.contains(words), "{words} missing:\n{}", validate.snapshot());
    }
    assert_chinese(&allowed, &[("validate", &validate)]);
}

/// A `--today` that is no date is refused in Chinese, given as the option or in `LIFECYCLE_TODAY`.
#[test]
fn a_bad_today_is_refused_in_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    let flag = env.run(&["--lang", "zh-CN", "--today", "notadate", "check"]);
    let var = env.run_env(&["--lang", "zh-CN", "check"], &[("LIFECYCLE_TODAY", "2024-02-30")]);
    for (out, value) in [(&flag, "notadate"), (&var, "2024-02-30")] {
        out.assert_status(2);
        let words = format!("`--today` / `LIFECYCLE_TODAY` 的值 `{value}` 不是有效日期");
        assert!(out.stderr.contains(&words), "{}", out.snapshot());
    }
    assert_chinese(&allowed, &[("--today", &flag), ("LIFECYCLE_TODAY", &var)]);
}

/// The importers' own refusals read in Chinese: a package list without its system and host, a path
/// that does not exist and a folder with nothing to import.
#[test]
fn importer_refusals_speak_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    env.write("packages.txt", "openssl\t1.1.1k-1\n");
    let out = env.run(&["--lang", "zh-CN", "observe", "import", "packages.txt"]);
    out.assert_status(2);
    assert!(out.stderr.contains("no-system"), "{}", out.snapshot());
    env.write("empty/notes.txt", "nothing to import\n");
    let missing = env.run(&["--lang", "zh-CN", "catalog", "import", "no-such-folder"]);
    let empty = env.run(&["--lang", "zh-CN", "advisories", "import", "empty"]);
    for out in [&missing, &empty] {
        out.assert_status(2);
    }
    assert!(missing.stderr.contains("`no-such-folder`：文件或文件夹不存在"), "{}", missing.snapshot());
    assert_chinese(
        &allowed,
        &[("observe import", &out), ("a path that does not exist", &missing), ("an empty folder", &empty)],
    );
}

/// The commands' own refusals read in Chinese: `report` outside a repository and over an empty
/// period, `check --system` naming no system, `catalog sync --product` with an impossible id, and a
/// revision git does not know (git's own reason quoted as it is).
#[test]
fn command_refusals_speak_chinese() {
    let env = TestEnv::with_example();
    let mut allowed = allowed(&env);
    // The test's own folder, as the output shows it (redacted).
    allowed.insert("TEMP".into());
    let no_git = env.run(&["--lang", "zh-CN", "report"]);
    let no_system = env.run(&["--lang", "zh-CN", "check", "--system", "redis-sesion"]);
    let bad_product = env.run(&["--lang", "zh-CN", "catalog", "sync", "--product", "Bad Id"]);
    let org = Org::new();
    let no_revision = org.lc("2024-12-31T10:00:00+08:00", &["--lang", "zh-CN", "check", "--at", "nosuchrev"]);
    let empty = org.lc(
        "2024-12-31T10:00:00+08:00",
        &["--lang", "zh-CN", "report", "--from", "2024-10-01", "--to", "2024-09-01"],
    );
    for out in [&no_git, &no_system, &bad_product, &empty, &no_revision] {
        out.assert_status(2);
    }
    assert!(
        no_system.stderr.contains("工作区中没有系统 `redis-sesion`；是否指 `redis-session`？"),
        "{}",
        no_system.snapshot()
    );
    assert!(empty.stderr.contains("时间段为空"), "{}", empty.snapshot());
    assert!(no_revision.stderr.starts_with("错误：找不到修订版本 `nosuchrev`"), "{}", no_revision.snapshot());
    assert_chinese(
        &allowed,
        &[
            ("report outside a repository", &no_git),
            ("check --system", &no_system),
            ("catalog sync --product", &bad_product),
            ("report over an empty period", &empty),
            ("check --at an unknown revision", &no_revision),
        ],
    );
}

/// A committed example input, as its producer wrote it (to be broken by the test).
fn example(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(PROJECT).join(rel)).expect("an example input")
}

/// `catalog import` says in Chinese what is wrong with its input: JSON cut short, a release date that
/// does not exist in an endoflife.date product file and in an API answer, and a bad date in the
/// repository's product file the import would update.
#[test]
fn catalog_import_errors_speak_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    let import = |file: &str| env.run(&["--lang", "zh-CN", "catalog", "import", file]);
    env.write("cut.json", &REDIS_V1[..REDIS_V1.len() / 2]);
    let cut = import("cut.json");
    env.write(
        "api.json",
        REDIS_V1.replace("\"releaseDate\":\"2023-08-15\"", "\"releaseDate\":\"2023-02-30\""),
    );
    let api = import("api.json");
    let redis = example("examples/discovery/endoflife.date/redis.md");
    env.write("bad/redis.md", redis.replacen("releaseDate: 2026-07-29", "releaseDate: 2026-13-29", 1));
    let product_file = import("bad/redis.md");
    env.write("redis.md", &redis);
    env.edit("inventory/products/redis.yaml", "eol: 2030-09-01", "eol: 2030-09-31");
    let existing = import("redis.md");
    for (out, code) in
        [(&cut, "bad-json"), (&api, "bad-catalog"), (&product_file, "bad-date"), (&existing, "bad-date")]
    {
        out.assert_status(2);
        assert!(out.stderr.contains(&format!("［{code}］")), "{code} missing:\n{}", out.snapshot());
    }
    assert!(
        product_file.stderr.contains("版本线 8.10：`2026-13-29` 不是有效日期"),
        "{}",
        product_file.snapshot()
    );
    assert_chinese(
        &allowed,
        &[
            ("JSON cut short", &cut),
            ("API answer", &api),
            ("product file", &product_file),
            ("existing file", &existing),
        ],
    );
}

/// `advisories import` says in Chinese what is wrong with its input: an OSV record cut short, one
/// with a date that does not exist and one with a malformed range (each rejected alone), a KEV entry
/// without its CVE id, a JSON that is no advisory data, and a bad date in an advisory it would update.
#[test]
fn advisories_import_errors_speak_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    let import = |file: &str| env.run(&["--lang", "zh-CN", "advisories", "import", file]);
    let record = example("fuzz/seeds/import_osv/record.json");
    env.write("cut.json", &record[..record.len() / 2]);
    let cut = import("cut.json");
    let dated =
        record.replace("\"published\":\"2024-10-02T00:00:00Z\"", "\"published\":\"2024-10-32T00:00:00Z\"");
    let ranged = record.replace("{\"introduced\":\"0\"}", "{\"introduced\":0}");
    env.write("rejected.json", format!("[{dated}, {ranged}]"));
    let rejected = import("rejected.json");
    let kev = example("examples/discovery/kev-excerpt.json");
    env.write("kev.json", kev.replace("\"cveID\"", "\"cve\""));
    let no_cve = import("kev.json");
    env.write("other.json", "\"no advisory data\"");
    let other = import("other.json");
    env.write("kev.json", &kev);
    env.edit("inventory/advisories/CVE-2024-4577.yaml", "published: 2024-06-09", "published: 2024-06-31");
    let existing = import("kev.json");
    let outputs = [
        ("OSV record cut short", &cut, "bad-json"),
        ("rejected OSV records", &rejected, "bad-advisory"),
        ("KEV entry without a CVE id", &no_cve, "bad-advisory"),
        ("no advisory data", &other, "bad-advisory"),
        ("existing advisory", &existing, "bad-date"),
    ];
    for (_, out, code) in outputs {
        out.assert_status(2);
        assert!(out.stderr.contains(&format!("［{code}］")), "{code} missing:\n{}", out.snapshot());
    }
    assert!(rejected.stderr.contains("`2024-10-32T00:00:00Z` 不是有效日期"), "{}", rejected.snapshot());
    assert!(rejected.stderr.contains("第 1 个 `affected` 条目："), "{}", rejected.snapshot());
    assert!(other.stderr.contains("既不是 OSV 记录"), "{}", other.snapshot());
    assert_chinese(&allowed, &outputs.map(|(name, out, _)| (name, out)));
}

/// `observe import` says in Chinese what is wrong with a scanner's output: a CycloneDX SBOM of a spec
/// version it does not read, one whose timestamp is no time, one cut short; a CSV row without its
/// host, one with an hour that does not exist, and a CSV whose header is not the one it reads.
#[test]
fn observe_import_errors_speak_chinese() {
    let env = TestEnv::with_example();
    let allowed = allowed(&env);
    let import = |file: &str| env.run(&["--lang", "zh-CN", "observe", "import", file]);
    let sbom = example("tests/fixtures/observed/npm-cyclonedx.json");
    env.write("old.json", sbom.replace("\"specVersion\": \"1.5\"", "\"specVersion\": \"1.2\""));
    env.write(
        "time.json",
        sbom.replace("\"timestamp\": \"2026-11-30T05:08:48.040Z\"", "\"timestamp\": \"yesterday\""),
    );
    env.write("cut.json", &sbom[..sbom.len() / 2]);
    let csv = example("examples/observed/scan-2024-08.csv");
    env.write("host.csv", csv.replacen(",cache-01,", ",,", 1));
    env.write("hour.csv", csv.replacen("T02:00:00Z", "T25:00:00Z", 1));
    env.write("header.csv", csv.replacen("collected_at", "time", 1));
    let outputs: Vec<(&str, Output)> =
        ["old.json", "time.json", "cut.json", "host.csv", "hour.csv", "header.csv"]
            .map(|f| (f, import(f)))
            .into();
    for (name, out) in &outputs {
        out.assert_status(2);
        let code = if *name == "cut.json" { "bad-json" } else { "bad-observation" };
        assert!(out.stderr.contains(&format!("［{code}］")), "{code} missing:\n{}", out.snapshot());
    }
    assert!(outputs[3].1.stderr.contains("`host` 为空"), "{}", outputs[3].1.snapshot());
    assert_chinese(&allowed, &outputs.iter().map(|(name, out)| (*name, out)).collect::<Vec<_>>());
}

/// On a signed repository: `change show`, `approve` and its refusals, `confirm` refused, `verify`
/// with findings, `review` and `log`.
#[test]
fn the_approval_commands_speak_chinese() {
    let org = Org::new();
    let allowed = allowed(&org);
    org.git(&["checkout", "-q", "-b", "pr"]);
    request(&org);
    let zh = |who: &str, date: &str, args: &[&str]| {
        org.as_person(who);
        org.lc(date, &[&["--lang", "zh-CN"], args].concat())
    };
    // zhang.wei (security-manager) tries to sign first: the applicant signs first.
    let wrong_person = zh("zhang.wei", SIGNERS[0].1, &["approve", CHG, "-m", "ok"]);
    wrong_person.assert_status(2);
    let wrong_stage = zh("li.ming", SIGNERS[0].1, &["approve", CHG, "--stage", "cto", "-m", "ok"]);
    wrong_stage.assert_status(2);
    let mut signed = Vec::new();
    for (who, date) in SIGNERS {
        let out = zh(who, date, &["approve", CHG, "-m", "同意"]);
        out.assert_status(0);
        signed.push(out);
    }
    let again = zh("chen", LATER, &["approve", CHG, "-m", "ok"]);
    again.assert_status(2);
    let unknown = zh("chen", LATER, &["approve", "CHG-2024-030"]);
    unknown.assert_status(2);
    let no_report = zh("chen", LATER, &["confirm", CHG, "-m", "ok"]);
    no_report.assert_status(2);
    bump(&org);
    // And one version change nobody approved.
    let web = "inventory/systems/web-frontends.yaml";
    let text = org.read(web).replacen("version: \"1.12.4\"", "version: \"3.7.0\"", 1);
    org.write(web, text);
    org.commit("2024-09-19T23:30:00+08:00", "portal-www: jQuery 3.7.0");
    let show = zh("chen", LATER, &["change", "show", CHG]);
    show.assert_status(0);
    assert!(show.stdout.contains("首席技术官"), "{}", show.snapshot());
    // A report that breaks the rules: confirming it is refused, each rule in words.
    org.write("changes/CHG-2024-003/report.yaml", BAD_REPORT);
    org.as_person("zhou.jie");
    org.commit("2024-09-20T09:00:00+08:00", "CHG-2024-003: report");
    let bad_report = zh("chen", LATER, &["confirm", CHG, "-m", "ok"]);
    bad_report.assert_status(2);
    assert!(bad_report.stderr.contains("生产环境升级在周一进行"), "{}", bad_report.snapshot());
    // The request edited after its approval: every sign-off is stale.
    let request = format!("changes/{CHG}/request.yaml");
    org.edit(&request, "title: \"", "title: \"（预算调整）");
    org.as_person("li.ming");
    org.commit("2024-09-20T10:00:00+08:00", "CHG-2024-003: reason");
    let stale = zh("chen", LATER, &["change", "show", CHG]);
    stale.assert_status(0);
    assert!(stale.stdout.contains("已失效"), "{}", stale.snapshot());
    let list = zh("chen", LATER, &["change", "list"]);
    let verify = zh("chen", LATER, &["verify"]);
    verify.assert_status(1);
    let review = zh("chen", LATER, &["review", "--base", "main", "--format", "markdown"]);
    review.assert_status(1);
    let github = zh("chen", LATER, &["review", "--base", "main", "--format", "github"]);
    let log = zh("chen", LATER, &["log", "redis-session"]);
    let log_md = zh("chen", LATER, &["log", "redis-session", "--format", "markdown"]);
    // Someone whose git names no signing key.
    org.git(&["config", "--unset", "user.signingKey"]);
    let no_key = org.lc(LATER, &["--lang", "zh-CN", "approve", CHG, "-m", "ok"]);
    no_key.assert_status(2);
    assert!(no_key.stderr.contains("user.signingKey 未设置"), "{}", no_key.snapshot());
    let mut outputs = vec![
        ("approve without a signing key", &no_key),
        ("approve by the wrong person", &wrong_person),
        ("approve the wrong stage", &wrong_stage),
        ("approve again", &again),
        ("approve an unknown change", &unknown),
        ("confirm without a report", &no_report),
        ("change show", &show),
        ("confirm a report that breaks the rules", &bad_report),
        ("change show with stale sign-offs", &stale),
        ("change list", &list),
        ("verify", &verify),
        ("review", &review),
        ("review github", &github),
        ("log", &log),
        ("log markdown", &log_md),
    ];
    outputs.extend(signed.iter().map(|o| ("approve", o)));
    assert_chinese(&allowed, &outputs);
}

/// The scanner itself: it finds English prose and lets identifiers, code and data through.
#[test]
fn the_scanner_finds_english() {
    let allowed: BTreeSet<String> = ["redis-session", "applicant"].map(String::from).into();
    let words = |s: &str| english_words(s, &allowed);
    assert_eq!(
        words("系统 redis-session 的 `security-director` 环节 6.2.14 → 7.2.0 li.ming"),
        Vec::<String>::new()
    );
    assert_eq!(words("下一步：security-director（zhao.lei）"), ["security-director"]);
    assert_eq!(words("成功 success (complete) 1w"), ["success", "complete"]);
    assert_eq!(words("--accept-findings changes/CHG-2024-003/report.yaml a1b2c3d4e5"), Vec::<String>::new());
}

/// English counts take the plural their number asks for: "1 day ago", "2 days ago", "1 file checked".
#[test]
fn english_counts_take_their_plural() {
    let env = TestEnv::with_example();
    let on = |today: &str| env.run(&["--lang", "en", "--today", today, "check"]).stdout;
    // ubuntu 20.04 (gitlab) ends 2025-05-31.
    let day_after = on("2025-06-01");
    assert!(day_after.contains("ended 2025-05-31 — 1 day ago"), "{day_after}");
    let two_after = on("2025-06-02");
    assert!(two_after.contains("ended 2025-05-31 — 2 days ago"), "{two_after}");
    assert!(day_after.contains("start replacing 6 months, finish 3 months before the end"), "{day_after}");
    // One file is one file.
    let one = TestEnv::new();
    one.write("policies/p.yaml", "eol: {plan_before: 6mo}\n");
    let out = one.run(&["--lang", "en", "validate"]);
    assert_eq!(out.stderr, "1 file checked: no problems\n", "{}", out.snapshot());
    let out = one.run(&["--lang", "zh-CN", "validate"]);
    assert_eq!(out.stderr, "已检查 1 个文件：没有问题\n", "{}", out.snapshot());
}

/// `verify` resumed from its cache (`.git/lifecycle/`) says in Chinese exactly what its first run and a
/// `--no-cache` run say, an unapproved version change and a file in history that does not load alike.
#[test]
fn verify_from_the_cache_speaks_the_same_chinese() {
    let org = Org::new();
    let allowed = allowed(&org);
    request(&org);
    bump(&org);
    org.edit(SYSTEM, "eol: 2024-12-31", "eol: 2024-12-32");
    org.commit("2024-09-19T23:40:00+08:00", "redis-session: end date");
    let verify = |args: &[&str]| org.lc(LATER, &[&["--lang", "zh-CN", "verify"], args].concat());
    let first = verify(&[]);
    first.assert_status(1);
    assert_eq!(std::fs::read_dir(org.path(".git/lifecycle")).unwrap().count(), 1, "one cache file");
    let cached = verify(&[]);
    let full = verify(&["--no-cache"]);
    for out in [&cached, &full] {
        assert_eq!((&out.stdout, &out.stderr, out.status), (&first.stdout, &first.stderr, first.status));
    }
    for code in ["unapproved-version-change", "invalid-file"] {
        assert!(first.stdout.contains(code), "{code} missing:\n{}", first.snapshot());
    }
    assert!(first.stdout.contains("`2024-12-32` 不是有效的日期（bad-date）"), "{}", first.snapshot());
    assert_chinese(&allowed, &[("verify", &first), ("verify from the cache", &cached)]);
}
