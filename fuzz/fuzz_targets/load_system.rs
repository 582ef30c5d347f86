//! A system file: arbitrary bytes as `inventory/systems/redis-session.yaml`, read the way `check`, `validate` and `verify` read it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::load_at(lifecycle_fuzz::SYSTEM, data));
