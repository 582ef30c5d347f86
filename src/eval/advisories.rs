//! Security deadlines (SPEC §5.3): which advisories affect which components, their class, their
//! respond/deploy deadlines and their status. A pure function of the model, `today` and the times at
//! which changes were approved; `check` shows it, the evidence report measures KPIs on it.
//!
//! An advisory affects a component when one of its `affected` entries names the component — by
//! product id, by the component's own `purl`, or by a purl the product's catalog entry lists in its
//! `identifiers` — and the component's version lies in one of the entry's ranges or versions. A
//! component whose version is no longer affected still gets an item, `resolved`, when a change
//! linked to the advisory targets it (the evidence that it once was).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::model::{
    Advisory, Affected, ChangeRequest, Class, Component, Identifier, Repository, Severity, System, Target,
    version,
};

/// Where an advisory stands for one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdvisoryStatus {
    /// The component's version is no longer affected and a linked change shows it was acted on.
    Resolved,
    /// A linked change lists the advisory; no deadline has passed.
    Responded,
    /// Affected, nothing linked yet, no deadline passed.
    Open,
    /// A deadline passed before its step: no response by `respond_by`, a response after it, or still
    /// affected after `deploy_by`.
    Overdue,
}

impl AdvisoryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AdvisoryStatus::Resolved => "resolved",
            AdvisoryStatus::Responded => "responded",
            AdvisoryStatus::Open => "open",
            AdvisoryStatus::Overdue => "overdue",
        }
    }
}

/// How the advisory was matched to the component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// `affected[].product` equals the component's product id.
    Product,
    /// `affected[].purl` equals the component's `purl`.
    Purl,
    /// `affected[].purl` is one of the product's catalog `identifiers`.
    Identifier,
}

/// One (advisory, system, component) with its deadlines and status.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityItem {
    /// The advisory id (`CVE-2024-0727`).
    pub advisory: String,
    pub aliases: Vec<String>,
    pub system: String,
    /// The component's name within its system.
    pub component: String,
    pub product: String,
    /// The version the inventory records now.
    pub version: String,
    /// The first policy class whose `applies_to` matches; `None` when no class applies (no deadlines).
    pub class: Option<String>,
    pub severity: Severity,
    pub kev: bool,
    /// CISA KEV's own remediation date, when listed.
    pub kev_due: Option<NaiveDate>,
    pub detected_at: DateTime<FixedOffset>,
    /// `detected_at + respond_within`, in the repository time zone.
    pub respond_by: Option<DateTime<FixedOffset>>,
    /// `detected_at + deploy_within`, in the repository time zone.
    pub deploy_by: Option<DateTime<FixedOffset>>,
    pub status: AdvisoryStatus,
    /// The linked change: it lists the advisory (or an alias) and targets this component.
    pub change: Option<String>,
    /// When the linked change was approved (its approval time), else when it was requested.
    pub responded_at: Option<DateTime<FixedOffset>>,
    /// When the linked change's report says the work finished (production, else `finished_at`),
    /// once the component is no longer affected.
    pub resolved_at: Option<DateTime<FixedOffset>>,
    /// Whether the component's current version is affected.
    pub affected: bool,
    pub matched_by: MatchedBy,
}

/// Whether a deadline has passed on `today`: only once its whole day (in the repository time zone)
/// is over, because `today` has no time of day.
fn passed(deadline: DateTime<FixedOffset>, today: NaiveDate, tz: chrono_tz::Tz) -> bool {
    deadline.with_timezone(&tz).date_naive() < today
}

/// The first class of the policy whose `applies_to` matches: a listed severity, or `kev: true` and a
/// KEV-listed advisory. A class without `applies_to` never matches; an empty `applies_to: {}` matches
/// every advisory (a catch-all placed last).
///
/// An advisory of `unknown` severity (no usable score) gets the class a `critical` one would, the
/// strictest, unless a class names `unknown` in its `applies_to`: then the policy has said.
pub fn class_for<'a>(
    classes: impl IntoIterator<Item = &'a Class>,
    severity: Severity,
    kev: bool,
) -> Option<&'a Class> {
    let classes: Vec<&Class> = classes.into_iter().collect();
    let named =
        |s: Severity| classes.iter().any(|c| c.applies_to.as_ref().is_some_and(|a| a.severity.contains(&s)));
    let severity = if severity == Severity::Unknown && !named(Severity::Unknown) {
        Severity::Critical
    } else {
        severity
    };
    classes.into_iter().find(|c| match &c.applies_to {
        None => false,
        Some(a) if a.severity.is_empty() && a.kev.is_none() => true,
        Some(a) => a.severity.contains(&severity) || (a.kev == Some(true) && kev),
    })
}

