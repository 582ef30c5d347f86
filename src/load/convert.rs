//! Raw YAML shapes → model, with every semantic check: dates, durations, ids, references across files.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use serde_saphyr::Spanned;

use super::raw::{self, S};
use super::yaml::origin;
use crate::diag::Text;
use crate::diag::{Diagnostic, Origin, suggest};
use crate::model::time::{parse_date, parse_timestamp};
use crate::model::*;

/// One parsed file.
pub enum Parsed {
    Systems(Vec<Spanned<raw::System>>),
    Product(Box<raw::Product>),
    Policy(Box<raw::Policy>),
    People(raw::PeopleFile),
    Request(Box<raw::ChangeRequest>),
    Report(Box<raw::Report>),
    Advisory(Box<raw::Advisory>),
    Observation(Box<raw::Observation>),
    /// An observation file read by the fast path (exactly as `observe import` writes it).
    Observed(Box<crate::model::observed::Observation>),
    Run(Box<raw::Run>),
    SignOff(Box<crate::model::statement::SignOffFile>),
}

/// Conversion helpers bound to one file.
struct Cx<'a> {
    path: &'a str,
    tz: Tz,
    diags: &'a mut Vec<Diagnostic>,
}

impl Cx<'_> {
    fn at(&self, s: &S) -> Origin {
        origin(self.path, &s.referenced)
    }

    /// An error with its English message and hint, and both in words for other languages
    /// (`words`: the message's key and arguments, then the hint's).
    fn error(
        &mut self,
        code: &'static str,
        s: &S,
        message: impl Into<String>,
        hint: impl Into<String>,
        words: (Text, Text),
    ) {
        let d = Diagnostic::error(code, self.at(s), message).hint(hint).in_words(words.0).hint_words(words.1);
        self.diags.push(d);
    }

    /// An error whose message and hint are i18n keys without arguments.
    fn error_t(&mut self, code: &'static str, s: &S, message: &'static str, hint: &'static str) {
        let d = Diagnostic::error_t(code, self.at(s), message, &[]).hint_t(hint, &[]);
        self.diags.push(d);
    }

    /// An error whose message is an i18n key with arguments, and whose hint is a key without.
    fn error_in_t(
        &mut self,
        code: &'static str,
        s: &S,
        message: &'static str,
        args: &[(&'static str, &dyn std::fmt::Display)],
        hint: &'static str,
    ) {
        let d = Diagnostic::error_t(code, self.at(s), message, args).hint_t(hint, &[]);
        self.diags.push(d);
    }

    /// A diagnostic whose English `message` is detailed; people reading another language get `text`.
    fn error_in(&mut self, code: &'static str, s: &S, message: String, text: Text, hint: &'static str) {
        let d = Diagnostic::error(code, self.at(s), message).in_words(text).hint_t(hint, &[]);
        self.diags.push(d);
    }

    fn date(&mut self, s: &S) -> Option<NaiveDate> {
        parse_date(&s.value)
            .map_err(|m| {
                let text = Text::new("diag.bad_date", &[("value", &s.value)]);
                self.error_in("bad-date", s, m, text, "diag.bad_date_hint")
            })
            .ok()
    }

    fn timestamp(&mut self, s: &S) -> Option<DateTime<FixedOffset>> {
        parse_timestamp(&s.value, self.tz)
            .map_err(|m| {
                let text = Text::new("diag.bad_timestamp", &[("value", &s.value)]);
                self.error_in("bad-timestamp", s, m, text, "diag.bad_timestamp_hint")
            })
            .ok()
    }

    fn duration(&mut self, s: &S) -> Option<Duration> {
        Duration::parse(&s.value)
            .map_err(|m| {
                let text = Text::new("diag.bad_duration", &[("value", &s.value)]);
                self.error_in("bad-duration", s, m, text, "diag.bad_duration_hint")
            })
            .ok()
    }

    /// A date, or `true` (passed, date unknown) / `false` (not announced).
    fn milestone(&mut self, s: &Option<S>) -> Milestone {
        let Some(s) = s else { return Milestone::None };
        match s.value.trim() {
            "true" => Milestone::Passed,
            "false" | "" => Milestone::None,
            _ => match parse_date(&s.value) {
                Ok(d) => Milestone::Date(d),
                Err(m) => {
                    self.error(
                        "bad-date",
                        s,
                        m,
                        "write a date YYYY-MM-DD, or true (ended, date unknown), or false",
                        (
                            Text::new("load.bad_date", &[("value", &s.value)]),
                            Text::new("load.bad_milestone_hint", &[]),
                        ),
                    );
                    Milestone::None
                }
            },
        }
    }

    fn id(&mut self, s: &S, what: &str, upper: bool) -> bool {
        let ok = valid_id(&s.value, upper);
        if !ok {
            let allowed = if upper { "letters, digits" } else { "lower-case letters, digits" };
            let kind = Text::new(&format!("load.id_kind.{what}"), &[]).render(crate::i18n::Lang::ZhCn);
            let chars = Text::new(if upper { "load.id_chars_upper" } else { "load.id_chars_lower" }, &[]);
            let chars = chars.render(crate::i18n::Lang::ZhCn);
            self.error(
                "bad-id",
                s,
                format!("`{}` is not a valid {what} id", s.value),
                format!("{what} ids start with a letter or digit and use only {allowed}, `.`, `_` and `-`"),
                (
                    Text::new("load.bad_id", &[("value", &s.value), ("what", &kind)]),
                    Text::new("load.bad_id_hint", &[("what", &kind), ("allowed", &chars)]),
                ),
            );
        }
        ok
    }
}

pub fn valid_id(id: &str, upper: bool) -> bool {
    let ok = |c: char| c.is_ascii_digit() || c.is_ascii_lowercase() || (upper && c.is_ascii_uppercase());
    id.len() <= 128
        && id.chars().next().is_some_and(ok)
        && id.chars().all(|c| ok(c) || matches!(c, '.' | '_' | '-'))
        && !id.contains("..")
}

pub fn settings(raw: raw::Settings, diags: &mut Vec<Diagnostic>) -> Settings {
    let path = "lifecycle.yaml";
    let mut s = Settings::default();
    let mut cx = Cx { path, tz: chrono_tz::UTC, diags };
    if let Some(tz) = &raw.timezone {
        match tz.value.parse::<Tz>() {
            Ok(zone) => s.timezone = zone,
            Err(_) => {
                let hint = match suggest(&tz.value, chrono_tz::TZ_VARIANTS.iter().map(|z| z.name())) {
                    Some(near) => {
                        format!("did you mean `{near}`? Use an IANA name such as Asia/Shanghai")
                    }
                    None => "use an IANA time zone name such as Asia/Shanghai or UTC".into(),
                };
                let near = suggest(&tz.value, chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()));
                let hint_words = match &near {
                    Some(n) => Text::new("load.timezone_near", &[("near", n)]),
                    None => Text::new("load.timezone_hint", &[]),
                };
                let words = (Text::new("load.bad_timezone", &[("value", &tz.value)]), hint_words);
                cx.error("bad-timezone", tz, format!("unknown time zone `{}`", tz.value), hint, words);
            }
        }
    }
    if let Some(p) = raw.paths {
        let mut set = |target: &mut String, v: Option<S>| {
            if let Some(v) = v {
                let clean = v.value.trim().trim_end_matches('/').to_string();
                if clean.is_empty() || clean.starts_with('/') || clean.split('/').any(|c| c == "..") {
                    cx.error(
                        "bad-path",
                        &v,
                        format!("`{}` is not a path inside the repository", v.value),
                        "use a relative path such as inventory/systems",
                        (
                            Text::new("load.bad_path", &[("value", &v.value)]),
                            Text::new("load.bad_path_hint", &[]),
                        ),
                    );
                } else {
                    *target = clean;
                }
            }
        };
        set(&mut s.paths.systems, p.systems);
        set(&mut s.paths.products, p.products);
        let policies_changed = p.policies.is_some();
        set(&mut s.paths.policies, p.policies);
        if policies_changed && p.people.is_none() {
            s.paths.people = format!("{}/people.yaml", s.paths.policies);
        }
        set(&mut s.paths.people, p.people);
        set(&mut s.paths.changes, p.changes);
        set(&mut s.paths.advisories, p.advisories);
        set(&mut s.paths.observed, p.observed);
        set(&mut s.paths.discovery, p.discovery);
    }
    if let Some(o) = raw.observe {
        s.observe_systems = o.systems;
    }
    if let Some(g) = raw.genesis {
        if g.value.len() >= 7 && g.value.chars().all(|c| c.is_ascii_hexdigit()) {
            s.genesis = Some(g.value);
        } else {
            cx.error(
                "bad-value",
                &g,
                format!("`{}` is not a commit id", g.value),
                "write the full or abbreviated hex id of a commit",
                (
                    Text::new("load.bad_commit", &[("value", &g.value)]),
                    Text::new("load.bad_commit_hint", &[]),
                ),
            );
        }
    }
    if let Some(n) = raw.signing_namespace {
        s.signing_namespace = n.value;
    }
    s
}

