//! Sections 4–6: the change population of the period, each change's chain, execution and
//! confirmation, the separation-of-duties findings and the emergencies.

use chrono::{DateTime, Datelike, FixedOffset};

use super::chains::Chains;
use super::history::Trail;
use super::{
    Artifact, ChangeEntry, Emergency, Execution, MetricRow, Money, Notice, Period, SignOffRow, Window,
    metric_met, person,
};
use crate::eval::approvals::signed_time;
use crate::eval::findings::Finding;
use crate::ledger::{Chain, standing_word};
use crate::model::{Report, Repository, Rules, Target};

fn money(m: &crate::model::Money) -> Money {
    Money { amount: m.amount, currency: m.currency.clone() }
}

fn outcome_str(o: crate::model::Outcome) -> &'static str {
    use crate::model::Outcome::*;
    match o {
        Success => "success",
        Partial => "partial",
        Failed => "failed",
        RolledBack => "rolled_back",
    }
}

/// The chain's sign-offs as rows (confirmations included).
pub fn rows(c: &Chain) -> Vec<SignOffRow> {
    c.signoffs
        .iter()
        .zip(&c.eval.standing)
        .zip(&c.verified)
        .map(|((s, standing), (signer, commit))| {
            let st = &s.file.statement;
            SignOffRow {
                seq: s.seq,
                stage: st.stage.clone(),
                by: person(&c.people, &st.by),
                at: signed_time(s, commit.as_ref()),
                decision: st.decision.as_str(),
                comment: st.comment.clone(),
                key: match signer {
                    Ok((k, _)) => k.to_string(),
                    Err(_) => st.key.clone(),
                },
                verified: signer.is_ok(),
                standing: standing_word(standing),
                commit: commit.as_ref().map(|c| c.id.clone()),
                commit_signed: commit.as_ref().is_some_and(|c| c.signed_by_signer),
                path: s.path.clone(),
            }
        })
        .collect()
}

/// Why a change belongs to the period's population (none: it does not).
fn included_for(
    period: &Period,
    trail: &Trail,
    id: &str,
    c: &Chain,
    rows: &[SignOffRow],
) -> Vec<&'static str> {
    let within = |t: DateTime<FixedOffset>| period.contains(&trail.bounds, t);
    let mut why = Vec::new();
    if trail.requested_in.get(id).is_some_and(|r| within(r.1)) {
        why.push("requested");
    }
    if rows.iter().any(|r| r.at.is_some_and(within)) {
        why.push("signed");
    }
    if let Some(r) = &c.change.report {
        let (from, to) = trail.bounds;
        let spans = r.started_at < from && r.finished_at.is_none_or(|t| t >= to);
        if within(r.started_at) || r.finished_at.is_some_and(within) || spans {
            why.push("executed");
        }
    }
    why
}

fn metrics(r: &Report) -> Vec<MetricRow> {
    r.metrics
        .iter()
        .map(|m| MetricRow {
            name: m.name.clone(),
            unit: m.unit.clone(),
            before: m.before,
            after: m.after,
            target: m.target.clone(),
            met: match (&m.target, m.after) {
                (Some(t), Some(a)) => metric_met(t, a),
                _ => None,
            },
            change_pct: match (m.before, m.after) {
                (Some(b), Some(a)) if b != 0.0 => Some((a - b) / b * 100.0),
                _ => None,
            },
        })
        .collect()
}

/// Notice given before `started_at`, against `rules.notify_before`.
fn notice(r: &Report, rules: &Rules) -> Option<Notice> {
    let required = rules.notify_before;
    if r.notified_at.is_none() && required.is_none() {
        return None;
    }
    let hours = r.notified_at.map(|n| (r.started_at - n).num_minutes() as f64 / 60.0);
    Some(Notice {
        notified_at: r.notified_at,
        hours_ahead: hours,
        required: required.map(|d| d.to_string()),
        met: required
            .map(|d| r.notified_at.is_some_and(|n| d.after(n).is_some_and(|due| due <= r.started_at))),
    })
}

/// The gray and production days against the policy's windows.
fn windows(r: &Report, rules: &Rules, tz: chrono_tz::Tz) -> Vec<Window> {
    let gray = r.gray.as_ref().and_then(|g| g.passed_at);
    [("gray", gray), ("production", r.production_at)]
        .into_iter()
        .filter_map(|(env, at)| {
            let at = at?;
            let day = at.with_timezone(&tz).weekday();
            let allowed = rules.windows.get(env);
            Some(Window {
                environment: env,
                at,
                weekday: day.to_string().to_lowercase(),
                allowed: allowed
                    .map(|d| d.iter().map(|d| d.to_string().to_lowercase()).collect())
                    .unwrap_or_default(),
                met: allowed.map(|d| d.contains(&day)),
            })
        })
        .collect()
}

