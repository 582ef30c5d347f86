//! Findings: rule breaches with stable kebab-case codes, shared by `change`, `confirm`, `verify`,
//! `review` and `report`. Every code is listed in docs/diagnostics.md.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    pub commit: Option<String>,
    pub path: Option<String>,
    pub line: Option<u32>,
    pub change: Option<String>,
    pub message: String,
    /// The message as an i18n key, for people reading another language (JSON and SARIF keep `message`).
    #[serde(skip)]
    pub words: Option<crate::diag::Text>,
}

impl Finding {
    pub fn error(code: &'static str, message: impl Into<String>) -> Finding {
        // Every code is in CODES: SARIF rules, docs and translations are generated from it.
        debug_assert!(CODES.iter().any(|(c, _)| *c == code), "finding code `{code}` is not in CODES");
        Finding {
            code,
            severity: Severity::Error,
            commit: None,
            path: None,
            line: None,
            change: None,
            message: message.into(),
            words: None,
        }
    }

    /// The same message in every language: the i18n `key` with its arguments.
    pub fn words(self, key: &str, args: &[(&str, &dyn std::fmt::Display)]) -> Finding {
        self.text(crate::diag::Text::new(key, args))
    }

    /// The same message in every language, as `text`.
    pub fn text(mut self, text: crate::diag::Text) -> Finding {
        self.words = Some(text);
        self
    }

    /// `invalid-file`: the file at `path` is not what its path says, for the reason `why`.
    pub fn invalid_file(path: &str, why: crate::diag::Reason) -> Finding {
        let text = crate::diag::Text::new("ledger.invalid_file", &[("path", &path)]).with("why", why.text);
        Finding::error("invalid-file", format!("{path}: {}", why.english)).text(text)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Finding {
        Finding { severity: Severity::Warning, ..Finding::error(code, message) }
    }

    pub fn at(mut self, path: &str, line: Option<u32>) -> Finding {
        self.path = Some(path.to_string());
        self.line = line.filter(|l| *l > 0);
        self
    }

    pub fn change(mut self, id: &str) -> Finding {
        self.change = Some(id.to_string());
        self
    }

    pub fn commit(mut self, id: Option<&str>) -> Finding {
        self.commit = id.map(str::to_string);
        self
    }
}

/// Why the loader refused a file, as an `invalid-file` finding says it: the diagnostic's message and
/// code (its words where it has them; else that it could not be read, and the code).
pub fn refused(d: &crate::diag::Diagnostic) -> crate::diag::Reason {
    use crate::diag::Text;
    let text = match &d.words.message {
        Some(why) => Text::new("ledger.refused", &[("code", &d.code)]).with("why", why.clone()),
        None => Text::new("ledger.refused_code", &[("code", &d.code)]),
    };
    crate::diag::Reason::new(format!("{} ({})", d.message, d.code), text)
}

/// Every finding code with its one-line description.
pub const CODES: &[(&str, &str)] = &[
    ("bad-signature", "a sign-off's signature does not verify against the key it names"),
    ("untrusted-key", "a sign-off or commit is signed by a key not in the people file trusted at the time"),
    (
        "wrong-namespace",
        "an SSH signature made for another purpose (e.g. a git commit) is replayed as a sign-off",
    ),
    ("key-not-owned", "the signing key belongs to someone other than the sign-off's `by`"),
    ("signer-not-in-role", "the signer does not hold the role of the stage they signed"),
    ("stale-signoff", "the request or report changed after it was signed; the sign-off no longer counts"),
    (
        "out-of-order",
        "a sign-off does not follow the chain: wrong stage order or a broken previous_digest link",
    ),
    ("unknown-stage", "a sign-off names a stage the change's chain does not have"),
    (
        "self-approval",
        "separation of duties: a person signs more than one stage, or the requester signs beyond `applicant`",
    ),
    ("wrong-change", "a sign-off names a different change than the folder it lies in"),
    ("premature-confirm", "completion was confirmed before the change was approved, or by the wrong role"),
    (
        "unsigned-commit",
        "a sign-off's commit is not signed by the same key (e.g. after a squash merge); the statement still verifies",
    ),
    (
        "unapproved-version-change",
        "an inventory version changed without an approved change whose target matches",
    ),
    (
        "unapproved-policy-change",
        "a file under policies/ changed without an approved `policy` change listing its digest",
    ),
    (
        "pending-policy-change",
        "a policy file, the people file or lifecycle.yaml changed and waits for an approved `policy` change; the previous state stays in force",
    ),
    (
        "unapproved-inventory-change",
        "a component's identity moved (renamed, product swapped, system or file renamed) without an approved change naming it",
    ),
    ("unapproved-removal", "a component or system was removed without an approved change with `to: removed`"),
    (
        "unapproved-addition",
        "a component or system was added at status warn, due, eol or unknown without a change or exception targeting it",
    ),
    (
        "unapproved-eol-move",
        "an end date a component depends on moved later (catalog or override), improving its status, without approval",
    ),
    (
        "time-regression",
        "a commit is dated more than 10 minutes before its parent: order, not dates, decides",
    ),
    ("signed-before-request", "a sign-off claims a time before its request existed"),
    ("confirmed-before-finished", "completion was confirmed before the report's execution finished"),
    (
        "exception-too-long",
        "an exception accepts a risk beyond its chain's completion plus the class's max_duration",
    ),
    ("no-backup", "no backup was taken before the execution started"),
    ("gray-not-passed", "production began before a passed gray test"),
    ("late-notice", "users were notified less than `notify_before` ahead"),
    ("outside-window", "production ran on a day the policy's windows do not allow"),
    ("executor-is-supervisor", "the same person (or nobody) supervised the execution"),
    ("executed-before-approval", "a non-emergency change started before it was approved"),
    (
        "late-retroactive-approval",
        "an emergency change's sign-offs came later than `retroactive_within` after it started",
    ),
    (
        "inventory-drift",
        "what scanners observed differs from the inventory: another version, a declared component not seen, or an undeclared product",
    ),
    ("signoff-altered", "a sign-off file was modified or deleted; sign-offs are append-only"),
    ("invalid-file", "a file in history could not be read as what its path says it is"),
    // `check --format sarif|github`: end-of-life statuses and security deadlines.
    ("component-eol", "a component in use is past its end of support and no approved exception accepts it"),
    ("component-due", "a component is past its `finish_by` date without a completed replacement"),
    ("component-warn", "a component is past its `plan_by` date without an approved replacement"),
    ("component-unknown", "a component's product is not in the catalog, or its version matches no cycle"),
    (
        "patch-behind",
        "a component is behind its cycle's latest release for longer than the policy's `patch_lag_max`",
    ),
    (
        "advisory-overdue",
        "a security deadline of the policy passed: no response by `respond_by`, or still affected after `deploy_by`",
    ),
    ("advisory-open", "a security advisory affects a component and no change answers it yet"),
    // `check` and `report`: discovery runs (§8.1).
    (
        "discovery-missed",
        "no discovery run of a kind (catalog, advisories, observations) within `rules.discovery_every`",
    ),
];

pub fn describe(code: &str) -> &'static str {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d).unwrap_or("")
}

