//! `lifecycle init`: start a lifecycle repository — settings, a policy, a people file with you in it,
//! an example system, a CI workflow and JSON Schemas for editors. Never overwrites a file.

use std::io::Write;

use anyhow::Result;

use super::Ctx;
use crate::cli::Exit;
use crate::load::schema::Kind;
use crate::store::scalar;

/// The policies the templates start from: the files of this repository, embedded, so that `init`
/// and the examples cannot drift apart.
pub const OPS04_POLICY: &str = include_str!("../../policies/ops04.yaml");
pub const TELECOM_POLICY: &str = include_str!("../../examples/telecom/policy.yaml");
pub const MINIMAL_POLICY: &str = include_str!("../../examples/minimal/policy.yaml");
pub const REDIS_PRODUCT: &str = include_str!("../../inventory/products/redis.yaml");
pub const WORKFLOW: &str = include_str!("../../examples/github/lifecycle.yml");

/// Where `init` puts the JSON Schemas the YAML files' modelines point to.
pub const SCHEMA_DIR: &str = ".lifecycle/schemas";

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  lifecycle init                        the OPS04 policy (6/3 months before end of life, five-stage chain)
  lifecycle init --template minimal     one approver role, nothing else
  lifecycle init -C ../inventory --template telecom
  lifecycle init --person wang.qiang:architect:wang.pub:王强 --person chen:cto:chen.pub:陈总

