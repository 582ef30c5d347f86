//! `observe import` and the observed state in `check` (§5.4): real SBOMs and package lists from
//! tests/fixtures/observed/ (each made by the tool its README names), bad inputs that write nothing.

use std::path::Path;

use crate::common::{PROJECT, TestEnv, tree};

/// A fixture of tests/fixtures/observed/, by absolute path.
pub fn fixture(name: &str) -> String {
    Path::new(PROJECT).join("tests/fixtures/observed").join(name).display().to_string()
}

/// The example organisation without its own observations and discovery runs.
fn bare_example() -> TestEnv {
    let env = TestEnv::with_example();
    for dir in ["inventory/observed", "inventory/discovery"] {
        let _ = std::fs::remove_dir_all(env.path(dir));
    }
    env
}

/// The files under `inventory/observed/` and `inventory/discovery/`.
fn written(env: &TestEnv) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for dir in ["inventory/observed", "inventory/discovery"] {
        for (p, _) in tree(&env.path(dir)) {
            out.push(p.strip_prefix(env.root()).unwrap_or(&p).display().to_string());
        }
    }
    out.sort();
    out
}

/// Every real fixture imports: npm's CycloneDX 1.5 and SPDX 2.3 and cyclonedx-npm's 1.6 name their system through their
/// subject; cyclonedx-py's 1.4 and 1.6, cargo-cyclonedx's 1.5 and the dpkg-query list need --system. The result validates.
#[test]
fn real_fixtures_import() {
    let env = bare_example();
    env.run(&["observe", "import", &fixture("npm-cyclonedx.json")]).assert_status(0);
    env.run(&["observe", "import", &fixture("npm-spdx.json"), "--host", "web-02"]).assert_status(0);
    env.run(&["observe", "import", &fixture("cyclonedx-npm-1.6.json"), "--host", "web-03"]).assert_status(0);
    for (file, host) in [("py-cyclonedx-1.6.json", "api-01"), ("py-cyclonedx-1.4.json", "api-02")] {
        env.run(&["observe", "import", &fixture(file), "--system", "data-api", "--host", host])
            .assert_status(0);
    }
    env.run(&[
        "observe",
        "import",
        &fixture("dpkg-debian12.txt"),
        "--system",
        "bastion-host",
        "--host",
        "jump-01",
    ])
    .assert_status(0);
    let cargo = env.run(&["observe", "import", &fixture("cargo-cyclonedx.json"), "--system", "ci-jenkins"]);
    cargo.assert_status(0);
    assert!(
        cargo.stdout.contains("inventory/observed/ci-jenkins/lifecycle.yaml: 175 components"),
        "{}",
        cargo.stdout
    );
    let observed: Vec<String> =
        written(&env).into_iter().filter(|p| p.starts_with("inventory/observed")).collect();
    assert_eq!(
        observed,
        [
            "inventory/observed/bastion-host/jump-01.yaml",
            "inventory/observed/ci-jenkins/lifecycle.yaml",
            "inventory/observed/data-api/api-01.yaml",
            "inventory/observed/data-api/api-02.yaml",
            "inventory/observed/member-center-web/member-center-web.yaml",
            "inventory/observed/member-center-web/web-02.yaml",
            "inventory/observed/member-center-web/web-03.yaml",
        ]
    );
    let npm = env.read("inventory/observed/member-center-web/web-02.yaml");
    assert!(
        npm.contains("{product: \"jquery\", version: \"1.12.4\", purl: \"pkg:npm/jquery@1.12.4\"}"),
        "{npm}"
    );
    assert!(!npm.contains("product: \"member-center-web\""), "the subject is not a component:\n{npm}");
    let dpkg = env.read("inventory/observed/bastion-host/jump-01.yaml");
    assert!(
        dpkg.contains("{product: \"openssl\", version: \"3.0.19\", raw: \"3.0.19-1~deb12u2\"}"),
        "{dpkg}"
    );
    let out = env.run(&["validate", "-q"]);
    out.assert_status(0);
    // check matches them to the catalog: npm's jquery and vue are the declared versions; Debian's
    // openssl 3.0.19 is not the declared 1.1.1w.
    let out = env.run(&["check", "--today", "2026-12-01", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let drift = |system: &str, product: &str| {
        let items = doc["items"].as_array().unwrap();
        let i = items.iter().find(|i| i["system"] == system && i["product"] == product).unwrap();
        (i["observed"]["drift"].as_str().unwrap_or("").to_string(), i["observed"]["versions"].clone())
    };
    assert_eq!(drift("member-center-web", "jquery"), ("none".into(), serde_json::json!(["1.12.4"])));
    assert_eq!(drift("member-center-web", "vue"), ("none".into(), serde_json::json!(["2.6.14"])));
    assert_eq!(drift("bastion-host", "openssl"), ("version".into(), serde_json::json!(["3.0.19-1~deb12u2"])));
}

/// Importing the same input twice changes nothing the second time and records no second run.
#[test]
fn import_is_idempotent() {
    let env = bare_example();
    let args = ["observe", "import", &fixture("npm-cyclonedx.json")];
    env.run_env(&args, &[("GIT_COMMITTER_DATE", "2026-11-30T08:00:00+00:00")]).assert_status(0);
    let before = written(&env);
    assert!(before.contains(&"inventory/discovery/20261130T080000Z-observe.yaml".to_string()), "{before:?}");
    let run = env.read("inventory/discovery/20261130T080000Z-observe.yaml");
    assert!(run.contains("kind: observe") && run.contains("digest: sha256:"), "{run}");
    let again = env.run_env(&args, &[("GIT_COMMITTER_DATE", "2026-11-30T09:00:00+00:00")]);
    again.assert_status(0);
    assert!(again.stdout.contains("unchanged"), "{}", again.snapshot());
    assert_eq!(written(&env), before);
}

/// Bad input of every format fails with a located error (file:line:col) and writes nothing.
#[test]
fn bad_inputs_write_nothing() {
    let env = bare_example();
    let cdx = std::fs::read_to_string(fixture("npm-cyclonedx.json")).unwrap();
    let spdx = std::fs::read_to_string(fixture("npm-spdx.json")).unwrap();
    env.write("in/truncated.json", &cdx[..cdx.len() / 2]);
    env.write("in/old.json", cdx.replace("\"specVersion\": \"1.5\"", "\"specVersion\": \"1.2\""));
    env.write("in/spdx3.json", spdx.replace("SPDX-2.3", "SPDX-3.0"));
    env.write(
        "in/bad.csv",
        "system,host,product,version,collected_at\nportal-www,h1,redis,7.2.0,2024-13-01\n",
    );
    env.write("in/header.csv", "host,system,product,version\n");
    let cases: [(&[&str], &str); 6] = [
        (&["in/truncated.json"], "in/truncated.json:"),
        (&["in/old.json"], "in/old.json:4:3"),
        (&["in/spdx3.json"], "in/spdx3.json:2:3"),
        (&["in/bad.csv"], "in/bad.csv:2:27"),
        (&["in/header.csv"], "in/header.csv:1:1"),
        (&[&fixture("dpkg-debian12.txt"), "--host", "h1"], "dpkg-debian12.txt:1:1"),
    ];
    let good = fixture("npm-spdx.json");
    for (args, located) in cases {
        let mut all = vec!["observe", "import"];
        all.extend_from_slice(args);
        // A good input beside the bad one is not written either.
        all.push(&good);
        let out = env.run(&all);
        out.assert_status(2);
        assert!(out.stderr.contains(located), "{args:?} not located at {located}:\n{}", out.stderr);
        assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);
        assert_eq!(written(&env), Vec::<String>::new(), "{args:?} wrote something");
    }
    let out = env.run(&["observe", "import", &fixture("py-cyclonedx-1.6.json")]);
    out.assert_status(2);
    assert!(out.stderr.contains("error[no-system]: no system applies"), "{}", out.stderr);
}

/// A CSV names its systems and hosts; an SBOM subject is mapped to a system by lifecycle.yaml.
#[test]
fn csv_and_mapped_subjects() {
    let env = bare_example();
    env.write(
        "scan.csv",
        "system,host,product,version,collected_at\nredis-session,cache-01,redis,6.2.14,2026-11-01T00:00:00Z\nredis-session,cache-02,redis,6.2.14,2026-11-01T00:00:00Z\n",
    );
    env.run(&["observe", "import", "scan.csv"]).assert_status(0);
    assert_eq!(written(&env).len(), 3, "{:?}", written(&env));

    // A folder: its README is not an input.
    let folder = env.run(&[
        "observe",
        "import",
        &Path::new(PROJECT).join("tests/fixtures/observed").display().to_string(),
        "--system",
        "portal-www",
        "--host",
        "all",
    ]);
    folder.assert_status(0);
    assert!(folder.stdout.contains("inventory/observed/portal-www/all.yaml"), "{}", folder.snapshot());
    env.write("lifecycle.yaml", "observe: {systems: {member-center-web: portal-www}}\n");
    env.run(&["observe", "import", &fixture("npm-cyclonedx.json")]).assert_status(0);
    assert!(env.path("inventory/observed/portal-www/member-center-web.yaml").is_file());
}

/// An `rpm -qa --qf '%{NAME} %{VERSION}-%{RELEASE}\n'` list of a CentOS 7 host (example input for
/// these tests, in the shape rpm prints).
pub const CENTOS_RPMS: &str = "bash 4.2.46-35.el7_9\ncentos-release 7-9.2009.1.el7.centos\nglibc 2.17-326.el7_9\nopenssl 1.0.2k-26.el7_9\nopenssl-libs 1.0.2k-26.el7_9\nredis 6.2.14-1.el7.remi\n";

/// A repository with one scan of redis-product-cache (one host left on 6.2.14 after the inventory
/// said 7.2.4) and the rpm list of a redis-session host (openssl 1.0.2k, end-of-life, undeclared).
fn drifted() -> TestEnv {
    let env = bare_example();
    env.write(
        "scan.csv",
        "system,host,product,version,collected_at\nredis-product-cache,cache-01,redis,7.2.4,2024-08-28T02:00:00Z\nredis-product-cache,cache-02,redis,6.2.14,2024-08-28T02:00:00Z\nredis-product-cache,cache-02,rocky-linux,8.9,2024-08-28T02:00:00Z\nredis-product-cache,cache-01,rocky-linux,8.9,2024-08-28T02:00:00Z\n",
    );
    env.write("rpms.txt", CENTOS_RPMS);
    env.run(&["observe", "import", "scan.csv"]).assert_status(0);
    let args = ["observe", "import", "rpms.txt", "--system", "redis-session", "--host", "redis-s-01"];
    env.run(&[&args[..], &["--collected-at", "2024-08-30T00:00:00Z"]].concat()).assert_status(0);
    env
}

/// `check` JSON carries `observed` per item, the undeclared end-of-life package with its own status,
/// and the counts; the example without observations carries none of it.
#[test]
fn check_json_shows_drift_and_undeclared() {
    let env = drifted();
    let out = env.run(&["check", "--today", "2024-09-01", "--format", "json"]);
    out.assert_status(0);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let item = |system: &str, product: &str| {
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["system"] == system && i["product"] == product)
            .cloned()
            .unwrap_or_else(|| panic!("no item {system}/{product}"))
    };
    let redis = item("redis-product-cache", "redis");
    assert_eq!(redis["observed"]["drift"], "version", "{redis}");
    assert_eq!(redis["observed"]["versions"], serde_json::json!(["6.2.14", "7.2.4"]));
    assert_eq!(redis["observed"]["hosts"], 2);
    assert_eq!(redis["observed"]["collected_at"], "2024-08-28T02:00:00Z");
    assert_eq!(item("redis-product-cache", "rocky-linux")["observed"]["drift"], "none");
    // centos-release 7-9.2009… agrees with the declared 7.9.2009; the redis rpm's upstream is 6.2.14.
    assert_eq!(item("redis-session", "centos")["observed"]["drift"], "none");
    assert_eq!(item("redis-session", "redis")["observed"]["drift"], "none");
    assert_eq!(
        item("redis-session", "redis")["observed"]["versions"],
        serde_json::json!(["6.2.14-1.el7.remi"])
    );
    assert!(item("portal-www", "jquery")["observed"].is_null());
    let undeclared = doc["undeclared"].as_array().unwrap();
    assert_eq!(undeclared.len(), 1, "{undeclared:?}");
    let u = &undeclared[0];
    assert_eq!(
        (u["system"].as_str(), u["product"].as_str(), u["status"].as_str()),
        (Some("redis-session"), Some("openssl"), Some("eol"))
    );
    assert_eq!(
        (u["cycle"].as_str(), u["end"].as_str(), u["matched_by"].as_str()),
        (Some("1.0.2"), Some("2019-12-31"), Some("repology"))
    );
    assert_eq!(doc["observations"]["drifts"], 2);
    assert_eq!(doc["observations"]["undeclared_eol"], 1);

    let plain = bare_example().run(&["check", "--today", "2024-09-01", "--format", "json"]);
    assert!(!plain.stdout.contains("\"observed\"") && !plain.stdout.contains("\"undeclared\""));
}

