//! `examples/demo.sh` keeps working: the README and the evidence story rely on it.

use std::process::Command;

/// The demo adopts the policy (CHG-2024-001, the CTO signs), walks CHG-2024-003 through the
/// five-stage chain, confirms it, and `verify` passes; the October scan shows the host left on Redis
/// 6.2.14 and an undeclared end-of-life OpenSSL; the monthly discovery runs are recorded and `check`
/// shows them on time.
#[test]
fn the_demo_walks_the_redis_change_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.sh"))
        .arg(&demo)
        .env("LIFECYCLE", env!("CARGO_BIN_EXE_lifecycle"))
        .env("HOME", dir.path())
        .env("LANG", "C")
        .env_remove("LIFECYCLE_TODAY")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("CHG-2024-003 is approved."), "{stdout}");
    assert!(stdout.contains("CHG-2024-003 is complete."), "{stdout}");
    assert!(stdout.contains("verify ok: commits checked: 20"), "{stdout}");
    assert!(stdout.contains("sign-offs: 7, errors: 0, warnings: 0"), "{stdout}");
    assert!(stdout.contains("│ redis-session ┆ centos"), "{stdout}");
    assert!(stdout.contains("7.2.0"), "{stdout}");
    // The October scan: one version drift and one undeclared end-of-life package, and the gate fails.
    assert!(
        stdout.contains("UNDECLARED END-OF-LIFE: redis-session runs openssl 1.0.2k-26.el7_9"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "version drift: redis-session / redis is declared 7.2.0, observed 6.2.14-1.el7.remi, 7.2.0"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("check --fail-on drift: exit 1"), "{stdout}");
    // The monthly discovery runs: each records itself, also when nothing changed, and `check` shows
    // every kind on time on 2024-10-20.
    assert!(stdout.contains("3 products: 0 written, 3 unchanged\ndiscovery run recorded in inventory/discovery/20240801T010000Z-catalog.yaml"), "{stdout}");
    assert!(stdout.contains("Discovery runs (rules.discovery_every = 1mo)\n  catalog: last run 2024-10-01 09:00; next due 2024-11-01 09:00\n  advisories: last run 2024-10-01 09:00; next due 2024-11-01 09:00\n  observations: last run 2024-10-18 10:00; next due 2024-11-18 10:00\n"), "{stdout}");
    let runs: Vec<String> = std::fs::read_dir(demo.join("inventory/discovery"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with("-observe.yaml"))
        .collect();
    assert_eq!(runs.len(), 14, "{runs:?}");
    let run =
        std::fs::read_to_string(demo.join("inventory/discovery/20240801T010000Z-catalog.yaml")).unwrap();
    assert!(run.contains("  - {file: \"endoflife.date/redis.md\", sha256: "), "{run}");
}

/// Without `LIFECYCLE`, the demo builds with cargo and runs the binary where cargo put it: under
/// `CARGO_TARGET_DIR` when that is set (issue 14, defect 8). A stand-in `cargo` and a binary that
/// leaves a mark prove which one ran.
#[test]
fn the_demo_finds_the_binary_under_cargo_target_dir() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let release = dir.path().join("target-elsewhere/release");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&release).unwrap();
    let script = |path: &std::path::Path, text: String| {
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    script(&bin.join("cargo"), "#!/bin/sh\nexit 0\n".into());
    let mark = dir.path().join("ran");
    script(
        &release.join("lifecycle"),
        format!("#!/bin/sh\ntouch '{}'\nexec '{}' \"$@\"\n", mark.display(), env!("CARGO_BIN_EXE_lifecycle")),
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo.sh"))
        .arg(dir.path().join("demo"))
        .current_dir(dir.path())
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", "target-elsewhere")
        .env_remove("LIFECYCLE")
        .env("HOME", dir.path())
        .env("LANG", "C")
        .env_remove("LIFECYCLE_TODAY")
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(mark.exists(), "the demo did not run the binary under CARGO_TARGET_DIR");
}
