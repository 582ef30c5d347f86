//! Every structural error of a file at once (SPEC §6): serde stops at the first problem, so after each
//! error the offending value is replaced by a neutral one of the expected kind (keeping every other
//! line and column where it was), or an unknown key's lines are blanked, and the text is parsed
//! again. What the repaired text parses into is only ever used to find more problems in that file:
//! it never enters the model (a file with errors is invalid, whatever the repair made of it).

use serde::de::DeserializeOwned;

use crate::diag::Diagnostic;

/// At most this many errors are collected from one file.
const MAX_ERRORS: usize = 32;

/// What [`parse_all`] found.
pub struct All<T> {
    /// The value: from the file itself when `diagnostics` is empty, else from the repaired text.
    pub value: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses `text` into `T`, collecting every error serde reports on the way.
pub fn parse_all<T: DeserializeOwned>(path: &str, text: &str) -> All<T> {
    // The common case, a valid file, costs one parse and no copy.
    let first = match serde_saphyr::from_str_with_options::<T>(text, super::yaml::options()) {
        Ok(value) => return All { value: Some(value), diagnostics: Vec::new() },
        Err(e) => e,
    };
    let mut text = text.to_string();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut next = Some(first);
    while diagnostics.len() < MAX_ERRORS {
        let e = match next
            .take()
            .map_or_else(|| serde_saphyr::from_str_with_options::<T>(&text, super::yaml::options()), Err)
        {
            Ok(value) => return All { value: Some(value), diagnostics },
            Err(e) => e,
        };
        let d = super::yaml::humanize(super::yaml::to_diagnostic(path, &e), &text);
        // No progress (the same error again): stop rather than loop.
        if diagnostics.iter().any(|x| x.origin == d.origin && x.code == d.code) {
            break;
        }
        let raw = e.without_snippet().to_string();
        let repaired = repair(&text, &d, &raw);
        diagnostics.push(d);
        match repaired {
            Some(t) => text = t,
            None => break,
        }
    }
    All { value: None, diagnostics }
}

/// The text with the problem of `d` made harmless, or `None` when no safe repair is known.
fn repair(text: &str, d: &Diagnostic, raw: &str) -> Option<String> {
    let (line, col) = (d.origin.line as usize, d.origin.col as usize);
    if line == 0 || col == 0 {
        return None;
    }
    match d.code {
        // A misspelt key is read as the key it was meant to be, so its value is checked too and
        // no "missing key" follows; an unknown one is blanked.
        "unknown-key" => meant(d)
            .and_then(|key| rename_key(text, line, col, d.origin.len as usize, &key))
            .or_else(|| blank_key(text, line, col)),
        "bad-value" => {
            let placeholder = placeholder(raw)?;
            replace_scalar(text, line, col, d.origin.len as usize, &placeholder)
        }
        _ => None,
    }
}

/// A neutral value of the kind serde expected, from its message.
fn placeholder(raw: &str) -> Option<String> {
    let raw = &super::yaml::strip_location(raw);
    if raw.starts_with("unknown variant") {
        // The first allowed value.
        return super::yaml::expected_list(raw).into_iter().next().filter(|v| !v.is_empty());
    }
    let expects = |words: &[&str]| words.iter().any(|w| raw.contains(w));
    if expects(&["u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "integer"]) {
        return Some("0".into());
    }
    if expects(&["f32", "f64", "a float", "floating point"]) && raw.contains("expected") {
        return Some("0.0".into());
    }
    if expects(&["expected a boolean", "expected bool"]) {
        return Some("false".into());
    }
    None
}

/// Byte offset of the 1-based `line` and `col` (a column counts characters).
pub(super) fn offset_of(text: &str, line: usize, col: usize) -> Option<usize> {
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let rest = text.get(start..)?;
    let this = rest.split('\n').next()?;
    let within = match this.char_indices().nth(col - 1) {
        Some((i, _)) => i,
        None if col - 1 == this.chars().count() => this.len(),
        None => return None,
    };
    Some(start + within)
}

/// Replaces a one-line plain scalar by `with`.
fn replace_scalar(text: &str, line: usize, col: usize, len: usize, with: &str) -> Option<String> {
    let from = offset_of(text, line, col)?;
    let value: String = text[from..].chars().take(len.max(1)).collect();
    let plain = !value.is_empty()
        && !value.contains(['\n', '\r'])
        && !value.starts_with(['[', '{', '"', '\'', '|', '>', '&', '*', '!']);
    if !plain {
        return None;
    }
    Some(format!("{}{with}{}", &text[..from], &text[from + value.len()..]))
}

/// The key a `did you mean `x`?` hint suggests.
fn meant(d: &Diagnostic) -> Option<String> {
    let hint = d.hint.as_deref()?.strip_prefix("did you mean `")?;
    hint.split('`').next().map(str::to_string)
}

/// Renames the block-mapping key at (`line`, `col`) to `key`, unless its mapping has `key` already.
fn rename_key(text: &str, line: usize, col: usize, len: usize, key: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let indent = col - 1;
    let at = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let in_block = |i: usize| {
        let l = lines[i];
        l.trim().is_empty() || at(l) >= indent
    };
    let (mut first, mut last) = (line - 1, line - 1);
    while first > 0 && in_block(first - 1) {
        first -= 1;
    }
    while last + 1 < lines.len() && in_block(last + 1) {
        last += 1;
    }
    let taken = lines[first..=last]
        .iter()
        .any(|l| at(l) == indent && l.trim_start().trim_start_matches("- ").starts_with(&format!("{key}:")));
    if taken {
        return None;
    }
    let from = offset_of(text, line, col)?;
    let old: String = text[from..].chars().take(len).collect();
    Some(format!("{}{key}{}", &text[..from], &text[from + old.len()..]))
}

/// Blanks the line of a block-mapping key at (`line`, `col`) and the lines nested under it, keeping
/// the line count so every other location stays where it was. Keys in flow mappings or right after
/// a `- ` are left alone (blanking them would break the structure around them).
fn blank_key(text: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let this = lines.get(line - 1)?;
    let indent = this.len() - this.trim_start_matches(' ').len();
    if indent + 1 != col || this.trim_start().starts_with('-') {
        return None;
    }
    let nested = |l: &str| {
        let t = l.trim_start_matches(' ');
        t.trim().is_empty() || t.starts_with('#') || l.len() - t.len() > indent
    };
    let mut end = line;
    while end < lines.len() && nested(lines[end]) {
        end += 1;
    }
    // Trailing blank or comment lines belong to what follows.
    while end > line && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    // An anchor defined there may be used elsewhere: blanking it would turn its aliases into new,
    // confusing errors.
    if lines[line - 1..end].iter().any(|l| l.contains('&')) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (i, l) in lines.iter().enumerate() {
        if i + 1 >= line && i < end {
            if l.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(l);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    pub struct Sys {
        id: String,
        criticality: Crit,
        hosts: u32,
        components: Vec<Comp>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(rename_all = "lowercase")]
    pub enum Crit {
        Low,
        High,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    pub struct Comp {
        product: String,
        version: Option<String>,
    }

    #[test]
    fn every_error_of_a_file_at_once() {
        let text = "id: a\ncriticality: urgent\nhosts: two\ncomponents:\n  - product: redis\n    verison:\n      deep: 1\n    version: \"7\"\n  - {product: x, verzion: \"1\"}\n  - product: y\n    versio: 1\n";
        let all = parse_all::<Sys>("a.yaml", text);
        let got: Vec<(&str, u32, u32)> =
            all.diagnostics.iter().map(|d| (d.code, d.origin.line, d.origin.col)).collect();
        // verison (version is there too: blanked), verzion (in a flow mapping: renamed), versio
        // (renamed, so no "missing key" follows).
        let want = [
            ("bad-value", 2, 14),
            ("bad-value", 3, 8),
            ("unknown-key", 6, 5),
            ("unknown-key", 9, 18),
            ("unknown-key", 11, 5),
        ];
        assert_eq!(got, want, "{:#?}", all.diagnostics);
        assert!(
            all.diagnostics[1].message.contains("`two` is not a whole number"),
            "{:?}",
            all.diagnostics[1]
        );
        assert!(all.value.is_some(), "the repaired text parses");
    }

    #[test]
    fn a_clean_file_has_no_diagnostics_and_unrepairable_errors_stop() {
        let all = parse_all::<Sys>("a.yaml", "id: a\ncriticality: low\nhosts: 2\ncomponents: []\n");
        assert!(all.diagnostics.is_empty() && all.value.is_some());
        let all = parse_all::<Sys>("a.yaml", "id: a\ncriticality: [low]\nhosts: x\ncomponents: []\n");
        assert_eq!(all.diagnostics.len(), 1, "{:#?}", all.diagnostics);
        assert!(all.value.is_none());
    }
}
