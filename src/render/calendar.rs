//! iCalendar (RFC 5545) output: CRLF line ends, lines folded at 75 octets (never inside a UTF-8
//! character), TEXT values escaped, UIDs from content and DTSTAMP from `today`, so that the same
//! repository on the same `--today` gives the same bytes.

use std::io::{self, Write};

use chrono::{NaiveDate, Utc};

use crate::eval::calendar::{Event, When};
use crate::i18n::Lang;

/// Escapes a TEXT value (§3.3.11): backslash, semicolon, comma and line breaks.
pub fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            ';' => s.push_str("\\;"),
            ',' => s.push_str("\\,"),
            '\n' => s.push_str("\\n"),
            '\r' => {}
            // Other control characters are not allowed in TEXT.
            c if c.is_control() && c != '\t' => {}
            c => s.push(c),
        }
    }
    s
}

/// One content line, folded (§3.1): at most 75 octets per physical line, continuation lines start
/// with a space, each ends with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 64 * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

fn day(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Writes the events as one VCALENDAR. `today` stamps DTSTAMP (midnight UTC).
pub fn write(out: &mut dyn Write, events: &[Event], lang: Lang, today: NaiveDate) -> io::Result<()> {
    let stamp = format!("{}T000000Z", day(today));
    let mut put = |line: String| out.write_all(fold(&line).as_bytes());
    put("BEGIN:VCALENDAR".into())?;
    put("VERSION:2.0".into())?;
    put(format!("PRODID:-//lifecycle//lifecycle {}//EN", env!("CARGO_PKG_VERSION")))?;
    put("CALSCALE:GREGORIAN".into())?;
    put("METHOD:PUBLISH".into())?;
    put(format!("X-WR-CALNAME:{}", escape(lang.t("calendar.name"))))?;
    for e in events {
        put("BEGIN:VEVENT".into())?;
        put(format!("UID:{}", e.uid()))?;
        put(format!("DTSTAMP:{stamp}"))?;
        match e.when {
            When::Day(d) => {
                put(format!("DTSTART;VALUE=DATE:{}", day(d)))?;
                put(format!("DTEND;VALUE=DATE:{}", day(d.succ_opt().unwrap_or(d))))?;
            }
            When::At(t) => {
                let utc = t.with_timezone(&Utc);
                put(format!("DTSTART:{}", utc.format("%Y%m%dT%H%M%SZ")))?;
                put("DURATION:PT1H".into())?;
            }
        }
        let key = format!("calendar.{}", e.kind.as_str());
        let summary = lang.fmt(&key, &[("subject", &e.subject), ("about", &e.about)]);
        put(format!("SUMMARY:{}", escape(&summary)))?;
        if !e.details.is_empty() {
            put(format!("DESCRIPTION:{}", escape(&e.details.join("\n"))))?;
        }
        let mut categories = vec!["lifecycle".to_string(), e.kind.as_str().replace('_', "-")];
        if let Some(change) = &e.change {
            categories.push(change.clone());
        }
        let categories: Vec<String> = categories.iter().map(|c| escape(c)).collect();
        put(format!("CATEGORIES:{}", categories.join(",")))?;
        put("TRANSP:TRANSPARENT".into())?;
        put("END:VEVENT".into())?;
    }
    put("END:VCALENDAR".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let long = format!("SUMMARY:{}", "停".repeat(40));
        let folded = fold(&long);
        for line in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
        assert_eq!(fold("A:b"), "A:b\r\n");
        let exact = format!("X:{}", "a".repeat(73));
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
        assert_eq!(fold(&format!("{exact}b")), format!("{exact}\r\n b\r\n"));
    }

    #[test]
    fn escapes_text() {
        assert_eq!(escape("a,b;c\\d\ne\r"), "a\\,b\\;c\\\\d\\ne");
    }
}
