//! The plain data of a lifecycle repository: no I/O, no clock. Loaders build it; `eval` reads it.

pub mod observed;
pub mod run;
pub mod statement;
pub mod time;
pub mod version;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;

pub use crate::diag::Origin;
pub use time::Duration;

/// Everything the tool knows about one state of a repository.
#[derive(Debug, Clone, Default)]
pub struct Repository {
    pub settings: Settings,
    pub systems: Vec<System>,
    pub products: BTreeMap<String, Product>,
    pub policy: Policy,
    pub people: Vec<Person>,
    pub changes: Vec<ChangeRequest>,
    pub advisories: Vec<Advisory>,
    /// Every sign-off file, by change folder and sequence number.
    pub signoffs: Vec<SignOff>,
    /// Observation files (§5.4), sorted by path.
    pub observations: Vec<observed::Observation>,
    /// Discovery run records (§8.1), in the order they were made (time, then file name's suffix).
    pub runs: Vec<run::Run>,
}

impl Repository {
    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.iter().find(|p| p.id == id)
    }

    pub fn system(&self, id: &str) -> Option<&System> {
        self.systems.iter().find(|s| s.id == id)
    }
}

/// `lifecycle.yaml` (§3.0).
#[derive(Debug, Clone)]
pub struct Settings {
    pub timezone: Tz,
    pub paths: Paths,
    pub genesis: Option<String>,
    pub signing_namespace: String,
    /// `observe.systems`: an SBOM subject's name → the system it describes.
    pub observe_systems: BTreeMap<String, String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timezone: chrono_tz::UTC,
            paths: Paths::default(),
            genesis: None,
            signing_namespace: "lifecycle-signoff".into(),
            observe_systems: BTreeMap::new(),
        }
    }
}

/// Folders of §2, relative to the repository root, always with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub systems: String,
    pub products: String,
    pub policies: String,
    pub people: String,
    pub changes: String,
    pub advisories: String,
    pub observed: String,
    /// Discovery run records (§8.1).
    pub discovery: String,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            systems: "inventory/systems".into(),
            products: "inventory/products".into(),
            policies: "policies".into(),
            people: "policies/people.yaml".into(),
            changes: "changes".into(),
            advisories: "advisories".into(),
            observed: "inventory/observed".into(),
            discovery: "inventory/discovery".into(),
        }
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Low,
    Medium,
    High,
    Critical,
}

/// A system of the inventory (§3.1).
#[derive(Debug, Clone)]
pub struct System {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub criticality: Criticality,
    pub environments: Vec<String>,
    pub hosts: Option<u32>,
    pub tags: Vec<String>,
    pub components: Vec<Component>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Support {
    #[default]
    Standard,
    Extended,
}

#[derive(Debug, Clone)]
pub struct Component {
    /// The component's name within its system: `name` when given, else the product id.
    pub name: String,
    pub product: String,
    pub version: String,
    pub cycle: Option<String>,
    pub eol: Option<NaiveDate>,
    pub support: Support,
    pub purl: Option<String>,
    pub origin: Origin,
    /// Where `version:` is written, so reviews can point at the exact line.
    pub version_origin: Origin,
    /// Where `cycle:` is written, when it is.
    pub cycle_origin: Option<Origin>,
}

/// A date that may instead be a yes/no (endoflife.date's `eol: true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Milestone {
    /// Not announced (absent or `false`).
    #[default]
    None,
    /// Passed, date not published (`true`).
    Passed,
    Date(NaiveDate),
}

