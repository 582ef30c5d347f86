//! The YAML shapes as written, with source spans. Anything with meaning beyond its type (dates,
//! durations, references) stays a spanned string here so that `convert` can check it and report
//! every problem of a file, not just the first.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::schema as js;
use crate::model::{Criticality, Outcome, Risk, Severity};

pub type S = Spanned<String>;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[schemars(with = "Option<js::Text>")]
    pub timezone: Option<S>,
    pub paths: Option<PathsRaw>,
    #[schemars(with = "Option<js::Text>")]
    pub genesis: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub signing_namespace: Option<S>,
    /// How `observe import` names systems: SBOM subject (metadata component) name → system id.
    pub observe: Option<ObserveSettings>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObserveSettings {
    #[serde(default)]
    pub systems: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PathsRaw {
    #[schemars(with = "Option<js::Text>")]
    pub systems: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub products: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub policies: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub people: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub changes: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub advisories: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub observed: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub discovery: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemsFile {
    #[schemars(with = "Vec<System>")]
    pub systems: Vec<Spanned<System>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct System {
    #[schemars(with = "js::Text")]
    pub id: S,
    pub name: Option<String>,
    #[schemars(with = "js::Text")]
    pub owner: S,
    pub criticality: Criticality,
    #[serde(default)]
    pub environments: Vec<String>,
    pub hosts: Option<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schemars(with = "Vec<Component>")]
    pub components: Vec<Spanned<Component>>,
    /// Free text for people; never interpreted.
    pub description: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    #[schemars(with = "Option<js::Text>")]
    pub name: Option<S>,
    #[schemars(with = "js::Text")]
    pub product: S,
    #[schemars(with = "js::Text")]
    pub version: S,
    #[schemars(with = "Option<js::Text>")]
    pub cycle: Option<S>,
    #[schemars(with = "Option<js::Date>")]
    pub eol: Option<S>,
    #[schemars(with = "Option<js::Support>")]
    pub support: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub purl: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    #[schemars(with = "js::Text")]
    pub product: S,
    pub title: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<crate::model::Identifier>,
    pub source: Option<Source>,
    #[serde(default)]
    #[schemars(with = "Vec<Cycle>")]
    pub cycles: Vec<Spanned<Cycle>>,
    /// The repository's own corrections, kept across catalog imports; applied over `cycles`.
    #[serde(default)]
    #[schemars(with = "Vec<Cycle>")]
    pub local: Vec<Spanned<Cycle>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    #[schemars(with = "js::Text")]
    pub kind: S,
    #[schemars(with = "Option<js::Text>")]
    pub id: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub url: Option<S>,
    #[schemars(with = "Option<js::Timestamp>")]
    pub fetched_at: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    #[schemars(with = "js::Text")]
    pub cycle: S,
    #[schemars(with = "Option<js::Date>")]
    pub released: Option<S>,
    #[schemars(with = "Option<js::Milestone>")]
    pub active_support_end: Option<S>,
    #[schemars(with = "Option<js::Milestone>")]
    pub eol: Option<S>,
    #[schemars(with = "Option<js::Milestone>")]
    pub extended_support_end: Option<S>,
    pub lts: Option<bool>,
    #[schemars(with = "Option<js::Text>")]
    pub latest: Option<S>,
    /// When `latest` was released (endoflife.date `latestReleaseDate`).
    #[schemars(with = "Option<js::Date>")]
    pub latest_date: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[schemars(with = "Option<EolPolicy>")]
    pub eol: Option<Spanned<EolPolicy>>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, Class>>")]
    pub classes: Option<IndexMap<S, Spanned<Class>>>,
    #[schemars(with = "Option<Rules>")]
    pub rules: Option<Spanned<Rules>>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, js::Text>>")]
    pub kpis: Option<IndexMap<S, S>>,
    /// Display names of the roles the chains name: `{applicant: {title: 项目申请人, title_en: Applicant}}`.
    #[schemars(with = "Option<std::collections::BTreeMap<String, Role>>")]
    pub roles: Option<IndexMap<S, Spanned<Role>>>,
}

/// How a role is named for people; the id stays what chains and people.yaml use.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The Chinese title, e.g. 项目申请人.
    pub title: Option<String>,
    /// The English title, e.g. Applicant.
    pub title_en: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EolPolicy {
    #[schemars(with = "Option<js::Basis>")]
    pub basis: Option<S>,
    #[schemars(with = "Option<js::Duration>")]
    pub plan_before: Option<S>,
    #[schemars(with = "Option<js::Duration>")]
    pub finish_before: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Class {
    /// `change`, `exception` or `policy` (default: from the name and `max_duration`, SPEC §4.5).
    #[schemars(with = "Option<js::Text>")]
    pub kind: Option<S>,
    pub title: Option<String>,
    pub description: Option<String>,
    #[schemars(with = "Option<js::Duration>")]
    pub respond_within: Option<S>,
    #[schemars(with = "Option<js::Duration>")]
    pub deploy_within: Option<S>,
    #[schemars(with = "Option<js::Chain>")]
    pub chain: Option<Spanned<ChainRaw>>,
    #[schemars(with = "Option<js::Text>")]
    pub confirm: Option<S>,
    pub applies_to: Option<AppliesTo>,
    #[schemars(with = "Option<js::Duration>")]
    pub retroactive_within: Option<S>,
    #[schemars(with = "Option<js::Duration>")]
    pub max_duration: Option<S>,
}

/// A chain: a list of roles, or a map from criticality to a list of roles. Deserialized by hand
/// (not `untagged`) so that every role keeps its location.
pub enum ChainRaw {
    Roles(Vec<S>),
    ByCriticality(IndexMap<S, Vec<S>>),
}

impl<'de> Deserialize<'de> for ChainRaw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ChainRaw;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of roles, or a map from criticality to a list of roles")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ChainRaw, A::Error> {
                let mut roles = Vec::new();
                while let Some(r) = seq.next_element::<S>()? {
                    roles.push(r);
                }
                Ok(ChainRaw::Roles(roles))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ChainRaw, A::Error> {
                let mut by = IndexMap::new();
                while let Some((k, v)) = map.next_entry::<S, Vec<S>>()? {
                    by.insert(k, v);
                }
                Ok(ChainRaw::ByCriticality(by))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    #[serde(default)]
    pub severity: Vec<Severity>,
    pub kev: Option<bool>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub separation_of_duties: Option<bool>,
    pub require_gray_before_production: Option<bool>,
    pub require_backup: Option<bool>,
    /// Every commit changing a watched file must be signed by a trusted key (SPEC §4.6).
    pub require_signed_commits: Option<bool>,
    #[schemars(with = "Option<js::Duration>")]
    pub notify_before: Option<S>,
    #[schemars(with = "Option<std::collections::BTreeMap<String, Vec<js::Text>>>")]
    pub windows: Option<IndexMap<S, Vec<S>>>,
    /// Observations older than this are stale (§5.4; default 1mo).
    #[schemars(with = "Option<js::Duration>")]
    pub observation_max_age: Option<S>,
    /// A catalog and an advisory run are expected at least this often (§8.1), e.g. `1mo`.
    #[schemars(with = "Option<js::Duration>")]
    pub discovery_every: Option<S>,
    /// How long a component may stay behind its cycle's `latest`, counted from that release's date
    /// (§5.4): longer is the finding `patch-behind`.
    #[schemars(with = "Option<js::Duration>")]
    pub patch_lag_max: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeopleFile {
    #[schemars(with = "Vec<Person>")]
    pub people: Vec<Spanned<Person>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[schemars(with = "js::Text")]
    pub id: S,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    #[schemars(with = "Vec<js::Text>")]
    pub roles: Vec<S>,
    #[serde(default)]
    #[schemars(with = "Vec<js::Text>")]
    pub keys: Vec<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    #[schemars(with = "js::Text")]
    pub id: S,
    pub title: String,
    #[schemars(with = "js::Text")]
    pub class: S,
    #[schemars(with = "js::Text")]
    pub requested_by: S,
    #[schemars(with = "js::Timestamp")]
    pub requested_at: S,
    pub reason: Option<String>,
    #[serde(default)]
    #[schemars(with = "Vec<TargetRaw>")]
    pub targets: Vec<Spanned<TargetRaw>>,
    #[serde(default)]
    #[schemars(with = "Vec<js::Text>")]
    pub advisories: Vec<S>,
    pub risk: Option<Risk>,
    pub plan: Option<Plan>,
    pub budget: Option<Money>,
    #[schemars(with = "Option<js::Date>")]
    pub until: Option<S>,
    /// Where the change is also recorded: a label (ticket, CAB minutes) → an address.
    #[serde(default)]
    pub links: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetRaw {
    #[schemars(with = "Option<js::Text>")]
    pub system: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub component: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub from: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub to: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub path: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub digest: Option<S>,
    /// A catalog target `{product, cycle, eol}` (an approved end-date move, SPEC §4.5).
    #[schemars(with = "Option<js::Text>")]
    pub product: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub cycle: Option<S>,
    /// The new end date an end-date move sets (`YYYY-MM-DD`, `true` or `false`).
    #[schemars(with = "Option<js::Text>")]
    pub eol: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    #[schemars(with = "Option<js::Timestamp>")]
    pub gray_at: Option<S>,
    #[schemars(with = "Option<js::Timestamp>")]
    pub production_at: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub executor: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub supervisor: Option<S>,
    pub backout: Option<String>,
    pub tests: Option<String>,
    /// The longest service interruption the plan allows (the execution report's `downtime` target).
    #[schemars(with = "Option<js::Duration>")]
    pub downtime: Option<S>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    #[schemars(with = "js::Timestamp")]
    pub started_at: S,
    #[schemars(with = "Option<js::Timestamp>")]
    pub finished_at: Option<S>,
    #[schemars(with = "js::Text")]
    pub executed_by: S,
    #[schemars(with = "Option<js::Text>")]
    pub supervised_by: Option<S>,
    pub backup: Option<Backup>,
    pub gray: Option<Gray>,
    #[schemars(with = "Option<js::Timestamp>")]
    pub production_at: Option<S>,
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
    #[schemars(with = "Option<js::Timestamp>")]
    pub notified_at: Option<S>,
    pub outcome: Outcome,
    pub hosts: Option<Hosts>,
    #[schemars(with = "Option<js::Duration>")]
    pub downtime: Option<S>,
    #[serde(default)]
    pub metrics: Vec<Metric>,
    pub cost: Option<Money>,
    pub notes: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    #[schemars(with = "js::Timestamp")]
    pub taken_at: S,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gray {
    #[schemars(with = "Option<js::Timestamp>")]
    pub passed_at: Option<S>,
    pub result: crate::model::GrayResult,
    #[serde(default)]
    pub rollback_tested: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub name: String,
    pub source: Option<String>,
    pub sha256: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hosts {
    pub total: u32,
    pub succeeded: u32,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub name: String,
    pub unit: Option<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub target: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Advisory {
    #[schemars(with = "js::Text")]
    pub id: S,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    #[serde(default)]
    pub kev: bool,
    #[schemars(with = "Option<js::Date>")]
    pub kev_due: Option<S>,
    #[schemars(with = "Option<js::Date>")]
    pub published: Option<S>,
    #[schemars(with = "js::Timestamp")]
    pub detected_at: S,
    #[serde(default)]
    #[schemars(with = "Vec<AffectedRaw>")]
    pub affected: Vec<Spanned<AffectedRaw>>,
    pub source: Option<Source>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AffectedRaw {
    #[schemars(with = "Option<js::Text>")]
    pub product: Option<S>,
    #[schemars(with = "Option<js::Text>")]
    pub purl: Option<S>,
    #[serde(default)]
    pub ranges: Vec<RangeRaw>,
    #[serde(default)]
    pub versions: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RangeRaw {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}

/// An observation file (§5.4), as `observe import` writes it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    #[schemars(with = "js::Text")]
    pub system: S,
    #[schemars(with = "js::Text")]
    pub host: S,
    pub source: ObservationSource,
    #[schemars(with = "js::Timestamp")]
    pub collected_at: S,
    #[serde(default)]
    #[schemars(with = "Vec<ObservedComponent>")]
    pub components: Vec<Spanned<ObservedComponent>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservationSource {
    /// `cyclonedx`, `spdx`, `packages` (dpkg-query / rpm list) or `csv`.
    pub kind: String,
    pub file: Option<String>,
    pub digest: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObservedComponent {
    #[schemars(with = "js::Text")]
    pub product: S,
    #[schemars(with = "js::Text")]
    pub version: S,
    /// The version as the scanner reported it, when normalising changed it.
    pub raw: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
}

/// A discovery run record (§8.1), as the import and sync commands write it.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Run {
    /// `catalog`, `advisories` or `observe`; the file name ends with it.
    #[schemars(with = "js::Text")]
    pub kind: S,
    pub source: RunSource,
    #[schemars(with = "js::Timestamp")]
    pub fetched_at: S,
    #[serde(default)]
    pub counts: std::collections::BTreeMap<String, u64>,
    /// `sha256:` and the hex SHA-256 of the inputs' `<sha256>  <name>` lines.
    #[schemars(with = "js::Text")]
    pub digest: S,
    #[serde(default)]
    #[schemars(with = "Vec<RunInput>")]
    pub inputs: Vec<Spanned<RunInput>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSource {
    /// `files` (an import) or `url` (a sync).
    pub kind: String,
    pub url: Option<String>,
    pub kev_url: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    pub file: Option<String>,
    pub url: Option<String>,
    #[schemars(with = "js::Text")]
    pub sha256: S,
}
