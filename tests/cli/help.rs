//! `--help` of every command, as snapshots: the interface changes only on purpose.

use crate::common::TestEnv;

const COMMANDS: &[&[&str]] = &[
    &[],
    &["check"],
    &["validate"],
    &["change"],
    &["change", "new"],
    &["change", "list"],
    &["change", "show"],
    &["people"],
    &["people", "add"],
    &["people", "remove"],
    &["people", "rotate"],
    &["approve"],
    &["reject"],
    &["confirm"],
    &["verify"],
    &["review"],
    &["report"],
    &["kpi"],
    &["catalog", "import"],
    &["catalog", "sync"],
    &["advisories", "import"],
    &["advisories", "sync"],
    &["observe", "import"],
    &["init"],
    &["schema"],
    &["calendar"],
    &["completions"],
    &["man"],
];

/// Every command's `--help` is stable and lists examples.
#[test]
fn help_of_every_command() {
    let env = TestEnv::new();
    for command in COMMANDS {
        let mut args: Vec<&str> = command.to_vec();
        args.push("--help");
        let out = env.run(&args);
        assert_eq!(out.status, 0, "{args:?}: {}", out.stderr);
        let name = if command.is_empty() { "lifecycle".to_string() } else { command.join("_") };
        insta::assert_snapshot!(format!("help_{name}"), out.stdout);
    }
}

/// A usage error exits 2 with clap's message on stderr.
#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::new();
    let out = env.run(&["check", "--format", "yaml"]);
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("invalid value 'yaml'"), "{}", out.stderr);
}

/// Completion scripts for every shell name the commands; the man page is roff and lists them too.
#[test]
fn completions_and_man_page() {
    let env = TestEnv::new();
    for (shell, marker) in [
        ("bash", "complete -F _lifecycle"),
        ("zsh", "#compdef lifecycle"),
        ("fish", "complete -c lifecycle"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = env.run(&["completions", shell]);
        out.assert_status(0);
        assert!(out.stdout.contains(marker), "{shell}: no {marker:?}");
        for command in ["check", "calendar", "approve", "init"] {
            assert!(out.stdout.contains(command), "{shell}: no {command}");
        }
    }
    env.run(&["completions", "tcsh"]).assert_status(2);
    let man = env.run(&["man"]);
    man.assert_status(0);
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH lifecycle"), "{}", &man.stdout[..200]);
    assert!(man.stdout.contains("calendar"));
    let written = env.run(&["man", "--out-dir", "man1"]);
    written.assert_status(0);
    assert!(env.path("man1/lifecycle.1").is_file());
    assert!(env.path("man1/lifecycle-check.1").is_file());
    // Issue 14: `man --out-dir` says what it wrote, and `man` is listed in --help.
    assert!(written.stdout.contains("wrote man1/lifecycle.1\n"), "{}", written.snapshot());
    assert!(written.stdout.contains("wrote man1/lifecycle-people-add.1\n"), "{}", written.snapshot());
    assert!(env.run(&["--help"]).stdout.contains("\n  man "));
}

/// Every man page reads without a groff warning on a UTF-8 terminal and under `LANG=C` (ASCII), and
/// its Chinese examples show there as `?`, not as nothing (issue 14, defect 9).
#[test]
fn man_pages_pass_groff_in_utf8_and_ascii() {
    let env = TestEnv::new();
    env.run(&["man", "--out-dir", "man1"]).assert_status(0);
    let pages: Vec<_> = std::fs::read_dir(env.path("man1")).unwrap().flatten().map(|e| e.path()).collect();
    assert!(pages.len() > 20, "{pages:?}");
    for page in &pages {
        let text = std::fs::read_to_string(page).unwrap();
        assert!(text.is_ascii(), "{} is not ASCII", page.display());
        for device in ["-Tutf8", "-Tascii"] {
            let out = env.program_output("groff", &["-ww", "-man", device, page.to_str().unwrap()], &[]);
            assert_eq!(out.status, 0, "groff {device} {}:\n{}", page.display(), out.snapshot());
            assert_eq!(out.stderr, "", "groff {device} {} warns", page.display());
        }
    }
    let top = env.program_output(
        "groff",
        &["-man", "-Tascii", env.path("man1/lifecycle.1").to_str().unwrap()],
        &[],
    );
    assert!(top.stdout.contains("-m \"??????\""), "{}", top.stdout);
    let utf8 =
        env.program_output("groff", &["-man", "-Tutf8", env.path("man1/lifecycle.1").to_str().unwrap()], &[]);
    assert!(utf8.stdout.contains("王强"), "{}", utf8.stdout);
}

/// `--help` in Chinese, from `--lang` or from `LANG`: the summaries of commands and global flags.
#[test]
fn help_in_chinese() {
    let env = TestEnv::new();
    let out = env.run(&["--lang", "zh-CN", "--help"]);
    out.assert_status(0);
    insta::assert_snapshot!("help_lifecycle_zh_cn", out.stdout);
    let check = env.run_env(&["check", "--help"], &[("LANG", "zh_CN.UTF-8")]);
    check.assert_status(0);
    assert!(check.stdout.starts_with("显示每个系统的生命周期状态"), "{}", check.stdout);
    // An explicit --lang wins over LANG.
    let en = env.run_env(&["--lang", "en", "check", "--help"], &[("LANG", "zh_CN.UTF-8")]);
    assert!(en.stdout.starts_with("Show each system"), "{}", en.stdout);
}

/// Every command's `--help` shows examples.
#[test]
fn every_command_has_examples() {
    let env = TestEnv::new();
    for command in COMMANDS {
        let mut args: Vec<&str> = command.to_vec();
        args.push("--help");
        let out = env.run(&args);
        assert!(out.stdout.contains("Example"), "{args:?} has no examples");
    }
}
