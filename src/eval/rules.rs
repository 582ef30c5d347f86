//! Execution rules (SPEC §3.3 `rules`, §3.6): breaches found in an execution report.

use chrono::{DateTime, Datelike, FixedOffset};
use chrono_tz::Tz;

use super::findings::Finding;
use crate::diag::Text;
use crate::model::{ChangeRequest, Class, Duration, GrayResult, Report, Rules};

/// When the chain was completed: the commit time of the last approval, if it is approved.
#[derive(Debug, Clone, Copy)]
pub struct Approval {
    pub approved: bool,
    pub at: Option<DateTime<FixedOffset>>,
    /// The commit completing the chain comes after the one that added the report on the verified
    /// line (SPEC §4.6): executed before approval, whatever the dates say.
    pub after_report: bool,
}

/// Every rule the report of `change` breaks. Empty when there is no report.
/// `now` decides whether a pending retroactive approval is already late.
pub fn execution(
    change: &ChangeRequest,
    class: Option<&Class>,
    rules: &Rules,
    approval: Approval,
    tz: Tz,
    now: DateTime<FixedOffset>,
) -> Vec<Finding> {
    let Some(report) = &change.report else { return Vec::new() };
    let mut judge = Judge { change: &change.id, report, out: Vec::new() };
    judge.backup(rules);
    judge.gray(rules);
    judge.notice(rules);
    judge.window(rules, tz);
    judge.duties(rules);
    judge.order(class, approval, now);
    judge.out
}

/// The findings on one execution report, each at the line of the field it concerns.
struct Judge<'a> {
    change: &'a str,
    report: &'a Report,
    out: Vec<Finding>,
}

