//! The endoflife importer: parse arbitrary bytes, render what is kept, read it back.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lifecycle_fuzz::import_endoflife(data));
