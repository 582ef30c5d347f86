//! Diagnostics: an error or warning tied to a place in a file, rendered with a snippet and a hint.

use std::fmt::Write as _;

use crate::i18n::Lang;

/// How bad a diagnostic is. Errors make `validate` exit 2 and stop every other command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a repository file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Origin {
    pub path: String,
    pub line: u32,
    pub col: u32,
    /// Length of the marked text in characters (at least 1 when rendered).
    #[serde(skip)]
    pub len: u32,
}

impl Origin {
    pub fn new(path: impl Into<String>, line: u32, col: u32, len: u32) -> Self {
        Origin { path: path.into(), line, col, len }
    }

    /// The whole file, for problems that have no better place (unreadable, too large).
    pub fn file(path: impl Into<String>) -> Self {
        Origin { path: path.into(), line: 0, col: 0, len: 0 }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path)
        } else {
            write!(f, "{}:{}:{}", self.path, self.line, self.col)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case code (`unknown-key`, `duplicate-id`, `bad-date`…), listed in docs/diagnostics.md.
    pub code: &'static str,
    pub origin: Origin,
    pub message: String,
    pub hint: Option<String>,
    /// Another place the message refers to, e.g. the first definition of a duplicate id.
    pub related: Option<(Origin, String)>,
    /// The message, hint and note as i18n keys with their arguments, for people reading another
    /// language; `message`, `hint` and the note hold the same words in English (JSON carries those).
    #[serde(skip)]
    pub words: Words,
}

/// i18n keys with arguments: the message's, the hint's and the related note's, where a site gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Words {
    pub message: Option<Text>,
    pub hint: Option<Text>,
    pub note: Option<Text>,
}

/// One i18n key and the values of its placeholders (kept by the verify cache, so owned and serde).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Text {
    pub key: String,
    pub args: Vec<(String, Arg)>,
}

/// A placeholder's value: one text, or a list joined the way the language joins lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Arg {
    One(String),
    List(Vec<String>),
    /// Words of their own, in the same language: a duration, a weekday.
    Words(Box<Text>),
    /// A list of such words, joined the way the language joins lists.
    WordsList(Vec<Text>),
}

impl Text {
    pub fn new(key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Text {
        Text {
            key: key.to_string(),
            args: args.iter().map(|(k, v)| (k.to_string(), Arg::One(v.to_string()))).collect(),
        }
    }

    /// Adds a list placeholder: "a, b" in English, "a、b" in Chinese.
    pub fn list(mut self, name: &str, items: &[String]) -> Text {
        self.args.push((name.to_string(), Arg::List(items.to_vec())));
        self
    }

    /// Adds a list placeholder whose items are words of their own.
    pub fn with_list(mut self, name: &str, items: Vec<Text>) -> Text {
        self.args.push((name.to_string(), Arg::WordsList(items)));
        self
    }

    /// Adds a placeholder that is words of its own (`text`, rendered in the same language).
    pub fn with(mut self, name: &str, text: Text) -> Text {
        self.args.push((name.to_string(), Arg::Words(Box::new(text))));
        self
    }

    pub fn render(&self, lang: Lang) -> String {
        let sep = if lang == Lang::En { ", " } else { "、" };
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(k, v)| match v {
                Arg::One(s) => (k.as_str(), s.clone()),
                Arg::List(items) => (k.as_str(), items.join(sep)),
                Arg::Words(text) => (k.as_str(), text.render(lang)),
                Arg::WordsList(items) => {
                    (k.as_str(), items.iter().map(|t| t.render(lang)).collect::<Vec<_>>().join(sep))
                }
            })
            .collect();
        let args: Vec<(&str, &dyn std::fmt::Display)> =
            values.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
        lang.fmt(&self.key, &args)
    }
}

/// Why something is wrong, as part of a larger message: its English words and, for other languages,
/// its text. The English may say more than the text (a parser's detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub english: String,
    pub text: Text,
}

impl Reason {
    pub fn new(english: impl Into<String>, text: Text) -> Reason {
        Reason { english: english.into(), text }
    }