impl Milestone {
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Milestone::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// A product of the lifecycle catalog (§3.2).
#[derive(Debug, Clone)]
pub struct Product {
    pub id: String,
    pub title: String,
    pub identifiers: Vec<Identifier>,
    pub cycles: Vec<Cycle>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Identifier {
    Purl(String),
    Cpe(String),
    Repology(String),
}

#[derive(Debug, Clone)]
pub struct Cycle {
    pub name: String,
    pub released: Option<NaiveDate>,
    pub active_support_end: Milestone,
    pub eol: Milestone,
    pub extended_support_end: Milestone,
    pub lts: bool,
    pub latest: Option<String>,
    /// When `latest` was released (endoflife.date `latestReleaseDate`): the patch lag counts from it.
    pub latest_date: Option<NaiveDate>,
    pub origin: Origin,
}

/// The update policy (§3.3), merged from every policy file.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub eol: EolPolicy,
    /// In the order written: advisories take the first class whose `applies_to` matches.
    pub classes: indexmap::IndexMap<String, Class>,
    pub rules: Rules,
    pub kpis: Vec<KpiTarget>,
    /// Display names of roles by id (`roles:`); a role without one is shown by its id.
    pub roles: BTreeMap<String, RoleTitle>,
    /// The files the policy was read from, for messages and reports.
    pub files: Vec<String>,
}

/// A role's display names (SPEC §8.1): Chinese `title`, English `title_en`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleTitle {
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Basis {
    #[default]
    Eol,
    Extended,
}

#[derive(Debug, Clone)]
pub struct EolPolicy {
    pub basis: Basis,
    pub plan_before: Duration,
    pub finish_before: Duration,
}

impl Default for EolPolicy {
    fn default() -> Self {
        EolPolicy {
            basis: Basis::Eol,
            plan_before: Duration { amount: 6, unit: time::Unit::Months },
            finish_before: Duration { amount: 3, unit: time::Unit::Months },
        }
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No usable CVSS score or label: the policy's strictest class applies (unless a class names
    /// `unknown`). Ordered lowest, so any known severity of a merged record wins.
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// The word in files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A kind of change with its deadlines and approval chain.
#[derive(Debug, Clone)]
pub struct Class {
    pub name: String,
    pub kind: ClassKind,
    pub title: Option<String>,
    pub description: Option<String>,
    pub respond_within: Option<Duration>,
    pub deploy_within: Option<Duration>,
    pub chain: Chain,
    pub confirm: Option<String>,
    pub applies_to: Option<AppliesTo>,
    pub retroactive_within: Option<Duration>,
    pub max_duration: Option<Duration>,
    pub origin: Origin,
}

/// What a class's approved changes may cover (SPEC §4.5): only `change` classes cover inventory
/// events, only `policy` classes cover policy files, and an `exception` only accepts a risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassKind {
    Change,
    Exception,
    Policy,
}

impl ClassKind {
    /// The kind a class has when it does not say: `policy` by name, `exception` with `max_duration`.
    pub fn implied(name: &str, max_duration: bool) -> ClassKind {
        if name == "policy" {
            ClassKind::Policy
        } else if max_duration {
            ClassKind::Exception
        } else {
            ClassKind::Change
        }
    }

    pub fn parse(text: &str) -> Option<ClassKind> {
        match text {
            "change" => Some(ClassKind::Change),
            "exception" => Some(ClassKind::Exception),
            "policy" => Some(ClassKind::Policy),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ClassKind::Change => "change",
            ClassKind::Exception => "exception",
            ClassKind::Policy => "policy",
        }
    }
}

/// Roles in signing order, either one list or one per criticality of the targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chain {
    Roles(Vec<String>),
    ByCriticality { by: BTreeMap<Criticality, Vec<String>>, default: Option<Vec<String>> },
}

impl Default for Chain {
    fn default() -> Self {
        Chain::Roles(Vec::new())
    }
}

impl Chain {
    /// The roles for a change whose strictest target criticality is `strictest` (None: no system target).
    pub fn roles_for(&self, strictest: Option<Criticality>) -> &[String] {
        match self {
            Chain::Roles(roles) => roles,
            Chain::ByCriticality { by, default } => strictest
                .and_then(|c| by.range(..=c).next_back().filter(|(k, _)| **k == c).map(|(_, v)| v))
                .or(default.as_ref())
                .map(Vec::as_slice)
                .unwrap_or(&[]),
        }
    }

