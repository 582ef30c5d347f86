//! Declared vs observed (§5.4): matches what scanners saw to catalog products, and compares it with
//! what the inventory declares. Pure: repository and `today` in, drift out. Observations are evidence,
//! never authority: nothing here changes a status, covers a component or stands in for an approval.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::status::{self, Status, Verdict};
use crate::model::observed::{Observation, Observed};
use crate::model::{
    Component, Criticality, Duration, Identifier, Repository, Support, System, time, version,
};

/// `rules.observation_max_age` when the policy does not set it.
pub const DEFAULT_MAX_AGE: Duration = Duration { amount: 1, unit: time::Unit::Months };

/// How an observed package was matched to a catalog product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedBy {
    /// The package's purl against the catalog's purl identifiers.
    Purl,
    /// The package's CPE against the catalog's CPE identifiers (vendor and product).
    Cpe,
    /// The package's name against the catalog's repology names.
    Repology,
    /// The package's name is the catalog product id.
    Name,
}

/// The kind of drift of a declared component (§5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Drift {
    None,
    /// Observed, at a version other than the declared one.
    Version,
    /// Declared, but not observed on a system that was scanned.
    Missing,
}

/// What the observations of a component's system say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObservedState {
    /// Versions as the scanners reported them, sorted, without repeats.
    pub versions: Vec<String>,
    /// Hosts on which the product was seen.
    pub hosts: usize,
    /// Hosts of the system that were scanned.
    pub scanned: usize,
    /// Hosts where a version other than the declared one was seen.
    pub drift_hosts: Vec<String>,
    /// The newest scan of the system.
    pub collected_at: DateTime<FixedOffset>,
    pub drift: Drift,
    /// The newest scan is older than `rules.observation_max_age`.
    pub stale: bool,
}

/// A catalog product seen on a system that does not declare it, with its own end-of-life status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undeclared {
    pub system: String,
    pub product: String,
    /// The package name the scanner reported.
    pub name: String,
    pub versions: Vec<String>,
    pub hosts: usize,
    pub collected_at: DateTime<FixedOffset>,
    pub matched_by: MatchedBy,
    /// The worst status among the observed versions.
    pub verdict: Verdict,
    pub stale: bool,
}

/// Everything `check` and `report` say about observations.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// By `(system id, component name)`; systems without observations have no entry.
    pub items: HashMap<(String, String), ObservedState>,
    /// Worst status first (end-of-life first), then system and product.
    pub undeclared: Vec<Undeclared>,
    /// Observed packages that match no catalog product (counted, not listed).
    pub unmatched: usize,
    /// Systems with at least one observation, and how many of those are stale.
    pub systems: usize,
    pub stale_systems: usize,
    /// Whether the repository has any observation at all.
    pub any: bool,
}

impl Observations {
    /// Declared components with a version or missing drift, plus undeclared products.
    pub fn drifts(&self) -> usize {
        self.items.values().filter(|s| s.drift != Drift::None).count() + self.undeclared.len()
    }
}

/// Catalog identifiers, indexed for matching.
pub struct Matcher<'a> {
    purl: HashMap<String, &'a str>,
    purl_name: HashMap<String, Option<&'a str>>,
    cpe: HashMap<String, &'a str>,
    repology: HashMap<String, &'a str>,
    ids: BTreeSet<&'a str>,
}

/// `pkg:type/namespace/name@version?q#s` → `type/namespace/name`, lower-case.
fn purl_base(purl: &str) -> Option<String> {
    let rest = purl.trim().strip_prefix("pkg:")?;
    let end = rest.find(['@', '?', '#']).unwrap_or(rest.len());
    Some(rest[..end].trim_end_matches('/').to_ascii_lowercase())
}

/// `type/name` of a purl base, for distributions whose namespace differs (debian, ubuntu).
fn purl_type_name(base: &str) -> Option<String> {
    let (ty, rest) = base.split_once('/')?;
    Some(format!("{ty}/{}", rest.rsplit('/').next()?))
}

