//! `lifecycle approve`: sign the next stage of a change's approval chain (SPEC §4). The machinery here
//! is shared with `reject` and `confirm`.

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};

use super::Ctx;
use crate::approvals;
use crate::cli::Exit;
use crate::diag::suggest;
use crate::eval::approvals::State;
use crate::eval::rules::{self, Approval};
use crate::git::Git;
use crate::model::statement::{Decision, SignOffFile, Statement, Subject};
use crate::model::{ChangeRequest, Repository};
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
    let git = ctx
        .git
        .as_ref()
        .ok_or_else(|| anyhow!("signing needs a git repository; {} is not in one", ctx.root.display()))?;
    let head = git
        .head()
        .ok_or_else(|| anyhow!("the repository has no commit yet; commit the change request first"))?;
    let mut loaded = ctx.load(None)?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    pending_people(ctx, git, head, &mut loaded.repo)?;
    let repo = &loaded.repo;
    let change = find_change(repo, req.id)?;
    let folder = format!("{}/{}", repo.settings.paths.changes, change.id);

    // Only committed content may be signed: what is signed must be what others see.
    let subject = if req.decision == Decision::Confirmed { Subject::Report } else { Subject::Request };
    if subject == Subject::Report && change.report.is_none() {
        bail!(
            "{} has no report.yaml yet\n  = hint: write {folder}/report.yaml (the execution report), commit it, then confirm",
            change.id
        );
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
        bail!(
            "{approvals_dir} differs from HEAD (uncommitted or deleted sign-offs)\n  = hint: commit or restore them first (`git status {approvals_dir}`)"
        );
    }

    let signer = GitSigner::from_repo(git.raw())?;
    let key = signer.public_key().id();
    let trust = Trust::from_people(&repo.people);
    let Some((person_id, _)) = trust.get(&key) else {
        bail!(
            "your signing key {key} is not in {}\n  = hint: a sign-off counts only with a key listed there; add it through an approved `policy` change",
            repo.settings.paths.people
        );
    };
    let person = repo.person(person_id).context("the key's owner is in the people file")?;

    let checked = approvals::check(repo, &trust, None);
    let mine: Vec<_> = checked.iter().filter(|c| c.signoff.change == change.id).cloned().collect();
    let eval = approvals::evaluate_one(repo, change, &mine);
    let class = repo.policy.classes.get(&change.class);

    let stage = match req.decision {
        Decision::Confirmed => {
            let role = class.and_then(|c| c.confirm.clone()).ok_or_else(|| {
                anyhow!("class `{}` has no `confirm` role, so its changes are not confirmed", change.class)
            })?;
            if !eval.is_approved() {
                bail!(
                    "{} is {}, not approved: it cannot be confirmed complete yet",
                    change.id,
                    eval.state.as_str()
                );
            }
            if eval.state == State::Complete {
                bail!("{} is already confirmed complete", change.id);
            }
            role
        }
        _ => {
            match eval.state {
                State::Rejected => bail!(
                    "{} was rejected; edit and commit its request to start a new round of sign-offs",
                    change.id
                ),
                State::Approved | State::Executing | State::Complete
                    if req.decision == Decision::Approved =>
                {
                    bail!("{} is already approved (every stage is signed)", change.id)
                }
                State::Approved | State::Executing | State::Complete => bail!(
                    "{} is already approved; a rejection cannot undo signed approvals\n  = hint: to stop it, edit and commit its request (every sign-off becomes stale), or open a new change",
                    change.id
                ),
                _ => {}
            }
            let next = eval.next.clone().ok_or_else(|| anyhow!("{} has no stage left to sign", change.id))?;
            match req.stage {
                Some(s) if s != next => {
                    if eval.roles.iter().any(|r| r == s) {
                        bail!(
                            "stage `{s}` is not next: {} needs `{next}` first ({})",
                            change.id,
                            holders(repo, &next)
                        );
                    }
                    bail!("the chain of {} has no stage `{s}`: it is {}", change.id, eval.roles.join(" → "));
                }
                _ => next,
            }
        }
    };
    if !person.roles.contains(&stage) {
        bail!(
            "{} needs `{stage}` next ({}); you ({}) hold {}\n  = hint: ask them to run `lifecycle approve {}`",
            change.id,
            holders(repo, &stage),
            person.id,
            if person.roles.is_empty() { "no role".to_string() } else { person.roles.join(", ") },
            change.id
        );
    }
    if repo.policy.rules.separation_of_duties && req.decision != Decision::Confirmed {
        if let Some(role) =
            eval.stages.iter().zip(&eval.roles).find_map(|(s, role)| {
                s.filter(|i| mine[*i].signoff.file.statement.by == person.id).map(|_| role)
            })
        {
            bail!("separation of duties: you ({}) already signed stage `{role}` of {}", person.id, change.id);
        }
        if change.requested_by == person.id && stage != "applicant" {
            bail!(
                "separation of duties: you requested {}, so you may sign only its `applicant` stage",
                change.id
            );
        }
    }
    if req.decision == Decision::Confirmed
        && let Some(report) = &change.report
    {
        refuse_unfinished(report, &change.id, ctx.now())?;
    }
    if req.decision == Decision::Confirmed {
        // Approval time is the commit time of the last approval, never a signer's claimed `at`.
        let history = approvals::added_in(git, head, repo, &trust)?;
        let approved_at = eval
            .stages
            .last()
            .copied()
            .flatten()
            .and_then(|i| history.get(&mine[i].signoff.path))
            .map(|c| c.time);
        let now = ctx.now();
        let findings = rules::execution(
            change,
            class,
            &repo.policy.rules,
            Approval { approved: true, at: approved_at, after_report: false },
            repo.settings.timezone,
            now,
        );
        if !findings.is_empty() {
            let list: Vec<String> = findings.iter().map(|f| format!("  {}: {}", f.code, f.message)).collect();
            if !req.accept_findings {
                bail!(
                    "the execution report breaks the policy's rules:\n{}\n  = hint: fix the report, or confirm with --accept-findings and a comment (-m) explaining why",
                    list.join("\n")
                );
            }
            if req.comment.trim().is_empty() {
                bail!(
                    "--accept-findings needs a comment (-m) explaining why the findings are accepted:\n{}",
                    list.join("\n")
                );
            }
        }
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
        .ok_or_else(|| anyhow!("the committer time is out of range"))?
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
    .map_err(|e| anyhow!("the new signature does not verify ({e}); nothing was written"))?;
    if check != key {
        bail!("the signature was made by {check}, not by the configured key {key}; nothing was written");
    }
    let path = format!("{approvals_dir}/{seq:02}-{stage}.yaml");
    let text = file.to_yaml();
    let verb = match req.decision {
        Decision::Approved => "approve",
        Decision::Rejected => "reject",
        Decision::Confirmed => "confirm",
    };
    let mut message = format!("{verb}({}): {stage} {} {}\n\n", change.id, person.id, req.decision.as_str());
    if !req.comment.trim().is_empty() {
        message.push_str(req.comment.trim());
        message.push_str("\n\n");
    }
    message.push_str(&format!(
        "Lifecycle-Change: {}\nLifecycle-Stage: {stage}\nLifecycle-Decision: {}\nLifecycle-Subject-Digest: {subject_digest}\n",
        change.id,
        req.decision.as_str()
    ));
    let full = ctx.root.join(&path);
    if full.exists() {
        bail!("{path} exists already; nothing was written");
    }
    let commit = git.commit_one_file(&path, text.as_bytes(), &message, &|buffer| {
        signer.sign(buffer.as_bytes(), GIT_NAMESPACE)
    })?;
    crate::store::create_atomic(&full, text.as_bytes())?;
    git.stage(&path)?;

    let position = eval.roles.iter().position(|r| *r == stage).map(|i| i + 1);
    let short = &commit.id.to_string()[..10];
    let lang = ctx.lang;
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
                ("stage", &stage),
                ("person", &person.id),
                ("decision", &crate::render::words::decision(lang, req.decision.as_str())),
                ("of", &of),
                ("path", &path),
                ("commit", &short),
            ]
        )
    )?;
    let mut after = ctx.load(None)?;
    // The same trust as the signing: a people file waiting for its approval does not count yet.
    after.repo.people = repo.people.clone();
    if let Some(ch) = after.repo.changes.iter().find(|c| c.id == change.id) {
        let checked = approvals::check(&after.repo, &trust, None);
        let mine: Vec<_> = checked.into_iter().filter(|c| c.signoff.change == change.id).collect();
        let e = approvals::evaluate_one(&after.repo, ch, &mine);
        match (&e.state, &e.next) {
            (State::Approved, _) => {
                writeln!(out, "{}", lang.fmt("approve.is_approved", &[("id", &change.id)]))?;
                if !ctx.quiet {
                    writeln!(out, "{}", after_approval(ctx, &after.repo, ch))?;
                }
            }
            (State::Complete, _) => {
                writeln!(out, "{}", lang.fmt("approve.is_complete", &[("id", &change.id)]))?
            }
            (State::Rejected, _) => {
                writeln!(out, "{}", lang.fmt("approve.is_rejected", &[("id", &change.id)]))?
            }
            (_, Some(next)) => writeln!(
                out,
                "{}",
                lang.fmt(
                    "approve.next",
                    &[("role", next), ("holders", &holders(&after.repo, next)), ("id", &change.id)]
                )
            )?,
            _ => {}
        }
    }
    Ok(Exit::Clean)
}

