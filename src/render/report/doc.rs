//! The evidence pack as a document tree (sections, tables, marks, notes) and its backends: Markdown
//! for pasting into a questionnaire, HTML (self-contained, printable) and, through the HTML, PDF.
//! A section is written once, as blocks; a backend is one function over the blocks.

use std::fmt::Write as _;

/// A mark that must read in black and white, without an emoji font: a word with a drawn shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Fail,
    Warn,
}

/// A cell: text with inline `code` and **bold**, an optional CSS class (status colours), an
/// optional mark.
pub struct Cell {
    pub text: String,
    pub class: Option<&'static str>,
    pub mark: Option<Mark>,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, class: None, mark: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell { text: text.to_string(), class: None, mark: None }
    }
}

pub fn cls(text: impl Into<String>, class: &'static str) -> Cell {
    Cell { text: text.into(), class: Some(class), mark: None }
}

pub fn marked(text: impl Into<String>, mark: Mark) -> Cell {
    let class = match mark {
        Mark::Pass => "ok",
        Mark::Fail => "eol",
        Mark::Warn => "warn",
    };
    Cell { text: text.into(), class: Some(class), mark: Some(mark) }
}

pub enum Block {
    /// A heading; level 2 headings are the sections listed in the contents.
    H(u8, String),
    P(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<Cell>>),
    Code(Vec<String>),
    /// A boxed note for a non-technical reader: a title and its paragraphs.
    Note(String, Vec<String>),
    /// HTML only (the SVG timeline); Markdown prints the text instead.
    Figure {
        html: String,
        text: String,
    },
    /// The cover: title, subtitle lines, and facts (label, value).
    Cover {
        title: String,
        lines: Vec<String>,
        facts: Vec<(String, String)>,
    },
    /// The contents: every level-2 heading, with a link in HTML.
    Contents(String),
    /// The reviewers' sign-off page: a title, a sentence, the column heads and one row per role.
    Signatures {
        title: String,
        text: String,
        head: Vec<String>,
        roles: Vec<String>,
    },
}

// ---- Markdown ----

fn md_cell(c: &Cell) -> String {
    let text = c.text.replace('|', "\\|").replace('\n', " ");
    match c.mark {
        Some(Mark::Pass) => format!("✓ {text}"),
        Some(Mark::Fail) => format!("**✗ {text}**"),
        Some(Mark::Warn) => format!("! {text}"),
        None => text,
    }
}

fn md_table(out: &mut String, head: &[String], rows: &[Vec<Cell>]) {
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for r in rows {
        let cells: Vec<String> = r.iter().map(md_cell).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn headings(blocks: &[Block]) -> impl Iterator<Item = (usize, &String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::H(2, t) => Some(t),
            _ => None,
        })
        .enumerate()
}

pub fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::H(level, text) => {
                let _ = writeln!(out, "{} {text}\n", "#".repeat(*level as usize));
            }
            Block::P(text) => {
                let _ = writeln!(out, "{text}\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {i}");
                }
                out.push('\n');
            }
            Block::Table(head, rows) => md_table(&mut out, head, rows),
            Block::Code(lines) => {
                let _ = writeln!(out, "```sh\n{}\n```\n", lines.join("\n"));
            }
            Block::Note(title, paras) => {
                let _ = writeln!(out, "> **{title}**\n>");
                let body: Vec<String> = paras.iter().map(|p| format!("> {p}")).collect();
                let _ = writeln!(out, "{}\n", body.join("\n>\n"));
            }
            Block::Figure { text, .. } => {
                let _ = writeln!(out, "{text}\n");
            }
            Block::Cover { title, lines, facts } => {
                let _ = writeln!(out, "# {title}\n");
                for l in lines {
                    let _ = writeln!(out, "{l}\n");
                }
                for (k, v) in facts {
                    let _ = writeln!(out, "- **{k}** {v}");
                }
                out.push('\n');
            }
            Block::Contents(title) => {
                let _ = writeln!(out, "**{title}**\n");
                for (_, h) in headings(blocks) {
                    let _ = writeln!(out, "- {h}");
                }
                out.push('\n');
            }
            Block::Signatures { title, text, head, roles } => {
                let _ = writeln!(out, "## {title}\n\n{text}\n");
                let rows: Vec<Vec<Cell>> = roles
                    .iter()
                    .map(|r| {
                        std::iter::once(Cell::from(r.as_str()))
                            .chain((1..head.len()).map(|_| Cell::from(" ")))
                            .collect()
                    })
                    .collect();
                md_table(&mut out, head, &rows);
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

// ---- HTML ----

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    esc_into(&mut out, s);
    out
}

fn esc_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Escapes, then turns `code` and **bold** into tags.
pub fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    inline_into(&mut out, s);
    out
}