/// A purl without version, qualifiers and subpath, lower-cased: `pkg:generic/openssl`.
pub fn purl_key(purl: &str) -> String {
    let p = purl.trim();
    let p = p.split(['?', '#']).next().unwrap_or(p);
    let p = match p.rfind('@') {
        // `@` after the last `/` is the version; an `@` in a namespace would be percent-encoded.
        Some(at) if at > p.rfind('/').unwrap_or(0) => &p[..at],
        _ => p,
    };
    p.to_ascii_lowercase()
}

fn matched_by(repo: &Repository, c: &Component, a: &Affected) -> Option<MatchedBy> {
    if a.product.as_deref() == Some(c.product.as_str()) {
        return Some(MatchedBy::Product);
    }
    let purl = purl_key(a.purl.as_deref()?);
    if c.purl.as_deref().is_some_and(|p| purl_key(p) == purl) {
        return Some(MatchedBy::Purl);
    }
    let product = repo.products.get(&c.product)?;
    product
        .identifiers
        .iter()
        .any(|i| matches!(i, Identifier::Purl(p) if purl_key(p) == purl))
        .then_some(MatchedBy::Identifier)
}

/// Whether `version` is in the entry's explicit versions or one of its ranges (OSV semantics:
/// `introduced` ≤ v < `fixed`, v ≤ `last_affected`, v < `limit`; no `introduced` means from the start).
pub fn is_affected(a: &Affected, version_text: &str) -> bool {
    use std::cmp::Ordering::*;
    if a.versions.iter().any(|v| version::compare(v, version_text) == Equal) {
        return true;
    }
    a.ranges.iter().any(|r| {
        let from =
            r.introduced.as_deref().is_none_or(|i| i == "0" || version::compare(version_text, i) != Less);
        let below_fixed = r.fixed.as_deref().is_none_or(|f| version::compare(version_text, f) == Less);
        let below_last =
            r.last_affected.as_deref().is_none_or(|l| version::compare(version_text, l) != Greater);
        let below_limit =
            r.limit.as_deref().is_none_or(|l| l == "*" || version::compare(version_text, l) == Less);
        // A range with neither end says nothing.
        let bounded =
            r.introduced.is_some() || r.fixed.is_some() || r.last_affected.is_some() || r.limit.is_some();
        bounded && from && below_fixed && below_last && below_limit
    })
}

fn lists(change: &ChangeRequest, adv: &Advisory) -> bool {
    change.advisories.iter().any(|id| *id == adv.id || adv.aliases.contains(id))
}

fn targets(change: &ChangeRequest, system: &System, c: &Component) -> bool {
    change.targets.iter().any(
        |t| matches!(t, Target::Version { system: s, component: n, .. } if *s == system.id && *n == c.name),
    )
}

