//! CVSS scores through the RustSec `cvss` crate: v2.0, v3.0, v3.1 and v4.0 vectors, scored as FIRST's
//! specifications say (docs/decisions.md, "CVSS"). This module only maps a score to the model's
//! severity words.

use crate::model::Severity;

/// The base score (0.0–10.0) of a CVSS vector (`CVSS:4.0/…`, `CVSS:3.1/…`, `CVSS:3.0/…`, or a v2
/// vector), or an explanation of what is wrong with it.
pub fn base_score(vector: &str) -> Result<f64, String> {
    // The crate scores a vector that lacks base metrics as if they were their lowest values; the
    // specifications call such a vector invalid, and so do we.
    let v = vector.trim();
    let required: &[&str] = match v.split('/').next() {
        Some("CVSS:4.0") => &["AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA"],
        Some("CVSS:3.0" | "CVSS:3.1") => &["AV", "AC", "PR", "UI", "S", "C", "I", "A"],
        _ if !v.starts_with("CVSS:") => &["AV", "AC", "Au", "C", "I", "A"],
        _ => &[],
    };
    let present: Vec<&str> = v.split('/').filter_map(|p| p.split_once(':').map(|(k, _)| k)).collect();
    if let Some(missing) = required.iter().find(|m| !present.contains(m)) {
        return Err(format!(
            "`{vector}` is not a CVSS vector that can be scored: it lacks the base metric {missing}"
        ));
    }
    let parsed: cvss::Cvss = vector
        .trim()
        .parse()
        .map_err(|e| format!("`{vector}` is not a CVSS vector that can be scored: {e}"))?;
    Ok(parsed.score())
}

/// The severity of a CVSS vector: the qualitative rating of its base score.
pub fn severity(vector: &str) -> Result<Severity, String> {
    base_score(vector).map(rating)
}

/// The qualitative rating of a score (CVSS v3.1 §5, v4.0 §2). `None` (0.0) maps to `low`: the model
/// has no "none" and an advisory with no impact is the least urgent kind.
pub fn rating(score: f64) -> Severity {
    if score >= 9.0 {
        Severity::Critical
    } else if score >= 7.0 {
        Severity::High
    } else if score >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores published by NVD / FIRST's calculators for these vectors.
    #[test]
    fn known_vectors_score_as_published() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0), // Log4Shell
            ("CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:N/A:N", 4.7),  // CVE-2018-5407
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3),  // CVE-2023-41045
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1),
            ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H", 5.5), // CVE-2024-0727
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1), // reflected XSS
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N", 5.4), // stored XSS
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
            // CVSS v4.0 (FIRST's calculator): critical network RCE, and a local low-impact one.
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
            ("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 4.8),
            // CVSS v2 (NVD): CVE-2014-0160 (Heartbleed).
            ("AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.0),
        ];
        for (v, want) in cases {
            assert_eq!(base_score(v), Ok(want), "{v}");
        }
        assert_eq!(
            severity("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Ok(Severity::Critical)
        );
    }

    #[test]
    fn ratings_follow_the_spec_bands() {
        assert_eq!(rating(9.8), Severity::Critical);
        assert_eq!(rating(9.0), Severity::Critical);
        assert_eq!(rating(8.9), Severity::High);
        assert_eq!(rating(7.0), Severity::High);
        assert_eq!(rating(5.5), Severity::Medium);
        assert_eq!(rating(3.9), Severity::Low);
        assert_eq!(rating(0.0), Severity::Low);
    }

    #[test]
    fn bad_vectors_are_explained() {
        for bad in [
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:2.0/AV:N",
            "CVSS:4.0/AV:N",
            "not a vector",
        ] {
            assert!(base_score(bad).unwrap_err().contains("is not a CVSS vector"), "{bad}");
        }
    }
}
