//! `lifecycle approve`: sign the next stage of a change's approval chain (SPEC §4). The machinery here
//! is shared with `reject` and `confirm`.

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};

use super::Ctx;
use crate::approvals;
use crate::cli::Exit;
use crate::diag::suggest;
use crate::eval::approvals::{ChangeEval, Checked, State};
use crate::eval::rules::{self, Approval};
use crate::git::Git;
use crate::i18n::Lang;
use crate::model::statement::{Decision, SignOffFile, Statement, Subject};
use crate::model::{ChangeRequest, Person, Repository};
use crate::render::words;
use crate::sign::{GIT_NAMESPACE, GitSigner, Signer, Trust};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle approve CHG-2024-003 -m \"技术方案可行\"
  lifecycle approve CHG-2024-003 --stage architect

Signs with your git signing key (gpg.format, user.signingKey), writes
changes/<ID>/approvals/<NN>-<stage>.yaml and commits it in one signed commit.")]
pub struct Args {
    /// The change to approve
    pub id: String,
    /// Comment recorded in the signed statement
    #[arg(short, long, value_name = "TEXT")]
    pub message: Option<String>,
    /// The stage to sign, when you hold several roles (default: the next stage you hold)
    #[arg(long, value_name = "ROLE")]
    pub stage: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let request = SignRequest {
        id: &args.id,
        decision: Decision::Approved,
        comment: args.message.as_deref().unwrap_or(""),
        stage: args.stage.as_deref(),
        accept_findings: false,
    };
    sign_off(ctx, &request, out)
}

/// What to sign.
pub struct SignRequest<'a> {
    pub id: &'a str,
    pub decision: Decision,
    pub comment: &'a str,
    pub stage: Option<&'a str>,
    pub accept_findings: bool,
}

