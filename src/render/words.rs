//! Words shared by the approval commands' human output: states, decisions, severities, findings.

use crate::eval::approvals::State;
use crate::eval::findings::{Finding, Severity};
use crate::eval::status::Status;
use crate::i18n::Lang;

pub fn state(lang: Lang, s: State) -> &'static str {
    lang.t(&format!("state.{}", s.as_str()))
}

/// A decision word (`approved`, `rejected`, `confirmed`); anything else as written.
pub fn decision(lang: Lang, d: &str) -> String {
    match d {
        "approved" | "rejected" | "confirmed" => lang.t(&format!("decision.{d}")).to_string(),
        other => other.to_string(),
    }
}

/// A sign-off's standing (`valid`, `stale`); a finding code as written.
pub fn standing(lang: Lang, s: &str) -> String {
    match s {
        "valid" | "stale" => lang.t(&format!("standing.{s}")).to_string(),
        other => other.to_string(),
    }
}

pub fn severity(lang: Lang, s: Severity) -> &'static str {
    match s {
        Severity::Error => lang.t("severity.error"),
        Severity::Warning => lang.t("severity.warning"),
    }
}

/// A status in running text: the stable lowercase name in English (`eol`), the word elsewhere.
pub fn status(lang: Lang, s: Option<Status>) -> &'static str {
    match (lang, s) {
        (_, None) => "—",
        (Lang::En, Some(s)) => s.as_str(),
        (lang, Some(s)) => super::status_word(lang, s),
    }
}

/// A finding's message for people. Findings are recorded in English (JSON and SARIF carry them
/// as they are); in another language the code's description comes first, in that language.
pub fn finding(lang: Lang, f: &Finding) -> String {
    match lang {
        Lang::En => f.message.clone(),
        _ => lang.fmt(
            "finding.detail",
            &[("description", &lang.t(&format!("finding.{}", f.code))), ("message", &f.message)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every finding code, state and decision has words in both languages.
    #[test]
    fn every_code_has_words() {
        for lang in [Lang::En, Lang::ZhCn] {
            for (code, description) in crate::eval::findings::CODES {
                let f = Finding::error(code, "detail");
                assert!(finding(lang, &f).contains("detail"), "{code}");
                if lang == Lang::En {
                    assert_eq!(lang.t(&format!("finding.{code}")), *description, "{code}");
                }
            }
            for s in [
                State::Draft,
                State::InReview,
                State::Rejected,
                State::Approved,
                State::Executing,
                State::Complete,
            ] {
                assert!(!state(lang, s).is_empty());
                if lang == Lang::En {
                    assert_eq!(state(lang, s), s.as_str());
                }
            }
            for d in ["approved", "rejected", "confirmed"] {
                assert!(!decision(lang, d).is_empty());
            }
        }
    }
}
