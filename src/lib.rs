//! `lifecycle`: end-of-life status, deadlines and signed approvals over a git-tracked YAML inventory.
//!
//! The flow is `load` (files → model, with source spans) → `model` (plain data) → `eval` (pure
//! functions of model and `today`) → `render` (table, JSON, Markdown). `git` is the only module
//! touching libgit2; `cmd` holds one file per subcommand.

pub mod approvals;
pub mod cli;
pub mod cmd;
pub mod diag;
pub mod discovery;
pub mod eval;
pub mod git;
pub mod help;
pub mod i18n;
pub mod ledger;
pub mod load;
pub mod log;
pub mod model;
pub mod render;
pub mod report;
pub mod review;
pub mod sign;
pub mod store;
pub mod verify;
