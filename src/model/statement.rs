//! The signed statement of a sign-off: its payload (SPEC §4.2), digest, and the file that carries it.

use serde::Deserialize;

/// What a sign-off decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Approved,
    Rejected,
    Confirmed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
            Decision::Confirmed => "confirmed",
        }
    }
}

/// Which file a sign-off is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    Request,
    Report,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Request => "request",
            Subject::Report => "report",
        }
    }

    pub fn file(self) -> &'static str {
        match self {
            Subject::Request => "request.yaml",
            Subject::Report => "report.yaml",
        }
    }
}

/// The fields a signer signs, in payload order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub change: String,
    pub stage: String,
    pub decision: Decision,
    pub by: String,
    /// Claimed by the signer; shown, never used for ordering.
    pub at: String,
    pub comment: String,
    pub subject: Subject,
    pub subject_digest: String,
    pub previous_digest: Option<String>,
    pub key: String,
}

/// A statement file: the statement and its detached signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOffFile {
    pub statement: Statement,
    pub signature: String,
}

/// The file as written (serde cannot combine `flatten` with `deny_unknown_fields`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    change: String,
    stage: String,
    decision: Decision,
    by: String,
    at: String,
    #[serde(default)]
    comment: String,
    subject: Subject,
    subject_digest: String,
    previous_digest: Option<String>,
    key: String,
    signature: String,
}

impl<'de> Deserialize<'de> for SignOffFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = Raw::deserialize(d)?;
        Ok(SignOffFile {
            statement: Statement {
                change: r.change,
                stage: r.stage,
                decision: r.decision,
                by: r.by,
                at: r.at,
                comment: r.comment,
                subject: r.subject,
                subject_digest: r.subject_digest,
                previous_digest: r.previous_digest,
                key: r.key,
            },
            signature: r.signature,
        })
    }
}

/// `sha256:` and the hex digest of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(bytes)))
}

pub const PAYLOAD_HEADER: &str = "lifecycle-signoff-v1\n";

/// A value on one payload line: backslashes and line breaks escaped so a comment cannot forge lines.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\r', "\\r").replace('\n', "\\n")
}

impl Statement {
    /// The exact bytes that are signed: a header line, then `field: value` lines in a fixed order; an
    /// absent `previous_digest` is an empty value.
    pub fn payload(&self) -> Vec<u8> {
        let mut p = String::from(PAYLOAD_HEADER);
        let fields = [
            ("change", self.change.as_str()),
            ("stage", self.stage.as_str()),
            ("decision", self.decision.as_str()),
            ("by", self.by.as_str()),
            ("at", self.at.as_str()),
            ("comment", self.comment.as_str()),
            ("subject", self.subject.as_str()),
            ("subject_digest", self.subject_digest.as_str()),
            ("previous_digest", self.previous_digest.as_deref().unwrap_or("")),
            ("key", self.key.as_str()),
        ];
        for (k, v) in fields {
            p.push_str(k);
            p.push_str(": ");
            p.push_str(&escape(v));
            p.push('\n');
        }
        p.into_bytes()
    }

    /// The digest later sign-offs chain to.
    pub fn digest(&self) -> String {
        digest(&self.payload())
    }
}

fn quoted(v: &str) -> String {
    // JSON strings are valid YAML double-quoted scalars.
    serde_json::to_string(v).unwrap_or_default()
}

impl SignOffFile {
    /// The file's text: fixed header, fields in payload order, the signature as a literal block.
    pub fn to_yaml(&self) -> String {
        let s = &self.statement;
        let mut out = String::from(
            "# Signed sign-off written by `lifecycle`. Do not edit: any change breaks the signature.\n",
        );
        out.push_str(&format!("change: {}\n", quoted(&s.change)));
        out.push_str(&format!("stage: {}\n", quoted(&s.stage)));
        out.push_str(&format!("decision: {}\n", s.decision.as_str()));
        out.push_str(&format!("by: {}\n", quoted(&s.by)));
        out.push_str(&format!("at: {}\n", quoted(&s.at)));
        out.push_str(&format!("comment: {}\n", quoted(&s.comment)));
        out.push_str(&format!("subject: {}\n", s.subject.as_str()));
        out.push_str(&format!("subject_digest: {}\n", quoted(&s.subject_digest)));
        if let Some(p) = &s.previous_digest {
            out.push_str(&format!("previous_digest: {}\n", quoted(p)));
        }
        out.push_str(&format!("key: {}\n", quoted(&s.key)));
        out.push_str("signature: |\n");
        for line in self.signature.trim().lines() {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> Statement {
        Statement {
            change: "CHG-2024-003".into(),
            stage: "cto".into(),
            decision: Decision::Approved,
            by: "chen".into(),
            at: "2024-09-10T15:00:00+08:00".into(),
            comment: "正式批准执行\nby: mallory".into(),
            subject: Subject::Request,
            subject_digest: "sha256:00".into(),
            previous_digest: None,
            key: "SHA256:abc".into(),
        }
    }

    #[test]
    fn payload_is_fixed_lines_with_escaped_comment() {
        let p = String::from_utf8(statement().payload()).unwrap();
        assert_eq!(
            p,
            "lifecycle-signoff-v1\nchange: CHG-2024-003\nstage: cto\ndecision: approved\nby: chen\n\
             at: 2024-09-10T15:00:00+08:00\ncomment: 正式批准执行\\nby: mallory\nsubject: request\n\
             subject_digest: sha256:00\nprevious_digest: \nkey: SHA256:abc\n"
        );
    }

    #[test]
    fn file_round_trips() {
        let file = SignOffFile {
            statement: statement(),
            signature: "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n".into(),
        };
        let back: SignOffFile = serde_saphyr::from_str(&file.to_yaml()).unwrap();
        assert_eq!(back, file);
    }
}
