//! CVSS v3.x base scores computed from the vector string, per FIRST's CVSS v3.1 specification
//! (§7.1 base equations, Appendix A `Roundup`). v3.0 vectors use the same equations.

use crate::model::Severity;

/// The base score (0.0–10.0) of a `CVSS:3.x/…` vector, or an explanation of what is wrong with it.
pub fn base_score(vector: &str) -> Result<f64, String> {
    let mut parts = vector.trim().split('/');
    let version = parts.next().unwrap_or("");
    if version != "CVSS:3.1" && version != "CVSS:3.0" {
        return Err(format!(
            "`{vector}` is not a CVSS v3 vector (it must start with CVSS:3.1/ or CVSS:3.0/)"
        ));
    }
    let mut metrics: [Option<&str>; 8] = [None; 8];
    const NAMES: [&str; 8] = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];
    for part in parts {
        let (k, v) =
            part.split_once(':').ok_or_else(|| format!("`{part}` in `{vector}` is not METRIC:VALUE"))?;
        if let Some(i) = NAMES.iter().position(|n| *n == k) {
            if metrics[i].is_some() {
                return Err(format!("metric {k} appears twice in `{vector}`"));
            }
            metrics[i] = Some(v);
        }
        // Temporal and environmental metrics do not change the base score.
    }
    let get = |i: usize| metrics[i].ok_or_else(|| format!("`{vector}` lacks the base metric {}", NAMES[i]));
    let bad = |i: usize, v: &str| format!("{}:{v} is not a valid value in `{vector}`", NAMES[i]);
    let changed = match get(4)? {
        "U" => false,
        "C" => true,
        v => return Err(bad(4, v)),
    };
    let av = match get(0)? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        v => return Err(bad(0, v)),
    };
    let ac = match get(1)? {
        "L" => 0.77,
        "H" => 0.44,
        v => return Err(bad(1, v)),
    };
    let pr = match (get(2)?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        (v, _) => return Err(bad(2, v)),
    };
    let ui = match get(3)? {
        "N" => 0.85,
        "R" => 0.62,
        v => return Err(bad(3, v)),
    };
    let cia = |i: usize| -> Result<f64, String> {
        match get(i)? {
            "H" => Ok(0.56),
            "L" => Ok(0.22),
            "N" => Ok(0.0),
            v => Err(bad(i, v)),
        }
    };
    let (c, i, a) = (cia(5)?, cia(6)?, cia(7)?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed { 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02f64).powi(15) } else { 6.42 * iss };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if changed { 1.08 * (impact + exploitability) } else { impact + exploitability };
    Ok(roundup(raw.min(10.0)))
}

/// CVSS v3.1 Appendix A: the smallest number with one decimal that is ≥ the input, robust to
/// floating-point error.
fn roundup(input: f64) -> f64 {
    let int_input = (input * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

/// The qualitative rating of a score (CVSS v3.1 §5). `None` (0.0) maps to `low`: the model has no
/// "none" and an advisory with no impact is the least urgent kind.
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

    /// Scores published by NVD / FIRST's calculator for these vectors.
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
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L/E:P/RL:O", 7.3), // temporal ignored
        ];
        for (v, want) in cases {
            assert_eq!(base_score(v), Ok(want), "{v}");
        }
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
        assert!(base_score("AV:N/AC:L").unwrap_err().contains("not a CVSS v3 vector"));
        assert!(base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H").unwrap_err().contains("lacks"));
        assert!(base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap_err().contains("AV:X"));
        assert!(base_score("CVSS:2.0/AV:N").is_err());
    }
}
