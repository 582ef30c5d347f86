//! `lifecycle change new|list|show`: open change requests and follow their approval chains.

use std::io::Write;

use anyhow::{Result, anyhow, bail};
use comfy_table::{Cell, ContentArrangement, Table, presets};

use super::Ctx;
use super::approve::{find_change, holders};
use crate::approvals;
use crate::cli::Exit;
use crate::diag::suggest;
use crate::eval::approvals::{ChangeEval, Checked, Standing};
use crate::i18n::Lang;
use crate::model::statement::digest;
use crate::model::{Repository, Target};
use crate::render::words;
use crate::sign::{GitSigner, Signer, Trust};
use crate::store::{NewRequest, RequestTarget, create_atomic};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle change new --class replacement --target redis-session/redis=7.2.0
  lifecycle change list
  lifecycle change show CHG-2024-003")]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Write a change request skeleton with `from` filled from the inventory
    #[command(after_help = "\
Examples:
  lifecycle change new --class replacement --target redis-session/redis=7.2.0
  lifecycle change new --class exception --target portal-www/jquery=1.12.4 --until 2025-03-31
  lifecycle change new --class policy --file policies/people.yaml
  lifecycle change new --class policy --adopt     approve the policy as it stands")]
    New(NewArgs),
    /// List change requests with their state and who signs next
    #[command(after_help = "\
Examples:
  lifecycle change list
  lifecycle change list --format json     lifecycle.changes/v1
  lifecycle --lang zh-CN change list")]
    List(ListArgs),
    /// Show a change: its chain, each stage's signer and status, stale sign-offs, who signs next
    #[command(after_help = "\
Examples:
  lifecycle change show CHG-2024-003
  lifecycle change show CHG-2024-003 --format json     lifecycle.change/v1")]
    Show(ShowArgs),
}

#[derive(clap::Args, Debug)]
pub struct NewArgs {
    /// Class of the policy (replacement, exception, policy, …)
    #[arg(long)]
    pub class: String,
    /// SYSTEM/COMPONENT=TO, SYSTEM/COMPONENT=removed, SYSTEM=removed, or SYSTEM (a whole system:
    /// onboarding or renaming it) (repeatable)
    #[arg(long = "target", value_name = "SYSTEM/COMPONENT=TO")]
    pub targets: Vec<String>,
    /// A policy file whose new content this change approves (repeatable; its digest is recorded)
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<String>,
    /// Id (default: the next free CHG-YYYY-NNN)
    #[arg(long)]
    pub id: Option<String>,
    /// Title (default: from the targets)
    #[arg(long)]
    pub title: Option<String>,
    /// Why the change is needed
    #[arg(long)]
    pub reason: Option<String>,
    /// Until when a risk is accepted (exception classes)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// The requester (default: the owner of your git signing key in the people file)
    #[arg(long, value_name = "PERSON")]
    pub requested_by: Option<String>,
    /// With --class policy: approve every policy file, the people file and lifecycle.yaml as they
    /// stand (their current digests), for the initial adoption or a periodic review
    #[arg(long)]
    pub adopt: bool,
}

#[derive(clap::Args, Debug)]
pub struct ListArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
pub struct ShowArgs {
    /// The change id
    pub id: String,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    match &args.command {
        Command::New(a) => new(ctx, a, out),
        Command::List(a) => list(ctx, a, out),
        Command::Show(a) => show(ctx, a, out),
    }
}

