//! Observations (§5.4): what scanners saw, turned into one normalised file per system and host.
//! Reads CycloneDX and SPDX JSON (`sbom`), `dpkg-query -W` / `rpm -qa` package lists and a plain CSV
//! (`system,host,product,version,collected_at`). Parsing and rendering are pure; `cmd::observe` reads
//! the inputs, names the systems and writes the files.

use chrono::{DateTime, FixedOffset};

use crate::diag::{Diagnostic, Origin, Text};
use crate::model::observed::Observed;
use crate::model::time::parse_timestamp;
use crate::model::version;
use crate::store::{quoted, scalar};

/// The CSV header, exactly (spaces around names are allowed).
pub const CSV_HEADER: [&str; 5] = ["system", "host", "product", "version", "collected_at"];
/// Most components one input may hold: far above any real SBOM, low enough to bound memory.
pub const MAX_COMPONENTS: usize = 1_000_000;

/// Which kind of input a file was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CycloneDx,
    Spdx,
    Packages,
    Csv,
}

impl Format {
    /// The word written as the observation's `source.kind`.
    pub fn kind(self) -> &'static str {
        match self {
            Format::CycloneDx => "cyclonedx",
            Format::Spdx => "spdx",
            Format::Packages => "packages",
            Format::Csv => "csv",
        }
    }
}

/// One scan of one input: a system's host (or, before the system is named, an SBOM's subject).
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// From the input itself (CSV rows); SBOMs and package lists leave it to the command.
    pub system: Option<String>,
    pub host: Option<String>,
    /// The SBOM's subject: CycloneDX `metadata.component.name`, SPDX's described package.
    pub subject: Option<String>,
    pub collected_at: Option<DateTime<FixedOffset>>,
    pub components: Vec<Observed>,
    /// The first line of the input this scan comes from (for messages).
    pub line: u32,
}

/// `message` and `hint` in English, `words` (the message's, then the hint's) for other languages.
pub fn bad(
    origin: Origin,
    message: impl Into<String>,
    hint: impl Into<String>,
    words: (Text, Text),
) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error("bad-observation", origin, message)
            .hint(hint)
            .in_words(words.0)
            .hint_words(words.1),
    )
}

