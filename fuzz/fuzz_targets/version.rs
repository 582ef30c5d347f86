//! Version → cycle resolution (SPEC §5.1). Input: a version on the first line, candidate cycles on
//! the following lines.
#![no_main]

use lifecycle::model::version::{match_len, resolve, segments};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lines = text.split('\n');
    let version = lines.next().unwrap_or("");
    let cycles: Vec<&str> = lines.collect();
    let _ = segments(version);
    let best = resolve(version, cycles.iter().copied());
    let lens: Vec<Option<usize>> = cycles.iter().map(|c| match_len(version, c)).collect();
    match best {
        // The chosen cycle matches, and no other matches more segments; the first of the longest wins.
        Some(i) => {
            let n = lens[i].expect("the resolved cycle matches");
            assert!(lens.iter().all(|l| l.is_none_or(|l| l <= n)), "a longer match exists");
            assert!(lens[..i].iter().all(|l| *l != Some(n)), "an earlier cycle ties");
        }
        None => assert!(lens.iter().all(Option::is_none), "a cycle matches but none was resolved"),
    }
    // A cycle matches itself (when it has segments).
    for c in &cycles {
        if !segments(c).is_empty() {
            assert_eq!(match_len(c, c), Some(segments(c).len()), "{c:?} does not match itself");
        }
    }
});
