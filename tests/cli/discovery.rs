//! Discovery: `catalog import|sync`, `advisories import|sync` and the security deadlines of `check`.
//! Network tests talk to a tiny HTTP server on 127.0.0.1 started inside the test; reference-data tests
//! read ../shared/reference when it is present and skip cleanly when it is not.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{PROJECT, TestEnv, tree};

/// The public reference data beside the project (`../shared/reference/`). The tests that read it are
/// `#[ignore]`d, so a plain `cargo test` says so instead of passing without them; `.ci/run` runs them
/// with `--ignored`, and then missing data is a failure, not a pass.
fn reference(rel: &str) -> PathBuf {
    let p = Path::new(PROJECT).join("../shared/reference").join(rel);
    assert!(
        p.exists(),
        "../shared/reference/{rel} is not present: these tests need the public reference data"
    );
    p
}

/// A local HTTP server: path → (status, body). Answers at most 200 requests, stops after 60 s or when
/// dropped; records the paths asked for.
struct Server {
    pub base: String,
    stop: Arc<AtomicBool>,
    pub asked: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(routes: Vec<(&str, u16, String)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let routes: HashMap<String, (u16, String)> =
        routes.into_iter().map(|(p, s, b)| (p.to_string(), (s, b))).collect();
    let stop = Arc::new(AtomicBool::new(false));
    let asked = Arc::new(Mutex::new(Vec::new()));
    let (stop2, asked2) = (stop.clone(), asked.clone());
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut served = 0;
        while !stop2.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(60) && served < 200 {
            let Ok((stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            served += 1;
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut length = 0;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            asked2.lock().unwrap().push(path.clone());
            let (status, text) = routes.get(&path).cloned().unwrap_or((404, "{}".into()));
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    Server { base, stop, asked }
}

pub(crate) const REDIS_V1: &str = r#"{"schema_version":"1.2.0","generated_at":"2026-11-01T00:00:00Z","result":{"name":"redis","label":"Redis",
  "aliases":[],"category":"database","tags":[],"labels":{},"links":{},
  "identifiers":[{"id":"pkg:generic/redis","type":"purl"},{"id":"cpe:2.3:a:redis:redis","type":"cpe"}],
  "releases":[
    {"name":"7.4","releaseDate":"2024-07-29","isLts":false,"isEoas":false,"eoasFrom":null,"isEol":false,"eolFrom":"2027-11-01","isMaintained":true,"latest":{"name":"7.4.1","date":"2024-10-02"}},
    {"name":"7.2","releaseDate":"2023-08-15","isLts":true,"isEoas":true,"eoasFrom":"2024-07-29","isEol":false,"eolFrom":"2029-12-01","isMaintained":true,"latest":{"name":"7.2.6","date":"2024-10-02"}},
    {"name":"7.0","releaseDate":"2022-04-27","isLts":false,"isEol":true,"eolFrom":"2024-07-29","latest":{"name":"7.0.15","date":"2024-01-09"}},
    {"name":"6.2","releaseDate":"2021-02-22","isLts":false,"isEol":false,"eolFrom":"2026-01-01","latest":{"name":"6.2.16","date":"2024-10-02"}},
    {"name":"6.0","releaseDate":"2020-04-30","isLts":false,"isEol":true,"eolFrom":"2022-04-27","latest":{"name":"6.0.20","date":"2023-07-10"}}]}}"#;

const MINI_SYSTEM: &str = "id: cache\nowner: platform\ncriticality: high\ncomponents:\n  - {product: redis, version: \"6.2.14\", purl: \"pkg:generic/redis@6.2.14\"}\n  - {product: openssl, version: \"3.0.2\", purl: pkg:generic/openssl}\n  - {product: acme-engine, version: \"1.0\"}\n";

type Tree = Vec<(PathBuf, Vec<u8>)>;

/// The repository's files apart from the run records, and the run records (path relative to the
/// root, text): a run that changes nothing else adds only its record.
fn split_runs(env: &TestEnv) -> (Tree, Vec<(String, String)>) {
    let runs_dir = env.path("inventory/discovery");
    let (runs, rest): (Vec<_>, Vec<_>) =
        tree(env.root()).into_iter().partition(|(p, _)| p.starts_with(&runs_dir));
    let runs = runs
        .into_iter()
        .map(|(p, b)| {
            let rel = p.strip_prefix(env.root()).unwrap().display().to_string();
            (rel, String::from_utf8(b).unwrap())
        })
        .collect();
    (rest, runs)
}

/// The SHA-256 of bytes, hex, computed here (not by the tool) to check its records.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A small repository: one system, a Redis product file with a local correction.
fn mini() -> TestEnv {
    let env = TestEnv::new();
    env.write("inventory/systems/cache.yaml", MINI_SYSTEM);
    env.write(
        "inventory/products/redis.yaml",
        "product: redis\ntitle: Redis\ncycles:\n  - {cycle: \"6.2\", released: 2021-02-22, eol: 2027-04-01}\n  - {cycle: \"6.0\", eol: 2022-04-27}\nlocal:\n  - {cycle: \"6.2\", eol: 2024-12-31}\n",
    );
    env.write(
        "inventory/products/openssl.yaml",
        "product: openssl\ncycles:\n  - {cycle: \"3.0\", eol: 2026-09-07}\n",
    );
    env
}

/// A product file, an API v1 answer and an API v0 answer each import; `local:` survives; an EOL date
/// that moved earlier is highlighted; a second import changes nothing, byte for byte.
#[test]
fn catalog_import_formats_keeps_local_and_is_idempotent() {
    let env = mini();
    env.write("in/redis.json", REDIS_V1);
    env.write(
        "in/openssl.json",
        r#"[{"cycle":"3.0","releaseDate":"2021-09-07","eol":"2026-09-07","lts":true,"latest":"3.0.15"},{"cycle":"1.1.1","releaseDate":"2018-09-11","eol":"2023-09-11","extendedSupport":true}]"#,
    );
    env.write(
        "in/nginx.md",
        "---\ntitle: nginx\nunknownKey: [1, {a: b}]\npermalink: /nginx\nreleases:\n  - releaseCycle: \"1.26\"\n    releaseDate: 2024-04-23\n    eol: false\n    latest: \"1.26.2\"\n---\n\nBody text.\n",
    );
    let out = env.run(&["catalog", "import", "in"]);
    out.assert_status(0);
    insta::assert_snapshot!("catalog_import_first", out.snapshot());
    let redis = env.read("inventory/products/redis.yaml");
    assert!(redis.contains("local:\n  - cycle: \"6.2\"\n    eol: 2024-12-31\n"), "{redis}");
    insta::assert_snapshot!("catalog_import_redis_yaml", redis);
    // The run record: what was read (each file's SHA-256 and their digest) and what it did.
    let first = env.read("inventory/discovery/20240901T100000Z-catalog.yaml");
    let files = ["in/nginx.md", "in/openssl.json", "in/redis.json"];
    let manifest: String =
        files.iter().map(|f| format!("{}  {f}\n", sha256_hex(env.read(f).as_bytes()))).collect();
    assert!(first.contains(&format!("digest: sha256:{}\n", sha256_hex(manifest.as_bytes()))), "{first}");
    assert!(
        first.contains(&format!(
            "  - {{file: \"in/redis.json\", sha256: {}}}\n",
            sha256_hex(REDIS_V1.as_bytes())
        )),
        "{first}"
    );
    assert!(
        first.contains("kind: catalog\nsource: {kind: files}\nfetched_at: 2024-09-01T10:00:00Z\n"),
        "{first}"
    );
    assert!(
        first.contains("counts: {products: 3, cycles: 8, created: 1, changed: 2, unchanged: 0, cycles_added: 4, cycles_removed: 0, cycles_updated: 2, eol_moved: 1}"),
        "{first}"
    );
    let (before, runs) = split_runs(&env);
    let again = env.run(&["catalog", "import", "in"]);
    again.assert_status(0);
    assert!(again.stdout.contains("3 products: 0 written, 3 unchanged"), "{}", again.snapshot());
    // A second import changes nothing but still proves the check happened: a second record, in the
    // same second as the first, beside it.
    let (after, runs_after) = split_runs(&env);
    assert!(after == before, "a second import changes nothing but its run record");
    assert_eq!(runs.len() + 1, runs_after.len());
    assert!(runs_after.contains(&runs[0]), "the first record is kept");
    assert!(
        again
            .stdout
            .contains("discovery run recorded in inventory/discovery/20240901T100000Z-2-catalog.yaml"),
        "{}",
        again.snapshot()
    );
    let second = env.read("inventory/discovery/20240901T100000Z-2-catalog.yaml");
    assert!(second.contains("created: 0, changed: 0, unchanged: 3,"), "{second}");
    // The imported files load: validate finds no errors.
    let v = env.run(&["validate", "--today", "2024-09-01"]);
    assert!(!v.stdout.contains("error") && v.status == 0, "{}", v.snapshot());
    // The same product twice (a product file and an API answer): noted, the last one wins, idempotent.
    env.write(
        "in2/redis.md",
        "---\ntitle: Redis\nreleases:\n  - releaseCycle: \"7.4\"\n    eol: 2027-11-01\n---\n",
    );
    env.write("in2/z-redis.json", REDIS_V1);
    let out = env.run(&["catalog", "import", "in2"]);
    out.assert_status(0);
    assert!(
        out.stderr.contains("note: redis is given twice (in2/redis.md, in2/z-redis.json)"),
        "{}",
        out.snapshot()
    );
    let (products, _) = split_runs(&env);
    let again = env.run(&["catalog", "import", "in2"]);
    again.assert_status(0);
    assert!(split_runs(&env).0 == products, "the last one wins, and a re-import changes nothing");
    assert!(
        env.read("inventory/products/redis.yaml").contains("cycle: \"6.0\""),
        "the API answer (last) won"
    );
}

/// Bad input names the file, line and column, exits 2 and writes nothing.
#[test]
fn catalog_import_refuses_bad_input_and_writes_nothing() {
    let env = mini();
    env.write("in/good.json", REDIS_V1);
    env.write("in/bad.md", "---\ntitle: Bad\nreleases:\n  - releaseCycle: \"1\"\n    eol: 2024-02-30\n---\n");
    env.write("in/broken.json", "{\n  \"result\": {\"name\": \"x\",,}\n}");
    let before = tree(env.root());
    let out = env.run(&["catalog", "import", "in"]);
    out.assert_status(2);
    insta::assert_snapshot!("catalog_import_bad", out.snapshot());
    assert_eq!(tree(env.root()), before);
}

/// Every product file of the public endoflife.date repository imports, and the result loads.
#[test]
#[ignore = "reads ../shared/reference/endoflife.date (public data, not in the repository); .ci/run runs it"]
fn catalog_import_every_endoflife_date_product() {
    let products = reference("endoflife.date/products");
    let count = std::fs::read_dir(&products)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "md"))
        .count();
    let env = TestEnv::new();
    let out = env.run(&["catalog", "import", products.to_str().unwrap()]);
    out.assert_status(0);
    assert!(
        out.stdout.contains(&format!("{count} products: {count} written, 0 unchanged")),
        "{}",
        out.snapshot()
    );
    let written = std::fs::read_dir(env.path("inventory/products")).unwrap().count();
    assert_eq!(written, count);
    let v = env.run(&["validate"]);
    assert!(!v.stderr.contains("error["), "{}", v.snapshot());
    let again = env.run(&["catalog", "import", products.to_str().unwrap()]);
    assert!(
        again.stdout.contains(&format!("{count} products: 0 written, {count} unchanged")),
        "{}",
        again.snapshot()
    );
}

