//! Execution rules (SPEC §3.3 `rules`, §3.6): breaches found in an execution report.

use chrono::{DateTime, Datelike, FixedOffset};
use chrono_tz::Tz;

use super::findings::Finding;
use crate::model::{ChangeRequest, Class, GrayResult, Rules};

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
    let path = report.origin.path.as_str();
    let line = |field: &str| Some(report.fields.at(field, &report.origin).line);
    let mut out = Vec::new();
    let mut push = |f: Finding| out.push(f.change(&change.id));
    let started = report.started_at;

    if rules.require_backup {
        match &report.backup {
            None => push(
                Finding::error("no-backup", "no backup is recorded before the execution")
                    .at(path, line("started_at")),
            ),
            Some(b) if b.taken_at > started => push(
                Finding::error(
                    "no-backup",
                    format!(
                        "the backup was taken at {}, after the execution started at {started}",
                        b.taken_at
                    ),
                )
                .at(path, line("started_at")),
            ),
            _ => {}
        }
    }
    if rules.require_gray_before_production
        && let Some(prod) = report.production_at
    {
        let passed = report.gray.as_ref().filter(|g| g.result == GrayResult::Pass).and_then(|g| g.passed_at);
        match passed {
            None => push(
                Finding::error(
                    "gray-not-passed",
                    format!("production began at {prod} without a passed gray test"),
                )
                .at(path, line("production_at")),
            ),
            Some(p) if p > prod => push(
                Finding::error(
                    "gray-not-passed",
                    format!("production began at {prod}, before the gray test passed at {p}"),
                )
                .at(path, line("production_at")),
            ),
            _ => {}
        }
    }
    if let Some(ahead) = rules.notify_before {
        match report.notified_at {
            None => push(
                Finding::error(
                    "late-notice",
                    format!("no notification is recorded (the policy asks for {ahead} ahead)"),
                )
                .at(path, line("started_at")),
            ),
            Some(n) if ahead.after(n).is_some_and(|due| due > started) => push(
                Finding::error(
                    "late-notice",
                    format!("users were notified at {n}, less than {ahead} before the start at {started}"),
                )
                .at(path, line("notified_at")),
            ),
            _ => {}
        }
    }
    if let (Some(days), Some(prod)) = (rules.windows.get("production"), report.production_at) {
        let day = prod.with_timezone(&tz).weekday();
        if !days.contains(&day) {
            let allowed: Vec<String> = days.iter().map(|d| d.to_string()).collect();
            push(
                Finding::error(
                    "outside-window",
                    format!("production ran on a {day}; the window allows {}", allowed.join(", ")),
                )
                .at(path, line("production_at")),
            );
        }
    }
    if rules.separation_of_duties {
        match &report.supervised_by {
            None => push(
                Finding::error(
                    "executor-is-supervisor",
                    format!("nobody is recorded as supervising {}", report.executed_by),
                )
                .at(path, line("executed_by")),
            ),
            Some(s) if *s == report.executed_by => push(
                Finding::error(
                    "executor-is-supervisor",
                    format!("`{s}` both executed and supervised the change"),
                )
                .at(path, line("supervised_by")),
            ),
            _ => {}
        }
    }
    let retroactive = class.and_then(|c| c.retroactive_within);
    match (retroactive, approval) {
        (None, Approval { approved: false, .. }) => push(
            Finding::error(
                "executed-before-approval",
                format!("the change was executed (started {started}) but is not approved"),
            )
            .at(path, line("started_at")),
        ),
        (None, Approval { after_report: true, .. }) => push(
            Finding::error(
                "executed-before-approval",
                "the execution report entered history before the commit that completed the approval chain",
            )
            .at(path, line("started_at")),
        ),
        (None, Approval { at: Some(at), .. }) if at > started => push(
            Finding::error(
                "executed-before-approval",
                format!("the change started at {started}, before its approval at {at}"),
            )
            .at(path, line("started_at")),
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
                push(
                    Finding::error(
                        "late-retroactive-approval",
                        format!("an emergency started at {started} must be approved within {within}; it was {when}"),
                    )
                    .at(path, line("started_at")),
                );
            }
        }
        _ => {}
    }
    out
}