/// The table puts the undeclared end-of-life package first in its section, then the drift; Markdown
/// carries the same lines; `--fail-on drift` fails while `--fail-on never` does not.
#[test]
fn check_table_markdown_and_gate() {
    let env = drifted();
    let out = env.run(&[
        "check",
        "--today",
        "2024-09-01",
        "--system",
        "redis-session",
        "--system",
        "redis-product-cache",
    ]);
    out.assert_status(0);
    let section = out.stdout.split("Observed state").nth(1).expect("an observed section");
    let lines: Vec<&str> = section.lines().collect();
    assert!(
        lines[1].contains("UNDECLARED END-OF-LIFE: redis-session runs openssl 1.0.2k-26.el7_9"),
        "{section}"
    );
    assert!(lines[2].contains("version drift: redis-product-cache / redis is declared 7.2.4, observed 6.2.14, 7.2.4 on 2 of 2 host(s)"), "{section}");
    let md = env.run(&["check", "--today", "2024-09-01", "--format", "markdown"]);
    assert!(md.stdout.contains("- **UNDECLARED END-OF-LIFE: redis-session runs openssl"), "{}", md.stdout);
    let gate = |fail_on: &str, system: &str| {
        env.run(&["check", "--today", "2024-09-01", "--system", system, "--fail-on", fail_on]).status
    };
    assert_eq!(gate("drift", "redis-product-cache"), 1);
    assert_eq!(gate("never", "redis-product-cache"), 0);
    // rocky-linux 8.9 and redis 7.2 are supported: only the drift fails this system.
    assert_eq!(gate("warn", "redis-product-cache"), 0);
}

