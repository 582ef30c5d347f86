//! Integration tests: the real binary on real repositories.

mod check;
mod common;
mod validate;