/// `catalog sync` fetches the inventory's products from an API v1 server; products it does not know
/// are left alone; the response cache serves a failing network with a warning.
#[test]
fn catalog_sync_from_a_local_server() {
    let env = mini();
    let server = serve(vec![
        ("/api/v1/products/redis", 200, REDIS_V1.to_string()),
        (
            "/api/v1/products/openssl",
            200,
            REDIS_V1.replace("\"name\":\"redis\"", "\"name\":\"openssl\"").replace("Redis", "OpenSSL"),
        ),
    ]);
    let url = format!("{}/api/v1", server.base);
    let out = env.run(&["catalog", "sync", "--url", &url]);
    out.assert_status(0);
    let text = env.normalise(&out.snapshot()).replace(&server.base, "[SERVER]");
    insta::assert_snapshot!("catalog_sync", text);
    let redis = env.read("inventory/products/redis.yaml");
    assert!(redis.contains("source: {kind: endoflife.date, url: \"http://"), "{redis}");
    assert!(redis.contains("local:"), "{redis}");
    let mut asked = server.asked.lock().unwrap().clone();
    asked.sort();
    assert_eq!(asked, ["/api/v1/products/acme-engine", "/api/v1/products/openssl", "/api/v1/products/redis"]);
    // The run record names the service and every answer read (not the 404), with their SHA-256.
    let run = env.read("inventory/discovery/20240901T100000Z-catalog.yaml");
    assert!(
        run.contains(&format!("source: {{kind: url, url: \"{url}\"}}\nfetched_at: 2024-09-01T10:00:00Z\n")),
        "{run}"
    );
    assert!(
        run.contains(&format!(
            "  - {{url: \"{url}/products/redis\", sha256: {}}}\n",
            sha256_hex(REDIS_V1.as_bytes())
        )),
        "{run}"
    );
    assert!(run.contains("counts: {products: 2, cycles: 10, created: 0, changed: 2, unchanged: 0,"), "{run}");
    assert!(!run.contains("acme-engine"), "{run}");
    drop(server);
    // A product the service does not know, named explicitly: exit 2, nothing written.
    let before = tree(env.root());
    let cache = env.path("cache2");
    let out = env.run_env(
        &["catalog", "sync", "--product", "nosuch", "--url", &url, "--timeout", "2"],
        &[("LIFECYCLE_CACHE_DIR", cache.to_str().unwrap())],
    );
    out.assert_status(2);
    assert_eq!(tree(env.root()), before);
    // The server is gone: the cached answers (fresh) are used.
    let out = env.run(&["catalog", "sync", "--product", "redis", "--url", &url, "--timeout", "2"]);
    out.assert_status(0);
    // Five days later the cache is no longer fresh, the network is still down: the old answer is used,
    // with a warning saying how old it is — never a hard failure.
    let cache = env.path("home/.cache/lifecycle");
    for f in std::fs::read_dir(&cache).unwrap() {
        let f = f.unwrap().path();
        let ok = env.command("touch").args(["-d", "5 days ago"]).arg(&f).status().unwrap();
        assert!(ok.success());
    }
    let out = env.run(&["catalog", "sync", "--product", "redis", "--url", &url, "--timeout", "2"]);
    out.assert_status(0);
    assert!(out.stderr.contains("using the cached answer from 5 days ago"), "{}", out.snapshot());
    // Its record says the data is five days old: fetched_at is the cached answer's time.
    let run = env.read("inventory/discovery/20240901T100000Z-3-catalog.yaml");
    assert!(run.contains("fetched_at: 2024-08-27T"), "{run}");
}

