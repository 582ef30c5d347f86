//! A product catalog file: arbitrary bytes as `inventory/products/redis.yaml`, read the way `check`, `validate` and `verify` read it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::load_at(lifecycle_fuzz::PRODUCT, data));
