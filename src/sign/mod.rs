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
        key.verify(namespace, data, &parsed).map_err(|_| Invalid::Mismatch)?;
        Ok(id)
    } else if sig.starts_with("-----BEGIN PGP SIGNATURE-----") {
        pgp::verify(trust, data, sig)
    } else {
        Err(Invalid::Malformed("neither an SSH nor an OpenPGP armored signature".into()))
    }
}

pub use crate::model::statement::digest;