fn new(ctx: &Ctx, args: &NewArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load(None)?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    let repo = &loaded.repo;
    let mut targets = version_targets(ctx.lang, repo, &args.targets)?;
    if args.adopt {
        if args.class != "policy" {
            bail!("{}", ctx.lang.t("change.refuse.adopt_class"));
        }
        if !targets.is_empty() || !args.files.is_empty() {
            bail!("{}", ctx.lang.t("change.refuse.adopt_targets"));
        }
        targets.extend(adopted_files(ctx, repo)?);
    } else if targets.is_empty() && args.files.is_empty() {
        bail!("{}", ctx.lang.t("change.refuse.no_target"));
    }
    for f in &args.files {
        let bytes = std::fs::read(ctx.root.join(f)).map_err(|e| {
            anyhow!("{}", ctx.lang.fmt("change.refuse.unreadable", &[("path", f), ("error", &e)]))
        })?;
        targets.push(RequestTarget::File { path: f.clone(), digest: digest(&bytes) });
    }
    let opening = Opening {
        class: &args.class,
        id: args.id.as_deref(),
        title: args.title.clone().or_else(|| {
            let class = repo.policy.classes.get(&args.class).and_then(|c| c.title.clone());
            args.adopt
                .then(|| format!("{} — adopt the policy as it stands", class.unwrap_or(args.class.clone())))
        }),
        reason: args.reason.as_deref(),
        requested_by: args.requested_by.as_deref(),
        until: args.until.as_deref(),
    };
    let request = prepare(ctx, repo, &opening, targets)?;
    request.write(ctx, out, true)?;
    Ok(Exit::Clean)
}

/// `--target SYSTEM/COMPONENT=TO` arguments as request targets, `from` filled from the inventory.
fn version_targets(lang: Lang, repo: &Repository, args: &[String]) -> Result<Vec<RequestTarget>> {
    let mut targets = Vec::new();
    for t in args {
        if !t.contains('/') {
            let (system, to) = match t.split_once('=') {
                Some((s, "removed")) => (s, Some("removed".to_string())),
                None => (t.as_str(), None),
                Some(_) => bail!("{}", lang.fmt("change.refuse.whole_system", &[("target", t)])),
            };
            targets.push(RequestTarget::System { system: system.to_string(), to });
            continue;
        }
        let (sc, to) = t
            .split_once('=')
            .ok_or_else(|| anyhow!("{}", lang.fmt("change.refuse.target_shape", &[("target", t)])))?;
        let (system, component) = sc
            .split_once('/')
            .ok_or_else(|| anyhow!("{}", lang.fmt("change.refuse.target_shape", &[("target", t)])))?;
        let Some(s) = repo.system(system) else {
            let near = suggest(system, repo.systems.iter().map(|s| s.id.as_str()))
                .map(|s| lang.fmt("approve.did_you_mean", &[("id", &s)]))
                .unwrap_or_default();
            bail!("{}{near}", lang.fmt("change.refuse.no_system", &[("system", &system)]));
        };
        let Some(c) = s.components.iter().find(|c| c.name == component) else {
            let names: Vec<&str> = s.components.iter().map(|c| c.name.as_str()).collect();
            let args: [(&str, &dyn std::fmt::Display); 3] =
                [("system", &system), ("component", &component), ("names", &words::list(lang, &names))];
            bail!("{}", lang.fmt("change.refuse.no_component", &args));
        };
        if to.trim().is_empty() {
            bail!("{}", lang.fmt("change.refuse.no_version", &[("target", t)]));
        }
        targets.push(RequestTarget::Version {
            system: system.to_string(),
            component: component.to_string(),
            from: c.version.clone(),
            to: to.trim().to_string(),
        });
    }
    Ok(targets)
}

/// Every policy file, the people file and `lifecycle.yaml` (when present) with their current digests
/// (SPEC §4.8, adoption), sorted by path.
fn adopted_files(ctx: &Ctx, repo: &Repository) -> Result<Vec<RequestTarget>> {
    let mut paths: Vec<String> = repo.policy.files.clone();
    paths.push(repo.settings.paths.people.clone());
    if ctx.root.join("lifecycle.yaml").is_file() {
        paths.push("lifecycle.yaml".to_string());
    }
    paths.sort();
    paths.dedup();
    let mut targets = Vec::new();
    for path in paths {
        let bytes = std::fs::read(ctx.root.join(&path)).map_err(|e| {
            anyhow!("{}", ctx.lang.fmt("change.refuse.unreadable", &[("path", &path), ("error", &e)]))
        })?;
        targets.push(RequestTarget::File { digest: digest(&bytes), path });
    }
    Ok(targets)
}