impl Judge<'_> {
    fn push(&mut self, f: Finding) {
        self.out.push(f.change(self.change));
    }

    fn path(&self) -> &str {
        self.report.origin.path.as_str()
    }

    fn line(&self, field: &str) -> Option<u32> {
        Some(self.report.fields.at(field, &self.report.origin).line)
    }

    /// No backup before `started_at`.
    fn backup(&mut self, rules: &Rules) {
        let started = self.report.started_at;
        if rules.require_backup {
            match &self.report.backup {
                None => self.push(
                    Finding::error("no-backup", "no backup is recorded before the execution")
                        .words("rules.no_backup", &[])
                        .at(self.path(), self.line("started_at")),
                ),
                Some(b) if b.taken_at > started => self.push(
                    Finding::error(
                        "no-backup",
                        format!(
                            "the backup was taken at {}, after the execution started at {started}",
                            b.taken_at
                        ),
                    )
                    .words("rules.late_backup", &[("taken", &b.taken_at), ("started", &started)])
                    .at(self.path(), self.line("started_at")),
                ),
                _ => {}
            }
        }
    }

    /// Production before a passed gray test.
    fn gray(&mut self, rules: &Rules) {
        if rules.require_gray_before_production
            && let Some(prod) = self.report.production_at
        {
            let passed =
                self.report.gray.as_ref().filter(|g| g.result == GrayResult::Pass).and_then(|g| g.passed_at);
            match passed {
                None => self.push(
                    Finding::error(
                        "gray-not-passed",
                        format!("production began at {prod} without a passed gray test"),
                    )
                    .words("rules.no_gray", &[("prod", &prod)])
                    .at(self.path(), self.line("production_at")),
                ),
                Some(p) if p > prod => self.push(
                    Finding::error(
                        "gray-not-passed",
                        format!("production began at {prod}, before the gray test passed at {p}"),
                    )
                    .words("rules.early_production", &[("prod", &prod), ("passed", &p)])
                    .at(self.path(), self.line("production_at")),
                ),
                _ => {}
            }
        }
    }

    /// Notice at least `notify_before` ahead of `started_at`.
    fn notice(&mut self, rules: &Rules) {
        let started = self.report.started_at;
        if let Some(ahead) = rules.notify_before {
            match self.report.notified_at {
                None => self.push(
                    Finding::error(
                        "late-notice",
                        format!("no notification is recorded (the policy asks for {ahead} ahead)"),
                    )
                    .text(Text::new("rules.no_notice", &[]).with("ahead", crate::i18n::duration_text(ahead)))
                    .at(self.path(), self.line("started_at")),
                ),
                Some(n) if ahead.after(n).is_some_and(|due| due > started) => self.push(
                    Finding::error(
                        "late-notice",
                        format!(
                            "users were notified at {n}, less than {ahead} before the start at {started}"
                        ),
                    )
                    .text(
                        Text::new("rules.late_notice", &[("notified", &n), ("started", &started)])
                            .with("ahead", crate::i18n::duration_text(ahead)),
                    )
                    .at(self.path(), self.line("notified_at")),
                ),
                _ => {}
            }
        }
    }

    /// Production on a day the windows allow.
    fn window(&mut self, rules: &Rules, tz: Tz) {
        if let (Some(days), Some(prod)) = (rules.windows.get("production"), self.report.production_at) {
            let day = prod.with_timezone(&tz).weekday();
            if !days.contains(&day) {
                let allowed: Vec<String> = days.iter().map(|d| d.to_string()).collect();
                self.push(
                    Finding::error(
                        "outside-window",
                        format!("production ran on a {day}; the window allows {}", allowed.join(", ")),
                    )
                    .text(window_text(day, days))
                    .at(self.path(), self.line("production_at")),
                );
            }
        }
    }

    /// A supervisor other than the executor.
    fn duties(&mut self, rules: &Rules) {
        if rules.separation_of_duties {
            match &self.report.supervised_by {
                None => self.push(
                    Finding::error(
                        "executor-is-supervisor",
                        format!("nobody is recorded as supervising {}", self.report.executed_by),
                    )
                    .words("rules.no_supervisor", &[("executor", &self.report.executed_by)])
                    .at(self.path(), self.line("executed_by")),
                ),
                Some(s) if *s == self.report.executed_by => self.push(
                    Finding::error(
                        "executor-is-supervisor",
                        format!("`{s}` both executed and supervised the change"),
                    )
                    .words("rules.same_person", &[("person", s)])
                    .at(self.path(), self.line("supervised_by")),
                ),
                _ => {}
            }
        }
    }

    /// Approval before execution (or, for emergencies, within `retroactive_within`).
    fn order(&mut self, class: Option<&Class>, approval: Approval, now: DateTime<FixedOffset>) {
        let started = self.report.started_at;
        let retroactive = class.and_then(|c| c.retroactive_within);
        match (retroactive, approval) {
            (None, Approval { approved: false, .. }) => self.push(
                Finding::error(
                    "executed-before-approval",
                    format!("the change was executed (started {started}) but is not approved"),
                )
                .words("rules.not_approved", &[("started", &started)])
                .at(self.path(), self.line("started_at")),
            ),
            (None, Approval { after_report: true, .. }) => self.push(
                Finding::error(
                    "executed-before-approval",
                    "the execution report entered history before the commit that completed the approval chain",
                )
                .words("rules.report_first", &[])
                .at(self.path(), self.line("started_at")),
            ),
            (None, Approval { at: Some(at), .. }) if at > started => self.push(
                Finding::error(
                    "executed-before-approval",
                    format!("the change started at {started}, before its approval at {at}"),
                )
                .words("rules.before_approval", &[("started", &started), ("approved", &at)])
                .at(self.path(), self.line("started_at")),
            ),
            (Some(within), approval) => {
                let deadline = within.after(started);
                let late = match (approval.approved, approval.at, deadline) {
                    (false, _, Some(d)) => now > d,
                    (true, Some(at), Some(d)) => at > d,
                    _ => false,
                };
                if late {
                    let when = approval
                        .at
                        .map(|a| format!("approved at {a}"))
                        .unwrap_or_else(|| "not approved yet".into());
                    self.push(
                        Finding::error(
                            "late-retroactive-approval",
                            format!("an emergency started at {started} must be approved within {within}; it was {when}"),
                        )
                        .text(late_retroactive(started, within, approval.at))
                        .at(self.path(), self.line("started_at")),
                    );
                }
            }
            _ => {}
        }
    }
}

/// "production ran on a Monday; the window allows Thursday" in every language.
fn window_text(day: chrono::Weekday, allowed: &[chrono::Weekday]) -> Text {
    let day_text = |d: &chrono::Weekday| Text::new(&format!("weekday.{}", d.num_days_from_monday()), &[]);
    Text::new("rules.outside_window", &[])
        .with("day", day_text(&day))
        .with_list("allowed", allowed.iter().map(day_text).collect())
}

