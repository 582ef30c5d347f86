//! `lifecycle.yaml`: arbitrary bytes as the settings, then the context repository read with them.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::load_settings(data));
