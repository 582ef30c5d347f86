//! Bounded YAML parsing with serde-saphyr, and its errors turned into located diagnostics with hints.

use serde::de::DeserializeOwned;
use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options};

use crate::diag::{Diagnostic, Origin, suggest};

/// Parser options: duplicate keys are errors, aliases and nesting bounded (alias bombs are refused).
pub fn options() -> Options {
    let mut o = Options::default();
    o.duplicate_keys = DuplicateKeyPolicy::Error;
    let mut b = Budget::default();
    b.max_aliases = 1_000;
    b.max_anchors = 1_000;
    b.max_depth = 48;
    b.max_nodes = 2_000_000;
    b.max_events = 4_000_000;
    b.max_documents = 1;
    b.max_recorded_anchor_bytes = 1 << 20;
    o.budget = Some(b);
    o.with_snippet = false;
    o
}

pub fn origin(path: &str, loc: &Location) -> Origin {
    Origin::new(path, loc.line() as u32, loc.column() as u32, loc.span().len() as u32)
}

/// Parses one YAML document into `T`.
pub fn parse<T: DeserializeOwned>(path: &str, text: &str) -> Result<T, Box<Diagnostic>> {
    serde_saphyr::from_str_with_options::<T>(text, options())
        .map_err(|e| Box::new(humanize(to_diagnostic(path, &e), text)))
}

/// serde's words for a value of the wrong type, in the words of the file's reader: `invalid u32`
/// becomes "`two` is not a whole number".
pub fn humanize(mut d: Diagnostic, text: &str) -> Diagnostic {
    if d.code != "bad-value" {
        return d;
    }
    let has = |words: &[&str]| words.iter().any(|w| d.message.contains(w));
    let what = if has(&["u8", "u16", "u32", "u64", "usize"]) {
        ("a whole number", "write a whole number such as 2, without quotes or units")
    } else if has(&["i8", "i16", "i32", "i64", "isize"]) {
        ("a whole number", "write a whole number such as 2 or -2, without quotes or units")
    } else if has(&["f32", "f64"]) {
        ("a number", "write a number such as 2.5, without quotes or units")
    } else if has(&["a boolean", "bool"]) {
        ("true or false", "write true or false")
    } else {
        return d;
    };
    let (line, col) = (d.origin.line as usize, d.origin.col as usize);
    let value = (line > 0 && col > 0)
        .then(|| super::repair::offset_of(text, line, col))
        .flatten()
        .map(|at| text[at..].chars().take(d.origin.len.max(1) as usize).collect::<String>())
        .filter(|v| !v.is_empty() && !v.contains('\n'));
    d.message = match value {
        Some(v) => format!("`{v}` is not {}", what.0),
        None => format!("this value is not {}", what.0),
    };
    d.hint = Some(what.1.to_string());
    d
}

/// Turns a serde-saphyr error into a diagnostic that says what to do.
pub fn to_diagnostic(path: &str, e: &serde_saphyr::Error) -> Diagnostic {
    let origin = e.location().map(|l| origin(path, &l)).unwrap_or_else(|| Origin::file(path));
    let raw = e.without_snippet().to_string();
    let message = strip_location(&raw);
    classify(origin, message)
}

/// Removes a trailing ` at line N, column M` (the location is reported separately).
pub(super) fn strip_location(raw: &str) -> String {
    let raw = raw.trim();
    let raw = match raw.rfind(" at line ") {
        Some(i) if is_line_column(&raw[i + 9..]) => &raw[..i],
        _ => raw,
    };
    raw.strip_prefix("error: ").unwrap_or(raw).to_string()
}

fn is_line_column(rest: &str) -> bool {
    let Some((line, col)) = rest.split_once(", column ") else {
        return false;
    };
    !line.is_empty()
        && !col.is_empty()
        && line.chars().all(|c| c.is_ascii_digit())
        && col.chars().all(|c| c.is_ascii_digit())
}

pub(super) fn expected_list(message: &str) -> Vec<String> {
    let Some(i) = message.find("expected one of ") else {
        return message
            .find("expected `")
            .map(|i| vec![message[i + 9..].trim_matches(|c| c == '`' || c == ' ').to_string()])
            .unwrap_or_default();
    };
    message[i + 16..]
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn quoted(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

fn classify(origin: Origin, message: String) -> Diagnostic {
    if message.starts_with("unknown field") {
        let word = quoted(&message).unwrap_or_default();
        let allowed = expected_list(&message);
        let text = format!("unknown key `{word}`");
        let hint = match (allowed.is_empty(), suggest(&word, allowed.iter().map(String::as_str))) {
            (true, _) => "this mapping takes no keys".to_string(),
            (false, Some(s)) => format!("did you mean `{s}`? (allowed here: {})", allowed.join(", ")),
            (false, None) => format!("allowed here: {}", allowed.join(", ")),
        };
        return Diagnostic::error("unknown-key", origin, text).hint(hint);
    }
    if message.starts_with("unknown variant") {
        let word = quoted(&message).unwrap_or_default();
        let allowed = expected_list(&message);
        let hint = match suggest(&word, allowed.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`? (allowed: {})", allowed.join(", ")),
            None => format!("allowed: {}", allowed.join(", ")),
        };
        return Diagnostic::error("bad-value", origin, format!("`{word}` is not allowed here")).hint(hint);
    }
    if message.starts_with("missing field") {
        let word = quoted(&message).unwrap_or_default();
        return Diagnostic::error("missing-key", origin, format!("required key `{word}` is missing"))
            .hint(format!("add `{word}: …` to this mapping"));
    }
    if message.contains("duplicate mapping key") {
        let key = message
            .split("duplicate mapping key:")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap_or("")
            .trim()
            .to_string();
        return Diagnostic::error(
            "duplicate-key",
            origin,
            format!("key `{key}` appears twice in the same mapping"),
        )
        .hint("YAML keeps only one of them; remove or rename the other");
    }
    if message.contains("null into") {
        return Diagnostic::error("missing-value", origin, "a value is required here")
            .hint("write a value after the colon, or remove the key");
    }
    if message.contains("multiple documents")
        || message.contains("More than one")
        || message.contains("Documents")
    {
        return Diagnostic::error("yaml-syntax", origin, "more than one YAML document in this file")
            .hint("remove the `---` separators: one file holds one document");
    }
    if message.contains("budget")
        || message.contains("alias")
        || message.contains("depth")
        || message.contains("limit")
    {
        return Diagnostic::error("yaml-limit", origin, format!("refused: {message}"))
            .hint("inventory files need no anchors/aliases or deep nesting; write the values out");
    }
    if message.contains("untagged enum") {
        return Diagnostic::error("bad-value", origin, "this value has the wrong shape")
            .hint("a chain is a list of roles, or a map from criticality (critical, high, medium, low, default) to a list of roles");
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid ")
        || message.starts_with("expected")
    {
        return Diagnostic::error("bad-value", origin, message)
            .hint("check the value's type against docs/formats.md");
    }
    Diagnostic::error("yaml-syntax", origin, message).hint("fix the YAML syntax at this place")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        product: String,
        version: String,
    }

    #[test]
    fn unknown_key_suggests() {
        let d = *parse::<T>("f.yaml", "product: x\nverson: 1\n").unwrap_err();
        assert_eq!(d.code, "unknown-key");
        assert_eq!((d.origin.line, d.origin.col), (2, 1));
        assert!(d.hint.unwrap().starts_with("did you mean `version`?"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let d = *parse::<serde_json::Value>("bomb.yaml", &text).unwrap_err();
        assert_eq!(d.code, "yaml-limit", "{d:?}");
    }
}
