//! Inventory accuracy (§5.4, the report's "inventory accuracy" section): declared components confirmed by
//! a fresh observation ÷ all declared components, with every drift and undeclared end-of-life package.
//! Observations are evidence, never authority: this measures the inventory, it approves nothing.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

use super::observed::{self, Drift};
use super::status::Status;
use crate::model::Repository;

pub const FORMULA: &str = "declared components confirmed by a fresh observation ÷ all declared components";

/// The section's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Accuracy {
    pub formula: &'static str,
    /// All declared components (the population).
    pub declared: usize,
    /// Declared components on systems with a fresh observation.
    pub scanned: usize,
    /// Of those, observed at the declared version.
    pub confirmed: usize,
    /// `confirmed ÷ declared` in percent; `null` when nothing is declared.
    pub value: Option<f64>,
    pub systems: usize,
    pub systems_observed: usize,
    pub systems_stale: usize,
    pub max_age: String,
    pub drifts: Vec<DriftRow>,
    pub undeclared_eol: Vec<UndeclaredRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DriftRow {
    pub system: String,
    pub component: String,
    pub declared: String,
    pub observed: Vec<String>,
    pub drift: Drift,
    pub hosts: Vec<String>,
    pub collected_at: DateTime<FixedOffset>,
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UndeclaredRow {
    pub system: String,
    pub product: String,
    pub versions: Vec<String>,
    pub cycle: Option<String>,
    pub end: Option<NaiveDate>,
    pub collected_at: DateTime<FixedOffset>,
}

/// The accuracy of `repo`'s inventory at `as_of`; `None` when it has no observation at all.
pub fn evaluate(repo: &Repository, as_of: NaiveDate) -> Option<Accuracy> {
    let obs = observed::evaluate(repo, as_of);
    if !obs.any {
        return None;
    }
    let mut acc = Accuracy {
        formula: FORMULA,
        declared: 0,
        scanned: 0,
        confirmed: 0,
        value: None,
        systems: repo.systems.len(),
        systems_observed: obs.systems,
        systems_stale: obs.stale_systems,
        max_age: repo.policy.rules.observation_max_age.unwrap_or(observed::DEFAULT_MAX_AGE).to_string(),
        drifts: Vec::new(),
        undeclared_eol: Vec::new(),
    };
    for s in &repo.systems {
        for c in &s.components {
            acc.declared += 1;
            let Some(state) = obs.items.get(&(s.id.clone(), c.name.clone())) else { continue };
            if !state.stale {
                acc.scanned += 1;
                acc.confirmed += usize::from(state.drift == Drift::None);
            }
            if state.drift != Drift::None {
                acc.drifts.push(DriftRow {
                    system: s.id.clone(),
                    component: c.name.clone(),
                    declared: c.version.clone(),
                    observed: state.versions.clone(),
                    drift: state.drift,
                    hosts: state.drift_hosts.clone(),
                    collected_at: state.collected_at,
                    stale: state.stale,
                });
            }
        }
    }
    acc.drifts.sort_by(|a, b| (&a.system, &a.component).cmp(&(&b.system, &b.component)));
    acc.value = (acc.declared > 0).then(|| acc.confirmed as f64 * 100.0 / acc.declared as f64);
    acc.undeclared_eol = obs
        .undeclared
        .iter()
        .filter(|u| u.verdict.status == Status::Eol)
        .map(|u| UndeclaredRow {
            system: u.system.clone(),
            product: u.product.clone(),
            versions: u.versions.clone(),
            cycle: u.verdict.cycle.clone(),
            end: u.verdict.end,
            collected_at: u.collected_at,
        })
        .collect();
    Some(acc)
}
