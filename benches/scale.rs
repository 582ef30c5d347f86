//! Scale benchmark: generates synthetic repositories and times the real binary and the library.
//!
//! `cargo bench --bench scale` prints every scenario (check, validate, check --at, verify vs git, review,
//! report and kpi over 1,000 changes); `LIFECYCLE_BENCH_SIZES=1000,10000` limits the
//! sizes; `LIFECYCLE_BENCH_GENERATE=DIR:N` only writes a repository (for profiling). Figures and the machine they came from are recorded in docs/performance.md.
#![allow(clippy::print_stdout)]

mod history;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PRODUCTS: usize = 300;
const CYCLES: usize = 8;

/// Writes a repository of `systems` systems × 3 components over 300 products.
fn generate(root: &Path, systems: usize) {
    generate_with(
        root,
        systems,
        "people:\n  - {id: chen, name: Chen, roles: [cto], keys: []}\n",
        history::POLICY
            .replace("[applicant, architect, security-manager, ops-director, cto]", "[cto]")
            .as_str(),
    );
}

/// The version of system `s`'s first component and its product (`generate`'s scheme).
fn first_component(s: usize) -> (String, String) {
    let p = (s * 7) % PRODUCTS;
    let c = 1 + s % CYCLES;
    (format!("product-{p:03}"), format!("{c}.{}.{}", p % 3, s % 20))
}

fn generate_with(root: &Path, systems: usize, people: &str, policy: &str) {
    let products = root.join("inventory/products");
    let sys = root.join("inventory/systems");
    let pol = root.join("policies");
    for d in [&products, &sys, &pol] {
        std::fs::create_dir_all(d).unwrap();
    }
    for p in 0..PRODUCTS {
        let mut text = format!(
            "product: product-{p:03}\ntitle: Product {p}\nidentifiers: [{{purl: pkg:generic/product-{p:03}}}]\ncycles:\n"
        );
        for c in (1..=CYCLES).rev() {
            // End dates spread over 2020–2031 so every status occurs.
            let year = 2019 + c + (p % 4);
            let month = 1 + (p * 7 + c) % 12;
            let _ = writeln!(
                text,
                "  - cycle: \"{c}.{m}\"\n    released: {y}-01-15\n    eol: {year}-{month:02}-28\n    latest: \"{c}.{m}.9\"",
                m = p % 3,
                y = year - 3
            );
        }
        std::fs::write(products.join(format!("product-{p:03}.yaml")), text).unwrap();
    }
    for s in 0..systems {
        let mut text = format!(
            "id: system-{s:05}\nname: Synthetic system {s}\nowner: team-{}\ncriticality: {}\nenvironments: [gray, production]\nhosts: {}\ncomponents:\n",
            s % 40,
            ["low", "medium", "high", "critical"][s % 4],
            1 + s % 16
        );
        for j in 0..3 {
            let p = (s * 7 + j * 101) % PRODUCTS;
            let c = 1 + (s + j) % CYCLES;
            let _ = writeln!(text, "  - product: product-{p:03}\n    version: \"{c}.{}.{}\"", p % 3, s % 20);
        }
        std::fs::write(sys.join(format!("system-{s:05}.yaml")), text).unwrap();
    }
    std::fs::write(pol.join("policy.yaml"), policy).unwrap();
    std::fs::write(pol.join("people.yaml"), people).unwrap();
}

fn git(root: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()
        .expect("git runs")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// Median wall time of `runs` executions.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn binary(root: &Path, args: &[&str]) -> Duration {
    median(5, || run(root, args))
}

/// The median time of `args` over 5 runs, each after `prepare` (not timed).
fn binary_prepared(root: &Path, args: &[&str], mut prepare: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            prepare();
            let t = Instant::now();
            run(root, args);
            t.elapsed()
        })
        .collect();
    times.sort();
    times[2]
}

