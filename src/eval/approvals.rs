//! Approval chains (SPEC §4.4): which stages hold valid sign-offs, whether a change is approved or
//! complete, and every breach as a finding. Pure: signatures are checked before, by `sign`.

use crate::diag::Text;
use crate::i18n::Lang;
use chrono::{DateTime, FixedOffset};

use super::findings::Finding;
use crate::model::statement::{Decision, Subject};
use crate::model::{ChangeRequest, Class, Criticality, Person, Repository, Rules, SignOff};
use crate::sign::{Invalid, KeyId};

/// Where and when a sign-off entered history, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: String,
    pub time: DateTime<FixedOffset>,
    /// Whether the commit itself is signed by the sign-off's key (false after a squash merge).
    pub signed_by_signer: bool,
}

/// When a sign-off was made, for the execution rules: the time of its own signed commit; when history
/// was rewritten (squash, rebase) only the statement's signed `at` is left, and it is believed no later
/// than the commit that carries it.
pub fn signed_time(s: &SignOff, commit: Option<&CommitInfo>) -> Option<DateTime<FixedOffset>> {
    let claimed = DateTime::parse_from_rfc3339(&s.file.statement.at).ok();
    match commit {
        Some(c) if c.signed_by_signer => Some(c.time),
        Some(c) => Some(claimed.map_or(c.time, |a| a.min(c.time))),
        None => claimed,
    }
}

/// A sign-off with the outcome of its signature check.
#[derive(Debug, Clone)]
pub struct Checked<'a> {
    pub signoff: &'a SignOff,
    /// The key that made the signature and the person the trust root gives it to, or why it failed.
    pub signer: Result<(KeyId, String), Invalid>,
    pub commit: Option<CommitInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Draft,
    InReview,
    Rejected,
    Approved,
    Executing,
    Complete,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::InReview => "in-review",
            State::Rejected => "rejected",
            State::Approved => "approved",
            State::Executing => "executing",
            State::Complete => "complete",
        }
    }
}

/// Why a sign-off does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Counts.
    Valid,
    /// Its subject changed after signing.
    Stale,
    /// Breaks a rule (the finding says which).
    Invalid(&'static str),
}

#[derive(Debug, Clone)]
pub struct ChangeEval {
    pub id: String,
    pub state: State,
    /// The roles of the chain, in order.
    pub roles: Vec<String>,
    /// For each role, the index (into the checked sign-offs) of the valid sign-off filling it.
    pub stages: Vec<Option<usize>>,
    pub standing: Vec<Standing>,
    pub rejected_by: Option<usize>,
    pub confirmed_by: Option<usize>,
    /// The role that must sign next, if any.
    pub next: Option<String>,
    /// The commit and time of the sign-off that completed the chain (commit time, never the claimed `at`).
    pub approved: Option<(Option<String>, Option<DateTime<FixedOffset>>)>,
    pub findings: Vec<Finding>,
}

impl ChangeEval {
    pub fn is_approved(&self) -> bool {
        matches!(self.state, State::Approved | State::Executing | State::Complete)
    }
}

/// The last day an exception may accept a risk: its chain's completion plus the class's
/// `max_duration` (SPEC §4.5), in the repository's time zone. None when either is unknown.
pub fn exception_bound(
    class: Option<&Class>,
    eval: &ChangeEval,
    tz: chrono_tz::Tz,
) -> Option<chrono::NaiveDate> {
    let max = class?.max_duration?;
    let approved = eval.approved.as_ref()?.1?;
    Some(max.after(approved)?.with_timezone(&tz).date_naive())
}

/// The strictest criticality among a change's target systems.
pub fn strictest(repo: &Repository, change: &ChangeRequest) -> Option<Criticality> {
    change
        .targets
        .iter()
        .filter_map(|t| t.system().and_then(|system| repo.system(system)).map(|s| s.criticality))
        .max()
}

/// The roles a change must collect, in order.
pub fn roles(class: Option<&Class>, strictest: Option<Criticality>) -> Vec<String> {
    class.map(|c| c.chain.roles_for(strictest).to_vec()).unwrap_or_default()
}

