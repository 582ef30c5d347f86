//! Version → cycle resolution (SPEC §5.1).
//!
//! A version is split into segments at `.`, `-`, `+`, `_` (a leading `v` is dropped). A cycle matches
//! when its segments are a prefix of the version's, a segment matching when equal (ASCII
//! case-insensitively) or when the version segment is the cycle segment followed by a non-digit
//! (`1.1.1w` matches `1.1.1`; `3.10.12` matches `3.10`, never `3.1`). The longest matching cycle wins.

/// Splits a version or cycle name into its segments.
pub fn segments(text: &str) -> Vec<&str> {
    split(text).collect()
}

/// The segments of [`segments`], without collecting them.
fn split(text: &str) -> impl Iterator<Item = &str> {
    let t = text.trim();
    let t = match t.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => t,
    };
    t.split(['.', '-', '+', '_']).filter(|s| !s.is_empty())
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
    match_segments(&segments(version), cycle)
}

/// [`match_len`] on a version already split into segments (a version is tried against every cycle).
fn match_segments(version: &[&str], cycle: &str) -> Option<usize> {
    let mut n = 0;
    for c in split(cycle) {
        // A cycle with more segments than the version does not match it.
        if !segment_matches(version.get(n)?, c) {
            return None;
        }
        n += 1;
    }
    (n > 0).then_some(n)
}

/// The index of the longest matching cycle. On a tie, the first listed wins (catalogs list newest first).
pub fn resolve<'a>(version: &str, cycles: impl IntoIterator<Item = &'a str>) -> Option<usize> {
    let version = segments(version);
    let mut best: Option<(usize, usize)> = None;
    for (i, cycle) in cycles.into_iter().enumerate() {
        if let Some(n) = match_segments(&version, cycle)
            && best.is_none_or(|(len, _)| n > len)
        {
            best = Some((n, i));
        }
    }
    best.map(|(_, i)| i)
}

/// How a version found its cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The cycle's name is a prefix of the version (§5.1).
    Name,
    /// No cycle name matches; the version is on the build line of the cycle's `latest` (the same
    /// leading segments, at least two, and more of them than any other cycle's `latest` shares).
    BuildLine,
}

/// The cycle of `version`: by name (§5.1), or else by the build line of the cycles' `latest`
/// versions, for vendors whose scanners report build numbers (`10.0.17763.5458` is Windows Server
/// 2019, whose `latest` is `10.0.17763.6893`). `cycles` yields `(name, latest)`.
pub fn resolve_with_latest<'a>(
    version: &str,
    cycles: impl IntoIterator<Item = (&'a str, Option<&'a str>)> + Clone,
) -> Option<(usize, Rule)> {
    if let Some(i) = resolve(version, cycles.clone().into_iter().map(|(n, _)| n)) {
        return Some((i, Rule::Name));
    }
    let mut best: Option<(usize, usize)> = None;
    let mut tie = false;
    for (i, (_, latest)) in cycles.into_iter().enumerate() {
        let Some(shared) = latest.and_then(|l| build_line(l, version)) else { continue };
        match best {
            Some((n, _)) if shared < n => {}
            Some((n, _)) if shared == n => tie = true,
            _ => {
                best = Some((shared, i));
                tie = false;
            }
        }
    }
    match best {
        Some((_, i)) if !tie => Some((i, Rule::BuildLine)),
        _ => None,
    }
}

/// How many leading segments `version` shares with a cycle's `latest`, when it is on its build line:
/// at least two shared, and either all of `latest` (`10.0.17763` → `10.0.17763.5458`) or as many
/// segments as both have minus the build (`15.0.4415.2` → `15.0.4385.2`).
pub fn build_line(latest: &str, version: &str) -> Option<usize> {
    let (l, v) = (segments(latest), segments(version));
    let shared = l.iter().zip(&v).take_while(|(a, b)| a.eq_ignore_ascii_case(b)).count();
    (shared >= 2 && (shared == l.len() || l.len() == v.len())).then_some(shared)
}

