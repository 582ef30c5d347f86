//! Integration tests: the real binary on real repositories.

mod approvals;
mod check;
mod common;
mod demo;
mod discovery;
mod help;
mod hostile;
mod report;
mod review;
mod validate;
