//! Stable JSON documents (`lifecycle.check/v1`, …). Field names and order are part of the contract.

use serde::Serialize;

use crate::eval::status::{Item, Summary};
use crate::i18n::Lang;

#[derive(Serialize)]
pub struct CheckDoc<'a> {
    pub schema: &'static str,
    pub today: String,
    pub summary: &'a Summary,
    pub items: Vec<CheckItem>,
    pub advisories: Vec<AdvisoryItem>,
    /// Observed products the inventory does not declare (§5.4); only when there are observations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undeclared: Option<Vec<super::observed::UndeclaredJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observations: Option<super::observed::SummaryJson>,
    /// Each judged kind's latest discovery run (§8.1); only when the policy sets `rules.discovery_every`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery: Option<super::discovery::DiscoveryJson>,
}

#[derive(Serialize)]
pub struct CheckItem {
    pub system: String,
    pub component: String,
    pub product: String,
    pub version: String,
    pub cycle: Option<String>,
    pub end: Option<String>,
    pub plan_by: Option<String>,
    pub finish_by: Option<String>,
    pub status: &'static str,
    pub violation: bool,
    pub change: Option<String>,
    pub exception: Option<String>,
    pub reason: String,
    /// The cycle's latest release and its date (§5.4).
    pub latest: Option<String>,
    pub latest_date: Option<String>,
    /// Whether the version orders before `latest`; `null` without a cycle or a `latest`.
    pub behind: Option<bool>,
    /// When behind: `latest_date` + `rules.patch_lag_max`, the last day to patch.
    pub patch_by: Option<String>,
    /// Behind past `patch_by` on a cycle that has not ended: the finding `patch-behind`.
    pub patch_behind: bool,
    /// What scanners saw (§5.4): absent without observations, `null` for a system never scanned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed: Option<Option<super::observed::ObservedJson>>,
}

/// A date as `YYYY-MM-DD` (a date's `Display`; `format` parses its pattern for every call).
fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

pub fn check_item(i: &Item) -> CheckItem {
    CheckItem {
        system: i.system.id.clone(),
        component: i.component.name.clone(),
        product: i.component.product.clone(),
        version: i.component.version.clone(),
        cycle: i.cycle.clone(),
        end: date(i.end),
        plan_by: date(i.plan_by),
        finish_by: date(i.finish_by),
        status: i.status.as_str(),
        violation: i.violation,
        change: i.change.clone(),
        exception: i.exception.as_ref().map(|e| e.change.clone()),
        reason: super::reason(Lang::En, i),
        latest: i.latest.clone(),
        latest_date: date(i.latest_date),
        behind: i.behind,
        patch_by: date(i.patch_by),
        patch_behind: i.patch_behind,
        observed: None,
    }
}

/// One security deadline (§6.1 `advisories[]`); the first fields are the spec's, then details.
#[derive(Serialize)]
pub struct AdvisoryItem {
    pub advisory: String,
    pub system: String,
    pub component: String,
    pub class: Option<String>,
    pub detected_at: String,
    pub respond_by: Option<String>,
    pub deploy_by: Option<String>,
    pub status: &'static str,
    pub change: Option<String>,
    pub product: String,
    pub version: String,
    pub severity: crate::model::Severity,
    pub kev: bool,
    pub kev_due: Option<String>,
    pub aliases: Vec<String>,
    pub responded_at: Option<String>,
    pub resolved_at: Option<String>,
}

fn ts(t: Option<chrono::DateTime<chrono::FixedOffset>>) -> Option<String> {
    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

pub fn advisory_item(i: &crate::eval::advisories::SecurityItem) -> AdvisoryItem {
    AdvisoryItem {
        advisory: i.advisory.clone(),
        system: i.system.clone(),
        component: i.component.clone(),
        class: i.class.clone(),
        detected_at: i.detected_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        respond_by: ts(i.respond_by),
        deploy_by: ts(i.deploy_by),
        status: i.status.as_str(),
        change: i.change.clone(),
        product: i.product.clone(),
        version: i.version.clone(),
        severity: i.severity,
        kev: i.kev,
        kev_due: date(i.kev_due),
        aliases: i.aliases.clone(),
        responded_at: ts(i.responded_at),
        resolved_at: ts(i.resolved_at),
    }
}

pub fn write(out: &mut dyn std::io::Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

#[cfg(test)]
mod date_tests {
    #[test]
    fn dates_print_as_the_pattern_did() {
        for (y, m, d) in [(2024, 12, 31), (1, 1, 1), (999, 3, 9), (9999, 12, 31), (10000, 1, 1), (-5, 6, 7)] {
            let day = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(super::date(Some(day)).unwrap(), day.format("%Y-%m-%d").to_string());
        }
    }
}
