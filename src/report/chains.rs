//! The changes as the walk left them at the head, read as of the period's end: a chain counts as
//! approved when it was complete before the end, as complete when its confirmation came before it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};

use super::Action;
use super::history::Entered;
use crate::eval::approvals::{ChangeEval, State, signed_time};
use crate::eval::status::Links;
use crate::ledger::Chain;
use crate::model::{ChangeRequest, ClassKind, Repository, Target};

pub struct Chains {
    pub map: BTreeMap<String, Chain>,
    pub requested_in: HashMap<String, Entered>,
    /// The period's end instant.
    end: DateTime<FixedOffset>,
    /// (system, component) → the changes with a version target naming it.
    by_component: HashMap<(String, String), Vec<String>>,
}

impl Chains {
    pub fn new(
        map: BTreeMap<String, Chain>,
        requested_in: HashMap<String, Entered>,
        end: DateTime<FixedOffset>,
    ) -> Chains {
        let mut by_component: HashMap<(String, String), Vec<String>> = HashMap::new();
        for (id, c) in &map {
            for t in &c.change.targets {
                if let Target::Version { system, component, .. } = t {
                    by_component.entry((system.clone(), component.clone())).or_default().push(id.clone());
                }
            }
        }
        Chains { map, requested_in, end, by_component }
    }

    pub fn get(&self, id: &str) -> Option<&Chain> {
        self.map.get(id)
    }

    /// When the chain was complete (the commit time of its last approval), whenever that was.
    pub fn approved_at(&self, id: &str) -> Option<DateTime<FixedOffset>> {
        self.map.get(id).and_then(|c| c.eval.approved.as_ref().and_then(|(_, t)| *t))
    }

    /// When the request entered history (its commit), else the time it claims.
    pub fn requested_at(&self, id: &str) -> Option<DateTime<FixedOffset>> {
        self.requested_in.get(id).map(|r| r.1).or_else(|| self.map.get(id).map(|c| c.change.requested_at))
    }

    /// When the completion was confirmed, if it was.
    pub fn confirmed_at(&self, id: &str) -> Option<DateTime<FixedOffset>> {
        let c = self.map.get(id)?;
        let i = c.eval.confirmed_by?;
        signed_time(c.signoffs.get(i)?, c.verified.get(i)?.1.as_ref())
    }

    pub fn action(&self, id: &str) -> Option<Action> {
        let c = self.map.get(id)?;
        Some(Action {
            change: id.to_string(),
            requested_at: self.requested_at(id),
            approved_at: self.approved_at(id),
            state: c.eval.state.as_str(),
        })
    }

    /// The evaluation as of the period's end: none when the chain was not yet complete then.
    fn eval_at_end(&self, id: &str, c: &Chain) -> Option<ChangeEval> {
        let approved = self.approved_at(id)?;
        if !c.eval.is_approved() || approved >= self.end {
            return None;
        }
        let mut eval = c.eval.clone();
        if eval.state == State::Complete && self.confirmed_at(id).is_none_or(|t| t >= self.end) {
            eval.state = State::Approved;
        }
        Some(eval)
    }

    /// What approved changes covered at the period's end, for the statuses of `repo` (that state).
    pub fn links(&self, repo: &Repository) -> Links {
        let evals: Vec<(&ChangeRequest, ChangeEval)> =
            self.map.iter().filter_map(|(id, c)| Some((&*c.change, self.eval_at_end(id, c)?))).collect();
        crate::approvals::links_of(repo, evals.iter().map(|(c, e)| (*c, e)))
    }

    /// The class kind of a change under `repo`'s policy.
    pub fn kind(&self, repo: &Repository, id: &str) -> Option<ClassKind> {
        let c = self.map.get(id)?;
        repo.policy.classes.get(&c.change.class).map(|k| k.kind)
    }

    /// The approved changes of `kind` with a version target on `system/component` matching `pred`.
    fn naming(
        &self,
        repo: &Repository,
        kind: ClassKind,
        system: &str,
        component: &str,
        pred: impl Fn(&Target) -> bool,
    ) -> Option<String> {
        let ids = self.by_component.get(&(system.to_string(), component.to_string()))?;
        ids.iter()
            .filter(|id| self.kind(repo, id) == Some(kind))
            .find(|id| {
                let c = &self.map[id.as_str()];
                c.eval.is_approved() && c.change.targets.iter().any(|t| t.system() == Some(system) && pred(t))
            })
            .cloned()
    }

    /// The approved change (kind `change`) whose version target moves `system/component` off
    /// `version`, if any.
    pub fn covering(
        &self,
        repo: &Repository,
        system: &str,
        component: &str,
        version: &str,
    ) -> Option<String> {
        self.naming(repo, ClassKind::Change, system, component, |t| {
            matches!(t, Target::Version { component: k, from, to: Some(_), .. }
                if k == component && from.as_deref().is_none_or(|f| f == version))
        })
    }

    /// The approved exception accepting `system/component`, if any.
    pub fn exception(&self, repo: &Repository, system: &str, component: &str) -> Option<String> {
        self.naming(
            repo,
            ClassKind::Exception,
            system,
            component,
            |t| matches!(t, Target::Version { component: k, .. } if k == component),
        )
    }
}