fn run(root: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_lifecycle"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("lifecycle runs");
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "lifecycle {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Peak resident memory of one run, in MiB, when /usr/bin/time is available.
fn peak_rss(root: &Path, args: &[&str]) -> Option<f64> {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_lifecycle"))
        .args(args)
        .current_dir(root)
        .env("NO_COLOR", "1")
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().find(|l| l.contains("Maximum resident set size"))?;
    let kb: f64 = line.rsplit(':').next()?.trim().parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // `LIFECYCLE_BENCH_GENERATE=DIR:N cargo bench --bench scale` only writes a repository, for profiling.
    if let Ok(spec) = std::env::var("LIFECYCLE_BENCH_GENERATE") {
        let (dir, n) = spec.rsplit_once(':').expect("DIR:N");
        generate(Path::new(dir), n.parse().expect("N is a number"));
        // `LIFECYCLE_BENCH_OBSERVED=1` adds one observation file per system.
        if std::env::var_os("LIFECYCLE_BENCH_OBSERVED").is_some() {
            write_observations(Path::new(dir), n.parse().expect("N is a number"));
        }
        return;
    }
    // `cargo test --benches` runs this binary with `--bench` absent; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    // `LIFECYCLE_BENCH_ONLY=observe` runs only the observation scenarios.
    if std::env::var("LIFECYCLE_BENCH_ONLY").as_deref() == Ok("observe") {
        observe_scenario();
        return;
    }
    let sizes: Vec<usize> = std::env::var("LIFECYCLE_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 50_000]);
    println!(
        "lifecycle scale benchmark ({} cores)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    println!("{:<34} {:>10} {:>12} {:>10}", "scenario", "systems", "median", "peak MiB");
    let mut per_system = Vec::new();
    for &n in &sizes {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        generate(root, n);
        git(root, &["init", "-q", "-b", "main"]);
        git(root, &["add", "-A"]);
        git(root, &["commit", "-q", "-m", "synthetic inventory"]);

        let today = ["--today", "2026-01-15"];
        let scenarios: Vec<(&str, Vec<&str>)> = vec![
            ("check --format json", [&today[..], &["check", "--format", "json"]].concat()),
            ("check (table)", [&today[..], &["check"]].concat()),
            ("validate", vec!["validate", "-q"]),
            (
                "check --at HEAD --format json",
                [&today[..], &["check", "--at", "HEAD", "--format", "json"]].concat(),
            ),
        ];
        for (name, args) in scenarios {
            let t = binary(root, &args);
            let rss = peak_rss(root, &args).map(|m| format!("{m:.1}")).unwrap_or_else(|| "-".into());
            println!("{name:<34} {n:>10} {:>10.3} s {rss:>10}", t.as_secs_f64());
            if name == "check --format json" {
                per_system.push((n, t.as_secs_f64()));
            }
        }
        // The library alone, without process start and output.
        let t = median(5, || {
            let loaded = lifecycle::load::load(&lifecycle::load::WorkTree::new(root));
            let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
            let items = lifecycle::eval::status::evaluate(&loaded.repo, today, &Default::default());
            assert_eq!(items.len(), n * 3);
        });
        println!("{:<34} {n:>10} {:>10.3} s {:>10}", "library: load + evaluate", t.as_secs_f64(), "-");
    }
    verify_scenario();
    observe_scenario();
    if per_system.len() > 1 {
        let (n0, t0) = per_system[0];
        let (n1, t1) = per_system[per_system.len() - 1];
        println!(
            "growth check --format json: {:.1}× the time for {:.0}× the systems (linear = equal)",
            t1 / t0,
            n1 as f64 / n0 as f64
        );
    }
}

/// `verify` over 5,000 sign-offs (1,000 changes × 5 stages, plus requests and upgrades) on a
/// 10,000-system repository, against `git log --show-signature` over the same commits.
fn verify_scenario() {
    let changes: usize =
        std::env::var("LIFECYCLE_BENCH_CHANGES").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000);
    let dir = tempfile::tempdir().unwrap();
    let keys_dir = tempfile::tempdir().unwrap();
    // LIFECYCLE_BENCH_KEEP=1 keeps the repository for profiling.
    let root = &if std::env::var_os("LIFECYCLE_BENCH_KEEP").is_some() {
        dir.keep()
    } else {
        dir.path().to_path_buf()
    };
    let (people, keys) = history::people(keys_dir.path());
    generate_with(root, 10_000, &people, history::POLICY);
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "synthetic inventory"]);
    let t = Instant::now();
    let commits = history::signed_history(root, &keys, changes, |c| {
        let (product, from) = first_component(c);
        let to = format!("{from}.1");
        (format!("inventory/systems/system-{c:05}.yaml"), product, from, to)
    });
    println!(
        "(generated {commits} commits with {} signed sign-offs in {:.1} s)",
        changes * 5,
        t.elapsed().as_secs_f64()
    );

    // Real repositories are packed; both tools are timed on the same packed repository.
    git(root, &["gc", "-q"]);
    let full = ["verify", "-q", "--no-cache"];
    let ours = binary(root, &full);
    let rss = peak_rss(root, &full).map(|m| format!("{m:.1}")).unwrap_or_else(|| "-".into());
    println!(
        "{:<34} {:>10} {:>10.3} s {rss:>10}",
        format!("verify --no-cache ({} sign-offs)", changes * 5),
        10_000,
        ours.as_secs_f64()
    );

    report_scenario(root, changes);
    incremental_verify(root);

    if std::env::var_os("LIFECYCLE_BENCH_KEEP").is_some() {
        println!("(kept {}; git comparison skipped)", root.display());
        return;
    }
    let allowed = keys_dir.path().join("allowed_signers");
    let lines: Vec<String> = history::ROLES
        .iter()
        .map(|(id, _)| {
            let public = std::fs::read_to_string(keys_dir.path().join(format!("{id}.pub"))).unwrap();
            format!("{id}@example.com namespaces=\"git\" {}", public.trim())
        })
        .collect();
    std::fs::write(&allowed, lines.join("\n") + "\n").unwrap();
    let theirs = median(3, || {
        let out = Command::new("git")
            .args([
                "-c",
                &format!("gpg.ssh.allowedSignersFile={}", allowed.display()),
                "log",
                "--show-signature",
                "--format=%H",
                // The commits `verify --no-cache` checked (the incremental scenario added one).
                "HEAD~1",
            ])
            .current_dir(root)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git runs");
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.matches("Good \"git\" signature").count() >= changes * 5,
            "git verified every signature"
        );
    });
    println!(
        "{:<34} {:>10} {:>10.3} s {:>10}",
        "git log --show-signature",
        10_000,
        theirs.as_secs_f64(),
        "-"
    );
    println!(
        "verify is {:.1}× faster than git's own verification (target ≥ 20×)",
        theirs.as_secs_f64() / ours.as_secs_f64()
    );

    // `review` of a 10-file change (ten systems' versions bumped) against main.
    git(root, &["checkout", "-q", "-b", "pr"]);
    for c in 0..10 {
        let s = 5_000 + c;
        let (_, from) = first_component(s);
        let path = root.join(format!("inventory/systems/system-{s:05}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap().replacen(
            &format!("version: \"{from}\""),
            &format!("version: \"{from}.9\""),
            1,
        );
        std::fs::write(&path, text).unwrap();
    }
    git(root, &["commit", "-q", "-am", "ten upgrades"]);
    let t = binary(root, &["review", "--base", "main", "--format", "json"]);
    let rss = peak_rss(root, &["review", "--base", "main", "--format", "json"])
        .map(|m| format!("{m:.1}"))
        .unwrap_or_else(|| "-".into());
    println!("{:<34} {:>10} {:>10.3} s {rss:>10}", "review (10 files changed)", 10_000, t.as_secs_f64());
}

