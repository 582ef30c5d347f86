//! `--help` in the user's language: clap's text comes from doc comments (English); for another
//! language the summaries of the commands and the global flags are replaced from the i18n tables.
//! Examples stay as they are (commands are the same in every language).

use std::ffi::OsString;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::i18n::Lang;

/// `--lang X` / `--lang=X` on the command line, when it names a language.
pub fn lang_of_args(args: &[OsString]) -> Option<Lang> {
    use clap::ValueEnum;
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        let value = match a.strip_prefix("--lang=") {
            Some(v) => v.to_string(),
            None if a == "--lang" => it.next()?.to_string(),
            None => continue,
        };
        return Lang::from_str(&value, true).ok();
    }
    None
}

/// The command line's definition, with its help in `lang`.
pub fn localized(lang: Lang) -> clap::Command {
    let cmd = Cli::command();
    if lang == Lang::En {
        return cmd;
    }
    localize(cmd, lang, "")
}

fn localize(mut cmd: clap::Command, lang: Lang, path: &str) -> clap::Command {
    let key = if path.is_empty() { "help.about".to_string() } else { format!("help.cmd.{path}") };
    if let Some(text) = lang.try_t(&key) {
        cmd = cmd.about(text).long_about(None);
    }
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        if let Some(text) = lang.try_t(&format!("help.arg.{id}")) {
            cmd = cmd.mut_arg(id, |a| a.help(text).long_help(None));
        }
    }
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        let sub_path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
        cmd = cmd.mut_subcommand(name, |sub| localize(sub, lang, &sub_path));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_from_the_command_line() {
        let args = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(lang_of_args(&args(&["lifecycle", "--lang", "zh-CN", "check"])), Some(Lang::ZhCn));
        assert_eq!(lang_of_args(&args(&["lifecycle", "--lang=en", "--help"])), Some(Lang::En));
        assert_eq!(lang_of_args(&args(&["lifecycle", "check"])), None);
        assert_eq!(lang_of_args(&args(&["lifecycle", "--lang"])), None);
    }

    /// Every command and subcommand has a Chinese summary, and every global flag Chinese help.
    #[test]
    fn every_command_has_a_chinese_summary() {
        fn walk(cmd: &clap::Command, path: &str) {
            if !cmd.is_hide_set() {
                let key = if path.is_empty() { "help.about".into() } else { format!("help.cmd.{path}") };
                assert!(Lang::ZhCn.try_t(&key).is_some(), "no {key}");
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let p = if path.is_empty() {
                    sub.get_name().to_string()
                } else {
                    format!("{path}.{}", sub.get_name())
                };
                walk(sub, &p);
            }
        }
        let cmd = Cli::command();
        walk(&cmd, "");
        for arg in cmd.get_arguments().filter(|a| a.is_global_set()) {
            assert!(
                Lang::ZhCn.try_t(&format!("help.arg.{}", arg.get_id())).is_some(),
                "no help for --{}",
                arg.get_id()
            );
        }
        localized(Lang::ZhCn).debug_assert();
    }
}
