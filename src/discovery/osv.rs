//! OSV records and the CISA KEV catalog → normalised advisories (§3.7). Parsing, merging (a CVE and
//! its GHSA are one advisory) and rendering are pure; `cmd::advisories` reads and writes the files.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_json::Value;

use super::cvss;
use crate::diag::{Diagnostic, Origin, Reason, Text};
use crate::load::{raw, yaml};
use crate::model::Severity;
use crate::model::time::parse_date;

/// One affected package, in §3.7 terms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct AffectedOut {
    pub product: Option<String>,
    pub purl: Option<String>,
    /// `(introduced, fixed, last_affected, limit)`.
    pub ranges: Vec<[Option<String>; 4]>,
    pub versions: Vec<String>,
}

/// A normalised advisory as written to `advisories/<id>.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Normalised {
    pub id: String,
    pub aliases: BTreeSet<String>,
    pub summary: Option<String>,
    pub severity: Option<Severity>,
    pub kev: bool,
    pub kev_due: Option<NaiveDate>,
    pub published: Option<NaiveDate>,
    /// Kept as written: the first import's time.
    pub detected_at: Option<String>,
    pub affected: Vec<AffectedOut>,
    /// `(kind, id, fetched_at)`.
    pub source: Option<(String, Option<String>, Option<String>)>,
}

impl Normalised {
    /// Every id it is known by.
    pub fn ids(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.id).chain(self.aliases.iter())
    }

    pub fn known_as(&self, id: &str) -> bool {
        self.ids().any(|x| x.eq_ignore_ascii_case(id))
    }

    /// Folds another record of the same vulnerability in: aliases and affected packages are
    /// unions, the severity the higher, `published` the earlier; the id, `detected_at`, summary and
    /// source stay this one's.
    pub fn absorb(&mut self, other: Normalised) {
        for id in other.ids() {
            if !self.known_as(id) {
                self.aliases.insert(id.clone());
            }
        }
        if self.summary.is_none() {
            self.summary = other.summary;
        }
        self.severity = self.severity.max(other.severity);
        self.kev |= other.kev;
        self.kev_due = self.kev_due.or(other.kev_due);
        self.published = match (self.published, other.published) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if self.detected_at.is_none() {
            self.detected_at = other.detected_at;
        }
        for a in other.affected {
            if !self.affected.contains(&a) {
                self.affected.push(a);
            }
        }
        if self.source.is_none() {
            self.source = other.source;
        }
    }
}

/// A record that could not be used, with where it is.
#[derive(Debug, Clone)]
pub struct Rejected(pub Diagnostic);

/// A KEV entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KevEntry {
    pub cve: String,
    pub added: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
}

/// What one input file held.
#[derive(Debug, Default)]
pub struct Parsed {
    pub records: Vec<Normalised>,
    pub kev: Vec<KevEntry>,
    pub rejected: Vec<Rejected>,
    /// Query-batch answers carry ids only; these are the ids.
    pub stubs: Vec<String>,
}

/// `what` names the record, `why` says what is wrong with it.
fn reject(path: &str, what: Reason, why: Reason) -> Rejected {
    Rejected(
        Diagnostic::error("bad-advisory", Origin::file(path), format!("{}: {}", what.english, why.english))
            .hint("the record is skipped; the other records of the file are imported")
            .in_words(Text::new("osv.rejected", &[]).with("what", what.text).with("reason", why.text))
            .hint_words(Text::new("osv.rejected_hint", &[])),
    )
}

/// Parses an OSV record, an array of records, an OSV query answer (`{"vulns": […]}` or a
/// querybatch answer) or the CISA KEV catalog. A file that is not JSON is an error (with line and
/// column); a record that is not usable is rejected alone.
pub fn parse(path: &str, text: &str) -> Result<Parsed, Box<Diagnostic>> {
    let value: Value = serde_json::from_str(text).map_err(|e| super::eol::json_error(path, &e))?;
    let mut out = Parsed::default();
    match value {
        Value::Array(items) => records(path, items, &mut out),
        Value::Object(ref map)
            if map.contains_key("vulnerabilities") && map.contains_key("catalogVersion") =>
        {
            kev(path, &value, &mut out)
        }
        Value::Object(mut map) if map.contains_key("vulns") && !map.contains_key("id") => {
            match map.remove("vulns") {
                Some(Value::Array(items)) => records(path, items, &mut out),
                Some(Value::Null) | None => {}
                _ => return Err(bad(path, Reason::t("osv.not_array", &[("key", &"vulns")]))),
            }
        }
        Value::Object(mut map) if map.contains_key("results") && !map.contains_key("id") => {
            let Some(Value::Array(results)) = map.remove("results") else {
                return Err(bad(path, Reason::t("osv.not_array", &[("key", &"results")])));
            };
            for r in results {
                if let Some(Value::Array(vulns)) = r.get("vulns").cloned() {
                    records(path, vulns, &mut out);
                }
            }
        }
        v @ Value::Object(_) => records(path, vec![v], &mut out),
        _ => return Err(bad(path, Reason::t("osv.not_osv", &[]))),
    }
    Ok(out)
}