/// What a new request needs besides its targets.
pub(super) struct Opening<'a> {
    pub class: &'a str,
    pub id: Option<&'a str>,
    pub title: Option<String>,
    pub reason: Option<&'a str>,
    pub requested_by: Option<&'a str>,
    pub until: Option<&'a str>,
}

/// A request checked and rendered, not yet written.
pub(super) struct Prepared {
    pub id: String,
    pub path: String,
    yaml: String,
}

impl Prepared {
    /// Writes the request (refusing to replace a file) and, with `next`, says what comes next.
    pub fn write(&self, ctx: &Ctx, out: &mut dyn Write, next: bool) -> Result<()> {
        create_atomic(&ctx.root.join(&self.path), self.yaml.as_bytes())?;
        let lang = ctx.lang;
        writeln!(out, "{}", lang.fmt("change.wrote", &[("path", &self.path)]))?;
        if next && !ctx.quiet {
            writeln!(out, "{}", lang.fmt("change.new_next", &[("path", &self.path), ("id", &self.id)]))?;
        }
        Ok(())
    }
}

/// Checks a new request against the policy and the people file and renders it; writes nothing, so a
/// command that writes other files too can refuse before writing any.
pub(super) fn prepare(
    ctx: &Ctx,
    repo: &Repository,
    opening: &Opening,
    targets: Vec<RequestTarget>,
) -> Result<Prepared> {
    let tz = repo.settings.timezone;
    let Some(class) = repo.policy.classes.get(opening.class) else {
        let names: Vec<&str> = repo.policy.classes.keys().map(String::as_str).collect();
        let lang = ctx.lang;
        let near = suggest(opening.class, names.iter().copied())
            .map(|s| lang.fmt("change.did_you_mean", &[("id", &s)]))
            .unwrap_or_default();
        let args: [(&str, &dyn std::fmt::Display); 3] =
            [("class", &opening.class), ("near", &near), ("names", &words::list(lang, &names))];
        bail!("{}", lang.fmt("change.refuse.no_class", &args));
    };
    let now = ctx.now().with_timezone(&tz);
    let today = ctx.today(tz);
    let until = until(ctx.lang, opening, class, today)?;
    let requested_by = requester(ctx, repo, opening.requested_by)?;
    let id = match opening.id {
        Some(id) if !crate::load::valid_change_id(id) => {
            bail!("{}", ctx.lang.fmt("change.refuse.bad_id", &[("id", &id)]))
        }
        Some(id) => id.to_string(),
        None => next_id(ctx, repo, &today.format("%Y").to_string()),
    };
    let title = opening.title.clone().unwrap_or_else(|| {
        let parts: Vec<String> = targets
            .iter()
            .map(|t| match t {
                RequestTarget::Version { system, component, from, to } => {
                    format!("{system}: {component} {from} → {to}")
                }
                RequestTarget::System { system, to: Some(to) } => format!("{system} → {to}"),
                RequestTarget::System { system, to: None } => system.clone(),
                RequestTarget::File { path, .. } => format!("update {path}"),
            })
            .collect();
        format!("{} — {}", class.title.clone().unwrap_or_else(|| opening.class.to_string()), parts.join("; "))
    });
    let requested_at = now.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
    let request = NewRequest {
        id: &id,
        title: &title,
        class: opening.class,
        requested_by: &requested_by,
        requested_at: &requested_at,
        reason: opening.reason.unwrap_or(""),
        targets,
        until,
    };
    let path = format!("{}/{id}/request.yaml", repo.settings.paths.changes);
    let full = ctx.root.join(&path);
    if full.symlink_metadata().is_ok() {
        bail!("{}", ctx.lang.fmt("change.refuse.exists", &[("path", &full.display())]));
    }
    Ok(Prepared { yaml: request.to_yaml(), id, path })
}