const KPI_NAMES: [&str; 6] = [
    "supported_coverage",
    "update_coverage",
    "update_success",
    "patch_timeliness",
    "critical_fix_time",
    "early_warning",
];

/// Collects every file's content, then checks references across files in [`Builder::finish`].
pub struct Builder {
    tz: Tz,
    repo: Repository,
    diags: Vec<Diagnostic>,
    eol_origin: Option<Origin>,
    rules_origin: Option<Origin>,
    people_file: bool,
    reports: Vec<(String, Report)>,
    /// Where each role name is used, to check that someone holds it.
    role_uses: Vec<(String, Origin)>,
    /// Policy files were found (even if they failed to parse): no "no policy" warning then.
    pub policy_files_exist: bool,
    /// SHA-256 of request and report files' bytes, by path.
    pub digests: HashMap<String, String>,
}

impl Builder {
    pub fn new(settings: Settings, tz: Tz) -> Builder {
        Builder {
            tz,
            repo: Repository { settings, ..Repository::default() },
            diags: Vec::new(),
            eol_origin: None,
            rules_origin: None,
            people_file: false,
            reports: Vec::new(),
            role_uses: Vec::new(),
            policy_files_exist: false,
            digests: HashMap::new(),
        }
    }

    pub fn add(&mut self, path: &str, parsed: Parsed) {
        match parsed {
            Parsed::Systems(list) => {
                for s in list {
                    let system = self.system(path, s);
                    self.repo.systems.extend(system);
                }
            }
            Parsed::Product(p) => self.product(path, *p),
            Parsed::Policy(p) => self.policy(path, *p),
            Parsed::People(p) => self.people(path, p),
            Parsed::Request(r) => self.request(path, *r),
            Parsed::Report(r) => self.report(path, *r),
            Parsed::Advisory(a) => self.advisory(path, *a),
            Parsed::SignOff(f) => self.signoff(path, *f),
            Parsed::Observation(o) => self.observation(path, *o),
            Parsed::Observed(o) => self.repo.observations.push(*o),
            Parsed::Run(r) => {
                let run = super::run::convert(path, *r, self.tz, &mut self.diags);
                self.repo.runs.extend(run);
            }
        }
    }

    fn cx<'a>(&self, path: &'a str, diags: &'a mut Vec<Diagnostic>) -> Cx<'a> {
        Cx { path, tz: self.tz, diags }
    }

