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
    let mut findings = Vec::new();
    // Pass 1: each sign-off on its own — chain link, signature, key owner, role, staleness.
    let mut standing = Vec::with_capacity(checked.len());
    let mut previous: Option<String> = None;
    for c in checked {
        standing.push(judge_alone(c, previous.as_deref(), change, people, &mut findings));
        previous = Some(c.signoff.file.statement.digest());
    }
    // Pass 2: the valid sign-offs of the request fill the chain's stages in order.
    let mut chain = Filling {
        change,
        class,
        roles: &roles,
        people,
        rules,
        stages: vec![None; roles.len()],
        filled: 0,
        rejected_by: None,
        confirmed_by: None,
        approved: None,
        signers: Vec::new(),
    };
    for (i, c) in checked.iter().enumerate() {
        if standing[i] != Standing::Valid {
            continue;
        }
        if let Err((code, text)) = chain.place(i, c) {
            let s = c.signoff;
            let commit = c.commit.as_ref().map(|x| x.id.as_str());
            let finding = Finding::error(code, text.render(Lang::En)).text(text);
            findings.push(finding.at(&s.path, None).change(&s.change).commit(commit));
            standing[i] = Standing::Invalid(code);
        }
    }
    findings.extend(unsigned_commits(checked));
    let state = state_of(change, class, &chain, &standing);
    let Filling { stages, filled, rejected_by, confirmed_by, approved, .. } = chain;
    let complete_chain = !roles.is_empty() && filled == roles.len();
    let next = match state {
        State::Draft | State::InReview => roles.get(filled).cloned(),
        State::Executing if !complete_chain => roles.get(filled).cloned(),
        State::Approved | State::Executing => {
            class.and_then(|c| c.confirm.clone()).filter(|_| change.report.is_some())
        }
        _ => None,
    };
    let id = change.id.clone();
    ChangeEval { id, state, roles, stages, standing, rejected_by, confirmed_by, next, approved, findings }
}

/// One sign-off on its own: its link to the one before, the change it names, its signature, the
/// key's owner and role, and whether what it signed has changed since.
fn judge_alone(
    c: &Checked,
    previous: Option<&str>,
    change: &ChangeRequest,
    people: &[Person],
    findings: &mut Vec<Finding>,
) -> Standing {
    let find = |code, text: Text, s: &SignOff| {
        Finding::error(code, text.render(Lang::En)).text(text).at(&s.path, None).change(&s.change)
    };
    let mut standing = Standing::Valid;
    let s = c.signoff;
    let st = &s.file.statement;
    let commit = c.commit.as_ref().map(|x| x.id.as_str());
    let mut fail = |code: &'static str, message: Text, standing: &mut Standing| {
        findings.push(find(code, message, s).commit(commit));
        if *standing == Standing::Valid {
            *standing = Standing::Invalid(code);
        }
    };
    if st.previous_digest.as_deref() != previous {
        let msg = match (&st.previous_digest, previous) {
            (None, Some(_)) => Text::new("signoff.not_first", &[("path", &s.path), ("seq", &s.seq)]),
            _ => Text::new("signoff.no_link", &[("path", &s.path)]),
        };
        fail("out-of-order", msg, &mut standing);
    }
    if st.change != s.change {
        fail(
            "wrong-change",
            Text::new(
                "signoff.wrong_change",
                &[("path", &s.path), ("signed", &st.change), ("folder", &s.change)],
            ),
            &mut standing,
        );
    }
    match &c.signer {
        Err(Invalid::WrongNamespace(ns)) => fail(
            "wrong-namespace",
            Text::new("signoff.namespace", &[("path", &s.path), ("namespace", ns)]),
            &mut standing,
        ),
        Err(Invalid::UntrustedKey(k)) => fail(
            "untrusted-key",
            Text::new("signoff.untrusted", &[("path", &s.path), ("key", k)]),
            &mut standing,
        ),
        Err(e) => {
            fail("bad-signature", Text::new("signoff.bad", &[("path", &s.path), ("error", e)]), &mut standing)
        }
        Ok((key, owner)) => {
            if key.0 != st.key {
                fail(
                    "bad-signature",
                    Text::new("signoff.other_key", &[("path", &s.path), ("key", key), ("named", &st.key)]),
                    &mut standing,
                );
            }
            if *owner != st.by {
                fail(
                    "key-not-owned",
                    Text::new("signoff.not_owned", &[("path", &s.path), ("owner", owner), ("by", &st.by)]),
                    &mut standing,
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
                    &mut standing,
                );
            }
        }
    }
    let current = match st.subject {
        Subject::Request => Some(change.digest.as_str()),
        Subject::Report => change.report.as_ref().map(|r| r.digest.as_str()),
    };
    if standing == Standing::Valid && current != Some(st.subject_digest.as_str()) {
        standing = Standing::Stale;
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
    standing
}

/// The chain being filled by the valid sign-offs, in sequence order.
struct Filling<'a> {
    change: &'a ChangeRequest,
    class: Option<&'a Class>,
    roles: &'a [String],
    people: &'a [Person],
    rules: &'a Rules,
    stages: Vec<Option<usize>>,
    filled: usize,
    rejected_by: Option<usize>,
    confirmed_by: Option<usize>,
    approved: Option<(Option<String>, Option<DateTime<FixedOffset>>)>,
    /// Who signed which stage so far.
    signers: Vec<(String, String)>,
}