/// [`inline`], written onto `out` in one pass: a backtick opens or closes code, a pair of stars
/// (taken left to right, inside code too) bold; what is left open is closed at the end, code first.
fn inline_into(out: &mut String, s: &str) {
    let (mut code, mut bold) = (false, false);
    let mut rest = s;
    while let Some(at) = rest.find(['`', '*']) {
        esc_into(out, &rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = after;
        } else if let Some(after) = tail.strip_prefix("**") {
            out.push_str(if bold { "</strong>" } else { "<strong>" });
            bold = !bold;
            rest = after;
        } else {
            out.push('*');
            rest = &tail[1..];
        }
    }
    esc_into(out, rest);
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
}

/// Print: A4, page numbers and the document id in the page margins (CSS page-margin boxes, which
/// Chromium prints), headings kept with what follows, tables never split inside a row, marks drawn
/// as shapes (a filled box for a failure) so that they read without colour.
const CSS: &str = r#"
:root{--ok:#1a7f37;--warn:#9a6700;--due:#bc4c00;--eol:#cf222e;--accepted:#8250df;--unknown:#57606a;--line:#d0d7de}
*{box-sizing:border-box}
body{font:14px/1.5 -apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:#1f2328;max-width:1200px;margin:2em auto;padding:0 1.5em}
h1{font-size:1.7em;border-bottom:2px solid #1f2328;padding-bottom:.3em}
h2{font-size:1.35em;margin-top:1.8em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1.12em;margin-top:1.4em}
h4{font-size:1em;margin:1.1em 0 .4em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em;font-size:12.5px}
th,td{border:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa;white-space:nowrap}
.nw{white-space:nowrap}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f6f8fa;padding:0 3px;border-radius:3px;white-space:nowrap}
pre{background:#f6f8fa;border:1px solid var(--line);padding:.8em;font:12px ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
td.ok{color:var(--ok);font-weight:600}td.warn{color:var(--warn);font-weight:600}td.due{color:var(--due);font-weight:600}
td.eol{color:var(--eol);font-weight:600}td.accepted{color:var(--accepted);font-weight:600}td.unknown{color:var(--unknown)}
.mark{display:inline-block;border:1.5px solid currentColor;border-radius:3px;padding:0 5px;font-weight:700;white-space:nowrap}
.mark.fail{background:#1f2328;color:#fff;border-color:#1f2328}
.mark.warn{border-style:dashed}
.note{border:2px solid #1f2328;border-radius:6px;padding:.6em 1em;margin:1em 0;background:#f6f8fa;break-inside:avoid}
.note h4{margin:.2em 0 .4em}
.keep{break-inside:avoid}
.cover{min-height:60vh}
.cover h1{font-size:2em;border:none;margin-top:3em}
.cover dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1.2em;margin-top:2em}
.cover dt{font-weight:600}.cover dd{margin:0}
.toc ul{line-height:1.9;list-style:none;padding-left:1em}
.sign table td{height:4.5em}
.timeline{width:100%;height:auto;border:1px solid var(--line);margin:.5em 0 1em}
.legend span{display:inline-block;margin-right:1.2em;font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
footer{margin-top:3em;color:#57606a;font-size:12px;border-top:1px solid var(--line);padding-top:.6em}
@page{size:A4;margin:16mm 12mm 18mm}
@media print{
 body{margin:0;max-width:none;font-size:10.5px}
 h1,h2,h3,h4{break-after:avoid;page-break-after:avoid}
 tr,.timeline,figure{break-inside:avoid}
 thead{display:table-header-group}
 a{color:inherit;text-decoration:none}
 .cover,.toc{break-after:page}
 .sign{break-before:page}
 footer{display:none}
 table{font-size:9.5px}
}
"#;

fn html_cell(out: &mut String, c: &Cell) {
    out.push_str("<td");
    if let Some(k) = c.class {
        let _ = write!(out, " class=\"{k}\"");
    }
    out.push('>');
    let mark = match c.mark {
        Some(Mark::Pass) => Some(r#"<span class="mark pass">✓ "#),
        Some(Mark::Fail) => Some(r#"<span class="mark fail">✗ "#),
        Some(Mark::Warn) => Some(r#"<span class="mark warn">! "#),
        None => None,
    };
    out.push_str(mark.unwrap_or_default());
    // A short token (a date, an id, a version) never breaks across lines.
    let token = c.text.chars().count() <= 20 && !c.text.contains(' ');
    if token {
        out.push_str("<span class=\"nw\">");
    }
    inline_into(out, &c.text);
    if token {
        out.push_str("</span>");
    }
    if mark.is_some() {
        out.push_str("</span>");
    }
    out.push_str("</td>");
}

fn html_table(out: &mut String, head: &[String], rows: &[Vec<Cell>]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        out.push_str("<th>");
        esc_into(out, h);
        out.push_str("</th>");
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            html_cell(out, c);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn html_block(out: &mut String, blocks: &[Block], b: &Block, section: &mut usize) {
    match b {
        Block::H(2, text) => {
            *section += 1;
            let _ = writeln!(out, "<h2 id=\"s{section}\">{}</h2>", inline(text));
        }
        Block::H(level, text) => {
            let _ = writeln!(out, "<h{level}>{}</h{level}>", inline(text));
        }
        Block::P(text) => {
            let _ = writeln!(out, "<p>{}</p>", inline(text));
        }
        Block::List(items) => {
            out.push_str("<ul>");
            for i in items {
                let _ = write!(out, "<li>{}</li>", inline(i));
            }
            out.push_str("</ul>\n");
        }
        Block::Table(head, rows) => html_table(out, head, rows),
        Block::Code(lines) => {
            let _ = writeln!(out, "<pre>{}</pre>", esc(&lines.join("\n")));
        }
        Block::Note(title, paras) => {
            let _ = write!(out, "<aside class=\"note\"><h4>{}</h4>", inline(title));
            for p in paras {
                let _ = write!(out, "<p>{}</p>", inline(p));
            }
            out.push_str("</aside>\n");
        }
        Block::Figure { html, .. } => {
            out.push_str(html);
            out.push('\n');
        }
        Block::Cover { title, lines, facts } => {
            let _ = write!(out, "<section class=\"cover\"><h1>{}</h1>", inline(title));
            for l in lines {
                let _ = write!(out, "<p>{}</p>", inline(l));
            }
            out.push_str("<dl>");
            for (k, v) in facts {
                let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), inline(v));
            }
            out.push_str("</dl></section>\n");
        }
        Block::Contents(title) => {
            let _ = write!(out, "<nav class=\"toc\"><h2>{}</h2><ul>", esc(title));
            for (n, h) in headings(blocks) {
                let _ = write!(out, "<li><a href=\"#s{}\">{}</a></li>", n + 1, inline(h));
            }
            out.push_str("</ul></nav>\n");
        }
        Block::Signatures { title, text, head, roles } => {
            let _ = write!(out, "<section class=\"sign\"><h2>{}</h2><p>{}</p>", esc(title), inline(text));
            let rows: Vec<Vec<Cell>> = roles
                .iter()
                .map(|r| {
                    std::iter::once(Cell::from(r.as_str()))
                        .chain((1..head.len()).map(|_| Cell::from("")))
                        .collect()
                })
                .collect();
            html_table(out, head, &rows);
            out.push_str("</section>\n");
        }
    }
}

/// One self-contained HTML page (inline CSS, no external assets). `page` is the text of the page
/// margins when printed: (left, right with `{page}` and `{pages}` placeholders).
pub fn html(blocks: &[Block], lang: &str, title: &str, footer: &str, page: (&str, &str)) -> String {
    let css_text = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let (left, right) = page;
    let right =
        css_text(right).replace("{page}", "\" counter(page) \"").replace("{pages}", "\" counter(pages) \"");
    let margins = format!(
        "@page{{@bottom-left{{content:\"{}\";font-size:8px;color:#57606a}}@bottom-right{{content:\"{right}\";font-size:8px}}}}",
        css_text(left)
    );
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"lifecycle {}\">\n<title>{}</title>\n<style>{CSS}{margins}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(title)
    );
    let mut section = 0;
    for b in blocks {
        html_block(&mut out, blocks, b, &mut section);
    }
    let _ = write!(out, "<footer>{}</footer>\n</body>\n</html>\n", esc(footer));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-pass `inline` this one pass replaced: escape and code tags, then bold over the result.
    fn inline_reference(s: &str) -> String {
        let e = esc(s);
        let mut out = String::new();
        let mut code = false;
        for (i, part) in e.split('`').enumerate() {
            if i > 0 {
                out.push_str(if code { "</code>" } else { "<code>" });
                code = !code;
            }
            out.push_str(part);
        }
        if code {
            out.push_str("</code>");
        }
        let mut res = String::new();
        let mut bold = false;
        for (i, part) in out.split("**").enumerate() {
            if i > 0 {
                res.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
            }
            res.push_str(part);
        }
        if bold {
            res.push_str("</strong>");
        }
        res
    }

    proptest::proptest! {
        #[test]
        fn inline_in_one_pass_reads_as_in_two(s in "[a`*<&'\"é ]{0,24}") {
            proptest::prop_assert_eq!(inline(&s), inline_reference(&s));
        }
    }

    #[test]
    fn inline_markup_is_escaped_first() {
        assert_eq!(inline("`a<b>` **x** & y"), "<code>a&lt;b&gt;</code> <strong>x</strong> &amp; y");
        assert_eq!(inline("<script>"), "&lt;script&gt;");
    }

    #[test]
    fn marks_read_without_colour() {
        let blocks = [Block::Table(
            vec!["a".into(), "b".into()],
            vec![vec![marked("met", Mark::Pass), marked("not met", Mark::Fail)]],
        )];
        let md = markdown(&blocks);
        assert!(md.contains("| ✓ met | **✗ not met** |"), "{md}");
        let html = html(&blocks, "en", "t", "f", ("id", "Page {page} of {pages}"));
        assert!(html.contains(r#"<span class="mark fail">✗ not met</span>"#));
        assert!(html.contains(r#"content:"Page " counter(page) " of " counter(pages) """#), "{html}");
        assert!(!html.contains('✅') && !html.contains('❌'));
    }
}