/// `--until`, checked against the class: only exception classes take one, and within `max_duration`.
fn until(
    lang: Lang,
    opening: &Opening,
    class: &crate::model::Class,
    today: chrono::NaiveDate,
) -> Result<Option<String>> {
    let name = opening.class;
    let Some(text) = opening.until else {
        if class.max_duration.is_some() {
            bail!("{}", lang.fmt("change.refuse.needs_until", &[("class", &name)]));
        }
        return Ok(None);
    };
    let until = crate::model::time::parse_date(text)
        .map_err(|m| super::bad_date(lang, format!("--until: {m}"), "`--until`", text))?;
    let Some(max) = class.max_duration else {
        bail!("{}", lang.fmt("change.refuse.no_until", &[("class", &name)]));
    };
    if until < today {
        bail!("{}", lang.fmt("change.refuse.until_past", &[("until", &until)]));
    }
    if max.before(until).is_some_and(|earliest| earliest > today) {
        let max = words::duration(lang, max);
        let args: [(&str, &dyn std::fmt::Display); 3] = [("until", &until), ("max", &max), ("class", &name)];
        bail!("{}", lang.fmt("change.refuse.until_far", &args));
    }
    Ok(Some(until.to_string()))
}

/// The requester: `--requested-by`, else the owner of the git signing key in the people file.
fn requester(ctx: &Ctx, repo: &Repository, given: Option<&str>) -> Result<String> {
    if let Some(p) = given {
        if repo.person(p).is_none() {
            bail!(
                "{}",
                ctx.lang.fmt(
                    "change.refuse.unknown_person",
                    &[("id", &p), ("people", &repo.settings.paths.people)]
                )
            );
        }
        return Ok(p.to_string());
    }
    let lang = ctx.lang;
    let git = ctx.git.as_ref().ok_or_else(|| anyhow!("{}", lang.t("change.refuse.requester_no_git")))?;
    let signer = GitSigner::from_repo(git.raw(), lang)
        .map_err(|e| anyhow!("{e}\n  = hint: {}", lang.t("change.refuse.or_requested_by")))?;
    let key = signer.public_key().id();
    let trust = Trust::from_people(&repo.people);
    trust.get(&key).map(|(p, _)| p.to_string()).ok_or_else(|| {
        anyhow!(
            "{}",
            lang.fmt(
                "change.refuse.key_not_in_people",
                &[("key", &key), ("people", &repo.settings.paths.people)]
            )
        )
    })
}

/// The next free `CHG-YYYY-NNN`, counting both loaded changes and folders on disk.
fn next_id(ctx: &Ctx, repo: &Repository, year: &str) -> String {
    let prefix = format!("CHG-{year}-");
    let used = repo.changes.iter().filter_map(|c| c.id.strip_prefix(&prefix)?.parse::<u32>().ok()).max();
    let on_disk = std::fs::read_dir(ctx.root.join(&repo.settings.paths.changes))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max();
    format!("{prefix}{:03}", used.max(on_disk).unwrap_or(0) + 1)
}

/// Every sign-off checked against the current people file, with the commits that added them.
fn checked_all<'a>(ctx: &Ctx, repo: &'a Repository) -> Result<Vec<Checked<'a>>> {
    let trust = Trust::from_people(&repo.people);
    let history = match (&ctx.git, ctx.git.as_ref().and_then(|g| g.head())) {
        (Some(git), Some(head)) => Some(approvals::added_in(git, head, repo, &trust)?),
        _ => None,
    };
    Ok(approvals::check(repo, &trust, history.as_ref()))
}

