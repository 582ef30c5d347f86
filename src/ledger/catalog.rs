//! The catalog in force at each commit, end-date moves in it (SPEC §4.5), the settings of each
//! commit, and where on the line each change was approved and executed (SPEC §4.6).

use std::rc::Rc;

use anyhow::Result;
use git2::Oid;

use super::judge::end_text;
use super::{Event, Step, Walk};
use crate::eval::findings::Finding;
use crate::eval::status;
use crate::git::{Change, ChangeKind};
use crate::model::{ClassKind, Person, Policy, Repository, Target};
use crate::sign::Trust;

/// A catalog cycle whose end moved, with the components it improves.
struct Moved {
    cycle: (String, String),
    users: Vec<String>,
    was: String,
    now: String,
    path: String,
    line: u32,
}

impl Walk<'_> {
    /// Products and policy of the current index, loaded once per set of blobs.
    pub(super) fn catalog(&mut self) -> Rc<Repository> {
        let mut files = self.files_under(&self.settings.paths.products);
        files.extend(self.policy_paths());
        let key: Vec<Oid> = files.iter().map(|(_, id)| *id).collect();
        if let Some(c) = self.catalogs.get(&key) {
            return c.clone();
        }
        let catalog = Rc::new(self.load(files).repo);
        if self.catalogs.len() > 64 {
            self.catalogs.clear();
        }
        self.catalogs.insert(key, catalog.clone());
        catalog
    }

    /// `unapproved-eol-move`: a catalog edit that moves an end date later (or withdraws it) for a
    /// component in use, improving its status on the commit's date.
    pub(super) fn judge_catalog(
        &mut self,
        deltas: &[Change],
        policy: &Policy,
        trust: &(Vec<Person>, Trust),
        before: &Repository,
        cid: &str,
        step: &mut Step,
    ) {
        let prefix = format!("{}/", self.settings.paths.products);
        if !deltas.iter().any(|d| d.path.starts_with(&prefix)) {
            return;
        }
        let after = self.catalog();
        let today = self.today();
        let mut moved: Vec<Moved> = Vec::new();
        for (path, id) in self.files_under(&self.settings.paths.systems) {
            for s in self.systems_in(&path, id).iter() {
                for c in &s.components {
                    let was = status::standing(before, s, c, today);
                    if was.cycle.is_none() || !before.products.contains_key(&c.product) {
                        continue;
                    }
                    let now = status::standing(&after, s, c, today);
                    if c.eol.is_some() || !was.improved_by(&now) {
                        continue;
                    }
                    let cycle = (c.product.clone(), was.cycle.clone().unwrap_or_default());
                    let who = format!("{}/{}", s.id, c.name);
                    match moved.iter_mut().find(|m| m.cycle == cycle) {
                        Some(m) => m.users.push(who),
                        None => {
                            // Point at the cycle in the new catalog (or the old file, if it is gone).
                            let origin = after.products.get(&c.product).map(|p| {
                                let at = p.cycles.iter().find(|x| Some(&x.name) == was.cycle.as_ref());
                                at.map_or(p.origin.clone(), |x| x.origin.clone())
                            });
                            let origin = origin.unwrap_or_else(|| before.products[&c.product].origin.clone());
                            moved.push(Moved {
                                cycle,
                                users: vec![who],
                                was: end_text(&was),
                                now: end_text(&now),
                                path: origin.path,
                                line: origin.line,
                            });
                        }
                    }
                }
            }
        }
        let ids = self.change_ids();
        for Moved { cycle: (product, cycle), users, was, now, path, line } in moved {
            let approved_by = self.approved_change(&ids, policy, trust, &[ClassKind::Change], |change| {
                change.targets.iter().any(|t| matches!(t, Target::Cycle { product: p, cycle: c, eol, .. }
                    if *p == product && *c == cycle && (eol.as_deref() == Some(now.as_str()) || (now == "unknown" && eol.is_none()))))
            });
            if approved_by.is_none() {
                let shown: Vec<&str> = users.iter().take(5).map(String::as_str).collect();
                let more = users.len().saturating_sub(5);
                let more = if more > 0 { format!(" and {more} more") } else { String::new() };
                self.findings.push(
                    Finding::error(
                        "unapproved-eol-move",
                        format!("{product} {cycle}: its end moved from {was} to {now}, improving the status of {}{more}, without an approved change with the new date (target {{product: {product}, cycle: \"{cycle}\", eol: {now}}})", shown.join(", ")),
                    )
                    .text(
                        crate::diag::Text::new(
                            "ledger.eol_moved",
                            &[("product", &product), ("cycle", &cycle), ("was", &was), ("now", &now), ("more", &users.len().saturating_sub(5))],
                        )
                        .list("users", &shown.iter().map(|u| u.to_string()).collect::<Vec<_>>()),
                    )
                    .at(&path, Some(line))
                    .commit(Some(cid)),
                );
            }
            step.events.push(Event {
                code: "unapproved-eol-move",
                kind: "eol-moved",
                system: product,
                component: Some(cycle),
                before: Some(was),
                after: Some(now),
                path,
                line,
                approved_by,
                free: false,
                users,
            });
        }
    }

    /// Records, for each change touched by the commit, the first position where its chain is
    /// approved and where its report appears.
    pub(super) fn record_positions(
        &mut self,
        deltas: &[Change],
        policy: &Policy,
        trust: &(Vec<Person>, Trust),
        commit: Oid,
    ) {
        let prefix = format!("{}/", self.settings.paths.changes);
        let mut touched: Vec<String> = Vec::new();
        for d in deltas {
            let Some((change, file)) = d.path.strip_prefix(&prefix).and_then(|r| r.split_once('/')) else {
                continue;
            };
            if file == "report.yaml" && d.kind == ChangeKind::Added {
                self.report_at_position.entry(change.to_string()).or_insert((self.position, commit));
            }
            if !touched.iter().any(|c| c == change) {
                touched.push(change.to_string());
            }
        }
        for id in touched {
            if self.approved_at_position.contains_key(&id) {
                continue;
            }
            if self.evaluate(&id, policy, &trust.0, &trust.1).is_some_and(|(_, e, _)| e.is_approved()) {
                self.approved_at_position.insert(id, self.position);
            }
        }
    }

    /// After a commit that changes `lifecycle.yaml`, the next commits are judged with its settings:
    /// the index is rebuilt for the folders they name.
    pub(super) fn reset_settings(&mut self, commit: Oid) -> Result<()> {
        let settings = crate::review::settings_at(self.git, commit)?;
        if settings.paths == self.settings.paths
            && settings.timezone == self.settings.timezone
            && settings.signing_namespace == self.settings.signing_namespace
        {
            return Ok(());
        }
        self.settings = settings;
        self.index.clear();
        self.ids = None;
        self.fill_index(commit)
    }
}
