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
    pub advisories: Vec<serde_json::Value>,
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
}

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
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
    }
}

pub fn write(out: &mut dyn std::io::Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}
