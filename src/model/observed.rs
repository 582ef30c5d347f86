//! Observed state (§5.4): what scanners saw on a system's host, as `observe import` normalised it.
//! Observations are evidence, never authority: they do not cover or replace approvals.

use chrono::{DateTime, FixedOffset};

use super::Origin;

/// One observation file: one system and host, one scan.
#[derive(Debug, Clone)]
pub struct Observation {
    pub system: String,
    pub host: String,
    /// `cyclonedx`, `spdx`, `packages` or `csv`.
    pub source: String,
    pub collected_at: DateTime<FixedOffset>,
    pub components: Vec<Observed>,
    pub origin: Origin,
}

/// One package the scanner saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// The name the scanner reported (a package name, or a catalog product id in CSV files).
    pub product: String,
    /// The upstream version used for cycle matching (`3.0.2` for Debian's `1:3.0.2-0ubuntu1.15`).
    pub version: String,
    /// The version as reported, when normalising changed it; shown to people.
    pub raw: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
}

impl Observed {
    /// The version as the scanner reported it.
    pub fn shown(&self) -> &str {
        self.raw.as_deref().unwrap_or(&self.version)
    }
}
