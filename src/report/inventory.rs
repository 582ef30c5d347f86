//! Section 2: the inventory on the period's last day, its end-of-life register and the accepted risks.

use chrono::NaiveDate;

use super::chains::Chains;
use super::{ExceptionRow, InventorySection, Person, RegisterRow, person};
use crate::eval::approvals::Standing;
use crate::eval::status::{self, Status, Summary};
use crate::model::statement::Decision;

/// `as_of` plus `n` months (clamped to the month's end).
pub fn months(as_of: NaiveDate, n: u32) -> NaiveDate {
    as_of.checked_add_months(chrono::Months::new(n)).unwrap_or(as_of)
}

pub fn row(i: &status::Item, as_of: NaiveDate) -> RegisterRow {
    let bucket = match i.end {
        Some(e) if e <= as_of => "past",
        Some(e) if e <= months(as_of, 3) => "within_3mo",
        Some(e) if e <= months(as_of, 6) => "within_6mo",
        _ if i.status == Status::Eol => "past",
        _ => "later",
    };
    RegisterRow {
        system: i.system.id.clone(),
        system_name: i.system.name.clone(),
        component: i.component.name.clone(),
        product: i.component.product.clone(),
        version: i.component.version.clone(),
        cycle: i.cycle.clone(),
        end: i.end,
        plan_by: i.plan_by,
        finish_by: i.finish_by,
        status: i.status.as_str(),
        bucket,
        change: i.change.clone(),
        exception: i.exception.as_ref().map(|e| e.change.clone()),
        latest: i.latest.clone(),
        behind: i.behind,
        patch_by: i.patch_by,
        patch_behind: i.patch_behind,
    }
}

/// The patch level of the components whose cycle is still supported (not `eol`, not `unknown`).
fn patch_level(items: &[status::Item]) -> super::PatchLevel {
    let supported = items.iter().filter(|i| !matches!(i.date_status, Status::Eol | Status::Unknown));
    let known: Vec<&status::Item> = supported.filter(|i| i.behind.is_some()).collect();
    super::PatchLevel {
        known: known.len(),
        current: known.iter().filter(|i| i.behind == Some(false)).count(),
        overdue: items
            .iter()
            .filter(|i| i.patch_behind)
            .map(|i| format!("{}/{}", i.system.id, i.component.name))
            .collect(),
    }
}

/// Who accepted an exception's risk: its valid approvers, in chain order.
fn accepted_by(chains: &Chains, id: &str) -> Vec<Person> {
    let Some(c) = chains.get(id) else { return Vec::new() };
    c.signoffs
        .iter()
        .zip(&c.eval.standing)
        .filter(|(s, st)| **st == Standing::Valid && s.file.statement.decision == Decision::Approved)
        .map(|(s, _)| person(&c.people, &s.file.statement.by))
        .collect()
}

pub fn section(
    items: &[status::Item],
    as_of: NaiveDate,
    commit: Option<String>,
    chains: &Chains,
) -> InventorySection {
    let all_rows: Vec<RegisterRow> = items.iter().map(|i| row(i, as_of)).collect();
    let register = all_rows.iter().filter(|r| r.bucket != "later").cloned().collect();
    let exceptions = items
        .iter()
        .filter_map(|i| {
            let e = i.exception.as_ref()?;
            Some(ExceptionRow {
                system: i.system.id.clone(),
                component: i.component.name.clone(),
                change: e.change.clone(),
                until: e.until,
                reason: chains.get(&e.change).and_then(|c| c.change.reason.clone()),
                accepted_by: accepted_by(chains, &e.change),
            })
        })
        .collect();
    InventorySection {
        as_of,
        commit,
        summary: Summary::of(items),
        patch: patch_level(items),
        register,
        exceptions,
        items: all_rows,
    }
}
