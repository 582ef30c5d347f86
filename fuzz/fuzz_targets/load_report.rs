//! An execution report: arbitrary bytes as `changes/CHG-2024-003/report.yaml`, read the way `check`, `validate` and `verify` read it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::load_at(lifecycle_fuzz::REPORT, data));