/// Evaluates every advisory against every component. `approved_at` maps change ids to the time their
/// chain was completed (see `approvals::evaluate`); changes not in it count from their
/// `requested_at`. Advisories detected after `today` are not known yet and give no items.
///
/// Items are sorted by advisory id, then system id, then component name.
pub fn evaluate(
    repo: &Repository,
    today: NaiveDate,
    approved_at: &HashMap<String, DateTime<FixedOffset>>,
) -> Vec<SecurityItem> {
    let tz = repo.settings.timezone;
    let mut items = Vec::new();
    for adv in &repo.advisories {
        if adv.detected_at.with_timezone(&tz).date_naive() > today {
            continue;
        }
        let class = class_for(repo.policy.classes.values(), adv.severity, adv.kev);
        let detected_local = adv.detected_at.with_timezone(&tz).fixed_offset();
        let respond_by = class.and_then(|c| c.respond_within.as_ref()).and_then(|d| d.after(detected_local));
        let deploy_by = class.and_then(|c| c.deploy_within.as_ref()).and_then(|d| d.after(detected_local));
        for system in &repo.systems {
            for c in &system.components {
                let Some((how, affected)) = adv
                    .affected
                    .iter()
                    .filter_map(|a| matched_by(repo, c, a).map(|m| (m, is_affected(a, &c.version))))
                    .max_by_key(|(_, affected)| *affected)
                else {
                    continue;
                };
                let linked = repo
                    .changes
                    .iter()
                    .filter(|ch| lists(ch, adv) && targets(ch, system, c))
                    .filter(|ch| class.is_none_or(|k| k.name == ch.class))
                    .min_by_key(|ch| ch.requested_at);
                if !affected && linked.is_none() {
                    continue;
                }
                let responded_at =
                    linked.map(|ch| approved_at.get(&ch.id).copied().unwrap_or(ch.requested_at));
                let resolved_at = match (affected, linked.and_then(|ch| ch.report.as_ref())) {
                    (false, Some(r)) => r.production_at.or(r.finished_at),
                    _ => None,
                };
                let late_response = match (respond_by, responded_at) {
                    (Some(by), Some(at)) => at > by,
                    (Some(by), None) => passed(by, today, tz),
                    _ => false,
                };
                let late_deploy = affected && deploy_by.is_some_and(|by| passed(by, today, tz));
                let status = if !affected {
                    AdvisoryStatus::Resolved
                } else if late_response || late_deploy {
                    AdvisoryStatus::Overdue
                } else if linked.is_some() {
                    AdvisoryStatus::Responded
                } else {
                    AdvisoryStatus::Open
                };
                items.push(SecurityItem {
                    advisory: adv.id.clone(),
                    aliases: adv.aliases.clone(),
                    system: system.id.clone(),
                    component: c.name.clone(),
                    product: c.product.clone(),
                    version: c.version.clone(),
                    class: class.map(|k| k.name.clone()),
                    severity: adv.severity,
                    kev: adv.kev,
                    kev_due: adv.kev_due,
                    detected_at: adv.detected_at,
                    respond_by,
                    deploy_by,
                    status,
                    change: linked.map(|ch| ch.id.clone()),
                    responded_at,
                    resolved_at,
                    affected,
                    matched_by: how,
                });
            }
        }
    }
    items.sort_by(|a, b| (&a.advisory, &a.system, &a.component).cmp(&(&b.advisory, &b.system, &b.component)));
    items
}

/// Counts by status, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub open: usize,
    pub responded: usize,
    pub resolved: usize,
    pub overdue: usize,
}

impl Counts {
    pub fn of(items: &[SecurityItem]) -> Counts {
        let mut c = Counts::default();
        for i in items {
            *match i.status {
                AdvisoryStatus::Open => &mut c.open,
                AdvisoryStatus::Responded => &mut c.responded,
                AdvisoryStatus::Resolved => &mut c.resolved,
                AdvisoryStatus::Overdue => &mut c.overdue,
            } += 1;
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppliesTo, Chain, Criticality, Duration, Origin, Range, Support};

    fn ts(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn class(name: &str, respond: &str, deploy: &str, severity: &[Severity], kev: Option<bool>) -> Class {
        Class {
            name: name.into(),
            kind: crate::model::ClassKind::Change,
            title: None,
            description: None,
            respond_within: Some(Duration::parse(respond).unwrap()),
            deploy_within: Some(Duration::parse(deploy).unwrap()),
            chain: Chain::Roles(vec!["security-director".into()]),
            confirm: None,
            applies_to: Some(AppliesTo { severity: severity.to_vec(), kev }),
            retroactive_within: None,
            max_duration: None,
            origin: Origin::default(),
        }
    }

    fn component(product: &str, version: &str, purl: Option<&str>) -> Component {
        Component {
            name: product.into(),
            product: product.into(),
            version: version.into(),
            cycle: None,
            eol: None,
            support: Support::Standard,
            purl: purl.map(Into::into),
            origin: Origin::default(),
            version_origin: Origin::default(),
            cycle_origin: None,
        }
    }

    fn system(id: &str, components: Vec<Component>) -> System {
        System {
            id: id.into(),
            name: id.into(),
            owner: "platform".into(),
            criticality: Criticality::High,
            environments: vec![],
            hosts: None,
            tags: vec![],
            components,
            origin: Origin::default(),
        }
    }

    fn advisory(id: &str, severity: Severity, kev: bool, affected: Vec<Affected>) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: vec![format!("GHSA-{id}")],
            summary: None,
            severity,
            kev,
            kev_due: None,
            published: None,
            detected_at: ts("2024-08-01T09:00:00+08:00"),
            affected,
            origin: Origin::default(),
        }
    }

