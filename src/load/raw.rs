//! The YAML shapes as written, with source spans. Anything with meaning beyond its type (dates,
//! durations, references) stays a spanned string here so that `convert` can check it and report
//! every problem of a file, not just the first.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::model::{Criticality, Outcome, Risk, Severity};

pub type S = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub timezone: Option<S>,
    pub paths: Option<PathsRaw>,
    pub genesis: Option<S>,
    pub signing_namespace: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathsRaw {
    pub systems: Option<S>,
    pub products: Option<S>,
    pub policies: Option<S>,
    pub people: Option<S>,
    pub changes: Option<S>,
    pub advisories: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemsFile {
    pub systems: Vec<Spanned<System>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    pub id: S,
    pub name: Option<String>,
    pub owner: S,
    pub criticality: Criticality,
    #[serde(default)]
    pub environments: Vec<String>,
    pub hosts: Option<u32>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub components: Vec<Spanned<Component>>,
    /// Free text for people; never interpreted.
    pub description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub name: Option<S>,
    pub product: S,
    pub version: S,
    pub cycle: Option<S>,
    pub eol: Option<S>,
    pub support: Option<S>,
    pub purl: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub product: S,
    pub title: Option<String>,
    #[serde(default)]
    pub identifiers: Vec<crate::model::Identifier>,
    pub source: Option<Source>,
    #[serde(default)]
    pub cycles: Vec<Spanned<Cycle>>,
    /// The repository's own corrections, kept across catalog imports; applied over `cycles`.
    #[serde(default)]
    pub local: Vec<Spanned<Cycle>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub kind: S,
    pub id: Option<S>,
    pub url: Option<S>,
    pub fetched_at: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    pub cycle: S,
    pub released: Option<S>,
    pub active_support_end: Option<S>,
    pub eol: Option<S>,
    pub extended_support_end: Option<S>,
    pub lts: Option<bool>,
    pub latest: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub eol: Option<Spanned<EolPolicy>>,
    pub classes: Option<IndexMap<S, Spanned<Class>>>,
    pub rules: Option<Spanned<Rules>>,
    pub kpis: Option<IndexMap<S, S>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EolPolicy {
    pub basis: Option<S>,
    pub plan_before: Option<S>,
    pub finish_before: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Class {
    pub title: Option<String>,
    pub description: Option<String>,
    pub respond_within: Option<S>,
    pub deploy_within: Option<S>,
    pub chain: Option<Spanned<ChainRaw>>,
    pub confirm: Option<S>,
    pub applies_to: Option<AppliesTo>,
    pub retroactive_within: Option<S>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    #[serde(default)]
    pub severity: Vec<Severity>,
    pub kev: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    pub separation_of_duties: Option<bool>,
    pub require_gray_before_production: Option<bool>,
    pub require_backup: Option<bool>,
    pub notify_before: Option<S>,
    pub windows: Option<IndexMap<S, Vec<S>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleFile {
    pub people: Vec<Spanned<Person>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub id: S,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    #[serde(default)]
    pub roles: Vec<S>,
    #[serde(default)]
    pub keys: Vec<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    pub id: S,
    pub title: String,
    pub class: S,
    pub requested_by: S,
    pub requested_at: S,
    pub reason: Option<String>,
    #[serde(default)]
    pub targets: Vec<Spanned<TargetRaw>>,
    #[serde(default)]
    pub advisories: Vec<S>,
    pub risk: Option<Risk>,
    pub plan: Option<Plan>,
    pub budget: Option<Money>,
    pub until: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetRaw {
    pub system: Option<S>,
    pub component: Option<S>,
    pub from: Option<S>,
    pub to: Option<S>,
    pub path: Option<S>,
    pub digest: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub gray_at: Option<S>,
    pub production_at: Option<S>,
    pub executor: Option<S>,
    pub supervisor: Option<S>,
    pub backout: Option<String>,
    pub tests: Option<String>,
    /// The longest service interruption the plan allows (the execution report's `downtime` target).
    pub downtime: Option<S>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub started_at: S,
    pub finished_at: Option<S>,
    pub executed_by: S,
    pub supervised_by: Option<S>,
    pub backup: Option<Backup>,
    pub gray: Option<Gray>,
    pub production_at: Option<S>,
    #[serde(default)]
    pub artifacts: Vec<Artifact>,
    pub notified_at: Option<S>,
    pub outcome: Outcome,
    pub hosts: Option<Hosts>,
    pub downtime: Option<S>,
    #[serde(default)]
    pub metrics: Vec<Metric>,
    pub cost: Option<Money>,
    pub notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    pub taken_at: S,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gray {
    pub passed_at: Option<S>,
    pub result: crate::model::GrayResult,
    #[serde(default)]
    pub rollback_tested: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub name: String,
    pub source: Option<String>,
    pub sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hosts {
    pub total: u32,
    pub succeeded: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub name: String,
    pub unit: Option<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub target: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advisory {
    pub id: S,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    #[serde(default)]
    pub kev: bool,
    pub kev_due: Option<S>,
    pub published: Option<S>,
    pub detected_at: S,
    #[serde(default)]
    pub affected: Vec<Spanned<AffectedRaw>>,
    pub source: Option<Source>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffectedRaw {
    pub product: Option<S>,
    pub purl: Option<S>,
    #[serde(default)]
    pub ranges: Vec<RangeRaw>,
    #[serde(default)]
    pub versions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeRaw {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}
