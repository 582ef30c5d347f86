//! When each end date and advisory entered the repository, from the walk's steps.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use git2::Oid;

use crate::eval::status::{self, Reason};
use crate::ledger::Walk;
use crate::model::Milestone;

/// An end-of-life fact's history: each value and when it entered the repository.
type Timeline<T> = Vec<(T, DateTime<FixedOffset>, String)>;

/// When each end date and advisory entered the repository.
#[derive(Default)]
pub struct Knowledge {
    /// (product, cycle) → (eol, extended_support_end) over time.
    cycles: HashMap<(String, String), Timeline<(Milestone, Milestone)>>,
    /// (system, component) → the component's own `eol:` over time.
    overrides: HashMap<(String, String), Timeline<Option<NaiveDate>>>,
    /// Advisory id (and aliases) → first seen.
    pub advisories: HashMap<String, (DateTime<FixedOffset>, String)>,
}

fn push<T: PartialEq>(line: &mut Timeline<T>, value: T, at: DateTime<FixedOffset>, commit: &str) {
    if line.last().is_none_or(|(v, _, _)| *v != value) {
        line.push((value, at, commit.to_string()));
    }
}

impl Knowledge {
    /// The files present where the walk starts. Only a component's own `eol:` makes a system file
    /// matter here (a timeline that opens without a date answers no query differently from none),
    /// so a system file that cannot contain that key is not parsed: the key is literally `eol`,
    /// unless written with an escape (`\`) or a tag (`!`). On the benchmark's 10,000 systems this
    /// is most of the report's start-up.
    pub fn absorb_baseline(
        &mut self,
        walk: &mut Walk,
        files: Vec<(String, Oid)>,
        at: DateTime<FixedOffset>,
        commit: &str,
    ) {
        let systems_dir = format!("{}/", walk.settings().paths.systems);
        let files = files
            .into_iter()
            .filter(|(p, id)| !p.starts_with(&systems_dir) || may_set_eol(&walk.blob(*id)))
            .collect();
        self.absorb(walk, files, at, commit);
    }

    pub fn absorb(
        &mut self,
        walk: &mut Walk,
        files: Vec<(String, Oid)>,
        at: DateTime<FixedOffset>,
        commit: &str,
    ) {
        if files.is_empty() {
            return;
        }
        // System files come parsed from the walk, which read them to judge the step.
        let systems_dir = format!("{}/", walk.settings().paths.systems);
        let (systems, others): (Vec<_>, Vec<_>) =
            files.into_iter().partition(|(p, _)| p.starts_with(&systems_dir));
        for (path, id) in systems {
            for s in walk.systems_in(&path, id).iter() {
                for c in &s.components {
                    let line = self.overrides.entry((s.id.clone(), c.name.clone())).or_default();
                    push(line, c.eol, at, commit);
                }
            }
        }
        if others.is_empty() {
            return;
        }
        let repo = walk.load(others).repo;
        for (name, p) in &repo.products {
            for c in &p.cycles {
                let line = self.cycles.entry((name.clone(), c.name.clone())).or_default();
                push(line, (c.eol, c.extended_support_end), at, commit);
            }
        }
        for a in &repo.advisories {
            for id in std::iter::once(&a.id).chain(&a.aliases) {
                self.advisories.entry(id.clone()).or_insert((at, commit.to_string()));
            }
        }
    }

    /// When the end date an item reports was first known, as of `at`.
    pub fn known(
        &self,
        item: &status::Item,
        at: DateTime<FixedOffset>,
    ) -> Option<(DateTime<FixedOffset>, String)> {
        let Reason::Ends { end, source } = &item.reason else { return None };
        let run = |line: Option<&Timeline<Option<NaiveDate>>>| {
            let (v, t, c) = line?.iter().rev().find(|(_, t, _)| *t <= at)?;
            (*v == Some(*end)).then(|| (*t, c.clone()))
        };
        match source {
            status::EndSource::Override => {
                run(self.overrides.get(&(item.system.id.clone(), item.component.name.clone())))
            }
            status::EndSource::Eol | status::EndSource::Extended => {
                let cycle = item.cycle.clone()?;
                let line = self.cycles.get(&(item.component.product.clone(), cycle))?;
                let field = |m: &(Milestone, Milestone)| match source {
                    status::EndSource::Extended => m.1,
                    _ => m.0,
                };
                // The start of the run of entries whose relevant field equals the end, up to `at`.
                let mut found: Option<(DateTime<FixedOffset>, String)> = None;
                for (v, t, c) in line.iter().filter(|(_, t, _)| *t <= at) {
                    if field(v) == Milestone::Date(*end) {
                        if found.is_none() {
                            found = Some((*t, c.clone()));
                        }
                    } else {
                        found = None;
                    }
                }
                found
            }
        }
    }
}

/// Whether a system file's text could give a component its own `eol:`.
fn may_set_eol(text: &[u8]) -> bool {
    memchr::memmem::find(text, b"eol").is_some() || memchr::memchr2(b'\\', b'!', text).is_some()
}

#[cfg(test)]
mod tests {
    use super::may_set_eol;

    /// Every way YAML can spell the key `eol` keeps the file parsed: literally, through an escape in a
    /// double-quoted key, through a tag; a file with none of them cannot set it.
    #[test]
    fn a_file_that_may_spell_eol_is_parsed() {
        assert!(may_set_eol(b"components:\n  - {product: redis, version: '6.2', eol: 2024-12-31}\n"));
        assert!(may_set_eol(b"components:\n  - product: redis\n    \"\\x65ol\": 2024-12-31\n"));
        assert!(may_set_eol(b"components:\n  - product: redis\n    \"\\u0065ol\": 2024-12-31\n"));
        assert!(may_set_eol(b"components:\n  - product: redis\n    !!str eo: x\n"));
        assert!(!may_set_eol(b"id: a\ncomponents:\n  - {product: redis, version: '6.2'}\n"));
    }
}
