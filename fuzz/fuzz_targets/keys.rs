//! Public keys as written in people.yaml: OpenSSH lines and armored OpenPGP blocks (fingerprints are
//! computed in-process from the first packet).
#![no_main]

use lifecycle::sign::PublicKey;
use lifecycle::sign::keys::{dearmor, pgp_fingerprint};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(key) = PublicKey::parse(text) {
        let _ = key.id();
        let _ = key.openssh();
    }
    let _ = dearmor(text);
    let _ = pgp_fingerprint(text);
});