fn list(ctx: &Ctx, args: &ListArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load(None)?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    let repo = &loaded.repo;
    let evals: Vec<ChangeEval> = approvals::evaluate(repo, &checked_all(ctx, repo)?);
    if args.format == Format::Json {
        let items: Vec<serde_json::Value> = repo
            .changes
            .iter()
            .zip(&evals)
            .map(|(c, e)| {
                serde_json::json!({
                    "id": c.id, "title": c.title, "class": c.class, "state": e.state.as_str(),
                    "requested_by": c.requested_by, "next": e.next,
                    "signed": e.stages.iter().filter(|s| s.is_some()).count(), "stages": e.roles.len(),
                })
            })
            .collect();
        crate::render::json::write(
            out,
            &serde_json::json!({"schema": "lifecycle.changes/v1", "changes": items}),
        )?;
        return Ok(Exit::Clean);
    }
    if repo.changes.is_empty() {
        writeln!(out, "{}", ctx.lang.fmt("change.none", &[("path", &repo.settings.paths.changes)]))?;
        return Ok(Exit::Clean);
    }
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled);
    let lang = ctx.lang;
    t.set_header(
        [
            "change.col.change",
            "change.col.class",
            "change.col.state",
            "change.col.signed",
            "change.col.next",
            "change.col.title",
        ]
        .map(|k| lang.t(k)),
    );
    for (c, e) in repo.changes.iter().zip(&evals) {
        let signed = format!("{}/{}", e.stages.iter().filter(|s| s.is_some()).count(), e.roles.len());
        let next = e
            .next
            .as_ref()
            .map(|r| {
                format!(
                    "{}{}",
                    words::role_title(&repo.policy, r, lang),
                    words::paren(lang, &holders(repo, r, lang))
                )
            })
            .unwrap_or_default();
        t.add_row(vec![
            Cell::new(&c.id),
            Cell::new(words::class_title(&repo.policy, &c.class, lang)),
            Cell::new(words::state(lang, e.state)),
            Cell::new(signed),
            Cell::new(next),
            Cell::new(&c.title),
        ]);
    }
    crate::render::fit(&mut t, super::terminal_width());
    writeln!(out, "{t}")?;
    Ok(Exit::Clean)
}

fn show(ctx: &Ctx, args: &ShowArgs, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load(None)?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    let repo = &loaded.repo;
    let change = find_change(repo, &args.id, ctx.lang)?;
    let checked: Vec<_> =
        checked_all(ctx, repo)?.into_iter().filter(|c| c.signoff.change == change.id).collect();
    let eval = approvals::evaluate_one(repo, change, &checked);
    let person = |id: &str| repo.person(id);
    if args.format == Format::Json {
        let signoffs: Vec<serde_json::Value> = checked
            .iter()
            .zip(&eval.standing)
            .map(|(c, standing)| {
                let st = &c.signoff.file.statement;
                serde_json::json!({
                    "path": c.signoff.path, "stage": st.stage, "decision": st.decision.as_str(), "by": st.by,
                    "title": person(&st.by).and_then(|p| p.title.clone()),
                    "at": st.at, "comment": st.comment, "key": st.key,
                    "signature": if c.signer.is_ok() { "verified" } else { "invalid" },
                    "standing": match standing { Standing::Valid => "valid", Standing::Stale => "stale", Standing::Invalid(code) => code },
                    "commit": c.commit.as_ref().map(|x| x.id.clone()),
                    "commit_time": c.commit.as_ref().map(|x| x.time.to_rfc3339()),
                    "commit_signed": c.commit.as_ref().map(|x| x.signed_by_signer),
                })
            })
            .collect();
        let doc = serde_json::json!({
            "schema": "lifecycle.change/v1", "id": change.id, "title": change.title, "class": change.class,
            "state": eval.state.as_str(), "requested_by": change.requested_by, "requested_at": change.requested_at.to_rfc3339(),
            "chain": eval.roles, "next": eval.next, "signoffs": signoffs, "findings": eval.findings,
        });
        crate::render::json::write(out, &doc)?;
        return Ok(Exit::Clean);
    }
    let lang = ctx.lang;
    writeln!(out, "{} — {}", change.id, change.title)?;
    writeln!(
        out,
        "{}",
        lang.fmt(
            "change.about",
            &[
                ("class", &words::class_title(&repo.policy, &change.class, lang)),
                ("state", &words::state(lang, eval.state)),
                ("by", &change.requested_by),
                ("at", &change.requested_at),
            ]
        )
    )?;
    for t in &change.targets {
        let line = match t {
            Target::Version { system, component, from, to, .. } => lang.fmt(
                "change.target_version",
                &[
                    ("target", &format!("{system}/{component}")),
                    ("from", &from.as_deref().unwrap_or("?")),
                    ("to", &to.as_deref().unwrap_or("?")),
                ],
            ),
            Target::File { path, digest, .. } => {
                lang.fmt("change.target_file", &[("path", path), ("digest", digest)])
            }
            other => lang.fmt("change.target_other", &[("what", &other.describe())]),
        };
        writeln!(out, "{line}")?;
    }
    writeln!(out, "{}", stage_table(lang, repo, &eval, &checked))?;
    for (i, (c, standing)) in checked.iter().zip(&eval.standing).enumerate() {
        let st = &c.signoff.file.statement;
        match standing {
            Standing::Valid if eval.rejected_by == Some(i) => writeln!(
                out,
                "{}",
                lang.fmt(
                    "change.rejected_by",
                    &[
                        ("by", &st.by),
                        ("stage", &words::role_title(&repo.policy, &st.stage, lang)),
                        ("comment", &st.comment)
                    ]
                )
            )?,
            Standing::Valid if eval.confirmed_by == Some(i) => writeln!(
                out,
                "{}",
                lang.fmt(
                    "change.confirmed_by",
                    &[
                        ("by", &st.by),
                        ("stage", &words::role_title(&repo.policy, &st.stage, lang)),
                        ("at", &st.at)
                    ]
                )
            )?,
            Standing::Stale => writeln!(
                out,
                "{}",
                lang.fmt(
                    "change.stale",
                    &[
                        ("path", &c.signoff.path),
                        ("stage", &words::role_title(&repo.policy, &st.stage, lang)),
                        ("by", &st.by),
                        ("file", &st.subject.file())
                    ]
                )
            )?,
            Standing::Invalid(code) => {
                writeln!(out, "{}", lang.fmt("change.invalid", &[("code", code), ("path", &c.signoff.path)]))?
            }
            Standing::Valid => {}
        }
    }
    for f in eval.findings.iter().filter(|f| f.code != "stale-signoff") {
        writeln!(
            out,
            "{}",
            lang.fmt(
                "change.finding",
                &[
                    ("severity", &words::severity(lang, f.severity)),
                    ("code", &f.code),
                    ("message", &words::finding(lang, f))
                ]
            )
        )?;
    }
    if let Some(next) = &eval.next {
        let command = if eval.is_approved() { "confirm" } else { "approve" };
        writeln!(
            out,
            "{}",
            lang.fmt(
                "change.next",
                &[
                    ("role", &words::role_title(&repo.policy, next, lang)),
                    ("holders", &holders(repo, next, lang)),
                    ("command", &command),
                    ("id", &change.id)
                ]
            )
        )?;
    }
    Ok(Exit::Clean)
}

