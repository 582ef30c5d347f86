//! Words shared by the commands' and the report's human output: states, decisions, severities,
//! findings, durations, outcomes, counts with their plural, rules as sentences and role titles.
//! Chinese text uses full-width punctuation; the helpers that join or bracket pick the right marks.

use crate::eval::approvals::State;
use crate::eval::findings::{Finding, Severity};
use crate::eval::status::Status;
use crate::i18n::Lang;
use crate::model::time::{Duration, Unit};
use crate::model::{Outcome, Policy, Rules};

/// A count with its noun: `count(lang, 1, "count.change")` is "1 change", with 2 "2 changes"
/// ("1 项变更" / "2 项变更"). The table holds `KEY_one` and `KEY_many`, each with `{n}`.
pub fn count(lang: Lang, n: usize, key: &str) -> String {
    let form = if n == 1 { "one" } else { "many" };
    lang.fmt(&format!("{key}_{form}"), &[("n", &n)])
}

/// English `one` or `many` by `n` (for words the tables do not hold): `plural(2, "change", "changes")`.
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// A policy duration in words: `6mo` is "6 months" / "6 个月", `24h` "24 hours" / "24 小时".
pub fn duration(lang: Lang, d: Duration) -> String {
    crate::i18n::duration_text(d).render(lang)
}

/// An advisory's severity: "critical" / "严重", "high" / "高危", "medium" / "中危", "low" / "低危".
pub fn risk(lang: Lang, s: crate::model::Severity) -> &'static str {
    lang.t(&format!("risk.{}", s.as_str()))
}

/// An execution's outcome: "success" / "成功", "partial" / "部分成功", "failed" / "失败",
/// "rolled back" / "已回退".
pub fn outcome(lang: Lang, o: Outcome) -> &'static str {
    lang.t(match o {
        Outcome::Success => "outcome.success",
        Outcome::Partial => "outcome.partial",
        Outcome::Failed => "outcome.failed",
        Outcome::RolledBack => "outcome.rolled_back",
    })
}

/// An outcome as written in files and JSON (`success`, `rolled_back`…) in words; anything else as written.
pub fn outcome_word(lang: Lang, o: &str) -> String {
    match o {
        "success" | "partial" | "failed" | "rolled_back" => lang.t(&format!("outcome.{o}")).to_string(),
        other => other.to_string(),
    }
}

/// `text` in brackets after a space: " (text)" in English, "（text）" in Chinese.
pub fn paren(lang: Lang, text: &str) -> String {
    match lang {
        Lang::En => format!(" ({text})"),
        Lang::ZhCn => format!("（{text}）"),
    }
}

/// Items of a list: "a, b" in English, "a、b" in Chinese.
pub fn list<S: AsRef<str>>(lang: Lang, items: &[S]) -> String {
    let sep = match lang {
        Lang::En => ", ",
        Lang::ZhCn => "、",
    };
    items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(sep)
}

/// A role's display name from the policy's `roles:` (`title` in Chinese, `title_en` in English),
/// or its id when the policy gives none.
pub fn role_title(policy: &Policy, role: &str, lang: Lang) -> String {
    let Some(r) = policy.roles.get(role) else { return role.to_string() };
    let title = match lang {
        Lang::En => r.title_en.as_ref(),
        Lang::ZhCn => r.title.as_ref(),
    };
    title.cloned().unwrap_or_else(|| role.to_string())
}

/// A class as people read it: its `title` in Chinese (the example policy's titles are Chinese), its
/// id in English or when it has no title.
pub fn class_title(policy: &Policy, class: &str, lang: Lang) -> String {
    match (lang, policy.classes.get(class).and_then(|c| c.title.as_ref())) {
        (Lang::ZhCn, Some(title)) => title.clone(),
        _ => class.to_string(),
    }
}

/// A chain of roles by their titles: "项目申请人 → 技术架构师 → …".
pub fn chain(policy: &Policy, roles: &[String], lang: Lang) -> String {
    roles.iter().map(|r| role_title(policy, r, lang)).collect::<Vec<_>>().join(" → ")
}

/// The execution rules as sentences, one a rule the policy sets, in a fixed order.
pub fn rules(lang: Lang, r: &Rules) -> Vec<String> {
    let mut out = Vec::new();
    if r.separation_of_duties {
        out.push(lang.t("rule.separation_of_duties").to_string());
    }
    if r.require_gray_before_production {
        out.push(lang.t("rule.require_gray_before_production").to_string());
    }
    if r.require_backup {
        out.push(lang.t("rule.require_backup").to_string());
    }
    if r.require_signed_commits {
        out.push(lang.t("rule.require_signed_commits").to_string());
    }
    if let Some(d) = r.notify_before {
        out.push(lang.fmt("rule.notify_before", &[("duration", &duration(lang, d))]));
    }
    for (env, days) in &r.windows {
        let days: Vec<&str> = days.iter().map(|d| weekday(lang, *d)).collect();
        out.push(lang.fmt("rule.window", &[("env", &environment(lang, env)), ("days", &list(lang, &days))]));
    }
    let max_age = r.observation_max_age.unwrap_or(Duration { amount: 1, unit: Unit::Months });
    out.push(lang.fmt("rule.observation_max_age", &[("duration", &duration(lang, max_age))]));
    out
}

/// A day of the week: "Tuesday" / "周二".
pub fn weekday(lang: Lang, d: chrono::Weekday) -> &'static str {
    lang.t(&format!("weekday.{}", d.num_days_from_monday()))
}

/// An environment of the change windows: `gray` is "gray" / "灰度环境", `production` "production" /
/// "生产环境"; another name as written.
pub fn environment(lang: Lang, env: &str) -> String {
    match env {
        "gray" | "production" => lang.t(&format!("env.{env}")).to_string(),
        other => other.to_string(),
    }
}