/// `catalog sync` keeps each cycle's `latest` and `latest_date` current: a newer patch release
/// rewrites both (the cycle is reported updated), the `local:` corrections survive, and `check`
/// judges the component against the new release (SPEC §5.4, §7).
#[test]
fn catalog_sync_updates_latest_and_its_date_and_keeps_local() {
    let env = mini();
    let newer = REDIS_V1.replace(
        r#""latest":{"name":"6.2.16","date":"2024-10-02"}"#,
        r#""latest":{"name":"6.2.17","date":"2025-01-06"}"#,
    );
    assert_ne!(newer, REDIS_V1);
    for (answer, latest, date) in
        [(REDIS_V1, "6.2.16", "2024-10-02"), (newer.as_str(), "6.2.17", "2025-01-06")]
    {
        let server = serve(vec![("/api/v1/products/redis", 200, answer.to_string())]);
        let url = format!("{}/api/v1", server.base);
        let out = env.run(&["catalog", "sync", "--product", "redis", "--url", &url, "--refresh"]);
        out.assert_status(0);
        let redis = env.read("inventory/products/redis.yaml");
        let cycle = format!(
            "  - cycle: \"6.2\"\n    released: 2021-02-22\n    eol: 2026-01-01\n    latest: \"{latest}\"\n    latest_date: {date}\n"
        );
        assert!(redis.contains(&cycle), "{redis}");
        assert!(redis.ends_with("local:\n  - cycle: \"6.2\"\n    eol: 2024-12-31\n"), "{redis}");
        if latest == "6.2.17" {
            assert!(out.stdout.contains("cycles updated: 6.2"), "{}", out.snapshot());
        }
        let check = env.run(&["check", "--today", "2025-01-10", "--format", "json"]);
        let doc = check.json();
        let item = doc["items"].as_array().unwrap().iter().find(|i| i["product"] == "redis").unwrap().clone();
        assert_eq!(
            (&item["latest"], &item["latest_date"], &item["behind"]),
            (&latest.into(), &date.into(), &true.into())
        );
        assert_eq!(item["end"], "2024-12-31", "the local eol still applies");
    }
}

