//! A change request: arbitrary bytes as `changes/CHG-2024-003/request.yaml`, read the way `check`, `validate` and `verify` read it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::load_at(lifecycle_fuzz::REQUEST, data));