    fn system(&mut self, path: &str, s: Spanned<raw::System>) -> Option<System> {
        let at = origin(path, &s.referenced);
        let s = s.value;
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        cx.id(&s.id, "system", false);
        let mut components: Vec<Component> = Vec::with_capacity(s.components.len());
        // Names seen so far, for duplicates in one pass (a system may hold 100,000s of components).
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for c in s.components {
            let c_at = origin(path, &c.referenced);
            let c = c.value;
            let name = c.name.as_ref().map(|n| n.value.clone()).unwrap_or_else(|| c.product.value.clone());
            if let Some(first) = seen.get(&name).map(|&i| &components[i]) {
                let d = Diagnostic::error_t(
                    "duplicate-id",
                    c_at.clone(),
                    "diag.duplicate_component",
                    &[("system", &s.id.value), ("name", &name)],
                )
                .hint_t("diag.duplicate_component_hint", &[])
                .related_t(first.origin.clone(), "diag.first_is_here");
                cx.diags.push(d);
            }
            let support = match c.support.as_ref().map(|v| v.value.as_str()) {
                None | Some("standard") => Support::Standard,
                Some("extended") => Support::Extended,
                Some(other) => {
                    let hint = suggest(other, ["standard", "extended"])
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "use `standard` or `extended`".into());
                    let near = suggest(other, ["standard", "extended"]);
                    let hint_words = match &near {
                        Some(n) => Text::new("load.did_you_mean", &[("near", n)]),
                        None => Text::new("load.support_hint", &[]),
                    };
                    cx.error(
                        "bad-value",
                        c.support.as_ref().unwrap_or(&c.product),
                        format!("support `{other}` is not `standard` or `extended`"),
                        hint,
                        (Text::new("load.bad_support", &[("value", &other)]), hint_words),
                    );
                    Support::Standard
                }
            };
            if c.version.value.trim().is_empty() {
                cx.error_t("missing-value", &c.version, "diag.empty_version", "diag.empty_version_hint");
            }
            let eol = c.eol.as_ref().and_then(|e| cx.date(e));
            seen.entry(name.clone()).or_insert(components.len());
            components.push(Component {
                name,
                product: c.product.value.clone(),
                version: c.version.value.trim().to_string(),
                cycle: c.cycle.as_ref().map(|v| v.value.clone()),
                eol,
                support,
                purl: c.purl.map(|v| v.value),
                origin: c_at,
                version_origin: cx.at(&c.version),
                cycle_origin: c.cycle.as_ref().map(|v| cx.at(v)),
            });
        }
        if s.owner.value.trim().is_empty() {
            cx.error_t("missing-value", &s.owner, "diag.empty_owner", "diag.empty_owner_hint");
        }
        self.diags = diags;
        Some(System {
            name: s.name.unwrap_or_else(|| s.id.value.clone()),
            id: s.id.value,
            owner: s.owner.value,
            criticality: s.criticality,
            environments: s.environments,
            hosts: s.hosts,
            tags: s.tags,
            components,
            origin: at,
        })
    }

    fn cycle(cx: &mut Cx, c: Spanned<raw::Cycle>) -> Cycle {
        let at = origin(cx.path, &c.referenced);
        let c = c.value;
        Cycle {
            name: c.cycle.value.clone(),
            released: c.released.as_ref().and_then(|d| cx.date(d)),
            active_support_end: cx.milestone(&c.active_support_end),
            eol: cx.milestone(&c.eol),
            extended_support_end: cx.milestone(&c.extended_support_end),
            lts: c.lts.unwrap_or(false),
            latest: c.latest.map(|l| l.value),
            latest_date: c.latest_date.as_ref().and_then(|d| cx.date(d)),
            origin: at,
        }
    }

    fn product(&mut self, path: &str, p: raw::Product) {
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        cx.id(&p.product, "product", false);
        let stem = path.rsplit('/').next().unwrap_or(path).trim_end_matches(".yaml").trim_end_matches(".yml");
        if stem != p.product.value {
            cx.error(
                "id-mismatch",
                &p.product,
                format!("product `{}` is in a file named `{stem}`", p.product.value),
                format!("rename the file to {}.yaml or the product to `{stem}`", p.product.value),
                (
                    Text::new("load.product_file", &[("product", &p.product.value), ("stem", &stem)]),
                    Text::new("load.product_file_hint", &[("product", &p.product.value), ("stem", &stem)]),
                ),
            );
        }
        if let Some(src) = &p.source
            && let Some(f) = &src.fetched_at
        {
            cx.timestamp(f);
        }
        let mut cycles: Vec<Cycle> = Vec::new();
        for c in p.cycles {
            let cycle = Self::cycle(&mut cx, c);
            if let Some(first) = cycles.iter().find(|x| x.name == cycle.name) {
                let d = Diagnostic::error_t(
                    "duplicate-id",
                    cycle.origin.clone(),
                    "diag.duplicate_cycle",
                    &[("cycle", &cycle.name)],
                )
                .hint_t("diag.duplicate_cycle_hint", &[])
                .related_t(first.origin.clone(), "diag.first_is_here");
                cx.diags.push(d);
                continue;
            }
            cycles.push(cycle);
        }
        // `local:` entries are the repository's own corrections: they replace a catalog cycle's dates.
        for c in p.local {
            let local = Self::cycle(&mut cx, c);
            match cycles.iter_mut().find(|x| x.name == local.name) {
                Some(existing) => {
                    let merge = |a: Milestone, b: Milestone| if b == Milestone::None { a } else { b };
                    existing.eol = merge(existing.eol, local.eol);
                    existing.active_support_end =
                        merge(existing.active_support_end, local.active_support_end);
                    existing.extended_support_end =
                        merge(existing.extended_support_end, local.extended_support_end);
                    existing.released = local.released.or(existing.released);
                    // A local `latest` names another release: its date goes with it, never the catalog's.
                    if local.latest.is_some() {
                        existing.latest_date = local.latest_date;
                    } else {
                        existing.latest_date = local.latest_date.or(existing.latest_date);
                    }
                    existing.latest = local.latest.or(existing.latest.take());
                    existing.lts |= local.lts;
                    existing.origin = local.origin;
                }
                None => cycles.push(local),
            }
        }
        self.diags = diags;
        let at = origin(path, &p.product.referenced);
        if let Some(first) = self.repo.products.get(&p.product.value) {
            let d = Diagnostic::error_t(
                "duplicate-id",
                at,
                "diag.duplicate_product",
                &[("product", &p.product.value)],
            )
            .hint_t("diag.duplicate_product_hint", &[])
            .related_t(first.origin.clone(), "diag.first_is_here");
            self.diags.push(d);
            return;
        }
        self.repo.products.insert(
            p.product.value.clone(),
            Product {
                title: p.title.unwrap_or_else(|| p.product.value.clone()),
                id: p.product.value,
                identifiers: p.identifiers,
                cycles,
                origin: at,
            },
        );
    }

    fn policy(&mut self, path: &str, p: raw::Policy) {
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        self.repo.policy.files.push(path.to_string());
        if let Some(e) = p.eol {
            let at = origin(path, &e.referenced);
            if let Some(first) = &self.eol_origin {
                cx.diags.push(
                    Diagnostic::error_t("duplicate-id", at.clone(), "diag.duplicate_eol", &[])
                        .hint_t("diag.duplicate_eol_hint", &[])
                        .related_t(first.clone(), "diag.first_is_here"),
                );
            }
            self.eol_origin = Some(at);
            let e = e.value;
            if let Some(b) = &e.basis {
                match b.value.as_str() {
                    "eol" => self.repo.policy.eol.basis = Basis::Eol,
                    "extended" => self.repo.policy.eol.basis = Basis::Extended,
                    other => cx.error_in_t(
                        "bad-value",
                        b,
                        "diag.bad_basis",
                        &[("value", &other)],
                        "diag.bad_basis_hint",
                    ),
                }
            }
            if let Some(d) = e.plan_before.as_ref().and_then(|d| cx.duration(d)) {
                self.repo.policy.eol.plan_before = d;
            }
            if let Some(d) = e.finish_before.as_ref().and_then(|d| cx.duration(d)) {
                self.repo.policy.eol.finish_before = d;
            }
        }
        for (name, class) in p.classes.unwrap_or_default() {
            let at = cx.at(&name);
            if let Some(first) = self.repo.policy.classes.get(&name.value) {
                cx.diags.push(
                    Diagnostic::error_t(
                        "duplicate-id",
                        at,
                        "diag.duplicate_class",
                        &[("class", &name.value)],
                    )
                    .hint_t("diag.duplicate_class_hint", &[])
                    .related_t(first.origin.clone(), "diag.first_is_here"),
                );
                continue;
            }
            let c = class.value;
            let chain = match c.chain {
                None => Chain::Roles(Vec::new()),
                Some(ch) => match ch.value {
                    raw::ChainRaw::Roles(roles) => {
                        for r in &roles {
                            self.role_uses.push((r.value.clone(), cx.at(r)));
                        }
                        Chain::Roles(roles.into_iter().map(|r| r.value).collect())
                    }
                    raw::ChainRaw::ByCriticality(map) => {
                        let mut by = BTreeMap::new();
                        let mut default = None;
                        for (k, roles) in map {
                            for r in &roles {
                                self.role_uses.push((r.value.clone(), cx.at(r)));
                            }
                            let roles: Vec<String> = roles.into_iter().map(|r| r.value).collect();
                            match k.value.as_str() {
                                "default" => default = Some(roles),
                                "low" => drop(by.insert(Criticality::Low, roles)),
                                "medium" => drop(by.insert(Criticality::Medium, roles)),
                                "high" => drop(by.insert(Criticality::High, roles)),
                                "critical" => drop(by.insert(Criticality::Critical, roles)),
                                other => cx.error_in_t(
                                    "bad-value",
                                    &k,
                                    "diag.bad_criticality",
                                    &[("value", &other)],
                                    "diag.bad_criticality_hint",
                                ),
                            }
                        }
                        Chain::ByCriticality { by, default }
                    }
                },
            };
            if let Some(r) = &c.confirm {
                self.role_uses.push((r.value.clone(), cx.at(r)));
            }
            // A change of a class without approvers would be approved by nobody: say so.
            match &chain {
                Chain::Roles(r) if r.is_empty() => cx.diags.push(
                    Diagnostic::warning_t(
                        "empty-chain",
                        at.clone(),
                        "diag.empty_chain",
                        &[("class", &name.value)],
                    )
                    .hint_t("diag.empty_chain_hint", &[]),
                ),
                Chain::ByCriticality { by, default: None } if by.len() < 4 => {
                    let missing: Vec<&str> = ["low", "medium", "high", "critical"]
                        .into_iter()
                        .zip([
                            Criticality::Low,
                            Criticality::Medium,
                            Criticality::High,
                            Criticality::Critical,
                        ])
                        .filter(|(_, c)| !by.contains_key(c))
                        .map(|(n, _)| n)
                        .collect();
                    cx.diags.push(
                        Diagnostic::warning_text(
                            "empty-chain",
                            at.clone(),
                            Text::new("diag.no_chain_for", &[("class", &name.value)]).list(
                                "criticalities",
                                &missing.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                            ),
                        )
                        .hint_t("diag.no_chain_for_hint", &[]),
                    );
                }
                _ => {}
            }
            let kind = match &c.kind {
                None => ClassKind::implied(&name.value, c.max_duration.is_some()),
                Some(k) => ClassKind::parse(&k.value).unwrap_or_else(|| {
                    cx.error(
                        "bad-value",
                        k,
                        format!("unknown class kind `{}`", k.value),
                        "a class's kind is `change`, `exception` or `policy`",
                        (
                            Text::new("load.bad_kind", &[("value", &k.value)]),
                            Text::new("load.bad_kind_hint", &[]),
                        ),
                    );
                    ClassKind::implied(&name.value, c.max_duration.is_some())
                }),
            };
            let mut d = |s: &Option<S>| s.as_ref().and_then(|s| cx.duration(s));
            let class = Class {
                name: name.value.clone(),
                kind,
                title: c.title,
                description: c.description,
                respond_within: d(&c.respond_within),
                deploy_within: d(&c.deploy_within),
                retroactive_within: d(&c.retroactive_within),
                max_duration: d(&c.max_duration),
                chain,
                confirm: c.confirm.map(|r| r.value),
                applies_to: c.applies_to.map(|a| AppliesTo { severity: a.severity, kev: a.kev }),
                origin: at,
            };
            self.repo.policy.classes.insert(name.value, class);
        }
        if let Some(r) = p.rules {
            let at = origin(path, &r.referenced);
            if let Some(first) = &self.rules_origin {
                cx.diags.push(
                    Diagnostic::error_t("duplicate-id", at.clone(), "diag.duplicate_rules", &[])
                        .hint_t("diag.duplicate_rules_hint", &[])
                        .related_t(first.clone(), "diag.first_is_here"),
                );
            }
            self.rules_origin = Some(at);
            let r = r.value;
            let rules = &mut self.repo.policy.rules;
            rules.separation_of_duties = r.separation_of_duties.unwrap_or(false);
            rules.require_gray_before_production = r.require_gray_before_production.unwrap_or(false);
            rules.require_backup = r.require_backup.unwrap_or(false);
            rules.require_signed_commits = r.require_signed_commits.unwrap_or(false);
            rules.notify_before = r.notify_before.as_ref().and_then(|d| cx.duration(d));
            rules.observation_max_age = r.observation_max_age.as_ref().and_then(|d| cx.duration(d));
            rules.discovery_every = r.discovery_every.as_ref().and_then(|d| cx.duration(d));
            rules.patch_lag_max = r.patch_lag_max.as_ref().and_then(|d| cx.duration(d));
            for (env, days) in r.windows.unwrap_or_default() {
                let mut list = Vec::new();
                for day in days {
                    match day.value.parse::<chrono::Weekday>() {
                        Ok(w) => list.push(w),
                        Err(_) => cx.error_in_t(
                            "bad-value",
                            &day,
                            "diag.bad_weekday",
                            &[("value", &day.value)],
                            "diag.bad_weekday_hint",
                        ),
                    }
                }
                rules.windows.insert(env.value, list);
            }
        }
        role_titles(&mut self.repo.policy, &mut cx, p.roles.unwrap_or_default());
        for (name, target) in p.kpis.unwrap_or_default() {
            if !KPI_NAMES.contains(&name.value.as_str()) {
                let hint = match suggest(&name.value, KPI_NAMES) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known KPIs: {}", KPI_NAMES.join(", ")),
                };
                let hint_words = match suggest(&name.value, KPI_NAMES) {
                    Some(n) => Text::new("load.did_you_mean", &[("near", &n)]),
                    None => Text::new(
                        "load.known_kpis",
                        &[("list", &KPI_NAMES.map(|k| format!("`{k}`")).join("、"))],
                    ),
                };
                let words = (Text::new("load.unknown_kpi", &[("value", &name.value)]), hint_words);
                cx.error("unknown-key", &name, format!("unknown KPI `{}`", name.value), hint, words);
                continue;
            }
            match parse_kpi(&name.value, &target.value) {
                Ok(k) if (k.unit == KpiUnit::Hours) != (name.value == "critical_fix_time") => {
                    let want = if name.value == "critical_fix_time" {
                        "hours, e.g. \"<= 72h\""
                    } else {
                        "a percentage, e.g. \">= 95%\""
                    };
                    let unit =
                        if name.value == "critical_fix_time" { "load.kpi_hours" } else { "load.kpi_percent" };
                    let unit = Text::new(unit, &[]).render(crate::i18n::Lang::ZhCn);
                    cx.error(
                        "bad-value",
                        &target,
                        format!("`{}` is measured in {want}", name.value),
                        "use the KPI's own unit",
                        (
                            Text::new("load.kpi_unit", &[("name", &name.value), ("unit", &unit)]),
                            Text::new("load.kpi_unit_hint", &[]),
                        ),
                    );
                }
                Ok(k) if self.repo.policy.kpis.iter().any(|x| x.name == k.name) => cx.error(
                    "duplicate-id",
                    &name,
                    format!("KPI `{}` is set twice", name.value),
                    "set each KPI once across policies/",
                    (
                        Text::new("load.kpi_twice", &[("name", &name.value)]),
                        Text::new("load.kpi_twice_hint", &[]),
                    ),
                ),
                Ok(k) => self.repo.policy.kpis.push(k),
                Err(m) => {
                    let words = (
                        Text::new("load.bad_kpi", &[("value", &target.value)]),
                        Text::new("load.bad_kpi_hint", &[]),
                    );
                    cx.error(
                        "bad-value",
                        &target,
                        m,
                        "write a target such as \">= 95%\" or \"<= 72h\"",
                        words,
                    )
                }
            }
        }
        self.diags = diags;
    }

    fn people(&mut self, path: &str, file: raw::PeopleFile) {
        self.people_file = true;
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        let mut key_owner: HashMap<String, (String, Origin)> = HashMap::new();
        for p in file.people {
            let at = origin(path, &p.referenced);
            let p = p.value;
            cx.id(&p.id, "person", false);
            if let Some(first) = self.repo.people.iter().find(|x| x.id == p.id.value) {
                let d = Diagnostic::error_t(
                    "duplicate-id",
                    cx.at(&p.id),
                    "diag.duplicate_person",
                    &[("id", &p.id.value)],
                )
                .hint_t("diag.duplicate_person_hint", &[])
                .related_t(first.origin.clone(), "diag.first_is_here");
                cx.diags.push(d);
                continue;
            }
            for k in &p.keys {
                let Some(canonical) = check_key(&mut cx, k) else {
                    continue;
                };
                if let Some((other, first)) = key_owner.get(&canonical)
                    && *other != p.id.value
                {
                    let d = Diagnostic::error_t(
                        "duplicate-key",
                        cx.at(k),
                        "load.key_shared",
                        &[("other", other)],
                    )
                    .hint_t("load.key_shared_hint", &[])
                    .related_t(first.clone(), "load.listed_here");
                    cx.diags.push(d);
                }
                key_owner.insert(canonical, (p.id.value.clone(), cx.at(k)));
            }
            self.repo.people.push(Person {
                id: p.id.value,
                name: p.name,
                title: p.title,
                email: p.email,
                roles: p.roles.into_iter().map(|r| r.value).collect(),
                keys: p.keys.into_iter().map(|k| k.value.trim().to_string()).collect(),
                origin: at,
            });
        }
        self.diags = diags;
    }

    fn request(&mut self, path: &str, r: raw::ChangeRequest) {
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        let folder = folder_of(path);
        cx.id(&r.id, "change", true);
        if r.id.value != folder {
            cx.error(
                "id-mismatch",
                &r.id,
                format!("change `{}` is in folder `{folder}`", r.id.value),
                format!("the id must equal the folder name: `id: {folder}`"),
                (
                    Text::new("load.change_folder", &[("id", &r.id.value), ("folder", &folder)]),
                    Text::new("load.change_folder_hint", &[("folder", &folder)]),
                ),
            );
        }
        let requested_at = cx.timestamp(&r.requested_at);
        let mut targets = Vec::new();
        for t in r.targets {
            let at = origin(path, &t.referenced);
            let t = t.value;
            let eol = t.eol.map(|v| v.value);
            match (t.system, t.component, t.path, t.digest, t.product, t.cycle) {
                (Some(system), Some(component), None, None, None, None) => targets.push(Target::Version {
                    system: system.value,
                    component: component.value,
                    from: t.from.map(|v| v.value),
                    to: t.to.map(|v| v.value),
                    eol,
                    origin: at,
                }),
                (Some(system), None, None, None, None, None) if t.from.is_none() && eol.is_none() => targets
                    .push(Target::System { system: system.value, to: t.to.map(|v| v.value), origin: at }),
                (None, None, None, None, Some(product), Some(cycle))
                    if t.from.is_none() && t.to.is_none() =>
                {
                    targets.push(Target::Cycle {
                        product: product.value,
                        cycle: cycle.value,
                        eol,
                        origin: at,
                    })
                }
                (None, None, Some(p), Some(d), None, None) if eol.is_none() => {
                    let hex = d
                        .value
                        .strip_prefix("sha256:")
                        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
                    if hex.is_none() && d.value != "deleted" {
                        cx.error(
                            "bad-value",
                            &d,
                            "a digest is `sha256:` and 64 hex digits (or `deleted` for a removed file)",
                            "compute it with `sha256sum FILE`",
                            (Text::new("load.bad_digest", &[]), Text::new("load.bad_digest_hint", &[])),
                        );
                    }
                    targets.push(Target::File { path: p.value, digest: d.value, origin: at })
                }
                _ => cx.diags.push(
                    Diagnostic::error_t("bad-target", at, "load.bad_target", &[])
                        .hint_t("load.bad_target_hint", &[]),
                ),
            }
        }
        let plan_at = r.plan.as_ref().map(|p| {
            let mut v: Vec<(&'static str, Origin)> = Vec::new();
            if let Some(e) = &p.executor {
                v.push(("plan.executor", cx.at(e)));
            }
            if let Some(e) = &p.supervisor {
                v.push(("plan.supervisor", cx.at(e)));
            }
            v
        });
        let plan = r.plan.map(|p| Plan {
            gray_at: p.gray_at.as_ref().and_then(|t| cx.timestamp(t)),
            production_at: p.production_at.as_ref().and_then(|t| cx.timestamp(t)),
            executor: p.executor.map(|v| v.value),
            supervisor: p.supervisor.map(|v| v.value),
            backout: p.backout,
            tests: p.tests,
            downtime: p.downtime.as_ref().and_then(|d| cx.duration(d)),
        });
        let until = r.until.as_ref().and_then(|u| cx.date(u));
        let mut fields = Fields::default();
        fields.0.insert("id", cx.at(&r.id));
        fields.0.insert("class", cx.at(&r.class));
        fields.0.insert("requested_by", cx.at(&r.requested_by));
        fields.0.insert("requested_at", cx.at(&r.requested_at));
        if let Some(u) = &r.until {
            fields.0.insert("until", cx.at(u));
        }
        for (k, v) in plan_at.into_iter().flatten() {
            fields.0.insert(k, v);
        }
        self.diags = diags;
        let Some(requested_at) = requested_at else {
            return;
        };
        self.repo.changes.push(ChangeRequest {
            id: r.id.value,
            title: r.title,
            class: r.class.value,
            requested_by: r.requested_by.value,
            requested_at,
            reason: r.reason,
            targets,
            advisories: r.advisories.into_iter().map(|a| a.value).collect(),
            risk: r.risk,
            plan,
            budget: r.budget.map(|m| Money { amount: m.amount, currency: m.currency }),
            until,
            links: r.links.into_iter().collect(),
            origin: Origin::new(path, 1, 1, 1),
            fields,
            digest: self.digests.get(path).cloned().unwrap_or_default(),
            report: None,
        });
    }

    fn report(&mut self, path: &str, r: raw::Report) {
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        let mut ts = |s: &Option<S>| s.as_ref().and_then(|s| cx.timestamp(s));
        let finished_at = ts(&r.finished_at);
        let production_at = ts(&r.production_at);
        let notified_at = ts(&r.notified_at);
        let started_at = cx.timestamp(&r.started_at);
        let backup = r
            .backup
            .and_then(|b| Some(Backup { taken_at: cx.timestamp(&b.taken_at)?, reference: b.reference }));
        let gray = r.gray.map(|g| Gray {
            passed_at: g.passed_at.as_ref().and_then(|t| cx.timestamp(t)),
            result: g.result,
            rollback_tested: g.rollback_tested,
        });
        let downtime = r.downtime.as_ref().and_then(|d| cx.duration(d));
        if let Some(h) = &r.hosts
            && h.succeeded > h.total
        {
            cx.diags.push(
                Diagnostic::error_t(
                    "bad-value",
                    Origin::new(path, 1, 1, 1),
                    "load.hosts_exceed",
                    &[("succeeded", &h.succeeded), ("total", &h.total)],
                )
                .hint_t("load.hosts_exceed_hint", &[]),
            );
        }
        let mut fields = Fields::default();
        fields.0.insert("started_at", cx.at(&r.started_at));
        fields.0.insert("executed_by", cx.at(&r.executed_by));
        if let Some(s) = &r.supervised_by {
            fields.0.insert("supervised_by", cx.at(s));
        }
        for (name, v) in [
            ("finished_at", &r.finished_at),
            ("production_at", &r.production_at),
            ("notified_at", &r.notified_at),
        ] {
            if let Some(v) = v {
                fields.0.insert(name, cx.at(v));
            }
        }
        let supervised_by = r.supervised_by.map(|v| v.value);
        self.diags = diags;
        let Some(started_at) = started_at else { return };
        self.reports.push((
            folder_of(path).to_string(),
            Report {
                started_at,
                finished_at,
                executed_by: r.executed_by.value,
                supervised_by,
                backup,
                gray,
                production_at,
                artifacts: r
                    .artifacts
                    .into_iter()
                    .map(|a| Artifact { name: a.name, source: a.source, sha256: a.sha256 })
                    .collect(),
                notified_at,
                outcome: r.outcome,
                hosts: r.hosts.map(|h| Hosts { total: h.total, succeeded: h.succeeded }),
                downtime,
                metrics: r
                    .metrics
                    .into_iter()
                    .map(|m| Metric {
                        name: m.name,
                        unit: m.unit,
                        before: m.before,
                        after: m.after,
                        target: m.target,
                    })
                    .collect(),
                cost: r.cost.map(|m| Money { amount: m.amount, currency: m.currency }),
                origin: Origin::new(path, 1, 1, 1),
                fields,
                digest: self.digests.get(path).cloned().unwrap_or_default(),
            },
        ));
    }

    fn signoff(&mut self, path: &str, file: crate::model::statement::SignOffFile) {
        let origin = Origin::new(path, 1, 1, 1);
        // changes/<ID>/approvals/<NN>-<stage>.yaml
        let mut parts = path.rsplit('/');
        let name = parts.next().unwrap_or("");
        parts.next();
        let change = parts.next().unwrap_or("").to_string();
        let stem = name.trim_end_matches(".yaml").trim_end_matches(".yml");
        let parsed = stem.split_once('-').and_then(|(n, stage)| Some((n.parse::<u32>().ok()?, stage)));
        let Some((seq, stage)) = parsed.filter(|(n, _)| *n > 0) else {
            self.diags.push(
                Diagnostic::error_t("bad-signoff-file", origin, "load.signoff_name", &[("name", &name)])
                    .hint_t("load.signoff_name_hint", &[]),
            );
            return;
        };
        if stage != file.statement.stage {
            self.diags.push(
                Diagnostic::error_t(
                    "bad-signoff-file",
                    origin.clone(),
                    "load.signoff_stage",
                    &[("stage", &stage), ("signed", &file.statement.stage)],
                )
                .hint_t("load.signoff_stage_hint", &[]),
            );
        }
        if let Some(other) = self.repo.signoffs.iter().find(|s| s.change == change && s.seq == seq) {
            self.diags.push(
                Diagnostic::error_t(
                    "bad-signoff-file",
                    origin.clone(),
                    "load.signoff_seq",
                    &[("change", &change), ("seq", &format!("{seq:02}"))],
                )
                .related_t(other.origin.clone(), "load.other_is_here")
                .hint_t("load.signoff_seq_hint", &[]),
            );
        }
        self.repo.signoffs.push(SignOff { change, seq, path: path.to_string(), file, origin });
    }

    fn advisory(&mut self, path: &str, a: raw::Advisory) {
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        let detected_at = cx.timestamp(&a.detected_at);
        let published = a.published.as_ref().and_then(|d| cx.date(d));
        let kev_due = a.kev_due.as_ref().and_then(|d| cx.date(d));
        let affected = a
            .affected
            .into_iter()
            .map(|x| {
                let x = x.value;
                Affected {
                    product: x.product.map(|v| v.value),
                    purl: x.purl.map(|v| v.value),
                    ranges: x
                        .ranges
                        .into_iter()
                        .map(|r| Range {
                            introduced: r.introduced,
                            fixed: r.fixed,
                            last_affected: r.last_affected,
                            limit: r.limit,
                        })
                        .collect(),
                    versions: x.versions,
                }
            })
            .collect();
        let at = cx.at(&a.id);
        self.diags = diags;
        if let Some(first) = self.repo.advisories.iter().find(|x| x.id == a.id.value) {
            let d =
                Diagnostic::error_t("duplicate-id", at, "load.duplicate_advisory", &[("id", &a.id.value)])
                    .hint_t("load.duplicate_advisory_hint", &[])
                    .related_t(first.origin.clone(), "diag.first_is_here");
            self.diags.push(d);
            return;
        }
        let Some(detected_at) = detected_at else {
            return;
        };
        self.repo.advisories.push(Advisory {
            id: a.id.value,
            aliases: a.aliases,
            summary: a.summary,
            severity: a.severity,
            kev: a.kev,
            kev_due,
            published,
            detected_at,
            affected,
            origin: at,
        });
    }

    fn observation(&mut self, path: &str, o: raw::Observation) {
        let mut diags = std::mem::take(&mut self.diags);
        let mut cx = self.cx(path, &mut diags);
        let collected_at = cx.timestamp(&o.collected_at);
        let system_ok = cx.id(&o.system, "system", false);
        if o.host.value.trim().is_empty() {
            let words = (Text::new("load.empty_host", &[]), Text::new("load.empty_host_hint", &[]));
            cx.error("bad-value", &o.host, "the host is empty", "name the host the scan ran on", words);
        }
        let components = o
            .components
            .into_iter()
            .map(|c| {
                let c = c.value;
                crate::model::observed::Observed {
                    product: c.product.value,
                    version: c.version.value,
                    raw: c.raw,
                    purl: c.purl,
                    cpe: c.cpe,
                }
            })
            .collect();
        let origin = cx.at(&o.system);
        self.diags = diags;
        let Some(collected_at) = collected_at.filter(|_| system_ok) else {
            return;
        };
        self.repo.observations.push(crate::model::observed::Observation {
            system: o.system.value,
            host: o.host.value,
            source: o.source.kind,
            collected_at,
            components,
            origin,
        });
    }

    /// Cross-file checks, once everything is loaded.
    /// The settings the builder was made with.
    pub fn settings(&self) -> &Settings {
        &self.repo.settings
    }

    /// The diagnostics of the files added so far, without the checks across files of [`Builder::finish`].
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags
    }

    pub fn finish(mut self) -> (Repository, Vec<Diagnostic>) {
        let mut diags = std::mem::take(&mut self.diags);
        observations_name_systems(&mut self.repo, &mut diags);
        let repo = &mut self.repo;
        repo.systems.sort_by(|a, b| a.id.cmp(&b.id));
        for pair in repo.systems.windows(2) {
            if pair[0].id == pair[1].id {
                let (first, second) = if pair[0].origin <= pair[1].origin {
                    (&pair[0], &pair[1])
                } else {
                    (&pair[1], &pair[0])
                };
                diags.push(
                    Diagnostic::error_t(
                        "duplicate-id",
                        second.origin.clone(),
                        "diag.duplicate_system",
                        &[("id", &second.id)],
                    )
                    .hint_t("diag.duplicate_system_hint", &[])
                    .related_t(first.origin.clone(), "diag.first_definition"),
                );
            }
        }
        for s in &repo.systems {
            for c in &s.components {
                let Some(product) = repo.products.get(&c.product) else {
                    let known: Vec<&str> = repo.products.keys().map(String::as_str).collect();
                    let product = &c.product;
                    let hint = match suggest(product, known) {
                        Some(near) => {
                            Text::new("diag.unknown_product_near", &[("near", &near), ("product", product)])
                        }
                        None => Text::new("diag.unknown_product_hint", &[("product", product)]),
                    };
                    diags.push(
                        Diagnostic::warning_t(
                            "unknown-product",
                            c.origin.clone(),
                            "diag.unknown_product",
                            &[("product", product)],
                        )
                        .hint_text(hint),
                    );
                    continue;
                };
                if let Some(cycle) = &c.cycle
                    && !product.cycles.iter().any(|x| &x.name == cycle)
                {
                    let names: Vec<&str> = product.cycles.iter().map(|x| x.name.as_str()).collect();
                    diags.push(
                        Diagnostic::error_t(
                            "unknown-cycle",
                            c.cycle_origin.clone().unwrap_or_else(|| c.origin.clone()),
                            "diag.unknown_cycle",
                            &[("product", &c.product), ("cycle", cycle)],
                        )
                        .hint_text(Text::new("diag.known_cycles", &[]).list(
                            "cycles",
                            &names.iter().take(12).map(|n| n.to_string()).collect::<Vec<_>>(),
                        )),
                    );
                }
            }
        }
        if repo.policy.files.is_empty() && !self.policy_files_exist {
            diags.push(
                Diagnostic::warning_t(
                    "no-policy",
                    Origin::file(&repo.settings.paths.policies),
                    "diag.no_policy",
                    &[],
                )
                .hint_t("diag.no_policy_hint", &[]),
            );
        }
        // Every role a chain names must be held by someone, or that chain can never complete.
        if self.people_file || !self.role_uses.is_empty() {
            for (role, at) in &self.role_uses {
                if !repo.people.iter().any(|p| p.roles.contains(role)) {
                    let roles: Vec<&str> =
                        repo.people.iter().flat_map(|p| p.roles.iter().map(String::as_str)).collect();
                    let people = &repo.settings.paths.people;
                    let hint = match suggest(role, roles) {
                        Some(near) => {
                            Text::new("diag.role_not_held_near", &[("near", &near), ("people", people)])
                        }
                        None => Text::new("diag.role_not_held_hint", &[("role", role), ("people", people)]),
                    };
                    diags.push(
                        Diagnostic::error_t(
                            "role-not-held",
                            at.clone(),
                            "diag.role_not_held",
                            &[("role", role)],
                        )
                        .hint_text(hint),
                    );
                }
            }
        }
        untitled_roles(&self.role_uses, &repo.policy, &mut diags);
        let person_ids: Vec<String> = repo.people.iter().map(|p| p.id.clone()).collect();
        let unknown_person = |diags: &mut Vec<Diagnostic>, id: &str, at: &Origin, what: &str| {
            if !person_ids.iter().any(|p| p == id) {
                let hint = match suggest(id, person_ids.iter().map(String::as_str)) {
                    Some(near) => Text::new("diag.did_you_mean", &[("word", &near)]),
                    None => Text::new("diag.unknown_person_hint", &[("id", &id)]),
                };
                let key = match what {
                    "requester" => "diag.unknown_requester",
                    "executor" => "diag.unknown_executor",
                    _ => "diag.unknown_supervisor",
                };
                diags.push(
                    Diagnostic::error_t("unknown-person", at.clone(), key, &[("id", &id)]).hint_text(hint),
                );
            }
        };
        let class_names: Vec<&str> = repo.policy.classes.keys().map(String::as_str).collect();
        for c in &repo.changes {
            if !repo.policy.classes.contains_key(&c.class) {
                let hint = match suggest(&c.class, class_names.iter().copied()) {
                    Some(near) => Text::new("diag.did_you_mean", &[("word", &near)]),
                    None => Text::new("diag.classes", &[])
                        .list("classes", &class_names.iter().map(|n| n.to_string()).collect::<Vec<_>>()),
                };
                diags.push(
                    Diagnostic::error_t(
                        "unknown-class",
                        c.fields.at("class", &c.origin),
                        "diag.unknown_class",
                        &[("id", &c.id), ("class", &c.class)],
                    )
                    .hint_text(hint),
                );
            }
            let at = |field: &str| c.fields.at(field, &c.origin);
            let class = repo.policy.classes.get(&c.class).filter(|k| k.kind == ClassKind::Exception);
            if let (Some(until), Some(max)) = (c.until, class.and_then(|k| k.max_duration))
                && let Some(bound) = max.after(c.requested_at).map(|b| b.date_naive())
                && until > bound
            {
                diags.push(
                    Diagnostic::warning_t(
                        "exception-too-long",
                        at("until"),
                        "load.exception_too_long",
                        &[("until", &until), ("max", &max)],
                    )
                    .hint_t("load.exception_too_long_hint", &[("max", &max), ("bound", &bound)]),
                );
            }
            unknown_person(&mut diags, &c.requested_by, &at("requested_by"), "requester");
            if let Some(plan) = &c.plan {
                if let Some(who) = &plan.executor {
                    unknown_person(&mut diags, who, &at("plan.executor"), "executor");
                }
                if let Some(who) = &plan.supervisor {
                    unknown_person(&mut diags, who, &at("plan.supervisor"), "supervisor");
                }
            }
            for t in &c.targets {
                if let Target::Version { system, component, origin, .. } = t {
                    match repo.systems.iter().find(|s| &s.id == system) {
                        None => diags.push(
                            Diagnostic::warning_t(
                                "unknown-target",
                                origin.clone(),
                                "diag.unknown_target_system",
                                &[("system", system)],
                            )
                            .hint_t("diag.unknown_target_system_hint", &[]),
                        ),
                        Some(s) if !s.components.iter().any(|x| &x.name == component) => diags.push(
                            Diagnostic::warning_t(
                                "unknown-target",
                                origin.clone(),
                                "diag.unknown_target_component",
                                &[("system", system), ("component", component)],
                            )
                            .hint_text(
                                Text::new("diag.components_of", &[("system", system)]).list(
                                    "components",
                                    &s.components.iter().map(|x| x.name.clone()).collect::<Vec<_>>(),
                                ),
                            ),
                        ),
                        _ => {}
                    }
                }
            }
        }
        for (folder, report) in std::mem::take(&mut self.reports) {
            unknown_person(
                &mut diags,
                &report.executed_by,
                &report.fields.at("executed_by", &report.origin),
                "executor",
            );
            if let Some(s) = &report.supervised_by {
                unknown_person(
                    &mut diags,
                    s,
                    &report.fields.at("supervised_by", &report.origin),
                    "supervisor",
                );
            }
            match repo.changes.iter_mut().find(|c| c.id == folder) {
                Some(change) => change.report = Some(report),
                None => diags.push(
                    Diagnostic::error_t(
                        "orphan-report",
                        report.origin.clone(),
                        "diag.orphan_report",
                        &[("id", &folder)],
                    )
                    .hint_t("diag.orphan_report_hint", &[]),
                ),
            }
        }
        repo.changes.sort_by(|a, b| a.id.cmp(&b.id));
        repo.signoffs.sort_by(|a, b| (&a.change, a.seq).cmp(&(&b.change, b.seq)));
        for s in &repo.signoffs {
            if !repo.changes.iter().any(|c| c.id == s.change) {
                diags.push(
                    Diagnostic::error_t(
                        "orphan-signoff",
                        s.origin.clone(),
                        "diag.orphan_signoff",
                        &[("id", &s.change)],
                    )
                    .hint_t("diag.orphan_signoff_hint", &[]),
                );
            }
        }
        repo.advisories.sort_by(|a, b| a.id.cmp(&b.id));
        (self.repo, diags)
    }
}