/// Observations older than `rules.observation_max_age` are stale; the default is one month.
#[test]
fn stale_observations() {
    let env = drifted();
    let stale = |today: &str| {
        let out =
            env.run(&["check", "--today", today, "--format", "json", "--system", "redis-product-cache"]);
        let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        doc["items"][0]["observed"]["stale"].as_bool().unwrap()
    };
    assert!(!stale("2024-09-27"));
    assert!(stale("2024-09-29"));
    let policy = std::fs::read_dir(env.path("policies"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| std::fs::read_to_string(p).unwrap_or_default().contains("\nrules:"));
    let policy = policy.expect("a policy file with rules");
    let text = std::fs::read_to_string(&policy)
        .unwrap()
        .replace("\nrules:\n", "\nrules:\n  observation_max_age: 15d\n");
    std::fs::write(&policy, text).unwrap();
    assert!(stale("2024-09-14"));
}

/// The report's inventory accuracy names its formula and population, lists the drift and the
/// undeclared end-of-life package, and says that observations are evidence, never authority.
#[test]
fn report_inventory_accuracy() {
    let env = drifted();
    env.git_init();
    env.commit_all("the example organisation and its August scans");
    let args = ["--today", "2024-09-15", "report", "--from", "2024-07-01", "--to", "2024-09-15"];
    let out = env.run(&[&args[..], &["--format", "json"]].concat());
    out.assert_status(0);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let a = &doc["accuracy"];
    assert_eq!(
        a["formula"],
        "declared components confirmed by a fresh observation ÷ all declared components"
    );
    // redis-product-cache's rocky-linux, redis-session's redis and centos; its redis drifts.
    assert_eq!(
        (a["declared"].as_u64(), a["scanned"].as_u64(), a["confirmed"].as_u64()),
        (Some(120), Some(4), Some(3))
    );
    assert_eq!(a["value"].as_f64(), Some(2.5));
    assert_eq!(a["drifts"][0]["system"], "redis-product-cache");
    assert_eq!(a["drifts"][0]["hosts"], serde_json::json!(["cache-02"]));
    assert_eq!(a["undeclared_eol"][0]["product"], "openssl");
    let md = env.run(&args);
    md.assert_status(0);
    for text in [
        "### Inventory accuracy",
        "**2.5%** of declared components are confirmed by a fresh observation: 3 ÷ 120. Formula:",
        "Population: every component of the inventory on the period's last day (120)",
        "Observations are evidence, never authority",
        "Undeclared end-of-life: `redis-session` runs openssl 1.0.2k-26.el7_9 (end 2019-12-31)",
    ] {
        assert!(md.stdout.contains(text), "no {text:?} in:\n{}", md.stdout);
    }
    // Without observations there is no such section.
    let _ = std::fs::remove_dir_all(env.path("inventory/observed"));
    env.commit_all("observations removed");
    let out = env.run(&[&args[..], &["--format", "json"]].concat());
    assert!(!out.stdout.contains("\"accuracy\""), "{}", out.stdout);
}

/// `catalog import` keeps endoflife.date's identifiers and `latest`, and they are what matches a
/// package whose name is not the product id: npm's `vue` is the catalog's `vuejs` by purl.
#[test]
fn imported_identifiers_match_observed_packages() {
    let env = TestEnv::new();
    env.write(
        "inventory/systems/web.yaml",
        "id: web\nowner: web\ncriticality: low\ncomponents:\n  - {product: vuejs, version: \"3.4.0\"}\n",
    );
    env.write(
        "vuejs.json",
        r#"{"schema_version":"1.0.0","result":{"name":"vuejs","label":"Vue","identifiers":[{"id":"pkg:npm/vue","type":"purl"}],
        "releases":[{"name":"3","releaseDate":"2020-09-18","isEol":false,"eolFrom":null,"latest":{"name":"3.5.13","date":"2024-11-15"}},
        {"name":"2","releaseDate":"2016-09-30","isEol":true,"eolFrom":"2023-12-31","latest":{"name":"2.7.16","date":"2023-12-24"}}]}}"#,
    );
    env.run(&["catalog", "import", "vuejs.json"]).assert_status(0);
    let product = env.read("inventory/products/vuejs.yaml");
    assert!(product.contains("pkg:npm/vue") && product.contains("latest: \"2.7.16\""), "{product}");
    env.run(&["observe", "import", &fixture("npm-cyclonedx.json"), "--system", "web", "--host", "w1"])
        .assert_status(0);
    let out = env.run(&["check", "--today", "2026-12-01", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let item = &doc["items"][0]["observed"];
    assert_eq!(
        (item["drift"].as_str(), item["versions"].clone()),
        (Some("version"), serde_json::json!(["2.6.14"]))
    );
    assert_eq!(doc["observations"]["unmatched"], 1, "jquery is not in this catalog");
}

/// Hostile inputs end in a located error, never a panic or a stack overflow: components nested
/// 100,000 deep, bytes that are not UTF-8, a NUL in a package list.
#[test]
fn hostile_inputs_are_refused() {
    let env = bare_example();
    let deep = format!(
        "{{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"components\": {}{}}}",
        "[{\"name\": \"a\", \"components\": ".repeat(100_000),
        "[]}]".repeat(100_000)
    );
    env.write("in/deep.json", deep);
    env.write("in/latin1.txt", b"openssl 1.0.2k\ncaf\xe9 1.0\n");
    env.write("in/nul.txt", b"openssl 1.0.2k\0\n");
    for (file, code) in
        [("in/deep.json", "bad-json"), ("in/latin1.txt", "not-utf8"), ("in/nul.txt", "bad-observation")]
    {
        let out = env.run(&["observe", "import", file, "--system", "redis-session", "--host", "h"]);
        out.assert_status(2);
        assert!(
            out.stderr.contains(&format!("error[{code}]")) && out.stderr.contains(file),
            "{file}: {}",
            out.stderr
        );
    }
    assert_eq!(written(&env), Vec::<String>::new());
}

/// A declared component's own purl matches observed packages, even for a product the catalog lacks.
#[test]
fn declared_purls_match_observed_packages() {
    let env = TestEnv::new();
    env.write(
        "inventory/systems/web.yaml",
        "id: web\nowner: web\ncriticality: low\ncomponents:\n  - {product: in-house-ui, version: \"1.12.4\", purl: \"pkg:npm/jquery\"}\n",
    );
    env.run(&["observe", "import", &fixture("npm-cyclonedx.json"), "--system", "web", "--host", "w1"])
        .assert_status(0);
    let out = env.run(&["check", "--today", "2026-12-01", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["items"][0]["observed"]["drift"], "none", "{}", out.stdout);
    assert_eq!(doc["items"][0]["observed"]["versions"], serde_json::json!(["1.12.4"]));
}

/// The CycloneDX project's own JSON Schemas, as its Python library ships them on PyPI
/// (`cyclonedx-python-lib`, `cyclonedx/schema/_res/`): `$CYCLONEDX_SCHEMAS` (set by `.ci/run`), else
/// the installed library found through `python3`.
fn cyclonedx_schemas() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("CYCLONEDX_SCHEMAS") {
        return Some(dir.into());
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import importlib.util; print(importlib.util.find_spec('cyclonedx').submodule_search_locations[0])",
        ])
        .output()
        .ok()?;
    let dir = Path::new(String::from_utf8_lossy(&out.stdout).trim()).join("schema/_res");
    dir.join("bom-1.6.SNAPSHOT.schema.json").is_file().then_some(dir)
}