/// A dead server and no cache: a clear error, exit 2, nothing written.
#[test]
fn catalog_sync_fails_cleanly_without_network() {
    let env = mini();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1", listener.local_addr().unwrap());
    drop(listener);
    let before = tree(env.root());
    let out = env.run(&["catalog", "sync", "--product", "redis", "--url", &url, "--timeout", "2"]);
    out.assert_status(2);
    assert!(out.stderr.contains("error: http://127.0.0.1:"), "{}", out.snapshot());
    assert!(out.stderr.contains("nothing was written"), "{}", out.snapshot());
    assert_eq!(tree(env.root()), before);
}

const GHSA_OPENSSL: &str = r#"{"id":"GHSA-aaaa-bbbb-cccc","aliases":["CVE-2024-0727"],"published":"2024-01-26T00:00:00Z","modified":"2024-02-01T00:00:00Z",
 "summary":"PKCS12 NULL dereference","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H"}],
 "affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"openssl","purl":"pkg:generic/openssl"},
   "ranges":[{"type":"SEMVER","events":[{"introduced":"3.0.0"},{"fixed":"3.0.13"}]}]}]}"#;

const CVE_OPENSSL: &str = r#"{"id":"CVE-2024-0727","aliases":["GHSA-aaaa-bbbb-cccc"],"published":"2024-01-26T00:00:00Z",
 "affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"openssl","purl":"pkg:generic/openssl"},
   "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.1.1"},{"fixed":"1.1.1x"}]}]}]}"#;

const KEV: &str = r#"{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2024.09.01","dateReleased":"2024-09-01T00:00:00.000Z","count":2,
 "vulnerabilities":[{"cveID":"CVE-2024-0727","vendorProject":"OpenSSL","product":"OpenSSL","dateAdded":"2024-02-01","dueDate":"2024-02-22"},
   {"cveID":"CVE-1999-0001","dateAdded":"2022-01-01","dueDate":"2022-02-01"}]}"#;