fn bad(path: &str, why: Reason) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error("bad-advisory", Origin::file(path), why.english)
            .hint("import OSV JSON (records, arrays of records, query answers) or CISA's known_exploited_vulnerabilities.json")
            .in_words(why.text)
            .hint_words(Text::new("osv.bad_hint", &[])),
    )
}

fn records(path: &str, items: Vec<Value>, out: &mut Parsed) {
    for (n, item) in items.into_iter().enumerate() {
        let what = match item.get("id").and_then(Value::as_str) {
            Some(id) => Reason::t("osv.record_id", &[("id", &id), ("n", &(n + 1))]),
            None => Reason::t("osv.record", &[("n", &(n + 1))]),
        };
        let is_stub = item.as_object().is_some_and(|m| m.keys().all(|k| k == "id" || k == "modified"));
        match item.get("id").and_then(Value::as_str) {
            Some(id) if is_stub => out.stubs.push(id.to_string()),
            _ => match record(&item) {
                Ok(r) => out.records.push(r),
                Err(m) => out.rejected.push(reject(path, what, m)),
            },
        }
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Result<Option<&'a str>, Reason> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Reason::t("osv.not_string", &[("key", &key)])),
    }
}

/// The date part of an RFC 3339 timestamp or a date.
fn date_of(text: &str) -> Result<NaiveDate, Reason> {
    parse_date(text.get(..10).unwrap_or(text))
        .map_err(|m| Reason::new(format!("`{text}`: {m}"), Text::new("load.bad_date", &[("value", &text)])))
}

fn label(text: &str) -> Option<Severity> {
    match text.trim().to_ascii_lowercase().as_str() {
        "critical" => Some(Severity::Critical),
        "high" | "important" => Some(Severity::High),
        "medium" | "moderate" => Some(Severity::Medium),
        "low" | "negligible" => Some(Severity::Low),
        _ => None,
    }
}

/// The package URL for an OSV package: its own `purl`, else one built from ecosystem and name.
pub fn purl_for(ecosystem: &str, name: &str) -> Option<String> {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    let n = name.trim();
    if n.is_empty() {
        return None;
    }
    Some(match base {
        "PyPI" => format!("pkg:pypi/{}", n.to_ascii_lowercase().replace('_', "-")),
        "npm" => format!("pkg:npm/{}", n.replace('@', "%40")),
        "Go" => format!("pkg:golang/{n}"),
        "Maven" => format!("pkg:maven/{}", n.replacen(':', "/", 1)),
        "crates.io" => format!("pkg:cargo/{n}"),
        "RubyGems" => format!("pkg:gem/{n}"),
        "NuGet" => format!("pkg:nuget/{n}"),
        "Packagist" => format!("pkg:composer/{n}"),
        "Hex" => format!("pkg:hex/{n}"),
        "Pub" => format!("pkg:pub/{n}"),
        "Debian" => format!("pkg:deb/debian/{n}"),
        "Ubuntu" => format!("pkg:deb/ubuntu/{n}"),
        "Alpine" => format!("pkg:apk/alpine/{n}"),
        "Rocky Linux" => format!("pkg:rpm/rocky-linux/{n}"),
        "AlmaLinux" => format!("pkg:rpm/almalinux/{n}"),
        "Red Hat" => format!("pkg:rpm/redhat/{n}"),
        "SUSE" | "openSUSE" => format!("pkg:rpm/suse/{n}"),
        _ => return None,
    })
}

