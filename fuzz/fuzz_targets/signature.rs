//! A sign-off file → its statement → the signed payload → the signature check (SPEC §4), with the
//! trust of the fuzzing fixture's people. The same bytes are also tried as a bare armored signature
//! over a fixed payload, in the sign-off namespace and in git's.
#![no_main]

use lifecycle::model::statement::SignOffFile;
use lifecycle::sign::{self, GIT_NAMESPACE, Trust};

fn trust() -> &'static Trust {
    static TRUST: std::sync::OnceLock<Trust> = std::sync::OnceLock::new();
    TRUST.get_or_init(|| {
        let people = include_str!("../fixtures/people.yaml");
        let loaded = lifecycle::load::load_blobs(
            Default::default(),
            vec![(lifecycle_fuzz::PEOPLE.to_string(), people.as_bytes().to_vec())],
        );
        assert!(!loaded.has_errors(), "the fixture people file is valid");
        Trust::from_people(&loaded.repo.people)
    })
}

/// Verifies in-process only: OpenPGP verification starts gpg, so only its armor is decoded.
fn check(data: &[u8], signature: &str, namespace: &str) {
    if signature.trim_start().starts_with("-----BEGIN PGP") {
        let _ = sign::keys::dearmor(signature);
    } else if let Ok(key) = sign::verify(trust(), data, signature, namespace) {
        assert!(trust().get(&key).is_some(), "verified by a key that is not trusted");
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(file) = lifecycle::load::yaml::parse::<SignOffFile>(lifecycle_fuzz::SIGNOFF, text) {
        let payload = file.statement.payload();
        // The payload is one header line and ten field lines, whatever the values hold.
        assert_eq!(payload.iter().filter(|b| **b == b'\n').count(), 11, "a value forged a payload line");
        let _ = file.statement.digest();
        let back: SignOffFile = lifecycle::load::yaml::parse("rewritten.yaml", &file.to_yaml())
            .unwrap_or_else(|d| panic!("a statement's own file does not read back: {d:?}"));
        assert_eq!(back.statement, file.statement, "the statement does not round-trip");
        check(&payload, &file.signature, "lifecycle-signoff");
    }
    check(b"lifecycle-signoff-v1\n", text, "lifecycle-signoff");
    check(b"tree 0\n", text, GIT_NAMESPACE);
});
