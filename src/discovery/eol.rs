//! endoflife.date data → the product catalog (§3.2, §7): product files (`products/*.md`, YAML front
//! matter), API v1 JSON (`/api/v1/products/{p}`) and API v0 JSON (an array of cycles). Parsing,
//! merging with the repository's file (its `local:` corrections survive) and rendering are pure;
//! `cmd::catalog` reads and writes the files.

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::diag::{Diagnostic, Origin, Reason, Text};
use crate::load::{raw, yaml};
use crate::model::time::parse_date;
use crate::store::scalar;

/// A date that may instead be a yes/no, as endoflife.date writes `eol`, `eoas`, `eoes`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum When {
    #[default]
    No,
    Yes,
    Date(chrono::NaiveDate),
}

impl When {
    fn yaml(&self) -> Option<String> {
        match self {
            When::No => None,
            When::Yes => Some("true".into()),
            When::Date(d) => Some(d.to_string()),
        }
    }

    /// The text the loader reads back (`true`, a date, or nothing).
    pub fn text(&self) -> String {
        self.yaml().unwrap_or_else(|| "—".into())
    }
}

/// One release cycle, already in §3.2 terms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogCycle {
    pub cycle: String,
    pub released: Option<chrono::NaiveDate>,
    pub active_support_end: When,
    pub eol: When,
    pub extended_support_end: When,
    pub lts: bool,
    pub latest: Option<String>,
    /// When `latest` was released (`latestReleaseDate`; API v1 `latest.date`).
    pub latest_date: Option<chrono::NaiveDate>,
}

/// One product as imported.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogProduct {
    pub id: String,
    pub title: Option<String>,
    /// `(kind, value)`: `purl`, `cpe` or `repology`; other kinds are dropped.
    pub identifiers: Vec<(String, String)>,
    pub cycles: Vec<CatalogCycle>,
}

/// Which shape a file had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    ProductFile,
    ApiV1,
    ApiV0,
}

/// Parses one file. `path` names it in errors (and gives the product id for product files and API
/// v0 arrays, from the file name).
pub fn parse(path: &str, text: &str) -> Result<(Format, CatalogProduct), Box<Diagnostic>> {
    let stem = std::path::Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("")
        .trim_end_matches(".json")
        .to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
        return match value {
            serde_json::Value::Array(items) => Ok((Format::ApiV0, v0(path, &stem, items)?)),
            serde_json::Value::Object(mut map) => {
                let result = map.remove("result").unwrap_or(serde_json::Value::Object(map));
                Ok((Format::ApiV1, v1(path, &stem, result)?))
            }
            _ => Err(bad(
                path,
                "the JSON is neither an API v1 product nor an API v0 array of cycles",
                Text::new("cat.not_api", &[]),
            )),
        };
    }
    Ok((Format::ProductFile, product_file(path, &stem, text)?))
}

/// `message` in English, `words` for other languages.
fn bad(path: &str, message: impl Into<String>, words: Text) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error("bad-catalog", Origin::file(path), message)
            .hint("import endoflife.date product files (products/*.md), API v1 `/api/v1/products/{p}` JSON or API v0 JSON")
            .in_words(words)
            .hint_words(Text::new("cat.bad_hint", &[])),
    )
}

/// Input that is not JSON, or not the JSON a typed reader expects. The English is serde_json's own;
/// other languages get what kind of problem it is (the place is in the location).
pub fn json_error(path: &str, e: &serde_json::Error) -> Box<Diagnostic> {
    let origin = Origin::new(path, e.line() as u32, e.column() as u32, 1);
    let message = e.to_string();
    let missing = message.strip_prefix("missing field `").and_then(|m| m.split_once('`')).map(|m| m.0);
    let words = match (e.classify(), missing) {
        (serde_json::error::Category::Eof, _) => Text::new("imp.json_eof", &[]),
        (serde_json::error::Category::Data, Some(field)) => {
            Text::new("imp.json_missing", &[("field", &field)])
        }
        (serde_json::error::Category::Data, None) => Text::new("imp.json_type", &[]),
        _ => Text::new("imp.json_syntax", &[]),
    };
    Box::new(
        Diagnostic::error("bad-json", origin, message)
            .hint("the file must be valid JSON (UTF-8)")
            .in_words(words)
            .hint_words(Text::new("imp.json_hint", &[])),
    )
}