/// One OSV record → a normalised advisory (without `detected_at`: the caller stamps it).
pub fn record(v: &Value) -> Result<Normalised, Reason> {
    let id = str_of(v, "id")?.ok_or_else(|| Reason::t("osv.no_field", &[("key", &"id")]))?.trim().to_string();
    if id.is_empty() {
        return Err(Reason::t("osv.empty_id", &[]));
    }
    let mut aliases = BTreeSet::new();
    for key in ["aliases", "upstream"] {
        match v.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for a in list {
                    let a = a.as_str().ok_or_else(|| Reason::t("osv.non_string", &[("key", &key)]))?;
                    if key == "aliases" && a != id {
                        aliases.insert(a.to_string());
                    }
                }
            }
            Some(_) => return Err(Reason::t("osv.not_list", &[("key", &key)])),
        }
    }
    let mut severity = None;
    if let Some(list) = v.get("severity").and_then(Value::as_array) {
        for s in list {
            let kind = str_of(s, "type")?.unwrap_or("");
            let score = str_of(s, "score")?.unwrap_or("");
            // A vector we cannot score is skipped: the feed's label (below) still says something.
            if (kind.starts_with("CVSS_V") || score.starts_with("CVSS:"))
                && let Ok(sev) = cvss::severity(score)
            {
                severity = severity.max(Some(sev));
            }
        }
    }
    if severity.is_none() {
        let mut labels = vec![v.get("database_specific").and_then(|d| d.get("severity"))];
        if let Some(list) = v.get("affected").and_then(Value::as_array) {
            for a in list {
                labels.push(a.get("ecosystem_specific").and_then(|d| d.get("severity")));
                labels.push(a.get("database_specific").and_then(|d| d.get("severity")));
            }
        }
        severity = labels.into_iter().flatten().filter_map(|l| l.as_str().and_then(label)).max();
    }
    let summary = str_of(v, "summary")?
        .or(str_of(v, "details")?)
        .map(|s| {
            let first = s.trim().lines().next().unwrap_or("").trim();
            let mut t: String = first.chars().take(200).collect();
            if first.chars().count() > 200 {
                t.push('…');
            }
            t
        })
        .filter(|s| !s.is_empty());
    let published = str_of(v, "published")?.map(date_of).transpose()?;
    let mut affected = Vec::new();
    match v.get("affected") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (n, a) in list.iter().enumerate() {
                if let Some(x) = affected_entry(a).map_err(|m| {
                    let text = Text::new("osv.affected", &[("n", &(n + 1))]).with("reason", m.text);
                    Reason::new(format!("affected #{}: {}", n + 1, m.english), text)
                })? && !affected.contains(&x)
                {
                    affected.push(x);
                }
            }
        }
        Some(_) => return Err(Reason::t("osv.not_list", &[("key", &"affected")])),
    }
    Ok(Normalised {
        source: Some(("osv".into(), Some(id.clone()), None)),
        id,
        aliases,
        summary,
        severity,
        published,
        affected,
        ..Normalised::default()
    })
}

fn affected_entry(a: &Value) -> Result<Option<AffectedOut>, Reason> {
    let Some(pkg) = a.get("package").filter(|p| !p.is_null()) else {
        // Without a package there is nothing to match a component against.
        return Ok(None);
    };
    let purl = match str_of(pkg, "purl")? {
        Some(p) => Some(p.to_string()),
        None => purl_for(str_of(pkg, "ecosystem")?.unwrap_or(""), str_of(pkg, "name")?.unwrap_or("")),
    };
    let product = match &purl {
        Some(_) => None,
        None => str_of(pkg, "name")?.map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()),
    };
    if purl.is_none() && product.is_none() {
        return Ok(None);
    }
    let mut ranges = Vec::new();
    if let Some(list) = a.get("ranges").and_then(Value::as_array) {
        for r in list {
            // GIT ranges are commit ids: no version to compare a component with.
            if str_of(r, "type")? == Some("GIT") {
                continue;
            }
            let mut current: Option<[Option<String>; 4]> = None;
            let events =
                r.get("events").and_then(Value::as_array).ok_or_else(|| Reason::t("osv.no_events", &[]))?;
            for e in events {
                let obj = e.as_object().ok_or_else(|| Reason::t("osv.event_not_object", &[]))?;
                for (k, val) in obj {
                    let val = val
                        .as_str()
                        .ok_or_else(|| Reason::t("osv.event_not_string", &[("key", &k)]))?
                        .to_string();
                    let slot = match k.as_str() {
                        "introduced" => {
                            if let Some(c) = current.take() {
                                ranges.push(c);
                            }
                            current = Some([Some(val), None, None, None]);
                            continue;
                        }
                        "fixed" => 1,
                        "last_affected" => 2,
                        "limit" => 3,
                        _ => continue,
                    };
                    let c = current.get_or_insert_with(Default::default);
                    c[slot] = Some(val);
                    ranges.push(current.take().unwrap_or_default());
                }
            }
            if let Some(c) = current.take() {
                ranges.push(c);
            }
        }
    }
    let versions = match a.get("versions") {
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Reason::t("osv.non_string", &[("key", &"versions")]))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    ranges.dedup();
    Ok(Some(AffectedOut { product, purl, ranges, versions }))
}