/// A CVE and its GHSA are one advisory; KEV marks it and keeps the due date; a malformed record is
/// named and skipped while the rest is imported; a re-import changes nothing, and detected_at never moves.
#[test]
fn advisories_import_merges_marks_kev_and_is_idempotent() {
    let env = mini();
    env.write("in/ghsa.json", GHSA_OPENSSL);
    env.write("in/cve.json", CVE_OPENSSL);
    env.write("in/dup.json", format!("[{GHSA_OPENSSL}]"));
    env.write("kev.json", KEV);
    let out = env.run(&["advisories", "import", "in", "kev.json"]);
    out.assert_status(0);
    insta::assert_snapshot!("advisories_import_first", out.snapshot());
    let text = env.read("advisories/CVE-2024-0727.yaml");
    insta::assert_snapshot!("advisories_import_yaml", text);
    // Loadable by the loader, and check sees it.
    let json = env.run(&["check", "--today", "2024-09-01", "--format", "json"]);
    json.assert_status(0);
    let doc = json.json();
    assert_eq!(doc["advisories"][0]["advisory"], "CVE-2024-0727");
    assert_eq!(doc["advisories"][0]["status"], "open", "no class applies in the default policy");
    let first = env.read("inventory/discovery/20240901T100000Z-advisories.yaml");
    assert!(
        first.contains("counts: {records: 3, kev: 2, created: 1, updated: 0, unchanged: 0, duplicates: 2, kev_matched: 1, rejected: 0, stubs: 0}"),
        "{first}"
    );
    assert!(
        first.contains(&format!("  - {{file: \"kev.json\", sha256: {}}}\n", sha256_hex(KEV.as_bytes()))),
        "{first}"
    );
    let (before, _) = split_runs(&env);
    let again = env.run_env(
        &["advisories", "import", "in", "kev.json"],
        &[("GIT_COMMITTER_DATE", "2025-01-01T00:00:00+00:00")],
    );
    again.assert_status(0);
    assert!(
        split_runs(&env).0 == before,
        "a re-import changes nothing but its record:\n{}",
        again.snapshot()
    );
    let second = env.read("inventory/discovery/20250101T000000Z-advisories.yaml");
    assert!(second.contains("created: 0, updated: 0, unchanged: 1,"), "{second}");
    assert!(second.contains("fetched_at: 2025-01-01T00:00:00Z\n"), "{second}");
    // A malformed record among good ones.
    env.write("bad.json", format!(r#"[{{"id": 7}}, {{"id":"OSV-2", "affected": [{{"package":{{"ecosystem":"PyPI","name":"x"}},"ranges":[{{"type":"ECOSYSTEM"}}]}}]}}, {GHSA_OPENSSL}]"#));
    let out = env.run(&["advisories", "import", "bad.json"]);
    out.assert_status(2);
    insta::assert_snapshot!("advisories_import_malformed", out.snapshot());
    // It wrote what it could, so it records the run, with the rejected records counted.
    assert_eq!(split_runs(&env).1.len(), 3);
    let run = env.read("inventory/discovery/20240901T100000Z-2-advisories.yaml");
    assert!(run.contains("rejected: 2,"), "{run}");
    // Not JSON at all: line and column, nothing written.
    env.write("broken.json", "{\n  \"id\": \"X\",\n  oops\n}");
    let before = tree(env.root());
    let out = env.run(&["advisories", "import", "broken.json"]);
    out.assert_status(2);
    assert!(out.stderr.contains("broken.json:3:3"), "{}", out.snapshot());
    assert_eq!(tree(env.root()), before);
}

/// Every OSV record and the whole KEV catalog of the reference data import, and the result loads.
#[test]
#[ignore = "reads ../shared/reference/osv and kev (public data, not in the repository); .ci/run runs it"]
fn advisories_import_reference_records_and_kev() {
    let (records, kev) = (reference("osv/records"), reference("kev/known_exploited_vulnerabilities.json"));
    let env = TestEnv::new();
    let out = env.run(&["advisories", "import", records.to_str().unwrap(), kev.to_str().unwrap()]);
    out.assert_status(0);
    assert!(out.stdout.contains("KEV catalog: "), "{}", out.snapshot());
    let files = std::fs::read_dir(env.path("advisories")).unwrap().count();
    assert!(files >= 9, "{}", out.snapshot());
    let v = env.run(&["validate"]);
    assert!(!v.stderr.contains("error["), "{}", v.snapshot());
    let (before, runs) = split_runs(&env);
    let again = env.run(&["advisories", "import", records.to_str().unwrap(), kev.to_str().unwrap()]);
    again.assert_status(0);
    let (after, runs_after) = split_runs(&env);
    assert!(after == before, "a re-import changes nothing but its run record");
    assert_eq!(runs_after.len(), runs.len() + 1);
}

/// `advisories sync` asks OSV's querybatch about every component with a purl, fetches each record and
/// the KEV catalog, and writes them.
#[test]
fn advisories_sync_from_a_local_server() {
    let env = mini();
    let server = serve(vec![
        (
            "/v1/querybatch",
            200,
            r#"{"results":[{"vulns":[{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-02-01T00:00:00Z"}]},{}]}"#
                .to_string(),
        ),
        ("/v1/vulns/GHSA-aaaa-bbbb-cccc", 200, GHSA_OPENSSL.to_string()),
        ("/kev.json", 200, KEV.to_string()),
    ]);
    let kev_url = format!("{}/kev.json", server.base);
    let out = env.run(&["advisories", "sync", "--url", &server.base, "--kev-url", &kev_url]);
    out.assert_status(0);
    insta::assert_snapshot!("advisories_sync", out.snapshot());
    let text = env.read("advisories/CVE-2024-0727.yaml");
    assert!(text.contains("kev: true\nkev_due: 2024-02-22\n"), "{text}");
    assert!(text.contains("fetched_at: \"2024-09-01T10:00:00Z\""), "{text}");
    assert_eq!(
        server.asked.lock().unwrap().clone(),
        ["/v1/querybatch", "/v1/vulns/GHSA-aaaa-bbbb-cccc", "/kev.json"]
    );
    let run = env.read("inventory/discovery/20240901T100000Z-advisories.yaml");
    let base = &server.base;
    assert!(
        run.contains(&format!("source: {{kind: url, url: \"{base}\", kev_url: \"{kev_url}\"}}\n")),
        "{run}"
    );
    assert!(run.contains("counts: {records: 1, kev: 2, created: 1, updated: 0, unchanged: 0,"), "{run}");
    let urls: Vec<&str> =
        run.lines().filter_map(|l| l.strip_prefix("  - {url: \"")?.split('"').next()).collect();
    assert_eq!(
        urls,
        [format!("{base}/v1/querybatch"), format!("{base}/v1/vulns/GHSA-aaaa-bbbb-cccc"), kev_url.clone()]
    );
    assert!(run.contains(&format!("sha256: {}}}\n", sha256_hex(KEV.as_bytes()))), "{run}");
}

/// The example organisation's advisories give security deadlines on the reference date: OpenSSL
/// CVE-2024-0727 on the 24 OpenSSL servers, PHP's KEV-listed CVE-2024-4577 as an emergency.
#[test]
fn check_shows_the_example_security_deadlines() {
    let env = TestEnv::with_example();
    let out = env.run(&[
        "check",
        "--today",
        "2024-09-01",
        "--status",
        "eol",
        "--system",
        "api-gateway",
        "--system",
        "expense",
    ]);
    out.assert_status(0);
    insta::assert_snapshot!("check_security_table", out.snapshot());
    let json = env.run(&["check", "--today", "2024-09-01", "--format", "json"]).json();
    insta::assert_json_snapshot!("check_security_json", json["advisories"]);
    assert_eq!(json["summary"]["advisories_overdue"], json["advisories"].as_array().unwrap().len());
    // Overdue advisories fail every --fail-on threshold.
    env.run(&["check", "--today", "2024-09-01", "--fail-on", "eol", "--system", "api-gateway"])
        .assert_status(1);
    // The Redis advisory is detected on 2024-10-03: not known on 2024-09-01, open right after.
    let later = env.run(&["check", "--today", "2024-10-03", "--format", "json"]).json();
    let redis: Vec<_> =
        later["advisories"].as_array().unwrap().iter().filter(|a| a["product"] == "redis").collect();
    assert_eq!(redis.len(), 5, "{redis:?}");
    assert!(redis.iter().all(|a| a["status"] == "open" && a["class"] == "important-security"));
    let md = env.run(&[
        "check",
        "--today",
        "2024-09-01",
        "--format",
        "markdown",
        "--lang",
        "zh-CN",
        "--system",
        "expense",
    ]);
    insta::assert_snapshot!("check_security_markdown_zh", md.snapshot());
}

/// A change of the advisory's class that lists it and targets the component links it: `responded`
/// (from its `requested_at` while unapproved), `overdue` once `deploy_by` passes while the version is
/// still affected, `resolved` once the inventory runs a fixed version.
#[test]
fn a_linked_change_responds_then_the_upgrade_resolves() {
    let env = TestEnv::with_example();
    env.write(
        "changes/CHG-2024-020/request.yaml",
        "id: CHG-2024-020\ntitle: PHP 8.2.15 → 8.2.20 (CVE-2024-4577)\nclass: emergency-security\nrequested_by: li.ming\nrequested_at: 2024-06-12T10:00:00+08:00\ntargets:\n  - {system: expense, component: php, from: 8.2.15, to: 8.2.20}\nadvisories: [CVE-2024-4577]\n",
    );
    let item = |today: &str| {
        let doc = env.run(&["check", "--today", today, "--format", "json", "--system", "expense"]).json();
        let a = &doc["advisories"][0];
        (a["status"].as_str().unwrap().to_string(), a["change"].clone(), a["responded_at"].clone())
    };
    let (status, change, responded) = item("2024-06-12");
    assert_eq!(status, "responded");
    assert_eq!(change, "CHG-2024-020");
    assert_eq!(responded, "2024-06-12T10:00:00+08:00");
    assert_eq!(item("2024-06-14").0, "overdue", "deploy_by (24h) passed, still 8.2.15");
    env.edit("inventory/systems/expense.yaml", "8.2.15", "8.2.20");
    assert_eq!(item("2024-09-01").0, "resolved");
    // The other PHP system, without a change, stays overdue.
    let doc =
        env.run(&["check", "--today", "2024-09-01", "--format", "json", "--system", "zabbix-monitor"]).json();
    assert_eq!(doc["advisories"][0]["status"], "overdue");
}

/// An import of nothing fails closed (issue 14, defect 3): a path that does not exist, or a folder
/// without a file to import, exits 2 and writes nothing.
#[test]
fn importing_from_a_wrong_path_exits_2() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path("empty")).unwrap();
    for args in [
        &["catalog", "import", "/nonexistent"][..],
        &["catalog", "import", "empty"],
        &["advisories", "import", "/nonexistent"],
        &["advisories", "import", "empty"],
    ] {
        let out = env.run(args);
        out.assert_status(2);
        assert!(out.stderr.contains("no such file or folder") || out.stderr.contains("no file to import"));
        assert!(!out.stdout.contains("0 products"), "{}", out.snapshot());
    }
    assert!(!env.path("inventory").exists(), "a failed import wrote files");
}

