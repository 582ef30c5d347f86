//! Evaluation: pure functions of the model and `today`. No I/O, no clock.

pub mod accuracy;
pub mod advisories;
pub mod approvals;
pub mod calendar;
pub mod discovery;
pub mod findings;
pub mod kpi;
pub mod observed;
pub mod rules;
pub mod status;