fn execution(c: &Chain, r: &Report, repo: &Repository) -> Execution {
    let budget = c.change.budget.as_ref().map(money);
    let cost = r.cost.as_ref().map(money);
    let plan = c.change.plan.as_ref();
    let downtime_target = plan.and_then(|p| p.downtime);
    let rules = &repo.policy.rules;
    Execution {
        started_at: r.started_at,
        finished_at: r.finished_at,
        executed_by: person(&c.people, &r.executed_by),
        supervised_by: r.supervised_by.as_deref().map(|p| person(&c.people, p)),
        outcome: outcome_str(r.outcome),
        hosts: r.hosts.map(|h| (h.succeeded, h.total)),
        downtime: r.downtime.map(|d| d.to_string()),
        downtime_target: downtime_target.map(|d| d.to_string()),
        downtime_met: match (r.downtime, downtime_target) {
            (Some(d), Some(t)) => Some(d.approx_hours() <= t.approx_hours()),
            _ => None,
        },
        cost_met: match (&cost, &budget) {
            (Some(c), Some(b)) if c.currency == b.currency => Some(c.amount <= b.amount),
            _ => None,
        },
        cost,
        budget,
        metrics: metrics(r),
        backup_at: r.backup.as_ref().map(|b| b.taken_at),
        backup_ref: r.backup.as_ref().and_then(|b| b.reference.clone()),
        gray_passed_at: r.gray.as_ref().and_then(|g| g.passed_at),
        rollback_tested: r.gray.as_ref().map(|g| g.rollback_tested),
        production_at: r.production_at,
        notice: notice(r, rules),
        windows: windows(r, rules, repo.settings.timezone),
        backout: plan.and_then(|p| p.backout.clone()),
        tests: plan.and_then(|p| p.tests.clone()),
        artifacts: r
            .artifacts
            .iter()
            .map(|a| Artifact { name: a.name.clone(), source: a.source.clone(), sha256: a.sha256.clone() })
            .collect(),
        commit: c.report_commit.clone(),
    }
}

fn entry(
    trail: &Trail,
    chains: &Chains,
    repo: &Repository,
    id: &str,
    c: &Chain,
    why: Vec<&'static str>,
    rows: Vec<SignOffRow>,
) -> ChangeEntry {
    let (chain, confirmation): (Vec<SignOffRow>, Vec<SignOffRow>) =
        rows.into_iter().partition(|r| r.decision != "confirmed");
    let confirmation = confirmation.into_iter().rev().find(|r| r.standing == "valid");
    let mut findings: Vec<Finding> =
        trail.walk.findings.iter().filter(|f| f.change.as_deref() == Some(id)).cloned().collect();
    findings.sort_by(|a, b| (&a.commit, a.code).cmp(&(&b.commit, b.code)));
    findings.dedup();
    ChangeEntry {
        id: id.to_string(),
        title: c.change.title.clone(),
        class: c.change.class.clone(),
        class_title: repo.policy.classes.get(&c.change.class).and_then(|k| k.title.clone()),
        state: c.eval.state.as_str(),
        requested_by: person(&c.people, &c.change.requested_by),
        requested_at: c.change.requested_at,
        requested_in: trail.requested_in.get(id).map(|r| r.0.clone()),
        reason: c.change.reason.clone(),
        targets: c.change.targets.iter().map(Target::describe).collect(),
        advisories: c.change.advisories.clone(),
        budget: c.change.budget.as_ref().map(money),
        links: c.change.links.iter().map(|(k, v)| super::Link { label: k.clone(), url: v.clone() }).collect(),
        included_for: why,
        chain,
        approved_at: chains.approved_at(id),
        execution: c.change.report.as_ref().map(|r| execution(c, r, repo)),
        confirmation,
        findings,
    }
}

/// The changes requested, signed or executed in the period, in id order.
pub fn population(trail: &Trail, chains: &Chains, repo: &Repository, period: &Period) -> Vec<ChangeEntry> {
    chains
        .map
        .iter()
        .filter_map(|(id, c)| {
            let rows = rows(c);
            let why = included_for(period, trail, id, c, &rows);
            (!why.is_empty()).then(|| entry(trail, chains, repo, id, c, why, rows))
        })
        .collect()
}

/// Separation-of-duties findings on the population's changes.
pub fn duties(trail: &Trail, requests: &[ChangeEntry]) -> Vec<Finding> {
    trail
        .walk
        .findings
        .iter()
        .filter(|f| matches!(f.code, "self-approval" | "executor-is-supervisor"))
        .filter(|f| f.change.as_ref().is_some_and(|c| requests.iter().any(|r| r.id == *c)))
        .cloned()
        .collect()
}

/// Emergencies (classes with `retroactive_within`) and whether their approval followed in time, as of
/// the period's end.
pub fn emergencies(
    requests: &[ChangeEntry],
    repo: &Repository,
    end: DateTime<FixedOffset>,
) -> Vec<Emergency> {
    requests
        .iter()
        .filter_map(|r| {
            let within = repo.policy.classes.get(&r.class).and_then(|k| k.retroactive_within)?;
            let started = r.execution.as_ref().map(|e| e.started_at);
            let deadline = started.and_then(|s| within.after(s));
            Some(Emergency {
                change: r.id.clone(),
                class: r.class.clone(),
                started_at: started,
                approved_at: r.approved_at,
                deadline,
                within: match (r.approved_at, deadline, started) {
                    (Some(a), _, Some(s)) if a <= s => Some(true),
                    (Some(a), Some(d), _) => Some(a <= d),
                    (None, Some(d), _) if d < end => Some(false),
                    _ => None,
                },
            })
        })
        .collect()
}