/// A date, `true`/`false`, or empty; anything else is an error naming the value.
fn when(text: Option<&str>) -> Result<When, Reason> {
    match text.map(str::trim) {
        None | Some("") | Some("false") | Some("null") | Some("~") => Ok(When::No),
        Some("true") => Ok(When::Yes),
        Some(t) => parse_date(t)
            .map(When::Date)
            .map_err(|m| Reason::new(format!("`{t}`: {m}"), Text::new("load.bad_date", &[("value", &t)]))),
    }
}

fn date(text: Option<&str>) -> Result<Option<chrono::NaiveDate>, Reason> {
    match when(text)? {
        When::Date(d) => Ok(Some(d)),
        _ => Ok(None),
    }
}

fn valid_product_id(id: &str) -> bool {
    crate::load::valid_product_id(id)
}

fn check_id(path: &str, id: &str) -> Result<(), Box<Diagnostic>> {
    if valid_product_id(id) {
        Ok(())
    } else {
        Err(bad(
            path,
            format!("`{id}` is not a usable product id (lower-case letters, digits, `.`, `_`, `-`)"),
            Text::new("cat.bad_id", &[("id", &id)]),
        ))
    }
}

// ---- product files -------------------------------------------------------------------------

#[derive(Deserialize)]
struct FrontMatter {
    title: Option<String>,
    #[serde(default)]
    identifiers: Vec<indexmap::IndexMap<String, Option<String>>>,
    #[serde(default)]
    releases: Vec<Spanned<FmRelease>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FmRelease {
    release_cycle: raw::S,
    release_date: Option<raw::S>,
    eoas: Option<raw::S>,
    eol: Option<raw::S>,
    eoes: Option<raw::S>,
    lts: Option<raw::S>,
    latest: Option<raw::S>,
    latest_release_date: Option<raw::S>,
}

/// The front matter of a Markdown product file, with the other lines blanked so that line numbers
/// in errors are the file's own.
fn front_matter(text: &str) -> Option<String> {
    let mut lines = text.lines();
    if lines.next()?.trim_end() != "---" {
        return None;
    }
    let mut out = String::from("\n");
    for line in lines {
        if line.trim_end() == "---" {
            return Some(out);
        }
        out.push_str(line);
        out.push('\n');
    }
    None
}

fn product_file(path: &str, stem: &str, text: &str) -> Result<CatalogProduct, Box<Diagnostic>> {
    let fm = front_matter(text).ok_or_else(|| {
        Box::new(
            Diagnostic::error(
                "bad-catalog",
                Origin::new(path, 1, 1, 1),
                "no YAML front matter (`---` … `---`)",
            )
            .hint("an endoflife.date product file starts with `---`, its YAML, and `---`")
            .in_words(Text::new("cat.no_front_matter", &[]))
            .hint_words(Text::new("cat.no_front_matter_hint", &[])),
        )
    })?;
    let doc: FrontMatter = yaml::parse(path, &fm)?;
    check_id(path, stem)?;
    let mut cycles = Vec::new();
    for r in doc.releases {
        let r = r.value;
        let at = |s: &raw::S| yaml::origin(path, &s.referenced);
        let err = |s: &raw::S, m: Reason| {
            let cycle = &r.release_cycle.value;
            Box::new(
                Diagnostic::error("bad-date", at(s), format!("release {cycle}: {}", m.english))
                    .hint("endoflife.date fields are a date YYYY-MM-DD, true or false")
                    .in_words(Text::new("cat.release", &[("name", cycle)]).with("reason", m.text))
                    .hint_words(Text::new("cat.date_hint", &[])),
            )
        };
        let field = |s: &Option<raw::S>| -> Result<When, Box<Diagnostic>> {
            match s {
                None => Ok(When::No),
                Some(v) => when(Some(&v.value)).map_err(|m| err(v, m)),
            }
        };
        let day = |s: &Option<raw::S>| match s {
            None => Ok(None),
            Some(v) => date(Some(&v.value)).map_err(|m| err(v, m)),
        };
        let released = day(&r.release_date)?;
        let latest_date = day(&r.latest_release_date)?;
        // `lts: 2023-01-01` is the date the cycle became LTS: LTS either way.
        let lts = field(&r.lts)? != When::No;
        cycles.push(CatalogCycle {
            cycle: r.release_cycle.value.trim().to_string(),
            released,
            active_support_end: field(&r.eoas)?,
            eol: field(&r.eol)?,
            extended_support_end: field(&r.eoes)?,
            lts,
            latest: r.latest.map(|l| l.value.trim().to_string()).filter(|l| !l.is_empty()),
            latest_date,
        });
    }
    let identifiers =
        doc.identifiers.into_iter().flat_map(|m| m.into_iter()).filter_map(|(k, v)| Some((k, v?))).collect();
    Ok(CatalogProduct { id: stem.to_string(), title: doc.title, identifiers, cycles })
}

// ---- API JSON ------------------------------------------------------------------------------

fn text_of(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `isX`/`xFrom` pairs of API v1: the date when there is one, else the boolean.
fn v1_when(r: &serde_json::Value, flag: &str, from: &str) -> Result<When, Reason> {
    match when(text_of(r.get(from)).as_deref())? {
        When::No => when(text_of(r.get(flag)).as_deref()),
        d => Ok(d),
    }
}

fn v1(path: &str, stem: &str, result: serde_json::Value) -> Result<CatalogProduct, Box<Diagnostic>> {
    let id = text_of(result.get("name")).unwrap_or_else(|| stem.to_string());
    check_id(path, &id)?;
    let releases = result.get("releases").and_then(|r| r.as_array()).ok_or_else(|| {
        bad(path, "the API v1 document has no `result.releases` array", Text::new("cat.no_releases", &[]))
    })?;
    let mut cycles = Vec::new();
    for (n, r) in releases.iter().enumerate() {
        let name = text_of(r.get("name")).ok_or_else(|| {
            let text = Text::new("cat.release_no_name", &[("n", &(n + 1))]);
            bad(path, format!("release #{} has no `name`", n + 1), text)
        })?;
        let e = |m: Reason| {
            let text = Text::new("cat.release", &[("name", &name)]).with("reason", m.text);
            bad(path, format!("release {name}: {}", m.english), text)
        };
        cycles.push(CatalogCycle {
            cycle: name.clone(),
            released: date(text_of(r.get("releaseDate")).as_deref()).map_err(e)?,
            active_support_end: v1_when(r, "isEoas", "eoasFrom").map_err(e)?,
            eol: v1_when(r, "isEol", "eolFrom").map_err(e)?,
            extended_support_end: v1_when(r, "isEoes", "eoesFrom").map_err(e)?,
            lts: r.get("isLts").and_then(|v| v.as_bool()).unwrap_or(false),
            latest: match r.get("latest") {
                Some(serde_json::Value::Object(l)) => text_of(l.get("name")),
                other => text_of(other),
            },
            latest_date: match r.get("latest") {
                Some(serde_json::Value::Object(l)) => date(text_of(l.get("date")).as_deref()).map_err(e)?,
                _ => None,
            },
        });
    }
    let identifiers = result
        .get("identifiers")
        .and_then(|i| i.as_array())
        .map(|list| {
            list.iter().filter_map(|i| Some((text_of(i.get("type"))?, text_of(i.get("id"))?))).collect()
        })
        .unwrap_or_default();
    Ok(CatalogProduct { id, title: text_of(result.get("label")), identifiers, cycles })
}

fn v0(path: &str, stem: &str, items: Vec<serde_json::Value>) -> Result<CatalogProduct, Box<Diagnostic>> {
    check_id(path, stem)?;
    let mut cycles = Vec::new();
    for (n, r) in items.iter().enumerate() {
        let name = text_of(r.get("cycle")).ok_or_else(|| {
            let text = Text::new("cat.cycle_no_name", &[("n", &(n + 1))]);
            bad(path, format!("cycle #{} has no `cycle`", n + 1), text)
        })?;
        let e = |m: Reason| {
            let text = Text::new("cat.cycle", &[("name", &name)]).with("reason", m.text);
            bad(path, format!("cycle {name}: {}", m.english), text)
        };
        let w = |k: &str| when(text_of(r.get(k)).as_deref()).map_err(e);
        cycles.push(CatalogCycle {
            cycle: name.clone(),
            released: date(text_of(r.get("releaseDate")).as_deref()).map_err(e)?,
            // v0 names end of active support `support` and extended support `extendedSupport`.
            active_support_end: w("support")?,
            eol: w("eol")?,
            extended_support_end: w("extendedSupport")?,
            lts: w("lts")? != When::No,
            latest: text_of(r.get("latest")),
            latest_date: date(text_of(r.get("latestReleaseDate")).as_deref()).map_err(e)?,
        });
    }
    Ok(CatalogProduct { id: stem.to_string(), title: None, identifiers: Vec::new(), cycles })
}

// ---- merge and render ----------------------------------------------------------------------

/// What an import changes in one product file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The file did not exist.
    pub created: bool,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// `(cycle, old eol, new eol, moved earlier)`.
    pub eol_moved: Vec<(String, String, String, bool)>,
    /// Cycles with other changed fields (latest, dates other than eol…).
    pub updated: Vec<String>,
    /// Nothing to write: the catalog data equals the file's.
    pub unchanged: bool,
}

/// The existing product file's catalog part (to compare) and its `local:` section (to keep).
pub struct Existing {
    pub product: CatalogProduct,
    pub local: Vec<CatalogCycle>,
    pub text: String,
}

/// Reads an existing product file back, through the loader's own shape.
pub fn read_existing(path: &str, text: &str) -> Result<Existing, Box<Diagnostic>> {
    let p: raw::Product = yaml::parse(path, text)?;
    let conv = |c: &Spanned<raw::Cycle>| -> Result<CatalogCycle, Box<Diagnostic>> {
        let c = &c.value;
        let e = |s: &raw::S, m: Reason| {
            Box::new(
                Diagnostic::error("bad-date", yaml::origin(path, &s.referenced), m.english)
                    .hint("fix the product file (lifecycle validate shows every problem) before importing over it")
                    .in_words(m.text)
                    .hint_words(Text::new("cat.existing_hint", &[])),
            )
        };
        let w = |s: &Option<raw::S>| match s {
            None => Ok(When::No),
            Some(v) => when(Some(&v.value)).map_err(|m| e(v, m)),
        };
        Ok(CatalogCycle {
            cycle: c.cycle.value.clone(),
            released: match &c.released {
                None => None,
                Some(v) => date(Some(&v.value)).map_err(|m| e(v, m))?,
            },
            active_support_end: w(&c.active_support_end)?,
            eol: w(&c.eol)?,
            extended_support_end: w(&c.extended_support_end)?,
            lts: c.lts.unwrap_or(false),
            latest: c.latest.as_ref().map(|l| l.value.clone()),
            latest_date: match &c.latest_date {
                None => None,
                Some(v) => date(Some(&v.value)).map_err(|m| e(v, m))?,
            },
        })
    };
    let identifiers = p
        .identifiers
        .iter()
        .map(|i| match i {
            crate::model::Identifier::Purl(v) => ("purl".to_string(), v.clone()),
            crate::model::Identifier::Cpe(v) => ("cpe".to_string(), v.clone()),
            crate::model::Identifier::Repology(v) => ("repology".to_string(), v.clone()),
        })
        .collect();
    Ok(Existing {
        product: CatalogProduct {
            id: p.product.value.clone(),
            title: p.title.clone(),
            identifiers,
            cycles: p.cycles.iter().map(conv).collect::<Result<_, _>>()?,
        },
        local: p.local.iter().map(conv).collect::<Result<_, _>>()?,
        text: text.to_string(),
    })
}

/// Merges an import over the existing file: the catalog's cycles replace the file's, identifiers
/// are the union (the catalog's first), the title is the catalog's (else the file's), `local:` is kept.
pub fn merge(new: &CatalogProduct, old: Option<&Existing>) -> (CatalogProduct, Vec<CatalogCycle>, Changes) {
    let mut merged = new.clone();
    merged.identifiers.retain(|(k, _)| matches!(k.as_str(), "purl" | "cpe" | "repology"));
    let mut changes = Changes::default();
    let Some(old) = old else {
        changes.created = true;
        return (merged, Vec::new(), changes);
    };
    if merged.title.is_none() {
        merged.title = old.product.title.clone();
    }
    for i in &old.product.identifiers {
        if !merged.identifiers.contains(i) {
            merged.identifiers.push(i.clone());
        }
    }
    for c in &merged.cycles {
        match old.product.cycles.iter().find(|o| o.cycle == c.cycle) {
            None => changes.added.push(c.cycle.clone()),
            Some(o) if o == c => {}
            Some(o) => {
                if o.eol != c.eol {
                    // Earlier: a date moved back, or a cycle now said to have ended. A first announcement
                    // (no date → a date) is a change, not a move.
                    let earlier = match (&o.eol, &c.eol) {
                        (When::Date(a), When::Date(b)) => b < a,
                        (When::No | When::Date(_), When::Yes) => true,
                        _ => false,
                    };
                    changes.eol_moved.push((c.cycle.clone(), o.eol.text(), c.eol.text(), earlier));
                } else {
                    changes.updated.push(c.cycle.clone());
                }
            }
        }
    }
    for o in &old.product.cycles {
        if !merged.cycles.iter().any(|c| c.cycle == o.cycle) {
            changes.removed.push(o.cycle.clone());
        }
    }
    changes.unchanged = merged.title == old.product.title
        && merged.identifiers == old.product.identifiers
        && merged.cycles == old.product.cycles;
    (merged, old.local.clone(), changes)
}

fn render_cycle(out: &mut String, c: &CatalogCycle) {
    out.push_str(&format!("  - cycle: {}\n", crate::store::quoted(&c.cycle)));
    if let Some(d) = c.released {
        out.push_str(&format!("    released: {d}\n"));
    }
    for (k, v) in [
        ("active_support_end", &c.active_support_end),
        ("eol", &c.eol),
        ("extended_support_end", &c.extended_support_end),
    ] {
        if let Some(v) = v.yaml() {
            out.push_str(&format!("    {k}: {v}\n"));
        }
    }
    if c.lts {
        out.push_str("    lts: true\n");
    }
    if let Some(l) = &c.latest {
        out.push_str(&format!("    latest: {}\n", crate::store::quoted(l)));
    }
    if let Some(d) = c.latest_date {
        out.push_str(&format!("    latest_date: {d}\n"));
    }
}

/// The product file (§3.2) for `p`, with its `local:` corrections. `source` is the `source:` mapping.
pub fn render(p: &CatalogProduct, local: &[CatalogCycle], source: &str) -> String {
    let mut out = String::from(
        "# Lifecycle catalog from endoflife.date, written by `lifecycle catalog import`/`sync`.\n# `cycles:` is replaced by every import; put the repository's own corrections under `local:`.\n",
    );
    out.push_str(&format!("product: {}\n", scalar(&p.id)));
    if let Some(t) = &p.title {
        out.push_str(&format!("title: {}\n", scalar(t)));
    }
    // The loader knows these kinds of identifier; endoflife.date has a few more.
    let ids: Vec<_> =
        p.identifiers.iter().filter(|(k, _)| matches!(k.as_str(), "purl" | "cpe" | "repology")).collect();
    if !ids.is_empty() {
        out.push_str("identifiers:\n");
        for (k, v) in ids {
            out.push_str(&format!("  - {{{k}: {}}}\n", crate::store::quoted(v)));
        }
    }
    out.push_str(&format!("source: {source}\n"));
    out.push_str("cycles:\n");
    if p.cycles.is_empty() {
        out.truncate(out.len() - 1);
        out.push_str(" []\n");
    }
    for c in &p.cycles {
        render_cycle(&mut out, c);
    }
    if !local.is_empty() {
        out.push_str("local:\n");
        for c in local {
            render_cycle(&mut out, c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = "---\ntitle: Redis\ncategory: database\nsomethingNew: {a: [1, 2]}\nidentifiers:\n  - purl: pkg:generic/redis\n  - cpe: cpe:2.3:a:redis:redis\n  - other: x\nreleases:\n  - releaseCycle: \"7.2\"\n    releaseDate: 2023-08-15\n    eoas: 2024-02-29\n    eol: 2026-02-28\n    lts: true\n    latest: \"7.2.7\"\n    latestReleaseDate: 2024-10-02\n  - releaseCycle: 3.10\n    releaseDate: 2010-01-01\n    eol: true\n---\n\n> text\n";

    #[test]
    fn product_files_map_to_cycles_and_ignore_unknown_keys() {
        let (f, p) = parse("products/redis.md", MD).unwrap();
        assert_eq!(f, Format::ProductFile);
        assert_eq!(p.id, "redis");
        assert_eq!(p.title.as_deref(), Some("Redis"));
        assert_eq!(p.identifiers.len(), 3);
        assert_eq!(p.cycles[0].cycle, "7.2");
        assert_eq!(p.cycles[0].eol, When::Date(chrono::NaiveDate::from_ymd_opt(2026, 2, 28).unwrap()));
        assert!(p.cycles[0].lts);
        assert_eq!(p.cycles[0].latest.as_deref(), Some("7.2.7"));
        assert_eq!(p.cycles[0].latest_date, chrono::NaiveDate::from_ymd_opt(2024, 10, 2));
        assert_eq!(p.cycles[1].cycle, "3.10", "cycles stay text");
        assert_eq!(p.cycles[1].latest_date, None);
        assert_eq!(p.cycles[1].eol, When::Yes);
    }

    #[test]
    fn bad_dates_name_the_line() {
        let md = MD.replace("eol: 2026-02-28", "eol: 2026-02-30");
        let d = parse("products/redis.md", &md).unwrap_err();
        assert_eq!((d.origin.line, d.code), (13, "bad-date"));
        assert!(d.message.contains("release 7.2"), "{}", d.message);
    }

    #[test]
    fn api_v1_and_v0_map_like_product_files() {
        let v1 = r#"{"schema_version":"1.2.0","result":{"name":"redis","label":"Redis",
          "identifiers":[{"id":"pkg:generic/redis","type":"purl"}],
          "releases":[{"name":"7.2","releaseDate":"2023-08-15","isLts":true,"isEoas":true,"eoasFrom":"2024-02-29",
          "isEol":false,"eolFrom":"2026-02-28","isEoes":null,"eoesFrom":null,"latest":{"name":"7.2.7","date":"2024-10-02"}},
          {"name":"3.10","releaseDate":"2010-01-01","isLts":false,"isEol":true,"eolFrom":null,"latest":null}]}}"#;
        let (f, a) = parse("redis.json", v1).unwrap();
        assert_eq!(f, Format::ApiV1);
        let (_, b) = parse("products/redis.md", MD).unwrap();
        assert_eq!(a.cycles, b.cycles);
        let v0 = r#"[{"cycle":"7.2","releaseDate":"2023-08-15","support":"2024-02-29","eol":"2026-02-28","lts":true,"latest":"7.2.7","latestReleaseDate":"2024-10-02"},
                     {"cycle":"3.10","releaseDate":"2010-01-01","eol":true}]"#;
        let (f, c) = parse("redis.json", v0).unwrap();
        assert_eq!(f, Format::ApiV0);
        assert_eq!(c.cycles, b.cycles);
    }

    #[test]
    fn merge_keeps_local_and_reports_moves() {
        let (_, new) = parse("products/redis.md", MD).unwrap();
        let mut older = new.clone();
        older.cycles[0].eol = When::Date(chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
        older.cycles.remove(1);
        let local = vec![CatalogCycle { cycle: "6.2".into(), eol: When::Yes, ..Default::default() }];
        let text = render(&older, &local, "{kind: endoflife.date}");
        let existing = read_existing("inventory/products/redis.yaml", &text).unwrap();
        assert_eq!(existing.product.cycles, older.cycles, "render and read back agree");
        let (merged, kept, changes) = merge(&new, Some(&existing));
        assert_eq!(kept, local);
        assert_eq!(changes.added, ["3.10"]);
        assert_eq!(changes.eol_moved, [("7.2".into(), "2027-01-01".into(), "2026-02-28".into(), true)]);
        assert!(!changes.unchanged);
        let again = read_existing("x.yaml", &render(&merged, &kept, "{kind: endoflife.date}")).unwrap();
        assert!(merge(&new, Some(&again)).2.unchanged);
    }

    /// A bad `latestReleaseDate` is an error at its line, in product files and API answers alike.
    #[test]
    fn bad_latest_release_dates_are_errors() {
        let md = MD.replace("latestReleaseDate: 2024-10-02", "latestReleaseDate: 2024-13-02");
        let d = parse("products/redis.md", &md).unwrap_err();
        assert_eq!((d.origin.line, d.code), (16, "bad-date"));
        let v1 = r#"{"result":{"name":"redis","releases":[{"name":"7.2","latest":{"name":"7.2.7","date":"soon"}}]}}"#;
        let d = parse("redis.json", v1).unwrap_err();
        assert!(d.message.contains("release 7.2"), "{}", d.message);
        let v0 = r#"[{"cycle":"7.2","latest":"7.2.7","latestReleaseDate":"2024-02-30"}]"#;
        assert!(parse("redis.json", v0).is_err());
    }

    /// An import that only brings a newer patch release (latest and its date) updates the cycle,
    /// rewrites it, and keeps `local:`.
    #[test]
    fn a_new_patch_release_is_an_update() {
        let (_, new) = parse("products/redis.md", MD).unwrap();
        let mut older = new.clone();
        older.cycles[0].latest = Some("7.2.6".into());
        older.cycles[0].latest_date = chrono::NaiveDate::from_ymd_opt(2024, 9, 1);
        let local = vec![CatalogCycle { cycle: "7.2".into(), eol: When::Yes, ..Default::default() }];
        let existing = read_existing("x.yaml", &render(&older, &local, "{kind: endoflife.date}")).unwrap();
        assert_eq!(existing.product.cycles[0].latest_date, older.cycles[0].latest_date, "read back");
        let (merged, kept, changes) = merge(&new, Some(&existing));
        assert_eq!((changes.updated.as_slice(), changes.unchanged), (&["7.2".to_string()][..], false));
        assert_eq!(kept, local);
        let text = render(&merged, &kept, "{kind: endoflife.date}");
        assert!(text.contains("    latest: \"7.2.7\"\n    latest_date: 2024-10-02\n"), "{text}");
    }
}
