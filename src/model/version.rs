//! Version → cycle resolution (SPEC §5.1).
//!
//! A version is split into segments at `.`, `-`, `+`, `_` (a leading `v` is dropped). A cycle matches
//! when its segments are a prefix of the version's, a segment matching when equal (ASCII
//! case-insensitively) or when the version segment is the cycle segment followed by a non-digit
//! (`1.1.1w` matches `1.1.1`; `3.10.12` matches `3.10`, never `3.1`). The longest matching cycle wins.

/// Splits a version or cycle name into its segments.
pub fn segments(text: &str) -> Vec<&str> {
    let t = text.trim();
    let t = match t.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => t,
    };
    t.split(['.', '-', '+', '_']).filter(|s| !s.is_empty()).collect()
}

fn segment_matches(version: &str, cycle: &str) -> bool {
    if version.eq_ignore_ascii_case(cycle) {
        return true;
    }
    version.len() > cycle.len()
        && version.is_char_boundary(cycle.len())
        && version[..cycle.len()].eq_ignore_ascii_case(cycle)
        && !version[cycle.len()..].starts_with(|c: char| c.is_ascii_digit())
}

/// Whether `cycle` matches `version`; returns the number of matched segments.
pub fn match_len(version: &str, cycle: &str) -> Option<usize> {
    let v = segments(version);
    let c = segments(cycle);
    if c.is_empty() || c.len() > v.len() {
        return None;
    }
    c.iter().zip(&v).all(|(c, v)| segment_matches(v, c)).then_some(c.len())
}

/// The index of the longest matching cycle. On a tie, the first listed wins (catalogs list newest first).
pub fn resolve<'a>(version: &str, cycles: impl IntoIterator<Item = &'a str>) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, cycle) in cycles.into_iter().enumerate() {
        if let Some(n) = match_len(version, cycle)
            && best.is_none_or(|(len, _)| n > len)
        {
            best = Some((n, i));
        }
    }
    best.map(|(_, i)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pick<'a>(version: &str, cycles: &[&'a str]) -> Option<&'a str> {
        resolve(version, cycles.iter().copied()).map(|i| cycles[i])
    }

    #[test]
    fn spec_examples() {
        assert_eq!(pick("1.1.1w", &["3.0", "1.1.1", "1.1.0"]), Some("1.1.1"));
        assert_eq!(pick("3.10.12", &["3.1", "3.10", "3.11"]), Some("3.10"));
        assert_eq!(pick("3.1.4", &["3.1", "3.10"]), Some("3.1"));
        assert_eq!(pick("v18.19.0", &["20", "18", "16"]), Some("18"));
        assert_eq!(pick("22.04", &["24.04", "22.04", "20.04"]), Some("22.04"));
        assert_eq!(pick("2019", &["2022", "2019", "2016"]), Some("2019"));
        assert_eq!(pick("7.9.2009", &["8", "7", "6"]), Some("7"));
        assert_eq!(pick("21.0.2+13", &["21", "17", "11"]), Some("21"));
        assert_eq!(pick("1.25.3-alpine", &["1.25", "1.24"]), Some("1.25"));
        assert_eq!(pick("8u202", &["17", "11", "8"]), Some("8"));
        assert_eq!(pick("2012-R2", &["2016", "2012-r2", "2012"]), Some("2012-r2"));
        assert_eq!(pick("2012", &["2012-r2", "2012"]), Some("2012"));
        assert_eq!(pick("6.2.14", &["7.2", "7.0", "6.0"]), None);
        assert_eq!(pick("", &["1"]), None);
    }

    #[test]
    fn longest_cycle_wins_over_shorter_prefix() {
        assert_eq!(pick("1.1.1w", &["1", "1.1", "1.1.1"]), Some("1.1.1"));
    }

    #[test]
    fn version_letters_need_a_digit_boundary() {
        assert_eq!(match_len("10", "1"), None);
        assert_eq!(match_len("1a", "1"), Some(1));
        assert_eq!(match_len("rc1", "rc"), None);
    }

    proptest! {
        /// A version built by extending a cycle always resolves to that cycle, never to a sibling whose
        /// number is a string prefix (3.1 vs 3.10).
        #[test]
        fn extended_versions_resolve_to_their_cycle(major in 0u32..40, minor in 0u32..40, patch in 0u32..100, suffix in "[a-z]{0,2}") {
            let cycle = format!("{major}.{minor}");
            let version = format!("{major}.{minor}.{patch}{suffix}");
            let sibling = format!("{major}.{}", minor / 10);
            let cycles = [sibling.as_str(), cycle.as_str()];
            prop_assert_eq!(pick(&version, &cycles), Some(cycle.as_str()));
        }

        /// Matching never panics on arbitrary input.
        #[test]
        fn never_panics(version in "\\PC{0,20}", cycle in "\\PC{0,10}") {
            let _ = match_len(&version, &cycle);
        }
    }
}
