//! Integration tests: the real binary on real repositories.