/// An observation of a system the inventory does not have is kept (it is evidence) but flagged.
fn observations_name_systems(repo: &mut Repository, diags: &mut Vec<Diagnostic>) {
    repo.observations.sort_by(|a, b| a.origin.cmp(&b.origin));
    // By time; in one second the first run's name is the shortest (`-2-`, then `-10-`, come later).
    repo.runs.sort_by(|a, b| (a.at, a.path.len(), &a.path).cmp(&(b.at, b.path.len(), &b.path)));
    let ids: std::collections::HashSet<&str> = repo.systems.iter().map(|s| s.id.as_str()).collect();
    for o in &repo.observations {
        if !ids.contains(o.system.as_str()) {
            let hint = match suggest(&o.system, ids.iter().copied()) {
                Some(near) => Text::new("load.observed_system_near", &[("near", &near)]),
                None => Text::new("load.observed_system_hint", &[]),
            };
            diags.push(
                Diagnostic::warning_t(
                    "unknown-system",
                    o.origin.clone(),
                    "load.observed_system",
                    &[("system", &o.system)],
                )
                .hint_text(hint),
            );
        }
    }
}

fn folder_of(path: &str) -> &str {
    let mut parts = path.rsplit('/');
    parts.next();
    parts.next().unwrap_or("")
}