/// The 1-based line and column of the first `needle` in `text` (1:1 when absent).
pub fn locate(text: &str, needle: &str) -> (u32, u32) {
    let Some(at) = text.find(needle) else { return (1, 1) };
    let before = &text[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
    (line, col)
}

/// A timestamp of a JSON document, located at its key when it does not parse.
pub fn timestamp(
    path: &str,
    text: &str,
    key: &str,
    value: &str,
) -> Result<DateTime<FixedOffset>, Box<Diagnostic>> {
    parse_timestamp(value, chrono_tz::UTC).map_err(|m| {
        let (line, col) = locate(text, key);
        let words =
            (Text::new("diag.bad_timestamp", &[("value", &value)]), Text::new("obs.timestamp_hint", &[]));
        bad(Origin::new(path, line, col, 1), format!("`{value}`: {m}"), "timestamps are RFC 3339", words)
    })
}

/// A component of an SBOM: distribution packages (purl type deb, rpm, apk, alpm) get their upstream
/// version; the reported one is kept in `raw`.
pub fn component(name: &str, version: &str, purl: Option<String>, cpe: Option<String>) -> Observed {
    let distro = purl
        .as_deref()
        .is_some_and(|p| ["pkg:deb/", "pkg:rpm/", "pkg:apk/", "pkg:alpm/"].iter().any(|t| p.starts_with(t)));
    if distro { packaged(name, version, purl, cpe) } else { plain(name, version, purl, cpe) }
}

fn plain(name: &str, version: &str, purl: Option<String>, cpe: Option<String>) -> Observed {
    Observed { product: name.trim().to_string(), version: version.trim().to_string(), raw: None, purl, cpe }
}

fn packaged(name: &str, raw: &str, purl: Option<String>, cpe: Option<String>) -> Observed {
    let up = version::upstream(raw);
    Observed {
        product: name.trim().to_string(),
        version: up.to_string(),
        raw: (up != raw.trim()).then(|| raw.trim().to_string()),
        purl,
        cpe,
    }
}

/// Parses one input. `path` names it in errors.
pub fn parse(path: &str, text: &str) -> Result<(Format, Vec<Scan>), Box<Diagnostic>> {
    if let Some(at) = text.find('\0') {
        let (line, col) = locate(text, &text[at..at + 1]);
        return Err(bad(
            Origin::new(path, line, col, 1),
            "the file contains a NUL byte",
            "import the scanner's text or JSON output, not a binary file",
            (Text::new("load.not_text", &[]), Text::new("obs.binary_hint", &[])),
        ));
    }
    let trimmed = text.trim_start();
    let scans = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| super::eol::json_error(path, &e))?;
        let field = |k: &str| value.get(k).and_then(|v| v.as_str());
        if field("bomFormat") == Some("CycloneDX") {
            (Format::CycloneDx, vec![super::sbom::cyclonedx(path, text)?])
        } else if field("spdxVersion").is_some() {
            (Format::Spdx, vec![super::sbom::spdx(path, text)?])
        } else {
            return Err(bad(
                Origin::new(path, 1, 1, 1),
                "the JSON is neither a CycloneDX BOM (`bomFormat`) nor an SPDX document (`spdxVersion`)",
                "import CycloneDX JSON 1.4–1.6 or SPDX 2.3 JSON",
                (Text::new("obs.not_sbom", &[]), Text::new("obs.not_sbom_hint", &[])),
            ));
        }
    } else if is_csv(text) {
        (Format::Csv, csv(path, text)?)
    } else {
        (Format::Packages, vec![packages(path, text)?])
    };
    let count: usize = scans.1.iter().map(|s| s.components.len()).sum();
    if count > MAX_COMPONENTS {
        return Err(bad(
            Origin::file(path),
            format!("{count} components; an input may hold up to {MAX_COMPONENTS}"),
            "split the input by system or host",
            (
                Text::new("obs.too_many", &[("count", &count), ("max", &MAX_COMPONENTS)]),
                Text::new("obs.too_many_hint", &[]),
            ),
        ));
    }
    Ok(scans)
}

fn first_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).find(|l| !l.is_empty())
}

fn is_csv(text: &str) -> bool {
    first_line(text).is_some_and(|l| l.contains(','))
}

/// `NAME VERSION` lines, as `dpkg-query -W -f='${Package} ${Version}\n'` and
/// `rpm -qa --qf '%{NAME} %{VERSION}-%{RELEASE}\n'` print them. A package with no version (dpkg lists
/// removed packages whose configuration files remain) is skipped.
fn packages(path: &str, text: &str) -> Result<Scan, Box<Diagnostic>> {
    let mut components = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let at = || Origin::new(path, n as u32 + 1, 1, line.chars().count().max(1) as u32);
        match fields.as_slice() {
            [] | [_] => {}
            [name, version] => components.push(packaged(name, version, None, None)),
            _ => {
                return Err(bad(
                    at(),
                    "a package line has more than a name and a version",
                    "list packages with `dpkg-query -W -f='${Package} ${Version}\\n'` or `rpm -qa --qf '%{NAME} %{VERSION}-%{RELEASE}\\n'`",
                    (Text::new("obs.package_line", &[]), Text::new("obs.package_line_hint", &[])),
                ));
            }
        }
    }
    if components.is_empty() {
        return Err(bad(
            Origin::file(path),
            "the file lists no package with a version",
            "import CycloneDX or SPDX JSON, a dpkg-query/rpm package list, or a CSV with the header system,host,product,version,collected_at",
            (Text::new("obs.no_packages", &[]), Text::new("obs.no_packages_hint", &[])),
        ));
    }
    Ok(Scan { system: None, host: None, subject: None, collected_at: None, components, line: 1 })
}

