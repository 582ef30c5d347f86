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
    &["approve"],
    &["reject"],
    &["confirm"],
    &["verify"],
    &["review"],
    &["catalog", "import"],
    &["catalog", "sync"],
    &["advisories", "import"],
    &["advisories", "sync"],
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