/// Checks that a key is an OpenSSH public key or an armored OpenPGP block; returns a canonical form.
fn check_key(cx: &mut Cx, k: &S) -> Option<String> {
    let text = k.value.trim();
    if text.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
        if !text.contains("-----END PGP PUBLIC KEY BLOCK-----") {
            cx.error(
                "bad-key",
                k,
                "the OpenPGP key block is not terminated",
                "paste the whole output of `gpg --armor --export KEYID`",
                (Text::new("load.pgp_unterminated", &[]), Text::new("load.pgp_hint", &[])),
            );
            return None;
        }
        return Some(text.split_whitespace().collect());
    }
    match ssh_key::PublicKey::from_openssh(text) {
        Ok(key) => Some(key.fingerprint(ssh_key::HashAlg::Sha256).to_string()),
        Err(e) => {
            cx.error(
                "bad-key",
                k,
                format!("not an OpenSSH public key ({e})"),
                "paste one line of a .pub file, e.g. `ssh-ed25519 AAAAC3Nza… you@example.com`, or an armored OpenPGP block",
                (Text::new("load.not_ssh_key", &[]), Text::new("load.ssh_key_hint", &[])),
            );
            None
        }
    }
}

/// Parses a KPI target such as `>= 95%` or `<= 72h`.
pub fn parse_kpi(name: &str, text: &str) -> Result<KpiTarget, String> {
    let t = text.trim();
    let (op, rest) = if let Some(r) = t.strip_prefix(">=") {
        (Comparison::AtLeast, r)
    } else if let Some(r) = t.strip_prefix("<=") {
        (Comparison::AtMost, r)
    } else {
        return Err(format!("KPI target `{t}` must start with >= or <="));
    };
    let rest = rest.trim();
    let (number, unit) = if let Some(n) = rest.strip_suffix('%') {
        (n, KpiUnit::Percent)
    } else if let Some(n) = rest.strip_suffix('h') {
        (n, KpiUnit::Hours)
    } else {
        return Err(format!("KPI target `{t}` needs a unit: % or h"));
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{}` in KPI target `{t}` is not a number", number.trim()))?;
    if !value.is_finite() || value < 0.0 || (unit == KpiUnit::Percent && value > 100.0) {
        return Err(format!("KPI target `{t}` is out of range"));
    }
    Ok(KpiTarget { name: name.to_string(), op, value, unit, text: t.to_string() })
}

/// Once a policy titles roles (`roles:`), a chain role without a title would show as its id among
/// titles: warn once per role, at its first use.
fn untitled_roles(uses: &[(String, Origin)], policy: &Policy, diags: &mut Vec<Diagnostic>) {
    if policy.roles.is_empty() {
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for (role, at) in uses {
        if policy.roles.contains_key(role) || !seen.insert(role.as_str()) {
            continue;
        }
        diags.push(
            Diagnostic::warning_t("untitled-role", at.clone(), "diag.untitled_role", &[("role", role)])
                .hint_t("diag.untitled_role_hint", &[("role", role)]),
        );
    }
}

/// The display names of roles (`roles:`), each role titled once across policy files.
fn role_titles(policy: &mut Policy, cx: &mut Cx, roles: indexmap::IndexMap<S, Spanned<raw::Role>>) {
    for (role, r) in roles {
        let at = cx.at(&role);
        if let Some(first) = policy.roles.get(&role.value) {
            cx.diags.push(
                Diagnostic::error_t("duplicate-id", at, "diag.duplicate_role", &[("role", &role.value)])
                    .hint_t("diag.duplicate_role_hint", &[])
                    .related_t(first.origin.clone(), "diag.first_is_here"),
            );
            continue;
        }
        let r = r.value;
        let title = RoleTitle { title: r.title, title_en: r.title_en, origin: at };
        policy.roles.insert(role.value, title);
    }
}