/// Why a valid sign-off does not take its place in the chain: a finding code and its words.
type Misplaced = (&'static str, Text);

impl Filling<'_> {
    /// Places sign-off `i` (a confirmation, a rejection or the next approval), or says why not.
    fn place(&mut self, i: usize, c: &Checked) -> Result<(), Misplaced> {
        let s = c.signoff;
        let st = &s.file.statement;
        if st.decision == Decision::Confirmed {
            return self.confirm(i, s);
        }
        if st.subject != Subject::Request {
            return Err(("out-of-order", Text::new("signoff.approve_report", &[("path", &s.path)])));
        }
        if self.rejected_by.is_some() {
            return Err(("out-of-order", Text::new("signoff.after_rejection", &[("path", &s.path)])));
        }
        let Some(pos) = self.roles.iter().position(|r| *r == st.stage) else {
            let chain = self.roles.join(" → ");
            let args: [(&str, &dyn std::fmt::Display); 4] =
                [("path", &s.path), ("class", &self.change.class), ("role", &st.stage), ("chain", &chain)];
            return Err(("unknown-stage", Text::new("signoff.unknown_stage", &args)));
        };
        if pos != self.filled {
            let text = if pos < self.filled {
                Text::new("signoff.already_signed", &[("path", &s.path), ("role", &st.stage)])
            } else {
                let args: [(&str, &dyn std::fmt::Display); 3] =
                    [("path", &s.path), ("role", &st.stage), ("up", &self.roles[self.filled])];
                // Only the stage that is up may reject, or approve.
                let key = if st.decision == Decision::Rejected {
                    "signoff.rejected_early"
                } else {
                    "signoff.signed_early"
                };
                Text::new(key, &args)
            };
            return Err(("out-of-order", text));
        }
        if st.decision == Decision::Rejected {
            self.rejected_by = Some(i);
            return Ok(());
        }
        self.separation(s)?;
        self.signers.push((st.by.clone(), st.stage.clone()));
        self.stages[pos] = Some(i);
        self.filled += 1;
        if self.filled == self.roles.len() {
            self.approved =
                Some((c.commit.as_ref().map(|x| x.id.clone()), signed_time(s, c.commit.as_ref())));
        }
        Ok(())
    }

    /// A confirmation counts once the chain is complete, by the class's `confirm` role, on the report.
    fn confirm(&mut self, i: usize, s: &SignOff) -> Result<(), Misplaced> {
        let st = &s.file.statement;
        let role = self.class.and_then(|c| c.confirm.as_deref());
        if self.filled < self.roles.len() || self.roles.is_empty() {
            return Err(("premature-confirm", Text::new("signoff.confirm_early", &[("path", &s.path)])));
        }
        if role != Some(st.stage.as_str()) {
            let text = match role {
                Some(r) => Text::new(
                    "signoff.confirm_role",
                    &[("path", &s.path), ("role", &st.stage), ("expected", &r)],
                ),
                None => Text::new("signoff.confirm_none", &[("path", &s.path), ("role", &st.stage)]),
            };
            return Err(("premature-confirm", text));
        }
        if !self.people.iter().any(|p| p.id == st.by && p.roles.contains(&st.stage)) {
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("path", &s.path), ("by", &st.by), ("role", &st.stage)];
            return Err(("signer-not-in-role", Text::new("signoff.not_in_role", &args)));
        }
        if st.subject != Subject::Report {
            return Err(("premature-confirm", Text::new("signoff.confirm_request", &[("path", &s.path)])));
        }
        self.confirmed_by = Some(i);
        Ok(())
    }

    /// Separation of duties: one person signs at most one stage; the requester only `applicant`.
    fn separation(&self, s: &SignOff) -> Result<(), Misplaced> {
        let st = &s.file.statement;
        if !self.rules.separation_of_duties {
            return Ok(());
        }
        if let Some((_, role)) = self.signers.iter().find(|(by, _)| *by == st.by) {
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("path", &s.path), ("by", &st.by), ("role", role)];
            return Err(("self-approval", Text::new("signoff.twice", &args)));
        }
        if st.by == self.change.requested_by && st.stage != "applicant" {
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("path", &s.path), ("by", &st.by), ("role", &st.stage)];
            return Err(("self-approval", Text::new("signoff.requester", &args)));
        }
        Ok(())
    }
}

/// A sign-off whose commit is not signed by the same key (after a squash merge, say).
fn unsigned_commits(checked: &[Checked]) -> Vec<Finding> {
    checked
        .iter()
        .filter_map(|c| {
            let commit = c.commit.as_ref().filter(|commit| !commit.signed_by_signer)?;
            Some(
                Finding::warning(
                    "unsigned-commit",
                    format!(
                        "{}: its commit is not signed by the same key; the statement's own signature still verifies",
                        c.signoff.path
                    ),
                )
                .words("signoff.unsigned_commit", &[("path", &c.signoff.path)])
                .at(&c.signoff.path, None)
                .change(&c.signoff.change)
                .commit(Some(&commit.id)),
            )
        })
        .collect()
}

/// The change's state from its filled chain, rejection, confirmation and report.
fn state_of(change: &ChangeRequest, class: Option<&Class>, chain: &Filling, standing: &[Standing]) -> State {
    let complete_chain = !chain.roles.is_empty() && chain.filled == chain.roles.len();
    if chain.rejected_by.is_some() {
        State::Rejected
    } else if complete_chain && chain.confirmed_by.is_some() {
        State::Complete
    } else if complete_chain && change.report.is_some() {
        State::Executing
    } else if complete_chain {
        State::Approved
    } else if change.report.is_some() && class.is_some_and(|c| c.retroactive_within.is_some()) {
        // Emergencies may run before their chain is complete; they still need it, retroactively.
        State::Executing
    } else if chain.filled > 0 || standing.iter().any(|s| *s != Standing::Valid) {
        State::InReview
    } else {
        State::Draft
    }
}