    fn openssl() -> Affected {
        Affected {
            product: Some("openssl".into()),
            purl: None,
            ranges: vec![
                Range { introduced: Some("3.0.0".into()), fixed: Some("3.0.13".into()), ..Range::default() },
                Range { introduced: Some("1.1.1".into()), fixed: Some("1.1.1x".into()), ..Range::default() },
            ],
            versions: vec![],
        }
    }

    fn change(id: &str, class: &str, advisory: &str, system: &str, component: &str) -> ChangeRequest {
        ChangeRequest {
            id: id.into(),
            title: "patch".into(),
            class: class.into(),
            requested_by: "li.ming".into(),
            requested_at: ts("2024-08-01T10:00:00+08:00"),
            reason: None,
            targets: vec![Target::Version {
                system: system.into(),
                component: component.into(),
                from: None,
                to: None,
                eol: None,
                origin: Origin::default(),
            }],
            advisories: vec![advisory.into()],
            risk: None,
            plan: None,
            budget: None,
            until: None,
            links: Vec::new(),
            origin: Origin::default(),
            fields: Default::default(),
            digest: String::new(),
            report: None,
        }
    }

    fn repo() -> Repository {
        let mut r = Repository::default();
        r.settings.timezone = chrono_tz::Asia::Shanghai;
        for c in [
            class("emergency", "2h", "24h", &[Severity::Critical], Some(true)),
            class("important", "4h", "72h", &[Severity::High], None),
        ] {
            r.policy.classes.insert(c.name.clone(), c);
        }
        r.systems = vec![
            system("edge", vec![component("openssl", "1.1.1w", None), component("nginx", "1.24.0", None)]),
            system("sso", vec![component("openssl", "3.0.13", None)]),
        ];
        r
    }

    #[test]
    fn class_is_the_first_match_and_kev_means_emergency() {
        let r = repo();
        let classes = || r.policy.classes.values();
        assert_eq!(class_for(classes(), Severity::High, false).map(|c| c.name.as_str()), Some("important"));
        assert_eq!(class_for(classes(), Severity::High, true).map(|c| c.name.as_str()), Some("emergency"));
        assert_eq!(
            class_for(classes(), Severity::Critical, false).map(|c| c.name.as_str()),
            Some("emergency")
        );
        assert!(class_for(classes(), Severity::Medium, false).is_none());
    }

    #[test]
    fn deadlines_count_from_detection_and_pass_when_their_day_is_over() {
        let mut r = repo();
        r.advisories = vec![advisory("CVE-2024-0727", Severity::High, false, vec![openssl()])];
        let items = evaluate(&r, day("2024-08-01"), &HashMap::new());
        assert_eq!(items.len(), 1, "3.0.13 is fixed, 1.1.1w is not");
        let i = &items[0];
        assert_eq!((i.system.as_str(), i.component.as_str()), ("edge", "openssl"));
        assert_eq!(i.class.as_deref(), Some("important"));
        assert_eq!(i.respond_by, Some(ts("2024-08-01T13:00:00+08:00")));
        assert_eq!(i.deploy_by, Some(ts("2024-08-04T09:00:00+08:00")));
        assert_eq!(i.status, AdvisoryStatus::Open);
        assert_eq!(i.matched_by, MatchedBy::Product);
        let later = evaluate(&r, day("2024-08-02"), &HashMap::new());
        assert_eq!(later[0].status, AdvisoryStatus::Overdue);
        assert!(evaluate(&r, day("2024-07-31"), &HashMap::new()).is_empty(), "not detected yet");
    }