/// "an emergency started at … must be approved within 24 hours; it was approved at …" in every language.
fn late_retroactive(
    started: DateTime<FixedOffset>,
    within: Duration,
    at: Option<DateTime<FixedOffset>>,
) -> Text {
    let when = match at {
        Some(a) => Text::new("rules.approved_at", &[("at", &a)]),
        None => Text::new("rules.not_approved_yet", &[]),
    };
    Text::new("rules.late_retroactive", &[("started", &started)])
        .with("within", crate::i18n::duration_text(within))
        .with("when", when)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Backup, ChangeRequest, Duration, Gray, Outcome, Report};

    fn ts(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    const STARTED: &str = "2024-09-15T20:00:00+08:00";

    /// A report that breaks nothing: backup before the start, gray passed before production on a
    /// Thursday, notified 12 hours ahead, another person supervising.
    fn report() -> Report {
        Report {
            started_at: ts(STARTED),
            finished_at: Some(ts("2024-09-19T23:00:00+08:00")),
            executed_by: "zhou.jie".into(),
            supervised_by: Some("liu.yang".into()),
            backup: Some(Backup { taken_at: ts("2024-09-15T19:30:00+08:00"), reference: None }),
            gray: Some(Gray {
                passed_at: Some(ts("2024-09-17T22:00:00+08:00")),
                result: GrayResult::Pass,
                rollback_tested: true,
            }),
            production_at: Some(ts("2024-09-19T22:00:00+08:00")),
            artifacts: vec![],
            notified_at: Some(ts("2024-09-15T08:00:00+08:00")),
            outcome: Outcome::Success,
            hosts: None,
            downtime: None,
            metrics: vec![],
            cost: None,
            origin: Default::default(),
            fields: Default::default(),
            digest: String::new(),
        }
    }

    fn rules() -> Rules {
        let mut r = Rules {
            separation_of_duties: true,
            require_gray_before_production: true,
            require_backup: true,
            notify_before: Some(Duration::parse("12h").unwrap()),
            ..Rules::default()
        };
        r.windows.insert("production".into(), vec![chrono::Weekday::Thu]);
        r
    }

    fn codes(report: Report, class: Option<&Class>, approval: Approval) -> Vec<&'static str> {
        codes_at(report, class, approval, ts("2024-10-01T00:00:00+08:00"))
    }

    fn codes_at(
        report: Report,
        class: Option<&Class>,
        approval: Approval,
        now: DateTime<FixedOffset>,
    ) -> Vec<&'static str> {
        let change = change_with(Some(report));
        execution(&change, class, &rules(), approval, chrono_tz::Asia::Shanghai, now)
            .iter()
            .map(|f| f.code)
            .collect()
    }

    /// Each finding points at the report's file and the line of the field it concerns (the
    /// document's first line when the field is not written).
    #[test]
    fn findings_point_at_the_field() {
        let mut r = report();
        r.origin = crate::diag::Origin::new("changes/CHG-1/report.yaml", 1, 1, 1);
        r.fields.0.insert("notified_at", crate::diag::Origin::new("changes/CHG-1/report.yaml", 7, 14, 25));
        r.notified_at = Some(ts("2024-09-15T08:00:01+08:00"));
        r.backup = None;
        let change = ChangeRequest { report: Some(r), ..change_with(None) };
        let found =
            execution(&change, None, &rules(), approved_at(STARTED), chrono_tz::Asia::Shanghai, ts(STARTED));
        let at = |code: &str| {
            let f = found.iter().find(|f| f.code == code).unwrap_or_else(|| panic!("{code}"));
            (f.path.clone(), f.line)
        };
        assert_eq!(at("late-notice"), (Some("changes/CHG-1/report.yaml".into()), Some(7)));
        assert_eq!(at("no-backup"), (Some("changes/CHG-1/report.yaml".into()), Some(1)));
    }

    fn change_with(report: Option<Report>) -> ChangeRequest {
        ChangeRequest {
            id: "CHG-1".into(),
            title: "t".into(),
            class: "replacement".into(),
            requested_by: "li.ming".into(),
            requested_at: ts("2024-09-01T10:00:00+08:00"),
            reason: None,
            targets: vec![],
            advisories: vec![],
            risk: None,
            plan: None,
            budget: None,
            until: None,
            links: Vec::new(),
            origin: Default::default(),
            fields: Default::default(),
            digest: String::new(),
            report,
        }
    }

    fn approved_at(at: &str) -> Approval {
        Approval { approved: true, at: Some(ts(at)), after_report: false }
    }

    /// A clean report breaks nothing.
    #[test]
    fn a_clean_report() {
        assert!(codes(report(), None, approved_at("2024-09-10T15:00:00+08:00")).is_empty());
    }

    /// Boundary instants: a backup or an approval at exactly `started_at` is in time; one second
    /// later is not.
    #[test]
    fn boundary_instants_at_started_at() {
        let mut r = report();
        r.backup = Some(Backup { taken_at: ts(STARTED), reference: None });
        assert!(codes(r.clone(), None, approved_at(STARTED)).is_empty());
        r.backup = Some(Backup { taken_at: ts("2024-09-15T20:00:01+08:00"), reference: None });
        assert_eq!(
            codes(r, None, approved_at("2024-09-15T20:00:01+08:00")),
            ["no-backup", "executed-before-approval"]
        );
    }

    /// Notice exactly `notify_before` ahead is in time; a second less is late. Gray passing exactly
    /// at production is in time.
    #[test]
    fn notice_and_gray_boundaries() {
        let mut r = report();
        r.notified_at = Some(ts("2024-09-15T08:00:00+08:00"));
        r.gray.as_mut().unwrap().passed_at = r.production_at;
        assert!(codes(r.clone(), None, approved_at(STARTED)).is_empty());
        r.notified_at = Some(ts("2024-09-15T08:00:01+08:00"));
        assert_eq!(codes(r, None, approved_at(STARTED)), ["late-notice"]);
    }

    /// Order beats clocks: a report before the approval on the line is executed before approval even
    /// when the claimed approval time is earlier; an unapproved non-emergency change too.
    #[test]
    fn order_over_clocks() {
        let order =
            Approval { approved: true, at: Some(ts("2024-09-01T00:00:00+08:00")), after_report: true };
        assert_eq!(codes(report(), None, order), ["executed-before-approval"]);
        let none = Approval { approved: false, at: None, after_report: false };
        assert_eq!(codes(report(), None, none), ["executed-before-approval"]);
    }

    /// An emergency class: deployed first, approved within 24 hours.
    fn emergency() -> Class {
        Class {
            name: "emergency".into(),
            kind: crate::model::ClassKind::Change,
            title: None,
            description: None,
            respond_within: None,
            deploy_within: None,
            chain: Default::default(),
            confirm: None,
            applies_to: None,
            retroactive_within: Some(Duration::parse("24h").unwrap()),
            max_duration: None,
            origin: Default::default(),
        }
    }

    /// A retroactive class is judged by `retroactive_within`, not by order: approval exactly at the
    /// deadline is in time, a second later is late, and a pending one is late once `now` passes it.
    #[test]
    fn retroactive_deadline() {
        let class = emergency();
        let after =
            Approval { approved: true, at: Some(ts("2024-09-16T20:00:00+08:00")), after_report: true };
        assert!(codes(report(), Some(&class), after).is_empty());
        let late = Approval { approved: true, at: Some(ts("2024-09-16T20:00:01+08:00")), after_report: true };
        assert_eq!(codes(report(), Some(&class), late), ["late-retroactive-approval"]);
        let pending = Approval { approved: false, at: None, after_report: false };
        assert_eq!(codes(report(), Some(&class), pending), ["late-retroactive-approval"]);
    }

    /// Missing records are findings: no backup, no passed gray test (none, failed, or passed after
    /// production), no notification.
    #[test]
    fn missing_records() {
        let at = approved_at(STARTED);
        let mut r = report();
        r.backup = None;
        assert_eq!(codes(r, None, at), ["no-backup"]);
        let mut r = report();
        r.gray = None;
        assert_eq!(codes(r, None, at), ["gray-not-passed"]);
        let mut r = report();
        r.gray.as_mut().unwrap().result = GrayResult::Fail;
        assert_eq!(codes(r, None, at), ["gray-not-passed"]);
        let mut r = report();
        r.gray.as_mut().unwrap().passed_at = Some(ts("2024-09-19T22:00:01+08:00"));
        assert_eq!(codes(r, None, at), ["gray-not-passed"]);
        let mut r = report();
        r.notified_at = None;
        assert_eq!(codes(r, None, at), ["late-notice"]);
    }

    /// A pending retroactive approval is late only once `now` is past the deadline, not at it.
    #[test]
    fn pending_retroactive_approval_at_the_deadline() {
        let mut class = emergency();
        class.retroactive_within = Some(Duration::parse("24h").unwrap());
        let pending = Approval { approved: false, at: None, after_report: false };
        let deadline = ts("2024-09-16T20:00:00+08:00");
        assert!(codes_at(report(), Some(&class), pending, deadline).is_empty());
        let later = ts("2024-09-16T20:00:01+08:00");
        assert_eq!(codes_at(report(), Some(&class), pending, later), ["late-retroactive-approval"]);
    }

    /// Separation of duties: no supervisor, or the executor supervising, is a finding; production on
    /// a day outside the window too.
    #[test]
    fn duties_and_windows() {
        let mut r = report();
        r.supervised_by = None;
        assert_eq!(codes(r.clone(), None, approved_at(STARTED)), ["executor-is-supervisor"]);
        r.supervised_by = Some("zhou.jie".into());
        assert_eq!(codes(r.clone(), None, approved_at(STARTED)), ["executor-is-supervisor"]);
        r.supervised_by = Some("liu.yang".into());
        r.production_at = Some(ts("2024-09-18T22:00:00+08:00"));
        r.gray.as_mut().unwrap().passed_at = Some(ts("2024-09-17T22:00:00+08:00"));
        assert_eq!(codes(r, None, approved_at(STARTED)), ["outside-window"]);
    }
}
