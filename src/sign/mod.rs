//! Signing and verification. Signing goes through the user's own `ssh-keygen` / `gpg`, as git does,
//! so private keys stay in their agents; verification is in-process for SSH (the `ssh-key` crate) and
//! through `gpg` with a throwaway keyring for OpenPGP (see docs/decisions.md).

pub mod keys;
pub mod pgp;
pub mod signer;

pub use keys::{KeyId, PublicKey, Trust};
pub use signer::{GitSigner, Signer};

/// SSH namespace of commit signatures (git's own).
pub const GIT_NAMESPACE: &str = "git";

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// The signature cannot be parsed (truncated, not armored…).
    Malformed(String),
    /// Made by a key that is not trusted here.
    UntrustedKey(String),
    /// Made for another namespace (e.g. a commit signature replayed as a sign-off).
    WrongNamespace(String),
    /// The key is trusted but the signature does not match the data.
    Mismatch,
    /// The verifier could not run (gpg missing…).
    Unavailable(String),
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Invalid::Malformed(m) => write!(f, "the signature is malformed: {m}"),
            Invalid::UntrustedKey(k) => {
                write!(f, "signed by key {k}, which is not in the trusted people file")
            }
            Invalid::WrongNamespace(n) => {
                write!(f, "the signature was made for namespace `{n}`, not for lifecycle sign-offs")
            }
            Invalid::Mismatch => write!(f, "the signature does not match the signed content"),
            Invalid::Unavailable(m) => write!(f, "cannot verify: {m}"),
        }
    }
}

/// Verifies an armored signature (SSH or OpenPGP) over `data` against the trusted keys.
/// Returns the id of the key that made it.
pub fn verify(trust: &Trust, data: &[u8], signature: &str, namespace: &str) -> Result<KeyId, Invalid> {
    let sig = signature.trim();
    if sig.starts_with("-----BEGIN SSH SIGNATURE-----") {
        let parsed = ssh_key::SshSig::from_pem(sig).map_err(|e| Invalid::Malformed(e.to_string()))?;
        let key = ssh_key::PublicKey::from(parsed.public_key().clone());
        let id = KeyId::ssh(&key);
        if parsed.namespace() != namespace {
            return Err(Invalid::WrongNamespace(parsed.namespace().to_string()));
        }
        if trust.get(&id).is_none() {
            return Err(Invalid::UntrustedKey(id.to_string()));
        }
        if !matches(&key, namespace, data, &parsed, sig) {
            return Err(Invalid::Mismatch);
        }
        Ok(id)
    } else if sig.starts_with("-----BEGIN PGP SIGNATURE-----") {
        pgp::verify(trust, data, sig)
    } else {
        Err(Invalid::Malformed("neither an SSH nor an OpenPGP armored signature".into()))
    }
}

pub use crate::model::statement::digest;

/// SSH signatures already found to match their data, by a digest of (namespace, signature, data):
/// a fact of those bytes alone, so it can be established ahead of need on another thread
/// ([`check_ahead`]). Namespace and trust are still decided by [`verify`] for every use.
static MATCHED: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<[u8; 32]>>> =
    std::sync::LazyLock::new(Default::default);

fn fact(namespace: &str, signature: &str, data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for part in [namespace.as_bytes(), signature.as_bytes(), data] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().into()
}

fn matches(
    key: &ssh_key::PublicKey,
    namespace: &str,
    data: &[u8],
    parsed: &ssh_key::SshSig,
    sig: &str,
) -> bool {
    let fact = fact(namespace, sig, data);
    let known = |f: &[u8; 32]| MATCHED.lock().map(|m| m.contains(f)).unwrap_or(false);
    if known(&fact) {
        return true;
    }
    let ok = key.verify(namespace, data, parsed).is_ok();
    if ok && let Ok(mut m) = MATCHED.lock() {
        m.insert(fact);
    }
    ok
}

/// Checks whether an armored SSH signature matches `data` in `namespace`, with the key it names and
/// no trust involved, and remembers a match for [`verify`]. Anything else is left for `verify`.
pub fn check_ahead(data: &[u8], signature: &str, namespace: &str) {
    let sig = signature.trim();
    if !sig.starts_with("-----BEGIN SSH SIGNATURE-----") {
        return;
    }
    let Ok(parsed) = ssh_key::SshSig::from_pem(sig) else { return };
    if parsed.namespace() == namespace {
        let key = ssh_key::PublicKey::from(parsed.public_key().clone());
        matches(&key, namespace, data, &parsed, sig);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ssh_key::{HashAlg, LineEnding, PrivateKey, private::Ed25519Keypair};

    fn key(seed: u8) -> PrivateKey {
        PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]))
    }

    fn sign(key: &PrivateKey, namespace: &str, data: &[u8]) -> String {
        key.sign(namespace, HashAlg::Sha512, data).unwrap().to_pem(LineEnding::LF).unwrap()
    }

    fn trusting(key: &PrivateKey) -> Trust {
        let person = crate::model::Person {
            id: "li.ming".into(),
            name: "Li Ming".into(),
            title: None,
            email: None,
            roles: vec!["applicant".into()],
            keys: vec![key.public_key().to_openssh().unwrap()],
            origin: crate::diag::Origin::new("people.yaml", 1, 1, 1),
        };
        Trust::from_people(&[person])
    }

    /// A match checked ahead stands only for the same namespace, signature and data; trust and
    /// namespace are still decided for every use.
    #[test]
    fn a_match_checked_ahead_proves_nothing_else() {
        let (alice, mallory) = (key(1), key(2));
        let data = b"lifecycle-signoff-v1\nchange: CHG-1\n";
        let sig = sign(&alice, "lifecycle-signoff", data);
        check_ahead(data, &sig, "lifecycle-signoff");
        assert_eq!(
            verify(&trusting(&alice), data, &sig, "lifecycle-signoff"),
            Ok(KeyId::ssh(alice.public_key()))
        );
        // Other data under the same signature.
        let other = b"lifecycle-signoff-v1\nchange: CHG-2\n";
        assert_eq!(verify(&trusting(&alice), other, &sig, "lifecycle-signoff"), Err(Invalid::Mismatch));
        // An untrusted signer, whose signature matched ahead.
        let theirs = sign(&mallory, "lifecycle-signoff", data);
        check_ahead(data, &theirs, "lifecycle-signoff");
        assert!(matches!(
            verify(&trusting(&alice), data, &theirs, "lifecycle-signoff"),
            Err(Invalid::UntrustedKey(_))
        ));
        // The same signature asked for another namespace.
        check_ahead(data, &sig, "git");
        assert!(matches!(verify(&trusting(&alice), data, &sig, "git"), Err(Invalid::WrongNamespace(_))));
    }

    /// A signature that does not match is never remembered as one.
    #[test]
    fn a_mismatch_checked_ahead_stays_a_mismatch() {
        let alice = key(3);
        let sig = sign(&alice, "git", b"tree 1\n");
        check_ahead(b"tree 2\n", &sig, "git");
        assert_eq!(verify(&trusting(&alice), b"tree 2\n", &sig, "git"), Err(Invalid::Mismatch));
        assert!(verify(&trusting(&alice), b"tree 1\n", &sig, "git").is_ok());
    }
}
