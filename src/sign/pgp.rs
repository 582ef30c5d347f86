//! OpenPGP verification through `gpg` with a throwaway keyring holding only the trusted keys, so the
//! user's own keyring and trust settings never decide what is valid.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

use super::{Invalid, KeyId, Trust};

/// One keyring per trust root (by its label), kept for the life of the process.
fn keyrings() -> &'static Mutex<HashMap<String, tempfile::TempDir>> {
    static RINGS: OnceLock<Mutex<HashMap<String, tempfile::TempDir>>> = OnceLock::new();
    RINGS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Deletes the throwaway keyrings (call once the command is done).
pub fn cleanup() {
    if let Ok(mut rings) = keyrings().lock() {
        rings.clear();
    }
}

fn gpg() -> Command {
    let mut c = Command::new("gpg");
    c.arg("--batch").arg("--no-tty").arg("--no-autostart").env("LC_ALL", "C");
    c
}

fn keyring(trust: &Trust) -> Result<PathBuf, Invalid> {
    let mut rings = keyrings().lock().map_err(|_| Invalid::Unavailable("keyring lock poisoned".into()))?;
    if let Some(dir) = rings.get(&trust.label) {
        return Ok(dir.path().to_path_buf());
    }
    let dir = tempfile::Builder::new()
        .prefix("lifecycle-gpg-")
        .tempdir()
        .map_err(|e| Invalid::Unavailable(format!("cannot create a keyring folder: {e}")))?;
    let keys: Vec<&str> = trust.pgp_keys().collect();
    if !keys.is_empty() {
        let mut child = gpg()
            .arg("--homedir")
            .arg(dir.path())
            .arg("--import")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Invalid::Unavailable(format!("gpg is needed to verify OpenPGP signatures: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            for k in keys {
                let _ = writeln!(stdin, "{k}");
            }
        }
        child.wait().map_err(|e| Invalid::Unavailable(e.to_string()))?;
    }
    let path = dir.path().to_path_buf();
    rings.insert(trust.label.clone(), dir);
    Ok(path)
}

/// Verifies a detached armored signature; the key must be one of `trust`'s.
pub fn verify(trust: &Trust, data: &[u8], signature: &str) -> Result<KeyId, Invalid> {
    let home = keyring(trust)?;
    let sig_file = tempfile::NamedTempFile::new_in(&home).map_err(|e| Invalid::Unavailable(e.to_string()))?;
    std::fs::write(sig_file.path(), signature).map_err(|e| Invalid::Unavailable(e.to_string()))?;
    let mut child = gpg()
        .arg("--homedir")
        .arg(&home)
        .arg("--status-fd=1")
        .arg("--verify")
        .arg(sig_file.path())
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Invalid::Unavailable(format!("gpg is needed to verify OpenPGP signatures: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(data);
    }
    let out = child.wait_with_output().map_err(|e| Invalid::Unavailable(e.to_string()))?;
    let status = String::from_utf8_lossy(&out.stdout);
    for line in status.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.get(1).copied() {
            // VALIDSIG <fpr> <date> <ts> <expire> <ver> <res> <pk-algo> <hash> <class> <primary-fpr>
            Some("VALIDSIG") => {
                let primary = f.get(11).or(f.get(2)).copied().unwrap_or("");
                let id = KeyId(primary.to_ascii_uppercase());
                return match trust.get(&id) {
                    Some(_) => Ok(id),
                    None => Err(Invalid::UntrustedKey(id.0)),
                };
            }
            Some("BADSIG") => return Err(Invalid::Mismatch),
            Some("NO_PUBKEY") => return Err(Invalid::UntrustedKey(f.get(2).unwrap_or(&"?").to_string())),
            _ => {}
        }
    }
    if status.contains("NODATA") || status.contains("BADARMOR") {
        return Err(Invalid::Malformed("gpg found no signature in it".into()));
    }
    Err(Invalid::Malformed("gpg could not verify it".into()))
}
