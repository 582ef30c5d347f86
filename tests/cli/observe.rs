//! `observe import` and the observed state in `check` (§5.4): real SBOMs and package lists from
//! tests/fixtures/observed/ (each made by the tool its README names), bad inputs that write nothing.

use std::path::Path;

use crate::common::{PROJECT, TestEnv, tree};

/// A fixture of tests/fixtures/observed/, by absolute path.
pub fn fixture(name: &str) -> String {
    Path::new(PROJECT).join("tests/fixtures/observed").join(name).display().to_string()
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

/// Every real fixture imports: npm's CycloneDX 1.5 and SPDX 2.3 name their system through their
/// subject; cyclonedx-py's 1.4 and 1.6 and the dpkg-query list need --system. The result validates.
#[test]
fn real_fixtures_import() {
    let env = TestEnv::with_example();
    env.run(&["observe", "import", &fixture("npm-cyclonedx.json")]).assert_status(0);
    env.run(&["observe", "import", &fixture("npm-spdx.json"), "--host", "web-02"]).assert_status(0);
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
    let observed: Vec<String> =
        written(&env).into_iter().filter(|p| p.starts_with("inventory/observed")).collect();
    assert_eq!(
        observed,
        [
            "inventory/observed/bastion-host/jump-01.yaml",
            "inventory/observed/data-api/api-01.yaml",
            "inventory/observed/data-api/api-02.yaml",
            "inventory/observed/member-center-web/member-center-web.yaml",
            "inventory/observed/member-center-web/web-02.yaml",
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
}

/// Importing the same input twice changes nothing the second time and records no second run.
#[test]
fn import_is_idempotent() {
    let env = TestEnv::with_example();
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
    let env = TestEnv::with_example();
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
    let env = TestEnv::with_example();
    env.write(
        "scan.csv",
        "system,host,product,version,collected_at\nredis-session,cache-01,redis,6.2.14,2026-11-01T00:00:00Z\nredis-session,cache-02,redis,6.2.14,2026-11-01T00:00:00Z\n",
    );
    env.run(&["observe", "import", "scan.csv"]).assert_status(0);
    assert_eq!(written(&env).len(), 3, "{:?}", written(&env));
    env.write("lifecycle.yaml", "observe: {systems: {member-center-web: portal-www}}\n");
    env.run(&["observe", "import", &fixture("npm-cyclonedx.json")]).assert_status(0);
    assert!(env.path("inventory/observed/portal-www/member-center-web.yaml").is_file());
}