/// `cpe:2.3:a:vendor:product…` or `cpe:/a:vendor:product…` → `vendor:product`.
fn cpe_key(cpe: &str) -> Option<String> {
    let parts: Vec<&str> = cpe.trim().split(':').collect();
    let (vendor, product) = match parts.as_slice() {
        ["cpe", "2.3", _, v, p, ..] => (*v, *p),
        ["cpe", a, v, p, ..] if a.starts_with('/') => (*v, *p),
        _ => return None,
    };
    Some(format!("{}:{}", vendor.to_ascii_lowercase(), product.to_ascii_lowercase()))
}

impl<'a> Matcher<'a> {
    pub fn new(repo: &'a Repository) -> Matcher<'a> {
        let mut m = Matcher {
            purl: HashMap::new(),
            purl_name: HashMap::new(),
            cpe: HashMap::new(),
            repology: HashMap::new(),
            ids: repo.products.keys().map(String::as_str).collect(),
        };
        for (id, p) in &repo.products {
            for i in &p.identifiers {
                match i {
                    Identifier::Purl(v) => {
                        if let Some(base) = purl_base(v) {
                            if let Some(tn) = purl_type_name(&base) {
                                // A `type/name` shared by two products matches neither.
                                let e = m.purl_name.entry(tn).or_insert(Some(id));
                                if *e != Some(id.as_str()) {
                                    *e = None;
                                }
                            }
                            m.purl.entry(base).or_insert(id);
                        }
                    }
                    Identifier::Cpe(v) => {
                        if let Some(k) = cpe_key(v) {
                            m.cpe.entry(k).or_insert(id);
                        }
                    }
                    Identifier::Repology(v) => {
                        m.repology.entry(v.to_ascii_lowercase()).or_insert(id);
                    }
                }
            }
        }
        m
    }

    /// The catalog product an observed package is, and how that was decided.
    pub fn product(&self, o: &Observed) -> Option<(&'a str, MatchedBy)> {
        if let Some(base) = o.purl.as_deref().and_then(purl_base) {
            let hit =
                self.purl.get(&base).copied().or_else(|| {
                    purl_type_name(&base).and_then(|tn| self.purl_name.get(&tn).copied().flatten())
                });
            if let Some(id) = hit {
                return Some((id, MatchedBy::Purl));
            }
        }
        if let Some(id) = o.cpe.as_deref().and_then(cpe_key).and_then(|k| self.cpe.get(&k).copied()) {
            return Some((id, MatchedBy::Cpe));
        }
        let name = o.product.to_ascii_lowercase();
        if let Some(id) = self.repology.get(&name) {
            return Some((id, MatchedBy::Repology));
        }
        // A distribution's release package (`centos-release`, `rocky-release`) is the distribution.
        let os = name.strip_suffix("-release").unwrap_or(&name);
        self.ids.get(os).map(|id| (*id, MatchedBy::Name))
    }
}

/// Whether an observed (upstream) version is the declared one: equal, one a prefix of the other
/// (§5.1: `6.2` declared, `6.2.14` seen; `7` seen from a release package, `7.9.2009` declared), or the declared version names the cycle the observed
/// build number resolves to (`2019` declared, `10.0.17763.5458` seen).
pub fn same_version(repo: &Repository, product: &str, declared: &str, observed: &str) -> bool {
    if version::compare(declared, observed).is_eq() || version::match_len(observed, declared).is_some() {
        return true;
    }
    // A coarser observation that agrees (`7` from `centos-release` for a declared `7.9.2009`).
    if version::match_len(declared, observed).is_some() {
        return true;
    }
    let Some(p) = repo.products.get(product) else { return false };
    if let Some((i, _)) = status::resolve_cycle(p, observed) {
        return p.cycles[i].name.eq_ignore_ascii_case(declared.trim());
    }
    // A build shared by two cycles (Windows Server 2019 and 1809) is the declared one's when it lies on
    // the declared cycle's build line.
    p.cycles.iter().any(|c| {
        c.name.eq_ignore_ascii_case(declared.trim())
            && c.latest.as_deref().is_some_and(|l| version::build_line(l, observed).is_some())
    })
}

/// Catalog product → (how it matched, the package name, host → what was seen there).
type Seen<'a> = BTreeMap<&'a str, (MatchedBy, String, BTreeMap<&'a str, Vec<&'a Observed>>)>;

/// Evaluates every observation against the inventory at `today`.
pub fn evaluate(repo: &Repository, today: NaiveDate) -> Observations {
    let mut out = Observations { any: !repo.observations.is_empty(), ..Observations::default() };
    if !out.any {
        return out;
    }
    let matcher = Matcher::new(repo);
    let max_age = repo.policy.rules.observation_max_age.unwrap_or(DEFAULT_MAX_AGE);
    let fresh_from = max_age.before(today).unwrap_or(today);
    let systems: HashMap<&str, &System> = repo.systems.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut by_system: BTreeMap<&str, Vec<&Observation>> = BTreeMap::new();
    for o in &repo.observations {
        by_system.entry(o.system.as_str()).or_default().push(o);
    }
    for (system_id, scans) in by_system {
        out.systems += 1;
        let Some(newest) = scans.iter().map(|o| o.collected_at).max() else { continue };
        let stale = newest.with_timezone(&repo.settings.timezone).date_naive() < fresh_from;
        out.stale_systems += usize::from(stale);
        let system = systems.get(system_id).copied();
        // The system's own components' purls come first: they say which package is which component.
        let declared: HashMap<String, &str> = system
            .map(|s| s.components.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|c| Some((purl_base(c.purl.as_deref()?)?, c.product.as_str())))
            .collect();
        // product → (host → versions seen there), and how it matched.
        let mut seen: Seen = BTreeMap::new();
        for o in &scans {
            for c in &o.components {
                let own = c.purl.as_deref().and_then(purl_base).and_then(|b| declared.get(&b).copied());
                match own.map(|id| (id, MatchedBy::Purl)).or_else(|| matcher.product(c)) {
                    Some((id, by)) => {
                        let e = seen.entry(id).or_insert_with(|| (by, c.product.clone(), BTreeMap::new()));
                        e.2.entry(o.host.as_str()).or_default().push(c);
                    }
                    None => out.unmatched += 1,
                }
            }
        }
        let hosts: BTreeSet<&str> = scans.iter().map(|o| o.host.as_str()).collect();
        for c in system.map(|s| s.components.as_slice()).unwrap_or_default() {
            let found = seen.get(c.product.as_str());
            let observed: Vec<&Observed> =
                found.map(|f| f.2.values().flatten().copied().collect()).unwrap_or_default();
            let drift_hosts: Vec<String> = found
                .map(|f| {
                    f.2.iter()
                        .filter(|(_, seen)| {
                            seen.iter().any(|o| !same_version(repo, &c.product, &c.version, &o.version))
                        })
                        .map(|(h, _)| h.to_string())
                        .collect()
                })
                .unwrap_or_default();
            let drift = match (observed.is_empty(), drift_hosts.is_empty()) {
                (true, _) => Drift::Missing,
                (false, true) => Drift::None,
                (false, false) => Drift::Version,
            };
            out.items.insert(
                (system_id.to_string(), c.name.clone()),
                ObservedState {
                    versions: shown(&observed),
                    hosts: found.map(|f| f.2.len()).unwrap_or(0),
                    scanned: hosts.len(),
                    drift_hosts,
                    collected_at: newest,
                    drift,
                    stale,
                },
            );
        }
        for (product, (by, name, on_hosts)) in &seen {
            if system.is_some_and(|s| s.components.iter().any(|c| c.product == *product)) {
                continue;
            }
            let observed: Vec<&Observed> = on_hosts.values().flatten().copied().collect();
            out.undeclared.push(Undeclared {
                system: system_id.to_string(),
                product: product.to_string(),
                name: name.clone(),
                versions: shown(&observed),
                hosts: on_hosts.len(),
                collected_at: newest,
                matched_by: *by,
                verdict: worst_verdict(repo, system_id, product, &observed, today),
                stale,
            });
        }
    }
    out.undeclared.sort_by(|a, b| {
        b.verdict
            .status
            .cmp(&a.verdict.status)
            .then_with(|| (&a.system, &a.product).cmp(&(&b.system, &b.product)))
    });
    out
}

fn shown(observed: &[&Observed]) -> Vec<String> {
    let set: BTreeSet<&str> = observed.iter().map(|o| o.shown()).collect();
    set.into_iter().map(str::to_string).collect()
}

/// The status of the worst observed version of an undeclared product, as if the system declared it.
fn worst_verdict(
    repo: &Repository,
    system: &str,
    product: &str,
    observed: &[&Observed],
    today: NaiveDate,
) -> Verdict {
    let host = System {
        id: system.to_string(),
        name: String::new(),
        owner: String::new(),
        criticality: Criticality::Low,
        environments: Vec::new(),
        hosts: None,
        tags: Vec::new(),
        components: Vec::new(),
        origin: Default::default(),
    };
    let mut versions: Vec<&str> = observed.iter().map(|o| o.version.as_str()).collect();
    versions.sort();
    versions.dedup();
    let mut worst: Option<Verdict> = None;
    for v in versions {
        let c = Component {
            name: product.to_string(),
            product: product.to_string(),
            version: v.to_string(),
            cycle: None,
            eol: None,
            support: Support::Standard,
            purl: None,
            origin: Default::default(),
            version_origin: Default::default(),
            cycle_origin: None,
        };
        let verdict = status::verdict(repo, &host, &c, today);
        if worst.as_ref().is_none_or(|w| verdict.status > w.status) {
            worst = Some(verdict);
        }
    }
    worst.unwrap_or(Verdict { status: Status::Unknown, cycle: None, end: None, build_line: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_and_cpes_reduce_to_their_keys() {
        assert_eq!(purl_base("pkg:npm/jquery@1.12.4?x=1").as_deref(), Some("npm/jquery"));
        assert_eq!(purl_base("pkg:deb/debian/redis@5:7.0.15-1"), Some("deb/debian/redis".into()));
        assert_eq!(purl_type_name("deb/debian/redis").as_deref(), Some("deb/redis"));
        assert_eq!(cpe_key("cpe:2.3:a:redis:redis:6.2.14:*:*:*:*:*:*:*").as_deref(), Some("redis:redis"));
        assert_eq!(cpe_key("cpe:/a:openssl:openssl:1.0.2k").as_deref(), Some("openssl:openssl"));
        assert_eq!(cpe_key("redis"), None);
    }

    /// Over endoflife.date's own data (../shared/reference, skipped when absent), every cycle's
    /// `latest` resolves to that cycle, by name or by build line, leaving out versions two cycles share.
    #[test]
    fn every_latest_resolves_to_its_cycle() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/reference/endoflife.date/products");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            let _ = std::io::Write::write_all(&mut std::io::stderr(), b"skipped: no ../shared/reference\n");
            return;
        };
        let (mut total, mut hits, mut by_name) = (0, 0, 0);
        let mut misses = Vec::new();
        for e in entries.flatten() {
            let path = e.path();
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Ok((_, p)) = crate::discovery::eol::parse(&path.display().to_string(), &text) else {
                continue;
            };
            let cycles: Vec<(&str, Option<&str>)> =
                p.cycles.iter().map(|c| (c.cycle.as_str(), c.latest.as_deref())).collect();
            for (i, c) in p.cycles.iter().enumerate() {
                let Some(latest) = c.latest.as_deref() else { continue };
                if p.cycles.iter().filter(|x| x.latest.as_deref() == Some(latest)).count() > 1 {
                    continue;
                }
                total += 1;
                by_name += usize::from(version::resolve(latest, cycles.iter().map(|c| c.0)) == Some(i));
                match version::resolve_with_latest(latest, cycles.iter().copied()) {
                    Some((j, _)) if j == i => hits += 1,
                    _ => misses.push(format!("{}:{}:{latest}", p.id, c.cycle)),
                }
            }
        }
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("{hits} of {total} resolve ({by_name} by name alone); misses: {misses:?}\n").as_bytes(),
        );
        assert!(total > 5000, "{total}");
        assert!(hits > by_name, "the build-line rule adds nothing");
        assert!(hits * 100 >= total * 99, "{hits} of {total}: {misses:?}");
    }
}
