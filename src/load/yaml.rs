//! Bounded YAML parsing with serde-saphyr, and its errors turned into located diagnostics with hints.

use serde::de::DeserializeOwned;
use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options};

use crate::diag::{Diagnostic, Origin, Text, suggest};

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
pub fn humanize(d: Diagnostic, text: &str) -> Diagnostic {
    if d.code != "bad-value" {
        return d;
    }
    let has = |words: &[&str]| words.iter().any(|w| d.message.contains(w));
    // (message with the value, message without it, hint): i18n keys.
    let what = if has(&["u8", "u16", "u32", "u64", "usize"]) {
        ("diag.not_whole", "diag.this_not_whole", "diag.whole_hint")
    } else if has(&["i8", "i16", "i32", "i64", "isize"]) {
        ("diag.not_whole", "diag.this_not_whole", "diag.signed_hint")
    } else if has(&["f32", "f64"]) {
        ("diag.not_number", "diag.this_not_number", "diag.number_hint")
    } else if has(&["a boolean", "bool"]) {
        ("diag.not_boolean", "diag.this_not_boolean", "diag.boolean_hint")
    } else {
        return d;
    };
    let (line, col) = (d.origin.line as usize, d.origin.col as usize);
    let value = (line > 0 && col > 0)
        .then(|| super::repair::offset_of(text, line, col))
        .flatten()
        .map(|at| text[at..].chars().take(d.origin.len.max(1) as usize).collect::<String>())
        .filter(|v| !v.is_empty() && !v.contains('\n'));
    let message = match value {
        Some(v) => Text::new(what.0, &[("value", &v)]),
        None => Text::new(what.1, &[]),
    };
    d.message_text(message).hint_t(what.2, &[])
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
    // The keys and values a place allows, as code: `id`, `name`.
    let code = |list: &[String]| list.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>();
    if message.starts_with("unknown field") {
        let word = quoted(&message).unwrap_or_default();
        let allowed = expected_list(&message);
        let hint = match (allowed.is_empty(), suggest(&word, allowed.iter().map(String::as_str))) {
            (true, _) => Text::new("diag.no_keys", &[]),
            (false, Some(s)) => {
                Text::new("diag.did_you_mean_allowed", &[("word", &s)]).list("allowed", &code(&allowed))
            }
            (false, None) => Text::new("diag.allowed_here", &[]).list("allowed", &code(&allowed)),
        };
        return Diagnostic::error_t("unknown-key", origin, "diag.unknown_key", &[("word", &word)])
            .hint_text(hint);
    }
    if message.starts_with("unknown variant") {
        let word = quoted(&message).unwrap_or_default();
        let allowed = expected_list(&message);
        let hint = match suggest(&word, allowed.iter().map(String::as_str)) {
            Some(s) => {
                Text::new("diag.did_you_mean_values", &[("word", &s)]).list("allowed", &code(&allowed))
            }
            None => Text::new("diag.allowed", &[]).list("allowed", &code(&allowed)),
        };
        return Diagnostic::error_t("bad-value", origin, "diag.not_allowed", &[("word", &word)])
            .hint_text(hint);
    }
    if message.starts_with("missing field") {
        let word = quoted(&message).unwrap_or_default();
        return Diagnostic::error_t("missing-key", origin, "diag.missing_key", &[("word", &word)])
            .hint_t("diag.missing_key_hint", &[("word", &word)]);
    }
    if message.contains("duplicate mapping key") {
        let key = message
            .split("duplicate mapping key:")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap_or("")
            .trim()
            .to_string();
        return Diagnostic::error_t("duplicate-key", origin, "diag.duplicate_key", &[("key", &key)])
            .hint_t("diag.duplicate_key_hint", &[]);
    }
    if message.contains("null into") {
        return Diagnostic::error_t("missing-value", origin, "diag.missing_value", &[])
            .hint_t("diag.missing_value_hint", &[]);
    }
    if message.contains("multiple documents")
        || message.contains("More than one")
        || message.contains("Documents")
    {
        return Diagnostic::error_t("yaml-syntax", origin, "diag.documents", &[])
            .hint_t("diag.documents_hint", &[]);
    }
    if message.contains("budget")
        || message.contains("alias")
        || message.contains("depth")
        || message.contains("limit")
    {
        return Diagnostic::error_t("yaml-limit", origin, "diag.limit", &[("message", &message)])
            .hint_t("diag.limit_hint", &[]);
    }
    if message.contains("untagged enum") {
        return Diagnostic::error_t("bad-value", origin, "diag.shape", &[]).hint_t("diag.shape_hint", &[]);
    }
    if message.starts_with("invalid type")
        || message.starts_with("invalid ")
        || message.starts_with("expected")
    {
        return Diagnostic::error_t("bad-value", origin, "diag.parser", &[("message", &message)])
            .hint_t("diag.type_hint", &[]);
    }
    Diagnostic::error_t("yaml-syntax", origin, "diag.parser", &[("message", &message)])
        .hint_t("diag.syntax_hint", &[])
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