/// `verify` after one new commit, its cache holding the commit before (SPEC §9: under 0.2 s).
fn incremental_verify(root: &Path) {
    run(root, &["verify", "-q"]);
    let cache = root.join(".git/lifecycle");
    let saved: Vec<(std::path::PathBuf, Vec<u8>)> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    assert!(!saved.is_empty(), "verify wrote its cache");
    history::append(
        root,
        &[(
            "changes/CHG-2026-0001/request.yaml",
            b"id: CHG-2026-0001\ntitle: next upgrade\nclass: replacement\nrequested_by: li.ming\nrequested_at: 2026-12-01T10:00:00+08:00\ntargets:\n  - {system: system-09999}\n",
        )],
        "CHG-2026-0001: request",
    );
    let t = binary_prepared(root, &["verify", "-q"], || {
        for (path, bytes) in &saved {
            std::fs::write(path, bytes).unwrap();
        }
    });
    println!("{:<34} {:>10} {:>10.3} s {:>10}", "verify after one new commit", 10_000, t.as_secs_f64(), "-");
}

/// `report` (JSON and HTML) and `kpi` over a period holding every change of the signed history: the
/// generated commits are a minute apart from the initial commit on, so the period runs from the day
/// before the first commit to the day after the head.
fn report_scenario(root: &Path, changes: usize) {
    let repo = git2::Repository::open(root).unwrap();
    let head = repo.head().unwrap().peel_to_commit().unwrap();
    let mut first = head.clone();
    while let Ok(parent) = first.parent(0) {
        first = parent;
    }
    let day = |c: &git2::Commit, shift: i64| {
        chrono::DateTime::from_timestamp(c.time().seconds() + shift * 86_400, 0)
            .unwrap()
            .date_naive()
            .to_string()
    };
    let (from, to) = (day(&first, -1), day(&head, 1));
    let period = ["--today", to.as_str(), "report", "--from", from.as_str(), "--to", to.as_str()];
    // Every change is in the population.
    let out = Command::new(env!("CARGO_BIN_EXE_lifecycle"))
        .args(period)
        .args(["--format", "json"])
        .current_dir(root)
        .output()
        .expect("lifecycle runs");
    assert!(out.status.success(), "report: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("report JSON");
    assert_eq!(v["changes"]["requests"].as_array().map(Vec::len), Some(changes), "every change reported");
    for (name, format) in [("report --format json", "json"), ("report --format html", "html")] {
        let args = [&period[..], &["--format", format]].concat();
        let t = binary(root, &args);
        let rss = peak_rss(root, &args).map(|m| format!("{m:.1}")).unwrap_or_else(|| "-".into());
        println!(
            "{:<34} {:>10} {:>10.3} s {rss:>10}",
            format!("{name} ({changes} changes)"),
            10_000,
            t.as_secs_f64()
        );
    }
    let kpi =
        ["--today", to.as_str(), "kpi", "--from", from.as_str(), "--to", to.as_str(), "--format", "json"];
    let t = binary(root, &kpi);
    let rss = peak_rss(root, &kpi).map(|m| format!("{m:.1}")).unwrap_or_else(|| "-".into());
    println!("{:<34} {:>10} {:>10.3} s {rss:>10}", "kpi --format json", 10_000, t.as_secs_f64());
}

/// A CycloneDX 1.6 SBOM of `n` components: one in ten is a catalog product (`pkg:generic/product-NNN`),
/// the rest npm packages the catalog does not know.
fn sbom(n: usize) -> String {
    let mut out = String::from(
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.6\",\n  \"metadata\": {\"timestamp\": \"2026-01-10T02:00:00Z\", \"component\": {\"type\": \"application\", \"name\": \"system-00000\"}},\n  \"components\": [\n",
    );
    for i in 0..n {
        let (name, purl) = if i % 10 == 0 {
            let p = i % PRODUCTS;
            (
                format!("product-{p:03}"),
                format!("pkg:generic/product-{p:03}@{}.{}.{}", 1 + i % CYCLES, p % 3, i % 20),
            )
        } else {
            (format!("package-{i}"), format!("pkg:npm/package-{i}@1.{}.{}", i % 7, i % 13))
        };
        let version = purl.rsplit('@').next().unwrap_or("1.0.0").to_string();
        let comma = if i + 1 < n { "," } else { "" };
        let _ = writeln!(
            out,
            "    {{\"type\": \"library\", \"bom-ref\": \"{purl}\", \"name\": \"{name}\", \"version\": \"{version}\", \"purl\": \"{purl}\"}}{comma}"
        );
    }
    out.push_str("  ]\n}\n");
    out
}

/// One observation file per system (`generate`'s scheme): the three declared products, the first at
/// another patch level every fifth system, and two packages the catalog does not know.
fn write_observations(root: &Path, systems: usize) {
    for s in 0..systems {
        let mut components = Vec::new();
        for j in 0..3 {
            let p = (s * 7 + j * 101) % PRODUCTS;
            let c = 1 + (s + j) % CYCLES;
            let patch = if j == 0 && s % 5 == 0 { s % 20 + 1 } else { s % 20 };
            components.push(lifecycle::model::observed::Observed {
                product: format!("product-{p:03}"),
                version: format!("{c}.{}.{patch}", p % 3),
                raw: None,
                purl: Some(format!("pkg:generic/product-{p:03}")),
                cpe: None,
            });
        }
        for k in 0..2 {
            components.push(lifecycle::model::observed::Observed {
                product: format!("lib-{k}"),
                version: "1.0.0".into(),
                raw: None,
                purl: Some(format!("pkg:npm/lib-{k}@1.0.0")),
                cpe: None,
            });
        }
        let collected_at = chrono::DateTime::parse_from_rfc3339("2026-01-10T02:00:00Z").unwrap();
        let system = format!("system-{s:05}");
        let text = lifecycle::discovery::observe::render(&lifecycle::discovery::observe::Observation {
            system: &system,
            host: "host-1",
            format: lifecycle::discovery::observe::Format::Csv,
            file: "scan.csv",
            digest: "sha256:0",
            collected_at,
            components: &components,
        });
        let dir = root.join("inventory/observed").join(&system);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("host-1.yaml"), text).unwrap();
    }
}