fn kev(path: &str, v: &Value, out: &mut Parsed) {
    let Some(list) = v.get("vulnerabilities").and_then(Value::as_array) else {
        let why = Reason::t("osv.not_list", &[("key", &"vulnerabilities")]);
        out.rejected.push(reject(path, Reason::t("osv.kev_catalog", &[]), why));
        return;
    };
    for (n, e) in list.iter().enumerate() {
        let entry = (|| -> Result<KevEntry, Reason> {
            let cve = str_of(e, "cveID")?
                .ok_or_else(|| Reason::t("osv.no_field", &[("key", &"cveID")]))?
                .trim()
                .to_string();
            Ok(KevEntry {
                added: str_of(e, "dateAdded")?.map(date_of).transpose()?,
                due: str_of(e, "dueDate")?.map(date_of).transpose()?,
                cve,
            })
        })();
        match entry {
            Ok(k) => out.kev.push(k),
            Err(m) => out.rejected.push(reject(path, Reason::t("osv.kev_entry", &[("n", &(n + 1))]), m)),
        }
    }
}

// ---- existing files and rendering ----------------------------------------------------------

/// Reads an advisory file back through the loader's own shape.
pub fn read_existing(path: &str, text: &str) -> Result<Normalised, Box<Diagnostic>> {
    let a: raw::Advisory = yaml::parse(path, text)?;
    let d = |s: &Option<raw::S>| -> Result<Option<NaiveDate>, Box<Diagnostic>> {
        match s {
            None => Ok(None),
            Some(v) => parse_date(&v.value).map(Some).map_err(|m| {
                let origin = yaml::origin(path, &v.referenced);
                let text = Text::new("load.bad_date", &[("value", &v.value)]);
                Box::new(Diagnostic::error("bad-date", origin, m).in_words(text))
            }),
        }
    };
    Ok(Normalised {
        id: a.id.value.clone(),
        aliases: a.aliases.iter().cloned().collect(),
        summary: a.summary.clone(),
        severity: Some(a.severity),
        kev: a.kev,
        kev_due: d(&a.kev_due)?,
        published: d(&a.published)?,
        detected_at: Some(a.detected_at.value.clone()),
        affected: a
            .affected
            .iter()
            .map(|x| {
                let x = &x.value;
                AffectedOut {
                    product: x.product.as_ref().map(|v| v.value.clone()),
                    purl: x.purl.as_ref().map(|v| v.value.clone()),
                    ranges: x
                        .ranges
                        .iter()
                        .map(|r| {
                            [r.introduced.clone(), r.fixed.clone(), r.last_affected.clone(), r.limit.clone()]
                        })
                        .collect(),
                    versions: x.versions.clone(),
                }
            })
            .collect(),
        source: a.source.as_ref().map(|s| {
            (
                s.kind.value.clone(),
                s.id.as_ref().map(|v| v.value.clone()),
                s.fetched_at.as_ref().map(|v| v.value.clone()),
            )
        }),
    })
}

/// The file name for an advisory id: characters other than letters, digits, `.`, `_`, `-` become `_`
/// (`RHSA-2022:0216` → `RHSA-2022_0216.yaml`).
pub fn file_name(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' })
        .collect();
    format!("{}.yaml", safe.trim_start_matches('.'))
}