/// The upstream version inside a distribution package version: the epoch (`1:`), the Debian or RPM
/// revision (after the last `-`) and a `~`/`+` suffix (`+deb12u4`, `~20.04`) are dropped:
/// `1:3.0.2-0ubuntu1.15` → `3.0.2`, `1.1.1k-12.el8_9` → `1.1.1k`, `7.9.2009` stays.
pub fn upstream(raw: &str) -> &str {
    let t = raw.trim();
    let t = match t.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => t,
    };
    let t = match t.rfind('-') {
        Some(i) if i > 0 => &t[..i],
        _ => t,
    };
    let t = t.split(['~', '+']).next().unwrap_or(t);
    if t.is_empty() { raw.trim() } else { t }
}

/// One token of a version for ordering: a number, a word, or the mark of a pre-release.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    /// `-alpha`, `~rc1`, `.dev0`: sorts before everything, so `3.0.0-rc1 < 3.0.0`.
    Pre(String),
    /// The end of the version (`1.1.1 < 1.1.1w`, `3.0 < 3.0.1`).
    End,
    Word(String),
    Number(u128),
}

const PRE_WORDS: [&str; 9] = ["alpha", "beta", "rc", "pre", "dev", "a", "b", "c", "preview"];

fn tokens(text: &str) -> Vec<Token> {
    let t = text.trim();
    let t = match t.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => t,
    };
    // Build metadata never orders (SemVer), nor does an epoch-less distribution suffix matter here.
    let t = t.split('+').next().unwrap_or(t);
    let mut out = Vec::new();
    let mut chars = t.char_indices().peekable();
    let mut after_separator = false;
    while let Some(&(i, c)) = chars.peek() {
        if c.is_ascii_digit() {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            let digits = t[i..end].trim_start_matches('0');
            out.push(Token::Number(digits.get(..38).unwrap_or(digits).parse().unwrap_or(0)));
            after_separator = false;
        } else if c.is_alphanumeric() {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if !d.is_alphanumeric() || d.is_ascii_digit() {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            let word = t[i..end].to_ascii_lowercase();
            // `1.1.1w` is a later OpenSSL letter release; `3.0.0-rc1` and `2.0b1` are pre-releases.
            // A lone `a`/`b` is PEP 440's alpha/beta only when a number follows (`2.0b1`); at the end
            // it is a letter release (`1.1.1a`).
            let digit_follows = chars.peek().is_some_and(|&(_, d)| d.is_ascii_digit());
            let pre = !out.is_empty()
                && PRE_WORDS.contains(&word.as_str())
                && (word.len() > 1 || digit_follows || after_separator);
            out.push(if pre { Token::Pre(word) } else { Token::Word(word) });
            after_separator = false;
        } else {
            after_separator = c == '-' || c == '~';
            chars.next();
        }
    }
    out
}