    /// A reason whose English is its key's English.
    pub fn t(key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Reason {
        let text = Text::new(key, args);
        Reason { english: text.render(Lang::En), text }
    }
}

impl Diagnostic {
    pub fn error(code: &'static str, origin: Origin, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            origin,
            message: shorten(message.into()),
            hint: None,
            related: None,
            words: Words::default(),
        }
    }

    /// An error whose message is the i18n `key` (English in `message`, every language when rendered).
    pub fn error_t(
        code: &'static str,
        origin: Origin,
        key: &'static str,
        args: &[(&'static str, &dyn std::fmt::Display)],
    ) -> Self {
        Self::error_text(code, origin, Text::new(key, args))
    }

    /// An error whose message is `text`.
    pub fn error_text(code: &'static str, origin: Origin, text: Text) -> Self {
        let mut d = Self::error(code, origin, text.render(Lang::En));
        d.words.message = Some(text);
        d
    }

    /// The message replaced by `text` (the code, place and hint stay).
    pub fn message_text(mut self, text: Text) -> Self {
        self.message = shorten(text.render(Lang::En));
        self.words.message = Some(text);
        self
    }

    /// A warning whose message is the i18n `key`.
    pub fn warning_t(
        code: &'static str,
        origin: Origin,
        key: &'static str,
        args: &[(&'static str, &dyn std::fmt::Display)],
    ) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error_t(code, origin, key, args) }
    }

    /// The words people reading another language get, while `message` keeps its detailed English.
    pub fn in_words(mut self, text: Text) -> Self {
        self.words.message = Some(text);
        self
    }

    /// The hint in words for other languages; the English hint stays as given.
    pub fn hint_words(mut self, text: Text) -> Self {
        self.words.hint = Some(text);
        self
    }

    /// A warning whose message is `text`.
    pub fn warning_text(code: &'static str, origin: Origin, text: Text) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error_text(code, origin, text) }
    }

    /// A hint that is the i18n `key`.
    pub fn hint_t(self, key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Self {
        self.hint_text(Text::new(key, args))
    }

    /// A hint that is `text`.
    pub fn hint_text(mut self, text: Text) -> Self {
        self.hint = Some(text.render(Lang::En));
        self.words.hint = Some(text);
        self
    }

    /// A related place with a note that is the i18n `key` (no arguments).
    pub fn related_t(mut self, origin: Origin, key: &'static str) -> Self {
        let text = Text::new(key, &[]);
        self.related = Some((origin, text.render(Lang::En)));
        self.words.note = Some(text);
        self
    }

    pub fn warning(code: &'static str, origin: Origin, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Self::error(code, origin, message) }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self.words.hint = None;
        self
    }

    pub fn related(mut self, origin: Origin, note: impl Into<String>) -> Self {
        self.related = Some((origin, note.into()));
        self.words.note = None;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Messages quote the offending value (`` `xxx` is not a date ``); a hostile value can be megabytes on
/// one line. Quoted values are cut to 60 characters, and the whole message to 400: the snippet shows
/// where the value is.
fn shorten(message: String) -> String {
    const QUOTED: usize = 60;
    const WHOLE: usize = 400;
    if message.len() <= QUOTED {
        return message;
    }
    let mut out: String = message
        .split('`')
        .enumerate()
        .map(|(i, part)| match part.char_indices().nth(QUOTED) {
            Some((cut, _)) if i % 2 == 1 => format!("{}…", &part[..cut]),
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("`");
    if let Some((cut, _)) = out.char_indices().nth(WHOLE) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Renders a diagnostic like rustc does: a header, the location, the source line with a caret, a hint.
/// `source` looks up a file's text by path so the snippet shows the exact bytes that were parsed.
/// In another language than English, the words a site gave as i18n keys are in that language; a
/// message given only in English stays English.
pub fn render(d: &Diagnostic, source: &dyn Fn(&str) -> Option<String>, color: bool, lang: Lang) -> String {
    let (red, yellow, blue, bold, reset) =
        if color { ("\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[1m", "\x1b[0m") } else { ("", "", "", "", "") };
    let (label, tone) = match d.severity {
        Severity::Error => (lang.t("label.error"), red),
        Severity::Warning => (lang.t("label.warning"), yellow),
    };
    let words = |text: &Option<Text>, english: &str| match text {
        Some(t) if lang != Lang::En => t.render(lang),
        _ => english.to_string(),
    };
    let (open, close, colon) = marks(lang);
    // The words quote values as the English does, and are cut the same way.
    let message = match &d.words.message {
        Some(t) if lang != Lang::En => shorten(t.render(lang)),
        _ => d.message.clone(),
    };
    let mut out = String::new();
    let _ = writeln!(out, "{bold}{tone}{label}{open}{}{close}{reset}{bold}{colon}{message}{reset}", d.code);
    snippet(&mut out, &d.origin, source, tone, blue, reset);
    if let Some((origin, note)) = &d.related {
        let note = words(&d.words.note, note);
        let _ = writeln!(out, "  {blue}{}{reset}{colon}{note}", lang.t("label.note"));
        snippet(&mut out, origin, source, blue, blue, reset);
    }
    if let Some(hint) = &d.hint {
        let hint = words(&d.words.hint, hint);
        let _ = writeln!(out, "  {blue}= {}{reset}{colon}{hint}", lang.t("label.hint"));
    }
    out
}

/// The brackets around a code and the colon after a label: `[` `]` `: ` in English, full-width in Chinese.
pub fn marks(lang: Lang) -> (&'static str, &'static str, &'static str) {
    match lang {
        Lang::En => ("[", "]", ": "),
        Lang::ZhCn => ("［", "］", "："),
    }
}

/// "warning: …" / "警告：…".
pub fn warning_line(lang: Lang, message: &str) -> String {
    let (_, _, colon) = marks(lang);
    format!("{}{colon}{message}", lang.t("label.warning"))
}

/// "error: …" / "错误：…", and a message's "\n  = hint: " lines in the same language.
pub fn error_line(lang: Lang, message: &str) -> String {
    let (_, _, colon) = marks(lang);
    let hint = format!("\n  = {}{colon}", lang.t("label.hint"));
    format!("{}{colon}{}", lang.t("label.error"), message.replace("\n  = hint: ", &hint))
}

fn snippet(
    out: &mut String,
    origin: &Origin,
    source: &dyn Fn(&str) -> Option<String>,
    tone: &str,
    blue: &str,
    reset: &str,
) {
    let _ = writeln!(out, "  {blue}-->{reset} {origin}");
    if origin.line == 0 {
        return;
    }
    let Some(text) = source(&origin.path) else {
        return;
    };
    let Some(line) = text.lines().nth(origin.line as usize - 1) else {
        return;
    };
    let number = origin.line.to_string();
    let pad = " ".repeat(number.len());
    // Long lines (minified JSON, hostile input) are cut around the column so the snippet stays readable.
    let chars: Vec<char> = line.chars().collect();
    let col = (origin.col.max(1) - 1) as usize;
    let start = col.saturating_sub(60);
    let end = (col + 60).min(chars.len());
    let shown: String = chars[start.min(chars.len())..end].iter().collect();
    let prefix = if start > 0 { "…" } else { "" };
    let suffix = if end < chars.len() { "…" } else { "" };
    let before: String =
        prefix.chars().chain(chars[start.min(chars.len())..col.min(chars.len())].iter().copied()).collect();
    let len = (origin.len.max(1) as usize).min(end.saturating_sub(col).max(1));
    let marked: String = chars[col.min(chars.len())..(col + len).min(chars.len())].iter().collect();
    let _ = writeln!(out, "  {pad} {blue}|{reset}");
    let _ = writeln!(out, "  {blue}{number} |{reset} {prefix}{shown}{suffix}");
    let _ = writeln!(
        out,
        "  {pad} {blue}|{reset} {}{tone}{}{reset}",
        padding(&before),
        "^".repeat(display_width(&marked).max(1))
    );
}

/// Blanks as wide as `before` on a terminal: a tab stays a tab (the terminal expands both lines
/// alike), anything else takes its display width, so the caret lands under the right character
/// after CJK text or emoji.
fn padding(before: &str) -> String {
    before
        .chars()
        .map(|c| if c == '\t' { "\t".to_string() } else { " ".repeat(display_width(&c.to_string())) })
        .collect()
}

/// Columns count characters, but a terminal shows CJK characters and most emoji two cells wide (and
/// combining marks in none): the width as `unicode-width` (UAX #11) says.
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// "did you mean": the closest candidate by edit distance, when it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(d, c)| {
            *d <= 1.max(c.chars().count() / 3) && *d < c.chars().count().min(word.chars().count())
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the hostile-input tests: a 5 MB bad value was echoed whole in its message.
    #[test]
    fn long_quoted_values_are_cut_in_messages() {
        let long = "x".repeat(5_000_000);
        let d =
            Diagnostic::error("bad-value", Origin::file("a.yaml"), format!("`{long}` is not allowed here"));
        assert_eq!(d.message, format!("`{}…` is not allowed here", "x".repeat(60)));
        let d = Diagnostic::error("bad-date", Origin::file("a.yaml"), format!("{long} `é`"));
        assert_eq!(d.message.chars().count(), 401);
        let short = "`2024-02-30` is not a calendar date: 2024-02 has 29 days";
        assert_eq!(Diagnostic::error("bad-date", Origin::file("a.yaml"), short).message, short);
    }

    /// A long value quoted in a message is cut in every language, not only in the English.
    #[test]
    fn long_quoted_values_are_cut_in_words_too() {
        let long = "x".repeat(5_000);
        let text = Text::new("diag.bad_date", &[("value", &long)]);
        let d = Diagnostic::error_text("bad-date", Origin::file("a.yaml"), text);
        let zh = render(&d, &|_| None, false, Lang::ZhCn);
        assert!(zh.contains(&format!("`{}…` 不是有效的日期", "x".repeat(60))), "{zh}");
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("verson", ["product", "version", "eol"]), Some("version"));
        assert_eq!(suggest("zzz", ["product", "version"]), None);
        assert_eq!(suggest("zz", ["li"]), None);
        assert_eq!(suggest("hgh", ["low", "high"]), Some("high"));
    }

    /// The caret lands under the marked text after emoji, CJK text and tabs, and is as wide as it.
    #[test]
    fn carets_follow_display_width() {
        let caret = |line: &str, col: u32, len: u32| {
            let d = Diagnostic::error("bad-value", Origin::new("f.yaml", 1, col, len), "m");
            let out = render(&d, &|_| Some(format!("{line}\n")), false, Lang::En);
            out.lines().nth(4).unwrap_or("").to_string()
        };
        // `name: "🚀 x"`, `x` at column 10 (characters), display column 11.
        assert_eq!(caret("name: \"🚀 x\"", 10, 1), format!("    |{}^", " ".repeat(11)));
        assert_eq!(caret("name: 王强 x", 10, 1), format!("    |{}^", " ".repeat(12)));
        assert_eq!(caret("name: 王强", 7, 2), format!("    |{}^^^^", " ".repeat(7)));
        assert_eq!(caret("\tkey: x", 7, 1), "    | \t     ^");
    }

    #[test]
    fn renders_caret_under_column() {
        let d = Diagnostic::error("bad-date", Origin::new("a.yaml", 2, 6, 10), "not a date")
            .hint("write YYYY-MM-DD");
        let text = "x: 1\neol: 2024-02-30\n".to_string();
        let out = render(&d, &|_| Some(text.clone()), false, Lang::En);
        assert!(out.contains("--> a.yaml:2:6"), "{out}");
        assert!(out.contains("2 | eol: 2024-02-30"), "{out}");
        assert!(out.contains("  |      ^^^^^^^^^^"), "{out}");
        assert!(out.contains("= hint: write YYYY-MM-DD"), "{out}");
    }
}