/// The preferred id of a group of ids: a CVE when there is one (the spec's examples use CVE ids).
pub fn preferred_id<'a>(ids: impl IntoIterator<Item = &'a String>) -> Option<&'a String> {
    let ids: Vec<&String> = ids.into_iter().collect();
    ids.iter().find(|i| i.starts_with("CVE-")).or(ids.first()).copied()
}

fn q(s: &str) -> String {
    crate::store::quoted(s)
}

/// The advisory file (§3.7). Severity is `unknown` when neither a CVSS vector (v2, v3.x, v4.0) nor a
/// label says (see docs/decisions.md).
pub fn render(a: &Normalised) -> String {
    let mut out = String::from(
        "# Security advisory normalised by `lifecycle advisories import`/`sync` (SPEC §3.7).\n# detected_at is when this repository first learnt of it: deadlines count from there; imports never move it.\n",
    );
    let sev = a.severity.unwrap_or(Severity::Unknown).as_str();
    out.push_str(&format!("id: {}\n", q(&a.id)));
    let aliases: Vec<String> = a.aliases.iter().map(|x| q(x)).collect();
    out.push_str(&format!("aliases: [{}]\n", aliases.join(", ")));
    if let Some(s) = &a.summary {
        out.push_str(&format!("summary: {}\n", q(s)));
    }
    out.push_str(&format!("severity: {sev}\n"));
    out.push_str(&format!("kev: {}\n", a.kev));
    if let Some(d) = a.kev_due {
        out.push_str(&format!("kev_due: {d}\n"));
    }
    if let Some(d) = a.published {
        out.push_str(&format!("published: {d}\n"));
    }
    if let Some(d) = &a.detected_at {
        out.push_str(&format!("detected_at: {}\n", q(d)));
    }
    if a.affected.is_empty() {
        out.push_str("affected: []\n");
    } else {
        out.push_str("affected:\n");
    }
    for x in &a.affected {
        let mut first = true;
        let mut key = |out: &mut String, k: &str, v: String| {
            out.push_str(if first { "  - " } else { "    " });
            first = false;
            out.push_str(&format!("{k}: {v}\n"));
        };
        if let Some(p) = &x.product {
            key(&mut out, "product", q(p));
        }
        if let Some(p) = &x.purl {
            key(&mut out, "purl", q(p));
        }
        if x.ranges.is_empty() {
            key(&mut out, "ranges", "[]".into());
        } else {
            key(&mut out, "ranges", String::new());
            out.truncate(out.len() - 2);
            out.push('\n');
            for r in &x.ranges {
                let parts: Vec<String> = ["introduced", "fixed", "last_affected", "limit"]
                    .iter()
                    .zip(r)
                    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {}", q(v))))
                    .collect();
                out.push_str(&format!("      - {{{}}}\n", parts.join(", ")));
            }
        }
        let versions: Vec<String> = x.versions.iter().map(|v| q(v)).collect();
        key(&mut out, "versions", format!("[{}]", versions.join(", ")));
    }
    if let Some((kind, id, fetched)) = &a.source {
        let mut parts = vec![format!("kind: {}", q(kind))];
        if let Some(id) = id {
            parts.push(format!("id: {}", q(id)));
        }
        if let Some(f) = fetched {
            parts.push(format!("fetched_at: {}", q(f)));
        }
        out.push_str(&format!("source: {{{}}}\n", parts.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GHSA: &str = r#"{"id":"GHSA-xxxx","aliases":["CVE-2024-0001"],"summary":"Bad thing","published":"2024-01-02T03:04:05Z",
      "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
      "affected":[{"package":{"ecosystem":"PyPI","name":"Requests_Lib"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"},{"introduced":"3.0"},{"last_affected":"3.1"}]},
                  {"type":"GIT","events":[{"introduced":"abc"}]}],
        "versions":["1.0","1.5"]}]}"#;

    #[test]
    fn osv_records_normalise() {
        let p = parse("a.json", GHSA).unwrap();
        let r = &p.records[0];
        assert_eq!(r.id, "GHSA-xxxx");
        assert_eq!(r.severity, Some(Severity::Critical));
        assert_eq!(r.published, NaiveDate::from_ymd_opt(2024, 1, 2));
        assert_eq!(r.affected[0].purl.as_deref(), Some("pkg:pypi/requests-lib"));
        assert_eq!(
            r.affected[0].ranges,
            [
                [Some("0".into()), Some("2.0".into()), None, None],
                [Some("3.0".into()), None, Some("3.1".into()), None]
            ]
        );
    }

    #[test]
    fn query_answers_and_kev_are_recognised() {
        let query = format!(r#"{{"vulns": [{GHSA}]}}"#);
        assert_eq!(parse("q.json", &query).unwrap().records.len(), 1);
        let batch = r#"{"results": [{"vulns": [{"id": "GHSA-1", "modified": "2024-01-01T00:00:00Z"}]}, {}]}"#;
        let p = parse("b.json", batch).unwrap();
        assert_eq!((p.records.len(), p.stubs.as_slice()), (0, ["GHSA-1".to_string()].as_slice()));
        let kev = r#"{"catalogVersion": "1", "vulnerabilities": [{"cveID": "CVE-1", "dueDate": "2024-02-01"}, {"x": 1}]}"#;
        let p = parse("kev.json", kev).unwrap();
        assert_eq!(
            p.kev,
            [KevEntry { cve: "CVE-1".into(), added: None, due: NaiveDate::from_ymd_opt(2024, 2, 1) }]
        );
        assert_eq!(p.rejected.len(), 1);
        assert!(parse("n.json", "42").is_err());
    }

    #[test]
    fn rendered_advisories_load_back_unchanged() {
        let mut r = parse("a.json", GHSA).unwrap().records.remove(0);
        r.detected_at = Some("2024-01-03T09:00:00+08:00".into());
        r.kev = true;
        r.kev_due = NaiveDate::from_ymd_opt(2024, 2, 1);
        let text = render(&r);
        let back = read_existing("advisories/x.yaml", &text).unwrap();
        assert_eq!(back, r);
        assert_eq!(render(&back), text);
    }

    /// Found by fuzzing (`import_osv`): a DEL or C1 control in a field was written unescaped, and YAML
    /// refuses those characters, so the importer wrote a file it could not read back.
    #[test]
    fn characters_yaml_refuses_are_escaped() {
        let json = r#"{"id": "GHSA-\u007fx", "modified": "2024-01-01T00:00:00Z",
                       "summary": "a\u0085b\u009fc\ufeffd\u0007e"}"#;
        let mut r = parse("a.json", json).unwrap().records.remove(0);
        r.severity = Some(crate::model::Severity::High);
        r.detected_at = Some("2024-01-03T09:00:00+08:00".into());
        let text = render(&r);
        let back =
            read_existing("advisories/x.yaml", &text).unwrap_or_else(|d| panic!("{}\n{text}", d.message));
        assert_eq!(back, r);
    }

    #[test]
    fn bad_records_are_rejected_alone() {
        let text =
            format!(r#"[{GHSA}, {{"id": 5}}, {{"summary": "no id"}}, {{"id":"X-1","affected":"nope"}}]"#);
        let p = parse("batch.json", &text).unwrap();
        assert_eq!(p.records.len(), 1);
        let msgs: Vec<String> = p.rejected.iter().map(|r| r.0.message.clone()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[2].starts_with("record X-1 (#4)"), "{msgs:?}");
        let e = parse("broken.json", "{\n  \"id\": ,\n}").unwrap_err();
        assert_eq!((e.origin.path.as_str(), e.origin.line), ("broken.json", 2));
    }

    #[test]
    fn merging_unions_aliases_and_keeps_the_first_detection() {
        let mut a = parse("a.json", GHSA).unwrap().records.remove(0);
        a.detected_at = Some("2024-01-03T09:00:00Z".into());
        let mut b = a.clone();
        b.id = "CVE-2024-0001".into();
        b.aliases = ["GHSA-xxxx".to_string(), "PYSEC-1".to_string()].into();
        b.severity = Some(Severity::Medium);
        b.detected_at = Some("2025-01-01T00:00:00Z".into());
        a.absorb(b);
        assert_eq!(a.aliases.iter().collect::<Vec<_>>(), ["CVE-2024-0001", "PYSEC-1"]);
        assert_eq!(a.severity, Some(Severity::Critical));
        assert_eq!(a.detected_at.as_deref(), Some("2024-01-03T09:00:00Z"));
        assert_eq!(preferred_id(a.ids()).map(String::as_str), Some("CVE-2024-0001"));
        assert_eq!(file_name("RHSA-2022:0216"), "RHSA-2022_0216.yaml");
    }
}
