//! The one module that writes repository files: fixed header, fixed key order, written to a temporary
//! file in the same folder and renamed into place, only after every check passed.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `content` to `path` atomically (a crash leaves the old file or none, never half a file).
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file to write has a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".lifecycle-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(content)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes a new file atomically, refusing to replace an existing one.
pub fn create_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file to write has a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new().prefix(".lifecycle-").tempfile_in(dir)?;
    tmp.write_all(content)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot create {} (does it exist already?)", path.display()))?;
    Ok(())
}

/// A YAML scalar: plain when unambiguous, otherwise double-quoted (JSON strings are valid YAML).
/// `v` as a YAML double-quoted scalar: JSON's escaping, plus `\u` escapes for the characters YAML does
/// not allow unescaped (DEL, C1 controls, U+FEFF, U+FFFE/U+FFFF), so every text we write reads back.
pub fn quoted(v: &str) -> String {
    let json = serde_json::to_string(v).unwrap_or_default();
    let printable = |c: char| !matches!(c, '\u{7f}'..='\u{84}' | '\u{86}'..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}');
    if json.chars().all(printable) {
        return json;
    }
    json.chars().map(|c| if printable(c) { c.to_string() } else { format!("\\u{:04x}", c as u32) }).collect()
}

pub fn scalar(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '@'))
        && !v.starts_with(['-', '.'])
        && !matches!(v, "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~")
        && v.parse::<f64>().is_err();
    if plain { v.to_string() } else { quoted(v) }
}

/// A change request as `change new` writes it.
pub struct NewRequest<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub class: &'a str,
    pub requested_by: &'a str,
    pub requested_at: &'a str,
    pub reason: &'a str,
    pub targets: Vec<RequestTarget>,
    pub until: Option<String>,
}

pub enum RequestTarget {
    Version {
        system: String,
        component: String,
        from: String,
        to: String,
    },
    /// A whole system: renamed or onboarded (`to: None`), or removed (`to: removed`).
    System {
        system: String,
        to: Option<String>,
    },
    File {
        path: String,
        digest: String,
    },
}

impl NewRequest<'_> {
    pub fn to_yaml(&self) -> String {
        let mut out = String::from(
            "# Change request written by `lifecycle change new`. Edit it before the first sign-off:\n# any edit afterwards makes every sign-off stale.\n",
        );
        out.push_str(&format!("id: {}\n", scalar(self.id)));
        out.push_str(&format!("title: {}\n", scalar(self.title)));
        out.push_str(&format!("class: {}\n", scalar(self.class)));
        out.push_str(&format!("requested_by: {}\n", scalar(self.requested_by)));
        out.push_str(&format!("requested_at: {}\n", scalar(self.requested_at)));
        out.push_str(&format!("reason: {}\n", scalar(self.reason)));
        out.push_str("targets:\n");
        for t in &self.targets {
            match t {
                RequestTarget::Version { system, component, from, to } => out.push_str(&format!(
                    "  - {{system: {}, component: {}, from: {}, to: {}}}\n",
                    scalar(system),
                    scalar(component),
                    quoted(from),
                    quoted(to)
                )),
                RequestTarget::System { system, to: Some(to) } => {
                    out.push_str(&format!("  - {{system: {}, to: {}}}\n", scalar(system), quoted(to)))
                }
                RequestTarget::System { system, to: None } => {
                    out.push_str(&format!("  - {{system: {}}}\n", scalar(system)))
                }
                RequestTarget::File { path, digest } => {
                    out.push_str(&format!("  - {{path: {}, digest: {}}}\n", scalar(path), scalar(digest)))
                }
            }
        }
        if let Some(until) = &self.until {
            out.push_str(&format!("until: {until}\n"));
        }
        out.push_str("# risk: low | medium | high\n# plan: {gray_at: …, production_at: …, executor: …, supervisor: …, backout: \"…\", tests: \"…\"}\n# budget: {amount: …, currency: CNY}\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_quote_what_yaml_would_misread() {
        assert_eq!(scalar("redis-session"), "redis-session");
        assert_eq!(scalar("3.10"), "\"3.10\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("Redis 6.2 停止安全更新"), "\"Redis 6.2 停止安全更新\"");
    }

    #[test]
    fn atomic_create_refuses_existing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.yaml");
        create_atomic(&p, b"one").unwrap();
        assert!(create_atomic(&p, b"two").is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"three").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"three");
    }
}
