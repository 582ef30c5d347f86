//! The one module that writes repository files: fixed header, fixed key order, written to a temporary
//! file in the same folder and renamed into place, only after every check passed.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `content` to `path` atomically (a crash leaves the old file or none, never half a file).
/// A new file gets the permissions the umask allows (0666 & !umask, as git and every editor give);
/// a replaced file keeps its own.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file to write has a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = temp_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(content)?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes a new file atomically, refusing to replace an existing one.
pub fn create_atomic(path: &Path, content: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file to write has a folder")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = temp_in(dir)?;
    tmp.write_all(content)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot create {} (does it exist already?)", path.display()))?;
    Ok(())
}

/// Creates a new file atomically in `dir` under the first name `name(1)`, `name(2)`, … that does not
/// exist yet (tried up to 1,000 names), never replacing a file, even one another process creates at
/// the same moment. Returns the name used.
pub fn create_first_free(dir: &Path, name: &dyn Fn(u32) -> String, content: &[u8]) -> Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = temp_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(content)?;
    tmp.as_file().sync_all()?;
    for n in 1..=1000 {
        let file = name(n);
        match tmp.persist_noclobber(dir.join(&file)) {
            Ok(_) => return Ok(file),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => {
                return Err(e.error).with_context(|| format!("cannot create {}", dir.join(&file).display()));
            }
        }
    }
    anyhow::bail!("{}: 1,000 files named like {} exist already", dir.display(), name(1))
}

/// A temporary file beside the target, created with mode 0666 so the umask decides, as for any new
/// file (tempfile's default, 0600, would make every written file private whatever the umask says).
fn temp_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".lifecycle-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
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

/// One entry of the people file as `people add|remove|rotate` and `init` write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonEntry {
    pub id: String,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    /// OpenSSH one-line keys or armored OpenPGP blocks.
    pub keys: Vec<String>,
}

/// The people file: `header` (comment lines, kept as they were) and the list in the given order, keys
/// in a fixed order, one-line keys quoted and armored blocks as literal blocks.
pub fn people_yaml(header: &str, people: &[PersonEntry]) -> String {
    let mut s = header.to_string();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str("people:\n");
    for p in people {
        s.push_str(&person_yaml(p));
    }
    s
}

/// One person as an entry of the `people:` list.
pub fn person_yaml(p: &PersonEntry) -> String {
    let mut s = format!("  - id: {}\n    name: {}\n", scalar(&p.id), scalar(&p.name));
    if let Some(title) = &p.title {
        s.push_str(&format!("    title: {}\n", scalar(title)));
    }
    if let Some(email) = &p.email {
        s.push_str(&format!("    email: {}\n", scalar(email)));
    }
    let roles: Vec<String> = p.roles.iter().map(|r| scalar(r)).collect();
    s.push_str(&format!("    roles: [{}]\n", roles.join(", ")));
    if p.keys.is_empty() {
        s.push_str("    keys: []\n");
        return s;
    }
    s.push_str("    keys:\n");
    for key in &p.keys {
        let key = key.trim();
        if key.contains('\n') {
            s.push_str("      - |\n");
            for line in key.lines() {
                s.push_str(&format!("        {line}\n"));
            }
        } else {
            s.push_str(&format!("      - {}\n", quoted(key)));
        }
    }
    s
}

/// The comment lines a file starts with (modeline, explanations), up to its first other line.
pub fn leading_comments(text: &str) -> String {
    text.lines().take_while(|l| l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect()
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
    fn people_files_read_back() {
        let people = [
            PersonEntry {
                id: "li.ming".into(),
                name: "李明".into(),
                title: Some("高级系统工程师".into()),
                email: None,
                roles: vec!["applicant".into()],
                keys: vec![
                    "ssh-ed25519 AAAA li@example.com".into(),
                    "-----BEGIN X-----\nabc\n-----END X-----\n".into(),
                ],
            },
            PersonEntry {
                id: "yes".into(),
                name: "No".into(),
                title: None,
                email: Some("a@b".into()),
                roles: vec![],
                keys: vec![],
            },
        ];
        let text = people_yaml("# header\n", &people);
        assert!(text.starts_with("# header\npeople:\n  - id: li.ming\n"), "{text}");
        let raw = crate::load::yaml::parse::<crate::load::raw::PeopleFile>("p.yaml", &text).unwrap();
        assert_eq!(raw.people.len(), 2);
        assert_eq!(raw.people[0].value.keys[1].value, "-----BEGIN X-----\nabc\n-----END X-----\n");
        assert_eq!(raw.people[1].value.id.value, "yes");
        assert_eq!(leading_comments("# a\n# b\npeople: []\n# c\n"), "# a\n# b\n");
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