/// Builds, signs and commits one sign-off; refuses with nothing written when any rule says no.
pub fn sign_off(ctx: &Ctx, req: &SignRequest, out: &mut dyn Write) -> Result<Exit> {
    let lang = ctx.lang;
    let git = ctx
        .git
        .as_ref()
        .ok_or_else(|| anyhow!("{}", lang.fmt("approve.refuse.no_git", &[("path", &ctx.root.display())])))?;
    let head = git.head().ok_or_else(|| anyhow!("{}", lang.t("approve.refuse.no_commit")))?;
    let mut loaded = ctx.load(None)?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    pending_people(ctx, git, head, &mut loaded.repo)?;
    let repo = &loaded.repo;
    let change = find_change(repo, req.id, lang)?;
    let folder = format!("{}/{}", repo.settings.paths.changes, change.id);

    // Only committed content may be signed: what is signed must be what others see.
    let subject = if req.decision == Decision::Confirmed { Subject::Report } else { Subject::Request };
    if subject == Subject::Report && change.report.is_none() {
        bail!("{}", lang.fmt("approve.refuse.no_report", &[("id", &change.id), ("folder", &folder)]));
    }
    let mut must_match = vec![format!("{folder}/request.yaml")];
    if subject == Subject::Report {
        must_match.push(format!("{folder}/report.yaml"));
    }
    for path in &must_match {
        unchanged_since_head(ctx, git, head, path)?;
    }
    let approvals_dir = format!("{folder}/approvals");
    let committed: Vec<String> = git.list(head, &approvals_dir)?.into_iter().map(|(p, _, _)| p).collect();
    let present: Vec<&str> =
        repo.signoffs.iter().filter(|s| s.change == change.id).map(|s| s.path.as_str()).collect();
    if present != committed.iter().map(String::as_str).collect::<Vec<_>>() {
        bail!("{}", lang.fmt("approve.refuse.approvals_differ", &[("dir", &approvals_dir)]));
    }

    let signer = GitSigner::from_repo(git.raw(), lang)?;
    let key = signer.public_key().id();
    let trust = Trust::from_people(&repo.people);
    let Some((person_id, _)) = trust.get(&key) else {
        bail!(
            "{}",
            lang.fmt("approve.refuse.unknown_key", &[("key", &key), ("people", &repo.settings.paths.people)])
        );
    };
    let person = repo.person(person_id).context("the key's owner is in the people file")?;

    let checked = approvals::check(repo, &trust, None);
    let mine: Vec<_> = checked.iter().filter(|c| c.signoff.change == change.id).cloned().collect();
    let eval = approvals::evaluate_one(repo, change, &mine);
    let class = repo.policy.classes.get(&change.class);
    let stage = choose_stage(lang, repo, change, req, &eval)?;
    may_sign(lang, repo, change, req, &eval, &mine, person, &stage)?;
    if req.decision == Decision::Confirmed {
        if let Some(report) = &change.report {
            refuse_unfinished(lang, report, &change.id, ctx.now())?;
        }
        // Approval time is the commit time of the last approval, never a signer's claimed `at`.
        let history = approvals::added_in(git, head, repo, &trust)?;
        let approved_at = eval
            .stages
            .last()
            .copied()
            .flatten()
            .and_then(|i| history.get(&mine[i].signoff.path))
            .map(|c| c.time);
        let findings = rules::execution(
            change,
            class,
            &repo.policy.rules,
            Approval { approved: true, at: approved_at, after_report: false },
            repo.settings.timezone,
            ctx.now(),
        );
        refuse_findings(lang, req, &findings)?;
    }

    // Build the statement, chained to the last sign-off of this change.
    let last = mine.iter().map(|c| c.signoff).max_by_key(|s| s.seq);
    let seq = last.map(|s| s.seq + 1).unwrap_or(1);
    let subject_digest = match subject {
        Subject::Request => change.digest.clone(),
        Subject::Report => change.report.as_ref().map(|r| r.digest.clone()).unwrap_or_default(),
    };
    let committer = git.identity("COMMITTER")?;
    let at = crate::git::to_chrono(committer.when())
        .ok_or_else(|| anyhow!("{}", lang.t("approve.refuse.time_range")))?
        .with_timezone(&repo.settings.timezone)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let statement = Statement {
        change: change.id.clone(),
        stage: stage.clone(),
        decision: req.decision,
        by: person.id.clone(),
        at,
        comment: req.comment.to_string(),
        subject,
        subject_digest: subject_digest.clone(),
        previous_digest: last.map(|s| s.file.statement.digest()),
        key: key.0.clone(),
    };
    let signature = signer.sign(&statement.payload(), &repo.settings.signing_namespace)?;
    let file = SignOffFile { statement, signature };
    // Never write a statement that does not verify (a wrong agent key, a broken ssh-keygen wrapper…).
    let check = crate::sign::verify(
        &trust,
        &file.statement.payload(),
        &file.signature,
        &repo.settings.signing_namespace,
    )
    .map_err(|e| anyhow!("{}", lang.fmt("approve.refuse.bad_new_signature", &[("error", &e)])))?;
    if check != key {
        bail!("{}", lang.fmt("approve.refuse.wrong_key", &[("check", &check), ("key", &key)]));
    }
    let path = format!("{approvals_dir}/{seq:02}-{stage}.yaml");
    let text = file.to_yaml();
    let message = commit_message(change, req, &person.id, &stage, &subject_digest);
    let full = ctx.root.join(&path);
    if full.exists() {
        bail!("{}", lang.fmt("approve.refuse.exists", &[("path", &path)]));
    }
    let commit = git.commit_one_file(&path, text.as_bytes(), &message, &|buffer| {
        signer.sign(buffer.as_bytes(), GIT_NAMESPACE)
    })?;
    crate::store::create_atomic(&full, text.as_bytes())?;
    git.stage(&path)?;

    let position = eval.roles.iter().position(|r| *r == stage).map(|i| i + 1);
    let short = &commit.id.to_string()[..10];
    let of = match (req.decision, position) {
        (Decision::Confirmed, _) => lang.t("approve.of_completion").to_string(),
        (_, Some(p)) => lang.fmt("approve.of_stage", &[("n", &p), ("total", &eval.roles.len())]),
        _ => String::new(),
    };
    writeln!(
        out,
        "{}",
        lang.fmt(
            "approve.signed",
            &[
                ("id", &change.id),
                ("stage", &words::role_title(&repo.policy, &stage, lang)),
                ("person", &person.id),
                ("decision", &words::decision(lang, req.decision.as_str())),
                ("of", &of),
                ("path", &path),
                ("commit", &short),
            ]
        )
    )?;
    what_next(ctx, repo, &trust, &change.id, out)?;
    Ok(Exit::Clean)
}