/// The plain CSV: a header, then one row per component; rows are grouped by system and host, and a
/// group's time is its newest row's.
fn csv(path: &str, text: &str) -> Result<Vec<Scan>, Box<Diagnostic>> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((h, header)) = lines.next() else { return Ok(Vec::new()) };
    let names: Vec<String> = header.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    if names != CSV_HEADER {
        return Err(bad(
            Origin::new(path, h as u32 + 1, 1, header.chars().count().max(1) as u32),
            format!("the CSV header is `{}`", header.trim()),
            "the first line of a CSV is exactly: system,host,product,version,collected_at",
            (
                Text::new("obs.csv_header", &[("header", &header.trim())]),
                Text::new("obs.csv_header_hint", &[]),
            ),
        ));
    }
    let mut scans: Vec<Scan> = Vec::new();
    for (n, line) in lines {
        let line_no = n as u32 + 1;
        let cells: Vec<&str> = line.split(',').map(|c| c.trim().trim_matches('"').trim()).collect();
        let at = |col: usize| {
            let start = line.split(',').take(col).map(|c| c.chars().count() + 1).sum::<usize>() as u32 + 1;
            Origin::new(path, line_no, start, 1)
        };
        if cells.len() != 5 {
            return Err(bad(
                at(0),
                format!("the row has {} fields; a row has 5", cells.len()),
                "write system,host,product,version,collected_at (no commas inside values)",
                (Text::new("obs.csv_fields", &[("n", &cells.len())]), Text::new("obs.csv_fields_hint", &[])),
            ));
        }
        if let Some(empty) = cells.iter().take(4).position(|c| c.is_empty()) {
            return Err(bad(
                at(empty),
                format!("`{}` is empty", CSV_HEADER[empty]),
                "every row names a system, host, product and version",
                (
                    Text::new("obs.csv_empty", &[("column", &CSV_HEADER[empty])]),
                    Text::new("obs.csv_empty_hint", &[]),
                ),
            ));
        }
        let when = parse_timestamp(cells[4], chrono_tz::UTC).map_err(|m| {
            bad(
                at(4),
                format!("`{}`: {m}", cells[4]),
                "write collected_at as RFC 3339, e.g. 2024-09-01T08:00:00Z",
                (
                    Text::new("diag.bad_timestamp", &[("value", &cells[4])]),
                    Text::new("obs.csv_time_hint", &[]),
                ),
            )
        })?;
        let c = plain(cells[2], cells[3], None, None);
        match scans
            .iter_mut()
            .find(|s| s.system.as_deref() == Some(cells[0]) && s.host.as_deref() == Some(cells[1]))
        {
            Some(s) => {
                s.components.push(c);
                s.collected_at = s.collected_at.max(Some(when));
            }
            None => scans.push(Scan {
                system: Some(cells[0].to_string()),
                host: Some(cells[1].to_string()),
                subject: None,
                collected_at: Some(when),
                components: vec![c],
                line: line_no,
            }),
        }
    }
    Ok(scans)
}

/// A host name as a file name: characters other than letters, digits, `.`, `_`, `-` become `-`.
pub fn host_file(host: &str) -> String {
    let name: String = host
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '-' })
        .collect();
    let name = name.trim_start_matches(['.', '-']).to_string();
    if name.is_empty() { "host".to_string() } else { name }
}

/// Where an observation is written, and what it says.
pub struct Observation<'a> {
    pub system: &'a str,
    pub host: &'a str,
    pub format: Format,
    pub file: &'a str,
    pub digest: &'a str,
    pub collected_at: DateTime<FixedOffset>,
    pub components: &'a [Observed],
}