/// CVSS v4 and unscored advisories (issue 14, defect 4): a GHSA record scored only with a critical
/// `CVSS:4.0` vector imports as `critical`; an OSV malicious-package record with no score imports as
/// `unknown` with a warning, and `check` gives it the strictest class — unless a class names
/// `unknown`.
#[test]
fn cvss_v4_and_unscored_advisories() {
    let env = TestEnv::with_example();
    let affected =
        r#"[{"package":{"ecosystem":"npm","name":"jquery","purl":"pkg:npm/jquery"},"versions":["1.12.4"]}]"#;
    env.write(
        "in/ghsa.json",
        format!(
            r#"{{"id":"GHSA-aaaa-bbbb-cccc","summary":"critical","severity":[{{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}],"affected":{affected}}}"#
        ),
    );
    env.write(
        "in/mal.json",
        format!(r#"{{"id":"MAL-2024-0001","summary":"malicious package","affected":{affected}}}"#),
    );
    let out = env.run(&["--today", "2024-09-01", "advisories", "import", "in"]);
    out.assert_status(0);
    assert!(out.stderr.contains("warning[unscored-advisory]"), "{}", out.snapshot());
    assert!(out.stderr.contains("MAL-2024-0001"), "{}", out.snapshot());
    assert!(!out.stderr.contains("GHSA-aaaa-bbbb-cccc"), "{}", out.snapshot());
    assert!(env.read("inventory/advisories/GHSA-aaaa-bbbb-cccc.yaml").contains("\nseverity: critical\n"));
    assert!(env.read("inventory/advisories/MAL-2024-0001.yaml").contains("\nseverity: unknown\n"));
    env.run(&["validate"]).assert_status(0);

    let class_of = |env: &TestEnv, id: &str| {
        let doc = env.run(&["check", "--today", "2024-09-02", "--format", "json"]).json();
        let a = doc["advisories"].as_array().unwrap().iter().find(|a| a["advisory"] == id).cloned();
        let a = a.unwrap_or_else(|| panic!("no {id} in {:#}", doc["advisories"]));
        (a["severity"].as_str().unwrap().to_string(), a["class"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(class_of(&env, "GHSA-aaaa-bbbb-cccc"), ("critical".into(), "emergency-security".into()));
    assert_eq!(class_of(&env, "MAL-2024-0001"), ("unknown".into(), "emergency-security".into()));
    env.edit(
        "policies/ops04.yaml",
        "applies_to: {severity: [high]}",
        "applies_to: {severity: [high, unknown]}",
    );
    assert_eq!(class_of(&env, "MAL-2024-0001"), ("unknown".into(), "important-security".into()));
}

/// `sync --refresh` asks the service although the cache holds a fresh answer; without it the cache
/// answers. A product the service does not know (404) is named with a hint to check the id, not to
/// "run again" (issue 14, defect 9).
#[test]
fn sync_refresh_bypasses_the_cache_and_404_says_check_the_id() {
    let env = mini();
    let server = serve(vec![("/api/v1/products/redis", 200, REDIS_V1.to_string())]);
    let url = format!("{}/api/v1", server.base);
    let asked = || server.asked.lock().unwrap().iter().filter(|p| p.ends_with("/redis")).count();
    let sync = |extra: &[&str]| {
        let mut args = vec!["catalog", "sync", "--product", "redis", "--url", &url, "--timeout", "5"];
        args.extend_from_slice(extra);
        env.run(&args).assert_status(0);
    };
    sync(&[]);
    assert_eq!(asked(), 1);
    sync(&[]);
    assert_eq!(asked(), 1, "a fresh cached answer is used");
    sync(&["--refresh"]);
    assert_eq!(asked(), 2, "--refresh asks the service");
    let out = env.run(&["catalog", "sync", "--product", "nosuch", "--url", &url, "--timeout", "5"]);
    out.assert_status(2);
    assert!(out.stderr.contains("endoflife.date has no product nosuch"), "{}", out.snapshot());
    assert!(out.stderr.contains("check the ids"), "{}", out.snapshot());
    assert!(!out.stderr.contains("run again"), "{}", out.snapshot());
    let out = env.run(&[
        "advisories",
        "sync",
        "--url",
        &url,
        "--kev-url",
        &format!("{url}/nokev"),
        "--timeout",
        "5",
    ]);
    out.assert_status(2);
    assert!(out.stderr.contains("404") && out.stderr.contains("check --url"), "{}", out.snapshot());
}

/// `rules.discovery_every`: `check` shows each kind's latest run and warns (`discovery-missed`) when
/// the next is overdue on `--today` — never before the due day is over, and a kind never run is
/// overdue at once; `--fail-on warn` fails on it, `--fail-on eol` does not. Without the rule, the
/// check JSON has no `discovery` key.
#[test]
fn check_warns_when_discovery_is_overdue() {
    let env = mini();
    env.write("in/redis.json", REDIS_V1);
    env.run(&["catalog", "import", "in/redis.json"]).assert_status(0);
    let json = env.run(&["check", "--today", "2024-10-01", "--format", "json"]).json();
    assert!(json.get("discovery").is_none(), "{json}");
    env.write("policies/policy.yaml", "rules:\n  discovery_every: 1mo\n");
    let on = |day: &str| env.run(&["check", "--today", day, "--format", "json"]).json()["discovery"].clone();
    assert_eq!(
        on("2024-10-01"),
        serde_json::json!({"every": "1mo", "missed": 1, "kinds": [
            {"kind": "catalog", "last": "2024-09-01T10:00:00Z", "due": "2024-10-01T10:00:00Z", "missed": false},
            {"kind": "advisories", "last": null, "due": null, "missed": true}]})
    );
    assert_eq!(on("2024-10-02")["missed"], 2, "the catalog run was due yesterday");
    assert_eq!(on("2024-08-31")["kinds"][0]["last"], serde_json::Value::Null, "a run after today is unknown");
    let table = env.run(&["check", "--today", "2024-10-02"]);
    table.assert_status(0);
    assert!(table.stdout.contains("Discovery runs (rules.discovery_every = 1mo)\n  catalog: last run 2024-09-01 10:00; overdue since 2024-10-01 10:00 (discovery-missed). Run `lifecycle catalog sync` and commit its record.\n  advisories: no run recorded (discovery-missed)."), "{}", table.stdout);
    let zh = env.run(&["check", "--today", "2024-10-02", "--lang", "zh-CN", "--format", "markdown"]);
    assert!(zh.stdout.contains("### 发现运行（rules.discovery_every = 1mo）\n\n- **生命周期目录：最近一次 2024-09-01 10:00；自 2024-10-01 10:00 起逾期"), "{}", zh.stdout);
    env.run(&["check", "--today", "2024-10-01", "--fail-on", "warn"]).assert_status(1);
    env.run(&["check", "--today", "2024-10-01", "--fail-on", "eol"]).assert_status(0);
    env.write("kev.json", KEV);
    env.run_env(
        &["advisories", "import", "kev.json"],
        &[("GIT_COMMITTER_DATE", "2024-09-20T08:00:00+00:00")],
    )
    .assert_status(0);
    assert_eq!(on("2024-10-01")["missed"], 0);
}

/// A run record that is not what the tool writes is a located load error (file, line, column,
/// hint) in `validate` and stops `check`.
#[test]
fn a_malformed_run_record_is_located() {
    let env = mini();
    env.write(
        "inventory/discovery/20240901T100000Z-catalog.yaml",
        "kind: catalog\nsource: {kind: files}\nfetched_at: 2024-09-31T10:00:00Z\ncounts: {products: 1}\ndigest: sha256:00\n",
    );
    env.write("inventory/discovery/notes.yaml", "kind: advisories\nsource: {kind: files}\nfetched_at: 2024-09-01T10:00:00Z\ndigest: sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n");
    let out = env.run(&["validate"]);
    out.assert_status(2);
    let err = &out.stderr;
    assert!(
        err.contains("error[bad-timestamp]")
            && err.contains("--> inventory/discovery/20240901T100000Z-catalog.yaml:3:13"),
        "{err}"
    );
    assert!(
        err.contains("error[bad-value]: `sha256:00` is not a digest")
            && err.contains("20240901T100000Z-catalog.yaml:5:9"),
        "{err}"
    );
    assert!(
        err.contains("error[bad-value]: `notes.yaml` is not the name of a run record")
            && err.contains("hint: run records are named <UTC timestamp>-<kind>.yaml"),
        "{err}"
    );
    env.run(&["check", "--today", "2024-10-01"]).assert_status(2);
}