Writes lifecycle.yaml, policies/<template>.yaml, policies/people.yaml (you, from git's user.name,
user.email and — for SSH signing — user.signingKey, holding every role the policy names), an
example system and its product, .github/workflows/lifecycle.yml and .lifecycle/schemas/*.json.
With --person, your reviewers are listed too, each with their roles and key: later additions go
through `lifecycle people add`, which opens the policy change a people edit needs.
Every YAML file starts with a yaml-language-server modeline pointing to its schema. Existing files
are never overwritten: they are listed as skipped. Creates the git repository when there is none.")]
pub struct Args {
    /// The policy to start from
    #[arg(long, value_enum, default_value_t = Template::Ops04)]
    pub template: Template,
    /// Also list this person, holding these roles, with the public key in KEYFILE (repeatable;
    /// you keep the roles nobody listed here holds)
    #[arg(long = "person", value_name = "ID:ROLE[,ROLE…]:KEYFILE[:NAME]")]
    pub people: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// The OPS04 technology update policy (policies/ops04.yaml of the example organisation)
    Ops04,
    /// A telecom operator's patch policy (examples/telecom/policy.yaml)
    Telecom,
    /// One approver role, the OPS04 lead times (examples/minimal/policy.yaml)
    Minimal,
}

impl Template {
    fn file(self) -> (&'static str, &'static str) {
        match self {
            Template::Ops04 => ("policies/ops04.yaml", OPS04_POLICY),
            Template::Telecom => ("policies/telecom.yaml", TELECOM_POLICY),
            Template::Minimal => ("policies/policy.yaml", MINIMAL_POLICY),
        }
    }
}

/// The modeline that tells yaml-language-server which schema a file follows, relative to the file.
pub fn modeline(path: &str, kind: Kind) -> String {
    let up = "../".repeat(path.matches('/').count());
    format!("# yaml-language-server: $schema={up}{SCHEMA_DIR}/{}.json\n", kind.name())
}

/// Who runs `init`, from git's configuration.
struct Me {
    id: String,
    name: String,
    email: Option<String>,
    key: Option<String>,
}

fn me(repo: &git2::Repository) -> Me {
    let config = crate::git::Config::read(repo).unwrap_or_default();
    let get = |k: &str| config.get(k);
    let name = get("user.name");
    let email = get("user.email");
    let from = email.as_deref().and_then(|e| e.split('@').next()).or(name.as_deref()).unwrap_or("");
    let mut id: String = from
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' })
        .collect();
    id = id.trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string();
    if id.is_empty() {
        id = "owner".into();
    }
    // Only an SSH key is taken: its public half is one line; an OpenPGP key is a block the user adds.
    let key = (get("gpg.format").as_deref() == Some("ssh"))
        .then(|| crate::sign::signer::GitSigner::from_repo(repo, crate::i18n::Lang::En).ok())
        .flatten()
        .and_then(|s| crate::sign::Signer::public_key(&s).openssh());
    Me { id, name: name.unwrap_or_else(|| "Owner".into()), email, key }
}

/// Every role a policy's chains and `confirm` name, in order of first appearance.
fn roles(policy: &str) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    let Ok(p) = crate::load::yaml::parse::<crate::load::raw::Policy>("policy", policy) else {
        return roles;
    };
    let mut add = |r: &str| {
        if !roles.iter().any(|x| x == r) {
            roles.push(r.to_string());
        }
    };
    for class in p.classes.iter().flat_map(|c| c.values()) {
        match class.value.chain.as_ref().map(|c| &c.value) {
            Some(crate::load::raw::ChainRaw::Roles(list)) => list.iter().for_each(|r| add(&r.value)),
            Some(crate::load::raw::ChainRaw::ByCriticality(by)) => {
                by.values().flatten().for_each(|r| add(&r.value))
            }
            None => {}
        }
        if let Some(c) = &class.value.confirm {
            add(&c.value);
        }
    }
    roles
}

/// One `--person ID:ROLE[,ROLE…]:KEYFILE[:NAME]`.
fn parse_person(lang: crate::i18n::Lang, spec: &str) -> Result<crate::store::PersonEntry> {
    let mut parts = spec.splitn(4, ':');
    let (Some(id), Some(roles), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        anyhow::bail!("{}", lang.fmt("init.refuse.person_shape", &[("spec", &spec)]));
    };
    let roles: Vec<String> =
        roles.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect();
    if id.trim().is_empty() || roles.is_empty() || !crate::load::valid_change_id(id.trim()) {
        anyhow::bail!("{}", lang.fmt("init.refuse.person_id", &[("spec", &spec)]));
    }
    let keys = super::people::read_keys(lang, &[std::path::PathBuf::from(file)])?;
    let name = parts.next().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(id).to_string();
    Ok(crate::store::PersonEntry { id: id.trim().to_string(), name, title: None, email: None, roles, keys })
}

fn people_yaml(me: &Me, roles: &[String], others: &[crate::store::PersonEntry]) -> String {
    let mut s = modeline("policies/people.yaml", Kind::People);
    s.push_str(
        "# People, roles and public keys: the trust root (SPEC §3.4). Only keys listed here can sign.\n\
         # `lifecycle init` listed you with every role nobody else holds. With separation_of_duties one\n\
         # person signs at most one stage of a change, so list your reviewers, each with their own key:\n\
         # `lifecycle init --person ID:ROLE:KEYFILE` before the first commit, `lifecycle people add`\n\
         # after it. Once committed, this file changes only through an approved `policy` change, which\n\
         # `lifecycle people add|remove|rotate` opens for you; a plain edit fails `lifecycle verify`.\n",
    );
    s.push_str("people:\n");
    let others_hold = |r: &String| others.iter().any(|p| p.roles.contains(r));
    let roles: Vec<String> = roles.iter().filter(|r| !others_hold(r)).cloned().collect();
    if let Some(same) = others.iter().find(|p| p.id == me.id) {
        // You listed yourself: that entry is you.
        for p in others {
            let mut p = p.clone();
            if p.id == same.id {
                p.email = p.email.or_else(|| me.email.clone());
                let missing: Vec<String> = roles.iter().filter(|r| !p.roles.contains(r)).cloned().collect();
                p.roles.extend(missing);
            }
            s.push_str(&crate::store::person_yaml(&p));
        }
        return s;
    }
    s.push_str(&format!("  - id: {}\n", scalar(&me.id)));
    s.push_str(&format!("    name: {}\n", scalar(&me.name)));
    if let Some(email) = &me.email {
        s.push_str(&format!("    email: {}\n", scalar(email)));
    }
    let roles: Vec<String> = roles.iter().map(|r| scalar(r)).collect();
    s.push_str(&format!("    roles: [{}]\n", roles.join(", ")));
    match &me.key {
        Some(key) => s.push_str(&format!("    keys: [{}]\n", crate::store::quoted(key.trim()))),
        None => s.push_str(
            "    # Your public key: an SSH key (`cat ~/.ssh/id_ed25519.pub`) or an armored OpenPGP block\n    \
             # (`gpg --armor --export KEYID`). git signs with it: git config gpg.format ssh;\n    \
             # git config user.signingKey ~/.ssh/id_ed25519.pub\n    keys: []\n",
        ),
    }
    for p in others {
        s.push_str(&crate::store::person_yaml(p));
    }
    s
}

fn example_system(owner: &str) -> String {
    let mut s = modeline("inventory/systems/example.yaml", Kind::System);
    s.push_str(&format!(
        "# An example system: one file per system (or a file holding `systems: [...]`). Replace it with yours.\n\
         id: example\n\
         name: Example cache\n\
         owner: {}\n\
         criticality: medium          # low | medium | high | critical\n\
         environments: [production]\n\
         hosts: 2\n\
         components:\n  \
           - product: redis           # a product of inventory/products/\n    \
             version: \"7.2.4\"         # always quote versions: 3.10 is not 3.1\n",
        scalar(owner)
    ));
    s
}

const SETTINGS: &str = "\
# Settings (SPEC §3.0); every key is optional.
timezone: UTC                      # IANA name: timestamps without an offset and `today` are read in it
# paths: {systems: inventory/systems, products: inventory/products, policies: policies,
#         people: policies/people.yaml, changes: changes, advisories: advisories}
# genesis: <commit id>             # history before it is not verified
# signing_namespace: lifecycle-signoff
";

/// The files `init` writes: path and content.
/// The CI workflow, triggered by pushes to `branch` (the repository's branch, not a guess).
fn workflow(branch: &str) -> String {
    WORKFLOW
        .replacen(
            "# Copy to .github/workflows/lifecycle.yml in your inventory repository.\n",
            "# Written by `lifecycle init`.\n",
            1,
        )
        .replace("branches: [main]", &format!("branches: [{}]", scalar(branch)))
        .replace("# summary as a comment. On main:", &format!("# summary as a comment. On {branch}:"))
}

fn files(
    template: Template,
    me: &Me,
    others: &[crate::store::PersonEntry],
    branch: &str,
) -> Vec<(String, String)> {
    let (policy_path, policy) = template.file();
    let mut files = vec![
        ("lifecycle.yaml".to_string(), format!("{}{SETTINGS}", modeline("lifecycle.yaml", Kind::Settings))),
        (policy_path.to_string(), format!("{}{policy}", modeline(policy_path, Kind::Policy))),
        ("policies/people.yaml".to_string(), people_yaml(me, &roles(policy), others)),
        ("inventory/systems/example.yaml".to_string(), example_system(&me.id)),
        (
            "inventory/products/redis.yaml".to_string(),
            format!("{}{REDIS_PRODUCT}", modeline("inventory/products/redis.yaml", Kind::Product)),
        ),
        (".github/workflows/lifecycle.yml".to_string(), workflow(branch)),
    ];
    for kind in Kind::ALL {
        files.push((format!("{SCHEMA_DIR}/{}.json", kind.name()), super::schema::text(kind)));
    }
    files
}

/// A policy file already in `policies/` (any YAML file but the people file), if there is one.
fn existing_policy(root: &std::path::Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("policies"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            (n.ends_with(".yaml") || n.ends_with(".yml")) && n != "people.yaml" && !n.starts_with('.')
        })
        .collect();
    names.sort();
    names.into_iter().next().map(|n| format!("policies/{n}"))
}

pub fn run(ctx: &Ctx, args: &Args, out: &mut dyn Write) -> Result<Exit> {
    let lang = ctx.lang;
    let git = match &ctx.git {
        Some(git) => crate::git::Git::open(&git.workdir().unwrap_or_else(|| ctx.root.clone()))?,
        None => {
            let git = crate::git::Git::init(&ctx.root)?;
            writeln!(out, "{}", lang.fmt("init.git_init", &[("path", &ctx.root.display())]))?;
            git
        }
    };
    if git.workdir().is_none() {
        anyhow::bail!("{}", ctx.lang.fmt("init.refuse.bare", &[("path", &ctx.root.display())]));
    }
    let others = args.people.iter().map(|p| parse_person(ctx.lang, p)).collect::<Result<Vec<_>>>()?;
    let me = me(git.raw());
    let (mut created, mut skipped) = (Vec::new(), Vec::new());
    let (policy_path, _) = args.template.file();
    let existing_policy = existing_policy(&ctx.root);
    let branch = git.head_branch().unwrap_or_else(|| "main".to_string());
    for (path, content) in files(args.template, &me, &others, &branch) {
        let full = ctx.root.join(&path);
        // symlink_metadata: a dangling symlink is a file too, and is not replaced.
        if full.symlink_metadata().is_ok() {
            skipped.push(lang.fmt("init.skipped", &[("path", &path)]));
            continue;
        }
        // A second policy would define the same classes twice.
        if path == policy_path
            && let Some(other) = &existing_policy
        {
            skipped.push(lang.fmt("init.skipped_policy", &[("path", &path), ("other", other)]));
            continue;
        }
        crate::store::create_atomic(&full, content.as_bytes())?;
        created.push(path);
    }
    for path in &created {
        if !ctx.quiet {
            writeln!(out, "{}", lang.fmt("init.created", &[("path", path)]))?;
        }
    }
    for line in &skipped {
        writeln!(out, "{line}")?;
    }
    if !ctx.quiet {
        if me.key.is_none() {
            writeln!(out, "{}", lang.t("init.no_key"))?;
        }
        writeln!(out, "{}", lang.t("init.next"))?;
    }
    Ok(Exit::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modelines_are_relative_to_the_file() {
        assert_eq!(
            modeline("lifecycle.yaml", Kind::Settings),
            "# yaml-language-server: $schema=.lifecycle/schemas/settings.json\n"
        );
        assert_eq!(
            modeline("inventory/systems/a.yaml", Kind::System),
            "# yaml-language-server: $schema=../../.lifecycle/schemas/system.json\n"
        );
    }

    /// The workflow installs from the repository Cargo.toml names, and triggers on the given branch.
    #[test]
    fn the_workflow_installs_from_the_package_repository() {
        let install = format!("cargo install --locked --git {} lifecycle", env!("CARGO_PKG_REPOSITORY"));
        assert!(WORKFLOW.contains(&install), "the workflow does not run `{install}`");
        assert!(include_str!("../../README.md").contains(&install), "the README does not say `{install}`");
        let w = workflow("master");
        assert!(w.contains("branches: [master]") && !w.contains("branches: [main]"), "{w}");
    }

    #[test]
    fn every_template_names_roles() {
        assert_eq!(roles(MINIMAL_POLICY), ["approver"]);
        let ops04 = roles(OPS04_POLICY);
        assert!(
            ops04.contains(&"cto".to_string()) && ops04.contains(&"security-director".to_string()),
            "{ops04:?}"
        );
        assert!(roles(TELECOM_POLICY).contains(&"president-office".to_string()));
    }
}
