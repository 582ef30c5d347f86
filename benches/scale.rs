//! Scale benchmark: generates synthetic repositories and times the real binary and the library.
//!
//! `cargo bench --bench scale` prints every scenario; `LIFECYCLE_BENCH_SIZES=1000,10000` limits the
//! sizes; `LIFECYCLE_BENCH_GENERATE=DIR:N` only writes a repository (for profiling). Figures and the machine they came from are recorded in docs/performance.md.
#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PRODUCTS: usize = 300;
const CYCLES: usize = 8;

/// Writes a repository of `systems` systems × 3 components over 300 products.
fn generate(root: &Path, systems: usize) {
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
    std::fs::write(
        pol.join("policy.yaml"),
        "eol: {basis: eol, plan_before: 6mo, finish_before: 3mo}\nclasses:\n  replacement: {title: Replacement, chain: [cto]}\n",
    )
    .unwrap();
    std::fs::write(pol.join("people.yaml"), "people:\n  - {id: chen, name: Chen, roles: [cto], keys: []}\n")
        .unwrap();
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
    median(5, || {
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
    })
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
        return;
    }
    // `cargo test --benches` runs this binary with `--bench` absent; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
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
