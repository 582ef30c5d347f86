//! Terminal manners: broken pipes exit quietly, colours only when asked for or on a terminal.

use std::process::Stdio;

use crate::common::{BIN, TestEnv};

const TODAY: &str = "2024-09-01";

/// `lifecycle check | head -1`: the reader goes away, lifecycle exits 0 without a word on stderr.
#[test]
fn check_into_head_exits_0_quietly() {
    let env = TestEnv::with_example();
    // Enough output that the pipe fills before `head` is gone: every component, as JSON, of
    // the example organisation copied 30 times over.
    let systems = env.path("inventory/systems");
    for entry in std::fs::read_dir(&systems).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if !text.contains(&format!("id: {stem}\n")) {
            continue; // a file holding `systems: [...]`
        }
        for n in 0..30 {
            let copy = text.replacen(&format!("id: {stem}"), &format!("id: {stem}-{n}"), 1);
            std::fs::write(systems.join(format!("{stem}-{n}.yaml")), copy).unwrap();
        }
    }
    for format in ["table", "json"] {
        let script = format!(
            "set -o pipefail; '{BIN}' --today {TODAY} check --format {format} 2>stderr.txt | head -1 >/dev/null; echo \"${{PIPESTATUS[0]}}\""
        );
        let out = env.command("bash").args(["-c", &script]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0", "{format}: exit status of lifecycle");
        assert_eq!(env.read("stderr.txt"), "", "{format}: stderr");
    }
}