/// Orders two versions the way most ecosystems do: numbers numerically, words alphabetically,
/// pre-releases (`-rc1`, `~beta`, `b2`) before the release, a letter suffix (`1.1.1w`) after it,
/// build metadata (`+…`) ignored. Good enough for SemVer, PEP 440's common forms, Debian/Alpine
/// upstream versions and OpenSSL; the ecosystems' exotic corners are not modelled.
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (tokens(a), tokens(b));
    let n = x.len().max(y.len());
    for i in 0..n {
        let l = x.get(i).cloned().unwrap_or(Token::End);
        let r = y.get(i).cloned().unwrap_or(Token::End);
        let (l, r) = match (&l, &r) {
            // A missing trailing number is zero: 3.0 == 3.0.0.
            (Token::End, Token::Number(0)) => (Token::Number(0), r),
            (Token::Number(0), Token::End) => (l, Token::Number(0)),
            _ => (l, r),
        };
        match l.cmp(&r) {
            std::cmp::Ordering::Equal => continue,
            other => return other,
        }
    }
    std::cmp::Ordering::Equal
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

    /// On a tie the first listed cycle wins (catalogs list newest first).
    #[test]
    fn a_tie_goes_to_the_first_cycle() {
        assert_eq!(resolve("1.0.5", ["1.0", "1.0"]), Some(0));
    }

    /// The build line: all of a shorter `latest`, or as many segments as both have minus the build.
    #[test]
    fn build_lines() {
        assert_eq!(build_line("10.0.17763", "10.0.17763.5458"), Some(3));
        assert_eq!(build_line("15.0.4415.2", "15.0.4385.2"), Some(2));
        assert_eq!(build_line("10.0.17763.6893", "10.0.17763"), None);
        assert_eq!(build_line("1.2", "1.3"), None);
    }

    /// Only a numeric epoch is dropped.
    #[test]
    fn only_a_numeric_epoch_is_dropped() {
        assert_eq!(upstream("2:1.0-1"), "1.0");
        assert_eq!(upstream("a:1.0"), "a:1.0");
        assert_eq!(upstream(":1.0"), ":1.0");
    }

    /// Pre-release words: a long one anywhere (`beta`), a lone letter after `-` or `~` or before a
    /// number; a lone letter after a dot or at the end is a letter release. A leading `v` is dropped
    /// only before a digit.
    #[test]
    fn pre_releases_and_letters() {
        use std::cmp::Ordering::*;
        assert_eq!(compare("1.0.0beta", "1.0.0"), Less);
        assert_eq!(compare("1.1.1-a", "1.1.1"), Less);
        assert_eq!(compare("1.0~a", "1.0"), Less);
        assert_eq!(compare("1.1.1.a", "1.1.1"), Greater);
        assert_eq!(compare("vz", "w"), Less);
    }

    /// A leading `v` is dropped only before a digit: `v18` is 18, `vmware` stays a word.
    #[test]
    fn a_leading_v_is_a_prefix_only_before_a_digit() {
        assert_eq!(segments("v18.19.0"), ["18", "19", "0"]);
        assert_eq!(segments("vmware-7"), ["vmware", "7"]);
        assert_eq!(segments("V2"), ["2"]);
        // A cycle without segments matches nothing, not every version with length 0.
        assert_eq!(match_len("1.2.3", ""), None);
        assert_eq!(match_len("1.2.3", ".-"), None);
        assert_eq!(resolve("1.2.3", ["", "1"]), Some(1));
    }

    #[test]
    fn distribution_versions_give_their_upstream() {
        // A `-` right after the epoch starts no revision.
        assert_eq!(upstream("1:-x"), "-x");
        assert_eq!(upstream("1:3.0.2-0ubuntu1.15"), "3.0.2");
        assert_eq!(upstream("1.1.1k-12.el8_9"), "1.1.1k");
        assert_eq!(upstream("7.9.2009"), "7.9.2009");
        assert_eq!(upstream("2.36-9+deb12u4"), "2.36");
        assert_eq!(upstream("3.0.11-1~deb12u2"), "3.0.11");
        assert_eq!(upstream("1:2.39.2-1.1"), "2.39.2");
        assert_eq!(upstream("-"), "-");
    }

    #[test]
    fn build_numbers_resolve_through_latest() {
        let win = [
            ("2022", Some("10.0.20348.3091")),
            ("2019", Some("10.0.17763.6893")),
            ("2016", Some("10.0.14393.7785")),
        ];
        assert_eq!(resolve_with_latest("10.0.17763.5458", win), Some((1, Rule::BuildLine)));
        // Shares only `10.0` with every cycle: ambiguous, so unknown.
        assert_eq!(resolve_with_latest("10.0.19045.1", win), None);
        let sql =
            [("2022", Some("16.0.4175.1")), ("2019", Some("15.0.4415.2")), ("2017", Some("14.0.3485.1"))];
        assert_eq!(resolve_with_latest("15.0.4385.2", sql), Some((1, Rule::BuildLine)));
        // A cycle name still wins first.
        assert_eq!(resolve_with_latest("2019", sql), Some((1, Rule::Name)));
        assert_eq!(resolve_with_latest("7.0.1", [("7.2", Some("7.2.7"))]), None);
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
    #[test]
    fn versions_order_like_their_ecosystems() {
        use std::cmp::Ordering::*;
        let cases = [
            ("1.1.1w", "1.1.1x", Less),
            ("1.1.1", "1.1.1a", Less),
            ("3.0.2", "3.0.13", Less),
            ("3.0.13", "3.0.13", Equal),
            ("3.0", "3.0.0", Equal),
            ("3.0.0-rc1", "3.0.0", Less),
            ("3.0.0-alpha", "3.0.0-beta", Less),
            ("2.0b1", "2.0", Less),
            ("v1.2.3", "1.2.3", Equal),
            ("1.2.3+build5", "1.2.3", Equal),
            ("6.2.14", "6.2.16", Less),
            ("10.0", "9.9", Greater),
            ("8.2.15", "8.2.20", Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }
}
