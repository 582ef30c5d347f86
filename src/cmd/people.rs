//! `lifecycle people add|remove|rotate`: edit the people file (the trust root) and open, in the same
//! step, the `policy` change that authorises the edit (SPEC §4.8). The new file takes effect once
//! that change is approved: until then trust comes from the committed people file.

use crate::i18n::Lang;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use super::Ctx;
use super::change::{Opening, prepare};
use crate::cli::Exit;
use crate::model::statement::digest;
use crate::model::{Chain, Repository};
use crate::sign::PublicKey;
use crate::store::{PersonEntry, RequestTarget, leading_comments, people_yaml, write_atomic};

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle people add wang.qiang --name 王强 --role architect --key wang.qiang.pub
  lifecycle people rotate chen --key chen-2025.pub
  lifecycle people remove zhao.lei --reason \"left the company\"

Each command edits the people file and writes the `policy` change request that lists the file's
new digest. Commit the request alone, have it approved (`lifecycle approve ID`), then commit the
people file: a new people file counts only once an approved `policy` change covers it.")]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Add a person with their roles and public keys, and open the policy change for it
    #[command(after_help = "\
Examples:
  lifecycle people add wang.qiang --name 王强 --role architect --key wang.qiang.pub
  lifecycle people add chen --name 陈总 --title 首席技术官 --role cto --role security-director --key chen.asc")]
    Add(AddArgs),
    /// Remove a person, and open the policy change for it
    #[command(after_help = "\
Examples:
  lifecycle people remove zhao.lei --reason \"left the company\"")]
    Remove(RemoveArgs),
    /// Replace a person's public keys, and open the policy change for it
    #[command(after_help = "\
Examples:
  lifecycle people rotate chen --key chen-2025.pub
  lifecycle people rotate chen --key chen-2025.pub --change-id CHG-2025-KEYS")]
    Rotate(RotateArgs),
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// The person's id (used in `by:`, `requested_by:` and plans)
    pub id: String,
    /// Full name
    #[arg(long)]
    pub name: String,
    /// Job title
    #[arg(long)]
    pub title: Option<String>,
    /// E-mail address
    #[arg(long)]
    pub email: Option<String>,
    /// A role the person holds (repeatable)
    #[arg(long = "role", value_name = "ROLE", required = true)]
    pub roles: Vec<String>,
    /// A public key file: OpenSSH (`id_ed25519.pub`) or armored OpenPGP (repeatable)
    #[arg(long = "key", value_name = "FILE", required = true)]
    pub keys: Vec<PathBuf>,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(clap::Args, Debug)]
pub struct RemoveArgs {
    /// The person's id
    pub id: String,
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(clap::Args, Debug)]
pub struct RotateArgs {
    /// The person's id
    pub id: String,
    /// The new public key file (repeatable); it replaces every key the person has
    #[arg(long = "key", value_name = "FILE", required = true)]
    pub keys: Vec<PathBuf>,
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// The policy change each command opens.
#[derive(clap::Args, Debug)]
pub struct ChangeArgs {
    /// Id of the policy change (default: the next free CHG-YYYY-NNN)
    #[arg(long = "change-id", value_name = "ID")]
    pub change_id: Option<String>,
    /// Why the change is needed
    #[arg(long)]
    pub reason: Option<String>,
    /// The requester (default: the owner of your git signing key in the people file)
    #[arg(long, value_name = "PERSON")]
    pub requested_by: Option<String>,
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let loaded = ctx.load_inventory(None)?;
    if ctx.refuse_errors(&loaded)? {
        return Ok(Exit::Invalid);
    }
    let repo = &loaded.repo;
    let mut people: Vec<PersonEntry> = repo.people.iter().map(entry).collect();
    let (what, change) = match &args.command {
        Command::Add(a) => {
            if people.iter().any(|p| p.id == a.id) {
                let people = &repo.settings.paths.people;
                bail!("{}", ctx.lang.fmt("people.refuse.exists", &[("id", &a.id), ("people", people)]));
            }
            if !crate::load::valid_change_id(&a.id) {
                bail!("{}", ctx.lang.fmt("people.refuse.bad_id", &[("id", &a.id)]));
            }
            let keys = read_keys(ctx.lang, &a.keys)?;
            warn_unknown_roles(ctx, repo, &a.roles)?;
            people.push(PersonEntry {
                id: a.id.clone(),
                name: a.name.clone(),
                title: a.title.clone(),
                email: a.email.clone(),
                roles: a.roles.clone(),
                keys,
            });
            (format!("add {} ({})", a.id, a.roles.join(", ")), &a.change)
        }
        Command::Remove(a) => {
            find(ctx.lang, repo, &people, &a.id)?;
            people.retain(|p| p.id != a.id);
            (format!("remove {}", a.id), &a.change)
        }
        Command::Rotate(a) => {
            let at = find(ctx.lang, repo, &people, &a.id)?;
            people[at].keys = read_keys(ctx.lang, &a.keys)?;
            (format!("rotate the keys of {}", a.id), &a.change)
        }
    };
    unique_keys(ctx.lang, repo, &people)?;
    roles_still_held(ctx.lang, repo, &people)?;
    let path = repo.settings.paths.people.clone();
    let current = std::fs::read_to_string(ctx.root.join(&path)).unwrap_or_default();
    let mut header = leading_comments(&current);
    if header.is_empty() {
        header = super::init::modeline(&path, crate::load::schema::Kind::People);
    }
    let text = people_yaml(&header, &people);
    crate::load::yaml::parse::<crate::load::raw::PeopleFile>(&path, &text).map_err(|e| {
        anyhow!("{}", ctx.lang.fmt("people.refuse.unreadable", &[("path", &path), ("error", &e.message)]))
    })?;
    let title = format!("people: {what}");
    let opening = Opening {
        class: "policy",
        id: change.change_id.as_deref(),
        title: Some(title),
        reason: change.reason.as_deref(),
        requested_by: change.requested_by.as_deref(),
        until: None,
    };
    let targets = vec![RequestTarget::File { path: path.clone(), digest: digest(text.as_bytes()) }];
    let request = prepare(ctx, repo, &opening, targets)?;
    // Every check passed: write the people file, then the request.
    write_atomic(&ctx.root.join(&path), text.as_bytes())?;
    let lang = ctx.lang;
    writeln!(out, "{}", lang.fmt("people.wrote", &[("path", &path), ("what", &what)]))?;
    request.write(ctx, out, false)?;
    if !ctx.quiet {
        let next =
            lang.fmt("people.next", &[("request", &request.path), ("id", &request.id), ("people", &path)]);
        writeln!(out, "{next}")?;
    }
    Ok(Exit::Clean)
}

fn entry(p: &crate::model::Person) -> PersonEntry {
    PersonEntry {
        id: p.id.clone(),
        name: p.name.clone(),
        title: p.title.clone(),
        email: p.email.clone(),
        roles: p.roles.clone(),
        keys: p.keys.clone(),
    }
}

fn find(lang: Lang, repo: &Repository, people: &[PersonEntry], id: &str) -> Result<usize> {
    people.iter().position(|p| p.id == id).ok_or_else(|| {
        let near = crate::diag::suggest(id, people.iter().map(|p| p.id.as_str()))
            .map(|s| lang.fmt("approve.did_you_mean", &[("id", &s)]))
            .unwrap_or_default();
        let people = &repo.settings.paths.people;
        anyhow!("{}{near}", lang.fmt("change.refuse.unknown_person", &[("id", &id), ("people", people)]))
    })
}

/// Reads public key files: an armored OpenPGP block whole, else the first OpenSSH line.
pub(super) fn read_keys(lang: Lang, files: &[PathBuf]) -> Result<Vec<String>> {
    let mut keys: Vec<String> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| {
            anyhow!(
                "{}",
                lang.fmt("people.refuse.key_unreadable", &[("path", &file.display()), ("error", &e)])
            )
        })?;
        let key = if text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
            text.trim().to_string()
        } else {
            text.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with('#'))
                .unwrap_or("")
                .to_string()
        };
        if key.contains("PRIVATE KEY") {
            bail!("{}", lang.fmt("people.refuse.private_key", &[("path", &file.display())]));
        }
        PublicKey::parse(&key).map_err(|e| {
            anyhow!("{}", lang.fmt("people.refuse.bad_key", &[("path", &file.display()), ("error", &e)]))
        })?;
        keys.push(key);
    }
    Ok(keys)
}