/// "zhang.wei" or "zhang.wei, li.na": who holds a role.
pub fn holders(repo: &Repository, role: &str) -> String {
    let ids: Vec<&str> =
        repo.people.iter().filter(|p| p.roles.iter().any(|r| r == role)).map(|p| p.id.as_str()).collect();
    if ids.is_empty() { "nobody holds it".into() } else { ids.join(", ") }
}

pub fn find_change<'a>(repo: &'a Repository, id: &str) -> Result<&'a ChangeRequest> {
    repo.changes.iter().find(|c| c.id == id).ok_or_else(|| {
        let near = suggest(id, repo.changes.iter().map(|c| c.id.as_str()))
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        anyhow!("no change `{id}` in {}/{near}", repo.settings.paths.changes)
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
        Some(role) => lang.fmt("approve.next_confirm", &[("id", &id), ("report", &report), ("role", &role)]),
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
        bail!(
            "{path} has uncommitted changes; only committed content can be signed\n  = hint: commit them through a policy change (`lifecycle people add|remove|rotate`, or `lifecycle change new --class policy --file {path}`), or `git restore {path}`"
        );
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
    match (at_head, here) {
        (None, Some(_)) => {
            bail!("{path} is not committed\n  = hint: commit it first: git add {path} && git commit")
        }
        (Some(a), Some(b)) if a != b => {
            bail!(
                "{path} has uncommitted changes; only committed content can be signed\n  = hint: commit them, or `git restore {path}`"
            )
        }
        (Some(_), None) => bail!("{path} is deleted in the work tree\n  = hint: `git restore {path}`"),
        _ => Ok(()),
    }
}

/// Completion is confirmed only on a finished execution whose times are not in the future (SPEC §4.6).
fn refuse_unfinished(
    report: &crate::model::Report,
    id: &str,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<()> {
    let Some(finished) = report.finished_at else {
        bail!(
            "{id} has not finished: its report.yaml has no `finished_at`\n  = hint: record `finished_at` when the execution is over, commit it, then confirm"
        );
    };
    for (field, at) in [("started_at", report.started_at), ("finished_at", finished)] {
        if at > now {
            bail!(
                "{id}'s report says `{field}: {at}`, which is in the future (now {now})\n  = hint: confirm after the execution has finished; correct the report if the time is wrong"
            );
        }
    }
    Ok(())
}