/// `observe import` of a 10,000-component SBOM, and `check` on 10,000 systems with and without one
/// observation file each.
fn observe_scenario() {
    let n = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    generate(root, n);
    let bom = root.join("bom.json");
    std::fs::write(&bom, sbom(n)).unwrap();
    let bom = bom.display().to_string();
    let import = median(5, || {
        let _ = std::fs::remove_dir_all(root.join("inventory/observed"));
        let _ = std::fs::remove_dir_all(root.join("inventory/discovery"));
        let out = Command::new(env!("CARGO_BIN_EXE_lifecycle"))
            .args(["observe", "import", "-q", &bom])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .output()
            .expect("lifecycle runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    });
    let rss = peak_rss(root, &["observe", "import", "-q", &bom])
        .map(|m| format!("{m:.1}"))
        .unwrap_or_else(|| "-".into());
    println!(
        "{:<34} {:>10} {:>10.3} s {rss:>10}",
        "observe import (10,000 components)",
        1,
        import.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(root.join("inventory/observed"));
    let args = ["--today", "2026-01-15", "check", "--format", "json"];
    let without = binary(root, &args);
    write_observations(root, n);
    let with = binary(root, &args);
    let rss = peak_rss(root, &args).map(|m| format!("{m:.1}")).unwrap_or_else(|| "-".into());
    println!("{:<34} {n:>10} {:>10.3} s {:>10}", "check --format json (no obs.)", without.as_secs_f64(), "-");
    println!("{:<34} {n:>10} {:>10.3} s {rss:>10}", "check --format json (+1 obs. each)", with.as_secs_f64());
    println!(
        "observations cost: {:.2}× the time without (target ≤ 2×)",
        with.as_secs_f64() / without.as_secs_f64()
    );
}
