//! A policy file: arbitrary bytes as `policies/ops04.yaml`, read the way `check`, `validate` and `verify` read it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::load_at(lifecycle_fuzz::POLICY, data));