/// The chain of a change, one row a stage: who signed it, how, when, or who signs next.
fn stage_table(lang: crate::i18n::Lang, repo: &Repository, eval: &ChangeEval, checked: &[Checked]) -> Table {
    let person = |id: &str| repo.person(id);
    let mut t = Table::new();
    t.load_style(presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled);
    let mut header = vec!["#"];
    header.extend(
        [
            "change.col.stage",
            "change.col.signer",
            "change.col.person_title",
            "change.col.decision",
            "change.col.signed_at",
            "change.col.status",
            "change.col.commit",
        ]
        .map(|k| lang.t(k)),
    );
    t.set_header(header);
    for (n, role) in eval.roles.iter().enumerate() {
        match eval.stages[n] {
            Some(i) => {
                let c = &checked[i];
                let st = &c.signoff.file.statement;
                t.add_row(vec![
                    (n + 1).to_string(),
                    words::role_title(&repo.policy, role, lang),
                    st.by.clone(),
                    person(&st.by).and_then(|p| p.title.clone()).unwrap_or_default(),
                    words::decision(lang, st.decision.as_str()),
                    st.at.clone(),
                    lang.t("change.verified").to_string(),
                    c.commit.as_ref().map(|x| x.id[..10].to_string()).unwrap_or_default(),
                ]);
            }
            None => {
                let status = if eval.next.as_deref() == Some(role) {
                    lang.fmt("change.next_holders", &[("holders", &holders(repo, role, lang))])
                } else {
                    lang.t("change.pending").to_string()
                };
                t.add_row(vec![
                    (n + 1).to_string(),
                    words::role_title(&repo.policy, role, lang),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    status,
                    String::new(),
                ]);
            }
        }
    }
    crate::render::fit(&mut t, super::terminal_width());
    t
}
