//! An advisory: arbitrary bytes as `advisories/CVE-2024-0727.yaml`, read the way `check`, `validate` and `verify` read it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::load_at(lifecycle_fuzz::ADVISORY, data));
