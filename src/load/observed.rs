//! A fast reader for observation files exactly as `observe import` writes them (fixed key order, one
//! flow mapping per component, JSON-style quoting). Ten thousand observed systems would otherwise double
//! `check`'s time in YAML parsing alone. Anything else (a hand edit, a comment in the middle, an error)
//! returns `None` and the file goes through the full YAML loader, which reports every problem located.

use chrono::DateTime;

use crate::diag::Origin;
use crate::model::observed::{Observation, Observed};

/// A cursor over one line.
struct Line<'a> {
    rest: &'a str,
}

impl<'a> Line<'a> {
    fn eat(&mut self, prefix: &str) -> Option<()> {
        self.rest = self.rest.strip_prefix(prefix)?;
        Some(())
    }

    /// A double-quoted scalar (JSON escapes, which YAML reads the same) or a plain word.
    fn value(&mut self) -> Option<String> {
        if self.rest.starts_with('"') {
            let mut it = serde_json::Deserializer::from_str(self.rest).into_iter::<String>();
            let v = it.next()?.ok()?;
            self.rest = &self.rest[it.byte_offset()..];
            return Some(v);
        }
        let end = self.rest.find([',', '}']).unwrap_or(self.rest.len());
        let word = &self.rest[..end];
        let plain = !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '@' | ':' | '+'))
            && !word.starts_with(['-', '.'])
            && !matches!(word, "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~");
        if !plain {
            return None;
        }
        self.rest = &self.rest[end..];
        Some(word.to_string())
    }

    /// `key: value` pairs of a flow mapping, in the order given; optional keys may be left out.
    fn mapping(&mut self, keys: &[(&str, bool)]) -> Option<Vec<Option<String>>> {
        self.eat("{")?;
        let mut out = Vec::with_capacity(keys.len());
        let mut first = true;
        for (key, required) in keys {
            let sep = if first { "" } else { ", " };
            let probe = format!("{sep}{key}: ");
            if self.rest.starts_with(&probe) {
                self.eat(&probe)?;
                out.push(Some(self.value()?));
                first = false;
            } else if *required {
                return None;
            } else {
                out.push(None);
            }
        }
        self.eat("}")?;
        self.rest.is_empty().then_some(out)
    }
}

fn scalar_line(line: &str, key: &str) -> Option<String> {
    let mut l = Line { rest: line.strip_prefix(key)?.strip_prefix(": ")? };
    let v = l.value()?;
    l.rest.is_empty().then_some(v)
}

/// The observation in `text`, when the file is exactly as `observe import` writes it and valid.
pub fn fast(path: &str, text: &str) -> Option<Observation> {
    let mut lines = text.lines().enumerate().skip_while(|(_, l)| l.starts_with('#'));
    let (n, system_line) = lines.next()?;
    let system = scalar_line(system_line, "system")?;
    if !super::convert::valid_id(&system, false) {
        return None;
    }
    let host = scalar_line(lines.next()?.1, "host")?;
    if host.trim().is_empty() {
        return None;
    }
    let mut source = Line { rest: lines.next()?.1.strip_prefix("source: ")? };
    let source = source.mapping(&[("kind", true), ("file", false), ("digest", false)])?;
    let collected_at = DateTime::parse_from_rfc3339(lines.next()?.1.strip_prefix("collected_at: ")?).ok()?;
    let mut components = Vec::new();
    match lines.next()?.1 {
        "components: []" => {}
        "components:" => {
            for (_, line) in lines.by_ref() {
                let mut l = Line { rest: line.strip_prefix("  - ")? };
                let keys =
                    [("product", true), ("version", true), ("raw", false), ("purl", false), ("cpe", false)];
                let mut v = l.mapping(&keys)?.into_iter();
                components.push(Observed {
                    product: v.next()??,
                    version: v.next()??,
                    raw: v.next()?,
                    purl: v.next()?,
                    cpe: v.next()?,
                });
            }
        }
        _ => return None,
    }
    if lines.next().is_some() {
        return None;
    }
    let origin = Origin::new(path, n as u32 + 1, 9, system.chars().count() as u32);
    Some(Observation { system, host, source: source.into_iter().next()??, collected_at, components, origin })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::observe::{Format, Observation as Out, render};

    /// The full YAML path, for comparison.
    fn slow(path: &str, text: &str) -> Observation {
        let raw: crate::load::raw::Observation = crate::load::yaml::parse(path, text).expect("valid YAML");
        let mut b = crate::load::convert::Builder::new(Default::default(), chrono_tz::UTC);
        b.add(path, crate::load::convert::Parsed::Observation(Box::new(raw)));
        let (repo, _) = b.finish();
        repo.observations.into_iter().next().expect("an observation")
    }

    fn same(a: &Observation, b: &Observation) {
        assert_eq!(
            (&a.system, &a.host, &a.source, a.collected_at),
            (&b.system, &b.host, &b.source, b.collected_at)
        );
        assert_eq!(a.components, b.components);
        assert_eq!((a.origin.line, a.origin.col), (b.origin.line, b.origin.col));
    }

    #[test]
    fn the_fast_path_reads_what_the_full_loader_reads() {
        let odd = "a\u{7f}b: \"x\" #c\n\u{feff}é, {y}";
        let at = DateTime::parse_from_rfc3339("2024-09-01T08:00:00+08:00").unwrap();
        let lists: [Vec<Observed>; 3] = [
            vec![],
            vec![Observed {
                product: "redis".into(),
                version: "6.2.14".into(),
                raw: None,
                purl: None,
                cpe: None,
            }],
            vec![
                Observed {
                    product: odd.into(),
                    version: "3.10".into(),
                    raw: Some("1:3.10-1".into()),
                    purl: Some(odd.into()),
                    cpe: Some("cpe:2.3:a:x:y".into()),
                },
                Observed {
                    product: "yes".into(),
                    version: "true".into(),
                    raw: None,
                    purl: Some("pkg:npm/a@1".into()),
                    cpe: None,
                },
            ],
        ];
        for (i, components) in lists.iter().enumerate() {
            let text = render(&Out {
                system: if i == 1 { "3.10" } else { "web" },
                host: odd,
                format: Format::CycloneDx,
                file: odd,
                digest: "sha256:00ff",
                collected_at: at,
                components,
            });
            let path = "inventory/observed/web/h.yaml";
            let fast = fast(path, &text).unwrap_or_else(|| panic!("not read by the fast path:\n{text}"));
            same(&fast, &slow(path, &text));
        }
    }

    #[test]
    fn anything_else_takes_the_full_path() {
        let good = "system: web\nhost: \"h\"\nsource: {kind: csv}\ncollected_at: 2024-09-01T00:00:00Z\ncomponents: []\n";
        assert!(fast("p", good).is_some());
        for bad in [
            good.replace("web", "Web"),
            good.replace("\"h\"", "\" \""),
            good.replace("2024-09-01T00:00:00Z", "2024-09-01"),
            good.replace("{kind: csv}", "{kind: csv, extra: 1}"),
            good.replace("components: []\n", "components:\n  - {version: \"1\", product: \"a\"}\n"),
            good.replace("components: []\n", "components: []\n# trailing\n"),
            good.replace("host:", "hosts:"),
        ] {
            assert!(fast("p", &bad).is_none(), "{bad}");
        }
    }
}
