//! Integration tests: the real binary on real repositories.

mod approvals;
mod calendar;
mod check;
mod chinese;
mod common;
mod demo;
mod discovery;
mod help;
mod hostile;
mod init;
mod ledger;
mod observe;
mod people;
mod report;
mod review;
mod schema;
mod terminal;
mod validate;