/// Writing into a pipe whose reader is already gone: exit 0, nothing on stderr (every command).
#[test]
fn closed_stdout_exits_0_quietly() {
    let env = TestEnv::with_example();
    for args in [
        &["check"][..],
        &["check", "--format", "json"],
        &["calendar"],
        &["schema", "system"],
        &["completions", "bash"],
        &["--help"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = env
            .command(BIN)
            .args(["--today", TODAY])
            .args(args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// Colours: never when not a terminal (`auto`), never with `--color never`, always with `--color
/// always`; `NO_COLOR` only matters under `auto`.
#[test]
fn colours_only_when_wanted() {
    let env = TestEnv::with_example();
    let esc = |args: &[&str], env_vars: &[(&str, &str)]| {
        let mut all = vec!["--today", TODAY];
        all.extend_from_slice(args);
        env.run_env(&all, env_vars).stdout.contains('\x1b')
    };
    assert!(!esc(&["check"], &[("NO_COLOR", "")]), "auto, not a terminal");
    assert!(!esc(&["--color", "never", "check"], &[]));
    assert!(esc(&["--color", "always", "check"], &[]));
    assert!(!esc(&["--color", "always", "check", "--format", "json"], &[]), "JSON is never coloured");
    // Issue 14: CLICOLOR_FORCE colours a pipe; NO_COLOR still wins; TERM=dumb and CLICOLOR=0 do not
    // colour a terminal.
    assert!(esc(&["check"], &[("NO_COLOR", ""), ("CLICOLOR_FORCE", "1")]), "CLICOLOR_FORCE");
    assert!(!esc(&["check"], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]), "NO_COLOR wins");
    let on_terminal = |vars: &[(&str, &str)]| {
        let cmd = format!("'{BIN}' --today {TODAY} check --system billing");
        let mut c = env.command("script");
        c.args(["-qec", &cmd, "/dev/null"]).env_remove("NO_COLOR");
        for (k, v) in vars {
            c.env(k, v);
        }
        let out = c.output().expect("script (util-linux) runs the binary on a pseudo-terminal");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).contains('\x1b')
    };
    assert!(on_terminal(&[("TERM", "xterm")]), "a terminal is coloured");
    assert!(!on_terminal(&[("TERM", "dumb")]), "TERM=dumb");
    assert!(!on_terminal(&[("TERM", "xterm"), ("CLICOLOR", "0")]), "CLICOLOR=0");
}

/// Not a terminal: tables are never truncated, whatever `COLUMNS` says.
#[test]
fn no_truncation_when_not_a_terminal() {
    let env = TestEnv::with_example();
    let narrow = env.run_env(&["--today", TODAY, "check"], &[("COLUMNS", "60")]);
    narrow.assert_status(0);
    assert_eq!(narrow.stdout, env.run(&["--today", TODAY, "check"]).stdout);
    assert!(narrow.stdout.lines().any(|l| l.chars().count() > 60));
}

/// On a terminal (a pseudo-terminal from `script`), the table fits `COLUMNS`: every row one line,
/// long cells cut with an ellipsis. Skipped where `script` is not installed.
#[test]
fn tables_fit_the_terminal() {
    let env = TestEnv::with_example();
    if env.command("script").arg("--version").output().is_err() {
        return;
    }
    let cmd = format!("'{BIN}' --today {TODAY} check --system redis-session --system billing");
    let out = env.command("script").args(["-qec", &cmd, "/dev/null"]).env("COLUMNS", "100").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with('│')).collect();
    assert_eq!(rows.len(), 1 + 5, "header and five components, one line each:\n{text}");
    for line in text.lines() {
        assert!(line.chars().count() <= 100, "{} columns: {line}", line.chars().count());
    }
    assert!(text.contains('…'), "nothing was cut:\n{text}");
}

/// `verify` on a terminal draws its progress bar on stderr and clears it; the result is unchanged;
/// `-v` adds the timing line on stderr.
#[test]
fn verify_on_a_terminal() {
    let env = TestEnv::with_example();
    env.git_init();
    env.commit_all("the example organisation");
    env.edit("inventory/systems/redis-session.yaml", "hosts: 8", "hosts: 9");
    env.commit_all("one more host");
    let plain = env.run(&["verify"]);
    plain.assert_status(0);
    if env.command("script").arg("--version").output().is_err() {
        return;
    }
    let cmd = format!("'{BIN}' verify -v");
    let out = env.command("script").args(["-qec", &cmd, "/dev/null"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(text.contains(plain.stdout.trim()), "{text}");
    assert!(text.contains("verify: commits: 1, sign-offs: 0, in "), "{text}");
    let quiet = env.run(&["verify", "-q"]);
    assert_eq!(quiet.stderr, "");
}

/// `report` on a terminal (where a progress bar may be drawn on stderr and cleared) prints the same
/// evidence pack as to a pipe.
#[test]
fn report_on_a_terminal() {
    let env = TestEnv::with_example();
    env.git_init();
    env.commit_all("the example organisation");
    let args = ["--today", "2024-12-31", "report", "--from", "2024-07-01", "--to", "2024-12-31"];
    let plain = env.run(&args);
    plain.assert_status(0);
    if env.command("script").arg("--version").output().is_err() {
        return;
    }
    let cmd = format!("'{BIN}' {}", args.join(" "));
    let out = env.command("script").args(["-qec", &cmd, "/dev/null"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    let first = plain.stdout.lines().next().unwrap();
    assert!(text.contains(first), "{text}");
    assert!(text.contains("## 8. How to verify this report"), "{text}");
}

/// On an 80-column terminal dates, versions and statuses stay whole; the long text columns are the
/// ones cut (issue 14, defect 9).
#[test]
fn an_80_column_terminal_keeps_dates_whole() {
    let env = TestEnv::with_example();
    let cmd = format!("'{BIN}' --today {TODAY} --color never check --system redis-session --system billing");
    let out = env.command("script").args(["-qec", &cmd, "/dev/null"]).env("COLUMNS", "80").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    for whole in ["2024-06-30", "2024-12-31", "2030-12-31", "7.9.2009", "unknown"] {
        assert!(text.contains(whole), "{whole} was cut:\n{text}");
    }
    for line in text.lines().filter(|l| l.starts_with(['│', '┌', '└'])) {
        assert!(line.chars().count() <= 80, "{} columns: {line}", line.chars().count());
    }
}