/// A code's index in [`CODES`] (SARIF's `ruleIndex`).
pub fn index(code: &str) -> Option<usize> {
    CODES.iter().position(|(c, _)| *c == code)
}

/// What docs/diagnostics.md says about a code (the row of its table).
pub struct Documented {
    pub severity: &'static str,
    pub fix: &'static str,
    /// The GitHub anchor of the section the row is in (`finding-codes-approvals-verify`).
    pub anchor: String,
}

pub fn documented(code: &str) -> Option<Documented> {
    let needle = format!("| `{code}` |");
    let mut section = "";
    for line in DIAGNOSTICS_MD.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h;
        }
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        if line.starts_with(&needle) && cells.len() >= 4 {
            let anchor = section
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-')
                .map(|c| if c == ' ' { '-' } else { c })
                .collect();
            return Some(Documented { severity: cells[1], fix: cells[cells.len() - 1], anchor });
        }
    }
    None
}

const DIAGNOSTICS_MD: &str = include_str!("../../docs/diagnostics.md");

#[cfg(test)]
mod tests {
    /// Every finding code is documented, so the docs cannot drift from the code.
    #[test]
    fn every_code_is_documented() {
        let docs = include_str!("../../docs/diagnostics.md");
        for (code, _) in super::CODES {
            assert!(
                docs.contains(&format!("\n| `{code}` |")),
                "docs/diagnostics.md has no table row for `{code}`"
            );
            let d = super::documented(code).unwrap_or_else(|| panic!("`{code}` has no fix column"));
            assert!(matches!(d.severity, "error" | "warning"), "`{code}`: severity `{}`", d.severity);
            assert!(d.fix.len() > 10, "`{code}`: no fix");
            assert!(
                d.anchor.ends_with("codes-approvals-verify") || d.anchor.starts_with("check-codes"),
                "{}",
                d.anchor
            );
        }
    }

    /// Every code a finding is made with, anywhere in src/, is in CODES: a code written in a
    /// `Finding::error/warning(...)` or a `fail(...)` call that CODES lacks fails here.
    #[test]
    fn every_code_used_is_in_codes() {
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(std::fs::read_to_string(&p).unwrap());
                }
            }
        }
        let mut sources = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut sources);
        let mut used = Vec::new();
        for text in &sources {
            for call in ["Finding::error(", "Finding::warning(", "fail("] {
                for (at, _) in text.match_indices(call) {
                    let rest = text[at + call.len()..].trim_start();
                    if let Some(lit) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                        used.push(lit.to_string());
                    }
                }
            }
        }
        assert!(used.len() > 20, "the scan found only {used:?}");
        for code in
            used.iter().filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        {
            assert!(super::index(code).is_some(), "finding code `{code}` is not in CODES");
        }
    }
}