/// Resolves the schemas' relative `$ref`s (`spdx.SNAPSHOT.schema.json`…) to the files beside them.
struct SchemaFiles(std::path::PathBuf);

impl jsonschema::Retrieve for SchemaFiles {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.as_str().rsplit('/').next().unwrap_or_default();
        Ok(serde_json::from_str(&std::fs::read_to_string(self.0.join(name))?)?)
    }
}

/// The CycloneDX fixtures (1.4, 1.5 and 1.6, from four real generators) are valid against the
/// official schema of their version: the documents `observe import` reads with serde are the
/// documents the specification defines (issue 16). `.ci/run` installs the schemas from PyPI.
#[test]
#[ignore = "needs the CycloneDX schemas of PyPI's cyclonedx-python-lib (.ci/run installs them)"]
fn cyclonedx_fixtures_are_valid_against_the_official_schemas() {
    let dir = cyclonedx_schemas().expect("CYCLONEDX_SCHEMAS, or pip install --no-deps cyclonedx-python-lib");
    for name in [
        "py-cyclonedx-1.4.json",
        "npm-cyclonedx.json",
        "cargo-cyclonedx.json",
        "cyclonedx-npm-1.6.json",
        "py-cyclonedx-1.6.json",
    ] {
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap();
        let version = doc["specVersion"].as_str().unwrap().to_string();
        let schema_file = dir.join(format!("bom-{version}.SNAPSHOT.schema.json"));
        let schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(schema_file).unwrap()).unwrap();
        let validator =
            jsonschema::options().with_retriever(SchemaFiles(dir.clone())).build(&schema).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&doc).take(5).map(|e| format!("{e} at {}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{name} (CycloneDX {version}): {errors:#?}");
        // The validator bites: components that are not a list are refused.
        let mut broken = doc.clone();
        broken["components"] = serde_json::json!("not a list");
        assert!(!validator.is_valid(&broken), "{name}");
    }
}
