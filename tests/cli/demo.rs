//! `examples/demo.sh` keeps working: the README and the evidence story rely on it.

use std::process::Command;

/// The demo walks CHG-2024-003 through the five-stage chain, confirms it, and `verify` passes.
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
    assert!(stdout.contains("verify ok: commits checked: 11"), "{stdout}");
    assert!(stdout.contains("sign-offs: 6, errors: 0, warnings: 0"), "{stdout}");
    assert!(stdout.contains("│ redis-session ┆ centos"), "{stdout}");
    assert!(stdout.contains("7.2.0"), "{stdout}");
}