pub fn state(lang: Lang, s: State) -> &'static str {
    lang.t(&format!("state.{}", s.as_str()))
}

/// A change's state as written in JSON (`in-review`, `complete`…) in words; anything else as written.
pub fn state_word(lang: Lang, s: &str) -> String {
    match s {
        "draft" | "in-review" | "rejected" | "approved" | "executing" | "complete" => {
            lang.t(&format!("state.{s}")).to_string()
        }
        other => other.to_string(),
    }
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
/// A finding that gives its words as an i18n key reads wholly in that language.
pub fn finding(lang: Lang, f: &Finding) -> String {
    match (lang, &f.words) {
        (Lang::En, _) => f.message.clone(),
        (_, Some(text)) => text.render(lang),
        _ => lang.fmt(
            "finding.detail",
            &[("description", &lang.t(&format!("finding.{}", f.code))), ("message", &f.message)],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Duration {
        Duration::parse(text).unwrap()
    }

    /// Durations in words, with the English plural and the Chinese measure word.
    #[test]
    fn durations_in_words() {
        for (text, en, zh) in [
            ("6mo", "6 months", "6 个月"),
            ("1mo", "1 month", "1 个月"),
            ("1w", "1 week", "1 周"),
            ("24h", "24 hours", "24 小时"),
            ("2h", "2 hours", "2 小时"),
            ("1d", "1 day", "1 天"),
            ("30m", "30 minutes", "30 分钟"),
            ("1y", "1 year", "1 年"),
        ] {
            assert_eq!(duration(Lang::En, d(text)), en);
            assert_eq!(duration(Lang::ZhCn, d(text)), zh);
        }
    }

    /// English counts agree with their number: "1 executed change", "2 executed changes".
    #[test]
    fn counts_take_their_plural() {
        assert_eq!(count(Lang::En, 1, "count.executed_change"), "1 executed change");
        assert_eq!(count(Lang::En, 2, "count.executed_change"), "2 executed changes");
        assert_eq!(count(Lang::En, 0, "count.change"), "0 changes");
        assert_eq!(count(Lang::ZhCn, 1, "count.executed_change"), "已执行变更 1 项");
        assert_eq!(plural(1, "host", "hosts"), "host");
        assert_eq!(plural(3, "host", "hosts"), "hosts");
    }

    /// Severities, outcomes and decisions as a Chinese CTO writes them.
    #[test]
    fn severities_outcomes_and_decisions() {
        use crate::model::Severity as S;
        let zh: Vec<&str> = [S::Critical, S::High, S::Medium, S::Low, S::Unknown]
            .iter()
            .map(|s| risk(Lang::ZhCn, *s))
            .collect();
        assert_eq!(zh, ["严重", "高危", "中危", "低危", "未知"]);
        assert_eq!(risk(Lang::En, S::High), "high");
        assert_eq!(outcome(Lang::ZhCn, Outcome::Success), "成功");
        assert_eq!(outcome(Lang::ZhCn, Outcome::Partial), "部分成功");
        assert_eq!(outcome(Lang::ZhCn, Outcome::Failed), "失败");
        assert_eq!(outcome(Lang::ZhCn, Outcome::RolledBack), "已回退");
        assert_eq!(outcome_word(Lang::En, "rolled_back"), "rolled back");
        assert_eq!(
            ["approved", "rejected", "confirmed"].map(|x| decision(Lang::ZhCn, x)),
            ["批准", "驳回", "确认"]
        );
        assert_eq!(state_word(Lang::ZhCn, "complete"), "已完成");
        assert_eq!(paren(Lang::ZhCn, "高危"), "（高危）");
        assert_eq!(list(Lang::ZhCn, &["a", "b"]), "a、b");
    }

    /// Rules read as sentences, in the policy's order of concern; durations and days in words.
    #[test]
    fn rules_as_sentences() {
        let rules = Rules {
            separation_of_duties: true,
            require_backup: true,
            notify_before: Some(d("12h")),
            windows: [("production".to_string(), vec![chrono::Weekday::Thu])].into(),
            ..Rules::default()
        };
        let zh = super::rules(Lang::ZhCn, &rules);
        assert_eq!(zh[0], "职责分离：同一人在同一变更中最多签署一个环节，执行人不得兼任监督人");
        assert!(zh.contains(&"提前通知：至少提前 12 小时通知用户".to_string()), "{zh:?}");
        assert!(zh.contains(&"变更窗口：生产环境仅在周四变更".to_string()), "{zh:?}");
        assert!(zh.contains(&"扫描时效：超过 1 个月的扫描结果视为过期".to_string()), "{zh:?}");
        let en = super::rules(Lang::En, &rules);
        assert!(en[0].starts_with("Separation of duties: "), "{en:?}");
        assert!(en.contains(&"Change window: production changes only on Thursday".to_string()), "{en:?}");
    }

    /// A role reads as the policy titles it, in each language, and as its id without a title.
    #[test]
    fn roles_by_their_titles() {
        let mut policy = Policy::default();
        policy.roles.insert(
            "cto".into(),
            crate::model::RoleTitle {
                title: Some("首席技术官".into()),
                title_en: Some("Chief technology officer".into()),
                ..Default::default()
            },
        );
        assert_eq!(role_title(&policy, "cto", Lang::ZhCn), "首席技术官");
        assert_eq!(role_title(&policy, "cto", Lang::En), "Chief technology officer");
        assert_eq!(role_title(&policy, "ciso", Lang::ZhCn), "ciso");
        assert_eq!(chain(&policy, &["cto".into(), "ciso".into()], Lang::ZhCn), "首席技术官 → ciso");
    }

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
