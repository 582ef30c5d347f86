//! Public keys of the trust root: parsing, fingerprints, and who owns which key.

use std::collections::HashMap;

use base64::Engine;

use crate::model::Person;

/// A key's stable identity: `SHA256:…` for SSH keys (as `ssh-keygen -l` prints), the upper-case
/// V4 fingerprint for OpenPGP keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub String);

impl KeyId {
    pub fn ssh(key: &ssh_key::PublicKey) -> KeyId {
        KeyId(key.fingerprint(ssh_key::HashAlg::Sha256).to_string())
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone)]
pub enum PublicKey {
    Ssh(Box<ssh_key::PublicKey>),
    Pgp { fingerprint: String, armored: String },
}

impl PublicKey {
    /// Parses a key as written in people.yaml.
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let t = text.trim();
        if t.starts_with("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
            let fingerprint = pgp_fingerprint(t)?;
            return Ok(PublicKey::Pgp { fingerprint, armored: t.to_string() });
        }
        ssh_key::PublicKey::from_openssh(t)
            .map(|k| PublicKey::Ssh(Box::new(k)))
            .map_err(|e| format!("not an OpenSSH public key ({e})"))
    }

    pub fn id(&self) -> KeyId {
        match self {
            PublicKey::Ssh(k) => KeyId::ssh(k),
            PublicKey::Pgp { fingerprint, .. } => KeyId(fingerprint.clone()),
        }
    }

    /// The OpenSSH one-line form (`ssh-ed25519 AAAA… comment`), for allowed-signers files.
    pub fn openssh(&self) -> Option<String> {
        match self {
            PublicKey::Ssh(k) => k.to_openssh().ok(),
            PublicKey::Pgp { .. } => None,
        }
    }
}

/// The trusted keys of one people file, by key id.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    keys: HashMap<KeyId, (String, PublicKey)>,
    /// A fingerprint of the set, so verifiers can cache per trust root.
    pub label: String,
}

impl Trust {
    /// Keys of every person; unparsable keys are skipped (`validate` reports them).
    pub fn from_people(people: &[Person]) -> Trust {
        let mut keys = HashMap::new();
        for p in people {
            for k in &p.keys {
                if let Ok(key) = PublicKey::parse(k) {
                    keys.insert(key.id(), (p.id.clone(), key));
                }
            }
        }
        let mut ids: Vec<&KeyId> = keys.keys().collect();
        ids.sort();
        let label = super::digest(ids.iter().map(|k| k.0.as_str()).collect::<Vec<_>>().join("\n").as_bytes());
        Trust { keys, label }
    }

    /// The owner and key for an id.
    pub fn get(&self, id: &KeyId) -> Option<(&str, &PublicKey)> {
        self.keys.get(id).map(|(p, k)| (p.as_str(), k))
    }

    pub fn pgp_keys(&self) -> impl Iterator<Item = &str> {
        self.keys.values().filter_map(|(_, k)| match k {
            PublicKey::Pgp { armored, .. } => Some(armored.as_str()),
            _ => None,
        })
    }

    /// The keys both trust roots give to the same person: review's trust where the base and the
    /// merge-base differ (SPEC §4.7), so a key revoked on either side does not count.
    pub fn intersect(&self, other: &Trust) -> Trust {
        let keys: HashMap<KeyId, (String, PublicKey)> = self
            .keys
            .iter()
            .filter(|(id, (owner, _))| other.keys.get(*id).is_some_and(|(o, _)| o == owner))
            .map(|(id, v)| (id.clone(), v.clone()))
            .collect();
        let mut ids: Vec<&KeyId> = keys.keys().collect();
        ids.sort();
        let label = super::digest(ids.iter().map(|k| k.0.as_str()).collect::<Vec<_>>().join("\n").as_bytes());
        Trust { keys, label }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&KeyId, &str, &PublicKey)> {
        self.keys.iter().map(|(id, (p, k))| (id, p.as_str(), k))
    }
}

/// Decodes an ASCII-armored OpenPGP block to its binary packets.
pub fn dearmor(armored: &str) -> Result<Vec<u8>, String> {
    let mut body = String::new();
    let mut in_body = false;
    let mut past_headers = false;
    for line in armored.lines().map(str::trim) {
        if line.starts_with("-----BEGIN PGP") {
            in_body = true;
            continue;
        }
        if line.starts_with("-----END PGP") {
            break;
        }
        if !in_body {
            continue;
        }
        if !past_headers {
            if line.is_empty() {
                past_headers = true;
            }
            // Armor headers ("Comment: …") precede the blank line; a block without headers starts at once.
            if line.contains(": ") || line.is_empty() {
                continue;
            }
            past_headers = true;
        }
        if line.starts_with('=') && line.len() == 5 {
            break; // CRC-24 checksum line
        }
        body.push_str(line);
    }
    base64::engine::general_purpose::STANDARD.decode(body).map_err(|e| format!("invalid armor: {e}"))
}

/// The V4 fingerprint of the primary key of an armored public key block.
pub fn pgp_fingerprint(armored: &str) -> Result<String, String> {
    use sha1::Digest;
    let bytes = dearmor(armored)?;
    let (tag, body) = first_packet(&bytes).ok_or("no OpenPGP packet in the block")?;
    if tag != 6 {
        return Err(format!("the block starts with packet type {tag}, not a public key"));
    }
    if body.first() != Some(&4) {
        return Err("only version 4 OpenPGP keys are supported".into());
    }
    let mut h = sha1::Sha1::new();
    h.update([0x99]);
    h.update((body.len() as u16).to_be_bytes());
    h.update(body);
    Ok(hex::encode_upper(h.finalize()))
}

/// The first packet's tag and body (old and new packet formats).
fn first_packet(b: &[u8]) -> Option<(u8, &[u8])> {
    let head = *b.first()?;
    if head & 0x80 == 0 {
        return None;
    }
    if head & 0x40 != 0 {
        let tag = head & 0x3f;
        let first = *b.get(1)? as usize;
        let (len, start) = match first {
            0..=191 => (first, 2),
            192..=223 => (((first - 192) << 8) + *b.get(2)? as usize + 192, 3),
            255 => (u32::from_be_bytes(b.get(2..6)?.try_into().ok()?) as usize, 6),
            _ => return None, // partial lengths never start a key
        };
        Some((tag, b.get(start..start + len)?))
    } else {
        let tag = (head >> 2) & 0x0f;
        let (len, start) = match head & 3 {
            0 => (*b.get(1)? as usize, 2),
            1 => (u16::from_be_bytes(b.get(1..3)?.try_into().ok()?) as usize, 3),
            2 => (u32::from_be_bytes(b.get(1..5)?.try_into().ok()?) as usize, 5),
            _ => return None,
        };
        Some((tag, b.get(start..start + len)?))
    }
}