    #[test]
    fn a_linked_change_responds_and_an_unaffected_version_resolves() {
        let mut r = repo();
        r.advisories = vec![advisory("CVE-2024-0727", Severity::High, false, vec![openssl()])];
        // Listed by alias, approved 2 hours after detection: responded in time.
        r.changes = vec![change("CHG-2024-010", "important", "GHSA-CVE-2024-0727", "edge", "openssl")];
        let approved = HashMap::from([("CHG-2024-010".to_string(), ts("2024-08-01T11:00:00+08:00"))]);
        let items = evaluate(&r, day("2024-08-02"), &approved);
        assert_eq!(items[0].status, AdvisoryStatus::Responded);
        assert_eq!(items[0].change.as_deref(), Some("CHG-2024-010"));
        assert_eq!(items[0].responded_at, Some(ts("2024-08-01T11:00:00+08:00")));
        // Still affected after deploy_by: overdue.
        assert_eq!(evaluate(&r, day("2024-08-05"), &approved)[0].status, AdvisoryStatus::Overdue);
        // Upgraded: resolved, whatever the date.
        r.systems[0].components[0].version = "1.1.1x".into();
        let items = evaluate(&r, day("2024-09-01"), &approved);
        assert_eq!(items[0].status, AdvisoryStatus::Resolved);
        assert!(!items[0].affected);
        // A change of another class does not count as the response.
        r.systems[0].components[0].version = "1.1.1w".into();
        r.changes[0].class = "feature".into();
        assert_eq!(evaluate(&r, day("2024-08-01"), &approved)[0].change, None);
    }

    #[test]
    fn purls_match_the_component_or_the_catalog_identifiers() {
        let mut r = repo();
        r.systems[0].components[1].purl = Some("pkg:generic/nginx@1.24.0".into());
        r.products.insert(
            "openssl".into(),
            crate::model::Product {
                id: "openssl".into(),
                title: "OpenSSL".into(),
                identifiers: vec![Identifier::Purl("pkg:generic/openssl".into())],
                cycles: vec![],
                origin: Origin::default(),
            },
        );
        let by_purl = |purl: &str, versions: &[&str]| Affected {
            product: None,
            purl: Some(purl.into()),
            ranges: vec![],
            versions: versions.iter().map(|v| v.to_string()).collect(),
        };
        r.advisories = vec![
            advisory("CVE-1", Severity::Critical, true, vec![by_purl("pkg:generic/nginx", &["1.24.0"])]),
            advisory(
                "CVE-2",
                Severity::Low,
                false,
                vec![by_purl("pkg:generic/OpenSSL?arch=x86", &["3.0.13"])],
            ),
        ];
        let items = evaluate(&r, day("2024-08-01"), &HashMap::new());
        let got: Vec<_> = items
            .iter()
            .map(|i| (i.advisory.as_str(), i.system.as_str(), i.matched_by, i.class.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("CVE-1", "edge", MatchedBy::Purl, Some("emergency".to_string())),
                ("CVE-2", "sso", MatchedBy::Identifier, None),
            ]
        );
        // No class: no deadlines, never overdue.
        let late = evaluate(&r, day("2025-01-01"), &HashMap::new());
        assert_eq!(late[1].status, AdvisoryStatus::Open);
        assert_eq!(late[1].respond_by, None);
    }

    #[test]
    fn ranges_follow_osv_semantics() {
        let range = |i: Option<&str>, f: Option<&str>, l: Option<&str>| Affected {
            product: Some("x".into()),
            purl: None,
            ranges: vec![Range {
                introduced: i.map(Into::into),
                fixed: f.map(Into::into),
                last_affected: l.map(Into::into),
                limit: None,
            }],
            versions: vec![],
        };
        assert!(is_affected(&range(Some("0"), Some("2.0"), None), "1.9"));
        assert!(!is_affected(&range(Some("0"), Some("2.0"), None), "2.0"));
        assert!(is_affected(&range(Some("1.0"), None, Some("1.5")), "1.5"));
        assert!(!is_affected(&range(Some("1.0"), None, Some("1.5")), "1.6"));
        assert!(is_affected(&range(Some("1.0"), None, None), "9.0"), "introduced alone: every later version");
        assert!(!is_affected(&range(Some("1.0"), None, None), "0.9"));
        assert!(!is_affected(&range(None, None, None), "1.0"));
        assert_eq!(purl_key("pkg:npm/%40angular/core@1.0.0?x=y#sub"), "pkg:npm/%40angular/core");
    }
}