/// The observation file: fixed header and key order, components sorted and without duplicates.
pub fn render(o: &Observation) -> String {
    let mut out = String::from(
        "# Observed by a scanner, written by `lifecycle observe import` (§5.4). Evidence, never authority:\n# it does not cover or replace approvals. Re-importing a newer scan of this host replaces it.\n",
    );
    out.push_str(&format!("system: {}\n", scalar(o.system)));
    out.push_str(&format!("host: {}\n", quoted(o.host)));
    out.push_str(&format!(
        "source: {{kind: {}, file: {}, digest: {}}}\n",
        o.format.kind(),
        quoted(o.file),
        scalar(o.digest)
    ));
    out.push_str(&format!(
        "collected_at: {}\n",
        o.collected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    ));
    let mut list: Vec<&Observed> = o.components.iter().collect();
    list.sort_by(|a, b| {
        (&a.product, &a.version, &a.raw, &a.purl).cmp(&(&b.product, &b.version, &b.raw, &b.purl))
    });
    list.dedup();
    if list.is_empty() {
        out.push_str("components: []\n");
        return out;
    }
    out.push_str("components:\n");
    for c in list {
        let mut fields =
            vec![format!("product: {}", quoted(&c.product)), format!("version: {}", quoted(&c.version))];
        if let Some(raw) = &c.raw {
            fields.push(format!("raw: {}", quoted(raw)));
        }
        if let Some(purl) = &c.purl {
            fields.push(format!("purl: {}", quoted(purl)));
        }
        if let Some(cpe) = &c.cpe {
            fields.push(format!("cpe: {}", quoted(cpe)));
        }
        out.push_str(&format!("  - {{{}}}\n", fields.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_lists_keep_raw_versions() {
        let (f, scans) =
            parse("dpkg.txt", "openssl 3.0.19-1~deb12u2\nlibssl1.1:amd64 \nzlib1g 1:1.2.13.dfsg-1\n")
                .unwrap();
        assert_eq!(f, Format::Packages);
        let c = &scans[0].components;
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].version.as_str(), c[0].shown()), ("3.0.19", "3.0.19-1~deb12u2"));
        assert_eq!(c[1].version, "1.2.13.dfsg");
    }

    #[test]
    fn bad_inputs_are_located() {
        let e =
            parse("bom.json", "{\"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.6\", \"components\": [")
                .unwrap_err();
        assert_eq!((e.code, e.origin.line), ("bad-json", 2));
        let e = parse("bom.json", "{\"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.2\"}").unwrap_err();
        assert_eq!((e.code, e.origin.line, e.origin.col), ("bad-observation", 2, 3));
        let e = parse("s.json", "{\n\"spdxVersion\": \"SPDX-3.0\"}").unwrap_err();
        assert_eq!((e.code, e.origin.line), ("bad-observation", 2));
        let e = parse("o.csv", "system,host,product,version,collected_at\nweb,h1,redis,7.2.0,yesterday\n")
            .unwrap_err();
        assert_eq!((e.origin.line, e.origin.col), (2, 20));
        let e = parse("p.txt", "a 1\nb 2 3\n").unwrap_err();
        assert_eq!(e.origin.line, 2);
    }

    #[test]
    fn csv_rows_group_by_system_and_host() {
        let text = "system, host, product, version, collected_at\nweb,h1,redis,7.2.0,2024-09-01T00:00:00Z\nweb,h1,nginx,1.24.0,2024-09-02T00:00:00Z\nweb,h2,redis,6.2.14,2024-09-01T00:00:00Z\n";
        let (_, scans) = parse("o.csv", text).unwrap();
        assert_eq!(scans.len(), 2);
        assert_eq!(scans[0].components.len(), 2);
        assert_eq!(scans[0].collected_at.unwrap().to_rfc3339(), "2024-09-02T00:00:00+00:00");
    }

    #[test]
    fn host_names_become_safe_file_names() {
        assert_eq!(host_file("cache-01.prod"), "cache-01.prod");
        assert_eq!(host_file("../../etc/passwd"), "etc-passwd");
        assert_eq!(host_file(".."), "host");
    }

    /// What the importer writes reads back, whatever the scanner put in names and versions.
    #[test]
    fn rendered_observations_read_back() {
        let odd = "a\u{7f}b: \"x\" #c\n\u{feff}\u{85}é";
        let c = Observed {
            product: odd.into(),
            version: "1.0 2".into(),
            raw: Some(odd.into()),
            purl: Some(odd.into()),
            cpe: None,
        };
        let at = chrono::DateTime::parse_from_rfc3339("2024-09-01T00:00:00Z").unwrap();
        let text = render(&Observation {
            system: "web",
            host: odd,
            format: Format::Packages,
            file: odd,
            digest: "sha256:00",
            collected_at: at,
            components: std::slice::from_ref(&c),
        });
        let loaded = crate::load::load_blobs(
            crate::model::Settings::default(),
            vec![("inventory/observed/web/h.yaml".into(), text.clone().into_bytes())],
        );
        assert!(!loaded.has_errors(), "{:?}\n{text}", loaded.diagnostics);
        let o = &loaded.repo.observations[0];
        assert_eq!((o.host.as_str(), &o.components[0]), (odd, &c));
    }
}
