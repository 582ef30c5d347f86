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
}

impl Finding {
    pub fn error(code: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: Severity::Error,
            commit: None,
            path: None,
            line: None,
            change: None,
            message: message.into(),
        }
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
];

pub fn describe(code: &str) -> &'static str {
    CODES.iter().find(|(c, _)| *c == code).map(|(_, d)| *d).unwrap_or("")
}

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
        }
    }
}