/// A role no class names is allowed (`forge`, an executor's role), but is often a typo: say so.
fn warn_unknown_roles(ctx: &Ctx, repo: &Repository, roles: &[String]) -> Result<()> {
    let named: Vec<&String> = repo
        .policy
        .classes
        .values()
        .flat_map(|c| c.chain.all_roles().into_iter().chain(c.confirm.as_ref()))
        .chain(repo.people.iter().flat_map(|p| &p.roles))
        .collect();
    for role in roles.iter().filter(|r| !named.contains(r)) {
        let near = crate::diag::suggest(role, named.iter().map(|r| r.as_str()))
            .map(|s| ctx.lang.fmt("approve.did_you_mean", &[("id", &s)]))
            .unwrap_or_default();
        if !ctx.quiet {
            let warning = ctx.lang.fmt("people.unknown_role", &[("role", role), ("near", &near)]);
            let (_, _, colon) = crate::diag::marks(ctx.lang);
            writeln!(std::io::stderr(), "{}{colon}{warning}", ctx.lang.t("label.warning"))?;
        }
    }
    Ok(())
}

/// A key belongs to one person only: otherwise a signature could not say who signed.
fn unique_keys(lang: Lang, repo: &Repository, people: &[PersonEntry]) -> Result<()> {
    let mut owners: std::collections::HashMap<String, &str> = Default::default();
    for p in people {
        for k in &p.keys {
            let Ok(id) = PublicKey::parse(k).map(|k| k.id().to_string()) else { continue };
            if let Some(other) = owners.insert(id.clone(), &p.id)
                && other != p.id
            {
                let args: [(&str, &dyn std::fmt::Display); 4] =
                    [("key", &id), ("other", &other), ("id", &p.id), ("people", &repo.settings.paths.people)];
                bail!("{}", lang.fmt("people.refuse.shared_key", &args));
            }
        }
    }
    Ok(())
}

/// Every role a chain or `confirm` names must stay held, or no change of that class could complete.
fn roles_still_held(lang: Lang, repo: &Repository, people: &[PersonEntry]) -> Result<()> {
    for class in repo.policy.classes.values() {
        let mut roles: Vec<&String> = match &class.chain {
            Chain::Roles(list) => list.iter().collect(),
            Chain::ByCriticality { by, default } => by.values().chain(default).flatten().collect(),
        };
        roles.extend(&class.confirm);
        let was_held = |r: &String| repo.people.iter().any(|p| p.roles.contains(r));
        if let Some(role) =
            roles.into_iter().find(|r| was_held(r) && !people.iter().any(|p| p.roles.contains(r)))
        {
            bail!("{}", lang.fmt("people.refuse.role_unheld", &[("role", role), ("class", &class.name)]));
        }
    }
    Ok(())
}