/// Evaluates one change's chain.
pub fn evaluate(
    change: &ChangeRequest,
    class: Option<&Class>,
    roles: Vec<String>,
    checked: &[Checked],
    people: &[Person],
    rules: &Rules,
) -> ChangeEval {
    let id = change.id.clone();
    let mut findings = Vec::new();
    let mut standing = vec![Standing::Valid; checked.len()];
    // The English message is the key's English words; other languages render the key.
    let find = |code, text: Text, s: &SignOff| {
        Finding::error(code, text.render(Lang::En)).text(text).at(&s.path, None).change(&s.change)
    };

    // Pass 1: each sign-off on its own — chain link, signature, key owner, role, staleness.
    let mut previous: Option<String> = None;
    for (i, c) in checked.iter().enumerate() {
        let s = c.signoff;
        let st = &s.file.statement;
        let commit = c.commit.as_ref().map(|x| x.id.as_str());
        let mut fail = |code: &'static str, message: Text, standing: &mut Standing| {
            findings.push(find(code, message, s).commit(commit));
            if *standing == Standing::Valid {
                *standing = Standing::Invalid(code);
            }
        };
        if st.previous_digest != previous {
            let msg = match (&st.previous_digest, &previous) {
                (None, Some(_)) => Text::new("signoff.not_first", &[("path", &s.path), ("seq", &s.seq)]),
                _ => Text::new("signoff.no_link", &[("path", &s.path)]),
            };
            fail("out-of-order", msg, &mut standing[i]);
        }
        previous = Some(st.digest());
        if st.change != s.change {
            fail(
                "wrong-change",
                Text::new(
                    "signoff.wrong_change",
                    &[("path", &s.path), ("signed", &st.change), ("folder", &s.change)],
                ),
                &mut standing[i],
            );
        }
        match &c.signer {
            Err(Invalid::WrongNamespace(ns)) => fail(
                "wrong-namespace",
                Text::new("signoff.namespace", &[("path", &s.path), ("namespace", ns)]),
                &mut standing[i],
            ),
            Err(Invalid::UntrustedKey(k)) => fail(
                "untrusted-key",
                Text::new("signoff.untrusted", &[("path", &s.path), ("key", k)]),
                &mut standing[i],
            ),
            Err(e) => fail(
                "bad-signature",
                Text::new("signoff.bad", &[("path", &s.path), ("error", e)]),
                &mut standing[i],
            ),
            Ok((key, owner)) => {
                if key.0 != st.key {
                    fail(
                        "bad-signature",
                        Text::new(
                            "signoff.other_key",
                            &[("path", &s.path), ("key", key), ("named", &st.key)],
                        ),
                        &mut standing[i],
                    );
                }
                if *owner != st.by {
                    fail(
                        "key-not-owned",
                        Text::new(
                            "signoff.not_owned",
                            &[("path", &s.path), ("owner", owner), ("by", &st.by)],
                        ),
                        &mut standing[i],
                    );
                }
                let holds = people.iter().any(|p| p.id == st.by && p.roles.contains(&st.stage));
                let is_confirm = st.decision == Decision::Confirmed;
                if !holds && !is_confirm {
                    fail(
                        "signer-not-in-role",
                        Text::new(
                            "signoff.not_in_role",
                            &[("path", &s.path), ("by", &st.by), ("role", &st.stage)],
                        ),
                        &mut standing[i],
                    );
                }
            }
        }
        let current = match st.subject {
            Subject::Request => Some(change.digest.as_str()),
            Subject::Report => change.report.as_ref().map(|r| r.digest.as_str()),
        };
        if standing[i] == Standing::Valid && current != Some(st.subject_digest.as_str()) {
            standing[i] = Standing::Stale;
            findings.push(
                Finding::warning(
                    "stale-signoff",
                    format!(
                        "{}: {} {} signed a {} that has changed since; it must be signed again",
                        s.path,
                        st.stage,
                        st.by,
                        st.subject.file()
                    ),
                )
                .words(
                    "signoff.stale",
                    &[("path", &s.path), ("role", &st.stage), ("by", &st.by), ("file", &st.subject.file())],
                )
                .at(&s.path, None)
                .change(&s.change)
                .commit(commit),
            );
        }
    }

    // Pass 2: the valid sign-offs of the request fill the chain's stages in order.
    let mut stages: Vec<Option<usize>> = vec![None; roles.len()];
    let mut filled = 0;
    let mut rejected_by = None;
    let mut signers: Vec<(&str, &str)> = Vec::new();
    let mut approved = None;
    let mut confirmed_by = None;
    for (i, c) in checked.iter().enumerate() {
        if standing[i] != Standing::Valid {
            continue;
        }
        let s = c.signoff;
        let st = &s.file.statement;
        let commit = c.commit.as_ref().map(|x| x.id.as_str());
        let mut fail = |code: &'static str, message: Text, standing: &mut Standing| {
            findings.push(find(code, message, s).commit(commit));
            *standing = Standing::Invalid(code);
        };
        if st.decision == Decision::Confirmed {
            let role = class.and_then(|c| c.confirm.as_deref());
            if filled < roles.len() || roles.is_empty() {
                fail(
                    "premature-confirm",
                    Text::new("signoff.confirm_early", &[("path", &s.path)]),
                    &mut standing[i],
                );
            } else if role != Some(st.stage.as_str()) {
                let text = match role {
                    Some(r) => Text::new(
                        "signoff.confirm_role",
                        &[("path", &s.path), ("role", &st.stage), ("expected", &r)],
                    ),
                    None => Text::new("signoff.confirm_none", &[("path", &s.path), ("role", &st.stage)]),
                };
                fail("premature-confirm", text, &mut standing[i]);
            } else if !people.iter().any(|p| p.id == st.by && p.roles.contains(&st.stage)) {
                fail(
                    "signer-not-in-role",
                    Text::new(
                        "signoff.not_in_role",
                        &[("path", &s.path), ("by", &st.by), ("role", &st.stage)],
                    ),
                    &mut standing[i],
                );
            } else if st.subject != Subject::Report {
                fail(
                    "premature-confirm",
                    Text::new("signoff.confirm_request", &[("path", &s.path)]),
                    &mut standing[i],
                );
            } else {
                confirmed_by = Some(i);
            }
            continue;
        }
        if st.subject != Subject::Request {
            fail("out-of-order", Text::new("signoff.approve_report", &[("path", &s.path)]), &mut standing[i]);
            continue;
        }
        if rejected_by.is_some() {
            fail(
                "out-of-order",
                Text::new("signoff.after_rejection", &[("path", &s.path)]),
                &mut standing[i],
            );
            continue;
        }
        let Some(pos) = roles.iter().position(|r| *r == st.stage) else {
            fail(
                "unknown-stage",
                Text::new(
                    "signoff.unknown_stage",
                    &[
                        ("path", &s.path),
                        ("class", &change.class),
                        ("role", &st.stage),
                        ("chain", &roles.join(" → ")),
                    ],
                ),
                &mut standing[i],
            );
            continue;
        };
        if st.decision == Decision::Rejected {
            // Only the stage that is up may reject.
            if pos != filled {
                let msg = if pos < filled {
                    Text::new("signoff.already_signed", &[("path", &s.path), ("role", &st.stage)])
                } else {
                    let args: [(&str, &dyn std::fmt::Display); 3] =
                        [("path", &s.path), ("role", &st.stage), ("up", &roles[filled])];
                    Text::new("signoff.rejected_early", &args)
                };
                fail("out-of-order", msg, &mut standing[i]);
            } else {
                rejected_by = Some(i);
            }
            continue;
        }
        if pos != filled {
            let msg = if pos < filled {
                Text::new("signoff.already_signed", &[("path", &s.path), ("role", &st.stage)])
            } else {
                let args: [(&str, &dyn std::fmt::Display); 3] =
                    [("path", &s.path), ("role", &st.stage), ("up", &roles[filled])];
                Text::new("signoff.signed_early", &args)
            };
            fail("out-of-order", msg, &mut standing[i]);
            continue;
        }
        if rules.separation_of_duties {
            if let Some((_, role)) = signers.iter().find(|(by, _)| *by == st.by) {
                fail(
                    "self-approval",
                    Text::new("signoff.twice", &[("path", &s.path), ("by", &st.by), ("role", role)]),
                    &mut standing[i],
                );
                continue;
            }
            if st.by == change.requested_by && st.stage != "applicant" {
                fail(
                    "self-approval",
                    Text::new("signoff.requester", &[("path", &s.path), ("by", &st.by), ("role", &st.stage)]),
                    &mut standing[i],
                );
                continue;
            }
        }
        signers.push((&st.by, &st.stage));
        stages[pos] = Some(i);
        filled += 1;
        if filled == roles.len() {
            approved = Some((c.commit.as_ref().map(|x| x.id.clone()), signed_time(s, c.commit.as_ref())));
        }
    }
    for c in checked {
        if let Some(commit) = &c.commit
            && !commit.signed_by_signer
        {
            findings.push(
                Finding::warning(
                    "unsigned-commit",
                    format!("{}: its commit is not signed by the same key; the statement's own signature still verifies", c.signoff.path),
                )
                .words("signoff.unsigned_commit", &[("path", &c.signoff.path)])
                .at(&c.signoff.path, None)
                .change(&c.signoff.change)
                .commit(Some(&commit.id)),
            );
        }
    }

    let complete_chain = !roles.is_empty() && filled == roles.len();
    let state = if rejected_by.is_some() {
        State::Rejected
    } else if complete_chain && confirmed_by.is_some() {
        State::Complete
    } else if complete_chain && change.report.is_some() {
        State::Executing
    } else if complete_chain {
        State::Approved
    } else if change.report.is_some() && class.is_some_and(|c| c.retroactive_within.is_some()) {
        // Emergencies may run before their chain is complete; they still need it, retroactively.
        State::Executing
    } else if filled > 0 || standing.iter().any(|s| *s != Standing::Valid) {
        State::InReview
    } else {
        State::Draft
    };
    let next = match state {
        State::Draft | State::InReview => roles.get(filled).cloned(),
        State::Executing if !complete_chain => roles.get(filled).cloned(),
        State::Approved | State::Executing => {
            class.and_then(|c| c.confirm.clone()).filter(|_| change.report.is_some())
        }
        _ => None,
    };
    ChangeEval { id, state, roles, stages, standing, rejected_by, confirmed_by, next, approved, findings }
}