/// The commit message of a sign-off, with trailers that name the change, stage, decision and digest.
fn commit_message(
    change: &ChangeRequest,
    req: &SignRequest,
    person: &str,
    stage: &str,
    digest: &str,
) -> String {
    let verb = match req.decision {
        Decision::Approved => "approve",
        Decision::Rejected => "reject",
        Decision::Confirmed => "confirm",
    };
    let mut message = format!("{verb}({}): {stage} {person} {}\n\n", change.id, req.decision.as_str());
    if !req.comment.trim().is_empty() {
        message.push_str(req.comment.trim());
        message.push_str("\n\n");
    }
    message.push_str(&format!(
        "Lifecycle-Change: {}\nLifecycle-Stage: {stage}\nLifecycle-Decision: {}\nLifecycle-Subject-Digest: {digest}\n",
        change.id,
        req.decision.as_str()
    ));
    message
}

/// The stage this sign-off fills: the class's `confirm` role for a confirmation, else the next stage
/// (or the one asked for, if it is next).
fn choose_stage(
    lang: Lang,
    repo: &Repository,
    change: &ChangeRequest,
    req: &SignRequest,
    eval: &ChangeEval,
) -> Result<String> {
    let id = &change.id;
    let title = |role: &str| words::role_title(&repo.policy, role, lang);
    if req.decision == Decision::Confirmed {
        let class = repo.policy.classes.get(&change.class);
        let role = class.and_then(|c| c.confirm.clone()).ok_or_else(|| {
            anyhow!("{}", lang.fmt("approve.refuse.no_confirm", &[("class", &change.class)]))
        })?;
        if !eval.is_approved() {
            let state = words::state(lang, eval.state);
            bail!("{}", lang.fmt("approve.refuse.not_approved", &[("id", id), ("state", &state)]));
        }
        if eval.state == State::Complete {
            bail!("{}", lang.fmt("approve.refuse.already_confirmed", &[("id", id)]));
        }
        return Ok(role);
    }
    match eval.state {
        State::Rejected => bail!("{}", lang.fmt("approve.refuse.rejected", &[("id", id)])),
        State::Approved | State::Executing | State::Complete if req.decision == Decision::Approved => {
            bail!("{}", lang.fmt("approve.refuse.already_approved", &[("id", id)]))
        }
        State::Approved | State::Executing | State::Complete => {
            bail!("{}", lang.fmt("approve.refuse.reject_approved", &[("id", id)]))
        }
        _ => {}
    }
    let next = eval
        .next
        .clone()
        .ok_or_else(|| anyhow!("{}", lang.fmt("approve.refuse.no_stage_left", &[("id", id)])))?;
    match req.stage {
        Some(s) if s != next => {
            if eval.roles.iter().any(|r| r == s) {
                let args: [(&str, &dyn std::fmt::Display); 4] = [
                    ("stage", &s),
                    ("id", id),
                    ("next", &title(&next)),
                    ("holders", &holders(repo, &next, lang)),
                ];
                bail!("{}", lang.fmt("approve.refuse.not_next", &args));
            }
            let chain = words::chain(&repo.policy, &eval.roles, lang);
            bail!(
                "{}",
                lang.fmt("approve.refuse.no_such_stage", &[("id", id), ("stage", &s), ("chain", &chain)])
            );
        }
        _ => Ok(next),
    }
}