    /// Every role the chain may name.
    pub fn all_roles(&self) -> Vec<&String> {
        match self {
            Chain::Roles(roles) => roles.iter().collect(),
            Chain::ByCriticality { by, default } => by.values().chain(default).flatten().collect(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppliesTo {
    pub severity: Vec<Severity>,
    pub kev: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub separation_of_duties: bool,
    pub require_gray_before_production: bool,
    pub require_backup: bool,
    pub require_signed_commits: bool,
    pub notify_before: Option<Duration>,
    /// Allowed weekdays per environment.
    pub windows: BTreeMap<String, Vec<chrono::Weekday>>,
    /// Observations older than this are stale (§5.4); `None` means the default, 1mo.
    pub observation_max_age: Option<Duration>,
    /// A catalog and an advisory run are expected at least this often (§8.1); `None`: not judged.
    pub discovery_every: Option<Duration>,
    /// How long a component may stay behind its cycle's `latest`, from that release's date (§5.4);
    /// `None`: patch level is shown but never a finding.
    pub patch_lag_max: Option<Duration>,
}

/// A KPI target such as `">= 95%"` or `"<= 72h"`.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiTarget {
    pub name: String,
    pub op: Comparison,
    pub value: f64,
    pub unit: KpiUnit,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    AtLeast,
    AtMost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiUnit {
    Percent,
    Hours,
}

/// A person of the trust root (§3.4).
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    /// Public keys as written (OpenSSH one-line form, or an armored OpenPGP block).
    pub keys: Vec<String>,
    pub origin: Origin,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    Medium,
    High,
}

/// A change request (§3.5) with its execution report (§3.6) when there is one.
#[derive(Debug, Clone)]
pub struct ChangeRequest {
    pub id: String,
    pub title: String,
    pub class: String,
    pub requested_by: String,
    pub requested_at: DateTime<FixedOffset>,
    pub reason: Option<String>,
    pub targets: Vec<Target>,
    pub advisories: Vec<String>,
    pub risk: Option<Risk>,
    pub plan: Option<Plan>,
    pub budget: Option<Money>,
    pub until: Option<NaiveDate>,
    /// Where the change is also recorded (ticket, CAB minutes): label → address, in label order.
    pub links: Vec<(String, String)>,
    pub origin: Origin,
    /// Where each field's value is written (`class`, `requested_by`, `plan.executor`…).
    pub fields: Fields,
    /// SHA-256 of request.yaml's bytes, as sign-offs record it.
    pub digest: String,
    pub report: Option<Report>,
}

/// A sign-off file, `changes/<ID>/approvals/<NN>-<stage>.yaml`.
#[derive(Debug, Clone)]
pub struct SignOff {
    /// The change folder it lies in.
    pub change: String,
    /// `NN` of the file name: the order of sign-offs within the change.
    pub seq: u32,
    pub path: String,
    pub file: statement::SignOffFile,
    pub origin: Origin,
}

/// Locations of a document's fields, for messages that point at the value itself.
#[derive(Debug, Clone, Default)]
pub struct Fields(pub BTreeMap<&'static str, Origin>);

impl Fields {
    /// The field's location, or `fallback` (the document) when it is not written.
    pub fn at(&self, field: &str, fallback: &Origin) -> Origin {
        self.0.get(field).cloned().unwrap_or_else(|| fallback.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An inventory change of one component: `{system, component, from, to}` (`to: removed` removes
    /// it), or `{system, component, eol}` (its own end date moves).
    Version {
        system: String,
        component: String,
        from: Option<String>,
        to: Option<String>,
        eol: Option<String>,
        origin: Origin,
    },
    /// A whole system: `{system}` (onboarding, renaming or removing it, `to: removed`).
    System { system: String, to: Option<String>, origin: Origin },
    /// A catalog cycle's end date moves: `{product, cycle, eol}`.
    Cycle { product: String, cycle: String, eol: Option<String>, origin: Origin },
    /// A policy file change: `{path, digest}`.
    File { path: String, digest: String, origin: Origin },
}

impl Target {
    /// The system a target names, if any.
    pub fn system(&self) -> Option<&str> {
        match self {
            Target::Version { system, .. } | Target::System { system, .. } => Some(system),
            Target::Cycle { .. } | Target::File { .. } => None,
        }
    }

    /// The target in one line, the same in every language (ids, versions and dates).
    pub fn describe(&self) -> String {
        let opt = |v: &Option<String>| v.as_deref().unwrap_or("?").to_string();
        match self {
            Target::Version { system, component, eol: Some(eol), from: None, to: None, .. } => {
                format!("{system}/{component} eol → {eol}")
            }
            Target::Version { system, component, from, to, .. } => {
                format!("{system}/{component} {} → {}", opt(from), opt(to))
            }
            Target::System { system, to: Some(to), .. } => format!("{system} → {to}"),
            Target::System { system, to: None, .. } => system.clone(),
            Target::Cycle { product, cycle, eol, .. } => format!("{product} {cycle} eol → {}", opt(eol)),
            Target::File { path, digest, .. } => format!("{path} {digest}"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub gray_at: Option<DateTime<FixedOffset>>,
    pub production_at: Option<DateTime<FixedOffset>>,
    pub executor: Option<String>,
    pub supervisor: Option<String>,
    pub backout: Option<String>,
    pub tests: Option<String>,
    /// The longest interruption allowed: the target of the report's `downtime`.
    pub downtime: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Money {
    pub amount: f64,
    pub currency: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Partial,
    Failed,
    RolledBack,
}

/// An execution report (§3.6).
#[derive(Debug, Clone)]
pub struct Report {
    pub started_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    pub executed_by: String,
    pub supervised_by: Option<String>,
    pub backup: Option<Backup>,
    pub gray: Option<Gray>,
    pub production_at: Option<DateTime<FixedOffset>>,
    pub artifacts: Vec<Artifact>,
    pub notified_at: Option<DateTime<FixedOffset>>,
    pub outcome: Outcome,
    pub hosts: Option<Hosts>,
    pub downtime: Option<Duration>,
    pub metrics: Vec<Metric>,
    pub cost: Option<Money>,
    pub origin: Origin,
    pub fields: Fields,
    /// SHA-256 of report.yaml's bytes.
    pub digest: String,
}

#[derive(Debug, Clone)]
pub struct Backup {
    pub taken_at: DateTime<FixedOffset>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Gray {
    pub passed_at: Option<DateTime<FixedOffset>>,
    pub result: GrayResult,
    pub rollback_tested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GrayResult {
    Pass,
    Fail,
}

#[derive(Debug, Clone)]
pub struct Artifact {
    pub name: String,
    pub source: Option<String>,
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Hosts {
    pub total: u32,
    pub succeeded: u32,
}

#[derive(Debug, Clone)]
pub struct Metric {
    pub name: String,
    pub unit: Option<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub target: Option<String>,
}

/// A normalised security advisory (§3.7).
#[derive(Debug, Clone)]
pub struct Advisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub severity: Severity,
    pub kev: bool,
    pub kev_due: Option<NaiveDate>,
    pub published: Option<NaiveDate>,
    pub detected_at: DateTime<FixedOffset>,
    pub affected: Vec<Affected>,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct Affected {
    pub product: Option<String>,
    pub purl: Option<String>,
    pub ranges: Vec<Range>,
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Range {
    pub introduced: Option<String>,
    pub fixed: Option<String>,
    pub last_affected: Option<String>,
    pub limit: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_by_criticality_picks_exact_then_default() {
        let mut by = BTreeMap::new();
        by.insert(Criticality::Critical, vec!["cto".to_string()]);
        by.insert(Criticality::High, vec!["ops-director".to_string()]);
        let chain = Chain::ByCriticality { by, default: Some(vec!["architect".into()]) };
        assert_eq!(chain.roles_for(Some(Criticality::Critical)), ["cto"]);
        assert_eq!(chain.roles_for(Some(Criticality::High)), ["ops-director"]);
        assert_eq!(chain.roles_for(Some(Criticality::Low)), ["architect"]);
        assert_eq!(chain.roles_for(None), ["architect"]);
    }
}