/// Refuses when `person` may not sign `stage`: they do not hold the role, or separation of duties
/// forbids it.
#[allow(clippy::too_many_arguments)]
fn may_sign(
    lang: Lang,
    repo: &Repository,
    change: &ChangeRequest,
    req: &SignRequest,
    eval: &ChangeEval,
    mine: &[Checked],
    person: &Person,
    stage: &str,
) -> Result<()> {
    let id = &change.id;
    let title = |role: &str| words::role_title(&repo.policy, role, lang);
    if !person.roles.iter().any(|r| r == stage) {
        let roles = if person.roles.is_empty() {
            lang.t("approve.no_role").to_string()
        } else {
            words::list(lang, &person.roles.iter().map(|r| title(r)).collect::<Vec<_>>())
        };
        let args: [(&str, &dyn std::fmt::Display); 5] = [
            ("id", id),
            ("stage", &title(stage)),
            ("holders", &holders(repo, stage, lang)),
            ("person", &person.id),
            ("roles", &roles),
        ];
        bail!("{}", lang.fmt("approve.refuse.not_your_role", &args));
    }
    if repo.policy.rules.separation_of_duties && req.decision != Decision::Confirmed {
        if let Some(role) =
            eval.stages.iter().zip(&eval.roles).find_map(|(s, role)| {
                s.filter(|i| mine[*i].signoff.file.statement.by == person.id).map(|_| role)
            })
        {
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("person", &person.id), ("role", &title(role)), ("id", id)];
            bail!("{}", lang.fmt("approve.refuse.signed_twice", &args));
        }
        if change.requested_by == person.id && stage != "applicant" {
            bail!(
                "{}",
                lang.fmt("approve.refuse.requester", &[("id", id), ("applicant", &title("applicant"))])
            );
        }
    }
    Ok(())
}

/// Refuses a confirmation whose report breaks the policy's rules, unless they are accepted with a reason.
fn refuse_findings(lang: Lang, req: &SignRequest, findings: &[crate::eval::findings::Finding]) -> Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    let (_, _, colon) = crate::diag::marks(lang);
    let list: Vec<String> =
        findings.iter().map(|f| format!("  {}{colon}{}", f.code, words::finding(lang, f))).collect();
    if !req.accept_findings {
        bail!("{}", lang.fmt("approve.refuse.breaks_rules", &[("list", &list.join("\n"))]));
    }
    if req.comment.trim().is_empty() {
        bail!("{}", lang.fmt("approve.refuse.accept_needs_comment", &[("list", &list.join("\n"))]));
    }
    Ok(())
}

/// After signing: where the change stands now and who acts next.
fn what_next(ctx: &Ctx, repo: &Repository, trust: &Trust, id: &str, out: &mut dyn Write) -> Result<()> {
    let lang = ctx.lang;
    let mut after = ctx.load(None)?;
    // The same trust as the signing: a people file waiting for its approval does not count yet.
    after.repo.people = repo.people.clone();
    let Some(ch) = after.repo.changes.iter().find(|c| c.id == id) else { return Ok(()) };
    let checked = approvals::check(&after.repo, trust, None);
    let mine: Vec<_> = checked.into_iter().filter(|c| c.signoff.change == id).collect();
    let e = approvals::evaluate_one(&after.repo, ch, &mine);
    match (&e.state, &e.next) {
        (State::Approved, _) => {
            writeln!(out, "{}", lang.fmt("approve.is_approved", &[("id", &id)]))?;
            if !ctx.quiet {
                writeln!(out, "{}", after_approval(ctx, &after.repo, ch))?;
            }
        }
        (State::Complete, _) => writeln!(out, "{}", lang.fmt("approve.is_complete", &[("id", &id)]))?,
        (State::Rejected, _) => writeln!(out, "{}", lang.fmt("approve.is_rejected", &[("id", &id)]))?,
        (_, Some(next)) => writeln!(
            out,
            "{}",
            lang.fmt(
                "approve.next",
                &[
                    ("role", &words::role_title(&after.repo.policy, next, lang)),
                    ("holders", &holders(&after.repo, next, lang)),
                    ("id", &id)
                ]
            )
        )?,
        _ => {}
    }
    Ok(())
}

/// "zhang.wei" or "zhang.wei, li.na": who holds a role.
pub fn holders(repo: &Repository, role: &str, lang: Lang) -> String {
    let ids: Vec<&str> =
        repo.people.iter().filter(|p| p.roles.iter().any(|r| r == role)).map(|p| p.id.as_str()).collect();
    if ids.is_empty() { lang.t("approve.nobody").to_string() } else { words::list(lang, &ids) }
}

pub fn find_change<'a>(repo: &'a Repository, id: &str, lang: Lang) -> Result<&'a ChangeRequest> {
    repo.changes.iter().find(|c| c.id == id).ok_or_else(|| {
        let near = suggest(id, repo.changes.iter().map(|c| c.id.as_str()))
            .map(|s| lang.fmt("approve.did_you_mean", &[("id", &s)]))
            .unwrap_or_default();
        let path = &repo.settings.paths.changes;
        anyhow!("{}{near}", lang.fmt("approve.refuse.no_change", &[("id", &id), ("path", path)]))
    })
}

/// What comes after the last approval: commit the policy files it lists, or carry the change out
/// (and write, commit and confirm its report when the class confirms).
fn after_approval(ctx: &Ctx, repo: &crate::model::Repository, ch: &crate::model::ChangeRequest) -> String {
    let lang = ctx.lang;
    let id = ch.id.as_str();
    let class = repo.policy.classes.get(&ch.class);
    if ch.class == "policy" {
        let files: Vec<&str> = ch
            .targets
            .iter()
            .filter_map(|t| match t {
                crate::model::Target::File { path, .. } => Some(path.as_str()),
                _ => None,
            })
            .collect();
        return lang.fmt("approve.next_policy", &[("files", &files.join(" "))]);
    }
    if let Some(until) = ch.until {
        return lang.fmt("approve.next_exception", &[("until", &until)]);
    }
    let report = format!("{}/{id}/report.yaml", repo.settings.paths.changes);
    match class.and_then(|c| c.confirm.as_deref()) {
        Some(role) => {
            let role = words::role_title(&repo.policy, role, lang);
            lang.fmt("approve.next_confirm", &[("id", &id), ("report", &report), ("role", &role)])
        }
        None => lang.t("approve.next_execute").to_string(),
    }
}

/// The people file must be HEAD's: trust comes from committed content. One exception: a new people
/// file that a committed `policy` request lists by digest (what `people add|remove|rotate` writes)
/// waits in the work tree for its approval; then trust is HEAD's people file, read from git.
fn pending_people(ctx: &Ctx, git: &Git, head: git2::Oid, repo: &mut crate::model::Repository) -> Result<()> {
    let path = repo.settings.paths.people.clone();
    let Some(here) = std::fs::read(ctx.root.join(&path)).ok() else {
        return unchanged_since_head(ctx, git, head, &path);
    };
    let want = crate::model::statement::digest(&here);
    let requested = repo.changes.iter().any(|c| {
        c.class == "policy"
            && c.targets.iter().any(|t| matches!(t, crate::model::Target::File { path: p, digest, .. } if *p == path && *digest == want))
            && git
                .read_at(head, &c.origin.path)
                .ok()
                .flatten()
                .is_some_and(|b| crate::model::statement::digest(&b) == c.digest)
    });
    let Some(at_head) = git.read_at(head, &path)? else {
        return unchanged_since_head(ctx, git, head, &path);
    };
    if at_head == here {
        return Ok(());
    }
    if !requested {
        bail!("{}", ctx.lang.fmt("approve.refuse.people_uncommitted", &[("path", &path)]));
    }
    let text = String::from_utf8_lossy(&at_head).into_owned();
    let committed = crate::load::load_blobs(repo.settings.clone(), vec![(path, text.into_bytes())]);
    repo.people = committed.repo.people;
    Ok(())
}

/// Refuses when the work tree's `path` is not exactly HEAD's.
fn unchanged_since_head(ctx: &Ctx, git: &Git, head: git2::Oid, path: &str) -> Result<()> {
    let at_head = git.read_at(head, path)?;
    let here = std::fs::read(ctx.root.join(path)).ok();
    let key = match (at_head, here) {
        (None, Some(_)) => "approve.refuse.not_committed",
        (Some(a), Some(b)) if a != b => "approve.refuse.uncommitted",
        (Some(_), None) => "approve.refuse.deleted",
        _ => return Ok(()),
    };
    bail!("{}", ctx.lang.fmt(key, &[("path", &path)]))
}

/// Completion is confirmed only on a finished execution whose times are not in the future (SPEC §4.6).
fn refuse_unfinished(
    lang: Lang,
    report: &crate::model::Report,
    id: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<()> {
    let Some(finished) = report.finished_at else {
        bail!("{}", lang.fmt("approve.refuse.unfinished", &[("id", &id)]));
    };
    for (field, at) in [("started_at", report.started_at), ("finished_at", finished)] {
        if at > now {
            let args: [(&str, &dyn std::fmt::Display); 4] =
                [("id", &id), ("field", &field), ("at", &at), ("now", &now)];
            bail!("{}", lang.fmt("approve.refuse.future", &args));
        }
    }
    Ok(())
}
